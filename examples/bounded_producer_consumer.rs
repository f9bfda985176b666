//! Three producers, two consumers, a queue of at most three messages: `put` blocks
//! while the queue is full, so fast producers wait for the slow consumers instead of
//! piling up memory.
//!
//! Stopping a producer when `full()` is true and a consumer when `empty()` is true
//! would race with the other threads. Here producers block on `put`, and consumers
//! stop when the queue is shut down and drained.

use queuekit::Queue;
use std::sync::Arc;
use std::thread;

fn main() {
    let queue: Arc<Queue<String>> = Arc::new(Queue::bounded(3));

    let producers: Vec<_> = ["PA", "PB", "PC"]
        .into_iter()
        .map(|name| {
            let queue = Arc::clone(&queue);
            thread::spawn(move || {
                for n in 0..10 {
                    let msg = format!("{name} - {n}");
                    queue.put(msg.clone()).unwrap(); // blocks while 3 wait
                    println!("{msg} (queued, {} waiting)", queue.len());
                }
            })
        })
        .collect();

    let consumers: Vec<_> = ["CA", "CB"]
        .into_iter()
        .map(|name| {
            let queue = Arc::clone(&queue);
            thread::spawn(move || {
                let mut count = 0;
                for msg in queue.iter() {
                    println!("{name} - {msg}");
                    count += 1;
                }
                count
            })
        })
        .collect();

    for p in producers {
        p.join().unwrap();
    }
    queue.shutdown(); // consumers finish what is queued, then their loops end
    let received: usize = consumers.into_iter().map(|c| c.join().unwrap()).sum();
    println!("{received} messages received"); // 3 producers x 10 messages
    assert_eq!(received, 30);
}
