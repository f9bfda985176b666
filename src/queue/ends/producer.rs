//! The putting end: [`Producer`].

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::Shared;
use crate::queue::discipline::Discipline;
use crate::queue::error::{PutAllError, PutError};
use crate::queue::front::BlockingQueue;
use crate::queue::future::PutFuture;
use crate::queue::store::Fifo;

/// The putting end of a [`split`](BlockingQueue::split) queue: like
/// `std::sync::mpsc::Sender` or crossbeam's `Sender`, it clones, and when the last
/// producer drops the queue is shut down, so consumers drain what is left and then
/// get [`GetError::ShutDown`](crate::GetError::ShutDown) instead of waiting
/// forever. That includes a drop during a panic's unwinding.
///
/// `D` defaults to [`Fifo`]: `Producer<T>` is the end of a [`Queue`](crate::Queue).
/// The rest of the queue (`join`, `shutdown_now`, …) is one
/// [`queue`](Self::queue) call away.
///
/// # Examples
///
/// ```
/// use queuekit::{GetError, Queue};
/// use std::thread;
///
/// let (tx, rx) = Queue::unbounded().split();
/// let producer = thread::spawn(move || {
///     tx.put(1).unwrap();
///     tx.put(2).unwrap();
///     panic!("the producer dies mid-stream"); // `tx` drops while unwinding
/// });
/// assert_eq!(rx.get(), Ok(1));
/// assert_eq!(rx.get(), Ok(2));
/// assert_eq!(rx.get(), Err(GetError::ShutDown)); // not a hang
/// assert!(producer.join().is_err());
/// ```
pub struct Producer<T, D: Discipline<T> = Fifo<T>> {
    pub(super) shared: Arc<Shared<T, D>>,
}

impl<T, D: Discipline<T>> Producer<T, D> {
    pub(super) fn new(shared: Arc<Shared<T, D>>) -> Self {
        Self { shared }
    }

    /// Adds an item, blocking while the queue is full: [`BlockingQueue::put`].
    ///
    /// # Errors
    ///
    /// [`PutError::ShutDown`] with the item once every [`Consumer`](crate::Consumer)
    /// has dropped (or the queue was shut down), also while this call is blocked.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{PutError, Queue};
    ///
    /// let (tx, rx) = Queue::bounded(1).split();
    /// tx.put("a").unwrap();
    /// drop(rx); // no consumer left
    /// assert_eq!(tx.put("b"), Err(PutError::ShutDown("b")));
    /// ```
    pub fn put(&self, item: T) -> Result<(), PutError<T>> {
        self.shared.queue.put(item)
    }

    /// Like [`put`](Self::put), giving up after `timeout`:
    /// [`BlockingQueue::put_timeout`].
    ///
    /// # Errors
    ///
    /// [`PutError::Full`] if no slot freed up in time; [`PutError::ShutDown`] as
    /// for [`put`](Self::put).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{PutError, Queue};
    /// use std::time::Duration;
    ///
    /// let (tx, _rx) = Queue::bounded(1).split();
    /// tx.put(1).unwrap();
    /// assert_eq!(tx.put_timeout(2, Duration::from_millis(5)), Err(PutError::Full(2)));
    /// ```
    pub fn put_timeout(&self, item: T, timeout: Duration) -> Result<(), PutError<T>> {
        self.shared.queue.put_timeout(item, timeout)
    }

    /// Like [`put`](Self::put), giving up at `deadline`:
    /// [`BlockingQueue::put_deadline`].
    ///
    /// # Errors
    ///
    /// As [`put_timeout`](Self::put_timeout).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::Queue;
    /// use std::time::Instant;
    ///
    /// let (tx, rx) = Queue::bounded(1).split();
    /// tx.put_deadline('x', Instant::now()).unwrap(); // room: no waiting needed
    /// assert_eq!(rx.try_get(), Ok('x'));
    /// ```
    pub fn put_deadline(&self, item: T, deadline: Instant) -> Result<(), PutError<T>> {
        self.shared.queue.put_deadline(item, deadline)
    }

