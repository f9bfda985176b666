//! How long an operation may block, and the one place where an operation of the
//! one-lock core spins and then sleeps.

use std::time::{Duration, Instant};

use super::locked::{Locked, State};
use super::spin::Hint;
use crate::mutex::MutexGuard;

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

/// Where a blocked operation is in its wait: it spins once, then sleeps.
#[derive(Debug)]
pub(crate) struct Blocker {
    side: Side,
    wait: Wait,
    spun: bool,
}

impl Blocker {
    pub(crate) fn new(side: Side, wait: Wait) -> Self {
        Self {
            side,
            wait,
            spun: !Hint::ENABLED,
        }
    }
}

/// The locked state, as the operations pass it around.
pub(crate) type Guard<'a, S> = MutexGuard<'a, State<S>>;

impl<T, S> Locked<T, S> {
    /// Called with the lock held when the operation cannot proceed. Returns `None`
    /// if it must give up now (non-blocking, or past its deadline); otherwise waits
    /// a while (a spin on the lock-free hint the first time, then a sleep on the
    /// condvar until notified or the deadline) and returns the re-locked state for
    /// the caller to re-check. After the deadline passes, the caller gets one last
    /// look under the lock before `None`: a wake-up or an item that raced the
    /// expiry is never lost.
    pub(crate) fn block<'a>(
        &'a self,
        mut state: Guard<'a, S>,
        b: &mut Blocker,
    ) -> Option<Guard<'a, S>> {
        let deadline = b.wait.deadline()?;
        if !b.spun {
            b.spun = true;
            drop(state);
            let capacity = self.capacity;
            match b.side {
                Side::Get => self.hint.spin_until(Side::Get, 0, |len| len > 0),
                Side::Put => self
                    .hint
                    .spin_until(Side::Put, capacity / 4, |len| len < capacity),
            };
            return Some(self.state.lock());
        }
        let cv = match b.side {
            Side::Get => {
                state.getters.register();
                &self.not_empty
            }
            Side::Put => {
                state.putters.register();
                &self.not_full
            }
        };
        let timed_out = match deadline {
            None => {
                state = cv.wait(state);
                false
            }
            Some(deadline) => {
                let (s, result) = cv.wait_until(state, deadline);
                state = s;
                result.timed_out()
            }
        };
        match b.side {
            Side::Get => state.getters.unregister(),
            Side::Put => state.putters.unregister(),
        }
        if timed_out {
            b.wait = Wait::No;
        }
        Some(state)
    }
}
