//! The interleaved comparison runner: every row's contenders run alternately in one
//! process (A B C, A B C, ...) after a warm-up, and every round's time of each
//! contender is divided by queuekit's time of the same round. The ratio's min /
//! median / max over the rounds says how far a result holds: above 1.00 means
//! queuekit is faster; a range that crosses 1.00 is a tie.
//!
//! ```sh
//! cargo bench --bench versus                          # every row, 7 rounds
//! cargo bench --bench versus -- --rounds 9 --filter queue,lock
//! cargo bench --bench versus -- --quick               # smoke run: 1/20 of the items, 3 rounds
//! cargo bench --bench versus -- --list                # the row names
//! ```
//!
//! Options (also as environment variables `VERSUS_ROUNDS`, `VERSUS_WARMUP`,
//! `VERSUS_SCALE`, `VERSUS_FILTER`, `VERSUS_OUT`; arguments win):
//!
//! * `--rounds N`   measured rounds per row (default 7)
//! * `--warmup N`   unmeasured runs of every contender before the rounds (default 1)
//! * `--scale F`    multiply every row's item count by F (default 1)
//! * `--quick`      `--scale 0.05 --rounds 3` unless those are given
//! * `--filter A,B` only rows whose name contains A or B (case-insensitive)
//! * `--out PATH`   where to write the TSV (default `target/versus/<UTC time>.tsv`);
//!   `--no-file` writes none
//!
//! The markdown table goes to stdout as the rows finish; progress goes to stderr.
//! `scripts/versus-compare.py A.tsv B.tsv` prints two runs side by side.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fmt::Write as _;
use std::hint::black_box;
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Barrier, Condvar};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const BOUND: usize = 1024;
const BATCH: usize = 64;

// ============================================================================
// Queue contenders
// ============================================================================

/// A producer's end of a channel. Dropping every sender ends the anchors'
/// channels; queuekit's queue ends with `shutdown()` (the row's `finish`).
trait Tx: Send + 'static {
    fn send(&self, v: u64);
    /// Sends `vs` as one batch where the implementation has one, else one by one.
    fn send_batch(&self, vs: std::ops::Range<u64>) {
        for v in vs {
            self.send(v);
        }
    }
}

/// A consumer's end. `None` when the channel is closed and drained.
trait Rx: Send + 'static {
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
        out.extend(self.0.drain(BATCH));
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

/// The `get_many` rows: single puts (no `send_batch` override), and a consumer
/// that waits for one item and takes up to [`BATCH`] in one call, into a reused
/// buffer.
struct QkMany(Arc<queuekit::Queue<u64>>);

impl Tx for QkMany {
    fn send(&self, v: u64) {
        self.0.put(v).unwrap();
    }
}

