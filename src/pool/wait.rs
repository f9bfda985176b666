//! Waiting on many task handles: [`as_completed`], [`wait_any`] (and its
//! timed forms), [`wait`]
//! (Python's `concurrent.futures.as_completed` / `wait`),
//! [`TaskHandle::on_done`] (`add_done_callback`) and
//! [`ThreadPoolManager::map_unordered`] (`imap_unordered`).
//!
//! One waiter mechanism (the async one, as for select over queues): each task cell
//! has a `WaitList` of `Waker`s, announced by the `ASYNC` bit with an RMW on the
//! state word that finishing and cancelling also RMW, so either the waiter sees
//! the task finished or the finisher sees the waiter and wakes the list. A
//! blocking wait over many handles puts a `Waker` in every pending handle's
//! list that records the handle's index and unparks the thread
//! ([`Parker`](crate::parker)), so each wake-up says what finished; an `on_done`
//! callback *is* a `Waker` whose wake runs the callback once; `as_completed`
//! is `on_done` feeding the finished indices into a queue. Tasks nobody waits
//! on this way never set `ASYNC` and never touch their list.

use std::collections::VecDeque;
use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize as StdAtomicUsize, Ordering as StdOrdering};
use std::sync::Arc;
use std::task::{Wake, Waker};
use std::time::{Duration, Instant};

use super::cell::{ASYNC, CANCELLED, DONE, PHASE};
use super::error::TaskError;
use super::handle::TaskHandle;
use super::manager::ThreadPoolManager;
use crate::mutex::Mutex;
use crate::panic::forget_payload;
use crate::queue::Queue;
use crate::sync::Ordering;

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
/// let h = pool.submit(|| 1).unwrap();
/// let before = done_callback_panics();
/// h.wait_finished();
/// h.on_done(|| panic!("callback bug")); // already done: runs here, caught
/// assert_eq!(done_callback_panics(), before + 1);
/// assert_eq!(h.wait(), Ok(1));
/// ```
pub fn done_callback_panics() -> usize {
    CALLBACK_PANICS.load(StdOrdering::Relaxed)
}

/// A callback as a `Waker`: the first wake runs it, later ones do nothing.
struct Callback<F> {
    f: Mutex<Option<F>>,
}

impl<F: FnOnce() + Send> Callback<F> {
    fn run(&self) {
        let f = self.f.lock().take();
        if let Some(f) = f {
            if let Err(p) = panic::catch_unwind(AssertUnwindSafe(f)) {
                CALLBACK_PANICS.fetch_add(1, StdOrdering::Relaxed);
                forget_payload(p);
            }
        }
    }
}

impl<F: FnOnce() + Send + 'static> Wake for Callback<F> {
    fn wake(self: Arc<Self>) {
        self.run();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.run();
    }
}

