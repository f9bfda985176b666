//! Async forms that own what reaches the queue (an `Arc` of it, or a counted
//! end) instead of borrowing it: [`GetOwned`], [`PutOwned`] and the stream
//! [`IntoStream`], for `tokio::spawn` and for returning a stream from a
//! function (flume's `into_recv_async` / `into_stream`). The state machines are
//! the borrowing futures' own (`future.rs`); only the holder differs. They live
//! beside the ends because an [`Owner`] may be one.

use std::fmt;
use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

#[cfg(feature = "stream")]
use futures_core::stream::{FusedStream, Stream};

use super::consumer::Consumer;
use super::producer::Producer;
use crate::queue::as_queue::{sealed::Sealed, AsQueue};
use crate::queue::discipline::Discipline;
use crate::queue::error::{PutShutDownError, ShutDownError};
use crate::queue::front::BlockingQueue;
use crate::queue::future::{GetState, PutState};
use crate::queue::store::Fifo;

/// What an owned future or stream holds: a reference count on the queue, or a
/// counted end (which keeps its side of the queue open while the future lives).
enum Owner<T, D: Discipline<T>> {
    Queue(Arc<BlockingQueue<T, D>>),
    Consumer(Consumer<T, D>),
    Producer(Producer<T, D>),
}

impl<T, D: Discipline<T>> Sealed for Owner<T, D> {}
impl<T, D: Discipline<T>> AsQueue for Owner<T, D> {
    type Item = T;
    type Discipline = D;
    fn as_queue(&self) -> &BlockingQueue<T, D> {
        match self {
            Owner::Queue(q) => q,
            Owner::Consumer(c) => c.queue(),
            Owner::Producer(p) => p.queue(),
        }
    }
}

impl<T, D: Discipline<T>> BlockingQueue<T, D> {
    /// [`get_async`](Self::get_async) as a future that owns this `Arc` of the
    /// queue instead of borrowing it: `'static` when the items are, so it can
    /// be spawned (`tokio::spawn(Arc::clone(&q).get_owned())`) or stored.
    /// Same results, same cancel safety.
    ///
    /// # Errors
    ///
    /// [`ShutDownError`] once the queue is shut down and empty.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::Queue;
    /// use std::sync::Arc;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let q = Arc::new(Queue::unbounded());
    /// let task = tokio::spawn(Arc::clone(&q).get_owned()); // owns its `Arc`
    /// q.put("hello").unwrap();
    /// assert_eq!(task.await.unwrap(), Ok("hello"));
    /// # }
    /// ```
    pub fn get_owned(self: Arc<Self>) -> GetOwned<T, D> {
        GetOwned::new(Owner::Queue(self))
    }

    /// [`put_async`](Self::put_async) as a future that owns this `Arc` of the
    /// queue: spawnable. Same results; the item moves into the queue only in
    /// the poll that returns `Ok`, and [`PutOwned::into_item`] hands it back if
    /// it was not put (poll it through `&mut` under a timeout).
    ///
    /// # Errors
    ///
    /// [`PutShutDownError`] with the item if the queue is shut down.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::Queue;
    /// use std::sync::Arc;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let q = Arc::new(Queue::bounded(1));
    /// q.put(1).unwrap(); // full: the spawned put waits
    /// let task = tokio::spawn(Arc::clone(&q).put_owned(2));
    /// assert_eq!(q.get_async().await, Ok(1));
    /// task.await.unwrap().unwrap();
    /// assert_eq!(q.get_async().await, Ok(2));
    /// # }
    /// ```
    pub fn put_owned(self: Arc<Self>, item: T) -> PutOwned<T, D> {
        PutOwned::new(Owner::Queue(self), item)
    }

    /// An async iterator that owns this `Arc` of the queue and takes items
    /// until the queue is shut down and empty: the owned form of
    /// `stream()` (feature `stream`), which can be returned from a function or moved
    /// into a task. Its [`next`](IntoStream::next) works without any feature;
    /// with the `stream` feature it is also a `futures_core::Stream`.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{IntoStream, Queue};
    /// use std::sync::Arc;
    ///
    /// fn numbers() -> IntoStream<u32> {
    ///     let q = Arc::new(Queue::unbounded());
    ///     q.put_all([1, 2, 3]).unwrap();
    ///     q.shutdown();
    ///     q.into_stream() // the stream outlives this function's `q`
    /// }
    ///
    /// let mut s = numbers();
    /// futures::executor::block_on(async {
    ///     let mut got = Vec::new();
    ///     while let Some(n) = s.next().await {
    ///         got.push(n);
    ///     }
    ///     assert_eq!(got, [1, 2, 3]);
    /// });
    /// ```
    pub fn into_stream(self: Arc<Self>) -> IntoStream<T, D> {
        IntoStream::new(Owner::Queue(self))
    }
}