    /// Adds an item if there is room, without blocking: [`BlockingQueue::try_put`].
    ///
    /// # Errors
    ///
    /// [`PutError::Full`] if the queue is full; [`PutError::ShutDown`] as for
    /// [`put`](Self::put).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{LifoQueue, PutError};
    ///
    /// let (tx, rx) = LifoQueue::bounded(1).split();
    /// assert_eq!(tx.try_put(1), Ok(()));
    /// assert_eq!(tx.try_put(2), Err(PutError::Full(2)));
    /// assert_eq!(rx.try_get(), Ok(1));
    /// ```
    pub fn try_put(&self, item: T) -> Result<(), PutError<T>> {
        self.shared.queue.try_put(item)
    }

    /// Adds an item, waiting asynchronously while the queue is full:
    /// [`BlockingQueue::put_async`], the `async` form of [`put`](Self::put).
    /// Cancel-safe in the same way: the item moves into the queue only in the
    /// poll that returns `Ok`; [`PutFuture::into_item`] cancels and gives it
    /// back.
    ///
    /// # Errors
    ///
    /// The future resolves to [`PutShutDownError`](crate::PutShutDownError) with the item once every
    /// [`Consumer`](crate::Consumer) has dropped (or the queue was shut down),
    /// also while it is pending. Never `Full`: it waits instead.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{PutShutDownError, Queue};
    /// use std::thread;
    ///
    /// let (tx, rx) = Queue::bounded(1).split();
    /// let consumer = thread::spawn(move || {
    ///     let first = rx.get().unwrap();
    ///     (first, rx.get().unwrap()) // `rx`, the last consumer, drops here
    /// });
    /// futures::executor::block_on(async {
    ///     tx.put_async(1).await.unwrap();
    ///     tx.put_async(2).await.unwrap(); // waits until the thread took 1
    /// });
    /// assert_eq!(consumer.join().unwrap(), (1, 2));
    /// // No consumer left: the queue is shut down and the item comes back.
    /// let back = futures::executor::block_on(tx.put_async(3));
    /// assert_eq!(back, Err(PutShutDownError(3)));
    /// ```
    pub fn put_async(&self, item: T) -> PutFuture<'_, T, D> {
        self.shared.queue.put_async(item)
    }

    /// Puts every item of `items` in order, in batches: [`BlockingQueue::put_all`].
    ///
    /// # Errors
    ///
    /// [`PutAllError`] with everything not put once the queue is shut down (every
    /// consumer gone).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::Queue;
    ///
    /// let (tx, rx) = Queue::unbounded().split();
    /// tx.put_all(1..=3).unwrap();
    /// drop(tx);
    /// assert_eq!(rx.iter().collect::<Vec<_>>(), [1, 2, 3]);
    /// ```
    pub fn put_all<I>(&self, items: I) -> Result<(), PutAllError<T, I::IntoIter>>
    where
        I: IntoIterator<Item = T>,
    {
        self.shared.queue.put_all(items)
    }

    super::end_methods! {
        /// The shared queue behind the ends, for everything else: `join`,
        /// `unfinished_tasks`, an explicit `shutdown`, or `shutdown_now` to take back
        /// the items the consumers left behind. (It can also `get`: the ends only count
        /// who may keep the queue open, they do not fence the operations.)
        ///
        /// # Examples
        ///
        /// ```
        /// use queuekit::Queue;
        ///
        /// let (tx, rx) = Queue::unbounded().split();
        /// tx.put_all(["a", "b"]).unwrap();
        /// drop(rx); // the consumers are gone: the queue is shut down, items kept
        /// assert!(tx.queue().is_shutdown());
        /// assert_eq!(tx.queue().shutdown_now(), ["a", "b"]); // nothing lost
        /// ```
        fn queue;

        /// How many [`Producer`] ends are alive, this one included (a snapshot).
        ///
        /// # Examples
        ///
        /// ```
        /// use queuekit::Queue;
        ///
        /// let (tx, _rx) = Queue::<u8>::unbounded().split();
        /// let tx2 = tx.clone();
        /// assert_eq!(tx.producer_count(), 2);
        /// drop(tx2);
        /// assert_eq!(tx.producer_count(), 1);
        /// ```
        fn producer_count;

        /// How many [`Consumer`](crate::Consumer) ends are alive (a snapshot); zero
        /// once they are all gone and puts fail.
        ///
        /// # Examples
        ///
        /// ```
        /// use queuekit::Queue;
        ///
        /// let (tx, rx) = Queue::<u8>::unbounded().split();
        /// assert_eq!(tx.consumer_count(), 1);
        /// drop(rx);
        /// assert_eq!(tx.consumer_count(), 0);
        /// ```
        fn consumer_count;
    }
}
