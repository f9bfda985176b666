//! Async waiters: threads and tasks on one queue, futures dropped at
//! every point, shutdown, `join_async`, and `TaskHandle` awaited. Futures run on
//! `loom::future::block_on` (a loom thread parked until its waker fires), so a
//! wake-up nobody sends is a loom deadlock, as for threads.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use super::{expect_failure, inject, model};
use crate::pool::{TaskError, ThreadPoolManager};
use crate::queue::error::{PutShutDownError, ShutDownError};
use crate::queue::{BlockingQueue, Discipline, Fifo, Lifo, Queue};
use crate::sync::fault::Fault;
use loom::future::block_on;
use loom::sync::Arc;
use loom::thread;

/// Polls once with a waker that does nothing (the caller drops or re-polls).
pub(super) fn poll_once<F: Future + Unpin>(f: &mut F) -> Poll<F::Output> {
    Pin::new(f).poll(&mut Context::from_waker(futures::task::noop_waker_ref()))
}

/// A thread puts 1 and 2 into a bounded(1) queue while a task gets two items:
/// both arrive, once each, in order, and nobody is left registered.
fn thread_putter_task_getter<D: Discipline<u32> + Send + 'static>() {
    model(|| {
        let q: Arc<BlockingQueue<u32, D>> = Arc::new(BlockingQueue::bounded(1));
        let producer = {
            let q = q.clone();
            thread::spawn(move || {
                q.put(1).unwrap();
                q.put(2).unwrap();
            })
        };
        let got = block_on(async { (q.get_async().await, q.get_async().await) });
        producer.join().unwrap();
        assert_eq!(got, (Ok(1), Ok(2)));
        assert_eq!(q.blocked_getters() + q.blocked_putters(), 0);
    });
}

#[test]
fn thread_putter_task_getter_fifo_bounded_one() {
    thread_putter_task_getter::<Fifo<u32>>();
}

#[test]
fn thread_putter_task_getter_lifo_bounded_one() {
    thread_putter_task_getter::<Lifo<u32>>();
}

/// The reverse: a task puts 1 and 2 into a bounded(1) queue (waiting on the full
/// edge: the FIFO's take-lock hand-off, I7 in `fifo/mod.rs`) while a thread gets two items.
fn task_putter_thread_getter<D: Discipline<u32> + Send + 'static>() {
    model(|| {
        let q: Arc<BlockingQueue<u32, D>> = Arc::new(BlockingQueue::bounded(1));
        let producer = {
            let q = q.clone();
            thread::spawn(move || {
                block_on(async {
                    q.put_async(1).await.unwrap();
                    q.put_async(2).await.unwrap();
                });
            })
        };
        let got = (q.get(), q.get());
        producer.join().unwrap();
        assert_eq!(got, (Ok(1), Ok(2)));
        assert_eq!(q.blocked_getters() + q.blocked_putters(), 0);
    });
}

#[test]
fn task_putter_thread_getter_fifo_bounded_one() {
    task_putter_thread_getter::<Fifo<u32>>();
}

#[test]
fn task_putter_thread_getter_lifo_bounded_one() {
    task_putter_thread_getter::<Lifo<u32>>();
}

/// The must-fail twin of the FIFO model: a task putter that announces `ASLEEP`
/// without re-checking room with the RMW's count sleeps through the get that
/// freed its slot.
#[test]
#[ignore = "must fail: run by catches_async_putter_without_recheck"]
fn faulty_async_putter_skips_recheck() {
    inject(Fault::AsyncPutterSkipsRecheck);
    task_putter_thread_getter::<Fifo<u32>>();
}

#[test]
fn catches_async_putter_without_recheck() {
    expect_failure(
        "loom_tests::asynk::faulty_async_putter_skips_recheck",
        "deadlock",
    );
}

/// A thread and a task both wait for an item; two puts: each gets one.
#[test]
fn thread_and_task_getters_share_two_puts() {
    model(|| {
        let q = Arc::new(Queue::<u32>::unbounded());
        let task = {
            let q = q.clone();
            thread::spawn(move || block_on(q.get_async()).unwrap())
        };
        let thread_getter = {
            let q = q.clone();
            thread::spawn(move || q.get().unwrap())
        };
        q.put(1).unwrap();
        q.put(2).unwrap();
        let mut got = [task.join().unwrap(), thread_getter.join().unwrap()];
        got.sort_unstable();
        assert_eq!(got, [1, 2]);
    });
}

