//! The async waiters of a queue: the task-side half of its "not empty" and "not
//! full" conditions, beside the condvars that hold the thread side.
//!
//! Both halves are registered under the same lock of the core and notified from
//! the same places: wherever a core notifies a condvar, it calls the matching
//! method here right after, which is one relaxed load while no task waits. A
//! task waiter also counts in the core's sleeper count (`blocked_getters`,
//! `blocked_putters`, and on the FIFO the take side's `sleeping_putters`), so every
//! gate that decides "someone sleeps, notify" already covers it.

use crate::waitlist::WaitList;

/// Tasks waiting for an item (`getters`) or for room (`putters`).
#[derive(Debug, Default)]
pub(crate) struct Wakers {
    pub(crate) getters: WaitList,
    pub(crate) putters: WaitList,
}

impl Wakers {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Wakes every waiting task on both sides (shutdown, or a panic in `Ord`).
    pub(crate) fn notify_all(&self) {
        self.getters.notify_all();
        self.putters.notify_all();
    }
}
