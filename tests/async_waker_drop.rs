//! A waker is user code: its `drop` may touch the queue it waited on. No queue
//! drops (or wakes) a waker while holding one of its locks, so a waker whose
//! last reference runs `len()` (and, for a putter, `try_put`) on the same queue
//! cannot deadlock its thread: not when a pending future is re-polled with a
//! new waker (the queue lets go of the old one), not when a pending future is
//! cancelled (its entry and waker leave the queue). For every discipline, for
//! gets and puts. Each body runs under a watchdog, so a deadlock fails the
//! test instead of hanging it.

mod common;

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use common::within;
use queuekit::{BlockingQueue, Discipline, LifoQueue, PriorityQueue, Queue, TaskCounter};

/// A waker whose drop (of its last reference) runs `on_drop`.
struct Hooked<F: Fn() + Send + Sync + 'static>(F);

impl<F: Fn() + Send + Sync + 'static> Wake for Hooked<F> {
    fn wake(self: Arc<Self>) {}
}

impl<F: Fn() + Send + Sync + 'static> Drop for Hooked<F> {
    fn drop(&mut self) {
        (self.0)();
    }
}

/// A waker that calls `touch(q)` when its last reference drops, and counts
/// those drops in `dropped`.
fn reentrant_waker<Q: Send + Sync + 'static>(
    q: &Arc<Q>,
    touch: fn(&Q),
    dropped: &Arc<AtomicUsize>,
) -> Waker {
    let (q, dropped) = (Arc::clone(q), Arc::clone(dropped));
    Waker::from(Arc::new(Hooked(move || {
        touch(&q);
        dropped.fetch_add(1, Ordering::Relaxed);
    })))
}

fn poll_with<F: Future + Unpin>(f: &mut F, w: &Waker) -> Poll<F::Output> {
    Pin::new(f).poll(&mut Context::from_waker(w))
}

/// Which way the queue lets go of a waker.
#[derive(Clone, Copy, Debug)]
enum Path {
    /// A pending future polled again with another waker: the old one goes.
    Repoll,
    /// A pending future dropped: its waker goes with its entry.
    Cancel,
}

fn touch_get<D: Discipline<u32>>(q: &BlockingQueue<u32, D>) {
    let _ = q.len();
    let _ = q.blocked_getters();
}

fn touch_put<D: Discipline<u32>>(q: &BlockingQueue<u32, D>) {
    let _ = q.len();
    // Full: the item comes back in the error.
    assert!(q.try_put(99).is_err());
}

/// A pending future, first polled with a waker whose last reference the queue
/// then holds; `path` makes the queue drop it.
fn run<D>(q: Arc<BlockingQueue<u32, D>>, path: Path)
where
    D: Discipline<u32> + Send + Sync + 'static,
    BlockingQueue<u32, D>: Send + Sync,
{
    // An empty queue: a pending get; a full one: a pending put.
    let is_get = q.is_empty();
    let touch: fn(&BlockingQueue<u32, D>) = if is_get { touch_get } else { touch_put };
    let dropped = Arc::new(AtomicUsize::new(0));
    let mut f: Pin<Box<dyn Future<Output = ()> + '_>> = if is_get {
        let get = q.get_async();
        Box::pin(async move { get.await.map(drop).unwrap() })
    } else {
        let put = q.put_async(1);
        Box::pin(async move { put.await.unwrap() })
    };
    let w1 = reentrant_waker(&q, touch, &dropped);
    assert!(poll_with(&mut f, &w1).is_pending());
    drop(w1); // the queue holds the last reference now
    assert_eq!(dropped.load(Ordering::Relaxed), 0);
    match path {
        Path::Repoll => {
            let w2 = futures::task::noop_waker_ref();
            assert!(poll_with(&mut f, w2).is_pending());
            assert_eq!(dropped.load(Ordering::Relaxed), 1, "the old waker is gone");
            drop(f);
        }
        Path::Cancel => {
            drop(f);
            assert_eq!(
                dropped.load(Ordering::Relaxed),
                1,
                "the waker left with its entry"
            );
        }
    }
    assert_eq!(q.blocked_getters() + q.blocked_putters(), 0);
    // The queue still works.
    if is_get {
        q.put(1).unwrap();
        assert_eq!(q.len(), 1);
    } else {
        assert_eq!(q.get(), Ok(0));
        q.put(2).unwrap();
    }
}

fn get_case<D>(q: BlockingQueue<u32, D>, path: Path)
where
    D: Discipline<u32> + Send + Sync + 'static,
    BlockingQueue<u32, D>: Send + Sync,
{
    within(&format!("get_async, {path:?}"), move || {
        run(Arc::new(q), path);
    });
}

fn put_case<D>(q: BlockingQueue<u32, D>, path: Path)
where
    D: Discipline<u32> + Send + Sync + 'static,
    BlockingQueue<u32, D>: Send + Sync,
{
    q.put(0).unwrap(); // full
    within(&format!("put_async, {path:?}"), move || {
        run(Arc::new(q), path);
    });
}

#[test]
fn fifo_get_repoll() {
    get_case(Queue::bounded(1), Path::Repoll);
}

#[test]
fn fifo_get_cancel() {
    get_case(Queue::bounded(1), Path::Cancel);
}

#[test]
fn fifo_put_repoll() {
    put_case(Queue::bounded(1), Path::Repoll);
}

#[test]
fn fifo_put_cancel() {
    put_case(Queue::bounded(1), Path::Cancel);
}

#[test]
fn lifo_get_repoll() {
    get_case(LifoQueue::bounded(1), Path::Repoll);
}

#[test]
fn lifo_get_cancel() {
    get_case(LifoQueue::bounded(1), Path::Cancel);
}

