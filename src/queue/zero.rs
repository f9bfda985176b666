//! The rendezvous core: the inside of a `bounded(0)` queue, which holds no item.
//! A put completes only when a getter takes its item.
//!
//! One [`Mutex`] around two lists, after crossbeam-channel's zero flavour (a
//! waiting operation is an entry with a packet; the other side completes it):
//!
//! * **offers**: waiting putters (threads, `put_async` futures, `Select` put
//!   arms), each entry holding the putter's item in a slot owned by the core.
//!   A getter that runs takes the item out of the offer the discipline picks
//!   ([`Pick`]: the oldest for FIFO and delay queues, the newest for LIFO, the
//!   smallest for priority), which completes that put, and wakes the putter.
//! * **takers**: threads blocked in `get` / `get_many`, each with an empty slot.
//!   A putter that finds one idle puts its item straight into the oldest one's
//!   slot and returns: a blocked thread always collects its slot (also on its
//!   timeout or at shutdown), so the hand-off is complete at once. That is why
//!   `try_put` succeeds exactly when such a thread waits.
//!
//! Getters that may give up without running again (a `get_async` future, a
//! `Select` get arm) never receive an item into a slot: they sit in a
//! [`WaitList`] and are only woken when an offer is made; the item moves when
//! they run. An offer's item moves only in a getter's hold of the lock, so it is
//! taken once or handed back once, never both.
//!
//! A `Select` may offer on several rendezvous queues at once; its offers share a
//! [`Claim`], and a getter takes such an item only if it wins the claim, so at
//! most one of a select's offers is taken. The selector takes all its offers
//! back (learning which one, if any, was taken) before it completes anything else
//! (`select.rs`).
//!
//! Items count as put (the task count's added total) when they are handed over.
//! At shutdown, offers are handed back to their putters (`PutError::ShutDown`)
//! and idle takers are woken (`GetError::ShutDown`); nothing is stored, so
//! `shutdown_now` returns nothing.

use std::collections::VecDeque;
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use super::delay::Delay;
use super::inside::{Core, CoreAsync, CoreGet, CorePut, PollGet, PollPut};
use super::priority::Priority;
use super::store::{Fifo, Lifo};
use super::wait::Wait;
use crate::counter::TaskCounter;
use crate::mutex::Mutex;
use crate::parker;
use crate::queue::error::{GetError, PutError};
use crate::sync::fault::{self, Fault};
use crate::sync::{AtomicBool, Ordering};
use crate::waitlist::{Key, Stale, WaitList};

/// Which waiting putter a getter takes from: the discipline's order applied to
/// the items on offer. `offers` yields `(index, sequence, item)`; the sequence
/// grows with each offer made.
pub trait Pick<T> {
    /// The index of the offer to take, `None` if there is none.
    fn pick<'a>(offers: impl Iterator<Item = (usize, u64, &'a T)>) -> Option<usize>
    where
        T: 'a;
}

/// The oldest offer first.
fn oldest<'a, T: 'a>(offers: impl Iterator<Item = (usize, u64, &'a T)>) -> Option<usize> {
    offers.min_by_key(|&(_, seq, _)| seq).map(|(i, _, _)| i)
}

impl<T> Pick<T> for Fifo<T> {
    fn pick<'a>(offers: impl Iterator<Item = (usize, u64, &'a T)>) -> Option<usize>
    where
        T: 'a,
    {
        oldest(offers)
    }
}

impl<T> Pick<T> for Delay<T> {
    /// Every item a rendezvous delay queue hands off is due now: oldest first.
    fn pick<'a>(offers: impl Iterator<Item = (usize, u64, &'a T)>) -> Option<usize>
    where
        T: 'a,
    {
        oldest(offers)
    }
}

impl<T> Pick<T> for Lifo<T> {
    fn pick<'a>(offers: impl Iterator<Item = (usize, u64, &'a T)>) -> Option<usize>
    where
        T: 'a,
    {
        offers.max_by_key(|&(_, seq, _)| seq).map(|(i, _, _)| i)
    }
}

