//! Many items per lock: `put_all` (and the cores' `drain`, crate-internal).

use std::collections::VecDeque;

use super::discipline::Discipline;
use super::front::BlockingQueue;
use super::inside::{Core, CoreGet, CorePut};
use crate::queue::error::PutAllError;

/// Most items `put_all` pulls from its iterator ahead of putting them: enough to
/// amortise the lock over a batch, few enough not to run far ahead of a lazy
/// iterator.
const PUT_ALL_CHUNK: usize = 64;

impl<T, D: Discipline<T>> BlockingQueue<T, D> {
    /// Removes and returns up to `max` items, in get order, without blocking:
    /// the cores' `drain` (one lock for the batch; wakes as many blocked putters
    /// as it freed slots for; empty if the queue is). No longer public:
    /// [`try_get_many`](Self::try_get_many) is the public call (it also tells an
    /// empty queue from a shut-down one). Kept for the loom models and unit
    /// tests, which check the cores' drain path.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) fn drain(&self, max: usize) -> Vec<T> {
        self.core.drain(max)
    }

    /// Puts every item of `items` in order, blocking while the queue is full, one
    /// lock per batch of up to 64 items (fewer on a smaller bounded queue). Each
    /// item adds one unfinished task. The iterator runs outside the lock; it is
    /// pulled at most one batch ahead of what has been put.
    ///
    /// # Errors
    ///
    /// If the queue is shut down (before or during the call) it stops and hands
    /// back everything not yet put in a [`PutAllError`]: the items already pulled
    /// from the iterator and the rest of the iterator. Items put before the
    /// shutdown stay in the queue. (An empty iterator is `Ok` even on a shut-down
    /// queue: there was nothing to refuse.)
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::Queue;
    /// use std::thread;
    ///
    /// let q = Queue::bounded(4);
    /// thread::scope(|s| {
    ///     s.spawn(|| q.put_all(0..100).unwrap()); // blocks while the queue is full
    ///     let got: Vec<i32> = (0..100).map(|_| q.get().unwrap()).collect();
    ///     assert_eq!(got, (0..100).collect::<Vec<_>>());
    /// });
    /// ```
    pub fn put_all<I>(&self, items: I) -> Result<(), PutAllError<T, I::IntoIter>>
    where
        I: IntoIterator<Item = T>,
    {
        let mut rest = items.into_iter();
        // At least one: a rendezvous queue (capacity 0) hands items off one by one.
        let chunk = self.core.capacity().clamp(1, PUT_ALL_CHUNK);
        let mut batch = VecDeque::with_capacity(chunk);
        loop {
            // Outside the lock: the caller's iterator is user code.
            batch.extend(rest.by_ref().take(chunk - batch.len()));
            if batch.is_empty() {
                return Ok(());
            }
            if !self.core.put_some(&mut batch) {
                return Err(PutAllError::new(batch.into(), rest));
            }
        }
    }
}
