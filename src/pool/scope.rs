//! Scoped tasks: [`ThreadPoolManager::scope`] runs closures that borrow from the
//! caller's stack on the pool's workers, and returns only when every one of them
//! is over (`std::thread::scope`, rayon's `scope`).
//!
//! A scoped task is an ordinary [`TaskCell`] in the pool's backlog, with its
//! lifetime erased in one place ([`erase`]). The scope keeps a reference to each
//! of its cells; while it waits it *helps*: any cell no worker has started yet it
//! runs itself (the cell's state word decides who runs it, exactly as between a
//! worker and a cancelling handle), so a scope opened inside a task of a
//! one-worker pool cannot wait for a worker that is itself.
//!
//! A finished task's result belongs to its [`ScopedHandle`] while the handle
//! lives, wherever it went (into another scoped task, a scoped `map_bounded`
//! iterator, another task's result): the scope drops only what a handle left
//! behind once it is gone. Each task's `owner` word records that hand-over, so
//! the result slot has one owner at a time (see [`ScopedTask`]).

use std::any::Any;
use std::fmt;
use std::marker::PhantomData;
use std::mem;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize as StdAtomicUsize, Ordering as StdOrdering};
use std::sync::Arc;

use super::cell::{is_settled, wait_settled, Call, Cancelled, Runnable, TaskCell, PENDING, PHASE};
use super::error::{SubmitError, TaskError};
use super::job::{Job, Ran};
use super::manager::ThreadPoolManager;
use super::shared::{Block, Shared};
use crate::futex::Futex;
use crate::mutex::Mutex;
use crate::panic::{drop_quietly, panic_message};
use crate::sync::fault::{self, Fault};
use crate::sync::{AtomicU32, Ordering};

/// The scope's list is pruned of finished tasks when it has grown to twice what
/// the last pruning kept plus this, so a long scope (a bounded `map` over an
/// endless input) keeps its memory flat at an amortised O(1) per task.
const PRUNE_SLACK: usize = 64;

/// A scope opened by [`ThreadPoolManager::scope`]: tasks submitted through it may
/// borrow anything that outlives the `scope` call.
///
/// Like [`std::thread::Scope`], it is passed to the scope's closure by reference,
/// can be shared with the scoped tasks themselves (which may submit more scoped
/// tasks), and cannot leave the closure.
///
/// # Examples
///
/// ```
/// use queuekit::ThreadPoolManager;
///
/// let pool = ThreadPoolManager::new(2).unwrap();
/// let words = vec!["scoped", "tasks", "borrow"];
/// let mut total = 0;
/// pool.scope(|s| {
///     let handles: Vec<_> = words.iter().map(|w| s.submit(move |_| w.len()).unwrap()).collect();
///     total = handles.into_iter().map(|h| h.wait().unwrap()).sum();
/// });
/// assert_eq!(total, 17);
/// assert_eq!(words.len(), 3); // still ours
/// ```
pub struct Scope<'scope, 'env: 'scope> {
    shared: &'scope Arc<Shared>,
    tasks: Mutex<Tasks>,
    /// The id of the next task (a plain counter, not a synchronisation point).
    next_id: StdAtomicUsize,
    /// Invariant in `'scope` and `'env`, as `std::thread::Scope`.
    scope: PhantomData<&'scope mut &'scope ()>,
    env: PhantomData<&'env mut &'env ()>,
}

/// What the scope knows about its tasks, under its lock.
struct Tasks {
    /// Every task submitted and not yet pruned or waited for (lifetime erased:
    /// see [`erase`]).
    list: Vec<Arc<dyn Scoped>>,
    /// `list.len()` after the last pruning.
    kept: usize,
    /// Tasks that panicked and whose panic no handle reported.
    panics: usize,
    /// The payload `scope` re-raises: the first unreported panic's own.
    first_panic: Option<Payload>,
    /// The original payloads of tasks that panicked, by task id, until their
    /// handle reports the panic (the payload is dropped) or the scope finds it
    /// unreported.
    payloads: Vec<(usize, Payload)>,
}

