//! The async layer: `put_async` / `get_async` of queuekit's `Queue` against
//! `tokio::sync::mpsc`, flume and async-channel. Tasks run on a two-worker
//! multi-thread tokio runtime, built before the clock starts.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::{capacity, row, Row, RunFn, BOUND, QUEUE_ITEMS};

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

/// Runs a producer task per sender (`producer(sender, per)`) and `c` consumer
/// tasks made by the closures, timing from their spawn to the last consumer's
/// end; checks the sum.
fn async_run<S, P, C, PF, CF>(
    items: u64,
    senders: Vec<S>,
    c: usize,
    producer: P,
    consumer: C,
    end: impl FnOnce(),
) -> Duration
where
    P: Fn(S, u64) -> PF,
    C: Fn() -> CF,
    PF: std::future::Future<Output = ()> + Send + 'static,
    CF: std::future::Future<Output = u64> + Send + 'static,
{
    let rt = async_rt();
    let (per, want) = async_expected(items, senders.len());
    let (elapsed, sum) = rt.block_on(async {
        let start = Instant::now();
        let producers: Vec<_> = senders
            .into_iter()
            .map(|tx| tokio::spawn(producer(tx, per)))
            .collect();
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
    let (qc, qe) = (q.clone(), q.clone());
    async_run(
        items,
        vec![q; p],
        c,
        |q, per| async move {
            for v in 0..per {
                q.put_async(v).await.unwrap();
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
    async_run(
        items,
        producers,
        1,
        |tx, per| async move {
            for v in 0..per {
                match &tx {
                    Tx::B(t) => t.send(v).await.unwrap(),
                    Tx::U(t) => t.send(v).unwrap(),
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

/// flume and async-channel have the same shape (cloneable ends made by
/// `bounded` / `unbounded`, send and receive futures that fail once the other
/// side is gone) and differ only in the names of the two methods: one body for
/// both, expanded per crate so each row runs its crate's code directly.
macro_rules! mpmc_async {
    ($krate:ident, $send:ident, $recv:ident, $items:expr, $bound:expr, $p:expr, $c:expr) => {{
        let (items, bound, p, c): (u64, Option<usize>, usize, usize) = ($items, $bound, $p, $c);
        let (tx, rx) = match bound {
            Some(b) => $krate::bounded(b),
            None => $krate::unbounded(),
        };
        let producers = (0..p).map(|_| tx.clone()).collect();
        let tx = std::sync::Mutex::new(Some(tx));
        async_run(
            items,
            producers,
            c,
            |tx, per| async move {
                for v in 0..per {
                    tx.$send(v).await.unwrap();
                }
            },
            || {
                let rx = rx.clone();
                async move {
                    let mut sum = 0;
                    while let Ok(v) = rx.$recv().await {
                        sum += v;
                    }
                    sum
                }
            },
            || drop(tx.lock().unwrap().take()),
        )
    }};
}

fn flume_async(items: u64, bound: Option<usize>, p: usize, c: usize) -> Duration {
    mpmc_async!(flume, send_async, recv_async, items, bound, p, c)
}

fn async_channel_async(items: u64, bound: Option<usize>, p: usize, c: usize) -> Duration {
    mpmc_async!(async_channel, send, recv, items, bound, p, c)
}

/// The `async tokio` rows; tokio's channel has one receiver, so it runs in the
/// single-consumer rows only.
pub fn rows() -> Vec<Row> {
    let mut rows = Vec::new();
    for (p, c, bound) in [(1, 1, Some(BOUND)), (1, 1, None), (4, 4, Some(BOUND))] {
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
            format!("async tokio {p}P{c}C {}", capacity(bound)),
            QUEUE_ITEMS,
            contenders,
        ));
    }
    rows
}
