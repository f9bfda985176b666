//! Queues against `std::sync::mpsc` and `crossbeam-channel`, side by side.
//!
//! `cargo bench --bench queue`. Every row moves 10^6 `u64`s from P producers to C
//! consumers and checks the sum; figures and ratios are in `docs/benchmarks.md`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

const MESSAGES: u64 = 1_000_000;
const BOUND: usize = 1024;
const BATCH: usize = 64;
/// Tells a consumer to stop; sent once per consumer after every producer finished.
const STOP: u64 = u64::MAX;

trait Tx: Clone + Send + 'static {
    fn send(&self, v: u64);
    /// Sends a batch (implementations without a batch call send one by one).
    fn send_batch(&self, vs: Vec<u64>) {
        for v in vs {
            self.send(v);
        }
    }
}

trait Rx: Clone + Send + 'static {
    fn recv(&self) -> u64;
    /// Receives at least one value into `out` (batch-less implementations: one).
    fn recv_batch(&self, out: &mut Vec<u64>) {
        out.push(self.recv());
    }
}

// ---- queuekit ----

struct Qk<Q>(Arc<Q>);

impl<Q> Clone for Qk<Q> {
    fn clone(&self) -> Self {
        Qk(Arc::clone(&self.0))
    }
}

impl Tx for Qk<queuekit::Queue<u64>> {
    fn send(&self, v: u64) {
        self.0.put(v).unwrap();
    }
    fn send_batch(&self, vs: Vec<u64>) {
        self.0.put_all(vs).unwrap();
    }
}

impl Rx for Qk<queuekit::Queue<u64>> {
    fn recv(&self) -> u64 {
        self.0.get().unwrap()
    }
    fn recv_batch(&self, out: &mut Vec<u64>) {
        out.extend(self.0.try_get_many(BATCH).unwrap_or_default());
        if out.is_empty() {
            out.push(self.0.get().unwrap());
        }
    }
}

impl Tx for Qk<queuekit::PriorityQueue<u64>> {
    fn send(&self, v: u64) {
        self.0.put(v).unwrap();
    }
}

impl Rx for Qk<queuekit::PriorityQueue<u64>> {
    fn recv(&self) -> u64 {
        self.0.get().unwrap()
    }
}

// ---- std::sync::mpsc ----

#[derive(Clone)]
struct StdRx(Arc<std::sync::Mutex<std::sync::mpsc::Receiver<u64>>>);

impl Rx for StdRx {
    fn recv(&self) -> u64 {
        self.0.lock().unwrap().recv().unwrap()
    }
}

/// A `SyncSender` for the bounded rows, a `Sender` for the unbounded ones.
#[derive(Clone)]
enum StdTx {
    Bounded(std::sync::mpsc::SyncSender<u64>),
    Unbounded(std::sync::mpsc::Sender<u64>),
}

impl Tx for StdTx {
    fn send(&self, v: u64) {
        match self {
            StdTx::Bounded(tx) => tx.send(v).unwrap(),
            StdTx::Unbounded(tx) => tx.send(v).unwrap(),
        }
    }
}

/// The single-consumer rows' `Receiver`, used without a mutex.
struct SoleReceiver(std::sync::mpsc::Receiver<u64>);

// SAFETY: in the rows that use it exactly one consumer thread calls `recv`; the other
// holders of the `Arc` only clone and drop it, which `Receiver: Send` allows.
unsafe impl Sync for SoleReceiver {}

#[derive(Clone)]
struct StdSole(Arc<SoleReceiver>);

impl Rx for StdSole {
    fn recv(&self) -> u64 {
        self.0 .0.recv().unwrap()
    }
}

// ---- crossbeam-channel ----

impl Tx for crossbeam_channel::Sender<u64> {
    fn send(&self, v: u64) {
        crossbeam_channel::Sender::send(self, v).unwrap();
    }
}

impl Rx for crossbeam_channel::Receiver<u64> {
    fn recv(&self) -> u64 {
        crossbeam_channel::Receiver::recv(self).unwrap()
    }
}

// ---- baseline for the priority row: Mutex<BinaryHeap> + std Condvar ----

#[derive(Clone)]
struct Heap(
    Arc<(
        std::sync::Mutex<BinaryHeap<Reverse<u64>>>,
        std::sync::Condvar,
    )>,
);

impl Tx for Heap {
    fn send(&self, v: u64) {
        self.0 .0.lock().unwrap().push(Reverse(v));
        self.0 .1.notify_one();
    }
}

impl Rx for Heap {
    fn recv(&self) -> u64 {
        let mut heap = self
            .0
             .1
            .wait_while(self.0 .0.lock().unwrap(), |h| h.is_empty())
            .unwrap();
        heap.pop().unwrap().0
    }
}

