//! The blocking iterator over a queue's items.

use std::fmt;
use std::iter::FusedIterator;

use super::discipline::Discipline;
use super::front::BlockingQueue;

/// A blocking iterator over the items of a [`BlockingQueue`]: each `next` is a
/// [`get`](BlockingQueue::get), and iteration ends once the queue is shut down
/// and empty. Several threads can iterate the same queue; each item goes to one
/// of them. Made by [`BlockingQueue::iter`] or `for item in &queue`.
///
/// # Examples
///
/// ```
/// use queuekit::Queue;
///
/// let q = Queue::unbounded();
/// q.put_all(["a", "b"]).unwrap();
/// q.shutdown();
/// let mut it = q.iter();
/// assert_eq!(it.next(), Some("a"));
/// assert_eq!(it.next(), Some("b"));
/// assert_eq!(it.next(), None);
/// ```
pub struct Iter<'a, T, D: Discipline<T>> {
    queue: &'a BlockingQueue<T, D>,
}

impl<T, D: Discipline<T>> BlockingQueue<T, D> {
    /// A blocking iterator that takes items with [`get`](Self::get) until the queue
    /// is shut down and empty.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::Queue;
    /// use std::thread;
    ///
    /// let q = Queue::bounded(2);
    /// thread::scope(|s| {
    ///     s.spawn(|| {
    ///         q.put_all(1..=10).unwrap();
    ///         q.shutdown();
    ///     });
    ///     assert_eq!(q.iter().sum::<i32>(), 55);
    /// });
    /// ```
    pub fn iter(&self) -> Iter<'_, T, D> {
        Iter { queue: self }
    }
}

impl<T, D: Discipline<T>> Iterator for Iter<'_, T, D> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        self.queue.get().ok()
    }
}

// A shut-down queue accepts no more puts, so once empty it stays empty.
impl<T, D: Discipline<T>> FusedIterator for Iter<'_, T, D> {}

impl<'a, T, D: Discipline<T>> IntoIterator for &'a BlockingQueue<T, D> {
    type Item = T;
    type IntoIter = Iter<'a, T, D>;

    fn into_iter(self) -> Iter<'a, T, D> {
        self.iter()
    }
}

impl<T, D: Discipline<T>> fmt::Debug for Iter<'_, T, D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Iter").finish_non_exhaustive()
    }
}
