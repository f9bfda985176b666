//! `TaskHandle<R>` and the task cell it shares with the pool: one allocation holding
//! the closure, the result slot and a futex state word.

use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::error::TaskError;
use crate::futex::Futex;
use crate::sync::{Ordering, UnsafeCell};

// The low bits of the state word: where the task is in its life.
/// Queued, not started: `cancel` can still win.
const PENDING: u32 = 0;
/// A worker took it; it will end `DONE`.
const RUNNING: u32 = 1;
/// Finished (returned or panicked); the result slot is written.
const DONE: u32 = 2;
/// Cancelled before it started; the result slot stays empty.
const CANCELLED: u32 = 3;
const PHASE: u32 = 0b11;
/// Set by a handle about to sleep on the word, so finishing knows to wake it (and
/// skips the system call otherwise).
const WAITING: u32 = 0b100;

/// What the pool sees of a submitted task, with its result type erased.
pub(crate) trait Runnable: Send + Sync {
    /// Runs the task unless it was cancelled. Returns `Some(panicked)` if it ran,
    /// `None` if it had been cancelled.
    fn run(&self) -> Option<bool>;
    /// Cancels the task if it has not started (pool shutdown); `true` if it did.
    fn cancel(&self) -> bool;
}

/// What a [`TaskHandle`] sees of its task, with the closure type erased.
trait Slot<R>: Send + Sync {
    fn state(&self) -> &Futex;
    /// Takes the result. Only after the state reads `DONE` (Acquire).
    fn take(&self) -> Result<R, TaskError>;
}

pub(crate) struct TaskCell<F, R> {
    state: Futex,
    /// Only the pool touches it: the one worker that popped the task (or the
    /// `terminate` that drained it) takes it out, whatever the state says.
    func: UnsafeCell<Option<F>>,
    /// Written by the worker before `DONE` is published; read by the handle after.
    result: UnsafeCell<Option<Result<R, TaskError>>>,
}

// SAFETY: the cell is shared between the pool (which owns `func` and writes
// `result`) and the handle (which reads `result` after the Acquire of `DONE`). `F`
// and `R` are moved across threads, never shared: `Send` is all they need.
unsafe impl<F: Send, R: Send> Send for TaskCell<F, R> {}
// SAFETY: as above; the state word orders every access to the two cells.
unsafe impl<F: Send, R: Send> Sync for TaskCell<F, R> {}

impl<F, R> TaskCell<F, R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    /// A new pending task. Built before the pool's lock is taken, so the
    /// allocation happens outside it.
    pub(crate) fn new(f: F) -> Arc<Self> {
        Arc::new(Self {
            state: Futex::new(PENDING),
            func: UnsafeCell::new(Some(f)),
            result: UnsafeCell::new(None),
        })
    }

    /// The handle to this task's result.
    pub(crate) fn handle(self: &Arc<Self>) -> TaskHandle<R> {
        TaskHandle { slot: self.clone() }
    }

    /// The closure back out of a task the pool refused (nobody else has seen it).
    pub(crate) fn into_closure(cell: Arc<Self>) -> F {
        match cell.take_func() {
            Some(f) => f,
            None => unreachable!("a refused task still holds its closure"),
        }
    }

    /// Moves from `from` to `to` if the phase is `from`, keeping the `WAITING` bit;
    /// returns the previous word on success.
    fn transition(&self, from: u32, to: u32) -> Option<u32> {
        // The closure and result cells are ordered by other edges (the queue's lock
        // hands the cell to the worker; `publish` releases the result). AcqRel here
        // keeps this step in line with a racing `cancel` on the same word.
        self.state
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |s| {
                (s & PHASE == from).then_some((s & !PHASE) | to)
            })
            .ok()
    }

    fn take_func(&self) -> Option<F> {
        // SAFETY: only the single pool-side owner of this queued task calls this
        // (see the field comment), so no other access to `func` can overlap.
        self.func.with_mut(|p| unsafe { (*p).take() })
    }

    fn publish_done(&self) {
        // Release: the handle's Acquire load of `DONE` sees the result slot. A swap,
        // not a store: it reads the `WAITING` bit in the same step (see `wait_inner`).
        let prev = self.state.swap(DONE, Ordering::AcqRel);
        if prev & WAITING != 0 {
            self.state.wake_all();
        }
    }
}

