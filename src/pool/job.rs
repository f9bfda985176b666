//! `Job`: one entry of the pool's backlog, with or without a result handle.

use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;

use super::handle::Runnable;

/// What a worker pops. `execute` costs one `Box`; `submit` one `Arc` holding the
/// closure and the result slot together.
pub(crate) enum Job {
    /// Fire and forget: nobody is told the outcome, a panic is only counted.
    Plain(Box<dyn FnOnce() + Send + 'static>),
    /// Has a [`TaskHandle`](super::TaskHandle) waiting for its result.
    Task(Arc<dyn Runnable>),
}

/// How a popped job ended.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Ran {
    Returned,
    Panicked,
    /// Its handle cancelled it before a worker got to it: it did not run.
    WasCancelled,
}

impl Job {
    /// Runs the job on this thread, catching a panic.
    pub(crate) fn run(self) -> Ran {
        match self {
            Job::Plain(f) => match panic::catch_unwind(AssertUnwindSafe(f)) {
                Ok(()) => Ran::Returned,
                Err(_) => Ran::Panicked,
            },
            Job::Task(t) => match t.run() {
                Some(false) => Ran::Returned,
                Some(true) => Ran::Panicked,
                None => Ran::WasCancelled,
            },
        }
    }

    /// Drops the job unrun (pool terminated); its handle, if any, reports
    /// `Cancelled`. `false` if its handle had cancelled it already.
    pub(crate) fn cancel(self) -> bool {
        match self {
            Job::Plain(f) => {
                drop(f);
                true
            }
            Job::Task(t) => t.cancel(),
        }
    }
}
