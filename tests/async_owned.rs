//! The owned async forms (`get_owned`, `put_owned`, `into_stream`, on an `Arc`
//! of a queue and on the ends), the async `get_many`, the async error types and
//! the timed `put_async` that hands its item back: on tokio, with threads.
//! Several cases are ported from flume's `tests/async.rs` / `tests/stream.rs`
//! (`into_recv_async`, `into_stream`, `send_async` cancelled) and tokio's mpsc
//! tests (`recv_many`, spawned owned receivers).

mod common;

use std::future::Future;
use std::sync::{Arc, Barrier};
use std::task::{Context, Poll};
use std::thread;
use std::time::Duration;

use common::within;
use queuekit::{
    Consumer, GetError, IntoStream, Producer, PutError, PutShutDownError, Queue, ShutDownError,
};

fn multi_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn poll_once<F: Future + Unpin>(f: &mut F) -> Poll<F::Output> {
    std::pin::Pin::new(f).poll(&mut Context::from_waker(futures::task::noop_waker_ref()))
}

/// Spins (yielding) until `cond` holds.
fn until(cond: impl Fn() -> bool) {
    while !cond() {
        thread::yield_now();
    }
}

/// flume `r#async_recv` on `into_recv_async`: a spawned owned get waits, a
/// thread's put wakes it.
#[test]
fn spawned_get_owned_takes_an_item_from_a_thread() {
    within("get_owned", || {
        let rt = multi_thread();
        let q = Arc::new(Queue::<u32>::unbounded());
        let task = rt.spawn(Arc::clone(&q).get_owned());
        until(|| q.blocked_getters() == 1);
        let producer = {
            let q = Arc::clone(&q);
            thread::spawn(move || q.put(42).unwrap())
        };
        assert_eq!(rt.block_on(task).unwrap(), Ok(42));
        producer.join().unwrap();
        assert_eq!(q.blocked_getters(), 0);
    });
}

/// The owned future holds the queue: the caller's last `Arc` can go.
#[test]
fn owned_futures_keep_the_queue_alive() {
    within("owned_futures_keep_the_queue_alive", || {
        let q = Arc::new(Queue::bounded(1));
        let weak = Arc::downgrade(&q);
        let get = Arc::clone(&q).get_owned();
        let put = q.put_owned("x"); // the caller's `Arc` moves into the future
        assert!(weak.upgrade().is_some());
        futures::executor::block_on(async {
            put.await.unwrap();
            assert_eq!(get.await, Ok("x"));
        });
        assert!(
            weak.upgrade().is_none(),
            "the futures dropped the last Arcs"
        );
    });
}

/// flume `r#async_send` on an owned future: a spawned put on a full queue waits
/// for room; a shutdown hands the item back in the async error.
#[test]
fn spawned_put_owned_waits_for_room_then_fails_at_shutdown() {
    within("put_owned", || {
        let rt = multi_thread();
        let q = Arc::new(Queue::bounded(1));
        q.put(0).unwrap();
        let waits = rt.spawn(Arc::clone(&q).put_owned(1));
        until(|| q.blocked_putters() == 1);
        assert_eq!(q.get(), Ok(0));
        rt.block_on(waits).unwrap().unwrap();
        assert_eq!(q.try_get(), Ok(1));

        q.put(2).unwrap();
        let refused = rt.spawn(Arc::clone(&q).put_owned(3));
        until(|| q.blocked_putters() == 1);
        q.shutdown();
        let e = rt.block_on(refused).unwrap().unwrap_err();
        assert_eq!(e, PutShutDownError(3));
        assert_eq!(PutError::from(e), PutError::ShutDown(3));
        assert_eq!(q.shutdown_now(), [2]);
    });
}

