//! The take side: `get`, the batch get (`get_many`, and through it `drain`),
//! the batch swap, and waiting for items.
//!
//! The hot path takes the take lock, pops from the take buffer, stores the new
//! take count in `takes` (bounded queues) and unlocks; the put side is touched only when the
//! take buffer is empty, and then the whole put buffer comes over in one swap.

use std::mem;

use super::{TakeState, TwoLock};
use crate::backoff::Backoff;
use crate::mutex::MutexGuard;
use crate::queue::error::GetError;
use crate::queue::inside::CoreGet;
use crate::queue::store::{Fifo, Store};
use crate::queue::wait::{Blocker, Step, Wait};
use crate::sync::fault::{self, Fault};

pub(super) type TakeGuard<'a, T> = MutexGuard<'a, TakeState<T>>;

/// What a getter found when its side was empty.
pub(super) enum Refill<'a, T> {
    /// Items came over from the put side (or arrived while it waited): pop again.
    Again(TakeGuard<'a, T>),
    /// Give up with this error.
    Fail(GetError),
}

/// Moves up to `max` items from the front of `buf` to the end of `out`; returns
/// how many.
#[inline]
fn pop_into<T>(buf: &mut Fifo<T>, out: &mut Vec<T>, max: usize) -> usize {
    let n = buf.len().min(max);
    out.reserve(n);
    for _ in 0..n {
        match buf.pop() {
            Some(item) => out.push(item),
            None => unreachable!("`len` said the item was there"),
        }
    }
    n
}

impl<T> CoreGet<T> for TwoLock<T> {
    fn get(&self, wait: Wait) -> Result<T, GetError> {
        let mut take = self.take.0.lock.lock();
        let mut blocker = Blocker::new(wait, Self::SPIN);
        loop {
            if let Some(item) = take.buf.pop() {
                let putter_asleep = self.took(&take, 1);
                drop(take);
                if putter_asleep {
                    // One slot freed: wake one putter (the condvar skips those
                    // already notified).
                    self.edge.0.not_full.notify_one();
                }
                return Ok(item);
            }
            take = match self.refill(take, &mut blocker) {
                Refill::Again(t) => t,
                Refill::Fail(e) => return Err(e),
            };
        }
    }

    /// Waits at the empty edge through `refill` (as `get`), then pops up to
    /// `max` from the take buffer and, if it runs dry first, swaps in the put
    /// side's buffer once (so a busy producer cannot keep it going forever).
    /// Every slot it frees wakes one sleeping putter.
    fn get_many(&self, out: &mut Vec<T>, max: usize, wait: Wait) -> Result<usize, GetError> {
        if max == 0 {
            return Ok(0);
        }
        let mut take = self.take.0.lock.lock();
        let mut blocker = Blocker::new(wait, Self::SPIN);
        while take.buf.len() == 0 {
            take = match self.refill(take, &mut blocker) {
                Refill::Again(t) => t,
                Refill::Fail(e) => return Err(e),
            };
        }
        let mut n = pop_into(&mut take.buf, out, max);
        if n < max {
            // The take side ran dry: one swap for what the put side holds (lock
            // order: take, then put, as everywhere).
            let mut put = self.put.0.lock.lock();
            if put.buf.len() > 0 {
                mem::swap(&mut take.buf, &mut put.buf);
            }
            drop(put);
            n += pop_into(&mut take.buf, out, max - n);
        }
        let putter_asleep = self.took(&take, n);
        drop(take);
        if putter_asleep {
            // n slots freed: wake up to n putters (each notify goes to a
            // distinct unnotified waiter, the rest are free: I9).
            let mut wake = n;
            fault::point!(Fault::QueueGetManySkipsWake => wake = 0);
            fault::point!(Fault::QueueDrainWakesOne => wake = 1);
            self.edge.0.not_full.notify_n(wake);
        }
        Ok(n)
    }
}

impl<T> TwoLock<T> {
    /// Called with the take lock held and the take buffer empty: swaps in the put
    /// buffer if it holds anything, else fails at shutdown or takes the
    /// [`Blocker`]'s next step (give up with `Empty`, spin, or sleep on
    /// `not_empty`).
    pub(super) fn refill<'a>(
        &'a self,
        mut take: TakeGuard<'a, T>,
        blocker: &mut Blocker,
    ) -> Refill<'a, T> {
        // Lock order: take, then put (I1).
        let mut put = self.put.0.lock.lock();
        if put.buf.len() > 0 {
            // The batch hand-off: everything queued crosses in one hold, into
            // an empty take buffer (I2).
            mem::swap(&mut take.buf, &mut put.buf);
            return Refill::Again(take);
        }
        if put.shutdown {
            return Refill::Fail(GetError::ShutDown);
        }
        let deadline = match blocker.step() {
            Step::GiveUp => return Refill::Fail(GetError::Empty),
            Step::Spin => {
                let puts = put.puts;
                drop(put);
                drop(take);
                self.spin_for_items(puts);
                return Refill::Again(self.take.0.lock.lock());
            }
            Step::Sleep(deadline) => deadline,
        };
        let not_empty = &self.edge.0.not_empty.threads;
        let late = fault::active(Fault::FifoGetterRegistersLate);
        // Register while the put lock is still held: every put after this hold
        // comes after our registration, so its notify finds us (I6).
        let ticket = (!late).then(|| not_empty.register());
        drop(put);
        let ticket = ticket.unwrap_or_else(|| not_empty.register());
        take.getters.add();
        let (mut take, result) = not_empty.wait_registered(take, ticket, deadline);
        take.getters.remove();
        blocker.woke(result.timed_out());
        Refill::Again(take)
    }

    /// Spins, then yields, for a bounded while until puts land after `puts` (or the
    /// queue is shut down). A hint only: the caller re-checks under the locks.
    ///
    /// As in `spin_for_room`: while only spinning it holds out for a batch, so
    /// items cross in one swap rather than one by one; once it yields, any item
    /// ends the wait.
    fn spin_for_items(&self, seen: usize) {
        let batch = self.spin_batch();
        Backoff::until(true, |spinning| {
            let want = if spinning { batch } else { 1 };
            // A hint (the puts total, stored by putters as the task count's
            // added total); the swap under the put lock is what synchronises.
            let puts = self.tasks.0.added_hint();
            puts.wrapping_sub(seen) >= want || self.shutdown_hint()
        });
    }
}
