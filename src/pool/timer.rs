//! Delayed and periodic tasks: the pool's timer.
//!
//! Each pool that is given a delayed task gets one timer thread, started on
//! first use, and a [`DelayQueue`](crate::DelayQueue) of what is waiting. The thread takes each
//! entry when it falls due and hands it to the pool like a submit, so a delayed
//! task holds no worker while it waits, and the queue's leader / follower wait is
//! the timer (one sleeping thread, re-armed by an earlier deadline).
//!
//! * A one-shot task (`submit_after`, `submit_at`) waits as its [`TaskCell`]:
//!   the handle cancels it by the cell's own `PENDING → CANCELLED` race, which a
//!   worker starting it can lose but never share.
//! * A periodic series waits as its `Series` (`periodic.rs`, seen here only
//!   through the [`Recurring`](super::timed::Recurring) trait); only one entry of a series exists
//!   at a time (in the queue, the backlog or running), and the next is put only
//!   after a run returns, so a series never overlaps itself.
//!
//! Closing the pool applies the two policies of Java's
//! `ScheduledThreadPoolExecutor` (`docs/pool.md`): one-shot tasks still run when
//! due (default on), periodic series stop (default: do not continue). The timer
//! thread keeps handing due tasks to the closed pool (`Shared::admits_late`)
//! until its queue is empty; `terminate` cancels everything waiting.

use std::sync::{Arc, Weak};
use std::time::Instant;

use super::cell::{Runnable, Slot, TaskCell, CANCELLED, PHASE};
use super::error::TaskError;
use super::job::Job;
use super::shared::{Block, Shared, State};
use super::timed::{Delayed, Timed};
use crate::futex::Futex;
use crate::panic::drop_quietly;
use crate::sync::fault::{self, Fault};
use crate::sync::thread;
use crate::sync::Ordering;
use crate::waitlist::WaitList;

impl<F, R> Delayed for TaskCell<F, R>
where
    F: FnOnce() -> R + Send,
    R: Send,
{
    fn is_cancelled(&self) -> bool {
        Slot::<R>::state(self).load(Ordering::Acquire) & PHASE == CANCELLED
    }

    fn into_runnable(self: Arc<Self>) -> Arc<dyn Runnable>
    where
        Self: 'static,
    {
        self
    }
}

/// What the [`TaskHandle`](super::TaskHandle) of a one-shot delayed task
/// holds: its cell, and the pool, so that a cancel after `close` takes the
/// task out of the timer at once (a closed pool's `join` waits until the timer
/// has nothing left).
pub(crate) struct DelayedSlot<F, R> {
    cell: Arc<TaskCell<F, R>>,
    pool: Weak<Shared>,
}

impl<F, R> DelayedSlot<F, R>
where
    F: FnOnce() -> R + Send,
    R: Send,
{
    pub(crate) fn new(cell: Arc<TaskCell<F, R>>, pool: &Arc<Shared>) -> Arc<Self> {
        Arc::new(Self {
            cell,
            pool: Arc::downgrade(pool),
        })
    }
}

impl<F, R> Slot<R> for DelayedSlot<F, R>
where
    F: FnOnce() -> R + Send,
    R: Send,
{
    fn state(&self) -> &Futex {
        Slot::state(&*self.cell)
    }

    fn take(&self) -> Result<R, TaskError> {
        self.cell.take()
    }

    fn cancel(&self) -> bool {
        // Dropped after the cell's cancel, even if dropping the closure panics
        // there (that panic goes on to the caller).
        let _purge = PurgeIfCancelled {
            task: &*self.cell,
            pool: &self.pool,
        };
        Slot::cancel(&*self.cell)
    }

    fn waiters(&self) -> &WaitList {
        self.cell.waiters()
    }
}

/// Takes the task's cancelled entry out of a closed pool's timer when dropped.
struct PurgeIfCancelled<'a> {
    task: &'a (dyn Delayed + 'a),
    pool: &'a Weak<Shared>,
}

impl Drop for PurgeIfCancelled<'_> {
    fn drop(&mut self) {
        fault::point!(Fault::DelayedCancelKeepsEntry => return);
        if self.task.is_cancelled() {
            if let Some(pool) = self.pool.upgrade() {
                pool.drop_cancelled_timers();
            }
        }
    }
}

/// What a cancelled entry had: a one-shot still pending (cancelled now), and
/// whether dropping its closure panicked.
fn cancel(entry: Timed) -> (bool, bool) {
    match entry {
        Timed::Once(task) => {
            let c = task.cancel();
            (c.now, c.drop_panicked | drop_quietly(task))
        }
        Timed::Run(series, _) => {
            series.end_cancelled();
            (false, drop_quietly(series))
        }
    }
}

