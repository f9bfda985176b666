//! `Job`: one entry of the pool's backlog, with or without a result handle.

use std::mem::{self, ManuallyDrop, MaybeUninit};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;

use super::handle::Runnable;

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

impl Job {
    /// Runs the job on this thread, catching a panic.
    pub(crate) fn run(self) -> Ran {
        let caught = match self {
            Job::Inline(j) => panic::catch_unwind(AssertUnwindSafe(|| j.run())),
            Job::Plain(w) => panic::catch_unwind(AssertUnwindSafe(|| w.run_boxed())),
            Job::Task(t) => {
                return match t.run() {
                    Some(false) => Ran::Returned,
                    Some(true) => Ran::Panicked,
                    None => Ran::WasCancelled,
                }
            }
        };
        match caught {
            Ok(()) => Ran::Returned,
            Err(_) => Ran::Panicked,
        }
    }

    /// Drops the job unrun (pool terminated); its handle, if any, reports
    /// `Cancelled`. `false` if its handle had cancelled it already.
    pub(crate) fn cancel(self) -> bool {
        match self {
            Job::Inline(_) | Job::Plain(_) => true,
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

/// Room for a closure capturing up to three words (an `Arc` and two integers, a
/// sender, ...): most `execute` closures.
type InlineData = [usize; 3];

/// A type-erased `FnOnce()` stored in place, without a heap allocation: for tiny
/// tasks the allocator (a `malloc` here, a cross-thread `free` on the worker) costs
/// more than the rest of the trip through the pool.
pub(crate) struct InlineJob {
    data: MaybeUninit<InlineData>,
    /// Moves the closure out of `data` and calls it.
    call: unsafe fn(*mut u8),
    /// Drops the closure in `data` unrun.
    drop: unsafe fn(*mut u8),
}

// SAFETY: `InlineJob::new` accepts only `F: Send`; the job owns its closure.
unsafe impl Send for InlineJob {}

impl InlineJob {
    fn fits<F>() -> bool {
        mem::size_of::<F>() <= mem::size_of::<InlineData>()
            && mem::align_of::<F>() <= mem::align_of::<InlineData>()
    }

    /// Stores `f` in place, or gives it back if it does not fit.
    fn new<F: FnOnce() + Send + 'static>(f: F) -> Result<Self, F> {
        if !Self::fits::<F>() {
            return Err(f);
        }
        let mut data = MaybeUninit::<InlineData>::uninit();
        // SAFETY: `fits` checked that `F`'s size and alignment fit `data`, which is
        // ours and uninitialised; from here `data` owns the `F`.
        unsafe { data.as_mut_ptr().cast::<F>().write(f) };
        Ok(Self {
            data,
            call: call_in_place::<F>,
            drop: drop_in_place::<F>,
        })
    }

    fn run(self) {
        // The closure leaves through `call`; our `Drop` must not drop it again,
        // even if it panics (it is then the callee's to drop while unwinding).
        let mut this = ManuallyDrop::new(self);
        let data = this.data.as_mut_ptr().cast::<u8>();
        // SAFETY: `data` holds the `F` that `new` wrote and nobody moved out yet;
        // `call` is `call_in_place::<F>` for that same `F`.
        unsafe { (this.call)(data) }
    }
}

impl Drop for InlineJob {
    fn drop(&mut self) {
        let data = self.data.as_mut_ptr().cast::<u8>();
        // SAFETY: a job that is dropped was never run (`run` forgets it), so `data`
        // still holds its `F`; `drop` is `drop_in_place::<F>` for that `F`.
        unsafe { (self.drop)(data) }
    }
}

/// # Safety
/// `p` points to a valid, owned `F` that is not used again afterwards.
unsafe fn call_in_place<F: FnOnce()>(p: *mut u8) {
    // SAFETY: per the contract, we may move the `F` out.
    let f = unsafe { p.cast::<F>().read() };
    f();
}

/// # Safety
/// `p` points to a valid, owned `F` that is not used again afterwards.
unsafe fn drop_in_place<F>(p: *mut u8) {
    // SAFETY: per the contract, we may drop the `F` in place.
    unsafe { p.cast::<F>().drop_in_place() }
}
