//! proptest: random sequences of every non-blocking queue operation against a
//! sequential reference (VecDeque / Vec / a stable min-heap), for all three
//! disciplines: same results, same errors, same lengths.

use proptest::prelude::*;
use queuekit::{BlockingQueue, Discipline, GetError, LifoQueue, PriorityQueue, PutError, Queue};
use std::cmp::Ordering;
use std::collections::VecDeque;
use std::time::Duration;

/// An item whose order looks only at `prio`, so equal items are distinguishable by
/// `tag`: the priority reference must give them back first-in-first-out.
#[derive(Debug, Clone, Copy)]
struct Item {
    prio: u8,
    tag: u32,
}

impl PartialEq for Item {
    fn eq(&self, other: &Self) -> bool {
        self.prio == other.prio
    }
}
impl Eq for Item {}
impl PartialOrd for Item {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Item {
    fn cmp(&self, other: &Self) -> Ordering {
        self.prio.cmp(&other.prio)
    }
}

#[derive(Debug, Clone)]
enum Op {
    TryPut(u8),
    PutTimeoutZero(u8),
    TryGet,
    GetTimeoutZero,
    Drain(usize),
    TryGetMany(usize),
    GetManyTimeoutZero(usize),
    TaskDone,
    Shutdown,
    ShutdownNow,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0u8..4).prop_map(Op::TryPut),
        2 => (0u8..4).prop_map(Op::PutTimeoutZero),
        4 => Just(Op::TryGet),
        2 => Just(Op::GetTimeoutZero),
        1 => (0usize..5).prop_map(Op::Drain),
        2 => (0usize..5).prop_map(Op::TryGetMany),
        1 => (0usize..5).prop_map(Op::GetManyTimeoutZero),
        3 => Just(Op::TaskDone),
        1 => Just(Op::Shutdown),
        1 => Just(Op::ShutdownNow),
    ]
}

#[derive(Clone, Copy, Debug)]
enum Kind {
    Fifo,
    Lifo,
    Priority,
}

/// The sequential reference: a plain list kept in *get order*.
struct Reference {
    kind: Kind,
    items: VecDeque<Item>,
    capacity: Option<usize>,
    shut: bool,
    unfinished: usize,
}

impl Reference {
    fn put(&mut self, item: Item) -> Result<(), PutError<Item>> {
        if self.shut {
            return Err(PutError::ShutDown(item));
        }
        if self.capacity.is_some_and(|c| self.items.len() >= c) {
            return Err(PutError::Full(item));
        }
        match self.kind {
            Kind::Fifo => self.items.push_back(item),
            Kind::Lifo => self.items.push_front(item),
            // Stable: after every item with prio <= the new one.
            Kind::Priority => {
                let at = self.items.partition_point(|i| i.prio <= item.prio);
                self.items.insert(at, item);
            }
        }
        self.unfinished += 1;
        Ok(())
    }

    /// `try_get_many(max)`: nothing asked, nothing taken (even shut down);
    /// otherwise the errors of `get`, or up to `max` items in get order.
    fn get_many(&mut self, max: usize) -> Result<Vec<Item>, GetError> {
        if max == 0 {
            return Ok(Vec::new());
        }
        if self.items.is_empty() {
            return Err(self.get().unwrap_err());
        }
        let n = max.min(self.items.len());
        Ok(self.items.drain(..n).collect())
    }

    fn get(&mut self) -> Result<Item, GetError> {
        match self.items.pop_front() {
            Some(i) => Ok(i),
            None if self.shut => Err(GetError::ShutDown),
            None => Err(GetError::Empty),
        }
    }
}

fn tags(items: &[Item]) -> Vec<(u8, u32)> {
    items.iter().map(|i| (i.prio, i.tag)).collect()
}

