//! Waiting on many task handles: `as_completed`, `wait_any` (and its
//! timed forms),
//! `on_done`, `map_unordered`. Every body runs under a watchdog; tasks that must
//! stay pending block on a gate queue, never on a sleep.

mod common;

use common::within;
use std::sync::Arc;
use std::time::Duration;

use queuekit::{
    as_completed, done_callback_panics, wait_any, wait_any_deadline, wait_any_timeout, Queue,
    TaskError, TaskHandle, ThreadPoolManager,
};
use std::thread;
use std::time::Instant;

#[test]
fn as_completed_yields_in_finishing_order() {
    within("as_completed order", || {
        let pool = ThreadPoolManager::new(2).unwrap();
        let gate = Arc::new(Queue::<()>::unbounded());
        let g = gate.clone();
        let slow = pool.submit(move || g.get().map(|()| "slow")).unwrap();
        let fast = pool.submit(|| Ok("fast")).unwrap();
        let mut it = as_completed([slow, fast]);
        assert_eq!(it.next(), Some((1, Ok(Ok("fast")))));
        gate.put(()).unwrap();
        assert_eq!(it.next(), Some((0, Ok(Ok("slow")))));
        assert_eq!(it.next(), None);
    });
}

#[test]
fn as_completed_many_handles_each_once() {
    within("as_completed many", || {
        let pool = ThreadPoolManager::new(4).unwrap();
        let n = 20_000;
        let handles: Vec<_> = (0..n).map(|i| pool.submit(move || i).unwrap()).collect();
        let mut seen = vec![false; n];
        for (i, r) in as_completed(handles) {
            assert_eq!(r, Ok(i));
            assert!(!std::mem::replace(&mut seen[i], true));
        }
        assert!(seen.iter().all(|&s| s));
    });
}

#[test]
fn as_completed_timeout_keeps_pending_handles() {
    within("as_completed timeout", || {
        let pool = ThreadPoolManager::new(2).unwrap();
        let gate = Arc::new(Queue::<()>::unbounded());
        let g = gate.clone();
        let stuck = pool.submit(move || g.get().is_ok()).unwrap();
        let quick = pool.submit(|| true).unwrap();
        let mut it = as_completed([stuck, quick]).with_timeout(Duration::from_millis(50));
        assert_eq!(it.next(), Some((1, Ok(true))));
        assert_eq!(it.next(), None);
        let pending = it.into_pending();
        assert_eq!(pending.len(), 1);
        gate.put(()).unwrap();
        let (i, h) = pending.into_iter().next().unwrap();
        assert_eq!((i, h.wait()), (0, Ok(true)));
    });
}

/// Python's `wait(return_when=...)` modes, written with what replaces the
/// removed root-level `wait`: `wait_any` (`FIRST_COMPLETED`), `as_completed`
/// stopped at the first error (`FIRST_EXCEPTION`), `wait_finished` on each
/// handle (`ALL_COMPLETED`).
#[test]
fn wait_modes_match_python() {
    within("wait modes", || {
        let pool = ThreadPoolManager::new(3).unwrap();
        let gate = Arc::new(Queue::<()>::unbounded());
        let started = Arc::new(Queue::<()>::unbounded());
        let (g, st) = (gate.clone(), started.clone());
        let handles = vec![
            pool.submit(move || {
                st.put(()).unwrap();
                g.get().unwrap();
                1
            })
            .unwrap(),
            pool.submit(|| -> i32 { panic!("boom") }).unwrap(),
            pool.submit(|| 3).unwrap(),
        ];
        // Opens the gate however this test ends, so a failed assertion fails
        // the test instead of wedging the pool's drop on the gated task.
        struct Open(Arc<Queue<()>>);
        impl Drop for Open {
            fn drop(&mut self) {
                let _ = self.0.try_put(());
            }
        }
        let _open = Open(gate.clone());
        // The gated task is running (not merely queued) and the other two have
        // finished before anything below: a task still queued would be
        // cancelled by `cancel_pending`, as Python's `cancel` does.
        started.get().unwrap();
        handles[1].wait_finished();
        handles[2].wait_finished();
        assert!(wait_any(&handles).unwrap() >= 1);
        assert_eq!(wait_any::<u32>(&[]), None);
        let mut it = as_completed(handles);
        let first_error = it.by_ref().find(|(_, r)| r.is_err());
        assert_eq!(
            first_error,
            Some((1, Err(TaskError::Panicked("boom".into()))))
        );
        assert_eq!(it.cancel_pending(), 0, "the gated task is running");
        assert!(!it.cancel(0), "a running task cannot be cancelled");
        gate.put(()).unwrap();
        let mut rest: Vec<_> = it.collect();
        rest.sort_unstable_by_key(|(i, _)| *i);
        assert!(rest.contains(&(0, Ok(1))), "{rest:?}");
    });
}

#[test]
fn wait_finished_over_many_handles() {
    within("wait_finished over many handles", || {
        let pool = ThreadPoolManager::new(2).unwrap();
        let n = 20_000;
        let gate = Arc::new(Queue::<()>::unbounded());
        // The first task holds the other worker's queue back until every
        // handle exists, so most of them finish while the waits park.
        let g = gate.clone();
        let mut handles = vec![pool.submit(move || g.get().map(|()| 0)).unwrap()];
        for i in 1..n {
            handles.push(
                pool.submit(move || {
                    if i == n - 1 {
                        panic!("last one fails");
                    }
                    Ok(i)
                })
                .unwrap(),
            );
        }
        gate.put(()).unwrap();
        handles.iter().for_each(TaskHandle::wait_finished);
        assert!(handles.iter().all(TaskHandle::is_finished));
        let failed = handles
            .into_iter()
            .map(|h| h.wait())
            .filter(|r| matches!(r, Err(TaskError::Panicked(_))))
            .count();
        assert_eq!(failed, 1);
    });
}

