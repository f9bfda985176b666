//! The batch get (`get_many` and its forms) with real threads: waits for one item
//! then takes up to `max` in one hold; `max == 0`; timeouts; the caller's buffer;
//! every putter woken for the slots it frees; `task_done` accounting; exactly once
//! under load on every discipline. No sleeps as synchronisation; a watchdog on
//! everything that could hang.

mod common;

use common::within;
use queuekit::{
    BlockingQueue, Discipline, Fifo, GetError, Lifo, LifoQueue, Priority, PriorityQueue, Queue,
};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering as AtomicOrdering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

fn until(ready: impl Fn() -> bool) {
    while !ready() {
        thread::yield_now();
    }
}

#[test]
fn max_zero_takes_nothing_and_never_blocks() {
    let q = Queue::<u8>::unbounded();
    assert_eq!(q.get_many(0), Ok(vec![]), "empty queue: no wait");
    q.put(1).unwrap();
    assert_eq!(q.get_many(0), Ok(vec![]));
    assert_eq!(q.try_get_many(0), Ok(vec![]));
    let mut buf = vec![9];
    assert_eq!(q.get_many_into(&mut buf, 0), Ok(0));
    assert_eq!(buf, [9]);
    q.shutdown();
    assert_eq!(q.get_many(0), Ok(vec![]), "even shut down");
    assert_eq!(q.len(), 1, "nothing taken");
}

#[test]
fn takes_up_to_max_in_get_order_on_every_discipline() {
    let fifo = Queue::unbounded();
    let lifo = LifoQueue::unbounded();
    let prio = PriorityQueue::unbounded();
    for i in [3, 1, 4, 1, 5] {
        fifo.put(i).unwrap();
        lifo.put(i).unwrap();
        prio.put(i).unwrap();
    }
    assert_eq!(fifo.get_many(3), Ok(vec![3, 1, 4]));
    assert_eq!(lifo.get_many(3), Ok(vec![5, 1, 4]));
    assert_eq!(prio.get_many(3), Ok(vec![1, 1, 3]));
    assert_eq!(fifo.get_many(usize::MAX), Ok(vec![1, 5]));
    assert_eq!(lifo.get_many(usize::MAX), Ok(vec![1, 3]));
    assert_eq!(prio.get_many(usize::MAX), Ok(vec![4, 5]));
}

/// On the two-lock FIFO the take side can hold older items while the put side
/// holds newer ones: one call takes both, in order.
#[test]
fn fifo_takes_across_both_sides_in_order() {
    let q = Queue::bounded(8);
    q.put_all(0..4).unwrap();
    assert_eq!(q.get(), Ok(0)); // swaps 0..4 to the take side
    q.put_all(4..8).unwrap(); // on the put side
    assert_eq!(q.get_many(5), Ok(vec![1, 2, 3, 4, 5]));
    assert_eq!(q.get_many(5), Ok(vec![6, 7]));
    assert!(q.is_empty());
}

/// A consumer asleep in `get_many` on an empty queue wakes for the first put and
/// returns between one and `max` items.
fn blocks_until_an_item_arrives<D>()
where
    D: Discipline<u32> + Send + 'static,
{
    within("get_many waiting for items", || {
        let q: Arc<BlockingQueue<u32, D>> = Arc::new(BlockingQueue::unbounded());
        let consumer = {
            let q = Arc::clone(&q);
            thread::spawn(move || q.get_many(4))
        };
        until(|| q.blocked_getters() == 1);
        q.put_all(0..10).unwrap();
        let got = consumer.join().unwrap().unwrap();
        assert!((1..=4).contains(&got.len()), "{got:?}");
        assert_eq!(q.len(), 10 - got.len());
    });
}

#[test]
fn blocks_until_an_item_arrives_fifo() {
    blocks_until_an_item_arrives::<Fifo<u32>>();
}

#[test]
fn blocks_until_an_item_arrives_lifo() {
    blocks_until_an_item_arrives::<Lifo<u32>>();
}

#[test]
fn blocks_until_an_item_arrives_priority() {
    blocks_until_an_item_arrives::<Priority<u32>>();
}

/// `get_many` on a full queue frees many slots at once and wakes every putter it
/// made room for, not one.
fn wakes_every_putter_it_frees_a_slot_for<D>()
where
    D: Discipline<u32> + Send + 'static,
{
    within("putters after get_many", || {
        let q: Arc<BlockingQueue<u32, D>> = Arc::new(BlockingQueue::bounded(4));
        q.put_all(0..4).unwrap();
        let putters: Vec<_> = (4..8)
            .map(|i| {
                let q = Arc::clone(&q);
                thread::spawn(move || q.put(i))
            })
            .collect();
        until(|| q.blocked_putters() == 4);
        assert_eq!(q.get_many(4).unwrap().len(), 4);
        for p in putters {
            p.join().unwrap().unwrap();
        }
        let mut rest = q.get_many(8).unwrap();
        rest.sort_unstable();
        assert_eq!(rest, [4, 5, 6, 7]);
    });
}

