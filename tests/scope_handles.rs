//! Scoped handles that outlive the scope's closure: moved into another scoped
//! task, kept inside a scoped `map_bounded` iterator, returned inside another
//! task's result, or forgotten. A finished task's result belongs to its handle
//! while the handle lives; `scope` drops only the results nobody can take any
//! more, and re-raises only the panics nobody saw through a handle (as
//! `std::thread::scope` does for a `ScopedJoinHandle` joined on another scoped
//! thread). Every test that could hang runs under a watchdog.

mod common;

use common::{within, Counted, WATCHDOG};
use queuekit::{Scope, TaskError, ThreadPoolManager};
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Mutex};

/// Says when it is dropped.
struct Signal(mpsc::Sender<()>);

impl Drop for Signal {
    fn drop(&mut self) {
        let _ = self.0.send(());
    }
}

/// Submits task B, which runs `late` and puts its value in `out`, and returns
/// once B runs on a worker: B is still running when the scope's closure
/// returns. B runs `late` only once `scope` has started its clean-up, gated
/// without a sleep by a task `X` whose handle nobody keeps, submitted just
/// before B: once the scope's closure has returned, `scope` drops `X`'s result
/// (nobody can take it) when it gets to `X`, which is after it got to every
/// earlier task and before it waits for B. The timeout only bounds the test if
/// `scope` ever held unclaimed results back until every task is over; the
/// assertions do not depend on it.
fn submit_late<'scope, T: Send + 'scope>(
    s: &'scope Scope<'scope, '_>,
    out: &'scope Mutex<Option<T>>,
    late: impl FnOnce() -> T + Send + 'scope,
) {
    let (passed_tx, passed) = mpsc::channel();
    drop(s.submit(move |_| Signal(passed_tx)).unwrap());
    let (started_tx, started) = mpsc::channel();
    s.submit(move |_| {
        started_tx.send(()).unwrap();
        let _ = passed.recv_timeout(WATCHDOG / 4);
        *out.lock().unwrap() = Some(late());
    })
    .unwrap();
    started.recv().unwrap();
}

/// Task B owns task A's handle, is still running when the scope's closure
/// returns, and waits on A only after `scope` has gone past A: it gets A's value.
#[test]
fn a_handle_moved_into_a_task_still_running_when_the_closure_returns_gets_the_value() {
    within("moved handle, waited late", || {
        let pool = ThreadPoolManager::new(2).unwrap();
        let got = Mutex::new(None);
        pool.scope(|s| {
            let a = s.submit(|_| 42).unwrap();
            submit_late(s, &got, move || a.wait());
        });
        assert_eq!(got.into_inner().unwrap(), Some(Ok(42)));
    });
}

/// "Load, then combine": B runs on a worker when the scope's closure returns and
/// waits on A's handle at once, racing the scope's clean-up. No round loses A's
/// value (before the fix, about one round in twenty did here).
#[test]
fn load_then_combine_never_loses_a_result() {
    within("load, then combine", || {
        const ROUNDS: u64 = 2_000;
        let pool = ThreadPoolManager::new(2).unwrap();
        let mut lost = Vec::new();
        for round in 0..ROUNDS {
            let got = Mutex::new(None);
            let (started_tx, started_rx) = mpsc::channel();
            pool.scope(|s| {
                let a = s.submit(move |_| round).unwrap();
                let got = &got;
                s.submit(move |_| {
                    started_tx.send(()).unwrap();
                    *got.lock().unwrap() = Some(a.wait());
                })
                .unwrap();
                // Otherwise the scope would run B itself, after the closure.
                started_rx.recv().unwrap();
            });
            let got = got.into_inner().unwrap();
            if got != Some(Ok(round)) {
                lost.push((round, got));
            }
        }
        assert!(
            lost.is_empty(),
            "{} of {ROUNDS} rounds lost the result, e.g. {:?}",
            lost.len(),
            &lost[..lost.len().min(3)]
        );
    });
}

/// A scoped `map_bounded` iterator moved into a task that reads it after
/// `scope` has gone past the inputs already in flight: every result arrives.
#[test]
fn a_scoped_map_bounded_iterator_moved_into_a_task_yields_every_result() {
    within("moved scoped map", || {
        let pool = ThreadPoolManager::new(2).unwrap();
        let data: Vec<u32> = (0..10).collect();
        let got = Mutex::new(None);
        pool.scope(|s| {
            let mut squares = s.map_bounded(data.iter(), |x| x * x, 4);
            // Fills the window: the next three inputs are in flight now.
            let first = squares.next();
            submit_late(s, &got, move || (first, squares.collect::<Vec<_>>()));
        });
        let (first, rest) = got.into_inner().unwrap().unwrap();
        assert_eq!(first, Some(Ok(0)));
        assert_eq!(rest, (1..10).map(|x| Ok(x * x)).collect::<Vec<_>>());
    });
}

/// A panic that task B saw through A's handle is B's: `scope` does not raise it
/// a second time.
#[test]
fn a_panic_seen_through_a_moved_handle_is_not_raised_again_by_the_scope() {
    within("panic seen through a moved handle", || {
        let pool = ThreadPoolManager::new(2).unwrap();
        let seen = Mutex::new(None);
        let out = panic::catch_unwind(AssertUnwindSafe(|| {
            pool.scope(|s| {
                let a = s.submit(|_| -> u32 { panic!("seen by B") }).unwrap();
                submit_late(s, &seen, move || a.wait());
            })
        }));
        assert_eq!(
            seen.into_inner().unwrap(),
            Some(Err(TaskError::Panicked("seen by B".into())))
        );
        assert!(out.is_ok(), "scope raised a panic a handle had reported");
    });
}

/// A's handle returned inside B's result, B's handle dropped: `scope` drops B's
/// result, which lets go of A's handle, and then drops A's result too, before
/// it returns.
#[test]
fn a_handle_kept_in_another_tasks_result_is_cleaned_up_before_scope_returns() {
    within("handle in a result", || {
        let pool = ThreadPoolManager::new(2).unwrap();
        let live = AtomicUsize::new(0);
        pool.scope(|s| {
            let live = &live;
            let a = s.submit(move |_| Counted::new(live)).unwrap();
            drop(s.submit(move |_| a).unwrap());
        });
        assert_eq!(live.load(Ordering::SeqCst), 0);
    });
}

/// A forgotten handle keeps its task's outcome, as any forgotten value keeps
/// what it owns: `scope` neither hangs on it nor drops the result, and a panic
/// inside is nobody's to report.
#[test]
fn a_forgotten_handle_does_not_hang_the_scope_and_its_outcome_is_leaked_with_it() {
    within("forgotten handle", || {
        let pool = ThreadPoolManager::new(2).unwrap();
        let live = AtomicUsize::new(0);
        pool.scope(|s| {
            let live = &live;
            std::mem::forget(s.submit(move |_| Counted::new(live)).unwrap());
            std::mem::forget(s.submit(|_| -> u32 { panic!("forgotten") }).unwrap());
        });
        assert_eq!(live.load(Ordering::SeqCst), 1);
        assert_eq!(pool.submit(|| 2).unwrap().wait(), Ok(2));
    });
}
