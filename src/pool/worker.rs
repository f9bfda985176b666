//! The worker: starting one, and its loop. Take a task, run it, and when the
//! backlog is empty spin a little, then sleep until claimed, closed, or idle for
//! too long.

use std::sync::Arc;
use std::time::Instant;

use super::job::{Job, Unpublished};
use super::shared::{Shared, State};
use crate::backoff::Backoff;
use crate::mutex::{Mutex, MutexGuard};
use crate::sync::fault::{self, Fault};
use crate::sync::{thread, Ordering};

/// A busy worker marks its finished tasks done in batches of this many (and
/// whenever it finds the backlog empty).
const SETTLE_EVERY: usize = 32;

/// At most this many workers spin at once; the rest sleep, so spinning never
/// starves the submitters of CPU on a small machine.
const MAX_SPINNERS: usize = 1;

/// Starts reserved worker `n` with the lock released, giving it `first` to run
/// before it looks at the backlog. If the system refuses the thread, takes the
/// reservation back and returns `first`.
pub(crate) fn start<T: Send + 'static>(
    shared: &Arc<Shared>,
    n: usize,
    first: Option<T>,
    to_job: fn(T) -> Job,
) -> Result<(), Option<T>> {
    let mut b = thread::Builder::new().name(format!("{}-{n}", shared.config.thread_name));
    if let Some(size) = shared.config.stack_size {
        b = b.stack_size(size);
    }
    // The thread takes `first` out of this slot; a failed spawn drops its closure
    // without running it, so the item is then still here.
    let slot = Arc::new(Mutex::new(first));
    let theirs = Arc::clone(&slot);
    let mine = Arc::clone(shared);
    let body = move || {
        let first = theirs.lock().take().map(to_job);
        drop(theirs);
        run(mine, n, first);
    };
    let refused = fault::active(Fault::PoolAllSpawnsRefused)
        || (n > 0 && fault::active(Fault::PoolLaterSpawnsRefused));
    let spawned = if refused {
        Err(std::io::Error::other("thread start refused (injected)"))
    } else {
        b.spawn(body)
    };
    let mut st = shared.state.lock();
    match spawned {
        Ok(handle) => {
            fault::point!(Fault::PoolWorkerRegistersLate => st.workers.push(handle.thread().id()));
            st.threads.push(handle);
            Ok(())
        }
        Err(_) => {
            st.live -= 1;
            if !fault::active(Fault::PoolRefusedStartSkipsWake) {
                shared.worker_left(&st);
            }
            drop(st);
            let back = slot.lock().take();
            Err(back)
        }
    }
}

/// What a worker still owes for the tasks it finished: the last task's handle to
/// tell, tasks to mark done in the pool's `TaskCounter`, and panics caught while
/// dropping user values, to count.
#[derive(Default)]
struct Owed {
    tell: Option<Unpublished>,
    /// Finished, booked and (if they have a handle) told, not yet marked done: one
    /// contended read-modify-write per batch instead of per task.
    unsettled: usize,
    panics: usize,
}

impl Owed {
    /// Records a job that just ran (lock held, after booking it).
    fn ran(&mut self, tell: Option<Unpublished>, st: &mut State) {
        st.panicked += std::mem::take(&mut self.panics);
        match tell {
            // Counted once told: `wait_all` returning implies the handle knows.
            Some(t) => self.tell = Some(t),
            None => self.unsettled += 1,
        }
    }

    /// Tells the last task's handle. Lock released: dropping the task may run the
    /// `Drop` of its result.
    fn publish(&mut self) {
        if let Some(t) = self.tell.take() {
            self.panics += usize::from(t.publish());
            self.unsettled += 1;
        }
    }

    fn is_clear(&self) -> bool {
        self.tell.is_none() && self.unsettled == 0 && self.panics == 0
    }

    /// Marks the finished tasks done (after their counters were booked).
    fn settle(&mut self, shared: &Shared) {
        if self.unsettled > 0 {
            shared.tasks.done_up_to(self.unsettled);
            self.unsettled = 0;
        }
    }

    /// Pays everything (lock released): tells the handle, counts panics, settles.
    /// `unpaid`: whether this worker is counted in `State::unpaid` until now.
    fn pay(&mut self, shared: &Shared, unpaid: bool) {
        self.publish();
        if self.panics > 0 || unpaid {
            let mut st = shared.state.lock();
            st.panicked += std::mem::take(&mut self.panics);
            self.settle(shared);
            if unpaid {
                st.unpaid -= 1;
                shared.wake_quiet(&st);
            }
        } else {
            self.settle(shared);
        }
    }
}

