//! The FIFO's async operations: a getter or putter that is a task rather than a
//! thread. Same locks, same hand-off as the sleeping threads of `take.rs` and
//! `put.rs`; only the sleep is different (a [`Waker`] in the
//! task list of the same [`Waiters`](crate::waiters::Waiters) instead of a
//! condvar ticket).
//!
//! * *A task getter waits; a putter wakes it.* Like a sleeping thread it
//!   registers while it holds the take lock **and the put lock**, so every put
//!   after that hold finds it with the relaxed look of `WaitList::notify_one`.
//! * *A task putter waits; a getter wakes it.* Like a sleeping thread it
//!   registers under the put lock and counts itself in `putters`, then, in one
//!   hold of the take lock, counts itself in `sleeping_putters` and re-reads the
//!   take count: every get stores its count and checks for sleepers under that
//!   lock too (`took`), so either the get came first (the re-check sees the slot)
//!   or it sees the sleeper and notifies, and the registration, made before this
//!   hold, is there for its notify to find. A task putter stays counted in both
//!   from its first pending poll until its entry is removed (it completes or is
//!   dropped), so a re-armed entry needs no second announcement.
//! * *A future dropped after its wake-up* removes its entry and, if it was
//!   notified, notifies its side once more (threads and tasks): the item or slot
//!   it was woken for is never left with a waiter asleep.
//! * Nothing spins: a poll never blocks beyond the two locks.
//! * No waker is dropped under a lock: a waker the list lets go of (replaced on
//!   a re-poll, removed with its entry) comes back as a [`Stale`](crate::waitlist::Stale) and is dropped
//!   after the last guard, since its drop is user code that may use this queue.

use std::mem;
use std::task::{Poll, Waker};

use super::TwoLock;
use crate::queue::error::{GetError, PutError};
use crate::queue::inside::{CoreAsync, PollGet, PollPut};
use crate::queue::store::Store;
use crate::sync::fault::{self, Fault};
use crate::sync::Ordering;
use crate::waitlist::Key;

impl<T> CoreAsync<T> for TwoLock<T> {
    fn poll_get(&self, waker: &Waker, key: &mut Option<Key>) -> PollGet<T> {
        let mut take = self.take.0.lock.lock();
        if take.buf.len() == 0 {
            // Lock order: take, then put (as `refill`).
            let mut put = self.put.0.lock.lock();
            if put.buf.len() > 0 {
                mem::swap(&mut take.buf, &mut put.buf);
            } else if put.shutdown {
                drop(put);
                let stale = self.edge.0.not_empty.complete_task(&mut take.getters, key);
                drop(take);
                drop(stale);
                return Poll::Ready(Err(GetError::ShutDown));
            } else {
                // Register while the put lock is still held (I6): every put
                // after this hold comes after our registration, so its notify
                // finds us. The tuple lets go of the put lock, then the take lock.
                return self.edge.0.not_empty.pend_task(
                    (put, take),
                    |(_, take)| &mut take.getters,
                    key,
                    waker,
                );
            }
        }
        let Some(item) = take.buf.pop() else {
            unreachable!("the take buffer was refilled under the lock");
        };
        let stale = self.edge.0.not_empty.complete_task(&mut take.getters, key);
        let putter_asleep = self.took(&take, 1);
        drop(take);
        drop(stale);
        if putter_asleep {
            self.edge.0.not_full.notify_one();
        }
        Poll::Ready(Ok(item))
    }

    fn poll_put(&self, item: &mut Option<T>, waker: &Waker, key: &mut Option<Key>) -> PollPut<T> {
        let mut put = self.put.0.lock.lock();
        loop {
            if put.shutdown {
                let counted = key.is_some();
                let stale = self.edge.0.not_full.complete_task(&mut put.putters, key);
                drop(put);
                drop(stale);
                self.uncount_sleeper(counted);
                let item = item.take().expect("put_async polled after completion");
                return Poll::Ready(Err(PutError::ShutDown(item)));
            }
            if self.room(&mut put, 1) > 0 {
                break;
            }
            // The full edge, as `wait_for_room`: register while the put lock is
            // held (`shutdown` sets its flag under it, then wakes every
            // registered putter), then count as a sleeper and re-read the take
            // count in one hold of the take lock (see `took`).
            let (fresh, stale) = self
                .edge
                .0
                .not_full
                .register_task(&mut put.putters, key, waker);
            let (puts, takes_seen) = (put.puts, put.takes_seen);
            drop(put);
            drop(stale);
            let mut take = self.take.0.lock.lock();
            if fresh {
                take.sleeping_putters += 1;
            }
            // Relaxed: written only under the take lock, which we hold (I7).
            let mut takes = self.takes.0.load(Ordering::Relaxed);
            fault::point!(Fault::AsyncPutterSkipsRecheck => takes = takes_seen);
            if self.proves_full(puts, takes) {
                return Poll::Pending;
            }
            drop(take);
            // A slot freed since our look: try again under the put lock.
            put = self.put.0.lock.lock();
        }
        let counted = key.is_some();
        let stale = self.edge.0.not_full.complete_task(&mut put.putters, key);
        let item = item.take().expect("put_async polled after completion");
        put.buf.push(item);
        put.puts = put.puts.wrapping_add(1);
        // The task count's added total, as in `put`.
        self.tasks.0.publish_added(put.puts);
        drop(put);
        drop(stale);
        self.uncount_sleeper(counted);
        self.edge.0.not_empty.notify_one();
        Poll::Ready(Ok(()))
    }

    fn leave_get(&self, key: Key) {
        let take = self.take.0.lock.lock();
        self.edge
            .0
            .not_empty
            .drop_task(take, |t| &mut t.getters, key);
    }

    fn leave_put(&self, key: Key) {
        let mut put = self.put.0.lock.lock();
        let not_full = &self.edge.0.not_full;
        let (notified, stale) = not_full.remove_task(&mut put.putters, key);
        drop(put);
        drop(stale);
        self.uncount_sleeper(true);
        fault::point!(Fault::AsyncDropSkipsPassOn => return);
        if notified {
            not_full.notify_one();
        }
    }
}

impl<T> TwoLock<T> {
    /// Takes a task putter that left out of `sleeping_putters` (no lock held).
    /// Until then getters may notify for it: one spare wake-up, never a lost one.
    fn uncount_sleeper(&self, counted: bool) {
        if counted {
            self.take.0.lock.lock().sleeping_putters -= 1;
        }
    }
}
