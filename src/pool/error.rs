//! The errors of the pool layer, each with its `Display`.
//!
//! Every error that stands for a refused closure or job carries it back, so nothing
//! handed to the pool is lost because it was refused.

use std::error::Error;
use std::fmt;
use std::hash::{Hash, Hasher};

/// Why the pool refused a task; carries the closure back to the caller.
///
/// The closure is held in an [`Unshared`], reachable only by value
/// ([`into_inner`](Self::into_inner)), so the error is `Send + Sync` for any
/// closure the pool takes (`Send`), `Sync` or not: `?` turns it into a
/// `Box<dyn Error + Send + Sync>` (or an `anyhow::Error`) without asking more of
/// the closure.
///
/// Match it with a wildcard arm if you can: `Broken` was added with the worker
/// hooks (pre-1.0), and more variants may come.
///
/// # Examples
///
/// ```
/// use queuekit::{SubmitError, ThreadPoolManager};
///
/// let pool = ThreadPoolManager::new(1).unwrap();
/// pool.close();
/// let err = pool.execute(|| println!("never runs")).unwrap_err();
/// assert!(err.is_closed());
/// assert_eq!(err.to_string(), "thread pool is closed");
/// let job = err.into_inner(); // the closure, back in our hands
/// job();
/// ```
///
/// `?` into a boxed error, with a closure that is not `Sync` (it captures a
/// `Cell`):
///
/// ```
/// use queuekit::ThreadPoolManager;
/// use std::cell::Cell;
/// use std::error::Error;
///
/// fn run(pool: &ThreadPoolManager) -> Result<u32, Box<dyn Error + Send + Sync>> {
///     let hits = Cell::new(0);
///     let handle = pool.submit(move || {
///         hits.set(hits.get() + 1);
///         hits.get()
///     })?;
///     Ok(handle.wait()?)
/// }
///
/// let pool = ThreadPoolManager::new(1).unwrap();
/// assert_eq!(run(&pool).unwrap(), 1);
/// pool.close();
/// assert_eq!(run(&pool).unwrap_err().to_string(), "thread pool is closed");
/// ```
pub enum SubmitError<F> {
    /// The backlog stayed full (`try_submit`, or `submit_timeout` ran out of time).
    Full(Unshared<F>),
    /// The pool was closed or terminated.
    Closed(Unshared<F>),
    /// No worker was running and the operating system refused to start one (thread
    /// limit, out of memory, a stack size it cannot map).
    SpawnFailed(Unshared<F>),
    /// A worker's start hook ([`PoolBuilder::on_worker_start`]) panicked, so the
    /// pool refuses all work (Python's `BrokenThreadPool`). The panic message is
    /// kept by [`ThreadPoolManager::broken_reason`].
    ///
    /// [`PoolBuilder::on_worker_start`]: crate::PoolBuilder::on_worker_start
    /// [`ThreadPoolManager::broken_reason`]: crate::ThreadPoolManager::broken_reason
    Broken(Unshared<F>),
}

impl<F> SubmitError<F> {
    /// The closure that was not accepted.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::SubmitError;
    ///
    /// assert_eq!(SubmitError::Full(3.into()).into_inner(), 3);
    /// ```
    pub fn into_inner(self) -> F {
        match self {
            Self::Full(f) | Self::Closed(f) | Self::SpawnFailed(f) | Self::Broken(f) => {
                f.into_inner()
            }
        }
    }

    /// The same error around a different value (for the pool's own wrappers).
    pub(crate) fn map<G>(self, f: impl FnOnce(F) -> G) -> SubmitError<G> {
        let wrap = |x: Unshared<F>| Unshared::new(f(x.into_inner()));
        match self {
            Self::Full(x) => SubmitError::Full(wrap(x)),
            Self::Closed(x) => SubmitError::Closed(wrap(x)),
            Self::SpawnFailed(x) => SubmitError::SpawnFailed(wrap(x)),
            Self::Broken(x) => SubmitError::Broken(wrap(x)),
        }
    }

    /// The value, whatever the variant (for the comparison impls).
    fn payload(&self) -> &Unshared<F> {
        match self {
            Self::Full(f) | Self::Closed(f) | Self::SpawnFailed(f) | Self::Broken(f) => f,
        }
    }

