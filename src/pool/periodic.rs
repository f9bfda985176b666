//! Periodic series: `schedule_at_fixed_rate` and `schedule_with_fixed_delay`,
//! and the [`PeriodicHandle`] that cancels one.
//!
//! The state word of a series: `RUNNING` while a worker runs it, `CANCELLED`
//! once cancelled (by the handle, a close policy, `terminate`, or a refused
//! hand-over), `ENDED` once its outcome is set. A run starts only by moving the
//! word from idle to `RUNNING` (a CAS), and a cancel sets `CANCELLED` with an
//! RMW: so no run starts after `cancel` returns, and a run in progress when it
//! is cancelled is the last. The next run is queued only after the previous one
//! returned: the series never runs concurrently with itself.

use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use super::error::TaskError;
use super::job::Work;
use super::shared::Shared;
use super::timed::{Recurring, Timed};
use crate::condvar::Condvar;
use crate::mutex::Mutex;
use crate::panic::{forget_payload, panic_message};
use crate::queue::delay_clock;
use crate::sync::fault::{self, Fault};
use crate::sync::{AtomicU32, AtomicUsize, Ordering, UnsafeCell};

const RUNNING: u32 = 1;
const CANCELLED: u32 = 2;

/// How the next run's deadline follows from the last one.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Cadence {
    /// Every `period` after the first deadline; an overrun makes the next run
    /// start late (at once), never concurrently.
    FixedRate(Duration),
    /// `delay` after each run returns.
    FixedDelay(Duration),
}

/// One periodic series.
pub(crate) struct Series {
    /// Called only by the thread that moved `state` from idle to `RUNNING`,
    /// until it clears `RUNNING`.
    f: UnsafeCell<Box<dyn FnMut() + Send>>,
    cadence: Cadence,
    state: AtomicU32,
    runs: AtomicUsize,
    /// Why the series ended, once it has.
    outcome: Mutex<Option<TaskError>>,
    ended: Condvar,
    pool: Weak<Shared>,
}

// SAFETY: `f` is the only field not already `Sync`; it is reached only by the
// one thread that won the idle → `RUNNING` CAS, and the next such CAS happens
// after that thread's Release when it clears `RUNNING` (or never, once
// `CANCELLED` is set). So `f` is never touched by two threads at once, and the
// closure is `Send`, which is all that moving its use between threads needs.
unsafe impl Sync for Series {}

impl Series {
    pub(crate) fn new(
        f: Box<dyn FnMut() + Send>,
        cadence: Cadence,
        pool: &Arc<Shared>,
    ) -> Arc<Self> {
        pool.timers.live_series.fetch_add(1, Ordering::AcqRel);
        Arc::new(Self {
            f: UnsafeCell::new(f),
            cadence,
            state: AtomicU32::new(0),
            runs: AtomicUsize::new(0),
            outcome: Mutex::new(None),
            ended: Condvar::new(),
            pool: Arc::downgrade(pool),
        })
    }

    pub(crate) fn is_cancelled(&self) -> bool {
        self.state.load(Ordering::Acquire) & CANCELLED != 0
    }

    /// Sets the outcome (the first one wins), wakes `wait`ers, and lets a
    /// closed pool's timer end if this was its last series.
    fn end(&self, why: TaskError) {
        let mut o = self.outcome.lock();
        if o.is_some() {
            return;
        }
        *o = Some(why);
        drop(o);
        self.ended.notify_all();
        if let Some(pool) = self.pool.upgrade() {
            pool.timers.live_series.fetch_sub(1, Ordering::AcqRel);
            pool.finish_timers_if_idle();
        }
    }

    /// Cancels the series; ends it now unless a run is in progress (that run
    /// ends it when it returns). `true` if this call cancelled it.
    pub(crate) fn cancel(&self) -> bool {
        let before = self.state.fetch_or(CANCELLED, Ordering::AcqRel);
        if before & RUNNING == 0 {
            self.end(TaskError::Cancelled);
        }
        before & CANCELLED == 0
    }

    /// A pool-side cancel (close policy, `terminate`, refused hand-over).
    pub(crate) fn end_cancelled(&self) {
        self.cancel();
    }

    /// The job that runs the series once for the deadline `at`; dropping it
    /// unrun (a refused hand-over, `terminate` draining the backlog) ends the
    /// series as cancelled.
    pub(crate) fn run_job(self: &Arc<Self>, at: Instant) -> Box<dyn Work> {
        let guard = RunGuard(Some(Arc::clone(self)));
        Box::new(move || {
            let mut guard = guard;
            if let Some(s) = guard.0.take() {
                s.run(at);
            }
        })
    }

