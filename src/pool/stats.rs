//! `PoolStats`: the pool's counters, read together under its lock.

use super::manager::ThreadPoolManager;
use crate::sync::cfg_loom;

/// A consistent snapshot of a pool's counters, read under one lock.
///
/// # Examples
///
/// ```
/// use queuekit::ThreadPoolManager;
///
/// let pool = ThreadPoolManager::new(2).unwrap();
/// pool.submit(|| ()).unwrap().wait().unwrap();
/// pool.wait_all();
/// let s = pool.stats();
/// assert_eq!(s.completed, 1);
/// assert_eq!(s.live, s.idle + s.busy);
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
    /// the worker hooks (`on_worker_start`, `on_worker_exit`).
    pub panicked: usize,
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
        }
    }

    /// Worker threads started and not exited.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    ///
    /// let pool = ThreadPoolManager::new(2).unwrap();
    /// pool.submit(|| ()).unwrap().wait().unwrap();
    /// assert!((1..=2).contains(&pool.live_workers()));
    /// ```
    #[must_use]
    pub fn live_workers(&self) -> usize {
        self.stats().live
    }

    /// Live workers waiting for work (the free list).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    ///
    /// let pool = ThreadPoolManager::new(2).unwrap();
    /// assert_eq!(pool.idle_workers(), 0);
    /// ```
    #[must_use]
    pub fn idle_workers(&self) -> usize {
        self.stats().idle
    }

    /// Live workers running a task or about to take one.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    ///
    /// let pool = ThreadPoolManager::new(2).unwrap();
    /// assert_eq!(pool.busy_workers(), 0);
    /// ```
    #[must_use]
    pub fn busy_workers(&self) -> usize {
        self.stats().busy
    }

    /// Tasks queued and not yet started.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    ///
    /// let pool = ThreadPoolManager::new(1).unwrap();
    /// assert_eq!(pool.pending_tasks(), 0);
    /// ```
    #[must_use]
    pub fn pending_tasks(&self) -> usize {
        self.stats().pending
    }

    /// Tasks that ran to the end (returned or panicked).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    ///
    /// let pool = ThreadPoolManager::new(1).unwrap();
    /// pool.submit(|| ()).unwrap().wait().unwrap();
    /// pool.wait_all();
    /// assert_eq!(pool.completed_tasks(), 1);
    /// ```
    #[must_use]
    pub fn completed_tasks(&self) -> usize {
        self.stats().completed
    }

    /// User panics the pool caught: tasks that panicked (each also counts as
    /// completed), and panicking `Drop`s no handle could report (see
    /// [`PoolStats::panicked`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    ///
    /// let pool = ThreadPoolManager::new(1).unwrap();
    /// pool.execute(|| panic!("counted, not fatal")).unwrap();
    /// pool.wait_all();
    /// assert_eq!(pool.panicked_tasks(), 1);
    /// ```
    #[must_use]
    pub fn panicked_tasks(&self) -> usize {
        self.stats().panicked
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
