//! What waits in a pool's timer: the entries and the timer's state. The timer
//! thread and the pool's calls on it are in `timer.rs`; a periodic series
//! (`periodic.rs`) is seen here only through [`Recurring`], so the state the
//! pool holds (`shared.rs`) depends on neither.

use std::sync::Arc;
use std::time::Instant;

use super::cell::Runnable;
use super::job::Work;
use crate::mutex::Mutex;
use crate::queue::DelayQueue;
use crate::sync::thread::JoinHandle;
use crate::sync::{AtomicBool, AtomicUsize};

/// A one-shot task waiting for its time: the pool runs it, and a close can see
/// whether its handle already cancelled it.
pub(crate) trait Delayed: Runnable {
    /// Its handle cancelled it (its closure is gone; only its time is left).
    fn is_cancelled(&self) -> bool;
    /// The same task as pool work. Written out (`self`) rather than left to a
    /// trait-upcasting coercion, which the crate's minimum Rust (1.83) lacks.
    fn into_runnable(self: Arc<Self>) -> Arc<dyn Runnable>
    where
        Self: 'static;
}

/// A periodic series waiting for its next run.
pub(crate) trait Recurring: Send + Sync {
    /// Its handle cancelled it.
    fn is_cancelled(&self) -> bool;
    /// The next run, due at `at`, as work for a worker.
    fn run_job(self: Arc<Self>, at: Instant) -> Box<dyn Work>;
    /// Ends the series as cancelled (a terminate, or a close that stops series).
    fn end_cancelled(&self);
}

/// Something waiting for its time.
pub(crate) enum Timed {
    /// A one-shot task with a handle.
    Once(Arc<dyn Delayed>),
    /// The next run of a periodic series, due at the deadline it carries.
    Run(Arc<dyn Recurring>, Instant),
}

/// The timer of one pool.
pub(crate) struct Timers {
    pub(crate) queue: DelayQueue<Timed>,
    /// The timer thread, once started (`timer.rs` starts and joins it).
    pub(crate) thread: Mutex<Option<JoinHandle<()>>>,
    /// Java's `executeExistingDelayedTasksAfterShutdownPolicy` (default `true`).
    pub(crate) delayed_after_close: AtomicBool,
    /// Java's `continueExistingPeriodicTasksAfterShutdownPolicy` (default `false`).
    pub(crate) periodic_after_close: AtomicBool,
    /// Periodic series not yet ended: a closed pool's timer ends only after
    /// the last (they may be running, outside the queue).
    pub(crate) live_series: AtomicUsize,
}

impl Timers {
    pub(crate) fn new() -> Self {
        Self {
            queue: DelayQueue::unbounded(),
            thread: Mutex::new(None),
            delayed_after_close: AtomicBool::new(true),
            periodic_after_close: AtomicBool::new(false),
            live_series: AtomicUsize::new(0),
        }
    }
}
