//! `PoolBuilder`: every knob of a `ThreadPoolManager`, checked by `build`.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::error::PoolBuildError;

/// A worker hook: user code run on a worker's own thread.
#[derive(Clone)]
pub(crate) struct Hook(pub(crate) Arc<dyn Fn(usize) + Send + Sync>);

impl fmt::Debug for Hook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Hook(..)")
    }
}

/// The settings of a pool, fixed at `build`.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) max_workers: usize,
    /// `None`: unbounded backlog.
    pub(crate) max_pending: Option<usize>,
    pub(crate) thread_name: String,
    pub(crate) stack_size: Option<usize>,
    /// `None`: idle workers never exit on their own.
    pub(crate) idle_timeout: Option<Duration>,
    /// Run by each worker before its first task.
    pub(crate) on_worker_start: Option<Hook>,
    /// Run by each worker (whose start hook returned) as it leaves.
    pub(crate) on_worker_exit: Option<Hook>,
}

/// Configures a [`ThreadPoolManager`](crate::ThreadPoolManager): worker cap, backlog bound, thread names,
/// stack size, idle timeout, worker hooks. Made by
/// [`ThreadPoolManager::builder`](crate::ThreadPoolManager::builder).
///
/// # Examples
///
/// ```
/// use queuekit::ThreadPoolManager;
/// use std::time::Duration;
///
/// let pool = ThreadPoolManager::builder()
///     .max_workers(4)
///     .max_pending(100)
///     .thread_name("downloader")
///     .stack_size(256 * 1024)
///     .idle_timeout(Duration::from_secs(30))
///     .build()
///     .unwrap();
/// let name = pool.submit(|| std::thread::current().name().map(String::from)).unwrap();
/// assert!(name.wait().unwrap().unwrap().starts_with("downloader-"));
/// ```
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct PoolBuilder {
    config: Config,
}

impl PoolBuilder {
    /// Defaults: one worker per available CPU, unbounded backlog, threads named
    /// `queuekit-worker-N`, the platform's stack size, no idle timeout.
    pub(crate) fn new() -> Self {
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        Self {
            config: Config {
                max_workers: cpus,
                max_pending: None,
                thread_name: "queuekit-worker".to_owned(),
                stack_size: None,
                idle_timeout: None,
                on_worker_start: None,
                on_worker_exit: None,
            },
        }
    }

    /// At most this many worker threads (at least 1; `build` refuses 0). Workers
    /// start lazily, one per submit that finds no idle worker.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    ///
    /// let pool = ThreadPoolManager::builder().max_workers(3).build().unwrap();
    /// assert_eq!(pool.max_workers(), 3);
    /// assert_eq!(pool.stats().live, 0); // none started yet
    /// ```
    pub fn max_workers(mut self, n: usize) -> Self {
        self.config.max_workers = n;
        self
    }

    /// Bounds the backlog of queued, unstarted tasks (Python's `Queue(maxsize)`):
    /// `submit` and `execute` then block while it is full, `try_submit` fails with
    /// [`SubmitError::Full`](crate::SubmitError::Full). Unset means unbounded; `build`
    /// refuses 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    ///
    /// let pool = ThreadPoolManager::builder().max_pending(8).build().unwrap();
    /// assert_eq!(pool.max_pending(), Some(8));
    /// ```
    pub fn max_pending(mut self, n: usize) -> Self {
        self.config.max_pending = Some(n);
        self
    }

    /// Worker threads are named `{prefix}-{n}`.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    ///
    /// let pool = ThreadPoolManager::builder().thread_name("io").build().unwrap();
    /// let h = pool.submit(|| std::thread::current().name().unwrap().to_owned()).unwrap();
    /// assert_eq!(h.wait().unwrap(), "io-0");
    /// ```
    pub fn thread_name(mut self, prefix: impl Into<String>) -> Self {
        self.config.thread_name = prefix.into();
        self
    }

    /// Stack size of each worker thread, in bytes. A size the system cannot provide
    /// makes worker start-up fail: see
    /// [`SubmitError::SpawnFailed`](crate::SubmitError::SpawnFailed).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    ///
    /// let pool = ThreadPoolManager::builder().stack_size(4 << 20).build().unwrap();
    /// assert_eq!(pool.submit(|| 1).unwrap().wait(), Ok(1));
    /// ```
    pub fn stack_size(mut self, bytes: usize) -> Self {
        self.config.stack_size = Some(bytes);
        self
    }

