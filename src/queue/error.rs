//! The errors of the queues, with their `Display`.
//!
//! Errors that carry an item hand it back: nothing given to a queue is lost because
//! an operation failed.

use std::error::Error;
use std::fmt;

/// Why a put failed; carries the item back to the caller.
///
/// # Examples
///
/// ```
/// use queuekit::PutError;
///
/// let e = PutError::Full(7);
/// assert!(e.is_full());
/// assert_eq!(e.to_string(), "queue is full");
/// assert_eq!(e.into_inner(), 7);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub enum PutError<T> {
    /// The queue stayed full (non-blocking put, or the timeout ran out): Python's `queue.Full`.
    Full(T),
    /// The queue was shut down: Python's `queue.ShutDown`.
    ShutDown(T),
}

impl<T> PutError<T> {
    /// The item that could not be put.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::PutError;
    ///
    /// assert_eq!(PutError::ShutDown("job").into_inner(), "job");
    /// ```
    pub fn into_inner(self) -> T {
        match self {
            PutError::Full(t) | PutError::ShutDown(t) => t,
        }
    }

    /// `true` for [`PutError::Full`].
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::PutError;
    ///
    /// assert!(PutError::Full(1).is_full());
    /// ```
    pub fn is_full(&self) -> bool {
        matches!(self, PutError::Full(_))
    }

    /// `true` for [`PutError::ShutDown`].
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::PutError;
    ///
    /// assert!(PutError::ShutDown(1).is_shutdown());
    /// ```
    pub fn is_shutdown(&self) -> bool {
        matches!(self, PutError::ShutDown(_))
    }
}

impl<T> fmt::Debug for PutError<T> {
    /// Does not require `T: Debug`, so `unwrap()` works on any item type.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PutError::Full(_) => f.write_str("Full(..)"),
            PutError::ShutDown(_) => f.write_str("ShutDown(..)"),
        }
    }
}

impl<T> fmt::Display for PutError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PutError::Full(_) => f.write_str("queue is full"),
            PutError::ShutDown(_) => f.write_str("queue is shut down"),
        }
    }
}

impl<T> Error for PutError<T> {}

/// Why a get failed.
///
/// # Examples
///
/// ```
/// use queuekit::{GetError, Queue};
///
/// let q = Queue::<u8>::unbounded();
/// assert_eq!(q.try_get(), Err(GetError::Empty));
/// assert_eq!(GetError::Empty.to_string(), "queue is empty");
/// q.shutdown();
/// assert_eq!(q.get(), Err(GetError::ShutDown)); // never blocks once shut down
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GetError {
    /// Nothing to take (non-blocking get, or the timeout ran out): Python's `queue.Empty`.
    Empty,
    /// The queue is shut down and drained: Python's `queue.ShutDown`.
    ShutDown,
}

impl fmt::Display for GetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GetError::Empty => f.write_str("queue is empty"),
            GetError::ShutDown => f.write_str("queue is shut down and empty"),
        }
    }
}

impl Error for GetError {}

/// Why [`put_all`](super::BlockingQueue::put_all) stopped: the queue was shut down.
/// Carries back everything not put: the items already pulled from the iterator
/// (in order) and the untouched rest of the iterator.
///
/// # Examples
///
/// ```
/// use queuekit::Queue;
///
/// let q = Queue::unbounded();
/// q.shutdown();
/// let err = q.put_all(1..=5).unwrap_err();
/// assert_eq!(err.to_string(), "queue is shut down");
/// let unsent: Vec<i32> = err.into_remaining().collect();
/// assert_eq!(unsent, [1, 2, 3, 4, 5]);
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct PutAllError<T, I> {
    unsent: Vec<T>,
    rest: I,
}

impl<T, I> PutAllError<T, I> {
    pub(crate) fn new(unsent: Vec<T>, rest: I) -> Self {
        Self { unsent, rest }
    }

    /// The items taken from the iterator but not put, in iteration order; the
    /// first is the one the shutdown refused.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::Queue;
    ///
    /// let q = Queue::unbounded();
    /// q.shutdown();
    /// let err = q.put_all(vec!["a", "b"]).unwrap_err();
    /// assert_eq!(err.unsent(), ["a", "b"]);
    /// ```
    pub fn unsent(&self) -> &[T] {
        &self.unsent
    }

    /// Everything the error carries: the unsent items already taken from the
    /// iterator, and the rest of the iterator, never advanced past them.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::Queue;
    ///
    /// let q = Queue::unbounded();
    /// q.shutdown();
    /// let (unsent, mut rest) = q.put_all(0..1000).unwrap_err().into_inner();
    /// let next = unsent.len() as i32;
    /// assert_eq!(unsent, (0..next).collect::<Vec<_>>());
    /// assert_eq!(rest.next(), if next < 1000 { Some(next) } else { None });
    /// ```
    pub fn into_inner(self) -> (Vec<T>, I) {
        (self.unsent, self.rest)
    }