impl<T: Ord> Pick<T> for Priority<T> {
    /// The smallest item, the oldest among equals. `Ord` runs under the lock
    /// (as in the priority store); if it panics nothing has moved yet.
    fn pick<'a>(offers: impl Iterator<Item = (usize, u64, &'a T)>) -> Option<usize>
    where
        T: 'a,
    {
        offers
            .min_by(|a, b| a.2.cmp(b.2).then(a.1.cmp(&b.1)))
            .map(|(i, _, _)| i)
    }
}

/// Shared by the offers of one `Select`: a getter takes one of them only if it
/// wins this flag, so at most one of the select's puts happens.
#[derive(Debug, Default)]
pub(crate) struct Claim(AtomicBool);

impl Claim {
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Claim(AtomicBool::new(false)))
    }

    /// Won by the first getter (under its queue's lock); `false` afterwards.
    fn try_claim(&self) -> bool {
        if fault::active(Fault::ZeroTakeIgnoresClaim) {
            return true;
        }
        self.0
            .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }

    fn is_claimed(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }

    /// For the next round, once every offer of the select is taken back (no
    /// getter can reach one any more).
    pub(crate) fn reset(&self) {
        self.0.store(false, Ordering::Release);
    }
}

/// A waiting putter.
struct Offer<T> {
    /// `None` once a getter took it: the put is complete.
    item: Option<T>,
    seq: u64,
    /// Taken when woken (so it is woken once); set again on a re-poll.
    waker: Option<Waker>,
    claim: Option<Arc<Claim>>,
}

/// A thread blocked in a get.
struct Taker<T> {
    /// Filled by a putter: the get is complete.
    slot: Option<T>,
    seq: u64,
    waker: Option<Waker>,
    /// Woken for an offer and not yet run: not handed a second wake-up.
    notified: bool,
}

/// Entries with stable keys (a slab).
struct Slab<E> {
    entries: Vec<Option<E>>,
    free: Vec<usize>,
    len: usize,
}

impl<E> Slab<E> {
    fn new() -> Self {
        Self {
            entries: Vec::new(),
            free: Vec::new(),
            len: 0,
        }
    }

    fn insert(&mut self, e: E) -> usize {
        self.len += 1;
        match self.free.pop() {
            Some(k) => {
                self.entries[k] = Some(e);
                k
            }
            None => {
                self.entries.push(Some(e));
                self.entries.len() - 1
            }
        }
    }

    fn remove(&mut self, k: usize) -> E {
        let e = self.entries[k].take().expect("a live key");
        self.free.push(k);
        self.len -= 1;
        e
    }

    fn get_mut(&mut self, k: usize) -> &mut E {
        self.entries[k].as_mut().expect("a live key")
    }

    fn iter(&self) -> impl Iterator<Item = (usize, &E)> {
        self.entries
            .iter()
            .enumerate()
            .filter_map(|(k, e)| e.as_ref().map(|e| (k, e)))
    }
}

/// Everything the lock protects.
struct State<T> {
    offers: Slab<Offer<T>>,
    takers: Slab<Taker<T>>,
    /// Next sequence number (offers and takers).
    seq: u64,
    /// Items ever handed over, modulo 2^64: the task count's added total.
    puts: usize,
    shutdown: bool,
    /// Tasks (and select arms) registered in `getters`.
    task_getters: usize,
}

impl<T> State<T> {
    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// The oldest idle taker not woken yet.
    fn idle_taker(&self) -> Option<usize> {
        self.takers
            .iter()
            .filter(|(_, t)| t.slot.is_none() && !t.notified)
            .min_by_key(|(_, t)| t.seq)
            .map(|(k, _)| k)
    }

    /// Offers a getter may take: not taken, not claimed by a rival getter.
    fn open_offers(&self) -> impl Iterator<Item = (usize, u64, &T)> {
        self.offers.iter().filter_map(|(k, o)| {
            let item = o.item.as_ref()?;
            match &o.claim {
                Some(c) if c.is_claimed() => None,
                _ => Some((k, o.seq, item)),
            }
        })
    }
}