impl<R> TaskHandle<R> {
    /// Runs `f` once the task has finished or been cancelled (Python's
    /// `Future.add_done_callback`): at once, on this thread, if it already has;
    /// otherwise on the thread that finishes it (usually a worker, right after
    /// the result is published) or cancels it. It runs exactly once. A panic in
    /// `f` is caught and counted in [`done_callback_panics`]; it never kills a
    /// worker. Keep `f` short: it runs on the worker before its next task.
    ///
    /// The callback gets no argument (the result belongs to the handle); send
    /// yourself a message from it, or capture what you need.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{Queue, ThreadPoolManager};
    /// use std::sync::Arc;
    ///
    /// let pool = ThreadPoolManager::new(2).unwrap();
    /// let done = Arc::new(Queue::unbounded());
    /// let h = pool.submit(|| 40 + 2).unwrap();
    /// let d = Arc::clone(&done);
    /// h.on_done(move || d.put("finished").unwrap());
    /// assert_eq!(done.get(), Ok("finished"));
    /// assert_eq!(h.wait(), Ok(42));
    /// ```
    pub fn on_done(&self, f: impl FnOnce() + Send + 'static) {
        let cb = Arc::new(Callback {
            f: Mutex::new(Some(f)),
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
        wait(std::slice::from_ref(self), WaitFor::All, None);
    }
}

/// When [`wait`] returns: Python's `return_when`.
///
/// # Examples
///
/// ```
/// use queuekit::{wait, ThreadPoolManager, WaitFor};
///
/// let pool = ThreadPoolManager::new(2).unwrap();
/// let handles = [
///     pool.submit(|| -> u8 { panic!("bad input") }).unwrap(),
///     pool.submit(|| 2).unwrap(),
/// ];
/// // Returns once a task failed, or when all are done.
/// let (done, _pending) = wait(&handles, WaitFor::FirstError, None);
/// assert!(done.contains(&0));
/// let (done, pending) = wait(&handles, WaitFor::All, None);
/// assert_eq!((done.len(), pending.len()), (2, 0));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WaitFor {
    /// As soon as any handle's task finished or was cancelled
    /// (`FIRST_COMPLETED`).
    FirstCompleted,
    /// As soon as any task finished with an error (panicked), or when all are
    /// finished (`FIRST_EXCEPTION`; a cancelled task is not an error, as in
    /// Python).
    FirstError,
    /// When every task finished or was cancelled (`ALL_COMPLETED`).
    All,
}

/// Blocks until `until` holds for `handles` or `timeout` passes (`None`: no
/// limit), and returns the indices of the finished handles and of the pending
/// ones (Python's `concurrent.futures.wait(fs, timeout, return_when)` → `(done,
/// not_done)`). The handles keep their results; take them with
/// [`TaskHandle::wait`].
///
/// Waits by putting a waker in every pending task's waiter list; each names its
/// handle when it wakes this thread, so every handle is looked at a bounded
/// number of times (O(n) in all, however the completions arrive). The entries
/// are removed before it returns.
///
/// # Examples
///
/// ```
/// use queuekit::{wait, ThreadPoolManager, WaitFor};
/// use std::time::Duration;
///
/// let pool = ThreadPoolManager::new(2).unwrap();
/// let handles: Vec<_> = (0..4).map(|i| pool.submit(move || i * 10).unwrap()).collect();
/// let (done, pending) = wait(&handles, WaitFor::All, Some(Duration::from_secs(30)));
/// assert_eq!((done.len(), pending.len()), (4, 0));
///
/// let bad = [pool.submit(|| -> i32 { panic!("boom") }).unwrap()];
/// let (done, _) = wait(&bad, WaitFor::FirstError, None);
/// assert_eq!(done, [0]);
/// ```
pub fn wait<R>(
    handles: &[TaskHandle<R>],
    until: WaitFor,
    timeout: Option<Duration>,
) -> (Vec<usize>, Vec<usize>) {
    wait_by(
        handles,
        until,
        timeout.and_then(|t| Instant::now().checked_add(t)),
    )
}

/// [`wait`] with the limit as a deadline (`None`: no limit).
fn wait_by<R>(
    handles: &[TaskHandle<R>],
    until: WaitFor,
    deadline: Option<Instant>,
) -> (Vec<usize>, Vec<usize>) {
    let mut progress = Progress::new(handles.len(), until);
    for (i, h) in handles.iter().enumerate() {
        progress.look(i, h);
        if progress.satisfied() {
            break;
        }
    }
    if !progress.satisfied() {
        crate::parker::with_current(|parker, waker| {
            // Each pending handle gets its own waker, which reports the handle's
            // index and then unparks this thread: a wake-up names what finished,
            // so the handles are looked at once each, not rescanned per wake-up.
            let reports = Arc::new(Mutex::new(Vec::new()));
            let mut keys = vec![None; handles.len()];
            for (i, (h, key)) in handles.iter().zip(&mut keys).enumerate() {
                if progress.seen[i] {
                    continue;
                }
                let mark = Waker::from(Arc::new(Mark {
                    index: i,
                    reports: Arc::clone(&reports),
                    thread: waker.clone(),
                }));
                drop(h.slot.waiters().register(key, &mark));
                // AcqRel: as `on_done`. A task that finished before this sees no
                // entry: we see its phase here instead.
                if finished(h.slot.state().fetch_or(ASYNC, Ordering::AcqRel)) {
                    progress.look(i, h);
                }
            }
            while !progress.satisfied() {
                // Taken before the park: a report pushed after this also set the
                // parker's token, so the park returns at once.
                let batch = std::mem::take(&mut *reports.lock());
                for i in batch {
                    progress.look(i, &handles[i]);
                }
                if progress.satisfied() || !parker.park(deadline) {
                    break;
                }
            }
            for (h, key) in handles.iter().zip(keys) {
                if let Some(k) = key {
                    drop(h.slot.waiters().remove(k));
                }
            }
        });
    }
    let (mut done, mut pending) = (Vec::new(), Vec::new());
    for (i, h) in handles.iter().enumerate() {
        if h.is_finished() {
            done.push(i);
        } else {
            pending.push(i);
        }
    }
    (done, pending)
}

/// What [`wait`] has seen so far: each handle is counted once, when it is first
/// seen finished.
struct Progress {
    until: WaitFor,
    seen: Vec<bool>,
    finished: usize,
    failed: bool,
}

impl Progress {
    fn new(n: usize, until: WaitFor) -> Self {
        Self {
            until,
            seen: vec![false; n],
            finished: 0,
            failed: false,
        }
    }

    /// Counts handle `i` if it is finished and not counted yet.
    fn look<R>(&mut self, i: usize, h: &TaskHandle<R>) {
        if !self.seen[i] && h.is_finished() {
            self.seen[i] = true;
            self.finished += 1;
            self.failed |= h.slot.failed();
        }
    }

