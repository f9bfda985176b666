//! `ThreadPoolManager` and `TaskHandle` with real threads: submit and wait, lazy
//! and capped workers, panics, idle shrinking, close / terminate / drop, cancel,
//! `map`, the bounded backlog, and the counts at quiescence.

use queuekit::{PoolBuildError, SubmitError, TaskError, TaskHandle, ThreadPoolManager};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

/// A generous bound for "eventually" on a loaded 2-core machine.
const PATIENCE: Duration = Duration::from_secs(20);

/// Polls `cond` until it holds or `PATIENCE` runs out.
fn eventually(mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + PATIENCE;
    while Instant::now() < deadline {
        if cond() {
            return true;
        }
        thread::sleep(Duration::from_millis(2));
    }
    cond()
}

/// A task that reports it started and then blocks until the gate opens.
fn gated(pool: &ThreadPoolManager) -> (TaskHandle<()>, mpsc::Sender<()>, mpsc::Receiver<()>) {
    let (go, gate) = mpsc::channel::<()>();
    let (started_tx, started) = mpsc::channel();
    let h = pool
        .submit(move || {
            started_tx.send(()).unwrap();
            gate.recv().unwrap();
        })
        .unwrap();
    (h, go, started)
}

/// One worker, busy with a gated task; a backlog bound of one.
fn busy_pool_with_one_slot() -> (Arc<ThreadPoolManager>, TaskHandle<()>, mpsc::Sender<()>) {
    let pool = ThreadPoolManager::builder()
        .max_workers(1)
        .max_pending(1)
        .build()
        .unwrap();
    let (running, go, started) = gated(&pool);
    started.recv().unwrap();
    (Arc::new(pool), running, go)
}

#[test]
fn submit_returns_values_and_execute_runs_everything() {
    let pool = ThreadPoolManager::new(3).unwrap();
    let hits = Arc::new(AtomicUsize::new(0));
    for _ in 0..1000 {
        let hits = Arc::clone(&hits);
        pool.execute(move || {
            hits.fetch_add(1, Ordering::Relaxed);
        })
        .unwrap();
    }
    let handles: Vec<_> = (0..100u64)
        .map(|i| pool.submit(move || i * 3).unwrap())
        .collect();
    let sum: u64 = handles.into_iter().map(|h| h.wait().unwrap()).sum();
    assert_eq!(sum, 3 * 99 * 100 / 2);
    pool.wait_all();
    assert_eq!(hits.load(Ordering::Relaxed), 1000);
    assert_eq!(pool.stats().completed, 1100);
    assert_eq!(pool.stats().pending, 0);
}

#[test]
fn builder_refuses_bad_settings() {
    assert_eq!(
        ThreadPoolManager::new(0).unwrap_err(),
        PoolBuildError::ZeroWorkers
    );
    let b = ThreadPoolManager::builder();
    assert_eq!(
        b.clone().max_pending(0).build().unwrap_err(),
        PoolBuildError::ZeroPending
    );
    assert_eq!(
        b.thread_name("a\0b").build().unwrap_err(),
        PoolBuildError::NulInThreadName
    );
}

#[test]
fn workers_start_lazily_and_are_reused() {
    let pool = ThreadPoolManager::new(4).unwrap();
    assert_eq!(pool.stats().live, 0);
    for i in 0..20 {
        assert_eq!(pool.submit(move || i).unwrap().wait(), Ok(i));
        pool.wait_all();
        // The one worker is idle (or spinning) when the next submit comes.
        assert_eq!(pool.stats().live, 1, "round {i}");
    }
}

#[test]
fn never_more_workers_than_the_cap() {
    let pool = ThreadPoolManager::new(2).unwrap();
    let (a, go_a, started_a) = gated(&pool);
    let (b, go_b, started_b) = gated(&pool);
    started_a.recv().unwrap();
    started_b.recv().unwrap();
    let third = pool.submit(|| "queued").unwrap();
    let s = pool.stats();
    assert_eq!((s.live, s.busy, s.idle, s.pending), (2, 2, 0, 1));
    go_a.send(()).unwrap();
    go_b.send(()).unwrap();
    assert_eq!(
        (a.wait(), b.wait(), third.wait()),
        (Ok(()), Ok(()), Ok("queued"))
    );
    pool.wait_all();
    let s = pool.stats();
    assert_eq!(s.live, 2);
    assert_eq!(s.live, s.idle + s.busy);
}

