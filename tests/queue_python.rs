//! The blocking queues against Python's `queue` module, behaviour by behaviour.
//! Test names say which Python behaviour they pin down.
//!
//! No sleeps as synchronisation: a test that needs a thread to be blocked waits
//! until the queue reports it among its sleepers. A blocked thread registers under
//! the queue's lock and sleeps without releasing it in between, so once the count
//! (read under the lock by `blocked_getters` / `blocked_putters`) shows it, the
//! thread is inside its wait.

use queuekit::{
    BlockingQueue, Discipline, GetError, LifoQueue, PriorityQueue, PutError, Queue, TaskDoneError,
};
use std::cmp::Ordering;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering as AtomicOrdering};
use std::thread;
use std::time::{Duration, Instant};

/// Waits until `getters` getters and `putters` putters sleep on `q`.
fn until_blocked<T, D: Discipline<T>>(q: &BlockingQueue<T, D>, getters: usize, putters: usize) {
    while q.blocked_getters() != getters || q.blocked_putters() != putters {
        thread::yield_now();
    }
}

// ---- maxsize ------------------------------------------------------------------

#[test]
fn maxsize_limits_the_queue_and_full_reports_it() {
    let q = Queue::bounded(3);
    assert_eq!(q.capacity(), Some(3));
    for i in 0..3 {
        assert!(!q.is_full());
        q.put(i).unwrap();
    }
    assert!(q.is_full());
    assert_eq!(q.len(), 3);
    assert_eq!(q.try_put(3), Err(PutError::Full(3)));
    q.get().unwrap();
    assert!(!q.is_full());
    q.try_put(3).unwrap();
}

#[test]
fn maxsize_zero_means_unbounded_like_python() {
    let q = Queue::bounded(0);
    assert_eq!(q.capacity(), None);
    for i in 0..10_000 {
        q.try_put(i).unwrap();
    }
    assert!(!q.is_full());
    assert_eq!(q.len(), 10_000);
}

#[test]
fn the_largest_bound_is_still_reported_as_a_bound() {
    // usize::MAX is a real bound the caller asked for, not "unbounded".
    let q = Queue::bounded(usize::MAX);
    assert_eq!(q.capacity(), Some(usize::MAX));
    q.put_all(0..1000).unwrap();
    assert!(!q.is_full());
    assert_eq!(
        LifoQueue::<u8>::bounded(usize::MAX).capacity(),
        Some(usize::MAX)
    );
    assert_eq!(
        PriorityQueue::<u8>::bounded(usize::MAX).capacity(),
        Some(usize::MAX)
    );
}

#[test]
fn unbounded_queue_is_never_full() {
    let q = LifoQueue::unbounded();
    q.put_all(0..5000).unwrap();
    assert!(!q.is_full());
    assert_eq!(q.capacity(), None);
}

#[test]
fn qsize_empty_full_track_puts_and_gets() {
    let q = PriorityQueue::bounded(2);
    assert!(q.is_empty());
    q.put(5).unwrap();
    assert_eq!((q.len(), q.is_empty(), q.is_full()), (1, false, false));
    q.put(4).unwrap();
    assert_eq!((q.len(), q.is_empty(), q.is_full()), (2, false, true));
    q.get().unwrap();
    q.get().unwrap();
    assert!(q.is_empty());
}

// ---- Full / Empty on non-blocking calls ----------------------------------------

#[test]
fn put_nowait_on_full_queue_raises_full_and_gives_the_item_back() {
    let q = Queue::bounded(1);
    q.try_put(String::from("kept")).unwrap();
    let err = q.try_put(String::from("refused")).unwrap_err();
    assert!(err.is_full());
    assert_eq!(err.into_inner(), "refused");
    assert_eq!(q.get().unwrap(), "kept");
}

#[test]
fn get_nowait_on_empty_queue_raises_empty() {
    let q = Queue::<u8>::unbounded();
    assert_eq!(q.try_get(), Err(GetError::Empty));
    q.put(1).unwrap();
    assert_eq!(q.try_get(), Ok(1));
    assert_eq!(q.try_get(), Err(GetError::Empty));
}

