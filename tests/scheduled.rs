//! Delayed and periodic tasks on the pool, with real threads: cancels racing
//! due times (run or cancelled, never both), series that never overlap, panics
//! that end a series but not a worker, the close / terminate / join policies.
//! Assertions are about order and outcome, never about how late a run is.

mod common;

use common::within;
use queuekit::{SubmitError, TaskError, ThreadPoolManager};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

#[test]
fn delayed_task_holds_no_worker_while_it_waits() {
    let pool = ThreadPoolManager::new(1).unwrap();
    let h = pool.submit_after(Duration::from_millis(30), || 5).unwrap();
    assert_eq!(pool.stats().scheduled, 1);
    assert_eq!(pool.stats().pending, 0);
    assert_eq!(
        pool.stats().live,
        0,
        "a worker was started for a waiting task"
    );
    // The one worker is free for other work meanwhile.
    assert_eq!(pool.submit(|| 1).unwrap().wait(), Ok(1));
    assert_eq!(h.wait(), Ok(5));
    assert_eq!(pool.stats().scheduled, 0);
}

#[test]
fn submit_at_runs_in_deadline_order_on_one_worker() {
    let pool = ThreadPoolManager::new(1).unwrap();
    let order = Arc::new(Mutex::new(Vec::new()));
    let start = Instant::now();
    let handles: Vec<_> = [30u64, 10, 20]
        .into_iter()
        .map(|ms| {
            let order = Arc::clone(&order);
            pool.submit_at(start + Duration::from_millis(ms), move || {
                order.lock().unwrap().push(ms);
                Instant::now()
            })
            .unwrap()
        })
        .collect();
    for (h, ms) in handles.into_iter().zip([30u64, 10, 20]) {
        let ran_at = h.wait().unwrap();
        assert!(ran_at >= start + Duration::from_millis(ms), "ran early");
    }
    assert_eq!(*order.lock().unwrap(), [10, 20, 30]);
}