/// Future A registers first, task B second; a put wakes A (the oldest), and A is
/// dropped at any point, before or after that wake-up, without running again. B
/// must get the item: a woken future that is dropped passes its wake-up on. No
/// entry is left registered. `make` builds the queue (also used for the
/// rendezvous queue, `zero.rs`).
pub(super) fn dropped_woken_getter_passes_on(make: fn() -> Queue<u32>) {
    model(move || {
        let q = Arc::new(make());
        let mut a = q.get_async();
        assert!(poll_once(&mut a).is_pending());
        let b = {
            let q = q.clone();
            thread::spawn(move || block_on(q.get_async()))
        };
        let putter = {
            let q = q.clone();
            thread::spawn(move || q.put(1))
        };
        drop(a);
        assert_eq!(b.join().unwrap(), Ok(1));
        assert_eq!(putter.join().unwrap(), Ok(()));
        assert_eq!((q.blocked_getters(), q.blocked_putters()), (0, 0));
    });
}

#[test]
fn dropped_woken_get_future_passes_its_wake_up_on() {
    dropped_woken_getter_passes_on(Queue::unbounded);
}

/// The must-fail twin: a dropped future that does not pass its wake-up on
/// leaves B asleep with the item queued.
#[test]
#[ignore = "must fail: run by catches_dropped_woken_future_without_pass_on"]
fn faulty_dropped_woken_future_keeps_its_wake_up() {
    inject(Fault::AsyncDropSkipsPassOn);
    dropped_woken_getter_passes_on(Queue::unbounded);
}

#[test]
fn catches_dropped_woken_future_without_pass_on() {
    expect_failure(
        "loom_tests::asynk::faulty_dropped_woken_future_keeps_its_wake_up",
        "deadlock",
    );
}

/// The same for putters on a full bounded(1) FIFO: put future A waits first, task
/// B second; a get frees the slot and wakes A; A is dropped (its item with it).
/// B's item goes in.
#[test]
fn dropped_woken_put_future_passes_its_wake_up_on() {
    model(|| {
        let q = Arc::new(Queue::<u32>::bounded(1));
        q.put(0).unwrap();
        let mut a = q.put_async(1);
        assert!(poll_once(&mut a).is_pending());
        let b = {
            let q = q.clone();
            thread::spawn(move || block_on(q.put_async(2)))
        };
        let getter = {
            let q = q.clone();
            thread::spawn(move || q.get().unwrap())
        };
        drop(a);
        assert_eq!(b.join().unwrap(), Ok(()));
        assert_eq!(getter.join().unwrap(), 0);
        assert_eq!(q.try_get(), Ok(2));
        assert_eq!(q.blocked_putters(), 0);
    });
}

/// `shutdown` wakes a task waiting for an item and a task waiting for room.
#[test]
fn shutdown_wakes_async_getter_and_putter() {
    model(|| {
        let empty = Arc::new(Queue::<u32>::bounded(1));
        let full = Arc::new(Queue::<u32>::bounded(1));
        full.put(0).unwrap();
        let tasks = {
            let (empty, full) = (empty.clone(), full.clone());
            thread::spawn(move || {
                block_on(async { (empty.get_async().await, full.put_async(1).await) })
            })
        };
        empty.shutdown();
        full.shutdown();
        let (got, put) = tasks.join().unwrap();
        assert_eq!(got, Err(ShutDownError));
        assert_eq!(put, Err(PutShutDownError(1)));
        assert_eq!(full.try_get(), Ok(0));
    });
}

/// `join_async` racing the last `task_done` of a thread worker.
#[test]
fn join_async_races_last_task_done() {
    model(|| {
        let q = Arc::new(Queue::unbounded());
        q.put(1).unwrap();
        let worker = {
            let q = q.clone();
            thread::spawn(move || {
                q.get().unwrap();
                q.task_done().unwrap();
            })
        };
        block_on(q.join_async());
        assert_eq!(q.unfinished_tasks(), 0);
        worker.join().unwrap();
    });
}

