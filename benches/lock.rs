//! Mutex and Condvar against `std::sync` and `parking_lot`, side by side.
//!
//! `cargo bench --bench lock`; the figures and ratios are in `docs/benchmarks.md`.

use criterion::measurement::WallTime;
use criterion::{
    black_box, criterion_group, criterion_main, BenchmarkGroup, BenchmarkId, Criterion,
};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

/// The operations the benches need from each lock, so one body measures all three.
trait Lock: Send + Sync + 'static {
    const NAME: &'static str;
    fn new() -> Self;
    fn bump(&self);
    fn get(&self) -> u64;
}

impl Lock for queuekit::Mutex<u64> {
    const NAME: &'static str = "queuekit";
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
    const NAME: &'static str = "std";
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
    const NAME: &'static str = "parking_lot";
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

fn uncontended<L: Lock>(g: &mut BenchmarkGroup<'_, WallTime>) {
    let lock = L::new();
    g.bench_function(L::NAME, |b| b.iter(|| black_box(&lock).bump()));
}

/// `threads` threads each do `iters` lock+increment+unlock; the time is the whole run.
fn hammer<L: Lock>(threads: usize, iters: u64) -> Duration {
    let lock = Arc::new(L::new());
    let start_line = Arc::new(std::sync::Barrier::new(threads + 1));
    let workers: Vec<_> = (0..threads)
        .map(|_| {
            let lock = Arc::clone(&lock);
            let start_line = Arc::clone(&start_line);
            thread::spawn(move || {
                start_line.wait();
                for _ in 0..iters {
                    lock.bump();
                }
            })
        })
        .collect();
    start_line.wait();
    let t0 = Instant::now();
    for w in workers {
        w.join().unwrap();
    }
    let took = t0.elapsed();
    assert_eq!(lock.get(), threads as u64 * iters);
    took
}

fn contended<L: Lock>(c: &mut Criterion) {
    let mut g = c.benchmark_group("contended");
    for threads in [2, 4] {
        g.bench_with_input(BenchmarkId::new(L::NAME, threads), &threads, |b, &t| {
            b.iter_custom(|iters| hammer::<L>(t, iters))
        });
    }
    g.finish();
}

/// Two threads pass a turn back and forth `iters` times through a mutex + condvar.
macro_rules! ping_pong {
    ($name:expr, $mutex:ty, $condvar:ty, $lock:ident) => {
        |c: &mut BenchmarkGroup<'_, WallTime>| {
            c.bench_function($name, |b| {
                b.iter_custom(|iters| {
                    let pair = Arc::new((<$mutex>::new(false), <$condvar>::new()));
                    let p2 = Arc::clone(&pair);
                    let t0 = Instant::now();
                    let other = thread::spawn(move || {
                        let (m, cv) = &*p2;
                        for _ in 0..iters {
                            let mut turn = $lock!(m);
                            while !*turn {
                                turn = wait!(cv, turn);
                            }
                            *turn = false;
                            cv.notify_one();
                        }
                    });
                    let (m, cv) = &*pair;
                    for _ in 0..iters {
                        let mut turn = $lock!(m);
                        *turn = true;
                        cv.notify_one();
                        while *turn {
                            turn = wait!(cv, turn);
                        }
                    }
                    other.join().unwrap();
                    t0.elapsed()
                })
            });
        }
    };
}

macro_rules! plain_lock {
    ($m:expr) => {
        $m.lock()
    };
}
macro_rules! std_lock {
    ($m:expr) => {
        $m.lock().unwrap()
    };
}

fn ping_pong_all(c: &mut Criterion) {
    let mut g = c.benchmark_group("condvar_ping_pong");
    let c = &mut g;
    {
        macro_rules! wait {
            ($cv:expr, $g:expr) => {
                $cv.wait($g)
            };
        }
        ping_pong!(
            "queuekit",
            queuekit::Mutex<bool>,
            queuekit::Condvar,
            plain_lock
        )(c);
    }
    {
        macro_rules! wait {
            ($cv:expr, $g:expr) => {
                $cv.wait($g).unwrap()
            };
        }
        ping_pong!("std", std::sync::Mutex<bool>, std::sync::Condvar, std_lock)(c);
    }
    {
        macro_rules! wait {
            ($cv:expr, $g:expr) => {{
                let mut g = $g;
                $cv.wait(&mut g);
                g
            }};
        }
        ping_pong!(
            "parking_lot",
            parking_lot::Mutex<bool>,
            parking_lot::Condvar,
            plain_lock
        )(c);
    }
}

fn uncontended_all(c: &mut Criterion) {
    let mut g = c.benchmark_group("uncontended");
    uncontended::<queuekit::Mutex<u64>>(&mut g);
    uncontended::<std::sync::Mutex<u64>>(&mut g);
    uncontended::<parking_lot::Mutex<u64>>(&mut g);
    g.finish();
}

fn contended_all(c: &mut Criterion) {
    contended::<queuekit::Mutex<u64>>(c);
    contended::<std::sync::Mutex<u64>>(c);
    contended::<parking_lot::Mutex<u64>>(c);
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30);
    targets = uncontended_all, contended_all, ping_pong_all
}
criterion_main!(benches);
