//! The pool never hangs on a user's panic or a re-entrant call: one regression test
//! per defect found by the adversarial suite, the re-entrancy rules of
//! `docs/pool.md`, and the behaviours a mutation sample found untested.
//!
//! Every test that could hang runs under a watchdog, so a regression fails in
//! bounded time instead of stalling CI.

mod common;

use common::within;
use queuekit::{
    PoolBuildError, PutError, Queue, ResultError, SubmitError, TaskError, TaskService,
    ThreadPoolManager,
};
use std::collections::HashSet;
use std::future::Future;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Barrier};
use std::task::{Context, Wake, Waker};
use std::thread;
use std::time::Duration;

/// A value whose `Drop` panics: user code the pool must survive.
struct PanicOnDrop;

impl Drop for PanicOnDrop {
    fn drop(&mut self) {
        panic!("PanicOnDrop dropped");
    }
}

/// A task that reports it started and then blocks until the gate opens.
fn gated(pool: &ThreadPoolManager) -> (mpsc::Sender<()>, queuekit::TaskHandle<()>) {
    let (go, gate) = mpsc::channel::<()>();
    let (started_tx, started) = mpsc::channel();
    let h = pool
        .submit(move || {
            started_tx.send(()).unwrap();
            gate.recv().unwrap();
        })
        .unwrap();
    started.recv().unwrap();
    (go, h)
}

// ---- 1. re-entrant join / drop from the first task of a fresh pool -------------

#[test]
fn join_inside_the_first_task_of_a_fresh_pool_returns() {
    // The race was 1 in 300-1000: 2000 fresh pools.
    within("join inside the first task", || {
        for _ in 0..2000 {
            let pool = Arc::new(ThreadPoolManager::new(1).unwrap());
            let p = Arc::clone(&pool);
            let h = pool.submit(move || p.join()).unwrap();
            assert_eq!(h.wait(), Ok(()));
            pool.join();
            assert_eq!(pool.stats().live, 0);
        }
    });
}

#[test]
fn join_inside_a_task_of_a_worker_started_by_another_worker_returns() {
    within("join inside a second worker's first task", || {
        for _ in 0..500 {
            let pool = Arc::new(ThreadPoolManager::new(2).unwrap());
            let (go, gate) = mpsc::channel::<()>();
            // The first worker finds a second task queued and starts a second
            // worker for it; that one's first task joins the pool.
            let first = pool.submit(move || gate.recv().unwrap()).unwrap();
            let p = Arc::clone(&pool);
            let joiner = pool.submit(move || p.join());
            go.send(()).unwrap();
            assert_eq!(first.wait(), Ok(()));
            assert_eq!(joiner.unwrap().wait(), Ok(()));
            pool.join();
        }
    });
}

#[test]
fn dropping_the_last_pool_reference_inside_the_first_task_returns() {
    within("drop inside the first task", || {
        for _ in 0..1000 {
            let pool = Arc::new(ThreadPoolManager::new(1).unwrap());
            let p = Arc::clone(&pool);
            let h = pool.submit(move || drop(p)).unwrap();
            drop(pool); // the task may hold the last reference now
            assert_eq!(h.wait(), Ok(()));
        }
    });
}

// ---- 2-4. panicking drops of user values ------------------------------------------

#[test]
fn a_cancelled_closure_whose_drop_panics_does_not_kill_the_worker() {
    within("cancelled closure with a panicking drop", || {
        let pool = ThreadPoolManager::new(1).unwrap();
        let (go, running) = gated(&pool);
        let bomb = PanicOnDrop;
        let queued = pool
            .submit(move || {
                let _keep = &bomb;
            })
            .unwrap();
        // `cancel` drops the closure at once, here: its panic is the caller's.
        let cancel = panic::catch_unwind(AssertUnwindSafe(|| queued.cancel()));
        assert!(cancel.is_err(), "the closure's Drop panicked in cancel()");
        go.send(()).unwrap();
        assert_eq!(running.wait(), Ok(()));
        assert_eq!(queued.wait(), Err(TaskError::Cancelled));
        // The worker lives on: later tasks run on it, and join returns.
        assert_eq!(pool.submit(|| 5).unwrap().wait(), Ok(5));
        assert_eq!(pool.stats().live, 1);
        pool.join();
    });
}

