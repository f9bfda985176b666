//! Who is asleep on one of a queue's condvars, kept under the queue's lock, so an
//! operation that finds nobody waiting skips the condvar call altogether, and one
//! that finds a waiter already on its way does not wake a second.

/// Sleepers on one condvar (getters on "not empty", or putters on "not full").
///
/// `notified` counts wake-ups sent but not yet taken: a woken thread takes one when
/// it re-locks, whether or not the wake was meant for it. It only ever errs on the
/// high side of wake-ups (an extra wake is harmless, every waiter re-checks), never
/// on the low side: `notified <= waiting` always, and every notification stands for
/// a thread that will re-check the queue under the lock before it sleeps again.
#[derive(Debug, Default)]
pub(crate) struct Waiters {
    /// Threads registered to sleep (between `register` and `unregister`).
    waiting: usize,
    /// Wake-ups sent that no returning waiter has taken yet.
    notified: usize,
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
        self.notified = self.notified.saturating_sub(1);
    }

    /// One unit of what the waiters wait for became available: `true` if a
    /// waiter must be notified (someone sleeps and no wake-up is on its way to
    /// them yet). The caller then calls `notify_one` after unlocking.
    #[inline]
    pub(crate) fn claim_one(&mut self) -> bool {
        if self.waiting > self.notified {
            self.notified += 1;
            true
        } else {
            false
        }
    }

    /// `n` units became available: how many `notify_one` calls to make.
    #[inline]
    pub(crate) fn claim(&mut self, n: usize) -> usize {
        let k = (self.waiting - self.notified).min(n);
        self.notified += k;
        k
    }

    /// Everyone must wake (shutdown): `true` if anyone sleeps without a wake-up
    /// on its way, in which case the caller calls `notify_all`.
    #[inline]
    pub(crate) fn claim_all(&mut self) -> bool {
        let any = self.waiting > self.notified;
        self.notified = self.waiting;
        any
    }

    /// Threads registered right now (for `Debug` and `blocked_*`).
    pub(crate) fn waiting(&self) -> usize {
        self.waiting
    }
}