/// The future of [`BlockingQueue::get_owned`] and [`Consumer::get_owned`]: a
/// [`GetFuture`](crate::GetFuture) that owns what reaches the queue. Resolves to
/// the next item, or [`ShutDownError`]. Cancel-safe.
///
/// # Examples
///
/// ```
/// use queuekit::{GetOwned, Queue};
/// use std::sync::Arc;
///
/// let q = Arc::new(Queue::unbounded());
/// q.put(7).unwrap();
/// let fut: GetOwned<i32> = Arc::clone(&q).get_owned();
/// drop(q); // the future keeps the queue alive
/// assert_eq!(futures::executor::block_on(fut), Ok(7));
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct GetOwned<T, D: Discipline<T> = Fifo<T>> {
    state: GetState<Owner<T, D>>,
}

impl<T, D: Discipline<T>> GetOwned<T, D> {
    fn new(owner: Owner<T, D>) -> Self {
        Self {
            state: GetState::new(owner),
        }
    }
}

impl<T, D: Discipline<T>> Future for GetOwned<T, D> {
    type Output = Result<T, ShutDownError>;

    /// # Panics
    ///
    /// If polled again after it completed.
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.get_mut().state.poll_future(cx)
    }
}

impl<T, D: Discipline<T>> fmt::Debug for GetOwned<T, D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GetOwned")
            .field("registered", &self.state.registered())
            .finish()
    }
}

/// The future of [`BlockingQueue::put_owned`] and [`Producer::put_owned`]: a
/// [`PutFuture`](crate::PutFuture) that owns what reaches the queue. Resolves
/// once the item is queued, or to [`PutShutDownError`] with the item; `Unpin`,
/// so it can be polled through `&mut` and then give the item back with
/// [`into_item`](Self::into_item).
///
/// # Examples
///
/// ```
/// use queuekit::{PutOwned, Queue};
/// use std::sync::Arc;
///
/// let q = Arc::new(Queue::unbounded());
/// let fut: PutOwned<&str> = Arc::clone(&q).put_owned("x");
/// futures::executor::block_on(fut).unwrap();
/// assert_eq!(q.try_get(), Ok("x"));
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct PutOwned<T, D: Discipline<T> = Fifo<T>> {
    state: PutState<Owner<T, D>>,
}

// The item is never pinned: it is moved out with `Option::take` only.
impl<T, D: Discipline<T>> Unpin for PutOwned<T, D> {}

impl<T, D: Discipline<T>> PutOwned<T, D> {
    fn new(owner: Owner<T, D>, item: T) -> Self {
        Self {
            state: PutState::new(owner, item),
        }
    }

    /// Cancels the put and returns the item if it was not put yet (`None` if
    /// the future already completed). Leaves the waiter list as a drop does.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::Queue;
    /// use std::sync::Arc;
    /// use std::time::Duration;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let q = Arc::new(Queue::bounded(1));
    /// q.put(1).unwrap(); // full
    /// let mut put = Arc::clone(&q).put_owned(2);
    /// let timed_out = tokio::time::timeout(Duration::from_millis(5), &mut put).await;
    /// assert!(timed_out.is_err());
    /// assert_eq!(put.into_item(), Some(2)); // the item is not lost
    /// # }
    /// ```
    pub fn into_item(mut self) -> Option<T> {
        self.state.cancel()
    }
}

impl<T, D: Discipline<T>> Future for PutOwned<T, D> {
    type Output = Result<(), PutShutDownError<T>>;

    /// # Panics
    ///
    /// If polled again after it completed.
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.get_mut().state.poll(cx)
    }
}

impl<T, D: Discipline<T>> fmt::Debug for PutOwned<T, D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.state.fmt_fields("PutOwned", f)
    }
}

/// An async iterator that owns what reaches the queue (an `Arc` of it, or a
/// [`Consumer`] end): made by [`BlockingQueue::into_stream`] and
/// [`Consumer::into_stream`]. Yields items until the queue is shut down and
/// empty. [`next`](Self::next) needs no feature; with the `stream` feature it is
/// also a `futures_core::Stream` (and `FusedStream`).
///
/// # Cancel safety
///
/// As `BlockingQueue::stream`: an item is taken only by the poll that yields
/// it, so a dropped `next()` took nothing; the stream keeps its place in the
/// waiter list (and a wake-up it received) until it is polled again or dropped,
/// and dropping it passes such a wake-up on.
///
/// # Examples
///
/// ```
/// use queuekit::Queue;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let (tx, rx) = Queue::bounded(2).split();
/// let consumer = tokio::spawn(async move {
///     let mut s = rx.into_stream(); // owns the consumer end
///     let mut sum = 0;
///     while let Some(n) = s.next().await {
///         sum += n;
///     }
///     sum
/// });
/// tx.put_async(1).await.unwrap();
/// tx.put_async(2).await.unwrap();
/// drop(tx); // the last producer: the stream ends once drained
/// assert_eq!(consumer.await.unwrap(), 3);
/// # }
/// ```
#[must_use = "streams do nothing unless polled"]
pub struct IntoStream<T, D: Discipline<T> = Fifo<T>> {
    state: GetState<Owner<T, D>>,
    ended: bool,
}

impl<T, D: Discipline<T>> IntoStream<T, D> {
    fn new(owner: Owner<T, D>) -> Self {
        Self {
            state: GetState::new(owner),
            ended: false,
        }
    }