/// The body of worker number `n` (as in its thread name). `first`: the task
/// whose submit started it.
pub(crate) fn run(shared: Arc<Shared>, n: usize, mut first: Option<Job>) {
    let mut st = shared.state.lock();
    // Before any task runs: a task calling `join` or `wait_all` must find its
    // worker here.
    if !fault::active(Fault::PoolWorkerRegistersLate) {
        st.workers.push(thread::current().id());
    }
    if shared.config.on_worker_start.is_some() {
        drop(st);
        if !shared.start_worker_hook(n, &mut first) {
            // The hook panicked and broke the pool; `first` is cancelled.
            return exit(&shared);
        }
        st = shared.state.lock();
    }
    let mut owed = Owed::default();
    if let Some(job) = first {
        drop(st);
        st = run_job(&shared, job, &mut owed);
    }
    // Whether this worker already spun since it last found work.
    let mut spun = false;
    loop {
        if st.terminated {
            break;
        }
        if let Some(job) = st.queue.pop_front() {
            shared.note_backlog(&st);
            // More work than this worker: get help. Submitters leave this to a
            // spinning worker (us, often), so a fast submitter makes no wake-up
            // system calls of its own.
            let (wake, start_n) = if st.queue.is_empty() {
                (false, None)
            } else if Shared::claim_idle(&mut st) {
                (true, None)
            } else if shared.wants_worker(&st) {
                (false, Some(Shared::reserve_worker(&mut st)))
            } else {
                (false, None)
            };
            drop(st);
            if shared.config.max_pending.is_some() {
                shared.space.notify_one();
            }
            if wake {
                shared.work.notify_one();
            }
            if let Some(n) = start_n {
                // On failure the task stays queued; this worker runs it later.
                let _ = start::<Job>(&shared, n, None, |job| job);
            }
            st = run_job(&shared, job, &mut owed);
            spun = false;
            continue;
        }
        if st.closed {
            break;
        }
        // The backlog is empty: book this worker free first, then tell the last
        // handle and settle, so a caller that saw its result and submits again
        // finds this worker idle instead of starting another.
        if !spun && st.spinning < MAX_SPINNERS {
            spun = true;
            st.spinning += 1;
            let unpaid = !owed.is_clear();
            if unpaid {
                st.unpaid += 1;
            } else {
                shared.wake_quiet(&st);
            }
            drop(st);
            owed.pay(&shared, unpaid);
            spin(&shared);
            st = shared.state.lock();
            st.spinning -= 1;
            continue;
        }
        st.idle += 1;
        if !owed.is_clear() {
            st.unpaid += 1;
            drop(st);
            owed.pay(&shared, true);
            st = shared.state.lock();
        }
        shared.wake_quiet(&st);
        match sleep(&shared, st) {
            Some(g) => {
                st = g;
                spun = false;
            }
            None => {
                shared.exit_worker_hook(n);
                return retire(&shared);
            }
        }
    }
    drop(st);
    owed.pay(&shared, false);
    shared.exit_worker_hook(n);
    exit(&shared);
}

/// Runs `job` with the lock released and books it; returns with the lock held.
fn run_job<'a>(shared: &'a Shared, job: Job, owed: &mut Owed) -> MutexGuard<'a, State> {
    // The previous task's handle: told only now that this worker is booked busy
    // with the next one (or free, see `Owed::pay`).
    owed.publish();
    let (ran, mut tell) = job.run();
    fault::point!(Fault::PoolPublishesBeforeFree => if let Some(t) = tell.take() {
        owed.panics += usize::from(t.publish());
    });
    let mut st = shared.state.lock();
    Shared::book(&mut st, ran);
    owed.ran(tell, &mut st);
    if owed.unsettled >= SETTLE_EVERY {
        owed.settle(shared);
    }
    st
}

/// Polls the backlog length until it is non-zero or the backoff says to sleep. A
/// fast submitter refills the backlog within this window, and a worker that catches
/// the task this way saves the submitter a wake-up system call. Spins first, then
/// yields: on a machine with fewer cores than threads, the submitter this worker
/// waits for may need the CPU. Under loom: one look.
fn spin(shared: &Shared) {
    let mut backoff = Backoff::new();
    loop {
        // Relaxed: only a hint; the lock taken next orders the real look.
        if shared.has_work.load(Ordering::Relaxed) || !backoff.spin_or_yield() {
            return;
        }
    }
}

/// Sleeps as an idle worker (already counted in `idle`). Returns the guard once
/// the worker is busy again (claimed by a submitter, or the pool closed), or `None`
/// if its idle timeout ran out: it has then left the live count and must exit.
fn sleep<'a>(shared: &'a Shared, mut st: MutexGuard<'a, State>) -> Option<MutexGuard<'a, State>> {
    let deadline = shared
        .config
        .idle_timeout
        .and_then(|d| Instant::now().checked_add(d));
    let mut timed_out = false;
    loop {
        // Looked at before the first wait too: the lock may have been released
        // since this worker was counted idle, and a claim made meanwhile must not
        // be slept through.
        if st.notified > 0 {
            // A submitter took one sleeper off `idle` for its task: that is us
            // (or another sleeper already woke and will find us still counted).
            st.notified -= 1;
            fault::point!(Fault::PoolWorkerMiscountsIdle => st.idle = st.idle.wrapping_sub(1));
            return Some(st);
        }
        if st.closed || !st.queue.is_empty() {
            st.idle -= 1;
            return Some(st);
        }
        if timed_out {
            st.idle -= 1;
            st.live -= 1;
            remove_worker(&mut st);
            shared.worker_left(&st);
            return None;
        }
        timed_out = match deadline {
            None => {
                st = shared.work.wait(st);
                false
            }
            Some(d) => {
                let (g, r) = shared.work.wait_deadline(st, d);
                st = g;
                r.timed_out()
            }
        };
    }
}

/// Takes the calling worker off the list of live worker threads.
fn remove_worker(st: &mut State) {
    let me = thread::current().id();
    if let Some(i) = st.workers.iter().position(|&id| id == me) {
        st.workers.swap_remove(i);
    }
}

/// Leaves after an idle timeout: moves our join handle to `retired`, reaping the
/// previous retiree (which has already left the pool's code, so the join is short).
fn retire(shared: &Shared) {
    let me = thread::current().id();
    let previous = {
        let mut st = shared.state.lock();
        match st.threads.iter().position(|h| h.thread().id() == me) {
            Some(i) => {
                let mine = st.threads.swap_remove(i);
                st.retired.replace(mine)
            }
            None => None,
        }
    };
    if let Some(h) = previous {
        let _ = h.join();
    }
}

/// Leaves because the pool closed or terminated.
fn exit(shared: &Shared) {
    let mut st = shared.state.lock();
    st.live -= 1;
    remove_worker(&mut st);
    shared.worker_left(&st);
}
