//! The put side: `put`, `put_all`'s batches, and waiting for room.
//!
//! The hot path takes the put lock, pushes, bumps `puts`, stores it as the task
//! count's added total and unlocks; then one relaxed load finds no getter to
//! notify. The take side is read only when the
//! put side's own count says the queue is full.

use std::collections::VecDeque;

use super::{in_use, PutState, TwoLock};
use crate::backoff::Backoff;
use crate::mutex::MutexGuard;
use crate::queue::error::PutError;
use crate::queue::inside::CorePut;
use crate::queue::inside::UNBOUNDED;
use crate::queue::store::Store;
use crate::queue::wait::{Blocker, Step, Wait};
use crate::sync::fault::{self, Fault};
use crate::sync::Ordering;

type PutGuard<'a, T> = MutexGuard<'a, PutState<T>>;

impl<T> CorePut<T> for TwoLock<T> {
    fn put(&self, item: T, wait: Wait) -> Result<(), PutError<T>> {
        let mut put = self.put.0.lock.lock();
        let mut blocker = Blocker::new(wait, Self::SPIN);
        loop {
            if put.shutdown {
                return Err(PutError::ShutDown(item));
            }
            if self.room(&mut put, 1) > 0 {
                put.buf.push(item);
                put.puts = put.puts.wrapping_add(1);
                // The task count is `puts` minus the tasks done: one plain
                // store, under the lock, so a getter's `task_done` sees it.
                self.tasks.0.publish_added(put.puts);
                drop(put);
                fault::point!(Fault::QueuePutSkipsNotify => return Ok(()));
                // A getter that found the queue empty registered on `not_empty`
                // before it released the put lock we have since taken, so this
                // relaxed look sees it; with nobody unnotified it is a no-op
                // (I6, I9).
                self.edge.0.not_empty.notify_one();
                return Ok(());
            }
            match self.wait_for_room(put, &mut blocker) {
                Some(p) => put = p,
                None => return Err(PutError::Full(item)),
            }
        }
    }

    fn put_some(&self, batch: &mut VecDeque<T>) -> bool {
        let mut put = self.put.0.lock.lock();
        let mut blocker = Blocker::new(Wait::Forever, Self::SPIN);
        loop {
            if put.shutdown {
                return false;
            }
            let k = self.room(&mut put, batch.len()).min(batch.len());
            if k > 0 {
                for item in batch.drain(..k) {
                    put.buf.push(item);
                }
                put.puts = put.puts.wrapping_add(k);
                // As in `put`.
                self.tasks.0.publish_added(put.puts);
                drop(put);
                fault::point!(Fault::QueuePutSkipsNotify => return true);
                self.edge.0.not_empty.notify_n(k);
                return true;
            }
            match self.wait_for_room(put, &mut blocker) {
                Some(p) => put = p,
                // A wait without deadline never gives up; the caller just retries.
                None => return true,
            }
        }
    }
}

impl<T> TwoLock<T> {
    /// Free slots, at least as many as exist right now (I4). Reads the take side's
    /// count only when the put side's stale view shows fewer than `want`: so a
    /// queue that is not full never refuses a put.
    #[inline]
    pub(super) fn room(&self, put: &mut PutState<T>, want: usize) -> usize {
        if self.capacity == UNBOUNDED {
            return usize::MAX;
        }
        let room = self.capacity - in_use(put.puts, put.takes_seen);
        if room >= want {
            return room;
        }
        // The full edge. Relaxed: only the number matters (no data is read
        // through it), and coherence gives at least the value of any take that
        // happened before this put; the sleep hand-off re-reads it under the
        // take lock in `wait_for_room`.
        put.takes_seen = self.takes.0.load(Ordering::Relaxed);
        self.capacity - in_use(put.puts, put.takes_seen)
    }

    /// Called with the put lock held when the queue is full: takes the
    /// [`Blocker`]'s next step. `None`: give up now (non-blocking, or past the
    /// deadline); otherwise, after a spin or a sleep on `not_full`, the
    /// re-locked put side for the caller to re-check.
    fn wait_for_room<'a>(
        &'a self,
        mut put: PutGuard<'a, T>,
        blocker: &mut Blocker,
    ) -> Option<PutGuard<'a, T>> {
        let deadline = match blocker.step() {
            Step::GiveUp => return None,
            Step::Spin => {
                let puts = put.puts;
                drop(put);
                self.spin_for_room(puts);
                return Some(self.put.0.lock.lock());
            }
            Step::Sleep(deadline) => deadline,
        };
        let not_full = &self.edge.0.not_full.threads;
        // Register while the put lock is held: `shutdown` sets its flag under
        // this lock and then wakes every registered putter, so it either finds
        // us here or we saw its flag (I8).
        let ticket = not_full.register();
        put.putters.add();
        let (puts, takes_seen) = (put.puts, put.takes_seen);
        drop(put);
        // Sleep with the take lock (I7; lock order: take, then put, and we hold no put
        // lock now). Under it, re-read the take count and count ourselves as a
        // sleeper in one hold: every get counts its take and checks for
        // sleepers under this lock too (`took`), so either its take came first
        // and we see the freed slot, or it comes after and sees us (and, the
        // registration above being before this hold, its notify reaches us).
        // A `puts` that moved on meanwhile only makes us retry sooner: it
        // under-counts the queue, never over-counts it.
        let mut take = self.take.0.lock.lock();
        // Relaxed: written only under the take lock, which we hold (I7).
        let mut takes = self.takes.0.load(Ordering::Relaxed);
        fault::point!(Fault::FifoPutterSleepsWithoutRecheck => takes = takes_seen);
        // Our `puts` may be stale: other putters may have put (and getters
        // taken) since we let go of the put lock, so `takes` may even have
        // passed it. Only a difference that is a real count (not one wrapped
        // below zero) of at least the capacity proves the queue full: the real
        // count is at least that. Anything else ends the wait, and the caller
        // re-checks under the put lock (I5; loom found the wrapped case sleeping on
        // an empty queue).
        let timed_out = if !self.proves_full(puts, takes) {
            // A get freed a slot since our last look: no sleep.
            not_full.cancel(ticket);
            false
        } else {
            take.sleeping_putters += 1;
            let (t, r) = not_full.wait_registered(take, ticket, deadline);
            take = t;
            take.sleeping_putters -= 1;
            r.timed_out()
        };
        drop(take);
        let mut put = self.put.0.lock.lock();
        put.putters.remove();
        blocker.woke(timed_out);
        Some(put)
    }

    /// Spins, then yields, for a bounded while until getters have freed room for
    /// `puts` (or the queue is shut down). Never decides anything: the caller
    /// re-checks under the lock.
    ///
    /// While it only spins it holds out for a batch of free slots, so that a
    /// producer and a consumer on two cores do not trade single slots across the
    /// take count's cache line; once it has to yield (the consumer is not running:
    /// a loaded or oversubscribed machine), any free slot ends the wait, so a
    /// yield is never spent waiting for more than the put needs.
    fn spin_for_room(&self, puts: usize) {
        let batch = self.capacity - self.spin_batch();
        Backoff::until(true, |spinning| {
            let want = if spinning { batch } else { self.capacity - 1 };
            // Relaxed: a hint, as in `room`.
            let takes = self.takes.0.load(Ordering::Relaxed);
            in_use(puts, takes) <= want || self.shutdown_hint()
        });
    }
}
