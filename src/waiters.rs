//! `Waiters`: everyone waiting for one condition (a queue's "not empty" or "not
//! full", a result landing), threads and tasks, behind one wake-up path.
//!
//! A waiting *thread* is a [`Condvar`] registration (its exact accounting: a
//! notify consumes one unnotified waiter and skips those already notified); a
//! waiting *task* is an entry in a [`WaitList`] (a `Waker`, notified by name).
//! Both register under the owner's lock, and a notifier wakes both with one
//! call: [`notify_one`](Waiters::notify_one), [`notify_n`](Waiters::notify_n) or
//! [`notify_all`](Waiters::notify_all). With nobody waiting each is two relaxed
//! loads on the same block of memory and no store.
//!
//! The owner counts the waiters it must know about under its own lock in a
//! [`Sleepers`] (a queue's `blocked_getters` / `blocked_putters`, and the "does
//! anyone sleep?" gate before a notify); [`sleep`](Waiters::sleep),
//! [`register_task`](Waiters::register_task) and
//! [`remove_task`](Waiters::remove_task) keep that count and the registration
//! in step. [`pend_task`](Waiters::pend_task) (a poll that ends waiting) and
//! [`drop_task`](Waiters::drop_task) (a pending future dropped) are the whole
//! task-side step, guard release and `Stale` drop included, for the owners
//! whose steps are no more than that.
//!
//! No user code under a lock: a waker's `wake` runs after the list's lock
//! (inside `notify_*`, which the owner calls after its own guard); a waker that
//! `register_task` replaces or `remove_task` removes comes back as a [`Stale`],
//! which the owner drops after its last guard.

use std::task::{Poll, Waker};
use std::time::Instant;

use crate::condvar::Condvar;
use crate::mutex::MutexGuard;
use crate::sync::const_unless_loom;
use crate::sync::fault::{self, Fault};
use crate::waitlist::{Key, Stale, WaitList};

/// The threads and the tasks waiting for one condition.
///
/// `repr(C)`, threads first: the condvar's accounting word and the list's
/// `unnotified` count, the two words a notify reads when nobody waits, sit
/// side by side at the start, on one cache line.
#[derive(Debug)]
#[repr(C)]
pub(crate) struct Waiters {
    /// Sleeping threads.
    pub(crate) threads: Condvar,
    /// Waiting tasks.
    pub(crate) tasks: WaitList,
}

/// Waiters of one condition counted under the owner's lock: threads from
/// registering until they are back under the lock, tasks from their first
/// pending poll until their entry is removed.
#[derive(Debug, Default)]
pub(crate) struct Sleepers(usize);

impl Sleepers {
    /// One more (under the owner's lock).
    #[inline]
    pub(crate) fn add(&mut self) {
        self.0 += 1;
    }

    /// One fewer (under the owner's lock).
    #[inline]
    pub(crate) fn remove(&mut self) {
        self.0 -= 1;
    }

    /// `true` if anyone waits: only then is a notify worth making.
    #[inline]
    pub(crate) fn any(&self) -> bool {
        self.0 > 0
    }

    /// How many wait right now (for `Debug` and `blocked_*`).
    pub(crate) fn get(&self) -> usize {
        self.0
    }
}

impl Waiters {
    const_unless_loom! {
        /// Nobody waiting.
        pub(crate) const fn new() -> Self {
            Self {
                threads: Condvar::new(),
                tasks: WaitList::new(),
            }
        }
    }

    /// Wakes one unnotified thread and one unnotified task, if there are any
    /// (one of them re-checks and waits again: over-notifying is safe). Two
    /// relaxed loads when nobody waits.
    #[inline]
    pub(crate) fn notify_one(&self) {
        self.threads.notify_one();
        self.tasks.notify_one();
    }

    /// Wakes up to `n` threads and `n` tasks (for `n` items or slots at once).
    #[inline]
    pub(crate) fn notify_n(&self, n: usize) {
        // Most callers pass the count of sleepers they saw, usually none: no call.
        if n == 0 {
            return;
        }
        self.threads.notify_n(n);
        self.tasks.notify_n(n);
    }

