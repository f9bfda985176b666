//! What a [`BlockingQueue`](super::BlockingQueue) holds: its discipline's
//! buffered core, or for `bounded(0)` the rendezvous core (`zero.rs`), chosen
//! at construction. Every operation is one branch on that immutable choice.
//!
//! The buffered core is always there (empty and unused on a rendezvous queue),
//! and the wrapper dereferences to it, so the calls only one discipline has
//! (the delay queue's `put_at`, `peek_deadline`, …) reach it unchanged; the one
//! that must not (`put_at` on a rendezvous delay queue) is shadowed below.

use std::collections::VecDeque;
use std::fmt;
use std::ops::Deref;
use std::task::Waker;
use std::time::Instant;

use super::delay::clock;
use super::delay::Delay;
use super::discipline::sealed::Sealed;
use super::inside::{Core, CoreAsync, CoreGet, CorePut, PollGet, PollPut, UNBOUNDED};
use super::wait::Wait;
use super::zero::Zero;
use crate::counter::TaskCounter;
use crate::queue::error::{GetError, PutError};
use crate::waitlist::Key;

/// A queue's inside: buffered, or rendezvous when `zero` is set.
pub(crate) struct Inner<T, D: Sealed<T>> {
    buffered: D::Core,
    zero: Option<Box<Zero<T, D>>>,
}

impl<T, D: Sealed<T>> Inner<T, D> {
    /// A rendezvous queue (`bounded(0)`).
    pub(crate) fn rendezvous() -> Self {
        Self {
            buffered: D::Core::new(UNBOUNDED, 0),
            zero: Some(Box::new(Zero::new())),
        }
    }

    /// The rendezvous core, if this is a rendezvous queue.
    pub(crate) fn zero(&self) -> Option<&Zero<T, D>> {
        self.zero.as_deref()
    }
}

impl<T, D: Sealed<T>> Deref for Inner<T, D> {
    type Target = D::Core;

    fn deref(&self) -> &D::Core {
        &self.buffered
    }
}

/// Forwards a `Core` method to whichever core this queue has.
macro_rules! forward {
    ($self:ident . $m:ident ( $($arg:expr),* )) => {
        match &$self.zero {
            Some(z) => z.$m($($arg),*),
            None => $self.buffered.$m($($arg),*),
        }
    };
}

impl<T, D: Sealed<T>> Core<T> for Inner<T, D> {
    fn new(capacity: usize, reserve: usize) -> Self {
        Self {
            buffered: D::Core::new(capacity, reserve),
            zero: None,
        }
    }

    fn capacity(&self) -> usize {
        forward!(self.capacity())
    }

    fn tasks(&self) -> &TaskCounter {
        forward!(self.tasks())
    }

    fn shutdown(&self) {
        forward!(self.shutdown())
    }

    fn shutdown_now(&self) -> Vec<T> {
        forward!(self.shutdown_now())
    }

    fn is_shutdown(&self) -> bool {
        forward!(self.is_shutdown())
    }

    fn len(&self) -> usize {
        forward!(self.len())
    }

    fn blocked_getters(&self) -> usize {
        forward!(self.blocked_getters())
    }

    fn blocked_putters(&self) -> usize {
        forward!(self.blocked_putters())
    }

    fn fmt_fields(&self, d: &mut fmt::DebugStruct<'_, '_>) {
        forward!(self.fmt_fields(d))
    }
}

impl<T, D: Sealed<T>> CorePut<T> for Inner<T, D> {
    fn put(&self, item: T, wait: Wait) -> Result<(), PutError<T>> {
        forward!(self.put(item, wait))
    }

    fn put_some(&self, batch: &mut VecDeque<T>) -> bool {
        forward!(self.put_some(batch))
    }
}

impl<T, D: Sealed<T>> CoreGet<T> for Inner<T, D> {
    fn get(&self, wait: Wait) -> Result<T, GetError> {
        forward!(self.get(wait))
    }

    fn get_many(&self, out: &mut Vec<T>, max: usize, wait: Wait) -> Result<usize, GetError> {
        forward!(self.get_many(out, max, wait))
    }

    fn drain(&self, max: usize) -> Vec<T> {
        forward!(self.drain(max))
    }
}

impl<T, D: Sealed<T>> CoreAsync<T> for Inner<T, D> {
    fn poll_get(&self, waker: &Waker, key: &mut Option<Key>) -> PollGet<T> {
        forward!(self.poll_get(waker, key))
    }

    fn poll_put(&self, item: &mut Option<T>, waker: &Waker, key: &mut Option<Key>) -> PollPut<T> {
        forward!(self.poll_put(item, waker, key))
    }

    fn leave_get(&self, key: Key) {
        forward!(self.leave_get(key))
    }

    fn leave_put(&self, key: Key) {
        forward!(self.leave_put(key))
    }
}

impl<T> Inner<T, Delay<T>> {
    /// The delay queue's `put_at`. A rendezvous delay queue holds nothing, so
    /// it cannot keep an item until it is due: an item due already is handed
    /// off like any put (waiting as `wait` allows), one due later is refused at
    /// once with [`PutError::Full`].
    pub(crate) fn put_at(&self, item: T, at: Instant, wait: Wait) -> Result<(), PutError<T>> {
        match &self.zero {
            Some(z) if at <= clock::now() => z.put(item, wait),
            Some(_) => Err(PutError::Full(item)),
            None => self.buffered.put_at(item, at, wait),
        }
    }
}
