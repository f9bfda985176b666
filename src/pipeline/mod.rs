//! `pipeline::run`: one producer feeding N consumers through a bounded queue, with the
//! first failure stopping everyone.
//!
//! With a bounded queue, a producer blocked on a full queue after every consumer died
//! could hang forever. Here the first failure shuts the queue down, which wakes a
//! blocked producer (its `put` hands the item back as [`PutError::ShutDown`]) and
//! every idle consumer, so the queue can stay bounded and memory stays flat however
//! fast the producer is.

mod error;

use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::mutex::Mutex;
use crate::panic::panic_message;
use crate::queue::error::{GetError, PutError};
use crate::queue::Queue;

pub use self::error::{Failure, PipelineError};

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
        return Err(PipelineError::new(Failure::NoConsumers, Vec::new()));
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
        Some(failure) => Err(PipelineError::new(failure, leftovers.into_inner())),
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