impl Shared {
    /// Queues `entry` for its time, starting the timer thread if needed. The entry
    /// comes back if the pool is closed to new timers.
    pub(crate) fn schedule(self: &Arc<Self>, entry: Timed, at: Instant) -> Result<(), Timed> {
        if self.state.lock().closed {
            return Err(entry);
        }
        {
            let mut t = self.timers.thread.lock();
            if t.is_none() {
                let shared = Arc::clone(self);
                let b = thread::Builder::new().name(format!("{}-timer", self.config.thread_name));
                match b.spawn(move || shared.run_timer()) {
                    Ok(h) => *t = Some(h),
                    Err(_) => return Err(entry),
                }
            }
        }
        self.timers
            .queue
            .put_at(entry, at)
            .map_err(|e| e.into_inner())
    }

    /// The timer thread: hands each entry to the pool when due; ends when the
    /// queue is shut down and empty.
    fn run_timer(self: Arc<Self>) {
        self.state.lock().timer_thread = Some(thread::current().id());
        while let Ok(entry) = self.timers.queue.get() {
            let panicked = match entry {
                Timed::Once(task) => {
                    let task = task.into_runnable();
                    match self.accept(task, Job::Task, Block::Forever) {
                        Ok(()) => false,
                        Err(e) => {
                            let task = e.into_inner();
                            let c = task.cancel();
                            c.drop_panicked | drop_quietly(task)
                        }
                    }
                }
                Timed::Run(series, at) if !series.is_cancelled() => {
                    // Refused (closed or broken pool): dropping the run ends the
                    // series as cancelled.
                    let run = Arc::clone(&series).run_job(at);
                    self.accept(run, Job::Plain, Block::Forever)
                        .map_or_else(drop_quietly, |()| false)
                        | drop_quietly(series)
                }
                Timed::Run(series, _) => drop_quietly(series),
            };
            if panicked {
                self.state.lock().panicked += 1;
            }
            self.finish_timers_if_idle();
        }
    }

    /// Whether a closed pool still takes this submit: the timer thread handing
    /// over a task kept by the close policy (not after `terminate`).
    pub(crate) fn admits_late(st: &State) -> bool {
        !st.terminated && st.broken.is_none() && st.timer_thread == Some(thread::current().id())
    }

    /// `close`: applies the policies to what waits, then lets the timer thread
    /// end once the rest has been handed over.
    pub(crate) fn close_timers(&self) {
        let keep_once = self.timers.delayed_after_close.load(Ordering::Relaxed);
        let keep_runs = self.timers.periodic_after_close.load(Ordering::Relaxed);
        // Entries already cancelled go too: only their time was left.
        let dropped = self.timers.queue.remove_where(|e| match e {
            Timed::Once(t) => !keep_once || t.is_cancelled(),
            Timed::Run(s, _) => !keep_runs || s.is_cancelled(),
        });
        self.cancel_timed(dropped);
        self.finish_timers_if_idle();
    }

    /// A handle cancelled a one-shot task. Once the pool is closed, cancelled
    /// entries leave the timer now, so `join` does not wait for their time.
    /// While it is open they leave when due (Java's default: no
    /// `removeOnCancel`), so a cancel costs no walk over the queue.
    pub(crate) fn drop_cancelled_timers(&self) {
        if !self.state.lock().closed {
            return;
        }
        let gone = self
            .timers
            .queue
            .remove_where(|e| matches!(e, Timed::Once(t) if t.is_cancelled()));
        self.cancel_timed(gone);
        self.finish_timers_if_idle();
    }

    /// Lets the timer thread end once a closed pool has nothing left to time:
    /// the queue is empty and every periodic series has ended (a kept series
    /// may be running, outside the queue, and will queue its next run).
    pub(crate) fn finish_timers_if_idle(&self) {
        if self.state.lock().closed
            && self.timers.queue.is_empty()
            && self.timers.live_series.load(Ordering::Acquire) == 0
        {
            self.timers.queue.shutdown();
        }
    }

    /// `terminate`: cancels everything waiting; returns how many one-shot tasks
    /// were still pending.
    pub(crate) fn terminate_timers(&self) -> usize {
        let all = self.timers.queue.shutdown_now();
        self.cancel_timed(all)
    }

    fn cancel_timed(&self, entries: Vec<Timed>) -> usize {
        let (mut now, mut panics) = (0, 0);
        for e in entries {
            let (n, p) = cancel(e);
            now += usize::from(n);
            panics += usize::from(p);
        }
        if panics > 0 {
            self.state.lock().panicked += panics;
        }
        now
    }

    /// `join`: waits for the timer thread to hand over its last task (unless
    /// called from inside the pool, where that could wait for the caller).
    pub(crate) fn join_timers(&self) {
        if Self::is_worker(&self.state.lock()) {
            return;
        }
        let handle = self.timers.thread.lock().take();
        if let Some(h) = handle {
            // The timer thread catches nothing user-made: it runs no user code
            // but `Drop`s, which `drop_quietly` catches.
            let _ = h.join();
        }
    }
}
