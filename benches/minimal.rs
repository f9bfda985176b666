//! A second, deliberately plain comparison with `std::sync::mpsc`, shaped like the
//! smallest program a user would write: the producers are spawned inside the timed
//! region, the consumer is the main thread, nothing is shared but the channel.
//! The contenders of a row alternate (std, crossbeam, queuekit, std, ...) after
//! one warm-up round each, and every round's ratio is std's (or crossbeam's) time ÷
//! queuekit's time in that round: above 1.00 queuekit is faster.
//!
//! It cross-checks `benches/versus/` (start barriers, consumers on their own
//! threads): a result that only one of the two shapes shows is not claimed.
//!
//! ```sh
//! cargo bench --bench minimal            # 11 rounds
//! cargo bench --bench minimal -- 21      # 21 rounds
//! ```

use std::sync::mpsc;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

const ITEMS: u64 = 1_000_000;

/// Sends `ITEMS` split over `producers` threads through `send`, receives them on
/// the calling thread through `recv`, and checks the sum.
fn run<S: Send + 'static>(
    producers: u64,
    make: impl FnOnce() -> (S, Box<dyn FnMut() -> Option<u64>>),
    clone: impl Fn(&S) -> S,
    send: fn(&S, u64),
    close: fn(S),
) -> Duration {
    let t0 = Instant::now();
    let (tx, mut recv) = make();
    let each = ITEMS / producers;
    let handles: Vec<_> = (0..producers)
        .map(|p| {
            let tx = clone(&tx);
            thread::spawn(move || {
                for v in p * each..(p + 1) * each {
                    send(&tx, v);
                }
                close(tx);
            })
        })
        .collect();
    close(tx);
    let mut sum = 0u64;
    while let Some(v) = recv() {
        sum += v;
    }
    for h in handles {
        h.join().unwrap();
    }
    let n = each * producers;
    assert_eq!(sum, n * (n - 1) / 2, "lost or duplicated items");
    t0.elapsed()
}

fn std_row(producers: u64, bound: Option<usize>) -> Duration {
    match bound {
        Some(b) => run(
            producers,
            || {
                let (tx, rx) = mpsc::sync_channel(b);
                (tx, Box::new(move || rx.recv().ok()))
            },
            Clone::clone,
            |tx: &mpsc::SyncSender<u64>, v| tx.send(v).unwrap(),
            drop,
        ),
        None => run(
            producers,
            || {
                let (tx, rx) = mpsc::channel();
                (tx, Box::new(move || rx.recv().ok()))
            },
            Clone::clone,
            |tx: &mpsc::Sender<u64>, v| tx.send(v).unwrap(),
            drop,
        ),
    }
}

fn crossbeam_row(producers: u64, bound: Option<usize>) -> Duration {
    run(
        producers,
        || {
            let (tx, rx) = match bound {
                Some(b) => crossbeam_channel::bounded(b),
                None => crossbeam_channel::unbounded(),
            };
            (tx, Box::new(move || rx.recv().ok()))
        },
        Clone::clone,
        |tx: &crossbeam_channel::Sender<u64>, v| tx.send(v).unwrap(),
        drop,
    )
}

/// queuekit's producer end: the last one dropped shuts the queue down, as the
/// anchors' channels close when their last sender goes.
struct QkTx {
    queue: Arc<queuekit::Queue<u64>>,
    open: Arc<()>,
}

fn queuekit_row(producers: u64, bound: Option<usize>) -> Duration {
    run(
        producers,
        || {
            let queue = Arc::new(match bound {
                Some(b) => queuekit::Queue::bounded(b),
                None => queuekit::Queue::unbounded(),
            });
            let rx = Arc::clone(&queue);
            let tx = QkTx {
                queue,
                open: Arc::new(()),
            };
            (tx, Box::new(move || rx.get().ok()))
        },
        |tx| QkTx {
            queue: Arc::clone(&tx.queue),
            open: Arc::clone(&tx.open),
        },
        |tx: &QkTx, v| tx.queue.put(v).unwrap(),
        |QkTx { queue, open }| {
            // Exactly one of the racing last owners gets the `()` back.
            if Arc::into_inner(open).is_some() {
                queue.shutdown();
            }
        },
    )
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn main() {
    let rounds: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(11);
    println!("| row | std | crossbeam | queuekit | std ÷ queuekit min / median / max | crossbeam ÷ queuekit median |");
    println!("|---|---:|---:|---:|---|---:|");
    for (producers, bound) in [(1, Some(1024)), (1, None), (4, Some(1024)), (4, None)] {
        let (mut s, mut c, mut q, mut rs, mut rc) = (vec![], vec![], vec![], vec![], vec![]);
        for round in 0..=rounds {
            let a = std_row(producers, bound).as_secs_f64() * 1e3;
            let b = crossbeam_row(producers, bound).as_secs_f64() * 1e3;
            let k = queuekit_row(producers, bound).as_secs_f64() * 1e3;
            if round == 0 {
                continue; // warm-up
            }
            s.push(a);
            c.push(b);
            q.push(k);
            rs.push(a / k);
            rc.push(b / k);
        }
        let bound = bound.map_or("unbounded".to_string(), |b| format!("bounded({b})"));
        let mid = median(&mut rs);
        println!(
            "| {producers}P1C {bound} | {:.1} ms | {:.1} ms | {:.1} ms | {:.2} / {:.2} / {:.2} | {:.2} |",
            median(&mut s),
            median(&mut c),
            median(&mut q),
            rs[0],
            mid,
            rs[rs.len() - 1],
            median(&mut rc),
        );
    }
}
