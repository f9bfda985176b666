//! The queue layer: the channel ends the queue rows drive (`Tx`/`Rx` for
//! queuekit's `Queue` and `PriorityQueue`, `std::sync::mpsc`, crossbeam-channel and
//! a `Mutex<BinaryHeap>` with a std `Condvar`), the run of one row
//! ([`run_queue`], which `batch.rs` uses too), and the `queue`, `priority`,
//! `oversubscribed` and `loaded` rows.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::hint::black_box;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Barrier, Condvar};
use std::thread;
use std::time::{Duration, Instant};

use crate::{capacity, row, Row, BATCH, BOUND, QUEUE_ITEMS};

/// A producer's end of a channel. Dropping every sender ends the anchors'
/// channels; queuekit's queue ends with `shutdown()` (the row's `finish`).
pub trait Tx: Send + 'static {
    fn send(&self, v: u64);
    /// Sends `vs` as one batch where the implementation has one, else one by one.
    fn send_batch(&self, vs: std::ops::Range<u64>) {
        for v in vs {
            self.send(v);
        }
    }
}

/// A consumer's end. `None` when the channel is closed and drained.
pub trait Rx: Send + 'static {
    fn recv(&self) -> Option<u64>;
    /// Appends at least one item to `out`, or returns `false` when closed and
    /// drained. Batch-less implementations receive one.
    fn recv_batch(&self, out: &mut Vec<u64>) -> bool {
        match self.recv() {
            Some(v) => {
                out.push(v);
                true
            }
            None => false,
        }
    }
}

// ---- queuekit ----

struct Qk(Arc<queuekit::Queue<u64>>);

impl Tx for Qk {
    fn send(&self, v: u64) {
        self.0.put(v).unwrap();
    }
    fn send_batch(&self, vs: std::ops::Range<u64>) {
        self.0.put_all(vs).unwrap();
    }
}

impl Rx for Qk {
    fn recv(&self) -> Option<u64> {
        self.0.get().ok()
    }
    fn recv_batch(&self, out: &mut Vec<u64>) -> bool {
        out.extend(self.0.try_get_many(BATCH).unwrap_or_default());
        if !out.is_empty() {
            return true;
        }
        match self.0.get() {
            Ok(v) => {
                out.push(v);
                true
            }
            Err(_) => false,
        }
    }
}

struct QkPrio(Arc<queuekit::PriorityQueue<Reverse<u64>>>);

impl Tx for QkPrio {
    fn send(&self, v: u64) {
        self.0.put(Reverse(v)).unwrap();
    }
}

impl Rx for QkPrio {
    fn recv(&self) -> Option<u64> {
        self.0.get().ok().map(|r| r.0)
    }
}

// ---- std::sync::mpsc ----

/// `SyncSender` for the bounded rows, `Sender` for the unbounded ones.
pub enum StdTx {
    Bounded(mpsc::SyncSender<u64>),
    Unbounded(mpsc::Sender<u64>),
}

impl Tx for StdTx {
    fn send(&self, v: u64) {
        match self {
            StdTx::Bounded(tx) => tx.send(v).unwrap(),
            StdTx::Unbounded(tx) => tx.send(v).unwrap(),
        }
    }
}

/// One consumer owns the plain `Receiver`.
impl Rx for mpsc::Receiver<u64> {
    fn recv(&self) -> Option<u64> {
        mpsc::Receiver::recv(self).ok()
    }
}

/// Several consumers share the receiver behind a std `Mutex`.
struct StdShared(Arc<std::sync::Mutex<mpsc::Receiver<u64>>>);

impl Rx for StdShared {
    fn recv(&self) -> Option<u64> {
        self.0.lock().unwrap().recv().ok()
    }
}

// ---- crossbeam-channel ----

impl Tx for crossbeam_channel::Sender<u64> {
    fn send(&self, v: u64) {
        crossbeam_channel::Sender::send(self, v).unwrap();
    }
}

impl Rx for crossbeam_channel::Receiver<u64> {
    fn recv(&self) -> Option<u64> {
        crossbeam_channel::Receiver::recv(self).ok()
    }
}

// ---- Mutex<BinaryHeap> + std Condvar (the priority row's anchor) ----

#[derive(Default)]
struct HeapState {
    heap: BinaryHeap<Reverse<u64>>,
    closed: bool,
}

#[derive(Clone, Default)]
struct Heap(Arc<(std::sync::Mutex<HeapState>, Condvar)>);

impl Heap {
    fn close(&self) {
        self.0 .0.lock().unwrap().closed = true;
        self.0 .1.notify_all();
    }
}

impl Tx for Heap {
    fn send(&self, v: u64) {
        self.0 .0.lock().unwrap().heap.push(Reverse(v));
        self.0 .1.notify_one();
    }
}

