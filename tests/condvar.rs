//! `Condvar` with real threads.

use queuekit::{Condvar, Mutex};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

/// Shared state for the hand-off tests.
#[derive(Default)]
struct State {
    /// Set by a waiter (under the lock) just before it waits.
    waiting: usize,
    /// The condition waiters wait for.
    go: bool,
}

type Shared = Arc<(Mutex<State>, Condvar)>;

/// Blocks until `n` waiters have registered. Because a waiter registers and waits
/// without releasing the lock in between, once we hold the lock and see the count,
/// those waiters are inside `wait` (or past it): no sleeps needed.
fn until_waiting(s: &Shared, n: usize) {
    loop {
        if s.0.lock().waiting >= n {
            return;
        }
        thread::yield_now();
    }
}

#[test]
fn wait_timeout_returns_no_earlier_than_asked_and_reports_the_timeout() {
    let m = Mutex::new(());
    let cv = Condvar::new();
    for ms in [1u64, 20, 50] {
        let asked = Duration::from_millis(ms);
        let t0 = Instant::now();
        let (_g, r) = cv.wait_timeout(m.lock(), asked);
        let took = t0.elapsed();
        // A spurious wake may end the wait early, but then it must not claim a timeout.
        if r.timed_out() {
            assert!(took >= asked, "timed out after {took:?}, asked {asked:?}");
        }
    }
    let asked = Duration::from_millis(30);
    let t0 = Instant::now();
    let (_g, r) = cv.wait_timeout_while(m.lock(), asked, |_| true);
    assert!(r.timed_out());
    assert!(t0.elapsed() >= asked);
}

#[test]
fn wait_deadline_a_past_deadline_times_out_at_once() {
    let m = Mutex::new(0);
    let cv = Condvar::new();
    let past = Instant::now();
    let (g, r) = cv.wait_deadline(m.lock(), past);
    assert!(r.timed_out());
    assert_eq!(*g, 0);
}

#[test]
fn huge_timeout_means_no_timeout() {
    let s: Shared = Arc::default();
    let s2 = Arc::clone(&s);
    let t = thread::spawn(move || {
        let (g, r) = s2.1.wait_timeout_while(s2.0.lock(), Duration::MAX, |st| {
            st.waiting += 1;
            !st.go
        });
        (g.go, r.timed_out())
    });
    until_waiting(&s, 1);
    s.0.lock().go = true;
    s.1.notify_one();
    assert_eq!(t.join().unwrap(), (true, false));
}

#[test]
fn notify_wakes_a_waiter_blocked_in_a_timed_wait() {
    let s: Shared = Arc::default();
    let s2 = Arc::clone(&s);
    let waiter = thread::spawn(move || {
        let t0 = Instant::now();
        let (g, r) =
            s2.1.wait_timeout_while(s2.0.lock(), Duration::from_secs(60), |st| {
                st.waiting += 1;
                !st.go
            });
        (g.go, r.timed_out(), t0.elapsed())
    });
    until_waiting(&s, 1);
    s.0.lock().go = true;
    s.1.notify_one();
    let (go, timed_out, took) = waiter.join().unwrap();
    assert!(go);
    assert!(!timed_out);
    assert!(took < Duration::from_secs(60));
}

#[test]
fn notify_all_wakes_every_waiter() {
    const WAITERS: usize = 6;
    let s: Shared = Arc::default();
    let waiters: Vec<_> = (0..WAITERS)
        .map(|_| {
            let s = Arc::clone(&s);
            thread::spawn(move || {
                let mut g = s.0.lock();
                g.waiting += 1;
                while !g.go {
                    g = s.1.wait(g);
                }
            })
        })
        .collect();
    until_waiting(&s, WAITERS);
    s.0.lock().go = true;
    s.1.notify_all();
    for w in waiters {
        w.join().unwrap();
    }
}

#[test]
fn notify_one_per_token_releases_every_waiter() {
    const WAITERS: usize = 4;
    let s = Arc::new((Mutex::new(0usize), Condvar::new()));
    let waiters: Vec<_> = (0..WAITERS)
        .map(|_| {
            let s = Arc::clone(&s);
            thread::spawn(move || {
                let mut tokens = s.1.wait_while(s.0.lock(), |t| *t == 0);
                *tokens -= 1;
            })
        })
        .collect();
    for _ in 0..WAITERS {
        *s.0.lock() += 1;
        s.1.notify_one();
    }
    for w in waiters {
        w.join().unwrap();
    }
    assert_eq!(*s.0.lock(), 0);
}

#[test]
fn ping_pong_ten_thousand_rounds() {
    const ROUNDS: u32 = 10_000;
    let s = Arc::new((Mutex::new((0u32, false)), Condvar::new()));
    let s2 = Arc::clone(&s);
    let other = thread::spawn(move || {
        for _ in 0..ROUNDS {
            let mut g = s2.1.wait_while(s2.0.lock(), |(_, ping)| !*ping);
            g.0 += 1;
            g.1 = false;
            s2.1.notify_one();
        }
    });
    for _ in 0..ROUNDS {
        let mut g = s.0.lock();
        g.1 = true;
        s.1.notify_one();
        drop(s.1.wait_while(g, |(_, ping)| *ping));
    }
    other.join().unwrap();
    assert_eq!(s.0.lock().0, ROUNDS);
}

#[test]
fn notify_without_waiters_is_harmless() {
    let cv = Condvar::default();
    cv.notify_one();
    cv.notify_all();
    let m = Mutex::new(());
    let (_g, r) = cv.wait_timeout(m.lock(), Duration::from_millis(1));
    assert!(r.timed_out(), "an old notify must not satisfy a later wait");
}
