//! Task completion beyond one handle's `wait`: waiting on many handles
//! ([`as_completed`], Python's `concurrent.futures.as_completed`; [`wait_any`] and
//! its timed forms; [`ThreadPoolManager::map_unordered`], `imap_unordered`), a
//! callback on completion ([`TaskHandle::on_done`], `add_done_callback`), and
//! waiting for one handle without consuming it ([`TaskHandle::wait_finished`]).
//!
//! One waiter mechanism (the async one, as for select over queues): each task cell
//! has a `WaitList` of `Waker`s, announced by the `ASYNC` bit with an RMW on the
//! state word that finishing and cancelling also RMW, so either the waiter sees
//! the task finished or the finisher sees the waiter and wakes the list. A wait
//! over many handles puts a [`Mark`] in every pending handle's list: a `Waker`
//! that pushes the handle's index onto a [`Ready`] list and wakes whoever waits
//! there (a parked thread, through its [`Parker`](crate::parker)'s waker, or an
//! async task), so each wake-up says what finished; an `on_done` callback *is* a
//! `Waker` whose wake runs the callback once. Tasks nobody waits on this way
//! never set `ASYNC` and never touch their list.

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize as StdAtomicUsize, Ordering as StdOrdering};
use std::sync::{Arc, Weak};
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

use super::cell::{Slot, ASYNC, CANCELLED, DONE, PHASE};
use super::error::TaskError;
use super::handle::{Awaiting, TaskHandle};
use super::manager::ThreadPoolManager;
use crate::mutex::Mutex;
use crate::panic::forget_payload;
use crate::sync::fault::{self, Fault};
use crate::sync::Ordering;
use crate::waitlist::Key;

fn finished(word: u32) -> bool {
    matches!(word & PHASE, DONE | CANCELLED)
}

/// `on_done` callbacks that panicked, process-wide (a plain counter, not a
/// synchronisation point).
static CALLBACK_PANICS: StdAtomicUsize = StdAtomicUsize::new(0);

/// How many [`TaskHandle::on_done`] callbacks have panicked in this process.
/// A panicking callback is caught (on whichever thread ran it, often a
/// worker) and counted here; it never kills the worker.
///
/// # Examples
///
/// ```
/// use queuekit::{done_callback_panics, ThreadPoolManager};
///
/// let pool = ThreadPoolManager::new(1).unwrap();
/// let mut h = pool.submit(|| 1).unwrap();
/// let before = done_callback_panics();
/// h.wait_finished();
/// h.on_done(|_| panic!("callback bug")); // already done: runs here, caught
/// assert_eq!(done_callback_panics(), before + 1);
/// ```
pub fn done_callback_panics() -> usize {
    CALLBACK_PANICS.load(StdOrdering::Relaxed)
}

/// Runs a done callback with its outcome, catching and counting a panic.
fn call_back<R>(f: impl FnOnce(Result<R, TaskError>), outcome: Result<R, TaskError>) {
    if let Err(p) = panic::catch_unwind(AssertUnwindSafe(|| f(outcome))) {
        CALLBACK_PANICS.fetch_add(1, StdOrdering::Relaxed);
        forget_payload(p);
    }
}

/// A callback as a `Waker`: the first wake takes the task's outcome out of its
/// cell and runs the callback with it; later wakes do nothing. It holds the cell
/// weakly: the cell's waiter list holds this waker, and a strong reference would
/// make a cycle for a task that never finishes.
struct Callback<F, R> {
    f: Mutex<Option<F>>,
    slot: Weak<dyn Slot<R>>,
}

impl<F: FnOnce(Result<R, TaskError>) + Send, R> Callback<F, R> {
    fn run(&self) {
        let f = self.f.lock().take();
        if let Some(f) = f {
            // Runs only once the word reads finished or cancelled (a wake from
            // `publish` / `cancel_word`, or `on_done`'s own Acquire look), and
            // the cell is alive then: its finisher, canceller or handle holds it.
            let outcome = self
                .slot
                .upgrade()
                .map_or(Err(TaskError::Cancelled), |slot| slot.take());
            call_back(f, outcome);
        }
    }
}

