//! The state every worker and submitter shares: one lock around the backlog and the
//! worker counts (tokio's blocking-pool shape), and the submit path.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Instant;

use super::builder::Config;
use super::error::SubmitError;
use super::job::{Job, Ran};
use super::worker;
use crate::sync::fault::{self, Fault};
use crate::sync::thread::{self, JoinHandle};
use crate::sync::{AtomicBool, Ordering};
use crate::{Condvar, Mutex, TaskCounter};

/// Everything behind the pool's one lock.
///
/// Worker accounting: every live worker is exactly one of *busy* (running a task,
/// about to look at the backlog, or claimed by a submitter's notification),
/// *spinning* (polling for work with the lock released) or *idle* (asleep on
/// `work`, unclaimed). So `live == busy + spinning + idle` at every unlock.
pub(crate) struct State {
    pub(crate) queue: VecDeque<Job>,
    /// Workers started (or being started) that have not exited.
    pub(crate) live: usize,
    /// Asleep on `work` and not yet claimed by a notification.
    pub(crate) idle: usize,
    /// Polling `Shared::has_work` with the lock released; each will re-check the
    /// backlog under the lock before it sleeps.
    pub(crate) spinning: usize,
    /// Notifications sent and not yet consumed: lets a waking worker tell a real
    /// wake-up (someone took it off `idle`) from a spurious one or a timeout.
    pub(crate) notified: usize,
    pub(crate) completed: usize,
    pub(crate) panicked: usize,
    /// No new tasks; workers exit once the backlog is empty.
    pub(crate) closed: bool,
    /// No new tasks, backlog cancelled; workers exit after their current task.
    pub(crate) terminated: bool,
    /// Join handles of workers that may still be running.
    pub(crate) threads: Vec<JoinHandle<()>>,
    /// The last worker that retired on its idle timeout; the next one to retire
    /// joins it, so retired threads are reaped without a growing list.
    pub(crate) retired: Option<JoinHandle<()>>,
    /// Number for the next worker's thread name.
    pub(crate) spawned: usize,
}

pub(crate) struct Shared {
    pub(crate) state: Mutex<State>,
    /// Idle workers sleep here.
    pub(crate) work: Condvar,
    /// Submitters blocked on a full backlog sleep here.
    pub(crate) space: Condvar,
    /// `join` sleeps here until `live` reaches 0.
    pub(crate) exited: Condvar,
    /// Every accepted task until it ran or was cancelled: `wait_all`.
    pub(crate) tasks: TaskCounter,
    /// Whether the backlog is non-empty: written under the lock, read without it
    /// by spinning workers so they touch the lock only when there is work.
    pub(crate) has_work: AtomicBool,
    pub(crate) config: Config,
}

/// How long a submitter may block for room in a bounded backlog.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Block {
    No,
    Forever,
    Until(Instant),
}

impl Shared {
    pub(crate) fn new(config: Config) -> Self {
        Self {
            state: Mutex::new(State {
                queue: VecDeque::new(),
                live: 0,
                idle: 0,
                spinning: 0,
                notified: 0,
                completed: 0,
                panicked: 0,
                closed: false,
                terminated: false,
                threads: Vec::new(),
                retired: None,
                spawned: 0,
            }),
            work: Condvar::new(),
            space: Condvar::new(),
            exited: Condvar::new(),
            tasks: TaskCounter::new(),
            has_work: AtomicBool::new(false),
            config,
        }
    }

