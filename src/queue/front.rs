//! The generic front, [`BlockingQueue<T, D>`], its constructors and sizes, and
//! the aliases that name it by discipline ([`Queue`], [`LifoQueue`],
//! [`PriorityQueue`], [`DelayQueue`]). The operations are one file each beside
//! it (`put.rs`, `get.rs`, `many.rs`, ...); each calls the core its
//! [`Discipline`] picks.

use std::fmt;

use super::delay::Delay;
use super::discipline::{self, Discipline};
use super::inner::Inner;
use super::inside::{Core, UNBOUNDED};
use super::priority::Priority;
use super::store::{self, Fifo, Lifo};
use super::zero::Zero;

/// A first-in-first-out queue: Python's `queue.Queue`.
///
/// # Examples
///
/// ```
/// use queuekit::Queue;
/// use std::sync::Arc;
/// use std::thread;
///
/// let q = Arc::new(Queue::bounded(2));
/// let producer = {
///     let q = Arc::clone(&q);
///     thread::spawn(move || {
///         for i in 0..5 {
///             q.put(i).unwrap(); // blocks while two items wait
///         }
///         q.shutdown();
///     })
/// };
/// let received: Vec<i32> = q.iter().collect(); // ends at shutdown + empty
/// assert_eq!(received, [0, 1, 2, 3, 4]);
/// producer.join().unwrap();
/// ```
pub type Queue<T> = BlockingQueue<T, Fifo<T>>;

/// A last-in-first-out queue (a stack): Python's `queue.LifoQueue`.
///
/// # Examples
///
/// ```
/// use queuekit::LifoQueue;
///
/// let q = LifoQueue::unbounded();
/// for i in 1..=3 {
///     q.put(i).unwrap();
/// }
/// assert_eq!(q.try_get_many(10), Ok(vec![3, 2, 1]));
/// ```
pub type LifoQueue<T> = BlockingQueue<T, Lifo<T>>;

/// A priority queue, lowest item first and first-in-first-out among equal items:
/// Python's `queue.PriorityQueue` without the tie-breaking counter. See
/// [`Priority`] for the ordering and for what happens if `Ord` panics.
///
/// # Examples
///
/// ```
/// use queuekit::PriorityQueue;
///
/// let q = PriorityQueue::unbounded();
/// q.put(3).unwrap();
/// q.put(1).unwrap();
/// q.put(2).unwrap();
/// assert_eq!(q.try_get_many(10), Ok(vec![1, 2, 3]));
/// ```
pub type PriorityQueue<T> = BlockingQueue<T, Priority<T>>;

/// A thread-safe queue with Python `queue` semantics, generic over the order in
/// which items come out ([`Fifo`], [`Lifo`] or [`Priority`]). Usually named through
/// [`Queue`], [`LifoQueue`] or [`PriorityQueue`]; share it with an `Arc` or a scoped
/// thread.
///
/// | Python | queuekit |
/// |---|---|
/// | `Queue()`, `Queue(maxsize=0)`, `Queue(n)` | [`unbounded`](Self::unbounded) or [`with_maxsize(0)`](Self::with_maxsize), [`bounded(n)`](Self::bounded) or [`with_maxsize(n)`](Self::with_maxsize); `bounded(0)` is a rendezvous queue (no Python equivalent) |
/// | `put(x)`, `put(x, timeout=t)`, `put_nowait(x)` | [`put`](Self::put), [`put_timeout`](Self::put_timeout), [`try_put`](Self::try_put) (+ [`put_deadline`](Self::put_deadline)) |
/// | `get()`, `get(timeout=t)`, `get_nowait()` | [`get`](Self::get), [`get_timeout`](Self::get_timeout), [`try_get`](Self::try_get) (+ [`get_deadline`](Self::get_deadline)) |
/// | `qsize()`, `empty()`, `full()`, `maxsize` | [`len`](Self::len), [`is_empty`](Self::is_empty), [`is_full`](Self::is_full), [`capacity`](Self::capacity) |
/// | `task_done()`, `join()`, `unfinished_tasks` | [`task_done`](Self::task_done), [`join`](Self::join), [`unfinished_tasks`](Self::unfinished_tasks) (+ [`join_timeout`](Self::join_timeout)) |
/// | `shutdown()`, `shutdown(immediate=True)` | [`shutdown`](Self::shutdown), [`shutdown_now`](Self::shutdown_now) (returns the items) |
/// | — (tokio's `recv_many`) | [`get_many`](Self::get_many), [`get_many_into`](Self::get_many_into) (+ `_timeout`, `_deadline`, `try_`): wait for one, take up to `max` in one lock hold |
/// | — (a channel's `Sender` / `Receiver`) | [`split`](Self::split) into counted [`Producer`](crate::Producer) / [`Consumer`](crate::Consumer) ends that shut the queue down when the last of a kind drops |
///
/// Failed puts hand the item back in the error ([`PutError`](crate::PutError)):
/// nothing given to a queue is lost.
///
/// `BlockingQueue` is `Send` and `Sync` when `T: Send`.
///
/// # Examples
///
/// A worker pool with `task_done` / `join`:
///
/// ```
/// use queuekit::Queue;
/// use std::sync::atomic::{AtomicU64, Ordering};
/// use std::thread;
///
/// let jobs = Queue::bounded(8);
/// let total = AtomicU64::new(0);
/// thread::scope(|s| {
///     for _ in 0..3 {
///         s.spawn(|| {
///             for n in &jobs {
///                 total.fetch_add(n, Ordering::Relaxed);
///                 jobs.task_done().unwrap();
///             }
///         });
///     }
///     for n in 1..=100u64 {
///         jobs.put(n).unwrap();
///     }
///     jobs.join(); // every job put so far is done
///     assert_eq!(total.load(Ordering::Relaxed), 5050);
///     jobs.shutdown(); // lets the workers' loops end
/// });
/// ```
pub struct BlockingQueue<T, D: Discipline<T>> {
    pub(super) core: Inner<T, D>,
    /// Made with a bound: `capacity()` then reports `bounded(usize::MAX)` as
    /// `Some(usize::MAX)`, though the core treats it as unbounded (it can never fill).
    bounded: bool,
}

