//! The delay queue's clock: `Instant::now()` in real builds; under loom, which
//! does not model time, a model clock that stands still at a fixed instant until
//! the model's timer fires (`futex/loom.rs`), and then jumps far ahead. So in a
//! model an item put with a delay of up to a day, and a timed wait of up to a
//! day, both run out exactly when the timer fires, and loom explores that point
//! against every step of the other threads.

use std::time::Instant;

use crate::sync::{cfg_loom, cfg_not_loom};

cfg_not_loom! {
    /// The current time.
    #[inline]
    pub(crate) fn now() -> Instant {
        Instant::now()
    }
}

cfg_loom! {
    use std::sync::OnceLock;
    use std::time::Duration;

    /// The model clock's reading before the timer fires: one instant for the
    /// whole process, so every execution of a model sees the same times.
    pub(crate) fn base() -> Instant {
        static BASE: OnceLock<Instant> = OnceLock::new();
        *BASE.get_or_init(Instant::now)
    }

    /// How far the model clock jumps when the timer fires: past every delay and
    /// timeout a model uses (they stay under a day), whatever real time the test
    /// run takes.
    pub(crate) const JUMP: Duration = Duration::from_secs(365 * 24 * 3600);

    /// The model's current time.
    pub(crate) fn now() -> Instant {
        if crate::futex::loom::timer::fired() {
            base() + JUMP
        } else {
            base()
        }
    }
}
