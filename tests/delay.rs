//! `DelayQueue` with real threads: deadline order, each item once, never early;
//! the leader's re-arm and hand-off; shutdown losing nothing; bounds, tasks,
//! async, select, ends; and a proptest model against a sequential reference.
//! No assertion depends on how late a wake-up is, only on order and completeness.

use proptest::prelude::*;
use queuekit::{DelayQueue, GetError, PutError, Select};
use std::collections::HashSet;
use std::sync::{mpsc, Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

/// A small xorshift: reproducible random deadlines without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Waits until `n` getters are blocked on `q` (a state query, not a sleep).
fn until_blocked<T>(q: &DelayQueue<T>, n: usize) {
    while q.blocked_getters() < n {
        thread::yield_now();
    }
}

/// Every item `q` hands out until it is shut down and empty, each with the
/// time it was taken.
fn take_all<T>(q: &DelayQueue<T>) -> Vec<(T, Instant)> {
    q.iter().map(|item| (item, Instant::now())).collect()
}

/// 10^5 items with random deadlines within 50 ms, all put first, taken by four
/// getters: each getter's items come in (deadline, put order) order, no item
/// leaves before its deadline, and every item leaves exactly once.
#[test]
fn hundred_thousand_random_deadlines_in_order_each_once() {
    const N: usize = 100_000;
    let q = DelayQueue::unbounded();
    let start = Instant::now();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut deadlines = Vec::with_capacity(N);
    for id in 0..N {
        // Microsecond steps in 0..50 ms: many equal deadlines too.
        let at = start + Duration::from_micros(rng.next() % 50_000);
        deadlines.push(at);
        q.put_at((at, id), at).unwrap();
    }
    q.shutdown(); // items stay gettable when due; `iter` ends when empty
    let per_getter: Vec<Vec<((Instant, usize), Instant)>> = thread::scope(|s| {
        let getters: Vec<_> = (0..4).map(|_| s.spawn(|| take_all(&q))).collect();
        getters.into_iter().map(|g| g.join().unwrap()).collect()
    });
    let mut seen = vec![false; N];
    for got in &per_getter {
        for w in got.windows(2) {
            let ((a, i), (b, j)) = (w[0].0, w[1].0);
            assert!(
                (a, i) < (b, j),
                "out of order: {:?} then {:?}",
                (a - start, i),
                (b - start, j)
            );
        }
        for &((at, id), taken) in got {
            assert_eq!(deadlines[id], at);
            assert!(taken >= at, "item {id} left before its deadline");
            assert!(!seen[id], "item {id} twice");
            seen[id] = true;
        }
    }
    assert!(seen.iter().all(|&s| s), "an item was lost");
    assert!(q.is_empty());
}

/// Two producers put with random delays while three getters take: every item
/// exactly once, none before its deadline.
#[test]
fn concurrent_producers_and_getters_each_item_once() {
    const PER: usize = 20_000;
    let q = DelayQueue::bounded(1_000);
    let got: Vec<Vec<((usize, Instant), Instant)>> = thread::scope(|s| {
        let getters: Vec<_> = (0..3).map(|_| s.spawn(|| take_all(&q))).collect();
        let producers: Vec<_> = (0..2)
            .map(|p| {
                let q = &q;
                s.spawn(move || {
                    let mut rng = Rng(0x1234_5678 + p as u64);
                    for i in 0..PER {
                        let at = Instant::now() + Duration::from_micros(rng.next() % 20_000);
                        q.put_at((p * PER + i, at), at).unwrap();
                    }
                })
            })
            .collect();
        for p in producers {
            p.join().unwrap();
        }
        q.shutdown();
        getters.into_iter().map(|g| g.join().unwrap()).collect()
    });
    let mut seen = HashSet::new();
    for ((id, at), taken) in got.into_iter().flatten() {
        assert!(taken >= at, "item {id} left early");
        assert!(seen.insert(id), "item {id} twice");
    }
    assert_eq!(seen.len(), 2 * PER);
}

#[test]
fn equal_deadlines_leave_in_put_order() {
    let q = DelayQueue::unbounded();
    let at = Instant::now();
    for i in 0..100 {
        q.put_at(i, at).unwrap();
    }
    assert_eq!(
        q.try_get_many(usize::MAX).unwrap_or_default(),
        (0..100).collect::<Vec<_>>()
    );
}

#[test]
fn try_get_drain_and_get_many_take_only_due_items() {
    let q = DelayQueue::unbounded();
    let later = Instant::now() + Duration::from_secs(3600);
    q.put_at("late", later).unwrap();
    q.put("a").unwrap();
    q.put("b").unwrap();
    assert_eq!(q.len(), 3);
    assert_eq!(q.due_len(), 2);
    assert_eq!(q.peek_deadline().map(|d| d < later), Some(true));
    assert_eq!(q.get_many(10), Ok(vec!["a", "b"]));
    assert_eq!(q.try_get(), Err(GetError::Empty));
    assert_eq!(q.try_get_many(10).unwrap_or_default(), Vec::<&str>::new());
    assert_eq!(q.try_get_many(10), Err(GetError::Empty));
    assert_eq!(
        q.get_timeout(Duration::from_millis(5)),
        Err(GetError::Empty)
    );
    assert_eq!(q.len(), 1);
    assert_eq!(q.due_len(), 0);
    assert_eq!(q.peek_deadline(), Some(later));
}

/// How long a test waits for a wake-up that should come at once before it calls
/// it lost: generous, so a slow machine never fails it; a lost wake-up would
/// take an hour.
const LOST: Duration = Duration::from_secs(20);

/// Runs `f` on its own thread and returns a receiver for its result. A wake-up
/// the queue loses then shows as a `recv_timeout` failure instead of a hung test
/// (the stuck thread is left behind).
fn spawn_get<T: Send + 'static, R: Send + 'static>(
    q: &Arc<DelayQueue<T>>,
    f: impl FnOnce(&DelayQueue<T>) -> R + Send + 'static,
) -> mpsc::Receiver<R> {
    let (tx, rx) = mpsc::channel();
    let q = Arc::clone(q);
    thread::spawn(move || {
        let _ = tx.send(f(&q));
    });
    rx
}

/// The leader sleeps until an hour-away head; a put due now must wake it to
/// re-arm, or it sleeps for the hour.
#[test]
fn earlier_put_rearms_the_sleeping_leader() {
    let q = Arc::new(DelayQueue::unbounded());
    q.put_after("hour", Duration::from_secs(3600)).unwrap();
    let getter = spawn_get(&q, |q| q.get());
    until_blocked(&q, 1);
    q.put("now").unwrap();
    assert_eq!(
        getter.recv_timeout(LOST),
        Ok(Ok("now")),
        "the leader was not re-armed"
    );
}

/// A leader whose own timeout comes first gives up and hands the lead to a
/// follower, which then takes the head when due.
#[test]
fn leader_timing_out_hands_the_lead_on() {
    let q = Arc::new(DelayQueue::unbounded());
    q.put_after(7, Duration::from_millis(400)).unwrap();
    let leader = spawn_get(&q, |q| q.get_timeout(Duration::from_millis(100)));
    until_blocked(&q, 1);
    let follower = spawn_get(&q, |q| q.get());
    assert_eq!(leader.recv_timeout(LOST), Ok(Err(GetError::Empty)));
    assert_eq!(
        follower.recv_timeout(LOST),
        Ok(Ok(7)),
        "the lead was not handed on"
    );
}

/// Three getters asleep (one leader, two followers) on two items: both items go
/// out, and the third getter sees the shutdown once the queue is empty.
#[test]
fn shutdown_with_sleepers_hands_off_to_the_last_follower() {
    let q = Arc::new(DelayQueue::unbounded());
    q.put_after(1, Duration::from_millis(30)).unwrap();
    q.put_after(2, Duration::from_millis(40)).unwrap();
    let getters: Vec<_> = (0..3).map(|_| spawn_get(&q, |q| q.get())).collect();
    until_blocked(&q, 3);
    q.shutdown();
    let results: Vec<_> = getters
        .iter()
        .map(|g| g.recv_timeout(LOST).expect("a getter was left asleep"))
        .collect();
    let mut items: Vec<i32> = results.iter().filter_map(|r| r.ok()).collect();
    items.sort_unstable();
    assert_eq!(items, [1, 2]);
    assert!(results.contains(&Err(GetError::ShutDown)));
}

/// Shutdown with 1000 items pending: puts fail with their item, and getters
/// still receive every queued item, each once.
#[test]
fn shutdown_with_items_pending_loses_none() {
    let q = DelayQueue::unbounded();
    for i in 0..1000u64 {
        q.put_after(i, Duration::from_micros(i * 30)).unwrap();
    }
    q.shutdown();
    assert_eq!(q.put(5000), Err(PutError::ShutDown(5000)));
    assert_eq!(
        q.put_after(5001, Duration::ZERO),
        Err(PutError::ShutDown(5001))
    );
    let mut got: Vec<u64> = thread::scope(|s| {
        let gs: Vec<_> = (0..3)
            .map(|_| s.spawn(|| q.iter().collect::<Vec<_>>()))
            .collect();
        gs.into_iter().flat_map(|g| g.join().unwrap()).collect()
    });
    got.sort_unstable();
    assert_eq!(got, (0..1000).collect::<Vec<_>>());
    assert_eq!(q.get(), Err(GetError::ShutDown));
}

#[test]
fn shutdown_now_returns_every_item_in_deadline_order() {
    let q = DelayQueue::unbounded();
    let now = Instant::now();
    q.put_at("c", now + Duration::from_secs(30)).unwrap();
    q.put_at("a", now).unwrap();
    q.put_at("b", now + Duration::from_secs(10)).unwrap();
    thread::scope(|s| {
        let getter = s.spawn(|| q.get_timeout(Duration::from_secs(30)));
        // Gets "a" (due), then the second get sleeps for "b" until shut down.
        assert_eq!(getter.join().unwrap(), Ok("a"));
        let sleeper = s.spawn(|| q.get());
        until_blocked(&q, 1);
        assert_eq!(q.shutdown_now(), ["b", "c"]);
        assert_eq!(sleeper.join().unwrap(), Err(GetError::ShutDown));
    });
    assert_eq!(q.unfinished_tasks(), 1); // "a" was taken, not done
    q.task_done().unwrap();
    q.join();
}

#[test]
fn bounded_puts_block_time_out_and_fail_fast() {
    let q = DelayQueue::bounded(2);
    let far = Instant::now() + Duration::from_secs(3600);
    q.put_at(1, far).unwrap();
    q.put_at(2, far).unwrap();
    assert!(q.is_full());
    assert_eq!(q.try_put_at(3, Instant::now()), Err(PutError::Full(3)));
    assert_eq!(
        q.put_at_timeout(3, Instant::now(), Duration::from_millis(5)),
        Err(PutError::Full(3))
    );
    thread::scope(|s| {
        let putter = s.spawn(|| q.put_after(3, Duration::ZERO));
        while q.blocked_putters() == 0 {
            thread::yield_now();
        }
        // Freeing a slot (here by shutting down and taking everything) ends the
        // wait: the putter gets its item back.
        assert_eq!(q.shutdown_now(), [1, 2]);
        assert_eq!(putter.join().unwrap(), Err(PutError::ShutDown(3)));
    });
}

#[test]
fn blocked_putter_gets_the_slot_a_get_frees() {
    let q = DelayQueue::bounded(1);
    q.put(1).unwrap();
    thread::scope(|s| {
        let putter = s.spawn(|| q.put_after(2, Duration::from_millis(1)));
        while q.blocked_putters() == 0 {
            thread::yield_now();
        }
        assert_eq!(q.get(), Ok(1));
        putter.join().unwrap().unwrap();
    });
    assert_eq!(q.get(), Ok(2));
}

#[test]
fn put_at_deadline_gives_up_at_its_deadline_and_takes_a_freed_slot() {
    let q = DelayQueue::bounded(1);
    let far = Instant::now() + Duration::from_secs(3600);
    q.put(1).unwrap();
    // A deadline already past on a full queue: the call does not wait.
    assert_eq!(
        q.put_at_deadline(2, Instant::now(), Instant::now()),
        Err(PutError::Full(2))
    );
    // One a few milliseconds ahead gives up at it, with the item back.
    let soon = Instant::now() + Duration::from_millis(5);
    assert_eq!(
        q.put_at_deadline(2, Instant::now(), soon),
        Err(PutError::Full(2))
    );
    assert!(Instant::now() >= soon);
    thread::scope(|s| {
        // A far deadline, and a timeout too large for `Instant` (no limit):
        // each waits and takes the slot a get frees.
        let by_deadline = s.spawn(|| q.put_at_deadline(2, Instant::now(), far));
        while q.blocked_putters() == 0 {
            thread::yield_now();
        }
        assert_eq!(q.get(), Ok(1));
        by_deadline.join().unwrap().unwrap();
        let by_timeout = s.spawn(|| q.put_at_timeout(3, Instant::now(), Duration::MAX));
        while q.blocked_putters() == 0 {
            thread::yield_now();
        }
        assert_eq!(q.get(), Ok(2));
        by_timeout.join().unwrap().unwrap();
    });
    assert_eq!(q.get(), Ok(3));
}

#[test]
fn task_done_and_join() {
    let q = DelayQueue::unbounded();
    q.put_after(1, Duration::from_millis(5)).unwrap();
    q.put_after(2, Duration::from_millis(10)).unwrap();
    thread::scope(|s| {
        s.spawn(|| {
            for _ in 0..2 {
                q.get().unwrap();
                q.task_done().unwrap();
            }
        });
        q.join();
        assert_eq!(q.unfinished_tasks(), 0);
    });
}

/// A task waiting for a head that is not due yet is woken by the timer thread.
#[test]
fn get_async_waits_for_the_deadline() {
    let q = DelayQueue::unbounded();
    let at = Instant::now() + Duration::from_millis(20);
    q.put_at("later", at).unwrap();
    let got = futures::executor::block_on(q.get_async());
    assert_eq!(got, Ok("later"));
    assert!(Instant::now() >= at);
}

/// A select arm on a delay queue completes when the head falls due, beside an
/// idle FIFO arm.
#[test]
fn select_get_arm_completes_when_due() {
    let delayed = DelayQueue::unbounded();
    let other = queuekit::Queue::<u32>::unbounded();
    delayed.put_after(9u32, Duration::from_millis(10)).unwrap();
    let got = Select::new()
        .get(&delayed, |r| ("delayed", r))
        .get(&other, |r| ("other", r))
        .wait_timeout(Duration::from_secs(30));
    assert_eq!(got, Some(("delayed", Ok(9))));
}

#[test]
fn split_ends_work_and_the_last_producer_closes() {
    let q = DelayQueue::unbounded();
    q.put_after(2, Duration::from_millis(5)).unwrap();
    let (tx, rx) = q.split();
    tx.put(1).unwrap();
    drop(tx); // the last producer: shutdown, queued items stay
    assert_eq!(rx.iter().collect::<Vec<_>>(), [1, 2]);
}

#[test]
fn huge_delay_does_not_panic() {
    let q = DelayQueue::unbounded();
    q.put_after(1, Duration::MAX).unwrap();
    assert_eq!(q.try_get(), Err(GetError::Empty));
    assert_eq!(q.len(), 1);
}

/// One operation of the model.
#[derive(Debug, Clone)]
enum Op {
    /// Put, due `k` µs before the model's start (due).
    PutDue(u16),
    /// Put, due an hour plus `k` µs after the start (never due in the test).
    PutLater(u16),
    TryGet,
    Drain(u8),
    TryGetMany(u8),
    Lengths,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0u16..4).prop_map(Op::PutDue),
        (0u16..4).prop_map(Op::PutLater),
        Just(Op::TryGet),
        (0u8..4).prop_map(Op::Drain),
        (0u8..4).prop_map(Op::TryGetMany),
        Just(Op::Lengths),
    ]
}