impl<F, R> Wake for Callback<F, R>
where
    F: FnOnce(Result<R, TaskError>) + Send + 'static,
    R: Send + 'static,
{
    fn wake(self: Arc<Self>) {
        self.run();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.run();
    }
}

impl<R: Send + 'static> TaskHandle<R> {
    /// Runs `f` with the task's outcome once the task has finished or been
    /// cancelled (Python's `Future.add_done_callback`, where the callback reads
    /// `future.result()`): at once, on this thread, if it already has;
    /// otherwise on the thread that finishes it (usually a worker, right after
    /// the result is published) or cancels it. It runs exactly once, with no
    /// lock of ours held. A panic in `f` is caught and counted in
    /// [`done_callback_panics`]; it never kills a worker. Keep `f` short: it
    /// runs on the worker before its next task.
    ///
    /// The outcome moves into `f` (no `R: Clone` needed, and nothing shared
    /// with the handle): the handle keeps [`cancel`](Self::cancel),
    /// [`is_finished`](Self::is_finished) and
    /// [`wait_finished`](Self::wait_finished), but its
    /// [`wait`](Self::wait) and friends, and a later `on_done`, report
    /// [`TaskError::ResultTaken`]. Called on a handle whose result was already
    /// taken (it was awaited to completion), `f` runs at once with
    /// `Err(TaskError::ResultTaken)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{Queue, TaskError, ThreadPoolManager};
    /// use std::sync::Arc;
    ///
    /// let pool = ThreadPoolManager::new(2).unwrap();
    /// let done = Arc::new(Queue::unbounded());
    /// let mut h = pool.submit(|| 40 + 2).unwrap();
    /// let d = Arc::clone(&done);
    /// h.on_done(move |outcome| d.put(outcome).unwrap());
    /// assert_eq!(done.get(), Ok(Ok(42)));
    /// assert_eq!(h.wait(), Err(TaskError::ResultTaken)); // it went to the callback
    /// ```
    pub fn on_done(&mut self, f: impl FnOnce(Result<R, TaskError>) + Send + 'static) {
        if self.awaiting == Awaiting::Done {
            call_back(f, Err(TaskError::ResultTaken));
            return;
        }
        // From here on the result slot is the callback's: the handle never
        // takes it again (`Awaiting::Done`), and an awaiting waker leaves.
        if let Some(k) = self.key.take() {
            drop(self.slot.waiters().remove(k));
        }
        self.awaiting = Awaiting::Done;
        let cb = Arc::new(Callback {
            f: Mutex::new(Some(f)),
            slot: Arc::downgrade(&self.slot),
        });
        let state = self.slot.state();
        // Acquire: as `is_finished`.
        if finished(state.load(Ordering::Acquire)) {
            cb.run();
            return;
        }
        let waker = Waker::from(Arc::clone(&cb));
        let mut key = None;
        drop(self.slot.waiters().register(&mut key, &waker));
        // AcqRel on the word the finisher swaps: either it reads ASYNC (and, by
        // the Release here, our entry) and wakes the list, or we read the
        // finished phase and run the callback ourselves. The callback's own
        // take makes it once in the race where both happen.
        let prev = state.fetch_or(ASYNC, Ordering::AcqRel);
        if finished(prev) {
            if let Some(k) = key {
                drop(self.slot.waiters().remove(k));
            }
            cb.run();
        }
        // Otherwise the entry stays in the cell's list until the finisher wakes
        // it; it is freed with the cell.
    }
}

impl<R> TaskHandle<R> {
    /// Blocks until the task finished or was cancelled, keeping the handle (its
    /// result is still there for [`wait`](Self::wait) and friends).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    ///
    /// let pool = ThreadPoolManager::new(1).unwrap();
    /// let h = pool.submit(|| "x").unwrap();
    /// h.wait_finished();
    /// assert!(h.is_finished());
    /// assert_eq!(h.wait(), Ok("x"));
    /// ```
    pub fn wait_finished(&self) {
        wait_any_by(std::slice::from_ref(self), None);
    }
}

/// Where the marks of a wait over many handles report: the indices of the
/// handles whose tasks finished, and who to wake for them.
struct Ready {
    state: Mutex<ReadyState>,
}

struct ReadyState {
    indices: VecDeque<usize>,
    waker: Option<Waker>,
}