#[test]
fn a_result_whose_drop_panics_with_no_handle_kept_does_not_kill_the_worker() {
    within("result with a panicking drop", || {
        let pool = ThreadPoolManager::new(1).unwrap();
        let (go, gate) = mpsc::channel::<()>();
        let handle = pool
            .submit(move || {
                gate.recv().unwrap();
                PanicOnDrop
            })
            .unwrap();
        // Dropped before the task finishes, so the worker holds the last reference
        // (a handle dropped after the finish drops the result on its own thread).
        drop(handle);
        go.send(()).unwrap();
        pool.wait_all();
        assert_eq!(pool.stats().panicked, 1, "{:?}", pool.stats());
        // Same worker, still alive and idle; later tasks run.
        assert_eq!(pool.submit(|| 7).unwrap().wait(), Ok(7));
        assert_eq!(pool.stats().live, 1);
        pool.join();
        assert_eq!(pool.stats().live, 0);
    });
}

#[test]
fn an_execute_closure_whose_captures_panic_on_drop_is_counted() {
    within("execute closure with a panicking drop", || {
        let pool = ThreadPoolManager::new(1).unwrap();
        let bomb = PanicOnDrop;
        pool.execute(move || {
            let _keep = &bomb;
        })
        .unwrap();
        pool.wait_all();
        assert_eq!(pool.stats().panicked, 1);
        assert_eq!(pool.submit(|| 1).unwrap().wait(), Ok(1));
        pool.join();
    });
}

#[test]
fn terminate_with_pending_closures_whose_drop_panics_cancels_all_the_rest() {
    within("terminate with panicking drops", || {
        let pool = ThreadPoolManager::new(1).unwrap();
        let (go, running) = gated(&pool);
        let mut handles = Vec::new();
        for i in 0..6 {
            let bomb = if i % 2 == 0 { Some(PanicOnDrop) } else { None };
            handles.push(
                pool.submit(move || {
                    let _keep = &bomb;
                    i
                })
                .unwrap(),
            );
        }
        // Big closures too: they travel boxed, not inline.
        let big = [1u8; 64];
        let bomb = PanicOnDrop;
        pool.execute(move || {
            let _keep = (&bomb, big);
        })
        .unwrap();
        assert_eq!(pool.terminate(), 7);
        for h in handles {
            assert_eq!(h.wait(), Err(TaskError::Cancelled));
        }
        go.send(()).unwrap();
        assert_eq!(running.wait(), Ok(()));
        pool.wait_all();
        assert_eq!(
            pool.stats().panicked,
            4,
            "three task closures and one execute"
        );
        pool.join();
        assert_eq!(pool.stats().live, 0);
    });
}

#[test]
fn terminate_counts_only_the_tasks_it_cancelled_itself() {
    // Settled in docs/pool.md: a task its handle had cancelled is not counted twice.
    let pool = ThreadPoolManager::new(1).unwrap();
    let (go, running) = gated(&pool);
    let queued: Vec<_> = (0..3).map(|i| pool.submit(move || i).unwrap()).collect();
    assert!(queued[1].cancel());
    assert_eq!(
        pool.stats().pending,
        3,
        "the entry stays until a worker skips it"
    );
    assert_eq!(pool.terminate(), 2);
    go.send(()).unwrap();
    running.wait().unwrap();
    for h in queued {
        assert_eq!(h.wait(), Err(TaskError::Cancelled));
    }
    pool.wait_all();
}

#[test]
fn cancel_drops_the_closure_and_its_captures_at_once() {
    let pool = ThreadPoolManager::new(1).unwrap();
    let (go, running) = gated(&pool);
    let token = Arc::new(());
    let t = Arc::clone(&token);
    let queued = pool.submit(move || drop(t)).unwrap();
    assert_eq!(Arc::strong_count(&token), 2);
    assert!(queued.cancel());
    assert_eq!(
        Arc::strong_count(&token),
        1,
        "released before any worker ran"
    );
    go.send(()).unwrap();
    running.wait().unwrap();
    pool.wait_all();
    assert_eq!(queued.wait(), Err(TaskError::Cancelled));
}

