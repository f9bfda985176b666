//! The worker hooks (`PoolBuilder::on_worker_start` / `on_worker_exit`), run on
//! the worker's own thread, and what a panicking start hook does: it breaks the
//! pool (Python's `BrokenThreadPool`).

use std::panic::{self, AssertUnwindSafe};

use super::builder::Hook;
use super::job::Job;
use super::shared::Shared;
use crate::panic::{forget_payload, panic_message};

/// Runs `hook` for worker `n`, catching a panic; its message if it panicked.
fn call(hook: &Hook, n: usize) -> Result<(), String> {
    panic::catch_unwind(AssertUnwindSafe(|| (hook.0)(n))).map_err(|p| {
        let msg = panic_message(&*p);
        forget_payload(p);
        msg
    })
}

impl Shared {
    /// Runs the start hook on a new worker, before its first task. `false` if it
    /// panicked: the pool is then broken, `first` and the backlog are cancelled,
    /// and the worker must leave at once (without its exit hook).
    pub(crate) fn start_worker_hook(&self, n: usize, first: &mut Option<Job>) -> bool {
        let Some(hook) = &self.config.on_worker_start else {
            return true;
        };
        let Err(msg) = call(hook, n) else {
            return true;
        };
        {
            let mut st = self.state.lock();
            st.panicked += 1;
            // Before `closed`: every submit refused from now on says `Broken`.
            st.broken.get_or_insert(msg);
        }
        // As `terminate`: refuse work, cancel the backlog, wake everyone; running
        // tasks finish and their workers leave.
        let drained = self.close(true);
        self.cancel_jobs(first.take().into_iter().chain(drained));
        false
    }

    /// Runs the exit hook on a leaving worker; a panic is caught and counted.
    pub(crate) fn exit_worker_hook(&self, n: usize) {
        if let Some(hook) = &self.config.on_worker_exit {
            if call(hook, n).is_err() {
                self.state.lock().panicked += 1;
            }
        }
    }
}