#[test]
fn zero_timeout_is_non_blocking() {
    let q = Queue::bounded(1);
    assert_eq!(q.get_timeout(Duration::ZERO), Err(GetError::Empty));
    q.put_timeout(1, Duration::ZERO).unwrap();
    assert_eq!(q.put_timeout(2, Duration::ZERO), Err(PutError::Full(2)));
    assert_eq!(q.get_timeout(Duration::ZERO), Ok(1));
}

#[test]
fn past_deadline_is_non_blocking_but_takes_what_is_there() {
    let q = Queue::bounded(1);
    let past = Instant::now();
    assert_eq!(q.get_deadline(past), Err(GetError::Empty));
    q.put_deadline(1, past).unwrap();
    assert_eq!(q.put_deadline(2, past), Err(PutError::Full(2)));
    assert_eq!(q.get_deadline(past), Ok(1));
}

// ---- timeouts --------------------------------------------------------------------

#[test]
fn get_with_timeout_raises_empty_no_earlier_than_the_timeout() {
    let q = Queue::<u8>::unbounded();
    for ms in [1u64, 20, 50] {
        let asked = Duration::from_millis(ms);
        let t0 = Instant::now();
        assert_eq!(q.get_timeout(asked), Err(GetError::Empty));
        assert!(t0.elapsed() >= asked, "gave up after {:?}", t0.elapsed());
    }
    let deadline = Instant::now() + Duration::from_millis(20);
    assert_eq!(q.get_deadline(deadline), Err(GetError::Empty));
    assert!(Instant::now() >= deadline);
}

#[test]
fn put_with_timeout_raises_full_no_earlier_than_the_timeout() {
    let q = Queue::bounded(1);
    q.put(0).unwrap();
    for ms in [1u64, 20, 50] {
        let asked = Duration::from_millis(ms);
        let t0 = Instant::now();
        assert_eq!(q.put_timeout(ms, asked), Err(PutError::Full(ms)));
        assert!(t0.elapsed() >= asked, "gave up after {:?}", t0.elapsed());
    }
    let deadline = Instant::now() + Duration::from_millis(20);
    assert_eq!(q.put_deadline(9, deadline), Err(PutError::Full(9)));
    assert!(Instant::now() >= deadline);
    assert_eq!(q.len(), 1);
}

#[test]
fn get_with_timeout_returns_an_item_put_while_it_waits() {
    let q = Queue::unbounded();
    thread::scope(|s| {
        let getter = s.spawn(|| q.get_timeout(Duration::from_secs(60)));
        until_blocked(&q, 1, 0);
        q.put("late").unwrap();
        assert_eq!(getter.join().unwrap(), Ok("late"));
    });
}

#[test]
fn put_with_timeout_uses_a_slot_freed_while_it_waits() {
    let q = Queue::bounded(1);
    q.put(1).unwrap();
    thread::scope(|s| {
        let putter = s.spawn(|| q.put_timeout(2, Duration::from_secs(60)));
        until_blocked(&q, 0, 1);
        assert_eq!(q.get(), Ok(1));
        assert_eq!(putter.join().unwrap(), Ok(()));
        assert_eq!(q.get(), Ok(2));
    });
}

#[test]
fn timeout_too_large_for_instant_means_no_timeout() {
    let q = Queue::bounded(1);
    thread::scope(|s| {
        let getter = s.spawn(|| q.get_timeout(Duration::MAX));
        until_blocked(&q, 1, 0);
        q.put(1).unwrap();
        assert_eq!(getter.join().unwrap(), Ok(1));

        q.put(2).unwrap();
        let putter = s.spawn(|| q.put_timeout(3, Duration::MAX));
        until_blocked(&q, 0, 1);
        assert_eq!(q.get(), Ok(2));
        assert_eq!(putter.join().unwrap(), Ok(()));
    });
}

// ---- task_done / join --------------------------------------------------------------

#[test]
fn task_done_called_too_many_times_raises() {
    let q = Queue::unbounded();
    assert_eq!(q.task_done(), Err(TaskDoneError));
    q.put(1).unwrap();
    q.get().unwrap();
    assert_eq!(q.task_done(), Ok(()));
    assert_eq!(q.task_done(), Err(TaskDoneError));
    assert_eq!(q.unfinished_tasks(), 0);
}

