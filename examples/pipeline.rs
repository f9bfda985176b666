//! `pipeline::run`: one producer, several consumers, and the first error from either
//! side stops everything and is returned.
//!
//! The queue between them is bounded, yet a producer blocked on a full queue is
//! never stranded when every consumer has died: the first failure shuts the queue
//! down, which wakes everyone. The end of input is a shutdown rather than one
//! sentinel per consumer, and the first failure comes back with the items left
//! unprocessed.
//!
//! `cargo run --example pipeline`

use queuekit::pipeline;
use std::sync::atomic::{AtomicUsize, Ordering};

fn main() {
    // 1. The happy path: ten tasks, two consumers.
    let consumed = AtomicUsize::new(0);
    let consumer = |task: u32| {
        println!("consume task: {task}");
        consumed.fetch_add(1, Ordering::Relaxed);
        Ok::<(), String>(())
    };
    pipeline::run(
        |feed| {
            for task in 1..=10 {
                feed.put(task).map_err(|e| e.to_string())?;
            }
            Ok(())
        },
        vec![consumer; 2],
    )
    .expect("no failure");
    println!("{} tasks consumed\n", consumed.load(Ordering::Relaxed));

    // 2. A consumer fails on task 4 while the producer has a thousand more to give:
    //    the error comes back, the producer stops, nothing hangs.
    let result = pipeline::run_with_capacity(
        2,
        |feed| {
            for task in 1..=1_000u32 {
                feed.put(task).map_err(|e| e.to_string())?;
            }
            Ok(())
        },
        vec![
            |task: u32| {
                if task == 4 {
                    Err(format!("task {task}: upload failed"))
                } else {
                    Ok(())
                }
            };
            2
        ],
    );
    match result {
        Ok(()) => println!("unexpected success"),
        Err(e) => println!(
            "pipeline stopped: {e} ({} items handed back unprocessed)",
            e.unprocessed().len()
        ),
    }
}