#[test]
fn a_panic_payload_whose_drop_panics_is_leaked_not_fatal() {
    // `panic_any` with a payload whose own `Drop` panics: dropping it after the
    // catch would unwind a second time. The pool leaks such a payload instead.
    within("panic payload with a panicking drop", || {
        let pool = ThreadPoolManager::new(1).unwrap();
        let h = pool
            .submit(|| -> u8 { panic::panic_any(PanicOnDrop) })
            .unwrap();
        assert_eq!(
            h.wait(),
            Err(TaskError::Panicked("<non-string panic payload>".into()))
        );
        pool.execute(|| panic::panic_any(PanicOnDrop)).unwrap();
        pool.wait_all();
        assert_eq!(pool.stats().panicked, 2);
        // The worker survived both.
        assert_eq!(pool.submit(|| 3).unwrap().wait(), Ok(3));
        assert_eq!(pool.stats().live, 1);
    });
}

// ---- 5. TaskService: a refused add_task wakes result() waiters --------------------

#[test]
fn a_refused_add_task_wakes_its_result_waiter_with_unknown_task() {
    within("result() of a refused add_task", || {
        let service: Arc<TaskService<u32, u32>> = Arc::new(
            TaskService::with_pool(ThreadPoolManager::builder().max_workers(1).max_pending(1))
                .unwrap(),
        );
        let (go, gate) = mpsc::channel::<()>();
        let (started_tx, started) = mpsc::channel();
        service
            .add_task(0, move || {
                started_tx.send(()).unwrap();
                gate.recv().unwrap();
                0
            })
            .unwrap();
        started.recv().unwrap();
        service.add_task(1, || 1).unwrap(); // fills the backlog
        let adder = {
            let s = Arc::clone(&service);
            thread::spawn(move || s.add_task(2, || 2).map_err(|e| e.into_inner().0))
        };
        // Wait until the adder is blocked with id 2 registered.
        while service.try_result(&2) != Err(ResultError::NotFinished) {
            thread::yield_now();
        }
        let waiter = {
            let s = Arc::clone(&service);
            thread::spawn(move || s.result(&2))
        };
        service.pool().close();
        assert_eq!(adder.join().unwrap(), Err(2), "refused: the pool closed");
        assert_eq!(waiter.join().unwrap(), Err(ResultError::UnknownTask));
        go.send(()).unwrap();
        assert_eq!(service.result(&0), Ok(0));
        assert_eq!(service.result(&1), Ok(1));
    });
}

#[test]
fn a_service_result_whose_drop_panics_is_caught_on_the_worker() {
    within("service result dropped on a worker", || {
        let service: TaskService<u8, PanicOnDrop> = TaskService::new(1).unwrap();
        service.add_task(1, || PanicOnDrop).unwrap();
        service.wait_completion();
        let taken = service.try_result(&1);
        assert!(taken.is_ok());
        // Dropped here, on the caller's thread: its panic is the caller's.
        assert!(panic::catch_unwind(AssertUnwindSafe(move || drop(taken))).is_err());
        assert_eq!(service.pool().stats().live, 1);
    });
}

// ---- 6. idle workers are reused for sequential work ------------------------------

#[test]
fn sequential_submit_and_wait_uses_exactly_one_thread() {
    within("1000 sequential rounds", || {
        let pool = ThreadPoolManager::new(8).unwrap();
        let mut threads = HashSet::new();
        for i in 0..1000u32 {
            let h = pool.submit(move || (i, thread::current().id())).unwrap();
            let (j, id) = h.wait().unwrap();
            assert_eq!(i, j);
            threads.insert(id);
        }
        assert_eq!(threads.len(), 1, "one worker ran everything");
        assert_eq!(pool.stats().live, 1);
        let named: HashSet<_> = (0..20)
            .map(|_| {
                pool.submit(|| thread::current().name().map(str::to_owned))
                    .unwrap()
                    .wait()
                    .unwrap()
            })
            .collect();
        assert_eq!(named.len(), 1);
    });
}

#[test]
fn sequential_execute_then_wait_all_uses_exactly_one_thread() {
    within("sequential execute rounds", || {
        let pool = ThreadPoolManager::new(4).unwrap();
        for _ in 0..300 {
            pool.execute(|| ()).unwrap();
            pool.wait_all();
        }
        assert_eq!(pool.stats().live, 1);
    });
}

// ---- re-entrancy: every pool method called from inside a task ------------------

