//! A three-stage pipeline (read → parse → sum) built from two bounded queues, shut
//! down cleanly from the front: each stage finishes what is queued, then shuts the
//! next queue, and every thread exits. Then the same pipeline aborted from the back
//! with `shutdown_now`, which wakes a producer blocked on a full queue and hands the
//! pending items back instead of dropping them.

use queuekit::{PutError, Queue};
use std::sync::Arc;
use std::thread;

fn main() {
    // Clean shutdown: front to back.
    let lines: Arc<Queue<String>> = Arc::new(Queue::bounded(4));
    let numbers: Arc<Queue<u64>> = Arc::new(Queue::bounded(4));

    let reader = {
        let lines = Arc::clone(&lines);
        thread::spawn(move || {
            for i in 1..=100 {
                lines.put(i.to_string()).unwrap();
            }
            lines.shutdown(); // no more lines
        })
    };
    let parser = {
        let (lines, numbers) = (Arc::clone(&lines), Arc::clone(&numbers));
        thread::spawn(move || {
            for line in lines.iter() {
                numbers.put(line.parse().unwrap()).unwrap();
            }
            numbers.shutdown(); // `lines` is shut and drained: pass it on
        })
    };
    let summer = {
        let numbers = Arc::clone(&numbers);
        thread::spawn(move || numbers.iter().sum::<u64>())
    };
    reader.join().unwrap();
    parser.join().unwrap();
    let total = summer.join().unwrap();
    println!("clean shutdown: sum of 1..=100 = {total}");
    assert_eq!(total, 5050);

    // Abort: the consumer stops early; the producer is blocked on a full queue.
    let queue: Arc<Queue<u32>> = Arc::new(Queue::bounded(2));
    let producer = {
        let queue = Arc::clone(&queue);
        thread::spawn(move || {
            for i in 0.. {
                if let Err(PutError::ShutDown(item)) = queue.put(i) {
                    return item; // handed back, not lost
                }
            }
            unreachable!()
        })
    };
    let first = queue.get().unwrap();
    let pending = queue.shutdown_now(); // wakes the producer, returns what was queued
    let refused = producer.join().unwrap();
    println!("abort: took {first}, handed back {pending:?}, producer kept {refused}");
}
