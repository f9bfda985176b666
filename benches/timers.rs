//! Timer rows, interleaved (every contender once per round, A B C, A B C, ...):
//!
//! * `delay_queue/<g> getters`: 10^5 timers due within 20 ms of the start, put by
//!   one producer while `g` getters take them, through queuekit's `DelayQueue`,
//!   a hand-rolled `Mutex<BinaryHeap>` + `Condvar`, and (one getter only: it is
//!   single-owner) tokio-util's `DelayQueue` on a current-thread runtime.
//! * `submit_after`: 10^4 delayed tasks on a 4-worker pool, queuekit's
//!   `submit_after` against `scheduled-thread-pool`'s `execute_after`.
//!
//! Each contender reports its wall time (throughput) and the lateness of each
//! timer (from its due time to the moment a getter or task had it): p50, p99,
//! max. Times include the spread of deadlines, so throughput compares only
//! within a row.
//!
//! ```sh
//! cargo bench --bench timers                # 5 rounds
//! cargo bench --bench timers -- --rounds 9
//! cargo bench --bench timers -- --quick     # 1/10 of the timers, 2 rounds
//! ```

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use queuekit::{DelayQueue, ThreadPoolManager};

/// Deadlines fall within this much of the start.
const SPREAD_US: u64 = 20_000;

/// One run: wall time, and each timer's lateness.
type Run = (Duration, Vec<Duration>);

/// Reproducible offsets in `0..SPREAD_US` µs.
fn offsets(n: usize) -> Vec<Duration> {
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            Duration::from_micros(x % SPREAD_US)
        })
        .collect()
}

fn queuekit_delay_queue(n: usize, getters: usize) -> Run {
    let offs = offsets(n);
    let q = DelayQueue::unbounded();
    let t0 = Instant::now();
    let late = thread::scope(|s| {
        let gs = spawn_getters(s, getters, || {
            q.iter()
                .map(|at| Instant::now().saturating_duration_since(at))
                .collect()
        });
        for d in &offs {
            let at = t0 + *d;
            q.put_at(at, at).unwrap();
        }
        q.shutdown();
        gs.into_iter().flat_map(|g| g.join().unwrap()).collect()
    });
    (t0.elapsed(), late)
}

/// Starts `getters` threads running `take` in scope `s`.
fn spawn_getters<'s, 'e, F>(
    s: &'s thread::Scope<'s, 'e>,
    getters: usize,
    take: F,
) -> Vec<thread::ScopedJoinHandle<'s, Vec<Duration>>>
where
    F: Fn() -> Vec<Duration> + Send + Sync + Copy + 's,
{
    (0..getters).map(|_| s.spawn(take)).collect()
}

/// The hand-rolled anchor: a heap under a std mutex, getters sleeping on one
/// condvar until the head's deadline; a put of a new head notifies every
/// getter (a single notify could reach one that is not the timed sleeper).
fn mutex_heap(n: usize, getters: usize) -> Run {
    struct Shared {
        heap: Mutex<(BinaryHeap<Reverse<Instant>>, bool)>,
        cv: Condvar,
    }
    let offs = offsets(n);
    let sh = Shared {
        heap: Mutex::new((BinaryHeap::new(), false)),
        cv: Condvar::new(),
    };
    let t0 = Instant::now();
    let late = thread::scope(|s| {
        let gs = spawn_getters(s, getters, || {
            let mut late = Vec::new();
            let mut g = sh.heap.lock().unwrap();
            loop {
                let now = Instant::now();
                match g.0.peek() {
                    Some(Reverse(at)) if *at <= now => {
                        let Reverse(at) = g.0.pop().unwrap();
                        late.push(now.saturating_duration_since(at));
                    }
                    Some(Reverse(at)) => {
                        let wait = *at - now;
                        g = sh.cv.wait_timeout(g, wait).unwrap().0;
                    }
                    None if g.1 => break,
                    None => g = sh.cv.wait(g).unwrap(),
                }
            }
            late
        });
        for d in &offs {
            let at = t0 + *d;
            let mut g = sh.heap.lock().unwrap();
            let head = g.0.peek().is_none_or(|Reverse(h)| at < *h);
            g.0.push(Reverse(at));
            drop(g);
            if head {
                sh.cv.notify_all();
            }
        }
        sh.heap.lock().unwrap().1 = true;
        sh.cv.notify_all();
        gs.into_iter().flat_map(|g| g.join().unwrap()).collect()
    });
    (t0.elapsed(), late)
}