impl Ready {
    fn new() -> Arc<Self> {
        Arc::new(Self {
            state: Mutex::new(ReadyState {
                indices: VecDeque::new(),
                waker: None,
            }),
        })
    }

    /// Queues `index` and wakes the waiter, outside the lock (a `Waker` is user
    /// code).
    fn push(&self, index: usize) {
        let waker = {
            let mut s = self.state.lock();
            s.indices.push_back(index);
            s.waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// The oldest reported index, or `None` after storing `waker` for the next
    /// report (under the same lock, so no report falls between the look and the
    /// store).
    fn pop_or_register(&self, waker: &Waker) -> Option<usize> {
        let mut s = self.state.lock();
        if let Some(i) = s.indices.pop_front() {
            return Some(i);
        }
        if fault::active(Fault::ReadyRegistersAfterLook) {
            // The old bug, for the loom model's twin: the lock let go between
            // the look and the store.
            drop(s);
            s = self.state.lock();
        }
        let old = match &s.waker {
            Some(w) if w.will_wake(waker) => None,
            _ => s.waker.replace(waker.clone()),
        };
        drop(s);
        drop(old);
        None
    }

    fn pop(&self) -> Option<usize> {
        self.state.lock().indices.pop_front()
    }
}

/// The waker a wait over many handles puts in one handle's cell: reports the
/// handle's index to the wait's [`Ready`] list.
struct Mark {
    index: usize,
    ready: Arc<Ready>,
}

impl Wake for Mark {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.ready.push(self.index);
    }
}

/// Puts a [`Mark`] for handle `index` in its cell's waiter list, or reports it
/// at once if the task is already over. Returns the entry's key, to remove it
/// when the wait ends (`None`: nothing registered).
fn mark<R>(h: &TaskHandle<R>, index: usize, ready: &Arc<Ready>) -> Option<Key> {
    // Acquire: as `is_finished`.
    if finished(h.slot.state().load(Ordering::Acquire)) {
        ready.push(index);
        return None;
    }
    let waker = Waker::from(Arc::new(Mark {
        index,
        ready: Arc::clone(ready),
    }));
    let mut key = None;
    drop(h.slot.waiters().register(&mut key, &waker));
    // AcqRel: as `on_done`. A task that finished before this saw no entry: we
    // see its phase here instead, and report it ourselves.
    if finished(h.slot.state().fetch_or(ASYNC, Ordering::AcqRel)) {
        if let Some(k) = key.take() {
            drop(h.slot.waiters().remove(k));
        }
        ready.push(index);
    }
    key
}

/// Blocks until any of `handles` is finished (or cancelled) and returns its
/// index (the lowest, if several are). The handles keep their results. `None`
/// for an empty slice, at once (there is nothing to wait for).
///
/// # Examples
///
/// ```
/// use queuekit::{wait_any, ThreadPoolManager};
///
/// let pool = ThreadPoolManager::new(2).unwrap();
/// let gate = std::sync::Arc::new(queuekit::Queue::<()>::unbounded());
/// let g = gate.clone();
/// let slow = pool.submit(move || g.get().is_ok()).unwrap();
/// let fast = pool.submit(|| true).unwrap();
/// let handles = [slow, fast];
/// assert_eq!(wait_any(&handles), Some(1));
/// gate.put(()).unwrap();
/// assert_eq!(wait_any::<bool>(&[]), None);
/// ```
pub fn wait_any<R>(handles: &[TaskHandle<R>]) -> Option<usize> {
    wait_any_by(handles, None)
}

/// Like [`wait_any`], giving up after `timeout`: the index of a finished (or
/// cancelled) handle, the lowest if several are, or `None` if none finished in
/// time (at once for an empty slice). The handles keep their results either way.
///
/// # Examples
///
/// ```
/// use queuekit::{wait_any_timeout, Queue, ThreadPoolManager};
/// use std::sync::Arc;
/// use std::time::Duration;
///
/// let pool = ThreadPoolManager::new(2).unwrap();
/// let gate = Arc::new(Queue::<()>::unbounded());
/// let g = Arc::clone(&gate);
/// let handles = [pool.submit(move || g.get().is_ok()).unwrap()];
/// assert_eq!(wait_any_timeout(&handles, Duration::from_millis(10)), None); // still blocked
/// gate.put(()).unwrap();
/// assert_eq!(wait_any_timeout(&handles, Duration::from_secs(60)), Some(0));
/// ```
pub fn wait_any_timeout<R>(handles: &[TaskHandle<R>], timeout: Duration) -> Option<usize> {
    match Instant::now().checked_add(timeout) {
        Some(deadline) => wait_any_deadline(handles, deadline),
        // Too far to name as an instant: no limit.
        None => wait_any(handles),
    }
}

/// Like [`wait_any`], giving up at `deadline`: as
/// [`wait_any_timeout`], with the limit as an instant (one deadline can bound
/// several calls). A deadline already past still reports a handle that has
/// finished.
///
/// # Examples
///
/// ```
/// use queuekit::{wait_any_deadline, ThreadPoolManager};
/// use std::time::{Duration, Instant};
///
/// let pool = ThreadPoolManager::new(2).unwrap();
/// let deadline = Instant::now() + Duration::from_secs(60);
/// let handles = [pool.submit(|| 1).unwrap(), pool.submit(|| 2).unwrap()];
/// let first = wait_any_deadline(&handles, deadline).unwrap();
/// assert!(first < 2);
/// assert!(handles[first].is_finished());
/// ```
pub fn wait_any_deadline<R>(handles: &[TaskHandle<R>], deadline: Instant) -> Option<usize> {
    wait_any_by(handles, Some(deadline))
}

/// The lowest index of a finished handle.
fn first_finished<R>(handles: &[TaskHandle<R>]) -> Option<usize> {
    handles.iter().position(TaskHandle::is_finished)
}

/// [`wait_any`] until `deadline` (`None`: no limit). Each pending handle gets a
/// [`Mark`], so the thread wakes only when one of them finished, whatever the
/// number of handles; the entries are removed before it returns.
fn wait_any_by<R>(handles: &[TaskHandle<R>], deadline: Option<Instant>) -> Option<usize> {
    if let Some(i) = first_finished(handles) {
        return Some(i);
    }
    if handles.is_empty() {
        return None;
    }
    crate::parker::with_current(|parker, waker| {
        let ready = Ready::new();
        let keys: Vec<_> = handles
            .iter()
            .enumerate()
            .map(|(i, h)| mark(h, i, &ready))
            .collect();
        // A report pushed after the look wakes the stored waker, which sets the
        // parker's token: the park then returns at once.
        while ready.pop_or_register(waker).is_none() && parker.park(deadline) {}
        for (h, key) in handles.iter().zip(keys) {
            if let Some(k) = key {
                drop(h.slot.waiters().remove(k));
            }
        }
    });
    first_finished(handles)
}

/// Yields each handle's index and outcome as its task finishes, in finishing
/// order (Python's `concurrent.futures.as_completed`). Cancelled tasks are
/// yielded with `Err(TaskError::Cancelled)`.
///
/// The iterator owns the handles until it yields them, and can still
/// [`cancel`](AsCompleted::cancel) one that has not been yielded (it is then
/// yielded, cancelled, unless it had started). A timeout
/// ([`with_timeout`](AsCompleted::with_timeout)) counts from this call, as
/// Python's `as_completed(fs, timeout)`; handles already finished are yielded
/// even after it passed. [`next_async`](AsCompleted::next_async) is the `async`
/// form (and, with the `stream` feature, `AsCompleted` is a
/// `futures_core::Stream`).
///
/// Every pending handle gets a waker that reports its index to the iterator,
/// so each `next` is O(1) however many handles there are.
///
/// # Examples
///
/// ```
/// use queuekit::{as_completed, ThreadPoolManager};
///
/// let pool = ThreadPoolManager::new(4).unwrap();
/// let handles: Vec<_> = (0..8u64).map(|i| pool.submit(move || i * i).unwrap()).collect();
/// let mut squares: Vec<u64> = as_completed(handles).map(|(_, r)| r.unwrap()).collect();
/// squares.sort_unstable();
/// assert_eq!(squares, [0, 1, 4, 9, 16, 25, 36, 49]);
/// ```
pub fn as_completed<R>(handles: impl IntoIterator<Item = TaskHandle<R>>) -> AsCompleted<R> {
    let start = Instant::now();
    let ready = Ready::new();
    let mut keys = Vec::new();
    let handles: Vec<Option<TaskHandle<R>>> = handles
        .into_iter()
        .enumerate()
        .map(|(i, h)| {
            keys.push(mark(&h, i, &ready));
            Some(h)
        })
        .collect();
    AsCompleted {
        left: handles.len(),
        handles,
        keys,
        ready,
        start,
        deadline: None,
    }
}

/// The iterator of [`as_completed`].
///
/// # Examples
///
/// ```
/// use queuekit::{as_completed, TaskError, ThreadPoolManager};
/// use std::time::Duration;
///
/// let pool = ThreadPoolManager::new(1).unwrap();
/// let gate = std::sync::Arc::new(queuekit::Queue::<()>::unbounded());
/// let g = gate.clone();
/// let stuck = pool.submit(move || g.get().is_ok()).unwrap();
/// let queued = pool.submit(|| true).unwrap(); // behind `stuck` on the one worker
/// let mut it = as_completed([stuck, queued]).with_timeout(Duration::from_millis(20));
/// assert!(it.next().is_none()); // timed out: the iterator ends...
/// assert!(it.cancel(1)); // ...a pending task can still be cancelled...
/// let pending = it.into_pending(); // ...and the handles are not lost
/// assert_eq!(pending.len(), 2);
/// gate.put(()).unwrap();
/// let mut pending = pending.into_iter();
/// assert_eq!(pending.next().unwrap().1.wait(), Ok(true));
/// assert_eq!(pending.next().unwrap().1.wait(), Err(TaskError::Cancelled));
/// ```
pub struct AsCompleted<R> {
    handles: Vec<Option<TaskHandle<R>>>,
    /// Each handle's entry in its cell's waiter list, while it has one.
    keys: Vec<Option<Key>>,
    ready: Arc<Ready>,
    left: usize,
    /// When [`as_completed`] was called: a timeout counts from here.
    start: Instant,
    deadline: Option<Instant>,
}

impl<R> AsCompleted<R> {
    /// Ends the iteration once `timeout`, counted from the call of
    /// [`as_completed`] (as Python's `as_completed(fs, timeout)`), has passed;
    /// where Python raises `TimeoutError`, the iterator ends and
    /// [`into_pending`](Self::into_pending) gives back the handles not yielded.
    /// Handles already finished are still yielded after it passed. Bounds the
    /// blocking iterator only: bound [`next_async`](Self::next_async) with your
    /// runtime's timer.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{as_completed, ThreadPoolManager};
    /// use std::time::Duration;
    ///
    /// let pool = ThreadPoolManager::new(1).unwrap();
    /// let h = pool.submit(|| 5).unwrap();
    /// let got: Vec<_> = as_completed([h]).with_timeout(Duration::from_secs(30)).collect();
    /// assert_eq!(got, [(0, Ok(5))]);
    /// ```
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        // Too far to name as an instant: no limit.
        self.deadline = self.start.checked_add(timeout);
        self
    }

