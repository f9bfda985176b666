//! A worker serving a control queue and a work queue with one `Select`, the way
//! a Python worker would poll both with `get_nowait` and a sleep, without the
//! polling: it blocks until either has something, handles control messages
//! (pause/resume/stop) as soon as they come, and stops cleanly, draining the work
//! it accepted.
//!
//! Run with `cargo run --example select_control`.

use std::thread;

use queuekit::{GetError, Queue, Select};

enum Control {
    Pause,
    Resume,
    Stop,
}

enum Event {
    Control(Result<Control, GetError>),
    Work(Result<u64, GetError>),
}

fn main() {
    let control: Queue<Control> = Queue::unbounded();
    let work: Queue<u64> = Queue::bounded(16);
    let results: Queue<u64> = Queue::unbounded();

    thread::scope(|s| {
        s.spawn(|| {
            let mut paused = false;
            let mut done = 0;
            loop {
                // While paused only the control queue is served. `wait` is
                // `None` only for a select with no active arm; get arms always
                // are active, so it blocks until one completes.
                let event = if paused {
                    Select::new().get(&control, Event::Control).wait()
                } else {
                    // `biased`: a control message waiting beside work is served
                    // first (the arms are tried in the order added).
                    Select::new()
                        .biased()
                        .get(&control, Event::Control)
                        .get(&work, Event::Work)
                        .wait()
                };
                let Some(event) = event else {
                    unreachable!("a select of get arms always has an active arm")
                };
                match event {
                    Event::Control(Ok(Control::Pause)) => paused = true,
                    Event::Control(Ok(Control::Resume)) => paused = false,
                    Event::Control(Ok(Control::Stop)) | Event::Control(Err(_)) => break,
                    Event::Work(Ok(n)) => {
                        results.put(n * n).unwrap();
                        done += 1;
                    }
                    Event::Work(Err(_)) => break, // work queue shut down and drained
                }
            }
            // Stop cleanly: refuse new work, finish what was accepted.
            work.shutdown();
            while let Ok(n) = work.get() {
                results.put(n * n).unwrap();
                done += 1;
            }
            println!("worker: {done} jobs done");
        });

        control.put(Control::Pause).unwrap();
        for n in 1..=10 {
            work.put(n).unwrap();
        }
        control.put(Control::Resume).unwrap();
        for n in 11..=16 {
            work.put(n).unwrap();
        }
        control.put(Control::Stop).unwrap();
    });

    let mut squares = results.shutdown_now();
    squares.sort_unstable();
    assert_eq!(squares, (1..=16u64).map(|n| n * n).collect::<Vec<_>>());
    println!("sum of squares 1..=16: {}", squares.iter().sum::<u64>());
}