#[test]
fn unfinished_tasks_counts_puts_until_task_done() {
    let q = Queue::unbounded();
    q.put_all(0..3).unwrap();
    assert_eq!(q.unfinished_tasks(), 3);
    q.get().unwrap();
    assert_eq!(q.unfinished_tasks(), 3, "get alone does not finish a task");
    q.task_done().unwrap();
    assert_eq!(q.unfinished_tasks(), 2);
    assert!(q.try_put(9).is_ok());
    assert_eq!(q.unfinished_tasks(), 3);
}

#[test]
fn join_waits_for_every_task_done() {
    const JOBS: usize = 200;
    let q = Queue::bounded(8);
    let finished = AtomicUsize::new(0);
    thread::scope(|s| {
        for _ in 0..3 {
            s.spawn(|| {
                for _job in &q {
                    finished.fetch_add(1, AtomicOrdering::Relaxed);
                    q.task_done().unwrap();
                }
            });
        }
        for i in 0..JOBS {
            q.put(i).unwrap();
        }
        q.join();
        // join returned: every job was finished before its task_done.
        assert_eq!(finished.load(AtomicOrdering::Relaxed), JOBS);
        assert_eq!(q.unfinished_tasks(), 0);
        q.shutdown();
    });
}

#[test]
fn join_with_timeout_reports_unfinished_work() {
    let q = Queue::unbounded();
    assert!(q.join_timeout(Duration::ZERO));
    q.put(1).unwrap();
    let t0 = Instant::now();
    assert!(!q.join_timeout(Duration::from_millis(20)));
    assert!(t0.elapsed() >= Duration::from_millis(20));
    q.get().unwrap();
    assert!(!q.join_timeout(Duration::ZERO), "taken but not done");
    q.task_done().unwrap();
    assert!(q.join_timeout(Duration::ZERO));
}

// ---- order -------------------------------------------------------------------------

#[test]
fn fifo_queue_returns_items_in_put_order() {
    let q = Queue::unbounded();
    q.put_all([3, 1, 2]).unwrap();
    assert_eq!(q.try_get_many(usize::MAX).unwrap_or_default(), [3, 1, 2]);
}

#[test]
fn lifo_queue_returns_the_newest_item_first() {
    let q = LifoQueue::unbounded();
    for i in 0..5 {
        q.put(i).unwrap();
    }
    let got: Vec<_> = (0..5).map(|_| q.get().unwrap()).collect();
    assert_eq!(got, [4, 3, 2, 1, 0]);
    q.put(7).unwrap();
    q.put(8).unwrap();
    assert_eq!(q.get(), Ok(8));
    q.put(9).unwrap();
    assert_eq!(q.try_get_many(9).unwrap_or_default(), [9, 7]);
}

#[test]
fn priority_queue_returns_the_lowest_item_first() {
    let q = PriorityQueue::unbounded();
    for entry in [(3, "c"), (1, "a"), (4, "d"), (1, "a2"), (2, "b")] {
        q.put(entry).unwrap();
    }
    let got: Vec<_> = (0..5).map(|_| q.get().unwrap()).collect();
    assert_eq!(got, [(1, "a"), (1, "a2"), (2, "b"), (3, "c"), (4, "d")]);
}

/// An item ordered by `key` only: items with equal keys are "equal" to `Ord`.
#[derive(Debug, PartialEq, Eq)]
struct Keyed {
    key: u8,
    id: usize,
}

impl Ord for Keyed {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key.cmp(&other.key)
    }
}

