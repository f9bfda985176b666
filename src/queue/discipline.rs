//! The order a queue hands items out in: the [`Discipline`] trait, and which core
//! each store runs on (two locks for FIFO, one for LIFO and priority).

use super::delay::leader::DelayCore;
use super::delay::Delay;
use super::fifo::TwoLock;
use super::inside::Core;
use super::locked::Locked;
use super::priority::Priority;
use super::store::{Fifo, Lifo, Store};
use super::zero::Pick;

pub(crate) mod sealed {
    /// A store and the queue inside it runs on. Private, so that only the crate's
    /// own stores implement [`Discipline`](super::Discipline).
    pub trait Sealed<T>: super::Store<T> + super::Pick<T> {
        /// The queue's inside: two locks for FIFO, one for LIFO and priority.
        /// (A `bounded(0)` queue runs on the rendezvous core instead, which
        /// orders its waiting putters by [`Pick`](super::Pick).)
        type Core: super::Core<T>;
    }
}

/// The order in which a [`BlockingQueue`](crate::BlockingQueue) hands out its items:
/// [`Fifo`], [`Lifo`], [`Priority`] or [`Delay`].
///
/// Sealed: the queue runs its store's code under its lock, so only the crate's own
/// stores implement it.
///
/// # Examples
///
/// ```
/// use queuekit::{BlockingQueue, Discipline, Lifo};
///
/// fn first_of<D: Discipline<u32>>(q: &BlockingQueue<u32, D>) -> Option<u32> {
///     q.try_get().ok()
/// }
///
/// let q: BlockingQueue<u32, Lifo<u32>> = BlockingQueue::unbounded();
/// q.put(1).unwrap();
/// q.put(2).unwrap();
/// assert_eq!(first_of(&q), Some(2));
/// ```
pub trait Discipline<T>: sealed::Sealed<T> {}

impl<T> sealed::Sealed<T> for Fifo<T> {
    type Core = TwoLock<T>;
}

impl<T> Discipline<T> for Fifo<T> {}

impl<T> sealed::Sealed<T> for Lifo<T> {
    type Core = Locked<T, Self>;
}

impl<T> Discipline<T> for Lifo<T> {}

impl<T: Ord> sealed::Sealed<T> for Priority<T> {
    type Core = Locked<T, Self>;
}

impl<T: Ord> Discipline<T> for Priority<T> {}

impl<T> sealed::Sealed<T> for Delay<T> {
    type Core = DelayCore<T>;
}

impl<T> Discipline<T> for Delay<T> {}