    /// One run on a worker, then the next deadline.
    fn run(self: Arc<Self>, at: Instant) {
        let faulty = fault::active(Fault::PeriodicRequeuesBeforeRun);
        if faulty {
            self.requeue(at);
        } else if self
            .state
            .compare_exchange(0, RUNNING, Ordering::AcqRel, Ordering::Acquire)
            .is_err()
        {
            return; // cancelled while waiting: the canceller ended it
        }
        let caught = panic::catch_unwind(AssertUnwindSafe(|| {
            self.f.with_mut(|f| {
                // SAFETY: this thread moved `state` to `RUNNING` above and
                // clears it only below, after the call: see `unsafe impl Sync`.
                unsafe { (&mut *f)() }
            });
        }));
        self.runs.fetch_add(1, Ordering::Relaxed);
        if let Err(payload) = caught {
            let msg = panic_message(&*payload);
            forget_payload(payload);
            // Counted before the handle hears of it, so a `wait` that returned
            // `Panicked` sees it in the stats. The run's job itself returns:
            // the worker counts it as completed, as any task that panicked.
            if let Some(pool) = self.pool.upgrade() {
                pool.state.lock().panicked += 1;
            }
            self.state.fetch_or(CANCELLED, Ordering::AcqRel);
            self.end(TaskError::Panicked(msg));
            return;
        }
        if faulty {
            return;
        }
        let before = self.state.fetch_and(!RUNNING, Ordering::AcqRel);
        if before & CANCELLED != 0 {
            self.end(TaskError::Cancelled);
            return;
        }
        self.requeue(at);
    }

    /// Queues the run after the one due at `at`; ends the series if the pool's
    /// timer is shut (a closed pool, default policy) or the deadline overflows.
    fn requeue(self: &Arc<Self>, at: Instant) {
        let next = match self.cadence {
            Cadence::FixedRate(p) => at.checked_add(p),
            Cadence::FixedDelay(d) => delay_clock::now().checked_add(d),
        };
        let Some(pool) = self.pool.upgrade() else {
            self.cancel();
            return;
        };
        // A closed pool keeps series only by its policy.
        if pool.state.lock().closed && !pool.timers.periodic_after_close.load(Ordering::Relaxed) {
            self.cancel();
            return;
        }
        let again = next.map(|t| {
            pool.timers
                .queue
                .put_at(Timed::Run(Arc::clone(self) as Arc<dyn Recurring>, t), t)
        });
        if !matches!(again, Some(Ok(()))) {
            self.cancel();
        }
    }
}

/// Ends the series as cancelled if its run job is dropped without running.
struct RunGuard(Option<Arc<Series>>);

impl Drop for RunGuard {
    fn drop(&mut self) {
        if let Some(s) = self.0.take() {
            s.cancel();
        }
    }
}

impl Recurring for Series {
    fn is_cancelled(&self) -> bool {
        Series::is_cancelled(self)
    }

    fn run_job(self: Arc<Self>, at: Instant) -> Box<dyn Work> {
        Series::run_job(&self, at)
    }

    fn end_cancelled(&self) {
        Series::end_cancelled(self)
    }
}

/// A handle to a periodic series from
/// [`schedule_at_fixed_rate`](crate::ThreadPoolManager::schedule_at_fixed_rate) or
/// [`schedule_with_fixed_delay`](crate::ThreadPoolManager::schedule_with_fixed_delay):
/// cancels it, and reports how it ended. Dropping the handle does not cancel the
/// series. Clones refer to the same series.
///
/// # Examples
///
/// ```
/// use queuekit::{TaskError, ThreadPoolManager};
/// use std::time::Duration;
///
/// let pool = ThreadPoolManager::new(2).unwrap();
/// let ticks = pool
///     .schedule_at_fixed_rate(Duration::ZERO, Duration::from_millis(1), || {})
///     .unwrap();
/// while ticks.runs() < 3 {
///     std::thread::yield_now();
/// }
/// assert!(ticks.cancel());
/// assert_eq!(ticks.wait(), TaskError::Cancelled);
/// ```
#[derive(Clone)]
pub struct PeriodicHandle {
    series: Arc<Series>,
}

impl PeriodicHandle {
    pub(crate) fn new(series: Arc<Series>) -> Self {
        Self { series }
    }