    /// Like [`with_timeout`](Self::with_timeout), with the limit as an instant.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{as_completed, ThreadPoolManager};
    /// use std::time::{Duration, Instant};
    ///
    /// let pool = ThreadPoolManager::new(1).unwrap();
    /// let deadline = Instant::now() + Duration::from_secs(30);
    /// let got: Vec<_> = as_completed([pool.submit(|| 5).unwrap()]).with_deadline(deadline).collect();
    /// assert_eq!(got, [(0, Ok(5))]);
    /// ```
    #[must_use]
    pub fn with_deadline(mut self, deadline: Instant) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// Cancels the task of handle `index` if it has not been yielded yet and
    /// has not started (as [`TaskHandle::cancel`]); it is then yielded with
    /// `Err(TaskError::Cancelled)`. `false` if it is running, finished, already
    /// yielded, or `index` is out of range.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{as_completed, TaskError, ThreadPoolManager};
    /// use std::sync::mpsc;
    ///
    /// let pool = ThreadPoolManager::new(1).unwrap();
    /// let (go, gate) = mpsc::channel::<()>();
    /// let blocker = pool.submit(move || gate.recv().is_ok()).unwrap();
    /// let queued = pool.submit(|| false).unwrap();
    /// let mut it = as_completed([blocker, queued]);
    /// assert!(it.cancel(1));
    /// assert_eq!(it.next(), Some((1, Err(TaskError::Cancelled))));
    /// go.send(()).unwrap();
    /// assert_eq!(it.next(), Some((0, Ok(true))));
    /// ```
    pub fn cancel(&self, index: usize) -> bool {
        self.handles
            .get(index)
            .and_then(Option::as_ref)
            .is_some_and(TaskHandle::cancel)
    }