    /// `true` for [`SubmitError::Full`].
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::SubmitError;
    ///
    /// assert!(SubmitError::Full(().into()).is_full());
    /// ```
    #[must_use]
    pub fn is_full(&self) -> bool {
        matches!(self, Self::Full(_))
    }

    /// `true` for [`SubmitError::Closed`].
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::SubmitError;
    ///
    /// assert!(SubmitError::Closed(().into()).is_closed());
    /// ```
    #[must_use]
    pub fn is_closed(&self) -> bool {
        matches!(self, Self::Closed(_))
    }

    /// `true` for [`SubmitError::Broken`].
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    ///
    /// let pool = ThreadPoolManager::builder()
    ///     .on_worker_start(|_| panic!("no database"))
    ///     .build()
    ///     .unwrap();
    /// let first = pool.submit(|| 1).unwrap(); // accepted; its worker then breaks
    /// assert!(first.wait().is_err());
    /// assert!(pool.submit(|| 2).unwrap_err().is_broken());
    /// ```
    #[must_use]
    pub fn is_broken(&self) -> bool {
        matches!(self, Self::Broken(_))
    }
}

impl<F: Clone + Sync> Clone for SubmitError<F> {
    fn clone(&self) -> Self {
        let f = self.payload().clone();
        match self {
            Self::Full(_) => Self::Full(f),
            Self::Closed(_) => Self::Closed(f),
            Self::SpawnFailed(_) => Self::SpawnFailed(f),
            Self::Broken(_) => Self::Broken(f),
        }
    }
}

impl<F: Copy + Sync> Copy for SubmitError<F> {}

impl<F: PartialEq + Sync> PartialEq for SubmitError<F> {
    fn eq(&self, other: &Self) -> bool {
        std::mem::discriminant(self) == std::mem::discriminant(other)
            && self.payload() == other.payload()
    }
}

impl<F: Eq + Sync> Eq for SubmitError<F> {}

impl<F: Hash + Sync> Hash for SubmitError<F> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        std::mem::discriminant(self).hash(state);
        self.payload().hash(state);
    }
}

impl<F> fmt::Debug for SubmitError<F> {
    /// Shows the variant only, so closures (which are not `Debug`) can be unwrapped.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Full(_) => "Full(..)",
            Self::Closed(_) => "Closed(..)",
            Self::SpawnFailed(_) => "SpawnFailed(..)",
            Self::Broken(_) => "Broken(..)",
        })
    }
}

impl<F> fmt::Display for SubmitError<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Full(_) => "thread pool backlog is full",
            Self::Closed(_) => "thread pool is closed",
            Self::SpawnFailed(_) => "could not start a worker thread",
            Self::Broken(_) => "thread pool is broken: a worker's start hook panicked",
        })
    }
}

impl<F> Error for SubmitError<F> {}

/// A value carried by an error that hands it back by value only
/// ([`into_inner`](Self::into_inner)), never as `&T`: so the error is `Sync`
/// whatever `T` is, and a [`SubmitError`] holding a closure that is not `Sync`
/// still goes into a `Box<dyn Error + Send + Sync>`. (The idea of the standard
/// library's unstable `Exclusive`.) Comparing, hashing or cloning it reads the
/// value through `&T`, so those need `T: Sync`.
///
/// # Examples
///
/// ```
/// use queuekit::{SubmitError, Unshared};
/// use std::cell::Cell;
///
/// fn sync<X: Sync>(_: &X) {}
/// let held = Unshared::new(Cell::new(5)); // a Cell is not Sync
/// sync(&held);
/// assert_eq!(held.into_inner().get(), 5);
///
/// let err = SubmitError::Closed(Unshared::new(|| 7));
/// match err {
///     SubmitError::Closed(job) => assert_eq!((job.into_inner())(), 7),
///     _ => unreachable!(),
/// }
/// ```
pub struct Unshared<T>(T);

impl<T> Unshared<T> {
    /// Wraps `value`.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::Unshared;
    ///
    /// assert_eq!(Unshared::new("job").into_inner(), "job");
    /// ```
    pub const fn new(value: T) -> Self {
        Self(value)
    }

    /// The value back, by value.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::Unshared;
    ///
    /// let job = Unshared::new(|| 6 * 7);
    /// assert_eq!(job.into_inner()(), 42);
    /// ```
    pub fn into_inner(self) -> T {
        self.0
    }

