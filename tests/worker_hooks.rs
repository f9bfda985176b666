//! The pool's worker hooks with real threads: `on_worker_start` runs on each
//! worker's own thread before its first task, `on_worker_exit` at `join` and at
//! idle retirement, both given the worker's number; a panicking start hook breaks the pool (queued and starting
//! tasks `Cancelled`, later submits refused with `SubmitError::Broken`, counters
//! settled, `join` returns); a panicking exit hook is counted. Every test that
//! could hang runs under a watchdog.

mod common;

use common::{within, WATCHDOG};
use queuekit::{TaskError, ThreadPoolManager};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Barrier};
use std::thread;
use std::time::Duration;

thread_local!(static STARTED_HERE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) });

#[test]
fn hooks_run_on_the_workers_own_threads_start_before_the_first_task() {
    within("start and exit hooks", || {
        let exits = Arc::new(std::sync::Mutex::new(Vec::new()));
        let e = Arc::clone(&exits);
        let pool = ThreadPoolManager::builder()
            .max_workers(2)
            .on_worker_start(|_| STARTED_HERE.with(|s| s.set(true)))
            .on_worker_exit(move |_| e.lock().unwrap().push(thread::current().id()))
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
            .on_worker_exit(move |_| tx.lock().unwrap().send(thread::current().id()).unwrap())
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
            .on_worker_start(move |_| {
                if s.fetch_add(1, Ordering::SeqCst) == 1 {
                    // The second worker: wait until a task is queued, then fail.
                    in_hook_tx.lock().unwrap().send(()).unwrap();
                    release.lock().unwrap().recv().unwrap();
                    panic!("cannot connect");
                }
            })
            .on_worker_exit(move |_| {
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
        assert_eq!(pool.stats().pending, 1);
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
        assert!(pool.scope(|s| s.submit(|_| ()).unwrap_err().is_broken()));
    });
}

#[test]
fn a_start_hook_that_always_panics_never_leaves_a_handle_pending() {
    within("always broken", || {
        for _ in 0..200 {
            let pool = ThreadPoolManager::builder()
                .max_workers(2)
                .on_worker_start(|_| panic!("nope"))
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
            .on_worker_exit(|_| panic!("exit"))
            .build()
            .unwrap();
        let hs: Vec<_> = (0..4).map(|i| pool.submit(move || i).unwrap()).collect();
        assert_eq!(hs.into_iter().map(|h| h.wait().unwrap()).sum::<i32>(), 6);
        let live = pool.stats().live;
        pool.join();
        let s = pool.stats();
        assert_eq!((s.live, s.completed), (0, 4));
        assert_eq!(s.panicked, live);
    });
}

/// Each hook gets its worker's number, the one in the thread's name, the
/// same at start and at exit; numbers are distinct.
#[test]
fn hooks_get_the_worker_number_of_their_thread() {
    within("hook worker numbers", || {
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let (s, e) = (Arc::clone(&seen), Arc::clone(&seen));
        let name_of = || thread::current().name().unwrap_or_default().to_owned();
        let pool = ThreadPoolManager::builder()
            .max_workers(3)
            .thread_name("hooked")
            .on_worker_start(move |n| s.lock().unwrap().push(("start", n, name_of())))
            .on_worker_exit(move |n| e.lock().unwrap().push(("exit", n, name_of())))
            .build()
            .unwrap();
        let barrier = Arc::new(Barrier::new(3));
        for _ in 0..3 {
            let b = Arc::clone(&barrier);
            pool.execute(move || {
                b.wait(); // three workers at once
            })
            .unwrap();
        }
        pool.join();
        let mut seen = seen.lock().unwrap().clone();
        seen.sort();
        let mut numbers: Vec<usize> = Vec::new();
        for (what, n, name) in &seen {
            assert_eq!(name, &format!("hooked-{n}"), "{what} hook of worker {n}");
            numbers.push(*n);
        }
        assert_eq!(numbers, [0, 1, 2, 0, 1, 2], "{seen:?}");
    });
}
