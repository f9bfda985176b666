//! Counted ends (`split` into `Producer` / `Consumer`): the last end of a kind to
//! drop shuts the queue down, on every discipline. Real threads; no sleep is used
//! as synchronisation (a test that needs a thread asleep waits until
//! `blocked_getters` / `blocked_putters`, read under the queue's lock, count it).
//! Everything that could hang runs under a watchdog.

mod common;

use common::within;
use queuekit::{
    BlockingQueue, Consumer, Discipline, Fifo, GetError, Lifo, Priority, Producer, PutError, Queue,
};
use std::panic;
use std::thread;

/// Spins (yielding) until `ready` holds: for "a thread is asleep in the queue",
/// which the queue counts under its lock.
fn until(ready: impl Fn() -> bool) {
    while !ready() {
        thread::yield_now();
    }
}

/// A producer thread that panics mid-stream, holding the
/// only producer end, leaves no consumer blocked. The consumer is asleep in `get`
/// when the panic unwinds; it gets every item put before the panic, then
/// `ShutDown`.
fn panicking_producer_releases_the_consumer<D>()
where
    D: Discipline<u32> + Send + 'static,
{
    within("consumer after a panicking producer", || {
        let (tx, rx) = BlockingQueue::<u32, D>::bounded(8).split();
        let watch = rx.clone();
        let consumer = thread::spawn(move || {
            let mut got = Vec::new();
            let end = loop {
                match rx.get() {
                    Ok(i) => got.push(i),
                    Err(e) => break e,
                }
            };
            (got, end)
        });
        let producer = thread::spawn(move || {
            for i in 0..100 {
                tx.put(i).unwrap();
            }
            // Make sure the consumer sleeps on the empty queue when we die.
            until(|| tx.queue().is_empty() && tx.queue().blocked_getters() > 0);
            panic!("producer dies mid-stream");
        });
        assert!(producer.join().is_err(), "the producer panicked");
        let (mut got, end) = consumer.join().unwrap();
        assert_eq!(end, GetError::ShutDown);
        got.sort_unstable();
        assert_eq!(
            got,
            (0..100).collect::<Vec<_>>(),
            "every item put before the panic"
        );
        assert_eq!(watch.producer_count(), 0);
        assert!(watch.queue().is_shutdown());
        // A second consumer end still alive sees the same end at once.
        assert_eq!(watch.get(), Err(GetError::ShutDown));
    });
}

#[test]
fn panicking_producer_releases_the_consumer_fifo() {
    panicking_producer_releases_the_consumer::<Fifo<u32>>();
}

#[test]
fn panicking_producer_releases_the_consumer_lifo() {
    panicking_producer_releases_the_consumer::<Lifo<u32>>();
}

#[test]
fn panicking_producer_releases_the_consumer_priority() {
    panicking_producer_releases_the_consumer::<Priority<u32>>();
}

/// A producer that returns early (no panic) through `?` closes the queue the same
/// way, and consumers blocked in `get_many` wake too.
#[test]
fn early_return_releases_get_many_consumers() {
    within("get_many consumers after an early return", || {
        let (tx, rx) = Queue::<u32>::bounded(4).split();
        let consumers: Vec<_> = (0..3)
            .map(|_| {
                let rx = rx.clone();
                thread::spawn(move || {
                    let mut n = 0;
                    while let Ok(batch) = rx.get_many(8) {
                        n += batch.len();
                    }
                    n
                })
            })
            .collect();
        fn produce(tx: Producer<u32>) -> Result<(), &'static str> {
            for i in 0..50 {
                tx.put(i).map_err(|_| "refused")?;
            }
            Err("the input ended early")
        }
        until(|| rx.queue().blocked_getters() > 0);
        assert!(produce(tx).is_err());
        let total: usize = consumers.into_iter().map(|c| c.join().unwrap()).sum();
        assert_eq!(total, 50);
    });
}

/// Cloned producers keep the queue open until the last one drops, not the first.
#[test]
fn the_queue_closes_at_the_last_producer_not_the_first() {
    let (tx, rx) = Queue::unbounded().split();
    let tx2 = tx.clone();
    assert_eq!(rx.producer_count(), 2);
    thread::spawn(move || tx.put(1).unwrap()).join().unwrap();
    assert_eq!(rx.get(), Ok(1));
    assert_eq!(rx.producer_count(), 1);
    assert_eq!(
        rx.try_get(),
        Err(GetError::Empty),
        "one producer is still alive"
    );
    assert!(!rx.queue().is_shutdown());
    tx2.put(2).unwrap();
    drop(tx2);
    assert_eq!(
        rx.get(),
        Ok(2),
        "items put before the last drop are delivered"
    );
    assert_eq!(rx.try_get(), Err(GetError::ShutDown));
}