/// A `put_async` under `tokio::time::timeout`, polled through `&mut`, gives its
/// item back with `into_item` when the timeout wins: a producer that retries
/// every refused item delivers each exactly once and in order, though most of
/// its timeouts expire (a bounded(1) queue and a consumer that takes slowly).
#[test]
fn timed_put_async_hands_the_item_back_and_loses_nothing() {
    within("timed put", || {
        const N: u32 = 100;
        let rt = multi_thread();
        let q = Arc::new(Queue::bounded(1));
        let consumer = {
            let q = Arc::clone(&q);
            thread::spawn(move || {
                let mut got = Vec::new();
                for item in q.iter() {
                    got.push(item);
                    thread::sleep(Duration::from_millis(3)); // slower than the timeouts
                }
                got
            })
        };
        let timeouts = rt.block_on(async {
            let mut timeouts = 0u32;
            for i in 0..N {
                let mut item = i;
                loop {
                    let mut put = q.put_async(item);
                    match tokio::time::timeout(Duration::from_micros(500), &mut put).await {
                        Ok(r) => {
                            r.unwrap();
                            break;
                        }
                        Err(_) => {
                            timeouts += 1;
                            // Not put: the item comes back; `None` would mean lost.
                            item = put.into_item().expect("a timed-out put keeps its item");
                        }
                    }
                }
            }
            timeouts
        });
        q.shutdown();
        let got = consumer.join().unwrap();
        assert_eq!(got, (0..N).collect::<Vec<_>>(), "every item once, in order");
        assert!(timeouts > 0, "the test must exercise the timeout path");
        assert_eq!(q.blocked_putters(), 0);
    });
}

/// The same with the owned future (`PutOwned::into_item`).
#[test]
fn timed_put_owned_hands_the_item_back() {
    within("timed put_owned", || {
        let rt = multi_thread();
        let q = Arc::new(Queue::bounded(1));
        q.put(0).unwrap();
        rt.block_on(async {
            let mut put = Arc::clone(&q).put_owned(1);
            let r = tokio::time::timeout(Duration::from_millis(5), &mut put).await;
            assert!(r.is_err(), "the queue stayed full");
            assert_eq!(q.blocked_putters(), 1, "still registered while kept");
            assert_eq!(put.into_item(), Some(1));
            assert_eq!(q.blocked_putters(), 0, "into_item leaves the waiter list");
        });
        assert_eq!(q.shutdown_now(), [0]);
    });
}

/// The pattern the timeout above replaces loses the item: dropping the future
/// drops it (documented; the test pins the behaviour so the docs stay true).
#[test]
fn a_dropped_put_async_drops_its_item() {
    within("a_dropped_put_async_drops_its_item", || {
        let q = Queue::bounded(1);
        q.put(Arc::new(0)).unwrap();
        let item = Arc::new(1);
        let weak = Arc::downgrade(&item);
        let mut put = q.put_async(item);
        assert!(poll_once(&mut put).is_pending());
        drop(put);
        assert!(weak.upgrade().is_none());
        assert_eq!(q.blocked_putters(), 0);
    });
}

fn numbers() -> (Producer<u64>, IntoStream<u64>) {
    let (tx, rx) = Queue::bounded(64).split();
    (tx, rx.into_stream()) // returned from a function: owns its end
}

/// flume `stream_send_1_million_no_drop_or_reorder`, on `into_stream` returned
/// from a function, fed by a thread: every item once, in order.
#[test]
fn into_stream_from_a_function_no_drop_or_reorder() {
    within("into_stream order", || {
        const N: u64 = 100_000;
        let rt = multi_thread();
        let (tx, mut stream) = numbers();
        let producer = thread::spawn(move || tx.put_all(0..N).unwrap()); // `tx` drops
        let count = rt.block_on(rt.spawn(async move {
            let mut count = 0;
            while let Some(i) = stream.next().await {
                assert_eq!(i, count);
                count += 1;
            }
            count
        }));
        producer.join().unwrap();
        assert_eq!(count.unwrap(), N);
    });
}

/// flume `stream_recv_drop_recv`: a stream that registered (its `next` timed
/// out) and is then woken for an item but dropped without taking it passes the
/// wake-up on; the other consumer, a thread, gets the item.
#[test]
fn dropped_into_stream_passes_its_wake_up_on() {
    within("stream drop", || {
        let rt = multi_thread();
        let (tx, rx) = Queue::<u32>::bounded(10).split();
        let rx2 = rx.clone();
        let mut stream = rx.into_stream();
        rt.block_on(async {
            let r = tokio::time::timeout(Duration::from_millis(5), stream.next()).await;
            assert!(r.is_err());
        });
        assert_eq!(
            tx.queue().blocked_getters(),
            1,
            "the stream stays registered"
        );
        let other = thread::spawn(move || rx2.get());
        until(|| tx.queue().blocked_getters() == 2);
        tx.put(42).unwrap(); // may wake the stream, registered first
        drop(stream);
        assert_eq!(other.join().unwrap(), Ok(42));
    });
}