impl<F, R> Runnable for TaskCell<F, R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    fn run(&self) -> Option<bool> {
        if self.transition(PENDING, RUNNING).is_none() {
            // Cancelled first: drop the closure here, on the pool's side.
            drop(self.take_func());
            return None;
        }
        let outcome = match self.take_func() {
            Some(f) => panic::catch_unwind(AssertUnwindSafe(f))
                .map_err(|p| TaskError::Panicked(panic_message(&*p))),
            // Cannot happen (the closure leaves only here or on refusal); never hang
            // the handle over it.
            None => Err(TaskError::Cancelled),
        };
        let panicked = matches!(outcome, Err(TaskError::Panicked(_)));
        // SAFETY: we moved the state to RUNNING, so we are the only writer and the
        // handle reads the slot only after `publish_done` below.
        self.result.with_mut(|p| unsafe { *p = Some(outcome) });
        self.publish_done();
        Some(panicked)
    }

    fn cancel(&self) -> bool {
        let f = self.take_func();
        let cancelled = cancel_word(&self.state);
        drop(f);
        cancelled
    }
}

/// `PENDING` → `CANCELLED`, waking a waiting handle. `true` if it moved.
fn cancel_word(state: &Futex) -> bool {
    let moved = state
        .fetch_update(Ordering::AcqRel, Ordering::Acquire, |s| {
            (s & PHASE == PENDING).then_some(CANCELLED)
        })
        .ok();
    match moved {
        Some(prev) => {
            if prev & WAITING != 0 {
                state.wake_all();
            }
            true
        }
        None => false,
    }
}

impl<F, R> Slot<R> for TaskCell<F, R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    fn state(&self) -> &Futex {
        &self.state
    }

    fn take(&self) -> Result<R, TaskError> {
        // SAFETY: called only by the handle (one owner) after an Acquire load saw
        // `DONE`: the worker's write happened before and nobody writes again.
        self.result
            .with_mut(|p| unsafe { (*p).take() })
            .unwrap_or(Err(TaskError::Cancelled))
    }
}

/// The text of a panic payload: the `&str` or `String` given to `panic!`.
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "<non-string panic payload>".to_owned()
    }
}

/// The result of one task given to [`ThreadPoolManager::submit`]: Python's
/// `concurrent.futures.Future`.
///
/// [`wait`](TaskHandle::wait) blocks for the outcome; [`wait_timeout`] and
/// [`try_result`] give the handle back while the task is still going;
/// [`cancel`](TaskHandle::cancel) withdraws it before it starts. Dropping the handle
/// does not cancel the task: it still runs, and its result is dropped.
///
/// [`ThreadPoolManager::submit`]: crate::ThreadPoolManager::submit
/// [`wait_timeout`]: TaskHandle::wait_timeout
/// [`try_result`]: TaskHandle::try_result
///
/// # Examples
///
/// ```
/// use queuekit::ThreadPoolManager;
///
/// let pool = ThreadPoolManager::new(2).unwrap();
/// let handle = pool.submit(|| 6 * 7).unwrap();
/// assert_eq!(handle.wait(), Ok(42));
/// ```
pub struct TaskHandle<R> {
    slot: Arc<dyn Slot<R>>,
}

impl<R> TaskHandle<R> {
    /// Blocks until the task finished and returns its value, or why there is none
    /// (Python's `Future.result()`).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{TaskError, ThreadPoolManager};
    ///
    /// let pool = ThreadPoolManager::new(1).unwrap();
    /// let ok = pool.submit(|| "done").unwrap();
    /// let bad = pool.submit(|| -> &str { panic!("oops") }).unwrap();
    /// assert_eq!(ok.wait(), Ok("done"));
    /// assert_eq!(bad.wait(), Err(TaskError::Panicked("oops".into())));
    /// ```
    pub fn wait(self) -> Result<R, TaskError> {
        match self.wait_inner(None) {
            Ok(outcome) => outcome,
            // Without a deadline the wait only returns once the task is finished.
            Err(handle) => handle.wait(),
        }
    }

