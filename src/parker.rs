//! `Parker`: a thread's wake-up flag on the crate's futex, and the [`Waker`] that
//! sets it. A blocking select (and any thread that waits on several sources at
//! once) parks on one of these; every source's [`WaitList`](crate::waitlist)
//! entry holds the same waker, so "a waiter is a thread or a `Waker`" needs no
//! second mechanism: a thread *is* a `Waker` here.
//!
//! The protocol is std's thread parker: `EMPTY → PARKED` before sleeping,
//! `unpark` swaps in `NOTIFIED` and makes the futex call only when it saw
//! `PARKED`, so a wake that lands before the sleep is never lost and a busy
//! selector that never sleeps costs its wakers one atomic swap.

use std::sync::Arc;
use std::task::{Wake, Waker};
use std::time::Instant;

use crate::futex::Futex;
use crate::sync::Ordering;

const EMPTY: u32 = 0;
const PARKED: u32 = 1;
const NOTIFIED: u32 = 2;

/// One thread's wake-up flag.
pub(crate) struct Parker {
    state: Futex,
}

impl Parker {
    /// A parker with no pending wake-up, and the waker that unparks it.
    pub(crate) fn new_waker() -> (Arc<Parker>, Waker) {
        let p = Arc::new(Parker {
            state: Futex::new(EMPTY),
        });
        let w = Waker::from(p.clone());
        (p, w)
    }

    /// Consumes a pending wake-up, or sleeps until one comes or `deadline`
    /// passes. Returns `false` only if the deadline passed with no wake-up.
    /// May return `true` spuriously (the caller re-checks its sources).
    pub(crate) fn park(&self, deadline: Option<Instant>) -> bool {
        // Acquire: what the waker did before `unpark` is visible after this.
        if self
            .state
            .compare_exchange(NOTIFIED, EMPTY, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
        {
            return true;
        }
        if self
            .state
            .compare_exchange(EMPTY, PARKED, Ordering::Acquire, Ordering::Acquire)
            .is_err()
        {
            // NOTIFIED arrived in between.
            self.state.store(EMPTY, Ordering::Relaxed);
            return true;
        }
        loop {
            let in_time = self.state.wait_deadline(PARKED, deadline);
            if self
                .state
                .compare_exchange(NOTIFIED, EMPTY, Ordering::Acquire, Ordering::Relaxed)
                .is_ok()
            {
                return true;
            }
            if !in_time {
                // Timed out, still PARKED: leave; a wake-up racing this swap is
                // kept (it reads as a wake-up).
                return self.state.swap(EMPTY, Ordering::Acquire) == NOTIFIED;
            }
            // Spurious: sleep again.
        }
    }

    fn unpark(&self) {
        // Release: pairs with `park`'s Acquire.
        if self.state.swap(NOTIFIED, Ordering::Release) == PARKED {
            self.state.wake_one();
        }
    }
}

impl Wake for Parker {
    fn wake(self: Arc<Self>) {
        self.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.unpark();
    }
}

crate::sync::cfg_not_loom! {
    std::thread_local! {
        /// Each thread's parker, made once: a select allocates nothing for it. A
        /// wake-up left over from an earlier select only costs one extra poll.
        static CURRENT: (Arc<Parker>, Waker) = Parker::new_waker();
    }

    /// Runs `f` with this thread's parker and its waker.
    pub(crate) fn with_current<R>(f: impl FnOnce(&Parker, &Waker) -> R) -> R {
        CURRENT.with(|(p, w)| f(p, w))
    }
}

crate::sync::cfg_loom! {
    /// Under loom a fresh parker each time (thread-locals outlive a model's
    /// execution, which must start from the same state every time).
    pub(crate) fn with_current<R>(f: impl FnOnce(&Parker, &Waker) -> R) -> R {
        let (p, w) = Parker::new_waker();
        f(&p, &w)
    }
}
