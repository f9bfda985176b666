//! `TaskService<K, R>`: a pool that keeps each task's outcome by id
//! (failures included) instead of logged and lost.

use std::collections::HashMap;
use std::fmt;
use std::hash::Hash;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::builder::PoolBuilder;
use super::error::{AddTaskError, PoolBuildError, ResultError, TaskError};
use super::job::{Job, Work};
use super::manager::ThreadPoolManager;
use super::shared::Block;
use crate::mutex::Mutex;
use crate::panic::panic_message;
use crate::sync::fault::{self, Fault};
use crate::waiters::Waiters;

/// Where one task's outcome lands. The job holds its own `Landing` and writes
/// there without looking its id up, so recording a result never runs the key's
/// `Hash` or `Eq` on a worker. Written and read under the map's lock.
pub(super) type Landing<R> = Arc<Mutex<Option<Result<R, TaskError>>>>;

pub(super) struct Results<K, R> {
    pub(super) map: Mutex<HashMap<K, Landing<R>>>,
    /// Threads in `result` and tasks awaiting `result_async` (`pool/future.rs`),
    /// both registered under `map`'s lock.
    pub(super) landed: Waiters,
}

impl<K, R> Results<K, R> {
    fn record(&self, landing: &Landing<R>, outcome: Result<R, TaskError>) {
        // The map's lock, not its contents: a `result` waiter checks its landing
        // under this lock before it sleeps, so the notify below cannot be missed.
        let map = self.map.lock();
        *landing.lock() = Some(outcome);
        drop(map);
        self.landed.notify_all();
    }
}

/// One task on its way through the pool.
struct Keyed<K, R, F> {
    job: Option<F>,
    landing: Landing<R>,
    results: Arc<Results<K, R>>,
}

impl<K, R, F> Work for Keyed<K, R, F>
where
    K: Send + 'static,
    R: Send + 'static,
    F: FnOnce() -> R + Send + 'static,
{
    fn run_boxed(mut self: Box<Self>) {
        let Some(job) = self.job.take() else {
            return;
        };
        match panic::catch_unwind(AssertUnwindSafe(job)) {
            Ok(r) => self.results.record(&self.landing, Ok(r)),
            Err(payload) => {
                let msg = panic_message(&*payload);
                self.results
                    .record(&self.landing, Err(TaskError::Panicked(msg)));
                // Let the pool count the panic too (it catches it again).
                panic::resume_unwind(payload);
            }
        }
    }
}

impl<K, R, F> Drop for Keyed<K, R, F> {
    fn drop(&mut self) {
        // Dropped unrun (the pool terminated): say so before the closure itself is
        // dropped, which may panic (the pool catches that).
        if self.job.is_some() {
            self.results
                .record(&self.landing, Err(TaskError::Cancelled));
        }
    }
}

/// A pool that keeps every task's outcome by id until asked for it (`add_task`,
/// `result`, `wait_completion`); a failing job's error is kept as an `Err`, never
/// only logged.
///
/// Each result is handed out once: after [`result`](Self::result) returns it, the id
/// is forgotten (and may be used again).
///
/// # Examples
///
/// ```
/// use queuekit::{ResultError, TaskError, TaskService};
///
/// let service = TaskService::new(2).unwrap();
/// service.add_task("ok", || 1).unwrap();
/// service.add_task("bad", || -> i32 { panic!("404") }).unwrap();
/// service.wait_completion();
/// assert_eq!(service.result(&"ok"), Ok(1));
/// assert_eq!(
///     service.result(&"bad"),
///     Err(ResultError::Failed(TaskError::Panicked("404".into())))
/// );
/// assert_eq!(service.result(&"ok"), Err(ResultError::UnknownTask)); // taken already
/// ```
pub struct TaskService<K, R> {
    pub(super) results: Arc<Results<K, R>>,
    pool: ThreadPoolManager,
}

