//! The `_deadline` twins of the pool's timed calls, with real threads: each gives
//! up at a deadline while its task is blocked (on a gate, never a sleep), with the
//! shape of its row in `docs/semantics.md` (the handle back, `false`, `None`, the
//! closure back, `NotFinished`), succeeds once the gate opens, and a
//! `Duration::MAX` timeout is no limit, never a panic. `Condvar::wait_deadline`
//! and `wait_deadline_while` likewise.

mod common;

use common::within;
use std::sync::mpsc;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use queuekit::{
    Condvar, Mutex, Queue, ResultError, SubmitError, TaskError, TaskService, ThreadPoolManager,
};

fn soon() -> Instant {
    Instant::now() + Duration::from_millis(20)
}

fn far() -> Instant {
    Instant::now() + Duration::from_secs(60)
}

#[test]
fn task_handle_wait_deadline_hands_the_handle_back_then_the_outcome() {
    within("TaskHandle::wait_deadline", || {
        let pool = ThreadPoolManager::new(1).unwrap();
        let (go, gate) = mpsc::channel::<()>();
        let h = pool.submit(move || gate.recv().map(|()| 7)).unwrap();
        let h = h.wait_deadline(soon()).unwrap_err();
        let h = h.wait_deadline(Instant::now()).unwrap_err(); // already past
        go.send(()).unwrap();
        assert_eq!(h.wait_deadline(far()).ok(), Some(Ok(Ok(7))));
        let h = pool.submit(|| 1).unwrap();
        assert_eq!(h.wait_timeout(Duration::MAX).ok(), Some(Ok(1)));
    });
}

#[test]
fn wait_all_deadline_is_false_while_a_task_runs_then_true() {
    within("wait_all_deadline", || {
        let pool = ThreadPoolManager::new(1).unwrap();
        let (go, gate) = mpsc::channel::<()>();
        pool.execute(move || gate.recv().unwrap()).unwrap();
        assert!(!pool.wait_all_deadline(soon()));
        go.send(()).unwrap();
        assert!(pool.wait_all_deadline(far()));
        assert!(pool.wait_all_timeout(Duration::MAX));
    });
}

#[test]
fn submit_deadline_hands_the_closure_back_on_a_full_backlog() {
    within("submit_deadline", || {
        let pool = ThreadPoolManager::builder()
            .max_workers(1)
            .max_pending(1)
            .build()
            .unwrap();
        let (go, gate) = mpsc::channel::<()>();
        let (started_tx, started) = mpsc::channel();
        let running = pool
            .submit(move || {
                started_tx.send(()).unwrap();
                gate.recv().unwrap()
            })
            .unwrap();
        started.recv().unwrap();
        let queued = pool.submit(|| 2).unwrap(); // fills the backlog of one
        match pool.submit_deadline(|| 3, soon()) {
            Err(SubmitError::Full(f)) => assert_eq!(f.into_inner()(), 3),
            other => panic!("expected Full, got {other:?}"),
        }
        go.send(()).unwrap();
        let late = pool.submit_deadline(|| 4, far()).unwrap();
        assert_eq!(running.wait(), Ok(()));
        assert_eq!((queued.wait(), late.wait()), (Ok(2), Ok(4)));
        assert_eq!(
            pool.submit_timeout(|| 5, Duration::MAX).unwrap().wait(),
            Ok(5)
        );
    });
}

#[test]
fn result_deadline_is_not_finished_then_the_value() {
    within("TaskService::result_deadline", || {
        let service = TaskService::new(1).unwrap();
        let gate = Arc::new(Queue::<()>::unbounded());
        let g = Arc::clone(&gate);
        service
            .add_task("gated", move || g.get().map(|()| 9).unwrap_or(0))
            .unwrap();
        assert_eq!(
            service.result_deadline(&"gated", soon()),
            Err(ResultError::NotFinished)
        );
        gate.put(()).unwrap();
        assert_eq!(service.result_deadline(&"gated", far()), Ok(9));
        assert_eq!(
            service.result_deadline(&"gone", far()),
            Err(ResultError::UnknownTask)
        );
        service.add_task("max", || 1).unwrap();
        assert_eq!(service.result_timeout(&"max", Duration::MAX), Ok(1));
    });
}

#[test]
fn periodic_wait_deadline_is_none_while_running_then_the_end() {
    within("PeriodicHandle::wait_deadline", || {
        let pool = ThreadPoolManager::new(1).unwrap();
        let series = pool
            .schedule_at_fixed_rate(Duration::ZERO, Duration::from_millis(1), || {})
            .unwrap();
        assert_eq!(series.wait_deadline(soon()), None);
        series.cancel();
        assert_eq!(series.wait_deadline(far()), Some(TaskError::Cancelled));
        assert_eq!(
            series.wait_timeout(Duration::MAX),
            Some(TaskError::Cancelled)
        );
    });
}

#[test]
fn condvar_wait_deadline_forms() {
    within("Condvar deadlines", || {
        let state = Arc::new((Mutex::new(false), Condvar::new()));
        let (g, r) = state.1.wait_deadline(state.0.lock(), soon());
        assert!(r.timed_out());
        drop(g);
        let (g, r) = state
            .1
            .wait_deadline_while(state.0.lock(), soon(), |ok| !*ok);
        assert!(r.timed_out() && !*g);
        drop(g);
        let s2 = Arc::clone(&state);
        let setter = thread::spawn(move || {
            *s2.0.lock() = true;
            s2.1.notify_all();
        });
        let (g, r) = state
            .1
            .wait_deadline_while(state.0.lock(), far(), |ok| !*ok);
        assert!(!r.timed_out() && *g);
        drop(g);
        setter.join().unwrap();
        // No limit: returns once the condition is false, here at once.
        let (g, r) = state
            .1
            .wait_timeout_while(state.0.lock(), Duration::MAX, |ok| !*ok);
        assert!(!r.timed_out() && *g);
    });
}
