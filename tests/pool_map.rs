//! The pool's ordered maps with real threads: `map_bounded` over an endless
//! input keeping the live inputs within its read-ahead, the window bound
//! checked at every yield, panics reported in order, a closed pool ending the
//! map, the scoped form over borrowed data inside the only worker's task; and
//! plain `map`, which submits everything at once. (The read-ahead's memory is
//! in `map_bounded_window.rs`.) Every test that could hang runs under a
//! watchdog.

mod common;

use common::within;
use queuekit::{TaskError, ThreadPoolManager};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

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
        assert!(pool.stats().completed <= 100 + AHEAD);
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
    assert_eq!(pool.stats().completed, 5);
    assert_eq!(it.map(Result::unwrap).collect::<Vec<_>>(), [0, 1, 2, 3, 4]);
}
