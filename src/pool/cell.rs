//! `TaskCell`: one allocation shared by a submitted task's handle and the pool,
//! holding the closure, the result slot and a futex state word.
//!
//! Whoever moves the word out of `PENDING` owns the closure: the worker that starts
//! the task (`PENDING → RUNNING`), or the handle or `terminate` that cancels it
//! (`PENDING → CANCELLED`, dropping the closure at once). The loser never touches it.
//! A pool-side cancel (`terminate`, a broken pool) also sets `HELD` until it has
//! dropped the closure, so a scope that waits for its tasks with
//! [`wait_settled`] cannot return while a borrowed closure is still being dropped.
//!
//! The result slot has one owner at a time, and ownership only moves forward:
//! the worker (or helper) that moved the word to `RUNNING` writes it once, and
//! hands it over with the Release of `DONE`; from then on it belongs to the
//! task's handle, the only one there is, which takes it after an Acquire load
//! of `DONE`. A plain task's handle keeps it until it is dropped; then the last
//! reference to the cell drops what is left, with exclusive access. A scoped
//! task's handle hands it on to its scope when it goes away (`pool/scope.rs`):
//! the scope takes what the handle left only after it saw both the task settled
//! and the handle gone, so nobody can take it any more.

use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;

use super::error::TaskError;
use crate::futex::Futex;
use crate::panic::{drop_quietly, forget_payload, panic_message};
use crate::sync::fault::{self, Fault};
use crate::sync::{Ordering, UnsafeCell};
use crate::waitlist::WaitList;

// The low bits of the state word: where the task is in its life.
/// Queued, not started: `cancel` can still win.
pub(crate) const PENDING: u32 = 0;
/// A worker took it; it will end `DONE`.
pub(crate) const RUNNING: u32 = 1;
/// Finished (returned or panicked); the result slot is written.
pub(crate) const DONE: u32 = 2;
/// Cancelled before it started; the result slot stays empty.
pub(crate) const CANCELLED: u32 = 3;
pub(crate) const PHASE: u32 = 0b11;
/// Set by a handle about to sleep on the word, so finishing knows to wake it (and
/// skips the system call otherwise).
pub(crate) const WAITING: u32 = 0b100;
/// Set with `CANCELLED` by a pool-side cancel until it has dropped the closure.
pub(crate) const HELD: u32 = 0b1000;
/// Set by a waiter that registered in the cell's `WaitList` (an awaiting handle,
/// a select-style wait over many handles, an `on_done` callback), so finishing
/// or cancelling knows to wake the list: the async twin of `WAITING`, read by
/// the same RMW. Tasks nobody waits on that way never touch the list.
pub(crate) const ASYNC: u32 = 0b1_0000;

/// What a task cell runs: a closure of no arguments (`FnOnce() -> R`), or a
/// scoped task's closure with its scope (`pool/scope.rs`).
pub(crate) trait Call<R> {
    fn call(self) -> R;
}

impl<F: FnOnce() -> R, R> Call<R> for F {
    fn call(self) -> R {
        self()
    }
}

/// What the pool sees of a submitted task, with its result type erased.
pub(crate) trait Runnable: Send + Sync {
    /// Runs the task unless it was cancelled, and stores its outcome without
    /// telling the handle yet (see [`publish`](Self::publish)). `Some(panicked)` if
    /// it ran, `None` if it had been cancelled.
    fn run(&self) -> Option<bool>;
    /// Makes the outcome stored by `run` visible to the handle, waking it. The
    /// worker calls this once it has booked itself free for the next task, so a
    /// submit that follows a finished `wait` finds the worker idle.
    fn publish(&self);
    /// Cancels the task if it has not started (pool shutdown), dropping its closure.
    fn cancel(&self) -> Cancelled;
}

/// What a pool-side cancel did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Cancelled {
    /// The task was still pending and is cancelled now (not by its handle before).
    pub(crate) now: bool,
    /// Dropping its closure panicked (caught).
    pub(crate) drop_panicked: bool,
}

/// What a [`TaskHandle`](super::TaskHandle) sees of its task, with the closure type
/// erased.
pub(crate) trait Slot<R>: Send + Sync {
    fn state(&self) -> &Futex;
    /// Takes the result. Only after the state reads `DONE` (Acquire), by the
    /// handle or the `on_done` callback it gave its result to.
    fn take(&self) -> Result<R, TaskError>;
    /// `PENDING → CANCELLED`; the winner drops the closure here, on the caller's
    /// thread (a panic in its `Drop` propagates to the caller, after the task is
    /// marked cancelled). `true` if it moved.
    fn cancel(&self) -> bool;
    /// Where waiters other than a sleeping thread register (announced by
    /// `ASYNC`): awaiting handles, waits over many handles, `on_done` callbacks.
    fn waiters(&self) -> &WaitList;
}

