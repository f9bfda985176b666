//! One queue between threads and async tasks (what Python's `janus` does for
//! asyncio), then a thread pool whose handles tokio awaits.
//!
//! * three OS threads produce into a bounded `Queue` with the blocking `put`;
//! * four tokio tasks consume with `get_async` and mark each item done;
//! * `join_async` waits, without blocking the runtime, until every item is done;
//! * then a `ThreadPoolManager` computes on its own threads and tokio awaits the
//!   `TaskHandle`s (`pool.submit(f)?.await`) and `wait_all_async`.
//!
//! Run with `cargo run --example async_bridge`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;

use queuekit::{Queue, ThreadPoolManager};

const PER_THREAD: u64 = 10_000;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Threads produce (Python: a threading.Thread calling janus' sync_q.put).
    let q = Arc::new(Queue::bounded(64));
    let producers: Vec<_> = (0..3u64)
        .map(|t| {
            let q = Arc::clone(&q);
            thread::spawn(move || {
                for i in 0..PER_THREAD {
                    q.put(t * PER_THREAD + i).unwrap(); // blocks while 64 wait
                }
            })
        })
        .collect();

    // Tasks consume (Python: `await async_q.get()`, then `async_q.task_done()`).
    let total = Arc::new(AtomicU64::new(0));
    let consumers: Vec<_> = (0..4)
        .map(|_| {
            let (q, total) = (Arc::clone(&q), Arc::clone(&total));
            tokio::spawn(async move {
                let mut taken = 0u64;
                while let Ok(n) = q.get_async().await {
                    total.fetch_add(n, Ordering::Relaxed);
                    q.task_done().unwrap();
                    taken += 1;
                }
                taken
            })
        })
        .collect();

    // Wait for the producing threads without blocking the runtime, then for
    // every item to be done (Python: `await async_q.join()`).
    tokio::task::spawn_blocking(move || {
        for p in producers {
            p.join().unwrap();
        }
    })
    .await?;
    q.join_async().await;
    q.shutdown(); // ends the consumers' loops
    let mut taken = Vec::new();
    for c in consumers {
        taken.push(c.await?);
    }
    let n = 3 * PER_THREAD;
    assert_eq!(taken.iter().sum::<u64>(), n);
    assert_eq!(total.load(Ordering::Relaxed), n * (n - 1) / 2);
    println!("queue: {n} items from 3 threads, taken by 4 tasks as {taken:?}");

    // A pool computes on its own threads; tokio awaits the handles.
    let pool = ThreadPoolManager::new(2)?;
    let handles = (1..=8u64)
        .map(|k| pool.submit(move || (1..=k * 100_000).sum::<u64>()))
        .collect::<Result<Vec<_>, _>>()?;
    let mut sums = Vec::new();
    for h in handles {
        sums.push(h.await?);
    }
    let one = pool.submit(|| 6 * 7)?.await?;
    pool.wait_all_async().await;
    println!("pool: sums {sums:?}, and {one}");
    assert_eq!(sums[0], 100_000 * 100_001 / 2);
    Ok(())
}