#[test]
fn panics_are_caught_counted_and_reported() {
    let pool = ThreadPoolManager::new(1).unwrap();
    let str_panic = pool.submit(|| -> u8 { panic!("static message") }).unwrap();
    let string_panic = pool.submit(|| -> u8 { panic!("formatted {}", 7) }).unwrap();
    let odd_panic = pool
        .submit(|| -> u8 { std::panic::panic_any(42_i32) })
        .unwrap();
    pool.execute(|| panic!("no handle")).unwrap();
    let after = pool.submit(|| 1u8).unwrap();
    assert_eq!(
        str_panic.wait(),
        Err(TaskError::Panicked("static message".into()))
    );
    assert_eq!(
        string_panic.wait(),
        Err(TaskError::Panicked("formatted 7".into()))
    );
    assert!(matches!(odd_panic.wait(), Err(TaskError::Panicked(_))));
    assert_eq!(after.wait(), Ok(1)); // the worker lived on
    pool.wait_all();
    assert_eq!(pool.stats().panicked, 4);
    assert_eq!(pool.stats().completed, 5);
    assert_eq!(pool.stats().live, 1);
}

#[test]
fn idle_timeout_shrinks_the_pool_and_it_grows_again() {
    let pool = ThreadPoolManager::builder()
        .max_workers(2)
        .idle_timeout(Duration::from_millis(30))
        .build()
        .unwrap();
    let (a, go_a, started_a) = gated(&pool);
    let (b, go_b, started_b) = gated(&pool);
    started_a.recv().unwrap();
    started_b.recv().unwrap();
    assert_eq!(pool.stats().live, 2);
    go_a.send(()).unwrap();
    go_b.send(()).unwrap();
    a.wait().unwrap();
    b.wait().unwrap();
    assert!(eventually(|| pool.stats().live == 0), "{:?}", pool.stats());
    // A new submit starts a worker again.
    assert_eq!(pool.submit(|| 5).unwrap().wait(), Ok(5));
    assert!(pool.stats().live <= 1);
}

#[test]
fn drop_runs_the_whole_backlog() {
    let hits = Arc::new(AtomicUsize::new(0));
    let pool = ThreadPoolManager::new(1).unwrap();
    let (first, go, started) = gated(&pool);
    started.recv().unwrap();
    for _ in 0..50 {
        let hits = Arc::clone(&hits);
        pool.execute(move || {
            hits.fetch_add(1, Ordering::Relaxed);
        })
        .unwrap();
    }
    assert_eq!(pool.stats().pending, 50);
    go.send(()).unwrap();
    drop(pool); // closes and joins: the backlog runs first
    assert_eq!(hits.load(Ordering::Relaxed), 50);
    assert_eq!(first.wait(), Ok(()));
}

#[test]
fn terminate_cancels_the_backlog() {
    let pool = ThreadPoolManager::new(1).unwrap();
    let (running, go, started) = gated(&pool);
    started.recv().unwrap();
    let queued: Vec<_> = (0..5).map(|i| pool.submit(move || i).unwrap()).collect();
    let ran = Arc::new(AtomicUsize::new(0));
    let r = Arc::clone(&ran);
    pool.execute(move || {
        r.fetch_add(1, Ordering::Relaxed);
    })
    .unwrap();
    assert_eq!(pool.terminate(), 6);
    assert!(pool.submit(|| 0).unwrap_err().is_closed());
    go.send(()).unwrap();
    assert_eq!(running.wait(), Ok(())); // the running task finished
    for h in queued {
        assert_eq!(h.wait(), Err(TaskError::Cancelled));
    }
    pool.wait_all(); // cancelled tasks count as finished
    pool.join();
    assert_eq!(pool.stats().live, 0);
    assert_eq!(ran.load(Ordering::Relaxed), 0);
    assert_eq!(pool.terminate(), 0); // idempotent
}

#[test]
fn cancel_only_before_start() {
    let pool = ThreadPoolManager::new(1).unwrap();
    let (running, go, started) = gated(&pool);
    started.recv().unwrap();
    let queued = pool.submit(|| "never").unwrap();
    assert!(!running.cancel(), "a running task is not interrupted");
    assert!(queued.cancel());
    assert!(queued.cancel(), "cancelling twice still reports cancelled");
    assert!(queued.is_finished());
    go.send(()).unwrap();
    assert_eq!(queued.wait(), Err(TaskError::Cancelled));
    assert_eq!(running.wait(), Ok(()));
    let done = pool.submit(|| 1).unwrap();
    pool.wait_all();
    assert!(!done.cancel());
    assert_eq!(done.wait(), Ok(1));
    // The cancelled task did not count as completed.
    assert_eq!(pool.stats().completed, 2);
}