pub(crate) struct TaskCell<F, R> {
    state: Futex,
    /// Touched only by the owner the module header names, after its transition (or
    /// by `into_closure` before the cell was shared).
    func: UnsafeCell<Option<F>>,
    /// Written by the worker before `DONE` is published; read by the handle after.
    result: UnsafeCell<Option<Result<R, TaskError>>>,
    /// Waiters registered as `Waker`s; all woken when the word leaves
    /// `PENDING`/`RUNNING` with `ASYNC` set.
    waiters: WaitList,
}

// SAFETY: the cell is shared between the pool (which runs `func` and writes
// `result`), the handle (which reads `result` after the Acquire of `DONE`) and a
// canceller (which owns `func` once it won the state word). `F` and `R` are moved
// across threads, never shared: `Send` is all they need.
unsafe impl<F: Send, R: Send> Send for TaskCell<F, R> {}
// SAFETY: as above; the state word orders every access to the two cells.
unsafe impl<F: Send, R: Send> Sync for TaskCell<F, R> {}

impl<F, R> TaskCell<F, R>
where
    F: Call<R> + Send,
    R: Send,
{
    /// A new pending task. Built before the pool's lock is taken, so the
    /// allocation happens outside it.
    pub(crate) fn new(f: F) -> Arc<Self> {
        Arc::new(Self::unshared(f))
    }

    /// A new pending task, for a caller that puts it in its own allocation
    /// (a scoped task, `pool/scope.rs`).
    pub(crate) fn unshared(f: F) -> Self {
        Self {
            state: Futex::new(PENDING),
            func: UnsafeCell::new(Some(f)),
            result: UnsafeCell::new(None),
            waiters: WaitList::new(),
        }
    }

    /// The closure back out of a task the pool refused (nobody else has seen it).
    pub(crate) fn into_closure(cell: Arc<Self>) -> F {
        cell.refused_closure()
    }

    /// The closure back out of a task the pool refused, through a reference:
    /// for a cell inside another allocation. Only before the cell was shared.
    pub(crate) fn refused_closure(&self) -> F {
        match self.take_func() {
            Some(f) => f,
            None => unreachable!("a refused task still holds its closure"),
        }
    }

    /// The state word.
    pub(crate) fn state(&self) -> &Futex {
        &self.state
    }

    /// Takes the outcome out of the result slot: `None` if there is none (the
    /// task was cancelled, or the outcome was taken before).
    ///
    /// # Safety
    ///
    /// The caller owns the result slot (module header): it saw the state word
    /// settled with an Acquire load, and it is the slot's one owner at this
    /// moment, so no other access to the slot can overlap this one.
    pub(crate) unsafe fn take_result(&self) -> Option<Result<R, TaskError>> {
        // SAFETY: by this function's contract, the caller is the slot's only
        // owner; the worker's write happened before its Acquire of the settled
        // word, and nobody writes the slot again.
        self.result.with_mut(|p| unsafe { (*p).take() })
    }

    /// Moves from `from` to `to` if the phase is `from`, keeping the `WAITING` bit;
    /// returns the previous word on success.
    fn transition(&self, from: u32, to: u32) -> Option<u32> {
        // AcqRel: the winner of a race with a canceller on this word must see the
        // closure as the cell's creator left it, and the loser must not touch it.
        self.state
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |s| {
                (s & PHASE == from).then_some((s & !PHASE) | to)
            })
            .ok()
    }

    fn take_func(&self) -> Option<F> {
        // SAFETY: only the single owner of the closure calls this (the module
        // header): the thread that moved the word out of `PENDING`, or the refused
        // submit before the cell was shared. No other access to `func` can overlap.
        self.func.with_mut(|p| unsafe { (*p).take() })
    }
}

