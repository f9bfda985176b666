//! `bounded(0)`: the rendezvous queue, for every discipline. Most cases are ports
//! of crossbeam-channel's own zero-capacity tests (`tests/zero.rs`), with its
//! sleeps replaced by waiting on `blocked_getters` / `blocked_putters` (a thread
//! is known to wait before the other side acts); the rest cover what only
//! queuekit has (disciplines, tasks, `get_many`, `put_all`, ends, async, select,
//! the delay queue). Every body that could hang runs under a watchdog.

mod common;

use common::within;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::thread;
use std::time::{Duration, Instant};

use queuekit::{
    BlockingQueue, DelayQueue, Discipline, Fifo, GetError, Lifo, LifoQueue, Priority,
    PriorityQueue, PutError, PutShutDownError, Queue, Select,
};

/// Waits (yielding, no sleep) until at least `getters` threads or tasks wait
/// for an item and `putters` for a getter.
fn until_blocked<T, D: Discipline<T>>(q: &BlockingQueue<T, D>, getters: usize, putters: usize) {
    while q.blocked_getters() < getters || q.blocked_putters() < putters {
        thread::yield_now();
    }
}

fn ms(ms: u64) -> Duration {
    Duration::from_millis(ms)
}

fn smoke_for<D: Discipline<i32>>() {
    let q: BlockingQueue<i32, D> = BlockingQueue::bounded(0);
    assert_eq!(q.try_put(7), Err(PutError::Full(7)));
    assert_eq!(q.try_get(), Err(GetError::Empty));
    assert_eq!(q.unfinished_tasks(), 0, "a refused put adds no task");
}

#[test]
fn smoke() {
    smoke_for::<Fifo<i32>>();
    smoke_for::<Lifo<i32>>();
    smoke_for::<Priority<i32>>();
    let d = DelayQueue::bounded(0);
    assert_eq!(d.try_put(7), Err(PutError::Full(7)));
    assert_eq!(d.try_get(), Err(GetError::Empty));
}

#[test]
fn capacity() {
    assert_eq!(Queue::<()>::bounded(0).capacity(), Some(0));
    assert_eq!(LifoQueue::<()>::bounded(0).capacity(), Some(0));
    assert_eq!(PriorityQueue::<()>::bounded(0).capacity(), Some(0));
    assert_eq!(DelayQueue::<()>::bounded(0).capacity(), Some(0));
    let (tx, rx) = Queue::<()>::bounded(0).split();
    assert_eq!((tx.capacity(), rx.capacity()), (Some(0), Some(0)));
    // Python's maxsize=0 is still there, under its own name.
    assert_eq!(Queue::<()>::with_maxsize(0).capacity(), None);
}

#[test]
fn len_empty_full() {
    let q = Queue::bounded(0);
    let check = |q: &Queue<i32>| {
        assert_eq!(q.len(), 0);
        assert!(q.is_empty());
        assert!(q.is_full());
    };
    check(&q);
    within("len_empty_full", move || {
        thread::scope(|s| {
            s.spawn(|| q.put(0).unwrap());
            s.spawn(|| q.get().unwrap());
        });
        check(&q);
    });
}

#[test]
fn try_get() {
    within("try_get", || {
        let q = Queue::bounded(0);
        thread::scope(|s| {
            assert_eq!(q.try_get(), Err(GetError::Empty));
            let putter = s.spawn(|| q.put(7));
            until_blocked(&q, 0, 1);
            assert_eq!(q.try_get(), Ok(7));
            assert_eq!(putter.join().unwrap(), Ok(()));
            q.shutdown();
            assert_eq!(q.try_get(), Err(GetError::ShutDown));
        });
    });
}

#[test]
fn get() {
    within("get", || {
        let q = Queue::bounded(0);
        thread::scope(|s| {
            let getter = s.spawn(|| [q.get(), q.get(), q.get(), q.get()]);
            for i in 7..=9 {
                q.put(i).unwrap();
            }
            q.shutdown();
            assert_eq!(
                getter.join().unwrap(),
                [Ok(7), Ok(8), Ok(9), Err(GetError::ShutDown)]
            );
        });
    });
}