    /// The value, borrowed exclusively: `&mut self` proves no other thread can
    /// reach it meanwhile.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::Unshared;
    ///
    /// let mut n = Unshared::new(1);
    /// *n.get_mut() += 1;
    /// assert_eq!(n.into_inner(), 2);
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.0
    }

    /// The value through a shared borrow, for the impls that ask `T: Sync`.
    fn get(&self) -> &T
    where
        T: Sync,
    {
        &self.0
    }
}

// SAFETY: `Sync` means `&Unshared<T>` may be used from several threads at once.
// Through `&Unshared<T>` nothing reaches the `T` except the `Clone`,
// `PartialEq`, `Hash` impls (and the private `get` they use), and those all
// require `T: Sync`, for which sharing `&T` is sound; `Debug` does not look at
// the value. Everything else needs the `Unshared` by value (`into_inner`) or by
// `&mut` (`get_mut`), which no other thread can hold at the same time. So no
// `&T` of a non-`Sync` `T` is ever shared between threads. Moving the value to
// another thread is `Send`, which stays the auto trait's (`T: Send`).
unsafe impl<T> Sync for Unshared<T> {}

impl<T> From<T> for Unshared<T> {
    fn from(value: T) -> Self {
        Self(value)
    }
}

impl<T: Clone + Sync> Clone for Unshared<T> {
    fn clone(&self) -> Self {
        Self(self.get().clone())
    }
}

impl<T: Copy + Sync> Copy for Unshared<T> {}

impl<T: PartialEq + Sync> PartialEq for Unshared<T> {
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}

impl<T: Eq + Sync> Eq for Unshared<T> {}

impl<T: Hash + Sync> Hash for Unshared<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.get().hash(state);
    }
}

impl<T> fmt::Debug for Unshared<T> {
    /// Never shows the value (it need not be `Debug`, and is not read through `&`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Unshared(..)")
    }
}

/// Why a task produced no value: Python's `Future.result()` raising.
///
/// # Examples
///
/// ```
/// use queuekit::{TaskError, ThreadPoolManager};
///
/// let pool = ThreadPoolManager::new(1).unwrap();
/// let handle = pool.submit(|| -> u32 { panic!("boom") }).unwrap();
/// assert_eq!(handle.wait(), Err(TaskError::Panicked("boom".into())));
/// assert_eq!(TaskError::Cancelled.to_string(), "task was cancelled");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TaskError {
    /// The task panicked; the panic message (or a placeholder if the payload was not
    /// a string).
    Panicked(String),
    /// The task never ran: cancelled through its handle, by
    /// [`terminate`](crate::ThreadPoolManager::terminate), or because a worker's
    /// start hook panicked and broke the pool (see
    /// [`SubmitError::Broken`]).
    Cancelled,
    /// The handle's result was already handed out: it was awaited to completion
    /// (polled as a `Future`) and then waited on or polled again.
    ResultTaken,
}

impl fmt::Display for TaskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Panicked(msg) => write!(f, "task panicked: {msg}"),
            Self::Cancelled => f.write_str("task was cancelled"),
            Self::ResultTaken => f.write_str("task result was already taken"),
        }
    }
}

impl Error for TaskError {}

/// A pool configuration that [`PoolBuilder::build`](crate::PoolBuilder::build) refuses.
///
/// # Examples
///
/// ```
/// use queuekit::{PoolBuildError, ThreadPoolManager};
///
/// assert_eq!(ThreadPoolManager::new(0).unwrap_err(), PoolBuildError::ZeroWorkers);
/// let err = ThreadPoolManager::builder().max_pending(0).build().unwrap_err();
/// assert_eq!(err, PoolBuildError::ZeroPending);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PoolBuildError {
    /// `max_workers` was 0: such a pool could never run anything.
    ZeroWorkers,
    /// `max_pending` was 0: every submit would be refused. Leave it unset for an
    /// unbounded backlog.
    ZeroPending,
    /// The thread name prefix contains a NUL byte, which thread names cannot hold.
    NulInThreadName,
}

impl fmt::Display for PoolBuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::ZeroWorkers => "max_workers must be at least 1",
            Self::ZeroPending => "max_pending must be at least 1 (leave it unset for no limit)",
            Self::NulInThreadName => "thread name prefix contains a NUL byte",
        })
    }
}

impl Error for PoolBuildError {}

