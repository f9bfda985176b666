//! Taking many items per wait: `get_many` and its timed, non-blocking and
//! buffer-filling forms.
//!
//! "Wait for at least one, then take up to `max`" in one hold of the lock, where
//! `get()` followed by `try_get_many(max - 1)` takes two round-trips and lets another
//! consumer in between (tokio's `recv_many`, crossbeam's `recv` + `try_iter`).

use std::time::{Duration, Instant};

use super::discipline::Discipline;
use super::front::BlockingQueue;
use super::inside::CoreGet;
use super::wait::Wait;
use crate::queue::error::GetError;

impl<T, D: Discipline<T>> BlockingQueue<T, D> {
    /// Blocks until the queue holds at least one item, then removes and returns up
    /// to `max` of them, in get order, in one hold of the lock. Wakes as many
    /// blocked putters as it freed slots for. Every item taken counts as one
    /// unfinished task until its [`task_done`](Self::task_done), exactly as if it
    /// had come from [`get`](Self::get).
    ///
    /// `max == 0` asks for nothing and gets nothing: `Ok` with an empty `Vec` at
    /// once, without waiting and also on a shut-down queue (as tokio's
    /// `recv_many` with a limit of 0). Otherwise
    /// the `Vec` is never empty.
    ///
    /// The result is allocated for the items taken (at most `max`); to reuse one
    /// buffer across calls, use [`get_many_into`](Self::get_many_into).
    ///
    /// On the FIFO [`Queue`](crate::Queue) it takes from the take side and, if
    /// that runs dry before `max`, swaps in everything the put side holds, once.
    ///
    /// # Errors
    ///
    /// [`GetError::ShutDown`] once the queue is shut down and empty. Items queued
    /// before [`shutdown`](Self::shutdown) are still handed out first.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{GetError, Queue};
    /// use std::thread;
    ///
    /// let q = Queue::bounded(100);
    /// thread::scope(|s| {
    ///     s.spawn(|| {
    ///         q.put_all(0..10).unwrap();
    ///         q.shutdown();
    ///     });
    ///     let mut got = Vec::new();
    ///     while let Ok(batch) = q.get_many(4) {
    ///         assert!((1..=4).contains(&batch.len()));
    ///         got.extend(batch);
    ///     }
    ///     assert_eq!(got, (0..10).collect::<Vec<_>>());
    /// });
    /// assert_eq!(q.get_many(4), Err(GetError::ShutDown));
    /// ```
    pub fn get_many(&self, max: usize) -> Result<Vec<T>, GetError> {
        self.collect_many(max, Wait::Forever)
    }

    /// Like [`get_many`](Self::get_many), giving up after `timeout` if no item
    /// came. A zero timeout is [`try_get_many`](Self::try_get_many); a timeout too
    /// large for `Instant` waits forever. An item that arrives as the timeout
    /// expires is still taken.
    ///
    /// # Errors
    ///
    /// [`GetError::Empty`] if no item came in time; [`GetError::ShutDown`] once
    /// the queue is shut down and empty.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{GetError, LifoQueue};
    /// use std::time::Duration;
    ///
    /// let q = LifoQueue::unbounded();
    /// assert_eq!(q.get_many_timeout(8, Duration::from_millis(5)), Err(GetError::Empty));
    /// q.put_all([1, 2, 3]).unwrap();
    /// assert_eq!(q.get_many_timeout(8, Duration::from_millis(5)), Ok(vec![3, 2, 1]));
    /// ```
    pub fn get_many_timeout(&self, max: usize, timeout: Duration) -> Result<Vec<T>, GetError> {
        self.collect_many(max, Wait::timeout(timeout))
    }

    /// Like [`get_many`](Self::get_many), giving up at `deadline` if no item came.
    /// A deadline in the past is [`try_get_many`](Self::try_get_many).
    ///
    /// # Errors
    ///
    /// As [`get_many_timeout`](Self::get_many_timeout).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{GetError, PriorityQueue};
    /// use std::time::{Duration, Instant};
    ///
    /// let q = PriorityQueue::unbounded();
    /// let deadline = Instant::now() + Duration::from_millis(5);
    /// assert_eq!(q.get_many_deadline(2, deadline), Err(GetError::Empty));
    /// q.put_all([3, 1, 2]).unwrap();
    /// assert_eq!(q.get_many_deadline(2, deadline), Ok(vec![1, 2])); // no waiting needed
    /// ```
    pub fn get_many_deadline(&self, max: usize, deadline: Instant) -> Result<Vec<T>, GetError> {
        self.collect_many(max, Wait::Until(deadline))
    }

    /// Removes and returns up to `max` items if there is at least one, without
    /// blocking (Java's `drainTo`), in get order, in one hold of the lock; wakes
    /// as many blocked putters as it freed slots for. It tells an empty queue
    /// from a shut-down one; `.unwrap_or_default()` gives "whatever is there,
    /// possibly nothing". `max == 0` is `Ok` with no items.
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
    /// assert_eq!(q.try_get_many(2), Err(GetError::Empty));
    /// q.put_all(["a", "b", "c"]).unwrap();
    /// q.shutdown();
    /// assert_eq!(q.try_get_many(2), Ok(vec!["a", "b"]));
    /// assert_eq!(q.try_get_many(2), Ok(vec!["c"]));
    /// assert_eq!(q.try_get_many(2), Err(GetError::ShutDown));
    /// ```
    pub fn try_get_many(&self, max: usize) -> Result<Vec<T>, GetError> {
        self.collect_many(max, Wait::No)
    }

    /// [`get_many`](Self::get_many) into a buffer of the caller's: appends up to
    /// `max` items to `buf` (keeping what it holds) and returns how many, at
    /// least one unless `max == 0`. The fast path for a consumer loop: one buffer,
    /// reused, allocates nothing once it has grown to `max` (tokio's
    /// `recv_many(&mut buf, limit)`).
    ///
    /// If `T::cmp` panics in a [`PriorityQueue`](crate::PriorityQueue), the items
    /// taken before the panic are in `buf`; the queue stays consistent.
    ///
    /// # Errors
    ///
    /// As [`get_many`](Self::get_many); `buf` is then left as it was.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::Queue;
    /// use std::thread;
    ///
    /// let q = Queue::bounded(64);
    /// thread::scope(|s| {
    ///     s.spawn(|| {
    ///         q.put_all(1..=1000u64).unwrap();
    ///         q.shutdown();
    ///     });
    ///     let mut buf = Vec::with_capacity(32);
    ///     let mut sum = 0;
    ///     while q.get_many_into(&mut buf, 32).is_ok() {
    ///         sum += buf.drain(..).sum::<u64>();
    ///     }
    ///     assert_eq!(sum, 500_500);
    /// });
    /// ```
    pub fn get_many_into(&self, buf: &mut Vec<T>, max: usize) -> Result<usize, GetError> {
        self.core.get_many(buf, max, Wait::Forever)
    }

    fn collect_many(&self, max: usize, wait: Wait) -> Result<Vec<T>, GetError> {
        let mut items = Vec::new();
        self.core.get_many(&mut items, max, wait)?;
        Ok(items)
    }
}
