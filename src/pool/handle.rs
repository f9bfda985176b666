//! `TaskHandle<R>`: the caller's side of a submitted task, a
//! `concurrent.futures.Future` over the task cell.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::cell::{Slot, CANCELLED, DONE, PENDING, PHASE, RUNNING, WAITING};
use super::error::TaskError;
use crate::sync::Ordering;

/// The result of one task given to [`ThreadPoolManager::submit`]: Python's
/// `concurrent.futures.Future`.
///
/// [`wait`](TaskHandle::wait) blocks for the outcome; [`wait_timeout`] and
/// [`try_result`] give the handle back while the task is still going;
/// [`cancel`](TaskHandle::cancel) withdraws it before it starts. Dropping the handle
/// does not cancel the task: it still runs, and its result is dropped.
///
/// [`ThreadPoolManager::submit`]: crate::ThreadPoolManager::submit
/// [`wait_timeout`]: TaskHandle::wait_timeout
/// [`try_result`]: TaskHandle::try_result
///
/// # Examples
///
/// ```
/// use queuekit::ThreadPoolManager;
///
/// let pool = ThreadPoolManager::new(2).unwrap();
/// let handle = pool.submit(|| 6 * 7).unwrap();
/// assert_eq!(handle.wait(), Ok(42));
/// ```
pub struct TaskHandle<R> {
    pub(super) slot: Arc<dyn Slot<R>>,
    /// Where awaiting it stands (`pool/future.rs`).
    pub(super) awaiting: Awaiting,
    /// Its entry in the cell's waiter list while awaited.
    pub(super) key: Option<crate::waitlist::Key>,
}

/// How far a handle has been awaited.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Awaiting {
    /// Never polled (or polled only while finished).
    No,
    /// A waker is stored in the cell.
    Registered,
    /// Polled to completion: the result is gone.
    Done,
}

impl<R> TaskHandle<R> {
    /// The handle to the task behind `slot`.
    pub(crate) fn new(slot: Arc<dyn Slot<R>>) -> Self {
        Self {
            slot,
            awaiting: Awaiting::No,
            key: None,
        }
    }

    /// Blocks until the task finished and returns its value, or why there is none
    /// (Python's `Future.result()`).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{TaskError, ThreadPoolManager};
    ///
    /// let pool = ThreadPoolManager::new(1).unwrap();
    /// let ok = pool.submit(|| "done").unwrap();
    /// let bad = pool.submit(|| -> &str { panic!("oops") }).unwrap();
    /// assert_eq!(ok.wait(), Ok("done"));
    /// assert_eq!(bad.wait(), Err(TaskError::Panicked("oops".into())));
    /// ```
    pub fn wait(self) -> Result<R, TaskError> {
        match self.wait_inner(None) {
            Ok(outcome) => outcome,
            // Without a deadline the wait only returns once the task is finished.
            Err(handle) => handle.wait(),
        }
    }

    /// Waits at most `timeout`. `Ok(outcome)` if the task finished in time;
    /// `Err(handle)` hands the handle back if it is still queued or running (Python's
    /// `Future.result(timeout)` raising `TimeoutError`).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    /// use std::sync::mpsc;
    /// use std::time::Duration;
    ///
    /// let pool = ThreadPoolManager::new(1).unwrap();
    /// let (go, gate) = mpsc::channel::<()>();
    /// let handle = pool.submit(move || gate.recv().unwrap()).unwrap();
    /// let handle = handle.wait_timeout(Duration::from_millis(10)).unwrap_err();
    /// go.send(()).unwrap();
    /// assert_eq!(handle.wait_timeout(Duration::from_secs(60)).ok(), Some(Ok(())));
    /// ```
    pub fn wait_timeout(self, timeout: Duration) -> Result<Result<R, TaskError>, Self> {
        match Instant::now().checked_add(timeout) {
            Some(deadline) => self.wait_deadline(deadline),
            // Too far to name as an instant: no limit.
            None => Ok(self.wait()),
        }
    }

    /// Like [`wait_timeout`](Self::wait_timeout), giving up at `deadline`: one
    /// instant can bound several waits. A deadline already past still returns the
    /// outcome of a task that has finished.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    /// use std::time::{Duration, Instant};
    ///
    /// let pool = ThreadPoolManager::new(2).unwrap();
    /// let deadline = Instant::now() + Duration::from_secs(60);
    /// let (a, b) = (pool.submit(|| 1).unwrap(), pool.submit(|| 2).unwrap());
    /// assert_eq!(a.wait_deadline(deadline).ok(), Some(Ok(1)));
    /// assert_eq!(b.wait_deadline(deadline).ok(), Some(Ok(2)));
    /// ```
    pub fn wait_deadline(self, deadline: Instant) -> Result<Result<R, TaskError>, Self> {
        self.wait_inner(Some(deadline))
    }