// SAFETY: every core the sealed disciplines pick is `Send + Sync` whenever the
// items and the store are `Send` (its data sits behind the crate's `Mutex`, the
// rest is atomics and condvars): `cores_are_send_sync` below checks exactly that
// at compile time. The compiler cannot see it through the associated type in
// generic code, hence these impls.
unsafe impl<T: Send, D: Discipline<T> + Send> Send for BlockingQueue<T, D> {}
// SAFETY: as above.
unsafe impl<T: Send, D: Discipline<T> + Send> Sync for BlockingQueue<T, D> {}

/// Compile-time proof for the `unsafe impl`s above: each core is `Send + Sync`
/// for any `T: Send`.
#[allow(dead_code)]
fn cores_are_send_sync<T: Send + Ord>() {
    fn check<C: Send + Sync>() {}
    check::<<Fifo<T> as discipline::sealed::Sealed<T>>::Core>();
    check::<<Lifo<T> as discipline::sealed::Sealed<T>>::Core>();
    check::<<Priority<T> as discipline::sealed::Sealed<T>>::Core>();
    check::<<Delay<T> as discipline::sealed::Sealed<T>>::Core>();
    check::<Zero<T, Fifo<T>>>();
    check::<Zero<T, Lifo<T>>>();
    check::<Zero<T, Priority<T>>>();
    check::<Zero<T, Delay<T>>>();
}

impl<T, D: Discipline<T>> BlockingQueue<T, D> {
    /// A queue without a size limit (Python's `Queue()` / `maxsize=0`): `put` never
    /// blocks and never fails with `Full`.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::Queue;
    ///
    /// let q = Queue::unbounded();
    /// for i in 0..10_000 {
    ///     q.try_put(i).unwrap();
    /// }
    /// assert_eq!(q.capacity(), None);
    /// ```
    #[must_use]
    pub fn unbounded() -> Self {
        Self {
            core: Inner::new(UNBOUNDED, 0),
            bounded: false,
        }
    }

    /// A queue holding at most `maxsize` items: `put` blocks while it is full.
    ///
    /// `bounded(0)` is a **rendezvous** queue, as in crossbeam-channel, flume and
    /// async-channel: it holds no item, and a `put` completes only when a getter
    /// takes its item (a hand-off). `try_put` succeeds only if a thread is
    /// blocked in a get right now; `capacity()` is `Some(0)`; `len()` is always 0
    /// and `is_full()` always `true`. For Python's `Queue(maxsize=0)`, which
    /// means "unbounded", use [`with_maxsize`](Self::with_maxsize). The
    /// semantics (which waiting putter a getter takes from, shutdown, tasks,
    /// async and select) are in `docs/semantics.md`, "Rendezvous queues".
    ///
    /// For `maxsize > 0` the ring is allocated up front (up to 1 MiB of items; a
    /// larger `maxsize` grows on demand), so a bounded queue does not allocate
    /// per operation.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{PutError, Queue};
    /// use std::thread;
    ///
    /// let q = Queue::bounded(2);
    /// q.put('a').unwrap();
    /// q.put('b').unwrap();
    /// assert!(q.is_full());
    /// assert_eq!(q.try_put('c'), Err(PutError::Full('c')));
    /// assert_eq!(q.capacity(), Some(2));
    ///
    /// // Zero capacity: a hand-off between a putter and a getter.
    /// let r = Queue::bounded(0);
    /// assert_eq!(r.capacity(), Some(0));
    /// assert_eq!(r.try_put('x'), Err(PutError::Full('x'))); // nobody is getting
    /// thread::scope(|s| {
    ///     s.spawn(|| r.put('y').unwrap()); // returns once the get below took 'y'
    ///     assert_eq!(r.get(), Ok('y'));
    /// });
    /// ```
    #[must_use]
    pub fn bounded(maxsize: usize) -> Self {
        if maxsize == 0 {
            return Self {
                core: Inner::rendezvous(),
                bounded: true,
            };
        }
        Self {
            core: Inner::new(maxsize, store::prealloc::<T>(maxsize)),
            bounded: true,
        }
    }

