//! The one-lock core of the LIFO and priority queues: one [`Mutex`] around the
//! store and the sleeper counts, a "not empty" and a "not full" [`Condvar`](crate::Condvar).
//!
//! A condvar is only touched when the locked state says a thread sleeps on it
//! (the condvar itself then skips sleepers already notified), and a blocked thread
//! spins briefly on a lock-free length hint before it sleeps (`spin.rs`). No user
//! code runs under the lock except `T: Ord` in the priority store; items leave
//! through return values.

mod asynk; // async: task getters and putters

use std::collections::VecDeque;
use std::fmt;
use std::marker::PhantomData;
use std::mem;

use super::inside::UNBOUNDED;
use super::inside::{Core, CoreGet, CorePut};
use super::spin::Hint;
use super::store::Store;
use super::wait::{Blocker, Side, Step, Wait};
use crate::counter::TaskCounter;
use crate::mutex::{Mutex, MutexGuard};
use crate::queue::error::{GetError, PutError};
use crate::sync::fault::{self, Fault};
use crate::waiters::{Sleepers, Waiters};

/// A queue on one lock, over the store `S`.
pub struct Locked<T, S> {
    pub(super) state: Mutex<State<S>>,
    /// Getters wait here until an item arrives or the queue shuts down
    /// (threads on its condvar, tasks in its list; each counted in `getters`).
    pub(super) not_empty: Waiters,
    /// Putters wait here until a slot frees up or the queue shuts down
    /// (counted in `putters`).
    pub(super) not_full: Waiters,
    /// Most items stored at once; [`UNBOUNDED`] for no limit.
    pub(super) capacity: usize,
    tasks: TaskCounter,
    pub(super) hint: Hint,
    _items: PhantomData<fn(T) -> T>,
}

/// Everything the lock protects.
pub struct State<S> {
    store: S,
    /// Items ever put, modulo 2^64: the task count's added total.
    puts: usize,
    shutdown: bool,
    pub(super) getters: Sleepers,
    pub(super) putters: Sleepers,
}

impl<T, S> Locked<T, S> {
    /// Adds `n` to the puts total and stores it as the task count's added total
    /// (a plain store: the lock makes this the only writer). Called under the
    /// lock before the items are stored, so a getter's `task_done` sees them
    /// counted.
    #[inline]
    pub(super) fn count_puts(&self, puts: &mut usize, n: usize) {
        *puts = puts.wrapping_add(n);
        self.tasks.publish_added(*puts);
    }

    /// Runs a store operation (the only place user code, `T: Ord`, runs under the
    /// lock). If it panics, every sleeping thread is woken on the way out: the
    /// store may have gained or lost items without the usual targeted wake-up,
    /// and a woken thread just re-checks. Waiting *tasks* are woken too, but
    /// only after the lock is released (a waker is user code): by the
    /// [`TasksAfterUnwind`] guard that every caller takes before the lock. (The
    /// lock itself is released by the unwinding guard; the spin hint may stay
    /// stale until the next operation, which only affects how long a blocked
    /// thread spins.)
    #[inline]
    fn store_op<R>(&self, store: &mut S, op: impl FnOnce(&mut S) -> R) -> R {
        struct WakeAllOnPanic<'a, T, S>(&'a Locked<T, S>);
        impl<T, S> Drop for WakeAllOnPanic<'_, T, S> {
            fn drop(&mut self) {
                self.0.not_empty.threads.notify_all();
                self.0.not_full.threads.notify_all();
                fault::point!(Fault::WakerDropsUnderLock => self.0.wake_all_tasks());
            }
        }
        let on_panic = WakeAllOnPanic(self);
        let result = op(store);
        mem::forget(on_panic);
        result
    }

    /// The guard an operation that runs `Ord` takes *before* the lock, so that it
    /// drops after the lock guard: see [`store_op`](Self::store_op).
    #[inline]
    pub(super) fn tasks_after_unwind(&self) -> TasksAfterUnwind<'_, T, S> {
        TasksAfterUnwind(self)
    }

    /// Wakes every sleeping getter and putter, after unlocking.
    fn wake_all(&self, state: MutexGuard<'_, State<S>>) {
        let getters = state.getters.any();
        let putters = state.putters.any();
        drop(state);
        fault::point!(Fault::QueueShutdownSkipsWake => return);
        if getters {
            self.not_empty.notify_all();
        }
        if putters {
            self.not_full.notify_all();
        }
    }

    /// Wakes every waiting task on both sides (after a panic in `Ord`).
    fn wake_all_tasks(&self) {
        self.not_empty.tasks.notify_all();
        self.not_full.tasks.notify_all();
    }
}

