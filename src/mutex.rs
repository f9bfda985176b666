//! `Mutex<T>`: a lock word, a futex word of counted sleepers, and a short spin.
//!
//! # State
//!
//! | field | values | written by |
//! |---|---|---|
//! | `state` | `UNLOCKED` (0), `LOCKED` (1) | a compare-exchange 0 → 1 to lock; a plain `Release` store of 0 to unlock (only the owner stores) |
//! | `sleepers` | low bits: waiters counted as asleep or about to sleep; `WAKING` (top bit): a wake-up is on its way to one of them | read-modify-writes only; waiters sleep on this word |
//!
//! # Invariants
//!
//! | # | invariant | kept by |
//! |---|---|---|
//! | M1 | One owner: only a successful compare-exchange from `UNLOCKED` makes one, and only the owner stores `UNLOCKED`. | `lock`, `try_lock`, `lock_contended`, `unlock` |
//! | M2 | No waiter goes uncounted. An unlock stores `UNLOCKED`, runs the light side of the asymmetric fence, then loads `sleepers`; a waiter adds itself to the count, runs the heavy side, then looks at `state`. Either the unlock sees the count, or every later look of the waiter sees the lock free (or taken again, by an owner whose own unlock is in the same position). (`MutexWaiterSkipsFence`) | `unlock`, `lock_contended`; [`asymmetric`] |
//! | M3 | A counted waiter stays counted until it owns the lock; `sleepers` changes by RMWs only, so any value an unlock reads after a waiter's +1 includes it. | `lock_contended` |
//! | M4 | One wake-up in flight: an unlock that sees a count sets `WAKING` and wakes one sleeper only if `WAKING` was clear (`MutexUnlockSkipsWake`); a waiter clears it (one RMW that also reads the value it will sleep on) before every look at `state`, and sleeps only while `sleepers` still holds that value. So an unlock that found `WAKING` set either changed nothing since the waiter's read (the waiter's clear came later, and its look sees that unlock's store) or the word moved and the waiter's sleep returns at once. (`MutexWaiterKeepsWaking`) | `wake_sleeper`, `lock_contended` |
//! | M5 | `unlock` touches the mutex after releasing it (the load of `sleepers`, the wake): the `Mutex` must outlive the call, as the guard's borrow makes it in safe code; nothing in the crate frees a `Mutex` because it acquired it. | callers |
//!
//! On Linux the light side costs no instruction, so an uncontended lock and unlock
//! pay one locked instruction (the compare-exchange) where a swap-to-unlock futex
//! lock pays two; the price moves to a waiter about to sleep (one `membarrier`
//! call per wait, a few microseconds while other threads of the process run).

use std::fmt;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::time::{Duration, Instant};

use crate::backoff::Backoff;
use crate::futex::asymmetric;
use crate::futex::Futex;
use crate::sync::fault::{self, Fault};
use crate::sync::{const_unless_loom, AtomicU32, Ordering, UnsafeCell};

/// Nobody holds the lock.
const UNLOCKED: u32 = 0;
/// Held.
const LOCKED: u32 = 1;

/// In `sleepers`: a wake-up is on its way (M4).
const WAKING: u32 = 1 << 31;
/// In `sleepers`: the count of waiters (M3).
const COUNT: u32 = WAKING - 1;

/// How long a waiter sleeps between looks when the heavy side of the fence could
/// not order it (see [`asymmetric::heavy`]): a wake-up it may miss then costs at
/// most this.
const UNORDERED_NAP: Duration = Duration::from_millis(1);

/// A mutual-exclusion lock protecting a `T`, built on a futex word.
///
/// Like `std::sync::Mutex`, but with no poisoning (as in `parking_lot`): if a thread
/// panics while holding the guard, the guard's `Drop` still unlocks and the data stays
/// reachable as the panicking code left it. Code that must not observe a half-done
/// update should restore its invariants before anything that can panic.
///
/// # Cost
///
/// An uncontended lock and unlock cost one atomic compare-exchange: on Linux the
/// unlock is a plain store. A thread that cannot get the lock spins and yields a
/// little, then sleeps; before it sleeps it makes a `membarrier` system call
/// (a few microseconds when other threads of the process are running), which is
/// what lets the unlock skip the atomic instruction. The first unlock in a process
/// registers the process for `membarrier`: about 2 µs with one thread, up to about
/// 10 ms once if other threads already run. Where `membarrier` is not available
/// (other systems, old kernels, sandboxes that filter it) the unlock runs a full
/// memory fence instead.
///
/// # Examples
///
/// ```
/// use queuekit::Mutex;
/// use std::sync::Arc;
/// use std::thread;
///
/// let counter = Arc::new(Mutex::new(0));
/// let handles: Vec<_> = (0..4)
///     .map(|_| {
///         let counter = Arc::clone(&counter);
///         thread::spawn(move || {
///             for _ in 0..1000 {
///                 *counter.lock() += 1;
///             }
///         })
///     })
///     .collect();
/// for h in handles {
///     h.join().unwrap();
/// }
/// assert_eq!(*counter.lock(), 4000);
/// ```
pub struct Mutex<T: ?Sized> {
    /// `UNLOCKED` or `LOCKED` (M1).
    state: AtomicU32,
    /// Counted waiters and `WAKING` (M2–M4); waiters sleep on it.
    sleepers: Futex,
    data: UnsafeCell<T>,
}

