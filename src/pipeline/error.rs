//! The errors of [`run`](super::run), with their `Display`.

use std::error::Error;
use std::fmt;

/// What stopped a pipeline: the first failure on either side.
///
/// # Examples
///
/// ```
/// use queuekit::pipeline::{self, Failure};
///
/// let err = pipeline::run(
///     |feed| feed.put(1).map_err(|_| "stopped"),
///     vec![|_item: i32| Err("consumer gave up")],
/// )
/// .unwrap_err();
/// assert_eq!(err.failure(), &Failure::Consumer("consumer gave up"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure<E> {
    /// The producer returned this error.
    Producer(E),
    /// A consumer returned this error.
    Consumer(E),
    /// The producer panicked; the panic message.
    ProducerPanicked(String),
    /// A consumer panicked; the panic message.
    ConsumerPanicked(String),
    /// `run` was given no consumers: nothing could ever drain the queue.
    NoConsumers,
}

impl<E: fmt::Display> fmt::Display for Failure<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Producer(e) => write!(f, "producer failed: {e}"),
            Failure::Consumer(e) => write!(f, "consumer failed: {e}"),
            Failure::ProducerPanicked(m) => write!(f, "producer panicked: {m}"),
            Failure::ConsumerPanicked(m) => write!(f, "consumer panicked: {m}"),
            Failure::NoConsumers => f.write_str("pipeline has no consumers"),
        }
    }
}

/// The error of [`run`](super::run): the first [`Failure`], and the items that were
/// still queued when the pipeline stopped (handed back, never silently dropped).
///
/// # Examples
///
/// ```
/// use queuekit::pipeline::{self, Failure};
///
/// let err = pipeline::run(|_feed| Err::<(), _>("no input"), vec![|_: u8| Ok(())]).unwrap_err();
/// assert_eq!(err.failure(), &Failure::Producer("no input"));
/// assert!(err.unprocessed().is_empty());
/// assert_eq!(err.to_string(), "producer failed: no input");
/// ```
pub struct PipelineError<E, T> {
    failure: Failure<E>,
    unprocessed: Vec<T>,
}

impl<E, T> PipelineError<E, T> {
    pub(super) fn new(failure: Failure<E>, unprocessed: Vec<T>) -> Self {
        Self {
            failure,
            unprocessed,
        }
    }

    /// The first failure.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::pipeline::{self, Failure};
    ///
    /// let e = pipeline::run(|_| Ok::<(), ()>(()), Vec::<fn(u8) -> Result<(), ()>>::new())
    ///     .unwrap_err();
    /// assert_eq!(e.failure(), &Failure::NoConsumers);
    /// ```
    pub fn failure(&self) -> &Failure<E> {
        &self.failure
    }

    /// Items that were queued but not yet taken by a consumer when the pipeline stopped,
    /// in the order a consumer would have taken them.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::pipeline::{self, Failure};
    ///
    /// let e = pipeline::run(|_| Err::<(), _>("x"), vec![|_: u8| Ok(())]).unwrap_err();
    /// assert!(e.unprocessed().is_empty());
    /// ```
    pub fn unprocessed(&self) -> &[T] {
        &self.unprocessed
    }

    /// Splits the error into the failure and the unprocessed items.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::pipeline::{self, Failure};
    ///
    /// let e = pipeline::run(|_| Err::<(), _>(7), vec![|_: u8| Ok(())]).unwrap_err();
    /// let (failure, rest) = e.into_parts();
    /// assert_eq!(failure, Failure::Producer(7));
    /// assert!(rest.is_empty());
    /// ```
    pub fn into_parts(self) -> (Failure<E>, Vec<T>) {
        (self.failure, self.unprocessed)
    }
}

impl<E: fmt::Debug, T> fmt::Debug for PipelineError<E, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PipelineError")
            .field("failure", &self.failure)
            .field("unprocessed", &self.unprocessed.len())
            .finish()
    }
}

impl<E: fmt::Display, T> fmt::Display for PipelineError<E, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.failure, f)
    }
}

impl<E: fmt::Debug + fmt::Display, T> Error for PipelineError<E, T> {}