    /// The outcome if the task has finished, without blocking; otherwise the handle
    /// back.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    ///
    /// let pool = ThreadPoolManager::new(1).unwrap();
    /// let mut handle = pool.submit(|| 5).unwrap();
    /// let value = loop {
    ///     match handle.try_result() {
    ///         Ok(outcome) => break outcome,
    ///         Err(h) => handle = h, // still running: do something else meanwhile
    ///     }
    /// };
    /// assert_eq!(value, Ok(5));
    /// ```
    pub fn try_result(self) -> Result<Result<R, TaskError>, Self> {
        if self.awaiting == Awaiting::Done {
            return Ok(Err(TaskError::ResultTaken));
        }
        if self.is_finished() {
            Ok(self.slot.take())
        } else {
            Err(self)
        }
    }

    /// `true` once the task has returned, panicked or been cancelled (Python's
    /// `Future.done()`).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    ///
    /// let pool = ThreadPoolManager::new(1).unwrap();
    /// let handle = pool.submit(|| ()).unwrap();
    /// pool.wait_all();
    /// assert!(handle.is_finished());
    /// ```
    #[must_use]
    pub fn is_finished(&self) -> bool {
        // Acquire: a `true` here lets `take` read the slot the worker wrote.
        let phase = self.slot.state().load(Ordering::Acquire) & PHASE;
        phase == DONE || phase == CANCELLED
    }

    /// Withdraws the task if it has not started; `true` if it is withdrawn (then
    /// [`wait`](TaskHandle::wait) reports [`TaskError::Cancelled`]). `false` if it is
    /// running or finished: a running task is never interrupted. Python's
    /// `Future.cancel()`.
    ///
    /// The closure, and everything it captured, is dropped at once on the calling
    /// thread; a panic in that `Drop` propagates from here, after the task is
    /// marked cancelled. Its small backlog entry stays queued until a worker skips
    /// it, so [`stats().pending`](crate::ThreadPoolManager::stats) still
    /// counts it until then.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{TaskError, ThreadPoolManager};
    /// use std::sync::mpsc;
    ///
    /// let pool = ThreadPoolManager::new(1).unwrap();
    /// let (go, gate) = mpsc::channel::<()>();
    /// let blocker = pool.submit(move || gate.recv().unwrap()).unwrap();
    /// let queued = pool.submit(|| "never").unwrap(); // waits behind the blocker
    /// assert!(queued.cancel());
    /// go.send(()).unwrap();
    /// assert_eq!(queued.wait(), Err(TaskError::Cancelled));
    /// assert_eq!(blocker.wait(), Ok(()));
    /// ```
    pub fn cancel(&self) -> bool {
        // Like Python: cancelling an already cancelled task reports success again.
        self.slot.cancel() || self.slot.state().load(Ordering::Acquire) & PHASE == CANCELLED
    }

    fn wait_inner(self, deadline: Option<Instant>) -> Result<Result<R, TaskError>, Self> {
        if self.awaiting == Awaiting::Done {
            return Ok(Err(TaskError::ResultTaken));
        }
        let state = self.slot.state();
        loop {
            let s = state.load(Ordering::Acquire);
            if matches!(s & PHASE, DONE | CANCELLED) {
                return Ok(self.slot.take());
            }
            // Announce ourselves with an RMW on the same word the finisher swaps, so
            // one of the two sees the other (no reliance on SeqCst between words).
            if s & WAITING == 0
                && state
                    .compare_exchange(s, s | WAITING, Ordering::Acquire, Ordering::Acquire)
                    .is_err()
            {
                continue;
            }
            let in_time = state.wait_deadline(s | WAITING, deadline);
            if !in_time {
                // One last look: a finish that raced the expiry still counts.
                return if self.is_finished() {
                    Ok(self.slot.take())
                } else {
                    Err(self)
                };
            }
        }
    }
}

impl<R> fmt::Debug for TaskHandle<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.slot.state().load(Ordering::Acquire) & PHASE {
            PENDING => "pending",
            RUNNING => "running",
            DONE => "finished",
            _ => "cancelled",
        };
        f.debug_struct("TaskHandle").field("state", &state).finish()
    }
}
