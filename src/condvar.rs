//! `Condvar`: a futex sequence counter plus exact waiter accounting.
//!
//! Every waiter is, from registering until it leaves, counted either as
//! *unnotified* or as holding a *token*: `notify_one` moves one unnotified waiter
//! to a token (and does nothing if there is none), so a waiter that was notified
//! but has not run yet is never woken a second time, and a burst of notifies with
//! one sleeper makes one wake syscall. A leaving waiter gives back one unit: a
//! token if there is one (it was notified, even if its time ran out at the same
//! moment), else its unnotified registration.
//!
//! # Invariants
//!
//! Numbered so that the code can cite them ("see C3"). A must-fail loom model
//! (`Fault::…`) breaks the invariant on purpose and fails.
//!
//! | # | invariant | kept by |
//! |---|---|---|
//! | C1 | Every registered waiter is counted in `state` exactly once: as unnotified (low half) until a notify turns it into a token (high half), and the unit goes when it leaves. `unnotified + tokens` = waiters registered and not gone. | `register`, `notify_*`, `take_token`, `leave` |
//! | C2 | A notify only moves unnotified waiters to tokens (one, or all); with no unnotified waiter it changes nothing and wakes nobody. (`CondvarNotifyWakesNotified`) | `notify_one`, `notify_n`, `notify_all` |
//! | C3 | A notifier bumps `seq` (Release) after adding its token and before it wakes; a waiter reads `seq` (Acquire) before it looks for a token and sleeps only while `seq` still reads what it saw, so a notify after the look moves `seq` past it. (`CondvarNotifySkipsWake`) | `bump_and_wake`, `await_token`, `sleep_while` |
//! | C4 | A waiter registers (reads `seq`, then counts itself) before a release the notifier synchronises with (the mutex, or an RMW the notifier reads), so the notifier's relaxed look at `state` sees it. | `register`; the callers |
//! | C5 | `sleepers` is changed and read by RMWs only: a notifier's look and a waiter's announcement are totally ordered, so either the notifier sees the sleeper and wakes it, or the sleeper's futex check sees the new `seq`. | `someone_sleeps`, `sleep_while` |
//! | C6 | A leaving waiter (timed out, or cancelled) gives back a token if there is one, else its unnotified registration: a notify that raced the expiry counts as received. (`CondvarTimeoutDropsToken`) | `leave` |
//! | C7 | A `cancel` that had to take a token hands it on with a `notify_one` (tokens are anonymous: it may have been meant for a real sleeper). | `cancel` |

use std::fmt;
use std::time::{Duration, Instant};

use crate::backoff::Backoff;
use crate::futex::Futex;
use crate::mutex::MutexGuard;
use crate::sync::fault::{self, Fault};
use crate::sync::{cfg_loom, const_unless_loom, AtomicU32, AtomicU64, Ordering};

/// One unnotified waiter in [`Condvar::state`] (low half).
const WAITER: u64 = 1;
/// One token, a notification not yet taken by a waiter (high half).
const TOKEN: u64 = 1 << 32;

#[inline]
fn unnotified(state: u64) -> u64 {
    state & (TOKEN - 1)
}

#[inline]
fn tokens(state: u64) -> u64 {
    state >> 32
}

/// A waiter's registration, made while the condition's lock is held (see
/// [`Condvar::register`]) and consumed by [`Condvar::wait_registered`] or
/// [`Condvar::cancel`].
#[must_use = "a registration must be waited on or cancelled"]
#[derive(Debug)]
pub(crate) struct Ticket {
    /// `seq` when the waiter registered: it sleeps only while `seq` still reads so.
    seq: u32,
}

