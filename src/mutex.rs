//! `Mutex<T>`: a three-state futex lock with a short spin.

use std::fmt;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};

use crate::backoff::Backoff;
use crate::futex::Futex;
use crate::sync::fault::{self, Fault};
use crate::sync::{const_unless_loom, Ordering, UnsafeCell};

/// Nobody holds the lock.
const UNLOCKED: u32 = 0;
/// Held, and no thread is (known to be) asleep waiting for it.
const LOCKED: u32 = 1;
/// Held, and threads may be asleep: unlocking must wake one.
const CONTENDED: u32 = 2;

/// A mutual-exclusion lock protecting a `T`, built on a single futex word.
///
/// Like `std::sync::Mutex`, but with no poisoning (as in `parking_lot`): if a thread
/// panics while holding the guard, the guard's `Drop` still unlocks and the data stays
/// reachable as the panicking code left it. Code that must not observe a half-done
/// update should restore its invariants before anything that can panic.
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
    futex: Futex,
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
                futex: Futex::new(UNLOCKED),
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
        // Acquire: pairs with the Release in `unlock`, so the previous owner's writes
        // to the data are visible to us.
        if self
            .futex
            .compare_exchange(UNLOCKED, LOCKED, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
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
        self.futex
            .compare_exchange(UNLOCKED, LOCKED, Ordering::Acquire, Ordering::Relaxed)
            .ok()
            .map(|_| MutexGuard {
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
        self.futex.load(Ordering::Relaxed) == CONTENDED
    }

    #[cold]
    fn lock_contended(&self) {
        // Phase 1: the owner is running and will likely unlock soon. Wait for that
        // without marking the lock CONTENDED: a CONTENDED lock costs its owner a
        // wake syscall on unlock, which is what makes naive futex locks slow under
        // contention. Back off exponentially so the spinners do not keep stealing the
        // cache line from the owner.
        let mut backoff = Backoff::new();
        let mut state = self.futex.load(Ordering::Relaxed);
        loop {
            if state == UNLOCKED {
                match self.futex.compare_exchange_weak(
                    UNLOCKED,
                    LOCKED,
                    Ordering::Acquire,
                    Ordering::Relaxed,
                ) {
                    Ok(_) => return,
                    Err(s) => state = s,
                }
                continue;
            }
            // CONTENDED: others sleep already; spinning would only delay joining them.
            if state == CONTENDED || !backoff.spin_or_yield() {
                break;
            }
            state = self.futex.load(Ordering::Relaxed);
        }

        // Phase 2: sleep. Mark the lock CONTENDED so whoever unlocks wakes someone.
        // If the swap finds it UNLOCKED we own it (as CONTENDED, which costs at most
        // one unneeded wake later).
        while self.futex.swap(CONTENDED, Ordering::Acquire) != UNLOCKED {
            self.futex.wait(CONTENDED);
        }
    }

    /// Unlocks. Called only by the guard's `Drop` and by `Condvar` waits.
    #[inline]
    pub(crate) fn unlock(&self) {
        // Release: publishes our writes to the data to the next owner.
        if self.futex.swap(UNLOCKED, Ordering::Release) == CONTENDED {
            fault::point!(Fault::MutexUnlockSkipsWake => return);
            self.futex.wake_one();
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
