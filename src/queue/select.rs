//! `Select`: wait on several queues at once, for a `get` on some and a `put` on
//! others, and complete exactly one of them.
//!
//! One waiter mechanism, the async one: each arm is an entry in its queue's task
//! waiter list (`wakers.rs`), registered through the core's `poll_get` /
//! `poll_put` exactly as a `get_async` / `put_async` future registers. All the
//! entries hold one `Waker`: the task's for [`Select::wait_async`], or for a
//! blocking thread one that unparks it ([`Parker`](crate::parker)). A wake-up
//! never completes anything by itself; it only wakes the selector, which polls
//! its arms from a random start and **stops at the first that completes**. That
//! single completer is the claim: no two sources can complete one select,
//! because sources never complete it (the must-fail model
//! `Fault::SelectCompletesTwice` keeps polling after a win, and loom catches the
//! second item taken). Completing, timing out or dropping the select removes
//! every entry; an entry removed while *notified* passes its wake-up on, as a
//! dropped future does, so a select that lost a race strands no item and no slot.

use std::borrow::BorrowMut;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use super::as_queue::AsQueue;
use super::discipline::Discipline;
use super::front::BlockingQueue;
use super::place::{Getters, Place, Putters};
use super::zero::Claim;
use crate::backoff::Backoff;
use crate::queue::error::{GetError, PutError};
use crate::sync::fault::{self, Fault};
use crate::waitlist::Key;

/// One operation of a select, with its result type erased to `R`.
trait Arm<R> {
    /// Whether the arm still has something to do (a put arm whose slot is empty
    /// has not).
    fn active(&self) -> bool;
    /// Completes now if it can, without registering: `true` if it did.
    fn try_now(&mut self) -> bool;
    /// Completes if it can, else registers `cx`'s waker: `Ready` if it did.
    fn poll(&mut self, cx: &mut Context<'_>) -> Poll<()>;
    /// Removes a registered entry (passing on a wake-up it had received).
    fn leave(&mut self);
    /// The completed result, mapped by the user's function. Called once per
    /// completion, after every arm left its list.
    fn finish(&mut self) -> R;
    /// A put arm on a rendezvous queue: offers its item (it moves into the
    /// queue) under the select's `claim`. Called only after every arm failed
    /// to complete in the round; completes nothing.
    fn offer(&mut self, _cx: &mut Context<'_>, _claim: &Arc<Claim>) {}
    /// Takes this arm's offer back: `true` if a getter took it (the arm
    /// completed), else the item is back in its slot.
    fn reclaim(&mut self) -> bool {
        false
    }
}

/// A get arm: its place in the queue's getter list (left when the arm drops).
struct GetArm<'a, T, D: Discipline<T>, F> {
    place: Place<&'a BlockingQueue<T, D>, Getters>,
    done: Option<Result<T, GetError>>,
    f: F,
}

impl<T, D: Discipline<T>, R, F: FnMut(Result<T, GetError>) -> R> Arm<R> for GetArm<'_, T, D, F> {
    fn active(&self) -> bool {
        true
    }

    fn try_now(&mut self) -> bool {
        match self.place.queue().try_get() {
            Err(GetError::Empty) => false,
            r => {
                self.done = Some(r);
                true
            }
        }
    }

    fn poll(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        self.place.poll_get(cx).map(|r| self.done = Some(r))
    }

    fn leave(&mut self) {
        self.place.leave();
    }

    fn finish(&mut self) -> R {
        let r = self.done.take().expect("finish without a completion");
        (self.f)(r)
    }
}

/// A put arm: its place in the queue's putter list (left when the arm drops,
/// before the slot drops), and its item in `slot`, the caller's
/// `&mut Option<T>` ([`Select::put`]) or an [`OwnedSlot`] ([`Select::put_item`]).
struct PutArm<'a, T, D: Discipline<T>, S: BorrowMut<Option<T>>, F> {
    place: Place<&'a BlockingQueue<T, D>, Putters>,
    slot: S,
    /// A rendezvous queue's offer holding the slot's item while the select
    /// waits.
    offered: Option<Key>,
    done: Option<Result<(), PutError<T>>>,
    f: F,
}

