//! The FIFO's async operations: a getter or putter that is a task rather than a
//! thread. Same locks, same hand-off as the sleeping threads of `take.rs` and
//! `put.rs`; only the sleep is different (a [`Waker`](std::task::Waker) in the
//! core's [`Wakers`](crate::queue::wakers::Wakers) instead of a condvar ticket).
//!
//! * *A task getter waits; a putter wakes it.* Like a sleeping thread it
//!   registers while it holds the take lock **and the put lock**, so every put
//!   after that hold finds it with the relaxed look of `WaitList::notify_one`.
//! * *A task putter waits; a getter wakes it.* Like a sleeping thread it
//!   registers under the put lock, counts itself in `putters`, then sets
//!   `ASLEEP` with a `fetch_or` on the take word and re-checks room with the count
//!   that RMW returned: a get's `fetch_add` on the same word either comes first
//!   (the re-check sees the slot) or reads `ASLEEP` and then the registration.
//!   It stays counted in `putters` until its future completes or is dropped, so
//!   the last *thread* putter to leave does not clear `ASLEEP` under it.
//! * *A future dropped after its wake-up* removes its entry and, if it was
//!   notified, notifies its side once more (threads and tasks): the item or slot
//!   it was woken for is never left with a waiter asleep.
//! * Nothing spins: a poll never blocks beyond the two locks.

use std::mem;
use std::task::{Context, Poll};

use super::{in_use, PutState, TakeState, TwoLock, ASLEEP};
use crate::queue::error::{GetError, PutError};
use crate::queue::store::Store;
use crate::sync::fault::{self, Fault};
use crate::sync::Ordering;
use crate::waitlist::Key;

impl<T> TwoLock<T> {
    pub(super) fn poll_get_one(
        &self,
        cx: &mut Context<'_>,
        key: &mut Option<Key>,
    ) -> Poll<Result<T, GetError>> {
        let mut take = self.take.0.lock.lock();
        if take.buf.len() == 0 {
            // Lock order: take, then put (as `refill`).
            let mut put = self.put.0.lock.lock();
            if put.buf.len() > 0 {
                mem::swap(&mut take.buf, &mut put.buf);
            } else if put.shutdown {
                drop(put);
                self.unregister_getter(&mut take, key);
                return Poll::Ready(Err(GetError::ShutDown));
            } else {
                // Register while the put lock is still held: every put after this
                // hold comes after our registration, so its notify finds us.
                if self.wakers.0.getters.register(key, cx.waker()) {
                    take.getters += 1;
                }
                return Poll::Pending;
            }
        }
        let Some(item) = take.buf.pop() else {
            unreachable!("the take buffer was refilled under the lock");
        };
        self.unregister_getter(&mut take, key);
        let putter_asleep = self.took(1);
        drop(take);
        if putter_asleep {
            self.wake_putter();
        }
        Poll::Ready(Ok(item))
    }

    pub(super) fn poll_put_one(
        &self,
        item: &mut Option<T>,
        cx: &mut Context<'_>,
        key: &mut Option<Key>,
    ) -> Poll<Result<(), PutError<T>>> {
        let mut put = self.put.0.lock.lock();
        if put.shutdown {
            self.unregister_putter(&mut put, key);
            let item = item.take().expect("put_async polled after completion");
            return Poll::Ready(Err(PutError::ShutDown(item)));
        }
        if self.room(&mut put, 1) == 0 {
            // The full edge, as `wait_for_room`: register, then announce the
            // wait and re-read the take count in one AcqRel RMW (see `took`).
            // Done on every pending poll, so a re-armed entry is announced too.
            if self.wakers.0.putters.register(key, cx.waker()) {
                put.putters += 1;
            }
            let word = self.take.0.word.fetch_or(ASLEEP, Ordering::AcqRel);
            if !fault::active(Fault::AsyncPutterSkipsRecheck) {
                put.takes_seen = word >> 1;
            }
            if in_use(put.puts, put.takes_seen) >= self.capacity {
                return Poll::Pending;
            }
        }
        self.unregister_putter(&mut put, key);
        let item = item.take().expect("put_async polled after completion");
        // Count the task before the item is visible (as `put_one`).
        self.tasks.0.add_one();
        put.buf.push(item);
        put.puts = put.puts.wrapping_add(1);
        self.publish_puts(put.puts);
        drop(put);
        self.wake_getter();
        Poll::Ready(Ok(()))
    }

    pub(super) fn leave_get_entry(&self, key: Key) {
        let mut take = self.take.0.lock.lock();
        let notified = self.wakers.0.getters.remove(key);
        take.getters -= 1;
        drop(take);
        if notified && !fault::active(Fault::AsyncDropSkipsPassOn) {
            self.wake_getter();
        }
    }

    pub(super) fn leave_put_entry(&self, key: Key) {
        let mut put = self.put.0.lock.lock();
        let notified = self.wakers.0.putters.remove(key);
        Self::uncount_putter(self, &mut put);
        drop(put);
        if notified && !fault::active(Fault::AsyncDropSkipsPassOn) {
            self.wake_putter();
        }
    }

    /// A completing get leaves the list (its own re-check acted on any wake-up).
    fn unregister_getter(&self, take: &mut TakeState<T>, key: &mut Option<Key>) {
        if let Some(k) = key.take() {
            self.wakers.0.getters.remove(k);
            take.getters -= 1;
        }
    }

    fn unregister_putter(&self, put: &mut PutState<T>, key: &mut Option<Key>) {
        if let Some(k) = key.take() {
            self.wakers.0.putters.remove(k);
            self.uncount_putter(put);
        }
    }

    /// As a thread putter leaving its sleep: the last one out clears `ASLEEP`.
    fn uncount_putter(&self, put: &mut PutState<T>) {
        put.putters -= 1;
        if put.putters == 0 {
            // Relaxed: as in `wait_for_room`.
            self.take.0.word.fetch_and(!ASLEEP, Ordering::Relaxed);
        }
    }

    /// One item more: wakes one thread getter and one task getter (each a relaxed
    /// load when none waits; a second waiter woken for one item just re-checks).
    pub(super) fn wake_getter(&self) {
        self.edge.0.not_empty.notify_one();
        self.wakers.0.getters.notify_one();
    }

    /// One slot more: as [`wake_getter`](Self::wake_getter), for putters.
    pub(super) fn wake_putter(&self) {
        self.edge.0.not_full.notify_one();
        self.wakers.0.putters.notify_one();
    }
}
