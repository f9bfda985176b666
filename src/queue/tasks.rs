//! `task_done` / `join`: the queue's unfinished-task count.

use std::time::{Duration, Instant};

use super::discipline::Discipline;
use super::front::BlockingQueue;
use super::inside::Core;
use crate::counter::error::TaskDoneError;

impl<T, D: Discipline<T>> BlockingQueue<T, D> {
    /// Marks one task taken from the queue as finished (Python's `task_done()`).
    /// Every successful put adds one unfinished task; [`join`](Self::join) waits
    /// until each has been marked done.
    ///
    /// # Errors
    ///
    /// [`TaskDoneError`] if called more times than items were put (Python raises
    /// `ValueError`); the count stays at zero.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{Queue, TaskDoneError};
    ///
    /// let q = Queue::unbounded();
    /// q.put("job").unwrap();
    /// let _job = q.get().unwrap();
    /// assert_eq!(q.task_done(), Ok(()));
    /// assert_eq!(q.task_done(), Err(TaskDoneError));
    /// ```
    pub fn task_done(&self) -> Result<(), TaskDoneError> {
        self.core.tasks().done()
    }

    /// Blocks until every item ever put has been marked done with
    /// [`task_done`](Self::task_done) (Python's `join()`). Returns at once if none is
    /// unfinished. [`shutdown_now`](Self::shutdown_now) marks the items it removes as
    /// done; [`shutdown`](Self::shutdown) does not.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::Queue;
    /// use std::thread;
    ///
    /// let q = Queue::unbounded();
    /// q.put(21).unwrap();
    /// thread::scope(|s| {
    ///     s.spawn(|| {
    ///         let n = q.get().unwrap();
    ///         assert_eq!(n * 2, 42);
    ///         q.task_done().unwrap();
    ///     });
    ///     q.join(); // returns once the worker called task_done
    ///     assert_eq!(q.unfinished_tasks(), 0);
    /// });
    /// ```
    pub fn join(&self) {
        self.core.tasks().wait();
    }

    /// Like [`join`](Self::join), giving up after `timeout`; `true` if every task
    /// was done in time. A zero timeout just checks.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::Queue;
    /// use std::time::Duration;
    ///
    /// let q = Queue::unbounded();
    /// assert!(q.join_timeout(Duration::ZERO));
    /// q.put(1).unwrap();
    /// assert!(!q.join_timeout(Duration::from_millis(5)));
    /// ```
    #[must_use]
    pub fn join_timeout(&self, timeout: Duration) -> bool {
        self.core.tasks().wait_timeout(timeout)
    }

    /// Like [`join`](Self::join), giving up at `deadline`; `true` if every task was
    /// done in time.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::Queue;
    /// use std::time::{Duration, Instant};
    ///
    /// let q = Queue::unbounded();
    /// q.put(1).unwrap();
    /// assert!(!q.join_deadline(Instant::now() + Duration::from_millis(5)));
    /// q.get().unwrap();
    /// q.task_done().unwrap();
    /// assert!(q.join_deadline(Instant::now()));
    /// ```
    #[must_use]
    pub fn join_deadline(&self, deadline: Instant) -> bool {
        self.core.tasks().wait_deadline(deadline)
    }

    /// The number of items put and not yet marked done (Python's
    /// `unfinished_tasks`): those in the queue plus those taken and still being
    /// worked on.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::Queue;
    ///
    /// let q = Queue::unbounded();
    /// q.put('a').unwrap();
    /// q.put('b').unwrap();
    /// q.get().unwrap();
    /// assert_eq!(q.unfinished_tasks(), 2); // one queued, one in progress
    /// q.task_done().unwrap();
    /// assert_eq!(q.unfinished_tasks(), 1);
    /// ```
    #[must_use]
    pub fn unfinished_tasks(&self) -> usize {
        self.core.tasks().unfinished_tasks()
    }
}
