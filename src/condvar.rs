//! `Condvar`: a futex sequence counter plus a waiter count.

use std::fmt;
use std::time::{Duration, Instant};

use crate::backoff::Backoff;
use crate::futex::Futex;
use crate::mutex::MutexGuard;
use crate::sync::fault::{self, Fault};
use crate::sync::{const_unless_loom, AtomicU32, Ordering};

/// A condition variable: lets threads sleep until another thread changes the data
/// behind a [`Mutex`](crate::Mutex) and says so.
///
/// The same contract as `std::sync::Condvar`: wait with the guard of the mutex that
/// protects the condition, re-check the condition after every wake (or use
/// [`wait_while`](Condvar::wait_while)), and change the condition under the lock
/// before notifying.
///
/// Notifying costs one relaxed load and no system call when nobody waits, and no
/// system call when every waiter is still in its short spin before sleeping.
///
/// # Examples
///
/// ```
/// use queuekit::{Condvar, Mutex};
/// use std::sync::Arc;
/// use std::thread;
///
/// let pair = Arc::new((Mutex::new(false), Condvar::new()));
/// let pair2 = Arc::clone(&pair);
/// thread::spawn(move || {
///     let (ready, cv) = &*pair2;
///     *ready.lock() = true;
///     cv.notify_one();
/// });
/// let (ready, cv) = &*pair;
/// let guard = cv.wait_while(ready.lock(), |ready| !*ready);
/// assert!(*guard);
/// ```
pub struct Condvar {
    /// Bumped by every notify that finds a waiter; waiters sleep on it.
    seq: Futex,
    /// Threads between registering (under the mutex) and waking up.
    waiters: AtomicU32,
    /// The subset of `waiters` that stopped spinning and may be in the kernel: only
    /// these need a wake syscall.
    sleepers: AtomicU32,
}

/// Whether a timed wait on a [`Condvar`] returned because its time ran out.
///
/// # Examples
///
/// ```
/// use queuekit::{Condvar, Mutex};
/// use std::time::Duration;
///
/// let m = Mutex::new(());
/// let cv = Condvar::new();
/// let (_guard, result) = cv.wait_timeout(m.lock(), Duration::from_millis(1));
/// assert!(result.timed_out());
/// ```
#[derive(Debug, PartialEq, Eq, Copy, Clone)]
pub struct WaitTimeoutResult(bool);

impl WaitTimeoutResult {
    /// `true` if the wait ended because the timeout elapsed (for the `_while`
    /// forms: and the condition still held when it did).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{Condvar, Mutex};
    /// use std::time::Duration;
    ///
    /// let m = Mutex::new(true);
    /// let cv = Condvar::new();
    /// // Nothing to wait for: returns at once, not timed out.
    /// let (_g, r) = cv.wait_timeout_while(m.lock(), Duration::from_secs(5), |go| !*go);
    /// assert!(!r.timed_out());
    /// ```
    #[must_use]
    pub fn timed_out(&self) -> bool {
        self.0
    }
}

impl Condvar {
    const_unless_loom! {
        /// Creates a condition variable with no waiters.
        ///
        /// # Examples
        ///
        /// ```
        /// use queuekit::Condvar;
        ///
        /// static CV: Condvar = Condvar::new();
        /// CV.notify_all(); // nobody waits: a no-op
        /// ```
        #[must_use]
        pub const fn new() -> Self {
            Self {
                seq: Futex::new(0),
                waiters: AtomicU32::new(0),
                sleepers: AtomicU32::new(0),
            }
        }
    }