// SAFETY: the lock hands out access to `T` to one thread at a time, so sending or
// sharing the mutex only ever moves `T` between threads: `T: Send` is enough.
unsafe impl<T: ?Sized + Send> Send for Mutex<T> {}
// SAFETY: as above; `&Mutex<T>` never gives two threads `&T`/`&mut T` at once.
unsafe impl<T: ?Sized + Send> Sync for Mutex<T> {}

/// Proof that the lock is held; gives access to the data and unlocks on drop.
///
/// Returned by [`Mutex::lock`] and [`Mutex::try_lock`].
///
/// # Examples
///
/// ```
/// use queuekit::Mutex;
///
/// let m = Mutex::new(vec![1, 2]);
/// {
///     let mut guard = m.lock();
///     guard.push(3);
/// } // unlocked here
/// assert_eq!(m.lock().len(), 3);
/// ```
#[must_use = "if unused the Mutex will immediately unlock"]
pub struct MutexGuard<'a, T: ?Sized> {
    pub(crate) mutex: &'a Mutex<T>,
    // Like std's guard: not `Send`, so the unlock happens on the locking thread.
    _not_send: PhantomData<*const ()>,
}

// SAFETY: sharing a guard only shares `&T`, which needs `T: Sync`.
unsafe impl<T: ?Sized + Sync> Sync for MutexGuard<'_, T> {}

impl<T> Mutex<T> {
    const_unless_loom! {
        /// Creates an unlocked mutex holding `value`.
        ///
        /// # Examples
        ///
        /// ```
        /// use queuekit::Mutex;
        ///
        /// static GLOBAL: Mutex<Vec<u32>> = Mutex::new(Vec::new());
        /// GLOBAL.lock().push(7);
        /// assert_eq!(*GLOBAL.lock(), [7]);
        /// ```
        #[inline]
        pub const fn new(value: T) -> Self {
            Self {
                state: AtomicU32::new(UNLOCKED),
                sleepers: Futex::new(0),
                data: UnsafeCell::new(value),
            }
        }
    }

    /// Consumes the mutex and returns the data. No locking is needed: ownership
    /// proves nobody else can hold it.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::Mutex;
    ///
    /// let m = Mutex::new(String::from("hi"));
    /// assert_eq!(m.into_inner(), "hi");
    /// ```
    pub fn into_inner(self) -> T {
        self.data.into_inner()
    }
}

