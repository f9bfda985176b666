//! `Job`: one entry of the pool's backlog, with or without a result handle, and how
//! running or cancelling one ends.

use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;

use super::cell::{Cancelled, Runnable};
use super::inline::InlineJob;
use crate::panic::{drop_quietly, forget_payload};

/// What a worker pops. `execute` of a small closure allocates nothing (the closure
/// travels inside the job); a big one costs a `Box`; `submit` one `Arc` holding the
/// closure and the result slot together.
pub(crate) enum Job {
    /// Fire and forget, small enough to be stored in the job itself.
    Inline(InlineJob),
    /// Fire and forget, boxed. A panic is only counted.
    Plain(Box<dyn Work>),
    /// Has a [`TaskHandle`](super::TaskHandle) waiting for its result.
    Task(Arc<dyn Runnable>),
}

/// A boxed job: any `FnOnce()`, or a pool-internal type that must be recoverable
/// whole if the pool refuses it (a `Box<T>` becomes a `Box<dyn Work>` without a
/// second allocation, and can be handed back as `Box<T>` before that).
pub(crate) trait Work: Send + 'static {
    fn run_boxed(self: Box<Self>);
}

impl<F: FnOnce() + Send + 'static> Work for F {
    fn run_boxed(self: Box<Self>) {
        (*self)();
    }
}

/// How a popped job ended.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Ran {
    Returned,
    Panicked,
    /// Its handle cancelled it before a worker got to it: it did not run.
    WasCancelled,
}

/// A task that ran and whose handle is not told yet: the worker publishes it once
/// it has booked itself free (see [`Runnable::publish`]).
pub(crate) struct Unpublished(Arc<dyn Runnable>);

impl Unpublished {
    /// Tells the handle, then lets go of the task. `true` if dropping it panicked
    /// (the last reference can hold a result whose `Drop` panics, when nobody kept
    /// the handle); the panic is caught.
    pub(crate) fn publish(self) -> bool {
        self.0.publish();
        drop_quietly(self.0)
    }
}

impl Job {
    /// Runs the job on this thread, catching every panic of user code (the closure,
    /// and the `Drop` of what it captured). A task's outcome is stored, not yet
    /// published: the caller does that with the returned [`Unpublished`].
    pub(crate) fn run(self) -> (Ran, Option<Unpublished>) {
        let caught = match self {
            Job::Inline(j) => panic::catch_unwind(AssertUnwindSafe(|| j.run())),
            Job::Plain(w) => panic::catch_unwind(AssertUnwindSafe(|| w.run_boxed())),
            Job::Task(t) => {
                return match t.run() {
                    Some(false) => (Ran::Returned, Some(Unpublished(t))),
                    Some(true) => (Ran::Panicked, Some(Unpublished(t))),
                    // The canceller dropped the closure; dropping our reference
                    // cannot run user code (no result was stored).
                    None => (Ran::WasCancelled, None),
                };
            }
        };
        match caught {
            Ok(()) => (Ran::Returned, None),
            Err(payload) => {
                forget_payload(payload);
                (Ran::Panicked, None)
            }
        }
    }

    /// Drops the job unrun (pool terminated); its handle, if any, reports
    /// `Cancelled`. A panic in the closure's `Drop` is caught and reported.
    pub(crate) fn cancel(self) -> Cancelled {
        match self {
            Job::Inline(j) => Cancelled {
                now: true,
                drop_panicked: drop_quietly(j),
            },
            Job::Plain(w) => Cancelled {
                now: true,
                drop_panicked: drop_quietly(w),
            },
            Job::Task(t) => t.cancel(),
        }
    }
}

/// A fire-and-forget closure made ready for the backlog before the pool's lock is
/// taken: small ones stay as they are (stored inline later), big ones are boxed
/// now. Either way the closure can still be handed back if the pool refuses it.
pub(crate) enum Prepared<F> {
    Small(F),
    Big(Box<F>),
}

impl<F: FnOnce() + Send + 'static> Prepared<F> {
    pub(crate) fn new(f: F) -> Self {
        if InlineJob::fits::<F>() {
            Prepared::Small(f)
        } else {
            Prepared::Big(Box::new(f))
        }
    }

    /// The backlog entry; allocates nothing.
    pub(crate) fn into_job(self) -> Job {
        match self {
            Prepared::Small(f) => match InlineJob::new(f) {
                Ok(j) => Job::Inline(j),
                Err(f) => Job::Plain(Box::new(f)), // not reached: `new` checked the fit
            },
            Prepared::Big(b) => Job::Plain(b),
        }
    }

    pub(crate) fn into_inner(self) -> F {
        match self {
            Prepared::Small(f) => f,
            Prepared::Big(b) => *b,
        }
    }
}
