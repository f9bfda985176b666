//! How long an operation may block ([`Wait`]), and which side of the queue a
//! blocked thread waits on ([`Side`]).

use std::time::{Duration, Instant};

/// How long an operation may wait for room or for an item.
#[derive(Clone, Copy, Debug)]
pub enum Wait {
    /// Not at all: `try_put` / `try_get`, a zero timeout, or a timed wait's last
    /// look after it expired.
    No,
    /// As long as it takes.
    Forever,
    /// Until this instant.
    Until(Instant),
}

impl Wait {
    /// A zero timeout is a non-blocking call; a timeout too large for `Instant`
    /// means no timeout. The deadline is computed once, so spurious wake-ups never
    /// stretch the total wait.
    pub(crate) fn timeout(timeout: Duration) -> Self {
        if timeout.is_zero() {
            return Wait::No;
        }
        match Instant::now().checked_add(timeout) {
            Some(deadline) => Wait::Until(deadline),
            None => Wait::Forever,
        }
    }

    /// `None`: give up now. `Some(None)`: wait without a deadline.
    /// `Some(Some(t))`: wait until `t`.
    #[inline]
    pub(crate) fn deadline(self) -> Option<Option<Instant>> {
        match self {
            Wait::No => None,
            Wait::Forever => Some(None),
            Wait::Until(t) if Instant::now() >= t => None,
            Wait::Until(t) => Some(Some(t)),
        }
    }
}

/// Which condition a blocked thread waits for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Side {
    /// A getter: waits for an item (or shutdown).
    Get,
    /// A putter: waits for a free slot (or shutdown).
    Put,
}
