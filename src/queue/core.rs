//! The operations a queue's inside provides. [`BlockingQueue`](super::BlockingQueue)
//! holds one core, chosen by its [`Discipline`](super::Discipline), and forwards its
//! public methods to it:
//!
//! * [`Locked`](super::locked::Locked): one lock around a store, for the LIFO and
//!   priority queues (both ends of a stack or a heap are the same place);
//! * [`TwoLock`](super::fifo::TwoLock): the FIFO queue, a put side and a take side
//!   that share nothing on the hot path.

use std::collections::VecDeque;
use std::fmt;
use std::task::{Context, Poll};

use super::wait::Wait;
use crate::counter::TaskCounter;
use crate::queue::error::{GetError, PutError};
use crate::waitlist::Key;

/// A queue's inside. Public only inside the crate's private `sealed` module: no
/// other crate can name or implement it.
pub trait Core<T>: Sized {
    /// An empty queue holding at most `capacity` items (`UNBOUNDED`: no limit),
    /// with room reserved for `reserve`.
    fn new(capacity: usize, reserve: usize) -> Self;
    /// The size limit, `UNBOUNDED` for none.
    fn capacity(&self) -> usize;
    /// The unfinished-task count behind `task_done` / `join`.
    fn tasks(&self) -> &TaskCounter;
    /// Adds an item, waiting for room as `wait` allows.
    fn put(&self, item: T, wait: Wait) -> Result<(), PutError<T>>;
    /// Takes the next item, waiting for one as `wait` allows.
    fn get(&self, wait: Wait) -> Result<T, GetError>;
    /// Takes up to `max` items without blocking, waking every putter it makes
    /// room for.
    fn drain(&self, max: usize) -> Vec<T>;
    /// Waits as `wait` allows until an item is there, then appends up to `max`
    /// items to `out` in one hold of the lock, waking every putter it makes room
    /// for; returns how many (at least one). `max == 0` returns `Ok(0)` at once.
    fn get_many(&self, out: &mut Vec<T>, max: usize, wait: Wait) -> Result<usize, GetError>;
    /// Puts as many items from the front of `batch` as fit, waiting until at
    /// least one does; `false` if the queue is shut down.
    fn put_some(&self, batch: &mut VecDeque<T>) -> bool;
    /// Refuses puts from now on and wakes every blocked thread.
    fn shutdown(&self);
    /// `shutdown`, then removes and returns every queued item in get order
    /// (their tasks are marked done).
    fn shutdown_now(&self) -> Vec<T>;
    /// Whether `shutdown` or `shutdown_now` was called.
    fn is_shutdown(&self) -> bool;
    /// Items queued right now (exact when nothing runs concurrently).
    fn len(&self) -> usize;
    /// Threads asleep waiting for an item.
    fn blocked_getters(&self) -> usize;
    /// Threads asleep waiting for room.
    fn blocked_putters(&self) -> usize;
    /// The async `get`: takes the next item if there is one (or fails at shutdown);
    /// otherwise registers `cx`'s waker as a getter under the same lock a
    /// sleeping thread registers under (`*key` holds the entry across polls) and
    /// returns `Pending`. A completing poll removes the entry. Never blocks.
    fn poll_get(&self, cx: &mut Context<'_>, key: &mut Option<Key>) -> Poll<Result<T, GetError>>;
    /// The async `put`: moves the item out of `*item` only when it is queued (or
    /// handed back in the error at shutdown); otherwise registers as a putter and
    /// returns `Pending` with the item still in `*item`.
    fn poll_put(
        &self,
        item: &mut Option<T>,
        cx: &mut Context<'_>,
        key: &mut Option<Key>,
    ) -> Poll<Result<(), PutError<T>>>;
    /// A pending `get` future is dropped: removes its entry and, if it had been
    /// woken, passes the wake-up on to another getter.
    fn leave_get(&self, key: Key);
    /// A pending `put` future is dropped: as [`leave_get`](Core::leave_get), for
    /// putters.
    fn leave_put(&self, key: Key);
    /// Adds `len`, `shutdown` and the sleeper counts to a `Debug` output if the
    /// locks are free right now (never blocks).
    fn fmt_fields(&self, d: &mut fmt::DebugStruct<'_, '_>);
}
