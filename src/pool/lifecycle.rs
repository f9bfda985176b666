//! Waiting for a pool and ending it: `wait_all`, `close`, `terminate`, `join`,
//! with the rules for calling each from inside one of the pool's own tasks.

use std::time::{Duration, Instant};

use super::manager::ThreadPoolManager;
use super::shared::Shared;

impl ThreadPoolManager {
    /// Blocks until every task accepted so far has finished or been cancelled
    /// (Python's `Queue.join`). New tasks may still be submitted meanwhile; tasks
    /// submitted while it waits are waited for too.
    ///
    /// Called from inside one of this pool's own tasks it waits for every *other*
    /// task: until the backlog is empty and every other worker is idle, or itself
    /// waiting inside `wait_all` or `join` (so two tasks waiting this way do not
    /// wait for each other).
    ///
    /// Delayed and periodic tasks count once they are due and handed to a
    /// worker, not while they wait for their time: a task from
    /// [`submit_after`](Self::submit_after) an hour out, or the next run of a
    /// series, does not hold `wait_all` up (a series never ends, so counting it
    /// would make `wait_all` never return). To wait for delayed tasks, wait on
    /// their handles (Python's `concurrent.futures.wait`), or
    /// [`join`](Self::join), which runs the kept ones first (Java's `shutdown`
    /// and `awaitTermination`).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    ///
    /// let pool = ThreadPoolManager::new(2).unwrap();
    /// for _ in 0..10 {
    ///     pool.execute(|| ()).unwrap();
    /// }
    /// pool.wait_all();
    /// assert_eq!(pool.stats().completed, 10);
    ///
    /// // Not yet due: not waited for.
    /// let later = pool.submit_after(std::time::Duration::from_secs(3600), || ()).unwrap();
    /// pool.wait_all();
    /// assert_eq!(pool.stats().scheduled, 1);
    /// later.cancel();
    /// ```
    pub fn wait_all(&self) {
        if self.wait_inside(None).is_none() {
            self.shared.tasks.wait();
        }
    }

    /// Like [`wait_all`](Self::wait_all) with a timeout; `true` if everything
    /// finished in time.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    /// use std::time::Duration;
    ///
    /// let pool = ThreadPoolManager::new(1).unwrap();
    /// pool.execute(|| ()).unwrap();
    /// assert!(pool.wait_all_timeout(Duration::from_secs(60)));
    /// ```
    #[must_use]
    pub fn wait_all_timeout(&self, timeout: Duration) -> bool {
        match Instant::now().checked_add(timeout) {
            Some(deadline) => self.wait_all_deadline(deadline),
            // Too far to name as an instant: no limit.
            None => {
                self.wait_all();
                true
            }
        }
    }

    /// Like [`wait_all`](Self::wait_all), giving up at `deadline`; `true` if
    /// everything finished in time.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    /// use std::time::{Duration, Instant};
    ///
    /// let pool = ThreadPoolManager::new(1).unwrap();
    /// pool.execute(|| ()).unwrap();
    /// assert!(pool.wait_all_deadline(Instant::now() + Duration::from_secs(60)));
    /// ```
    #[must_use]
    pub fn wait_all_deadline(&self, deadline: Instant) -> bool {
        match self.wait_inside(Some(deadline)) {
            Some(in_time) => in_time,
            None => self.shared.tasks.wait_deadline(deadline),
        }
    }

    /// `wait_all` from inside one of this pool's tasks: waits for the others (see
    /// [`Shared::others_done`]). `None` if the caller is not one of this pool's
    /// workers; otherwise whether the others finished before `deadline` (`None`:
    /// no deadline).
    pub(super) fn wait_inside(&self, deadline: Option<Instant>) -> Option<bool> {
        let shared = &self.shared;
        let mut st = shared.state.lock();
        if !Shared::is_worker(&st) {
            return None;
        }
        st.waiting_inside += 1;
        // Others waiting inside may count on us being excused now.
        shared.quiet.notify_all();
        let mut in_time = true;
        while !Shared::others_done(&st) {
            st = match deadline {
                None => shared.quiet.wait(st),
                Some(d) => {
                    let (g, r) = shared.quiet.wait_deadline(st, d);
                    if r.timed_out() && !Shared::others_done(&g) {
                        in_time = false;
                        st = g;
                        break;
                    }
                    g
                }
            };
        }
        st.waiting_inside -= 1;
        Some(in_time)
    }

    /// Refuses new tasks from now on; the backlog still runs, and workers exit once
    /// it is empty (Python's `shutdown(wait=False)`). Idempotent, and safe to call
    /// from inside a task.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    ///
    /// let pool = ThreadPoolManager::new(1).unwrap();
    /// let h = pool.submit(|| 1).unwrap();
    /// pool.close();
    /// assert!(pool.submit(|| 2).unwrap_err().is_closed());
    /// assert_eq!(h.wait(), Ok(1)); // queued work still runs
    /// pool.join();
    /// assert_eq!(pool.stats().live, 0);
    /// ```
    pub fn close(&self) {
        self.shared.close(false);
        self.shared.close_timers();
    }

