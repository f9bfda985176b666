//! The delay queue's core: one [`Mutex`] around the heap, the leader flag and the
//! sleeper counts; three [`Condvar`]s.
//!
//! **Leader / follower** (Java's `DelayQueue`). Of the threads waiting for an
//! item, at most one, the *leader*, sleeps with a deadline: the head's (or its
//! own timeout, if sooner), on `leader_cv`, where nobody else sleeps. Every other
//! waiting getter is a *follower* and sleeps on `not_empty` without the head's
//! deadline (with its own timeout, if any). So an expiry wakes one thread, not
//! every waiter.
//!
//! * A put whose item becomes the new head wakes the leader, who re-arms for the
//!   earlier deadline (or takes the item if it is due); with no leader it wakes
//!   one follower, who becomes the leader. A put behind the head wakes nobody:
//!   the leader's deadline is still the right one. (Must-fail model:
//!   `Fault::DelayPutSkipsRearm`.)
//! * Every getter leaving (with an item, on its timeout, or at shutdown) while
//!   nobody leads and the queue still holds items, or is shut down, wakes one
//!   follower: the hand-off. After a shutdown the hand-off runs along the
//!   followers, so each sees "empty and shut down" once the last item is taken.
//!   (Must-fail model: `Fault::DelayLeaderSkipsHandOff`.)
//!
//! Tasks (`get_async`, a `Select` arm) never lead: they register as followers
//! and give the head's deadline to the process-wide timer (`timer.rs`).
//! No user code runs under the lock: only `Instant` comparisons.

use std::collections::VecDeque;
use std::fmt;
use std::mem;
use std::task::{Poll, Waker};
use std::time::Instant;

use super::clock;
use super::store::Delay;
use super::timer;
use crate::condvar::Condvar;
use crate::counter::TaskCounter;
use crate::mutex::{Mutex, MutexGuard};
use crate::queue::error::{GetError, PutError};
use crate::queue::inside::UNBOUNDED;
use crate::queue::inside::{Core, CoreAsync, CoreGet, CorePut, PollGet, PollPut};
use crate::queue::store::Store;
use crate::queue::wait::Wait;
use crate::sync::fault::{self, Fault};
use crate::waiters::{Sleepers, Waiters};
use crate::waitlist::Key;

/// The inside of a [`DelayQueue`](crate::DelayQueue).
pub struct DelayCore<T> {
    state: Mutex<State<T>>,
    /// The leader's timed sleep (at most one thread at a time).
    leader_cv: Condvar,
    /// Followers (threads and tasks, counted in `getters`) wait here until
    /// handed the lead, an item, or shutdown.
    not_empty: Waiters,
    /// Putters (counted in `putters`) wait here until a slot frees up or the
    /// queue shuts down.
    not_full: Waiters,
    capacity: usize,
    tasks: TaskCounter,
}

/// Everything the lock protects.
struct State<T> {
    store: Delay<T>,
    /// Items ever put, modulo 2^64: the task count's added total.
    puts: usize,
    shutdown: bool,
    /// A thread sleeps on `leader_cv` until the head's deadline.
    leader: bool,
    /// Followers (threads on `not_empty`, and registered tasks).
    getters: Sleepers,
    putters: Sleepers,
}

type Guard<'a, T> = MutexGuard<'a, State<T>>;

/// How long a caller may still wait at `now`: `None`, give up; `Some(None)`, no
/// limit; `Some(Some(t))`, until `t`. On the delay queue's clock (a model clock
/// under loom), unlike [`Wait::deadline`].
fn remaining(wait: Wait, now: Instant) -> Option<Option<Instant>> {
    match wait {
        Wait::No => None,
        Wait::Forever => Some(None),
        Wait::Until(t) if t <= now => None,
        Wait::Until(t) => Some(Some(t)),
    }
}

/// Whom a put wakes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Wake {
    Nobody,
    /// The leader, to re-arm for an earlier head.
    Leader,
    /// One follower, to take the lead (or the item).
    Follower,
}

impl<T> DelayCore<T> {
    /// Whom a put that just pushed an item (`head`: it is the new head) wakes.
    fn wake_for(state: &State<T>, head: bool) -> Wake {
        if !head {
            Wake::Nobody
        } else if state.leader {
            Wake::Leader
        } else if state.getters.any() {
            Wake::Follower
        } else {
            Wake::Nobody
        }
    }

    /// Sends the wake-up chosen by [`wake_for`](Self::wake_for), after unlocking.
    fn send(&self, wake: Wake) {
        match wake {
            Wake::Nobody => {}
            Wake::Leader => {
                fault::point!(Fault::DelayPutSkipsRearm => return);
                self.leader_cv.notify_one();
            }
            Wake::Follower => self.not_empty.notify_one(),
        }
    }

