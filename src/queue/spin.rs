//! A lock-free view of a queue's length, so a thread about to sleep can first spin
//! a little on the condition it waits for.
//!
//! Sleeping costs the sleeper a futex wait and the thread that ends the wait a
//! futex wake: two system calls, far more than the few hundred nanoseconds a
//! producer or consumer on another core usually needs to make progress. So a
//! blocked `get` or `put` re-reads this hint (without touching the lock's cache
//! line) for a short while and only registers as a sleeper if nothing changed.
//!
//! The hint is written under the queue's lock after every change, so it is exact
//! whenever the lock is free; it is only ever used to decide whether to spin a bit
//! longer, never for correctness (the caller re-checks under the lock). Under loom
//! it compiles to nothing: a spin is a yield there, which would prune the
//! interleavings loom explores, and the hint's atomics would multiply them.

use super::wait::Side;
use crate::sync::{cfg_loom, cfg_not_loom};

cfg_not_loom! {
    use crate::backoff::Backoff;
    use crate::sync::{AtomicBool, AtomicUsize, Ordering};

    /// The queue's length and shutdown flag, readable without the lock.
    #[derive(Debug, Default)]
    pub(crate) struct Hint {
        len: AtomicUsize,
        shutdown: AtomicBool,
        /// How many getters / putters spin right now (indexed by `Side`).
        spinners: [AtomicUsize; 2],
    }

    impl Hint {
        /// Whether blocked operations spin before sleeping.
        pub(crate) const ENABLED: bool = true;

        pub(crate) fn new() -> Self {
            Self::default()
        }

        /// Records the length; called under the lock after every change.
        #[inline]
        pub(crate) fn set_len(&self, len: usize) {
            // Relaxed: a hint; the lock orders the real state.
            self.len.store(len, Ordering::Relaxed);
        }

        /// Records shutdown; called under the lock.
        #[inline]
        pub(crate) fn set_shutdown(&self) {
            self.shutdown.store(true, Ordering::Relaxed);
        }

        /// Spins, then yields, until `ready(len)` holds or the queue is shut down,
        /// for a bounded while ([`Backoff`]). Returns whether it saw the condition.
        ///
        /// Spinners on one side count themselves and wait until there is room for the
        /// whole group, up to `max_group` others: with four putters spinning on a full
        /// queue, one freed slot would otherwise send all four to the lock, three of
        /// them for nothing, slowing the consumer that frees the slots (the bounded
        /// 4-producer/1-consumer bench row). Putters pass a quarter of the capacity (so
        /// a tiny queue is not rationed at all: a group that can never fit would only
        /// spin out and sleep); getters pass 0, as rationing them measured slower.
        /// Only the spin is rationed; the sleep/wake protocol is unchanged, and every
        /// caller re-checks under the lock.
        #[inline]
        pub(crate) fn spin_until(
            &self,
            side: Side,
            max_group: usize,
            ready: impl Fn(usize) -> bool,
        ) -> bool {
            let spinners = &self.spinners[side as usize];
            // Relaxed: a count that only rations spinning; nothing is published through it.
            spinners.fetch_add(1, Ordering::Relaxed);
            let seen = Backoff::until(false, |_| {
                let others = spinners.load(Ordering::Relaxed).saturating_sub(1);
                // As if the other spinners had already taken their slots.
                let len = self
                    .len
                    .load(Ordering::Relaxed)
                    .saturating_add(others.min(max_group));
                ready(len) || self.shutdown.load(Ordering::Relaxed)
            });
            spinners.fetch_sub(1, Ordering::Relaxed);
            seen
        }
    }
}

cfg_loom! {
    /// Under loom: no hint, no spinning.
    #[derive(Debug, Default)]
    pub(crate) struct Hint;

    impl Hint {
        pub(crate) const ENABLED: bool = false;

        pub(crate) fn new() -> Self {
            Self
        }

        #[inline]
        pub(crate) fn set_len(&self, _len: usize) {}

        #[inline]
        pub(crate) fn set_shutdown(&self) {}

        #[inline]
        pub(crate) fn spin_until(
            &self,
            _side: Side,
            _max_group: usize,
            _ready: impl Fn(usize) -> bool,
        ) -> bool {
            false
        }
    }
}