#[test]
fn lifo_put_repoll() {
    put_case(LifoQueue::bounded(1), Path::Repoll);
}

#[test]
fn lifo_put_cancel() {
    put_case(LifoQueue::bounded(1), Path::Cancel);
}

#[test]
fn priority_get_repoll() {
    get_case(PriorityQueue::bounded(1), Path::Repoll);
}

#[test]
fn priority_get_cancel() {
    get_case(PriorityQueue::bounded(1), Path::Cancel);
}

#[test]
fn priority_put_repoll() {
    put_case(PriorityQueue::bounded(1), Path::Repoll);
}

#[test]
fn priority_put_cancel() {
    put_case(PriorityQueue::bounded(1), Path::Cancel);
}

/// The same through a select future: its arms are entries in the queues'
/// lists, and a re-poll with another waker or a cancel lets go of them.
#[test]
fn select_future_repoll_and_cancel() {
    within("select future", || {
        let a: Arc<Queue<u32>> = Arc::new(Queue::unbounded());
        let b: Arc<PriorityQueue<u32>> = Arc::new(PriorityQueue::unbounded());
        let dropped = Arc::new(AtomicUsize::new(0));
        let mut sel = queuekit::Select::new().get(&*a, |r| r).get(&*b, |r| r);
        let mut f = sel.wait_async();
        let w1 = {
            let (a, b, dropped) = (a.clone(), b.clone(), dropped.clone());
            Waker::from(Arc::new(Hooked(move || {
                let _ = (a.len(), b.len());
                dropped.fetch_add(1, Ordering::Relaxed);
            })))
        };
        assert!(poll_with(&mut f, &w1).is_pending());
        drop(w1);
        assert!(poll_with(&mut f, futures::task::noop_waker_ref()).is_pending());
        assert_eq!(dropped.load(Ordering::Relaxed), 1);
        let w3 = reentrant_waker(&a, |q| assert_eq!(q.len(), 0), &dropped);
        assert!(poll_with(&mut f, &w3).is_pending());
        drop(w3);
        drop(f);
        assert_eq!(dropped.load(Ordering::Relaxed), 2);
        drop(sel);
        assert_eq!(a.blocked_getters() + b.blocked_getters(), 0);
    });
}

/// The task counter's list (and so `join_async`): a re-polled join future
/// lets go of its old waker outside the list's lock, so the waker's drop may
/// register another join future on the same counter.
#[test]
fn join_future_repoll_and_cancel() {
    within("join future", || {
        let c = Arc::new(TaskCounter::new());
        c.add(1).unwrap();
        let dropped = Arc::new(AtomicUsize::new(0));
        let touch: fn(&TaskCounter) = |c| {
            let mut other = c.wait_async();
            assert!(poll_with(&mut other, futures::task::noop_waker_ref()).is_pending());
        };
        let mut j = c.wait_async();
        let w1 = reentrant_waker(&c, touch, &dropped);
        assert!(poll_with(&mut j, &w1).is_pending());
        drop(w1);
        assert!(poll_with(&mut j, futures::task::noop_waker_ref()).is_pending());
        assert_eq!(dropped.load(Ordering::Relaxed), 1);
        let w2 = reentrant_waker(&c, touch, &dropped);
        assert!(poll_with(&mut j, &w2).is_pending());
        drop(w2);
        drop(j);
        assert_eq!(dropped.load(Ordering::Relaxed), 2);
        c.done().unwrap();
        futures::executor::block_on(c.wait_async());
    });
}

/// An item whose `Ord` panics once `ARMED` is set.
#[derive(Debug, PartialEq, Eq)]
struct Fuse(u32);

static ARMED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

impl PartialOrd for Fuse {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Fuse {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        assert!(!ARMED.load(Ordering::Relaxed), "Ord panics (on purpose)");
        self.0.cmp(&other.0)
    }
}

/// A waker whose `wake` runs `on_wake` (user code, as any waker's).
struct OnWake<F: Fn() + Send + Sync + 'static>(F);

impl<F: Fn() + Send + Sync + 'static> Wake for OnWake<F> {
    fn wake(self: Arc<Self>) {
        (self.0)();
    }
}

/// A panicking `Ord` wakes every waiting task (the heap may have changed without
/// the usual targeted wake-up), and it does so after the queue's lock is
/// released: a waker whose `wake` reads the same queue does not deadlock.
#[test]
fn a_panicking_ord_wakes_waiting_tasks_outside_the_lock() {
    within("panicking Ord wakes tasks after unlocking", || {
        let q = Arc::new(PriorityQueue::bounded(3));
        for i in 1..=3 {
            q.put(Fuse(i)).unwrap();
        }
        let woke = Arc::new(AtomicUsize::new(0));
        let waker = {
            let (q, woke) = (Arc::clone(&q), Arc::clone(&woke));
            Waker::from(Arc::new(OnWake(move || {
                let _ = q.len();
                woke.fetch_add(1, Ordering::Relaxed);
            })))
        };
        let mut pending = q.put_async(Fuse(4));
        assert!(poll_with(&mut pending, &waker).is_pending());
        ARMED.store(true, Ordering::Relaxed);
        // Three items: taking the top sifts the other two, which compares.
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| q.get()));
        ARMED.store(false, Ordering::Relaxed);
        assert!(caught.is_err(), "the comparison should have panicked");
        assert_eq!(
            woke.load(Ordering::Relaxed),
            1,
            "the waiting task was woken"
        );
        // The failed get took nothing: still full, so the woken put waits again.
        assert_eq!(q.len(), 3);
        assert!(poll_with(&mut pending, &waker).is_pending());
        // (The heap's order after a panicking `Ord` is unspecified; no item is lost.)
        assert!(q.get().is_ok());
        assert!(poll_with(&mut pending, &waker).is_ready());
    });
}