    /// Waits as `wait` allows until the head is due. `Ok(now)`: the head is due
    /// at `now` (the guard still held); `Err`: give up, the queue is empty and
    /// shut down (`ShutDown`) or the wait ran out (`Empty`).
    fn wait_due<'a>(
        &'a self,
        mut state: Guard<'a, T>,
        wait: Wait,
    ) -> (Guard<'a, T>, Result<Instant, GetError>) {
        loop {
            let now = clock::now();
            let head = state.store.head();
            match head {
                Some(at) if at <= now => return (state, Ok(now)),
                None if state.shutdown => return (state, Err(GetError::ShutDown)),
                _ => {}
            }
            let Some(until) = remaining(wait, now) else {
                return (state, Err(GetError::Empty));
            };
            match head {
                Some(at) if !state.leader => {
                    state.leader = true;
                    let target = until.map_or(at, |u| u.min(at));
                    state = self.leader_cv.wait_deadline(state, target).0;
                    state.leader = false;
                }
                _ => state = self.not_empty.sleep(state, |s| &mut s.getters, until).0,
            }
        }
    }

    /// A getter leaves, having taken `taken` items: hands the lead on if nobody
    /// leads and there is something to wait for (items, or the shutdown to
    /// notice), and wakes a putter per freed slot.
    fn leave(&self, state: Guard<'_, T>, taken: usize) {
        let mut hand_off =
            !state.leader && (!state.store.is_empty() || state.shutdown) && state.getters.any();
        fault::point!(Fault::DelayLeaderSkipsHandOff => hand_off = false);
        let putters = if self.capacity != UNBOUNDED && state.putters.any() {
            taken
        } else {
            0
        };
        drop(state);
        if hand_off {
            self.send(Wake::Follower);
        }
        self.not_full.notify_n(putters);
    }

    /// Wakes every sleeper: leader, followers, putters (shutdown).
    fn wake_all(&self, state: Guard<'_, T>) {
        drop(state);
        fault::point!(Fault::QueueShutdownSkipsWake => return);
        self.leader_cv.notify_all();
        self.not_empty.notify_all();
        self.not_full.notify_all();
    }

    /// Adds `item` due at `at`, waiting for room as `wait` allows.
    pub(in crate::queue) fn put_at(
        &self,
        item: T,
        at: Instant,
        wait: Wait,
    ) -> Result<(), PutError<T>> {
        let mut state = self.state.lock();
        loop {
            if state.shutdown {
                return Err(PutError::ShutDown(item));
            }
            if state.store.len() < self.capacity {
                // Counted before the item is visible to a getter's `task_done`.
                self.count_put(&mut state);
                let head = state.store.push_at(item, at);
                let wake = Self::wake_for(&state, head);
                drop(state);
                self.send(wake);
                return Ok(());
            }
            let Some(until) = remaining(wait, clock::now()) else {
                return Err(PutError::Full(item));
            };
            state = self.not_full.sleep(state, |s| &mut s.putters, until).0;
        }
    }

    /// Removes every item `pred` picks, due or not; their tasks are marked done.
    /// `pred` runs under the lock: crate code only.
    pub(in crate::queue) fn remove_where(&self, pred: impl FnMut(&T) -> bool) -> Vec<T> {
        let mut state = self.state.lock();
        let taken = state.store.extract(pred);
        self.leave(state, taken.len());
        self.tasks.done_up_to(taken.len());
        taken
    }

    /// The head's deadline, due or not.
    pub(in crate::queue) fn peek_deadline(&self) -> Option<Instant> {
        self.state.lock().store.head()
    }

    /// Items due now.
    pub(in crate::queue) fn due_len(&self) -> usize {
        self.state.lock().store.due_len(clock::now())
    }

    /// Adds one to the puts total and stores it as the task count's added total
    /// (a plain store: the lock makes this the only writer), before the item is
    /// stored.
    fn count_put(&self, state: &mut State<T>) {
        state.puts = state.puts.wrapping_add(1);
        self.tasks.publish_added(state.puts);
    }
}

impl<T> CorePut<T> for DelayCore<T> {
    /// A plain put: due at once.
    fn put(&self, item: T, wait: Wait) -> Result<(), PutError<T>> {
        self.put_at(item, clock::now(), wait)
    }

    fn put_some(&self, batch: &mut VecDeque<T>) -> bool {
        let mut state = self.state.lock();
        loop {
            if state.shutdown {
                return false;
            }
            let room = self.capacity - state.store.len();
            if room > 0 {
                let now = clock::now();
                let mut head = false;
                for item in batch.drain(..room.min(batch.len())) {
                    self.count_put(&mut state);
                    head |= state.store.push_at(item, now);
                }
                let wake = Self::wake_for(&state, head);
                drop(state);
                self.send(wake);
                return true;
            }
            state = self.not_full.sleep(state, |s| &mut s.putters, None).0;
        }
    }
}