impl<T, D, S, R, F> Arm<R> for PutArm<'_, T, D, S, F>
where
    D: Discipline<T>,
    S: BorrowMut<Option<T>>,
    F: FnMut(Result<(), PutError<T>>) -> R,
{
    fn active(&self) -> bool {
        self.slot.borrow().is_some() || self.offered.is_some()
    }

    fn try_now(&mut self) -> bool {
        let slot = self.slot.borrow_mut();
        let Some(item) = slot.take() else {
            return false;
        };
        match self.place.queue().try_put(item) {
            Err(PutError::Full(item)) => {
                *slot = Some(item);
                false
            }
            r => {
                self.done = Some(r);
                true
            }
        }
    }

    fn poll(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if self.place.queue().core.zero().is_some() {
            // Rendezvous: a hand-off to a blocked getter now, or an offer
            // once the whole round failed (`offer`).
            return if self.try_now() {
                Poll::Ready(())
            } else {
                Poll::Pending
            };
        }
        let slot = self.slot.borrow_mut();
        self.place.poll_put(slot, cx).map(|r| self.done = Some(r))
    }

    fn leave(&mut self) {
        self.place.leave();
        // A select that stops waiting takes its offer back (taken by a getter
        // meanwhile only if the select is dropped while pending: the item was
        // then handed over).
        self.withdraw_offer();
    }

    fn finish(&mut self) -> R {
        let r = self.done.take().expect("finish without a completion");
        (self.f)(r)
    }

    fn offer(&mut self, cx: &mut Context<'_>, claim: &Arc<Claim>) {
        if let Some(zero) = self.place.queue().core.zero() {
            if self.offered.is_none() {
                self.offered = zero.offer_for_select(self.slot.borrow_mut(), cx, claim);
            }
        }
    }

    fn reclaim(&mut self) -> bool {
        self.withdraw_offer()
    }
}

impl<T, D: Discipline<T>, S: BorrowMut<Option<T>>, F> PutArm<'_, T, D, S, F> {
    /// See [`Arm::reclaim`].
    fn withdraw_offer(&mut self) -> bool {
        // `offered` is only ever set on a rendezvous queue.
        let (Some(zero), Some(k)) = (self.place.queue().core.zero(), self.offered.take()) else {
            return false;
        };
        match zero.withdraw(k) {
            Some(item) => {
                *self.slot.borrow_mut() = Some(item);
                false
            }
            None => {
                self.done = Some(Ok(()));
                true
            }
        }
    }
}

impl<T, D: Discipline<T>, S: BorrowMut<Option<T>>, F> Drop for PutArm<'_, T, D, S, F> {
    fn drop(&mut self) {
        // An offer still out goes back into the slot (before the slot drops).
        // Only a rendezvous queue has offers, and there the arm never takes a
        // place in the putter list (`poll` hands off or offers instead), so
        // the order against the place's leaving does not matter.
        self.withdraw_offer();
        // Then the place leaves its list, and the slot drops, outside every
        // lock: an `OwnedSlot` hands its item, if still there, to its `unsent`
        // function.
    }
}

/// The slot of a [`Select::put_item`] arm: owns the item until it is put, and
/// hands it to `unsent` if the select drops with the item still here.
struct OwnedSlot<T, U: FnOnce(T)> {
    item: Option<T>,
    unsent: Option<U>,
}

impl<T, U: FnOnce(T)> std::borrow::Borrow<Option<T>> for OwnedSlot<T, U> {
    fn borrow(&self) -> &Option<T> {
        &self.item
    }
}

impl<T, U: FnOnce(T)> BorrowMut<Option<T>> for OwnedSlot<T, U> {
    fn borrow_mut(&mut self) -> &mut Option<T> {
        &mut self.item
    }
}

impl<T, U: FnOnce(T)> Drop for OwnedSlot<T, U> {
    fn drop(&mut self) {
        if let (Some(item), Some(unsent)) = (self.item.take(), self.unsent.take()) {
            unsent(item);
        }
    }
}

pub(crate) mod sealed {
    /// Only [`LocalArms`](super::LocalArms) and [`SendArms`](super::SendArms)
    /// say what a select's arms may hold.
    pub trait Sealed {}
}

/// What the arms of a [`Select`] may capture: [`LocalArms`] (anything; the
/// select is not `Send`) or [`SendArms`] (only `Send` closures and items; the
/// select is `Send`, so its [`SelectFuture`] can be held across an `.await` in
/// a task spawned on a multi-threaded runtime). `X` stands for what one arm
/// holds (its closures, item type and discipline). Sealed.
///
/// # Examples
///
/// ```
/// use queuekit::{ArmKind, LocalArms, Select, SendArms};
///
/// fn arms<K: ArmKind<()>>(_: &Select<'_, (), K>) {}
/// let local: Select<'_, (), LocalArms> = Select::new();
/// let send: Select<'_, (), SendArms> = Select::new_send();
/// arms(&local);
/// arms(&send);
/// ```
pub trait ArmKind<X>: sealed::Sealed {}

/// The default kind of [`Select`]: arm closures and items need not be `Send`
/// (they may capture a `Cell` or an `Rc`), and the select is not `Send`.
///
/// # Examples
///
/// ```
/// use queuekit::{LocalArms, Queue, Select};
/// use std::cell::Cell;
///
/// let q = Queue::unbounded();
/// q.put(1).unwrap();
/// let seen = Cell::new(0);
/// let mut sel: Select<'_, (), LocalArms> = Select::new().get(&q, |r| seen.set(r.unwrap()));
/// sel.wait();
/// assert_eq!(seen.get(), 1);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct LocalArms;

