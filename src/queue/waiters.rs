//! Who is asleep on one of a queue's condvars, kept under the queue's lock: the
//! `blocked_getters` / `blocked_putters` snapshots, and a cheap "nobody sleeps"
//! test that skips the condvar call altogether.
//!
//! Redundant wake-ups (a second notify for a sleeper already woken but not yet
//! running) are filtered by the [`Condvar`](crate::Condvar) itself, which counts
//! notified and unnotified waiters exactly; this count does not repeat that.

/// Sleepers on one condvar (getters on "not empty", or putters on "not full").
#[derive(Debug, Default)]
pub(crate) struct Waiters {
    /// Threads registered to sleep (between `register` and `unregister`).
    waiting: usize,
}

impl Waiters {
    /// Called under the lock just before waiting on the condvar.
    #[inline]
    pub(crate) fn register(&mut self) {
        self.waiting += 1;
    }

    /// Called under the lock right after the condvar wait returns, for whatever
    /// reason (notification, timeout, spurious wake).
    #[inline]
    pub(crate) fn unregister(&mut self) {
        self.waiting -= 1;
    }

    /// `true` if anyone sleeps: only then is a condvar call worth making (the
    /// condvar then wakes only waiters no notify has reached yet).
    #[inline]
    pub(crate) fn any(&self) -> bool {
        self.waiting > 0
    }

    /// Threads registered right now (for `Debug` and `blocked_*`).
    pub(crate) fn waiting(&self) -> usize {
        self.waiting
    }
}
