//! The state every worker and submitter shares: one lock around the backlog and the
//! worker counts, and the small steps both sides take under it.

use std::collections::VecDeque;
use std::time::Instant;

use super::builder::Config;
use super::job::{Job, Ran};
use super::timed::Timers;
use crate::condvar::Condvar;
use crate::counter::TaskCounter;
use crate::mutex::Mutex;
use crate::sync::thread::{self, JoinHandle, ThreadId};
use crate::sync::{AtomicBool, Ordering};

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
    /// Tasks ever accepted, modulo 2^64: the task count's added total (stored
    /// into `Shared::tasks` by `Shared::count_accepted`, under this lock).
    pub(crate) accepted: usize,
    /// No new tasks; workers exit once the backlog is empty.
    pub(crate) closed: bool,
    /// No new tasks, backlog cancelled; workers exit after their current task.
    pub(crate) terminated: bool,
    /// A worker's start hook panicked (its message): the pool is terminated and
    /// refuses work with `SubmitError::Broken`.
    pub(crate) broken: Option<String>,
    /// Join handles of workers that may still be running.
    pub(crate) threads: Vec<JoinHandle<()>>,
    /// The thread ids of the live workers. Each worker adds itself before it runs
    /// any task, so a task can always tell that it runs on this pool (the join
    /// handle is recorded only after the spawn returns, too late for that).
    pub(crate) workers: Vec<ThreadId>,
    /// Tasks blocked in `wait_all` on their own pool: each waits for the others
    /// only, and excuses the others doing the same.
    pub(crate) waiting_inside: usize,
    /// Tasks blocked in `join` on their own pool: each waits until the live
    /// workers are only those joining from inside.
    pub(crate) joining_inside: usize,
    /// Workers that have booked themselves idle or spinning but have not yet told
    /// their last task's handle or settled their finished tasks.
    pub(crate) unpaid: usize,
    /// The last worker that retired on its idle timeout; the next one to retire
    /// joins it, so retired threads are reaped without a growing list.
    pub(crate) retired: Option<JoinHandle<()>>,
    /// Number for the next worker's thread name.
    pub(crate) spawned: usize,
    /// The timer thread, once started: it may hand kept delayed tasks to a
    /// closed pool (`timer.rs`).
    pub(crate) timer_thread: Option<ThreadId>,
}

pub(crate) struct Shared {
    pub(crate) state: Mutex<State>,
    /// Idle workers sleep here.
    pub(crate) work: Condvar,
    /// Submitters blocked on a full backlog sleep here.
    pub(crate) space: Condvar,
    /// `join` sleeps here until `live` reaches 0.
    pub(crate) exited: Condvar,
    /// `wait_all` called from inside a task sleeps here until the other workers
    /// are idle (see [`State::waiting_inside`]).
    pub(crate) quiet: Condvar,
    /// Every accepted task until it ran or was cancelled: `wait_all`.
    pub(crate) tasks: TaskCounter,
    /// Whether the backlog is non-empty: written under the lock, read without it
    /// by spinning workers so they touch the lock only when there is work.
    pub(crate) has_work: AtomicBool,
    pub(crate) config: Config,
    /// Delayed and periodic tasks waiting for their time (`timer.rs`).
    pub(crate) timers: Timers,
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
                accepted: 0,
                closed: false,
                terminated: false,
                broken: None,
                threads: Vec::new(),
                workers: Vec::new(),
                waiting_inside: 0,
                joining_inside: 0,
                unpaid: 0,
                retired: None,
                spawned: 0,
                timer_thread: None,
            }),
            work: Condvar::new(),
            space: Condvar::new(),
            exited: Condvar::new(),
            quiet: Condvar::new(),
            tasks: TaskCounter::new(),
            has_work: AtomicBool::new(false),
            config,
            timers: Timers::new(),
        }
    }

    /// Counts one accepted task (lock held), before it can run: the task count is
    /// the accepted total minus the tasks settled, one plain store here and no
    /// read-modify-write on the submit path.
    #[inline]
    pub(crate) fn count_accepted(&self, st: &mut State) {
        st.accepted = st.accepted.wrapping_add(1);
        self.tasks.publish_added(st.accepted);
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

    /// Whether the calling thread is one of this pool's workers (so a task of this
    /// pool is running on it).
    pub(crate) fn is_worker(st: &State) -> bool {
        let me = thread::current().id();
        st.workers.contains(&me)
    }

    /// Whether every task accepted so far has finished, apart from those blocked
    /// in `wait_all` inside their own pool (what the in-task `wait_all` waits for).
    pub(crate) fn others_done(st: &State) -> bool {
        let busy = st.live.saturating_sub(st.idle + st.spinning);
        let excused = st.waiting_inside + st.joining_inside;
        st.queue.is_empty() && st.unpaid == 0 && busy <= excused
    }

    /// After `live` went down (lock held): wakes the `join` callers it may satisfy
    /// and the in-task `wait_all` callers.
    pub(crate) fn worker_left(&self, st: &State) {
        if st.live <= st.joining_inside {
            self.exited.notify_all();
        }
        self.wake_quiet(st);
    }

    /// Wakes in-task `wait_all` callers after a worker went idle or exited.
    pub(crate) fn wake_quiet(&self, st: &State) {
        if st.waiting_inside > 0 {
            self.quiet.notify_all();
        }
    }

    /// Runs a job taken off the backlog on the calling thread and settles it as
    /// a worker would: runs it (unless a cancel won), tells its handle, books it
    /// under the lock, then marks it done for `wait_all` after the unlock (the
    /// last `done` wakes `wait_all`'s wakers: user code, never under our lock).
    pub(crate) fn run_here(&self, job: Job) {
        let (ran, tell) = job.run();
        let drop_panicked = tell.is_some_and(|t| t.publish());
        {
            let mut st = self.state.lock();
            Self::book(&mut st, ran);
            st.panicked += usize::from(drop_panicked);
        }
        // Cannot fail: the job was counted when it was accepted.
        let _ = self.tasks.done();
    }

    /// Books a job that left the backlog and ran (or was found cancelled), under
    /// the lock; the caller settles the task count (`tasks.done_up_to`) later, once
    /// the task's handle is told, so a `wait_all` that returned sees both.
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
        // The backlog may have just emptied.
        self.quiet.notify_all();
        drained.into()
    }

    /// Cancels jobs taken off the backlog (or never queued): their handles report
    /// `Cancelled`, panics in their closures' `Drop` are caught and counted, and
    /// the task count is settled. Returns how many were still pending (not
    /// cancelled by their handle before).
    pub(crate) fn cancel_jobs(&self, jobs: impl IntoIterator<Item = Job>) -> usize {
        let (mut total, mut cancelled, mut panics) = (0, 0, 0);
        for job in jobs {
            let c = job.cancel();
            total += 1;
            cancelled += usize::from(c.now);
            panics += usize::from(c.drop_panicked);
        }
        if panics > 0 {
            self.state.lock().panicked += panics;
        }
        // After the handles say `Cancelled`, so `wait_all` returning implies it.
        self.tasks.done_up_to(total);
        cancelled
    }
}
