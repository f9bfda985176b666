//! Awaitable operations: `get_async`, `put_async`, `join_async`, for threads and
//! tasks sharing one queue.
//!
//! The futures hold no item of the queue's and no second buffer: a pending
//! future is one entry in the core's task waiter list (`wakers.rs`), registered
//! under the lock a sleeping thread registers under and woken by the same notify.
//! They need nothing but `std::task`, so any executor runs them (tokio,
//! async-std, `futures::executor`, a hand-written `block_on`).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::discipline::Discipline;
use super::front::BlockingQueue;
use super::inside::{Core, CoreAsync};
use crate::counter::JoinFuture;
use crate::queue::error::{GetError, PutError};
use crate::waitlist::Key;

impl<T, D: Discipline<T>> BlockingQueue<T, D> {
    /// Removes and returns the next item, waiting asynchronously while the queue
    /// is empty: the `async` form of [`get`](Self::get), with the same results.
    /// Threads blocked in `get` and tasks awaiting `get_async` wait on the same
    /// queue in any mix; a `put` from either side wakes one of them.
    ///
    /// No executor is needed beyond `std::task`; put a timeout around it with your
    /// runtime's (`tokio::time::timeout`), which is safe (below).
    ///
    /// # Cancel safety
    ///
    /// **Cancel-safe** (in the sense of `tokio::select!`): the item is taken only
    /// in the poll that returns it, so a future dropped before it completed took
    /// nothing. Dropped while registered, it leaves the waiter list; dropped after
    /// it was woken but before it ran, it passes that wake-up on to another waiter
    /// (thread or task), so the item it was woken for is not stranded.
    ///
    /// # Errors
    ///
    /// [`GetError::ShutDown`] once the queue is shut down and empty.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::Queue;
    /// use std::sync::Arc;
    /// use std::thread;
    ///
    /// let q = Arc::new(Queue::bounded(1));
    /// let producer = {
    ///     let q = Arc::clone(&q);
    ///     thread::spawn(move || q.put("from a thread").unwrap())
    /// };
    /// // Any executor will do; this one ships with the `futures` crate.
    /// let item = futures::executor::block_on(q.get_async());
    /// assert_eq!(item, Ok("from a thread"));
    /// producer.join().unwrap();
    /// ```
    pub fn get_async(&self) -> GetFuture<'_, T, D> {
        GetFuture {
            queue: self,
            key: None,
            done: false,
        }
    }

    /// Adds an item, waiting asynchronously while the queue is full: the `async`
    /// form of [`put`](Self::put), with the same results.
    ///
    /// # Cancel safety
    ///
    /// **Cancel-safe in the sense that nothing is half-done**, like
    /// `tokio::sync::mpsc::Sender::send`: the item moves into the queue only in the
    /// poll that returns `Ok`, so if the future is dropped before that (another
    /// `select!` branch won, a timeout expired) the item was **not** put, and it
    /// is dropped with the future. To keep it, cancel through
    /// [`PutFuture::into_item`] instead of dropping. A dropped future leaves the
    /// waiter list and passes on a wake-up it had received to another putter.
    ///
    /// # Errors
    ///
    /// [`PutError::ShutDown`] with the item if the queue is shut down (before or
    /// while waiting). Never `Full`: it waits instead.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::Queue;
    /// use std::sync::Arc;
    /// use std::thread;
    ///
    /// let q = Arc::new(Queue::bounded(1));
    /// let consumer = {
    ///     let q = Arc::clone(&q);
    ///     thread::spawn(move || (q.get().unwrap(), q.get().unwrap()))
    /// };
    /// futures::executor::block_on(async {
    ///     q.put_async(1).await.unwrap();
    ///     q.put_async(2).await.unwrap(); // waits until the thread took 1
    /// });
    /// assert_eq!(consumer.join().unwrap(), (1, 2));
    /// ```
    pub fn put_async(&self, item: T) -> PutFuture<'_, T, D> {
        PutFuture {
            queue: self,
            item: Some(item),
            key: None,
        }
    }

    /// Waits asynchronously until every item ever put has been marked done with
    /// [`task_done`](Self::task_done): the `async` form of [`join`](Self::join).
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: it only waits; a dropped future leaves the waiter list.
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
    ///     futures::executor::block_on(q.join_async());
    ///     assert_eq!(q.unfinished_tasks(), 0);
    /// });
    /// ```
    pub fn join_async(&self) -> JoinFuture<'_> {
        self.core.tasks().wait_async()
    }
}

