//! [`Place`]: a pending async operation's place in one of its queue's task
//! waiter lists, left when it drops. The futures (`future.rs`), and through
//! them the streams and the owned forms, and the select arms (`select.rs`) each
//! hold one, so "leave the list on drop" is written once.
//!
//! Leaving is the core's `leave_get` / `leave_put`: it removes the entry and,
//! if the entry had been woken, passes the wake-up on to another waiter of
//! that list, so a dropped waiter strands no item and no slot; the removed
//! waker is dropped after the core's lock is released.

use std::marker::PhantomData;
use std::task::{Context, Poll};

use super::as_queue::AsQueue;
use super::discipline::Discipline;
use super::front::BlockingQueue;
use super::inside::CoreAsync;
use crate::queue::error::{GetError, PutError};
use crate::waitlist::Key;

/// Which of the queue's two task waiter lists a [`Place`] is in.
pub(super) trait List {
    /// Removes `key` from this list of `queue`, passing on a wake-up it had.
    fn leave<T, D: Discipline<T>>(queue: &BlockingQueue<T, D>, key: Key);
}

/// The getters' list.
pub(super) struct Getters;

/// The putters' list (on a rendezvous queue: its offers).
pub(super) struct Putters;

impl List for Getters {
    fn leave<T, D: Discipline<T>>(queue: &BlockingQueue<T, D>, key: Key) {
        queue.core.leave_get(key);
    }
}

impl List for Putters {
    fn leave<T, D: Discipline<T>>(queue: &BlockingQueue<T, D>, key: Key) {
        queue.core.leave_put(key);
    }
}

/// What reaches the queue (`H`), and the entry in its list `L` while
/// registered. Dropping it leaves the list.
pub(super) struct Place<H: AsQueue, L: List> {
    holder: H,
    /// The entry in the list while registered: set by the core's poll when it
    /// registers, cleared when the poll completes or the place leaves.
    key: Option<Key>,
    list: PhantomData<L>,
}

impl<H: AsQueue, L: List> Place<H, L> {
    /// Not registered yet.
    pub(super) fn new(holder: H) -> Self {
        Self {
            holder,
            key: None,
            list: PhantomData,
        }
    }

    pub(super) fn queue(&self) -> &BlockingQueue<H::Item, H::Discipline> {
        self.holder.as_queue()
    }

    pub(super) fn registered(&self) -> bool {
        self.key.is_some()
    }

    /// The queue and the entry, for an operation that must look at the entry
    /// itself (a rendezvous put taking its offer back).
    pub(super) fn parts(&mut self) -> (&BlockingQueue<H::Item, H::Discipline>, &mut Option<Key>) {
        (self.holder.as_queue(), &mut self.key)
    }

    /// Leaves the list if registered (passing on a wake-up the entry had).
    pub(super) fn leave(&mut self) {
        if let Some(key) = self.key.take() {
            L::leave(self.holder.as_queue(), key);
        }
    }
}

impl<H: AsQueue> Place<H, Getters> {
    /// One poll of an async get: the item, `ShutDown`, or `Pending` registered.
    pub(super) fn poll_get(&mut self, cx: &mut Context<'_>) -> Poll<Result<H::Item, GetError>> {
        self.holder
            .as_queue()
            .core
            .poll_get(cx.waker(), &mut self.key)
    }
}

impl<H: AsQueue> Place<H, Putters> {
    /// One poll of an async put: moves the item out of `*item` only when it is
    /// queued (or handed back in the error); otherwise `Pending` registered.
    pub(super) fn poll_put(
        &mut self,
        item: &mut Option<H::Item>,
        cx: &mut Context<'_>,
    ) -> Poll<Result<(), PutError<H::Item>>> {
        self.holder
            .as_queue()
            .core
            .poll_put(item, cx.waker(), &mut self.key)
    }
}

impl<H: AsQueue, L: List> Drop for Place<H, L> {
    fn drop(&mut self) {
        self.leave();
    }
}