/// A panic's payload, as `catch_unwind` gives it.
type Payload = Box<dyn Any + Send + 'static>;

impl Tasks {
    /// The payload kept for task `id`, if it panicked.
    fn take_payload(&mut self, id: usize) -> Option<Payload> {
        let at = self.payloads.iter().position(|(i, _)| *i == id)?;
        Some(self.payloads.swap_remove(at).1)
    }
}

/// A scoped task's closure with its scope: running it passes the scope, and a
/// panic's payload is kept in the scope (the task cell keeps only the message,
/// for the handle) so that `scope` can re-raise the original.
struct WithScope<'scope, 'env, F> {
    f: F,
    scope: &'scope Scope<'scope, 'env>,
    id: usize,
}

impl<'scope, 'env, F, R> Call<R> for WithScope<'scope, 'env, F>
where
    F: FnOnce(&'scope Scope<'scope, 'env>) -> R,
{
    fn call(self) -> R {
        let Self { f, scope, id } = self;
        match panic::catch_unwind(AssertUnwindSafe(|| f(scope))) {
            Ok(value) => value,
            Err(payload) => {
                let msg = panic_message(&*payload);
                scope.tasks.lock().payloads.push((id, payload));
                // On to the task cell, which records the message for the
                // handle (no panic hook runs again).
                panic::resume_unwind(Box::new(msg))
            }
        }
    }
}

/// `ScopedTask::owner`: the handle owns the result slot (once the task is
/// done), for as long as it lives.
const HANDLE: u32 = 0;
/// The handle is gone: the scope may take what it left, once the task is settled.
const SCOPE: u32 = 1;
/// The scope took it: nobody touches the slot again.
const RECLAIMED: u32 = 2;

/// One scoped task: a task cell, and who owns its result slot after the task.
///
/// The slot is written once by whoever ran the task, before the Release of
/// `DONE` (`pool/cell.rs`). After that it belongs to the task's one
/// [`ScopedHandle`] for as long as the handle lives, and the handle takes it
/// only after an Acquire load of the settled word. When the handle goes away
/// (dropped, or at the end of its `wait`) it stores `SCOPE` with Release, after
/// its last access to the slot. The scope side (`finish`, or the pruning in
/// `track`) takes the slot only after it read the word settled (Acquire) and
/// moved `owner` from `SCOPE` to `RECLAIMED` (AcqRel): so the worker's write and
/// the handle's take both happened before the scope's, and only one scope-side
/// caller ever wins. A handle that is never dropped (`mem::forget`) never hands
/// the slot over: its outcome stays in the cell, leaked with the handle.
struct ScopedTask<F, R> {
    cell: TaskCell<F, R>,
    owner: AtomicU32,
    /// Names the task's panic payload in the scope's list.
    id: usize,
}

/// What the scope needs of one of its tasks, with the closure and result types
/// erased.
trait Scoped: Send + Sync {
    fn word(&self) -> &Futex;
    /// The task's id in its scope.
    fn id(&self) -> usize;
    /// Runs the task on this thread if no worker started it yet (and nobody
    /// cancelled it), telling its handle at once. How it ran, if it did.
    fn help(&self) -> Option<Ran>;
    /// Whether the result is the scope's to drop: the task is settled and its
    /// handle is gone (both read with Acquire).
    fn unclaimed(&self) -> bool;
    /// Takes what the handle left in the result slot and drops it, if it is
    /// [`unclaimed`](Self::unclaimed) and nobody reclaimed it before; `None`
    /// otherwise (the handle still owns it, or the task is not settled).
    fn reclaim(&self) -> Option<Discarded>;
}

/// What a [`ScopedHandle`] needs besides [`Scoped`]: its typed result.
trait ScopedSlot<R>: Scoped {
    /// Takes the result for the handle.
    ///
    /// # Safety
    ///
    /// Only the task's handle calls this, while it lives (before its
    /// [`release`](Self::release)), after it read the word settled with an
    /// Acquire load.
    unsafe fn take(&self) -> Result<R, TaskError>;
    /// The handle goes away: what it left in the result slot is the scope's.
    fn release(&self);
}

/// What [`Scoped::reclaim`] found in the result slot.
enum Discarded {
    /// Nothing, or a value whose `Drop` returned normally.
    Quiet,
    /// A panic no handle reported: the scope reports it.
    Panic(String),
}

impl<F, R> Scoped for ScopedTask<F, R>
where
    F: Call<R> + Send,
    R: Send,
{
    fn word(&self) -> &Futex {
        self.cell.state()
    }

    fn id(&self) -> usize {
        self.id
    }

    fn help(&self) -> Option<Ran> {
        let panicked = self.cell.run()?;
        self.cell.publish();
        Some(if panicked {
            Ran::Panicked
        } else {
            Ran::Returned
        })
    }

    fn unclaimed(&self) -> bool {
        is_settled(self.word().load(Ordering::Acquire))
            && self.owner.load(Ordering::Acquire) == SCOPE
    }

    fn reclaim(&self) -> Option<Discarded> {
        // Acquire: the write of whoever ran the task happened before.
        if !is_settled(self.word().load(Ordering::Acquire)) {
            return None;
        }
        // The old bug, for the loom model's twin: taken whether or not the
        // handle still owns it.
        let regardless = fault::active(Fault::ScopeTakesHeldResult);
        // AcqRel: Acquire pairs with the handle's Release as it went away, so
        // its take (if any) happened before ours; the RMW lets one caller win.
        if !regardless
            && self
                .owner
                .compare_exchange(SCOPE, RECLAIMED, Ordering::AcqRel, Ordering::Acquire)
                .is_err()
        {
            return None;
        }
        // SAFETY: the slot is ours alone (see `ScopedTask`): the task is settled
        // and its handle is gone, both seen with Acquire above, so the worker's
        // write and the handle's last access happened before this; we won the
        // one move to `RECLAIMED`, so no other scope-side caller takes it; and
        // the handle, being gone, never touches it again.
        Some(match unsafe { self.cell.take_result() } {
            Some(Ok(value)) => {
                if drop_quietly(value) {
                    Discarded::Panic("a scoped task's result panicked in its Drop".into())
                } else {
                    Discarded::Quiet
                }
            }
            Some(Err(TaskError::Panicked(msg))) => Discarded::Panic(msg),
            Some(Err(TaskError::Cancelled | TaskError::ResultTaken)) | None => Discarded::Quiet,
        })
    }
}

impl<F, R> ScopedSlot<R> for ScopedTask<F, R>
where
    F: Call<R> + Send,
    R: Send,
{
    unsafe fn take(&self) -> Result<R, TaskError> {
        // SAFETY: by this method's contract the caller is the task's one
        // handle, still alive, so `owner` is still `HANDLE` and the scope takes
        // nothing (`reclaim`); it saw the word settled with Acquire, so the
        // worker's write happened before. The slot is the handle's alone.
        unsafe { self.cell.take_result() }.unwrap_or(Err(TaskError::Cancelled))
    }

    fn release(&self) {
        // Release: everything the handle did with the slot happens before the
        // scope's `reclaim` (its Acquire RMW).
        self.owner.store(SCOPE, Ordering::Release);
    }
}

impl<F, R> Runnable for ScopedTask<F, R>
where
    F: Call<R> + Send,
    R: Send,
{
    fn run(&self) -> Option<bool> {
        self.cell.run()
    }

    fn publish(&self) {
        self.cell.publish();
    }

    fn cancel(&self) -> Cancelled {
        self.cell.cancel()
    }
}

/// Erases the lifetime of a scoped task so it can travel through the backlog
/// (whose jobs are `'static`) and sit in the scope's list (which must not borrow
/// for `'scope` itself, or the scope could not be dropped). The one `unsafe`
/// about lifetimes; the others take the result slot, by the ownership rule of
/// [`ScopedTask`].
fn erase<'scope, F, R>(cell: &Arc<ScopedTask<F, R>>) -> (Arc<dyn Runnable>, Arc<dyn Scoped>)
where
    F: Call<R> + Send + 'scope,
    R: Send + 'scope,
{
    let job: Arc<dyn Runnable + 'scope> = cell.clone();
    let tracked: Arc<dyn Scoped + 'scope> = cell.clone();
    // SAFETY: only the lifetime bound of the trait objects changes (same pointer,
    // same vtable). The pool and the scope may hold these `Arc`s longer than
    // `'scope` (a worker later skips the backlog entry of a task the scope ran
    // itself; a worker drops its reference after telling the handle), but by the
    // time `scope` returns the cell holds nothing that borrows from `'scope`, so
    // what outlives it is an allocation of `None`s whose drop runs no code of `F`
    // or `R` and reads no borrowed data:
    // - the closure `F` leaves the cell only by being run (consumed before the cell
    //   is published `DONE`), or by a pool-side cancel (`terminate`, a broken
    //   pool), which drops it *before* clearing `HELD`; or it never entered the
    //   pool (a refused submit takes it back before anyone else saw the cell);
    // - `scope` returns only after every cell it spawned is settled (`DONE`, or
    //   `CANCELLED` without `HELD`: `Scope::finish` waits, helping), even when the
    //   scope's closure or a task panicked (both are caught first) and when the
    //   pool is closed or terminated meanwhile (cancelled cells settle too);
    // - the result `R` is taken by the handle's `wait`, or, once the task is
    //   settled and its handle is gone, dropped by `finish` or the pruning in
    //   `track` (`reclaim`); `finish` runs until every task is settled and no
    //   reclaim frees anything more. A result it leaves is owned by a handle
    //   that is never dropped (forgotten, or kept alive by a cycle through a
    //   result), so its cell, which that handle keeps, is never dropped either
    //   and runs no code of `R`;
    // - no handle or task can use the cell after `'scope`: both are bounded by it.
    unsafe {
        (
            mem::transmute::<Arc<dyn Runnable + 'scope>, Arc<dyn Runnable + 'static>>(job),
            mem::transmute::<Arc<dyn Scoped + 'scope>, Arc<dyn Scoped + 'static>>(tracked),
        )
    }
}

impl ThreadPoolManager {
    /// Runs `f` with a [`Scope`] whose tasks may borrow from the caller, and
    /// returns once every task submitted through it has finished or been
    /// cancelled (rayon's `scope`, `std::thread::scope` on a pool's workers).
    ///
    /// While it waits, the calling thread *helps*: it runs itself each scoped task
    /// no worker has started yet. So a scope opened inside one of this pool's own
    /// tasks cannot deadlock even a pool of one worker, and the caller's thread is
    /// not idle meanwhile. A task run this way runs on the caller's thread, where
    /// the worker start hook ([`PoolBuilder::on_worker_start`]) never ran: a scoped
    /// task must not rely on the hook's thread-local state.
    ///
    /// [`PoolBuilder::on_worker_start`]: crate::PoolBuilder::on_worker_start
    ///
    /// **Results.** A finished task's result belongs to its [`ScopedHandle`] for
    /// as long as the handle lives, wherever it went: a handle moved into
    /// another scoped task (or a scoped [`map_bounded`](Scope::map_bounded)
    /// iterator moved there) can be waited on after `f` returned, and gets the
    /// value. `scope` drops, before it returns, the results whose handles were
    /// dropped without [`wait`](ScopedHandle::wait); a panic in such a `Drop`
    /// is raised by `scope` as a task's panic is. A handle forgotten with
    /// [`mem::forget`] keeps its task's outcome for ever:
    /// leaked with it, never dropped, never reported.
    ///
    /// **Panics.** A scoped task's panic is reported once: to whoever waits on
    /// its handle (`Err(TaskError::Panicked)`), on any thread, and otherwise (the
    /// handle was dropped unwaited) by `scope` itself, which resumes unwinding
    /// with the first such task's original payload after every task has
    /// finished (rayon's rule; `std::thread::scope` panics likewise for threads
    /// nobody joined). A panic of `f` itself is resumed after the wait (and wins
    /// over the tasks' panics). Either way no task is still running, and no borrow is
    /// still in use, when the panic leaves `scope`.
    ///
    /// If the pool is closed or terminated meanwhile, submits fail with
    /// [`SubmitError::Closed`] (the closure comes back), queued scoped tasks are
    /// cancelled (their handles report [`TaskError::Cancelled`], their closures are
    /// dropped before `scope` returns), and running ones are waited for.
    ///
    /// # Panics
    ///
    /// If a scoped task panicked and its handle was dropped without reporting
    /// it, if a result `scope` dropped panicked in its `Drop`, or if `f`
    /// panicked.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    ///
    /// let pool = ThreadPoolManager::new(2).unwrap();
    /// let mut halves = [vec![1, 2, 3], vec![4, 5, 6]];
    /// let (left, right) = halves.split_at_mut(1);
    /// pool.scope(|s| {
    ///     s.submit(|_| left[0].iter_mut().for_each(|x| *x *= 10)).unwrap();
    ///     s.submit(|_| right[0].iter_mut().for_each(|x| *x += 1)).unwrap();
    /// }); // both tasks are done here
    /// assert_eq!(halves, [vec![10, 20, 30], vec![5, 6, 7]]);
    /// ```
    pub fn scope<'env, F, T>(&self, f: F) -> T
    where
        F: for<'scope> FnOnce(&'scope Scope<'scope, 'env>) -> T,
    {
        let scope = Scope {
            shared: &self.shared,
            tasks: Mutex::new(Tasks {
                list: Vec::new(),
                kept: 0,
                panics: 0,
                first_panic: None,
                payloads: Vec::new(),
            }),
            next_id: StdAtomicUsize::new(0),
            scope: PhantomData,
            env: PhantomData,
        };
        let out = panic::catch_unwind(AssertUnwindSafe(|| f(&scope)));
        scope.finish();
        let (first, unclaimed) = {
            let mut t = scope.tasks.lock();
            (t.first_panic.take(), mem::take(&mut t.payloads))
        };
        // Payloads of panics a handle kept (a forgotten one): their `Drop` is
        // user code, run with no lock held.
        for (_, payload) in unclaimed {
            drop_quietly(payload);
        }
        match (out, first) {
            (Err(payload), first) => {
                if let Some(p) = first {
                    drop_quietly(p);
                }
                panic::resume_unwind(payload)
            }
            (Ok(_), Some(payload)) => panic::resume_unwind(payload),
            (Ok(value), None) => value,
        }
    }
}

