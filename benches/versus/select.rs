//! Waiting on many: a `Select` over two queues against crossbeam's `select!`,
//! and `as_completed` over task handles against a shared result channel.

use std::hint::black_box;
use std::sync::{mpsc, Arc};
use std::thread;
use std::time::{Duration, Instant};

use crate::pool::{check_sum, qk_submit_then, task_value};
use crate::{row, Row, BOUND, QUEUE_ITEMS};

/// Starts one producer thread per end, each sending `0..half` through `send`.
fn spawn_producers<T: Send + 'static>(
    ends: [T; 2],
    half: u64,
    send: impl Fn(&T, u64) + Copy + Send + 'static,
) -> Vec<thread::JoinHandle<()>> {
    ends.into_iter()
        .map(|end| {
            thread::spawn(move || {
                for i in 0..half {
                    send(&end, black_box(i));
                }
            })
        })
        .collect()
}

/// Two producers, each feeding its own bounded queue; one consumer takes every
/// item with a select over both (a fresh select per item, as `select!` is).
fn qk_select2(items: u64) -> Duration {
    let a = Arc::new(queuekit::Queue::bounded(BOUND));
    let b = Arc::new(queuekit::Queue::bounded(BOUND));
    let half = items / 2;
    let t0 = Instant::now();
    let producers = spawn_producers([a.clone(), b.clone()], half, |q, i| q.put(i).unwrap());
    let mut sum = 0u64;
    for _ in 0..2 * half {
        sum = sum.wrapping_add(
            queuekit::Select::new()
                .get(&*a, |r| r.unwrap())
                .get(&*b, |r| r.unwrap())
                .wait()
                .expect("get arms are active"),
        );
    }
    let took = t0.elapsed();
    for p in producers {
        p.join().unwrap();
    }
    assert_eq!(sum, half * (half - 1));
    took
}

/// The same with two bounded crossbeam channels and `select!`.
fn cb_select2(items: u64) -> Duration {
    let (ta, ra) = crossbeam_channel::bounded(BOUND);
    let (tb, rb) = crossbeam_channel::bounded(BOUND);
    let half = items / 2;
    let t0 = Instant::now();
    // The main thread keeps a sender of each alive: a finished producer's drop
    // would otherwise disconnect its channel and `select!` would pick it.
    let producers = spawn_producers([ta.clone(), tb.clone()], half, |tx, i| tx.send(i).unwrap());
    let mut sum = 0u64;
    for _ in 0..2 * half {
        let v = crossbeam_channel::select! {
            recv(ra) -> m => m.unwrap(),
            recv(rb) -> m => m.unwrap(),
        };
        sum = sum.wrapping_add(v);
    }
    let took = t0.elapsed();
    drop((ta, tb));
    for p in producers {
        p.join().unwrap();
    }
    assert_eq!(sum, half * (half - 1));
    took
}

/// `submit` every task, then take the results with `as_completed`
/// (finishing order).
fn qk_as_completed(tasks: usize, workers: usize) -> Duration {
    qk_submit_then(tasks, workers, |handles| {
        queuekit::as_completed(handles).fold(0u64, |a, (_, r)| a.wrapping_add(r.unwrap()))
    })
}

/// The usual hand-rolled equivalent: `threadpool` and one shared std channel
/// the tasks send their results into.
fn threadpool_shared_channel(tasks: usize, workers: usize) -> Duration {
    let pool = threadpool::ThreadPool::new(workers);
    let t0 = Instant::now();
    let (tx, rx) = mpsc::channel();
    for i in 0..tasks {
        let tx = tx.clone();
        pool.execute(move || {
            let _ = tx.send((i, task_value(black_box(i))));
        });
    }
    drop(tx);
    let sum = rx
        .iter()
        .take(tasks)
        .fold(0u64, |a, (_, v)| a.wrapping_add(v));
    let took = t0.elapsed();
    check_sum(tasks, sum);
    pool.join();
    took
}

/// The `select` row, then the `as_completed` row.
pub fn rows() -> Vec<Row> {
    vec![
        row(
            format!("select over 2 queues 2P1C bounded({BOUND})"),
            QUEUE_ITEMS,
            vec![
                ("queuekit", Box::new(qk_select2)),
                ("crossbeam_select!", Box::new(cb_select2)),
            ],
        ),
        row(
            "as_completed 10^5 handles 4 workers",
            100_000,
            vec![
                ("queuekit", Box::new(|n| qk_as_completed(n as usize, 4))),
                (
                    "threadpool+shared_chan",
                    Box::new(|n| threadpool_shared_channel(n as usize, 4)),
                ),
            ],
        ),
    ]
}