/// The kind of [`Select`] made by [`Select::new_send`]: every arm's closures
/// and items are `Send`, and so is the select.
///
/// # Examples
///
/// ```
/// use queuekit::{Queue, Select, SendArms};
/// use std::sync::Arc;
///
/// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
/// # async fn main() {
/// let q = Arc::new(Queue::unbounded());
/// let task = {
///     let q = Arc::clone(&q);
///     tokio::spawn(async move {
///         let mut sel: Select<'_, i32, SendArms> = Select::new_send().get(&q, |r| r.unwrap());
///         sel.wait_async().await // held across an `.await` in a spawned task
///     })
/// };
/// q.put(3).unwrap();
/// assert_eq!(task.await.unwrap(), Some(3));
/// # }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct SendArms;

impl sealed::Sealed for LocalArms {}
impl sealed::Sealed for SendArms {}
impl<X> ArmKind<X> for LocalArms {}
impl<X: Send> ArmKind<X> for SendArms {}

/// Waits until one of several queue operations can complete, and completes
/// exactly that one: a `get` on any of some queues, a `put` on any of others,
/// in one call. Queues of different item types and disciplines mix freely; each
/// arm maps its own result into the select's common output type `R` (usually
/// an enum of yours), so the result says which arm completed *and* carries its
/// item, typed.
///
/// Compared with `crossbeam_channel::select!`:
///
/// | crossbeam                              | queuekit                                         |
/// |----------------------------------------|--------------------------------------------------|
/// | `recv(r) -> msg => body`               | `.get(&q, \|msg\| body)` (`msg: Result<T, GetError>`) |
/// | `send(s, v) -> res => body`            | `.put(&q, &mut slot, \|res\| body)`, or [`put_item`](Select::put_item) (the arm owns `v`) |
/// | `recv(rx)` / `send(tx, v)` on channel ends | `.get(&rx, ..)` on a [`Consumer`](crate::Consumer), `.put(&tx, ..)` on a [`Producer`](crate::Producer): any [`AsQueue`] |
/// | `default => ...`                       | [`try_wait`](Select::try_wait) returns `None`     |
/// | `default(timeout) => ...`              | [`wait_timeout`](Select::wait_timeout) / [`wait_deadline`](Select::wait_deadline) return `None` |
/// | disconnected channel: `Err(RecvError)` | shut-down queue: `Err(GetError::ShutDown)` / `Err(PutError::ShutDown(item))` |
/// | random start                           | random start (per pass over the arms)            |
/// | (futures' `select_biased!`, tokio's `biased;`) | [`biased`](Select::biased): arms in the order added |
/// | bodies are code: they may use a `Cell` | closures may capture anything ([`LocalArms`], the default); [`new_send`](Select::new_send) for a `Send` select |
///
/// A put arm's item lives in the caller's `Option` slot (or, with
/// [`put_item`](Select::put_item), in the arm) and moves into the queue only
/// when that arm wins: if another arm wins, or the wait times out, the item is
/// still in the slot (never lost; an owned item goes to the arm's `unsent`
/// function when the select drops). A `Select` can be waited on
/// again; a put arm whose slot is empty is skipped, and an arm on a shut-down
/// queue completes every time (as a disconnected channel does in crossbeam).
///
/// An arm is *active* while it can still complete: a get arm always is, a put
/// arm while its slot holds an item. A select with no active arm (no
/// operations, or only put arms whose items already went) could never
/// complete, so every wait on it returns `None` at once instead of blocking
/// forever.
///
/// Blocking waits park the calling thread on a futex (the queues' own waiter
/// lists point at it); [`wait_async`](Select::wait_async) is the same select as
/// a future, for any executor.
///
/// # Examples
///
/// ```
/// use queuekit::{GetError, PriorityQueue, Queue, Select};
///
/// enum Event {
///     Control(Result<&'static str, GetError>),
///     Work(Result<u32, GetError>),
/// }
///
/// let control = Queue::unbounded();
/// let work = PriorityQueue::unbounded();
/// work.put(7).unwrap();
/// control.put("stop").unwrap();
///
/// let mut sel = Select::new()
///     .get(&control, Event::Control)
///     .get(&work, Event::Work);
/// let mut seen = Vec::new();
/// for _ in 0..2 {
///     // `Some`: get arms are always active, so `wait` blocks until one completes.
///     match sel.wait() {
///         Some(Event::Control(cmd)) => seen.push(format!("control {}", cmd.unwrap())),
///         Some(Event::Work(n)) => seen.push(format!("work {}", n.unwrap())),
///         None => unreachable!("a select with get arms always has an active arm"),
///     }
/// }
/// seen.sort();
/// assert_eq!(seen, ["control stop", "work 7"]);
/// assert!(sel.try_wait().is_none()); // both empty now
/// ```
pub struct Select<'a, R, K = LocalArms> {
    arms: Vec<Box<dyn Arm<R> + 'a>>,
    /// Shared by the offers of the put arms on rendezvous queues (made with the
    /// first such arm): a getter takes at most one of them.
    claim: Option<Arc<Claim>>,
    /// Under loom, where the next pass starts (rotating from 0); unused
    /// otherwise, where each pass starts at a random arm.
    turn: usize,
    /// Every pass starts at the first arm ([`biased`](Select::biased)).
    biased: bool,
    kind: PhantomData<K>,
}