    /// Queues `item` (turned into a job by `to_job`), or hands it straight to a
    /// new worker if none is idle and the cap allows; the error hands `item` back.
    pub(crate) fn accept<T: Send + 'static>(
        self: &Arc<Self>,
        mut item: T,
        to_job: fn(T) -> Job,
        block: Block,
    ) -> Result<(), SubmitError<T>> {
        let mut st = self.state.lock();
        // Set once the system refused a thread while other workers exist: queue
        // the task for them instead of trying again.
        let mut spawn_failed = false;
        loop {
            if st.closed {
                return Err(SubmitError::Closed(item));
            }
            if let Some(cap) = self.config.max_pending {
                if st.queue.len() >= cap {
                    st = match block {
                        Block::No => return Err(SubmitError::Full(item)),
                        Block::Forever => self.space.wait(st),
                        Block::Until(deadline) => {
                            let (g, r) = self.space.wait_until(st, deadline);
                            // Re-check before believing the timeout: room that
                            // appeared as it expired is still taken.
                            if r.timed_out() && !g.closed && g.queue.len() >= cap {
                                return Err(SubmitError::Full(item));
                            }
                            g
                        }
                    };
                    continue;
                }
            }
            if !spawn_failed && self.wants_worker(&st) {
                // The new worker gets the task as its first job, not through the
                // backlog: nothing can happen to it between the start and the
                // queueing (the worker retiring first, say), and if the system
                // refuses the thread the closure is still ours to hand back.
                let n = Self::reserve_worker(&mut st);
                // Counted before it can run, so `wait_all` cannot miss it.
                self.tasks.add_one();
                drop(st);
                match self.start_worker(n, Some(item), to_job) {
                    Ok(()) => return Ok(()),
                    Err(None) => return Ok(()), // cannot happen: no thread, no run
                    Err(Some(back)) => {
                        item = back;
                        // Never ran: uncount it.
                        let _ = self.tasks.done();
                    }
                }
                st = self.state.lock();
                if st.live == 0 {
                    // Other submitters may have queued behind the worker we
                    // promised; with no worker at all, run them here.
                    drop(st);
                    self.run_stranded();
                    return Err(SubmitError::SpawnFailed(item));
                }
                // Other workers exist: they will run it.
                spawn_failed = true;
                continue;
            }
            self.tasks.add_one();
            st.queue.push_back(to_job(item));
            self.note_backlog(&st);
            let wake = Self::claim_idle(&mut st);
            drop(st);
            if wake && !fault::active(Fault::PoolSubmitSkipsNotify) {
                self.work.notify_one();
            }
            return Ok(());
        }
    }

    /// Updates `has_work` after the backlog changed (lock held). Writes only when
    /// the answer flips, so the flag's cache line is not bounced on every task.
    #[inline]
    pub(crate) fn note_backlog(&self, st: &State) {
        let busy = !st.queue.is_empty();
        if self.has_work.load(Ordering::Relaxed) != busy {
            self.has_work.store(busy, Ordering::Relaxed);
        }
    }

    /// Whether queued work needs a new thread: nobody idle or spinning (a spinner
    /// counts as idle: it will take the task), and below the cap.
    pub(crate) fn wants_worker(&self, st: &State) -> bool {
        st.spinning == 0 && st.idle == 0 && st.live < self.config.max_workers
    }

    /// Claims a sleeping worker for queued work, unless a spinning one will take
    /// it. `true`: the caller must `notify_one` on `work` once it has unlocked.
    /// Claiming here (not when it wakes) keeps the next submit from counting the
    /// same worker as free.
    pub(crate) fn claim_idle(st: &mut State) -> bool {
        if st.spinning == 0 && st.idle > 0 {
            st.idle -= 1;
            st.notified += 1;
            true
        } else {
            false
        }
    }

    /// Counts a worker about to be started as live (and busy: it will look at the
    /// backlog before it sleeps); returns its number for the thread name.
    pub(crate) fn reserve_worker(st: &mut State) -> usize {
        st.live += 1;
        st.spawned += 1;
        st.spawned - 1
    }

    /// Starts reserved worker `n` with the lock released, giving it `first` to
    /// run before it looks at the backlog. If the system refuses the thread, takes
    /// the reservation back and returns `first`.
    pub(crate) fn start_worker<T: Send + 'static>(
        self: &Arc<Self>,
        n: usize,
        first: Option<T>,
        to_job: fn(T) -> Job,
    ) -> Result<(), Option<T>> {
        let mut b = thread::Builder::new().name(format!("{}-{n}", self.config.thread_name));
        if let Some(size) = self.config.stack_size {
            b = b.stack_size(size);
        }
        // The thread takes `first` out of this slot; a failed spawn drops its
        // closure without running it, so the item is then still here.
        let slot = Arc::new(Mutex::new(first));
        let theirs = Arc::clone(&slot);
        let shared = Arc::clone(self);
        let body = move || {
            let first = theirs.lock().take().map(to_job);
            drop(theirs);
            worker::run(shared, first);
        };
        let spawned = if n > 0 && fault::active(Fault::PoolLaterSpawnsRefused) {
            Err(std::io::Error::other("thread start refused (injected)"))
        } else {
            b.spawn(body)
        };
        let mut st = self.state.lock();
        match spawned {
            Ok(handle) => {
                st.threads.push(handle);
                Ok(())
            }
            Err(_) => {
                st.live -= 1;
                if st.live == 0 {
                    self.exited.notify_all();
                }
                drop(st);
                let back = slot.lock().take();
                Err(back)
            }
        }
    }

    /// Runs queued tasks on the calling thread while no worker exists: the fallback
    /// for a system that refuses every new thread.
    fn run_stranded(&self) {
        loop {
            let job = {
                let mut st = self.state.lock();
                if st.live > 0 {
                    return;
                }
                match st.queue.pop_front() {
                    Some(job) => {
                        self.note_backlog(&st);
                        job
                    }
                    None => return,
                }
            };
            self.space.notify_one();
            let ran = job.run();
            let mut st = self.state.lock();
            self.finished(&mut st, ran);
        }
    }

    /// Books a job that left the backlog and ran (or was found cancelled). Called
    /// under the lock, so every snapshot sees the counters and `wait_all` agree.
    pub(crate) fn finished(&self, st: &mut State, ran: Ran) {
        Self::book(st, ran);
        // Cannot fail: the job was counted when it was accepted.
        let _ = self.tasks.done();
    }

    /// The counters part of [`finished`](Self::finished); the caller settles the
    /// task count (`tasks.done_up_to`) itself, later.
    pub(crate) fn book(st: &mut State, ran: Ran) {
        match ran {
            Ran::Returned => st.completed += 1,
            Ran::Panicked => {
                st.completed += 1;
                st.panicked += 1;
            }
            Ran::WasCancelled => {}
        }
    }

    /// Stops accepting tasks and wakes everyone who must notice: idle workers (to
    /// exit) and blocked submitters (to fail with `Closed`).
    pub(crate) fn close(&self, terminate: bool) -> Vec<Job> {
        let drained = {
            let mut st = self.state.lock();
            st.closed = true;
            if terminate {
                st.terminated = true;
                self.has_work.store(false, Ordering::Relaxed);
                std::mem::take(&mut st.queue)
            } else {
                VecDeque::new()
            }
        };
        self.work.notify_all();
        self.space.notify_all();
        drained.into()
    }
}