#[test]
fn submit_and_execute_inside_a_task_run_on_the_pool() {
    within("submit inside a task", || {
        let pool = Arc::new(ThreadPoolManager::new(2).unwrap());
        let p = Arc::clone(&pool);
        let outer = pool
            .submit(move || {
                let inner = p.submit(|| 21).unwrap();
                p.execute(|| ()).unwrap();
                inner.wait().unwrap() * 2
            })
            .unwrap();
        assert_eq!(outer.wait(), Ok(42));
        pool.wait_all();
        assert_eq!(pool.stats().completed, 3);
    });
}

#[test]
fn blocking_submit_inside_a_task_on_a_full_backlog_is_full_not_a_hang() {
    within("blocking submit inside a task", || {
        let pool = Arc::new(
            ThreadPoolManager::builder()
                .max_workers(1)
                .max_pending(1)
                .build()
                .unwrap(),
        );
        let p = Arc::clone(&pool);
        let outer = pool
            .submit(move || {
                let queued = p.submit(|| 1).unwrap(); // the one free slot
                let refused = p.submit(|| 2).unwrap_err();
                assert!(refused.is_full());
                assert!(p.execute(|| ()).unwrap_err().is_full());
                let timed = p.submit_timeout(|| 3, Duration::from_secs(3600));
                assert!(timed.unwrap_err().is_full());
                queued
            })
            .unwrap();
        let queued = outer.wait().unwrap();
        assert_eq!(queued.wait(), Ok(1));
    });
}

#[test]
fn wait_all_inside_a_task_waits_for_the_other_tasks_only() {
    within("wait_all inside a task", || {
        let pool = Arc::new(ThreadPoolManager::new(2).unwrap());
        let done = Arc::new(AtomicUsize::new(0));
        let (go, gate) = mpsc::channel::<()>();
        let d = Arc::clone(&done);
        let sibling = pool
            .submit(move || {
                gate.recv().unwrap();
                d.fetch_add(1, Ordering::SeqCst);
            })
            .unwrap();
        let p = Arc::clone(&pool);
        let d = Arc::clone(&done);
        let waiter = pool
            .submit(move || {
                go.send(()).unwrap();
                p.wait_all();
                d.load(Ordering::SeqCst)
            })
            .unwrap();
        assert_eq!(waiter.wait(), Ok(1), "the sibling finished first");
        assert_eq!(sibling.wait(), Ok(()));
        pool.wait_all();
    });
}

#[test]
fn wait_all_inside_a_task_keeps_waiting_for_the_others_round_after_round() {
    // The same pool, three rounds: each in-task wait must still wait for a sibling
    // (an in-task waiter that stayed counted would excuse the sibling next round).
    within("repeated in-task wait_all", || {
        let pool = Arc::new(ThreadPoolManager::new(3).unwrap());
        for _ in 0..3 {
            let done = Arc::new(AtomicUsize::new(0));
            let (go1, gate1) = mpsc::channel::<()>();
            let (go2, gate2) = mpsc::channel::<()>();
            let siblings: Vec<_> = [gate1, gate2]
                .into_iter()
                .map(|gate| {
                    let d = Arc::clone(&done);
                    pool.submit(move || {
                        gate.recv().unwrap();
                        d.fetch_add(1, Ordering::SeqCst);
                    })
                    .unwrap()
                })
                .collect();
            let (p, d) = (Arc::clone(&pool), Arc::clone(&done));
            let waiter = pool
                .submit(move || {
                    // The siblings finish one after the other while we wait: a
                    // wake-up for the first must not end the wait.
                    go1.send(()).unwrap();
                    let in_time = p.wait_all_timeout(Duration::from_secs(3600));
                    (in_time, d.load(Ordering::SeqCst))
                })
                .unwrap();
            thread::yield_now();
            go2.send(()).unwrap();
            assert_eq!(waiter.wait(), Ok((true, 2)));
            for s in siblings {
                s.wait().unwrap();
            }
            pool.wait_all();
        }
    });
}

#[test]
fn wait_all_inside_every_task_at_once_returns() {
    within("wait_all inside two tasks at once", || {
        let pool = Arc::new(ThreadPoolManager::new(2).unwrap());
        let barrier = Arc::new(Barrier::new(2));
        let handles: Vec<_> = (0..2)
            .map(|_| {
                let (p, b) = (Arc::clone(&pool), Arc::clone(&barrier));
                pool.submit(move || {
                    b.wait(); // both running, each waiting for "the others"
                    p.wait_all();
                    assert!(p.wait_all_timeout(Duration::from_secs(3600)));
                })
                .unwrap()
            })
            .collect();
        for h in handles {
            assert_eq!(h.wait(), Ok(()));
        }
    });
}

