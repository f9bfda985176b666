//! `Mutex` with real threads. Bodies that a lost wake-up would hang run under
//! the shared watchdog.

mod common;

use common::within;
use queuekit::Mutex;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Barrier};
use std::thread;

fn assert_send_sync<T: Send + Sync>() {}

#[test]
fn mutex_is_send_and_sync_for_send_data() {
    assert_send_sync::<Mutex<Vec<u8>>>();
    // `Cell` is Send but not Sync: the mutex makes it shareable, like std's.
    assert_send_sync::<Mutex<std::cell::Cell<u8>>>();
}

#[test]
fn four_threads_hundred_thousand_increments_each_sum_exactly() {
    within("four threads of increments", || {
        const THREADS: usize = 4;
        const EACH: usize = 100_000;
        let counter = Arc::new(Mutex::new(0usize));
        let start = Arc::new(Barrier::new(THREADS));
        let handles: Vec<_> = (0..THREADS)
            .map(|_| {
                let counter = Arc::clone(&counter);
                let start = Arc::clone(&start);
                thread::spawn(move || {
                    start.wait();
                    for _ in 0..EACH {
                        *counter.lock() += 1;
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(*counter.lock(), THREADS * EACH);
    });
}

/// Owners that hold the lock long enough for the others to stop spinning and
/// sleep: every sleeper is woken in turn (the run ends), one owner at a time.
#[test]
fn waiters_that_go_to_sleep_are_all_woken_in_turn() {
    within("sleeping waiters woken in turn", || {
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::time::{Duration, Instant};
        const THREADS: usize = 8;
        const EACH: usize = 60;
        let lock = Arc::new(Mutex::new(Vec::new()));
        let inside = Arc::new(AtomicUsize::new(0));
        let start = Arc::new(Barrier::new(THREADS));
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                let (lock, inside, start) = (lock.clone(), inside.clone(), start.clone());
                thread::spawn(move || {
                    start.wait();
                    for _ in 0..EACH {
                        let mut g = lock.lock();
                        assert_eq!(inside.fetch_add(1, Ordering::SeqCst), 0, "two owners");
                        g.push(t);
                        // Hold the lock (busy, not asleep) so that the others run out
                        // of spins and yields and go to sleep on it.
                        let until = Instant::now() + Duration::from_micros(200);
                        while Instant::now() < until {
                            std::hint::spin_loop();
                        }
                        inside.fetch_sub(1, Ordering::SeqCst);
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        let order = lock.lock();
        assert_eq!(order.len(), THREADS * EACH);
        for t in 0..THREADS {
            assert_eq!(order.iter().filter(|&&x| x == t).count(), EACH);
        }
    });
}

#[test]
fn non_atomic_update_under_the_lock_is_never_torn() {
    within("two-field update", || {
        // Two fields that must always agree; a broken lock lets a reader see them differ.
        const THREADS: usize = 4;
        let pair = Arc::new(Mutex::new((0u64, 0u64)));
        let handles: Vec<_> = (0..THREADS)
            .map(|_| {
                let pair = Arc::clone(&pair);
                thread::spawn(move || {
                    for _ in 0..50_000 {
                        let mut g = pair.lock();
                        assert_eq!(g.0, g.1);
                        g.0 += 1;
                        std::hint::black_box(&mut *g);
                        g.1 += 1;
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(*pair.lock(), (200_000, 200_000));
    });
}

#[test]
fn try_lock_fails_while_another_thread_holds_the_lock() {
    let m = Arc::new(Mutex::new(0));
    let held = Arc::new(Barrier::new(2));
    let release = Arc::new(Barrier::new(2));
    let t = {
        let (m, held, release) = (Arc::clone(&m), Arc::clone(&held), Arc::clone(&release));
        thread::spawn(move || {
            let _g = m.lock();
            held.wait();
            release.wait();
        })
    };
    held.wait();
    assert!(m.try_lock().is_none());
    release.wait();
    t.join().unwrap();
    assert!(m.try_lock().is_some());
}

#[test]
fn panic_while_locked_unlocks_and_keeps_the_data() {
    let m = Arc::new(Mutex::new(vec![1]));
    let m2 = Arc::clone(&m);
    let r = thread::spawn(move || {
        let mut g = m2.lock();
        g.push(2);
        panic!("boom while holding the lock");
    })
    .join();
    assert!(r.is_err());
    // No poisoning: the lock is free and the data is as the panicking thread left it.
    assert_eq!(*m.try_lock().expect("unlocked by the panic"), [1, 2]);

    let r = catch_unwind(AssertUnwindSafe(|| {
        let _g = m.lock();
        panic!("again, on this thread");
    }));
    assert!(r.is_err());
    assert_eq!(m.lock().len(), 2);
}

#[test]
fn get_mut_into_inner_default_and_from() {
    let mut m = Mutex::<String>::default();
    m.get_mut().push_str("abc");
    assert_eq!(m.into_inner(), "abc");
    let m = Mutex::from(5u8);
    assert_eq!(*m.lock(), 5);
}

#[test]
fn debug_never_blocks_and_shows_data_when_free() {
    let m = Mutex::new(7);
    assert!(format!("{m:?}").contains('7'));
    let _g = m.lock();
    assert!(format!("{m:?}").contains("<locked>"));
}

#[test]
fn guard_formats_as_the_data_it_guards() {
    let m = Mutex::new(String::from("hi"));
    let g = m.lock();
    assert_eq!(format!("{g}"), "hi");
    assert_eq!(format!("{g:?}"), "\"hi\"");
}

#[test]
fn unsized_data_through_a_reference() {
    let m = Mutex::new([1, 2, 3]);
    let dyn_m: &Mutex<[i32]> = &m;
    dyn_m.lock()[0] = 10;
    assert_eq!(dyn_m.lock().iter().sum::<i32>(), 15);
}

#[test]
fn static_mutex_from_const_new() {
    static LOG: Mutex<Vec<&str>> = Mutex::new(Vec::new());
    let t = thread::spawn(|| LOG.lock().push("thread"));
    LOG.lock().push("main");
    t.join().unwrap();
    let mut log = LOG.lock().clone();
    log.sort_unstable();
    assert_eq!(log, ["main", "thread"]);
}