#[test]
fn on_done_runs_once_and_panics_are_counted() {
    within("on_done", || {
        let pool = ThreadPoolManager::new(2).unwrap();
        let runs = Arc::new(Queue::unbounded());
        let before = done_callback_panics();
        let mut handles = Vec::new();
        for i in 0..1000 {
            let mut h = pool.submit(move || i).unwrap();
            let r = runs.clone();
            h.on_done(move |outcome| {
                assert_eq!(outcome, Ok(i));
                r.put(i).unwrap();
                assert!(i % 100 != 0, "callback bug");
            });
            handles.push(h);
        }
        let mut seen = vec![false; 1000];
        for _ in 0..1000 {
            let i = runs.get().unwrap();
            assert!(
                !std::mem::replace(&mut seen[i], true),
                "callback {i} ran twice"
            );
        }
        for h in handles {
            // The outcome went to the callback.
            assert_eq!(h.wait(), Err(TaskError::ResultTaken));
        }
        // The workers survived the panicking callbacks.
        assert_eq!(pool.submit(|| 7).unwrap().wait(), Ok(7));
        pool.join(); // every callback has returned
        assert!(runs.is_empty(), "a callback ran twice");
        assert!(done_callback_panics() >= before + 10);
    });
}

#[test]
fn on_done_runs_for_a_cancelled_task() {
    within("on_done cancel", || {
        let pool = ThreadPoolManager::new(1).unwrap();
        let gate = Arc::new(Queue::<()>::unbounded());
        let g = gate.clone();
        let blocker = pool.submit(move || g.get().is_ok()).unwrap();
        let mut queued = pool.submit(|| 1).unwrap();
        let ran = Arc::new(Queue::unbounded());
        let r = ran.clone();
        queued.on_done(move |outcome| r.put(outcome).unwrap());
        assert!(queued.cancel());
        assert_eq!(ran.get(), Ok(Err(TaskError::Cancelled)));
        assert!(queued.is_finished());
        gate.put(()).unwrap();
        assert_eq!(blocker.wait(), Ok(true));
    });
}

#[test]
fn map_unordered_yields_every_result() {
    within("map_unordered", || {
        let pool = ThreadPoolManager::new(4).unwrap();
        let mut out: Vec<u64> = pool
            .map_unordered(0..1000u64, |x| x * 2)
            .map(Result::unwrap)
            .collect();
        out.sort_unstable();
        assert_eq!(out, (0..1000).map(|x| x * 2).collect::<Vec<_>>());
    });
}

/// The timed `wait_any` gives up while every task is still blocked (`None`, the
/// handle still pending and its result kept), and reports the handle once its
/// task finished; a deadline already past still reports a finished handle, the
/// lowest index when several are; an empty slice and a timeout too large for an
/// `Instant` do not panic.
#[test]
fn wait_any_timed_gives_up_then_reports() {
    within("wait_any timed", || {
        let pool = ThreadPoolManager::new(2).unwrap();
        let gate = Arc::new(Queue::<()>::unbounded());
        let g = gate.clone();
        let handles = [pool.submit(move || g.get().map(|()| 7)).unwrap()];
        assert_eq!(wait_any_timeout(&handles, Duration::from_millis(20)), None);
        assert_eq!(wait_any_deadline(&handles, Instant::now()), None);
        assert!(!handles[0].is_finished());
        gate.put(()).unwrap();
        assert_eq!(wait_any_timeout(&handles, Duration::MAX), Some(0));
        assert_eq!(wait_any_deadline(&handles, Instant::now()), Some(0));
        let [h] = handles;
        assert_eq!(h.wait(), Ok(Ok(7)));

        let both = [pool.submit(|| 1).unwrap(), pool.submit(|| 2).unwrap()];
        both.iter().for_each(TaskHandle::wait_finished);
        assert_eq!(wait_any_deadline(&both, Instant::now()), Some(0));
        let none: [queuekit::TaskHandle<u8>; 0] = [];
        assert_eq!(wait_any_timeout(&none, Duration::from_secs(60)), None);
        assert_eq!(wait_any_deadline(&none, Instant::now()), None);
    });
}

/// A `wait_any_deadline` blocked on two gated tasks wakes when another thread
/// opens the second gate, and names that handle, not the one still blocked.
#[test]
fn wait_any_deadline_wakes_for_a_task_finished_by_another_thread() {
    within("wait_any_deadline wake-up", || {
        let pool = ThreadPoolManager::new(2).unwrap();
        let gates: Vec<_> = (0..2).map(|_| Arc::new(Queue::<()>::unbounded())).collect();
        let handles: Vec<_> = gates
            .iter()
            .map(|gate| {
                let g = Arc::clone(gate);
                pool.submit(move || g.get().is_ok()).unwrap()
            })
            .collect();
        let opener = {
            let gate = Arc::clone(&gates[1]);
            thread::spawn(move || gate.put(()).unwrap())
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        assert_eq!(wait_any_deadline(&handles, deadline), Some(1));
        assert!(!handles[0].is_finished());
        opener.join().unwrap();
        gates[0].put(()).unwrap();
        handles.iter().for_each(TaskHandle::wait_finished);
        assert!(handles.iter().all(TaskHandle::is_finished));
    });
}
