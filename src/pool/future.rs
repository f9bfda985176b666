//! The pool's awaitable side: `TaskHandle` as a `Future`,
//! `TaskService::result_async`, `ThreadPoolManager::wait_all_async`.
//!
//! * **`TaskHandle`**: an awaiting handle registers its waker in the task cell's `WaitList`, then
//!   sets `ASYNC` with an RMW on the state word that finishing (`publish`'s swap)
//!   and cancelling (`cancel_word`'s CAS) also change with an RMW. RMWs on one
//!   word are totally ordered: either the finisher's comes first and the handle's
//!   `fetch_or` returns the finished phase (it completes at once), or the
//!   finisher reads `ASYNC`, and (Acquire on the handle's Release) the stored
//!   waker, and wakes it. The async twin of the thread's `WAITING` bit.
//! * **`result_async`**: registers in the service's task list under the results
//!   map's lock, which `record` takes before it writes a landing; every landing
//!   wakes the list as it notifies the condvar.
//! * **`wait_all_async`**: the pool's task counter's `wait_async`; from inside
//!   one of the pool's own tasks it falls back to the blocking in-task rule of
//!   `wait_all` (it could never complete otherwise).

use std::fmt;
use std::future::Future;
use std::hash::Hash;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::cell::{ASYNC, CANCELLED, DONE, PHASE};
use super::error::{ResultError, TaskError};
use super::handle::{Awaiting, TaskHandle};
use super::manager::ThreadPoolManager;
use super::service::TaskService;
use crate::counter::JoinFuture;
use crate::sync::Ordering;
use crate::waitlist::Key;

fn finished(word: u32) -> bool {
    matches!(word & PHASE, DONE | CANCELLED)
}

/// `pool.submit(f)?.await`: a handle is a future of its task's outcome, with the
/// same results as [`wait`](TaskHandle::wait).
///
/// # Cancel safety
///
/// Cancel-safe: awaiting only waits. Dropping the handle (or the future that
/// awaits it) does not cancel the task; its result is dropped when it finishes.
/// A handle polled once and then dropped takes its waker out of the task cell.
///
/// # Polled after completion
///
/// Never panics. The outcome goes out with the first `Ready`; polled again
/// after that, the handle is ready at once with [`TaskError::ResultTaken`], and
/// so are [`wait`](TaskHandle::wait), [`wait_timeout`](TaskHandle::wait_timeout)
/// and [`try_result`](TaskHandle::try_result) on it.
///
/// # Examples
///
/// ```
/// use queuekit::{TaskError, ThreadPoolManager};
///
/// let pool = ThreadPoolManager::new(2).unwrap();
/// futures::executor::block_on(async {
///     let a = pool.submit(|| 6 * 7).unwrap();
///     let b = pool.submit(|| -> u32 { panic!("no") }).unwrap();
///     assert_eq!(a.await, Ok(42));
///     assert_eq!(b.await, Err(TaskError::Panicked("no".into())));
///
///     let mut c = pool.submit(|| 1).unwrap();
///     assert_eq!((&mut c).await, Ok(1));
///     assert_eq!(c.await, Err(TaskError::ResultTaken)); // polled again
/// });
/// ```
impl<R> Future for TaskHandle<R> {
    type Output = Result<R, TaskError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if this.awaiting == Awaiting::Done {
            // Polled again after it completed: the result went out the first time.
            return Poll::Ready(Err(TaskError::ResultTaken));
        }
        let state = this.slot.state();
        // Acquire: a finished phase lets `take` read the slot the worker wrote.
        if finished(state.load(Ordering::Acquire)) {
            return Poll::Ready(this.complete());
        }
        // No lock is held: a replaced waker may drop here.
        drop(this.slot.waiters().register(&mut this.key, cx.waker()));
        this.awaiting = Awaiting::Registered;
        // AcqRel RMW on the word the finisher swaps (module header): Release
        // publishes the stored waker, Acquire sees the result if it is done.
        let prev = state.fetch_or(ASYNC, Ordering::AcqRel);
        if finished(prev) {
            return Poll::Ready(this.complete());
        }
        Poll::Pending
    }
}

impl<R> TaskHandle<R> {
    fn complete(&mut self) -> Result<R, TaskError> {
        if let Some(k) = self.key.take() {
            drop(self.slot.waiters().remove(k));
        }
        self.awaiting = Awaiting::Done;
        self.slot.take()
    }
}

impl<R> Drop for TaskHandle<R> {
    fn drop(&mut self) {
        if let Some(k) = self.key.take() {
            // Leave no waker behind in a cell that may outlive us.
            drop(self.slot.waiters().remove(k));
        }
    }
}

