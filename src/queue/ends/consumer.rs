//! The getting end: [`Consumer`].

use std::fmt;
use std::iter::FusedIterator;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::Shared;
use crate::counter::error::TaskDoneError;
use crate::queue::discipline::Discipline;
use crate::queue::error::GetError;
use crate::queue::front::BlockingQueue;
use crate::queue::future::{GetFuture, GetManyFuture};
use crate::queue::iter::Iter;
use crate::queue::store::Fifo;
#[cfg(feature = "stream")]
use crate::queue::stream::QueueStream;

/// The getting end of a [`split`](BlockingQueue::split) queue: like crossbeam's
/// `Receiver` it clones (several consumers share the items, each item going to
/// one), and when the last consumer drops the queue is shut down, so producers'
/// puts fail with [`PutError::ShutDown`](crate::PutError::ShutDown) and hand the
/// item back instead of filling a queue nobody reads.
///
/// `D` defaults to [`Fifo`]: `Consumer<T>` is the end of a [`Queue`](crate::Queue).
/// The rest of the queue is one [`queue`](Self::queue) call away.
///
/// # Examples
///
/// ```
/// use queuekit::{PutError, Queue};
/// use std::thread;
///
/// let (tx, rx) = Queue::bounded(1).split();
/// tx.put(1).unwrap(); // full now
/// let consumer = thread::spawn(move || {
///     while rx.queue().blocked_putters() == 0 {
///         thread::yield_now(); // until the producer sleeps on the full queue
///     }
///     drop(rx); // the consumer gives up
/// });
/// // Woken with its item back: nobody will ever take it.
/// assert_eq!(tx.put(2), Err(PutError::ShutDown(2)));
/// consumer.join().unwrap();
/// assert_eq!(tx.queue().shutdown_now(), [1]); // the queued item is not lost
/// ```
pub struct Consumer<T, D: Discipline<T> = Fifo<T>> {
    pub(super) shared: Arc<Shared<T, D>>,
}

impl<T, D: Discipline<T>> Consumer<T, D> {
    pub(super) fn new(shared: Arc<Shared<T, D>>) -> Self {
        Self { shared }
    }

    /// Removes and returns the next item, blocking while the queue is empty:
    /// [`BlockingQueue::get`].
    ///
    /// # Errors
    ///
    /// [`GetError::ShutDown`] once every [`Producer`](crate::Producer) has dropped
    /// (or the queue was shut down) and the queue is empty.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{GetError, Queue};
    ///
    /// let (tx, rx) = Queue::unbounded().split();
    /// tx.put(1).unwrap();
    /// drop(tx);
    /// assert_eq!(rx.get(), Ok(1)); // what was put is still delivered
    /// assert_eq!(rx.get(), Err(GetError::ShutDown));
    /// ```
    pub fn get(&self) -> Result<T, GetError> {
        self.shared.queue.get()
    }

    /// Like [`get`](Self::get), giving up after `timeout`:
    /// [`BlockingQueue::get_timeout`].
    ///
    /// # Errors
    ///
    /// [`GetError::Empty`] if no item came in time; [`GetError::ShutDown`] as for
    /// [`get`](Self::get).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{GetError, Queue};
    /// use std::time::Duration;
    ///
    /// let (_tx, rx) = Queue::<u8>::unbounded().split();
    /// assert_eq!(rx.get_timeout(Duration::from_millis(5)), Err(GetError::Empty));
    /// ```
    pub fn get_timeout(&self, timeout: Duration) -> Result<T, GetError> {
        self.shared.queue.get_timeout(timeout)
    }

    /// Like [`get`](Self::get), giving up at `deadline`:
    /// [`BlockingQueue::get_deadline`].
    ///
    /// # Errors
    ///
    /// As [`get_timeout`](Self::get_timeout).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{GetError, Queue};
    /// use std::time::Instant;
    ///
    /// let (tx, rx) = Queue::unbounded().split();
    /// assert_eq!(rx.get_deadline(Instant::now()), Err(GetError::Empty));
    /// tx.put(4).unwrap();
    /// assert_eq!(rx.get_deadline(Instant::now()), Ok(4));
    /// ```
    pub fn get_deadline(&self, deadline: Instant) -> Result<T, GetError> {
        self.shared.queue.get_deadline(deadline)
    }

    /// Removes and returns the next item if there is one, without blocking:
    /// [`BlockingQueue::try_get`].
    ///
    /// # Errors
    ///
    /// [`GetError::Empty`] if the queue is empty; [`GetError::ShutDown`] if it is
    /// also shut down (every producer gone).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{GetError, Queue};
    ///
    /// let (tx, rx) = Queue::<u8>::unbounded().split();
    /// assert_eq!(rx.try_get(), Err(GetError::Empty));
    /// drop(tx);
    /// assert_eq!(rx.try_get(), Err(GetError::ShutDown));
    /// ```
    pub fn try_get(&self) -> Result<T, GetError> {
        self.shared.queue.try_get()
    }

