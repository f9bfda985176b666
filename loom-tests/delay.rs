//! The delay queue's leader / follower wait: a put with an earlier deadline
//! re-arms the sleeping leader; the lead passes on when the leader leaves (with
//! an item, on its timeout, or at shutdown). Time is the model clock
//! (`queue/delay/clock.rs`): it stands still until the timer fires, then passes
//! every delay and timeout the models use (all under a day).

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::{expect_failure, inject, model, model_with, timer, TimedWait, DEFAULT_BOUND};
use crate::queue::error::GetError;
use crate::queue::DelayQueue;
use crate::sync::fault::Fault;
use loom::sync::Arc;
use loom::thread;

/// Later than the model clock ever gets: an item due then is never due.
const NEVER: Duration = Duration::from_secs(10 * 365 * 24 * 3600);

/// Due once the model's timer fires.
const AT_FIRE: Duration = Duration::from_secs(1);

/// The getter leads, asleep until a head that never falls due (timed waits do
/// not expire in this mode); a put due now races it. If the put lands while the
/// getter sleeps, only its wake-up (the re-arm) lets the getter take the new
/// head.
#[test]
fn earlier_put_rearms_the_leader() {
    model(|| {
        let q = Arc::new(DelayQueue::unbounded());
        q.put_after("never", NEVER).unwrap();
        let getter = {
            let q = q.clone();
            thread::spawn(move || q.get())
        };
        q.put("now").unwrap();
        assert_eq!(getter.join().unwrap(), Ok("now"));
        assert_eq!(q.len(), 1);
    });
}

/// Injected bug: a put of a new head does not wake the leader; it sleeps on.
#[test]
#[ignore = "expected to fail; run by `catches_put_skipping_rearm`"]
fn faulty_put_skipping_rearm() {
    inject(Fault::DelayPutSkipsRearm);
    earlier_put_rearms_the_leader();
}

#[test]
fn catches_put_skipping_rearm() {
    expect_failure("loom_tests::delay::faulty_put_skipping_rearm", "deadlock");
}

/// Two getters, two items due when the timer fires: one getter leads, the
/// other follows. The leader's timed wait expires, it takes the head and must
/// hand the lead on, or the follower sleeps past the second item forever.
#[test]
fn lead_passes_on_after_expiry() {
    model_with(DEFAULT_BOUND, TimedWait::Timer, || {
        let q = Arc::new(DelayQueue::unbounded());
        q.put_after(1, AT_FIRE).unwrap();
        q.put_after(2, AT_FIRE).unwrap();
        let getters: Vec<_> = (0..2)
            .map(|_| {
                let q = q.clone();
                thread::spawn(move || q.get().unwrap())
            })
            .collect();
        timer::fire();
        let sum: i32 = getters.into_iter().map(|g| g.join().unwrap()).sum();
        assert_eq!(sum, 3);
        assert!(q.is_empty());
    });
}

/// Injected bug: a leaving getter hands the lead to nobody.
#[test]
#[ignore = "expected to fail; run by `catches_leader_skipping_hand_off`"]
fn faulty_leader_skipping_hand_off() {
    inject(Fault::DelayLeaderSkipsHandOff);
    lead_passes_on_after_expiry();
}

#[test]
fn catches_leader_skipping_hand_off() {
    expect_failure(
        "loom_tests::delay::faulty_leader_skipping_hand_off",
        "deadlock",
    );
}

/// A timed getter and an untimed one wait for one item due at the timer; the
/// queue is shut down at any point. The item goes out exactly once; the timed
/// getter may time out (the timer passes its deadline too) and leave; the
/// other sees the shutdown once the queue is empty. Every exit of a leader
/// (item, timeout, shutdown) must pass the lead on, or one of them sleeps
/// forever.
#[test]
fn lead_passes_on_at_timeout_and_shutdown() {
    static TIMED_OUT: AtomicBool = AtomicBool::new(false);
    model_with(DEFAULT_BOUND, TimedWait::Timer, || {
        let q = Arc::new(DelayQueue::unbounded());
        q.put_after(7, AT_FIRE).unwrap();
        let timed = {
            let q = q.clone();
            thread::spawn(move || q.get_timeout(Duration::from_secs(3600)))
        };
        let untimed = {
            let q = q.clone();
            thread::spawn(move || q.get())
        };
        let clock = thread::spawn(timer::fire);
        q.shutdown();
        let a = timed.join().unwrap();
        let b = untimed.join().unwrap();
        clock.join().unwrap();
        let items: Vec<i32> = [a, b].iter().filter_map(|r| r.ok()).collect();
        assert_eq!(items, [7], "item lost or duplicated: {a:?} {b:?}");
        assert!(matches!(a, Ok(_) | Err(GetError::Empty | GetError::ShutDown)));
        assert!(matches!(b, Ok(_) | Err(GetError::ShutDown)));
        if a == Err(GetError::Empty) {
            TIMED_OUT.store(true, Ordering::Relaxed);
        }
    });
    assert!(
        TIMED_OUT.load(Ordering::Relaxed),
        "the timeout path was never explored"
    );
}

/// Injected bug, as above, on the timeout and shutdown exits.
#[test]
#[ignore = "expected to fail; run by `catches_hand_off_skipped_at_timeout_or_shutdown`"]
fn faulty_hand_off_skipped_at_timeout_or_shutdown() {
    inject(Fault::DelayLeaderSkipsHandOff);
    lead_passes_on_at_timeout_and_shutdown();
}

#[test]
fn catches_hand_off_skipped_at_timeout_or_shutdown() {
    expect_failure(
        "loom_tests::delay::faulty_hand_off_skipped_at_timeout_or_shutdown",
        "deadlock",
    );
}
