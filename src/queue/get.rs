//! Taking items: `get`, `get_timeout`, `get_deadline`, `try_get`.

use std::time::{Duration, Instant};

use super::discipline::Discipline;
use super::front::BlockingQueue;
use super::inside::CoreGet;
use super::wait::Wait;
use crate::queue::error::GetError;

impl<T, D: Discipline<T>> BlockingQueue<T, D> {
    /// Removes and returns the next item, blocking while the queue is empty
    /// (Python's `get()`).
    ///
    /// # Errors
    ///
    /// [`GetError::ShutDown`] once the queue is shut down and empty. Items queued
    /// before [`shutdown`](Self::shutdown) are still handed out first.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::Queue;
    /// use std::thread;
    ///
    /// let q = Queue::unbounded();
    /// thread::scope(|s| {
    ///     s.spawn(|| q.put("hello").unwrap());
    ///     assert_eq!(q.get(), Ok("hello")); // waits for the put
    /// });
    /// ```
    pub fn get(&self) -> Result<T, GetError> {
        self.core.get(Wait::Forever)
    }

    /// Like [`get`](Self::get), giving up after `timeout` (Python's
    /// `get(timeout=t)`). A zero timeout is [`try_get`](Self::try_get); a timeout
    /// too large for `Instant` waits forever. An item that arrives as the timeout
    /// expires is still taken.
    ///
    /// # Errors
    ///
    /// [`GetError::Empty`] if no item came in time (never before `timeout` has
    /// passed, unless it is zero); [`GetError::ShutDown`] once the queue is shut down
    /// and empty.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{GetError, Queue};
    /// use std::time::{Duration, Instant};
    ///
    /// let q = Queue::<u8>::unbounded();
    /// let start = Instant::now();
    /// assert_eq!(q.get_timeout(Duration::from_millis(10)), Err(GetError::Empty));
    /// assert!(start.elapsed() >= Duration::from_millis(10));
    /// ```
    pub fn get_timeout(&self, timeout: Duration) -> Result<T, GetError> {
        self.core.get(Wait::timeout(timeout))
    }

    /// Like [`get`](Self::get), giving up at `deadline`. A deadline in the past is
    /// [`try_get`](Self::try_get).
    ///
    /// # Errors
    ///
    /// As [`get_timeout`](Self::get_timeout).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{GetError, Queue};
    /// use std::time::{Duration, Instant};
    ///
    /// let q = Queue::unbounded();
    /// let deadline = Instant::now() + Duration::from_millis(5);
    /// assert_eq!(q.get_deadline(deadline), Err(GetError::Empty));
    /// q.put(1).unwrap();
    /// assert_eq!(q.get_deadline(deadline), Ok(1)); // available: no waiting needed
    /// ```
    pub fn get_deadline(&self, deadline: Instant) -> Result<T, GetError> {
        self.core.get(Wait::Until(deadline))
    }

    /// Removes and returns the next item if there is one, without blocking
    /// (Python's `get_nowait()`).
    ///
    /// # Errors
    ///
    /// [`GetError::Empty`] if the queue is empty; [`GetError::ShutDown`] if it is
    /// also shut down.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{GetError, Queue};
    ///
    /// let q = Queue::unbounded();
    /// assert_eq!(q.try_get(), Err(GetError::Empty));
    /// q.put(5).unwrap();
    /// assert_eq!(q.try_get(), Ok(5));
    /// q.shutdown();
    /// assert_eq!(q.try_get(), Err(GetError::ShutDown));
    /// ```
    pub fn try_get(&self) -> Result<T, GetError> {
        self.core.get(Wait::No)
    }
}
