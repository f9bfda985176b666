//! `TaskCounter`: the count of unfinished tasks behind `task_done` / `join`.

pub(crate) mod error;
mod future;

use std::fmt;
use std::time::{Duration, Instant};

pub use self::future::JoinFuture;

use self::error::{CountOverflowError, TaskDoneError};
use crate::futex::Futex;
use crate::sync::fault::{self, Fault};
use crate::sync::{const_unless_loom, AtomicU32, AtomicUsize, Ordering};
use crate::waitlist::WaitList;

/// Counts unfinished tasks and lets threads wait until there are none.
///
/// This is the `unfinished_tasks` / `task_done()` / `join()` machinery of Python's
/// `queue.Queue`, on its own: [`add`](TaskCounter::add) when work is handed out,
/// [`done`](TaskCounter::done) when a piece is finished,
/// [`wait`](TaskCounter::wait) to block until everything added so far is done.
/// Calling `done` more often than `add` is a [`TaskDoneError`], never a panic, and
/// the count never goes below zero.
///
/// `add` and `done` are lock-free; `done` makes a system call only when it brings
/// the count to zero while someone waits.
///
/// # Examples
///
/// ```
/// use queuekit::TaskCounter;
/// use std::sync::Arc;
/// use std::thread;
///
/// let tasks = Arc::new(TaskCounter::new());
/// tasks.add(3).unwrap();
/// for _ in 0..3 {
///     let tasks = Arc::clone(&tasks);
///     thread::spawn(move || tasks.done().unwrap());
/// }
/// tasks.wait(); // returns once all three are done
/// assert_eq!(tasks.unfinished_tasks(), 0);
/// assert!(tasks.done().is_err()); // one `done` too many
/// ```
pub struct TaskCounter {
    /// Tasks ever added, modulo 2^64. Either read-modify-written by
    /// [`add`](TaskCounter::add), or (inside the crate) stored by its only writer
    /// with [`publish_added`](TaskCounter::publish_added), never both. See
    /// "Totals" below.
    added: AtomicUsize,
    /// Tasks ever marked done, modulo 2^64; only `done` and `done_up_to` write it,
    /// each with a CAS that never lets it pass `added`.
    finished: AtomicUsize,
    /// Bumped each time the count reaches zero with waiters; they sleep on it.
    zeroes: Futex,
    /// Waiting threads and tasks (a task counts from its first pending poll
    /// until its future completes or is dropped).
    waiters: AtomicU32,
    /// Waiting tasks (`wait_async`); woken with the threads.
    wakers: WaitList,
}

// Totals. The unfinished count is `added - finished`, never stored. The
// invariants, cited by number below:
//
// 1. `finished <= added` at every instant (as real counts, not modulo): a CAS
//    moves `finished` forward only after reading an `added` at least as large.
// 2. Whoever reads `finished` (Acquire) and then `added` (Acquire) gets
//    `added >= finished`: the write of the `finished` value it read came
//    after a read of an `added` at least that large, and every CAS on
//    `finished` is a Release RMW, so each earlier writer's view of `added`
//    happens before the reader's load (release sequences on one word).
// 3. Reading `finished` first is what makes "zero" an instant: if the two
//    loads give `f` and then `a == f`, then at the second load `finished >= f`
//    and `added == f`, so by (1) both were `f`. The other order can see a
//    zero that never was (a put and a `done` between the loads; must-fail
//    model `CounterReadsAddedFirst`).
// 4. A queue or pool is the only writer of its counter's `added` and stores
//    the new total under its own lock (Release), before the item or task can
//    be seen: whoever takes the item sees the total that counts it.
impl TaskCounter {
    const_unless_loom! {
        /// A counter with no unfinished tasks.
        ///
        /// # Examples
        ///
        /// ```
        /// use queuekit::TaskCounter;
        ///
        /// static JOBS: TaskCounter = TaskCounter::new();
        /// assert_eq!(JOBS.unfinished_tasks(), 0);
        /// ```
        #[must_use]
        pub const fn new() -> Self {
            Self {
                added: AtomicUsize::new(0),
                finished: AtomicUsize::new(0),
                zeroes: Futex::new(0),
                waiters: AtomicU32::new(0),
                wakers: WaitList::new(),
            }
        }
    }