/// Who to wake for a new offer: an idle taker's waker, or a task getter.
enum Wake {
    Nobody,
    Waker(Waker),
    Task,
}

/// Wakes its wakers when dropped (also while unwinding).
struct WakeOnDrop(Vec<Waker>);

impl Drop for WakeOnDrop {
    fn drop(&mut self) {
        for w in self.0.drain(..) {
            w.wake();
        }
    }
}

/// A blocked getter's entry, removed if the getter unwinds (a panicking `Ord`
/// while it looks at the offers): a putter must never hand an item to a taker
/// that is gone. Its slot is empty then (it is looked at, under the same hold,
/// before the offers).
struct LeaveOnUnwind<'a, T, D: Pick<T>>(&'a Zero<T, D>, usize);

impl<T, D: Pick<T>> Drop for LeaveOnUnwind<'_, T, D> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let mut st = self.0.state.lock();
            let taker = st.takers.remove(self.1);
            drop(st);
            drop(taker);
        }
    }
}

/// The rendezvous core, for the discipline `D` (which orders the offers).
pub(crate) struct Zero<T, D> {
    state: Mutex<State<T>>,
    tasks: TaskCounter,
    /// Tasks and select arms waiting for an offer (woken, never handed an item).
    getters: WaitList,
    _order: PhantomData<fn() -> D>,
}

impl<T, D: Pick<T>> Zero<T, D> {
    pub(crate) fn new() -> Self {
        Self {
            state: Mutex::new(State {
                offers: Slab::new(),
                takers: Slab::new(),
                seq: 0,
                puts: 0,
                shutdown: false,
                task_getters: 0,
            }),
            tasks: TaskCounter::new(),
            getters: WaitList::new(),
            _order: PhantomData,
        }
    }

    /// One more item handed over: published as the added total before the
    /// getter can hold it (under the lock; the only writer).
    fn count_put(&self, st: &mut State<T>) {
        st.puts = st.puts.wrapping_add(1);
        self.tasks.publish_added(st.puts);
    }

    /// Takes the item of the offer the discipline picks, if a getter may have
    /// one now (not after shutdown: offers then go back to their putters).
    /// Returns it with the putter's waker, to wake after the lock.
    fn take_offer(&self, st: &mut State<T>) -> Option<(T, Option<Waker>)> {
        if st.shutdown {
            return None;
        }
        loop {
            let k = D::pick(st.open_offers())?;
            let offer = st.offers.get_mut(k);
            if let Some(claim) = &offer.claim {
                if !claim.try_claim() {
                    // Another getter won this select between the look and now.
                    continue;
                }
            }
            let item = offer.item.take().expect("an open offer holds its item");
            let waker = offer.waker.take();
            self.count_put(st);
            return Some((item, waker));
        }
    }

    /// Hands `item` to the oldest idle taker, if there is one.
    fn deposit(&self, st: &mut State<T>, item: T) -> Result<Option<Waker>, T> {
        let Some(k) = st.idle_taker() else {
            return Err(item);
        };
        self.count_put(st);
        let t = st.takers.get_mut(k);
        t.slot = Some(item);
        Ok(t.waker.take())
    }

    /// Registers an offer and says whom to wake for it.
    fn add_offer(
        &self,
        st: &mut State<T>,
        item: T,
        waker: Waker,
        claim: Option<Arc<Claim>>,
    ) -> (usize, Wake) {
        let seq = st.next_seq();
        let k = st.offers.insert(Offer {
            item: Some(item),
            seq,
            waker: Some(waker),
            claim,
        });
        (k, Self::getter_to_wake(st))
    }

    /// One getter to wake for an open offer: an idle taker not yet woken, else
    /// a task getter.
    fn getter_to_wake(st: &mut State<T>) -> Wake {
        if let Some(k) = st.idle_taker() {
            let t = st.takers.get_mut(k);
            t.notified = true;
            return t.waker.take().map_or(Wake::Nobody, Wake::Waker);
        }
        if st.task_getters > 0 {
            Wake::Task
        } else {
            Wake::Nobody
        }
    }

