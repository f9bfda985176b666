//! Waiting on many task handles: `as_completed`, `wait` and
//! `on_done` on the cell's `WaitList`, racing the workers that publish.

use super::model;
use crate::pool::{as_completed, wait, ThreadPoolManager, WaitFor};
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
/// exactly once, whichever of the two RMWs on the state word comes first.
#[test]
fn on_done_registered_while_task_finishes_runs_once() {
    model(|| {
        let pool = ThreadPoolManager::new(1).unwrap();
        let runs = Arc::new(AtomicUsize::new(0));
        let h = pool.submit(|| 1u8).unwrap();
        let r = runs.clone();
        h.on_done(move || {
            r.fetch_add(1, Ordering::Relaxed);
        });
        assert_eq!(h.wait(), Ok(1));
        pool.join();
        assert_eq!(runs.load(Ordering::Relaxed), 1);
    });
}

/// A blocking `wait(FirstCompleted)` parked behind a `Waker` in the cell's
/// list wakes when the worker publishes.
#[test]
fn wait_first_completed_wakes_on_publish() {
    model(|| {
        let pool = ThreadPoolManager::new(1).unwrap();
        let h = [pool.submit(|| 3u8).unwrap()];
        let (done, pending) = wait(&h, WaitFor::FirstCompleted, None);
        assert_eq!((done, pending), (vec![0], vec![]));
        let [h] = h;
        assert_eq!(h.wait(), Ok(3));
        drop(pool);
    });
}

/// `wait(FirstError)` over two handles finishing on two workers in either
/// order, neither failing: it returns only when both are done, each counted
/// once through its own handle's waker (the reports that name what finished).
#[test]
fn wait_first_error_without_error_waits_for_both() {
    model(|| {
        let pool = ThreadPoolManager::new(2).unwrap();
        let h = [pool.submit(|| 1u8).unwrap(), pool.submit(|| 2u8).unwrap()];
        let (done, pending) = wait(&h, WaitFor::FirstError, None);
        assert_eq!((done, pending), (vec![0, 1], vec![]));
        drop(pool);
    });
}