impl<T: ?Sized> Mutex<T> {
    /// Acquires the lock, blocking the current thread until it is free.
    ///
    /// Not re-entrant: locking again on the thread that holds the guard deadlocks.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::Mutex;
    ///
    /// let m = Mutex::new(1);
    /// *m.lock() += 1;
    /// assert_eq!(*m.lock(), 2);
    /// ```
    #[inline]
    pub fn lock(&self) -> MutexGuard<'_, T> {
        if !self.try_acquire() {
            self.lock_contended();
        }
        MutexGuard {
            mutex: self,
            _not_send: PhantomData,
        }
    }

    /// Acquires the lock if it is free right now, without blocking.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::Mutex;
    ///
    /// let m = Mutex::new(0);
    /// let held = m.lock();
    /// assert!(m.try_lock().is_none());
    /// drop(held);
    /// assert!(m.try_lock().is_some());
    /// ```
    #[inline]
    pub fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
        self.try_acquire().then(|| MutexGuard {
            mutex: self,
            _not_send: PhantomData,
        })
    }

    /// Returns a mutable reference to the data; `&mut self` proves no guard exists.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::Mutex;
    ///
    /// let mut m = Mutex::new(5);
    /// *m.get_mut() = 6;
    /// assert_eq!(*m.lock(), 6);
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        // SAFETY: `&mut self` means no guard and no other reference exist.
        self.data.with_mut(|p| unsafe { &mut *p })
    }

    /// Whether a thread is asleep (or about to sleep) waiting for the lock:
    /// for tests that must know a thread reached a lock another holds.
    #[cfg(test)]
    #[allow(dead_code)]
    pub(crate) fn is_contended(&self) -> bool {
        self.sleepers.load(Ordering::Relaxed) & COUNT > 0
    }

    /// One attempt to take the lock (M1). Acquire: pairs with the Release in
    /// `unlock`, so the previous owner's writes to the data are visible to us.
    #[inline]
    fn try_acquire(&self) -> bool {
        self.state
            .compare_exchange(UNLOCKED, LOCKED, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
    }

    #[cold]
    fn lock_contended(&self) {
        // Phase 1: the owner is running and will likely unlock soon. Wait for that
        // without counting ourselves: a counted waiter costs the unlocks an RMW,
        // and costs us the heavy side of the fence. Back off exponentially so the
        // spinners do not keep stealing the cache line from the owner.
        let mut backoff = Backoff::new();
        loop {
            if self.state.load(Ordering::Relaxed) == UNLOCKED {
                if self.try_acquire() {
                    return;
                }
                continue;
            }
            if !backoff.spin_or_yield_long() {
                break;
            }
        }

        // Phase 2: sleep. Count ourselves (M3), then the heavy side of the fence
        // (M2): from here on an unlock either sees the count or leaves the lock
        // free for our looks below.
        self.sleepers.fetch_add(1, Ordering::Relaxed);
        let ordered = fault::active(Fault::MutexWaiterSkipsFence) || asymmetric::heavy();
        loop {
            // M4: let the next unlock send a wake-up, and remember the word we
            // would sleep on. AcqRel: an unlock whose set of `WAKING` we clear
            // stored `UNLOCKED` before it, and our look below must see that.
            let seen = if fault::active(Fault::MutexWaiterKeepsWaking) {
                self.sleepers.load(Ordering::Acquire)
            } else {
                self.sleepers.fetch_and(!WAKING, Ordering::AcqRel) & !WAKING
            };
            if self.try_acquire() {
                break;
            }
            if ordered {
                self.sleepers.wait(seen);
            } else {
                self.sleepers
                    .wait_until(seen, Instant::now() + UNORDERED_NAP);
            }
        }
        self.sleepers.fetch_sub(1, Ordering::Relaxed);
    }

    /// Unlocks. Called only by the guard's `Drop` and by `Condvar` waits.
    #[inline]
    pub(crate) fn unlock(&self) {
        // Release: publishes our writes to the data to the next owner. A plain
        // store: only the owner writes `UNLOCKED` (M1).
        self.state.store(UNLOCKED, Ordering::Release);
        // M2: the light side, then the look for sleepers. M5: `self` is still
        // ours to read.
        asymmetric::light();
        if self.sleepers.load(Ordering::Relaxed) & COUNT > 0 {
            self.wake_sleeper();
        }
    }

    /// After an unlock that saw counted waiters: wakes one, unless a wake-up is
    /// on its way already (M4).
    #[cold]
    fn wake_sleeper(&self) {
        // AcqRel: a waiter that clears our `WAKING` reads `UNLOCKED` after it.
        if self.sleepers.fetch_or(WAKING, Ordering::AcqRel) & WAKING == 0 {
            fault::point!(Fault::MutexUnlockSkipsWake => return);
            self.sleepers.wake_one();
        }
    }
}

impl<T: Default> Default for Mutex<T> {
    /// A mutex holding `T::default()`.
    fn default() -> Self {
        Self::new(T::default())
    }
}

impl<T> From<T> for Mutex<T> {
    /// Same as [`Mutex::new`].
    fn from(value: T) -> Self {
        Self::new(value)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for Mutex<T> {
    /// Shows the data if the lock is free right now, `<locked>` otherwise; never blocks.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Mutex");
        match self.try_lock() {
            Some(guard) => d.field("data", &&*guard),
            None => d.field("data", &format_args!("<locked>")),
        };
        d.finish_non_exhaustive()
    }
}

impl<T: ?Sized> Deref for MutexGuard<'_, T> {
    type Target = T;

    #[inline]
    fn deref(&self) -> &T {
        // SAFETY: the guard proves we hold the lock, so no `&mut T` exists elsewhere.
        self.mutex.data.with(|p| unsafe { &*p })
    }
}

impl<T: ?Sized> DerefMut for MutexGuard<'_, T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard proves exclusive access; `&mut self` stops aliasing
        // through this guard.
        self.mutex.data.with_mut(|p| unsafe { &mut *p })
    }
}

impl<T: ?Sized> Drop for MutexGuard<'_, T> {
    #[inline]
    fn drop(&mut self) {
        self.mutex.unlock();
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Display> fmt::Display for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}
