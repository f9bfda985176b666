//! Five workers share a queue of ten tasks; the main thread waits with `join()` until
//! every task was marked `task_done()` (Python's worker-pool idiom).
//!
//! Python runs the workers as daemon threads that are simply abandoned when the
//! program exits. Here `shutdown()` ends their loops and the program joins them, so
//! nothing is killed mid-task.

use queuekit::Queue;
use std::sync::Arc;
use std::thread;
use std::time::Duration;

fn main() {
    let tasks: Arc<Queue<String>> = Arc::new(Queue::unbounded());
    for i in 1..=10 {
        tasks.put(format!("task {i}")).unwrap();
    }

    let workers: Vec<_> = (1..=5)
        .map(|w| {
            let tasks = Arc::clone(&tasks);
            thread::Builder::new()
                .name(format!("thread{w}"))
                .spawn(move || {
                    // The iterator blocks for the next item and ends at shutdown.
                    for item in tasks.iter() {
                        thread::sleep(Duration::from_millis(20)); // the "work"
                        println!("thread{w}: {item}");
                        tasks.task_done().expect("one task_done per get");
                    }
                })
                .unwrap()
        })
        .collect();

    tasks.join(); // every task is done
    println!("all {} tasks done", 10);
    tasks.shutdown(); // let the workers' loops end
    for w in workers {
        w.join().unwrap();
    }
}