/// The future of [`BlockingQueue::get_async`]: resolves to the next item, or
/// [`GetError::ShutDown`]. Cancel-safe; see the method.
///
/// # Examples
///
/// ```
/// use queuekit::{GetError, LifoQueue};
///
/// let q = LifoQueue::unbounded();
/// q.put(1).unwrap();
/// q.put(2).unwrap();
/// q.shutdown();
/// futures::executor::block_on(async {
///     assert_eq!(q.get_async().await, Ok(2));
///     assert_eq!(q.get_async().await, Ok(1));
///     assert_eq!(q.get_async().await, Err(GetError::ShutDown));
/// });
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct GetFuture<'a, T, D: Discipline<T>> {
    queue: &'a BlockingQueue<T, D>,
    /// The entry in the core's getter list while registered.
    key: Option<Key>,
    done: bool,
}

impl<T, D: Discipline<T>> Future for GetFuture<'_, T, D> {
    type Output = Result<T, GetError>;

    /// # Panics
    ///
    /// If polled again after it completed.
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        assert!(!this.done, "get_async polled after completion");
        let r = this.queue.core.poll_get(cx, &mut this.key);
        this.done = r.is_ready();
        r
    }
}

impl<T, D: Discipline<T>> Drop for GetFuture<'_, T, D> {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            self.queue.core.leave_get(key);
        }
    }
}

impl<T, D: Discipline<T>> fmt::Debug for GetFuture<'_, T, D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GetFuture")
            .field("registered", &self.key.is_some())
            .field("done", &self.done)
            .finish()
    }
}

/// The future of [`BlockingQueue::put_async`]: resolves once the item is queued,
/// or to [`PutError::ShutDown`] with the item. Until then the item stays in the
/// future; see the method for cancellation.
///
/// # Examples
///
/// ```
/// use queuekit::Queue;
///
/// let q = Queue::bounded(1);
/// futures::executor::block_on(async {
///     q.put_async('a').await.unwrap();
///     assert_eq!(q.get_async().await, Ok('a'));
/// });
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct PutFuture<'a, T, D: Discipline<T>> {
    queue: &'a BlockingQueue<T, D>,
    /// `Some` until the poll that queues it (or hands it back in the error).
    item: Option<T>,
    key: Option<Key>,
}

// The item is never pinned: it is moved out with `Option::take` only.
impl<T, D: Discipline<T>> Unpin for PutFuture<'_, T, D> {}

impl<T, D: Discipline<T>> PutFuture<'_, T, D> {
    /// Cancels the put and returns the item if it was not put yet (`None` if the
    /// future already completed). Leaves the waiter list as a drop does.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::Queue;
    /// use std::pin::pin;
    /// use std::task::{Context, Poll, Waker};
    ///
    /// let q = Queue::bounded(1);
    /// q.put(1).unwrap(); // full
    /// let mut put = q.put_async(2);
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert!(std::pin::Pin::new(&mut put).poll(&mut cx).is_pending());
    /// assert_eq!(put.into_item(), Some(2)); // not put, and not lost
    /// assert_eq!(q.len(), 1);
    /// # use std::future::Future;
    /// ```
    pub fn into_item(mut self) -> Option<T> {
        self.item.take()
    }
}

impl<T, D: Discipline<T>> Future for PutFuture<'_, T, D> {
    type Output = Result<(), PutError<T>>;

    /// # Panics
    ///
    /// If polled again after it completed.
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        assert!(this.item.is_some(), "put_async polled after completion");
        this.queue.core.poll_put(&mut this.item, cx, &mut this.key)
    }
}

impl<T, D: Discipline<T>> Drop for PutFuture<'_, T, D> {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            self.queue.core.leave_put(key);
        }
        // The item, if still here, is dropped after this, outside every lock.
    }
}

impl<T, D: Discipline<T>> fmt::Debug for PutFuture<'_, T, D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PutFuture")
            .field("registered", &self.key.is_some())
            .field("holds_item", &self.item.is_some())
            .finish()
    }
}