#[test]
fn wait_all_timeout_inside_a_task_times_out_while_a_sibling_runs() {
    within("wait_all_timeout inside a task", || {
        let pool = Arc::new(ThreadPoolManager::new(2).unwrap());
        let (go, gate) = mpsc::channel::<()>();
        let (started_tx, started) = mpsc::channel();
        let sibling = pool
            .submit(move || {
                started_tx.send(()).unwrap();
                gate.recv().unwrap();
            })
            .unwrap();
        started.recv().unwrap();
        let p = Arc::clone(&pool);
        let timed = pool
            .submit(move || p.wait_all_timeout(Duration::from_millis(20)))
            .unwrap();
        assert_eq!(timed.wait(), Ok(false));
        go.send(()).unwrap();
        sibling.wait().unwrap();
    });
}

#[test]
fn join_inside_a_task_waits_for_the_other_workers_to_finish() {
    within("join inside a task waits for a sibling", || {
        let pool = Arc::new(ThreadPoolManager::new(2).unwrap());
        assert!(!pool.is_closed());
        let done = Arc::new(AtomicUsize::new(0));
        let (go, gate) = mpsc::channel::<()>();
        let d = Arc::clone(&done);
        let sibling = pool
            .submit(move || {
                gate.recv().unwrap();
                d.fetch_add(1, Ordering::SeqCst);
            })
            .unwrap();
        let (p, d) = (Arc::clone(&pool), Arc::clone(&done));
        let joiner = pool
            .submit(move || {
                go.send(()).unwrap();
                p.join(); // the sibling's worker must have left
                (p.is_closed(), d.load(Ordering::SeqCst), p.stats().live)
            })
            .unwrap();
        assert_eq!(joiner.wait(), Ok((true, 1, 1)));
        sibling.wait().unwrap();
        pool.join();
        assert_eq!(pool.stats().live, 0);
    });
}

#[test]
fn close_terminate_and_join_inside_tasks() {
    within("close/terminate/join inside tasks", || {
        let pool = Arc::new(ThreadPoolManager::new(2).unwrap());
        let p = Arc::clone(&pool);
        let closer = pool
            .submit(move || {
                p.close();
                p.is_closed()
            })
            .unwrap();
        assert_eq!(closer.wait(), Ok(true));
        assert!(pool.submit(|| ()).unwrap_err().is_closed());
        pool.join();

        let pool = Arc::new(ThreadPoolManager::new(1).unwrap());
        let (go, gate) = mpsc::channel::<()>();
        let p = Arc::clone(&pool);
        let terminator = pool
            .submit(move || {
                gate.recv().unwrap();
                p.terminate()
            })
            .unwrap();
        let queued = pool.submit(|| "never").unwrap();
        go.send(()).unwrap();
        assert_eq!(terminator.wait(), Ok(1));
        assert_eq!(queued.wait(), Err(TaskError::Cancelled));
        pool.join();

        // Two tasks joining from inside at once do not wait for each other.
        let pool = Arc::new(ThreadPoolManager::new(2).unwrap());
        let barrier = Arc::new(Barrier::new(2));
        let joiners: Vec<_> = (0..2)
            .map(|_| {
                let (p, b) = (Arc::clone(&pool), Arc::clone(&barrier));
                pool.submit(move || {
                    b.wait();
                    p.join();
                })
                .unwrap()
            })
            .collect();
        for h in joiners {
            assert_eq!(h.wait(), Ok(()));
        }
        pool.join();
        assert_eq!(pool.stats().live, 0);
    });
}

// ---- behaviours a mutation sample found untested -------------------------------

#[test]
fn queue_join_deadline_is_false_while_tasks_are_unfinished() {
    let q = Queue::unbounded();
    q.put(1).unwrap();
    let soon = std::time::Instant::now() + Duration::from_millis(10);
    assert!(!q.join_deadline(soon));
    q.get().unwrap();
    q.task_done().unwrap();
    assert!(q.join_deadline(std::time::Instant::now()));
}

#[test]
fn put_error_kinds_are_told_apart() {
    assert!(PutError::Full(1).is_full());
    assert!(!PutError::ShutDown(1).is_full());
    assert!(PutError::ShutDown(1).is_shutdown());
    assert!(!PutError::Full(1).is_shutdown());
}