impl PartialOrd for Keyed {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[test]
fn priority_queue_ties_come_out_first_in_first_out() {
    // Python's heapq gives no order among equal priorities; queuekit gives FIFO.
    let q = PriorityQueue::unbounded();
    let keys = [2u8, 0, 2, 1, 0, 2, 1, 1, 0, 2, 2, 0];
    for (id, &key) in keys.iter().enumerate() {
        q.put(Keyed { key, id }).unwrap();
    }
    // Interleave gets with more puts: the tie-break must hold across both.
    let first = q.get().unwrap();
    assert_eq!((first.key, first.id), (0, 1));
    q.put(Keyed { key: 0, id: 100 }).unwrap();
    let mut got = vec![(first.key, first.id)];
    got.extend(
        q.try_get_many(usize::MAX)
            .unwrap_or_default()
            .into_iter()
            .map(|k| (k.key, k.id)),
    );
    let mut want: Vec<(u8, usize)> = keys.iter().copied().zip(0..).collect();
    want.push((0, 100));
    want.sort_by_key(|&(key, id)| (key, id)); // stable order by (key, put order)
    assert_eq!(got, want);
}

// ---- shutdown (Python 3.13) -----------------------------------------------------------

#[test]
fn shutdown_wakes_blocked_getters_with_shutdown() {
    let q = Queue::<u32>::unbounded();
    thread::scope(|s| {
        let getters: Vec<_> = (0..3).map(|_| s.spawn(|| q.get())).collect();
        let timed = s.spawn(|| q.get_timeout(Duration::from_secs(60)));
        until_blocked(&q, 4, 0);
        q.shutdown();
        for g in getters {
            assert_eq!(g.join().unwrap(), Err(GetError::ShutDown));
        }
        assert_eq!(timed.join().unwrap(), Err(GetError::ShutDown));
    });
    assert!(q.is_shutdown());
}

#[test]
fn shutdown_wakes_blocked_putters_and_gives_their_items_back() {
    let q = Queue::bounded(1);
    q.put(0).unwrap();
    thread::scope(|s| {
        let q = &q;
        let putters: Vec<_> = (1..=3).map(|i| (i, s.spawn(move || q.put(i)))).collect();
        until_blocked(q, 0, 3);
        q.shutdown();
        for (i, p) in putters {
            assert_eq!(p.join().unwrap(), Err(PutError::ShutDown(i)));
        }
    });
    // The item queued before shutdown is still handed out, then ShutDown.
    assert_eq!(q.get(), Ok(0));
    assert_eq!(q.get(), Err(GetError::ShutDown));
    // shutdown leaves the task count alone: join still waits for task_done.
    assert_eq!(q.unfinished_tasks(), 1);
    assert!(!q.join_timeout(Duration::ZERO));
}

#[test]
fn shutdown_lets_gets_drain_then_raises_shutdown() {
    let q = LifoQueue::unbounded();
    q.put_all([1, 2]).unwrap();
    q.shutdown();
    q.shutdown(); // idempotent
    assert_eq!(q.put(3), Err(PutError::ShutDown(3)));
    assert_eq!(q.try_put(3), Err(PutError::ShutDown(3)));
    assert_eq!(q.get(), Ok(2));
    assert_eq!(q.get_timeout(Duration::from_secs(60)), Ok(1));
    assert_eq!(q.get(), Err(GetError::ShutDown));
    assert_eq!(q.try_get(), Err(GetError::ShutDown));
    assert_eq!(
        q.get_timeout(Duration::from_secs(60)),
        Err(GetError::ShutDown)
    );
}

#[test]
fn shutdown_immediate_returns_pending_items_and_releases_join() {
    let q = Queue::bounded(2);
    q.put_all(["a", "b"]).unwrap();
    thread::scope(|s| {
        let putter = s.spawn(|| q.put("c"));
        let joiner = s.spawn(|| q.join());
        until_blocked(&q, 0, 1);
        assert_eq!(q.shutdown_now(), ["a", "b"]);
        assert_eq!(putter.join().unwrap(), Err(PutError::ShutDown("c")));
        joiner.join().unwrap(); // the removed items' tasks are done
    });
    assert_eq!(q.unfinished_tasks(), 0);
    assert_eq!(q.get(), Err(GetError::ShutDown));
    assert!(q.shutdown_now().is_empty());
}

#[test]
fn shutdown_immediate_wakes_blocked_getters() {
    let q = Queue::<u8>::unbounded();
    thread::scope(|s| {
        let getters: Vec<_> = (0..2).map(|_| s.spawn(|| q.get())).collect();
        until_blocked(&q, 2, 0);
        assert!(q.shutdown_now().is_empty());
        for g in getters {
            assert_eq!(g.join().unwrap(), Err(GetError::ShutDown));
        }
    });
}

#[test]
fn shutdown_immediate_returns_items_in_get_order_for_every_discipline() {
    let lifo = LifoQueue::unbounded();
    lifo.put_all([1, 2, 3]).unwrap();
    assert_eq!(lifo.shutdown_now(), [3, 2, 1]);

    let prio = PriorityQueue::unbounded();
    for (id, key) in [2u8, 1, 2, 1].into_iter().enumerate() {
        prio.put(Keyed { key, id }).unwrap();
    }
    let ids: Vec<usize> = prio.shutdown_now().into_iter().map(|k| k.id).collect();
    assert_eq!(ids, [1, 3, 0, 2]);
    assert_eq!(prio.unfinished_tasks(), 0);
}

#[test]
fn shutdown_immediate_does_not_lower_tasks_below_those_taken() {
    let q = Queue::unbounded();
    q.put_all(0..4).unwrap();
    q.get().unwrap(); // taken, task still open
    assert_eq!(q.shutdown_now(), [1, 2, 3]);
    assert_eq!(q.unfinished_tasks(), 1);
    q.task_done().unwrap();
    q.join();
}

// ---- batches and iteration ----------------------------------------------------------------

#[test]
fn drain_wakes_every_putter_it_freed_a_slot_for() {
    let q = Queue::bounded(3);
    q.put_all([0, 1, 2]).unwrap();
    thread::scope(|s| {
        let q = &q;
        let putters: Vec<_> = (3..6).map(|i| s.spawn(move || q.put(i))).collect();
        until_blocked(q, 0, 3);
        assert_eq!(q.try_get_many(3).unwrap_or_default(), [0, 1, 2]);
        for p in putters {
            assert_eq!(p.join().unwrap(), Ok(()));
        }
    });
    let mut rest = q.try_get_many(10).unwrap_or_default();
    rest.sort_unstable();
    assert_eq!(rest, [3, 4, 5]);
}

#[test]
fn put_all_blocks_while_full_and_hands_back_the_rest_on_shutdown() {
    let q = Queue::bounded(2);
    thread::scope(|s| {
        let putter = s.spawn(|| q.put_all(0..10));
        until_blocked(&q, 0, 1);
        assert_eq!(q.get(), Ok(0));
        // The putter refilled the freed slot (len back to 2) and blocked again.
        // Only the putter changes `len` now, and it cannot put a third item, so
        // once both hold it is asleep.
        while q.len() != 2 || q.blocked_putters() != 1 {
            thread::yield_now();
        }
        q.shutdown();
        let err = putter.join().unwrap().unwrap_err();
        let returned: Vec<i32> = err.into_remaining().collect();
        let mut all = vec![0];
        all.extend(q.try_get_many(usize::MAX).unwrap_or_default());
        let queued = all.len();
        all.extend(returned);
        assert_eq!(
            all,
            (0..10).collect::<Vec<_>>(),
            "every item exactly once, in order"
        );
        assert_eq!(queued, 3, "two slots filled, one refilled after the get");
    });
}

#[test]
fn blocking_iterator_ends_at_shutdown_and_empty() {
    let q = Queue::bounded(4);
    let total = thread::scope(|s| {
        let consumers: Vec<_> = (0..2)
            .map(|_| s.spawn(|| (&q).into_iter().map(u64::from).sum::<u64>()))
            .collect();
        q.put_all(1..=1000u32).unwrap();
        q.shutdown();
        consumers
            .into_iter()
            .map(|c| c.join().unwrap())
            .sum::<u64>()
    });
    assert_eq!(total, 500_500);
    assert_eq!(q.iter().next(), None);
}

// ---- robustness -------------------------------------------------------------------------

#[test]
fn queues_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Queue<Box<u8>>>();
    assert_send_sync::<LifoQueue<String>>();
    assert_send_sync::<PriorityQueue<u64>>();
}