#[test]
fn wakes_every_putter_fifo() {
    wakes_every_putter_it_frees_a_slot_for::<Fifo<u32>>();
}

#[test]
fn wakes_every_putter_lifo() {
    wakes_every_putter_it_frees_a_slot_for::<Lifo<u32>>();
}

#[test]
fn wakes_every_putter_priority() {
    wakes_every_putter_it_frees_a_slot_for::<Priority<u32>>();
}

#[test]
fn shutdown_drains_then_fails_and_wakes_a_sleeping_batch_getter() {
    within("get_many after shutdown", || {
        let q = Arc::new(Queue::<u32>::unbounded());
        let consumer = {
            let q = Arc::clone(&q);
            thread::spawn(move || q.get_many(8))
        };
        until(|| q.blocked_getters() == 1);
        q.shutdown();
        assert_eq!(consumer.join().unwrap(), Err(GetError::ShutDown));

        let q = Queue::unbounded();
        q.put_all([1, 2, 3]).unwrap();
        q.shutdown();
        assert_eq!(q.get_many(2), Ok(vec![1, 2]));
        assert_eq!(q.get_many(2), Ok(vec![3]));
        assert_eq!(q.get_many(2), Err(GetError::ShutDown));
        assert_eq!(q.try_get_many(2), Err(GetError::ShutDown));
        assert_eq!(
            q.get_many_timeout(2, Duration::from_secs(60)),
            Err(GetError::ShutDown)
        );
    });
}

#[test]
fn each_item_taken_is_one_unfinished_task() {
    let q = Queue::unbounded();
    q.put_all(0..5).unwrap();
    let got = q.get_many(3).unwrap();
    assert_eq!(q.unfinished_tasks(), 5, "taking does not finish a task");
    for _ in &got {
        q.task_done().unwrap();
    }
    assert_eq!(q.unfinished_tasks(), 2);
    assert!(!q.join_timeout(Duration::ZERO));
    let rest = q.get_many(8).unwrap();
    for _ in rest {
        q.task_done().unwrap();
    }
    assert!(q.join_timeout(Duration::ZERO));
}

#[test]
fn timeouts_expire_no_earlier_than_asked() {
    let q = Queue::<u8>::unbounded();
    let wait = Duration::from_millis(20);
    let t0 = Instant::now();
    assert_eq!(q.get_many_timeout(4, wait), Err(GetError::Empty));
    assert!(t0.elapsed() >= wait);
    let deadline = Instant::now() + wait;
    assert_eq!(q.get_many_deadline(4, deadline), Err(GetError::Empty));
    assert!(Instant::now() >= deadline);
    // A zero timeout and a past deadline do not block.
    assert_eq!(q.get_many_timeout(4, Duration::ZERO), Err(GetError::Empty));
    assert_eq!(q.get_many_deadline(4, t0), Err(GetError::Empty));
    // Too large for `Instant`: no timeout; an item present is taken at once.
    q.put(1).unwrap();
    assert_eq!(q.get_many_timeout(4, Duration::MAX), Ok(vec![1]));
}

#[test]
fn a_timed_batch_getter_is_woken_by_a_put() {
    within("timed get_many woken by a put", || {
        let q = Arc::new(LifoQueue::unbounded());
        let consumer = {
            let q = Arc::clone(&q);
            thread::spawn(move || q.get_many_timeout(4, Duration::from_secs(60)))
        };
        until(|| q.blocked_getters() == 1);
        q.put(7).unwrap();
        assert_eq!(consumer.join().unwrap(), Ok(vec![7]));
    });
}

#[test]
fn get_many_into_appends_and_leaves_the_buffer_alone_on_error() {
    let q = Queue::unbounded();
    let mut buf = vec![100];
    q.put_all([1, 2, 3]).unwrap();
    assert_eq!(q.get_many_into(&mut buf, 2), Ok(2));
    assert_eq!(buf, [100, 1, 2]);
    assert_eq!(q.get_many_into(&mut buf, 2), Ok(1));
    assert_eq!(buf, [100, 1, 2, 3]);
    q.shutdown();
    assert_eq!(q.get_many_into(&mut buf, 2), Err(GetError::ShutDown));
    assert_eq!(buf, [100, 1, 2, 3]);
}

/// A reused buffer stops allocating once it has room for `max`.
#[test]
fn get_many_into_reuses_the_buffer() {
    let q = Queue::bounded(64);
    let mut buf = Vec::with_capacity(16);
    let ptr = buf.as_ptr();
    for round in 0..100u32 {
        q.put_all(round * 20..round * 20 + 20).unwrap();
        while !q.is_empty() {
            q.get_many_into(&mut buf, 16).unwrap();
            buf.clear();
        }
    }
    assert_eq!(buf.as_ptr(), ptr, "no reallocation");
}