impl<'scope, 'env> Scope<'scope, 'env> {
    /// Queues `f` on the pool's workers and returns a [`ScopedHandle`] for its
    /// result. `f` may borrow anything that outlives the scope, and gets the
    /// scope itself, to submit more scoped tasks (rayon's shape). Blocks while a
    /// bounded backlog is full, except inside one of the pool's own tasks (then
    /// [`SubmitError::Full`] at once, as [`ThreadPoolManager::submit`]).
    ///
    /// # Errors
    ///
    /// As [`ThreadPoolManager::submit`]: `Closed`, `Full`, `SpawnFailed` or
    /// `Broken`, with the closure back.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    ///
    /// let pool = ThreadPoolManager::new(2).unwrap();
    /// let data = [3, 1, 4, 1, 5];
    /// let max = pool.scope(|s| s.submit(|_| data.iter().max().copied()).unwrap().wait());
    /// assert_eq!(max, Ok(Some(5)));
    ///
    /// // Each task gets the scope too: a task may submit more.
    /// let (left, right) = data.split_at(2);
    /// let sum = pool.scope(|s| {
    ///     s.submit(|s| {
    ///         let l = s.submit(|_| left.iter().sum::<i32>()).unwrap();
    ///         let r = s.submit(|_| right.iter().sum::<i32>()).unwrap();
    ///         l.wait().unwrap() + r.wait().unwrap()
    ///     })
    ///     .unwrap()
    ///     .wait()
    /// });
    /// assert_eq!(sum, Ok(14));
    /// ```
    pub fn submit<F, R>(&'scope self, f: F) -> Result<ScopedHandle<'scope, R>, SubmitError<F>>
    where
        F: FnOnce(&'scope Scope<'scope, 'env>) -> R + Send + 'scope,
        R: Send + 'scope,
    {
        let id = self.next_id.fetch_add(1, StdOrdering::Relaxed);
        let task = Arc::new(ScopedTask {
            cell: TaskCell::unshared(WithScope { f, scope: self, id }),
            owner: AtomicU32::new(HANDLE),
            id,
        });
        let (job, tracked) = erase(&task);
        if let Err(e) = self.shared.accept(job, Job::Task, Block::Forever) {
            // Nobody else saw the cell: the closure is ours again.
            drop(tracked);
            return Err(e.map(|job| {
                drop(job);
                task.cell.refused_closure().f
            }));
        }
        self.track(tracked);
        Ok(ScopedHandle {
            task,
            shared: self.shared,
            tasks: &self.tasks,
        })
    }

    /// Remembers a submitted task, pruning the settled ones whose handles are
    /// gone once the list has grown enough.
    fn track(&self, task: Arc<dyn Scoped>) {
        let dead = {
            let mut t = self.tasks.lock();
            t.list.push(task);
            if t.list.len() < 2 * t.kept + PRUNE_SLACK {
                return;
            }
            let (dead, kept): (Vec<_>, Vec<_>) = mem::take(&mut t.list)
                .into_iter()
                .partition(|x| x.unclaimed());
            t.list = kept;
            t.kept = t.list.len();
            dead
        };
        // Results are dropped with the lock released: their `Drop` is user code.
        for task in dead {
            self.reclaim(&*task);
        }
    }

    /// [`Scoped::reclaim`], booking a panic it found for `scope` to raise.
    /// `true` if the result was the scope's (and is dropped now).
    fn reclaim(&self, task: &dyn Scoped) -> bool {
        match task.reclaim() {
            None => false,
            Some(Discarded::Quiet) => true,
            Some(Discarded::Panic(msg)) => {
                let later = {
                    let mut t = self.tasks.lock();
                    t.panics += 1;
                    // The task's own payload; a panicking `Drop` of a result
                    // has none kept: its message stands for it.
                    let payload: Payload =
                        t.take_payload(task.id()).unwrap_or_else(|| Box::new(msg));
                    if t.first_panic.is_none() {
                        t.first_panic = Some(payload);
                        None
                    } else {
                        Some(payload)
                    }
                };
                // Not re-raised: dropped with no lock held (user code).
                if let Some(p) = later {
                    drop_quietly(p);
                }
                true
            }
        }
    }

    /// Waits until every task of the scope is settled, helping with the ones no
    /// worker started, and drops the results nobody can take any more: those
    /// whose handles are gone. The scope's closure has returned, so only running
    /// scoped tasks can still submit more, or drop or wait on handles.
    ///
    /// A result whose handle still lives stays the handle's. Once every task is
    /// settled, such a handle can live on only inside another task's result (or
    /// forgotten), so dropping the results that are the scope's may let go of
    /// more handles (and a result's `Drop` may even submit): the loop goes round
    /// until nothing is left to wait for and nothing more is freed.
    fn finish(&self) {
        // Settled tasks whose results are still their handles'.
        let mut held: Vec<Arc<dyn Scoped>> = Vec::new();
        loop {
            let batch = mem::take(&mut self.tasks.lock().list);
            if batch.is_empty() {
                let before = held.len();
                held.retain(|task| !self.reclaim(&**task));
                if held.len() == before && self.tasks.lock().list.is_empty() {
                    break;
                }
                continue;
            }
            // Newest first: workers take the backlog from its oldest end.
            for task in batch.iter().rev() {
                help(self.shared, &**task, Look::Newest);
            }
            // Oldest first, each result dropped as soon as it is the scope's.
            for task in batch {
                if fault::active(Fault::ScopeSkipsRunningTasks)
                    && !is_settled(task.word().load(Ordering::Acquire))
                {
                    continue;
                }
                wait_settled(task.word());
                if !self.reclaim(&*task) {
                    held.push(task);
                }
            }
        }
        // What is left belongs to handles that are never dropped: forgotten, or
        // kept alive by a cycle through a result. Their outcomes are leaked with
        // them (see `erase`).
    }
}

/// Where [`help`] looks for a task's backlog entry first.
#[derive(Clone, Copy)]
enum Look {
    /// From the oldest end: a handle waiting for its task (often the oldest).
    Oldest,
    /// From the newest end: `finish` helps newest first.
    Newest,
}

/// Runs `task` here if no worker started it yet, and books it as a worker would.
///
/// Its backlog entry is taken out too, when it is still queued: otherwise it
/// would stay until a worker skips it, and a pool whose every worker is busy (a
/// one-worker pool whose task is the scope's caller) would pile up such entries
/// for as long as the scope lasts, against `max_pending`.
fn help<T: Scoped + ?Sized>(shared: &Shared, task: &T, look: Look) {
    let addr = (task as *const T).cast::<()>();
    let entry = {
        let mut st = shared.state.lock();
        let is_ours =
            |job: &Job| matches!(job, Job::Task(t) if Arc::as_ptr(t).cast::<()>() == addr);
        let at = match look {
            Look::Oldest => st.queue.iter().position(is_ours),
            Look::Newest => st.queue.iter().rposition(is_ours),
        };
        let entry = at.and_then(|i| st.queue.remove(i));
        if entry.is_some() {
            shared.note_backlog(&st);
        }
        entry
    };
    let Some(job) = entry else {
        // A worker popped it (it may not have started it yet), or it went to a
        // new worker directly: claim it if still pending; that worker skips it.
        if let Some(ran) = task.help() {
            Shared::book(&mut shared.state.lock(), ran);
        }
        return;
    };
    if shared.config.max_pending.is_some() {
        shared.space.notify_one();
    }
    // The entry is ours, so we settle it as a worker would.
    shared.run_here(job);
}

/// The result of one task submitted through a [`Scope`]: the scoped counterpart
/// of [`TaskHandle`] (and of `std::thread::ScopedJoinHandle`), bounded by the
/// scope.
///
/// [`wait`](Self::wait) runs the task on the calling thread if no worker has
/// started it yet, so waiting for a scoped task never needs a free worker.
///
/// The task's result belongs to the handle while the handle lives. The handle
/// may be moved into another scoped task and waited on there, even after the
/// scope's closure returned: [`scope`](ThreadPoolManager::scope) waits for that
/// task, and keeps the result for the handle. Dropping the handle does not cancel
/// the task; its result is then dropped by the scope, and its panic, if any, is
/// reported by `scope`. A handle forgotten with [`mem::forget`]
/// leaks its task's outcome with it.
///
/// [`TaskHandle`]: crate::TaskHandle
///
/// # Examples
///
/// ```
/// use queuekit::{TaskError, ThreadPoolManager};
///
/// let pool = ThreadPoolManager::new(1).unwrap();
/// let name = String::from("queuekit");
/// pool.scope(|s| {
///     let len = s.submit(|_| name.len()).unwrap();
///     let bad = s.submit(|_| -> usize { panic!("reported here") }).unwrap();
///     assert_eq!(len.wait(), Ok(8));
///     assert_eq!(bad.wait(), Err(TaskError::Panicked("reported here".into())));
/// });
/// ```
pub struct ScopedHandle<'scope, R> {
    task: Arc<dyn ScopedSlot<R> + 'scope>,
    shared: &'scope Shared,
    /// The scope's book, where a panicking task left its payload.
    tasks: &'scope Mutex<Tasks>,
}

impl<R> ScopedHandle<'_, R> {
    /// Blocks until the task finished and returns its value, or why there is none
    /// ([`TaskError::Panicked`], or [`TaskError::Cancelled`] if the pool was
    /// terminated, or broken, before the task started). Runs the task here if no
    /// worker has started it yet. Works on any thread the handle was moved to,
    /// also inside another scoped task after the scope's closure returned. A
    /// panic reported here is the caller's: the scope does not raise it again.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    ///
    /// let pool = ThreadPoolManager::new(2).unwrap();
    /// let v = vec![1, 2, 3];
    /// let sum = pool.scope(|s| s.submit(|_| v.iter().sum::<i32>()).unwrap().wait());
    /// assert_eq!(sum, Ok(6));
    /// ```
    pub fn wait(self) -> Result<R, TaskError> {
        help(self.shared, &*self.task, Look::Oldest);
        wait_settled(self.task.word());
        // SAFETY: we are the task's one handle (one per task, not `Clone`),
        // alive until `self` is dropped as this returns (its `Drop` releases the
        // slot after this take), and `wait_settled` read the word settled with
        // an Acquire load.
        let outcome = unsafe { self.task.take() };
        if matches!(outcome, Err(TaskError::Panicked(_))) {
            // Reported here: the scope does not raise it, and its payload goes.
            let payload = self.tasks.lock().take_payload(self.task.id());
            if let Some(p) = payload {
                drop_quietly(p);
            }
        }
        outcome
    }

