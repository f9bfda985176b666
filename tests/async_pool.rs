//! The pool's awaitable side on real runtimes: `TaskHandle` as a future,
//! `TaskService::result_async`, `ThreadPoolManager::wait_all_async`.

use std::future::Future;
use std::sync::mpsc;
use std::task::{Context, Poll};
use std::time::Duration;

use queuekit::{ResultError, TaskError, TaskService, ThreadPoolManager};

#[test]
fn handles_awaited_on_tokio() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let pool = ThreadPoolManager::new(3).unwrap();
    rt.block_on(async {
        let handles: Vec<_> = (0..1000u64)
            .map(|i| pool.submit(move || i * i).unwrap())
            .collect();
        let mut sum = 0;
        for h in handles {
            sum += h.await.unwrap();
        }
        assert_eq!(sum, (0..1000u64).map(|i| i * i).sum());
        let bad = pool.submit(|| -> () { panic!("boom") }).unwrap();
        assert_eq!(bad.await, Err(TaskError::Panicked("boom".into())));
        // `?` on submit, then await.
        let r: Result<u8, Box<dyn std::error::Error>> =
            async { Ok(pool.submit(|| 5u8)?.await?) }.await;
        assert_eq!(r.unwrap(), 5);
        pool.wait_all_async().await;
    });
}

#[test]
fn handles_joined_concurrently_with_futures_join_all() {
    let pool = ThreadPoolManager::new(2).unwrap();
    let handles: Vec<_> = (0..100).map(|i| pool.submit(move || i).unwrap()).collect();
    let all = futures::executor::block_on(futures::future::join_all(handles));
    assert_eq!(
        all.into_iter().map(Result::unwrap).sum::<i32>(),
        (0..100).sum()
    );
}

#[test]
fn handle_polled_then_dropped_and_cancelled() {
    let pool = ThreadPoolManager::new(1).unwrap();
    let (go, gate) = mpsc::channel::<()>();
    let blocker = pool.submit(move || gate.recv().unwrap()).unwrap();
    let mut queued = pool.submit(|| "never").unwrap();
    let mut cx = Context::from_waker(futures::task::noop_waker_ref());
    assert!(std::pin::Pin::new(&mut queued).poll(&mut cx).is_pending());
    assert!(queued.cancel());
    assert_eq!(
        std::pin::Pin::new(&mut queued).poll(&mut cx),
        Poll::Ready(Err(TaskError::Cancelled))
    );
    let mut b2 = pool.submit(|| 1).unwrap();
    assert!(std::pin::Pin::new(&mut b2).poll(&mut cx).is_pending());
    drop(b2); // leaves no waker behind; the task still runs
    go.send(()).unwrap();
    futures::executor::block_on(async {
        assert_eq!(blocker.await, Ok(()));
        pool.wait_all_async().await;
    });
}

#[test]
fn terminate_wakes_an_awaiting_handle() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let pool = ThreadPoolManager::new(1).unwrap();
    let (go, gate) = mpsc::channel::<()>();
    let blocker = pool.submit(move || gate.recv().unwrap()).unwrap();
    let queued = pool.submit(|| 2).unwrap();
    rt.block_on(async {
        let waiter = tokio::spawn(queued);
        tokio::time::sleep(Duration::from_millis(10)).await;
        assert_eq!(pool.terminate(), 1);
        assert_eq!(waiter.await.unwrap(), Err(TaskError::Cancelled));
    });
    go.send(()).unwrap();
    assert_eq!(blocker.wait(), Ok(()));
}

#[test]
fn task_service_result_async() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .unwrap();
    let service = TaskService::new(2).unwrap();
    for i in 0..50u32 {
        service
            .add_task(i, move || {
                std::thread::sleep(Duration::from_micros(100));
                i + 1
            })
            .unwrap();
    }
    service.add_task(99, || -> u32 { panic!("bad") }).unwrap();
    rt.block_on(async {
        for i in (0..50u32).rev() {
            assert_eq!(service.result_async(&i).await, Ok(i + 1));
        }
        assert_eq!(
            service.result_async(&99).await,
            Err(ResultError::Failed(TaskError::Panicked("bad".into())))
        );
        assert_eq!(
            service.result_async(&7).await,
            Err(ResultError::UnknownTask)
        );
        // A timed-out wait leaves the result for later.
        let (go, gate) = mpsc::channel::<()>();
        service
            .add_task(100, move || {
                gate.recv().unwrap();
                3
            })
            .unwrap();
        let early =
            tokio::time::timeout(Duration::from_millis(5), service.result_async(&100)).await;
        assert!(early.is_err());
        go.send(()).unwrap();
        assert_eq!(service.result_async(&100).await, Ok(3));
    });
}

#[test]
fn wait_all_async_waits_for_everything() {
    let pool = ThreadPoolManager::new(2).unwrap();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    for _ in 0..200 {
        let done = done.clone();
        pool.execute(move || {
            std::thread::sleep(Duration::from_micros(50));
            done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        })
        .unwrap();
    }
    futures::executor::block_on(pool.wait_all_async());
    assert_eq!(done.load(std::sync::atomic::Ordering::Relaxed), 200);
}

#[test]
fn a_handle_awaited_by_reference_reports_result_taken_afterwards() {
    // Polling through `&mut handle` leaves the handle usable; its result went out
    // with the first completion, so later calls say so instead of panicking.
    let pool = queuekit::ThreadPoolManager::new(1).unwrap();
    let mut handle = pool.submit(|| 7).unwrap();
    assert_eq!(futures::executor::block_on(&mut handle), Ok(7));
    assert_eq!(
        futures::executor::block_on(&mut handle),
        Err(queuekit::TaskError::ResultTaken)
    );
    assert!(handle.is_finished());
    assert_eq!(handle.wait(), Err(queuekit::TaskError::ResultTaken));
    let mut again = pool.submit(|| 8).unwrap();
    assert_eq!(futures::executor::block_on(&mut again), Ok(8));
    assert_eq!(
        again.try_result().ok(),
        Some(Err(queuekit::TaskError::ResultTaken))
    );
}