    fn wake(&self, w: Wake) {
        match w {
            Wake::Nobody => {}
            Wake::Waker(w) => w.wake(),
            Wake::Task => {
                self.getters.notify_one();
            }
        }
    }

    /// A thread's put: hand-off to a blocked getter, or offer and wait.
    fn put_blocking(&self, item: T, wait: Wait) -> Result<(), PutError<T>> {
        let mut st = self.state.lock();
        if st.shutdown {
            return Err(PutError::ShutDown(item));
        }
        let item = match self.deposit(&mut st, item) {
            Ok(w) => {
                drop(st);
                if let Some(w) = w {
                    w.wake();
                }
                return Ok(());
            }
            Err(item) => item,
        };
        let Some(deadline) = wait.deadline() else {
            return Err(PutError::Full(item));
        };
        parker::with_current(|parker, waker| {
            let (k, w) = self.add_offer(&mut st, item, waker.clone(), None);
            drop(st);
            self.wake(w);
            loop {
                let in_time = parker.park(deadline);
                let mut st = self.state.lock();
                let shutdown = st.shutdown;
                let offer = st.offers.get_mut(k);
                if offer.item.is_none() {
                    st.offers.remove(k);
                    return Ok(());
                }
                if shutdown || !in_time {
                    let item = st.offers.remove(k).item.expect("not taken");
                    return Err(if shutdown {
                        PutError::ShutDown(item)
                    } else {
                        PutError::Full(item)
                    });
                }
                offer.waker = Some(waker.clone());
            }
        })
    }

    /// A thread's get: take an offer, or wait as a taker.
    fn get_blocking(&self, wait: Wait) -> Result<T, GetError> {
        let mut st = self.state.lock();
        if let Some((item, w)) = self.take_offer(&mut st) {
            drop(st);
            if let Some(w) = w {
                w.wake();
            }
            return Ok(item);
        }
        if st.shutdown {
            return Err(GetError::ShutDown);
        }
        let deadline = wait.deadline().ok_or(GetError::Empty)?;
        parker::with_current(|parker, waker| {
            let seq = st.next_seq();
            let k = st.takers.insert(Taker {
                slot: None,
                seq,
                waker: Some(waker.clone()),
                notified: false,
            });
            drop(st);
            // Declared before each hold of the lock, so it runs after the unlock.
            let _leave = LeaveOnUnwind(self, k);
            loop {
                let in_time = parker.park(deadline);
                let mut st = self.state.lock();
                let t = st.takers.get_mut(k);
                if in_time || !fault::active(Fault::ZeroTakerTimeoutIgnoresSlot) {
                    if let Some(item) = t.slot.take() {
                        st.takers.remove(k);
                        return Ok(item);
                    }
                }
                t.notified = false;
                if let Some((item, w)) = self.take_offer(&mut st) {
                    st.takers.remove(k);
                    drop(st);
                    if let Some(w) = w {
                        w.wake();
                    }
                    return Ok(item);
                }
                if st.shutdown || !in_time {
                    let shutdown = st.shutdown;
                    st.takers.remove(k);
                    return Err(if shutdown {
                        GetError::ShutDown
                    } else {
                        GetError::Empty
                    });
                }
                st.takers.get_mut(k).waker = Some(waker.clone());
            }
        })
    }

    /// Takes up to `max` open offers without waiting, in the discipline's order.
    fn take_some(&self, out: &mut Vec<T>, max: usize) -> usize {
        // Declared before the lock: if `Ord` panics, the putters whose items
        // were taken are still woken, after the unlock.
        let mut wakers = WakeOnDrop(Vec::new());
        let mut st = self.state.lock();
        let mut n = 0;
        while n < max {
            let Some((item, w)) = self.take_offer(&mut st) else {
                break;
            };
            out.push(item);
            wakers.0.extend(w);
            n += 1;
        }
        drop(st);
        n
    }