    /// Waits at most `timeout`. `Ok(outcome)` if the task finished in time;
    /// `Err(handle)` hands the handle back if it is still queued or running (Python's
    /// `Future.result(timeout)` raising `TimeoutError`).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    /// use std::sync::mpsc;
    /// use std::time::Duration;
    ///
    /// let pool = ThreadPoolManager::new(1).unwrap();
    /// let (go, gate) = mpsc::channel::<()>();
    /// let handle = pool.submit(move || gate.recv().unwrap()).unwrap();
    /// let handle = handle.wait_timeout(Duration::from_millis(10)).unwrap_err();
    /// go.send(()).unwrap();
    /// assert_eq!(handle.wait_timeout(Duration::from_secs(60)).ok(), Some(Ok(())));
    /// ```
    pub fn wait_timeout(self, timeout: Duration) -> Result<Result<R, TaskError>, Self> {
        match Instant::now().checked_add(timeout) {
            Some(deadline) => self.wait_inner(Some(deadline)),
            None => Ok(self.wait()),
        }
    }

    /// The outcome if the task has finished, without blocking; otherwise the handle
    /// back.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    ///
    /// let pool = ThreadPoolManager::new(1).unwrap();
    /// let mut handle = pool.submit(|| 5).unwrap();
    /// let value = loop {
    ///     match handle.try_result() {
    ///         Ok(outcome) => break outcome,
    ///         Err(h) => handle = h, // still running: do something else meanwhile
    ///     }
    /// };
    /// assert_eq!(value, Ok(5));
    /// ```
    pub fn try_result(self) -> Result<Result<R, TaskError>, Self> {
        if self.is_finished() {
            Ok(self.slot.take())
        } else {
            Err(self)
        }
    }

    /// `true` once the task has returned, panicked or been cancelled (Python's
    /// `Future.done()`).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    ///
    /// let pool = ThreadPoolManager::new(1).unwrap();
    /// let handle = pool.submit(|| ()).unwrap();
    /// pool.wait_all();
    /// assert!(handle.is_finished());
    /// ```
    #[must_use]
    pub fn is_finished(&self) -> bool {
        // Acquire: a `true` here lets `take` read the slot the worker wrote.
        let phase = self.slot.state().load(Ordering::Acquire) & PHASE;
        phase == DONE || phase == CANCELLED
    }

    /// Withdraws the task if it has not started; `true` if it is withdrawn (then
    /// [`wait`](TaskHandle::wait) reports [`TaskError::Cancelled`] and the closure is
    /// dropped unrun). `false` if it is running or finished: a running task is never
    /// interrupted. Python's `Future.cancel()`.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{TaskError, ThreadPoolManager};
    /// use std::sync::mpsc;
    ///
    /// let pool = ThreadPoolManager::new(1).unwrap();
    /// let (go, gate) = mpsc::channel::<()>();
    /// let blocker = pool.submit(move || gate.recv().unwrap()).unwrap();
    /// let queued = pool.submit(|| "never").unwrap(); // waits behind the blocker
    /// assert!(queued.cancel());
    /// go.send(()).unwrap();
    /// assert_eq!(queued.wait(), Err(TaskError::Cancelled));
    /// assert_eq!(blocker.wait(), Ok(()));
    /// ```
    pub fn cancel(&self) -> bool {
        // Like Python: cancelling an already cancelled task reports success again.
        cancel_word(self.slot.state())
            || self.slot.state().load(Ordering::Acquire) & PHASE == CANCELLED
    }

    fn wait_inner(self, deadline: Option<Instant>) -> Result<Result<R, TaskError>, Self> {
        let state = self.slot.state();
        loop {
            let s = state.load(Ordering::Acquire);
            if matches!(s & PHASE, DONE | CANCELLED) {
                return Ok(self.slot.take());
            }
            // Announce ourselves with an RMW on the same word the finisher swaps, so
            // one of the two sees the other (no reliance on SeqCst between words).
            if s & WAITING == 0
                && state
                    .compare_exchange(s, s | WAITING, Ordering::Acquire, Ordering::Acquire)
                    .is_err()
            {
                continue;
            }
            let in_time = match deadline {
                None => {
                    state.wait(s | WAITING);
                    true
                }
                Some(d) => state.wait_until(s | WAITING, d),
            };
            if !in_time {
                // One last look: a finish that raced the expiry still counts.
                return if self.is_finished() {
                    Ok(self.slot.take())
                } else {
                    Err(self)
                };
            }
        }
    }
}

impl<R> fmt::Debug for TaskHandle<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.slot.state().load(Ordering::Acquire) & PHASE {
            PENDING => "pending",
            RUNNING => "running",
            DONE => "finished",
            _ => "cancelled",
        };
        f.debug_struct("TaskHandle").field("state", &state).finish()
    }
}
