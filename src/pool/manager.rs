//! `ThreadPoolManager`'s public face: building a pool and handing it work.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::builder::{Config, PoolBuilder};
use super::cell::TaskCell;
use super::error::{PoolBuildError, SubmitError, TaskError};
use super::handle::TaskHandle;
use super::job::{Job, Prepared};
use super::shared::{Block, Shared};

/// A thread pool with lazily started workers, a bounded or unbounded backlog,
/// result handles, and Python-style `close` / `terminate` / `join`.
///
/// Tasks are closures. [`execute`](Self::execute) queues one without a handle (the
/// cheapest path); [`submit`](Self::submit) returns a [`TaskHandle`] for its result.
/// A panicking task never takes a worker down: the panic is caught and counted, and
/// the handle reports [`TaskError::Panicked`].
///
/// Dropping the pool closes it and joins the workers, so every task already queued
/// still runs.
///
/// # Dropping in async code
///
/// The drop is [`join`](Self::join): it **blocks the thread** until the backlog
/// has run and every worker has exited. Inside an async task that is an executor
/// thread, stalled for as long as the pool's slowest queued task (and on a
/// single-threaded runtime, a task of the pool that awaits something on that
/// runtime never finishes: a deadlock). Instead, wait for the tasks without
/// blocking first ([`wait_all_async`](Self::wait_all_async), or `.await` the
/// handles), or hand the drop to a thread that may block (tokio's
/// `spawn_blocking(move || drop(pool))`); [`close`](Self::close) or
/// [`terminate`](Self::terminate) never block.
///
/// ```
/// use queuekit::ThreadPoolManager;
///
/// let pool = ThreadPoolManager::new(2).unwrap();
/// futures::executor::block_on(async {
///     pool.execute(|| ()).unwrap();
///     pool.close();
///     pool.wait_all_async().await; // waits without blocking the executor thread
/// });
/// drop(pool); // nothing left to run: the join only collects the exiting workers
/// ```
///
/// # Examples
///
/// ```
/// use queuekit::ThreadPoolManager;
///
/// let pool = ThreadPoolManager::new(4).unwrap();
/// let handles: Vec<_> = (0..8).map(|i| pool.submit(move || i * i).unwrap()).collect();
/// let squares: Vec<_> = handles.into_iter().map(|h| h.wait().unwrap()).collect();
/// assert_eq!(squares, [0, 1, 4, 9, 16, 25, 36, 49]);
/// assert!(pool.stats().live <= 4);
/// ```
pub struct ThreadPoolManager {
    pub(crate) shared: Arc<Shared>,
}

impl ThreadPoolManager {
    /// A pool of at most `max_workers` threads with an unbounded backlog (Python's
    /// `ThreadPoolExecutor(max_workers)`). No thread starts until work arrives.
    ///
    /// # Errors
    ///
    /// [`PoolBuildError::ZeroWorkers`] if `max_workers` is 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    ///
    /// let pool = ThreadPoolManager::new(2).unwrap();
    /// assert_eq!(pool.stats().live, 0);
    /// assert!(ThreadPoolManager::new(0).is_err());
    /// ```
    pub fn new(max_workers: usize) -> Result<Self, PoolBuildError> {
        Self::builder().max_workers(max_workers).build()
    }

    /// A [`PoolBuilder`] for the other settings.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    ///
    /// let pool = ThreadPoolManager::builder().max_workers(2).max_pending(4).build().unwrap();
    /// assert_eq!((pool.max_workers(), pool.max_pending()), (2, Some(4)));
    /// ```
    pub fn builder() -> PoolBuilder {
        PoolBuilder::new()
    }

    fn from_config(config: Config) -> Self {
        Self {
            shared: Arc::new(Shared::new(config)),
        }
    }

    /// Queues `f` to run on a worker, with no handle. The
    /// cheapest way in: a closure capturing at most three words is stored in the
    /// backlog entry itself, with no allocation. Blocks while a bounded backlog is
    /// full. A panic in `f` is caught and counted in
    /// [`stats().panicked`](Self::stats).
    ///
    /// # Errors
    ///
    /// [`SubmitError::Closed`] after `close`/`terminate`;
    /// [`SubmitError::SpawnFailed`] if no worker exists and none could be started.
    /// Either way the closure comes back in the error.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::sync::Arc;
    ///
    /// let pool = ThreadPoolManager::new(2).unwrap();
    /// let hits = Arc::new(AtomicUsize::new(0));
    /// for _ in 0..100 {
    ///     let hits = Arc::clone(&hits);
    ///     pool.execute(move || {
    ///         hits.fetch_add(1, Ordering::Relaxed);
    ///     })
    ///     .unwrap();
    /// }
    /// pool.wait_all();
    /// assert_eq!(hits.load(Ordering::Relaxed), 100);
    /// ```
    pub fn execute<F>(&self, f: F) -> Result<(), SubmitError<F>>
    where
        F: FnOnce() + Send + 'static,
    {
        self.execute_inner(f, Block::Forever)
    }

