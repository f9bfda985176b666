//! In-process before/after: each row with the old and the new queuekit, alternating per round
//! (see `run.sh`). Rows 0-5: queue nPmC (producers, consumers, bound); 6: priority 4P4C
//! unbounded; 7-8: contended Mutex, 2 and 4 threads; 9: single-thread priority put+get;
//! 10-11: single-thread FIFO put+get, bounded and unbounded.
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Instant;
const ITEMS: u64 = 1_000_000;

macro_rules! row_fn {
    ($name:ident, $krate:ident) => {
        fn $name(p: u64, c: u64, bound: Option<usize>) -> f64 {
            let q = Arc::new(match bound {
                Some(b) => $krate::Queue::bounded(b),
                None => $krate::Queue::unbounded(),
            });
            let start = Arc::new(Barrier::new((p + c) as usize));
            let left = Arc::new(std::sync::atomic::AtomicU64::new(p));
            let each = ITEMS / p;
            let ps: Vec<_> = (0..p)
                .map(|i| {
                    let (q, s, l) = (q.clone(), start.clone(), left.clone());
                    thread::spawn(move || {
                        s.wait();
                        let t0 = Instant::now();
                        for v in i * each..(i + 1) * each {
                            q.put(v).unwrap();
                        }
                        if l.fetch_sub(1, std::sync::atomic::Ordering::AcqRel) == 1 {
                            q.shutdown();
                        }
                        t0
                    })
                })
                .collect();
            let cs: Vec<_> = (0..c)
                .map(|_| {
                    let (q, s) = (q.clone(), start.clone());
                    thread::spawn(move || {
                        s.wait();
                        let mut sum = 0u64;
                        while let Ok(v) = q.get() {
                            sum += v;
                        }
                        (Instant::now(), sum)
                    })
                })
                .collect();
            let t0 = ps.into_iter().map(|h| h.join().unwrap()).min().unwrap();
            let mut end = t0;
            let mut sum = 0;
            for h in cs {
                let (e, s) = h.join().unwrap();
                end = end.max(e);
                sum += s;
            }
            let n = each * p;
            assert_eq!(sum, n * (n - 1) / 2);
            (end - t0).as_secs_f64() * 1e3
        }
    };
}
row_fn!(new_row, queuekit);
row_fn!(old_row, queuekit_old);

macro_rules! prio_fn {
    ($name:ident, $krate:ident) => {
        fn $name() -> f64 {
            use std::cmp::Reverse;
            let q = Arc::new($krate::PriorityQueue::<Reverse<u64>>::unbounded());
            let start = Arc::new(Barrier::new(8));
            let left = Arc::new(std::sync::atomic::AtomicU64::new(4));
            let each = ITEMS / 4;
            let ps: Vec<_> = (0..4u64)
                .map(|i| {
                    let (q, s, l) = (q.clone(), start.clone(), left.clone());
                    thread::spawn(move || {
                        s.wait();
                        let t0 = Instant::now();
                        for v in i * each..(i + 1) * each {
                            q.put(Reverse(v)).unwrap();
                        }
                        if l.fetch_sub(1, std::sync::atomic::Ordering::AcqRel) == 1 {
                            q.shutdown();
                        }
                        t0
                    })
                })
                .collect();
            let cs: Vec<_> = (0..4)
                .map(|_| {
                    let (q, s) = (q.clone(), start.clone());
                    thread::spawn(move || {
                        s.wait();
                        let mut sum = 0u64;
                        while let Ok(Reverse(v)) = q.get() {
                            sum += v;
                        }
                        (Instant::now(), sum)
                    })
                })
                .collect();
            let t0 = ps.into_iter().map(|h| h.join().unwrap()).min().unwrap();
            let mut end = t0;
            let mut sum = 0;
            for h in cs {
                let (e, s) = h.join().unwrap();
                end = end.max(e);
                sum += s;
            }
            assert_eq!(sum, ITEMS * (ITEMS - 1) / 2);
            (end - t0).as_secs_f64() * 1e3
        }
    };
}
prio_fn!(new_prio, queuekit);
prio_fn!(old_prio, queuekit_old);

macro_rules! single_fn {
    ($name:ident, $krate:ident) => {
        fn $name() -> f64 {
            use std::cmp::Reverse;
            let q = $krate::PriorityQueue::<Reverse<u64>>::unbounded();
            let t0 = Instant::now();
            let mut s = 0;
            for r in 0..1000u64 {
                for v in 0..1000u64 {
                    q.put(Reverse(v * 7919 % 1000 + r)).unwrap();
                }
                for _ in 0..1000 {
                    s += q.get().unwrap().0;
                }
            }
            assert!(s > 0);
            t0.elapsed().as_secs_f64() * 1e3
        }
    };
}
single_fn!(new_single, queuekit);
macro_rules! fsingle_fn {
    ($name:ident, $krate:ident, $b:expr) => {
        fn $name() -> f64 {
            let q = if $b {
                $krate::Queue::<u64>::bounded(1024)
            } else {
                $krate::Queue::<u64>::unbounded()
            };
            let t0 = Instant::now();
            let mut s = 0;
            for r in 0..1000u64 {
                for v in 0..1000u64 {
                    q.put(v + r).unwrap();
                }
                for _ in 0..1000 {
                    s += q.get().unwrap();
                }
            }
            assert!(s > 0);
            t0.elapsed().as_secs_f64() * 1e3
        }
    };
}
fsingle_fn!(new_fsingle_b, queuekit, true);
fsingle_fn!(old_fsingle_b, queuekit_old, true);
fsingle_fn!(new_fsingle_u, queuekit, false);
fsingle_fn!(old_fsingle_u, queuekit_old, false);
single_fn!(old_single, queuekit_old);