proptest! {
    /// Random non-blocking operations against a sorted `Vec` of
    /// `(deadline, put order)`: same items, same errors, same lengths and
    /// deadlines, on a bounded queue of 6.
    #[test]
    fn matches_a_sequential_model(ops in proptest::collection::vec(op(), 1..60)) {
        let start = Instant::now();
        let base = start.checked_sub(Duration::from_millis(100)).unwrap_or(start);
        let q = DelayQueue::bounded(6);
        let mut model: Vec<(Instant, u32)> = Vec::new();
        let mut seq = 0u32;
        let due_now = |m: &Vec<(Instant, u32)>| m.iter().filter(|e| e.0 <= start).count();
        for op in ops {
            match op {
                Op::PutDue(k) | Op::PutLater(k) => {
                    let at = if matches!(op, Op::PutDue(_)) {
                        base + Duration::from_micros(u64::from(k))
                    } else {
                        start + Duration::from_secs(3600) + Duration::from_micros(u64::from(k))
                    };
                    let r = q.try_put_at(seq, at);
                    if model.len() < 6 {
                        prop_assert_eq!(r, Ok(()));
                        model.push((at, seq));
                        model.sort();
                    } else {
                        prop_assert_eq!(r, Err(PutError::Full(seq)));
                    }
                    seq += 1;
                }
                Op::TryGet => {
                    let want = if due_now(&model) > 0 { Ok(model.remove(0).1) } else { Err(GetError::Empty) };
                    prop_assert_eq!(q.try_get(), want);
                }
                Op::Drain(n) | Op::TryGetMany(n) => {
                    let k = due_now(&model).min(usize::from(n));
                    let want: Vec<u32> = model.drain(..k).map(|e| e.1).collect();
                    if let Op::Drain(_) = op {
                        prop_assert_eq!(q.try_get_many(usize::from(n)).unwrap_or_default(), want);
                    } else if n == 0 {
                        prop_assert_eq!(q.try_get_many(0), Ok(vec![]));
                    } else if want.is_empty() {
                        prop_assert_eq!(q.try_get_many(usize::from(n)), Err(GetError::Empty));
                    } else {
                        prop_assert_eq!(q.try_get_many(usize::from(n)), Ok(want));
                    }
                }
                Op::Lengths => {
                    prop_assert_eq!(q.len(), model.len());
                    prop_assert_eq!(q.due_len(), due_now(&model));
                    prop_assert_eq!(q.peek_deadline(), model.first().map(|e| e.0));
                }
            }
        }
        prop_assert_eq!(q.shutdown_now(), model.iter().map(|e| e.1).collect::<Vec<_>>());
    }
}

/// Four getters start together on an empty queue; four staggered puts reach
/// all of them (each put of a new head wakes a follower or re-arms the leader).
#[test]
fn many_getters_one_put_each() {
    let q = Arc::new(DelayQueue::unbounded());
    let gate = Arc::new(Barrier::new(5));
    let getters: Vec<_> = (0..4)
        .map(|_| {
            let (q, gate) = (q.clone(), gate.clone());
            thread::spawn(move || {
                gate.wait();
                q.get_timeout(Duration::from_secs(30))
            })
        })
        .collect();
    gate.wait();
    for i in 0..4 {
        q.put_after(i, Duration::from_millis(5 * i)).unwrap();
    }
    let mut got: Vec<_> = getters
        .into_iter()
        .map(|g| g.join().unwrap().unwrap())
        .collect();
    got.sort_unstable();
    assert_eq!(got, [0, 1, 2, 3]);
}
