//! Layer 5: `ThreadPoolManager` (seed 001's pool), `TaskHandle` (a
//! `concurrent.futures.Future`) and `TaskService` (seed 000's results by id).
//!
//! The pool keeps one lock around its backlog and worker counts, in the shape of
//! tokio's blocking pool: workers start lazily, idle ones are counted and claimed by
//! the submit that needs them, and a worker tells a real wake-up from a spurious one
//! by a count of notifications sent.

mod builder;
mod error;
mod handle;
mod job;
mod service;
mod shared;
mod worker;

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use builder::PoolBuilder;
pub use error::{AddTaskError, PoolBuildError, ResultError, SubmitError, TaskError};
pub use handle::TaskHandle;
pub use service::TaskService;

use builder::Config;
use handle::TaskCell;
use job::{Job, Prepared};
use shared::{Block, Shared};

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
/// # Examples
///
/// ```
/// use queuekit::ThreadPoolManager;
///
/// let pool = ThreadPoolManager::new(4).unwrap();
/// let handles: Vec<_> = (0..8).map(|i| pool.submit(move || i * i).unwrap()).collect();
/// let squares: Vec<_> = handles.into_iter().map(|h| h.wait().unwrap()).collect();
/// assert_eq!(squares, [0, 1, 4, 9, 16, 25, 36, 49]);
/// assert!(pool.live_workers() <= 4);
/// ```
pub struct ThreadPoolManager {
    shared: Arc<Shared>,
}

