//! CPython's `concurrent.futures` tests for done callbacks and `as_completed`
//! (`Lib/test/test_concurrent_futures/test_future.py` and `test_as_completed.py`),
//! ported where they apply. Tasks that must stay pending block on a gate queue,
//! never on a sleep; every body runs under a watchdog.
//!
//! Not ported: `test_duplicate_futures` (a `TaskHandle` is not `Clone`, so the
//! same task cannot be passed twice) and the tests of a callback added twice
//! (the outcome moves into the one callback).

mod common;

use common::within;
use std::sync::{mpsc, Arc};
use std::thread;
use std::time::{Duration, Instant};

use queuekit::{as_completed, done_callback_panics, Queue, TaskError, ThreadPoolManager};

/// A pool of one worker held by a gated task; the gate opens it.
fn blocked_pool() -> (
    ThreadPoolManager,
    mpsc::Sender<()>,
    queuekit::TaskHandle<bool>,
) {
    let pool = ThreadPoolManager::new(1).unwrap();
    let (go, gate) = mpsc::channel::<()>();
    let (started_tx, started) = mpsc::channel();
    let blocker = pool
        .submit(move || {
            started_tx.send(()).unwrap();
            gate.recv().is_ok()
        })
        .unwrap();
    started.recv().unwrap();
    (pool, go, blocker)
}

/// `test_done_callback_with_result`: the callback reads the result.
#[test]
fn done_callback_with_result() {
    within("done callback with result", || {
        let pool = ThreadPoolManager::new(1).unwrap();
        let seen = Arc::new(Queue::unbounded());
        let s = Arc::clone(&seen);
        let mut h = pool.submit(|| 5).unwrap();
        h.on_done(move |outcome| s.put(outcome).unwrap());
        assert_eq!(seen.get(), Ok(Ok(5)));
    });
}

/// `test_done_callback_with_exception`: the callback reads the exception.
#[test]
fn done_callback_with_exception() {
    within("done callback with exception", || {
        let pool = ThreadPoolManager::new(1).unwrap();
        let seen = Arc::new(Queue::unbounded());
        let s = Arc::clone(&seen);
        let mut h = pool.submit(|| -> u8 { panic!("test") }).unwrap();
        h.on_done(move |outcome| s.put(outcome).unwrap());
        assert_eq!(seen.get(), Ok(Err(TaskError::Panicked("test".into()))));
    });
}

/// `test_done_callback_with_cancel`: added before the cancel, the callback
/// runs on the cancelling thread and sees the task cancelled.
#[test]
fn done_callback_with_cancel() {
    within("done callback with cancel", || {
        let (pool, go, blocker) = blocked_pool();
        let seen = Arc::new(Queue::unbounded());
        let s = Arc::clone(&seen);
        let mut queued = pool.submit(|| 1).unwrap();
        let me = thread::current().id();
        queued.on_done(move |outcome| s.put((outcome, thread::current().id() == me)).unwrap());
        assert!(seen.is_empty(), "ran before the task was over");
        assert!(queued.cancel());
        assert_eq!(seen.get(), Ok((Err(TaskError::Cancelled), true)));
        go.send(()).unwrap();
        assert_eq!(blocker.wait(), Ok(true));
    });
}

/// `test_done_callback_already_successful` / `_already_failed` /
/// `_already_cancelled`: added to a finished task, the callback runs at once,
/// on the calling thread, with the outcome.
#[test]
fn done_callback_already_finished_runs_at_once() {
    within("done callback already finished", || {
        let pool = ThreadPoolManager::new(1).unwrap();
        let mut ok = pool.submit(|| 5).unwrap();
        let mut bad = pool.submit(|| -> i32 { panic!("late") }).unwrap();
        ok.wait_finished();
        bad.wait_finished();
        let mut got = Vec::new();
        let (tx, rx) = mpsc::channel();
        for h in [&mut ok, &mut bad] {
            let tx = tx.clone();
            h.on_done(move |outcome| tx.send(outcome).unwrap());
            // Already run, here: nothing is left to wait for.
            got.push(rx.try_recv().unwrap());
        }
        assert_eq!(got, [Ok(5), Err(TaskError::Panicked("late".into()))]);

        let (pool, go, blocker) = blocked_pool();
        let mut cancelled = pool.submit(|| 0).unwrap();
        assert!(cancelled.cancel());
        cancelled.on_done(move |outcome| tx.send(outcome).unwrap());
        assert_eq!(rx.try_recv(), Ok(Err(TaskError::Cancelled)));
        go.send(()).unwrap();
        assert_eq!(blocker.wait(), Ok(true));
    });
}

/// `test_done_callback_raises`: a raising callback is reported (counted
/// here), and the pool goes on.
#[test]
fn done_callback_raises_is_counted() {
    within("done callback raises", || {
        let pool = ThreadPoolManager::new(1).unwrap();
        let before = done_callback_panics();
        let mut h = pool.submit(|| 5).unwrap();
        h.on_done(|outcome| panic!("doh! {outcome:?}"));
        pool.join(); // the worker ran the callback before it left
        assert_eq!(done_callback_panics(), before + 1);
    });
}