/// The last consumer dropping wakes every producer asleep on the full queue, each
/// with its own item back; the queued item stays for `shutdown_now`.
fn last_consumer_releases_blocked_producers<D>()
where
    D: Discipline<u32> + Send + 'static,
{
    within("producers after the last consumer dropped", || {
        let (tx, rx) = BlockingQueue::<u32, D>::bounded(1).split();
        tx.put(0).unwrap();
        let producers: Vec<_> = (1..=3)
            .map(|i| {
                let tx = tx.clone();
                thread::spawn(move || tx.put(i))
            })
            .collect();
        until(|| tx.queue().blocked_putters() == 3);
        let rx2 = rx.clone();
        drop(rx);
        assert_eq!(
            tx.queue().blocked_putters(),
            3,
            "one consumer is still alive"
        );
        assert!(!tx.queue().is_shutdown());
        drop(rx2);
        let mut back: Vec<u32> = producers
            .into_iter()
            .map(|p| match p.join().unwrap() {
                Err(PutError::ShutDown(i)) => i,
                other => panic!("expected ShutDown with the item, got {other:?}"),
            })
            .collect();
        back.sort_unstable();
        assert_eq!(back, [1, 2, 3]);
        assert_eq!(tx.consumer_count(), 0);
        assert_eq!(tx.try_put(4), Err(PutError::ShutDown(4)));
        assert_eq!(
            tx.queue().shutdown_now(),
            [0],
            "the queued item is not lost"
        );
    });
}

#[test]
fn last_consumer_releases_blocked_producers_fifo() {
    last_consumer_releases_blocked_producers::<Fifo<u32>>();
}

#[test]
fn last_consumer_releases_blocked_producers_lifo() {
    last_consumer_releases_blocked_producers::<Lifo<u32>>();
}

#[test]
fn last_consumer_releases_blocked_producers_priority() {
    last_consumer_releases_blocked_producers::<Priority<u32>>();
}

/// `put_all` blocked on a full queue stops when the consumers go, handing back
/// every item not put.
#[test]
fn put_all_stops_when_the_consumers_go() {
    within("put_all after the consumers dropped", || {
        let (tx, rx) = Queue::bounded(2).split();
        let producer = thread::spawn(move || {
            let err = tx.put_all(0..10).unwrap_err();
            (err.into_remaining().collect::<Vec<_>>(), tx)
        });
        assert_eq!(rx.get(), Ok(0));
        let watch = rx.queue();
        until(|| watch.blocked_putters() > 0);
        drop(rx);
        let (unsent, tx) = producer.join().unwrap();
        let left = tx.queue().shutdown_now();
        let mut all: Vec<i32> = std::iter::once(0).chain(left).chain(unsent).collect();
        all.sort_unstable();
        assert_eq!(all, (0..10).collect::<Vec<_>>(), "nothing lost");
    });
}

/// An explicit `shutdown` through `queue()` closes a split queue as well, and the
/// ends keep their counts.
#[test]
fn explicit_shutdown_through_the_ends() {
    let (tx, rx) = Queue::unbounded().split();
    tx.put(1).unwrap();
    rx.queue().shutdown();
    assert_eq!(tx.put(2), Err(PutError::ShutDown(2)));
    assert_eq!(rx.get(), Ok(1));
    assert_eq!(rx.get(), Err(GetError::ShutDown));
    assert_eq!((tx.producer_count(), tx.consumer_count()), (1, 1));
}

/// Splitting keeps what the queue holds and how it was made.
#[test]
fn split_keeps_the_queue_state() {
    let q = Queue::bounded(3);
    q.put_all([1, 2]).unwrap();
    let (tx, rx) = q.split();
    assert_eq!(tx.queue().capacity(), Some(3));
    assert_eq!(rx.queue().unfinished_tasks(), 2);
    assert_eq!(rx.try_get_many(usize::MAX).unwrap_or_default(), [1, 2]);

    let shut = Queue::<u8>::unbounded();
    shut.shutdown();
    let (tx, rx) = shut.split();
    assert_eq!(tx.put(1), Err(PutError::ShutDown(1)));
    assert_eq!(rx.get(), Err(GetError::ShutDown));
}

/// `task_done` / `join` across the ends: the producer joins, the consumer marks.
#[test]
fn join_across_the_ends() {
    within("join across the ends", || {
        let (tx, rx) = Queue::bounded(4).split();
        let worker = thread::spawn(move || {
            for job in &rx {
                let _: u32 = job;
                rx.task_done().unwrap();
            }
        });
        tx.put_all(0..20).unwrap();
        tx.queue().join();
        assert_eq!(tx.queue().unfinished_tasks(), 0);
        drop(tx);
        worker.join().unwrap();
    });
}