/// A handle awaited while the worker runs and finishes the task: the result
/// arrives whichever comes first, the finish or the handle's registration.
fn handle_awaited_while_worker_finishes() {
    model(|| {
        let pool = ThreadPoolManager::new(1).unwrap();
        let ok = pool.submit(|| 7).unwrap();
        assert_eq!(block_on(ok), Ok(7));
        drop(pool);
    });
}

#[test]
fn task_handle_awaited_while_worker_finishes() {
    handle_awaited_while_worker_finishes();
}

/// The same while the task panics: the await ends with `Panicked`.
#[test]
fn task_handle_awaited_while_task_panics() {
    model(|| {
        let pool = ThreadPoolManager::new(1).unwrap();
        let bad = pool.submit(|| -> u32 { panic!("task failed") }).unwrap();
        assert_eq!(
            block_on(bad),
            Err(TaskError::Panicked("task failed".into()))
        );
        drop(pool);
    });
}

/// The must-fail twin: publishing without waking the awaiting task.
#[test]
#[ignore = "must fail: run by catches_handle_publish_without_waker"]
fn faulty_handle_publish_skips_waker() {
    inject(Fault::HandlePublishSkipsWaker);
    handle_awaited_while_worker_finishes();
}

#[test]
fn catches_handle_publish_without_waker() {
    expect_failure(
        "loom_tests::asynk::faulty_handle_publish_skips_waker",
        "deadlock",
    );
}

/// `wait_all_async` racing the completion of two tasks on two workers.
#[test]
fn wait_all_async_races_last_completion() {
    model(|| {
        let pool = ThreadPoolManager::new(2).unwrap();
        let a = pool.submit(|| 1).unwrap();
        let b = pool.submit(|| 2).unwrap();
        block_on(pool.wait_all_async());
        assert!(a.is_finished() && b.is_finished());
        drop(pool);
    });
}

/// A waker whose drop (of its last reference) calls `len()` on the queue it
/// waits on. Were it dropped while this thread holds one of the queue's locks,
/// that `len()` would wait for the lock forever: a loom deadlock.
struct TouchesQueueOnDrop<D: Discipline<u32>>(Arc<BlockingQueue<u32, D>>);

impl<D: Discipline<u32>> std::task::Wake for TouchesQueueOnDrop<D> {
    fn wake(self: std::sync::Arc<Self>) {}
}

impl<D: Discipline<u32>> Drop for TouchesQueueOnDrop<D> {
    fn drop(&mut self) {
        let _ = self.0.len();
    }
}

fn touching_waker<D: Discipline<u32> + Send + Sync + 'static>(
    q: &Arc<BlockingQueue<u32, D>>,
) -> Waker
where
    BlockingQueue<u32, D>: Send + Sync,
{
    Waker::from(std::sync::Arc::new(TouchesQueueOnDrop(q.clone())))
}

/// A pending task getter (or putter) re-polled with a new waker and then
/// cancelled, while a thread's put (or get) races to notify it. Whoever lets
/// go of a waker (the re-poll replacing it, the cancel removing it, the
/// notifier waking it) drops it outside the queue's locks: each of those
/// wakers touches the queue when it drops, and nothing deadlocks. The item
/// is taken once or stays queued.
fn waker_drops_outside_locks<D>(getter: bool)
where
    D: Discipline<u32> + Send + Sync + 'static,
    BlockingQueue<u32, D>: Send + Sync,
{
    model(move || {
        let q: Arc<BlockingQueue<u32, D>> = Arc::new(BlockingQueue::bounded(1));
        if !getter {
            q.put(0).unwrap(); // full: a put waits
        }
        let other = {
            let q = q.clone();
            thread::spawn(move || {
                if getter {
                    q.put(1).unwrap();
                } else {
                    assert_eq!(q.get(), Ok(0));
                }
            })
        };
        let done = {
            let mut fut: Pin<Box<dyn Future<Output = ()> + '_>> = if getter {
                let get = q.get_async();
                Box::pin(async move { assert_eq!(get.await, Ok(1)) })
            } else {
                let put = q.put_async(2);
                Box::pin(async move { put.await.unwrap() })
            };
            let mut done = false;
            for _ in 0..2 {
                let w = touching_waker(&q);
                done = fut.as_mut().poll(&mut Context::from_waker(&w)).is_ready();
                drop(w); // the queue holds the last reference, if any
                if done {
                    break;
                }
            }
            done // a pending future is cancelled here
        };
        other.join().unwrap();
        let expect = match (getter, done) {
            (true, true) => 0,   // the getter took the item
            (true, false) => 1,  // cancelled: the item is still there
            (false, true) => 1,  // the putter's item is queued
            (false, false) => 0, // cancelled: nothing put
        };
        assert_eq!(q.len(), expect, "an item lost or doubled");
        assert_eq!(q.blocked_getters() + q.blocked_putters(), 0);
    });
}

