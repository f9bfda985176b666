//! Many items per lock: `drain` and `put_all`.

use std::collections::VecDeque;

use super::block::{Blocker, Side, Wait};
use super::error::PutAllError;
use super::{BlockingQueue, Discipline, UNBOUNDED};
use crate::sync::fault::{self, Fault};

/// Most items `put_all` pulls from its iterator ahead of putting them: enough to
/// amortise the lock over a batch, few enough not to run far ahead of a lazy
/// iterator.
const PUT_ALL_CHUNK: usize = 64;

impl<T, D: Discipline<T>> BlockingQueue<T, D> {
    /// Removes and returns up to `max` items, in get order, without blocking (Java's
    /// `drainTo`). One lock for the whole batch; wakes as many blocked putters as
    /// it freed slots for. Returns an empty `Vec` if the queue is empty, also after
    /// shutdown.
    ///
    /// For a [`PriorityQueue`](crate::PriorityQueue): if `T::cmp` panics during the
    /// drain, the queue stays unlocked and consistent, and the items this call
    /// had already taken are dropped with the panic.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::Queue;
    ///
    /// let q = Queue::unbounded();
    /// q.put_all(1..=5).unwrap();
    /// assert_eq!(q.drain(3), [1, 2, 3]);
    /// assert_eq!(q.drain(usize::MAX), [4, 5]);
    /// assert!(q.drain(3).is_empty());
    /// ```
    pub fn drain(&self, max: usize) -> Vec<T> {
        // Declared before the guard, so if `Ord` panics the taken items are
        // dropped after the unlock, never under the lock.
        let mut items = Vec::new();
        let mut state = self.state.lock();
        let n = state.store.len().min(max);
        if n == 0 {
            return items;
        }
        items.reserve_exact(n);
        while items.len() < n {
            match self.store_op(&mut state.store, |s| s.pop()) {
                Some(item) => items.push(item),
                None => break,
            }
        }
        self.hint.set_len(state.store.len());
        let mut wake = if self.capacity == UNBOUNDED {
            0
        } else {
            state.putters.claim(items.len())
        };
        if fault::active(Fault::QueueDrainWakesOne) {
            wake = wake.min(1);
        }
        drop(state);
        for _ in 0..wake {
            self.not_full.notify_one();
        }
        items
    }

    /// Puts every item of `items` in order, blocking while the queue is full, one
    /// lock per batch of up to 64 items (fewer on a smaller bounded queue). Each
    /// item adds one unfinished task. The iterator runs outside the lock; it is
    /// pulled at most one batch ahead of what has been put.
    ///
    /// # Errors
    ///
    /// If the queue is shut down (before or during the call) it stops and hands
    /// back everything not yet put in a [`PutAllError`]: the items already pulled
    /// from the iterator and the rest of the iterator. Items put before the
    /// shutdown stay in the queue. (An empty iterator is `Ok` even on a shut-down
    /// queue: there was nothing to refuse.)
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::Queue;
    /// use std::thread;
    ///
    /// let q = Queue::bounded(4);
    /// thread::scope(|s| {
    ///     s.spawn(|| q.put_all(0..100).unwrap()); // blocks while the queue is full
    ///     let got: Vec<i32> = (0..100).map(|_| q.get().unwrap()).collect();
    ///     assert_eq!(got, (0..100).collect::<Vec<_>>());
    /// });
    /// ```
    pub fn put_all<I>(&self, items: I) -> Result<(), PutAllError<T, I::IntoIter>>
    where
        I: IntoIterator<Item = T>,
    {
        let mut rest = items.into_iter();
        let chunk = self.capacity.min(PUT_ALL_CHUNK);
        let mut batch = VecDeque::with_capacity(chunk);
        loop {
            // Outside the lock: the caller's iterator is user code.
            batch.extend(rest.by_ref().take(chunk - batch.len()));
            if batch.is_empty() {
                return Ok(());
            }
            if !self.put_some(&mut batch) {
                return Err(PutAllError::new(batch.into(), rest));
            }
        }
    }

    /// Puts as many items from the front of `batch` as fit, waiting until at least
    /// one does. `false` if the queue is shut down.
    fn put_some(&self, batch: &mut VecDeque<T>) -> bool {
        let mut state = self.state.lock();
        let mut blocker = Blocker::new(Side::Put, Wait::Forever);
        loop {
            if state.shutdown {
                return false;
            }
            let room = self.capacity - state.store.len();
            if room > 0 {
                let k = room.min(batch.len());
                // One at a time from the front: if `Ord` panics, the items not yet
                // put stay in `batch`, dropped outside the lock with the caller's
                // frame.
                self.store_op(&mut state.store, |store| {
                    for _ in 0..k {
                        if let Some(item) = batch.pop_front() {
                            // Under the lock, so before any getter can see it.
                            self.tasks.add_one();
                            store.push(item);
                        }
                    }
                });
                self.hint.set_len(state.store.len());
                let wake = state.getters.claim(k);
                drop(state);
                for _ in 0..wake {
                    self.not_empty.notify_one();
                }
                return true;
            }
            match self.block(state, &mut blocker) {
                Some(s) => state = s,
                // A wait without deadline never gives up; the caller just retries.
                None => return true,
            }
        }
    }
}