    /// The next item, waiting asynchronously while the queue is empty; `None`
    /// once the queue is shut down and empty (and from then on). Cancel-safe.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::LifoQueue;
    /// use std::sync::Arc;
    ///
    /// let q = Arc::new(LifoQueue::unbounded());
    /// q.put_all(['a', 'b']).unwrap();
    /// q.shutdown();
    /// let mut s = q.into_stream();
    /// futures::executor::block_on(async {
    ///     assert_eq!(s.next().await, Some('b'));
    ///     assert_eq!(s.next().await, Some('a'));
    ///     assert_eq!(s.next().await, None);
    /// });
    /// ```
    // An async `next`, named as `StreamExt::next` (which it shadows, with the
    // same meaning), not a blocking `Iterator::next`.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> impl Future<Output = Option<T>> + '_ {
        poll_fn(move |cx| self.state.poll_next(&mut self.ended, cx))
    }

    /// The queue the stream takes from.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::Queue;
    /// use std::sync::Arc;
    ///
    /// let s = Arc::new(Queue::<u8>::bounded(4)).into_stream();
    /// assert_eq!(s.queue().capacity(), Some(4));
    /// ```
    #[must_use]
    pub fn queue(&self) -> &BlockingQueue<T, D> {
        self.state.queue()
    }
}

/// With the `stream` feature, the owned stream is a `Stream` too.
#[cfg(feature = "stream")]
#[cfg_attr(docsrs, doc(cfg(feature = "stream")))]
impl<T, D: Discipline<T>> Stream for IntoStream<T, D> {
    type Item = T;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let this = self.get_mut();
        this.state.poll_next(&mut this.ended, cx)
    }
}

#[cfg(feature = "stream")]
impl<T, D: Discipline<T>> FusedStream for IntoStream<T, D> {
    fn is_terminated(&self) -> bool {
        self.ended
    }
}

impl<T, D: Discipline<T>> fmt::Debug for IntoStream<T, D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IntoStream")
            .field("registered", &self.state.registered())
            .field("ended", &self.ended)
            .finish()
    }
}

impl<T, D: Discipline<T>> Consumer<T, D> {
    /// [`get_async`](Consumer::get_async) as a future that owns this consumer
    /// end: spawnable, like flume's `into_recv_async`. The end lives (keeping the
    /// queue open for the producers) until the future is dropped; if it is the
    /// last consumer, dropping the completed future shuts the queue down. Keep
    /// an end and spawn `rx.clone().get_owned()` to go on consuming.
    ///
    /// # Errors
    ///
    /// [`ShutDownError`] once every producer has dropped (or the queue was shut
    /// down) and the queue is empty.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::Queue;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let (tx, rx) = Queue::unbounded().split();
    /// let task = tokio::spawn(rx.clone().get_owned());
    /// tx.put(5).unwrap();
    /// assert_eq!(task.await.unwrap(), Ok(5));
    /// assert_eq!(rx.consumer_count(), 1); // the future's end dropped with it
    /// # }
    /// ```
    pub fn get_owned(self) -> GetOwned<T, D> {
        GetOwned::new(Owner::Consumer(self))
    }

    /// A stream that owns this consumer end: [`BlockingQueue::into_stream`] for
    /// the end (flume's `into_stream`). It ends once every producer has dropped
    /// (or the queue was shut down) and the queue is empty; the end lives until
    /// the stream drops.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{Consumer, IntoStream, Queue};
    ///
    /// fn events(rx: Consumer<&'static str>) -> IntoStream<&'static str> {
    ///     rx.into_stream()
    /// }
    ///
    /// let (tx, rx) = Queue::unbounded().split();
    /// tx.put_all(["a", "b"]).unwrap();
    /// drop(tx);
    /// let mut s = events(rx);
    /// futures::executor::block_on(async {
    ///     assert_eq!(s.next().await, Some("a"));
    ///     assert_eq!(s.next().await, Some("b"));
    ///     assert_eq!(s.next().await, None);
    /// });
    /// ```
    pub fn into_stream(self) -> IntoStream<T, D> {
        IntoStream::new(Owner::Consumer(self))
    }
}

impl<T, D: Discipline<T>> Producer<T, D> {
    /// [`put_async`](Producer::put_async) as a future that owns this producer
    /// end: spawnable, like flume's `into_send_async`. The end lives (keeping
    /// the queue open for the consumers) until the future is dropped; if it is
    /// the last producer, dropping the completed future shuts the queue down.
    ///
    /// # Errors
    ///
    /// [`PutShutDownError`] with the item once every consumer has dropped (or
    /// the queue was shut down).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{GetError, Queue};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let (tx, rx) = Queue::unbounded().split();
    /// tokio::spawn(tx.put_owned(9)).await.unwrap().unwrap(); // the only producer
    /// assert_eq!(rx.get(), Ok(9));
    /// assert_eq!(rx.get(), Err(GetError::ShutDown)); // it dropped with the future
    /// # }
    /// ```
    pub fn put_owned(self, item: T) -> PutOwned<T, D> {
        PutOwned::new(Owner::Producer(self), item)
    }
}