    /// A worker idle this long exits; a later submit starts a new one when needed.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    /// use std::time::Duration;
    ///
    /// let pool = ThreadPoolManager::builder()
    ///     .idle_timeout(Duration::from_millis(1))
    ///     .build()
    ///     .unwrap();
    /// pool.submit(|| ()).unwrap().wait().unwrap();
    /// while pool.stats().live > 0 {
    ///     std::thread::sleep(Duration::from_millis(1));
    /// }
    /// ```
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.config.idle_timeout = Some(timeout);
        self
    }

    /// Runs `hook` on each worker's own thread when it starts, before its first
    /// task (Python's `ThreadPoolExecutor(initializer=)`, rayon's
    /// `start_handler`): open a connection, set thread-local state, pin the thread.
    /// It gets the worker's number, the one in its thread name: 0 for the first
    /// worker the pool starts, counting up. Workers start lazily and may retire
    /// ([`idle_timeout`](Self::idle_timeout)); a worker started later gets a new
    /// number, so numbers are unique for the pool's life but not bounded by
    /// [`max_workers`](Self::max_workers) (rayon's are `0..num_threads`).
    ///
    /// Only the pool's workers run it: a scoped task the caller of
    /// [`scope`](crate::ThreadPoolManager::scope) runs itself while it waits (it
    /// helps) runs on the caller's thread, where this hook never ran.
    ///
    /// If the hook panics, the pool is *broken* (Python's `BrokenThreadPool`): it
    /// is closed, further submits fail with
    /// [`SubmitError::Broken`](crate::SubmitError::Broken), the task that started
    /// that worker and every queued task are cancelled (their handles report
    /// [`TaskError::Cancelled`](crate::TaskError::Cancelled)), running tasks
    /// finish, and the worker exits without running the exit hook.
    /// [`broken_reason`](crate::ThreadPoolManager::broken_reason) keeps the panic
    /// message, and the panic is counted in
    /// [`PoolStats::panicked`](crate::PoolStats::panicked).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    /// use std::cell::Cell;
    ///
    /// thread_local!(static CONNECTION: Cell<Option<usize>> = const { Cell::new(None) });
    ///
    /// let pool = ThreadPoolManager::builder()
    ///     .max_workers(2)
    ///     .on_worker_start(|worker| CONNECTION.with(|c| c.set(Some(worker))))
    ///     .build()
    ///     .unwrap();
    /// let h = pool.submit(|| CONNECTION.with(Cell::get)).unwrap();
    /// assert_eq!(h.wait(), Ok(Some(0))); // the first worker the pool started
    /// ```
    pub fn on_worker_start(mut self, hook: impl Fn(usize) + Send + Sync + 'static) -> Self {
        self.config.on_worker_start = Some(Hook(Arc::new(hook)));
        self
    }

    /// Runs `hook` on each worker's own thread as it leaves: after the pool was
    /// closed or terminated, or when it retires after
    /// [`idle_timeout`](Self::idle_timeout) (rayon's `exit_handler`). Not run by a
    /// worker whose start hook panicked. It gets the worker's number, as
    /// [`on_worker_start`](Self::on_worker_start). `join` and `Drop` return only after the
    /// exit hooks ran. A panic in it is caught and counted in
    /// [`PoolStats::panicked`](crate::PoolStats::panicked); the worker still exits
    /// cleanly.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::sync::Arc;
    ///
    /// let exits = Arc::new(AtomicUsize::new(0));
    /// let counter = Arc::clone(&exits);
    /// let pool = ThreadPoolManager::builder()
    ///     .max_workers(2)
    ///     .on_worker_exit(move |_worker| {
    ///         counter.fetch_add(1, Ordering::SeqCst);
    ///     })
    ///     .build()
    ///     .unwrap();
    /// pool.submit(|| ()).unwrap().wait().unwrap();
    /// let started = pool.stats().live;
    /// pool.join();
    /// assert_eq!(exits.load(Ordering::SeqCst), started);
    /// ```
    pub fn on_worker_exit(mut self, hook: impl Fn(usize) + Send + Sync + 'static) -> Self {
        self.config.on_worker_exit = Some(Hook(Arc::new(hook)));
        self
    }

    /// The settings, checked: what [`build`](Self::build) starts a pool from.
    pub(crate) fn into_config(self) -> Result<Config, PoolBuildError> {
        let c = &self.config;
        if c.max_workers == 0 {
            return Err(PoolBuildError::ZeroWorkers);
        }
        if c.max_pending == Some(0) {
            return Err(PoolBuildError::ZeroPending);
        }
        if c.thread_name.contains('\0') {
            return Err(PoolBuildError::NulInThreadName);
        }
        Ok(self.config)
    }
}
