//! Exponential backoff for threads about to sleep on a futex.

use crate::sync::{hint, thread, LOOM};

std::thread_local! {
    /// Waits left in which this thread skips the yield phase
    /// ([`Backoff::spin_or_yield_adaptive`]).
    static YIELD_SKIPS: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

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
    const LONG_YIELD_STEPS: u32 = 24;
    /// A yield longer than this lost the core to another thread's time slice.
    const LONG_YIELD: std::time::Duration = std::time::Duration::from_micros(200);
    /// How many of its next waits a thread skips the yield phase after that.
    const YIELD_PENALTY: u32 = 64;

    #[inline]
    pub(crate) fn new() -> Self {
        Self { step: 0 }
    }

    /// Waits a little, spinning first and then yielding the core (on an
    /// oversubscribed machine the thread we wait for may need it); `false` once it is
    /// time to sleep instead.
    #[inline]
    pub(crate) fn spin_or_yield(&mut self) -> bool {
        self.spin_or_yield_up_to(Self::YIELD_STEPS)
    }

    /// One round of spinning or yielding while `step` is under `steps`.
    #[inline]
    fn spin_or_yield_up_to(&mut self, steps: u32) -> bool {
        if LOOM || self.step >= steps {
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

    /// As [`spin_or_yield`](Self::spin_or_yield), for the FIFO queue's waits, but
    /// adaptive per thread: a yield that kept this thread off the core for longer
    /// than [`LONG_YIELD`](Self::LONG_YIELD) means the core went to another runnable
    /// thread for a time slice (a loaded machine), where a futex sleep, ended by the
    /// other side's wake, costs far less. Such a yield ends this wait, and the
    /// thread's next [`YIELD_PENALTY`](Self::YIELD_PENALTY) waits skip the yield
    /// phase (spin, then sleep). Short yields (nothing else wanted the core, or
    /// the thread we wait for ran briefly) keep the full phase, which is what lets
    /// a consumer run when several putters wait on one core (4P1C bounded). The
    /// state is a thread-local count: no shared cache line, no new queue field.
    /// Constants from a few runs on a loaded 2-core VM (`docs/bench-runs/2026-12-04-benchmarks.md`,
    /// "Adaptive spinning"), not tuned on a quiet machine.
    #[inline]
    pub(crate) fn spin_or_yield_adaptive(&mut self) -> bool {
        if LOOM {
            return false;
        }
        if self.step < Self::SPIN_STEPS {
            return self.spin_or_yield();
        }
        if self.step == Self::SPIN_STEPS {
            let skip = YIELD_SKIPS.with(|s| {
                let n = s.get();
                s.set(n.saturating_sub(1));
                n > 0
            });
            if skip {
                return false;
            }
        }
        if self.step >= Self::YIELD_STEPS {
            return false;
        }
        let start = std::time::Instant::now();
        thread::yield_now();
        self.step += 1;
        if start.elapsed() > Self::LONG_YIELD {
            YIELD_SKIPS.with(|s| s.set(Self::YIELD_PENALTY));
            return false;
        }
        true
    }

    /// `true` while still in the spinning rounds, before any yield: the cheap
    /// part of the wait, where it is worth holding out for more than the minimum.
    #[inline]
    pub(crate) fn spinning(&self) -> bool {
        self.step < Self::SPIN_STEPS
    }

    /// The one spin loop: waits a bounded while, spinning then yielding (as
    /// [`spin_or_yield`](Self::spin_or_yield), or
    /// [`spin_or_yield_adaptive`](Self::spin_or_yield_adaptive) if `adaptive`),
    /// until `ready(spinning)` holds; `spinning` says whether the wait is still
    /// in its spinning rounds (see [`spinning`](Self::spinning)). Returns whether
    /// `ready` held. Under loom `ready` is asked once.
    #[inline]
    pub(crate) fn until(adaptive: bool, mut ready: impl FnMut(bool) -> bool) -> bool {
        let mut backoff = Self::new();
        loop {
            if ready(backoff.spinning()) {
                return true;
            }
            let more = if adaptive {
                backoff.spin_or_yield_adaptive()
            } else {
                backoff.spin_or_yield()
            };
            if !more {
                return false;
            }
        }
    }

    /// As [`spin_or_yield`](Self::spin_or_yield) with a longer yield phase, for
    /// a `Mutex` waiter: its sleep costs it the heavy side of the asymmetric
    /// fence (a `membarrier` call, several microseconds in a VM), so yielding
    /// to a descheduled owner a while longer is the cheaper wait.
    #[inline]
    pub(crate) fn spin_or_yield_long(&mut self) -> bool {
        self.spin_or_yield_up_to(Self::LONG_YIELD_STEPS)
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
