//! The worker loop: take a task, run it, and when the backlog is empty spin a
//! little, then sleep until claimed, closed, or idle for too long.

use std::sync::Arc;
use std::time::Instant;

use super::job::Job;
use super::shared::{Shared, State};
use crate::backoff::Backoff;
use crate::sync::fault::{self, Fault};
use crate::sync::{thread, Ordering};
use crate::MutexGuard;

/// A busy worker marks its finished tasks done in batches of this many (and
/// whenever it finds the backlog empty).
const SETTLE_EVERY: usize = 32;

/// At most this many workers spin at once; the rest sleep, so spinning never
/// starves the submitters of CPU on a small machine.
const MAX_SPINNERS: usize = 1;

/// The body of a worker thread. `first`: the task whose submit started it.
pub(crate) fn run(shared: Arc<Shared>, first: Option<Job>) {
    let mut st = match first {
        Some(job) => {
            let ran = job.run();
            let mut st = shared.state.lock();
            shared.finished(&mut st, ran);
            st
        }
        None => shared.state.lock(),
    };
    // Whether this worker already spun since it last found work.
    let mut spun = false;
    // Tasks this worker finished and booked but has not yet marked done in
    // `tasks`: one contended read-modify-write per batch instead of per task.
    let mut unsettled = 0;
    loop {
        if st.terminated {
            break;
        }
        if let Some(job) = st.queue.pop_front() {
            shared.note_backlog(&st);
            // More work than this worker: get help. Submitters leave this to a
            // spinning worker (us, often), so a fast submitter makes no wake-up
            // system calls of its own.
            let (wake, start) = if st.queue.is_empty() {
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
            if let Some(n) = start {
                // On failure the task stays queued; this worker runs it later.
                let _ = shared.start_worker::<Job>(n, None, |job| job);
            }
            let ran = job.run();
            st = shared.state.lock();
            Shared::book(&mut st, ran);
            unsettled += 1;
            if unsettled == SETTLE_EVERY {
                settle(&shared, &mut unsettled);
            }
            spun = false;
            continue;
        }
        // The backlog is empty: settle before spinning, sleeping or leaving, so
        // `wait_all` returns as soon as the last task is done.
        settle(&shared, &mut unsettled);
        if st.closed {
            break;
        }
        if !spun && st.spinning < MAX_SPINNERS {
            spun = true;
            st.spinning += 1;
            drop(st);
            spin(&shared);
            st = shared.state.lock();
            st.spinning -= 1;
            continue;
        }
        match sleep(&shared, st) {
            Some(g) => {
                st = g;
                spun = false;
            }
            None => return retire(&shared),
        }
    }
    settle(&shared, &mut unsettled);
    exit(&shared, st);
}

/// Marks the finished tasks done in the pool's `TaskCounter` (called with the lock
/// held, after their counters were booked, so a `wait_all` that returned sees them).
fn settle(shared: &Shared, unsettled: &mut usize) {
    if *unsettled > 0 {
        shared.tasks.done_up_to(*unsettled);
        *unsettled = 0;
    }
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

/// Sleeps as an idle worker. Returns the guard once the worker is busy again
/// (claimed by a submitter, or the pool closed), or `None` if its idle timeout ran
/// out: it has then left the live count and must exit.
fn sleep<'a>(shared: &'a Shared, mut st: MutexGuard<'a, State>) -> Option<MutexGuard<'a, State>> {
    st.idle += 1;
    let deadline = shared
        .config
        .idle_timeout
        .and_then(|d| Instant::now().checked_add(d));
    loop {
        let timed_out = match deadline {
            None => {
                st = shared.work.wait(st);
                false
            }
            Some(d) => {
                let (g, r) = shared.work.wait_until(st, d);
                st = g;
                r.timed_out()
            }
        };
        if st.notified > 0 {
            // A submitter took one sleeper off `idle` for its task: that is us
            // (or another sleeper already woke and will find us still counted).
            st.notified -= 1;
            if fault::active(Fault::PoolWorkerMiscountsIdle) {
                st.idle = st.idle.wrapping_sub(1);
            }
            return Some(st);
        }
        if st.closed || !st.queue.is_empty() {
            st.idle -= 1;
            return Some(st);
        }
        if timed_out {
            st.idle -= 1;
            st.live -= 1;
            if st.live == 0 {
                shared.exited.notify_all();
            }
            return None;
        }
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
fn exit(shared: &Shared, mut st: MutexGuard<'_, State>) {
    st.live -= 1;
    let last = st.live == 0;
    drop(st);
    if last {
        shared.exited.notify_all();
    }
}