    /// Removes and returns the next item, waiting asynchronously while the queue
    /// is empty: [`BlockingQueue::get_async`], the `async` form of
    /// [`get`](Self::get). Cancel-safe in the same way: the item is taken only
    /// in the poll that returns it.
    ///
    /// # Errors
    ///
    /// The future resolves to [`ShutDownError`](crate::ShutDownError) once every
    /// [`Producer`](crate::Producer) has dropped (or the queue was shut down) and
    /// the queue is empty, also while it is pending.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{Queue, ShutDownError};
    /// use std::thread;
    ///
    /// let (tx, rx) = Queue::bounded(1).split();
    /// let producer = thread::spawn(move || tx.put("from a thread").unwrap()); // `tx` drops
    /// futures::executor::block_on(async {
    ///     assert_eq!(rx.get_async().await, Ok("from a thread"));
    ///     // Once the producer end has dropped, and the queue is empty:
    ///     producer.join().unwrap();
    ///     assert_eq!(rx.get_async().await, Err(ShutDownError));
    /// });
    /// ```
    pub fn get_async(&self) -> GetFuture<'_, T, D> {
        self.shared.queue.get_async()
    }

    /// Waits asynchronously for at least one item, then takes up to `max`:
    /// [`BlockingQueue::get_many_async`] (the first item and the rest in two
    /// holds of the lock). Cancel-safe.
    ///
    /// # Errors
    ///
    /// The future resolves to [`ShutDownError`](crate::ShutDownError) once every producer has dropped
    /// and the queue is empty.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{Queue, ShutDownError};
    ///
    /// let (tx, rx) = Queue::unbounded().split();
    /// tx.put_all(1..=5).unwrap();
    /// drop(tx);
    /// futures::executor::block_on(async {
    ///     assert_eq!(rx.get_many_async(3).await, Ok(vec![1, 2, 3]));
    ///     assert_eq!(rx.get_many_async(3).await, Ok(vec![4, 5]));
    ///     assert_eq!(rx.get_many_async(3).await, Err(ShutDownError));
    /// });
    /// ```
    pub fn get_many_async(&self, max: usize) -> GetManyFuture<'_, T, D> {
        self.shared.queue.get_many_async(max)
    }

    /// Waits for at least one item, then takes up to `max` in one hold of the lock:
    /// [`BlockingQueue::get_many`].
    ///
    /// # Errors
    ///
    /// [`GetError::ShutDown`] once every producer has dropped and the queue is
    /// empty.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{GetError, Queue};
    ///
    /// let (tx, rx) = Queue::unbounded().split();
    /// tx.put_all(1..=5).unwrap();
    /// drop(tx);
    /// assert_eq!(rx.get_many(3), Ok(vec![1, 2, 3]));
    /// assert_eq!(rx.get_many(3), Ok(vec![4, 5]));
    /// assert_eq!(rx.get_many(3), Err(GetError::ShutDown));
    /// ```
    pub fn get_many(&self, max: usize) -> Result<Vec<T>, GetError> {
        self.shared.queue.get_many(max)
    }

    /// [`get_many`](Self::get_many) giving up after `timeout`:
    /// [`BlockingQueue::get_many_timeout`].
    ///
    /// # Errors
    ///
    /// [`GetError::Empty`] if no item came in time; [`GetError::ShutDown`] as for
    /// [`get_many`](Self::get_many).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{GetError, Queue};
    /// use std::time::Duration;
    ///
    /// let (tx, rx) = Queue::unbounded().split();
    /// assert_eq!(rx.get_many_timeout(4, Duration::from_millis(5)), Err(GetError::Empty));
    /// tx.put(1).unwrap();
    /// assert_eq!(rx.get_many_timeout(4, Duration::from_millis(5)), Ok(vec![1]));
    /// ```
    pub fn get_many_timeout(&self, max: usize, timeout: Duration) -> Result<Vec<T>, GetError> {
        self.shared.queue.get_many_timeout(max, timeout)
    }

    /// [`get_many`](Self::get_many) giving up at `deadline`:
    /// [`BlockingQueue::get_many_deadline`].
    ///
    /// # Errors
    ///
    /// As [`get_many_timeout`](Self::get_many_timeout).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::Queue;
    /// use std::time::Instant;
    ///
    /// let (tx, rx) = Queue::unbounded().split();
    /// tx.put_all([1, 2]).unwrap();
    /// assert_eq!(rx.get_many_deadline(8, Instant::now()), Ok(vec![1, 2]));
    /// ```
    pub fn get_many_deadline(&self, max: usize, deadline: Instant) -> Result<Vec<T>, GetError> {
        self.shared.queue.get_many_deadline(max, deadline)
    }

    /// Up to `max` items if there is at least one, without blocking:
    /// [`BlockingQueue::try_get_many`].
    ///
    /// # Errors
    ///
    /// [`GetError::Empty`] if the queue is empty; [`GetError::ShutDown`] if it is
    /// also shut down.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{GetError, Queue};
    ///
    /// let (tx, rx) = Queue::unbounded().split();
    /// tx.put_all([1, 2, 3]).unwrap();
    /// assert_eq!(rx.try_get_many(2), Ok(vec![1, 2]));
    /// assert_eq!(rx.try_get_many(2), Ok(vec![3]));
    /// assert_eq!(rx.try_get_many(2), Err(GetError::Empty));
    /// # drop(tx);
    /// ```
    pub fn try_get_many(&self, max: usize) -> Result<Vec<T>, GetError> {
        self.shared.queue.try_get_many(max)
    }

    /// [`get_many`](Self::get_many) into the caller's buffer, the allocation-free
    /// form: [`BlockingQueue::get_many_into`].
    ///
    /// # Errors
    ///
    /// As [`get_many`](Self::get_many); `buf` is then left as it was.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::Queue;
    /// use std::thread;
    ///
    /// let (tx, rx) = Queue::bounded(16).split();
    /// let producer = thread::spawn(move || tx.put_all(0..100u32).unwrap());
    /// let mut buf = Vec::with_capacity(8);
    /// let mut total = 0;
    /// while let Ok(n) = rx.get_many_into(&mut buf, 8) {
    ///     assert!((1..=8).contains(&n));
    ///     total += buf.drain(..).sum::<u32>();
    /// }
    /// assert_eq!(total, 4950);
    /// producer.join().unwrap();
    /// ```
    pub fn get_many_into(&self, buf: &mut Vec<T>, max: usize) -> Result<usize, GetError> {
        self.shared.queue.get_many_into(buf, max)
    }

    /// Marks one task taken from the queue as finished:
    /// [`BlockingQueue::task_done`].
    ///
    /// # Errors
    ///
    /// [`TaskDoneError`] if called more times than items were put.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::Queue;
    ///
    /// let (tx, rx) = Queue::unbounded().split();
    /// tx.put("job").unwrap();
    /// let _job = rx.get().unwrap();
    /// rx.task_done().unwrap();
    /// tx.queue().join(); // returns: every task is done
    /// ```
    pub fn task_done(&self) -> Result<(), TaskDoneError> {
        self.shared.queue.task_done()
    }

    /// A blocking iterator that ends once every producer has dropped (or the queue
    /// was shut down) and the queue is empty: [`BlockingQueue::iter`].
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::Queue;
    /// use std::thread;
    ///
    /// let (tx, rx) = Queue::bounded(2).split();
    /// thread::spawn(move || tx.put_all(1..=10).unwrap()); // `tx` drops at the end
    /// assert_eq!(rx.iter().sum::<i32>(), 55);
    /// ```
    pub fn iter(&self) -> Iter<'_, T, D> {
        self.shared.queue.iter()
    }

    /// An async iterator that ends once every producer has dropped (or the
    /// queue was shut down) and the queue is empty: [`BlockingQueue::stream`],
    /// the `async` twin of [`iter`](Self::iter). Needs the `stream` feature.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures::StreamExt;
    /// use queuekit::Queue;
    /// use std::thread;
    ///
    /// let (tx, rx) = Queue::bounded(2).split();
    /// let producer = thread::spawn(move || tx.put_all(1..=10).unwrap()); // `tx` drops at the end
    /// let sum = futures::executor::block_on(rx.stream().fold(0, |n, i| async move { n + i }));
    /// assert_eq!(sum, 55);
    /// producer.join().unwrap();
    /// ```
    #[cfg(feature = "stream")]
    #[cfg_attr(docsrs, doc(cfg(feature = "stream")))]
    pub fn stream(&self) -> QueueStream<'_, T, D> {
        self.shared.queue.stream()
    }

    super::end_methods! {
        /// The shared queue behind the ends, for everything else:
        /// `unfinished_tasks`, an explicit `shutdown` (stop the producers while
        /// consumers remain), `shutdown_now`. (It can also `put`: the ends only count
        /// who may keep the queue open, they do not fence the operations.)
        ///
        /// # Examples
        ///
        /// ```
        /// use queuekit::{PutError, Queue};
        ///
        /// let (tx, rx) = Queue::unbounded().split();
        /// tx.put(1).unwrap();
        /// assert_eq!(rx.queue().len(), 1);
        /// rx.queue().shutdown(); // enough: no more items wanted
        /// assert_eq!(tx.put(2), Err(PutError::ShutDown(2)));
        /// ```
        fn queue;

        /// How many [`Producer`](crate::Producer) ends are alive (a snapshot); zero
        /// once they are all gone and the queue is shut down.
        ///
        /// # Examples
        ///
        /// ```
        /// use queuekit::Queue;
        ///
        /// let (tx, rx) = Queue::<u8>::unbounded().split();
        /// assert_eq!(rx.producer_count(), 1);
        /// drop(tx);
        /// assert_eq!(rx.producer_count(), 0);
        /// assert!(rx.queue().is_shutdown());
        /// ```
        fn producer_count;

        /// How many [`Consumer`] ends are alive, this one included (a snapshot).
        ///
        /// # Examples
        ///
        /// ```
        /// use queuekit::Queue;
        ///
        /// let (_tx, rx) = Queue::<u8>::unbounded().split();
        /// let rx2 = rx.clone();
        /// assert_eq!(rx2.consumer_count(), 2);
        /// ```
        fn consumer_count;
    }
}