#[test]
fn waker_drops_outside_locks_fifo_getter() {
    waker_drops_outside_locks::<Fifo<u32>>(true);
}

#[test]
fn waker_drops_outside_locks_fifo_putter() {
    waker_drops_outside_locks::<Fifo<u32>>(false);
}

#[test]
fn waker_drops_outside_locks_lifo_getter() {
    waker_drops_outside_locks::<Lifo<u32>>(true);
}

#[test]
fn waker_drops_outside_locks_lifo_putter() {
    waker_drops_outside_locks::<Lifo<u32>>(false);
}

/// The must-fail twin: a waiter list that drops a replaced or removed waker
/// where it lets go of it (under the queue's lock) deadlocks the thread whose
/// waker touches the queue.
#[test]
#[ignore = "must fail: run by catches_waker_dropped_under_lock"]
fn faulty_waker_drops_under_lock() {
    inject(Fault::WakerDropsUnderLock);
    waker_drops_outside_locks::<Fifo<u32>>(true);
}

#[test]
fn catches_waker_dropped_under_lock() {
    expect_failure(
        "loom_tests::asynk::faulty_waker_drops_under_lock",
        "deadlock",
    );
}

/// The same for a LIFO putter (the one-lock core).
#[test]
#[ignore = "must fail: run by catches_waker_dropped_under_lock_lifo"]
fn faulty_waker_drops_under_lock_lifo() {
    inject(Fault::WakerDropsUnderLock);
    waker_drops_outside_locks::<Lifo<u32>>(false);
}

#[test]
fn catches_waker_dropped_under_lock_lifo() {
    expect_failure(
        "loom_tests::asynk::faulty_waker_drops_under_lock_lifo",
        "deadlock",
    );
}

/// `get_many_async(2)` on a full bounded(2) queue (`[1, 2]`) while a thread puts
/// 3 then 4, sleeping on the full queue: the future takes its first item as
/// `get_async` does and the rest in a second lock hold (`get_many` without
/// waiting); the slot that second hold frees must wake the sleeping putter, or
/// the join below never returns. The batch is `[1, 2]`, and `[3, 4]` follow.
fn get_many_async_frees_slots<D: Discipline<u32> + Send + 'static>() {
    model(|| {
        let q: Arc<BlockingQueue<u32, D>> = Arc::new(BlockingQueue::bounded(2));
        q.put(1).unwrap();
        q.put(2).unwrap();
        let producer = {
            let q = q.clone();
            thread::spawn(move || {
                q.put(3).unwrap();
                q.put(4).unwrap();
            })
        };
        let batch = block_on(q.get_many_async(2)).unwrap();
        producer.join().unwrap();
        let mut all = batch;
        all.extend(q.try_get_many(2).unwrap());
        all.sort_unstable();
        assert_eq!(all, [1, 2, 3, 4]);
        assert_eq!(q.blocked_getters() + q.blocked_putters(), 0);
    });
}

#[test]
fn get_many_async_wakes_the_putter_it_frees_a_slot_for() {
    get_many_async_frees_slots::<Fifo<u32>>();
}

/// Injected bug: the second hold (`get_many` without waiting) frees a slot and
/// wakes no putter.
#[test]
#[ignore = "expected to fail; run by `catches_get_many_async_without_wake`"]
fn faulty_get_many_async_without_wake() {
    inject(Fault::QueueGetManySkipsWake);
    get_many_async_wakes_the_putter_it_frees_a_slot_for();
}

#[test]
fn catches_get_many_async_without_wake() {
    expect_failure(
        "loom_tests::asynk::faulty_get_many_async_without_wake",
        "deadlock",
    );
}
