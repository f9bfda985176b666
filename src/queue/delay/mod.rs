//! The delay queue: items that leave only once their deadline has passed,
//! earliest first (Java's `DelayQueue`), on the same [`BlockingQueue`] front as
//! the other disciplines.
//!
//! * `store.rs`: [`Delay`], the heap by `(deadline, put order)`;
//! * `core.rs`: the one-lock core with its leader / follower wait;
//! * `put.rs`: the calls only a delay queue has (`put_at`, `put_after`, …);
//! * `clock.rs`: the time source (a model clock under loom);
//! * `timer.rs`: the process-wide timer that wakes tasks when a head falls due.

pub(crate) mod clock;
pub(crate) mod core;
mod put;
mod store;
mod timer;

pub use store::Delay;

use super::BlockingQueue;

/// A queue whose items leave in deadline order, each only once its deadline has
/// passed: Java's `DelayQueue` with Python `queue` semantics.
///
/// Beside every [`BlockingQueue`] call, a delay queue has
/// [`put_at`](BlockingQueue::put_at) / [`put_after`](BlockingQueue::put_after)
/// (with `try_` and `_timeout` forms), [`peek_deadline`](BlockingQueue::peek_deadline)
/// and [`due_len`](BlockingQueue::due_len). The shared calls mean:
///
/// | call | on a delay queue |
/// |---|---|
/// | `put(x)`, `try_put`, `put_timeout`, `put_all`, `put_async` | `x` is due at once |
/// | `get`, `get_timeout`, `get_deadline`, `iter` | wait until the earliest item is due (or the wait ends) and take it |
/// | `try_get`, `drain`, `try_get_many` | only items due now; `Empty` if none is, however many wait |
/// | `get_many(max)` | wait for one due item, then take up to `max` due ones |
/// | `len`, `is_empty`, `is_full` | every item, due or not |
/// | `shutdown` | puts fail; items already queued stay, and leave when due; gets fail with `ShutDown` once the queue is empty |
/// | `shutdown_now` | every item, due or not, earliest deadline first |
/// | `get_async`, [`Select::get`](crate::Select::get), `split` | as `get`; a task waiting for a head that is not due yet is woken by a process-wide timer thread |
///
/// Items with equal deadlines leave in put order. `maxsize` counts every item,
/// due or not.
///
/// **Waiting.** Of the threads blocked in `get`, one (the leader) sleeps until
/// the head's deadline; the others sleep until handed the lead. A put with an
/// earlier deadline wakes the leader to re-arm; an expiry wakes one thread, never
/// every waiter.
///
/// # Examples
///
/// ```
/// use queuekit::{DelayQueue, GetError};
/// use std::time::Duration;
///
/// let q = DelayQueue::unbounded();
/// q.put_after("in 20 ms", Duration::from_millis(20)).unwrap();
/// q.put_after("in 5 ms", Duration::from_millis(5)).unwrap();
/// assert_eq!(q.len(), 2);
/// assert_eq!(q.try_get(), Err(GetError::Empty)); // nothing due yet
/// assert_eq!(q.get(), Ok("in 5 ms"));
/// assert_eq!(q.get(), Ok("in 20 ms"));
/// ```
///
/// Retrying with back-off: a worker puts a failed job back with a later deadline.
///
/// ```
/// use queuekit::DelayQueue;
/// use std::time::Duration;
///
/// let retries = DelayQueue::unbounded();
/// retries.put((1u32, "flaky call")).unwrap(); // due at once
/// let mut attempts = 0;
/// while let Ok((attempt, job)) = retries.get() {
///     attempts += 1;
///     if attempt < 3 {
///         let backoff = Duration::from_millis(2u64 << attempt);
///         retries.put_after((attempt + 1, job), backoff).unwrap();
///     } else {
///         retries.shutdown(); // done: the loop ends when the queue is empty
///     }
/// }
/// assert_eq!(attempts, 3);
/// ```
pub type DelayQueue<T> = BlockingQueue<T, Delay<T>>;