/// `test_no_timeout` (with `CANCELLED_AND_NOTIFIED_FUTURE`): finished,
/// failed and cancelled tasks are all yielded, each once.
#[test]
fn as_completed_yields_finished_failed_and_cancelled() {
    within("as_completed no timeout", || {
        let (pool, go, blocker) = blocked_pool();
        let cancelled = pool.submit(|| 0).unwrap();
        assert!(cancelled.cancel());
        let failed = pool.submit(|| -> i32 { panic!("bad") }).unwrap();
        let ok = pool.submit(|| 3).unwrap();
        go.send(()).unwrap();
        assert_eq!(blocker.wait(), Ok(true));
        let mut got: Vec<_> = as_completed([cancelled, failed, ok]).collect();
        got.sort_unstable_by_key(|(i, _)| *i);
        assert_eq!(
            got,
            [
                (0, Err(TaskError::Cancelled)),
                (1, Err(TaskError::Panicked("bad".into()))),
                (2, Ok(3)),
            ]
        );
    });
}

/// `test_zero_timeout`: with a timeout already over, the finished tasks are
/// still yielded, then the iteration stops with the pending one given back.
#[test]
fn as_completed_zero_timeout_yields_the_finished_ones() {
    within("as_completed zero timeout", || {
        let pool = ThreadPoolManager::new(2).unwrap();
        let gate = Arc::new(Queue::<()>::unbounded());
        let g = Arc::clone(&gate);
        let pending = pool.submit(move || g.get().is_ok()).unwrap();
        let done = pool.submit(|| true).unwrap();
        done.wait_finished();
        let mut it = as_completed([pending, done]).with_timeout(Duration::ZERO);
        assert_eq!(it.next(), Some((1, Ok(true))));
        assert_eq!(it.next(), None);
        let left = it.into_pending();
        assert_eq!(left.iter().map(|(i, _)| *i).collect::<Vec<_>>(), [0]);
        gate.put(()).unwrap();
    });
}

/// The timeout counts from the call of `as_completed` (Python's rule), not
/// from `with_timeout`: an iterator made, then given a timeout that has
/// already passed by then, gives up at once instead of waiting it out again.
#[test]
fn as_completed_timeout_counts_from_the_call() {
    within("as_completed timeout from the start", || {
        let pool = ThreadPoolManager::new(1).unwrap();
        let gate = Arc::new(Queue::<()>::unbounded());
        let g = Arc::clone(&gate);
        let stuck = pool.submit(move || g.get().is_ok()).unwrap();
        let timeout = Duration::from_millis(300);
        let it = as_completed([stuck]);
        thread::sleep(timeout); // time passing, not synchronisation
        let mut it = it.with_timeout(timeout);
        let asked = Instant::now();
        assert_eq!(it.next(), None);
        let waited = asked.elapsed();
        gate.put(()).unwrap();
        // Counted from `with_timeout`, this wait would last the whole timeout.
        assert!(
            waited < timeout,
            "waited {waited:?} past a timeout that was over"
        );
    });
}

/// A pending task can be cancelled during the iteration, from inside the
/// loop: it is then yielded, cancelled; a running one is not interrupted.
#[test]
fn as_completed_cancels_a_pending_task_during_iteration() {
    within("as_completed cancel during iteration", || {
        let (pool, go, blocker) = blocked_pool();
        let queued: Vec<_> = (0..3).map(|i| pool.submit(move || i).unwrap()).collect();
        let quick = ThreadPoolManager::new(1).unwrap();
        let mut handles = queued;
        handles.push(quick.submit(|| 99).unwrap()); // index 3, on another pool
        let mut it = as_completed(handles);
        let mut got = Vec::new();
        while let Some((i, r)) = it.next() {
            if i == 3 {
                // The first to finish: give up on the others.
                assert!(it.cancel(1));
                assert_eq!(it.cancel_pending(), 2);
                assert!(!it.cancel(3), "already yielded");
                assert!(!it.cancel(17), "out of range");
            }
            got.push((i, r));
        }
        got.sort_unstable_by_key(|(i, _)| *i);
        assert_eq!(
            got,
            [
                (0, Err(TaskError::Cancelled)),
                (1, Err(TaskError::Cancelled)),
                (2, Err(TaskError::Cancelled)),
                (3, Ok(99)),
            ]
        );
        go.send(()).unwrap();
        assert_eq!(blocker.wait(), Ok(true));
    });
}

/// The async form: `next_async` is pending while every task is blocked, and
/// completes once another thread lets one finish; dropping an unfinished
/// `next_async` future loses nothing.
#[test]
fn as_completed_async_waits_and_is_cancel_safe() {
    within("as_completed async", || {
        use futures::future::FutureExt;
        let pool = ThreadPoolManager::new(2).unwrap();
        let gate = Arc::new(Queue::<()>::unbounded());
        let g = Arc::clone(&gate);
        let slow = pool.submit(move || g.get().map(|()| "slow")).unwrap();
        let mut it = as_completed([slow]);
        // Polled once with nothing finished: pending, then dropped.
        assert_eq!(it.next_async().now_or_never(), None);
        let opener = thread::spawn(move || gate.put(()).unwrap());
        let got = futures::executor::block_on(it.next_async());
        assert_eq!(got, Some((0, Ok(Ok("slow")))));
        assert_eq!(futures::executor::block_on(it.next_async()), None);
        opener.join().unwrap();
    });
}

/// With the `stream` feature, `AsCompleted` is a `Stream`.
#[cfg(feature = "stream")]
#[test]
fn as_completed_is_a_stream() {
    within("as_completed stream", || {
        use futures::StreamExt;
        let pool = ThreadPoolManager::new(2).unwrap();
        let handles: Vec<_> = (0..10u32)
            .map(|i| pool.submit(move || i).unwrap())
            .collect();
        let mut got: Vec<u32> = futures::executor::block_on(
            StreamExt::map(as_completed(handles), |(_, r)| r.unwrap()).collect::<Vec<_>>(),
        );
        got.sort_unstable();
        assert_eq!(got, (0..10).collect::<Vec<_>>());
    });
}