    /// Cancels the series: no run starts after this returns; a run in progress
    /// finishes and is the last. `true` if this call cancelled it (`false`: it
    /// had already been cancelled or had ended with a panic).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    /// use std::time::Duration;
    ///
    /// let pool = ThreadPoolManager::new(1).unwrap();
    /// let h = pool
    ///     .schedule_with_fixed_delay(Duration::from_secs(60), Duration::from_secs(60), || {})
    ///     .unwrap();
    /// assert!(h.cancel());
    /// assert!(!h.cancel());
    /// assert_eq!(h.runs(), 0);
    /// ```
    pub fn cancel(&self) -> bool {
        self.series.cancel()
    }

    /// How many runs have finished so far.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    /// use std::time::Duration;
    ///
    /// let pool = ThreadPoolManager::new(1).unwrap();
    /// let h = pool.schedule_at_fixed_rate(Duration::ZERO, Duration::from_millis(1), || {}).unwrap();
    /// while h.runs() == 0 {
    ///     std::thread::yield_now();
    /// }
    /// h.cancel();
    /// ```
    #[must_use]
    pub fn runs(&self) -> usize {
        self.series.runs.load(Ordering::Relaxed)
    }

    /// `true` once the series has ended (cancelled, or a run panicked).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    /// use std::time::Duration;
    ///
    /// let pool = ThreadPoolManager::new(1).unwrap();
    /// let h = pool.schedule_at_fixed_rate(Duration::from_secs(60), Duration::from_secs(1), || {}).unwrap();
    /// assert!(!h.is_done());
    /// h.cancel();
    /// assert!(h.is_done());
    /// ```
    #[must_use]
    pub fn is_done(&self) -> bool {
        self.series.outcome.lock().is_some()
    }

    /// Blocks until the series ends and returns why: [`TaskError::Cancelled`],
    /// or [`TaskError::Panicked`] with the message of the run that panicked (the
    /// series stops there; the worker lives on).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{TaskError, ThreadPoolManager};
    /// use std::time::Duration;
    ///
    /// let pool = ThreadPoolManager::new(1).unwrap();
    /// let mut n = 0;
    /// let h = pool
    ///     .schedule_at_fixed_rate(Duration::ZERO, Duration::from_millis(1), move || {
    ///         n += 1;
    ///         assert!(n < 3, "third run fails");
    ///     })
    ///     .unwrap();
    /// assert_eq!(h.wait(), TaskError::Panicked("third run fails".into()));
    /// assert_eq!(h.runs(), 3);
    /// assert_eq!(pool.submit(|| 1).unwrap().wait(), Ok(1)); // the pool works on
    /// ```
    #[must_use]
    pub fn wait(&self) -> TaskError {
        let mut o = self.series.outcome.lock();
        loop {
            if let Some(why) = o.as_ref() {
                return why.clone();
            }
            o = self.series.ended.wait(o);
        }
    }

    /// Like [`wait`](Self::wait), giving up after `timeout` (`None`: still
    /// running).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    /// use std::time::Duration;
    ///
    /// let pool = ThreadPoolManager::new(1).unwrap();
    /// let h = pool.schedule_at_fixed_rate(Duration::from_secs(60), Duration::from_secs(1), || {}).unwrap();
    /// assert_eq!(h.wait_timeout(Duration::from_millis(5)), None);
    /// h.cancel();
    /// ```
    #[must_use]
    pub fn wait_timeout(&self, timeout: Duration) -> Option<TaskError> {
        match Instant::now().checked_add(timeout) {
            Some(deadline) => self.wait_deadline(deadline),
            // Too far to name as an instant: no limit.
            None => Some(self.wait()),
        }
    }

    /// Like [`wait`](Self::wait), giving up at `deadline` (`None`: still
    /// running).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    /// use std::time::{Duration, Instant};
    ///
    /// let pool = ThreadPoolManager::new(1).unwrap();
    /// let h = pool.schedule_at_fixed_rate(Duration::from_secs(60), Duration::from_secs(1), || {}).unwrap();
    /// assert_eq!(h.wait_deadline(Instant::now() + Duration::from_millis(5)), None);
    /// h.cancel();
    /// ```
    #[must_use]
    pub fn wait_deadline(&self, deadline: Instant) -> Option<TaskError> {
        let mut o = self.series.outcome.lock();
        loop {
            if let Some(why) = o.as_ref() {
                return Some(why.clone());
            }
            let (g, r) = self.series.ended.wait_deadline(o, deadline);
            o = g;
            if r.timed_out() && o.is_none() {
                return None;
            }
        }
    }
}

impl fmt::Debug for PeriodicHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PeriodicHandle")
            .field("runs", &self.runs())
            .field("cadence", &self.series.cadence)
            .finish_non_exhaustive()
    }
}