#[test]
fn max_pending_reports_the_bound_it_was_built_with() {
    let pool = ThreadPoolManager::builder()
        .max_workers(2)
        .max_pending(4)
        .build()
        .unwrap();
    assert_eq!(pool.max_pending(), Some(4));
    assert_eq!(pool.max_workers(), 2);
    assert_eq!(ThreadPoolManager::new(1).unwrap().max_pending(), None);
    assert_eq!(
        ThreadPoolManager::builder()
            .max_pending(0)
            .build()
            .unwrap_err(),
        PoolBuildError::ZeroPending
    );
}

#[test]
fn idle_workers_retire_and_are_reaped_one_after_another() {
    within("idle retirement", || {
        let pool = ThreadPoolManager::builder()
            .max_workers(2)
            .idle_timeout(Duration::from_millis(5))
            .build()
            .unwrap();
        for _ in 0..20 {
            let barrier = Arc::new(Barrier::new(2));
            let handles: Vec<_> = (0..2)
                .map(|_| {
                    let b = Arc::clone(&barrier);
                    pool.submit(move || {
                        b.wait();
                    })
                    .unwrap()
                })
                .collect();
            for h in handles {
                h.wait().unwrap();
            }
            while pool.stats().live > 0 {
                thread::sleep(Duration::from_millis(1));
            }
        }
        pool.join();
    });
}

#[test]
fn join_racing_a_refused_thread_start_returns() {
    // Every thread start fails (no system maps a 64 TiB stack); `join` racing the
    // failed start must be woken when the reservation is taken back.
    within("join racing a refused start", || {
        for _ in 0..300 {
            let pool = Arc::new(
                ThreadPoolManager::builder()
                    .stack_size(1 << 46)
                    .build()
                    .unwrap(),
            );
            let p = Arc::clone(&pool);
            let submitter = thread::spawn(move || match p.submit(|| 1) {
                Err(SubmitError::SpawnFailed(f)) => f.into_inner()(),
                Err(SubmitError::Closed(_)) => 0,
                other => panic!("unexpected {:?}", other.map(|_| ())),
            });
            pool.join();
            assert!(submitter.join().unwrap() <= 1);
        }
    });
}

#[test]
fn stranded_tasks_wake_wait_all_outside_the_pool_lock() {
    // Every thread start fails, so a submitter that reserved the only worker
    // runs the tasks queued behind it itself (`SpawnFailed` for its own). A
    // `wait_all_async` waker that calls back into the pool from `wake` (here
    // `stats`, which takes the pool's lock) must not be woken under that lock:
    // the submitter would deadlock on itself.
    struct CallsBack(Arc<ThreadPoolManager>);
    impl Wake for CallsBack {
        fn wake(self: Arc<Self>) {
            let _ = self.0.stats();
        }
    }
    within("stranded tasks wake wait_all outside the lock", || {
        let mut registered = 0;
        for _ in 0..2000 {
            let pool = Arc::new(
                ThreadPoolManager::builder()
                    .max_workers(1)
                    .stack_size(1 << 46)
                    .build()
                    .unwrap(),
            );
            let start = Arc::new(Barrier::new(3));
            let submitters: Vec<_> = (0..2)
                .map(|_| {
                    let (p, s) = (Arc::clone(&pool), Arc::clone(&start));
                    thread::spawn(move || {
                        s.wait();
                        match p.submit(|| 1) {
                            Err(SubmitError::SpawnFailed(f)) => f.into_inner()(),
                            Ok(h) => h.wait().unwrap(),
                            Err(e) => panic!("unexpected {e}"),
                        }
                    })
                })
                .collect();
            let waker = Waker::from(Arc::new(CallsBack(Arc::clone(&pool))));
            let mut cx = Context::from_waker(&waker);
            start.wait();
            // Poll until the future waits (work is pending) or nothing is left
            // to wait for; a waiting future stays registered until both
            // submitters are done.
            let mut waiting = None;
            while !submitters.iter().all(thread::JoinHandle::is_finished) {
                let mut f = Box::pin(pool.wait_all_async());
                if f.as_mut().poll(&mut cx).is_pending() {
                    registered += 1;
                    waiting = Some(f);
                    break;
                }
            }
            for s in submitters {
                assert_eq!(s.join().unwrap(), 1);
            }
            drop(waiting);
        }
        assert!(registered > 0, "the waker never waited for a task");
    });
}