macro_rules! lock_fn {
    ($name:ident, $krate:ident) => {
        fn $name(threads: u64) -> f64 {
            let m = Arc::new($krate::Mutex::new(0u64));
            let start = Arc::new(Barrier::new(threads as usize));
            let each = 4_000_000 / threads;
            let ws: Vec<_> = (0..threads)
                .map(|_| {
                    let (m, s) = (m.clone(), start.clone());
                    thread::spawn(move || {
                        s.wait();
                        let t0 = Instant::now();
                        for _ in 0..each {
                            *m.lock() += 1;
                        }
                        (t0, Instant::now())
                    })
                })
                .collect();
            let spans: Vec<_> = ws.into_iter().map(|w| w.join().unwrap()).collect();
            assert_eq!(*m.lock(), each * threads);
            (spans.iter().map(|s| s.1).max().unwrap() - spans.iter().map(|s| s.0).min().unwrap())
                .as_secs_f64()
                * 1e3
        }
    };
}
lock_fn!(new_lock, queuekit);
lock_fn!(old_lock, queuekit_old);

/// One version's row functions, so that a row is picked the same way for both.
struct Version {
    row: fn(u64, u64, Option<usize>) -> f64,
    prio: fn() -> f64,
    single: fn() -> f64,
    fsingle_b: fn() -> f64,
    fsingle_u: fn() -> f64,
    lock: fn(u64) -> f64,
}

impl Version {
    /// The row `(p, c, b)` of the table in `main`: `p > 0` a queue row; else `c`
    /// picks priority 4P4C (0), single-thread priority (9), single-thread FIFO
    /// (10, bounded or not by `b`), or the contended lock with `c` threads.
    fn run(&self, p: u64, c: u64, b: Option<usize>) -> f64 {
        match (p, c) {
            (1.., _) => (self.row)(p, c, b),
            (0, 0) => (self.prio)(),
            (0, 9) => (self.single)(),
            (0, 10) if b.is_some() => (self.fsingle_b)(),
            (0, 10) => (self.fsingle_u)(),
            _ => (self.lock)(c),
        }
    }
}

const OLD: Version = Version {
    row: old_row,
    prio: old_prio,
    single: old_single,
    fsingle_b: old_fsingle_b,
    fsingle_u: old_fsingle_u,
    lock: old_lock,
};

const NEW: Version = Version {
    row: new_row,
    prio: new_prio,
    single: new_single,
    fsingle_b: new_fsingle_b,
    fsingle_u: new_fsingle_u,
    lock: new_lock,
};

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(21);
    let rows: [(u64, u64, Option<usize>); 12] = [
        (1, 1, Some(1024)),
        (1, 1, None),
        (4, 1, Some(1024)),
        (4, 1, None),
        (4, 4, Some(1024)),
        (4, 4, None),
        (0, 0, None),
        (0, 2, None),
        (0, 4, None),
        (0, 9, None),
        (0, 10, Some(1024)),
        (0, 10, None),
    ];
    println!(
        "| row | old ms | new ms | new ÷ old per round: median [min–max] | rounds new faster |"
    );
    println!("|---|---:|---:|---|---:|");
    let only: Option<usize> = std::env::args().nth(2).and_then(|a| a.parse().ok());
    for (k, (p, c, b)) in rows.into_iter().enumerate() {
        if only.is_some_and(|o| o != k) {
            continue;
        }
        let (mut o, mut n, mut r) = (vec![], vec![], vec![]);
        for i in 0..=rounds {
            let old = || OLD.run(p, c, b);
            let new = || NEW.run(p, c, b);
            let (x, y) = if i % 2 == 0 {
                let x = old();
                (x, new())
            } else {
                let y = new();
                (old(), y)
            };
            if i == 0 {
                continue;
            }
            o.push(x);
            n.push(y);
            r.push(y / x);
        }
        let med = |v: &mut Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        };
        let faster = r.iter().filter(|x| **x < 1.0).count();
        let (mo, mn) = (med(&mut o), med(&mut n));
        let mr = med(&mut r);
        let bs = b.map_or("unbounded".into(), |b| format!("bounded({b})"));
        let name = if p > 0 {
            format!("{p}P{c}C {bs}")
        } else if c == 0 {
            "priority 4P4C unbounded".into()
        } else if c == 9 {
            "priority single thread".into()
        } else if c == 10 {
            format!("fifo single thread {bs}")
        } else {
            format!("lock contended {c} threads")
        };
        println!(
            "| {name} | {mo:.1} | {mn:.1} | {mr:.2} [{:.2}–{:.2}] | {faster}/{} |",
            r[0],
            r[r.len() - 1],
            r.len()
        );
    }
}