#[test]
fn map_keeps_input_order() {
    let pool = ThreadPoolManager::new(4).unwrap();
    let out: Vec<_> = pool
        .map(0..64u64, |i| {
            // Later items finish first.
            thread::sleep(Duration::from_micros(64 - i));
            i * i
        })
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(out, (0..64u64).map(|i| i * i).collect::<Vec<_>>());
}

#[test]
fn map_on_a_closed_pool_reports_cancelled() {
    let pool = ThreadPoolManager::new(1).unwrap();
    pool.close();
    let out: Vec<_> = pool.map([1, 2], |x| x).collect();
    assert_eq!(out, [Err(TaskError::Cancelled), Err(TaskError::Cancelled)]);
}

#[test]
fn full_backlog_with_try_submit_and_submit_timeout() {
    let pool = ThreadPoolManager::builder()
        .max_workers(1)
        .max_pending(2)
        .build()
        .unwrap();
    let (running, go, started) = gated(&pool);
    started.recv().unwrap();
    let a = pool.try_submit(|| 'a').unwrap();
    let b = pool.try_submit(|| 'b').unwrap();
    assert_eq!(pool.stats().pending, 2);
    let err = pool.try_submit(|| 'c').unwrap_err();
    assert!(err.is_full());
    assert_eq!(err.into_inner()(), 'c', "the closure comes back");

    let t0 = Instant::now();
    let timeout = Duration::from_millis(30);
    let err = pool.submit_timeout(|| 'd', timeout).unwrap_err();
    assert!(matches!(err, SubmitError::Full(_)));
    assert!(t0.elapsed() >= timeout, "returned before the timeout");

    go.send(()).unwrap();
    assert_eq!((a.wait(), b.wait()), (Ok('a'), Ok('b')));
    running.wait().unwrap();
    let e = pool
        .submit_timeout(|| 'e', Duration::from_secs(60))
        .unwrap();
    assert_eq!(e.wait(), Ok('e'));
}

#[test]
fn blocking_submit_waits_for_room() {
    let (pool, running, go) = busy_pool_with_one_slot();
    let queued = pool.submit(|| 1).unwrap();
    let p = Arc::clone(&pool);
    let (entered_tx, entered) = mpsc::channel();
    let blocked = thread::spawn(move || {
        entered_tx.send(()).unwrap();
        p.submit(|| 2).unwrap().wait()
    });
    entered.recv().unwrap();
    go.send(()).unwrap();
    assert_eq!(blocked.join().unwrap(), Ok(2));
    assert_eq!(queued.wait(), Ok(1));
    running.wait().unwrap();
}

#[test]
fn close_refuses_new_work_runs_backlog_and_wakes_blocked_submitters() {
    let (pool, running, go) = busy_pool_with_one_slot();
    let queued = pool.submit(|| "backlog").unwrap();
    let p = Arc::clone(&pool);
    let blocked =
        thread::spawn(move || p.submit(|| "blocked").map(drop).map_err(|e| e.is_closed()));
    // Close while (most likely) the other thread is blocked on the full backlog;
    // either way it must end with Closed, not hang.
    thread::sleep(Duration::from_millis(10));
    pool.close();
    assert_eq!(blocked.join().unwrap(), Err(true));
    let refused = pool.execute(|| ()).unwrap_err();
    assert!(refused.is_closed());
    go.send(()).unwrap();
    assert_eq!(queued.wait(), Ok("backlog"));
    running.wait().unwrap();
    pool.join();
    assert_eq!(pool.stats().live, 0);
    assert!(pool.is_closed());
}

#[test]
fn spawn_failure_hands_the_closure_back() {
    // No system maps a 64 TiB stack: every thread start fails.
    let pool = ThreadPoolManager::builder()
        .stack_size(1 << 46)
        .build()
        .unwrap();
    let err = pool.submit(|| 9).unwrap_err();
    assert!(matches!(err, SubmitError::SpawnFailed(_)));
    assert_eq!(err.into_inner()(), 9);
    let err = pool.execute(|| ()).unwrap_err();
    assert!(matches!(err, SubmitError::SpawnFailed(_)));
    assert_eq!(pool.stats().live, 0);
    assert_eq!(pool.stats().pending, 0);
    pool.wait_all(); // nothing was counted
}

#[test]
fn wait_timeout_and_try_result_hand_the_handle_back() {
    let pool = ThreadPoolManager::new(1).unwrap();
    let (go, gate) = mpsc::channel::<()>();
    let h = pool.submit(move || gate.recv().map(|()| 11)).unwrap();
    let t0 = Instant::now();
    let h = h.wait_timeout(Duration::from_millis(20)).unwrap_err();
    assert!(t0.elapsed() >= Duration::from_millis(20));
    let h = h.try_result().unwrap_err();
    assert!(!h.is_finished());
    go.send(()).unwrap();
    let out = h.wait_timeout(PATIENCE).unwrap();
    assert_eq!(out, Ok(Ok(11)));
    assert!(format!("{:?}", pool).contains("ThreadPoolManager"));
}

