//! Real-thread stress: P producers × C consumers (P, C in {1, 4}), 10^6 items per
//! discipline, bounded and unbounded; every item received exactly once (count,
//! checksum, and a per-item seen-bitmap); threads blocked on a full or empty queue
//! released by shutdown.

use queuekit::{BlockingQueue, Discipline, GetError, LifoQueue, PriorityQueue, PutError, Queue};
use std::sync::{Arc, Barrier};
use std::thread;

const ITEMS: u64 = 1_000_000;

fn make<D: Discipline<u64>>(bound: Option<usize>) -> BlockingQueue<u64, D> {
    match bound {
        Some(n) => BlockingQueue::bounded(n),
        None => BlockingQueue::unbounded(),
    }
}

/// Producers put `0..ITEMS` between them, then the queue is shut down; consumers
/// `get` until `ShutDown`. Returns the items each consumer saw.
fn exactly_once<D>(producers: u64, consumers: usize, bound: Option<usize>)
where
    D: Discipline<u64> + Send + Sync + 'static,
{
    let q: Arc<BlockingQueue<u64, D>> = Arc::new(make(bound));
    let start = Arc::new(Barrier::new(producers as usize + consumers));
    let per = ITEMS / producers;
    let prod: Vec<_> = (0..producers)
        .map(|p| {
            let (q, start) = (Arc::clone(&q), Arc::clone(&start));
            thread::spawn(move || {
                start.wait();
                for v in p * per..(p + 1) * per {
                    q.put(v).unwrap();
                }
            })
        })
        .collect();
    let cons: Vec<_> = (0..consumers)
        .map(|_| {
            let (q, start) = (Arc::clone(&q), Arc::clone(&start));
            thread::spawn(move || {
                start.wait();
                let mut seen = Vec::new();
                loop {
                    match q.get() {
                        Ok(v) => seen.push(v),
                        Err(GetError::ShutDown) => return seen,
                        Err(GetError::Empty) => unreachable!("blocking get returned Empty"),
                    }
                }
            })
        })
        .collect();
    for p in prod {
        p.join().unwrap();
    }
    q.shutdown(); // consumers drain what is left, then see ShutDown
    let mut bitmap = vec![false; ITEMS as usize];
    let (mut count, mut sum) = (0u64, 0u64);
    for c in cons {
        for v in c.join().unwrap() {
            assert!(!bitmap[v as usize], "item {v} received twice");
            bitmap[v as usize] = true;
            count += 1;
            sum += v;
        }
    }
    assert_eq!(count, ITEMS, "items lost");
    assert_eq!(sum, ITEMS * (ITEMS - 1) / 2);
    assert!(q.is_empty());
}

fn all_shapes<D: Discipline<u64> + Send + Sync + 'static>() {
    for bound in [Some(1024), None] {
        for (p, c) in [(1, 1), (1, 4), (4, 1), (4, 4)] {
            exactly_once::<D>(p, c, bound);
        }
    }
}

#[test]
fn fifo_million_items_exactly_once_all_shapes() {
    all_shapes::<queuekit::Fifo<u64>>();
}

#[test]
fn lifo_million_items_exactly_once_all_shapes() {
    all_shapes::<queuekit::Lifo<u64>>();
}

#[test]
fn priority_million_items_exactly_once_all_shapes() {
    all_shapes::<queuekit::Priority<u64>>();
}

#[test]
fn tiny_bound_with_many_threads_loses_nothing() {
    exactly_once::<queuekit::Fifo<u64>>(4, 4, Some(1));
}

/// Threads blocked in `put` (full queue) and `get` (empty queue) all return with
/// `ShutDown` once the queue shuts down.
#[test]
fn shutdown_releases_every_blocked_thread() {
    let full: Arc<Queue<u32>> = Arc::new(Queue::bounded(1));
    full.put(0).unwrap();
    let empty: Arc<LifoQueue<u32>> = Arc::new(LifoQueue::unbounded());
    let putters: Vec<_> = (0..3)
        .map(|i| {
            let q = Arc::clone(&full);
            thread::spawn(move || q.put(i + 1))
        })
        .collect();
    let getters: Vec<_> = (0..3)
        .map(|_| {
            let q = Arc::clone(&empty);
            thread::spawn(move || q.get())
        })
        .collect();
    full.shutdown();
    empty.shutdown();
    for p in putters {
        assert!(matches!(p.join().unwrap(), Err(PutError::ShutDown(_))));
    }
    for g in getters {
        assert_eq!(g.join().unwrap(), Err(GetError::ShutDown));
    }
    // The item already queued is still there to drain.
    assert_eq!(full.get(), Ok(0));
    assert_eq!(full.get(), Err(GetError::ShutDown));
}

#[test]
fn shutdown_now_under_load_hands_back_exactly_what_was_not_taken() {
    let q: Arc<PriorityQueue<u64>> = Arc::new(PriorityQueue::bounded(64));
    let producers: Vec<_> = (0..2u64)
        .map(|p| {
            let q = Arc::clone(&q);
            thread::spawn(move || {
                let mut refused = Vec::new();
                for v in (p * 100_000)..((p + 1) * 100_000) {
                    if let Err(e) = q.put(v) {
                        refused.push(e.into_inner());
                    }
                }
                refused
            })
        })
        .collect();
    let consumer = {
        let q = Arc::clone(&q);
        thread::spawn(move || {
            let mut got = Vec::new();
            while let Ok(v) = q.get() {
                got.push(v);
                if got.len() == 50_000 {
                    break;
                }
            }
            got
        })
    };
    let taken = consumer.join().unwrap();
    let handed_back = q.shutdown_now();
    let mut all: Vec<u64> = taken;
    all.extend(&handed_back);
    for p in producers {
        all.extend(p.join().unwrap());
    }
    // Everything put was either taken, handed back by shutdown_now, or refused
    // (and handed back to its producer): each of the 200 000 exactly once.
    all.sort_unstable();
    assert_eq!(all, (0..200_000).collect::<Vec<_>>());
    assert!(q.is_empty());
    assert_eq!(
        q.unfinished_tasks(),
        50_000,
        "taken items still await task_done"
    );
}