impl ThreadPoolManager {
    /// Waits asynchronously until every task accepted so far has finished or
    /// been cancelled: the `async` form of [`wait_all`](Self::wait_all).
    ///
    /// Awaited on one of this pool's own workers (a task that runs an executor),
    /// it follows `wait_all`'s in-task rule and blocks in its first poll: it
    /// could never complete otherwise, as it counts the task awaiting it.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: it only waits; a dropped future leaves the waiter list.
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
    /// futures::executor::block_on(pool.wait_all_async());
    /// assert_eq!(pool.stats().completed, 10);
    /// ```
    pub fn wait_all_async(&self) -> WaitAllFuture<'_> {
        WaitAllFuture {
            pool: self,
            join: None,
        }
    }
}

/// The future of [`ThreadPoolManager::wait_all_async`]. Cancel-safe.
///
/// # Examples
///
/// ```
/// use queuekit::ThreadPoolManager;
///
/// let pool = ThreadPoolManager::new(1).unwrap();
/// let h = pool.submit(|| 1).unwrap();
/// futures::executor::block_on(async {
///     pool.wait_all_async().await;
///     assert!(h.is_finished());
/// });
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct WaitAllFuture<'a> {
    pool: &'a ThreadPoolManager,
    /// After the first poll found the caller is not a worker.
    join: Option<JoinFuture<'a>>,
}

impl Future for WaitAllFuture<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        if this.join.is_none() {
            if this.pool.wait_inside(None).is_some() {
                return Poll::Ready(());
            }
            this.join = Some(this.pool.shared.tasks.wait_async());
        }
        match &mut this.join {
            Some(join) => Pin::new(join).poll(cx),
            None => Poll::Ready(()),
        }
    }
}

impl fmt::Debug for WaitAllFuture<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitAllFuture").finish_non_exhaustive()
    }
}

impl<K, R> TaskService<K, R>
where
    K: Eq + Hash + Clone + Send + 'static,
    R: Send + 'static,
{
    /// Waits asynchronously until the task `id` has finished and takes its
    /// outcome: the `async` form of [`result`](Self::result), with the same
    /// errors.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: the outcome is taken only in the poll that returns it; a
    /// future dropped before leaves it in the service for a later call.
    ///
    /// # Errors
    ///
    /// [`ResultError::UnknownTask`] if no task has this id (at once, or once its
    /// `add_task` was refused); [`ResultError::Failed`] if it panicked or was
    /// cancelled.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{ResultError, TaskService};
    ///
    /// let service = TaskService::new(1).unwrap();
    /// service.add_task("x", || 10).unwrap();
    /// futures::executor::block_on(async {
    ///     assert_eq!(service.result_async(&"x").await, Ok(10));
    ///     assert_eq!(service.result_async(&"x").await, Err(ResultError::UnknownTask));
    /// });
    /// ```
    pub fn result_async<'a>(&'a self, id: &'a K) -> ResultFuture<'a, K, R> {
        ResultFuture {
            service: self,
            id,
            key: None,
        }
    }
}

/// The future of [`TaskService::result_async`]. Cancel-safe.
///
/// # Examples
///
/// ```
/// use queuekit::TaskService;
///
/// let service = TaskService::new(2).unwrap();
/// service.add_task(1, || "one").unwrap();
/// let one = futures::executor::block_on(service.result_async(&1));
/// assert_eq!(one, Ok("one"));
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct ResultFuture<'a, K, R> {
    service: &'a TaskService<K, R>,
    id: &'a K,
    key: Option<Key>,
}

impl<K: Eq + Hash, R> Future for ResultFuture<'_, K, R> {
    type Output = Result<R, ResultError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let results = &this.service.results;
        let mut map = results.map.lock();
        let outcome = match map.get(this.id) {
            None => Some(Err(ResultError::UnknownTask)),
            Some(landing) => {
                let outcome = landing.lock().take();
                outcome.map(|o| {
                    map.remove(this.id);
                    o.map_err(ResultError::Failed)
                })
            }
        };
        match outcome {
            Some(outcome) => {
                drop(map);
                if let Some(k) = this.key.take() {
                    drop(results.landed.tasks.remove(k));
                }
                Poll::Ready(outcome)
            }
            None => {
                // Under the map's lock, which `record` takes before it writes; a
                // waker it replaced is dropped after that lock.
                let (_, stale) = results.landed.tasks.register(&mut this.key, cx.waker());
                drop(map);
                drop(stale);
                Poll::Pending
            }
        }
    }
}

impl<K, R> Drop for ResultFuture<'_, K, R> {
    fn drop(&mut self) {
        if let Some(k) = self.key.take() {
            // Every landing wakes every waiter: nothing to pass on.
            drop(self.service.results.landed.tasks.remove(k));
        }
    }
}

impl<K, R> fmt::Debug for ResultFuture<'_, K, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResultFuture")
            .field("registered", &self.key.is_some())
            .finish()
    }
}