/// 1000 delayed tasks, each cancelled by another thread around its due time:
/// each either ran (and `cancel` said `false`, the handle `Ok`) or was
/// cancelled (`true`, `Cancelled`), never both, never neither.
#[test]
fn a_thousand_cancels_racing_their_due_time() {
    const N: usize = 1000;
    let pool = ThreadPoolManager::new(4).unwrap();
    let ran: Arc<Vec<AtomicBool>> = Arc::new((0..N).map(|_| AtomicBool::new(false)).collect());
    let handles: Vec<_> = (0..N)
        .map(|i| {
            let ran = Arc::clone(&ran);
            let delay = Duration::from_micros((i as u64 * 7919) % 3000);
            pool.submit_after(delay, move || ran[i].store(true, Ordering::SeqCst))
                .unwrap()
        })
        .collect();
    let cancelled: Vec<bool> = thread::scope(|s| {
        let halves: Vec<_> = handles
            .chunks(N / 2)
            .map(|chunk| {
                s.spawn(move || {
                    chunk
                        .iter()
                        .enumerate()
                        .map(|(k, h)| {
                            if k % 3 == 0 {
                                thread::yield_now();
                            }
                            h.cancel()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        halves.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    let mut counts = (0, 0);
    for (i, (h, c)) in handles.into_iter().zip(cancelled).enumerate() {
        let outcome = h.wait();
        let r = ran[i].load(Ordering::SeqCst);
        assert_ne!(c, r, "task {i}: cancelled {c}, ran {r}");
        if c {
            assert_eq!(outcome, Err(TaskError::Cancelled));
            counts.0 += 1;
        } else {
            assert_eq!(outcome, Ok(()));
            counts.1 += 1;
        }
    }
    assert_eq!(counts.0 + counts.1, N);
}

/// A fixed-rate series whose runs take longer than its period, on a pool of
/// four: the runs never overlap, and the late runs are not piled up (each
/// starts after the previous returned).
#[test]
fn overrunning_fixed_rate_never_overlaps() {
    let pool = ThreadPoolManager::new(4).unwrap();
    let inside = Arc::new(AtomicBool::new(false));
    let overlaps = Arc::new(AtomicUsize::new(0));
    let (i, o) = (Arc::clone(&inside), Arc::clone(&overlaps));
    let h = pool
        .schedule_at_fixed_rate(Duration::ZERO, Duration::from_micros(100), move || {
            if i.swap(true, Ordering::SeqCst) {
                o.fetch_add(1, Ordering::SeqCst);
            }
            thread::sleep(Duration::from_millis(1)); // work longer than the period
            i.store(false, Ordering::SeqCst);
        })
        .unwrap();
    while h.runs() < 10 {
        thread::yield_now();
    }
    assert!(h.cancel());
    assert_eq!(h.wait(), TaskError::Cancelled);
    let runs = h.runs();
    thread::sleep(Duration::from_millis(5));
    assert_eq!(h.runs(), runs, "a run started after cancel returned");
    assert_eq!(overlaps.load(Ordering::SeqCst), 0);
}

/// Fixed delay: each run starts at least `delay` after the previous returned.
#[test]
fn fixed_delay_spaces_runs_after_each_return() {
    let pool = ThreadPoolManager::new(2).unwrap();
    let spans = Arc::new(Mutex::new(Vec::new()));
    let s = Arc::clone(&spans);
    let delay = Duration::from_millis(2);
    let h = pool
        .schedule_with_fixed_delay(Duration::ZERO, delay, move || {
            let start = Instant::now();
            thread::yield_now();
            s.lock().unwrap().push((start, Instant::now()));
        })
        .unwrap();
    while h.runs() < 5 {
        thread::yield_now();
    }
    h.cancel();
    let spans = spans.lock().unwrap();
    for w in spans.windows(2) {
        assert!(w[1].0 >= w[0].1 + delay, "next run started too early");
    }
}

#[test]
fn a_panicking_run_ends_the_series_and_the_worker_lives() {
    let pool = ThreadPoolManager::new(1).unwrap();
    let mut n = 0;
    let h = pool
        .schedule_with_fixed_delay(Duration::ZERO, Duration::from_micros(10), move || {
            n += 1;
            if n == 4 {
                panic!("run {n} failed");
            }
        })
        .unwrap();
    assert_eq!(h.wait(), TaskError::Panicked("run 4 failed".into()));
    assert_eq!(h.runs(), 4);
    assert!(!h.cancel(), "an ended series cannot be cancelled");
    assert_eq!(pool.submit(|| 2).unwrap().wait(), Ok(2));
    assert_eq!(pool.stats().live, 1);
}

#[test]
fn close_keeps_delayed_tasks_and_stops_series_by_default() {
    let pool = ThreadPoolManager::new(1).unwrap();
    let once = pool
        .submit_after(Duration::from_millis(20), || "kept")
        .unwrap();
    let series = pool
        .schedule_at_fixed_rate(Duration::from_secs(60), Duration::from_secs(1), || {})
        .unwrap();
    pool.close();
    assert!(pool.submit_after(Duration::ZERO, || "late").is_err());
    assert_eq!(series.wait(), TaskError::Cancelled);
    assert_eq!(once.wait(), Ok("kept"));
    pool.join();
}

#[test]
fn close_policies_can_be_switched() {
    let pool = ThreadPoolManager::new(1).unwrap();
    pool.set_run_delayed_after_close(false);
    pool.set_continue_periodic_after_close(true);
    let once = pool.submit_after(Duration::from_secs(60), || ()).unwrap();
    let runs = Arc::new(AtomicUsize::new(0));
    let r = Arc::clone(&runs);
    let series = pool
        .schedule_at_fixed_rate(Duration::ZERO, Duration::from_millis(1), move || {
            r.fetch_add(1, Ordering::SeqCst);
        })
        .unwrap();
    pool.close();
    assert_eq!(once.wait(), Err(TaskError::Cancelled));
    let at_close = runs.load(Ordering::SeqCst);
    while runs.load(Ordering::SeqCst) < at_close + 3 {
        thread::yield_now(); // the series goes on after close
    }
    assert!(series.cancel());
    assert_eq!(series.wait(), TaskError::Cancelled);
    pool.join();
}

#[test]
fn terminate_cancels_everything_waiting() {
    let pool = ThreadPoolManager::new(1).unwrap();
    let a = pool.submit_after(Duration::from_secs(60), || ()).unwrap();
    let b = pool.submit_after(Duration::from_secs(60), || ()).unwrap();
    let s = pool
        .schedule_with_fixed_delay(Duration::from_secs(60), Duration::from_secs(1), || {})
        .unwrap();
    assert_eq!(pool.terminate(), 2);
    assert_eq!(a.wait(), Err(TaskError::Cancelled));
    assert_eq!(b.wait(), Err(TaskError::Cancelled));
    assert_eq!(s.wait(), TaskError::Cancelled);
    assert_eq!(pool.stats().scheduled, 0);
    pool.join(); // returns at once: nothing left to wait for
}

#[test]
fn join_and_drop_wait_for_kept_delayed_tasks() {
    let ran = Arc::new(AtomicUsize::new(0));
    {
        let pool = ThreadPoolManager::new(2).unwrap();
        for i in 0..3 {
            let ran = Arc::clone(&ran);
            pool.execute(|| {}).unwrap();
            // The handle is dropped: the task still runs.
            drop(
                pool.submit_after(Duration::from_millis(5 * i), move || {
                    ran.fetch_add(1, Ordering::SeqCst);
                })
                .unwrap(),
            );
        }
        // Dropped here: closes, then waits for the three delayed tasks.
    }
    assert_eq!(ran.load(Ordering::SeqCst), 3);
}

#[test]
fn delayed_handle_is_awaitable() {
    let pool = ThreadPoolManager::new(1).unwrap();
    let h = pool
        .submit_after(Duration::from_millis(5), || 40 + 2)
        .unwrap();
    assert_eq!(futures::executor::block_on(h), Ok(42));
}

#[test]
fn submit_after_a_closed_pool_gives_the_closure_back() {
    let pool = ThreadPoolManager::new(1).unwrap();
    pool.close();
    let err = pool.submit_after(Duration::ZERO, || 3).unwrap_err();
    assert_eq!((err.into_inner())(), 3);
    let err = pool
        .schedule_at_fixed_rate(Duration::ZERO, Duration::from_secs(1), || {})
        .unwrap_err();
    assert!(matches!(err, SubmitError::Closed(_)));
}

#[test]
fn stats_count_delayed_tasks_and_live_series() {
    let pool = ThreadPoolManager::new(1).unwrap();
    let once = pool.submit_after(Duration::from_secs(60), || ()).unwrap();
    let series = pool
        .schedule_with_fixed_delay(Duration::from_secs(60), Duration::from_secs(1), || {})
        .unwrap();
    let s = pool.stats();
    assert_eq!((s.scheduled, s.periodic), (2, 1));
    assert_eq!(s.scheduled, pool.stats().scheduled);
    assert_eq!(s.pending, 0, "waiting tasks are not in the backlog");
    assert!(series.cancel());
    assert_eq!(pool.stats().periodic, 0, "a cancelled series is not live");
    assert!(once.cancel());
    // Closing drops the cancelled entries from the timer.
    pool.close();
    assert_eq!(pool.stats().scheduled, 0);
    pool.join();
}

#[test]
fn a_panicking_periodic_run_counts_as_panicked() {
    let pool = ThreadPoolManager::new(1).unwrap();
    let h = pool
        .schedule_at_fixed_rate(Duration::ZERO, Duration::from_millis(1), || {
            panic!("periodic run failed")
        })
        .unwrap();
    assert_eq!(h.wait(), TaskError::Panicked("periodic run failed".into()));
    pool.wait_all(); // the run's job is settled
    let s = pool.stats();
    assert_eq!(
        s.panicked, 1,
        "the panic in the periodic run was not counted"
    );
    assert_eq!(pool.stats().panicked, 1);
    assert_eq!(s.completed, 1, "a panicked run also counts as completed");
    assert_eq!(pool.submit(|| 2).unwrap().wait(), Ok(2));
}

/// Far past `common::WATCHDOG`: a `join` that waits for it hangs the test.
const AN_HOUR: Duration = Duration::from_secs(3600);

/// A delayed task cancelled after `close` leaves the timer at once: `join`
/// does not wait for its deadline (an hour out, far past the watchdog).
#[test]
fn cancel_after_close_lets_join_return_before_the_deadline() {
    within("join after cancelling a delayed task past close", || {
        let pool = ThreadPoolManager::new(1).unwrap();
        let h = pool.submit_after(AN_HOUR, || ()).unwrap();
        pool.close(); // default policy: the delayed task is kept
        assert_eq!(pool.stats().scheduled, 1);
        assert!(h.cancel());
        assert_eq!(
            pool.stats().scheduled,
            0,
            "the cancelled task is still queued"
        );
        pool.join();
        assert_eq!(h.wait(), Err(TaskError::Cancelled));
    });
}

/// `join` already waiting for the timer when the cancel comes (if the cancel
/// lands after `join`'s own clean-up of the timer, which is the usual order
/// here; the loom model `cancel_racing_close_never_holds_up_join` covers every
/// order): `join` returns once the kept task due soon has run.
#[test]
fn cancel_during_join_lets_join_return_before_the_deadline() {
    within("join racing a cancel of a delayed task", || {
        let pool = Arc::new(ThreadPoolManager::new(1).unwrap());
        let far = pool.submit_after(AN_HOUR, || ()).unwrap();
        let near = pool
            .submit_after(Duration::from_millis(20), || "ran")
            .unwrap();
        let joiner = {
            let pool = Arc::clone(&pool);
            thread::spawn(move || pool.join())
        };
        while !pool.is_closed() {
            thread::yield_now();
        }
        assert!(far.cancel());
        joiner.join().unwrap();
        assert_eq!(near.wait(), Ok("ran"));
        assert_eq!(far.wait(), Err(TaskError::Cancelled));
        assert_eq!(pool.stats().scheduled, 0);
    });
}

/// `wait_all` waits for the tasks handed to the workers, not for delayed tasks
/// still waiting for their time (their handles, or `close` + `join`, wait for
/// those).
#[test]
fn wait_all_does_not_wait_for_delayed_tasks_not_yet_due() {
    within("wait_all with a delayed task 60 s out", || {
        let pool = ThreadPoolManager::new(1).unwrap();
        let far = pool.submit_after(Duration::from_secs(60), || ()).unwrap();
        let series = pool
            .schedule_at_fixed_rate(Duration::from_secs(60), Duration::from_secs(1), || {})
            .unwrap();
        pool.execute(|| ()).unwrap();
        pool.wait_all();
        assert_eq!(pool.stats().completed, 1);
        assert_eq!(pool.stats().scheduled, 2);
        assert!(far.cancel());
        assert!(series.cancel());
    });
}

/// Once due and handed to a worker, a delayed task is waited for like any
/// other.
#[test]
fn wait_all_waits_for_a_due_delayed_task_on_a_worker() {
    within("wait_all with a due delayed task running", || {
        let pool = ThreadPoolManager::new(1).unwrap();
        let (go, gate) = std::sync::mpsc::channel::<()>();
        let (started_tx, started) = std::sync::mpsc::channel();
        let h = pool
            .submit_after(Duration::ZERO, move || {
                started_tx.send(()).unwrap();
                gate.recv().unwrap();
            })
            .unwrap();
        started.recv().unwrap();
        // The task is blocked on the gate: `wait_all` cannot be done.
        assert!(!pool.wait_all_timeout(Duration::from_millis(20)));
        go.send(()).unwrap();
        pool.wait_all();
        assert_eq!(pool.stats().completed, 1);
        assert_eq!(h.wait(), Ok(()));
    });
}