impl<T> CoreGet<T> for DelayCore<T> {
    fn get(&self, wait: Wait) -> Result<T, GetError> {
        let (mut state, due) = self.wait_due(self.state.lock(), wait);
        // `wait_due` returned `Ok` with a due head, so `pop_due` finds it.
        let result = due.and_then(|now| state.store.pop_due(now).ok_or(GetError::Empty));
        self.leave(state, usize::from(result.is_ok()));
        result
    }

    fn get_many(&self, out: &mut Vec<T>, max: usize, wait: Wait) -> Result<usize, GetError> {
        if max == 0 {
            return Ok(0);
        }
        let (mut state, due) = self.wait_due(self.state.lock(), wait);
        let mut n = 0;
        if let Ok(now) = due {
            while n < max {
                match state.store.pop_due(now) {
                    Some(item) => out.push(item),
                    None => break,
                }
                n += 1;
            }
        }
        self.leave(state, n);
        due.map(|_| n)
    }
}

impl<T> CoreAsync<T> for DelayCore<T> {
    fn poll_get(&self, waker: &Waker, key: &mut Option<Key>) -> PollGet<T> {
        let mut state = self.state.lock();
        let now = clock::now();
        let head = state.store.head();
        let done = match head {
            Some(at) if at <= now => state.store.pop_due(now).map(Ok),
            None if state.shutdown => Some(Err(GetError::ShutDown)),
            _ => None,
        };
        if let Some(result) = done {
            let stale = self.not_empty.complete_task(&mut state.getters, key);
            self.leave(state, usize::from(result.is_ok()));
            drop(stale);
            return Poll::Ready(result);
        }
        let pending = self
            .not_empty
            .pend_task(state, |s| &mut s.getters, key, waker);
        if let Some(at) = head {
            timer::wake_at(at, waker);
        }
        pending
    }

    fn poll_put(&self, item: &mut Option<T>, waker: &Waker, key: &mut Option<Key>) -> PollPut<T> {
        let mut state = self.state.lock();
        let full = state.store.len() >= self.capacity;
        if full && !state.shutdown {
            return self
                .not_full
                .pend_task(state, |s| &mut s.putters, key, waker);
        }
        let stale = self.not_full.complete_task(&mut state.putters, key);
        let item = item.take().expect("put_async polled after completion");
        if state.shutdown {
            drop(state);
            drop(stale);
            return Poll::Ready(Err(PutError::ShutDown(item)));
        }
        self.count_put(&mut state);
        let head = state.store.push_at(item, clock::now());
        let wake = Self::wake_for(&state, head);
        drop(state);
        drop(stale);
        self.send(wake);
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

impl<T> Core<T> for DelayCore<T> {
    fn new(capacity: usize, reserve: usize) -> Self {
        Self {
            state: Mutex::new(State {
                store: Delay::with_capacity(reserve),
                puts: 0,
                shutdown: false,
                leader: false,
                getters: Sleepers::default(),
                putters: Sleepers::default(),
            }),
            leader_cv: Condvar::new(),
            not_empty: Waiters::new(),
            not_full: Waiters::new(),
            capacity,
            tasks: TaskCounter::new(),
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
        self.wake_all(state);
    }

    fn shutdown_now(&self) -> Vec<T> {
        let mut state = self.state.lock();
        state.shutdown = true;
        let store = mem::replace(&mut state.store, Delay::with_capacity(0));
        self.wake_all(state);
        self.tasks.done_up_to(store.len());
        store.into_vec()
    }

    fn len(&self) -> usize {
        self.state.lock().store.len()
    }

    fn is_shutdown(&self) -> bool {
        self.state.lock().shutdown
    }

    fn blocked_getters(&self) -> usize {
        let state = self.state.lock();
        state.getters.get() + usize::from(state.leader)
    }

    fn blocked_putters(&self) -> usize {
        self.state.lock().putters.get()
    }

    fn fmt_fields(&self, d: &mut fmt::DebugStruct<'_, '_>) {
        match self.state.try_lock() {
            Some(state) => {
                d.field("len", &state.store.len())
                    .field("next_deadline", &state.store.head())
                    .field("shutdown", &state.shutdown)
                    .field(
                        "blocked_getters",
                        &(state.getters.get() + usize::from(state.leader)),
                    )
                    .field("blocked_putters", &state.putters.get());
            }
            None => {
                d.field("len", &format_args!("<locked>"));
            }
        }
    }
}
