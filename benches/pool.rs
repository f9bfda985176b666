//! Thread pools side by side: queuekit's `execute` and `submit` against the
//! `threadpool` crate and the Rust-book pool (`Arc<Mutex<mpsc::Receiver<Job>>>`),
//! 10^6 tiny tasks (an atomic increment) with 2 and 4 workers; and, first, the
//! latency from submit to start on an idle pool (median and p99, printed; only
//! that with `cargo bench --bench pool -- --latency-only`).
//!
//! `cargo bench --bench pool`, then `scripts/bench-table.py pool_` for the table
//! (figures in `docs/benchmarks.md`).

use criterion::measurement::WallTime;
use criterion::{criterion_group, BenchmarkGroup, BenchmarkId, Criterion, Throughput};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

const TASKS: usize = 1_000_000;

/// The Rust book's pool (ch. 20): workers share one receiver behind a std mutex.
#[path = "common/book_pool.rs"]
mod book;

/// Counts task completions; the one that reaches the target opens the latch, so
/// every pool is waited for the same way.
struct Latch {
    count: AtomicUsize,
    target: AtomicUsize,
    open: Mutex<bool>,
    cv: Condvar,
}

impl Latch {
    fn new() -> Arc<Self> {
        Arc::new(Self {
            count: AtomicUsize::new(0),
            target: AtomicUsize::new(usize::MAX),
            open: Mutex::new(false),
            cv: Condvar::new(),
        })
    }

    fn arm(&self, target: usize) {
        *self.open.lock().unwrap() = false;
        self.count.store(0, Ordering::SeqCst);
        self.target.store(target, Ordering::SeqCst);
    }

    /// The task body: one atomic increment (plus the check for the last one).
    #[inline]
    fn hit(&self) {
        if self.count.fetch_add(1, Ordering::Relaxed) + 1 == self.target.load(Ordering::Relaxed) {
            *self.open.lock().unwrap() = true;
            self.cv.notify_all();
        }
    }

    fn wait(&self) {
        let g = self.open.lock().unwrap();
        drop(self.cv.wait_while(g, |open| !*open).unwrap());
    }
}

/// 10^6 tiny tasks through `pool`, waited for with the latch.
fn run_anchor(pool_execute: &dyn Fn(Box<dyn FnOnce() + Send>), latch: &Arc<Latch>) {
    latch.arm(TASKS);
    for _ in 0..TASKS {
        let l = Arc::clone(latch);
        pool_execute(Box::new(move || l.hit()));
    }
    latch.wait();
}

/// The anchors' rows of one group: the `threadpool` crate and the Rust-book pool.
fn anchors(g: &mut BenchmarkGroup<'_, WallTime>, workers: usize) {
    g.bench_with_input(
        BenchmarkId::new("threadpool", workers),
        &workers,
        |b, &w| {
            let pool = threadpool::ThreadPool::new(w);
            let latch = Latch::new();
            b.iter(|| run_anchor(&|f| pool.execute(f), &latch));
        },
    );
    g.bench_with_input(BenchmarkId::new("rust_book", workers), &workers, |b, &w| {
        let pool = book::ThreadPool::new(w);
        let latch = Latch::new();
        b.iter(|| run_anchor(&|f| pool.execute(f), &latch));
    });
}

/// One group: queuekit's row (`run` does one iteration: 10^6 tasks, all waited
/// for) and the anchors' rows, at 2 and 4 workers.
fn group(c: &mut Criterion, name: &str, run: fn(&queuekit::ThreadPoolManager, &Arc<Latch>)) {
    let mut g = c.benchmark_group(name);
    g.sample_size(10);
    g.throughput(Throughput::Elements(TASKS as u64));
    for workers in [2usize, 4] {
        g.bench_with_input(BenchmarkId::new("queuekit", workers), &workers, |b, &w| {
            let pool = queuekit::ThreadPoolManager::new(w).unwrap();
            let latch = Latch::new();
            b.iter(|| run(&pool, &latch));
        });
        anchors(&mut g, workers);
    }
    g.finish();
}

/// `execute`: fire and forget, against the anchors' `execute`.
fn execute(c: &mut Criterion) {
    group(c, "pool_execute_1e6", |pool, latch| {
        latch.arm(TASKS);
        for _ in 0..TASKS {
            let l = Arc::clone(latch);
            pool.execute(move || l.hit()).unwrap();
        }
        latch.wait();
    });
}

/// `submit`: a handle per task, all collected and then waited for in order (the
/// `futures = [ex.submit(f) for ...]; [f.result() for f in futures]` pattern),
/// against the anchors' plain `execute`, which give no results at all.
fn submit(c: &mut Criterion) {
    group(c, "pool_submit_1e6", |pool, latch| {
        latch.arm(TASKS);
        let handles: Vec<_> = (0..TASKS)
            .map(|_| {
                let l = Arc::clone(latch);
                pool.submit(move || l.hit()).unwrap()
            })
            .collect();
        for h in handles {
            h.wait().unwrap();
        }
    });
}

criterion_group!(benches, execute, submit);

/// Submit-to-start latency on an idle pool: each sample submits one task after the
/// workers have had time to go to sleep, and the task records when it started.
fn latency() {
    const SAMPLES: usize = 300;
    const GAP: Duration = Duration::from_millis(2);

    fn report(name: &str, mut v: Vec<Duration>) {
        v.sort();
        let median = v[v.len() / 2];
        let p99 = v[v.len() * 99 / 100];
        println!("submit-to-start latency, idle pool, {name:>16}: median {median:>10.2?}  p99 {p99:>10.2?}");
    }

    fn measure(run: &dyn Fn(Box<dyn FnOnce() + Send>)) -> Vec<Duration> {
        let (tx, rx) = mpsc::channel::<Instant>();
        (0..SAMPLES)
            .map(|_| {
                thread::sleep(GAP);
                let tx = tx.clone();
                let submitted = Instant::now();
                run(Box::new(move || tx.send(Instant::now()).unwrap()));
                rx.recv().unwrap() - submitted
            })
            .collect()
    }

    let pool = queuekit::ThreadPoolManager::new(2).unwrap();
    report("queuekit", measure(&|f| pool.execute(f).unwrap()));
    let pool = threadpool::ThreadPool::new(2);
    report("threadpool_crate", measure(&|f| pool.execute(f)));
    let pool = book::ThreadPool::new(2);
    report("rust_book_pool", measure(&|f| pool.execute(f)));
}

fn main() {
    let latency_only = std::env::args().skip(1).any(|a| a == "--latency-only");
    latency();
    if !latency_only {
        benches();
        Criterion::default().configure_from_args().final_summary();
    }
}
