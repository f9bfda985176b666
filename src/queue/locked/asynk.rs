//! The one-lock core's async operations: a getter or putter that is a task. It
//! checks, registers and is woken under the one lock, exactly as a sleeping
//! thread (`Locked::block`): registration counts in `getters` / `putters`, so the
//! notify a put or get already makes for a sleeper reaches the task list too.
//! A future dropped after its wake-up passes it on (see `fifo/asynk.rs`). A
//! waker the list lets go of comes back as a [`Stale`] and is dropped after
//! the lock (its drop is user code that may use this queue).

use std::task::{Context, Poll};

use super::{Locked, State};
use crate::queue::error::{GetError, PutError};
use crate::queue::store::Store;
use crate::queue::wait::Side;
use crate::queue::UNBOUNDED;
use crate::sync::fault::{self, Fault};
use crate::waitlist::{Key, Stale};

impl<T, S: Store<T>> Locked<T, S> {
    pub(super) fn poll_get_one(
        &self,
        cx: &mut Context<'_>,
        key: &mut Option<Key>,
    ) -> Poll<Result<T, GetError>> {
        // Declared before the lock, so it drops after it (see `store_op`).
        let _tasks = self.tasks_after_unwind();
        let mut state = self.state.lock();
        if let Some(item) = self.store_op(&mut state.store, |s| s.pop()) {
            self.hint.set_len(state.store.len());
            let stale = self.unregister(&mut state, Side::Get, key);
            let wake = self.capacity != UNBOUNDED && state.putters.any();
            drop(state);
            drop(stale);
            if wake {
                self.not_full.notify_one();
                self.wakers.putters.notify_one();
            }
            return Poll::Ready(Ok(item));
        }
        if state.shutdown {
            let stale = self.unregister(&mut state, Side::Get, key);
            drop(state);
            drop(stale);
            return Poll::Ready(Err(GetError::ShutDown));
        }
        let (fresh, stale) = self.wakers.getters.register(key, cx.waker());
        if fresh {
            state.getters.register();
        }
        drop(state);
        drop(stale);
        Poll::Pending
    }

    pub(super) fn poll_put_one(
        &self,
        item: &mut Option<T>,
        cx: &mut Context<'_>,
        key: &mut Option<Key>,
    ) -> Poll<Result<(), PutError<T>>> {
        // Declared before the lock, so it drops after it (see `store_op`).
        let _tasks = self.tasks_after_unwind();
        let mut state = self.state.lock();
        if state.shutdown {
            let stale = self.unregister(&mut state, Side::Put, key);
            drop(state);
            drop(stale);
            let item = item.take().expect("put_async polled after completion");
            return Poll::Ready(Err(PutError::ShutDown(item)));
        }
        if state.store.len() >= self.capacity {
            let (fresh, stale) = self.wakers.putters.register(key, cx.waker());
            if fresh {
                state.putters.register();
            }
            drop(state);
            drop(stale);
            return Poll::Pending;
        }
        let item = item.take().expect("put_async polled after completion");
        // Count the task before the item is visible (as `put`).
        self.count_puts(&mut state.puts, 1);
        self.store_op(&mut state.store, |s| s.push(item));
        // After the push, whose `Ord` may panic: a `Stale` made before it would
        // drop during the unwinding, before the guard. (Nobody sees the entry
        // in between: the lock is held throughout.)
        let stale = self.unregister(&mut state, Side::Put, key);
        self.hint.set_len(state.store.len());
        let wake = state.getters.any();
        drop(state);
        drop(stale);
        if wake {
            self.not_empty.notify_one();
            self.wakers.getters.notify_one();
        }
        Poll::Ready(Ok(()))
    }

    /// A completing future leaves the list (its own re-check acted on any
    /// wake-up). Its waker comes back, to be dropped after the lock.
    fn unregister(&self, state: &mut State<S>, side: Side, key: &mut Option<Key>) -> Stale {
        let Some(k) = key.take() else {
            return Stale::NONE;
        };
        match side {
            Side::Get => {
                state.getters.unregister();
                self.wakers.getters.remove(k).1
            }
            Side::Put => {
                state.putters.unregister();
                self.wakers.putters.remove(k).1
            }
        }
    }
}

impl<T, S> Locked<T, S> {
    /// A pending future is dropped: leaves, and passes a wake-up it had on.
    pub(super) fn leave_entry(&self, side: Side, key: Key) {
        let mut state = self.state.lock();
        let (list, cv) = match side {
            Side::Get => {
                state.getters.unregister();
                (&self.wakers.getters, &self.not_empty)
            }
            Side::Put => {
                state.putters.unregister();
                (&self.wakers.putters, &self.not_full)
            }
        };
        let (notified, stale) = list.remove(key);
        drop(state);
        drop(stale);
        if notified && !fault::active(Fault::AsyncDropSkipsPassOn) {
            cv.notify_one();
            list.notify_one();
        }
    }
}