#[test]
fn debug_shows_state_without_needing_t_debug() {
    struct Opaque;
    let q = Queue::bounded(2);
    q.put(Opaque).unwrap();
    let s = format!("{q:?}");
    assert!(s.contains("capacity: Some(2)"), "{s}");
    assert!(s.contains("len: 1"), "{s}");
    assert!(s.contains("unfinished_tasks: 1"), "{s}");
}

/// Compares by `key`, and panics while `PANIC` is set. Owns heap memory, so a
/// duplicated or lost item would show up as a double free or a wrong count.
#[derive(Debug)]
struct Touchy {
    key: u32,
    _owned: Box<u32>,
}

fn touchy(key: u32) -> Touchy {
    Touchy {
        key,
        _owned: Box::new(key),
    }
}

static PANIC: AtomicBool = AtomicBool::new(false);

impl Ord for Touchy {
    fn cmp(&self, other: &Self) -> Ordering {
        assert!(!PANIC.load(AtomicOrdering::Relaxed), "Ord panicked");
        self.key.cmp(&other.key)
    }
}
impl PartialOrd for Touchy {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl PartialEq for Touchy {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl Eq for Touchy {}

#[test]
fn panicking_ord_leaves_the_priority_queue_unlocked_and_consistent() {
    let q = PriorityQueue::unbounded();
    for key in [5, 3, 8, 1, 9, 2] {
        q.put(touchy(key)).unwrap();
    }
    PANIC.store(true, AtomicOrdering::Relaxed);
    // A put that panics has still added its item; a get that panics keeps its.
    assert!(catch_unwind(AssertUnwindSafe(|| q.put(touchy(0)))).is_err());
    assert!(catch_unwind(AssertUnwindSafe(|| q.get())).is_err());
    PANIC.store(false, AtomicOrdering::Relaxed);

    assert_eq!(q.len(), 7, "the lock is free and len counts every item");
    assert_eq!(q.unfinished_tasks(), 7);
    let mut keys: Vec<u32> = q
        .try_get_many(usize::MAX)
        .unwrap_or_default()
        .into_iter()
        .map(|t| t.key)
        .collect();
    keys.sort_unstable();
    assert_eq!(keys, [0, 1, 2, 3, 5, 8, 9], "nothing lost or duplicated");
    // Still fully usable, and ordered again.
    for key in [4, 2, 6] {
        q.put(touchy(key)).unwrap();
    }
    assert_eq!(q.get().map(|t| t.key), Ok(2));

    panicking_ord_in_batches_keeps_the_priority_queue_consistent();
}

/// Run by `panicking_ord_leaves_the_priority_queue_unlocked_and_consistent`
/// (one test at a time may set `PANIC`).
fn panicking_ord_in_batches_keeps_the_priority_queue_consistent() {
    let q = PriorityQueue::bounded(8);
    q.put_all([4, 6].map(touchy)).unwrap();
    PANIC.store(true, AtomicOrdering::Relaxed);
    assert!(catch_unwind(AssertUnwindSafe(|| q.put_all([1, 2, 3].map(touchy)))).is_err());
    assert!(catch_unwind(AssertUnwindSafe(|| q.try_get_many(2).unwrap_or_default())).is_err());
    PANIC.store(false, AtomicOrdering::Relaxed);
    // The first pushed item of the batch is in (its sift panicked after the push);
    // the drain's first pop panicked before taking anything.
    assert_eq!(q.len(), 3);
    let mut keys: Vec<u32> = q
        .try_get_many(usize::MAX)
        .unwrap_or_default()
        .into_iter()
        .map(|t| t.key)
        .collect();
    keys.sort_unstable();
    assert_eq!(keys, [1, 4, 6]);
    assert_eq!(q.unfinished_tasks(), 3, "one task per item that went in");
}

#[test]
fn priority_queue_matches_a_stable_sort_under_interleaved_puts_and_gets() {
    // A reference: a sorted Vec of (key, put order); ties by put order.
    let q = PriorityQueue::unbounded();
    let mut model: Vec<(u8, usize)> = Vec::new();
    let mut x = 0x9e37_79b9_u32;
    for id in 0..5000 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        if x.is_multiple_of(3) {
            let got = q.try_get().ok().map(|k: Keyed| (k.key, k.id));
            let want = (!model.is_empty()).then(|| model.remove(0));
            assert_eq!(got, want);
        } else {
            let key = (x % 16) as u8;
            q.put(Keyed { key, id }).unwrap();
            let at = model.partition_point(|&(k, _)| k <= key);
            model.insert(at, (key, id));
        }
        assert_eq!(q.len(), model.len());
    }
    let rest: Vec<_> = q
        .shutdown_now()
        .into_iter()
        .map(|k| (k.key, k.id))
        .collect();
    assert_eq!(rest, model);
}
