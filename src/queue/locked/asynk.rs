//! The one-lock core's async operations: a getter or putter that is a task. It
//! checks, registers and is woken under the one lock, exactly as a sleeping
//! thread (`Locked::block`): registration counts in `getters` / `putters`, so the
//! notify a put or get already makes for a sleeper reaches the task too.
//! A future dropped after its wake-up passes it on (see `fifo/asynk.rs`). A
//! waker the list lets go of comes back as a [`Stale`](crate::waitlist::Stale) and is dropped after
//! the lock (its drop is user code that may use this queue).

use std::task::{Poll, Waker};

use super::Locked;
use crate::queue::error::{GetError, PutError};
use crate::queue::inside::UNBOUNDED;
use crate::queue::inside::{CoreAsync, PollGet, PollPut};
use crate::queue::store::Store;
use crate::waitlist::Key;

impl<T, S: Store<T>> CoreAsync<T> for Locked<T, S> {
    fn poll_get(&self, waker: &Waker, key: &mut Option<Key>) -> PollGet<T> {
        // Declared before the lock, so it drops after it (see `store_op`).
        let _tasks = self.tasks_after_unwind();
        let mut state = self.state.lock();
        if let Some(item) = self.store_op(&mut state.store, |s| s.pop()) {
            self.hint.set_len(state.store.len());
            let stale = self.not_empty.complete_task(&mut state.getters, key);
            let wake = self.capacity != UNBOUNDED && state.putters.any();
            drop(state);
            drop(stale);
            if wake {
                self.not_full.notify_one();
            }
            return Poll::Ready(Ok(item));
        }
        if state.shutdown {
            let stale = self.not_empty.complete_task(&mut state.getters, key);
            drop(state);
            drop(stale);
            return Poll::Ready(Err(GetError::ShutDown));
        }
        self.not_empty
            .pend_task(state, |s| &mut s.getters, key, waker)
    }

    fn poll_put(&self, item: &mut Option<T>, waker: &Waker, key: &mut Option<Key>) -> PollPut<T> {
        // Declared before the lock, so it drops after it (see `store_op`).
        let _tasks = self.tasks_after_unwind();
        let mut state = self.state.lock();
        if state.shutdown {
            let stale = self.not_full.complete_task(&mut state.putters, key);
            drop(state);
            drop(stale);
            let item = item.take().expect("put_async polled after completion");
            return Poll::Ready(Err(PutError::ShutDown(item)));
        }
        if state.store.len() >= self.capacity {
            return self
                .not_full
                .pend_task(state, |s| &mut s.putters, key, waker);
        }
        let item = item.take().expect("put_async polled after completion");
        // Count the task before the item is visible (as `put`).
        self.count_puts(&mut state.puts, 1);
        self.store_op(&mut state.store, |s| s.push(item));
        // After the push, whose `Ord` may panic: a `Stale` made before it would
        // drop during the unwinding, before the guard. (Nobody sees the entry
        // in between: the lock is held throughout.)
        let stale = self.not_full.complete_task(&mut state.putters, key);
        self.hint.set_len(state.store.len());
        let wake = state.getters.any();
        drop(state);
        drop(stale);
        if wake {
            self.not_empty.notify_one();
        }
        Poll::Ready(Ok(()))
    }

    fn leave_get(&self, key: Key) {
        let state = self.state.lock();
        self.not_empty.drop_task(state, |s| &mut s.getters, key);
    }

    fn leave_put(&self, key: Key) {
        let state = self.state.lock();
        self.not_full.drop_task(state, |s| &mut s.putters, key);
    }
}
