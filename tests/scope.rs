//! Scoped tasks (`ThreadPoolManager::scope`) with real threads: tasks that borrow
//! and mutate the caller's data; a scope inside the only worker's task, which
//! runs its own tasks instead of deadlocking (nested scoped submits too, and no
//! backlog entries left behind); panics (an unobserved one re-raised from
//! `scope` after every task finished with its original payload, an observed
//! one not, a panicking body still waiting); nested submits through the scope
//! each task gets; `terminate` mid-scope; unclaimed results dropped before
//! `scope` returns, and one whose `Drop` panics reported; a closed pool handing
//! the closure back. Every test that could hang runs under a watchdog.

mod common;

use common::{within, Counted};
use queuekit::{SubmitError, TaskError, ThreadPoolManager};
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::thread;

/// The message of a caught panic.
fn message(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<String>()
        .cloned()
        .or_else(|| p.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_default()
}

#[test]
fn scoped_tasks_borrow_and_mutate_the_callers_data() {
    within("scope borrows", || {
        let pool = ThreadPoolManager::new(2).unwrap();
        let mut data: Vec<u64> = (0..1000).collect();
        let total = AtomicUsize::new(0);
        pool.scope(|s| {
            for chunk in data.chunks_mut(100) {
                let total = &total;
                s.submit(move |_| {
                    for x in chunk.iter_mut() {
                        *x *= 2;
                    }
                    total.fetch_add(chunk.len(), Ordering::Relaxed);
                })
                .unwrap();
            }
        });
        assert_eq!(total.load(Ordering::Relaxed), 1000);
        assert!(data.iter().enumerate().all(|(i, &x)| x == 2 * i as u64));
        pool.wait_all();
        assert_eq!(pool.stats().completed, 10);
    });
}

#[test]
fn scope_inside_a_task_of_a_one_worker_pool_helps_instead_of_deadlocking() {
    within("scope inside the only worker", || {
        let pool = Arc::new(ThreadPoolManager::new(1).unwrap());
        let p = Arc::clone(&pool);
        let h = pool
            .submit(move || {
                let words = ["a", "bb", "ccc"];
                p.scope(|s| {
                    let hs: Vec<_> = words
                        .iter()
                        .map(|w| s.submit(move |_| w.len()).unwrap())
                        .collect();
                    // Handles dropped unwaited too: `scope` itself must run them.
                    s.submit(|_| words.len()).unwrap();
                    hs.into_iter().map(|h| h.wait().unwrap()).sum::<usize>()
                })
            })
            .unwrap();
        assert_eq!(h.wait(), Ok(6));
    });
}

#[test]
fn scoped_tasks_submit_more_scoped_tasks_and_wait_for_them_on_one_worker() {
    within("nested scoped submits", || {
        let pool = ThreadPoolManager::new(1).unwrap();
        let hits = AtomicUsize::new(0);
        pool.scope(|s| {
            for _ in 0..4 {
                s.submit(|_| {
                    let inner = s.submit(|_| hits.fetch_add(1, Ordering::Relaxed)).unwrap();
                    inner.wait().unwrap();
                    s.submit(|_| hits.fetch_add(1, Ordering::Relaxed)).unwrap();
                })
                .unwrap();
            }
        });
        assert_eq!(hits.load(Ordering::Relaxed), 8);
    });
}

#[test]
fn an_unobserved_scoped_panic_is_raised_from_scope_after_every_task_finished() {
    within("scope re-raises", || {
        let pool = ThreadPoolManager::new(2).unwrap();
        let finished = AtomicUsize::new(0);
        let caught = panic::catch_unwind(AssertUnwindSafe(|| {
            pool.scope(|s| {
                s.submit(|_| -> () { panic!("scoped boom") }).unwrap();
                for _ in 0..3 {
                    s.submit(|_| {
                        thread::yield_now();
                        finished.fetch_add(1, Ordering::SeqCst);
                    })
                    .unwrap();
                }
            })
        }));
        let msg = message(&*caught.unwrap_err());
        assert!(msg.contains("scoped boom"), "{msg}");
        assert_eq!(finished.load(Ordering::SeqCst), 3);
        // The pool lives on and counted the panic.
        assert_eq!(pool.submit(|| 1).unwrap().wait(), Ok(1));
        pool.wait_all();
        assert_eq!(pool.stats().panicked, 1);
    });
}

#[test]
fn a_panic_reported_through_the_handle_is_not_raised_again() {
    within("observed panic", || {
        let pool = ThreadPoolManager::new(2).unwrap();
        let out = pool.scope(|s| {
            let h = s.submit(|_| -> u8 { panic!("seen") }).unwrap();
            h.wait()
        });
        assert_eq!(out, Err(TaskError::Panicked("seen".into())));
    });
}

#[test]
fn a_panicking_scope_body_still_waits_for_its_tasks() {
    within("body panics", || {
        let pool = ThreadPoolManager::new(2).unwrap();
        let ran = AtomicUsize::new(0);
        let caught = panic::catch_unwind(AssertUnwindSafe(|| {
            pool.scope(|s| {
                for _ in 0..8 {
                    s.submit(|_| ran.fetch_add(1, Ordering::SeqCst)).unwrap();
                }
                panic!("body");
            })
        }));
        assert_eq!(message(&*caught.unwrap_err()), "body");
        assert_eq!(ran.load(Ordering::SeqCst), 8);
    });
}

#[test]
fn terminate_mid_scope_cancels_queued_tasks_drops_their_borrows_and_waits_for_the_running_one() {
    within("terminate mid-scope", || {
        let pool = ThreadPoolManager::new(1).unwrap();
        let live = AtomicUsize::new(0);
        let (go, gate) = mpsc::channel::<()>();
        let (started_tx, started) = mpsc::channel();
        let running_done = AtomicUsize::new(0);
        pool.scope(|s| {
            let running_done = &running_done;
            let running = s
                .submit(move |_| {
                    started_tx.send(()).unwrap();
                    gate.recv().unwrap();
                    running_done.store(1, Ordering::SeqCst);
                })
                .unwrap();
            started.recv().unwrap();
            let queued: Vec<_> = (0..3)
                .map(|_| {
                    let token = Counted::new(&live);
                    s.submit(move |_| drop(token)).unwrap()
                })
                .collect();
            assert_eq!(live.load(Ordering::SeqCst), 3);
            assert_eq!(pool.terminate(), 3);
            // Cancelled closures are dropped by `terminate`, borrows and all.
            assert_eq!(live.load(Ordering::SeqCst), 0);
            for h in queued {
                assert_eq!(h.wait(), Err(TaskError::Cancelled));
            }
            assert!(s.submit(|_| ()).unwrap_err().is_closed());
            drop(running); // the scope must still wait for it
            go.send(()).unwrap();
        });
        assert_eq!(running_done.load(Ordering::SeqCst), 1);
        pool.join();
    });
}

#[test]
fn unclaimed_results_are_dropped_before_scope_returns() {
    within("unclaimed results", || {
        let pool = ThreadPoolManager::new(2).unwrap();
        let live = AtomicUsize::new(0);
        pool.scope(|s| {
            // More than the pruning slack, so pruning runs too.
            for _ in 0..500 {
                s.submit(|_| Counted::new(&live)).unwrap();
            }
        });
        assert_eq!(live.load(Ordering::SeqCst), 0);
    });
}

#[test]
fn a_result_whose_drop_panics_is_reported_by_the_scope() {
    struct Bomb;
    impl Drop for Bomb {
        fn drop(&mut self) {
            panic!("bomb");
        }
    }
    within("result drop panics", || {
        let pool = ThreadPoolManager::new(1).unwrap();
        let caught = panic::catch_unwind(AssertUnwindSafe(|| {
            pool.scope(|s| {
                s.submit(|_| Bomb).unwrap();
            })
        }));
        assert!(message(&*caught.unwrap_err()).contains("Drop"));
        assert_eq!(pool.submit(|| 2).unwrap().wait(), Ok(2));
    });
}

#[test]
fn scoped_submit_to_a_closed_pool_hands_the_closure_back() {
    let pool = ThreadPoolManager::new(1).unwrap();
    pool.close();
    let n = 5;
    pool.scope(|s| match s.submit(|_| n + 1) {
        Err(SubmitError::Closed(f)) => assert_eq!(f.into_inner()(s), 6),
        other => panic!("unexpected {other:?}"),
    });
}

#[test]
fn a_scope_in_the_only_workers_task_leaves_no_backlog_entries_behind() {
    within("helped entries leave the backlog", || {
        let pool = Arc::new(
            ThreadPoolManager::builder()
                .max_workers(1)
                .max_pending(2)
                .build()
                .unwrap(),
        );
        let p = Arc::clone(&pool);
        let h = pool
            .submit(move || {
                let data: Vec<u64> = (0..300).collect();
                let sum = p.scope(|s| {
                    s.map_bounded(data.iter(), |x| x + 1, 2)
                        .map(Result::unwrap)
                        .sum::<u64>()
                });
                (sum, p.stats().pending)
            })
            .unwrap();
        // Every item was run by the helping caller, and its entry went with it:
        // the backlog bound of 2 was never reached.
        assert_eq!(h.wait(), Ok((300 * 301 / 2, 0)));
        pool.wait_all();
        assert_eq!(pool.stats().completed, 301);
    });
}

/// The payload a scoped task panicked with, kept as it was.
#[derive(Debug, PartialEq)]
struct Payload(u32);

/// `scope` re-raises an unreported task panic with the task's own payload
/// (`resume_unwind`, as rayon's `scope` and std's `join` keep it), not a
/// message built from it; a payload whose panic a handle reported is not
/// raised.
#[test]
fn scope_re_raises_the_original_payload() {
    within("scope payload", || {
        let pool = ThreadPoolManager::new(2).unwrap();
        let caught = panic::catch_unwind(AssertUnwindSafe(|| {
            pool.scope(|s| {
                // Panics first, but reported through its handle: not raised.
                let reported = s.submit(|_| panic::panic_any(Payload(2))).unwrap().wait();
                assert!(matches!(reported, Err(TaskError::Panicked(_))));
                // Unreported: its handle is dropped unwaited.
                drop(s.submit(|_| panic::panic_any(Payload(1))).unwrap());
            })
        }));
        let payload = caught.unwrap_err();
        assert_eq!(payload.downcast_ref::<Payload>(), Some(&Payload(1)));
    });
}

/// Each scoped task gets the scope, and submits more tasks through it that
/// borrow the same data, to any depth (rayon's shape).
#[test]
fn scoped_tasks_submit_nested_tasks_through_their_scope() {
    fn sum<'scope, 'env>(s: &'scope queuekit::Scope<'scope, 'env>, xs: &'env [u64]) -> u64 {
        if xs.len() <= 2 {
            return xs.iter().sum();
        }
        let (l, r) = xs.split_at(xs.len() / 2);
        let left = s.submit(move |s| sum(s, l)).unwrap();
        let right = s.submit(move |s| sum(s, r)).unwrap();
        left.wait().unwrap() + right.wait().unwrap()
    }
    within("nested scoped submits", || {
        let pool = ThreadPoolManager::new(2).unwrap();
        let data: Vec<u64> = (1..=100).collect();
        let total = pool.scope(|s| sum(s, &data));
        assert_eq!(total, 5050);
    });
}
