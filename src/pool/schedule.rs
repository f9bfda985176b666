//! Time on the pool: `submit_after`, `submit_at`, `schedule_at_fixed_rate`,
//! `schedule_with_fixed_delay`, and the two close policies (Java's
//! `ScheduledThreadPoolExecutor`). The machinery is in `timer.rs` and
//! `periodic.rs`.

use std::time::{Duration, Instant};

use super::cell::TaskCell;
use super::error::SubmitError;
use super::handle::TaskHandle;
use super::manager::ThreadPoolManager;
use super::periodic::{Cadence, PeriodicHandle, Series};
use super::timed::Timed;
use super::timer::DelayedSlot;
use crate::queue::delay_clock;
use crate::sync::Ordering;

/// `now + d`, or `None` past what `Instant` can hold.
fn after(d: Duration) -> Option<Instant> {
    delay_clock::now().checked_add(d)
}

impl ThreadPoolManager {
    /// Runs `f` on a worker once `delay` has passed and returns its
    /// [`TaskHandle`]: [`cancel`](TaskHandle::cancel) stops it if it has not
    /// started; `wait` or `.await` gives its result. While it waits it holds no
    /// worker: the pool's timer thread (one per pool, started on first use)
    /// hands it over when due.
    ///
    /// # Errors
    ///
    /// [`SubmitError::Closed`] with the closure if the pool is closed, the
    /// delay is too large for `Instant`, or the pool's timer thread could not
    /// be started.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    /// use std::time::{Duration, Instant};
    ///
    /// let pool = ThreadPoolManager::new(2).unwrap();
    /// let start = Instant::now();
    /// let h = pool.submit_after(Duration::from_millis(10), || "done").unwrap();
    /// assert_eq!(h.wait(), Ok("done"));
    /// assert!(start.elapsed() >= Duration::from_millis(10));
    /// ```
    pub fn submit_after<F, R>(&self, delay: Duration, f: F) -> Result<TaskHandle<R>, SubmitError<F>>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        match after(delay) {
            Some(at) => self.submit_at(at, f),
            None => Err(SubmitError::Closed(f.into())),
        }
    }

    /// Runs `f` on a worker once `at` has passed (at once if it has already);
    /// as [`submit_after`](Self::submit_after).
    ///
    /// # Errors
    ///
    /// As [`submit_after`](Self::submit_after).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{TaskError, ThreadPoolManager};
    /// use std::time::{Duration, Instant};
    ///
    /// let pool = ThreadPoolManager::new(1).unwrap();
    /// let h = pool.submit_at(Instant::now() + Duration::from_secs(60), || 1).unwrap();
    /// assert!(h.cancel()); // before it ran
    /// assert_eq!(h.wait(), Err(TaskError::Cancelled));
    /// ```
    pub fn submit_at<F, R>(&self, at: Instant, f: F) -> Result<TaskHandle<R>, SubmitError<F>>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        let cell = TaskCell::new(f);
        let handle = TaskHandle::new(DelayedSlot::new(cell.clone(), &self.shared));
        match self.shared.schedule(Timed::Once(cell.clone()), at) {
            Ok(()) => Ok(handle),
            Err(back) => {
                drop((back, handle));
                Err(SubmitError::Closed(TaskCell::into_closure(cell).into()))
            }
        }
    }

    /// Runs `f` first after `initial_delay`, then every `period` after that
    /// first deadline (Java's `scheduleAtFixedRate`), until the returned handle
    /// cancels the series or a run panics. A run that overruns its period makes
    /// the next one start late (as soon as it returns), never concurrently: the
    /// series never overlaps itself. A panic stops the series and is reported by
    /// [`PeriodicHandle::wait`]; the worker lives on.
    ///
    /// # Errors
    ///
    /// As [`submit_after`](Self::submit_after).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{TaskError, ThreadPoolManager};
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::sync::Arc;
    /// use std::time::Duration;
    ///
    /// let pool = ThreadPoolManager::new(2).unwrap();
    /// let beats = Arc::new(AtomicUsize::new(0));
    /// let b = Arc::clone(&beats);
    /// let h = pool
    ///     .schedule_at_fixed_rate(Duration::ZERO, Duration::from_millis(2), move || {
    ///         b.fetch_add(1, Ordering::Relaxed);
    ///     })
    ///     .unwrap();
    /// while beats.load(Ordering::Relaxed) < 3 {
    ///     std::thread::yield_now();
    /// }
    /// h.cancel();
    /// assert_eq!(h.wait(), TaskError::Cancelled);
    /// ```
    pub fn schedule_at_fixed_rate<F>(
        &self,
        initial_delay: Duration,
        period: Duration,
        f: F,
    ) -> Result<PeriodicHandle, SubmitError<F>>
    where
        F: FnMut() + Send + 'static,
    {
        self.schedule_series(initial_delay, Cadence::FixedRate(period), f)
    }

    /// Runs `f` first after `initial_delay`, then again `delay` after each run
    /// returns (Java's `scheduleWithFixedDelay`), until cancelled or a run
    /// panics; as [`schedule_at_fixed_rate`](Self::schedule_at_fixed_rate).
    ///
    /// # Errors
    ///
    /// As [`submit_after`](Self::submit_after).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    /// use std::time::Duration;
    ///
    /// let pool = ThreadPoolManager::new(1).unwrap();
    /// let reaper = pool
    ///     .schedule_with_fixed_delay(Duration::from_millis(1), Duration::from_millis(1), || {
    ///         // reap idle connections
    ///     })
    ///     .unwrap();
    /// while reaper.runs() < 2 {
    ///     std::thread::yield_now();
    /// }
    /// reaper.cancel();
    /// ```
    pub fn schedule_with_fixed_delay<F>(
        &self,
        initial_delay: Duration,
        delay: Duration,
        f: F,
    ) -> Result<PeriodicHandle, SubmitError<F>>
    where
        F: FnMut() + Send + 'static,
    {
        self.schedule_series(initial_delay, Cadence::FixedDelay(delay), f)
    }

    fn schedule_series<F>(
        &self,
        initial_delay: Duration,
        cadence: Cadence,
        f: F,
    ) -> Result<PeriodicHandle, SubmitError<F>>
    where
        F: FnMut() + Send + 'static,
    {
        let Some(at) = after(initial_delay) else {
            return Err(SubmitError::Closed(f.into()));
        };
        // Checked first so the closure can come back whole: once boxed into the
        // series it cannot.
        if self.is_closed() {
            return Err(SubmitError::Closed(f.into()));
        }
        let series = Series::new(Box::new(f), cadence, &self.shared);
        let handle = PeriodicHandle::new(series.clone());
        match self.shared.schedule(Timed::Run(series, at), at) {
            Ok(()) => Ok(handle),
            // Closed in between: the series is cancelled, as if the close
            // policy had removed it.
            Err(_) => {
                handle.cancel();
                Ok(handle)
            }
        }
    }

    /// Whether one-shot delayed tasks (`submit_after`, `submit_at`) still run
    /// when due after [`close`](Self::close) or [`join`](Self::join) (default
    /// `true`; Java's `executeExistingDelayedTasksAfterShutdownPolicy`). When
    /// `false`, closing cancels them. [`terminate`](Self::terminate) always
    /// cancels them.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{TaskError, ThreadPoolManager};
    /// use std::time::Duration;
    ///
    /// let pool = ThreadPoolManager::new(1).unwrap();
    /// pool.set_run_delayed_after_close(false);
    /// let h = pool.submit_after(Duration::from_secs(60), || ()).unwrap();
    /// pool.close();
    /// assert_eq!(h.wait(), Err(TaskError::Cancelled));
    /// ```
    pub fn set_run_delayed_after_close(&self, run: bool) {
        self.shared
            .timers
            .delayed_after_close
            .store(run, Ordering::Relaxed);
    }

    /// Whether periodic series go on after [`close`](Self::close) (default
    /// `false`: closing cancels them; Java's
    /// `continueExistingPeriodicTasksAfterShutdownPolicy`). When `true`, they
    /// run until cancelled or [`terminate`](Self::terminate), and `join` waits
    /// for that.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{TaskError, ThreadPoolManager};
    /// use std::time::Duration;
    ///
    /// let pool = ThreadPoolManager::new(1).unwrap();
    /// let h = pool.schedule_at_fixed_rate(Duration::from_secs(60), Duration::from_secs(1), || {}).unwrap();
    /// pool.close(); // default policy: the series stops
    /// assert_eq!(h.wait(), TaskError::Cancelled);
    /// # pool.set_continue_periodic_after_close(false);
    /// ```
    pub fn set_continue_periodic_after_close(&self, go_on: bool) {
        self.shared
            .timers
            .periodic_after_close
            .store(go_on, Ordering::Relaxed);
    }
}
