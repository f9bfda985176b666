//! Awaitable operations: `get_async`, `get_many_async`, `put_async`,
//! `join_async`, for threads and tasks sharing one queue.
//!
//! The futures hold no item of the queue's and no second buffer: a pending
//! future is one entry in the core's task waiter list (`wakers.rs`), registered
//! under the lock a sleeping thread registers under and woken by the same notify.
//! They need nothing but `std::task`, so any executor runs them (tokio,
//! async-std, `futures::executor`, a hand-written `block_on`).
//!
//! The borrowing futures here and the owning ones (`ends/owned.rs`) share one
//! state machine per operation ([`GetState`], [`PutState`]), generic over what
//! reaches the queue ([`AsQueue`]): a `&BlockingQueue`, or an owner. Each holds
//! a [`Place`] in a waiter list, which leaves the list when it drops.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::as_queue::AsQueue;
use super::discipline::Discipline;
use super::front::BlockingQueue;
use super::inside::{Core, CoreGet};
use super::place::{Getters, Place, Putters};
use super::wait::Wait;
use crate::counter::JoinFuture;
use crate::queue::error::{
    get_shut_down, put_shut_down, GetError, PutShutDownError, ShutDownError,
};
use crate::sync::fault::{self, Fault};

impl<T, D: Discipline<T>> BlockingQueue<T, D> {
    /// Removes and returns the next item, waiting asynchronously while the queue
    /// is empty: the `async` form of [`get`](Self::get). Threads blocked in `get`
    /// and tasks awaiting `get_async` wait on the same queue in any mix; a `put`
    /// from either side wakes one of them.
    ///
    /// No executor is needed beyond `std::task`; put a timeout around it with your
    /// runtime's (`tokio::time::timeout`), which is safe (below). The future
    /// borrows the queue; [`get_owned`](Self::get_owned) is the form that owns
    /// an `Arc` of it (for `tokio::spawn`).
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
    /// [`ShutDownError`] once the queue is shut down and empty: the only way it
    /// fails (it waits rather than report an empty queue). `?` converts it into
    /// [`GetError::ShutDown`].
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
            state: GetState::new(self),
        }
    }

    /// Waits asynchronously until the queue holds at least one item, then
    /// removes and returns up to `max` of them, in get order: the `async` form
    /// of [`get_many`](Self::get_many) (tokio's `recv_many`). Every item taken
    /// counts as one unfinished task, as with [`get`](Self::get).
    ///
    /// Unlike the blocking `get_many`, which takes its batch in one hold of the
    /// lock, the future takes the first item and the rest in **two** lock holds
    /// (the first item as [`get_async`](Self::get_async) takes it, then up to
    /// `max - 1` more without waiting, as
    /// [`try_get_many`](Self::try_get_many)): another consumer may take items in
    /// between, so the batch may be smaller than what was queued, never empty.
    /// `max == 0` resolves at once to an empty `Vec`, also on a shut-down queue.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe as [`get_async`](Self::get_async): both steps happen in the
    /// poll that returns the batch, so a dropped future took nothing.
    ///
    /// # Errors
    ///
    /// [`ShutDownError`] once the queue is shut down and empty.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{Queue, ShutDownError};
    /// use std::thread;
    ///
    /// let q = Queue::bounded(16);
    /// thread::scope(|s| {
    ///     s.spawn(|| {
    ///         q.put_all(0..10).unwrap();
    ///         q.shutdown();
    ///     });
    ///     futures::executor::block_on(async {
    ///         let mut got = Vec::new();
    ///         while let Ok(batch) = q.get_many_async(4).await {
    ///             assert!((1..=4).contains(&batch.len()));
    ///             got.extend(batch);
    ///         }
    ///         assert_eq!(got, (0..10).collect::<Vec<_>>());
    ///         assert_eq!(q.get_many_async(4).await, Err(ShutDownError));
    ///     });
    /// });
    /// ```
    pub fn get_many_async(&self, max: usize) -> GetManyFuture<'_, T, D> {
        GetManyFuture {
            state: GetState::new(self),
            max,
        }
    }

    /// Adds an item, waiting asynchronously while the queue is full: the `async`
    /// form of [`put`](Self::put). The future borrows the queue;
    /// [`put_owned`](Self::put_owned) owns an `Arc` of it.
    ///
    /// # Cancel safety, and timeouts
    ///
    /// **Nothing is half-done**, as with `tokio::sync::mpsc::Sender::send`: the
    /// item moves into the queue only in the poll that returns `Ok`. If the
    /// future is dropped before that (another `select!` branch won, a timeout
    /// expired) the item was **not** put, and it is dropped with the future. To
    /// keep it, do not let the future be dropped: it is `Unpin`, so a timeout or
    /// a `select!` can poll it through `&mut`, and afterwards
    /// [`PutFuture::into_item`] hands the item back if it was not put:
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use queuekit::Queue;
    /// use std::time::Duration;
    ///
    /// let q = Queue::bounded(1);
    /// q.put(1).unwrap(); // full
    /// let mut put = q.put_async(2);
    /// match tokio::time::timeout(Duration::from_millis(5), &mut put).await {
    ///     Ok(done) => done.unwrap(),
    ///     Err(_elapsed) => assert_eq!(put.into_item(), Some(2)), // not put, not lost
    /// }
    /// # }
    /// ```
    ///
    /// A dropped or cancelled future leaves the waiter list and passes on a
    /// wake-up it had received to another putter.
    ///
    /// On a rendezvous queue (`bounded(0)`) a pending put is an *offer*: its item
    /// waits in the queue for a getter, and a getter may take it before the
    /// future runs again. A future cancelled after that put its item (the getter
    /// has it; [`into_item`](PutFuture::into_item) returns `None`); cancelled
    /// before, it takes the item back out of the queue (dropped with the future,
    /// or returned by `into_item`). Never both, and never left in the queue.
    ///
    /// # Errors
    ///
    /// [`PutShutDownError`] with the item if the queue is shut down (before or
    /// while waiting): the only way it fails (it waits rather than report a full
    /// queue). `?` converts it into [`PutError::ShutDown`](crate::PutError::ShutDown).
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
            state: PutState::new(self, item),
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

