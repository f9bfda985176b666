//! The delay store: a min-heap of items by deadline, ties in put order.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::fmt;
use std::time::Instant;

use super::clock;
use crate::queue::store::Store;

/// Earliest deadline first, and first in, first out among equal deadlines; an
/// item leaves only once its deadline has passed: Java's `DelayQueue`.
///
/// The discipline of [`DelayQueue`](crate::DelayQueue); see there for the
/// calls. A binary heap over `(deadline, sequence number)`: `put_at` and `get`
/// are O(log n). Only `Instant` comparisons run under the queue's lock, never
/// user code.
///
/// # Examples
///
/// ```
/// use queuekit::{BlockingQueue, Delay, DelayQueue};
/// use std::time::{Duration, Instant};
///
/// let q: BlockingQueue<&str, Delay<&str>> = DelayQueue::unbounded();
/// let now = Instant::now();
/// q.put_at("later", now + Duration::from_millis(20)).unwrap();
/// q.put_at("sooner", now + Duration::from_millis(10)).unwrap();
/// assert_eq!(q.get(), Ok("sooner")); // blocks about 10 ms
/// assert_eq!(q.get(), Ok("later"));
/// ```
pub struct Delay<T> {
    heap: BinaryHeap<Entry<T>>,
    /// Sequence number of the next put: the tie-break among equal deadlines.
    next_seq: u64,
}

struct Entry<T> {
    at: Instant,
    seq: u64,
    item: T,
}

impl<T> Entry<T> {
    fn key(&self) -> (Instant, u64) {
        (self.at, self.seq)
    }
}

impl<T> PartialEq for Entry<T> {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl<T> Eq for Entry<T> {}

impl<T> PartialOrd for Entry<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<T> Ord for Entry<T> {
    /// Reversed, so that std's max-heap keeps the earliest `(deadline, seq)` on top.
    fn cmp(&self, other: &Self) -> Ordering {
        other.key().cmp(&self.key())
    }
}

impl<T> Delay<T> {
    /// Adds `item` due at `at`; `true` if it is now the head (the earliest).
    pub(super) fn push_at(&mut self, item: T, at: Instant) -> bool {
        let seq = self.next_seq;
        self.next_seq = seq.wrapping_add(1);
        self.heap.push(Entry { at, seq, item });
        self.heap.peek().is_some_and(|e| e.seq == seq)
    }

    /// The head's deadline.
    pub(super) fn head(&self) -> Option<Instant> {
        self.heap.peek().map(|e| e.at)
    }

    /// Removes the head if it is due at `now`.
    pub(super) fn pop_due(&mut self, now: Instant) -> Option<T> {
        if self.heap.peek()?.at <= now {
            self.heap.pop().map(|e| e.item)
        } else {
            None
        }
    }

    /// How many items are due at `now` (a walk over every item).
    pub(super) fn due_len(&self, now: Instant) -> usize {
        self.heap.iter().filter(|e| e.at <= now).count()
    }

    /// Removes and returns every item `pred` picks (in no particular order).
    pub(super) fn extract(&mut self, mut pred: impl FnMut(&T) -> bool) -> Vec<T> {
        let (taken, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut self.heap)
            .into_vec()
            .into_iter()
            .partition(|e| pred(&e.item));
        self.heap = BinaryHeap::from(kept);
        taken.into_iter().map(|e| e.item).collect()
    }

    pub(super) fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

impl<T> Store<T> for Delay<T> {
    fn with_capacity(reserve: usize) -> Self {
        Self {
            heap: BinaryHeap::with_capacity(reserve),
            next_seq: 0,
        }
    }

    /// A plain put: due at once.
    fn push(&mut self, item: T) {
        self.push_at(item, clock::now());
    }

    /// The head, if it is due.
    fn pop(&mut self) -> Option<T> {
        self.pop_due(clock::now())
    }

    fn len(&self) -> usize {
        self.heap.len()
    }

    /// Every item, due or not, earliest deadline first.
    fn into_vec(self) -> Vec<T> {
        // Ascending in the reversed order is latest first; `into_sorted_vec`
        // sorts ascending, so reverse it.
        let mut v = self.heap.into_sorted_vec();
        v.reverse();
        v.into_iter().map(|e| e.item).collect()
    }
}

impl<T> fmt::Debug for Delay<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Delay")
            .field("len", &self.heap.len())
            .field("head", &self.head())
            .finish()
    }
}