#[test]
fn get_timeout() {
    within("get_timeout", || {
        let q = Queue::<i32>::bounded(0);
        assert_eq!(q.get_timeout(ms(20)), Err(GetError::Empty));
        thread::scope(|s| {
            let putter = s.spawn(|| q.put(7));
            until_blocked(&q, 0, 1);
            assert_eq!(q.get_timeout(ms(1000)), Ok(7));
            putter.join().unwrap().unwrap();
        });
        q.shutdown();
        assert_eq!(q.get_timeout(ms(1000)), Err(GetError::ShutDown));
    });
}

#[test]
fn try_put() {
    within("try_put", || {
        let q = Queue::bounded(0);
        assert_eq!(q.try_put(7), Err(PutError::Full(7)));
        thread::scope(|s| {
            let getter = s.spawn(|| q.get());
            until_blocked(&q, 1, 0);
            // A thread blocked in `get`: the hand-off completes at once.
            assert_eq!(q.try_put(8), Ok(()));
            assert_eq!(getter.join().unwrap(), Ok(8));
        });
        q.shutdown();
        assert_eq!(q.try_put(9), Err(PutError::ShutDown(9)));
    });
}

#[test]
fn put_completes_only_when_taken() {
    within("put", || {
        let q = Queue::bounded(0);
        thread::scope(|s| {
            let putter = s.spawn(|| q.put(7));
            until_blocked(&q, 0, 1);
            assert!(!putter.is_finished(), "the put returned with no getter");
            assert_eq!(q.unfinished_tasks(), 0, "an offer is not a put yet");
            assert_eq!(q.get(), Ok(7));
            assert_eq!(putter.join().unwrap(), Ok(()));
            assert_eq!(q.unfinished_tasks(), 1, "counted when handed over");
        });
    });
}

#[test]
fn put_timeout() {
    within("put_timeout", || {
        let q = Queue::bounded(0);
        assert_eq!(q.put_timeout(7, ms(20)), Err(PutError::Full(7)));
        assert_eq!(q.blocked_putters(), 0, "the timed-out offer is gone");
        thread::scope(|s| {
            let getter = s.spawn(|| q.get());
            until_blocked(&q, 1, 0);
            assert_eq!(q.put_timeout(8, ms(1000)), Ok(()));
            assert_eq!(getter.join().unwrap(), Ok(8));
        });
        q.shutdown();
        assert_eq!(q.put_timeout(9, ms(1000)), Err(PutError::ShutDown(9)));
    });
}

#[test]
fn len_stays_zero_through_hand_offs() {
    const COUNT: usize = 10_000;
    within("len", || {
        let q = Queue::bounded(0);
        thread::scope(|s| {
            s.spawn(|| {
                for i in 0..COUNT {
                    assert_eq!(q.get(), Ok(i));
                    assert_eq!(q.len(), 0);
                }
            });
            for i in 0..COUNT {
                q.put(i).unwrap();
                assert_eq!(q.len(), 0);
            }
        });
    });
}

#[test]
fn shutdown_wakes_putter() {
    within("shutdown_wakes_putter", || {
        let q = Queue::bounded(0);
        thread::scope(|s| {
            let putter = s.spawn(|| q.put("item"));
            until_blocked(&q, 0, 1);
            q.shutdown();
            assert_eq!(putter.join().unwrap(), Err(PutError::ShutDown("item")));
        });
        assert_eq!(q.unfinished_tasks(), 0);
    });
}

#[test]
fn shutdown_wakes_getter() {
    within("shutdown_wakes_getter", || {
        let q = Queue::<()>::bounded(0);
        thread::scope(|s| {
            let getter = s.spawn(|| q.get());
            until_blocked(&q, 1, 0);
            q.shutdown();
            assert_eq!(getter.join().unwrap(), Err(GetError::ShutDown));
        });
    });
}

