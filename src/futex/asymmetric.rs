//! An asymmetric fence: a [`light`] side cheap enough for every unlock and a
//! [`heavy`] side for a thread about to sleep.
//!
//! Two threads that each store to one word and then load the other's (a `Mutex`
//! unlock storing the lock word and loading the sleeper count; a waiter counting
//! itself and loading the lock word) need a full fence on both sides, or both
//! loads can miss both stores. Here the two sides split the cost:
//!
//! * **Linux** (the process registered for `membarrier`): [`light`] is a compiler
//!   fence only, and [`heavy`] is `membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED)`,
//!   which makes every other running thread of the process execute a full memory
//!   barrier before the call returns (threads not running pass one when they are
//!   switched in). So for a light-side store `S` then load `L` and a heavy call
//!   between a store `S'` and a load `L'`, either `L` sees `S'` or `L'` sees `S`,
//!   exactly as if both sides ran `fence(SeqCst)`.
//! * **Elsewhere**, or when registering fails (an old kernel, a sandbox that
//!   filters the call): both sides are `fence(SeqCst)`.
//! * **Under loom**: both sides are `fence(SeqCst)`. That is the guarantee
//!   `membarrier` gives, so the models check every protocol built on this one as
//!   it runs; what they cannot check is the kernel keeping its word.
//!
//! The process registers on the first call of either side (about 2 µs if it has one
//! thread; the kernel may take milliseconds once if other threads already run).
//! Until then, and for good without `membarrier`, the light side is a real fence, so
//! every pairing is correct whichever mode each side saw.

pub(crate) use self::imp::{heavy, light};

crate::sync::cfg_loom! {
    use self::fenced as imp;
}

crate::sync::cfg_not_loom! {
    #[cfg(not(target_os = "linux"))]
    use self::fenced as imp;
    #[cfg(target_os = "linux")]
    use self::membarrier as imp;
}

/// Both sides a real fence: under loom (where that is the model of the
/// guarantee) and where there is no `membarrier`.
#[allow(dead_code)]
mod fenced {
    use crate::sync::{fence, Ordering};

    /// The unlocking side: a full fence.
    #[inline]
    pub(crate) fn light() {
        fence(Ordering::SeqCst);
    }

    /// The sleeping side: a full fence. Always ordered.
    #[inline]
    pub(crate) fn heavy() -> bool {
        fence(Ordering::SeqCst);
        true
    }
}

crate::sync::cfg_not_loom! {
    #[cfg(target_os = "linux")]
    mod membarrier {
        use crate::sync::{compiler_fence, fence, AtomicU8, Ordering};

        /// Not settled yet: the light side runs a real fence.
        const UNKNOWN: u8 = 0;
        /// Registered: the light side is a compiler fence, the heavy side
        /// `membarrier`.
        const MEMBARRIER: u8 = 1;
        /// Registering failed: both sides are real fences, for good.
        const FENCE: u8 = 2;

        /// The process-wide mode. Moves once, from `UNKNOWN` to one of the other
        /// two (a compare-exchange), so a heavy side that settles it and every
        /// later reader agree; a light side that reads a stale `UNKNOWN` runs a
        /// real fence, which pairs with either heavy side.
        static MODE: AtomicU8 = AtomicU8::new(UNKNOWN);

        /// The unlocking side: free once the process is registered.
        #[inline]
        pub(crate) fn light() {
            if MODE.load(Ordering::Relaxed) == MEMBARRIER {
                // Keeps the compiler from moving the caller's load above its
                // store; the processor may still do so, and `heavy` covers that.
                compiler_fence(Ordering::SeqCst);
            } else {
                light_unsettled();
            }
        }

        #[cold]
        #[inline(never)]
        fn light_unsettled() {
            // This call cannot count on a heavy side's membarrier: fence for real.
            fence(Ordering::SeqCst);
            if MODE.load(Ordering::Relaxed) == UNKNOWN {
                settle();
            }
        }

        /// The sleeping side: `true` once every other running thread of the
        /// process has passed a full fence (or a real fence ran where the light
        /// sides fence too). `false` only if a registered `membarrier` fails,
        /// which the kernel does not do: the caller must then not count on a
        /// light side having seen its store, and sleeps with a timeout.
        pub(crate) fn heavy() -> bool {
            let mode = match MODE.load(Ordering::Relaxed) {
                UNKNOWN => settle(),
                mode => mode,
            };
            if mode == MEMBARRIER {
                return membarrier(libc::MEMBARRIER_CMD_PRIVATE_EXPEDITED);
            }
            fence(Ordering::SeqCst);
            true
        }

        /// Registers the process (idempotent in the kernel) and records the mode,
        /// or the one another thread recorded first.
        #[cold]
        fn settle() -> u8 {
            let mine = if membarrier(libc::MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) {
                MEMBARRIER
            } else {
                FENCE
            };
            match MODE.compare_exchange(UNKNOWN, mine, Ordering::Relaxed, Ordering::Relaxed) {
                Ok(_) => mine,
                Err(settled) => settled,
            }
        }

        /// One `membarrier(cmd, 0, 0)` call (no flags, so no CPU id); whether it
        /// succeeded.
        fn membarrier(cmd: libc::c_int) -> bool {
            // SAFETY: `membarrier` takes three integers and no pointers; any
            // command either succeeds or fails with an error code.
            unsafe { libc::syscall(libc::SYS_membarrier, cmd, 0 as libc::c_uint, 0 as libc::c_int) == 0 }
        }
    }
}
