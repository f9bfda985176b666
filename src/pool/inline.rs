//! `InlineJob`: a type-erased `FnOnce()` stored in place, so `execute` of a small
//! closure allocates nothing.

use std::mem::{self, ManuallyDrop, MaybeUninit};

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
    pub(crate) fn fits<F>() -> bool {
        mem::size_of::<F>() <= mem::size_of::<InlineData>()
            && mem::align_of::<F>() <= mem::align_of::<InlineData>()
    }

    /// Stores `f` in place, or gives it back if it does not fit.
    pub(crate) fn new<F: FnOnce() + Send + 'static>(f: F) -> Result<Self, F> {
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

    pub(crate) fn run(self) {
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
