//! The pool layer: `ThreadPoolManager`'s `execute` and `submit` + wait against
//! the `threadpool` crate and the Rust book's pool, and a scoped map over a
//! borrowed slice (`scope` + `map_bounded`) against rayon's `par_iter`.

use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Barrier, Condvar};
use std::time::{Duration, Instant};

use crate::{row, Row};

/// The Rust book's pool (ch. 20): workers share one receiver behind a std mutex.
#[path = "../common/book_pool.rs"]
mod book;

/// Counts task completions; the task that reaches the target opens the latch, so
/// every pool's `execute` row is waited for the same way.
struct Latch {
    count: AtomicUsize,
    target: usize,
    open: std::sync::Mutex<bool>,
    cv: Condvar,
}

impl Latch {
    fn new(target: usize) -> Arc<Self> {
        Arc::new(Self {
            count: AtomicUsize::new(0),
            target,
            open: std::sync::Mutex::new(false),
            cv: Condvar::new(),
        })
    }

    /// The task body: one atomic increment (and the check for the last one).
    #[inline]
    fn hit(&self) {
        if self.count.fetch_add(1, Ordering::Relaxed) + 1 == self.target {
            *self.open.lock().unwrap() = true;
            self.cv.notify_all();
        }
    }

    fn wait(&self) {
        let g = self.open.lock().unwrap();
        drop(self.cv.wait_while(g, |open| !*open).unwrap());
    }
}

/// `tasks` tiny tasks through `execute`, timed from the first submission until the
/// last task ran. Pool start-up and shut-down are outside the time.
fn pool_execute(tasks: usize, execute: &dyn Fn(Box<dyn FnOnce() + Send>)) -> Duration {
    let latch = Latch::new(tasks);
    let t0 = Instant::now();
    for _ in 0..tasks {
        let l = Arc::clone(&latch);
        execute(Box::new(move || l.hit()));
    }
    latch.wait();
    t0.elapsed()
}

fn qk_execute(tasks: usize, workers: usize) -> Duration {
    let pool = queuekit::ThreadPoolManager::new(workers).unwrap();
    let latch = Latch::new(tasks);
    let t0 = Instant::now();
    for _ in 0..tasks {
        let l = Arc::clone(&latch);
        pool.execute(move || l.hit()).unwrap();
    }
    latch.wait();
    let took = t0.elapsed();
    pool.join();
    took
}

/// A timed body run against an anchor pool's `execute`: [`pool_execute`] or
/// [`channel_submit`].
type AnchorRun = fn(usize, &dyn Fn(Box<dyn FnOnce() + Send>)) -> Duration;

/// `run` on a fresh `threadpool` of `workers`, joined after the time was taken.
fn on_threadpool(run: AnchorRun, tasks: usize, workers: usize) -> Duration {
    let pool = threadpool::ThreadPool::new(workers);
    let took = run(tasks, &|f| pool.execute(f));
    pool.join();
    took
}

/// `run` on a fresh Rust-book pool of `workers`.
fn on_book_pool(run: AnchorRun, tasks: usize, workers: usize) -> Duration {
    let pool = book::ThreadPool::new(workers);
    run(tasks, &|f| pool.execute(f))
    // The pool's drop joins its workers, after the time was taken.
}

/// The value task `i` returns in the `submit` rows; the waiter checks the sum.
#[inline]
pub fn task_value(i: usize) -> u64 {
    (i as u64).wrapping_mul(3)
}

pub fn check_sum(tasks: usize, sum: u64) {
    let want = (0..tasks).fold(0u64, |a, i| a.wrapping_add(task_value(i)));
    assert_eq!(sum, want, "wrong results");
}

/// `submit` a handle per task to a fresh pool of `workers`, then `collect` the
/// results into their sum; timed from the first `submit` to the sum, which is
/// checked. The `as_completed` row (`select.rs`) collects another way.
pub fn qk_submit_then(
    tasks: usize,
    workers: usize,
    collect: impl FnOnce(Vec<queuekit::TaskHandle<u64>>) -> u64,
) -> Duration {
    let pool = queuekit::ThreadPoolManager::new(workers).unwrap();
    let t0 = Instant::now();
    let handles: Vec<_> = (0..tasks)
        .map(|i| pool.submit(move || task_value(black_box(i))).unwrap())
        .collect();
    let sum = collect(handles);
    let took = t0.elapsed();
    check_sum(tasks, sum);
    pool.join();
    took
}

/// Waits for every handle in order (Python's
/// `futures = [ex.submit(f) ...]; [f.result() for f in futures]`).
fn qk_submit(tasks: usize, workers: usize) -> Duration {
    qk_submit_then(tasks, workers, |handles| {
        handles
            .into_iter()
            .fold(0u64, |a, h| a.wrapping_add(h.wait().unwrap()))
    })
}

/// The same with an anchor's `execute` and a std channel per task for the result.
fn channel_submit(tasks: usize, execute: &dyn Fn(Box<dyn FnOnce() + Send>)) -> Duration {
    let t0 = Instant::now();
    let receivers: Vec<_> = (0..tasks)
        .map(|i| {
            let (tx, rx) = mpsc::sync_channel(1);
            execute(Box::new(move || {
                let _ = tx.send(task_value(black_box(i)));
            }));
            rx
        })
        .collect();
    let sum = receivers
        .into_iter()
        .fold(0u64, |a, rx| a.wrapping_add(rx.recv().unwrap()));
    let took = t0.elapsed();
    check_sum(tasks, sum);
    took
}