#[test]
fn last_consumer_drop_wakes_producer() {
    within("disconnect_wakes_sender", || {
        let (tx, rx) = Queue::bounded(0).split();
        let queue_view = tx.clone();
        let putter = thread::spawn(move || tx.put(5));
        until_blocked(queue_view.queue(), 0, 1);
        drop(rx);
        assert_eq!(putter.join().unwrap(), Err(PutError::ShutDown(5)));
    });
}

#[test]
fn last_producer_drop_wakes_consumer() {
    within("disconnect_wakes_receiver", || {
        let (tx, rx) = Queue::<()>::bounded(0).split();
        let view = rx.clone();
        let getter = thread::spawn(move || rx.get());
        until_blocked(view.queue(), 1, 0);
        drop(tx);
        assert_eq!(getter.join().unwrap(), Err(GetError::ShutDown));
    });
}

#[test]
fn shutdown_now_returns_nothing_and_hands_items_back() {
    within("shutdown_now", || {
        let q = PriorityQueue::bounded(0);
        thread::scope(|s| {
            let a = s.spawn(|| q.put(1));
            let b = s.spawn(|| q.put(2));
            until_blocked(&q, 0, 2);
            assert_eq!(q.shutdown_now(), Vec::<i32>::new());
            assert_eq!(a.join().unwrap(), Err(PutError::ShutDown(1)));
            assert_eq!(b.join().unwrap(), Err(PutError::ShutDown(2)));
        });
        assert_eq!(q.unfinished_tasks(), 0);
        q.join();
    });
}

#[test]
fn spsc() {
    const COUNT: usize = 50_000;
    within("spsc", || {
        let (tx, rx) = Queue::bounded(0).split();
        let getter = thread::spawn(move || {
            for i in 0..COUNT {
                assert_eq!(rx.get(), Ok(i));
            }
            assert_eq!(rx.get(), Err(GetError::ShutDown));
        });
        for i in 0..COUNT {
            tx.put(i).unwrap();
        }
        drop(tx);
        getter.join().unwrap();
    });
}

#[test]
fn mpmc() {
    const COUNT: usize = 5_000;
    const THREADS: usize = 4;
    within("mpmc", || {
        let q = Queue::<usize>::bounded(0);
        let seen: Vec<AtomicUsize> = (0..COUNT).map(|_| AtomicUsize::new(0)).collect();
        thread::scope(|s| {
            for _ in 0..THREADS {
                s.spawn(|| {
                    for _ in 0..COUNT {
                        let n = q.get().unwrap();
                        seen[n].fetch_add(1, Ordering::SeqCst);
                    }
                });
            }
            for _ in 0..THREADS {
                s.spawn(|| {
                    for i in 0..COUNT {
                        q.put(i).unwrap();
                    }
                });
            }
        });
        for c in &seen {
            assert_eq!(c.load(Ordering::SeqCst), THREADS);
        }
        assert_eq!(q.unfinished_tasks(), COUNT * THREADS);
    });
}

#[test]
fn stress_oneshot() {
    within("stress_oneshot", || {
        for _ in 0..2_000 {
            let q = Queue::bounded(0);
            thread::scope(|s| {
                s.spawn(|| q.get().unwrap());
                s.spawn(|| q.put(0).unwrap());
            });
        }
    });
}

/// Both sides give up and retry on short timeouts; the pauses only make the
/// timeouts happen (they synchronise nothing). Every item arrives once, in
/// order: a timed-out put never leaves its item behind, a timed-out get never
/// swallows one.
#[test]
fn stress_timeout_two_threads() {
    const COUNT: usize = 60;
    within("stress_timeout_two_threads", || {
        let q = Queue::bounded(0);
        thread::scope(|s| {
            s.spawn(|| {
                for i in 0..COUNT {
                    if i % 2 == 0 {
                        thread::sleep(ms(5));
                    }
                    let mut item = i;
                    loop {
                        match q.put_timeout(item, ms(1)) {
                            Ok(()) => break,
                            Err(e) => item = e.into_inner(),
                        }
                    }
                }
            });
            s.spawn(|| {
                for i in 0..COUNT {
                    if i % 2 == 0 {
                        thread::sleep(ms(5));
                    }
                    loop {
                        if let Ok(x) = q.get_timeout(ms(1)) {
                            assert_eq!(x, i);
                            break;
                        }
                    }
                }
            });
        });
        assert_eq!(q.unfinished_tasks(), COUNT);
    });
}