impl<'a, T, D: Discipline<T>> IntoIterator for &'a Consumer<T, D> {
    type Item = T;
    type IntoIter = Iter<'a, T, D>;

    fn into_iter(self) -> Iter<'a, T, D> {
        self.iter()
    }
}

impl<T, D: Discipline<T>> IntoIterator for Consumer<T, D> {
    type Item = T;
    type IntoIter = IntoIter<T, D>;

    /// A blocking iterator that owns this consumer end: like
    /// [`iter`](Consumer::iter), it ends once every producer has dropped (or the
    /// queue was shut down) and the queue is empty. The end stays alive, keeping
    /// the queue open for the producers, until the iterator drops.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{Consumer, Queue};
    /// use std::thread;
    ///
    /// fn evens(rx: Consumer<u32>) -> impl Iterator<Item = u32> {
    ///     rx.into_iter().filter(|i| i % 2 == 0) // owns `rx`: can be returned
    /// }
    ///
    /// let (tx, rx) = Queue::bounded(2).split();
    /// let producer = thread::spawn(move || tx.put_all(1..=10).unwrap()); // `tx` drops
    /// assert_eq!(evens(rx).collect::<Vec<_>>(), [2, 4, 6, 8, 10]);
    /// producer.join().unwrap();
    /// ```
    fn into_iter(self) -> IntoIter<T, D> {
        IntoIter { consumer: self }
    }
}