    /// Wakes every waiter (shutdown, or state that changed without the usual
    /// targeted wake-up).
    #[inline]
    pub(crate) fn notify_all(&self) {
        self.threads.notify_all();
        self.tasks.notify_all();
    }

    /// A thread sleeps on this condition: counts itself in `count(state)`,
    /// unlocks, sleeps until notified or `deadline`, locks again and uncounts
    /// itself. Returns the guard and whether the time ran out.
    pub(crate) fn sleep<'a, S>(
        &self,
        mut guard: MutexGuard<'a, S>,
        count: fn(&mut S) -> &mut Sleepers,
        deadline: Option<Instant>,
    ) -> (MutexGuard<'a, S>, bool) {
        count(&mut guard).add();
        let ticket = self.threads.register();
        let (mut guard, result) = self.threads.wait_registered(guard, ticket, deadline);
        count(&mut guard).remove();
        (guard, result.timed_out())
    }

    /// A task waits on this condition (called under the owner's lock, after its
    /// re-check found the condition false): registers or refreshes its entry
    /// (`*key`), counting a new one in `count`. Returns whether the entry is
    /// new, and the waker it replaced, to drop after the owner's locks.
    pub(crate) fn register_task(
        &self,
        count: &mut Sleepers,
        key: &mut Option<Key>,
        waker: &Waker,
    ) -> (bool, Stale) {
        let (fresh, stale) = self.tasks.register(key, waker);
        if fresh {
            count.add();
        }
        (fresh, stale)
    }

    /// A task leaves (under the owner's lock): removes its entry and uncounts
    /// it. Returns whether it had been notified (a future *dropped* then passes
    /// the wake-up on with [`notify_one`](Self::notify_one), after the locks),
    /// and its waker, to drop after the owner's locks.
    pub(crate) fn remove_task(&self, count: &mut Sleepers, key: Key) -> (bool, Stale) {
        count.remove();
        self.tasks.remove(key)
    }

    /// A task's poll ends waiting on this condition: under `locked` (the
    /// owner's guard, or a tuple of its guards), after its re-check found the
    /// condition false, registers or refreshes the task's entry as
    /// [`register_task`](Self::register_task), counting a new one in
    /// `count(locked)`; then lets go of `locked` and only after it drops the
    /// waker the entry replaced (user code: no waker is dropped under a lock).
    /// Returns `Poll::Pending`, for the poll to return.
    pub(crate) fn pend_task<G, R>(
        &self,
        mut locked: G,
        count: fn(&mut G) -> &mut Sleepers,
        key: &mut Option<Key>,
        waker: &Waker,
    ) -> Poll<R> {
        let (_, stale) = self.register_task(count(&mut locked), key, waker);
        drop(locked);
        drop(stale);
        Poll::Pending
    }

    /// A pending future is dropped: under `locked`, removes its entry as
    /// [`remove_task`](Self::remove_task) (uncounting it in `count(locked)`);
    /// then lets go of `locked`, drops the entry's waker, and, if the entry had
    /// been notified, passes the wake-up on with
    /// [`notify_one`](Self::notify_one): the item or slot it was woken for is
    /// never left with a waiter asleep.
    pub(crate) fn drop_task<G>(&self, mut locked: G, count: fn(&mut G) -> &mut Sleepers, key: Key) {
        let (notified, stale) = self.remove_task(count(&mut locked), key);
        drop(locked);
        drop(stale);
        fault::point!(Fault::AsyncDropSkipsPassOn => return);
        if notified {
            self.notify_one();
        }
    }

    /// [`remove_task`](Self::remove_task) for a task that completes, if it had
    /// an entry (`*key` is cleared): its own re-check acted on any wake-up.
    pub(crate) fn complete_task(&self, count: &mut Sleepers, key: &mut Option<Key>) -> Stale {
        match key.take() {
            Some(k) => self.remove_task(count, k).1,
            None => Stale::NONE,
        }
    }
}

impl Default for Waiters {
    fn default() -> Self {
        Self::new()
    }
}
