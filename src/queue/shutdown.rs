//! `shutdown` and `shutdown_now`: Python 3.13's `shutdown(immediate=False/True)`,
//! made lossless.

use super::discipline::Discipline;
use super::front::BlockingQueue;
use super::inside::Core;

impl<T, D: Discipline<T>> BlockingQueue<T, D> {
    /// Shuts the queue down (Python's `shutdown()`): from now on every put fails
    /// with [`PutError::ShutDown`](crate::PutError::ShutDown) (handing the item
    /// back), and gets keep taking what is queued, then fail with
    /// [`GetError::ShutDown`](crate::GetError::ShutDown). Every blocked putter and
    /// getter wakes up. The unfinished-task count is left alone: [`join`](Self::join)
    /// still waits for `task_done`. Calling it again does nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{GetError, PutError, Queue};
    ///
    /// let q = Queue::unbounded();
    /// q.put(1).unwrap();
    /// q.shutdown();
    /// assert!(q.is_shutdown());
    /// assert_eq!(q.put(2), Err(PutError::ShutDown(2)));
    /// assert_eq!(q.get(), Ok(1)); // still drains
    /// assert_eq!(q.get(), Err(GetError::ShutDown)); // then never blocks
    /// ```
    pub fn shutdown(&self) {
        self.core.shutdown();
    }

    /// Shuts the queue down like [`shutdown`](Self::shutdown), and also removes and
    /// returns every queued item, in the order gets would have returned them
    /// (Python's `shutdown(immediate=True)`, which discards them instead). Their
    /// tasks are marked done, so [`join`](Self::join) returns once the items
    /// already taken are done. Later calls return an empty `Vec`.
    ///
    /// For a [`PriorityQueue`](crate::PriorityQueue) the items are sorted after the
    /// lock is released; if `T::cmp` panics there, the queue is already shut down
    /// and empty and the removed items are dropped with the panic.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{GetError, Queue};
    ///
    /// let q = Queue::unbounded();
    /// for job in ["a", "b", "c"] {
    ///     q.put(job).unwrap();
    /// }
    /// q.get().unwrap();
    /// q.task_done().unwrap();
    /// assert_eq!(q.shutdown_now(), ["b", "c"]);
    /// assert_eq!(q.get(), Err(GetError::ShutDown));
    /// assert_eq!(q.unfinished_tasks(), 0);
    /// q.join(); // does not block
    /// ```
    pub fn shutdown_now(&self) -> Vec<T> {
        self.core.shutdown_now()
    }

    /// `true` once [`shutdown`](Self::shutdown) or
    /// [`shutdown_now`](Self::shutdown_now) was called (Python's `is_shutdown`).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::Queue;
    ///
    /// let q = Queue::<()>::unbounded();
    /// assert!(!q.is_shutdown());
    /// q.shutdown();
    /// assert!(q.is_shutdown());
    /// ```
    #[must_use]
    pub fn is_shutdown(&self) -> bool {
        self.core.is_shutdown()
    }
}