/// Every item exactly once through `get_many` consumers racing producers and a
/// final `shutdown`, on every discipline; on the FIFO each producer's order is
/// kept within each consumer's stream.
fn exactly_once_under_load<D>(producers: u64, consumers: usize, bound: usize)
where
    D: Discipline<u64> + Send + 'static,
{
    const PER: u64 = 20_000;
    within("get_many under load", move || {
        let q: Arc<BlockingQueue<u64, D>> = Arc::new(BlockingQueue::bounded(bound));
        let ps: Vec<_> = (0..producers)
            .map(|p| {
                let q = Arc::clone(&q);
                thread::spawn(move || {
                    for i in 0..PER {
                        q.put(p * PER + i).unwrap();
                    }
                })
            })
            .collect();
        let cs: Vec<_> = (0..consumers)
            .map(|c| {
                let q = Arc::clone(&q);
                thread::spawn(move || {
                    let mut got = Vec::new();
                    let mut buf = Vec::new();
                    let max = 1 + c * 31; // 1, 32, 63, 94: batch sizes differ
                    while let Ok(n) = q.get_many_into(&mut buf, max) {
                        assert!(n >= 1 && n <= max);
                        got.append(&mut buf);
                    }
                    got
                })
            })
            .collect();
        for p in ps {
            p.join().unwrap();
        }
        q.shutdown();
        let mut all = Vec::new();
        for c in cs {
            all.push(c.join().unwrap());
        }
        all
    })
    .into_iter()
    .fold(vec![0u8; (producers * PER) as usize], |mut seen, got| {
        for v in got {
            seen[v as usize] += 1;
        }
        seen
    })
    .iter()
    .enumerate()
    .for_each(|(v, &n)| assert_eq!(n, 1, "item {v} seen {n} times"));
}

#[test]
fn exactly_once_fifo_4p1c_bounded() {
    exactly_once_under_load::<Fifo<u64>>(4, 1, 1024);
}

#[test]
fn exactly_once_fifo_4p4c_bounded_small() {
    exactly_once_under_load::<Fifo<u64>>(4, 4, 3);
}

#[test]
fn exactly_once_lifo_2p2c() {
    exactly_once_under_load::<Lifo<u64>>(2, 2, 16);
}

#[test]
fn exactly_once_priority_2p2c() {
    exactly_once_under_load::<Priority<u64>>(2, 2, 16);
}

/// FIFO keeps each producer's order across batches for a single consumer.
#[test]
fn fifo_keeps_each_producers_order_across_batches() {
    within("fifo order across batches", || {
        let q = Arc::new(Queue::bounded(64));
        let ps: Vec<_> = (0..3u64)
            .map(|p| {
                let q = Arc::clone(&q);
                thread::spawn(move || q.put_all((0..10_000u64).map(|i| (p, i))).unwrap())
            })
            .collect();
        let consumer = {
            let q = Arc::clone(&q);
            thread::spawn(move || {
                let mut next = [0u64; 3];
                while let Ok(batch) = q.get_many(50) {
                    for (p, i) in batch {
                        assert_eq!(i, next[p as usize], "producer {p} reordered");
                        next[p as usize] += 1;
                    }
                }
                next
            })
        };
        for p in ps {
            p.join().unwrap();
        }
        q.shutdown();
        assert_eq!(consumer.join().unwrap(), [10_000; 3]);
    });
}

/// Compares by `key` and panics while `PANIC` is set.
#[derive(Debug)]
struct Touchy {
    key: u32,
    _owned: Box<u32>,
}

static PANIC: AtomicBool = AtomicBool::new(false);

impl Ord for Touchy {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        assert!(!PANIC.load(AtomicOrdering::Relaxed), "Ord panicked");
        self.key.cmp(&other.key)
    }
}
impl PartialOrd for Touchy {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl PartialEq for Touchy {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl Eq for Touchy {}

/// A panicking `Ord` during a batch get leaves the priority queue unlocked and
/// consistent: what was taken before the panic is in the caller's buffer, the rest
/// is still queued, nothing lost or duplicated.
#[test]
fn panicking_ord_in_get_many_into_loses_nothing() {
    let q = PriorityQueue::unbounded();
    for key in [5, 3, 8, 1] {
        q.put(Touchy {
            key,
            _owned: Box::new(key),
        })
        .unwrap();
    }
    let mut buf = Vec::new();
    PANIC.store(true, AtomicOrdering::Relaxed);
    let r = catch_unwind(AssertUnwindSafe(|| q.get_many_into(&mut buf, 4)));
    PANIC.store(false, AtomicOrdering::Relaxed);
    assert!(r.is_err(), "the first pop sifts, and compares");
    let mut keys: Vec<u32> = buf.iter().map(|t| t.key).collect();
    keys.extend(
        q.try_get_many(usize::MAX)
            .unwrap_or_default()
            .into_iter()
            .map(|t| t.key),
    );
    keys.sort_unstable();
    assert_eq!(keys, [1, 3, 5, 8], "nothing lost or duplicated");
    assert_eq!(q.len(), 0, "the lock is free and len agrees");
}