    /// Python's `Queue(maxsize)`: `0` (or Python's negative sizes, which Rust's
    /// `usize` cannot carry) means unbounded, any other size is
    /// [`bounded(maxsize)`](Self::bounded). The constructor for ported Python
    /// code; in Rust code `bounded(0)` is a rendezvous queue instead.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::Queue;
    ///
    /// let q = Queue::<u8>::with_maxsize(0); // Python's Queue(maxsize=0)
    /// assert_eq!(q.capacity(), None);
    /// for i in 0..100 {
    ///     q.try_put(i).unwrap(); // never full
    /// }
    /// assert_eq!(Queue::<u8>::with_maxsize(3).capacity(), Some(3));
    /// ```
    #[must_use]
    pub fn with_maxsize(maxsize: usize) -> Self {
        if maxsize == 0 {
            Self::unbounded()
        } else {
            Self::bounded(maxsize)
        }
    }

    /// The size limit (Python's `maxsize`), or `None` for an unbounded queue.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::LifoQueue;
    ///
    /// assert_eq!(LifoQueue::<u8>::bounded(16).capacity(), Some(16));
    /// assert_eq!(LifoQueue::<u8>::unbounded().capacity(), None);
    /// assert_eq!(LifoQueue::<u8>::bounded(usize::MAX).capacity(), Some(usize::MAX));
    /// assert_eq!(LifoQueue::<u8>::bounded(0).capacity(), Some(0)); // rendezvous
    /// ```
    #[must_use]
    pub fn capacity(&self) -> Option<usize> {
        self.bounded.then(|| self.core.capacity())
    }

    /// The number of items in the queue right now (Python's `qsize()`). Other
    /// threads may change it as soon as this returns.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::Queue;
    ///
    /// let q = Queue::unbounded();
    /// q.put(1).unwrap();
    /// q.put(2).unwrap();
    /// assert_eq!(q.len(), 2);
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.core.len()
    }

    /// `true` if the queue holds no items right now (Python's `empty()`).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::Queue;
    ///
    /// let q = Queue::unbounded();
    /// assert!(q.is_empty());
    /// q.put(()).unwrap();
    /// assert!(!q.is_empty());
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `true` if the queue is bounded and holds `maxsize` items right now (Python's
    /// `full()`); never for an unbounded queue, always for a rendezvous queue
    /// (`bounded(0)`: a put waits for a getter).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::Queue;
    ///
    /// let q = Queue::bounded(1);
    /// assert!(!q.is_full());
    /// q.put(1).unwrap();
    /// assert!(q.is_full());
    /// ```
    #[must_use]
    pub fn is_full(&self) -> bool {
        self.len() >= self.core.capacity()
    }

    /// How many threads are asleep in a `get` (or `get_timeout`, `iter`, …), and
    /// tasks registered in a pending `get_async`, right now, waiting for an item. A snapshot, like Java's
    /// `getWaitingConsumerCount`: useful for monitoring and for tests that need
    /// to know a consumer is parked. A thread still in its short spin before
    /// sleeping is not counted.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::Queue;
    /// use std::thread;
    ///
    /// let q = Queue::<u32>::unbounded();
    /// thread::scope(|s| {
    ///     let consumer = s.spawn(|| q.get());
    ///     while q.blocked_getters() == 0 {
    ///         thread::yield_now();
    ///     }
    ///     q.put(7).unwrap();
    ///     assert_eq!(consumer.join().unwrap(), Ok(7));
    /// });
    /// ```
    #[must_use]
    pub fn blocked_getters(&self) -> usize {
        self.core.blocked_getters()
    }

    /// How many threads are asleep in a `put` (or `put_timeout`, `put_all`, …),
    /// and tasks registered in a pending `put_async`, right now, waiting for room. A snapshot; see
    /// [`blocked_getters`](Self::blocked_getters).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::Queue;
    /// use std::thread;
    ///
    /// let q = Queue::bounded(1);
    /// q.put(1).unwrap();
    /// thread::scope(|s| {
    ///     let producer = s.spawn(|| q.put(2));
    ///     while q.blocked_putters() == 0 {
    ///         thread::yield_now();
    ///     }
    ///     assert_eq!(q.get(), Ok(1));
    ///     producer.join().unwrap().unwrap();
    /// });
    /// assert_eq!(q.get(), Ok(2));
    /// ```
    #[must_use]
    pub fn blocked_putters(&self) -> usize {
        self.core.blocked_putters()
    }
}

impl<T, D: Discipline<T>> Default for BlockingQueue<T, D> {
    /// Same as [`BlockingQueue::unbounded`].
    fn default() -> Self {
        Self::unbounded()
    }
}

impl<T, D: Discipline<T>> fmt::Debug for BlockingQueue<T, D> {
    /// Never blocks: shows the length and sleepers only if the lock is free right
    /// now, `<locked>` otherwise. Never shows the items (no `T: Debug` needed).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("BlockingQueue");
        d.field("capacity", &self.capacity());
        self.core.fmt_fields(&mut d);
        d.field("unfinished_tasks", &self.core.tasks().unfinished_tasks())
            .finish()
    }
}

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