/// A blocking iterator that owns a [`Consumer`]: each `next` is a
/// [`get`](Consumer::get), and iteration ends once every producer has dropped (or
/// the queue was shut down) and the queue is empty. Made by
/// `Consumer::into_iter` (`for item in consumer`); the owned counterpart of
/// [`Iter`], so it can be moved into a thread or returned from a function.
/// Dropping it drops the consumer end (the last one shuts the queue down).
///
/// # Examples
///
/// ```
/// use queuekit::Queue;
/// use std::thread;
///
/// let (tx, rx) = Queue::bounded(4).split();
/// let consumer = thread::spawn(move || {
///     let mut sum = 0;
///     for i in rx {
///         sum += i;
///     }
///     sum
/// });
/// tx.put_all(1..=100).unwrap();
/// drop(tx); // the last producer: the consumer's loop ends once it has taken all
/// assert_eq!(consumer.join().unwrap(), 5050);
/// ```
pub struct IntoIter<T, D: Discipline<T> = Fifo<T>> {
    consumer: Consumer<T, D>,
}

impl<T, D: Discipline<T>> IntoIter<T, D> {
    /// The consumer end back, to stop iterating but keep the end (the queue stays
    /// open for the producers).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::Queue;
    ///
    /// let (tx, rx) = Queue::unbounded().split();
    /// tx.put_all([1, 2, 3]).unwrap();
    /// let mut it = rx.into_iter();
    /// assert_eq!(it.next(), Some(1));
    /// let rx = it.into_inner();
    /// assert_eq!(rx.try_get(), Ok(2));
    /// ```
    #[must_use]
    pub fn into_inner(self) -> Consumer<T, D> {
        self.consumer
    }
}

impl<T, D: Discipline<T>> Iterator for IntoIter<T, D> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        self.consumer.get().ok()
    }
}

// A shut-down queue accepts no more puts, so once empty it stays empty.
impl<T, D: Discipline<T>> FusedIterator for IntoIter<T, D> {}

impl<T, D: Discipline<T>> fmt::Debug for IntoIter<T, D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IntoIter")
            .field("consumer", &self.consumer)
            .finish()
    }
}