// SAFETY: a `Select<SendArms>` only ever holds arms admitted through
// `K: ArmKind<(F, T, D)>` (`get`) or `ArmKind<(F, U, T, D)>` (`put`,
// `put_item`), which for `SendArms` requires those types to be `Send`. An arm
// holds exactly: its `Place`, a `&BlockingQueue<T, D>` (`Send` when the queue
// is `Sync`, which it is for `T: Send, D: Send`) with its key (`usize`) and a
// `PhantomData` of a unit marker, a finished result
// (`T`, `GetError`, `PutError<T>`: `Send` for `T: Send`), its closure `F`, and
// a slot (`&mut Option<T>`, or an owned `Option<T>` with the `unsent` closure
// `U`). All `Send`, so moving the boxes to another thread is sound; the
// trait objects only lack the `Send` bound because `LocalArms` shares the
// storage. The other fields (`usize`, `bool`, `PhantomData<SendArms>`, and the
// claim, an `Arc` of an atomic) are `Send`.
unsafe impl<R> Send for Select<'_, R, SendArms> {}

impl<'a, R> Select<'a, R, LocalArms> {
    /// A select with no operations yet; add them with [`get`](Self::get),
    /// [`put`](Self::put) and [`put_item`](Self::put_item). Its arms' closures
    /// and items need not be `Send` ([`LocalArms`]); for a select that is
    /// itself `Send`, use [`new_send`](Select::new_send).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{Queue, Select};
    ///
    /// let q = Queue::unbounded();
    /// q.put(1).unwrap();
    /// assert_eq!(Select::new().get(&q, |r| r.unwrap()).wait(), Some(1));
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self::empty()
    }
}

impl<'a, R> Select<'a, R, SendArms> {
    /// A select that is `Send` ([`SendArms`]): every arm's closures and items
    /// must be `Send`. For a [`wait_async`](Select::wait_async) held across an
    /// `.await` in a task a multi-threaded runtime may move between threads.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{Queue, Select};
    /// use std::thread;
    ///
    /// let q = Queue::unbounded();
    /// let mut sel = Select::new_send().get(&q, |r| r.unwrap());
    /// q.put("moved").unwrap();
    /// thread::scope(|s| {
    ///     // The select itself moves into another thread.
    ///     assert_eq!(s.spawn(move || sel.wait()).join().unwrap(), Some("moved"));
    /// });
    /// ```
    #[must_use]
    pub fn new_send() -> Self {
        Self::empty()
    }
}

impl<'a, R, K> Select<'a, R, K> {
    fn empty() -> Self {
        Self {
            arms: Vec::new(),
            claim: None,
            turn: 0,
            biased: false,
            kind: PhantomData,
        }
    }

    /// Tries the arms in the order they were added, every pass, instead of
    /// from a random one (tokio's `biased;`): when several are ready, the
    /// first added wins. An arm that is always ready starves the ones after
    /// it; use it for priorities (a control queue before a work queue).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{Queue, Select};
    ///
    /// let (urgent, normal) = (Queue::unbounded(), Queue::unbounded());
    /// normal.put_all(["n1", "n2"]).unwrap();
    /// urgent.put_all(["u1", "u2"]).unwrap();
    /// let mut sel = Select::new()
    ///     .biased()
    ///     .get(&urgent, |r| r.unwrap())
    ///     .get(&normal, |r| r.unwrap());
    /// let order: Vec<_> = (0..4).map(|_| sel.wait().unwrap()).collect();
    /// assert_eq!(order, ["u1", "u2", "n1", "n2"]);
    /// ```
    #[must_use]
    pub fn biased(mut self) -> Self {
        self.biased = true;
        self
    }