impl<F, R> Runnable for TaskCell<F, R>
where
    F: Call<R> + Send,
    R: Send,
{
    fn run(&self) -> Option<bool> {
        // Cancelled first: the canceller owns (and has dropped) the closure.
        self.transition(PENDING, RUNNING)?;
        let outcome = match self.take_func() {
            Some(f) => panic::catch_unwind(AssertUnwindSafe(|| f.call())).map_err(|p| {
                let msg = panic_message(&*p);
                forget_payload(p);
                TaskError::Panicked(msg)
            }),
            // Cannot happen (the closure leaves only here or on refusal); never hang
            // the handle over it.
            None => Err(TaskError::Cancelled),
        };
        let panicked = matches!(outcome, Err(TaskError::Panicked(_)));
        // SAFETY: we moved the state to RUNNING, so we are the only writer and the
        // handle reads the slot only after `publish` stores `DONE`.
        self.result.with_mut(|p| unsafe { *p = Some(outcome) });
        Some(panicked)
    }

    fn publish(&self) {
        // Release: the handle's Acquire load of `DONE` sees the result slot. A swap,
        // not a store: it reads the `WAITING` bit in the same step (see the handle's
        // `wait_inner`).
        let prev = self.state.swap(DONE, Ordering::AcqRel);
        if prev & WAITING != 0 {
            self.state.wake_all();
        }
        fault::point!(Fault::HandlePublishSkipsWaker => return);
        if prev & ASYNC != 0 {
            self.waiters.notify_all();
        }
    }

    fn cancel(&self) -> Cancelled {
        if !cancel_word(&self.state, HELD, &self.waiters) {
            return Cancelled::default();
        }
        let drop_panicked = if fault::active(Fault::PoolTerminateDropUncaught) {
            drop(self.take_func());
            false
        } else {
            drop_quietly(self.take_func())
        };
        // Release: a scope that sees `HELD` cleared sees the closure dropped.
        let prev = self.state.fetch_and(!HELD, Ordering::AcqRel);
        if prev & WAITING != 0 {
            self.state.wake_all();
        }
        Cancelled {
            now: true,
            drop_panicked,
        }
    }
}

/// `PENDING` → `CANCELLED | extra`, waking a waiting or awaiting handle. `true`
/// if it moved.
fn cancel_word(state: &Futex, extra: u32, waiters: &WaitList) -> bool {
    let moved = state
        .fetch_update(Ordering::AcqRel, Ordering::Acquire, |s| {
            (s & PHASE == PENDING).then_some(CANCELLED | extra | (s & WAITING))
        })
        .ok();
    match moved {
        Some(prev) => {
            if prev & WAITING != 0 {
                state.wake_all();
            }
            if prev & ASYNC != 0 {
                waiters.notify_all();
            }
            true
        }
        None => false,
    }
}

impl<F, R> Slot<R> for TaskCell<F, R>
where
    F: Call<R> + Send,
    R: Send,
{
    fn state(&self) -> &Futex {
        &self.state
    }

    fn take(&self) -> Result<R, TaskError> {
        // SAFETY: `Slot` is the plain `TaskHandle`'s view of its cell (a scoped
        // cell is not reached through it), and only one taker calls `take`,
        // after an Acquire load saw the word settled: the handle, or the one
        // `on_done` callback the handle handed the slot to (the handle marks
        // itself `Awaiting::Done` before registering it and never takes again;
        // the callback's own `Option` lets it take once). A plain cell's slot
        // has no other owner after `DONE` (module header), and neither the
        // handle nor the callback is shared: no other access can overlap.
        unsafe { self.take_result() }.unwrap_or(Err(TaskError::Cancelled))
    }

    fn waiters(&self) -> &WaitList {
        &self.waiters
    }

    fn cancel(&self) -> bool {
        if !cancel_word(&self.state, 0, &self.waiters) {
            return false;
        }
        // We won the word: the closure is ours, and nobody else will touch it.
        drop(self.take_func());
        true
    }
}

/// Whether a task is over for good: it finished, or it was cancelled and its
/// closure is dropped (no `HELD`).
pub(crate) fn is_settled(word: u32) -> bool {
    match word & PHASE {
        DONE => true,
        CANCELLED => word & HELD == 0,
        _ => false,
    }
}

/// Blocks until the task behind `state` [is settled](is_settled). Afterwards
/// nobody but the result's taker touches the cell's closure or result again.
pub(crate) fn wait_settled(state: &Futex) {
    loop {
        // Acquire: pairs with `publish`'s swap and the cancel's `HELD` release.
        let s = state.load(Ordering::Acquire);
        if is_settled(s) {
            return;
        }
        // As a handle does: announce ourselves on the word the finisher swaps.
        if s & WAITING == 0
            && state
                .compare_exchange(s, s | WAITING, Ordering::Acquire, Ordering::Acquire)
                .is_err()
        {
            continue;
        }
        state.wait(s | WAITING);
    }
}