/// A condition variable: lets threads sleep until another thread changes the data
/// behind a [`Mutex`](crate::Mutex) and says so.
///
/// The same contract as `std::sync::Condvar`: wait with the guard of the mutex that
/// protects the condition, re-check the condition after every wake (or use
/// [`wait_while`](Condvar::wait_while)), and change the condition under the lock
/// before notifying.
///
/// Notifying costs one relaxed load and no system call when nobody waits (or every
/// waiter has already been notified), and no system call when every waiter is
/// still in its short spin before sleeping. A `notify_one` consumes one waiter:
/// a second `notify_one` does not wake the same sleeper again before it runs.
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
    /// Bumped by every notify that finds an unnotified waiter; waiters sleep on it.
    seq: Futex,
    /// Registered waiters (C1):
    ///
    /// | bits | what | `+1` | `-1` |
    /// |---|---|---|---|
    /// | 0..32 | unnotified waiters | `register` | a notify (to a token), or `leave` |
    /// | 32..64 | tokens: notified, not yet taken | a notify | `take_token`, or `leave` |
    ///
    /// One word, so a notify consuming a waiter and a waiter leaving on its
    /// timeout can never both count the same waiter (C6).
    state: AtomicU64,
    /// Waiters that stopped spinning and may be in the kernel: only these need a
    /// wake syscall.
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
                state: AtomicU64::new(0),
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
        match Instant::now().checked_add(timeout) {
            Some(deadline) => self.wait_deadline(guard, deadline),
            None => (self.wait(guard), WaitTimeoutResult(false)),
        }
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
    /// let (_guard, r) = cv.wait_deadline(m.lock(), deadline);
    /// assert!(r.timed_out());
    /// assert!(Instant::now() >= deadline);
    /// ```
    pub fn wait_deadline<'a, T: ?Sized>(
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
        match Instant::now().checked_add(timeout) {
            Some(deadline) => self.wait_deadline_while(guard, deadline, condition),
            None => (self.wait_while(guard, condition), WaitTimeoutResult(false)),
        }
    }

    /// [`wait_timeout_while`](Condvar::wait_timeout_while) with an absolute deadline.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{Condvar, Mutex};
    /// use std::time::{Duration, Instant};
    ///
    /// let m = Mutex::new(0);
    /// let cv = Condvar::new();
    /// let deadline = Instant::now() + Duration::from_millis(5);
    /// let (_g, r) = cv.wait_deadline_while(m.lock(), deadline, |n| *n == 0);
    /// assert!(r.timed_out());
    /// ```
    pub fn wait_deadline_while<'a, T: ?Sized, F>(
        &self,
        mut guard: MutexGuard<'a, T>,
        deadline: Instant,
        mut condition: F,
    ) -> (MutexGuard<'a, T>, WaitTimeoutResult)
    where
        F: FnMut(&mut T) -> bool,
    {
        loop {
            if !condition(&mut *guard) {
                return (guard, WaitTimeoutResult(false));
            }
            let (g, result) = self.wait_inner(guard, Some(deadline));
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
        // Relaxed is enough to find the waiters: a waiter registers while holding
        // the mutex, and the notifier changed the condition under that mutex after
        // the waiter released it, so the mutex's Release/Acquire already orders the
        // registration before this load (C4). Nobody unnotified: nothing to do (C2).
        let state = self.state.load(Ordering::Relaxed);
        if unnotified(state) == 0 {
            // (The injected bug: wake anyway while a notified waiter has not run.)
            if state == 0 || !fault::active(Fault::CondvarNotifyWakesNotified) {
                return;
            }
        }
        self.notify_one_slow();
    }

    /// Consumes one unnotified waiter, if any, and wakes a sleeper for it.
    /// Returns whether there was one to consume.
    #[cold]
    fn notify_one_slow(&self) -> bool {
        // Relaxed: `state` is only accounting; the token is published to waiters
        // by the Release bump of `seq` below.
        let consumed = self
            .state
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |s| {
                (unnotified(s) > 0).then(|| s - WAITER + TOKEN)
            })
            .is_ok();
        if !consumed && !fault::active(Fault::CondvarNotifyWakesNotified) {
            return false;
        }
        self.bump_and_wake(false);
        consumed
    }

    /// Wakes up to `n` waiting threads, one per unnotified waiter (like `n` calls
    /// of `notify_one`, stopping early once every waiter is notified). For a queue
    /// that made `n` items or slots available at once.
    pub(crate) fn notify_n(&self, n: usize) {
        for _ in 0..n {
            if unnotified(self.state.load(Ordering::Relaxed)) == 0 || !self.notify_one_slow() {
                return;
            }
        }
    }

    /// After handing out tokens: moves `seq` so that no waiter holding an older
    /// value sleeps, and wakes sleepers if any may be in the kernel.
    #[inline]
    fn bump_and_wake(&self, all: bool) {
        // Release: a waiter that reads the new `seq` with Acquire also sees the
        // token added before it (C3).
        self.seq.fetch_add(1, Ordering::Release);
        fault::point!(Fault::CondvarNotifySkipsWake => return);
        if !self.someone_sleeps() {
            return;
        }
        if all {
            self.seq.wake_all();
        } else {
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
        if unnotified(self.state.load(Ordering::Relaxed)) == 0 {
            return;
        }
        // Every unnotified waiter becomes a token.
        let consumed = self
            .state
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |s| {
                let w = unnotified(s);
                (w > 0).then(|| s - w * WAITER + w * TOKEN)
            })
            .is_ok();
        if consumed {
            self.bump_and_wake(true);
        }
    }

    /// After bumping `seq`: may a waiter be asleep on the old value? (C5)
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
        let ticket = self.register();
        self.wait_registered(guard, ticket, deadline)
    }

    /// Registers the calling thread as a waiter, to sleep later with
    /// [`wait_registered`](Self::wait_registered) or to leave with
    /// [`cancel`](Self::cancel).
    ///
    /// The two steps let a caller register *before* it publishes "I am about to
    /// sleep" somewhere a notifier looks without taking the condvar's mutex (the
    /// FIFO queue's cross-side hand-off): any notify ordered after that
    /// publication sees this registration.
    #[inline]
    pub(crate) fn register(&self) -> Ticket {
        // Read `seq` before counting ourselves: a notify between the two does not
        // count us, and moves `seq`, so our wait returns at once and we re-check
        // (C3, C4).
        // Relaxed: registration happens before the caller's release (a mutex
        // unlock or an AcqRel RMW) that a notifier synchronises with.
        let seq = self.seq.load(Ordering::Relaxed);
        self.state.fetch_add(WAITER, Ordering::Relaxed);
        Ticket { seq }
    }

    /// Leaves without waiting (the caller found its condition already true).
    ///
    /// Tokens are anonymous, so leaving may have to take one that a notify meant
    /// for a waiter that is really asleep (the notify consumed that waiter's count
    /// while ours was still unnotified, or before we registered). The caller acts
    /// on what it found itself, not on that notify, so the token is handed on
    /// with a `notify_one`: otherwise a sleeper could be left asleep with the thing
    /// it was notified for still there (loom found exactly this: a `drain` freeing
    /// two slots, one putter cancelling its sleep on the second slot and taking
    /// the first putter's token).
    #[inline]
    pub(crate) fn cancel(&self, ticket: Ticket) {
        let _ = ticket;
        // C6, then C7.
        if self.leave() {
            self.notify_one();
        }
    }

    /// Unlocks the guard's mutex, waits until notified (or `deadline`), and locks
    /// it again. The registration must have been made under the same mutex, or be
    /// ordered before the notifier's look at the condition some other way.
    pub(crate) fn wait_registered<'a, T: ?Sized>(
        &self,
        guard: MutexGuard<'a, T>,
        ticket: Ticket,
        deadline: Option<Instant>,
    ) -> (MutexGuard<'a, T>, WaitTimeoutResult) {
        let mutex = guard.mutex;
        drop(guard);
        let notified = self.await_token(ticket.seq, deadline);
        (mutex.lock(), WaitTimeoutResult(!notified))
    }

    /// Waits, without the mutex, until this waiter takes a token (`true`) or its
    /// time runs out with no token left for it (`false`).
    fn await_token(&self, mut seq: u32, deadline: Option<Instant>) -> bool {
        loop {
            let in_time = self.sleep_while(seq, deadline);
            // Acquire: pairs with the notifier's Release bump, so any token added
            // before the `seq` we read here is visible to `take_token`. Reading
            // `seq` before looking for a token means a notify after the look moves
            // `seq` past the value we sleep on next: it cannot be missed (C3).
            seq = self.seq.load(Ordering::Acquire);
            if self.take_token() {
                return true;
            }
            if !in_time {
                return self.leave();
            }
            // `seq` moved but another waiter took the token (or the wake was
            // spurious): still unnotified, wait again.
        }
    }

    /// Spins briefly, then sleeps, while `seq` reads `seen` and the deadline has not
    /// passed. `false` only if it returned because the deadline passed.
    fn sleep_while(&self, seen: u32, deadline: Option<Instant>) -> bool {
        // The notify often comes within a microsecond (a busy peer): watch `seq` for
        // a little while before paying for a sleep and, on the notifier's side, a
        // wake syscall. Spin only; yielding here would delay the peer we wait for.
        // (At least one look even under loom, where `spin` never waits, so the
        // models cover a waiter that sees the notify without sleeping.)
        let mut backoff = Backoff::new();
        loop {
            if self.seq.load(Ordering::Relaxed) != seen {
                return true;
            }
            if !backoff.spin() {
                break;
            }
        }
        // RMW: see `someone_sleeps`.
        self.sleepers.fetch_add(1, Ordering::AcqRel);
        let in_time = self.seq.wait_deadline(seen, deadline);
        self.sleepers.fetch_sub(1, Ordering::Relaxed);
        in_time
    }

    /// Takes a token if one is there.
    #[inline]
    fn take_token(&self) -> bool {
        // Relaxed: accounting only; the data is published by the mutex.
        self.state
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |s| {
                (tokens(s) > 0).then(|| s - TOKEN)
            })
            .is_ok()
    }

    /// Gives back this waiter's unit: a token if any is left (`true`: a notify that
    /// raced the timeout counts as received), else its unnotified registration
    /// (C6).
    #[inline]
    fn leave(&self) -> bool {
        let drop_token = fault::active(Fault::CondvarTimeoutDropsToken);
        // Relaxed: accounting only, as in `take_token`.
        let prev = self
            .state
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |s| {
                Some(if tokens(s) > 0 && !drop_token {
                    s - TOKEN
                } else {
                    s.wrapping_sub(WAITER)
                })
            })
            .unwrap_or_else(|s| s);
        tokens(prev) > 0 && !drop_token
    }
}

cfg_loom! {
    impl Condvar {
        /// Registered waiters right now, notified or not (for the loom models).
        pub(crate) fn registered(&self) -> u64 {
            let s = self.state.load(Ordering::Relaxed);
            unnotified(s) + tokens(s)
        }

        /// Wake calls made so far (for the loom models).
        pub(crate) fn wake_calls(&self) -> usize {
            self.seq.wake_calls()
        }
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
