//! Rendezvous queues (`bounded(0)`, `queue/zero.rs`): a hand-off racing a
//! getter's deadline, shutdown racing a blocked put, and a select offering on
//! two rendezvous queues. An item is taken once or handed back once, never
//! both, never lost; nobody is left asleep.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::asynk::{dropped_woken_getter_passes_on, poll_once};
use super::{expect_failure, inject, model, model_with, timer, TimedWait, DEFAULT_BOUND};
use crate::queue::error::{GetError, PutError};
use crate::queue::{LifoQueue, PriorityQueue, Queue, Select};
use crate::sync::fault::Fault;
use loom::sync::Arc;
use loom::thread;

/// A `put_timeout` and a `get_timeout` on a rendezvous queue, both expiring at
/// the model's timer: either the hand-off happened (the put says `Ok`, the get
/// has the item) or neither did (`Full(7)` with the item back, `Empty`). Never
/// `Ok` with `Empty` (lost) or `Full` with the item got (twice). Both outcomes
/// are explored.
fn put_races_get_deadline() {
    static MET: AtomicBool = AtomicBool::new(false);
    static MISSED: AtomicBool = AtomicBool::new(false);
    model_with(DEFAULT_BOUND, TimedWait::Timer, || {
        let q = Arc::new(Queue::bounded(0));
        let putter = {
            let q = q.clone();
            thread::spawn(move || q.put_timeout(7u32, Duration::from_secs(1)))
        };
        let clock = thread::spawn(timer::fire);
        let got = q.get_timeout(Duration::from_secs(1));
        let put = putter.join().unwrap();
        clock.join().unwrap();
        match (put, got) {
            (Ok(()), Ok(7)) => {
                assert_eq!(q.unfinished_tasks(), 1, "a hand-off is one task");
                MET.store(true, Ordering::Relaxed);
            }
            (Err(PutError::Full(7)), Err(GetError::Empty)) => {
                assert_eq!(q.unfinished_tasks(), 0, "a refused put is no task");
                MISSED.store(true, Ordering::Relaxed);
            }
            (put, got) => panic!("hand-off broken: put {put:?}, get {got:?}"),
        }
        assert_eq!((q.blocked_putters(), q.blocked_getters()), (0, 0));
    });
    assert!(MET.load(Ordering::Relaxed), "the hand-off never happened");
    assert!(MISSED.load(Ordering::Relaxed), "the deadline never won");
}

#[test]
fn put_races_get_deadline_exactly_once() {
    put_races_get_deadline();
}

/// The must-fail twin: a getter whose time ran out leaves without looking at
/// its slot, so an item handed to it as the deadline passed is dropped while
/// the putter was told `Ok`.
#[test]
#[ignore = "must fail: run by catches_taker_timeout_ignoring_its_slot"]
fn faulty_taker_timeout_ignores_slot() {
    inject(Fault::ZeroTakerTimeoutIgnoresSlot);
    put_races_get_deadline();
}

#[test]
fn catches_taker_timeout_ignoring_its_slot() {
    expect_failure(
        "loom_tests::zero::faulty_taker_timeout_ignores_slot",
        "hand-off broken",
    );
}

/// `shutdown` racing a blocked `put` and a `get` on a rendezvous LIFO queue:
/// either they met (put `Ok`, get the item) or the putter has its item back in
/// `ShutDown` and the getter `ShutDown`. Whoever blocked is woken.
fn shutdown_races_blocked_put() {
    model(|| {
        let q = Arc::new(LifoQueue::bounded(0));
        let putter = {
            let q = q.clone();
            thread::spawn(move || q.put(1u32))
        };
        let getter = {
            let q = q.clone();
            thread::spawn(move || q.get())
        };
        q.shutdown();
        let put = putter.join().unwrap();
        let got = getter.join().unwrap();
        match (put, got) {
            (Ok(()), Ok(1)) => assert_eq!(q.unfinished_tasks(), 1),
            (Err(PutError::ShutDown(1)), Err(GetError::ShutDown)) => {
                assert_eq!(q.unfinished_tasks(), 0)
            }
            (put, got) => panic!("hand-off broken: put {put:?}, get {got:?}"),
        }
        assert_eq!(q.shutdown_now(), Vec::<u32>::new());
    });
}

#[test]
fn shutdown_races_blocked_put_and_get() {
    shutdown_races_blocked_put();
}

/// The must-fail twin: a shutdown that wakes nobody leaves the blocked putter
/// (or getter) asleep.
#[test]
#[ignore = "must fail: run by catches_zero_shutdown_without_wake"]
fn faulty_zero_shutdown_without_wake() {
    inject(Fault::QueueShutdownSkipsWake);
    shutdown_races_blocked_put();
}

#[test]
fn catches_zero_shutdown_without_wake() {
    expect_failure(
        "loom_tests::zero::faulty_zero_shutdown_without_wake",
        "deadlock",
    );
}

