//! `WaitList`: the async waiters of one wait condition (a queue's "not empty" or
//! "not full", a task counter reaching zero, a result landing), each a [`Waker`]
//! with an entry that a notify marks *notified*.
//!
//! It is the task-side half of a condition whose thread-side half is a
//! [`Condvar`](crate::Condvar): both are registered under the same lock of their
//! owner (a queue's lock), and the owner's one wake-up path notifies both (the
//! condvar's exact accounting for threads, this list for tasks). The rules are the
//! condvar's, per entry instead of per anonymous token:
//!
//! * **register** (under the owner's lock): a new entry joins the back of the
//!   list, unnotified; a polled entry that is still waiting only refreshes its
//!   waker; a polled entry that was notified and found nothing goes back to the
//!   *front* (it lost a race for what it was woken for, so it keeps its turn).
//! * **notify one**: the front unnotified entry becomes notified and its waker is
//!   woken (outside the list's lock). One relaxed load when nobody waits.
//! * **remove**: a future that completes or is dropped removes its entry and learns
//!   whether it had been notified. A future that completes acted on its own
//!   re-check; a future *dropped* while notified must pass the wake-up on (its
//!   owner calls its side's notify again): otherwise the thing it was woken for
//!   could sit there while another waiter sleeps.
//! * **no user code under a lock**: a waker's `wake` and `drop` are user code
//!   (they may touch the very queue they wait on). `notify_one` wakes after
//!   the list's lock; `register` (a replaced waker) and `remove` (a removed one)
//!   hand the waker back in a [`Stale`], which the owner drops only after it
//!   let go of its own locks too, as tokio does.
//!
//! Entries live in a slab with an index-linked list of the unnotified ones, so
//! removing any entry is O(1) and a long-lived list does not grow with churn.
//!
//! The list is built to be one of *several* that a waiter sits in at once
//! (`Select`, waiting on many handles): an entry holds only a `Waker`, so a select future (or a thread
//! parked behind a `Waker`) can register in many lists and remove itself from the
//! others once one completes. `docs/design.md` ("Async waiters") describes it.

use std::fmt;
use std::task::Waker;

use crate::mutex::Mutex;
use crate::sync::fault::{self, Fault};
use crate::sync::{AtomicUsize, Ordering};

/// An entry's place in a [`WaitList`], held by the future that registered it.
pub(crate) type Key = usize;

/// A waker a list let go of (replaced by a new one, or removed with its
/// entry), handed to the caller so that its drop, user code, runs where the
/// caller says: after every lock is released. Dropping the `Stale` drops the
/// waker; the owner of a queue lock drops it after its guard, explicitly
/// (locals drop in reverse order, so a `Stale` made under a guard would
/// otherwise go first).
#[must_use = "drop it after releasing every lock"]
pub(crate) struct Stale {
    /// Held only to be dropped when the `Stale` is.
    _waker: Option<Waker>,
}

impl Stale {
    /// Nothing to drop.
    pub(crate) const NONE: Stale = Stale { _waker: None };

    fn new(waker: Waker) -> Self {
        // The old bug, for the must-fail models: drop it here, under the
        // list's lock and whatever lock the caller holds.
        fault::point!(Fault::WakerDropsUnderLock => {
            drop(waker);
            return Self::NONE;
        });
        Self {
            _waker: Some(waker),
        }
    }
}

/// No entry (end of a linked list).
const NIL: usize = usize::MAX;

/// The async waiters of one condition. `repr(C)`: `unnotified`, the word a
/// notifier reads, comes first (see [`Waiters`](crate::waiters::Waiters)).
#[repr(C)]
pub(crate) struct WaitList {
    /// Entries registered and not notified: the "anyone to wake?" test. Written
    /// under `slots`' lock; read relaxed by notifiers (see [`notify_one`]).
    ///
    /// [`notify_one`]: WaitList::notify_one
    unnotified: AtomicUsize,
    slots: Mutex<Slots>,
}

#[derive(Default)]
struct Slots {
    entries: Vec<Entry>,
    /// Oldest unnotified entry, or `NIL`.
    head: usize,
    /// Newest unnotified entry, or `NIL`.
    tail: usize,
    /// First free slot, or `NIL` (linked through `Entry::next`).
    free: usize,
}

struct Entry {
    state: State,
    prev: usize,
    next: usize,
}

enum State {
    Free,
    /// Registered, not notified: in the linked list.
    Waiting(Waker),
    /// Notified (its waker was taken and woken); out of the linked list, kept
    /// until its future removes it or re-registers.
    Notified,
}

impl WaitList {
    crate::sync::const_unless_loom! {
        /// An empty list.
        pub(crate) const fn new() -> Self {
            Self {
                unnotified: AtomicUsize::new(0),
                slots: Mutex::new(Slots {
                    entries: Vec::new(),
                    head: NIL,
                    tail: NIL,
                    free: NIL,
                }),
            }
        }
    }