#[test]
fn drops() {
    static DROPS: AtomicUsize = AtomicUsize::new(0);
    struct DropCounter;
    impl Drop for DropCounter {
        fn drop(&mut self) {
            DROPS.fetch_add(1, Ordering::SeqCst);
        }
    }
    within("drops", || {
        for steps in [0, 1, 7, 100, 1000] {
            DROPS.store(0, Ordering::SeqCst);
            let q = Queue::<DropCounter>::bounded(0);
            thread::scope(|s| {
                s.spawn(|| {
                    for _ in 0..steps {
                        q.get().unwrap();
                    }
                });
                s.spawn(|| {
                    for _ in 0..steps {
                        q.put(DropCounter).unwrap();
                    }
                });
            });
            assert_eq!(DROPS.load(Ordering::SeqCst), steps);
            drop(q);
            assert_eq!(DROPS.load(Ordering::SeqCst), steps);
        }
    });
}

/// Which waiting putter a getter takes from: the oldest (FIFO), the newest
/// (LIFO), the smallest (priority). Putters are started one at a time, each
/// known to wait before the next starts.
fn order_of_waiting_putters<D>(items: [u32; 3]) -> Vec<u32>
where
    D: Discipline<u32> + Send + Sync + 'static,
{
    within("order", move || {
        let q: BlockingQueue<u32, D> = BlockingQueue::bounded(0);
        thread::scope(|s| {
            let mut putters = Vec::new();
            for (n, item) in items.into_iter().enumerate() {
                let q = &q;
                putters.push(s.spawn(move || q.put(item)));
                until_blocked(q, 0, n + 1);
            }
            let got = (0..3).map(|_| q.get().unwrap()).collect();
            for p in putters {
                p.join().unwrap().unwrap();
            }
            got
        })
    })
}

#[test]
fn fifo_takes_the_oldest_waiting_putter() {
    assert_eq!(order_of_waiting_putters::<Fifo<u32>>([2, 3, 1]), [2, 3, 1]);
}

#[test]
fn lifo_takes_the_newest_waiting_putter() {
    assert_eq!(order_of_waiting_putters::<Lifo<u32>>([2, 3, 1]), [1, 3, 2]);
}

#[test]
fn priority_takes_the_smallest_waiting_item() {
    assert_eq!(
        order_of_waiting_putters::<Priority<u32>>([2, 3, 1]),
        [1, 2, 3]
    );
}

#[test]
fn task_done_and_join_count_hand_offs() {
    within("tasks", || {
        let q = LifoQueue::bounded(0);
        thread::scope(|s| {
            s.spawn(|| {
                for i in 0..10 {
                    q.put(i).unwrap();
                }
                q.shutdown();
            });
            for item in &q {
                assert!(item < 10);
                q.task_done().unwrap();
            }
        });
        q.join();
        assert_eq!(q.unfinished_tasks(), 0);
        assert!(q.task_done().is_err());
    });
}

#[test]
fn get_many_takes_from_waiting_putters() {
    within("get_many", || {
        let q = Queue::bounded(0);
        thread::scope(|s| {
            let putters: Vec<_> = (1..=4)
                .map(|i| {
                    let q = &q;
                    let p = s.spawn(move || q.put(i));
                    until_blocked(q, 0, i);
                    p
                })
                .collect();
            assert_eq!(q.get_many(3), Ok(vec![1, 2, 3]));
            assert_eq!(q.try_get_many(10), Ok(vec![4]));
            assert_eq!(q.try_get_many(10), Err(GetError::Empty));
            for p in putters {
                p.join().unwrap().unwrap();
            }
        });
        assert_eq!(q.try_get_many(2), Err(GetError::Empty));
        assert_eq!(q.unfinished_tasks(), 4);
    });
}

