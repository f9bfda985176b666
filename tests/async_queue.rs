//! Awaitable queue operations on real executors: tokio (multi-thread and
//! current-thread) and `futures::executor`, mixed with threads, under
//! cancellation (timeouts, `select!`), with exact accounting.

use std::collections::HashSet;
use std::future::Future;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::thread;
use std::time::Duration;

use queuekit::{LifoQueue, PriorityQueue, PutShutDownError, Queue, ShutDownError};

fn poll_once<F: Future + Unpin>(f: &mut F) -> Poll<F::Output> {
    std::pin::Pin::new(f).poll(&mut Context::from_waker(futures::task::noop_waker_ref()))
}

/// How many items the big runs move (the test profile is optimised, `opt-level
/// = 1`, so 10^6 takes well under a second).
const BIG: u64 = 1_000_000;

#[test]
fn minimal_executor_get_put_join() {
    let q = Queue::bounded(2);
    futures::executor::block_on(async {
        q.put_async(1).await.unwrap();
        q.put_async(2).await.unwrap();
        assert_eq!(q.get_async().await, Ok(1));
        q.task_done().unwrap();
        assert_eq!(q.get_async().await, Ok(2));
        q.task_done().unwrap();
        q.join_async().await;
        q.shutdown();
        assert_eq!(q.get_async().await, Err(ShutDownError));
        assert_eq!(q.put_async(3).await, Err(PutShutDownError(3)));
    });
}

#[test]
fn pending_futures_leave_no_waiter_behind() {
    let q = Queue::<u32>::bounded(1);
    let mut g = q.get_async();
    assert!(poll_once(&mut g).is_pending());
    assert_eq!(q.blocked_getters(), 1);
    drop(g);
    assert_eq!(q.blocked_getters(), 0);
    q.put(1).unwrap();
    let mut p = q.put_async(2);
    assert!(poll_once(&mut p).is_pending());
    assert_eq!(q.blocked_putters(), 1);
    assert_eq!(p.into_item(), Some(2));
    assert_eq!(q.blocked_putters(), 0);
    // The thread path still works after the tasks left.
    assert_eq!(q.get(), Ok(1));
    q.put(3).unwrap();
    assert_eq!(q.get(), Ok(3));
}

#[test]
fn woken_then_dropped_get_passes_the_item_on() {
    let q = Queue::<u32>::unbounded();
    let mut a = q.get_async();
    let mut b = q.get_async();
    assert!(poll_once(&mut a).is_pending());
    assert!(poll_once(&mut b).is_pending());
    q.put(7).unwrap(); // wakes a (the oldest)
    drop(a); // woken, never ran: the wake-up goes to b
    assert_eq!(poll_once(&mut b), Poll::Ready(Ok(7)));
    assert_eq!(q.blocked_getters(), 0);
    let q = LifoQueue::<u32>::unbounded();
    let mut a = q.get_async();
    let mut b = q.get_async();
    assert!(poll_once(&mut a).is_pending());
    assert!(poll_once(&mut b).is_pending());
    q.put(7).unwrap();
    drop(a);
    assert_eq!(poll_once(&mut b), Poll::Ready(Ok(7)));
}