impl Rx for QkMany {
    fn recv(&self) -> Option<u64> {
        self.0.get().ok()
    }
    fn recv_batch(&self, out: &mut Vec<u64>) -> bool {
        self.0.get_many_into(out, BATCH).is_ok()
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
enum StdTx {
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

/// The `get_many` rows' std consumer: `recv()` for the first item, then
/// `try_iter()` for up to [`BATCH`] in all (the idiom `get_many` replaces).
struct StdMany(mpsc::Receiver<u64>);

impl Rx for StdMany {
    fn recv(&self) -> Option<u64> {
        self.0.recv().ok()
    }
    fn recv_batch(&self, out: &mut Vec<u64>) -> bool {
        match self.0.recv() {
            Ok(v) => {
                out.push(v);
                out.extend(self.0.try_iter().take(BATCH - 1));
                true
            }
            Err(_) => false,
        }
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

/// The `get_many` rows' crossbeam consumer: `recv()`, then `try_iter()`.
struct CbMany(crossbeam_channel::Receiver<u64>);

impl Rx for CbMany {
    fn recv(&self) -> Option<u64> {
        self.0.recv().ok()
    }
    fn recv_batch(&self, out: &mut Vec<u64>) -> bool {
        match self.0.recv() {
            Ok(v) => {
                out.push(v);
                out.extend(self.0.try_iter().take(BATCH - 1));
                true
            }
            Err(_) => false,
        }
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
fn run_queue<T: Tx, R: Rx>(
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

/// `p` producers putting one item at a time into a bounded queue, one consumer
/// taking batches: queuekit's `get_many_into(buf, 64)`. `batched = true` in
/// `run_queue` only switches the consumer to `recv_batch`: none of these `Tx`
/// types overrides `send_batch`, so the producers still put one by one.
fn qk_get_many(items: u64, bound: usize, p: usize) -> Duration {
    let q = Arc::new(queuekit::Queue::bounded(bound));
    let txs = (0..p).map(|_| QkMany(Arc::clone(&q))).collect();
    let rxs = vec![QkMany(Arc::clone(&q))];
    run_queue(items, true, txs, rxs, move || q.shutdown())
}

/// The same with std's `sync_channel`: `recv()` then `try_iter()`.
fn std_get_many(items: u64, bound: usize, p: usize) -> Duration {
    let (tx, rx) = mpsc::sync_channel(bound);
    let txs: Vec<StdTx> = (0..p).map(|_| StdTx::Bounded(tx.clone())).collect();
    drop(tx);
    run_queue(items, true, txs, vec![StdMany(rx)], || ())
}

/// The same with crossbeam's bounded channel: `recv()` then `try_iter()`.
fn cb_get_many(items: u64, bound: usize, p: usize) -> Duration {
    let (tx, rx) = crossbeam_channel::bounded(bound);
    let txs: Vec<_> = (0..p).map(|_| tx.clone()).collect();
    drop(tx);
    run_queue(items, true, txs, vec![CbMany(rx)], || ())
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

// ============================================================================
// Pool contenders
// ============================================================================

/// The Rust book's pool (ch. 20): workers share one receiver behind a std mutex.
#[path = "common/book_pool.rs"]
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

fn threadpool_execute(tasks: usize, workers: usize) -> Duration {
    let pool = threadpool::ThreadPool::new(workers);
    let took = pool_execute(tasks, &|f| pool.execute(f));
    pool.join();
    took
}

fn book_execute(tasks: usize, workers: usize) -> Duration {
    let pool = book::ThreadPool::new(workers);
    pool_execute(tasks, &|f| pool.execute(f))
    // The pool's drop joins its workers, after the time was taken.
}

/// The value task `i` returns in the `submit` rows; the waiter checks the sum.
#[inline]
fn task_value(i: usize) -> u64 {
    (i as u64).wrapping_mul(3)
}

fn check_sum(tasks: usize, sum: u64) {
    let want = (0..tasks).fold(0u64, |a, i| a.wrapping_add(task_value(i)));
    assert_eq!(sum, want, "wrong results");
}

/// `submit` a handle per task, then wait for every handle in order (Python's
/// `futures = [ex.submit(f) ...]; [f.result() for f in futures]`).
fn qk_submit(tasks: usize, workers: usize) -> Duration {
    let pool = queuekit::ThreadPoolManager::new(workers).unwrap();
    let t0 = Instant::now();
    let handles: Vec<_> = (0..tasks)
        .map(|i| pool.submit(move || task_value(black_box(i))).unwrap())
        .collect();
    let sum = handles
        .into_iter()
        .fold(0u64, |a, h| a.wrapping_add(h.wait().unwrap()));
    let took = t0.elapsed();
    check_sum(tasks, sum);
    pool.join();
    took
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

fn threadpool_submit(tasks: usize, workers: usize) -> Duration {
    let pool = threadpool::ThreadPool::new(workers);
    let took = channel_submit(tasks, &|f| pool.execute(f));
    pool.join();
    took
}

fn book_submit(tasks: usize, workers: usize) -> Duration {
    let pool = book::ThreadPool::new(workers);
    channel_submit(tasks, &|f| pool.execute(f))
}

// ============================================================================
// Scoped map over a borrowed slice: queuekit's scope vs rayon's par_iter
// ============================================================================

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

// ============================================================================
// Lock contenders
// ============================================================================

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

// ============================================================================
// Async queues: put_async/get_async on tokio vs tokio::sync::mpsc, flume,
// async-channel (issue 10). Tasks on a two-worker multi-thread runtime; the
// runtime is built before the clock starts.
// ============================================================================

fn async_rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .expect("tokio runtime")
}

/// Every producer sends `0..per`; the consumers' sums must add up to this.
fn async_expected(items: u64, p: usize) -> (u64, u64) {
    let per = items / p as u64;
    (per, p as u64 * per * per.saturating_sub(1) / 2)
}

/// Runs `p` producer and `c` consumer tasks made by the closures, timing from
/// their spawn to the last consumer's end; checks the sum.
fn async_run<P, C, PF, CF>(
    items: u64,
    p: usize,
    c: usize,
    producer: P,
    consumer: C,
    end: impl FnOnce(),
) -> Duration
where
    P: Fn(u64) -> PF,
    C: Fn() -> CF,
    PF: std::future::Future<Output = ()> + Send + 'static,
    CF: std::future::Future<Output = u64> + Send + 'static,
{
    let rt = async_rt();
    let (per, want) = async_expected(items, p);
    let (elapsed, sum) = rt.block_on(async {
        let start = Instant::now();
        let producers: Vec<_> = (0..p).map(|_| tokio::spawn(producer(per))).collect();
        let consumers: Vec<_> = (0..c).map(|_| tokio::spawn(consumer())).collect();
        for t in producers {
            t.await.unwrap();
        }
        end();
        let mut sum = 0;
        for t in consumers {
            sum += t.await.unwrap();
        }
        (start.elapsed(), sum)
    });
    assert_eq!(sum, want, "async row lost or doubled items");
    elapsed
}

fn qk_async(items: u64, bound: Option<usize>, p: usize, c: usize) -> Duration {
    let q = Arc::new(match bound {
        Some(b) => queuekit::Queue::bounded(b),
        None => queuekit::Queue::unbounded(),
    });
    let (qp, qc, qe) = (q.clone(), q.clone(), q);
    async_run(
        items,
        p,
        c,
        move |per| {
            let q = qp.clone();
            async move {
                for v in 0..per {
                    q.put_async(v).await.unwrap();
                }
            }
        },
        move || {
            let q = qc.clone();
            async move {
                let mut sum = 0;
                while let Ok(v) = q.get_async().await {
                    sum += v;
                }
                sum
            }
        },
        move || qe.shutdown(),
    )
}

/// tokio's channel has one receiver: single-consumer rows only.
fn tokio_async(items: u64, bound: Option<usize>, p: usize) -> Duration {
    enum Tx {
        B(tokio::sync::mpsc::Sender<u64>),
        U(tokio::sync::mpsc::UnboundedSender<u64>),
    }
    enum Rx {
        B(tokio::sync::mpsc::Receiver<u64>),
        U(tokio::sync::mpsc::UnboundedReceiver<u64>),
    }
    let (tx, rx) = match bound {
        Some(b) => {
            let (t, r) = tokio::sync::mpsc::channel(b);
            (Tx::B(t), Rx::B(r))
        }
        None => {
            let (t, r) = tokio::sync::mpsc::unbounded_channel();
            (Tx::U(t), Rx::U(r))
        }
    };
    let tx = std::sync::Mutex::new(Some(tx));
    let rx = std::sync::Mutex::new(Some(rx));
    let take_tx = || match tx.lock().unwrap().as_ref().unwrap() {
        Tx::B(t) => Tx::B(t.clone()),
        Tx::U(t) => Tx::U(t.clone()),
    };
    let producers: Vec<Tx> = (0..p).map(|_| take_tx()).collect();
    let producers = std::sync::Mutex::new(producers);
    async_run(
        items,
        p,
        1,
        |per| {
            let tx = producers.lock().unwrap().pop().unwrap();
            async move {
                for v in 0..per {
                    match &tx {
                        Tx::B(t) => t.send(v).await.unwrap(),
                        Tx::U(t) => t.send(v).unwrap(),
                    }
                }
            }
        },
        || {
            let mut rx = rx.lock().unwrap().take().unwrap();
            async move {
                let mut sum = 0;
                loop {
                    let v = match &mut rx {
                        Rx::B(r) => r.recv().await,
                        Rx::U(r) => r.recv().await,
                    };
                    match v {
                        Some(v) => sum += v,
                        None => return sum,
                    }
                }
            }
        },
        || drop(tx.lock().unwrap().take()),
    )
}

fn flume_async(items: u64, bound: Option<usize>, p: usize, c: usize) -> Duration {
    let (tx, rx) = match bound {
        Some(b) => flume::bounded(b),
        None => flume::unbounded(),
    };
    let producers = std::sync::Mutex::new((0..p).map(|_| tx.clone()).collect::<Vec<_>>());
    let tx = std::sync::Mutex::new(Some(tx));
    async_run(
        items,
        p,
        c,
        |per| {
            let tx = producers.lock().unwrap().pop().unwrap();
            async move {
                for v in 0..per {
                    tx.send_async(v).await.unwrap();
                }
            }
        },
        || {
            let rx = rx.clone();
            async move {
                let mut sum = 0;
                while let Ok(v) = rx.recv_async().await {
                    sum += v;
                }
                sum
            }
        },
        || drop(tx.lock().unwrap().take()),
    )
}

fn async_channel_async(items: u64, bound: Option<usize>, p: usize, c: usize) -> Duration {
    let (tx, rx) = match bound {
        Some(b) => async_channel::bounded(b),
        None => async_channel::unbounded(),
    };
    let producers = std::sync::Mutex::new((0..p).map(|_| tx.clone()).collect::<Vec<_>>());
    let tx = std::sync::Mutex::new(Some(tx));
    async_run(
        items,
        p,
        c,
        |per| {
            let tx = producers.lock().unwrap().pop().unwrap();
            async move {
                for v in 0..per {
                    tx.send(v).await.unwrap();
                }
            }
        },
        || {
            let rx = rx.clone();
            async move {
                let mut sum = 0;
                while let Ok(v) = rx.recv().await {
                    sum += v;
                }
                sum
            }
        },
        || drop(tx.lock().unwrap().take()),
    )
}

// ============================================================================
// Rows
// ============================================================================

// ============================================================================
// Waiting on many (issue 11): select over queues, as_completed over handles
// ============================================================================

/// Two producers, each feeding its own bounded queue; one consumer takes every
/// item with a select over both (a fresh select per item, as `select!` is).
fn qk_select2(items: u64) -> Duration {
    let a = Arc::new(queuekit::Queue::bounded(BOUND));
    let b = Arc::new(queuekit::Queue::bounded(BOUND));
    let half = items / 2;
    let t0 = Instant::now();
    let producers: Vec<_> = [a.clone(), b.clone()]
        .into_iter()
        .map(|q| {
            thread::spawn(move || {
                for i in 0..half {
                    q.put(black_box(i)).unwrap();
                }
            })
        })
        .collect();
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
    let producers: Vec<_> = [ta.clone(), tb.clone()]
        .into_iter()
        .map(|tx| {
            thread::spawn(move || {
                for i in 0..half {
                    tx.send(black_box(i)).unwrap();
                }
            })
        })
        .collect();
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
    let pool = queuekit::ThreadPoolManager::new(workers).unwrap();
    let t0 = Instant::now();
    let handles: Vec<_> = (0..tasks)
        .map(|i| pool.submit(move || task_value(black_box(i))).unwrap())
        .collect();
    let sum = queuekit::as_completed(handles).fold(0u64, |a, (_, r)| a.wrapping_add(r.unwrap()));
    let took = t0.elapsed();
    check_sum(tasks, sum);
    pool.join();
    took
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

type RunFn = Box<dyn Fn(u64) -> Duration>;

/// One row: its contenders, queuekit first (the denominator of every ratio).
struct Row {
    name: String,
    /// Items (messages, tasks or lock operations) per run at scale 1.
    items: u64,
    contenders: Vec<(&'static str, RunFn)>,
}

fn row(name: impl Into<String>, items: u64, contenders: Vec<(&'static str, RunFn)>) -> Row {
    Row {
        name: name.into(),
        items,
        contenders,
    }
}

const QUEUE_ITEMS: u64 = 1_000_000;

fn rows() -> Vec<Row> {
    let mut rows = Vec::new();
    let shapes = [(1, 1), (4, 1), (4, 4)];
    for batched in [false, true] {
        let section = if batched { "batch64" } else { "queue" };
        for (p, c) in shapes {
            for bound in [Some(BOUND), None] {
                let kind = match bound {
                    Some(b) => format!("bounded({b})"),
                    None => "unbounded".to_string(),
                };
                rows.push(row(
                    format!("{section} {p}P{c}C {kind}"),
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
    }
    for p in [1usize, 4] {
        rows.push(row(
            format!("get_many64 {p}P1C bounded({BOUND})"),
            QUEUE_ITEMS,
            vec![
                ("queuekit", Box::new(move |n| qk_get_many(n, BOUND, p))),
                (
                    "std_recv+try_iter",
                    Box::new(move |n| std_get_many(n, BOUND, p)),
                ),
                (
                    "crossbeam_recv+try_iter",
                    Box::new(move |n| cb_get_many(n, BOUND, p)),
                ),
            ],
        ));
    }
    for (p, c, bound) in [(1, 1, Some(BOUND)), (1, 1, None), (4, 4, Some(BOUND))] {
        let kind = match bound {
            Some(b) => format!("bounded({b})"),
            None => "unbounded".to_string(),
        };
        let mut contenders: Vec<(&'static str, RunFn)> =
            vec![("queuekit", Box::new(move |n| qk_async(n, bound, p, c)))];
        if c == 1 {
            contenders.push(("tokio_mpsc", Box::new(move |n| tokio_async(n, bound, p))));
        }
        contenders.push(("flume", Box::new(move |n| flume_async(n, bound, p, c))));
        contenders.push((
            "async_channel",
            Box::new(move |n| async_channel_async(n, bound, p, c)),
        ));
        rows.push(row(
            format!("async tokio {p}P{c}C {kind}"),
            QUEUE_ITEMS,
            contenders,
        ));
    }
    rows.push(row(
        "priority 4P4C unbounded",
        QUEUE_ITEMS,
        vec![
            ("queuekit", Box::new(|n| qk_priority(n, 4, 4))),
            ("mutex_binaryheap", Box::new(|n| heap_priority(n, 4, 4))),
        ],
    ));
    let over = Some(64);
    rows.push(row(
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
    ));
    let b = Some(BOUND);
    rows.push(row(
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
    ));
    for w in [2usize, 4] {
        rows.push(row(
            format!("pool execute {w} workers"),
            1_000_000,
            vec![
                ("queuekit", Box::new(move |n| qk_execute(n as usize, w))),
                (
                    "threadpool",
                    Box::new(move |n| threadpool_execute(n as usize, w)),
                ),
                ("rust_book", Box::new(move |n| book_execute(n as usize, w))),
            ],
        ));
    }
    for w in [2usize, 4] {
        rows.push(row(
            format!("pool submit+wait {w} workers"),
            1_000_000,
            vec![
                ("queuekit", Box::new(move |n| qk_submit(n as usize, w))),
                (
                    "threadpool+chan",
                    Box::new(move |n| threadpool_submit(n as usize, w)),
                ),
                (
                    "rust_book+chan",
                    Box::new(move |n| book_submit(n as usize, w)),
                ),
            ],
        ));
    }
    rows.push(row(
        "scoped map over a borrowed slice 2 workers",
        4_000_000,
        vec![
            ("queuekit", Box::new(|n| qk_scoped_map(n, 2))),
            ("rayon", Box::new(|n| rayon_map(n, 2))),
        ],
    ));
    rows.push(row(
        format!("select over 2 queues 2P1C bounded({BOUND})"),
        QUEUE_ITEMS,
        vec![
            ("queuekit", Box::new(qk_select2)),
            ("crossbeam_select!", Box::new(cb_select2)),
        ],
    ));
    rows.push(row(
        "as_completed 10^5 handles 4 workers",
        100_000,
        vec![
            ("queuekit", Box::new(|n| qk_as_completed(n as usize, 4))),
            (
                "threadpool+shared_chan",
                Box::new(|n| threadpool_shared_channel(n as usize, 4)),
            ),
        ],
    ));
    rows.push(row(
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
    ));
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

// ============================================================================
// Runner
// ============================================================================

struct Config {
    rounds: usize,
    warmup: usize,
    scale: f64,
    filters: Vec<String>,
    out: Option<PathBuf>,
    list: bool,
}

fn usage() -> ! {
    eprintln!(
        "usage: cargo bench --bench versus -- [--rounds N] [--warmup N] [--scale F] \
         [--quick] [--filter A,B] [--out PATH | --no-file] [--list]"
    );
    std::process::exit(2)
}

fn config() -> Config {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let mut rounds = env("VERSUS_ROUNDS");
    let mut warmup = env("VERSUS_WARMUP");
    let mut scale = env("VERSUS_SCALE");
    let mut filter = env("VERSUS_FILTER");
    let mut out = env("VERSUS_OUT");
    let (mut quick, mut no_file, mut list) = (false, false, false);
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let (key, inline) = match a.split_once('=') {
            Some((k, v)) => (k.to_string(), Some(v.to_string())),
            None => (a.clone(), None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .unwrap_or_else(|| usage())
        };
        match key.as_str() {
            "--rounds" => rounds = Some(value()),
            "--warmup" => warmup = Some(value()),
            "--scale" => scale = Some(value()),
            "--filter" => filter = Some(value()),
            "--out" => out = Some(value()),
            "--quick" => quick = true,
            "--no-file" => no_file = true,
            "--list" => list = true,
            // `cargo bench` passes `--bench` to every bench binary.
            "--bench" => {}
            "-h" | "--help" => usage(),
            _ => {
                eprintln!("unknown argument {a:?}");
                usage()
            }
        }
    }
    let parse = |s: Option<String>, what: &str, default: f64| -> f64 {
        s.map_or(default, |s| {
            s.parse().unwrap_or_else(|_| {
                eprintln!("bad {what}: {s:?}");
                usage()
            })
        })
    };
    let rounds = parse(rounds, "rounds", if quick { 3.0 } else { 7.0 }) as usize;
    let warmup = parse(warmup, "warmup", 1.0) as usize;
    let scale = parse(scale, "scale", if quick { 0.05 } else { 1.0 });
    if rounds == 0 || scale <= 0.0 {
        usage();
    }
    let filters = filter
        .map(|f| {
            f.split(',')
                .map(|s| s.trim().to_lowercase())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let out = if no_file {
        None
    } else {
        Some(out.map(PathBuf::from).unwrap_or_else(|| {
            let dir = std::env::var_os("CARGO_TARGET_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
            dir.join("versus").join(format!("{}.tsv", utc_stamp()))
        }))
    };
    Config {
        rounds,
        warmup,
        scale,
        filters,
        out,
        list,
    }
}

/// `YYYY-MM-DD-HHMMSS` in UTC, from the system clock (no date crate needed).
fn utc_stamp() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs()) as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}-{:02}{:02}{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn cpu_model() -> String {
    if let Ok(s) = std::fs::read_to_string("/proc/cpuinfo") {
        if let Some(line) = s.lines().find(|l| l.starts_with("model name")) {
            if let Some((_, v)) = line.split_once(':') {
                return v.trim().to_string();
            }
        }
    }
    std::process::Command::new("lscpu")
        .output()
        .ok()
        .and_then(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .find(|l| l.starts_with("Model name"))
                .and_then(|l| l.split_once(':').map(|(_, v)| v.trim().to_string()))
        })
        .unwrap_or_else(|| "unknown".to_string())
}

fn read_trim(path: &str) -> String {
    std::fs::read_to_string(path)
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "?".to_string())
}

fn git_rev() -> String {
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    match git(&["rev-parse", "--short", "HEAD"]) {
        Some(rev) => {
            let dirty = git(&["status", "--porcelain", "--untracked-files=no"])
                .is_some_and(|s| !s.is_empty());
            if dirty {
                format!("{rev}-dirty")
            } else {
                rev
            }
        }
        None => "?".to_string(),
    }
}

fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn fmt_time(ns: f64) -> String {
    for (unit, scale) in [("s", 1e9), ("ms", 1e6), ("µs", 1e3)] {
        if ns >= scale {
            return format!("{:.3} {unit}", ns / scale);
        }
    }
    format!("{ns:.2} ns")
}

fn verdict(min: f64, max: f64) -> &'static str {
    if min > 1.0 {
        "queuekit faster"
    } else if max < 1.0 {
        "queuekit slower"
    } else {
        "tie"
    }
}

fn main() {
    let cfg = config();
    let rows: Vec<Row> = rows()
        .into_iter()
        .filter(|r| {
            let name = r.name.to_lowercase();
            cfg.filters.is_empty() || cfg.filters.iter().any(|f| name.contains(f))
        })
        .collect();
    if cfg.list {
        for r in &rows {
            println!("{}", r.name);
        }
        return;
    }
    if rows.is_empty() {
        eprintln!("no row matches the filter");
        std::process::exit(1);
    }

    let cpu = cpu_model();
    let threads = thread::available_parallelism().map_or(0, |n| n.get());
    let stamp = utc_stamp();
    let mut header = String::new();
    let _ = writeln!(header, "cpu: {cpu} ({threads} threads available)");
    let _ = writeln!(
        header,
        "kernel: {}",
        read_trim("/proc/sys/kernel/osrelease")
    );
    let _ = writeln!(header, "commit: {}", git_rev());
    let _ = writeln!(header, "started: {stamp} UTC");
    let _ = writeln!(
        header,
        "rounds: {}  warmup: {}  scale: {}",
        cfg.rounds, cfg.warmup, cfg.scale
    );
    let _ = writeln!(header, "loadavg at start: {}", read_trim("/proc/loadavg"));
    for line in header.lines() {
        println!("{line}  ");
    }
    println!();
    println!(
        "ratio = contender's time / queuekit's time in the same round; \
         above 1.00 means queuekit is faster; a range crossing 1.00 is a tie."
    );
    println!();
    println!("| row | items | contender | median | per item | ratio min | ratio median | ratio max | verdict |");
    println!("|---|---:|---|---:|---:|---:|---:|---:|---|");
    let _ = std::io::stdout().flush();

    let mut tsv = String::new();
    for line in header.lines() {
        let _ = writeln!(tsv, "# {line}");
    }
    let _ = writeln!(
        tsv,
        "row\titems\tcontender\tmedian_ns\tratio_min\tratio_median\tratio_max\tverdict\trounds_ns"
    );

    let started = Instant::now();
    for r in &rows {
        let n = ((r.items as f64 * cfg.scale).round() as u64).max(64);
        let row_t0 = Instant::now();
        eprint!("{} ({} items): warm-up", r.name, n);
        for _ in 0..cfg.warmup {
            for (_, f) in &r.contenders {
                black_box(f(n));
            }
        }
        let mut times: Vec<Vec<f64>> = vec![Vec::with_capacity(cfg.rounds); r.contenders.len()];
        for round in 0..cfg.rounds {
            eprint!(" {}", round + 1);
            for (i, (_, f)) in r.contenders.iter().enumerate() {
                times[i].push(f(n).as_nanos() as f64);
            }
        }
        eprintln!(" ({:.1} s)", row_t0.elapsed().as_secs_f64());

        let base = &times[0];
        for (i, (name, _)) in r.contenders.iter().enumerate() {
            let med = median(&times[i]);
            let per = fmt_time(med / n as f64);
            let rounds_ns = times[i]
                .iter()
                .map(|t| format!("{t:.0}"))
                .collect::<Vec<_>>()
                .join(",");
            if i == 0 {
                println!(
                    "| {} | {n} | **{name}** | {} | {per} | | | | |",
                    r.name,
                    fmt_time(med)
                );
                let _ = writeln!(
                    tsv,
                    "{}\t{n}\t{name}\t{med:.0}\t\t\t\t\t{rounds_ns}",
                    r.name
                );
            } else {
                let ratios: Vec<f64> = times[i].iter().zip(base).map(|(t, q)| t / q).collect();
                let (min, max) = ratios
                    .iter()
                    .fold((f64::MAX, f64::MIN), |(a, b), &x| (a.min(x), b.max(x)));
                let rmed = median(&ratios);
                let v = verdict(min, max);
                println!(
                    "| {} | {n} | {name} | {} | {per} | {min:.2} | {rmed:.2} | {max:.2} | {v} |",
                    r.name,
                    fmt_time(med)
                );
                let _ = writeln!(
                    tsv,
                    "{}\t{n}\t{name}\t{med:.0}\t{min:.4}\t{rmed:.4}\t{max:.4}\t{v}\t{rounds_ns}",
                    r.name
                );
            }
        }
        let _ = std::io::stdout().flush();
    }
    let total = started.elapsed();
    println!();
    println!("total: {:.1} s  ", total.as_secs_f64());
    println!("loadavg at end: {}", read_trim("/proc/loadavg"));
    let _ = writeln!(tsv, "# total_s: {:.1}", total.as_secs_f64());
    let _ = writeln!(tsv, "# loadavg at end: {}", read_trim("/proc/loadavg"));

    if let Some(path) = cfg.out {
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&path, &tsv));
        match written {
            Ok(()) => eprintln!("wrote {}", path.display()),
            Err(e) => eprintln!("could not write {}: {e}", path.display()),
        }
    }
}