#[test]
fn put_all_hands_off_one_by_one_and_returns_the_rest_at_shutdown() {
    within("put_all", || {
        let q = Queue::bounded(0);
        thread::scope(|s| {
            s.spawn(|| q.put_all(0..100).unwrap());
            let got: Vec<i32> = (0..100).map(|_| q.get().unwrap()).collect();
            assert_eq!(got, (0..100).collect::<Vec<_>>());
        });
        thread::scope(|s| {
            let putter = s.spawn(|| q.put_all([1, 2, 3]));
            assert_eq!(q.get(), Ok(1));
            until_blocked(&q, 0, 1);
            q.shutdown();
            let rest = putter.join().unwrap().unwrap_err();
            assert_eq!(rest.into_remaining().collect::<Vec<_>>(), [2, 3]);
        });
    });
}

/// A waker that counts its wakes.
struct CountWake(AtomicUsize);
impl std::task::Wake for CountWake {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn async_put_and_get_meet() {
    within("async", || {
        let q = Queue::bounded(0);
        // A task putter and a thread getter.
        thread::scope(|s| {
            let getter = s.spawn(|| q.get());
            futures::executor::block_on(q.put_async(1)).unwrap();
            assert_eq!(getter.join().unwrap(), Ok(1));
        });
        // A thread putter and a task getter.
        thread::scope(|s| {
            let putter = s.spawn(|| q.put(2));
            assert_eq!(futures::executor::block_on(q.get_async()), Ok(2));
            putter.join().unwrap().unwrap();
        });
        // Two tasks.
        let (put, got) =
            futures::executor::block_on(async { futures::join!(q.put_async(3), q.get_async()) });
        assert_eq!((put, got), (Ok(()), Ok(3)));
        assert_eq!(q.unfinished_tasks(), 3);
    });
}

#[test]
fn a_cancelled_async_put_takes_its_item_back() {
    within("a_cancelled_async_put_takes_its_item_back", || {
        let live = AtomicUsize::new(0);
        let counted = Queue::bounded(0);
        let q = Queue::bounded(0);
        let wake = Arc::new(CountWake(AtomicUsize::new(0)));
        let waker = Waker::from(wake.clone());
        let mut cx = Context::from_waker(&waker);
        // Dropped while offered: the item is dropped with the future.
        let mut put = counted.put_async(common::Counted::new(&live));
        assert!(Pin::new(&mut put).poll(&mut cx).is_pending());
        assert_eq!(counted.blocked_putters(), 1);
        assert_eq!(live.load(Ordering::SeqCst), 1);
        drop(put);
        assert_eq!(live.load(Ordering::SeqCst), 0, "dropped with the future");
        assert_eq!(counted.blocked_putters(), 0);
        assert!(counted.try_get().is_err());
        // `into_item` hands it back.
        let mut put = q.put_async(7);
        assert!(Pin::new(&mut put).poll(&mut cx).is_pending());
        assert_eq!(put.into_item(), Some(7));
        assert_eq!(q.try_get(), Err(GetError::Empty));
        // Taken by a getter before the cancel: the put happened, nothing comes back.
        let mut put = q.put_async(8);
        assert!(Pin::new(&mut put).poll(&mut cx).is_pending());
        assert_eq!(q.try_get(), Ok(8));
        assert_eq!(wake.0.load(Ordering::SeqCst), 1, "the getter woke the task");
        assert_eq!(put.into_item(), None);
        assert_eq!(q.unfinished_tasks(), 1);
    });
}

#[test]
fn async_put_is_handed_back_at_shutdown() {
    within("async_put_is_handed_back_at_shutdown", || {
        let q = Queue::bounded(0);
        let mut put = q.put_async("x");
        let mut cx = Context::from_waker(Waker::noop());
        assert!(Pin::new(&mut put).poll(&mut cx).is_pending());
        q.shutdown();
        assert_eq!(
            Pin::new(&mut put).poll(&mut cx),
            Poll::Ready(Err(PutShutDownError("x")))
        );
    });
}

#[test]
fn select_put_arm_hands_off_to_a_blocked_getter() {
    within("select put", || {
        let q = Queue::bounded(0);
        let other: Queue<u8> = Queue::unbounded();
        let mut item = Some(5);
        // Nobody gets: the select times out and the item is still ours.
        let r = Select::new()
            .put(&q, &mut item, |r| r.is_ok())
            .get(&other, |_| false)
            .wait_timeout(ms(20));
        assert_eq!(r, None);
        assert_eq!(item, Some(5));
        assert_eq!(q.blocked_putters(), 0, "the offer was taken back");
        thread::scope(|s| {
            let getter = s.spawn(|| q.get());
            until_blocked(&q, 1, 0);
            let r = Select::new()
                .put(&q, &mut item, |r| r.is_ok())
                .get(&other, |_| false)
                .wait();
            assert_eq!(r, Some(true));
            assert_eq!(getter.join().unwrap(), Ok(5));
        });
        assert_eq!(item, None);
    });
}

#[test]
fn select_put_arm_waits_for_a_getter_that_comes_later() {
    within("select offer", || {
        let q = Queue::bounded(0);
        let mut item = Some(9);
        thread::scope(|s| {
            let getter = s.spawn(|| {
                until_blocked(&q, 0, 1); // the select's offer
                q.get()
            });
            let r = Select::new().put(&q, &mut item, |r| r).wait();
            assert_eq!(r, Some(Ok(())));
            assert_eq!(getter.join().unwrap(), Ok(9));
        });
    });
}

#[test]
fn select_get_arm_takes_from_a_waiting_putter() {
    within("select get", || {
        let a = Queue::<u8>::bounded(0);
        let b = PriorityQueue::bounded(0);
        thread::scope(|s| {
            let putter = s.spawn(|| b.put(3));
            let r = Select::new()
                .get(&a, |r| ('a', r))
                .get(&b, |r| ('b', r))
                .wait();
            assert_eq!(r, Some(('b', Ok(3))));
            putter.join().unwrap().unwrap();
        });
    });
}

/// crossbeam's `fairness`: a select over two put arms against a select over
/// two get arms, both on rendezvous queues; neither arm starves.
#[test]
fn fairness() {
    const COUNT: usize = 2_000;
    within("fairness", || {
        let q1 = Queue::<()>::bounded(0);
        let q2 = Queue::<()>::bounded(0);
        thread::scope(|s| {
            s.spawn(|| {
                let mut hits = [0usize; 2];
                let mut sel = Select::new().get(&q1, |_| 0).get(&q2, |_| 1);
                for _ in 0..COUNT {
                    hits[sel.wait().unwrap()] += 1;
                }
                assert!(hits.iter().all(|&h| h >= COUNT / 4), "{hits:?}");
            });
            let mut hits = [0usize; 2];
            for _ in 0..COUNT {
                let (mut a, mut b) = (Some(()), Some(()));
                let i = Select::new()
                    .put(&q1, &mut a, |r| r.map(|_| 0).unwrap())
                    .put(&q2, &mut b, |r| r.map(|_| 1).unwrap())
                    .wait()
                    .unwrap();
                hits[i] += 1;
                // Exactly one put happened; the other item is back in its slot.
                assert_eq!(usize::from(a.is_some()) + usize::from(b.is_some()), 1);
            }
            assert!(hits.iter().all(|&h| h >= COUNT / 4), "{hits:?}");
        });
    });
}

#[test]
fn delay_queue_hands_off_due_items_and_refuses_later_ones() {
    within("delay", || {
        let q = DelayQueue::bounded(0);
        assert_eq!(
            q.put_after('x', Duration::from_secs(3600)),
            Err(PutError::Full('x')),
            "a rendezvous delay queue cannot hold an item until it is due"
        );
        assert_eq!(q.peek_deadline(), None);
        thread::scope(|s| {
            let getter = s.spawn(|| q.get());
            until_blocked(&q, 1, 0);
            assert_eq!(q.try_put_at('y', Instant::now()), Ok(()));
            assert_eq!(getter.join().unwrap(), Ok('y'));
            let putter = s.spawn(|| q.put('z'));
            assert_eq!(q.get(), Ok('z'));
            putter.join().unwrap().unwrap();
        });
    });
}

/// An item whose `Ord` panics at the comparison numbered `PANIC_AT` (counted
/// from 1 in `CMPS`).
#[derive(Debug, PartialEq, Eq)]
struct Bomb(u32);
static CMPS: AtomicUsize = AtomicUsize::new(0);
static PANIC_AT: AtomicUsize = AtomicUsize::new(usize::MAX);
impl PartialOrd for Bomb {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Bomb {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        if CMPS.fetch_add(1, Ordering::SeqCst) + 1 == PANIC_AT.load(Ordering::SeqCst) {
            panic!("Ord panics");
        }
        self.0.cmp(&other.0)
    }
}

/// A priority `try_get_many` whose `Ord` panics after its batch took an item
/// from a waiting putter: that putter is still woken (its put happened), the
/// others keep waiting with their items, and nothing is lost.
#[test]
fn a_panicking_ord_wakes_the_putters_already_served() {
    within("panicking ord", || {
        let q = PriorityQueue::bounded(0);
        thread::scope(|s| {
            let putters: Vec<_> = [3, 1, 2, 4]
                .into_iter()
                .enumerate()
                .map(|(n, i)| {
                    let q = &q;
                    let p = s.spawn(move || q.put(Bomb(i)).map_err(|e| e.into_inner().0));
                    until_blocked(q, 0, n + 1);
                    p
                })
                .collect();
            // Four offers: the first item (1) is picked with 3 comparisons, the
            // batch's next (2) with 2, and the third pick panics at once.
            CMPS.store(0, Ordering::SeqCst);
            PANIC_AT.store(6, Ordering::SeqCst);
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| q.try_get_many(4)));
            PANIC_AT.store(usize::MAX, Ordering::SeqCst);
            assert!(r.is_err(), "the sixth comparison panics");
            // 1 and 2 were taken (and dropped with the panic): their putters return.
            let mut putters = putters.into_iter();
            let (p3, p1, p2, p4) = (
                putters.next().unwrap(),
                putters.next().unwrap(),
                putters.next().unwrap(),
                putters.next().unwrap(),
            );
            assert_eq!(p1.join().unwrap(), Ok(()));
            assert_eq!(p2.join().unwrap(), Ok(()));
            assert_eq!(q.blocked_putters(), 2);
            assert_eq!(q.get(), Ok(Bomb(3)));
            assert_eq!(q.get(), Ok(Bomb(4)));
            assert_eq!(p3.join().unwrap(), Ok(()));
            assert_eq!(p4.join().unwrap(), Ok(()));
        });
    });
}