    /// Unlocks the guard's mutex, sleeps until notified, and locks it again.
    ///
    /// May wake spuriously: re-check the condition, or use
    /// [`wait_while`](Condvar::wait_while).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{Condvar, Mutex};
    /// use std::sync::Arc;
    /// use std::thread;
    ///
    /// let state = Arc::new((Mutex::new(0), Condvar::new()));
    /// let s2 = Arc::clone(&state);
    /// let t = thread::spawn(move || {
    ///     *s2.0.lock() = 42;
    ///     s2.1.notify_all();
    /// });
    /// let mut guard = state.0.lock();
    /// while *guard == 0 {
    ///     guard = state.1.wait(guard);
    /// }
    /// assert_eq!(*guard, 42);
    /// # drop(guard); t.join().unwrap();
    /// ```
    pub fn wait<'a, T: ?Sized>(&self, guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
        let (guard, _) = self.wait_inner(guard, None);
        guard
    }

    /// Waits until `condition` returns `false`, re-checking it after every wake.
    /// Returns at once if it is already `false`.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{Condvar, Mutex};
    /// use std::sync::Arc;
    /// use std::thread;
    ///
    /// let jobs = Arc::new((Mutex::new(3u32), Condvar::new()));
    /// let j2 = Arc::clone(&jobs);
    /// let t = thread::spawn(move || {
    ///     for _ in 0..3 {
    ///         *j2.0.lock() -= 1;
    ///         j2.1.notify_one();
    ///     }
    /// });
    /// let guard = jobs.1.wait_while(jobs.0.lock(), |left| *left > 0);
    /// assert_eq!(*guard, 0);
    /// # drop(guard); t.join().unwrap();
    /// ```
    pub fn wait_while<'a, T: ?Sized, F>(
        &self,
        mut guard: MutexGuard<'a, T>,
        mut condition: F,
    ) -> MutexGuard<'a, T>
    where
        F: FnMut(&mut T) -> bool,
    {
        while condition(&mut *guard) {
            guard = self.wait(guard);
        }
        guard
    }

    /// Like [`wait`](Condvar::wait), giving up after `timeout`.
    ///
    /// A timeout too large to represent as a deadline means "no timeout".
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{Condvar, Mutex};
    /// use std::time::Duration;
    ///
    /// let m = Mutex::new(());
    /// let cv = Condvar::new();
    /// let (_guard, r) = cv.wait_timeout(m.lock(), Duration::from_millis(5));
    /// assert!(r.timed_out());
    /// ```
    pub fn wait_timeout<'a, T: ?Sized>(
        &self,
        guard: MutexGuard<'a, T>,
        timeout: Duration,
    ) -> (MutexGuard<'a, T>, WaitTimeoutResult) {
        self.wait_inner(guard, Instant::now().checked_add(timeout))
    }

    /// Like [`wait`](Condvar::wait), giving up at `deadline`.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{Condvar, Mutex};
    /// use std::time::{Duration, Instant};
    ///
    /// let m = Mutex::new(());
    /// let cv = Condvar::new();
    /// let deadline = Instant::now() + Duration::from_millis(5);
    /// let (_guard, r) = cv.wait_until(m.lock(), deadline);
    /// assert!(r.timed_out());
    /// assert!(Instant::now() >= deadline);
    /// ```
    pub fn wait_until<'a, T: ?Sized>(
        &self,
        guard: MutexGuard<'a, T>,
        deadline: Instant,
    ) -> (MutexGuard<'a, T>, WaitTimeoutResult) {
        self.wait_inner(guard, Some(deadline))
    }

    /// Waits until `condition` returns `false` or `timeout` elapses.
    ///
    /// The condition is re-checked after every wake *before* the deadline is, so a
    /// notification that races the expiry is never lost: the result says
    /// `timed_out()` only if the condition still holds.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{Condvar, Mutex};
    /// use std::time::Duration;
    ///
    /// let m = Mutex::new(false);
    /// let cv = Condvar::new();
    /// let (guard, r) = cv.wait_timeout_while(m.lock(), Duration::from_millis(5), |ok| !*ok);
    /// assert!(r.timed_out());
    /// assert!(!*guard);
    /// ```
    pub fn wait_timeout_while<'a, T: ?Sized, F>(
        &self,
        guard: MutexGuard<'a, T>,
        timeout: Duration,
        condition: F,
    ) -> (MutexGuard<'a, T>, WaitTimeoutResult)
    where
        F: FnMut(&mut T) -> bool,
    {
        self.wait_until_while(guard, Instant::now().checked_add(timeout), condition)
    }

    /// [`wait_timeout_while`](Condvar::wait_timeout_while) with an absolute deadline;
    /// `None` waits without one.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{Condvar, Mutex};
    /// use std::time::{Duration, Instant};
    ///
    /// let m = Mutex::new(0);
    /// let cv = Condvar::new();
    /// let deadline = Some(Instant::now() + Duration::from_millis(5));
    /// let (_g, r) = cv.wait_until_while(m.lock(), deadline, |n| *n == 0);
    /// assert!(r.timed_out());
    /// ```
    pub fn wait_until_while<'a, T: ?Sized, F>(
        &self,
        mut guard: MutexGuard<'a, T>,
        deadline: Option<Instant>,
        mut condition: F,
    ) -> (MutexGuard<'a, T>, WaitTimeoutResult)
    where
        F: FnMut(&mut T) -> bool,
    {
        loop {
            if !condition(&mut *guard) {
                return (guard, WaitTimeoutResult(false));
            }
            let (g, result) = self.wait_inner(guard, deadline);
            guard = g;
            if result.timed_out() {
                // One last look: a notify that raced the expiry still counts.
                let still = condition(&mut *guard);
                return (guard, WaitTimeoutResult(still));
            }
        }
    }

    /// Wakes one waiting thread, if any. No system call when nobody waits.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{Condvar, Mutex};
    /// use std::sync::Arc;
    /// use std::thread;
    ///
    /// let s = Arc::new((Mutex::new(None), Condvar::new()));
    /// let s2 = Arc::clone(&s);
    /// let t = thread::spawn(move || {
    ///     let g = s2.1.wait_while(s2.0.lock(), |v| v.is_none());
    ///     g.unwrap()
    /// });
    /// *s.0.lock() = Some("job");
    /// s.1.notify_one();
    /// assert_eq!(t.join().unwrap(), "job");
    /// ```
    #[inline]
    pub fn notify_one(&self) {
        // Relaxed is enough: a waiter registers while holding the mutex, and the
        // notifier changed the condition under that mutex after the waiter released
        // it, so the mutex's Release/Acquire already orders the registration before
        // this load.
        if self.waiters.load(Ordering::Relaxed) == 0 {
            return;
        }
        self.seq.fetch_add(1, Ordering::Relaxed);
        if self.someone_sleeps() && !fault::active(Fault::CondvarNotifySkipsWake) {
            self.seq.wake_one();
        }
    }

    /// Wakes every waiting thread. No system call when nobody waits.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{Condvar, Mutex};
    /// use std::sync::Arc;
    /// use std::thread;
    ///
    /// let s = Arc::new((Mutex::new(false), Condvar::new()));
    /// let waiters: Vec<_> = (0..3)
    ///     .map(|_| {
    ///         let s = Arc::clone(&s);
    ///         thread::spawn(move || drop(s.1.wait_while(s.0.lock(), |go| !*go)))
    ///     })
    ///     .collect();
    /// *s.0.lock() = true;
    /// s.1.notify_all();
    /// for w in waiters {
    ///     w.join().unwrap();
    /// }
    /// ```
    #[inline]
    pub fn notify_all(&self) {
        // Relaxed: see `notify_one`.
        if self.waiters.load(Ordering::Relaxed) == 0 {
            return;
        }
        self.seq.fetch_add(1, Ordering::Relaxed);
        if self.someone_sleeps() {
            self.seq.wake_all();
        }
    }

    /// After bumping `seq`: may a waiter be asleep on the old value?
    ///
    /// This and the waiter's registration in `sleepers` are both read-modify-writes
    /// of one word, so one sees the other. If ours comes first, its Release pairs
    /// with the waiter's Acquire and the waiter's futex check sees the new `seq` (it
    /// will not sleep); if the waiter's comes first, we see it and wake. (Two plain
    /// SeqCst accesses would also do on hardware, but loom does not model SeqCst's
    /// total order, and an RMW here costs no more than the load it replaces.)
    #[inline]
    fn someone_sleeps(&self) -> bool {
        self.sleepers.fetch_add(0, Ordering::AcqRel) > 0
    }

    fn wait_inner<'a, T: ?Sized>(
        &self,
        guard: MutexGuard<'a, T>,
        deadline: Option<Instant>,
    ) -> (MutexGuard<'a, T>, WaitTimeoutResult) {
        let mutex = guard.mutex;
        // Both happen before we unlock, so a notifier that locks after us sees the
        // registration and, if it bumps `seq`, our `wait` below sees the new value.
        let seq = self.seq.load(Ordering::Relaxed);
        self.waiters.fetch_add(1, Ordering::Relaxed);
        drop(guard);

        // The notify often comes within a microsecond (a busy peer): watch `seq` for
        // a little while before paying for a sleep and, on the notifier's side, a
        // wake syscall. Spin only; yielding here would delay the peer we wait for.
        // (At least one look even under loom, where `spin` never waits, so the
        // models cover a waiter that sees the notify without sleeping.)
        let mut backoff = Backoff::new();
        let notified = loop {
            if self.seq.load(Ordering::Relaxed) != seq {
                break true;
            }
            if !backoff.spin() {
                break false;
            }
        };

        let in_time = if notified {
            true
        } else {
            // RMW: see `someone_sleeps`.
            self.sleepers.fetch_add(1, Ordering::AcqRel);
            let in_time = match deadline {
                None => {
                    self.seq.wait(seq);
                    true
                }
                Some(deadline) => self.seq.wait_until(seq, deadline),
            };
            self.sleepers.fetch_sub(1, Ordering::Relaxed);
            in_time
        };

        self.waiters.fetch_sub(1, Ordering::Relaxed);
        (mutex.lock(), WaitTimeoutResult(!in_time))
    }
}

impl Default for Condvar {
    /// Same as [`Condvar::new`].
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Condvar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Condvar").finish_non_exhaustive()
    }
}