impl<T, S: Store<T>> CorePut<T> for Locked<T, S> {
    fn put(&self, item: T, wait: Wait) -> Result<(), PutError<T>> {
        // Declared before the lock, so it drops after it (see `store_op`).
        let _tasks = self.tasks_after_unwind();
        let mut state = self.state.lock();
        let mut blocker = Blocker::new(wait, Hint::ENABLED);
        loop {
            if state.shutdown {
                return Err(PutError::ShutDown(item));
            }
            if state.store.len() < self.capacity {
                // Count the task before the store runs `Ord` (a panicking
                // sift still leaves the item stored).
                self.count_puts(&mut state.puts, 1);
                self.store_op(&mut state.store, |s| s.push(item));
                self.hint.set_len(state.store.len());
                let wake = state.getters.any();
                drop(state);
                fault::point!(Fault::QueuePutSkipsNotify => return Ok(()));
                if wake {
                    self.not_empty.notify_one();
                }
                return Ok(());
            }
            match self.block(state, Side::Put, &mut blocker) {
                Some(s) => state = s,
                None => return Err(PutError::Full(item)),
            }
        }
    }

    fn put_some(&self, batch: &mut VecDeque<T>) -> bool {
        // Declared before the lock, so it drops after it (see `store_op`).
        let _tasks = self.tasks_after_unwind();
        let mut state = self.state.lock();
        let mut blocker = Blocker::new(Wait::Forever, Hint::ENABLED);
        loop {
            if state.shutdown {
                return false;
            }
            let room = self.capacity - state.store.len();
            if room > 0 {
                let k = room.min(batch.len());
                // One at a time from the front: if `Ord` panics, the items not yet
                // put stay in `batch`, dropped outside the lock with the caller's
                // frame.
                let st = &mut *state;
                let puts = &mut st.puts;
                self.store_op(&mut st.store, |store| {
                    for _ in 0..k {
                        if let Some(item) = batch.pop_front() {
                            // Under the lock, so before any getter can see it.
                            self.count_puts(puts, 1);
                            store.push(item);
                        }
                    }
                });
                self.hint.set_len(state.store.len());
                let wake = if state.getters.any() { k } else { 0 };
                drop(state);
                self.not_empty.notify_n(wake);
                return true;
            }
            match self.block(state, Side::Put, &mut blocker) {
                Some(s) => state = s,
                // A wait without deadline never gives up; the caller just retries.
                None => return true,
            }
        }
    }
}

impl<T, S: Store<T>> CoreGet<T> for Locked<T, S> {
    fn get(&self, wait: Wait) -> Result<T, GetError> {
        self.take(wait, |me, store| {
            me.store_op(store, |s| s.pop()).map(|item| (item, 1))
        })
    }

    fn get_many(&self, out: &mut Vec<T>, max: usize, wait: Wait) -> Result<usize, GetError> {
        if max == 0 {
            return Ok(0);
        }
        self.take(wait, |me, store| {
            let want = store.len().min(max);
            if want == 0 {
                return None;
            }
            out.reserve(want);
            // One at a time, each popped item handed to `out` at once: if `Ord`
            // panics, the items already taken sit in the caller's `out`, and
            // the store keeps the rest (`store_op` wakes every sleeper).
            let mut n = 0;
            while n < want {
                match me.store_op(store, |s| s.pop()) {
                    Some(item) => out.push(item),
                    None => break,
                }
                n += 1;
            }
            Some((n, n))
        })
    }
}

impl<T, S: Store<T>> Locked<T, S> {
    /// Every get on one lock (`get`, `get_many`, and through it `drain`):
    /// waits as `wait` allows until `take` finds items under the lock (it
    /// returns what it took for the caller and how many items), then wakes a
    /// putter per freed slot if any sleeps (the condvar skips those already
    /// notified).
    fn take<R>(
        &self,
        wait: Wait,
        mut take: impl FnMut(&Self, &mut S) -> Option<(R, usize)>,
    ) -> Result<R, GetError> {
        // Declared before the lock, so it drops after it (see `store_op`).
        let _tasks = self.tasks_after_unwind();
        let mut state = self.state.lock();
        let mut blocker = Blocker::new(wait, Hint::ENABLED);
        loop {
            if let Some((taken, n)) = take(self, &mut state.store) {
                self.hint.set_len(state.store.len());
                let mut wake = if self.capacity == UNBOUNDED || !state.putters.any() {
                    0
                } else {
                    n
                };
                fault::point!(Fault::QueueGetManySkipsWake => wake = 0);
                fault::point!(Fault::QueueDrainWakesOne => wake = wake.min(1));
                drop(state);
                self.not_full.notify_n(wake);
                return Ok(taken);
            }
            if state.shutdown {
                return Err(GetError::ShutDown);
            }
            state = self
                .block(state, Side::Get, &mut blocker)
                .ok_or(GetError::Empty)?;
        }
    }
}