/// tokio-util's `DelayQueue` on a current-thread runtime: one owner inserts
/// every timer, then takes them as they expire.
fn tokio_util_delay_queue(n: usize, _getters: usize) -> Run {
    use futures::StreamExt;
    let offs = offsets(n);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut q = tokio_util::time::DelayQueue::with_capacity(n);
        let t0 = Instant::now();
        for d in &offs {
            let at = t0 + *d;
            q.insert_at(at, tokio::time::Instant::from_std(at));
        }
        let mut late = Vec::with_capacity(n);
        while let Some(e) = q.next().await {
            late.push(Instant::now().saturating_duration_since(e.into_inner()));
        }
        (t0.elapsed(), late)
    })
}

/// Runs `n` delayed tasks through `submit`, each recording its lateness.
fn delayed_tasks(n: usize, submit: impl Fn(Duration, Box<dyn FnOnce() + Send>)) -> Run {
    let offs = offsets(n);
    let (tx, rx) = mpsc::channel();
    let left = Arc::new(AtomicUsize::new(n));
    let t0 = Instant::now();
    for d in offs {
        let at = t0 + d;
        let (tx, left) = (tx.clone(), Arc::clone(&left));
        submit(
            at.saturating_duration_since(Instant::now()),
            Box::new(move || {
                let _ = tx.send(Instant::now().saturating_duration_since(at));
                left.fetch_sub(1, Ordering::Relaxed);
            }),
        );
    }
    drop(tx);
    let late: Vec<Duration> = rx.iter().collect();
    (t0.elapsed(), late)
}

fn queuekit_submit_after(n: usize, _: usize) -> Run {
    let pool = ThreadPoolManager::new(4).unwrap();
    delayed_tasks(n, |d, f| {
        drop(pool.submit_after(d, f).unwrap());
    })
}

fn scheduled_thread_pool(n: usize, _: usize) -> Run {
    let pool = scheduled_thread_pool::ScheduledThreadPool::new(4);
    delayed_tasks(n, |d, f| {
        let _ = pool.execute_after(d, f);
    })
}

type Contender = (&'static str, fn(usize, usize) -> Run);

struct Row {
    name: String,
    items: usize,
    getters: usize,
    contenders: Vec<Contender>,
}

fn rows() -> Vec<Row> {
    let mut rows = Vec::new();
    for g in [1, 4, 16] {
        let mut contenders: Vec<Contender> = vec![
            ("queuekit DelayQueue", queuekit_delay_queue),
            ("Mutex<BinaryHeap> + Condvar", mutex_heap),
        ];
        if g == 1 {
            contenders.push(("tokio-util DelayQueue", tokio_util_delay_queue));
        }
        rows.push(Row {
            name: format!("delay_queue/{g} getters"),
            items: 100_000,
            getters: g,
            contenders,
        });
    }
    rows.push(Row {
        name: "submit_after/4 workers".into(),
        items: 10_000,
        getters: 0,
        contenders: vec![
            ("queuekit submit_after", queuekit_submit_after),
            ("scheduled-thread-pool execute_after", scheduled_thread_pool),
        ],
    });
    rows
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--quick");
    let rounds = args
        .iter()
        .position(|a| a == "--rounds")
        .and_then(|i| args.get(i + 1))
        .and_then(|r| r.parse().ok())
        .unwrap_or(if quick { 2 } else { 5 });
    let scale = if quick { 10 } else { 1 };
    println!("| row | contender | median time | timers/s | late p50 | late p99 | late max |");
    println!("|---|---|---:|---:|---:|---:|---:|");
    for row in rows() {
        let n = row.items / scale;
        let mut times = vec![Vec::new(); row.contenders.len()];
        let mut lates = vec![Vec::new(); row.contenders.len()];
        for (_, f) in &row.contenders {
            std::hint::black_box(f(n / 10, row.getters)); // warm-up
        }
        for _ in 0..rounds {
            for (i, (_, f)) in row.contenders.iter().enumerate() {
                let (t, late) = f(n, row.getters);
                assert_eq!(late.len(), n, "{} lost timers", row.contenders[i].0);
                times[i].push(t);
                lates[i].extend(late);
            }
        }
        for (i, (name, _)) in row.contenders.iter().enumerate() {
            times[i].sort();
            lates[i].sort();
            let median = times[i][times[i].len() / 2];
            println!(
                "| {} | {} | {:.1?} | {:.0} | {:.0?} | {:.0?} | {:.0?} |",
                row.name,
                name,
                median,
                n as f64 / median.as_secs_f64(),
                percentile(&lates[i], 0.5),
                percentile(&lates[i], 0.99),
                lates[i].last().copied().unwrap_or_default(),
            );
        }
    }
}