    /// Refuses new tasks and cancels the backlog: each queued task's handle reports
    /// [`TaskError::Cancelled`](crate::TaskError::Cancelled). Running tasks finish; then the workers exit. Returns
    /// how many queued tasks it cancelled; a task whose handle had cancelled it
    /// already is not counted again (Python's `shutdown(cancel_futures=True)`).
    ///
    /// The cancelled closures are dropped here, on the calling thread. A panic in
    /// one's `Drop` is caught and counted in [`PoolStats::panicked`](crate::PoolStats),
    /// and the rest are still cancelled. Safe to call from inside a task.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{TaskError, ThreadPoolManager};
    /// use std::sync::mpsc;
    ///
    /// let pool = ThreadPoolManager::new(1).unwrap();
    /// let (go, gate) = mpsc::channel::<()>();
    /// let (started_tx, started) = mpsc::channel();
    /// let running = pool.submit(move || { started_tx.send(()).unwrap(); gate.recv().unwrap() }).unwrap();
    /// started.recv().unwrap();
    /// let queued = pool.submit(|| "never").unwrap();
    /// assert_eq!(pool.terminate(), 1);
    /// go.send(()).unwrap();
    /// assert_eq!(running.wait(), Ok(()));
    /// assert_eq!(queued.wait(), Err(TaskError::Cancelled));
    /// ```
    pub fn terminate(&self) -> usize {
        let drained = self.shared.close(true);
        self.shared.cancel_jobs(drained) + self.shared.terminate_timers()
    }

    /// Closes the pool (if still open) and blocks until every worker thread has
    /// exited, so the backlog has run (Python's `shutdown(wait=True)`).
    ///
    /// Called from inside one of this pool's own tasks (directly, or by dropping
    /// the last `Arc` of the pool there) it waits until every *other* worker has
    /// left, apart from those joining from inside too, and joins no thread: the
    /// caller's own worker exits when its task returns.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    ///
    /// let pool = ThreadPoolManager::new(2).unwrap();
    /// for _ in 0..4 {
    ///     pool.execute(|| ()).unwrap();
    /// }
    /// pool.join();
    /// assert_eq!(pool.stats().completed, 4);
    /// assert_eq!(pool.stats().live, 0);
    /// ```
    pub fn join(&self) {
        let shared = &self.shared;
        shared.close(false);
        shared.close_timers();
        shared.join_timers();
        let mut st = shared.state.lock();
        if Shared::is_worker(&st) {
            st.joining_inside += 1;
            // Others joining from inside may now be satisfied; in-task
            // `wait_all` callers excuse us from now on.
            shared.exited.notify_all();
            shared.wake_quiet(&st);
            while st.live > st.joining_inside {
                st = shared.exited.wait(st);
            }
            st.joining_inside -= 1;
            return;
        }
        while st.live > 0 {
            st = shared.exited.wait(st);
        }
        let mut handles = std::mem::take(&mut st.threads);
        handles.extend(st.retired.take());
        drop(st);
        for h in handles {
            // Workers catch every user panic, so a join error cannot carry one.
            let _ = h.join();
        }
    }

    /// `true` after [`close`](Self::close), [`terminate`](Self::terminate) or
    /// [`join`](Self::join).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    ///
    /// let pool = ThreadPoolManager::new(1).unwrap();
    /// assert!(!pool.is_closed());
    /// pool.close();
    /// assert!(pool.is_closed());
    /// ```
    #[must_use]
    pub fn is_closed(&self) -> bool {
        self.shared.state.lock().closed
    }

    /// `true` once a worker's start hook
    /// ([`PoolBuilder::on_worker_start`](crate::PoolBuilder::on_worker_start))
    /// panicked: the pool is terminated and refuses work with
    /// [`SubmitError::Broken`](crate::SubmitError::Broken).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    ///
    /// let pool = ThreadPoolManager::new(1).unwrap();
    /// assert!(!pool.is_broken());
    /// ```
    #[must_use]
    pub fn is_broken(&self) -> bool {
        self.shared.state.lock().broken.is_some()
    }

    /// The panic message of the start hook that broke the pool, if one did.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    ///
    /// let pool = ThreadPoolManager::builder()
    ///     .on_worker_start(|_| panic!("no GPU"))
    ///     .build()
    ///     .unwrap();
    /// let _ = pool.submit(|| ()).unwrap().wait(); // starts a worker, which breaks
    /// pool.join();
    /// assert_eq!(pool.broken_reason().as_deref(), Some("no GPU"));
    /// ```
    #[must_use]
    pub fn broken_reason(&self) -> Option<String> {
        self.shared.state.lock().broken.clone()
    }
}
