//! The priority store: a binary min-heap with a FIFO tie-break.

use std::cmp::Ordering;
use std::fmt;

use super::hole::Hole;
use super::store::Store;

/// Lowest item first, and first in, first out among equal items: Python's
/// `queue.PriorityQueue` with the usual `(priority, counter, item)` trick built in.
///
/// A binary min-heap over `(item, sequence number)`: `put` and `get` are
/// O(log n). Used through the [`PriorityQueue`](crate::PriorityQueue) alias.
///
/// # If `Ord` panics
///
/// `T::cmp` is the only user code that runs under the queue's lock. The heap
/// moves items through a "hole" that is filled again when a comparison panics (as
/// in std's `BinaryHeap`), and `get` moves the minimum to the end before sifting
/// and removes it only afterwards, so a comparison that panics never loses or
/// duplicates an item: the queue is unlocked by the unwinding guard, every item is
/// still stored exactly once and counted by `len`, a `get` that panicked leaves its
/// item in the queue, and a `put` that panicked has added its item (and its
/// unfinished task), and every blocked thread is woken to re-check. Only the
/// order of later gets is unspecified, as with any inconsistent `Ord`. Items a
/// panicking `drain` had already taken, and items a panicking `put_all` had not
/// yet put, are dropped with the panic, outside the lock.
///
/// # Examples
///
/// ```
/// use queuekit::PriorityQueue;
///
/// let q = PriorityQueue::unbounded();
/// q.put((2, "write report")).unwrap();
/// q.put((1, "fix bug")).unwrap();
/// q.put((2, "reply to mail")).unwrap();
/// assert_eq!(q.get(), Ok((1, "fix bug")));
/// assert_eq!(q.get(), Ok((2, "reply to mail")));
/// assert_eq!(q.get(), Ok((2, "write report")));
/// ```
///
/// Equal items come out in the order they were put:
///
/// ```
/// use queuekit::PriorityQueue;
/// use std::cmp::Ordering;
///
/// /// A job ordered by its priority alone.
/// #[derive(Debug, PartialEq, Eq)]
/// struct Job(u8, &'static str);
/// impl Ord for Job {
///     fn cmp(&self, other: &Self) -> Ordering { self.0.cmp(&other.0) }
/// }
/// impl PartialOrd for Job {
///     fn partial_cmp(&self, other: &Self) -> Option<Ordering> { Some(self.cmp(other)) }
/// }
///
/// let q = PriorityQueue::unbounded();
/// for job in [Job(5, "first"), Job(1, "urgent"), Job(5, "second"), Job(5, "third")] {
///     q.put(job).unwrap();
/// }
/// let order: Vec<_> = q.try_get_many(usize::MAX).unwrap().into_iter().map(|j| j.1).collect();
/// assert_eq!(order, ["urgent", "first", "second", "third"]);
/// ```
pub struct Priority<T> {
    heap: Vec<Entry<T>>,
    /// Sequence number of the next put: the tie-break among equal items. A `u64`
    /// does not wrap in any realistic run (585 years at 10^9 puts a second).
    next_seq: u64,
}

struct Entry<T> {
    item: T,
    seq: u64,
}

impl<T: Ord> Entry<T> {
    /// Get order: smaller item first, then earlier put.
    #[inline]
    fn before(&self, other: &Self) -> bool {
        match self.item.cmp(&other.item) {
            Ordering::Less => true,
            Ordering::Greater => false,
            Ordering::Equal => self.seq < other.seq,
        }
    }
}

impl<T: Ord> Priority<T> {
    /// Moves the entry at `pos` up to its place.
    fn sift_up(&mut self, pos: usize) {
        let mut hole = Hole::new(&mut self.heap, pos);
        while hole.pos() > 0 {
            let parent = (hole.pos() - 1) / 2;
            if !hole.element().before(hole.get(parent)) {
                break;
            }
            hole.move_to(parent);
        }
    }

    /// Restores the heap on `heap[..end]` after its root was replaced by a leaf.
    ///
    /// Bottom-up (as std's `BinaryHeap::pop` does): move the hole down along the
    /// path of smaller children to a leaf, one comparison per level, then sift the
    /// former leaf up from there; it usually belongs near the bottom, so this
    /// costs about half the comparisons of the textbook sift-down.
    fn sift_down_to_bottom(&mut self, end: usize) {
        if end == 0 {
            return;
        }
        let pos = {
            let mut hole = Hole::new(&mut self.heap[..end], 0);
            loop {
                let left = 2 * hole.pos() + 1;
                if left >= end {
                    break;
                }
                let right = left + 1;
                let child = if right < end && hole.get(right).before(hole.get(left)) {
                    right
                } else {
                    left
                };
                hole.move_to(child);
            }
            hole.pos()
        };
        self.sift_up(pos);
    }
}

impl<T: Ord> Store<T> for Priority<T> {
    fn with_capacity(reserve: usize) -> Self {
        Self {
            heap: Vec::with_capacity(reserve),
            next_seq: 0,
        }
    }

    fn push(&mut self, item: T) {
        let seq = self.next_seq;
        self.next_seq = seq.wrapping_add(1);
        // In the vector before any comparison runs: a panic cannot lose it.
        self.heap.push(Entry { item, seq });
        self.sift_up(self.heap.len() - 1);
    }

    fn pop(&mut self) -> Option<T> {
        let last = self.heap.len().checked_sub(1)?;
        // Move the minimum to the end, restore the heap on the rest, and only then
        // take it out: if a comparison panics the minimum is still stored.
        self.heap.swap(0, last);
        self.sift_down_to_bottom(last);
        self.heap.pop().map(|e| e.item)
    }

    #[inline]
    fn len(&self) -> usize {
        self.heap.len()
    }

    fn into_vec(mut self) -> Vec<T> {
        self.heap
            .sort_unstable_by(|a, b| a.item.cmp(&b.item).then(a.seq.cmp(&b.seq)));
        self.heap.into_iter().map(|e| e.item).collect()
    }
}

impl<T> fmt::Debug for Priority<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Priority")
            .field("len", &self.heap.len())
            .finish()
    }
}
