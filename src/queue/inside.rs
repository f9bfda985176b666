//! The operations a queue's inside provides. [`BlockingQueue`](super::BlockingQueue)
//! holds one core, chosen by its [`Discipline`](super::Discipline), and calls it
//! from its public methods:
//!
//! * [`Locked`](super::locked::Locked): one lock around a store, for the LIFO and
//!   priority queues (both ends of a stack or a heap are the same place);
//! * [`TwoLock`](super::fifo::TwoLock): the FIFO queue, a put side and a take side
//!   that share nothing on the hot path;
//! * [`DelayCore`](super::delay::leader::DelayCore): the delay queue's leader and
//!   followers.
//!
//! [`Core`] is split by what a core does, so that each core implements each
//! part in the file that holds that part (the FIFO: [`CorePut`] in
//! `fifo/put.rs`, [`CoreGet`] in `fifo/take.rs`, [`CoreAsync`] in
//! `fifo/asynk.rs`): a reader goes from a public method to the code that does
//! it in one step.

use std::collections::VecDeque;
use std::fmt;
use std::task::{Poll, Waker};

use super::wait::Wait;
use crate::counter::TaskCounter;
use crate::queue::error::{GetError, PutError};
use crate::waitlist::Key;

/// `capacity` value of an unbounded queue: `len < UNBOUNDED` always holds.
pub(crate) const UNBOUNDED: usize = usize::MAX;

/// A queue's inside. Public only inside the crate's private `sealed` module: no
/// other crate can name or implement it.
pub trait Core<T>: CorePut<T> + CoreGet<T> + CoreAsync<T> + Sized {
    /// An empty queue holding at most `capacity` items (`UNBOUNDED`: no limit),
    /// with room reserved for `reserve`.
    fn new(capacity: usize, reserve: usize) -> Self;
    /// The size limit, `UNBOUNDED` for none.
    fn capacity(&self) -> usize;
    /// The unfinished-task count behind `task_done` / `join`.
    fn tasks(&self) -> &TaskCounter;
    /// Refuses puts from now on and wakes every blocked thread and task.
    fn shutdown(&self);
    /// `shutdown`, then removes and returns every queued item in get order
    /// (their tasks are marked done).
    fn shutdown_now(&self) -> Vec<T>;
    /// Whether `shutdown` or `shutdown_now` was called.
    fn is_shutdown(&self) -> bool;
    /// Items queued right now (exact when nothing runs concurrently).
    fn len(&self) -> usize;
    /// Threads asleep (and tasks registered) waiting for an item.
    fn blocked_getters(&self) -> usize;
    /// Threads asleep (and tasks registered) waiting for room.
    fn blocked_putters(&self) -> usize;
    /// Adds `len`, `shutdown` and the sleeper counts to a `Debug` output if the
    /// locks are free right now (never blocks).
    fn fmt_fields(&self, d: &mut fmt::DebugStruct<'_, '_>);
}

/// Adding items.
pub trait CorePut<T> {
    /// Adds an item, waiting for room as `wait` allows.
    fn put(&self, item: T, wait: Wait) -> Result<(), PutError<T>>;
    /// Puts as many items from the front of `batch` as fit, waiting until at
    /// least one does; `false` if the queue is shut down.
    fn put_some(&self, batch: &mut VecDeque<T>) -> bool;
}

/// Taking items.
pub trait CoreGet<T> {
    /// Takes the next item, waiting for one as `wait` allows.
    fn get(&self, wait: Wait) -> Result<T, GetError>;
    /// Waits as `wait` allows until an item is there, then appends up to `max`
    /// items to `out` in one hold of the lock, waking every putter it makes room
    /// for; returns how many (at least one). `max == 0` returns `Ok(0)` at once.
    fn get_many(&self, out: &mut Vec<T>, max: usize, wait: Wait) -> Result<usize, GetError>;
    /// Takes up to `max` items without blocking: `get_many` that does not wait,
    /// with nothing (rather than an error) when there is nothing.
    fn drain(&self, max: usize) -> Vec<T> {
        let mut items = Vec::new();
        // `Empty` and `ShutDown` both mean: nothing to take.
        let _ = self.get_many(&mut items, max, Wait::No);
        items
    }
}

/// What one poll of an async get gives: the item, the shutdown, or `Pending`.
pub(crate) type PollGet<T> = Poll<Result<T, GetError>>;

/// What one poll of an async put gives: done, the item back at shutdown, or
/// `Pending` (the item still in the caller's slot).
pub(crate) type PollPut<T> = Poll<Result<(), PutError<T>>>;

/// Tasks as getters and putters: the async forms, which never block. A poll
/// needs only the task's waker (what a `Context` would give) and the entry
/// `*key` it holds across polls.
pub trait CoreAsync<T> {
    /// The async `get`: takes the next item if there is one (or fails at shutdown);
    /// otherwise registers `waker` as a getter under the same lock a
    /// sleeping thread registers under (`*key` holds the entry across polls) and
    /// returns `Pending`. A completing poll removes the entry. Never blocks.
    fn poll_get(&self, waker: &Waker, key: &mut Option<Key>) -> PollGet<T>;
    /// The async `put`: moves the item out of `*item` only when it is queued (or
    /// handed back in the error at shutdown); otherwise registers as a putter and
    /// returns `Pending` with the item still in `*item`.
    fn poll_put(&self, item: &mut Option<T>, waker: &Waker, key: &mut Option<Key>) -> PollPut<T>;
    /// A pending `get` future is dropped: removes its entry and, if it had been
    /// woken, passes the wake-up on to another getter.
    fn leave_get(&self, key: Key);
    /// A pending `put` future is dropped: as [`leave_get`](CoreAsync::leave_get),
    /// for putters.
    fn leave_put(&self, key: Key);
}