    /// Cancels every task not yielded yet that has not started; returns how
    /// many are cancelled now (Python's `shutdown(cancel_futures=True)`, for
    /// these handles only). They are then yielded with
    /// `Err(TaskError::Cancelled)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{as_completed, TaskError, ThreadPoolManager};
    /// use std::sync::mpsc;
    ///
    /// let pool = ThreadPoolManager::new(1).unwrap();
    /// let (go, gate) = mpsc::channel::<()>();
    /// let (started_tx, started) = mpsc::channel();
    /// let running = pool
    ///     .submit(move || { started_tx.send(()).unwrap(); gate.recv().is_ok() })
    ///     .unwrap();
    /// started.recv().unwrap();
    /// let queued: Vec<_> = (0..3).map(|_| pool.submit(|| false).unwrap()).collect();
    /// let mut it = as_completed(std::iter::once(running).chain(queued));
    /// assert_eq!(it.cancel_pending(), 3); // the running one is not interrupted
    /// go.send(()).unwrap();
    /// let cancelled = it.filter(|(_, r)| *r == Err(TaskError::Cancelled)).count();
    /// assert_eq!(cancelled, 3);
    /// ```
    pub fn cancel_pending(&self) -> usize {
        self.handles
            .iter()
            .flatten()
            .filter(|h| !h.is_finished() && h.cancel())
            .count()
    }

