//! The way in: queue a job, or hand it straight to a new worker.

use std::sync::Arc;

use super::error::SubmitError;
use super::job::Job;
use super::shared::{Block, Shared};
use super::worker;
use crate::sync::fault::{self, Fault};

impl Shared {
    /// Queues `item` (turned into a job by `to_job`), or hands it straight to a
    /// new worker if none is idle and the cap allows; the error hands `item` back.
    ///
    /// Called from inside one of this pool's own tasks, a full backlog is `Full`
    /// at once whatever `block` says: the caller may be the only worker that could
    /// ever make room.
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
            if st.closed && !Self::admits_late(&st) {
                return Err(if st.broken.is_some() {
                    SubmitError::Broken(item.into())
                } else {
                    SubmitError::Closed(item.into())
                });
            }
            if let Some(cap) = self.config.max_pending {
                if st.queue.len() >= cap {
                    let block = if Self::is_worker(&st) {
                        Block::No
                    } else {
                        block
                    };
                    st = match block {
                        Block::No => return Err(SubmitError::Full(item.into())),
                        Block::Forever => self.space.wait(st),
                        Block::Until(deadline) => {
                            let (g, r) = self.space.wait_deadline(st, deadline);
                            // Re-check before believing the timeout: room that
                            // appeared as it expired is still taken.
                            if r.timed_out() && !g.closed && g.queue.len() >= cap {
                                return Err(SubmitError::Full(item.into()));
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
                self.count_accepted(&mut st);
                drop(st);
                match worker::start(self, n, Some(item), to_job) {
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
                    return Err(SubmitError::SpawnFailed(item.into()));
                }
                // Other workers exist: they will run it.
                spawn_failed = true;
                continue;
            }
            self.count_accepted(&mut st);
            st.queue.push_back(to_job(item));
            self.note_backlog(&st);
            let wake = Self::claim_idle(&mut st);
            drop(st);
            fault::point!(Fault::PoolSubmitSkipsNotify => return Ok(()));
            if wake {
                self.work.notify_one();
            }
            return Ok(());
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
            self.run_here(job);
        }
    }
}
