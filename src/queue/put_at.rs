//! The calls only a delay queue has: putting with a deadline, and its clock's
//! view of the queue.

use std::time::{Duration, Instant};

use super::delay::{clock, Delay};
use super::error::PutError;
use super::front::BlockingQueue;
use super::wait::Wait;

/// The deadline `delay` after `now`. A delay too large for `Instant` becomes the
/// largest one it can hold of about 136 years: never, in practice.
fn after(now: Instant, delay: Duration) -> Instant {
    let mut delay = delay.min(Duration::from_secs(u64::from(u32::MAX)));
    loop {
        if let Some(at) = now.checked_add(delay) {
            return at;
        }
        delay /= 2;
    }
}

impl<T> BlockingQueue<T, Delay<T>> {
    /// Adds `item`, due at `at`, blocking while the queue is full. A deadline in
    /// the past is due at once. Adds one unfinished task.
    ///
    /// # Errors
    ///
    /// [`PutError::ShutDown`] with the item if the queue is shut down, also while
    /// this call is blocked.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::DelayQueue;
    /// use std::time::{Duration, Instant};
    ///
    /// let q = DelayQueue::bounded(4);
    /// let start = Instant::now();
    /// q.put_at("b", start + Duration::from_millis(10)).unwrap();
    /// q.put_at("a", start).unwrap(); // due already
    /// assert_eq!(q.get(), Ok("a"));
    /// assert_eq!(q.get(), Ok("b"));
    /// assert!(start.elapsed() >= Duration::from_millis(10));
    /// ```
    pub fn put_at(&self, item: T, at: Instant) -> Result<(), PutError<T>> {
        self.core.put_at(item, at, Wait::Forever)
    }

    /// Adds `item`, due `delay` from now, blocking while the queue is full (the
    /// deadline is taken before any wait for room).
    ///
    /// # Errors
    ///
    /// As [`put_at`](Self::put_at).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::DelayQueue;
    /// use std::time::Duration;
    ///
    /// let q = DelayQueue::unbounded();
    /// q.put_after('x', Duration::from_millis(1)).unwrap();
    /// assert_eq!(q.get(), Ok('x'));
    /// ```
    pub fn put_after(&self, item: T, delay: Duration) -> Result<(), PutError<T>> {
        self.put_at(item, after(clock::now(), delay))
    }

    /// Like [`put_at`](Self::put_at), giving up if no slot frees up within
    /// `timeout` (zero: [`try_put_at`](Self::try_put_at)); a timeout too large for
    /// `Instant` waits forever. `timeout` bounds the wait for room; `at` is when
    /// the item becomes due.
    ///
    /// # Errors
    ///
    /// [`PutError::Full`] with the item if the queue stayed full;
    /// [`PutError::ShutDown`] with the item if it is shut down.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{DelayQueue, PutError};
    /// use std::time::{Duration, Instant};
    ///
    /// let q = DelayQueue::bounded(1);
    /// let at = Instant::now() + Duration::from_secs(60);
    /// q.put_at(1, at).unwrap();
    /// let err = q.put_at_timeout(2, at, Duration::from_millis(5)).unwrap_err();
    /// assert_eq!(err, PutError::Full(2));
    /// ```
    pub fn put_at_timeout(
        &self,
        item: T,
        at: Instant,
        timeout: Duration,
    ) -> Result<(), PutError<T>> {
        match Instant::now().checked_add(timeout) {
            Some(deadline) => self.put_at_deadline(item, at, deadline),
            // Too far to name as an instant: no limit.
            None => self.put_at(item, at),
        }
    }

    /// Like [`put_at`](Self::put_at), giving up if no slot frees up by
    /// `deadline`. A deadline in the past is [`try_put_at`](Self::try_put_at).
    /// `deadline` bounds the wait for room; `at` is when the item becomes due.
    ///
    /// # Errors
    ///
    /// As [`put_at_timeout`](Self::put_at_timeout).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{DelayQueue, PutError};
    /// use std::time::{Duration, Instant};
    ///
    /// let q = DelayQueue::bounded(1);
    /// let now = Instant::now();
    /// let give_up = now + Duration::from_millis(5);
    /// q.put_at_deadline("a", now, give_up).unwrap(); // room: no waiting
    /// let err = q.put_at_deadline("b", now, give_up).unwrap_err();
    /// assert_eq!(err, PutError::Full("b"));
    /// assert_eq!(q.get(), Ok("a"));
    /// ```
    pub fn put_at_deadline(
        &self,
        item: T,
        at: Instant,
        deadline: Instant,
    ) -> Result<(), PutError<T>> {
        self.core.put_at(item, at, Wait::Until(deadline))
    }

    /// Adds `item`, due at `at`, if there is room now; never blocks.
    ///
    /// # Errors
    ///
    /// [`PutError::Full`] with the item if the queue is full (due items or not);
    /// [`PutError::ShutDown`] with the item if it is shut down.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{DelayQueue, PutError};
    /// use std::time::Instant;
    ///
    /// let q = DelayQueue::bounded(1);
    /// q.try_put_at("a", Instant::now()).unwrap();
    /// assert_eq!(q.try_put_at("b", Instant::now()), Err(PutError::Full("b")));
    /// ```
    pub fn try_put_at(&self, item: T, at: Instant) -> Result<(), PutError<T>> {
        self.core.put_at(item, at, Wait::No)
    }

    /// Adds `item`, due `delay` from now, if there is room now; never blocks.
    ///
    /// # Errors
    ///
    /// As [`try_put_at`](Self::try_put_at).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{DelayQueue, GetError};
    /// use std::time::Duration;
    ///
    /// let q = DelayQueue::unbounded();
    /// q.try_put_after(5, Duration::from_secs(60)).unwrap();
    /// assert_eq!(q.try_get(), Err(GetError::Empty)); // queued, not due
    /// assert_eq!(q.len(), 1);
    /// ```
    pub fn try_put_after(&self, item: T, delay: Duration) -> Result<(), PutError<T>> {
        self.try_put_at(item, after(clock::now(), delay))
    }

    /// The earliest deadline in the queue, due or not; `None` if it is empty.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::DelayQueue;
    /// use std::time::{Duration, Instant};
    ///
    /// let q = DelayQueue::unbounded();
    /// assert_eq!(q.peek_deadline(), None);
    /// let at = Instant::now() + Duration::from_secs(5);
    /// q.put_at("later", at + Duration::from_secs(5)).unwrap();
    /// q.put_at("sooner", at).unwrap();
    /// assert_eq!(q.peek_deadline(), Some(at));
    /// ```
    #[must_use]
    pub fn peek_deadline(&self) -> Option<Instant> {
        self.core.peek_deadline()
    }

    /// How many items are due right now ([`len`](Self::len) counts every item).
    /// Walks every item: O(n).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::DelayQueue;
    /// use std::time::Duration;
    ///
    /// let q = DelayQueue::unbounded();
    /// q.put("now").unwrap();
    /// q.put_after("later", Duration::from_secs(60)).unwrap();
    /// assert_eq!(q.len(), 2);
    /// assert_eq!(q.due_len(), 1);
    /// ```
    #[must_use]
    pub fn due_len(&self) -> usize {
        self.core.due_len()
    }

    /// Removes every item `pred` picks, due or not (the pool's close policies).
    /// `pred` runs under the queue's lock: crate code only, never user code.
    pub(crate) fn remove_where(&self, pred: impl FnMut(&T) -> bool) -> Vec<T> {
        self.core.remove_where(pred)
    }
}