impl<K, R> TaskService<K, R>
where
    K: Eq + Hash + Clone + Send + 'static,
    R: Send + 'static,
{
    /// A service running jobs on at most `workers` threads.
    ///
    /// # Errors
    ///
    /// [`PoolBuildError::ZeroWorkers`] if `workers` is 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::TaskService;
    ///
    /// let service: TaskService<u32, String> = TaskService::new(4).unwrap();
    /// assert!(TaskService::<u32, String>::new(0).is_err());
    /// # drop(service);
    /// ```
    pub fn new(workers: usize) -> Result<Self, PoolBuildError> {
        Self::with_pool(ThreadPoolManager::builder().max_workers(workers))
    }

    /// A service on a pool configured by `builder` (thread names, backlog bound,
    /// idle timeout…).
    ///
    /// # Errors
    ///
    /// Whatever [`PoolBuilder::build`] refuses.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{TaskService, ThreadPoolManager};
    ///
    /// let service = TaskService::with_pool(
    ///     ThreadPoolManager::builder().max_workers(2).thread_name("download"),
    /// )
    /// .unwrap();
    /// service.add_task(1, || std::thread::current().name().unwrap().to_owned()).unwrap();
    /// assert!(service.result(&1).unwrap().starts_with("download-"));
    /// ```
    pub fn with_pool(builder: PoolBuilder) -> Result<Self, PoolBuildError> {
        Ok(Self {
            results: Arc::new(Results {
                map: Mutex::new(HashMap::new()),
                landed: Waiters::new(),
            }),
            pool: builder.build()?,
        })
    }

    /// Queues `job` under `id`.
    ///
    /// # Errors
    ///
    /// [`AddTaskError::Duplicate`] if `id` is queued, running, or has a result not
    /// yet taken; [`AddTaskError::Refused`] if the pool refused it. Both hand back
    /// the id and the job.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::TaskService;
    ///
    /// let service = TaskService::new(2).unwrap();
    /// for page in 1..=3 {
    ///     service.add_task(page, move || format!("page {page}")).unwrap();
    /// }
    /// assert_eq!(service.result(&2).unwrap(), "page 2");
    /// assert!(service.add_task(1, || String::new()).is_err()); // 1 not taken yet
    /// ```
    pub fn add_task<F>(&self, id: K, job: F) -> Result<(), AddTaskError<K, F>>
    where
        F: FnOnce() -> R + Send + 'static,
    {
        let landing: Landing<R> = Arc::new(Mutex::new(None));
        {
            let mut map = self.results.map.lock();
            if map.contains_key(&id) {
                return Err(AddTaskError::Duplicate(id, job));
            }
            map.insert(id.clone(), Arc::clone(&landing));
        }
        // Boxed before the pool's lock is taken; turned into a job without another
        // allocation, and still ours to take apart if the pool refuses it.
        let keyed = Box::new(Keyed {
            job: Some(job),
            landing,
            results: Arc::clone(&self.results),
        });
        let to_job = |k: Box<Keyed<K, R, F>>| Job::Plain(k);
        match self.pool.shared.accept(keyed, to_job, Block::Forever) {
            Ok(()) => Ok(()),
            Err(e) => {
                let mut job = None;
                let e = e.map(|mut k| job = k.job.take());
                self.results.map.lock().remove(&id);
                // A `result(&id)` caller may already wait for it: it now learns
                // that the id is unknown.
                if !fault::active(Fault::ServiceRefusalSkipsNotify) {
                    self.results.landed.notify_all();
                }
                match job {
                    Some(job) => Err(AddTaskError::Refused(id, e.map(|()| job))),
                    // Not reached: a refused job is handed back untouched.
                    None => Ok(()),
                }
            }
        }
    }

    /// Blocks until the task `id` has finished and takes its outcome.
    ///
    /// # Errors
    ///
    /// [`ResultError::UnknownTask`] at once if no task has this id (never a hang);
    /// [`ResultError::Failed`] if it panicked.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{ResultError, TaskService};
    ///
    /// let service = TaskService::new(1).unwrap();
    /// service.add_task("x", || 10).unwrap();
    /// assert_eq!(service.result(&"x"), Ok(10));
    /// assert_eq!(service.result(&"y"), Err(ResultError::UnknownTask));
    /// ```
    pub fn result(&self, id: &K) -> Result<R, ResultError> {
        self.result_inner(id, Block::Forever)
    }

    /// The outcome of task `id` if it has finished, without blocking.
    ///
    /// # Errors
    ///
    /// [`ResultError::NotFinished`] while it is queued or running (the result will
    /// still be kept), `UnknownTask`, `Failed`.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{ResultError, TaskService};
    ///
    /// let service = TaskService::new(1).unwrap();
    /// service.add_task(7, || "seven").unwrap();
    /// service.wait_completion();
    /// assert_eq!(service.try_result(&7), Ok("seven"));
    /// assert_eq!(service.try_result(&7), Err(ResultError::UnknownTask));
    /// ```
    pub fn try_result(&self, id: &K) -> Result<R, ResultError> {
        self.result_inner(id, Block::No)
    }

    /// Like [`result`](Self::result), waiting at most `timeout`.
    ///
    /// # Errors
    ///
    /// [`ResultError::NotFinished`] if the time ran out (the result will still be
    /// kept), `UnknownTask`, `Failed`.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::TaskService;
    /// use std::time::Duration;
    ///
    /// let service = TaskService::new(1).unwrap();
    /// service.add_task("quick", || 1).unwrap();
    /// assert_eq!(service.result_timeout(&"quick", Duration::from_secs(60)), Ok(1));
    /// ```
    pub fn result_timeout(&self, id: &K, timeout: Duration) -> Result<R, ResultError> {
        match Instant::now().checked_add(timeout) {
            Some(deadline) => self.result_deadline(id, deadline),
            // Too far to name as an instant: no limit.
            None => self.result(id),
        }
    }

    /// Like [`result`](Self::result), giving up at `deadline` with
    /// [`ResultError::NotFinished`]; the result is still kept for a later call.
    ///
    /// # Errors
    ///
    /// As [`result_timeout`](Self::result_timeout).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::TaskService;
    /// use std::time::{Duration, Instant};
    ///
    /// let service = TaskService::new(1).unwrap();
    /// service.add_task("quick", || 1).unwrap();
    /// let deadline = Instant::now() + Duration::from_secs(60);
    /// assert_eq!(service.result_deadline(&"quick", deadline), Ok(1));
    /// ```
    pub fn result_deadline(&self, id: &K, deadline: Instant) -> Result<R, ResultError> {
        self.result_inner(id, Block::Until(deadline))
    }

    fn result_inner(&self, id: &K, block: Block) -> Result<R, ResultError> {
        let mut map = self.results.map.lock();
        loop {
            match map.get(id) {
                None => return Err(ResultError::UnknownTask),
                Some(landing) => {
                    let outcome = landing.lock().take();
                    if let Some(outcome) = outcome {
                        map.remove(id);
                        return outcome.map_err(ResultError::Failed);
                    }
                }
            }
            map = match block {
                Block::No => return Err(ResultError::NotFinished),
                Block::Forever => self.results.landed.threads.wait(map),
                Block::Until(deadline) => {
                    let (g, r) = self.results.landed.threads.wait_deadline(map, deadline);
                    // Look once more before believing the timeout.
                    let running = g.get(id).is_some_and(|l| l.lock().is_none());
                    if r.timed_out() && running {
                        return Err(ResultError::NotFinished);
                    }
                    g
                }
            };
        }
    }

    /// Blocks until every task added so far has finished, without stopping the
    /// service: more tasks may follow.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::TaskService;
    ///
    /// let service = TaskService::new(2).unwrap();
    /// for i in 0..4 {
    ///     service.add_task(i, move || i * 2).unwrap();
    /// }
    /// service.wait_completion();
    /// assert_eq!(service.try_result(&3), Ok(6));
    /// ```
    pub fn wait_completion(&self) {
        self.pool.wait_all();
    }

    /// Stops the service after every queued job has run and returns all results
    /// not taken yet, by id.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::TaskService;
    ///
    /// let service = TaskService::new(2).unwrap();
    /// service.add_task("a", || 1).unwrap();
    /// service.add_task("b", || 2).unwrap();
    /// let all = service.into_results();
    /// assert_eq!(all.len(), 2);
    /// assert_eq!(all["b"], Ok(2));
    /// ```
    pub fn into_results(self) -> HashMap<K, Result<R, TaskError>> {
        self.pool.join();
        let map = std::mem::take(&mut *self.results.map.lock());
        map.into_iter()
            .filter_map(|(k, landing)| {
                let outcome = landing.lock().take();
                outcome.map(|o| (k, o))
            })
            .collect()
    }

    /// The pool underneath, for its counters (`stats()`).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::TaskService;
    ///
    /// let service = TaskService::new(3).unwrap();
    /// assert_eq!(service.pool().max_workers(), 3);
    /// # let _: &TaskService<u8, u8> = &service;
    /// ```
    pub fn pool(&self) -> &ThreadPoolManager {
        &self.pool
    }
}

impl<K, R> fmt::Debug for TaskService<K, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskService")
            .field("pool", &self.pool)
            .finish_non_exhaustive()
    }
}