// ---- Scoped map over a borrowed slice: queuekit's scope vs rayon's par_iter ----

/// Items per scoped task in the scoped-map row: queuekit's pool runs one task
/// per chunk (it does not split work itself, rayon's iterators do).
const MAP_CHUNK: usize = 4096;
/// The read-ahead of the scoped map: chunks submitted and not yet yielded.
const MAP_AHEAD: usize = 8;

/// The per-item work of the scoped-map row: a few rounds of a 64-bit mix
/// (splitmix64), some tens of nanoseconds.
#[inline]
fn map_work(x: u64) -> u64 {
    let mut z = x;
    for _ in 0..4 {
        z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
    }
    z
}

fn map_input(items: u64) -> Vec<u64> {
    (0..items).collect()
}

fn map_check(data: &[u64], sum: u64) {
    let want = data.iter().fold(0u64, |a, &x| a.wrapping_add(map_work(x)));
    assert_eq!(sum, want, "wrong results");
}

/// `pool.scope(|s| s.map_bounded(data.chunks(..), ..))` over a slice the tasks
/// borrow; the caller sums the chunk results in order.
///
/// Threads: the pool's `workers` threads run chunks, and so does the calling
/// thread while it waits (it *helps*: it runs chunks of the read-ahead window no
/// worker has started), so up to `workers + 1` threads compute. rayon's
/// `pool.install` caller blocks and computes nothing: `workers` threads compute
/// there. On the 2-core machine of these runs both sides are capped at 2 cores.
///
/// The pool starts its workers lazily; they are started (and seen running) before
/// the clock starts, as `rayon::ThreadPoolBuilder::build` spawns its threads
/// before `rayon_map` starts its clock.
fn qk_scoped_map(items: u64, workers: usize) -> Duration {
    let data = map_input(items);
    let pool = queuekit::ThreadPoolManager::new(workers).unwrap();
    start_workers(&pool, workers);
    let t0 = Instant::now();
    let sum = pool.scope(|s| {
        s.map_bounded(
            data.chunks(MAP_CHUNK),
            |chunk| {
                chunk
                    .iter()
                    .fold(0u64, |a, &x| a.wrapping_add(map_work(black_box(x))))
            },
            MAP_AHEAD,
        )
        .fold(0u64, |a, r| a.wrapping_add(r.unwrap()))
    });
    let took = t0.elapsed();
    map_check(&data, sum);
    pool.join();
    took
}

/// Starts all `workers` of a fresh pool: each of `workers` tasks waits at a
/// barrier until all are running, so each runs on a worker of its own.
fn start_workers(pool: &queuekit::ThreadPoolManager, workers: usize) {
    let met = Arc::new(Barrier::new(workers));
    for _ in 0..workers {
        let met = Arc::clone(&met);
        pool.execute(move || {
            met.wait();
        })
        .unwrap();
    }
    pool.wait_all();
}

/// rayon's `par_iter().map()` over the same slice, in a pool of `workers` threads.
fn rayon_map(items: u64, workers: usize) -> Duration {
    use rayon::prelude::*;
    let data = map_input(items);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(workers)
        .build()
        .unwrap();
    let t0 = Instant::now();
    let sum = pool.install(|| {
        data.par_iter()
            .map(|&x| map_work(black_box(x)))
            .reduce(|| 0, u64::wrapping_add)
    });
    let took = t0.elapsed();
    map_check(&data, sum);
    took
}

/// A pair of pool rows: what they measure, queuekit's run (tasks, workers), the
/// anchors' timed body, and the names of the `threadpool` and Rust-book contenders.
type PoolRows = (
    &'static str,
    fn(usize, usize) -> Duration,
    AnchorRun,
    [&'static str; 2],
);

/// The `pool execute` and `pool submit+wait` rows, then the scoped map.
pub fn rows() -> Vec<Row> {
    let kinds: [PoolRows; 2] = [
        (
            "execute",
            qk_execute,
            pool_execute,
            ["threadpool", "rust_book"],
        ),
        (
            "submit+wait",
            qk_submit,
            channel_submit,
            ["threadpool+chan", "rust_book+chan"],
        ),
    ];
    let mut rows = Vec::new();
    for (what, qk, anchor, [threadpool, book]) in kinds {
        for w in [2usize, 4] {
            rows.push(row(
                format!("pool {what} {w} workers"),
                1_000_000,
                vec![
                    ("queuekit", Box::new(move |n| qk(n as usize, w))),
                    (
                        threadpool,
                        Box::new(move |n| on_threadpool(anchor, n as usize, w)),
                    ),
                    (book, Box::new(move |n| on_book_pool(anchor, n as usize, w))),
                ],
            ));
        }
    }
    rows.push(row(
        "scoped map over a borrowed slice 2 workers",
        4_000_000,
        vec![
            ("queuekit", Box::new(|n| qk_scoped_map(n, 2))),
            ("rayon", Box::new(|n| rayon_map(n, 2))),
        ],
    ));
    rows
}
