//! `Mutex`: mutual exclusion, `try_lock`, and no waiter left asleep.

use super::{expect_failure, inject, model, model_with};
use crate::futex::loom::timer::TimedWait;
use crate::mutex::Mutex;
use crate::sync::fault::Fault;
use crate::sync::{AtomicUsize, Ordering};
use loom::sync::Arc;
use loom::thread;

/// Shared state for the exclusion models: the data, and a loom-visible count of
/// threads inside the critical section (so loom can preempt *inside* it).
struct Shared {
    lock: Mutex<usize>,
    inside: AtomicUsize,
}

fn critical_section(s: &Shared) {
    let mut g = s.lock.lock();
    assert_eq!(s.inside.fetch_add(1, Ordering::SeqCst), 0, "two owners");
    *g += 1;
    s.inside.fetch_sub(1, Ordering::SeqCst);
}

/// `critical_section` through `try_lock`; `false` if the lock was taken.
fn try_critical_section(s: &Shared) -> bool {
    let Some(mut g) = s.lock.try_lock() else {
        return false;
    };
    assert_eq!(s.inside.fetch_add(1, Ordering::SeqCst), 0, "two owners");
    *g += 1;
    s.inside.fetch_sub(1, Ordering::SeqCst);
    true
}

fn exclusion(threads: usize, bound: usize) {
    model_with(bound, TimedWait::Never, move || {
        let s = Arc::new(Shared {
            lock: Mutex::new(0),
            inside: AtomicUsize::new(0),
        });
        let handles: Vec<_> = (1..threads)
            .map(|_| {
                let s = s.clone();
                thread::spawn(move || critical_section(&s))
            })
            .collect();
        critical_section(&s);
        for h in handles {
            h.join().unwrap();
        }
        // Every thread got in (nobody left asleep) and no update was lost.
        assert_eq!(*s.lock.lock(), threads);
    });
}

/// Two threads: one owner at a time, every lock eventually granted.
#[test]
fn exclusion_two_threads() {
    exclusion(2, 3);
}

/// Three threads: two counted sleepers at once (M3).
#[test]
fn exclusion_three_threads() {
    exclusion(3, 2);
}

/// `try_lock` never succeeds while another thread owns the lock.
#[test]
fn try_lock_single_owner() {
    model(|| {
        let s = Arc::new(Shared {
            lock: Mutex::new(0),
            inside: AtomicUsize::new(0),
        });
        let s2 = s.clone();
        let t = thread::spawn(move || try_critical_section(&s2));
        let mine = try_critical_section(&s);
        let theirs = t.join().unwrap();
        assert!(mine || theirs, "a free lock refused both");
        assert_eq!(*s.lock.lock(), usize::from(mine) + usize::from(theirs));
    });
}

/// Injected bug: unlock skips the wake. The exclusion model must catch it.
#[test]
#[ignore = "expected to fail; run by `catches_unlock_without_wake`"]
fn faulty_unlock_without_wake() {
    inject(Fault::MutexUnlockSkipsWake);
    exclusion(2, 3);
}

#[test]
fn catches_unlock_without_wake() {
    expect_failure("loom_tests::mutex::faulty_unlock_without_wake", "deadlock");
}

/// Injected bug: a waiter counts itself a sleeper and looks at the lock word
/// without the heavy side of the fence in between, so an unlock's look at the
/// count and the waiter's look at the word can both miss (M2).
#[test]
#[ignore = "expected to fail; run by `catches_waiter_without_fence`"]
fn faulty_waiter_without_fence() {
    inject(Fault::MutexWaiterSkipsFence);
    exclusion(2, 3);
}

#[test]
fn catches_waiter_without_fence() {
    expect_failure("loom_tests::mutex::faulty_waiter_without_fence", "deadlock");
}

/// Injected bug: waiters never clear `WAKING` (M4), so once one wake-up has been
/// sent, later unlocks send none.
#[test]
#[ignore = "expected to fail; run by `catches_waiter_keeping_waking`"]
fn faulty_waiter_keeps_waking() {
    inject(Fault::MutexWaiterKeepsWaking);
    exclusion(3, 2);
}

#[test]
fn catches_waiter_keeping_waking() {
    expect_failure("loom_tests::mutex::faulty_waiter_keeps_waking", "deadlock");
}
