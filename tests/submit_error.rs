//! `SubmitError` goes into `Box<dyn Error + Send + Sync>` with `?` whatever the
//! closure is (here one that captures a `Cell`, so is `Send` but not `Sync`),
//! and the closure stays retrievable until then. This file failing to compile
//! is the failure: before the closure was held in `Unshared`, the error was
//! `Sync` only for `Sync` closures.

use queuekit::{SubmitError, ThreadPoolManager, Unshared};
use std::cell::Cell;
use std::error::Error;
use std::thread;

/// Submits a closure that is not `Sync`, and forwards the refusal with `?`.
fn count_on(pool: &ThreadPoolManager) -> Result<u32, Box<dyn Error + Send + Sync>> {
    let hits = Cell::new(10u32);
    let handle = pool.submit(move || {
        hits.set(hits.get() + 1);
        hits.get()
    })?;
    Ok(handle.wait()?)
}

#[test]
fn question_mark_takes_a_refused_non_sync_closure_into_a_boxed_error() {
    fn send_sync<X: Send + Sync + 'static>() {}
    send_sync::<SubmitError<Cell<u32>>>();
    send_sync::<Unshared<Cell<u32>>>();

    let pool = ThreadPoolManager::new(2).unwrap();
    assert_eq!(count_on(&pool).unwrap(), 11); // accepted: runs on a worker
    pool.close();
    let err = count_on(&pool).unwrap_err();
    assert_eq!(err.to_string(), "thread pool is closed");
    assert_eq!(format!("{err:?}"), "Closed(..)");
    // The boxed error is shared between threads, as `Sync` allows.
    thread::scope(|s| {
        let readers: Vec<_> = (0..2).map(|_| s.spawn(|| err.to_string())).collect();
        for r in readers {
            assert_eq!(r.join().unwrap(), "thread pool is closed");
        }
    });
}

#[test]
fn the_refused_non_sync_closure_comes_back_by_value() {
    let pool = ThreadPoolManager::new(1).unwrap();
    pool.close();
    let hits = Cell::new(0u32);
    let err = pool
        .submit(move || {
            hits.set(hits.get() + 1);
            hits.get()
        })
        .unwrap_err();
    assert!(err.is_closed());
    let job = match err {
        SubmitError::Closed(job) => job.into_inner(),
        other => panic!("expected Closed, got {other:?}"),
    };
    assert_eq!(job(), 1); // the original closure, runnable on this thread
}

#[test]
fn comparisons_still_work_for_sync_values() {
    let a: SubmitError<u8> = SubmitError::Full(3.into());
    assert_eq!(a, SubmitError::Full(3.into()));
    assert_ne!(a, SubmitError::Closed(3.into()));
    assert_ne!(a, SubmitError::Full(4.into()));
    let b = a; // Copy for `Copy + Sync` values
    assert_eq!(a.into_inner() + b.into_inner(), 6);
    let mut u = Unshared::new(Cell::new(1));
    u.get_mut().set(2);
    assert_eq!(u.into_inner().get(), 2);
}