    /// Every item not put, in order: the unsent ones, then the rest of the iterator.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::Queue;
    ///
    /// let q = Queue::unbounded();
    /// q.shutdown();
    /// let err = q.put_all((0..3).map(|i| i * 10)).unwrap_err();
    /// assert_eq!(err.into_remaining().collect::<Vec<_>>(), [0, 10, 20]);
    /// ```
    pub fn into_remaining(self) -> std::iter::Chain<std::vec::IntoIter<T>, I>
    where
        I: Iterator<Item = T>,
    {
        self.unsent.into_iter().chain(self.rest)
    }
}

impl<T, I> fmt::Debug for PutAllError<T, I> {
    /// Needs neither `T: Debug` nor `I: Debug`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PutAllError")
            .field("unsent", &self.unsent.len())
            .finish_non_exhaustive()
    }
}

impl<T, I> fmt::Display for PutAllError<T, I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("queue is shut down")
    }
}

impl<T, I> Error for PutAllError<T, I> {}

/// Why an async get ([`get_async`](super::BlockingQueue::get_async),
/// [`get_many_async`](super::BlockingQueue::get_many_async),
/// [`get_owned`](super::BlockingQueue::get_owned)) failed: the queue is shut
/// down and empty. The only way such a get can fail: it waits instead of
/// returning [`GetError::Empty`]. Converts into [`GetError::ShutDown`] with `?`
/// or `into()`.
///
/// # Examples
///
/// ```
/// use queuekit::{GetError, Queue, ShutDownError};
///
/// let q = Queue::<u8>::unbounded();
/// q.shutdown();
/// let e = futures::executor::block_on(q.get_async()).unwrap_err();
/// assert_eq!(e, ShutDownError);
/// assert_eq!(e.to_string(), "queue is shut down and empty");
/// assert_eq!(GetError::from(e), GetError::ShutDown);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ShutDownError;

impl fmt::Display for ShutDownError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("queue is shut down and empty")
    }
}

impl Error for ShutDownError {}

impl From<ShutDownError> for GetError {
    fn from(_: ShutDownError) -> Self {
        GetError::ShutDown
    }
}

/// Why an async put ([`put_async`](super::BlockingQueue::put_async),
/// [`put_owned`](super::BlockingQueue::put_owned)) failed: the queue was shut
/// down, before or while it waited. Carries the item back. The only way such a
/// put can fail: it waits instead of returning [`PutError::Full`]. Converts into
/// [`PutError::ShutDown`] with `?` or `into()`.
///
/// # Examples
///
/// ```
/// use queuekit::{PutError, PutShutDownError, Queue};
///
/// let q = Queue::unbounded();
/// q.shutdown();
/// let e = futures::executor::block_on(q.put_async("job")).unwrap_err();
/// assert_eq!(e, PutShutDownError("job"));
/// assert_eq!(e.to_string(), "queue is shut down");
/// assert_eq!(PutError::from(e), PutError::ShutDown("job"));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PutShutDownError<T>(pub T);

impl<T> PutShutDownError<T> {
    /// The item that could not be put.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::PutShutDownError;
    ///
    /// assert_eq!(PutShutDownError(5).into_inner(), 5);
    /// ```
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> fmt::Debug for PutShutDownError<T> {
    /// Does not require `T: Debug`, so `unwrap()` works on any item type.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PutShutDownError(..)")
    }
}

impl<T> fmt::Display for PutShutDownError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("queue is shut down")
    }
}

impl<T> Error for PutShutDownError<T> {}

impl<T> From<PutShutDownError<T>> for PutError<T> {
    fn from(e: PutShutDownError<T>) -> Self {
        PutError::ShutDown(e.0)
    }
}

/// The async forms' view of a general result: `Empty` / `Full` cannot happen
/// when the call waits, so only the shutdown is left.
pub(crate) fn get_shut_down<T>(r: Result<T, GetError>) -> Result<T, ShutDownError> {
    r.map_err(|e| {
        debug_assert_eq!(e, GetError::ShutDown, "a waiting get returned Empty");
        ShutDownError
    })
}

/// As [`get_shut_down`], for puts: the item comes back either way.
pub(crate) fn put_shut_down<T>(r: Result<(), PutError<T>>) -> Result<(), PutShutDownError<T>> {
    r.map_err(|e| {
        debug_assert!(e.is_shutdown(), "a waiting put returned Full");
        PutShutDownError(e.into_inner())
    })
}