/// Why [`TaskService::add_task`](crate::TaskService::add_task) refused a job; carries
/// the id and the job back.
///
/// # Examples
///
/// ```
/// use queuekit::{AddTaskError, TaskService};
///
/// let service = TaskService::new(1).unwrap();
/// service.add_task("a", || 1).unwrap();
/// let err = service.add_task("a", || 2).unwrap_err();
/// assert!(matches!(err, AddTaskError::Duplicate(..)));
/// assert_eq!(err.to_string(), "a task with this id is already known");
/// let (id, job) = err.into_inner();
/// assert_eq!((id, job()), ("a", 2));
/// ```
pub enum AddTaskError<K, F> {
    /// A task with this id is running, queued, or has a result nobody took yet.
    Duplicate(K, F),
    /// The service's pool refused the job (see [`SubmitError`]).
    Refused(K, SubmitError<F>),
}

impl<K, F> AddTaskError<K, F> {
    /// The id and the job that were not accepted.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::AddTaskError;
    ///
    /// let e: AddTaskError<u8, &str> = AddTaskError::Duplicate(1, "job");
    /// assert_eq!(e.into_inner(), (1, "job"));
    /// ```
    pub fn into_inner(self) -> (K, F) {
        match self {
            Self::Duplicate(k, f) => (k, f),
            Self::Refused(k, e) => (k, e.into_inner()),
        }
    }
}

// By hand, not derived: comparing a `Refused` error reads the closure through
// `&`, which a `SubmitError` allows only for `F: Sync`.
impl<K: Clone, F: Clone + Sync> Clone for AddTaskError<K, F> {
    fn clone(&self) -> Self {
        match self {
            Self::Duplicate(k, f) => Self::Duplicate(k.clone(), f.clone()),
            Self::Refused(k, e) => Self::Refused(k.clone(), e.clone()),
        }
    }
}

impl<K: Copy, F: Copy + Sync> Copy for AddTaskError<K, F> {}

impl<K: PartialEq, F: PartialEq + Sync> PartialEq for AddTaskError<K, F> {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Duplicate(k, f), Self::Duplicate(l, g)) => k == l && f == g,
            (Self::Refused(k, e), Self::Refused(l, d)) => k == l && e == d,
            _ => false,
        }
    }
}

impl<K: Eq, F: Eq + Sync> Eq for AddTaskError<K, F> {}

impl<K: Hash, F: Hash + Sync> Hash for AddTaskError<K, F> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        std::mem::discriminant(self).hash(state);
        match self {
            Self::Duplicate(k, f) => (k, f).hash(state),
            Self::Refused(k, e) => (k, e).hash(state),
        }
    }
}

impl<K: fmt::Debug, F> fmt::Debug for AddTaskError<K, F> {
    /// Shows the id and the variant, not the job (closures are not `Debug`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Duplicate(k, _) => write!(f, "Duplicate({k:?}, ..)"),
            Self::Refused(k, e) => write!(f, "Refused({k:?}, {e:?})"),
        }
    }
}

impl<K, F> fmt::Display for AddTaskError<K, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Duplicate(..) => f.write_str("a task with this id is already known"),
            Self::Refused(_, e) => fmt::Display::fmt(e, f),
        }
    }
}

impl<K: fmt::Debug, F> Error for AddTaskError<K, F> {}

/// Why [`TaskService`](crate::TaskService) gave no result for an id.
///
/// # Examples
///
/// ```
/// use queuekit::{ResultError, TaskService};
///
/// let service: TaskService<&str, u32> = TaskService::new(1).unwrap();
/// assert_eq!(service.result(&"nope"), Err(ResultError::UnknownTask));
/// assert_eq!(ResultError::UnknownTask.to_string(), "no task with this id");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ResultError {
    /// No task with this id was added, or its result was already taken.
    UnknownTask,
    /// The task has not finished (`try_result`, or `result_timeout` ran out of time);
    /// its result stays in the service.
    NotFinished,
    /// The task failed: it panicked, or it never ran.
    Failed(TaskError),
}

impl fmt::Display for ResultError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownTask => f.write_str("no task with this id"),
            Self::NotFinished => f.write_str("task has not finished"),
            Self::Failed(e) => fmt::Display::fmt(e, f),
        }
    }
}

impl Error for ResultError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            Self::Failed(e) => Some(e),
            _ => None,
        }
    }
}

impl From<TaskError> for ResultError {
    fn from(e: TaskError) -> Self {
        Self::Failed(e)
    }
}