    /// Whether nobody (worker or helper) has started the task yet and nobody
    /// cancelled it: [`help_newest`](Self::help_newest) would run it.
    pub(crate) fn is_pending(&self) -> bool {
        self.task.word().load(Ordering::Acquire) & PHASE == PENDING
    }

    /// Runs the task on this thread if no worker has started it yet, looking for
    /// its backlog entry from the newest end (workers take the oldest first, so a
    /// recently submitted task is found quickly and rarely raced for). Does not
    /// wait, and does not take the result: [`wait`](Self::wait) still does.
    pub(crate) fn help_newest(&self) {
        help(self.shared, &*self.task, Look::Newest);
    }

    /// `true` once the task has returned, panicked or been cancelled.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    ///
    /// let pool = ThreadPoolManager::new(1).unwrap();
    /// pool.scope(|s| {
    ///     let h = s.submit(|_| ()).unwrap();
    ///     while !h.is_finished() {
    ///         std::thread::yield_now();
    ///     }
    ///     assert_eq!(h.wait(), Ok(()));
    /// });
    /// ```
    #[must_use]
    pub fn is_finished(&self) -> bool {
        is_settled(self.task.word().load(Ordering::Acquire))
    }
}

impl<R> Drop for ScopedHandle<'_, R> {
    fn drop(&mut self) {
        // Whatever the task left (or leaves) in its result slot is the scope's
        // now; we never touch it again.
        self.task.release();
    }
}

impl<R> fmt::Debug for ScopedHandle<'_, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScopedHandle")
            .field("finished", &self.is_finished())
            .finish()
    }
}

impl fmt::Debug for Scope<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.tasks.lock();
        f.debug_struct("Scope")
            .field("tracked_tasks", &t.list.len())
            .field("unreported_panics", &t.panics)
            .finish()
    }
}