/// The ends are `Send + Sync + Clone` for `T: Send`, name the FIFO by default,
/// and show their counts in `Debug` without blocking or needing `T: Debug`.
#[test]
fn ends_are_send_sync_and_debug() {
    fn send_sync<X: Send + Sync + Clone>() {}
    send_sync::<Producer<Vec<u8>>>();
    send_sync::<Consumer<Vec<u8>>>();
    send_sync::<Producer<u8, Lifo<u8>>>();
    send_sync::<Consumer<u8, Priority<u8>>>();

    struct Opaque;
    let (tx, rx) = Queue::<Opaque>::unbounded().split();
    let _rx2 = rx.clone();
    let shown = format!("{tx:?}");
    assert!(shown.starts_with("Producer"), "{shown}");
    assert!(shown.contains("producers: 1"), "{shown}");
    assert!(shown.contains("consumers: 2"), "{shown}");
    assert!(format!("{rx:?}").starts_with("Consumer"));
}

/// A producer end's `put_async`, pending on a full bounded(1) queue, completes
/// once a consumer end on another thread takes the item that filled it.
#[test]
fn producer_put_async_completes_after_a_consumer_takes() {
    within("producer put_async on a full queue", || {
        let (tx, rx) = Queue::<u32>::bounded(1).split();
        tx.put(1).unwrap(); // full
        let watch = tx.clone();
        let producer = thread::spawn(move || futures::executor::block_on(tx.put_async(2)));
        // The future is registered as a putter: it really waits on the full queue.
        until(|| watch.queue().blocked_putters() == 1);
        assert_eq!(watch.queue().len(), 1, "nothing put while full");
        let consumer = thread::spawn(move || {
            let first = rx.get();
            (first, rx)
        });
        let (first, rx) = consumer.join().unwrap();
        assert_eq!(first, Ok(1));
        assert_eq!(producer.join().unwrap(), Ok(()));
        assert_eq!(rx.try_get(), Ok(2));
        assert_eq!(watch.queue().blocked_putters(), 0);
    });
}

/// A consumer end's `get_async`, pending on an empty queue, completes with the
/// item a producer end puts from another thread.
#[test]
fn consumer_get_async_completes_with_an_item_from_another_thread() {
    within("consumer get_async on an empty queue", || {
        let (tx, rx) = Queue::<u32>::unbounded().split();
        let watch = rx.clone();
        let consumer = thread::spawn(move || futures::executor::block_on(rx.get_async()));
        until(|| watch.queue().blocked_getters() == 1);
        let producer = thread::spawn(move || tx.put(7).unwrap());
        producer.join().unwrap();
        assert_eq!(consumer.join().unwrap(), Ok(7));
        assert_eq!(watch.queue().blocked_getters(), 0);
    });
}

/// The ends close on drop for async waiters too: when the last producer end
/// drops, the queue is shut down, and a consumer end's pending `get_async`
/// (on the now empty queue) resolves to `ShutDown`. One producer going while
/// another is alive closes nothing.
#[test]
fn last_producer_drop_ends_a_pending_get_async() {
    within("get_async after the last producer dropped", || {
        let (tx, rx) = Queue::<u32>::unbounded().split();
        let tx2 = tx.clone();
        let watch = rx.clone();
        let consumer = thread::spawn(move || {
            futures::executor::block_on(async {
                let first = rx.get_async().await;
                let second = rx.get_async().await;
                (first, second)
            })
        });
        until(|| watch.queue().blocked_getters() == 1);
        thread::spawn(move || {
            tx.put(1).unwrap();
            drop(tx);
        })
        .join()
        .unwrap();
        assert_eq!(watch.producer_count(), 1);
        assert!(!watch.queue().is_shutdown(), "one producer is still alive");
        // The consumer takes 1, then waits again on the empty queue.
        until(|| watch.queue().is_empty() && watch.queue().blocked_getters() == 1);
        thread::spawn(move || drop(tx2)).join().unwrap();
        assert_eq!(watch.producer_count(), 0);
        assert!(watch.queue().is_shutdown());
        let (first, second) = consumer.join().unwrap();
        assert_eq!(first, Ok(1));
        assert_eq!(second, Err(queuekit::ShutDownError));
        assert_eq!(watch.queue().blocked_getters(), 0);
    });
}