    /// The handles not yielded yet, with their indices.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{as_completed, ThreadPoolManager};
    ///
    /// let pool = ThreadPoolManager::new(1).unwrap();
    /// let it = as_completed([pool.submit(|| 1).unwrap()]);
    /// let pending = it.into_pending();
    /// assert_eq!(pending[0].0, 0);
    /// ```
    pub fn into_pending(mut self) -> Vec<(usize, TaskHandle<R>)> {
        self.unregister();
        std::mem::take(&mut self.handles)
            .into_iter()
            .enumerate()
            .filter_map(|(i, h)| h.map(|h| (i, h)))
            .collect()
    }

    /// The next handle to finish, as a future: the `async` form of
    /// [`next`](Iterator::next), for use without the `stream` feature. Ignores
    /// the timeout (bound it with your runtime's timer). Cancel-safe: a dropped
    /// future loses nothing, the next call yields what it would have.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{as_completed, ThreadPoolManager};
    ///
    /// let pool = ThreadPoolManager::new(2).unwrap();
    /// let handles: Vec<_> = (1..=3).map(|i| pool.submit(move || i).unwrap()).collect();
    /// let total = futures::executor::block_on(async {
    ///     let mut it = as_completed(handles);
    ///     let mut total = 0;
    ///     while let Some((_, r)) = it.next_async().await {
    ///         total += r.unwrap();
    ///     }
    ///     total
    /// });
    /// assert_eq!(total, 6);
    /// ```
    pub fn next_async(&mut self) -> NextCompleted<'_, R> {
        NextCompleted { it: self }
    }

    /// The next handle to finish if one is ready; otherwise stores `cx`'s waker
    /// for the next report.
    fn poll_next_completed(
        &mut self,
        cx: &Context<'_>,
    ) -> Poll<Option<(usize, Result<R, TaskError>)>> {
        loop {
            if self.left == 0 {
                return Poll::Ready(None);
            }
            match self.ready.pop_or_register(cx.waker()) {
                None => return Poll::Pending,
                Some(i) => {
                    if let Some(item) = self.take(i) {
                        return Poll::Ready(Some(item));
                    }
                }
            }
        }
    }

    /// Yields handle `i`, reported finished; `None` if it was yielded before.
    fn take(&mut self, i: usize) -> Option<(usize, Result<R, TaskError>)> {
        let h = self.handles.get_mut(i)?.take()?;
        if let Some(k) = self.keys[i].take() {
            drop(h.slot.waiters().remove(k));
        }
        self.left -= 1;
        // Reported after the task finished: `wait` returns at once.
        Some((i, h.wait()))
    }

    /// Takes every remaining mark out of its cell's waiter list.
    fn unregister(&mut self) {
        for (h, key) in self.handles.iter().zip(&mut self.keys) {
            if let (Some(h), Some(k)) = (h, key.take()) {
                drop(h.slot.waiters().remove(k));
            }
        }
    }
}