    /// Registers the caller's waker. Called under the owner's lock, after the
    /// caller re-checked its condition and found it false.
    ///
    /// * `*key == None`: a new unnotified entry at the back; `*key` is set.
    /// * waiting: the waker is replaced if it would not wake the same task.
    /// * notified (its re-check found nothing): unnotified again, at the front.
    ///
    /// Returns `true` if the entry is new, and the waker it replaced (if any),
    /// to be dropped after the caller's locks.
    pub(crate) fn register(&self, key: &mut Option<Key>, waker: &Waker) -> (bool, Stale) {
        let mut s = self.slots.lock();
        let Some(k) = *key else {
            let k = s.alloc(State::Waiting(waker.clone()));
            s.link_back(k);
            // Relaxed: under the lock; published to notifiers by the owner's own
            // release (its lock, or the RMW it announces the sleep with).
            self.unnotified.fetch_add(1, Ordering::Relaxed);
            *key = Some(k);
            return (true, Stale::NONE);
        };
        let replaced = match &mut s.entries[k].state {
            State::Waiting(w) => {
                if w.will_wake(waker) {
                    None
                } else {
                    Some(std::mem::replace(w, waker.clone()))
                }
            }
            st @ State::Notified => {
                *st = State::Waiting(waker.clone());
                s.link_front(k);
                self.unnotified.fetch_add(1, Ordering::Relaxed);
                None
            }
            State::Free => unreachable!("a registered key points at a free slot"),
        };
        let stale = replaced.map_or(Stale::NONE, Stale::new);
        drop(s);
        (false, stale)
    }

    /// Removes the entry. Returns `true` if it had been notified (a dropped
    /// future then passes the wake-up on), and its waker if it had not, to be
    /// dropped after the caller's locks.
    pub(crate) fn remove(&self, key: Key) -> (bool, Stale) {
        let mut s = self.slots.lock();
        let state = std::mem::replace(&mut s.entries[key].state, State::Free);
        let removed = match state {
            State::Waiting(w) => {
                s.unlink(key);
                self.unnotified.fetch_sub(1, Ordering::Relaxed);
                (false, Stale::new(w))
            }
            State::Notified => (true, Stale::NONE),
            State::Free => unreachable!("a registered key points at a free slot"),
        };
        s.entries[key].next = s.free;
        s.free = key;
        drop(s);
        removed
    }

    /// Wakes the oldest unnotified waiter, if any; `true` if there was one.
    ///
    /// One relaxed load when nobody waits. Relaxed is enough to find a waiter
    /// that matters: a waiter registers under its owner's lock (or before an
    /// AcqRel RMW the notifier reads), and the notifier changed the condition
    /// after it took that lock (or read that RMW), so the registration happens
    /// before this load, exactly as for [`Condvar::notify_one`](crate::Condvar).
    #[inline]
    pub(crate) fn notify_one(&self) -> bool {
        if self.unnotified.load(Ordering::Relaxed) == 0 {
            return false;
        }
        self.notify_one_slow()
    }

    #[cold]
    fn notify_one_slow(&self) -> bool {
        let mut s = self.slots.lock();
        let k = s.head;
        if k == NIL {
            return false;
        }
        s.unlink(k);
        let state = std::mem::replace(&mut s.entries[k].state, State::Notified);
        self.unnotified.fetch_sub(1, Ordering::Relaxed);
        drop(s);
        // Outside the lock: a waker may run arbitrary code (even poll inline).
        if let State::Waiting(w) = state {
            w.wake();
        }
        true
    }

    /// Wakes up to `n` unnotified waiters (for `n` items or slots at once).
    pub(crate) fn notify_n(&self, n: usize) {
        for _ in 0..n {
            if !self.notify_one() {
                return;
            }
        }
    }

    /// Wakes every waiter unnotified right now. Bounded by that count, so a task
    /// that re-registers at once cannot keep the loop going.
    pub(crate) fn notify_all(&self) {
        let n = self.unnotified.load(Ordering::Relaxed);
        self.notify_n(n);
    }

    /// Unnotified waiters right now (for the loom models).
    #[allow(dead_code)]
    pub(crate) fn unnotified(&self) -> usize {
        self.unnotified.load(Ordering::Relaxed)
    }

    /// Entries registered right now, notified or not (for the loom models).
    #[allow(dead_code)]
    pub(crate) fn registered(&self) -> usize {
        let s = self.slots.lock();
        s.entries
            .iter()
            .filter(|e| !matches!(e.state, State::Free))
            .count()
    }
}