/// A consumer end's `stream` (feature `stream`) yields what producer ends on
/// other threads put, and ends when the last producer end drops.
#[cfg(feature = "stream")]
#[test]
fn consumer_stream_ends_when_the_last_producer_drops() {
    use futures::StreamExt;
    within("consumer stream after the last producer dropped", || {
        let (tx, rx) = Queue::<u32>::bounded(2).split();
        let producers: Vec<_> = (0..2)
            .map(|p| {
                let tx = tx.clone();
                thread::spawn(move || tx.put_all(p * 10..p * 10 + 10).unwrap())
            })
            .collect();
        drop(tx);
        let mut got: Vec<u32> = futures::executor::block_on(rx.stream().collect());
        got.sort_unstable();
        assert_eq!(got, (0..20).collect::<Vec<_>>());
        for p in producers {
            p.join().unwrap();
        }
        assert_eq!(rx.producer_count(), 0);
    });
}

/// A consumer end moved into a thread and iterated by value (`for i in rx`):
/// the iterator blocks in `get` while the queue is empty, keeps the end alive
/// (the queue stays open for the producer), and ends once the last producer has
/// dropped and everything put was taken.
#[test]
fn owned_consumer_iterates_until_the_producers_are_gone() {
    within("owned consumer iteration", || {
        let (tx, rx) = Queue::bounded(2).split();
        let consumer = thread::spawn(move || {
            let mut got = Vec::new();
            for i in rx {
                got.push(i);
            }
            got
        });
        // The iterator is asleep in `get`, and owns the only consumer end.
        until(|| tx.queue().blocked_getters() == 1);
        assert_eq!(tx.consumer_count(), 1);
        assert!(!tx.queue().is_shutdown());
        tx.put_all(0..50u32).unwrap(); // bounded(2): needs the iterator to take
        drop(tx);
        assert_eq!(consumer.join().unwrap(), (0..50).collect::<Vec<_>>());
    });
}

/// The owned iterator carries the consumer end: dropping it drops the end (the
/// last one shuts the queue down and a put hands its item back), `into_inner`
/// gives the end back instead, and it is fused once the queue is closed.
#[test]
fn owned_consumer_iterator_carries_the_end() {
    let (tx, rx) = Queue::unbounded().split();
    tx.put_all([1, 2, 3]).unwrap();
    let mut it = rx.into_iter();
    assert_eq!(it.next(), Some(1));
    assert_eq!(tx.consumer_count(), 1);
    let rx = it.into_inner();
    assert_eq!(tx.consumer_count(), 1);
    tx.put(4).unwrap();
    let mut it = rx.into_iter();
    assert_eq!(it.next(), Some(2));
    drop(it);
    assert_eq!(tx.consumer_count(), 0);
    assert_eq!(tx.put(5), Err(PutError::ShutDown(5)));
    assert_eq!(tx.queue().shutdown_now(), [3, 4]); // nothing dropped by the iterator

    let (tx, rx) = Queue::unbounded().split();
    tx.put(7).unwrap();
    drop(tx);
    let mut it = rx.into_iter();
    assert_eq!(it.next(), Some(7));
    assert_eq!(it.next(), None);
    assert_eq!(it.next(), None);
    assert!(format!("{it:?}").starts_with("IntoIter"));
}

/// `len`, `is_empty` and `capacity` on both ends agree with the queue's, bounded
/// and unbounded, on every discipline, as items go in and out.
fn ends_report_sizes<D: Discipline<u32>>() {
    let (tx, rx) = BlockingQueue::<u32, D>::bounded(3).split();
    assert_eq!((tx.capacity(), rx.capacity()), (Some(3), Some(3)));
    assert!(tx.is_empty() && rx.is_empty());
    assert_eq!((tx.len(), rx.len()), (0, 0));
    tx.put_all([5, 6, 7]).unwrap();
    assert_eq!((tx.len(), rx.len()), (3, 3));
    assert!(!tx.is_empty() && !rx.is_empty());
    assert_eq!(tx.try_put(8), Err(PutError::Full(8)));
    rx.get().unwrap();
    assert_eq!((tx.len(), rx.len()), (2, 2));
    rx.try_get_many(usize::MAX).unwrap_or_default();
    assert!(tx.is_empty() && rx.is_empty());

    let (tx, rx) = BlockingQueue::<u32, D>::unbounded().split();
    assert_eq!((tx.capacity(), rx.capacity()), (None, None));
    tx.put_all(0..1000).unwrap();
    assert_eq!((tx.len(), rx.len()), (1000, 1000));
}

#[test]
fn ends_report_sizes_fifo() {
    ends_report_sizes::<Fifo<u32>>();
}

#[test]
fn ends_report_sizes_lifo() {
    ends_report_sizes::<Lifo<u32>>();
}

#[test]
fn ends_report_sizes_priority() {
    ends_report_sizes::<Priority<u32>>();
}
