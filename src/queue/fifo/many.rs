//! The take side's batch get: wait for one item, then take up to `max` in one
//! hold of the take lock.
//!
//! Like `drain`, it pops from the take buffer and, if that runs dry before `max`,
//! swaps in the put side's buffer once (so a busy producer cannot keep it going
//! forever); like `get`, it waits at the empty edge through `refill`. Every slot
//! it frees wakes one sleeping putter.

use std::mem;

use super::take::Refill;
use super::TwoLock;
use crate::queue::error::GetError;
use crate::queue::store::{Fifo, Store};
use crate::queue::wait::{Blocker, Wait};
use crate::sync::fault::{self, Fault};

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

impl<T> TwoLock<T> {
    /// `Core::get_many` on two locks.
    pub(super) fn take_many(
        &self,
        out: &mut Vec<T>,
        max: usize,
        wait: Wait,
    ) -> Result<usize, GetError> {
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
        if putter_asleep && !fault::active(Fault::QueueGetManySkipsWake) {
            // n slots freed: wake up to n putters (the condvar hands each notify
            // to a distinct unnotified sleeper and makes the rest free).
            self.edge.0.not_full.notify_n(n);
        }
        Ok(n)
    }
}