    /// Adds a `get` on `queue` (a [`BlockingQueue`], an `Arc` of one, or a
    /// [`Consumer`](crate::Consumer) end: anything [`AsQueue`]); when it wins,
    /// `f` maps its result (the item, or [`GetError::ShutDown`] once the queue
    /// is shut down and drained) into `R`.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{GetError, LifoQueue, Queue, Select};
    ///
    /// let a: Queue<u8> = Queue::unbounded();
    /// let b = LifoQueue::unbounded();
    /// b.put("b").unwrap();
    /// a.shutdown();
    /// // Either arm may win: `a` is shut down, `b` has an item.
    /// let r = Select::new()
    ///     .get(&a, |r| r.map(|n| n.to_string()))
    ///     .get(&b, |r| r.map(str::to_string))
    ///     .wait();
    /// assert!(r == Some(Err(GetError::ShutDown)) || r == Some(Ok("b".to_string())));
    ///
    /// // The counted ends work too.
    /// let (tx, rx) = Queue::unbounded().split();
    /// tx.put(7).unwrap();
    /// assert_eq!(Select::new().get(&rx, |r| r.unwrap()).wait(), Some(7));
    /// ```
    #[must_use]
    pub fn get<Q, F>(mut self, queue: &'a Q, f: F) -> Self
    where
        Q: AsQueue + ?Sized,
        F: FnMut(Result<Q::Item, GetError>) -> R + 'a,
        K: ArmKind<(F, Q::Item, Q::Discipline)>,
    {
        self.arms.push(Box::new(GetArm {
            place: Place::new(queue.as_queue()),
            done: None,
            f,
        }));
        self
    }

    /// Adds a `put` of the item in `slot` into `queue` (a [`BlockingQueue`],
    /// an `Arc` of one, or a [`Producer`](crate::Producer) end); when it wins,
    /// the item has moved into the queue (or, if the queue is shut down, is
    /// handed to `f` in [`PutError::ShutDown`]) and `f` maps the result into
    /// `R`. If another arm wins the item stays in `slot`. An empty slot makes
    /// the arm inactive: it is skipped, and a select whose only arms are
    /// inactive put arms returns `None` from every wait.
    ///
    /// `slot` stays borrowed while the select lives; [`put_item`](Self::put_item)
    /// is the arm that owns its item instead.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{Queue, Select};
    ///
    /// let full = Queue::bounded(1);
    /// full.put(0).unwrap();
    /// let input = Queue::unbounded();
    /// input.put("job").unwrap();
    ///
    /// let mut item = Some(1);
    /// let won_put = Select::new()
    ///     .put(&full, &mut item, |r| r.is_ok())
    ///     .get(&input, |_| false)
    ///     .wait();
    /// assert_eq!(won_put, Some(false)); // the queue was full, so the get won...
    /// assert_eq!(item, Some(1)); // ...and the item is still ours
    /// ```
    #[must_use]
    pub fn put<Q, F>(mut self, queue: &'a Q, slot: &'a mut Option<Q::Item>, f: F) -> Self
    where
        Q: AsQueue + ?Sized,
        F: FnMut(Result<(), PutError<Q::Item>>) -> R + 'a,
        K: ArmKind<(F, (), Q::Item, Q::Discipline)>,
    {
        self.claim_for(queue.as_queue());
        self.arms.push(Box::new(PutArm {
            place: Place::new(queue.as_queue()),
            slot,
            offered: None,
            done: None,
            f,
        }));
        self
    }

    /// Adds a `put` of `item` into `queue`, the arm owning the item: nothing of
    /// the caller's stays borrowed. When the arm wins, `f` maps the result as
    /// for [`put`](Self::put) and the arm becomes inactive. If the select is
    /// dropped with the item not put (another arm won, a wait timed out), the
    /// item is handed to `unsent`, after every lock is released: never lost,
    /// never dropped silently.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{Queue, Select};
    /// use std::cell::Cell;
    ///
    /// let full = Queue::bounded(1);
    /// full.put(0).unwrap();
    /// let input = Queue::unbounded();
    /// input.put("job").unwrap();
    ///
    /// let back = Cell::new(None);
    /// let won = Select::new()
    ///     .put_item(&full, 1, |r| r.is_ok(), |item| back.set(Some(item)))
    ///     .get(&input, |_| false)
    ///     .wait(); // the select is a temporary: it drops here
    /// assert_eq!(won, Some(false));
    /// assert_eq!(back.get(), Some(1)); // handed back, not lost
    /// ```
    #[must_use]
    pub fn put_item<Q, F, U>(mut self, queue: &'a Q, item: Q::Item, f: F, unsent: U) -> Self
    where
        Q: AsQueue + ?Sized,
        Q::Item: 'a,
        F: FnMut(Result<(), PutError<Q::Item>>) -> R + 'a,
        U: FnOnce(Q::Item) + 'a,
        K: ArmKind<(F, U, Q::Item, Q::Discipline)>,
    {
        self.claim_for(queue.as_queue());
        self.arms.push(Box::new(PutArm {
            place: Place::new(queue.as_queue()),
            slot: OwnedSlot {
                item: Some(item),
                unsent: Some(unsent),
            },
            offered: None,
            done: None,
            f,
        }));
        self
    }

    /// Completes one ready operation if there is one, without waiting: `None`
    /// if none is ready (or none is active).
    ///
    /// It looks at the arms one after another, so it makes a second pass
    /// before it gives up (as crossbeam's `try_select` does): an item that
    /// moves from a queue it has not looked at yet to one it already found
    /// empty (another thread puts into the second, then takes from the first)
    /// is still found, where a single pass would return `None` although one
    /// of its queues held an item at every instant of the call. `None` means
    /// every active arm was found not ready twice.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{Queue, Select};
    ///
    /// let q: Queue<i32> = Queue::unbounded();
    /// let mut sel = Select::new().get(&q, |r| r.unwrap());
    /// assert_eq!(sel.try_wait(), None);
    /// q.put(3).unwrap();
    /// assert_eq!(sel.try_wait(), Some(3));
    /// ```
    pub fn try_wait(&mut self) -> Option<R> {
        let start = self.next_start();
        self.try_round(start).or_else(|| {
            if fault::active(Fault::SelectTryWaitOnePass) {
                return None;
            }
            self.try_round(start)
        })
    }

    /// One pass over the active arms from `start`, completing the first that
    /// is ready, registering nothing.
    fn try_round(&mut self, start: usize) -> Option<R> {
        let n = self.arms.len();
        let mut won = None;
        for j in 0..n {
            let i = (start + j) % n;
            let arm = &mut self.arms[i];
            if arm.active() && arm.try_now() {
                won.get_or_insert(i);
                if !fault::active(Fault::SelectCompletesTwice) {
                    break;
                }
            }
        }
        won.map(|i| self.arms[i].finish())
    }

    /// Blocks until one operation completes, and returns `Some` of its mapped
    /// result.
    ///
    /// Returns `None` at once, without blocking, if no arm is active (no
    /// operations, or only put arms whose slots are empty): nothing could ever
    /// complete, so there is nothing to wait for. With at least one active arm
    /// it never returns `None`.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{Queue, Select};
    /// use std::thread;
    ///
    /// let (a, b) = (Queue::unbounded(), Queue::unbounded());
    /// thread::scope(|s| {
    ///     s.spawn(|| b.put(2).unwrap());
    ///     let got = Select::new().get(&a, |r| ('a', r)).get(&b, |r| ('b', r)).wait();
    ///     assert_eq!(got, Some(('b', Ok(2))));
    /// });
    ///
    /// // No active arm: the only put arm has no item to put.
    /// let mut sent = None;
    /// assert_eq!(Select::new().put(&a, &mut sent, |r| r.is_ok()).wait(), None);
    /// ```
    pub fn wait(&mut self) -> Option<R> {
        self.run(None)
    }

    /// [`wait`](Self::wait) for at most `timeout`. `None` means nothing
    /// completed: it timed out (every put arm's item is still in its slot), or
    /// no arm is active, in which case it returns at once instead of sleeping
    /// for `timeout`.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{Queue, Select};
    /// use std::time::Duration;
    ///
    /// let q: Queue<u8> = Queue::unbounded();
    /// let r = Select::new().get(&q, |r| r).wait_timeout(Duration::from_millis(5));
    /// assert!(r.is_none()); // timed out
    ///
    /// // No operation at all: `None` at once, not after an hour.
    /// let mut empty: Select<'_, ()> = Select::new();
    /// assert!(empty.wait_timeout(Duration::from_secs(3600)).is_none());
    /// ```
    pub fn wait_timeout(&mut self, timeout: Duration) -> Option<R> {
        self.run(Instant::now().checked_add(timeout))
    }

    /// [`wait`](Self::wait) until `deadline`. `None` means nothing completed:
    /// the deadline passed, or no arm is active, in which case it returns at
    /// once instead of sleeping until `deadline`. A deadline already past makes
    /// it [`try_wait`](Self::try_wait).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{Queue, Select};
    /// use std::time::{Duration, Instant};
    ///
    /// let q = Queue::unbounded();
    /// q.put('x').unwrap();
    /// let deadline = Instant::now() + Duration::from_secs(1);
    /// assert_eq!(Select::new().get(&q, |r| r.unwrap()).wait_deadline(deadline), Some('x'));
    /// ```
    pub fn wait_deadline(&mut self, deadline: Instant) -> Option<R> {
        self.run(Some(deadline))
    }

    /// The select as a future: resolves to `Some` of the mapped result of the
    /// first operation to complete, or to `None` at once if no arm is active
    /// (as [`wait`](Self::wait)). Dropping it before it completes completes
    /// nothing (put items stay in their slots) and passes any wake-up it had
    /// received on to another waiter.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{Queue, Select};
    ///
    /// let (a, b) = (Queue::<u8>::unbounded(), Queue::unbounded());
    /// b.put("async").unwrap();
    /// let mut sel = Select::new().get(&a, |_| "a").get(&b, |r| r.unwrap());
    /// assert_eq!(futures::executor::block_on(sel.wait_async()), Some("async"));
    ///
    /// let mut empty: Select<'_, u8> = Select::new();
    /// assert_eq!(futures::executor::block_on(empty.wait_async()), None);
    /// ```
    pub fn wait_async(&mut self) -> SelectFuture<'_, 'a, R, K> {
        SelectFuture { sel: self }
    }

    /// Where the next pass starts: a random arm (per thread xorshift), so no
    /// arm starves whatever the caller's pattern of selects (crossbeam picks
    /// a random order too). Under loom a per-select rotation from 0, so a
    /// model's executions start alike.
    fn next_start(&mut self) -> usize {
        if self.biased {
            return 0;
        }
        if crate::sync::LOOM {
            let t = self.turn;
            self.turn = self.turn.wrapping_add(1);
            return t;
        }
        random_start()
    }

    /// Whether some arm can still complete. Only a completing put arm turns
    /// itself inactive (its slot empties), and that completes the wait, so this
    /// cannot change while a wait is pending.
    fn has_active(&self) -> bool {
        self.arms.iter().any(|a| a.active())
    }

    /// A put arm on a rendezvous queue offers under the select's claim: made
    /// with the first such arm.
    fn claim_for<T, D: Discipline<T>>(&mut self, queue: &BlockingQueue<T, D>) {
        if queue.core.zero().is_some() && self.claim.is_none() {
            self.claim = Some(Claim::new());
        }
    }

    /// Takes back the offers the put arms on rendezvous queues made in the last
    /// round; returns the arm whose offer a getter took (at most one: the
    /// claim), which completed the select.
    fn take_back(&mut self) -> Option<usize> {
        let claim = self.claim.as_ref()?;
        let mut won = None;
        for (i, arm) in self.arms.iter_mut().enumerate() {
            if arm.reclaim() {
                won.get_or_insert(i);
            }
        }
        // No offer is out any more: no getter can touch the claim.
        claim.reset();
        won
    }

    /// One round: takes back last round's offers (one taken completes the
    /// select), then polls the active arms from a random start, registering each
    /// that cannot complete, and stops at the first that does. If none does,
    /// the put arms on rendezvous queues offer their items last, so the
    /// select completes nothing itself while an offer is out.
    fn poll_round(&mut self, cx: &mut Context<'_>) -> Poll<R> {
        if let Some(i) = self.take_back() {
            self.leave_all();
            return Poll::Ready(self.arms[i].finish());
        }
        let n = self.arms.len();
        let start = self.next_start();
        let mut won = None;
        for j in 0..n {
            let i = (start + j) % n;
            let arm = &mut self.arms[i];
            if arm.active() && arm.poll(cx).is_ready() {
                won.get_or_insert(i);
                if !fault::active(Fault::SelectCompletesTwice) {
                    break;
                }
            }
        }
        match won {
            Some(i) => {
                self.leave_all();
                Poll::Ready(self.arms[i].finish())
            }
            None => {
                if let Some(claim) = &self.claim {
                    // From the same start: the first offer made may be taken
                    // before the next is, so no queue is favoured.
                    for j in 0..n {
                        self.arms[(start + j) % n].offer(cx, claim);
                    }
                }
                Poll::Pending
            }
        }
    }

    fn leave_all(&mut self) {
        for arm in &mut self.arms {
            arm.leave();
        }
    }

    fn run(&mut self, deadline: Option<Instant>) -> Option<R> {
        if !self.has_active() {
            // Nothing could ever complete: no point waiting until the deadline.
            return None;
        }
        if let Some(r) = self.try_wait() {
            return Some(r);
        }
        // Before registering anywhere: a short backoff of non-registering
        // rounds (spin, then yield), as crossbeam's select does. Skipped under
        // loom, where it only multiplies the interleavings.
        let mut backoff = Backoff::new();
        while backoff.spin_or_yield() {
            let start = self.next_start();
            if let Some(r) = self.try_round(start) {
                return Some(r);
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                return None;
            }
        }
        crate::parker::with_current(|parker, waker| {
            let mut cx = Context::from_waker(waker);
            loop {
                if let Poll::Ready(r) = self.poll_round(&mut cx) {
                    return Some(r);
                }
                if !parker.park(deadline) {
                    // No wake-up: no registered arm's condition came true,
                    // unless a getter took an offer as the deadline passed.
                    let won = self.take_back();
                    self.leave_all();
                    return won.map(|i| self.arms[i].finish());
                }
            }
        })
    }
}

impl<R> Default for Select<'_, R> {
    fn default() -> Self {
        Self::new()
    }
}

impl<R, K> fmt::Debug for Select<'_, R, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Select")
            .field("arms", &self.arms.len())
            .field("biased", &self.biased)
            .field("active", &self.arms.iter().filter(|a| a.active()).count())
            .finish()
    }
}