    /// A select's offer of the item in `slot` (which moves into the core),
    /// sharing `claim` with the select's other offers. Never completes: a
    /// getter takes it, or the select takes it back with
    /// [`withdraw`](Self::withdraw). At shutdown it offers nothing and wakes
    /// the select, whose next round sees the shutdown.
    pub(crate) fn offer_for_select(
        &self,
        slot: &mut Option<T>,
        cx: &mut Context<'_>,
        claim: &Arc<Claim>,
    ) -> Option<Key> {
        let mut st = self.state.lock();
        if st.shutdown {
            drop(st);
            cx.waker().wake_by_ref();
            return None;
        }
        let item = slot.take()?;
        let (k, w) = self.add_offer(&mut st, item, cx.waker().clone(), Some(claim.clone()));
        drop(st);
        self.wake(w);
        Some(k)
    }

    /// Takes an offer back: `Some(item)` if no getter took it, `None` if one
    /// did (the put happened).
    pub(crate) fn withdraw(&self, key: Key) -> Option<T> {
        let mut st = self.state.lock();
        let offer = st.offers.remove(key);
        drop(st);
        drop(offer.waker); // after the lock: a task's waker is user code
        offer.item
    }
}

impl<T, D: Pick<T>> Core<T> for Zero<T, D> {
    /// The arguments are ignored: a rendezvous queue stores nothing.
    fn new(_capacity: usize, _reserve: usize) -> Self {
        Zero::new()
    }

    fn capacity(&self) -> usize {
        0
    }

    fn tasks(&self) -> &TaskCounter {
        &self.tasks
    }

    fn shutdown(&self) {
        let mut st = self.state.lock();
        st.shutdown = true;
        let mut wakers: Vec<Waker> = Vec::new();
        for k in 0..st.offers.entries.len() {
            if let Some(o) = st.offers.entries[k].as_mut() {
                wakers.extend(o.waker.take());
            }
        }
        for k in 0..st.takers.entries.len() {
            if let Some(t) = st.takers.entries[k].as_mut() {
                wakers.extend(t.waker.take());
            }
        }
        drop(st);
        if fault::active(Fault::QueueShutdownSkipsWake) {
            return;
        }
        for w in wakers {
            w.wake();
        }
        self.getters.notify_all();
    }

    /// Nothing is ever stored: shuts down and returns an empty `Vec` (waiting
    /// putters get their items back in `PutError::ShutDown`).
    fn shutdown_now(&self) -> Vec<T> {
        self.shutdown();
        Vec::new()
    }

    fn is_shutdown(&self) -> bool {
        self.state.lock().shutdown
    }

    /// Always 0: an item is never in the queue, only in a putter's or a
    /// getter's hands.
    fn len(&self) -> usize {
        0
    }

    fn blocked_getters(&self) -> usize {
        let st = self.state.lock();
        let idle = st.takers.iter().filter(|(_, t)| t.slot.is_none()).count();
        idle + st.task_getters
    }

    fn blocked_putters(&self) -> usize {
        let st = self.state.lock();
        st.offers.iter().filter(|(_, o)| o.item.is_some()).count()
    }

    fn fmt_fields(&self, d: &mut fmt::DebugStruct<'_, '_>) {
        match self.state.try_lock() {
            Some(st) => {
                d.field("len", &0usize)
                    .field("shutdown", &st.shutdown)
                    .field("waiting_putters", &st.offers.len)
                    .field("waiting_getters", &(st.takers.len + st.task_getters));
            }
            None => {
                d.field("len", &format_args!("<locked>"));
            }
        }
    }
}

impl<T, D: Pick<T>> CorePut<T> for Zero<T, D> {
    fn put(&self, item: T, wait: Wait) -> Result<(), PutError<T>> {
        self.put_blocking(item, wait)
    }

    /// One item at a time: each put waits for its getter.
    fn put_some(&self, batch: &mut VecDeque<T>) -> bool {
        let Some(item) = batch.pop_front() else {
            return true;
        };
        match self.put_blocking(item, Wait::Forever) {
            Ok(()) => true,
            Err(e) => {
                batch.push_front(e.into_inner());
                false
            }
        }
    }
}

impl<T, D: Pick<T>> CoreGet<T> for Zero<T, D> {
    fn get(&self, wait: Wait) -> Result<T, GetError> {
        self.get_blocking(wait)
    }

