//! Scoped tasks, the bounded read-ahead `map` and the worker hooks, with real
//! threads. Every test that could hang runs under a watchdog.

mod common;

use common::{within, Counted, WATCHDOG};
use queuekit::{SubmitError, TaskError, ThreadPoolManager};
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Barrier};
use std::thread;
use std::time::Duration;

/// The message of a caught panic.
fn message(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<String>()
        .cloned()
        .or_else(|| p.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_default()
}

// ---- scoped tasks --------------------------------------------------------------

#[test]
fn scoped_tasks_borrow_and_mutate_the_callers_data() {
    within("scope borrows", || {
        let pool = ThreadPoolManager::new(2).unwrap();
        let mut data: Vec<u64> = (0..1000).collect();
        let total = AtomicUsize::new(0);
        pool.scope(|s| {
            for chunk in data.chunks_mut(100) {
                let total = &total;
                s.submit(move || {
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
        assert_eq!(pool.completed_tasks(), 10);
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
                        .map(|w| s.submit(move || w.len()).unwrap())
                        .collect();
                    // Handles dropped unwaited too: `scope` itself must run them.
                    s.submit(|| words.len()).unwrap();
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
                s.submit(|| {
                    let inner = s.submit(|| hits.fetch_add(1, Ordering::Relaxed)).unwrap();
                    inner.wait().unwrap();
                    s.submit(|| hits.fetch_add(1, Ordering::Relaxed)).unwrap();
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
                s.submit(|| -> () { panic!("scoped boom") }).unwrap();
                for _ in 0..3 {
                    s.submit(|| {
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
        assert_eq!(pool.panicked_tasks(), 1);
    });
}

#[test]
fn a_panic_reported_through_the_handle_is_not_raised_again() {
    within("observed panic", || {
        let pool = ThreadPoolManager::new(2).unwrap();
        let out = pool.scope(|s| {
            let h = s.submit(|| -> u8 { panic!("seen") }).unwrap();
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
                    s.submit(|| ran.fetch_add(1, Ordering::SeqCst)).unwrap();
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
                .submit(move || {
                    started_tx.send(()).unwrap();
                    gate.recv().unwrap();
                    running_done.store(1, Ordering::SeqCst);
                })
                .unwrap();
            started.recv().unwrap();
            let queued: Vec<_> = (0..3)
                .map(|_| {
                    let token = Counted::new(&live);
                    s.submit(move || drop(token)).unwrap()
                })
                .collect();
            assert_eq!(live.load(Ordering::SeqCst), 3);
            assert_eq!(pool.terminate(), 3);
            // Cancelled closures are dropped by `terminate`, borrows and all.
            assert_eq!(live.load(Ordering::SeqCst), 0);
            for h in queued {
                assert_eq!(h.wait(), Err(TaskError::Cancelled));
            }
            assert!(s.submit(|| ()).unwrap_err().is_closed());
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
                s.submit(|| Counted::new(&live)).unwrap();
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
                s.submit(|| Bomb).unwrap();
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
    pool.scope(|s| match s.submit(|| n + 1) {
        Err(SubmitError::Closed(f)) => assert_eq!(f(), 6),
        other => panic!("unexpected {other:?}"),
    });
}

// ---- bounded map ------------------------------------------------------------------

static LIVE_INPUTS: AtomicUsize = AtomicUsize::new(0);
static MAX_LIVE_INPUTS: AtomicUsize = AtomicUsize::new(0);

/// An input that counts the live instances of its kind, and the high-water mark.
struct Input(u64);

impl Input {
    fn new(n: u64) -> Self {
        let now = LIVE_INPUTS.fetch_add(1, Ordering::SeqCst) + 1;
        MAX_LIVE_INPUTS.fetch_max(now, Ordering::SeqCst);
        Input(n)
    }
}

impl Drop for Input {
    fn drop(&mut self) {
        LIVE_INPUTS.fetch_sub(1, Ordering::SeqCst);
    }
}

#[test]
fn map_bounded_over_an_endless_input_keeps_live_inputs_within_the_read_ahead() {
    within("endless bounded map", || {
        const AHEAD: usize = 8;
        let pool = ThreadPoolManager::new(4).unwrap();
        let firsts: Vec<u64> = pool
            .map_bounded((0u64..).map(Input::new), |i| i.0 * 2, AHEAD)
            .map(Result::unwrap)
            .take(100)
            .collect();
        assert_eq!(firsts, (0..100).map(|i| i * 2).collect::<Vec<_>>());
        pool.wait_all();
        let max = MAX_LIVE_INPUTS.load(Ordering::SeqCst);
        assert!(max <= AHEAD + 1, "{max} inputs were alive at once");
        assert_eq!(LIVE_INPUTS.load(Ordering::SeqCst), 0);
        // At most the window was submitted beyond what was taken.
        assert!(pool.completed_tasks() <= 100 + AHEAD);
    });
}

#[test]
fn map_bounded_never_has_more_than_ahead_tasks_submitted_and_not_yielded() {
    within("window bound", || {
        const AHEAD: usize = 3;
        let pool = ThreadPoolManager::new(2).unwrap();
        let submitted = Arc::new(AtomicUsize::new(0));
        let s = Arc::clone(&submitted);
        let inputs = (0..50).inspect(move |_| {
            s.fetch_add(1, Ordering::SeqCst);
        });
        for (yielded, r) in pool.map_bounded(inputs, |x| x + 1, AHEAD).enumerate() {
            assert_eq!(r, Ok(yielded + 1));
            let in_flight = submitted.load(Ordering::SeqCst) - yielded;
            assert!(in_flight <= AHEAD, "{in_flight} in flight");
        }
    });
}

#[test]
fn map_bounded_reports_panics_in_order_and_ends_on_a_closed_pool() {
    within("bounded map errors", || {
        let pool = ThreadPoolManager::new(2).unwrap();
        let out: Vec<_> = pool
            .map_bounded(0..4, |x| if x == 2 { panic!("two") } else { x }, 2)
            .collect();
        assert_eq!(
            out,
            [Ok(0), Ok(1), Err(TaskError::Panicked("two".into())), Ok(3)]
        );
        pool.close();
        let out: Vec<_> = pool.map_bounded(0.., |x: u32| x, 4).collect();
        assert_eq!(out, [Err(TaskError::Cancelled)]);
    });
}

#[test]
fn scoped_map_bounded_over_borrowed_data_in_a_one_worker_pool_task() {
    within("scoped bounded map inside a task", || {
        let pool = Arc::new(ThreadPoolManager::new(1).unwrap());
        let p = Arc::clone(&pool);
        let h = pool
            .submit(move || {
                let data: Vec<u32> = (0..200).collect();
                let weight = 3;
                p.scope(|s| {
                    s.map_bounded(data.iter(), |x| x * weight, 4)
                        .map(Result::unwrap)
                        .sum::<u32>()
                })
            })
            .unwrap();
        assert_eq!(h.wait(), Ok(3 * 199 * 200 / 2));
    });
}

#[test]
fn map_keeps_submitting_everything_at_once() {
    let pool = ThreadPoolManager::new(1).unwrap();
    let it = pool.map(0..5, |x| x);
    // Everything was submitted before the first result was asked for.
    pool.wait_all();
    assert_eq!(pool.completed_tasks(), 5);
    assert_eq!(it.map(Result::unwrap).collect::<Vec<_>>(), [0, 1, 2, 3, 4]);
}

// ---- worker hooks -----------------------------------------------------------------

thread_local!(static STARTED_HERE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) });

#[test]
fn hooks_run_on_the_workers_own_threads_start_before_the_first_task() {
    within("start and exit hooks", || {
        let exits = Arc::new(std::sync::Mutex::new(Vec::new()));
        let e = Arc::clone(&exits);
        let pool = ThreadPoolManager::builder()
            .max_workers(2)
            .on_worker_start(|| STARTED_HERE.with(|s| s.set(true)))
            .on_worker_exit(move || e.lock().unwrap().push(thread::current().id()))
            .build()
            .unwrap();
        let barrier = Arc::new(Barrier::new(2));
        let handles: Vec<_> = (0..2)
            .map(|_| {
                let b = Arc::clone(&barrier);
                pool.submit(move || {
                    b.wait(); // both workers are started
                    (STARTED_HERE.with(|s| s.get()), thread::current().id())
                })
                .unwrap()
            })
            .collect();
        let mut workers: Vec<_> = handles
            .into_iter()
            .map(|h| {
                let (started, id) = h.wait().unwrap();
                assert!(started, "the start hook had not run on this worker");
                id
            })
            .collect();
        pool.join();
        let mut exited = exits.lock().unwrap().clone();
        workers.sort_by_key(|id| format!("{id:?}"));
        exited.sort_by_key(|id| format!("{id:?}"));
        assert_eq!(exited, workers);
        assert!(!STARTED_HERE.with(|s| s.get()), "a hook ran on the caller");
    });
}

#[test]
fn the_exit_hook_runs_when_an_idle_worker_retires() {
    within("exit hook on retirement", || {
        let (tx, rx) = mpsc::channel();
        let tx = std::sync::Mutex::new(tx);
        let pool = ThreadPoolManager::builder()
            .max_workers(1)
            .idle_timeout(Duration::from_millis(5))
            .on_worker_exit(move || tx.lock().unwrap().send(thread::current().id()).unwrap())
            .build()
            .unwrap();
        let worker = pool
            .submit(|| thread::current().id())
            .unwrap()
            .wait()
            .unwrap();
        assert_eq!(rx.recv_timeout(WATCHDOG), Ok(worker));
        // A later submit starts a fresh worker, which runs the hook again.
        let next = pool
            .submit(|| thread::current().id())
            .unwrap()
            .wait()
            .unwrap();
        pool.join();
        assert_eq!(rx.recv_timeout(WATCHDOG), Ok(next));
    });
}

#[test]
fn a_panicking_start_hook_breaks_the_pool_and_leaves_nothing_pending() {
    within("broken pool", || {
        let starts = Arc::new(AtomicUsize::new(0));
        let exits = Arc::new(AtomicUsize::new(0));
        let (release_tx, release) = mpsc::channel::<()>();
        let release = std::sync::Mutex::new(release);
        let (in_hook_tx, in_hook) = mpsc::channel::<()>();
        let in_hook_tx = std::sync::Mutex::new(in_hook_tx);
        let (s, e) = (Arc::clone(&starts), Arc::clone(&exits));
        let pool = ThreadPoolManager::builder()
            .max_workers(2)
            .on_worker_start(move || {
                if s.fetch_add(1, Ordering::SeqCst) == 1 {
                    // The second worker: wait until a task is queued, then fail.
                    in_hook_tx.lock().unwrap().send(()).unwrap();
                    release.lock().unwrap().recv().unwrap();
                    panic!("cannot connect");
                }
            })
            .on_worker_exit(move || {
                e.fetch_add(1, Ordering::SeqCst);
            })
            .build()
            .unwrap();
        let (go, gate) = mpsc::channel::<()>();
        let (started_tx, started) = mpsc::channel();
        let running = pool
            .submit(move || {
                started_tx.send(()).unwrap();
                gate.recv().unwrap();
                "ran"
            })
            .unwrap();
        started.recv().unwrap();
        let first = pool.submit(|| "never").unwrap(); // starts the second worker
        in_hook.recv().unwrap();
        let queued = pool.submit(|| "never").unwrap(); // both workers taken: queued
        assert_eq!(pool.pending_tasks(), 1);
        release_tx.send(()).unwrap();
        assert_eq!(first.wait(), Err(TaskError::Cancelled));
        assert_eq!(queued.wait(), Err(TaskError::Cancelled));
        let refused = pool.submit(|| "refused").unwrap_err();
        assert!(refused.is_broken());
        assert_eq!(
            refused.to_string(),
            "thread pool is broken: a worker's start hook panicked"
        );
        assert_eq!(refused.into_inner()(), "refused");
        assert!(pool.is_broken());
        assert_eq!(pool.broken_reason().as_deref(), Some("cannot connect"));
        // The running task finishes; everything settles.
        go.send(()).unwrap();
        assert_eq!(running.wait(), Ok("ran"));
        pool.wait_all();
        pool.join();
        let s = pool.stats();
        assert_eq!((s.live, s.pending, s.completed, s.panicked), (0, 0, 1, 1));
        // Only the worker whose start hook returned ran its exit hook.
        assert_eq!(exits.load(Ordering::SeqCst), 1);
        assert!(pool.scope(|s| s.submit(|| ()).unwrap_err().is_broken()));
    });
}

#[test]
fn a_start_hook_that_always_panics_never_leaves_a_handle_pending() {
    within("always broken", || {
        for _ in 0..200 {
            let pool = ThreadPoolManager::builder()
                .max_workers(2)
                .on_worker_start(|| panic!("nope"))
                .build()
                .unwrap();
            let handles: Vec<_> = (0..4).filter_map(|i| pool.submit(move || i).ok()).collect();
            for h in handles {
                assert_eq!(h.wait(), Err(TaskError::Cancelled));
            }
            pool.execute(|| ()).unwrap_err();
            pool.wait_all();
            drop(pool); // joins
        }
    });
}

#[test]
fn a_panicking_exit_hook_is_counted_and_the_pool_still_joins() {
    within("exit hook panics", || {
        let pool = ThreadPoolManager::builder()
            .max_workers(2)
            .on_worker_exit(|| panic!("exit"))
            .build()
            .unwrap();
        let hs: Vec<_> = (0..4).map(|i| pool.submit(move || i).unwrap()).collect();
        assert_eq!(hs.into_iter().map(|h| h.wait().unwrap()).sum::<i32>(), 6);
        let live = pool.live_workers();
        pool.join();
        let s = pool.stats();
        assert_eq!((s.live, s.completed), (0, 4));
        assert_eq!(s.panicked, live);
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
                (sum, p.pending_tasks())
            })
            .unwrap();
        // Every item was run by the helping caller, and its entry went with it:
        // the backlog bound of 2 was never reached.
        assert_eq!(h.wait(), Ok((300 * 301 / 2, 0)));
        pool.wait_all();
        assert_eq!(pool.completed_tasks(), 301);
    });
}
