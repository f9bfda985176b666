//! Delayed and periodic tasks on the pool: a handle's cancel racing the due
//! time and the timer thread's hand-over (run or cancelled, never both), and a
//! fixed-rate series on two workers never running twice at once. One worker or
//! two, the pool's timer thread, bound 2.

use std::sync::atomic::{AtomicBool as StdBool, Ordering as StdOrdering};
use std::time::Duration;

use super::{expect_failure, inject, model, model_with, timer, TimedWait};
use crate::pool::{TaskError, ThreadPoolManager};
use crate::sync::fault::Fault;
use loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use loom::sync::Arc;
use loom::thread;

/// Due once the model's timer fires.
const AT_FIRE: Duration = Duration::from_secs(1);

/// `cancel` races the timer firing, the timer thread's hand-over and the
/// worker's start: the task runs exactly when `cancel` returned `false`, and
/// the handle agrees. Both outcomes explored.
#[test]
fn cancel_races_the_due_time() {
    static RAN: StdBool = StdBool::new(false);
    static CANCELLED: StdBool = StdBool::new(false);
    model_with(2, TimedWait::Timer, || {
        let pool = ThreadPoolManager::new(1).unwrap();
        let ran = Arc::new(AtomicBool::new(false));
        let r = ran.clone();
        let h = pool
            .submit_after(AT_FIRE, move || r.store(true, Ordering::Relaxed))
            .unwrap();
        let clock = thread::spawn(timer::fire);
        let cancelled = h.cancel();
        let outcome = h.wait();
        clock.join().unwrap();
        drop(pool); // joins: the task has run or never will
        let ran = ran.load(Ordering::Relaxed);
        assert_ne!(cancelled, ran, "run and cancelled, or neither");
        if cancelled {
            assert_eq!(outcome, Err(TaskError::Cancelled));
            CANCELLED.store(true, StdOrdering::Relaxed);
        } else {
            assert_eq!(outcome, Ok(()));
            RAN.store(true, StdOrdering::Relaxed);
        }
    });
    assert!(RAN.load(StdOrdering::Relaxed), "never saw the run win");
    assert!(CANCELLED.load(StdOrdering::Relaxed), "never saw the cancel win");
}

/// A fixed-rate series due at once with a zero period on two workers: every run
/// is due as soon as the last returns, and a second worker is free. The runs
/// never overlap; the second panics, which ends the series and is reported.
#[test]
fn fixed_rate_never_overlaps_itself() {
    model(|| {
        let pool = ThreadPoolManager::new(2).unwrap();
        let inside = Arc::new(AtomicBool::new(false));
        let runs = Arc::new(AtomicUsize::new(0));
        let (i, n) = (inside.clone(), runs.clone());
        let h = pool
            .schedule_at_fixed_rate(Duration::ZERO, Duration::ZERO, move || {
                assert!(!i.swap(true, Ordering::AcqRel), "two runs at once");
                let k = n.fetch_add(1, Ordering::Relaxed);
                i.store(false, Ordering::Release);
                assert!(k == 0, "second run ends the series");
            })
            .unwrap();
        assert_eq!(
            h.wait(),
            TaskError::Panicked("second run ends the series".into())
        );
        assert_eq!(runs.load(Ordering::Relaxed), 2);
        drop(pool);
    });
}

/// Injected bug: the series queues its next run before the current one runs;
/// with two workers the runs overlap.
#[test]
#[ignore = "expected to fail; run by `catches_series_requeued_before_run`"]
fn faulty_series_requeued_before_run() {
    inject(Fault::PeriodicRequeuesBeforeRun);
    fixed_rate_never_overlaps_itself();
}

#[test]
fn catches_series_requeued_before_run() {
    expect_failure(
        "loom_tests::schedule::faulty_series_requeued_before_run",
        "two runs at once",
    );
}
