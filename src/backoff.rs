//! Exponential backoff for threads about to sleep on a futex.

use crate::sync::{hint, thread, LOOM};

/// Bounded busy-waiting before a futex sleep: a few rounds of `spin_loop` hints (2, 4,
/// 8, 16 of them), then a few `yield_now`s, then "go to sleep".
///
/// Sleeping costs a wake syscall on the other side and a context switch on ours;
/// when the thing we wait for is a few hundred nanoseconds away, waiting briefly is
/// much cheaper. The shape follows `parking_lot`'s `SpinWait`; the step counts were
/// tuned with `benches/lock.rs` on a 2-core machine.
///
/// Under loom it never waits: spins and yields are scheduling hints there and prune
/// the interleavings loom explores.
pub(crate) struct Backoff {
    step: u32,
}

impl Backoff {
    const SPIN_STEPS: u32 = 4;
    const YIELD_STEPS: u32 = 10;

    #[inline]
    pub(crate) fn new() -> Self {
        Self { step: 0 }
    }

    /// Waits a little, spinning first and then yielding the core (on an
    /// oversubscribed machine the thread we wait for may need it); `false` once it is
    /// time to sleep instead.
    #[inline]
    pub(crate) fn spin_or_yield(&mut self) -> bool {
        if LOOM || self.step >= Self::YIELD_STEPS {
            return false;
        }
        if self.step < Self::SPIN_STEPS {
            self.spin_round();
        } else {
            thread::yield_now();
        }
        self.step += 1;
        true
    }

    /// `true` while still in the spinning rounds, before any yield: the cheap
    /// part of the wait, where it is worth holding out for more than the minimum.
    #[inline]
    #[cfg_attr(all(test, feature = "loom"), allow(dead_code))] // spinning is off under loom
    pub(crate) fn spinning(&self) -> bool {
        self.step < Self::SPIN_STEPS
    }

    /// Spins only (never yields); `false` once it is time to sleep instead.
    #[inline]
    pub(crate) fn spin(&mut self) -> bool {
        if LOOM || self.step >= Self::SPIN_STEPS {
            return false;
        }
        self.spin_round();
        self.step += 1;
        true
    }

    #[inline]
    fn spin_round(&self) {
        for _ in 0..(2u32 << self.step) {
            hint::spin_loop();
        }
    }
}