impl Slots {
    fn alloc(&mut self, state: State) -> usize {
        let entry = Entry {
            state,
            prev: NIL,
            next: NIL,
        };
        if self.free == NIL {
            self.entries.push(entry);
            self.entries.len() - 1
        } else {
            let k = self.free;
            self.free = self.entries[k].next;
            self.entries[k] = entry;
            k
        }
    }

    fn link_back(&mut self, k: usize) {
        self.entries[k].prev = self.tail;
        self.entries[k].next = NIL;
        match self.tail {
            NIL => self.head = k,
            t => self.entries[t].next = k,
        }
        self.tail = k;
    }

    fn link_front(&mut self, k: usize) {
        self.entries[k].prev = NIL;
        self.entries[k].next = self.head;
        match self.head {
            NIL => self.tail = k,
            h => self.entries[h].prev = k,
        }
        self.head = k;
    }

    fn unlink(&mut self, k: usize) {
        let (prev, next) = (self.entries[k].prev, self.entries[k].next);
        match prev {
            NIL => self.head = next,
            p => self.entries[p].next = next,
        }
        match next {
            NIL => self.tail = prev,
            n => self.entries[n].prev = prev,
        }
        self.entries[k].prev = NIL;
        self.entries[k].next = NIL;
    }
}

impl Default for WaitList {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for WaitList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitList")
            .field("unnotified", &self.unnotified.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

// Plain unit tests of the list itself (std types; `cargo test` without the loom
// feature). The list under loom is exercised by the models in `loom-tests/`.
crate::sync::cfg_not_loom! {
    #[cfg(test)]
    mod tests {
        use super::*;
        use std::sync::atomic::AtomicUsize as StdCount;
        use std::sync::Arc;
        use std::task::Wake;

        struct Count(StdCount);
        impl Wake for Count {
            fn wake(self: Arc<Self>) {
                self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
        }

        fn waker() -> (Arc<Count>, Waker) {
            let c = Arc::new(Count(StdCount::new(0)));
            (c.clone(), Waker::from(c))
        }

        fn woken(c: &Count) -> usize {
            c.0.load(std::sync::atomic::Ordering::Relaxed)
        }

        #[test]
        fn fifo_order_front_requeue_and_removal() {
            let list = WaitList::new();
            let (ca, a) = waker();
            let (cb, b) = waker();
            let (cc, c) = waker();
            let (mut ka, mut kb, mut kc) = (None, None, None);
            assert!(list.register(&mut ka, &a).0);
            assert!(list.register(&mut kb, &b).0);
            assert!(list.register(&mut kc, &c).0);
            assert!(!list.register(&mut ka, &a).0);
            assert_eq!(list.unnotified(), 3);
            // The oldest first.
            assert!(list.notify_one());
            assert_eq!((woken(&ca), woken(&cb), woken(&cc)), (1, 0, 0));
            // A notified entry that re-registers goes to the front.
            let _ = list.register(&mut ka, &a);
            assert!(list.notify_one());
            assert_eq!(woken(&ca), 2);
            // Removing a waiting entry from the middle keeps the rest linked.
            assert!(!list.remove(kb.unwrap()).0);
            assert!(list.notify_one());
            assert_eq!((woken(&cb), woken(&cc)), (0, 1));
            assert!(!list.notify_one());
            assert!(list.remove(ka.unwrap()).0);
            assert!(list.remove(kc.unwrap()).0);
            assert_eq!(list.registered(), 0);
            // Slots are reused.
            let mut kd = None;
            let _ = list.register(&mut kd, &a);
            assert!(kd.unwrap() < 3);
            list.notify_all();
            assert_eq!(woken(&ca), 3);
            assert!(list.remove(kd.unwrap()).0);
        }

        #[test]
        fn replaced_and_removed_wakers_come_back_undropped() {
            let list = WaitList::new();
            let (ca, a) = waker();
            let (cb, b) = waker();
            let mut k = None;
            let (fresh, stale) = list.register(&mut k, &a);
            assert!(fresh && stale._waker.is_none());
            assert_eq!(Arc::strong_count(&ca), 3); // ours, `a`, the list's
            // The same task again: nothing replaced.
            let (_, stale) = list.register(&mut k, &a);
            assert!(stale._waker.is_none());
            // Another waker: the old one comes back, still alive.
            let (fresh, stale) = list.register(&mut k, &b);
            assert!(!fresh);
            assert_eq!(Arc::strong_count(&ca), 3);
            drop(stale);
            assert_eq!(Arc::strong_count(&ca), 2);
            // Removed while waiting: its waker comes back.
            let (notified, stale) = list.remove(k.unwrap());
            assert!(!notified);
            assert_eq!(Arc::strong_count(&cb), 3);
            drop(stale);
            assert_eq!(Arc::strong_count(&cb), 2);
        }
    }
}