    /// Waits for one item as `get` does, then takes from further waiting
    /// putters without waiting, up to `max` in all.
    fn get_many(&self, out: &mut Vec<T>, max: usize, wait: Wait) -> Result<usize, GetError> {
        if max == 0 {
            return Ok(0);
        }
        out.push(self.get_blocking(wait)?);
        Ok(1 + self.take_some(out, max - 1))
    }

    /// Takes from waiting putters, up to `max`.
    fn drain(&self, max: usize) -> Vec<T> {
        let mut out = Vec::new();
        self.take_some(&mut out, max);
        out
    }
}

impl<T, D: Pick<T>> CoreAsync<T> for Zero<T, D> {
    /// A task's get: takes an offer when it runs; otherwise waits in the task
    /// list, to be woken (never handed an item) when an offer is made.
    fn poll_get(&self, waker: &Waker, key: &mut Option<Key>) -> PollGet<T> {
        let mut st = self.state.lock();
        let done = match self.take_offer(&mut st) {
            Some((item, w)) => Some((Ok(item), w)),
            None if st.shutdown => Some((Err(GetError::ShutDown), None)),
            None => None,
        };
        if let Some((r, w)) = done {
            let stale = match key.take() {
                Some(k) => {
                    st.task_getters -= 1;
                    self.getters.remove(k).1
                }
                None => Stale::NONE,
            };
            drop(st);
            drop(stale);
            if let Some(w) = w {
                w.wake();
            }
            return Poll::Ready(r);
        }
        let (fresh, stale) = self.getters.register(key, waker);
        if fresh {
            st.task_getters += 1;
        }
        drop(st);
        drop(stale);
        Poll::Pending
    }

    /// A task's put: hand-off to a blocked thread, else the item moves out of
    /// `*item` into an offer (the future no longer holds it) until a getter
    /// takes it (`Ready(Ok)`) or shutdown hands it back. A future dropped
    /// before that takes it back ([`leave_put`](CoreAsync::leave_put)).
    fn poll_put(&self, item: &mut Option<T>, waker: &Waker, key: &mut Option<Key>) -> PollPut<T> {
        let mut st = self.state.lock();
        if let Some(k) = *key {
            let shutdown = st.shutdown;
            let offer = st.offers.get_mut(k);
            if offer.item.is_some() && !shutdown {
                let stale = match &offer.waker {
                    Some(w) if w.will_wake(waker) => None,
                    _ => offer.waker.replace(waker.clone()),
                };
                drop(st);
                drop(stale);
                return Poll::Pending;
            }
            *key = None;
            let offer = st.offers.remove(k);
            drop(st);
            drop(offer.waker);
            return Poll::Ready(match offer.item {
                None => Ok(()),
                Some(it) => Err(PutError::ShutDown(it)),
            });
        }
        let it = item.take().expect("put_async polled after completion");
        if st.shutdown {
            return Poll::Ready(Err(PutError::ShutDown(it)));
        }
        match self.deposit(&mut st, it) {
            Ok(w) => {
                drop(st);
                if let Some(w) = w {
                    w.wake();
                }
                Poll::Ready(Ok(()))
            }
            Err(it) => {
                let (k, w) = self.add_offer(&mut st, it, waker.clone(), None);
                *key = Some(k);
                drop(st);
                self.wake(w);
                Poll::Pending
            }
        }
    }

    /// A dropped get future or select arm leaves the task list; a wake-up it
    /// had goes on to another getter if an offer is still open.
    fn leave_get(&self, key: Key) {
        let mut st = self.state.lock();
        st.task_getters -= 1;
        let (notified, stale) = self.getters.remove(key);
        let w = if notified && st.open_offers().next().is_some() {
            Self::getter_to_wake(&mut st)
        } else {
            Wake::Nobody
        };
        drop(st);
        drop(stale);
        if !fault::active(Fault::AsyncDropSkipsPassOn) {
            self.wake(w);
        }
    }

    /// A dropped put future takes its offer back; its item, if no getter took
    /// it, is dropped here, after the lock (with the future).
    fn leave_put(&self, key: Key) {
        drop(self.withdraw(key));
    }
}