fn mixed<D>(q: Arc<queuekit::BlockingQueue<u64, D>>, rt: tokio::runtime::Runtime)
where
    D: queuekit::Discipline<u64> + Send + Sync + 'static,
{
    let n: u64 = BIG / 10;
    // Two thread producers, two task producers; two thread consumers, two task
    // consumers. Every item exactly once.
    let mut producers = Vec::new();
    for p in 0..2u64 {
        let q = q.clone();
        producers.push(thread::spawn(move || {
            for i in 0..n {
                q.put(p * n + i).unwrap();
            }
        }));
    }
    let thread_consumers: Vec<_> = (0..2)
        .map(|_| {
            let q = q.clone();
            thread::spawn(move || q.iter().collect::<Vec<u64>>())
        })
        .collect();
    let got = rt.block_on(async {
        let mut tasks = Vec::new();
        for p in 2..4u64 {
            let q = q.clone();
            tasks.push(tokio::spawn(async move {
                for i in 0..n {
                    q.put_async(p * n + i).await.unwrap();
                }
                Vec::new()
            }));
        }
        for _ in 0..2 {
            let q = q.clone();
            tasks.push(tokio::spawn(async move {
                let mut got = Vec::new();
                while let Ok(x) = q.get_async().await {
                    got.push(x);
                }
                got
            }));
        }
        let (put_tasks, get_tasks) = tasks.split_at_mut(2);
        for t in put_tasks {
            t.await.unwrap();
        }
        for p in std::mem::take(&mut producers) {
            tokio::task::spawn_blocking(move || p.join().unwrap())
                .await
                .unwrap();
        }
        q.shutdown();
        let mut got = Vec::new();
        for t in get_tasks {
            got.extend(t.await.unwrap());
        }
        got
    });
    let mut all: Vec<u64> = got;
    for c in thread_consumers {
        all.extend(c.join().unwrap());
    }
    assert_eq!(all.len() as u64, 4 * n, "lost or doubled items");
    let set: HashSet<u64> = all.iter().copied().collect();
    assert_eq!(set.len() as u64, 4 * n, "an item arrived twice");
    assert_eq!(q.blocked_getters() + q.blocked_putters(), 0);
}

#[test]
fn threads_and_tasks_mixed_multi_thread() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    mixed(Arc::new(Queue::bounded(4)), rt);
}

#[test]
fn threads_and_tasks_mixed_current_thread() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    mixed(Arc::new(Queue::bounded(4)), rt);
}

#[test]
fn threads_and_tasks_mixed_lifo_and_priority() {
    let rt = || {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .build()
            .unwrap()
    };
    mixed(Arc::new(LifoQueue::bounded(3)), rt());
    mixed(Arc::new(PriorityQueue::bounded(3)), rt());
}

/// 10^6 items from a thread to a task and back through
/// two bounded queues: exact sum and count.
#[test]
fn a_million_items_thread_to_task_exact() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let q = Arc::new(Queue::bounded(64));
    let producer = {
        let q = q.clone();
        thread::spawn(move || {
            for i in 1..=BIG {
                q.put(i).unwrap();
            }
            q.shutdown();
        })
    };
    let (count, sum) = rt.block_on(async {
        let mut count = 0u64;
        let mut sum = 0u64;
        while let Ok(x) = q.get_async().await {
            count += 1;
            sum += x;
        }
        (count, sum)
    });
    producer.join().unwrap();
    assert_eq!(count, BIG);
    assert_eq!(sum, BIG * (BIG + 1) / 2);
}

/// `tokio::time::timeout` around `get_async` under load: timeouts drop pending
/// futures all the time, and still every item arrives exactly once.
#[test]
fn timeout_around_get_async_loses_nothing() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .unwrap();
    let n = BIG / 20;
    let q = Arc::new(Queue::bounded(8));
    let producer = {
        let q = q.clone();
        thread::spawn(move || {
            for i in 0..n {
                q.put(i).unwrap();
                if i % 1024 == 0 {
                    thread::sleep(Duration::from_micros(200)); // let timeouts fire
                }
            }
            q.shutdown();
        })
    };
    let (got, timeouts) = rt.block_on(async {
        let consumers: Vec<_> = (0..3)
            .map(|_| {
                let q = q.clone();
                tokio::spawn(async move {
                    let mut got = Vec::new();
                    let mut timeouts = 0u64;
                    loop {
                        match tokio::time::timeout(Duration::from_micros(50), q.get_async()).await {
                            Ok(Ok(x)) => got.push(x),
                            Ok(Err(_)) => break,
                            Err(_) => timeouts += 1,
                        }
                    }
                    (got, timeouts)
                })
            })
            .collect();
        let mut got = Vec::new();
        let mut timeouts = 0;
        for c in consumers {
            let (g, t) = c.await.unwrap();
            got.extend(g);
            timeouts += t;
        }
        (got, timeouts)
    });
    producer.join().unwrap();
    let set: HashSet<u64> = got.iter().copied().collect();
    assert_eq!(got.len() as u64, n);
    assert_eq!(set.len() as u64, n);
    assert_eq!(q.blocked_getters(), 0);
    eprintln!("timeouts: {timeouts}");
}