/// A select offering `1` on one rendezvous queue and `2` on another, each
/// with a getter blocked or arriving: exactly one getter receives its item
/// (the select puts once), the select says which, the other item is back in
/// its slot, and the other getter ends with `ShutDown` once both queues shut.
fn select_offers_on_two_queues() {
    model(|| {
        let a = Arc::new(Queue::bounded(0));
        let b = Arc::new(PriorityQueue::bounded(0));
        let ga = {
            let a = a.clone();
            thread::spawn(move || a.get())
        };
        let gb = {
            let b = b.clone();
            thread::spawn(move || b.get())
        };
        let (mut x, mut y) = (Some(1u32), Some(2u32));
        let won = Select::new()
            .put(&*a, &mut x, |r| r.map(|()| 'a'))
            .put(&*b, &mut y, |r| r.map(|()| 'b'))
            .wait()
            .expect("put arms with items are active")
            .expect("no queue is shut down yet");
        a.shutdown();
        b.shutdown();
        let (ra, rb) = (ga.join().unwrap(), gb.join().unwrap());
        match won {
            'a' => {
                assert_eq!((x, y), (None, Some(2)), "the select put twice");
                assert_eq!(ra, Ok(1));
                assert_eq!(rb, Err(GetError::ShutDown), "the select put twice");
            }
            _ => {
                assert_eq!((x, y), (Some(1), None), "the select put twice");
                assert_eq!(rb, Ok(2));
                assert_eq!(ra, Err(GetError::ShutDown), "the select put twice");
            }
        }
        assert_eq!(a.blocked_putters() + b.blocked_putters(), 0);
    });
}

#[test]
fn select_offers_on_two_queues_put_once() {
    select_offers_on_two_queues();
}

/// The must-fail twin: getters that take a select's offer without winning
/// its claim both take one, and the select puts twice.
#[test]
#[ignore = "must fail: run by catches_take_ignoring_the_claim"]
fn faulty_take_ignores_claim() {
    inject(Fault::ZeroTakeIgnoresClaim);
    select_offers_on_two_queues();
}

#[test]
fn catches_take_ignoring_the_claim() {
    expect_failure(
        "loom_tests::zero::faulty_take_ignores_claim",
        "the select put twice",
    );
}

/// A pending `put_async` (its item offered in the queue) cancelled through
/// `into_item` while a thread's `try_get` races it: the getter has the item
/// (and `into_item` says `None`: the put happened, one task) or `into_item`
/// has it back (the getter found nothing, no task). Never both, never
/// neither; no offer left. Both outcomes explored.
fn cancelled_put_future_races_get() {
    static TAKEN: AtomicBool = AtomicBool::new(false);
    static BACK: AtomicBool = AtomicBool::new(false);
    model(|| {
        let q = Arc::new(Queue::bounded(0));
        let mut put = q.put_async(5u32);
        assert!(poll_once(&mut put).is_pending());
        let getter = {
            let q = q.clone();
            thread::spawn(move || q.try_get())
        };
        let back = put.into_item();
        let got = getter.join().unwrap();
        match (back, got) {
            (None, Ok(5)) => {
                assert_eq!(q.unfinished_tasks(), 1);
                TAKEN.store(true, Ordering::Relaxed);
            }
            (Some(5), Err(GetError::Empty)) => {
                assert_eq!(q.unfinished_tasks(), 0);
                BACK.store(true, Ordering::Relaxed);
            }
            (back, got) => panic!("hand-off broken: back {back:?}, get {got:?}"),
        }
        assert_eq!(q.blocked_putters(), 0);
    });
    assert!(TAKEN.load(Ordering::Relaxed));
    assert!(BACK.load(Ordering::Relaxed));
}

#[test]
fn cancelled_put_future_races_a_get() {
    cancelled_put_future_races_get();
}

/// The must-fail twin: `into_item` that does not take the offer back returns
/// `None` although no getter took the item.
#[test]
#[ignore = "must fail: run by catches_into_item_without_withdraw"]
fn faulty_into_item_skips_withdraw() {
    inject(Fault::ZeroIntoItemSkipsWithdraw);
    cancelled_put_future_races_get();
}

#[test]
fn catches_into_item_without_withdraw() {
    expect_failure(
        "loom_tests::zero::faulty_into_item_skips_withdraw",
        "hand-off broken",
    );
}

/// Get future A waits first, task B second; a thread's `put` offers its item
/// and wakes A (the oldest); A is dropped before or after that wake-up without
/// running again. B must take the item (the putter returns): a woken getter
/// that is dropped passes its wake-up on while the offer is open.
#[test]
fn dropped_woken_get_future_passes_its_wake_up_on() {
    dropped_woken_getter_passes_on(|| Queue::bounded(0));
}

/// The must-fail twin: a dropped getter that keeps its wake-up leaves B
/// asleep and the putter waiting with its offer open.
#[test]
#[ignore = "must fail: run by catches_zero_dropped_getter_without_pass_on"]
fn faulty_zero_dropped_getter_keeps_its_wake_up() {
    inject(Fault::AsyncDropSkipsPassOn);
    dropped_woken_getter_passes_on(|| Queue::bounded(0));
}

#[test]
fn catches_zero_dropped_getter_without_pass_on() {
    expect_failure(
        "loom_tests::zero::faulty_zero_dropped_getter_keeps_its_wake_up",
        "deadlock",
    );
}
