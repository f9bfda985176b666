//! Where a queue keeps its items: the [`Store`] operations and the FIFO and LIFO
//! stores (the priority store lives in `priority.rs`). Which core a store runs on
//! is chosen in `discipline.rs`.

use std::collections::VecDeque;
use std::fmt;
use std::mem::size_of;

/// The most bytes a bounded queue reserves up front for its ring. A bounded queue
/// of small items gets its whole capacity at construction (no allocation per
/// operation afterwards); a huge `maxsize` grows on demand instead of reserving
/// gigabytes, or aborting on a capacity overflow, at construction.
const PREALLOC_BYTES: usize = 1 << 20;

/// How many slots to reserve for a queue of at most `maxsize` items.
pub(crate) fn prealloc<T>(maxsize: usize) -> usize {
    maxsize.min(PREALLOC_BYTES / size_of::<T>().max(1))
}

/// The storage operations a [`Discipline`](super::Discipline) provides. In a
/// private module, so that only the crate's own stores (which run no user code
/// except `T: Ord`) ever run under a queue's lock.
pub trait Store<T>: Sized {
    /// An empty store with room for `reserve` items.
    fn with_capacity(reserve: usize) -> Self;
    /// Adds an item. Must leave the item in the store even if it panics.
    fn push(&mut self, item: T);
    /// Removes the next item in get order. Must not lose an item if it panics.
    fn pop(&mut self) -> Option<T>;
    /// Number of items stored.
    fn len(&self) -> usize;
    /// Every item, in get order (called outside the queue's lock).
    fn into_vec(self) -> Vec<T>;
}

/// First in, first out: Python's `queue.Queue`. A ring buffer (`VecDeque`).
///
/// Used through the [`Queue`](crate::Queue) alias.
///
/// # Examples
///
/// ```
/// use queuekit::{BlockingQueue, Fifo, Queue};
///
/// let q: BlockingQueue<&str, Fifo<&str>> = Queue::unbounded();
/// q.put("a").unwrap();
/// q.put("b").unwrap();
/// assert_eq!(q.get(), Ok("a"));
/// ```
pub struct Fifo<T>(VecDeque<T>);

/// Last in, first out: Python's `queue.LifoQueue`. A stack (`Vec`).
///
/// Used through the [`LifoQueue`](crate::LifoQueue) alias.
///
/// # Examples
///
/// ```
/// use queuekit::{BlockingQueue, Lifo, LifoQueue};
///
/// let q: BlockingQueue<&str, Lifo<&str>> = LifoQueue::unbounded();
/// q.put("a").unwrap();
/// q.put("b").unwrap();
/// assert_eq!(q.get(), Ok("b"));
/// ```
pub struct Lifo<T>(Vec<T>);

impl<T> Store<T> for Fifo<T> {
    fn with_capacity(reserve: usize) -> Self {
        Self(VecDeque::with_capacity(reserve))
    }
    #[inline]
    fn push(&mut self, item: T) {
        self.0.push_back(item);
    }
    #[inline]
    fn pop(&mut self) -> Option<T> {
        self.0.pop_front()
    }
    #[inline]
    fn len(&self) -> usize {
        self.0.len()
    }
    fn into_vec(self) -> Vec<T> {
        self.0.into()
    }
}

impl<T> Store<T> for Lifo<T> {
    fn with_capacity(reserve: usize) -> Self {
        Self(Vec::with_capacity(reserve))
    }
    #[inline]
    fn push(&mut self, item: T) {
        self.0.push(item);
    }
    #[inline]
    fn pop(&mut self) -> Option<T> {
        self.0.pop()
    }
    #[inline]
    fn len(&self) -> usize {
        self.0.len()
    }
    fn into_vec(mut self) -> Vec<T> {
        self.0.reverse();
        self.0
    }
}

impl<T> fmt::Debug for Fifo<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fifo").field("len", &self.0.len()).finish()
    }
}

impl<T> fmt::Debug for Lifo<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lifo").field("len", &self.0.len()).finish()
    }
}