impl<T, S: Store<T>> Core<T> for Locked<T, S> {
    fn new(capacity: usize, reserve: usize) -> Self {
        Self {
            state: Mutex::new(State {
                store: S::with_capacity(reserve),
                puts: 0,
                shutdown: false,
                getters: Sleepers::default(),
                putters: Sleepers::default(),
            }),
            not_empty: Waiters::new(),
            not_full: Waiters::new(),
            capacity,
            tasks: TaskCounter::new(),
            hint: Hint::new(),
            _items: PhantomData,
        }
    }

    fn capacity(&self) -> usize {
        self.capacity
    }

    fn tasks(&self) -> &TaskCounter {
        &self.tasks
    }

    fn shutdown(&self) {
        let mut state = self.state.lock();
        state.shutdown = true;
        self.hint.set_shutdown();
        self.wake_all(state);
    }

    fn shutdown_now(&self) -> Vec<T> {
        let mut state = self.state.lock();
        state.shutdown = true;
        self.hint.set_shutdown();
        // Take the whole store (no allocation: the empty one reserves nothing) so
        // that ordering the items and dropping the store happen outside the lock.
        let store = mem::replace(&mut state.store, S::with_capacity(0));
        self.hint.set_len(0);
        self.wake_all(state);
        self.tasks.done_up_to(store.len());
        store.into_vec()
    }

    fn is_shutdown(&self) -> bool {
        self.state.lock().shutdown
    }

    fn len(&self) -> usize {
        self.state.lock().store.len()
    }

    fn blocked_getters(&self) -> usize {
        self.state.lock().getters.get()
    }

    fn blocked_putters(&self) -> usize {
        self.state.lock().putters.get()
    }

    fn fmt_fields(&self, d: &mut fmt::DebugStruct<'_, '_>) {
        match self.state.try_lock() {
            Some(state) => {
                d.field("len", &state.store.len())
                    .field("shutdown", &state.shutdown)
                    .field("blocked_getters", &state.getters.get())
                    .field("blocked_putters", &state.putters.get());
            }
            None => {
                d.field("len", &format_args!("<locked>"));
            }
        }
    }
}

/// Wakes every waiting task if the operation that holds it unwinds (a panicking
/// `Ord`), once the lock guard declared after it has unlocked.
pub(crate) struct TasksAfterUnwind<'a, T, S>(&'a Locked<T, S>);

impl<T, S> Drop for TasksAfterUnwind<'_, T, S> {
    #[inline]
    fn drop(&mut self) {
        fault::point!(Fault::WakerDropsUnderLock => return);
        if std::thread::panicking() {
            self.0.wake_all_tasks();
        }
    }
}

/// The locked state, as the operations pass it around.
pub(crate) type Guard<'a, S> = MutexGuard<'a, State<S>>;

impl<T, S> Locked<T, S> {
    /// Called with the lock held when an operation on `side` cannot proceed:
    /// takes the [`Blocker`]'s next step. `None`: give up now (non-blocking, or
    /// past the deadline); otherwise, after a spin on the lock-free hint or a
    /// sleep on the side's condvar, the re-locked state for the caller to
    /// re-check.
    pub(crate) fn block<'a>(
        &'a self,
        state: Guard<'a, S>,
        side: Side,
        blocker: &mut Blocker,
    ) -> Option<Guard<'a, S>> {
        let deadline = match blocker.step() {
            Step::GiveUp => return None,
            Step::Spin => {
                drop(state);
                let capacity = self.capacity;
                match side {
                    Side::Get => self.hint.spin_until(Side::Get, 0, |len| len > 0),
                    Side::Put => self
                        .hint
                        .spin_until(Side::Put, capacity / 4, |len| len < capacity),
                };
                return Some(self.state.lock());
            }
            Step::Sleep(deadline) => deadline,
        };
        let (state, timed_out) = match side {
            Side::Get => self.not_empty.sleep(state, |s| &mut s.getters, deadline),
            Side::Put => self.not_full.sleep(state, |s| &mut s.putters, deadline),
        };
        blocker.woke(timed_out);
        Some(state)
    }
}