/// The owned stream ends when the last producer drops, and with the `stream`
/// feature it is a `Stream` (collect, `FusedStream`).
#[test]
fn into_stream_ends_when_the_producers_go() {
    within("into_stream end", || {
        let (tx, rx) = Queue::unbounded().split();
        let tx2 = tx.clone();
        let a = thread::spawn(move || tx.put_all(0..50).unwrap());
        let b = thread::spawn(move || tx2.put_all(50..100).unwrap());
        let mut stream = rx.into_stream();
        let mut got = futures::executor::block_on(async {
            let mut got = Vec::new();
            while let Some(i) = stream.next().await {
                got.push(i);
            }
            got
        });
        a.join().unwrap();
        b.join().unwrap();
        got.sort_unstable();
        assert_eq!(got, (0..100).collect::<Vec<_>>());
        assert_eq!(futures::executor::block_on(stream.next()), None, "fused");
        #[cfg(feature = "stream")]
        {
            use futures::stream::FusedStream;
            assert!(stream.is_terminated());
            let q = Arc::new(Queue::unbounded());
            q.put_all([1, 2, 3]).unwrap();
            q.shutdown();
            let all: Vec<i32> = futures::executor::block_on(futures::StreamExt::collect(
                Arc::clone(&q).into_stream(),
            ));
            assert_eq!(all, [1, 2, 3]);
        }
    });
}

/// `Consumer::get_owned` owns an end: while it is pending the queue stays open
/// for producers though every other consumer is gone; once it completes and
/// drops, the last consumer is gone and puts fail.
#[test]
fn consumer_get_owned_is_a_consumer_end() {
    within("consumer get_owned", || {
        let rt = multi_thread();
        let (tx, rx) = Queue::unbounded().split();
        let task = rt.spawn(rx.clone().get_owned());
        assert_eq!(tx.consumer_count(), 2);
        drop(rx);
        assert_eq!(tx.consumer_count(), 1, "the future's end");
        assert!(!tx.queue().is_shutdown());
        until(|| tx.queue().blocked_getters() == 1);
        tx.put(1).unwrap();
        assert_eq!(rt.block_on(task).unwrap(), Ok(1));
        assert_eq!(tx.consumer_count(), 0);
        assert_eq!(tx.put(2), Err(PutError::ShutDown(2)));
    });
}

/// tokio's mpsc "sender dropped in a spawned send": `Producer::put_owned` owns
/// the last producer end; once the put completes and drops, consumers drain and
/// see the shutdown.
#[test]
fn producer_put_owned_last_end_shuts_down() {
    within("producer put_owned", || {
        let rt = multi_thread();
        let (tx, rx) = Queue::bounded(1).split();
        tx.put(0).unwrap();
        let task = rt.spawn(tx.put_owned(1)); // the only producer, now pending
        until(|| rx.queue().blocked_putters() == 1);
        assert_eq!(rx.producer_count(), 1);
        assert_eq!(rx.get(), Ok(0));
        rt.block_on(task).unwrap().unwrap();
        assert_eq!(rx.get(), Ok(1));
        assert_eq!(rx.get(), Err(GetError::ShutDown));
        let c: Consumer<i32> = rx;
        assert_eq!(c.producer_count(), 0);
    });
}

/// tokio `recv_many`: waits for the first item, then takes what is there, up
/// to `max`; several calls see every item once, in order.
#[test]
fn get_many_async_waits_for_one_then_takes_up_to_max() {
    within("get_many_async", || {
        let rt = multi_thread();
        let q = Arc::new(Queue::unbounded());
        let first = {
            let q = Arc::clone(&q);
            rt.spawn(async move { q.get_many_async(4).await })
        };
        until(|| q.blocked_getters() == 1);
        q.put(0).unwrap();
        let batch = rt.block_on(first).unwrap().unwrap();
        assert_eq!(batch, [0], "resolves with what is there");

        q.put_all(1..=10).unwrap();
        let mut got = Vec::new();
        rt.block_on(async {
            while got.len() < 10 {
                let b = q.get_many_async(4).await.unwrap();
                assert!((1..=4).contains(&b.len()));
                got.extend(b);
            }
        });
        assert_eq!(got, (1..=10).collect::<Vec<_>>());
        assert_eq!(futures::executor::block_on(q.get_many_async(0)), Ok(vec![]));
    });
}

