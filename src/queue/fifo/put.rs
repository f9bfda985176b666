//! The put side: `put`, `put_all`'s batches, and waiting for room.
//!
//! The hot path takes the put lock, pushes, bumps `puts` and unlocks; then one
//! relaxed load finds no getter to notify. The take side is read only when the
//! put side's own count says the queue is full.

use std::collections::VecDeque;

use super::{in_use, PutState, TwoLock, ASLEEP, UNBOUNDED};
use crate::backoff::Backoff;
use crate::mutex::MutexGuard;
use crate::queue::error::PutError;
use crate::queue::store::Store;
use crate::queue::wait::Wait;
use crate::sync::fault::{self, Fault};
use crate::sync::Ordering;

/// Where a blocked putter is in its wait: it spins once, then sleeps.
pub(super) struct PutBlocker {
    wait: Wait,
    spun: bool,
}

impl PutBlocker {
    fn new(wait: Wait) -> Self {
        Self {
            wait,
            spun: !TwoLock::<()>::SPIN,
        }
    }
}

type PutGuard<'a, T> = MutexGuard<'a, PutState<T>>;

impl<T> TwoLock<T> {
    pub(super) fn put_one(&self, item: T, wait: Wait) -> Result<(), PutError<T>> {
        let mut put = self.put.0.lock.lock();
        let mut blocker = PutBlocker::new(wait);
        loop {
            if put.shutdown {
                return Err(PutError::ShutDown(item));
            }
            if self.room(&mut put, 1) > 0 {
                // Count the task before the item is visible, so a getter's
                // `task_done` can never find the count at zero.
                self.tasks.0.add_one();
                put.buf.push(item);
                put.puts = put.puts.wrapping_add(1);
                self.publish_puts(put.puts);
                drop(put);
                // A getter that found the queue empty registered on `not_empty`
                // before it released the put lock we have since taken, so this
                // relaxed look sees it; with nobody unnotified it is a no-op.
                if !fault::active(Fault::QueuePutSkipsNotify) {
                    self.edge.0.not_empty.notify_one();
                    self.wakers.0.getters.notify_one(); // async hook: one relaxed load
                }
                return Ok(());
            }
            match self.wait_for_room(put, &mut blocker) {
                Some(p) => put = p,
                None => return Err(PutError::Full(item)),
            }
        }
    }

    /// Puts as many items from the front of `batch` as fit, waiting until at least
    /// one does. `false` if the queue is shut down.
    pub(super) fn put_batch(&self, batch: &mut VecDeque<T>) -> bool {
        let mut put = self.put.0.lock.lock();
        let mut blocker = PutBlocker::new(Wait::Forever);
        loop {
            if put.shutdown {
                return false;
            }
            let k = self.room(&mut put, batch.len()).min(batch.len());
            if k > 0 {
                for item in batch.drain(..k) {
                    // Under the lock, so before any getter can see the item.
                    self.tasks.0.add_one();
                    put.buf.push(item);
                }
                put.puts = put.puts.wrapping_add(k);
                self.publish_puts(put.puts);
                drop(put);
                if !fault::active(Fault::QueuePutSkipsNotify) {
                    self.edge.0.not_empty.notify_n(k);
                    self.wakers.0.getters.notify_n(k); // async hook
                }
                return true;
            }
            match self.wait_for_room(put, &mut blocker) {
                Some(p) => put = p,
                // A wait without deadline never gives up; the caller just retries.
                None => return true,
            }
        }
    }

    /// Free slots, at least as many as exist right now. Reads the take side's
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
        // happened before this put; the sleep hand-off uses the RMW in
        // `wait_for_room`.
        put.takes_seen = self.take.0.word.load(Ordering::Relaxed) >> 1;
        self.capacity - in_use(put.puts, put.takes_seen)
    }

    /// Called with the put lock held when the queue is full. `None` if the caller
    /// must give up now (non-blocking, or past its deadline); otherwise waits (a
    /// spin the first time, then a sleep on `not_full`) and returns the re-locked
    /// put side for the caller to re-check. After the deadline passes the caller
    /// gets one last look under the lock before `None`.
    fn wait_for_room<'a>(
        &'a self,
        mut put: PutGuard<'a, T>,
        b: &mut PutBlocker,
    ) -> Option<PutGuard<'a, T>> {
        let deadline = b.wait.deadline()?;
        if !b.spun {
            b.spun = true;
            let puts = put.puts;
            drop(put);
            self.spin_for_room(puts);
            return Some(self.put.0.lock.lock());
        }
        let not_full = &self.edge.0.not_full;
        // Register first: a getter that sees ASLEEP below must find us on the
        // condvar.
        let ticket = not_full.register();
        put.putters += 1;
        // Announce the sleep and re-read the take count in one AcqRel RMW: see
        // `took` for why no freed slot can slip between the two.
        let word = self.take.0.word.fetch_or(ASLEEP, Ordering::AcqRel);
        if !fault::active(Fault::FifoPutterSleepsWithoutRecheck) {
            put.takes_seen = word >> 1;
        }
        let timed_out = if in_use(put.puts, put.takes_seen) < self.capacity {
            // A get freed a slot since our last look: no sleep.
            not_full.cancel(ticket);
            false
        } else {
            let (p, r) = not_full.wait_registered(put, ticket, deadline);
            put = p;
            r.timed_out()
        };
        put.putters -= 1;
        if put.putters == 0 {
            // Relaxed: nobody sleeps now, and a putter that sleeps later sets the
            // bit again under this lock. A getter that still saw it makes one
            // notify that finds nobody.
            self.take.0.word.fetch_and(!ASLEEP, Ordering::Relaxed);
        }
        if timed_out {
            b.wait = Wait::No;
        }
        Some(put)
    }

    /// Spins, then yields, for a bounded while until getters have freed room for
    /// `puts` (or the queue is shut down). Never decides anything: the caller
    /// re-checks under the lock.
    ///
    /// While it only spins it holds out for a batch of free slots, so that a
    /// producer and a consumer on two cores do not trade single slots across the
    /// take word's cache line; once it has to yield (the consumer is not running:
    /// a loaded or oversubscribed machine), any free slot ends the wait, so a
    /// yield is never spent waiting for more than the put needs.
    fn spin_for_room(&self, puts: usize) {
        let batch = self.capacity - self.spin_batch();
        let mut backoff = Backoff::new();
        loop {
            let want = if backoff.spinning() {
                batch
            } else {
                self.capacity - 1
            };
            // Relaxed: a hint, as in `room`.
            let takes = self.take.0.word.load(Ordering::Relaxed) >> 1;
            if in_use(puts, takes) <= want || self.shutdown_hint() || !backoff.spin_or_yield() {
                return;
            }
        }
    }
}
