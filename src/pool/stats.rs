//! `PoolStats`: the pool's counters, read together under its lock.

use super::manager::ThreadPoolManager;
use crate::sync::{cfg_loom, Ordering};

/// A snapshot of a pool's counters. The worker and task counts are read
/// together under the pool's lock, so they agree with each other; `scheduled`
/// and `periodic` are read in the same hold, from the pool's timer.
///
/// # Examples
///
/// ```
/// use queuekit::ThreadPoolManager;
/// use std::time::Duration;
///
/// let pool = ThreadPoolManager::new(2).unwrap();
/// pool.submit(|| ()).unwrap().wait().unwrap();
/// pool.wait_all();
/// let s = pool.stats();
/// assert_eq!(s.completed, 1);
/// assert_eq!(s.live, s.idle + s.busy);
///
/// let later = pool.submit_after(Duration::from_secs(60), || ()).unwrap();
/// let series = pool
///     .schedule_at_fixed_rate(Duration::from_secs(60), Duration::from_secs(1), || {})
///     .unwrap();
/// let s = pool.stats();
/// assert_eq!((s.scheduled, s.periodic, s.pending), (2, 1, 0));
/// series.cancel();
/// assert_eq!(pool.stats().periodic, 0);
/// # later.cancel();
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PoolStats {
    /// Worker threads started and not exited.
    pub live: usize,
    /// Live workers waiting for work.
    pub idle: usize,
    /// Live workers running a task or about to take one.
    pub busy: usize,
    /// Tasks queued and not started.
    pub pending: usize,
    /// Tasks that ran to the end, returning or panicking.
    pub completed: usize,
    /// Panics the pool caught: tasks that panicked (each also counted in
    /// `completed`), plus panics in the `Drop` of values the pool dropped and in
    /// the worker hooks (`on_worker_start`, `on_worker_exit`). A periodic run
    /// that panicked counts here (and in `completed`) too.
    pub panicked: usize,
    /// Delayed tasks and next runs of periodic series waiting in the pool's
    /// timer for their time (not yet in the backlog; they hold no worker). A
    /// one-shot task cancelled while the pool is open counts until its time
    /// comes; once the pool is closed, a cancel takes it out at once.
    pub scheduled: usize,
    /// Periodic series not yet ended: waiting for their next run, queued or
    /// running. A series cancelled during a run counts until that run
    /// returns.
    pub periodic: usize,
}

impl ThreadPoolManager {
    /// A consistent snapshot of all counters at once.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    ///
    /// let pool = ThreadPoolManager::new(2).unwrap();
    /// let s = pool.stats();
    /// assert_eq!((s.live, s.pending, s.completed), (0, 0, 0));
    /// ```
    #[must_use]
    pub fn stats(&self) -> PoolStats {
        let st = self.shared.state.lock();
        let idle = st.idle + st.spinning;
        PoolStats {
            live: st.live,
            idle,
            busy: st.live.saturating_sub(idle),
            pending: st.queue.len(),
            completed: st.completed,
            panicked: st.panicked,
            // The timer's queue has its own lock, taken after the pool's (the
            // order `finish_timers_if_idle` uses too).
            scheduled: self.shared.timers.queue.len(),
            periodic: self.shared.timers.live_series.load(Ordering::Acquire),
        }
    }
}

cfg_loom! {
    impl ThreadPoolManager {
        /// For the loom models: the worker accounting adds up right now.
        pub(crate) fn assert_consistent(&self) {
            let st = self.shared.state.lock();
            assert!(
                st.idle + st.spinning + st.notified <= st.live && st.live <= self.max_workers(),
                "live {} idle {} spinning {} notified {} max {}",
                st.live,
                st.idle,
                st.spinning,
                st.notified,
                self.max_workers()
            );
        }

        /// For the loom models: how many worker starts were attempted.
        pub(crate) fn spawn_attempts(&self) -> usize {
            self.shared.state.lock().spawned
        }

        /// For the loom models: no worker is running or about to run anything.
        pub(crate) fn is_quiescent(&self) -> bool {
            let st = self.shared.state.lock();
            st.queue.is_empty() && st.notified == 0 && st.spinning == 0 && st.idle == st.live
        }
    }
}