/// A pending `get_many_async` wakes with `ShutDownError` at shutdown; `max ==
/// 0` is `Ok` with nothing even then; `?` turns the error into a `GetError`.
#[test]
fn get_many_async_and_shutdown() {
    within("get_many_async shutdown", || {
        let rt = multi_thread();
        let q = Arc::new(Queue::<u8>::unbounded());
        let pending = {
            let q = Arc::clone(&q);
            rt.spawn(async move { q.get_many_async(8).await })
        };
        until(|| q.blocked_getters() == 1);
        q.shutdown();
        assert_eq!(rt.block_on(pending).unwrap(), Err(ShutDownError));
        assert_eq!(futures::executor::block_on(q.get_many_async(0)), Ok(vec![]));

        async fn through_question_mark(q: &Queue<u8>) -> Result<Vec<u8>, GetError> {
            Ok(q.get_many_async(2).await?)
        }
        assert_eq!(
            futures::executor::block_on(through_question_mark(&q)),
            Err(GetError::ShutDown)
        );
    });
}

/// A `get_many_async` batch frees slots for every putter blocked on the full
/// queue, and each of them completes.
#[test]
fn get_many_async_wakes_every_putter_it_frees_a_slot_for() {
    within("get_many_async putters", || {
        let q = Arc::new(Queue::bounded(4));
        q.put_all(0..4).unwrap();
        let start = Arc::new(Barrier::new(4));
        let putters: Vec<_> = (4..7)
            .map(|i| {
                let (q, start) = (Arc::clone(&q), Arc::clone(&start));
                thread::spawn(move || {
                    start.wait();
                    q.put(i)
                })
            })
            .collect();
        start.wait();
        until(|| q.blocked_putters() == 3);
        let batch = futures::executor::block_on(q.get_many_async(4)).unwrap();
        assert_eq!(batch, [0, 1, 2, 3]);
        for p in putters {
            p.join().unwrap().unwrap();
        }
        let mut rest = q.try_get_many(8).unwrap();
        rest.sort_unstable();
        assert_eq!(rest, [4, 5, 6]);
    });
}

/// A dropped pending `get_many_async` took nothing and left the waiter list;
/// one woken and dropped passes the item on (as `get_async`).
#[test]
fn cancelled_get_many_async_takes_nothing() {
    within("cancelled_get_many_async_takes_nothing", || {
        let q = Queue::unbounded();
        let mut a = q.get_many_async(8);
        let mut b = q.get_many_async(8);
        assert!(poll_once(&mut a).is_pending());
        assert!(poll_once(&mut b).is_pending());
        assert_eq!(q.blocked_getters(), 2);
        q.put(1).unwrap(); // notifies `a`, registered first
        drop(a);
        assert_eq!(q.len(), 1, "the dropped future took nothing");
        assert_eq!(poll_once(&mut b), Poll::Ready(Ok(vec![1])));
        assert_eq!(q.blocked_getters(), 0);
    });
}

/// The async error types convert into the general ones, and `Display` as the
/// general ones' `ShutDown` do.
#[test]
fn async_errors_convert_into_the_general_ones() {
    let q = Queue::<String>::unbounded();
    q.shutdown();
    futures::executor::block_on(async {
        let e = q.get_async().await.unwrap_err();
        assert_eq!(e.to_string(), GetError::ShutDown.to_string());
        assert_eq!(GetError::from(e), GetError::ShutDown);
        let e = q.put_async("item".to_string()).await.unwrap_err();
        assert_eq!(e.to_string(), PutError::ShutDown(()).to_string());
        assert_eq!(e.clone().into_inner(), "item");
        let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(e);
        assert_eq!(boxed.to_string(), "queue is shut down");
    });
}

/// tokio's mpsc "many senders" on the owned forms: 8 spawned tasks, each
/// putting 100 items with `put_owned` on a bounded(4) queue (each future owns
/// a producer end), one task draining an owned stream; every item arrives once
/// and the stream ends when the last producer end (the last future) drops.
#[test]
fn many_spawned_owned_puts_into_one_owned_stream() {
    within("many owned puts", || {
        let rt = multi_thread();
        let (tx, rx) = Queue::bounded(4).split();
        let mut stream = rx.into_stream();
        let consumer = rt.spawn(async move {
            let mut got = Vec::new();
            while let Some(i) = stream.next().await {
                got.push(i);
            }
            got
        });
        let producers: Vec<_> = (0..8u32)
            .map(|p| {
                let tx = tx.clone();
                rt.spawn(async move {
                    for i in 0..100 {
                        tx.clone().put_owned(p * 100 + i).await.unwrap();
                    }
                })
            })
            .collect();
        drop(tx);
        rt.block_on(async {
            for p in producers {
                p.await.unwrap();
            }
        });
        let mut got = rt.block_on(consumer).unwrap();
        got.sort_unstable();
        assert_eq!(got, (0..800).collect::<Vec<_>>());
    });
}