/// A random start for a pass: xorshift64 on a per-thread state, seeded once
/// per thread from std's random hash keys (`RandomState`, no new dependency)
/// mixed with the state's address. Not for anything but spreading the starts: a pass reduces it
/// modulo its arm count.
fn random_start() -> usize {
    use std::cell::Cell;
    use std::hash::BuildHasher;
    std::thread_local! {
        static STATE: Cell<u64> = const { Cell::new(0) };
    }
    STATE.with(|state| {
        let mut x = state.get();
        if x == 0 {
            let here = state as *const Cell<u64> as usize;
            // `| 1`: xorshift never leaves 0, so the state must not start there.
            x = std::collections::hash_map::RandomState::new().hash_one(here) | 1;
        }
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        state.set(x);
        // The high half: the better-mixed bits.
        (x >> 32) as usize
    })
}

/// The future of [`Select::wait_async`]: resolves to `Some` of the first
/// completed operation's mapped result, or to `None` at once if the select has
/// no active arm.
///
/// # Examples
///
/// ```
/// use queuekit::{Queue, Select};
///
/// let q = Queue::unbounded();
/// q.put(5).unwrap();
/// let mut sel = Select::new().get(&q, |r| r.unwrap() * 2);
/// let fut: queuekit::SelectFuture<'_, '_, i32> = sel.wait_async();
/// assert_eq!(futures::executor::block_on(fut), Some(10));
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct SelectFuture<'s, 'a, R, K = LocalArms> {
    sel: &'s mut Select<'a, R, K>,
}