    fn execute_inner<F>(&self, f: F, block: Block) -> Result<(), SubmitError<F>>
    where
        F: FnOnce() + Send + 'static,
    {
        // Prepared before the lock is taken: no allocation inside it.
        self.shared
            .accept(Prepared::new(f), Prepared::into_job, block)
            .map_err(|e| e.map(Prepared::into_inner))
    }

    /// Queues `f` and returns a [`TaskHandle`] for its result (Python's
    /// `Executor.submit`). Blocks while a bounded backlog is full, except when
    /// called from inside one of this pool's own tasks: then a full backlog is
    /// [`SubmitError::Full`] at once, since the caller may be the worker that would
    /// have to make room.
    ///
    /// # Errors
    ///
    /// As [`execute`](Self::execute): the closure comes back in the error.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    ///
    /// let pool = ThreadPoolManager::new(2).unwrap();
    /// let h = pool.submit(|| "hello".len()).unwrap();
    /// assert_eq!(h.wait(), Ok(5));
    /// ```
    pub fn submit<F, R>(&self, f: F) -> Result<TaskHandle<R>, SubmitError<F>>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        self.submit_inner(f, Block::Forever)
    }

    /// Like [`submit`](Self::submit) but never blocks: a full backlog is
    /// [`SubmitError::Full`] (Python's `put_nowait`).
    ///
    /// # Errors
    ///
    /// `Full`, `Closed` or `SpawnFailed`, with the closure.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    /// use std::sync::mpsc;
    ///
    /// let pool = ThreadPoolManager::builder().max_workers(1).max_pending(1).build().unwrap();
    /// let (go, gate) = mpsc::channel::<()>();
    /// let (started_tx, started) = mpsc::channel();
    /// let busy = pool.submit(move || { started_tx.send(()).unwrap(); gate.recv().unwrap() }).unwrap();
    /// started.recv().unwrap(); // the worker is busy now
    /// let queued = pool.try_submit(|| 1).unwrap(); // fills the backlog
    /// let err = pool.try_submit(|| 2).unwrap_err();
    /// assert!(err.is_full());
    /// go.send(()).unwrap();
    /// assert_eq!((busy.wait(), queued.wait()), (Ok(()), Ok(1)));
    /// ```
    pub fn try_submit<F, R>(&self, f: F) -> Result<TaskHandle<R>, SubmitError<F>>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        self.submit_inner(f, Block::No)
    }

    /// Like [`submit`](Self::submit), waiting at most `timeout` for room in a full
    /// backlog (Python's `put(item, timeout=t)`).
    ///
    /// # Errors
    ///
    /// `Full` if the backlog stayed full, `Closed`, `SpawnFailed`; with the closure.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    /// use std::time::Duration;
    ///
    /// let pool = ThreadPoolManager::builder().max_pending(4).build().unwrap();
    /// let h = pool.submit_timeout(|| 3, Duration::from_secs(1)).unwrap();
    /// assert_eq!(h.wait(), Ok(3));
    /// ```
    pub fn submit_timeout<F, R>(
        &self,
        f: F,
        timeout: Duration,
    ) -> Result<TaskHandle<R>, SubmitError<F>>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        match Instant::now().checked_add(timeout) {
            Some(deadline) => self.submit_deadline(f, deadline),
            // Too far to name as an instant: no limit.
            None => self.submit(f),
        }
    }

    /// Like [`submit`](Self::submit), waiting until `deadline` at the latest for
    /// room in a full backlog (a deadline already past: as
    /// [`try_submit`](Self::try_submit)).
    ///
    /// # Errors
    ///
    /// As [`submit_timeout`](Self::submit_timeout).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    /// use std::time::{Duration, Instant};
    ///
    /// let pool = ThreadPoolManager::builder().max_pending(4).build().unwrap();
    /// let deadline = Instant::now() + Duration::from_secs(1);
    /// let h = pool.submit_deadline(|| 3, deadline).unwrap();
    /// assert_eq!(h.wait(), Ok(3));
    /// ```
    pub fn submit_deadline<F, R>(
        &self,
        f: F,
        deadline: Instant,
    ) -> Result<TaskHandle<R>, SubmitError<F>>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        self.submit_inner(f, Block::Until(deadline))
    }

    fn submit_inner<F, R>(&self, f: F, block: Block) -> Result<TaskHandle<R>, SubmitError<F>>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        // One allocation, before the lock: closure, result slot and state together.
        let cell = TaskCell::new(f);
        let handle = TaskHandle::new(cell.clone());
        match self.shared.accept(cell, |c| Job::Task(c), block) {
            Ok(()) => Ok(handle),
            Err(e) => {
                drop(handle);
                Err(e.map(TaskCell::into_closure))
            }
        }
    }

    /// Submits `f(item)` for item after item, `f` shared by the tasks: the
    /// handle, or `None` if the pool refused the task (as [`submit`](Self::submit)
    /// refuses: closed, or a full backlog from inside one of its tasks). The
    /// one way `map`, `map_unordered` and `map_bounded` submit.
    pub(super) fn submitter<T, F, R>(&self, f: F) -> impl FnMut(T) -> Option<TaskHandle<R>> + '_
    where
        T: Send + 'static,
        F: Fn(T) -> R + Send + Sync + 'static,
        R: Send + 'static,
    {
        let f = Arc::new(f);
        move |item| {
            let f = Arc::clone(&f);
            self.submit(move || f(item)).ok()
        }
    }

    /// Runs `f` on every item and yields the results in input order (Python's
    /// `Executor.map`). Every item is submitted before this returns; the iterator
    /// then waits for each result in turn. An item the pool refused (it was closed)
    /// yields [`TaskError::Cancelled`]. Called from inside one of this pool's tasks
    /// on a full bounded backlog, the items that do not fit are refused the same
    /// way (see [`submit`](Self::submit)).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    ///
    /// let pool = ThreadPoolManager::new(3).unwrap();
    /// let lengths: Vec<_> = pool
    ///     .map(["a", "bb", "ccc"], |s| s.len())
    ///     .map(Result::unwrap)
    ///     .collect();
    /// assert_eq!(lengths, [1, 2, 3]);
    /// ```
    pub fn map<I, F, R>(&self, items: I, f: F) -> impl Iterator<Item = Result<R, TaskError>>
    where
        I: IntoIterator,
        I::Item: Send + 'static,
        F: Fn(I::Item) -> R + Send + Sync + 'static,
        R: Send + 'static,
    {
        let handles: Vec<_> = items.into_iter().map(self.submitter(f)).collect();
        handles.into_iter().map(|h| match h {
            Some(h) => h.wait(),
            None => Err(TaskError::Cancelled),
        })
    }

    /// The worker cap.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    ///
    /// assert_eq!(ThreadPoolManager::new(3).unwrap().max_workers(), 3);
    /// ```
    #[must_use]
    pub fn max_workers(&self) -> usize {
        self.shared.config.max_workers
    }

    /// The backlog bound; `None` if unbounded.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    ///
    /// assert_eq!(ThreadPoolManager::new(1).unwrap().max_pending(), None);
    /// ```
    #[must_use]
    pub fn max_pending(&self) -> Option<usize> {
        self.shared.config.max_pending
    }
}

impl PoolBuilder {
    /// Checks the settings and creates the pool (no thread starts yet).
    ///
    /// # Errors
    ///
    /// [`PoolBuildError`] for 0 workers, a 0 backlog bound, or a NUL byte in the
    /// thread name.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{PoolBuildError, ThreadPoolManager};
    ///
    /// assert!(ThreadPoolManager::builder().build().is_ok());
    /// let err = ThreadPoolManager::builder().max_workers(0).build().unwrap_err();
    /// assert_eq!(err, PoolBuildError::ZeroWorkers);
    /// ```
    pub fn build(self) -> Result<ThreadPoolManager, PoolBuildError> {
        self.into_config().map(ThreadPoolManager::from_config)
    }
}

impl Drop for ThreadPoolManager {
    /// Closes and joins: every queued task still runs before the drop returns.
    /// Blocks the calling thread meanwhile, an executor's thread too (see
    /// "Dropping in async code" on [`ThreadPoolManager`]).
    fn drop(&mut self) {
        self.join();
    }
}

impl fmt::Debug for ThreadPoolManager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ThreadPoolManager")
            .field("max_workers", &self.max_workers())
            .field("max_pending", &self.max_pending())
            .field("stats", &self.stats())
            .finish()
    }
}
