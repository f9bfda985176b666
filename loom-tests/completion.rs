//! Waiting on many task handles: `as_completed`, `wait_any` and
//! `on_done` on the cell's `WaitList`, racing the workers that publish.

use super::{expect_failure, inject, model};
use crate::sync::fault::Fault;
use crate::pool::{as_completed, wait_any, ThreadPoolManager};
use crate::TaskError;
use loom::sync::atomic::{AtomicUsize, Ordering};
use loom::sync::Arc;

/// `as_completed` over two handles on two workers, which finish in either
/// order: each index is yielded once, with its own result.
#[test]
fn as_completed_two_handles_either_order() {
    model(|| {
        let pool = ThreadPoolManager::new(2).unwrap();
        let a = pool.submit(|| 10u32).unwrap();
        let b = pool.submit(|| 20u32).unwrap();
        let mut got: Vec<_> = as_completed([a, b]).collect();
        got.sort_unstable_by_key(|(i, _)| *i);
        assert_eq!(got, [(0, Ok(10)), (1, Ok(20))]);
        drop(pool);
    });
}

/// `on_done` registered while the worker finishes the task: the callback runs
/// exactly once, with the task's value, whichever of the two RMWs on the state
/// word comes first (and the handle no longer takes the result).
#[test]
fn on_done_registered_while_task_finishes_runs_once() {
    model(|| {
        let pool = ThreadPoolManager::new(1).unwrap();
        let runs = Arc::new(AtomicUsize::new(0));
        let mut h = pool.submit(|| 1u8).unwrap();
        let r = runs.clone();
        h.on_done(move |outcome| {
            assert_eq!(outcome, Ok(1));
            r.fetch_add(1, Ordering::Relaxed);
        });
        assert_eq!(h.wait(), Err(TaskError::ResultTaken));
        pool.join();
        assert_eq!(runs.load(Ordering::Relaxed), 1);
    });
}

/// A blocking `wait_any` parked behind a `Waker` in the cell's list wakes
/// when the worker publishes.
#[test]
fn wait_any_wakes_on_publish() {
    model(|| {
        let pool = ThreadPoolManager::new(1).unwrap();
        let h = [pool.submit(|| 3u8).unwrap()];
        assert_eq!(wait_any(&h), Some(0));
        let [h] = h;
        assert_eq!(h.wait(), Ok(3));
        drop(pool);
    });
}

/// `wait_any` over two handles finishing on two workers in either order:
/// it reports a finished one, each reported through its own handle's waker
/// (the reports that name what finished), and the other is still there.
#[test]
fn wait_any_over_two_handles_reports_a_finished_one() {
    model(|| {
        let pool = ThreadPoolManager::new(2).unwrap();
        let h = [pool.submit(|| 1u8).unwrap(), pool.submit(|| 2u8).unwrap()];
        let i = wait_any(&h).unwrap();
        assert!(h[i].is_finished());
        let [a, b] = h;
        assert_eq!((a.wait(), b.wait()), (Ok(1), Ok(2)));
        drop(pool);
    });
}

/// A blocking `as_completed` whose `next` parks while the worker finishes the
/// task: the task's mark reports the index to the ready list and wakes the
/// parked thread, whichever of the look-and-register (one hold of the list's
/// lock) and the report comes first.
#[test]
fn as_completed_next_parks_while_the_task_finishes() {
    model(|| {
        let pool = ThreadPoolManager::new(1).unwrap();
        let h = pool.submit(|| 5u8).unwrap();
        let mut it = as_completed([h]);
        assert_eq!(it.next(), Some((0, Ok(5))));
        assert_eq!(it.next(), None);
        drop(pool);
    });
}

#[test]
#[ignore = "must fail: run by catches_ready_registering_after_its_look"]
fn faulty_ready_registers_after_look() {
    inject(Fault::ReadyRegistersAfterLook);
    as_completed_next_parks_while_the_task_finishes();
}

#[test]
fn catches_ready_registering_after_its_look() {
    expect_failure(
        "loom_tests::completion::faulty_ready_registers_after_look",
        "deadlock",
    );
}