/// A consistent snapshot of a pool's counters, read under one lock.
///
/// # Examples
///
/// ```
/// use queuekit::ThreadPoolManager;
///
/// let pool = ThreadPoolManager::new(2).unwrap();
/// pool.submit(|| ()).unwrap().wait().unwrap();
/// pool.wait_all();
/// let s = pool.stats();
/// assert_eq!(s.completed, 1);
/// assert_eq!(s.live, s.idle + s.busy);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PoolStats {
    /// Worker threads started and not exited.
    pub live: usize,
    /// Live workers waiting for work.
    pub idle: usize,
    /// Live workers running a task or about to take one.
    pub busy: usize,
    /// Tasks queued and not started.
    pub pending: usize,
    /// Tasks that ran to the end, returning or panicking.
    pub completed: usize,
    /// Of `completed`, those that panicked.
    pub panicked: usize,
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
    /// assert_eq!(pool.live_workers(), 0);
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

    /// Queues `f` to run on a worker, with no handle (seed 001's `put`). The
    /// cheapest way in: a closure capturing at most three words is stored in the
    /// backlog entry itself, with no allocation. Blocks while a bounded backlog is
    /// full. A panic in `f` is caught and counted in
    /// [`panicked_tasks`](Self::panicked_tasks).
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
    /// `Executor.submit`). Blocks while a bounded backlog is full.
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
        let block = if timeout.is_zero() {
            Block::No
        } else {
            Instant::now()
                .checked_add(timeout)
                .map_or(Block::Forever, Block::Until)
        };
        self.submit_inner(f, block)
    }

    fn submit_inner<F, R>(&self, f: F, block: Block) -> Result<TaskHandle<R>, SubmitError<F>>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        // One allocation, before the lock: closure, result slot and state together.
        let cell = TaskCell::new(f);
        let handle = cell.handle();
        match self.shared.accept(cell, |c| Job::Task(c), block) {
            Ok(()) => Ok(handle),
            Err(e) => {
                drop(handle);
                Err(e.map(TaskCell::into_closure))
            }
        }
    }

    /// Runs `f` on every item and yields the results in input order (Python's
    /// `Executor.map`). Every item is submitted before this returns; the iterator
    /// then waits for each result in turn. An item the pool refused (it was closed)
    /// yields [`TaskError::Cancelled`].
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
        let f = Arc::new(f);
        let handles: Vec<_> = items
            .into_iter()
            .map(|item| {
                let f = Arc::clone(&f);
                self.submit(move || f(item)).ok()
            })
            .collect();
        handles.into_iter().map(|h| match h {
            Some(h) => h.wait(),
            None => Err(TaskError::Cancelled),
        })
    }

    /// Blocks until every task accepted so far has finished or been cancelled
    /// (Python's `Queue.join`). New tasks may still be submitted meanwhile; tasks
    /// submitted while it waits are waited for too. Called from one of the pool's
    /// own tasks it would wait for that task as well, and never return.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    ///
    /// let pool = ThreadPoolManager::new(2).unwrap();
    /// for _ in 0..10 {
    ///     pool.execute(|| ()).unwrap();
    /// }
    /// pool.wait_all();
    /// assert_eq!(pool.completed_tasks(), 10);
    /// ```
    pub fn wait_all(&self) {
        self.shared.tasks.wait();
    }

    /// Like [`wait_all`](Self::wait_all) with a timeout; `true` if everything
    /// finished in time.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    /// use std::time::Duration;
    ///
    /// let pool = ThreadPoolManager::new(1).unwrap();
    /// pool.execute(|| ()).unwrap();
    /// assert!(pool.wait_all_timeout(Duration::from_secs(60)));
    /// ```
    #[must_use]
    pub fn wait_all_timeout(&self, timeout: Duration) -> bool {
        self.shared.tasks.wait_timeout(timeout)
    }

    /// Refuses new tasks from now on; the backlog still runs, and workers exit once
    /// it is empty (seed 001's `close`, Python's `shutdown(wait=False)`). Idempotent.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    ///
    /// let pool = ThreadPoolManager::new(1).unwrap();
    /// let h = pool.submit(|| 1).unwrap();
    /// pool.close();
    /// assert!(pool.submit(|| 2).unwrap_err().is_closed());
    /// assert_eq!(h.wait(), Ok(1)); // queued work still runs
    /// pool.join();
    /// assert_eq!(pool.live_workers(), 0);
    /// ```
    pub fn close(&self) {
        self.shared.close(false);
    }

    /// Refuses new tasks and cancels the backlog: each queued task's handle reports
    /// [`TaskError::Cancelled`]. Running tasks finish; then the workers exit. Returns
    /// how many queued tasks it cancelled (seed 001's `terminate`, Python's
    /// `shutdown(cancel_futures=True)`).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{TaskError, ThreadPoolManager};
    /// use std::sync::mpsc;
    ///
    /// let pool = ThreadPoolManager::new(1).unwrap();
    /// let (go, gate) = mpsc::channel::<()>();
    /// let (started_tx, started) = mpsc::channel();
    /// let running = pool.submit(move || { started_tx.send(()).unwrap(); gate.recv().unwrap() }).unwrap();
    /// started.recv().unwrap();
    /// let queued = pool.submit(|| "never").unwrap();
    /// assert_eq!(pool.terminate(), 1);
    /// go.send(()).unwrap();
    /// assert_eq!(running.wait(), Ok(()));
    /// assert_eq!(queued.wait(), Err(TaskError::Cancelled));
    /// ```
    pub fn terminate(&self) -> usize {
        let drained = self.shared.close(true);
        let n = drained.len();
        for job in drained {
            job.cancel();
        }
        // After the handles say `Cancelled`, so `wait_all` returning implies it.
        self.shared.tasks.done_up_to(n);
        n
    }

    /// Closes the pool (if still open) and blocks until every worker thread has
    /// exited, so the backlog has run (Python's `shutdown(wait=True)`). Called from
    /// one of this pool's own tasks it waits for every other worker (waiting for
    /// itself would never end).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    ///
    /// let pool = ThreadPoolManager::new(2).unwrap();
    /// for _ in 0..4 {
    ///     pool.execute(|| ()).unwrap();
    /// }
    /// pool.join();
    /// assert_eq!(pool.completed_tasks(), 4);
    /// assert_eq!(pool.live_workers(), 0);
    /// ```
    pub fn join(&self) {
        self.shared.close(false);
        let me = crate::sync::thread::current().id();
        let handles = {
            let mut st = self.shared.state.lock();
            let inside = st.threads.iter().any(|h| h.thread().id() == me);
            let others = usize::from(inside);
            while st.live > others {
                st = self.shared.exited.wait(st);
            }
            let mut handles: Vec<_> = std::mem::take(&mut st.threads);
            handles.extend(st.retired.take());
            // Our own handle stays: a thread cannot join itself.
            if let Some(i) = handles.iter().position(|h| h.thread().id() == me) {
                st.threads.push(handles.swap_remove(i));
            }
            handles
        };
        for h in handles {
            // Workers catch task panics, so a join error cannot carry one; ignore.
            let _ = h.join();
        }
    }

    /// A consistent snapshot of all counters at once.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    ///
    /// let pool = ThreadPoolManager::new(2).unwrap();
    /// let s = pool.stats();
    /// assert_eq!((s.live, s.pending, s.completed), (0, 0, 0));
    /// ```
    #[must_use]
    pub fn stats(&self) -> PoolStats {
        let st = self.shared.state.lock();
        let idle = st.idle + st.spinning;
        PoolStats {
            live: st.live,
            idle,
            busy: st.live.saturating_sub(idle),
            pending: st.queue.len(),
            completed: st.completed,
            panicked: st.panicked,
        }
    }

    /// Worker threads started and not exited.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    ///
    /// let pool = ThreadPoolManager::new(2).unwrap();
    /// pool.submit(|| ()).unwrap().wait().unwrap();
    /// assert!((1..=2).contains(&pool.live_workers()));
    /// ```
    #[must_use]
    pub fn live_workers(&self) -> usize {
        self.stats().live
    }

    /// Live workers waiting for work (seed 001's free list).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    ///
    /// let pool = ThreadPoolManager::new(2).unwrap();
    /// assert_eq!(pool.idle_workers(), 0);
    /// ```
    #[must_use]
    pub fn idle_workers(&self) -> usize {
        self.stats().idle
    }

    /// Live workers running a task or about to take one.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    ///
    /// let pool = ThreadPoolManager::new(2).unwrap();
    /// assert_eq!(pool.busy_workers(), 0);
    /// ```
    #[must_use]
    pub fn busy_workers(&self) -> usize {
        self.stats().busy
    }

    /// Tasks queued and not yet started.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    ///
    /// let pool = ThreadPoolManager::new(1).unwrap();
    /// assert_eq!(pool.pending_tasks(), 0);
    /// ```
    #[must_use]
    pub fn pending_tasks(&self) -> usize {
        self.stats().pending
    }

    /// Tasks that ran to the end (returned or panicked).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    ///
    /// let pool = ThreadPoolManager::new(1).unwrap();
    /// pool.submit(|| ()).unwrap().wait().unwrap();
    /// pool.wait_all();
    /// assert_eq!(pool.completed_tasks(), 1);
    /// ```
    #[must_use]
    pub fn completed_tasks(&self) -> usize {
        self.stats().completed
    }

    /// Tasks that panicked (each also counts as completed).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    ///
    /// let pool = ThreadPoolManager::new(1).unwrap();
    /// pool.execute(|| panic!("counted, not fatal")).unwrap();
    /// pool.wait_all();
    /// assert_eq!(pool.panicked_tasks(), 1);
    /// ```
    #[must_use]
    pub fn panicked_tasks(&self) -> usize {
        self.stats().panicked
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

    /// `true` after [`close`](Self::close), [`terminate`](Self::terminate) or
    /// [`join`](Self::join).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    ///
    /// let pool = ThreadPoolManager::new(1).unwrap();
    /// assert!(!pool.is_closed());
    /// pool.close();
    /// assert!(pool.is_closed());
    /// ```
    #[must_use]
    pub fn is_closed(&self) -> bool {
        self.shared.state.lock().closed
    }
}

#[cfg(all(test, feature = "loom"))]
impl ThreadPoolManager {
    /// For the loom models: the worker accounting adds up right now.
    pub(crate) fn assert_consistent(&self) {
        let st = self.shared.state.lock();
        assert!(
            st.idle + st.spinning + st.notified <= st.live && st.live <= self.max_workers(),
            "live {} idle {} spinning {} notified {} max {}",
            st.live,
            st.idle,
            st.spinning,
            st.notified,
            self.max_workers()
        );
    }

    /// For the loom models: how many worker starts were attempted.
    pub(crate) fn spawn_attempts(&self) -> usize {
        self.shared.state.lock().spawned
    }

    /// For the loom models: no worker is running or about to run anything.
    pub(crate) fn is_quiescent(&self) -> bool {
        let st = self.shared.state.lock();
        st.queue.is_empty() && st.notified == 0 && st.spinning == 0 && st.idle == st.live
    }
}

impl Drop for ThreadPoolManager {
    /// Closes and joins: every queued task still runs before the drop returns.
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
