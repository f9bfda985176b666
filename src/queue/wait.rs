//! How long an operation may block ([`Wait`]), where a blocked operation is in
//! its wait ([`Blocker`]), and which side of the queue it waits on ([`Side`]).

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

/// Where a blocked operation is in its wait: the one state machine of every
/// blocking `put`, `get`, `get_many` and `put_all` on both cores. Called with the
/// lock held each time the operation cannot proceed, it says what to do next:
///
/// 1. **give up** if the call may not wait (`Wait::No`) or its deadline passed;
/// 2. else **spin** the first time (lock released, on a lock-free hint; skipped
///    where the core does not spin, and under loom), then re-check under the lock;
/// 3. else **sleep** (registered, so no wake-up is lost) until notified or the
///    deadline, then re-check under the lock;
/// 4. a sleep that timed out turns the wait into `Wait::No`: the caller gets
///    **one last look** under the lock (a wake-up or an item that raced the
///    expiry is never lost), then gives up at step 1.
#[derive(Debug)]
pub(crate) struct Blocker {
    wait: Wait,
    spun: bool,
}

/// What a blocked operation does next ([`Blocker::step`]).
pub(crate) enum Step {
    /// Fail now (`Full` / `Empty`).
    GiveUp,
    /// Let go of the lock, spin a bounded while, lock again and re-check.
    Spin,
    /// Sleep until notified or this deadline (`None`: no deadline), then
    /// re-check; report the outcome with [`Blocker::woke`].
    Sleep(Option<Instant>),
}

impl Blocker {
    /// A wait as `wait` allows; `spin`: whether the core spins before its
    /// first sleep.
    #[inline]
    pub(crate) fn new(wait: Wait, spin: bool) -> Self {
        Self { wait, spun: !spin }
    }

    /// The next step for an operation that cannot proceed.
    #[inline]
    pub(crate) fn step(&mut self) -> Step {
        let Some(deadline) = self.wait.deadline() else {
            return Step::GiveUp;
        };
        if !self.spun {
            self.spun = true;
            return Step::Spin;
        }
        Step::Sleep(deadline)
    }

    /// After a sleep: if its time ran out, one last look, then give up.
    #[inline]
    pub(crate) fn woke(&mut self, timed_out: bool) {
        if timed_out {
            self.wait = Wait::No;
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