    /// Adds `n` unfinished tasks.
    ///
    /// Fails, changing nothing, only if the count would exceed `usize::MAX`.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::TaskCounter;
    ///
    /// let c = TaskCounter::new();
    /// c.add(2).unwrap();
    /// assert_eq!(c.unfinished_tasks(), 2);
    /// assert!(c.add(usize::MAX).is_err());
    /// assert_eq!(c.unfinished_tasks(), 2);
    /// ```
    pub fn add(&self, n: usize) -> Result<(), CountOverflowError> {
        let mut added = self.added.load(Ordering::Acquire);
        loop {
            // (2): `finished` first. A `done` racing us only lowers the count.
            let pending = added.wrapping_sub(self.finished.load(Ordering::Acquire));
            if pending.checked_add(n).is_none() {
                return Err(CountOverflowError);
            }
            match self.added.compare_exchange_weak(
                added,
                added.wrapping_add(n),
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return Ok(()),
                Err(now) => added = now,
            }
        }
    }

    /// Sets the total of tasks ever added to `total` (modulo 2^64), for a counter
    /// with one writer that keeps the total itself, under its own lock (a queue's
    /// puts, a pool's accepted tasks): a plain store, no read-modify-write.
    /// Invariant (4): never mixed with [`add`](TaskCounter::add) on one counter,
    /// and `total` only grows, by at most `usize::MAX` minus the unfinished count.
    #[inline]
    pub(crate) fn publish_added(&self, total: usize) {
        // Release: whoever sees the item this total counts sees the total (4).
        self.added.store(total, Ordering::Release);
    }

    /// The total of tasks ever added, as a hint (Relaxed): spinning getters watch
    /// a queue's puts through it.
    #[inline]
    pub(crate) fn added_hint(&self) -> usize {
        self.added.load(Ordering::Relaxed)
    }

    /// Marks one task finished. Wakes the waiters if it was the last.
    ///
    /// # Errors
    ///
    /// [`TaskDoneError`] if no task is unfinished; the count stays at zero.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::TaskCounter;
    ///
    /// let c = TaskCounter::new();
    /// c.add(1).unwrap();
    /// assert!(c.done().is_ok());
    /// assert!(c.done().is_err());
    /// ```
    pub fn done(&self) -> Result<(), TaskDoneError> {
        if self.done_up_to(1) == 1 {
            Ok(())
        } else {
            Err(TaskDoneError)
        }
    }

    /// Marks up to `n` tasks finished, stopping at zero; returns how many it marked.
    /// For callers that discard work in bulk (a queue's `shutdown_now`).
    #[allow(dead_code)] // used by the queue layer
    pub(crate) fn done_up_to(&self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        let mut finished = self.finished.load(Ordering::Acquire);
        loop {
            // (2): `added` after `finished`, so the difference is a real count.
            let pending = self.added.load(Ordering::Acquire).wrapping_sub(finished);
            let mut marked = pending.min(n);
            fault::point!(Fault::CounterDoneUnchecked => marked = n);
            if marked == 0 {
                return 0;
            }
            let to = finished.wrapping_add(marked);
            // AcqRel: Release so a joiner that sees zero sees the work done
            // before this call, and so the next writer's view of `added`
            // includes ours (2); Acquire for the same chain the other way.
            match self.finished.compare_exchange_weak(
                finished,
                to,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => {
                    if marked == pending {
                        self.reached_zero();
                    }
                    return marked;
                }
                Err(now) => finished = now,
            }
        }
    }