impl Rx for Heap {
    fn recv(&self) -> Option<u64> {
        let mut st = self
            .0
             .1
            .wait_while(self.0 .0.lock().unwrap(), |s| {
                s.heap.is_empty() && !s.closed
            })
            .unwrap();
        st.heap.pop().map(|r| r.0)
    }
}

/// Moves `items` values from `txs.len()` producers to `rxs.len()` consumers and
/// returns the time from the first thread leaving the start line to the last
/// consumer's exit (taken by the workers themselves, so a main thread that is slow to
/// be scheduled on a busy machine does not shorten or lengthen it). The last producer
/// to finish drops its sender and then calls `finish`, which closes the channel
/// (queuekit: `shutdown()`; the anchors close when their last sender is dropped).
/// Asserts that every value arrived exactly once (count and sum).
pub fn run_queue<T: Tx, R: Rx>(
    items: u64,
    batched: bool,
    txs: Vec<T>,
    rxs: Vec<R>,
    finish: impl Fn() + Send + Sync + 'static,
) -> Duration {
    let producers = txs.len() as u64;
    let each = items / producers;
    let start = Arc::new(Barrier::new(txs.len() + rxs.len()));
    let running = Arc::new(AtomicUsize::new(txs.len()));
    let finish = Arc::new(finish);
    let prod: Vec<_> = txs
        .into_iter()
        .enumerate()
        .map(|(p, tx)| {
            let (start, running, finish) = (
                Arc::clone(&start),
                Arc::clone(&running),
                Arc::clone(&finish),
            );
            let p = p as u64;
            thread::spawn(move || {
                start.wait();
                let t0 = Instant::now();
                let (lo, hi) = (p * each, (p + 1) * each);
                if batched {
                    let mut v = lo;
                    while v < hi {
                        let end = (v + BATCH as u64).min(hi);
                        tx.send_batch(v..end);
                        v = end;
                    }
                } else {
                    for v in lo..hi {
                        tx.send(v);
                    }
                }
                // The anchors' channel closes when the last sender is dropped.
                drop(tx);
                if running.fetch_sub(1, Ordering::AcqRel) == 1 {
                    finish();
                }
                t0
            })
        })
        .collect();
    let cons: Vec<_> = rxs
        .into_iter()
        .map(|rx| {
            let start = Arc::clone(&start);
            thread::spawn(move || {
                start.wait();
                let t0 = Instant::now();
                let (mut sum, mut n) = (0u64, 0u64);
                if batched {
                    let mut buf = Vec::with_capacity(BATCH);
                    while rx.recv_batch(&mut buf) {
                        for v in buf.drain(..) {
                            sum += v;
                            n += 1;
                        }
                    }
                } else {
                    while let Some(v) = rx.recv() {
                        sum += v;
                        n += 1;
                    }
                }
                (t0, Instant::now(), sum, n)
            })
        })
        .collect();
    let mut first = None::<Instant>;
    for p in prod {
        let t0 = p.join().unwrap();
        first = Some(first.map_or(t0, |f| f.min(t0)));
    }
    let (mut sum, mut n, mut last) = (0, 0, None::<Instant>);
    for c in cons {
        let (t0, t1, s, k) = c.join().unwrap();
        first = Some(first.map_or(t0, |f| f.min(t0)));
        last = Some(last.map_or(t1, |l| l.max(t1)));
        sum += s;
        n += k;
    }
    let total = each * producers;
    assert_eq!(n, total, "lost or duplicated items");
    assert_eq!(sum, total * (total - 1) / 2, "wrong checksum");
    last.unwrap() - first.unwrap()
}

fn qk_queue(items: u64, bound: Option<usize>, p: usize, c: usize, batched: bool) -> Duration {
    let q = Arc::new(match bound {
        Some(b) => queuekit::Queue::bounded(b),
        None => queuekit::Queue::unbounded(),
    });
    let txs = (0..p).map(|_| Qk(Arc::clone(&q))).collect();
    let rxs = (0..c).map(|_| Qk(Arc::clone(&q))).collect();
    run_queue(items, batched, txs, rxs, move || q.shutdown())
}

fn std_queue(items: u64, bound: Option<usize>, p: usize, c: usize, batched: bool) -> Duration {
    let (tx, rx) = match bound {
        Some(b) => {
            let (tx, rx) = mpsc::sync_channel(b);
            (StdTx::Bounded(tx), rx)
        }
        None => {
            let (tx, rx) = mpsc::channel();
            (StdTx::Unbounded(tx), rx)
        }
    };
    let txs: Vec<StdTx> = (0..p)
        .map(|_| match &tx {
            StdTx::Bounded(t) => StdTx::Bounded(t.clone()),
            StdTx::Unbounded(t) => StdTx::Unbounded(t.clone()),
        })
        .collect();
    drop(tx);
    if c == 1 {
        run_queue(items, batched, txs, vec![rx], || ())
    } else {
        let shared = Arc::new(std::sync::Mutex::new(rx));
        let rxs = (0..c).map(|_| StdShared(Arc::clone(&shared))).collect();
        drop(shared);
        run_queue(items, batched, txs, rxs, || ())
    }
}