fn check<D: Discipline<Item>>(
    q: BlockingQueue<Item, D>,
    kind: Kind,
    capacity: Option<usize>,
    ops: Vec<Op>,
) -> Result<(), TestCaseError> {
    let mut r = Reference {
        kind,
        items: VecDeque::new(),
        capacity,
        shut: false,
        unfinished: 0,
    };
    for (tag, op) in ops.into_iter().enumerate() {
        let tag = tag as u32;
        match op {
            Op::TryPut(prio) => {
                let item = Item { prio, tag };
                let got = q
                    .try_put(item)
                    .map_err(|e| (e.is_full(), e.into_inner().tag));
                let want = r.put(item).map_err(|e| (e.is_full(), e.into_inner().tag));
                prop_assert_eq!(got, want);
            }
            Op::PutTimeoutZero(prio) => {
                let item = Item { prio, tag };
                let got = q
                    .put_timeout(item, Duration::ZERO)
                    .map_err(|e| (e.is_full(), e.into_inner().tag));
                let want = r.put(item).map_err(|e| (e.is_full(), e.into_inner().tag));
                prop_assert_eq!(got, want);
            }
            Op::TryGet => {
                let got = q.try_get().map(|i| (i.prio, i.tag));
                prop_assert_eq!(got, r.get().map(|i| (i.prio, i.tag)));
            }
            Op::GetTimeoutZero => {
                let got = q.get_timeout(Duration::ZERO).map(|i| (i.prio, i.tag));
                prop_assert_eq!(got, r.get().map(|i| (i.prio, i.tag)));
            }
            Op::Drain(max) => {
                let got = q.try_get_many(max).unwrap_or_default();
                let n = max.min(r.items.len());
                let want: Vec<Item> = r.items.drain(..n).collect();
                prop_assert_eq!(tags(&got), tags(&want));
            }
            Op::TryGetMany(max) => {
                let got = q.try_get_many(max).map(|v| tags(&v));
                let want = r.get_many(max).map(|v| tags(&v));
                prop_assert_eq!(got, want);
            }
            Op::GetManyTimeoutZero(max) => {
                let got = q.get_many_timeout(max, Duration::ZERO).map(|v| tags(&v));
                let want = r.get_many(max).map(|v| tags(&v));
                prop_assert_eq!(got, want);
            }
            Op::TaskDone => {
                let want = if r.unfinished == 0 {
                    Err(queuekit::TaskDoneError)
                } else {
                    r.unfinished -= 1;
                    Ok(())
                };
                prop_assert_eq!(q.task_done(), want);
            }
            Op::Shutdown => {
                q.shutdown();
                r.shut = true;
            }
            Op::ShutdownNow => {
                let got = q.shutdown_now();
                let want: Vec<Item> = r.items.drain(..).collect();
                r.unfinished = r.unfinished.saturating_sub(want.len());
                r.shut = true;
                prop_assert_eq!(tags(&got), tags(&want));
            }
        }
        prop_assert_eq!(q.len(), r.items.len());
        prop_assert_eq!(q.is_empty(), r.items.is_empty());
        prop_assert_eq!(q.is_full(), capacity.is_some_and(|c| r.items.len() >= c));
        prop_assert_eq!(q.unfinished_tasks(), r.unfinished);
        prop_assert_eq!(q.is_shutdown(), r.shut);
        prop_assert_eq!(q.join_timeout(Duration::ZERO), r.unfinished == 0);
    }
    Ok(())
}

fn capacity() -> impl Strategy<Value = Option<usize>> {
    prop_oneof![Just(None), (1usize..5).prop_map(Some)]
}

fn make<D: Discipline<Item>>(capacity: Option<usize>) -> BlockingQueue<Item, D> {
    match capacity {
        Some(c) => BlockingQueue::bounded(c),
        None => BlockingQueue::unbounded(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn fifo_matches_a_vecdeque(cap in capacity(), ops in prop::collection::vec(op(), 0..80)) {
        let q: Queue<Item> = make(cap);
        check(q, Kind::Fifo, cap, ops)?;
    }

    #[test]
    fn lifo_matches_a_vec(cap in capacity(), ops in prop::collection::vec(op(), 0..80)) {
        let q: LifoQueue<Item> = make(cap);
        check(q, Kind::Lifo, cap, ops)?;
    }

    #[test]
    fn priority_matches_a_stable_min_heap(cap in capacity(), ops in prop::collection::vec(op(), 0..80)) {
        let q: PriorityQueue<Item> = make(cap);
        check(q, Kind::Priority, cap, ops)?;
    }
}