/// A pending async get: its place in the getter list (with the queue's
/// holder). Shared by [`GetFuture`], [`GetManyFuture`], the owned futures and
/// the streams.
pub(super) struct GetState<H: AsQueue> {
    place: Place<H, Getters>,
    /// A future's poll returned `Ready` (streams never set it).
    done: bool,
}

impl<H: AsQueue> GetState<H> {
    pub(super) fn new(holder: H) -> Self {
        Self {
            place: Place::new(holder),
            done: false,
        }
    }

    /// A future's poll: `poll` (or `poll_many` when `max` is given), once.
    ///
    /// # Panics
    ///
    /// If polled again after it completed (it would take another item).
    pub(super) fn poll_future(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Result<H::Item, ShutDownError>> {
        assert!(!self.done, "get future polled after completion");
        let r = self.poll(cx).map(get_shut_down);
        self.done = r.is_ready();
        r
    }

    pub(super) fn queue(&self) -> &BlockingQueue<H::Item, H::Discipline> {
        self.place.queue()
    }

    /// One poll of an async get: the item, `ShutDown`, or `Pending` registered.
    pub(super) fn poll(&mut self, cx: &mut Context<'_>) -> Poll<Result<H::Item, GetError>> {
        self.place.poll_get(cx)
    }

    /// One poll of an async `get_many`: the first item as `poll` takes it, then
    /// up to `max - 1` more without waiting (a second hold of the lock).
    pub(super) fn poll_many(
        &mut self,
        max: usize,
        cx: &mut Context<'_>,
    ) -> Poll<Result<Vec<H::Item>, ShutDownError>> {
        assert!(!self.done, "get future polled after completion");
        self.done = true;
        if max == 0 {
            return Poll::Ready(Ok(Vec::new()));
        }
        let first = match self.poll(cx) {
            Poll::Ready(r) => get_shut_down(r)?,
            Poll::Pending => {
                self.done = false;
                return Poll::Pending;
            }
        };
        let mut items = vec![first];
        // `Empty` or `ShutDown` here only mean "nothing more": the batch has its
        // first item.
        let _ = self.queue().core.get_many(&mut items, max - 1, Wait::No);
        Poll::Ready(Ok(items))
    }

    /// One poll of a stream's `next`: `None` once shut down and empty.
    pub(super) fn poll_next(
        &mut self,
        ended: &mut bool,
        cx: &mut Context<'_>,
    ) -> Poll<Option<H::Item>> {
        if *ended {
            return Poll::Ready(None);
        }
        self.poll(cx).map(|r| match r {
            Ok(item) => Some(item),
            Err(_) => {
                // Shut down and empty: stays empty (no puts after shutdown).
                *ended = true;
                None
            }
        })
    }

    pub(super) fn registered(&self) -> bool {
        self.place.registered()
    }
}

/// A pending async put: its place in the putter list (with the queue's
/// holder) and the item until it is put. Shared by [`PutFuture`] and the owned
/// future. The place is declared first: it leaves the list before the item, if
/// still here, drops (outside every lock).
pub(super) struct PutState<H: AsQueue> {
    place: Place<H, Putters>,
    /// `Some` until the poll that queues it (or hands it back in the error). On
    /// a rendezvous queue it moves into the queue's offer while pending, and
    /// comes back if the future is cancelled before a getter took it.
    item: Option<H::Item>,
    done: bool,
}

impl<H: AsQueue> PutState<H> {
    pub(super) fn new(holder: H, item: H::Item) -> Self {
        Self {
            place: Place::new(holder),
            item: Some(item),
            done: false,
        }
    }