/// `select!` over two `get_async` futures, again and again: the losing branch's
/// future is dropped each time, and no item is lost or doubled.
#[test]
fn select_over_two_gets_loses_nothing() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let n = BIG / 20;
    let a = Arc::new(Queue::bounded(4));
    let b = Arc::new(Queue::bounded(4));
    let producers: Vec<_> = [(a.clone(), 0), (b.clone(), n)]
        .into_iter()
        .map(|(q, base)| {
            thread::spawn(move || {
                for i in 0..n {
                    q.put(base + i).unwrap();
                }
                q.shutdown();
            })
        })
        .collect();
    let got = rt.block_on(async {
        let mut got = Vec::new();
        let (mut a_open, mut b_open) = (true, true);
        while a_open || b_open {
            tokio::select! {
                r = a.get_async(), if a_open => match r {
                    Ok(x) => got.push(x),
                    Err(_) => a_open = false,
                },
                r = b.get_async(), if b_open => match r {
                    Ok(x) => got.push(x),
                    Err(_) => b_open = false,
                },
            }
        }
        got
    });
    for p in producers {
        p.join().unwrap();
    }
    let set: HashSet<u64> = got.iter().copied().collect();
    assert_eq!(got.len() as u64, 2 * n);
    assert_eq!(set.len() as u64, 2 * n);
    assert_eq!(a.blocked_getters() + b.blocked_getters(), 0);
}

/// A task `put_async` on a full queue, woken by a thread's `get`, and a
/// `join_async` awaiting threads' `task_done`s.
#[test]
fn task_putter_thread_getter_and_join() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let q = Arc::new(Queue::bounded(1));
    let worker = {
        let q = q.clone();
        thread::spawn(move || {
            for x in q.iter() {
                let _: u32 = x;
                q.task_done().unwrap();
            }
        })
    };
    rt.block_on(async {
        for i in 0..10_000 {
            q.put_async(i).await.unwrap();
        }
        q.join_async().await;
        assert_eq!(q.unfinished_tasks(), 0);
    });
    q.shutdown();
    worker.join().unwrap();
}

#[test]
fn shutdown_wakes_pending_futures() {
    let q = Arc::new(Queue::<u32>::bounded(1));
    q.put(0).unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    rt.block_on(async {
        let q2 = q.clone();
        let put = tokio::spawn(async move { q2.put_async(1).await });
        while q.blocked_putters() == 0 {
            tokio::task::yield_now().await;
        }
        q.shutdown();
        assert_eq!(put.await.unwrap(), Err(PutShutDownError(1)));
        assert_eq!(q.get_async().await, Ok(0));
        let q3 = q.clone();
        let get = tokio::spawn(async move { q3.get_async().await });
        assert_eq!(get.await.unwrap(), Err(ShutDownError));
    });
}

#[cfg(feature = "stream")]
#[test]
fn stream_ends_at_shutdown_and_empty() {
    use futures::StreamExt;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let q = Arc::new(Queue::bounded(16));
    let producer = {
        let q = q.clone();
        thread::spawn(move || {
            for i in 0..100_000u64 {
                q.put(i).unwrap();
            }
            q.shutdown();
        })
    };
    let (a, b) = rt.block_on(async {
        let q1 = q.clone();
        let q2 = q.clone();
        let a = tokio::spawn(async move { q1.stream().collect::<Vec<u64>>().await });
        let b =
            tokio::spawn(async move { q2.stream().fold(0u64, |n, _| async move { n + 1 }).await });
        (a.await.unwrap(), b.await.unwrap())
    });
    producer.join().unwrap();
    assert_eq!(a.len() as u64 + b, 100_000);
    assert!(
        a.windows(2).all(|w| w[0] < w[1]),
        "one consumer sees FIFO order"
    );
}
