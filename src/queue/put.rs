//! Adding items: `put`, `put_timeout`, `put_deadline`, `try_put`.

use std::time::{Duration, Instant};

use super::discipline::Discipline;
use super::front::BlockingQueue;
use super::inside::CorePut;
use super::wait::Wait;
use crate::queue::error::PutError;

impl<T, D: Discipline<T>> BlockingQueue<T, D> {
    /// Adds an item, blocking while the queue is full (Python's `put(item)`). Adds
    /// one unfinished task (see [`task_done`](Self::task_done)).
    ///
    /// # Errors
    ///
    /// [`PutError::ShutDown`] with the item if the queue is shut down, also while
    /// this call is blocked.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::Queue;
    /// use std::thread;
    ///
    /// let q = Queue::bounded(1);
    /// q.put(1).unwrap();
    /// thread::scope(|s| {
    ///     s.spawn(|| q.put(2).unwrap()); // waits until a get frees the slot
    ///     assert_eq!(q.get(), Ok(1));
    ///     assert_eq!(q.get(), Ok(2));
    /// });
    /// ```
    pub fn put(&self, item: T) -> Result<(), PutError<T>> {
        self.core.put(item, Wait::Forever)
    }

    /// Like [`put`](Self::put), giving up after `timeout` (Python's
    /// `put(item, timeout=t)`). A zero timeout is [`try_put`](Self::try_put); a
    /// timeout too large for `Instant` waits forever. A slot that frees up as the
    /// timeout expires is still used.
    ///
    /// # Errors
    ///
    /// [`PutError::Full`] with the item if no slot freed up in time (never before
    /// `timeout` has passed, unless it is zero); [`PutError::ShutDown`] with the item
    /// if the queue is shut down.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{PutError, Queue};
    /// use std::time::Duration;
    ///
    /// let q = Queue::bounded(1);
    /// q.put("first").unwrap();
    /// let err = q.put_timeout("second", Duration::from_millis(10)).unwrap_err();
    /// assert_eq!(err, PutError::Full("second"));
    /// assert_eq!(err.into_inner(), "second"); // the item comes back
    /// ```
    pub fn put_timeout(&self, item: T, timeout: Duration) -> Result<(), PutError<T>> {
        self.core.put(item, Wait::timeout(timeout))
    }

    /// Like [`put`](Self::put), giving up at `deadline`. A deadline in the past is
    /// [`try_put`](Self::try_put).
    ///
    /// # Errors
    ///
    /// As [`put_timeout`](Self::put_timeout).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::Queue;
    /// use std::time::{Duration, Instant};
    ///
    /// let q = Queue::bounded(1);
    /// let deadline = Instant::now() + Duration::from_millis(5);
    /// assert!(q.put_deadline(1, deadline).is_ok());
    /// assert!(q.put_deadline(2, deadline).unwrap_err().is_full());
    /// ```
    pub fn put_deadline(&self, item: T, deadline: Instant) -> Result<(), PutError<T>> {
        self.core.put(item, Wait::Until(deadline))
    }

    /// Adds an item if there is room right now, without blocking (Python's
    /// `put_nowait(item)`).
    ///
    /// # Errors
    ///
    /// [`PutError::Full`] or [`PutError::ShutDown`], with the item.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{PutError, Queue};
    ///
    /// let q = Queue::bounded(1);
    /// assert_eq!(q.try_put(1), Ok(()));
    /// assert_eq!(q.try_put(2), Err(PutError::Full(2)));
    /// q.shutdown();
    /// assert_eq!(q.try_put(3), Err(PutError::ShutDown(3)));
    /// ```
    pub fn try_put(&self, item: T) -> Result<(), PutError<T>> {
        self.core.put(item, Wait::No)
    }
}