    fn satisfied(&self) -> bool {
        let all = self.finished == self.seen.len();
        match self.until {
            WaitFor::FirstCompleted => all || self.finished > 0,
            WaitFor::FirstError => all || self.failed,
            WaitFor::All => all,
        }
    }
}

/// [`wait`]'s waker for one handle: records the handle's index, then wakes the
/// waiting thread.
struct Mark {
    index: usize,
    reports: Arc<Mutex<Vec<usize>>>,
    thread: Waker,
}

impl Wake for Mark {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.reports.lock().push(self.index);
        self.thread.wake_by_ref();
    }
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
    // A timeout too large for an `Instant` is no limit, as in `wait`.
    wait_any_by(handles, Instant::now().checked_add(timeout))
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

/// [`wait_any`] until `deadline` (`None`: no limit).
fn wait_any_by<R>(handles: &[TaskHandle<R>], deadline: Option<Instant>) -> Option<usize> {
    if handles.is_empty() {
        return None;
    }
    wait_by(handles, WaitFor::FirstCompleted, deadline)
        .0
        .first()
        .copied()
}

/// Yields each handle's index and result as its task finishes, in finishing
/// order (Python's `concurrent.futures.as_completed`). Cancelled tasks are
/// yielded with `Err(TaskError::Cancelled)`.
///
/// Handles already finished are yielded first, in index order; every other
/// handle gets an [`on_done`](TaskHandle::on_done) callback that queues its
/// index, and the iterator takes indices from that queue, so each `next` is
/// O(1) however many handles there are.
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
    let ready = Arc::new(Queue::unbounded());
    let mut early = VecDeque::new();
    let handles: Vec<Option<TaskHandle<R>>> = handles
        .into_iter()
        .enumerate()
        .map(|(i, h)| {
            if h.is_finished() {
                // Already over: no callback, no allocation, no queue traffic.
                early.push_back(i);
            } else {
                let r = Arc::clone(&ready);
                // The queue is never shut down while a callback can run.
                h.on_done(move || {
                    let _ = r.put(i);
                });
            }
            Some(h)
        })
        .collect();
    AsCompleted {
        left: handles.len(),
        handles,
        early,
        ready,
        deadline: None,
    }
}

/// The iterator of [`as_completed`].
///
/// # Examples
///
/// ```
/// use queuekit::{as_completed, ThreadPoolManager};
/// use std::time::Duration;
///
/// let pool = ThreadPoolManager::new(1).unwrap();
/// let gate = std::sync::Arc::new(queuekit::Queue::<()>::unbounded());
/// let g = gate.clone();
/// let stuck = pool.submit(move || g.get().is_ok()).unwrap();
/// let mut it = as_completed([stuck]).with_timeout(Duration::from_millis(20));
/// assert!(it.next().is_none()); // timed out: the iterator ends...
/// let pending = it.into_pending(); // ...and the handle is not lost
/// assert_eq!(pending.len(), 1);
/// gate.put(()).unwrap();
/// assert_eq!(pending.into_iter().next().unwrap().1.wait(), Ok(true));
/// ```
pub struct AsCompleted<R> {
    handles: Vec<Option<TaskHandle<R>>>,
    /// Handles found finished when the iterator was made, yielded first.
    early: VecDeque<usize>,
    ready: Arc<Queue<usize>>,
    left: usize,
    deadline: Option<Instant>,
}

impl<R> AsCompleted<R> {
    /// Ends the iteration once `timeout` (from now, for the whole iteration, as
    /// Python's `as_completed(fs, timeout)`) has passed; where Python raises
    /// `TimeoutError`, the iterator ends and [`into_pending`](Self::into_pending)
    /// gives back the handles still running.
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
        self.deadline = Instant::now().checked_add(timeout);
        self
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
    pub fn into_pending(self) -> Vec<(usize, TaskHandle<R>)> {
        self.handles
            .into_iter()
            .enumerate()
            .filter_map(|(i, h)| h.map(|h| (i, h)))
            .collect()
    }
}

impl<R> Iterator for AsCompleted<R> {
    type Item = (usize, Result<R, TaskError>);

    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        let i = match (self.early.pop_front(), self.deadline) {
            (Some(i), _) => i,
            (None, None) => self.ready.get().ok()?,
            (None, Some(d)) => {
                let left = d.saturating_duration_since(Instant::now());
                self.ready.get_timeout(left).ok()?
            }
        };
        let h = self.handles[i].take().expect("each index is queued once");
        self.left -= 1;
        // The callback ran after the task finished: `wait` returns at once.
        Some((i, h.wait()))
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
        let f = Arc::new(f);
        let mut refused = 0;
        let handles: Vec<_> = items
            .into_iter()
            .filter_map(|item| {
                let f = Arc::clone(&f);
                let h = self.submit(move || f(item)).ok();
                refused += usize::from(h.is_none());
                h
            })
            .collect();
        as_completed(handles)
            .map(|(_, r)| r)
            .chain(std::iter::repeat_with(|| Err(TaskError::Cancelled)).take(refused))
    }
}
