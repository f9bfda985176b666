//! The lock layer: `queuekit::Mutex` against `std::sync::Mutex` and
//! `parking_lot::Mutex`, on one thread and contended.

use std::hint::black_box;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use crate::{row, Row};

/// The operations the lock rows need from each mutex.
trait Lock: Send + Sync + 'static {
    fn new() -> Self;
    fn bump(&self);
    fn get(&self) -> u64;
}

impl Lock for queuekit::Mutex<u64> {
    fn new() -> Self {
        queuekit::Mutex::new(0)
    }
    fn bump(&self) {
        *self.lock() += 1;
    }
    fn get(&self) -> u64 {
        *self.lock()
    }
}

impl Lock for std::sync::Mutex<u64> {
    fn new() -> Self {
        std::sync::Mutex::new(0)
    }
    fn bump(&self) {
        *self.lock().unwrap() += 1;
    }
    fn get(&self) -> u64 {
        *self.lock().unwrap()
    }
}

impl Lock for parking_lot::Mutex<u64> {
    fn new() -> Self {
        parking_lot::Mutex::new(0)
    }
    fn bump(&self) {
        *self.lock() += 1;
    }
    fn get(&self) -> u64 {
        *self.lock()
    }
}

/// `ops` lock + increment + unlock on one thread.
fn uncontended<L: Lock>(ops: u64) -> Duration {
    let lock = L::new();
    let t0 = Instant::now();
    for _ in 0..ops {
        black_box(&lock).bump();
    }
    let took = t0.elapsed();
    assert_eq!(lock.get(), ops);
    took
}

/// `threads` threads share `ops` lock + increment + unlock on one counter; the time
/// runs from the first worker leaving the start line to the last one finishing.
fn contended<L: Lock>(ops: u64, threads: usize) -> Duration {
    let each = ops / threads as u64;
    let lock = Arc::new(L::new());
    let start = Arc::new(Barrier::new(threads));
    let workers: Vec<_> = (0..threads)
        .map(|_| {
            let (lock, start) = (Arc::clone(&lock), Arc::clone(&start));
            thread::spawn(move || {
                start.wait();
                let t0 = Instant::now();
                for _ in 0..each {
                    lock.bump();
                }
                (t0, Instant::now())
            })
        })
        .collect();
    let spans: Vec<(Instant, Instant)> = workers.into_iter().map(|w| w.join().unwrap()).collect();
    assert_eq!(lock.get(), threads as u64 * each);
    let first = spans.iter().map(|s| s.0).min().unwrap();
    let last = spans.iter().map(|s| s.1).max().unwrap();
    last - first
}

/// The `lock uncontended` row, then the `lock contended` rows.
pub fn rows() -> Vec<Row> {
    let mut rows = vec![row(
        "lock uncontended",
        10_000_000,
        vec![
            ("queuekit", Box::new(uncontended::<queuekit::Mutex<u64>>)),
            ("std", Box::new(uncontended::<std::sync::Mutex<u64>>)),
            (
                "parking_lot",
                Box::new(uncontended::<parking_lot::Mutex<u64>>),
            ),
        ],
    )];
    for t in [2usize, 4] {
        rows.push(row(
            format!("lock contended {t} threads"),
            2_000_000,
            vec![
                (
                    "queuekit",
                    Box::new(move |n| contended::<queuekit::Mutex<u64>>(n, t)),
                ),
                (
                    "std",
                    Box::new(move |n| contended::<std::sync::Mutex<u64>>(n, t)),
                ),
                (
                    "parking_lot",
                    Box::new(move |n| contended::<parking_lot::Mutex<u64>>(n, t)),
                ),
            ],
        ));
    }
    rows
}