#[test]
fn wait_all_timeout_reports_unfinished_work() {
    let pool = ThreadPoolManager::new(1).unwrap();
    let (h, go, started) = gated(&pool);
    started.recv().unwrap();
    assert!(!pool.wait_all_timeout(Duration::from_millis(10)));
    go.send(()).unwrap();
    assert!(pool.wait_all_timeout(PATIENCE));
    h.wait().unwrap();
}

#[test]
fn thread_names_use_the_prefix() {
    let pool = ThreadPoolManager::builder()
        .thread_name("crawler")
        .max_workers(1)
        .build()
        .unwrap();
    let name = pool
        .submit(|| thread::current().name().map(str::to_owned))
        .unwrap()
        .wait()
        .unwrap();
    assert_eq!(name.as_deref(), Some("crawler-0"));
}

#[test]
fn dropping_the_last_reference_inside_a_task_does_not_deadlock() {
    let pool = Arc::new(ThreadPoolManager::new(2).unwrap());
    let barrier = Arc::new(Barrier::new(2));
    let (done_tx, done) = mpsc::channel();
    let p = Arc::clone(&pool);
    let b = Arc::clone(&barrier);
    pool.execute(move || {
        b.wait(); // main has dropped its reference
        drop(p); // the last one: Drop runs join on a worker thread
        done_tx.send(()).unwrap();
    })
    .unwrap();
    drop(pool);
    barrier.wait();
    done.recv_timeout(PATIENCE)
        .expect("Drop inside a task returned");
}

#[test]
fn counts_are_consistent_at_quiescence() {
    let pool = ThreadPoolManager::new(4).unwrap();
    let barrier = Arc::new(Barrier::new(5));
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let b = Arc::clone(&barrier);
            pool.submit(move || {
                b.wait();
            })
            .unwrap()
        })
        .collect();
    barrier.wait(); // all four ran at once: four workers
    for h in handles {
        h.wait().unwrap();
    }
    pool.wait_all();
    let s = pool.stats();
    assert_eq!(s.live, 4);
    assert_eq!(s.live, s.idle + s.busy);
    assert!(eventually(|| pool.stats().idle == 4), "{:?}", pool.stats());
    assert_eq!((s.pending, s.completed, s.panicked), (0, 4, 0));
}

#[test]
fn every_execute_closure_is_dropped_exactly_once() {
    // Small closures travel inside the job, big ones in a box: both must be run or
    // dropped exactly once, including when they panic or are cancelled.
    let token = Arc::new(());
    let pool = ThreadPoolManager::new(1).unwrap();
    let (running, go, started) = gated(&pool);
    started.recv().unwrap();
    let t = Arc::clone(&token);
    pool.execute(move || drop(t)).unwrap(); // small
    let (t, big) = (Arc::clone(&token), [1u64; 16]);
    pool.execute(move || {
        assert_eq!(
            big.len() + Arc::strong_count(&t),
            16 + Arc::strong_count(&t)
        )
    })
    .unwrap(); // big
    let t = Arc::clone(&token);
    pool.execute(move || {
        let _t = t;
        panic!("dropped while unwinding");
    })
    .unwrap();
    assert_eq!(Arc::strong_count(&token), 4);
    go.send(()).unwrap();
    running.wait().unwrap();
    pool.wait_all();
    assert_eq!(Arc::strong_count(&token), 1);
    assert_eq!(pool.stats().panicked, 1);

    // Cancelled by terminate: dropped unrun.
    let (running, go, started) = gated(&pool);
    started.recv().unwrap();
    let t = Arc::clone(&token);
    pool.execute(move || drop(t)).unwrap();
    let (t, big) = (Arc::clone(&token), [2u64; 16]);
    pool.execute(move || drop((t, big))).unwrap();
    assert_eq!(pool.terminate(), 2);
    assert_eq!(Arc::strong_count(&token), 1);
    go.send(()).unwrap();
    running.wait().unwrap();
    // Refused: handed back whole.
    let t = Arc::clone(&token);
    let back = pool.execute(move || drop(t)).unwrap_err().into_inner();
    assert_eq!(Arc::strong_count(&token), 2);
    back();
    assert_eq!(Arc::strong_count(&token), 1);
}