impl<R, K> Future for SelectFuture<'_, '_, R, K> {
    type Output = Option<R>;

    /// `Ready(None)` at once if no arm is active; otherwise one round over the
    /// arms, `Ready(Some(_))` if one completed.
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<R>> {
        let this = self.get_mut();
        if !this.sel.has_active() {
            return Poll::Ready(None);
        }
        this.sel.poll_round(cx).map(Some)
    }
}

impl<R, K> Drop for SelectFuture<'_, '_, R, K> {
    fn drop(&mut self) {
        self.sel.leave_all();
    }
}

impl<R, K> fmt::Debug for SelectFuture<'_, '_, R, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SelectFuture")
            .field("sel", &self.sel)
            .finish()
    }
}

// Plain unit tests (std types; `cargo test` without the loom feature): scenarios
// that need to see a thread wait for a queue's lock, which only the crate can.
crate::sync::cfg_not_loom! {
    #[cfg(test)]
    mod tests {
        use super::*;
        use crate::queue::{PriorityQueue, Queue};
        use std::cmp::Ordering as Order;
        use std::sync::atomic::{AtomicBool, Ordering as O};
        use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
        use std::sync::{Arc, Mutex as StdMutex};
        use std::thread;

        /// Holds the first comparison made while armed until released.
        struct Gate {
            armed: AtomicBool,
            entered: SyncSender<()>,
            release: StdMutex<Receiver<()>>,
        }

        impl Gate {
            fn pass(&self) {
                if self.armed.swap(false, O::AcqRel) {
                    self.entered.send(()).unwrap();
                    self.release.lock().unwrap().recv().unwrap();
                }
            }
        }

        /// An item whose `Ord` goes through the gate (it runs under the
        /// priority queue's lock).
        struct Gated(u32, Arc<Gate>);

        impl PartialEq for Gated {
            fn eq(&self, other: &Self) -> bool {
                self.cmp(other) == Order::Equal
            }
        }
        impl Eq for Gated {}
        impl PartialOrd for Gated {
            fn partial_cmp(&self, other: &Self) -> Option<Order> {
                Some(self.cmp(other))
            }
        }
        impl Ord for Gated {
            fn cmp(&self, other: &Self) -> Order {
                self.1.pass();
                self.0.cmp(&other.0)
            }
        }

        /// At every instant of the call one of the select's queues holds an
        /// item, yet the arms are looked at one after another: `q2` (empty),
        /// then `p`, whose lock a drain holds inside a blocking `Ord`; while
        /// the select waits for that lock, another thread puts into `q2` and
        /// then takes `q1`'s item; the select finds `p` and `q1` empty. A
        /// `try_wait` that gave up then would return `None`.
        #[test]
        fn try_wait_is_linearizable_across_a_held_arm_lock() {
            let (entered_tx, entered_rx) = sync_channel(1);
            let (release_tx, release_rx) = sync_channel(1);
            let gate = Arc::new(Gate {
                armed: AtomicBool::new(false),
                entered: entered_tx,
                release: StdMutex::new(release_rx),
            });
            let q2: Queue<u32> = Queue::unbounded();
            let p: PriorityQueue<Gated> = PriorityQueue::unbounded();
            let q1: Queue<u32> = Queue::unbounded();
            for i in 0..3 {
                p.put(Gated(i, gate.clone())).unwrap();
            }
            q1.put(1).unwrap();
            gate.armed.store(true, O::Release);
            let done = AtomicBool::new(false);
            thread::scope(|s| {
                // Holds `p`'s lock in its first comparison; empties `p`.
                let drainer = s.spawn(|| p.drain(3).len());
                entered_rx
                    .recv_timeout(std::time::Duration::from_secs(120))
                    .expect("the drain compares under the lock");
                let selector = s.spawn(|| {
                    let r = Select::new()
                        .get(&q2, |r| ('2', r.unwrap()))
                        .get(&p, |r| ('p', r.unwrap().0))
                        .get(&q1, |r| ('1', r.unwrap()))
                        .try_wait();
                    done.store(true, O::Release);
                    r
                });
                // Until the selector waits for `p`'s lock (or is done: it may
                // have looked at `q1` before `p`).
                while !p.core.state.is_contended() && !done.load(O::Acquire) {
                    thread::yield_now();
                }
                if !done.load(O::Acquire) {
                    q2.put(2).unwrap();
                    assert_eq!(q1.try_get(), Ok(1));
                }
                release_tx.send(()).unwrap();
                assert_eq!(drainer.join().unwrap(), 3);
                let got = selector.join().unwrap();
                assert!(
                    matches!(got, Some(('2', 2) | ('1', 1))),
                    "try_wait gave {got:?} although q1 or q2 held an item throughout"
                );
            });
        }
    }
}