/// Moves `MESSAGES` values through one channel; returns the time from the start
/// line to the last consumer's exit.
fn run(producers: u64, consumers: u64, batched: bool, tx: impl Tx, rx: impl Rx) -> Duration {
    let start = Arc::new(Barrier::new((producers + consumers + 1) as usize));
    let each = MESSAGES / producers;
    let prod: Vec<_> = (0..producers)
        .map(|p| {
            let (tx, start) = (tx.clone(), Arc::clone(&start));
            thread::spawn(move || {
                start.wait();
                let values = (p * each)..((p + 1) * each);
                if batched {
                    let mut values = values.peekable();
                    while values.peek().is_some() {
                        tx.send_batch(values.by_ref().take(BATCH).collect());
                    }
                } else {
                    for v in values {
                        tx.send(v);
                    }
                }
            })
        })
        .collect();
    let cons: Vec<_> = (0..consumers)
        .map(|_| {
            let (rx, start) = (rx.clone(), Arc::clone(&start));
            // A batch may hold more than one STOP: pass the extras back so every
            // consumer gets its own.
            let tx = tx.clone();
            thread::spawn(move || {
                start.wait();
                let (mut sum, mut n) = (0u64, 0u64);
                let mut buf = Vec::with_capacity(BATCH);
                loop {
                    if batched {
                        rx.recv_batch(&mut buf);
                    } else {
                        buf.push(rx.recv());
                    }
                    let mut stopped = false;
                    for v in buf.drain(..) {
                        if v != STOP {
                            sum += v;
                            n += 1;
                        } else if stopped {
                            tx.send(STOP);
                        } else {
                            stopped = true;
                        }
                    }
                    if stopped {
                        return (sum, n);
                    }
                }
            })
        })
        .collect();
    start.wait();
    let t0 = Instant::now();
    for p in prod {
        p.join().unwrap();
    }
    for _ in 0..consumers {
        tx.send(STOP);
    }
    let (mut sum, mut n) = (0, 0);
    for c in cons {
        let (s, k) = c.join().unwrap();
        sum += s;
        n += k;
    }
    let took = t0.elapsed();
    let total = each * producers;
    assert_eq!(n, total, "lost or duplicated messages");
    assert_eq!(sum, total * (total - 1) / 2);
    took
}

fn one_run(which: &str, bounded: bool, p: u64, c: u64, batched: bool) -> Duration {
    match which {
        "queuekit" => {
            let q = if bounded {
                queuekit::Queue::bounded(BOUND)
            } else {
                queuekit::Queue::unbounded()
            };
            let q = Qk(Arc::new(q));
            run(p, c, batched, q.clone(), q)
        }
        "std_mpsc" => {
            let (tx, rx) = if bounded {
                let (tx, rx) = std::sync::mpsc::sync_channel(BOUND);
                (StdTx::Bounded(tx), rx)
            } else {
                let (tx, rx) = std::sync::mpsc::channel();
                (StdTx::Unbounded(tx), rx)
            };
            if c == 1 {
                // One consumer: the plain `Receiver`, no mutex.
                run(p, c, batched, tx, StdSole(Arc::new(SoleReceiver(rx))))
            } else {
                // Several consumers: the usual `Arc<Mutex<Receiver>>`.
                run(
                    p,
                    c,
                    batched,
                    tx,
                    StdRx(Arc::new(std::sync::Mutex::new(rx))),
                )
            }
        }
        "crossbeam" => {
            let (tx, rx) = if bounded {
                crossbeam_channel::bounded(BOUND)
            } else {
                crossbeam_channel::unbounded()
            };
            run(p, c, batched, tx, rx)
        }
        _ => unreachable!(),
    }
}

fn throughput(c: &mut Criterion) {
    for (bounded, kind) in [(true, "bounded1024"), (false, "unbounded")] {
        for batched in [false, true] {
            let name = if batched {
                format!("{kind}_batch{BATCH}")
            } else {
                kind.to_string()
            };
            let mut g = c.benchmark_group(name);
            g.throughput(Throughput::Elements(MESSAGES));
            for (p, cons) in [(1u64, 1u64), (4, 1), (4, 4)] {
                for which in ["queuekit", "std_mpsc", "crossbeam"] {
                    let id = BenchmarkId::new(which, format!("{p}p{cons}c"));
                    g.bench_function(id, |b| {
                        b.iter_custom(|iters| {
                            (0..iters)
                                .map(|_| one_run(which, bounded, p, cons, batched))
                                .sum()
                        })
                    });
                }
            }
            g.finish();
        }
    }
}

fn priority(c: &mut Criterion) {
    let mut g = c.benchmark_group("priority_4p4c");
    g.throughput(Throughput::Elements(MESSAGES));
    g.bench_function("queuekit", |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| {
                    let q = Qk(Arc::new(queuekit::PriorityQueue::unbounded()));
                    run(4, 4, false, q.clone(), q)
                })
                .sum()
        })
    });
    g.bench_function("mutex_binaryheap", |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| {
                    let h = Heap(Arc::default());
                    run(4, 4, false, h.clone(), h)
                })
                .sum()
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(3));
    targets = throughput, priority
}
criterion_main!(benches);