impl<R> Drop for AsCompleted<R> {
    fn drop(&mut self) {
        self.unregister();
    }
}

impl<R> Iterator for AsCompleted<R> {
    type Item = (usize, Result<R, TaskError>);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.left == 0 {
                return None;
            }
            let (ready, deadline) = (&self.ready, self.deadline);
            let i = crate::parker::with_current(|parker, waker| loop {
                if let Some(i) = ready.pop_or_register(waker) {
                    return Some(i);
                }
                if !parker.park(deadline) {
                    // Timed out: one last look, for a report that raced it.
                    return ready.pop();
                }
            })?;
            if let Some(item) = self.take(i) {
                return Some(item);
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.left))
    }
}

impl<R> fmt::Debug for AsCompleted<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsCompleted")
            .field("left", &self.left)
            .field("deadline", &self.deadline)
            .finish_non_exhaustive()
    }
}

/// The future of [`AsCompleted::next_async`]: the next handle to finish, with
/// its outcome; `None` once every handle was yielded.
///
/// # Examples
///
/// ```
/// use queuekit::{as_completed, ThreadPoolManager};
///
/// let pool = ThreadPoolManager::new(1).unwrap();
/// let mut it = as_completed([pool.submit(|| 'x').unwrap()]);
/// let next = futures::executor::block_on(it.next_async());
/// assert_eq!(next, Some((0, Ok('x'))));
/// assert_eq!(futures::executor::block_on(it.next_async()), None);
/// ```
#[must_use = "futures do nothing unless polled"]
pub struct NextCompleted<'a, R> {
    it: &'a mut AsCompleted<R>,
}

impl<R> Future for NextCompleted<'_, R> {
    type Output = Option<(usize, Result<R, TaskError>)>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.get_mut().it.poll_next_completed(cx)
    }
}

impl<R> fmt::Debug for NextCompleted<'_, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NextCompleted")
            .field("left", &self.it.left)
            .finish()
    }
}

/// With the `stream` feature, [`as_completed`] is a stream of the handles as
/// they finish, as [`next_async`](AsCompleted::next_async) yields them.
#[cfg(feature = "stream")]
#[cfg_attr(docsrs, doc(cfg(feature = "stream")))]
impl<R> futures_core::Stream for AsCompleted<R> {
    type Item = (usize, Result<R, TaskError>);

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_next_completed(cx)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.left))
    }
}

impl ThreadPoolManager {
    /// Runs `f` on every item and yields the results as they finish, in
    /// finishing order (multiprocessing's `imap_unordered`). Every item is
    /// submitted up front; an item the pool refuses (shut down, broken) yields
    /// `Err(TaskError::Cancelled)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    ///
    /// let pool = ThreadPoolManager::new(4).unwrap();
    /// let mut lens: Vec<usize> = pool
    ///     .map_unordered(["a", "bb", "ccc"], |s: &str| s.len())
    ///     .map(Result::unwrap)
    ///     .collect();
    /// lens.sort_unstable();
    /// assert_eq!(lens, [1, 2, 3]);
    /// ```
    pub fn map_unordered<I, F, R>(
        &self,
        items: I,
        f: F,
    ) -> impl Iterator<Item = Result<R, TaskError>>
    where
        I: IntoIterator,
        I::Item: Send + 'static,
        F: Fn(I::Item) -> R + Send + Sync + 'static,
        R: Send + 'static,
    {
        let handles: Vec<_> = items.into_iter().map(self.submitter(f)).collect();
        let refused = handles.iter().filter(|h| h.is_none()).count();
        as_completed(handles.into_iter().flatten())
            .map(|(_, r)| r)
            .chain(std::iter::repeat_with(|| Err(TaskError::Cancelled)).take(refused))
    }
}
