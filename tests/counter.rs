//! `TaskCounter` with real threads.

use queuekit::{CountOverflowError, TaskCounter, TaskDoneError};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

#[test]
fn join_waits_for_every_done_across_threads() {
    const WORKERS: usize = 4;
    const EACH: usize = 1_000;
    let tasks = Arc::new(TaskCounter::new());
    let finished = Arc::new(AtomicUsize::new(0));
    tasks.add(WORKERS * EACH).unwrap();
    let workers: Vec<_> = (0..WORKERS)
        .map(|_| {
            let (tasks, finished) = (Arc::clone(&tasks), Arc::clone(&finished));
            thread::spawn(move || {
                for _ in 0..EACH {
                    finished.fetch_add(1, Ordering::Relaxed);
                    tasks.done().unwrap();
                }
            })
        })
        .collect();
    tasks.wait();
    // `done` releases and `wait` acquires: every increment before a `done` is visible.
    assert_eq!(finished.load(Ordering::Relaxed), WORKERS * EACH);
    assert_eq!(tasks.unfinished_tasks(), 0);
    for w in workers {
        w.join().unwrap();
    }
}

#[test]
fn several_joiners_all_released_by_the_last_done() {
    let tasks = Arc::new(TaskCounter::new());
    tasks.add(1).unwrap();
    let joiners: Vec<_> = (0..3)
        .map(|_| {
            let tasks = Arc::clone(&tasks);
            thread::spawn(move || tasks.wait())
        })
        .collect();
    tasks.done().unwrap();
    for j in joiners {
        j.join().unwrap();
    }
}

#[test]
fn done_more_often_than_add_is_an_error_and_the_count_stays_zero() {
    let c = TaskCounter::new();
    assert_eq!(c.done(), Err(TaskDoneError));
    c.add(2).unwrap();
    c.done().unwrap();
    c.done().unwrap();
    assert_eq!(c.done(), Err(TaskDoneError));
    assert_eq!(c.unfinished_tasks(), 0);
}

#[test]
fn racing_done_calls_never_succeed_more_than_added() {
    const ADDED: usize = 1_000;
    let c = Arc::new(TaskCounter::new());
    c.add(ADDED).unwrap();
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let c = Arc::clone(&c);
            thread::spawn(move || (0..500).filter(|_| c.done().is_ok()).count())
        })
        .collect();
    let ok: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
    assert_eq!(ok, ADDED);
    assert_eq!(c.unfinished_tasks(), 0);
}

#[test]
fn wait_timeout_reports_whether_zero_was_reached() {
    let c = Arc::new(TaskCounter::new());
    assert!(c.wait_timeout(Duration::ZERO));
    c.add(1).unwrap();
    let asked = Duration::from_millis(20);
    let t0 = Instant::now();
    assert!(!c.wait_timeout(asked));
    assert!(t0.elapsed() >= asked);

    let c2 = Arc::clone(&c);
    let t = thread::spawn(move || c2.done().unwrap());
    assert!(c.wait_timeout(Duration::from_secs(60)));
    t.join().unwrap();
    assert!(c.wait_deadline(Instant::now()));
}

#[test]
fn wait_deadline_reports_whether_zero_was_reached() {
    let c = TaskCounter::new();
    c.add(1).unwrap();
    // A deadline already past: just a look, and the count is not zero.
    assert!(!c.wait_deadline(Instant::now()));
    assert!(!c.wait_deadline(Instant::now() + Duration::from_millis(5)));
    c.done().unwrap();
    assert!(c.wait_deadline(Instant::now()));
}

#[test]
fn overflowing_add_is_refused_and_changes_nothing() {
    let c = TaskCounter::default();
    c.add(3).unwrap();
    assert_eq!(c.add(usize::MAX), Err(CountOverflowError));
    assert_eq!(c.unfinished_tasks(), 3);
}

mod model {
    use super::*;
    use proptest::prelude::*;

    #[derive(Debug, Clone)]
    enum Op {
        Add(usize),
        Done,
        WaitZero,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            1 => (0usize..4).prop_map(Op::Add),
            3 => Just(Op::Done),
            1 => Just(Op::WaitZero),
        ]
    }

    proptest! {
        /// Any single-threaded sequence of calls agrees with a plain integer.
        #[test]
        fn matches_a_sequential_count(ops in proptest::collection::vec(op(), 0..64)) {
            let c = TaskCounter::new();
            let mut reference = 0usize;
            for op in ops {
                match op {
                    Op::Add(n) => {
                        c.add(n).unwrap();
                        reference += n;
                    }
                    Op::Done => {
                        let expected = if reference == 0 { Err(TaskDoneError) } else { Ok(()) };
                        prop_assert_eq!(c.done(), expected);
                        reference = reference.saturating_sub(1);
                    }
                    Op::WaitZero => prop_assert_eq!(c.wait_timeout(Duration::ZERO), reference == 0),
                }
                prop_assert_eq!(c.unfinished_tasks(), reference);
            }
        }
    }
}