fn cb_queue(items: u64, bound: Option<usize>, p: usize, c: usize, batched: bool) -> Duration {
    let (tx, rx) = match bound {
        Some(b) => crossbeam_channel::bounded(b),
        None => crossbeam_channel::unbounded(),
    };
    let txs = (0..p).map(|_| tx.clone()).collect();
    let rxs = (0..c).map(|_| rx.clone()).collect();
    drop((tx, rx));
    run_queue(items, batched, txs, rxs, || ())
}

fn qk_priority(items: u64, p: usize, c: usize) -> Duration {
    let q = Arc::new(queuekit::PriorityQueue::unbounded());
    let txs = (0..p).map(|_| QkPrio(Arc::clone(&q))).collect();
    let rxs = (0..c).map(|_| QkPrio(Arc::clone(&q))).collect();
    run_queue(items, false, txs, rxs, move || q.shutdown())
}

fn heap_priority(items: u64, p: usize, c: usize) -> Duration {
    let h = Heap::default();
    let txs = (0..p).map(|_| h.clone()).collect();
    let rxs = (0..c).map(|_| h.clone()).collect();
    run_queue(items, false, txs, rxs, move || h.close())
}

/// Runs `f` while one extra thread busy-loops (started before, stopped after), so
/// the row's threads compete with a third runnable task.
fn loaded(f: impl FnOnce() -> Duration) -> Duration {
    let stop = Arc::new(AtomicBool::new(false));
    let spinner = {
        let stop = Arc::clone(&stop);
        thread::spawn(move || {
            let mut x = 0u64;
            while !stop.load(Ordering::Relaxed) {
                x = black_box(x.wrapping_add(1));
            }
            x
        })
    };
    let took = f();
    stop.store(true, Ordering::Relaxed);
    black_box(spinner.join().unwrap());
    took
}

/// The `queue` rows (one item per call; the `batch64` rows in `batch.rs` are the
/// same shapes with `batched`).
pub fn rows() -> Vec<Row> {
    shape_rows("queue", false)
}

/// A row per shape and capacity with queuekit, std and crossbeam; `batched`
/// sends and receives through `send_batch` / `recv_batch`.
pub fn shape_rows(section: &'static str, batched: bool) -> Vec<Row> {
    let mut rows = Vec::new();
    for (p, c) in [(1, 1), (4, 1), (4, 4)] {
        for bound in [Some(BOUND), None] {
            rows.push(row(
                format!("{section} {p}P{c}C {}", capacity(bound)),
                QUEUE_ITEMS,
                vec![
                    (
                        "queuekit",
                        Box::new(move |n| qk_queue(n, bound, p, c, batched)),
                    ),
                    (
                        "std_mpsc",
                        Box::new(move |n| std_queue(n, bound, p, c, batched)),
                    ),
                    (
                        "crossbeam",
                        Box::new(move |n| cb_queue(n, bound, p, c, batched)),
                    ),
                ],
            ));
        }
    }
    rows
}

/// The rows that load the queue another way: a priority queue, more threads than
/// cores on a small bound, and a busy thread beside a 1P1C row.
pub fn stress_rows() -> Vec<Row> {
    let over = Some(64);
    let b = Some(BOUND);
    vec![
        row(
            "priority 4P4C unbounded",
            QUEUE_ITEMS,
            vec![
                ("queuekit", Box::new(|n| qk_priority(n, 4, 4))),
                ("mutex_binaryheap", Box::new(|n| heap_priority(n, 4, 4))),
            ],
        ),
        row(
            "oversubscribed 8P8C bounded(64)",
            QUEUE_ITEMS,
            vec![
                (
                    "queuekit",
                    Box::new(move |n| qk_queue(n, over, 8, 8, false)),
                ),
                (
                    "std_mpsc",
                    Box::new(move |n| std_queue(n, over, 8, 8, false)),
                ),
                (
                    "crossbeam",
                    Box::new(move |n| cb_queue(n, over, 8, 8, false)),
                ),
            ],
        ),
        row(
            "loaded 1P1C bounded(1024) + 1 busy thread",
            QUEUE_ITEMS,
            vec![
                (
                    "queuekit",
                    Box::new(move |n| loaded(|| qk_queue(n, b, 1, 1, false))),
                ),
                (
                    "std_mpsc",
                    Box::new(move |n| loaded(|| std_queue(n, b, 1, 1, false))),
                ),
                (
                    "crossbeam",
                    Box::new(move |n| loaded(|| cb_queue(n, b, 1, 1, false))),
                ),
            ],
        ),
    ]
}
