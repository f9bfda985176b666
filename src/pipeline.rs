//! `pipeline::run`: one producer feeding N consumers through a bounded queue, with the
//! first failure stopping everyone (the oss2 `TaskQueue` pattern, made safe).
//!
//! The oss2 original needs an *unbounded* queue: with a bounded one, a producer blocked
//! on a full queue after every consumer died would hang forever. Here the first
//! failure shuts the queue down, which wakes a blocked producer (its `put` hands the
//! item back as [`PutError::ShutDown`]) and every idle consumer, so the queue can stay
//! bounded and memory stays flat however fast the producer is.

use std::any::Any;
use std::error::Error;
use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::{GetError, Mutex, PutError, Queue};

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

/// The error of [`run`]: the first [`Failure`], and the items that were still queued
/// when the pipeline stopped (handed back, never silently dropped).
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

/// The producer's end of a pipeline.
///
/// # Examples
///
/// ```
/// use queuekit::pipeline;
///
/// let result = pipeline::run(
///     |feed| {
///         for i in 0..10 {
///             // Fails only once the pipeline is stopping: stop producing then.
///             feed.put(i).map_err(|_| "stopped")?;
///         }
///         Ok(())
///     },
///     vec![|i: u32| if i < 100 { Ok(()) } else { Err("too big") }],
/// );
/// assert!(result.is_ok());
/// ```
pub struct Feed<'a, T> {
    queue: &'a Queue<T>,
}

impl<T> Feed<'_, T> {
    /// Puts an item, blocking while the queue is full. Fails with
    /// [`PutError::ShutDown`] (the item handed back) once a consumer has failed.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::pipeline;
    ///
    /// pipeline::run(|feed| feed.put("a").map_err(|e| e.to_string()), vec![|_| Ok(())]).unwrap();
    /// ```
    pub fn put(&self, item: T) -> Result<(), PutError<T>> {
        self.queue.put(item)
    }

    /// `true` once the pipeline is stopping; a producer doing long work between puts
    /// can check it to stop early.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::pipeline;
    ///
    /// pipeline::run(|feed| { assert!(!feed.is_stopped()); Ok::<(), ()>(()) }, vec![|_: u8| Ok(())])
    ///     .unwrap();
    /// ```
    pub fn is_stopped(&self) -> bool {
        self.queue.is_shutdown()
    }
}

/// Runs one producer and the given consumers, each on its own thread, joined by a
/// bounded queue of `capacity` items; see [`run`] for the default capacity.
///
/// # Examples
///
/// ```
/// use queuekit::pipeline;
/// use std::sync::atomic::{AtomicU64, Ordering};
///
/// let total = AtomicU64::new(0);
/// let consumer = |n: u64| {
///     total.fetch_add(n, Ordering::Relaxed);
///     Ok::<(), String>(())
/// };
/// pipeline::run_with_capacity(
///     2,
///     |feed| (1..=100).try_for_each(|n| feed.put(n).map_err(|e| e.to_string())),
///     vec![consumer; 3],
/// )
/// .unwrap();
/// assert_eq!(total.load(Ordering::Relaxed), 5050);
/// ```
pub fn run_with_capacity<T, E, P, C>(
    capacity: usize,
    producer: P,
    consumers: Vec<C>,
) -> Result<(), PipelineError<E, T>>
where
    T: Send,
    E: Send,
    P: FnOnce(&Feed<'_, T>) -> Result<(), E> + Send,
    C: FnMut(T) -> Result<(), E> + Send,
{
    if consumers.is_empty() {
        return Err(PipelineError {
            failure: Failure::NoConsumers,
            unprocessed: Vec::new(),
        });
    }
    let queue = Queue::bounded(capacity.max(1));
    let first: Mutex<Option<Failure<E>>> = Mutex::new(None);
    let leftovers: Mutex<Vec<T>> = Mutex::new(Vec::new());

    // Records the first failure and stops everyone: `shutdown_now` wakes a producer
    // blocked on a full queue and every consumer blocked on an empty one, and hands
    // back what was queued.
    let fail = |failure: Failure<E>| {
        {
            let mut first = first.lock();
            if first.is_none() {
                *first = Some(failure);
            }
        }
        let rest = queue.shutdown_now();
        leftovers.lock().extend(rest);
    };

    std::thread::scope(|s| {
        for mut consumer in consumers {
            let (queue, fail) = (&queue, &fail);
            s.spawn(move || loop {
                let item = match queue.get() {
                    Ok(item) => item,
                    Err(GetError::ShutDown | GetError::Empty) => return,
                };
                match catch_unwind(AssertUnwindSafe(|| consumer(item))) {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => return fail(Failure::Consumer(e)),
                    Err(panic) => return fail(Failure::ConsumerPanicked(panic_message(&*panic))),
                }
            });
        }
        let feed = Feed { queue: &queue };
        match catch_unwind(AssertUnwindSafe(|| producer(&feed))) {
            // Done: consumers drain what is queued, then see ShutDown and exit.
            Ok(Ok(())) => queue.shutdown(),
            Ok(Err(e)) => fail(Failure::Producer(e)),
            Err(panic) => fail(Failure::ProducerPanicked(panic_message(&*panic))),
        }
    });

    match first.into_inner() {
        None => Ok(()),
        Some(failure) => Err(PipelineError {
            failure,
            unprocessed: leftovers.into_inner(),
        }),
    }
}

/// Runs `producer` and `consumers` ([`run_with_capacity`]) with a queue of 16 items
/// per consumer: enough to keep consumers busy, small enough to bound memory.
///
/// Returns `Ok(())` when the producer returned `Ok` and every consumer processed
/// every item; otherwise the first failure (error or panic, from either side) and
/// the items left unprocessed. After the first failure no consumer starts another
/// item, the producer's next `put` fails, and `run` returns once every thread has
/// finished what it was doing: no thread is left blocked.
///
/// Each consumer is called once per item, on its own thread; the producer runs on
/// the calling thread. Closures may borrow from the caller (scoped threads).
///
/// # Examples
///
/// ```
/// use queuekit::pipeline::{self, Failure};
///
/// // Every consumer fails while the producer is blocked on a full queue: no hang.
/// let err = pipeline::run(
///     |feed| {
///         for i in 0..1_000 {
///             feed.put(i).map_err(|_| "stopped")?;
///         }
///         Ok(())
///     },
///     vec![|i: u32| if i < 3 { Ok(()) } else { Err("bad item") }; 2],
/// )
/// .unwrap_err();
/// assert_eq!(err.failure(), &Failure::Consumer("bad item"));
/// ```
pub fn run<T, E, P, C>(producer: P, consumers: Vec<C>) -> Result<(), PipelineError<E, T>>
where
    T: Send,
    E: Send,
    P: FnOnce(&Feed<'_, T>) -> Result<(), E> + Send,
    C: FnMut(T) -> Result<(), E> + Send,
{
    let capacity = consumers.len().saturating_mul(16);
    run_with_capacity(capacity, producer, consumers)
}

/// The text of a panic payload (`&str` or `String`), or a placeholder.
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        String::from("<non-string panic payload>")
    }
}