#[test]
fn owned_put_future_and_put_item_arm_hand_their_items_back() {
    within("owned", || {
        let q = Arc::new(Queue::bounded(0));
        let mut cx = Context::from_waker(Waker::noop());
        // An owned put, offered then cancelled: the item comes back.
        let mut put = Arc::clone(&q).put_owned(1);
        assert!(Pin::new(&mut put).poll(&mut cx).is_pending());
        assert_eq!(q.blocked_putters(), 1);
        assert_eq!(put.into_item(), Some(1));
        assert_eq!(q.blocked_putters(), 0);
        // A `put_item` arm whose select times out: the item goes to `unsent`
        // once, after the select took its offer back.
        let back = std::cell::Cell::new(None);
        let r = Select::new()
            .put_item(&*q, 2, |r| r.is_ok(), |item| back.set(Some(item)))
            .wait_timeout(ms(20));
        assert_eq!(r, None);
        assert_eq!(back.get(), Some(2));
        assert_eq!(q.try_get(), Err(GetError::Empty));
        // And one that a getter takes.
        thread::scope(|s| {
            let getter = s.spawn(|| q.get());
            until_blocked(&q, 1, 0);
            let r = Select::new()
                .put_item(&*q, 3, |r| r.is_ok(), |_| panic!("put, not unsent"))
                .wait();
            assert_eq!(r, Some(true));
            assert_eq!(getter.join().unwrap(), Ok(3));
        });
    });
}