    /// The number of unfinished tasks right now: added and not yet marked done
    /// (Python's `Queue.unfinished_tasks`, the name every queue uses too).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::TaskCounter;
    ///
    /// let c = TaskCounter::new();
    /// c.add(5).unwrap();
    /// c.done().unwrap();
    /// assert_eq!(c.unfinished_tasks(), 4);
    /// ```
    #[must_use]
    pub fn unfinished_tasks(&self) -> usize {
        fault::point!(Fault::CounterReadsAddedFirst => {
            let added = self.added.load(Ordering::Acquire);
            return added.wrapping_sub(self.finished.load(Ordering::Acquire));
        });
        // (2), (3): `finished` first.
        let finished = self.finished.load(Ordering::Acquire);
        self.added.load(Ordering::Acquire).wrapping_sub(finished)
    }

    /// Blocks until the count is zero (Python's `Queue.join`). Returns at once if it
    /// already is.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::TaskCounter;
    /// use std::sync::Arc;
    ///
    /// let c = Arc::new(TaskCounter::new());
    /// c.add(1).unwrap();
    /// let c2 = Arc::clone(&c);
    /// let worker = std::thread::spawn(move || c2.done().unwrap());
    /// c.wait();
    /// assert_eq!(c.unfinished_tasks(), 0);
    /// worker.join().unwrap();
    /// ```
    pub fn wait(&self) {
        self.wait_inner(None);
    }

    /// Like [`wait`](TaskCounter::wait) with a timeout; `true` if the count reached
    /// zero in time. A zero timeout just checks.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::TaskCounter;
    /// use std::time::Duration;
    ///
    /// let c = TaskCounter::new();
    /// assert!(c.wait_timeout(Duration::ZERO));
    /// c.add(1).unwrap();
    /// assert!(!c.wait_timeout(Duration::from_millis(5)));
    /// ```
    #[must_use]
    pub fn wait_timeout(&self, timeout: Duration) -> bool {
        match Instant::now().checked_add(timeout) {
            Some(deadline) => self.wait_deadline(deadline),
            // Too far to name as an instant: no limit.
            None => self.wait_inner(None),
        }
    }

    /// Like [`wait`](TaskCounter::wait) with a deadline; `true` if the count
    /// reached zero in time.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::TaskCounter;
    /// use std::time::{Duration, Instant};
    ///
    /// let c = TaskCounter::new();
    /// c.add(1).unwrap();
    /// assert!(!c.wait_deadline(Instant::now() + Duration::from_millis(5)));
    /// ```
    #[must_use]
    pub fn wait_deadline(&self, deadline: Instant) -> bool {
        self.wait_inner(Some(deadline))
    }

    fn wait_inner(&self, deadline: Option<Instant>) -> bool {
        loop {
            if self.unfinished_tasks() == 0 {
                return true;
            }
            // Register, read the epoch, re-check the count. Registration and the
            // zero-reaching `done`'s look at `waiters` are both read-modify-writes of
            // one word, so one of them sees the other (a pair of plain loads would
            // need SeqCst's total order, which loom does not model):
            // - `done` first: its Release RMW synchronises with our Acquire RMW, so
            //   the re-check below sees the count at zero;
            // - we first: `done` sees us and bumps the epoch, so our futex wait
            //   returns whichever epoch we read.
            self.waiters.fetch_add(1, Ordering::AcqRel);
            let epoch = self.zeroes.load(Ordering::Acquire);
            if self.unfinished_tasks() == 0 {
                self.waiters.fetch_sub(1, Ordering::Relaxed);
                return true;
            }
            let in_time = self.zeroes.wait_deadline(epoch, deadline);
            self.waiters.fetch_sub(1, Ordering::Relaxed);
            if !in_time {
                return self.unfinished_tasks() == 0;
            }
        }
    }

    fn reached_zero(&self) {
        // An RMW, not a load: see `wait_inner`.
        if self.waiters.fetch_add(0, Ordering::AcqRel) > 0 {
            self.zeroes.fetch_add(1, Ordering::Release);
            fault::point!(Fault::CounterDoneSkipsWake => return);
            self.zeroes.wake_all();
            self.wakers.notify_all();
        }
    }
}

impl Default for TaskCounter {
    /// Same as [`TaskCounter::new`].
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for TaskCounter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskCounter")
            .field("unfinished_tasks", &self.unfinished_tasks())
            .finish()
    }
}