    /// # Panics
    ///
    /// If polled again after it completed.
    pub(super) fn poll(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Result<(), PutShutDownError<H::Item>>> {
        assert!(!self.done, "put future polled after completion");
        let r = self.place.poll_put(&mut self.item, cx);
        self.done = r.is_ready();
        r.map(put_shut_down)
    }

    /// Leaves the putter list and returns the item if it was not put.
    pub(super) fn cancel(&mut self) -> Option<H::Item> {
        let (queue, key) = self.place.parts();
        if let (Some(zero), Some(k)) = (queue.core.zero(), *key) {
            // Rendezvous: the item waits in the queue's offer, unless a getter
            // took it already (the put happened).
            if !fault::active(Fault::ZeroIntoItemSkipsWithdraw) {
                *key = None;
                return zero.withdraw(k);
            }
            return self.item.take(); // the fault: the offer is left for `Drop`
        }
        self.place.leave();
        self.item.take()
    }

    pub(super) fn fmt_fields(&self, name: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct(name)
            .field("registered", &self.place.registered())
            .field("holds_item", &self.item.is_some())
            .field("done", &self.done)
            .finish()
    }
}

/// The future of [`BlockingQueue::get_async`]: resolves to the next item, or
/// [`ShutDownError`]. Cancel-safe; see the method.
///
/// # Examples
///
/// ```
/// use queuekit::{LifoQueue, ShutDownError};
///
/// let q = LifoQueue::unbounded();
/// q.put(1).unwrap();
/// q.put(2).unwrap();
/// q.shutdown();
/// futures::executor::block_on(async {
///     assert_eq!(q.get_async().await, Ok(2));
///     assert_eq!(q.get_async().await, Ok(1));
///     assert_eq!(q.get_async().await, Err(ShutDownError));
/// });
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct GetFuture<'a, T, D: Discipline<T>> {
    state: GetState<&'a BlockingQueue<T, D>>,
}

impl<T, D: Discipline<T>> Future for GetFuture<'_, T, D> {
    type Output = Result<T, ShutDownError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.get_mut().state.poll_future(cx)
    }
}

impl<T, D: Discipline<T>> fmt::Debug for GetFuture<'_, T, D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GetFuture")
            .field("registered", &self.state.registered())
            .finish()
    }
}

/// The future of [`BlockingQueue::get_many_async`]: resolves to a batch of at
/// least one item (none if `max == 0`), or [`ShutDownError`]. Cancel-safe.
///
/// # Examples
///
/// ```
/// use queuekit::Queue;
///
/// let q = Queue::unbounded();
/// q.put_all([1, 2, 3]).unwrap();
/// let batch = futures::executor::block_on(q.get_many_async(2));
/// assert_eq!(batch, Ok(vec![1, 2]));
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct GetManyFuture<'a, T, D: Discipline<T>> {
    state: GetState<&'a BlockingQueue<T, D>>,
    max: usize,
}

impl<T, D: Discipline<T>> Future for GetManyFuture<'_, T, D> {
    type Output = Result<Vec<T>, ShutDownError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        this.state.poll_many(this.max, cx)
    }
}

impl<T, D: Discipline<T>> fmt::Debug for GetManyFuture<'_, T, D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GetManyFuture")
            .field("max", &self.max)
            .field("registered", &self.state.registered())
            .finish()
    }
}

/// The future of [`BlockingQueue::put_async`]: resolves once the item is queued,
/// or to [`PutShutDownError`] with the item. Until then the item stays in the
/// future. It is `Unpin`: poll it through `&mut` (a timeout, a `select!`) and
/// take the item back with [`into_item`](Self::into_item) if it was not put;
/// see the method.
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
    state: PutState<&'a BlockingQueue<T, D>>,
}

// The item is never pinned: it is moved out with `Option::take` only.
impl<T, D: Discipline<T>> Unpin for PutFuture<'_, T, D> {}

impl<T, D: Discipline<T>> PutFuture<'_, T, D> {
    /// Cancels the put and returns the item if it was not put yet (`None` if the
    /// future already completed: the item is in the queue, or was handed back
    /// in the error). Leaves the waiter list as a drop does.
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
        self.state.cancel()
    }
}

impl<T, D: Discipline<T>> Future for PutFuture<'_, T, D> {
    type Output = Result<(), PutShutDownError<T>>;

    /// # Panics
    ///
    /// If polled again after it completed.
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.get_mut().state.poll(cx)
    }
}

impl<T, D: Discipline<T>> fmt::Debug for PutFuture<'_, T, D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.state.fmt_fields("PutFuture", f)
    }
}
