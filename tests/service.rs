//! `TaskService` with real threads: results by id, failures kept, typed errors.

use queuekit::{AddTaskError, ResultError, TaskError, TaskService, ThreadPoolManager};
use std::sync::{mpsc, Arc};
use std::thread;
use std::time::{Duration, Instant};

#[test]
fn results_by_id_with_failures_kept() {
    let service = TaskService::new(3).unwrap();
    for page in 0..10u32 {
        service
            .add_task(format!("page-{page}"), move || {
                if page % 4 == 3 {
                    Err(format!("HTTP 404 for page {page}"))
                } else {
                    Ok(page * 100)
                }
            })
            .unwrap();
    }
    service
        .add_task("crash".to_owned(), || -> Result<u32, String> {
            panic!("socket closed")
        })
        .unwrap();
    service.wait_completion();
    for page in 0..10u32 {
        let got = service.result(&format!("page-{page}")).unwrap();
        if page % 4 == 3 {
            assert_eq!(got, Err(format!("HTTP 404 for page {page}")));
        } else {
            assert_eq!(got, Ok(page * 100));
        }
    }
    assert_eq!(
        service.result(&"crash".to_owned()),
        Err(ResultError::Failed(TaskError::Panicked(
            "socket closed".into()
        )))
    );
    assert_eq!(service.pool().stats().panicked, 1);
    assert_eq!(service.pool().stats().completed, 11);
}

#[test]
fn duplicate_id_hands_the_job_back_until_the_result_is_taken() {
    let service = TaskService::new(1).unwrap();
    service.add_task(1, || "first").unwrap();
    match service.add_task(1, || "second") {
        Err(AddTaskError::Duplicate(id, job)) => assert_eq!((id, job()), (1, "second")),
        other => panic!("expected Duplicate, got {other:?}"),
    }
    assert_eq!(service.result(&1), Ok("first"));
    service.add_task(1, || "again").unwrap(); // the id is free once taken
    assert_eq!(service.result(&1), Ok("again"));
}

#[test]
fn unknown_id_is_an_error_not_a_hang() {
    let service: TaskService<u64, ()> = TaskService::new(1).unwrap();
    assert_eq!(service.result(&5), Err(ResultError::UnknownTask));
    assert_eq!(service.try_result(&5), Err(ResultError::UnknownTask));
    assert_eq!(
        service.result_timeout(&5, Duration::from_secs(60)),
        Err(ResultError::UnknownTask)
    );
}

#[test]
fn not_finished_keeps_the_result_for_later() {
    let service = TaskService::new(1).unwrap();
    let (go, gate) = mpsc::channel::<()>();
    service
        .add_task("slow", move || {
            gate.recv().unwrap();
            42
        })
        .unwrap();
    assert_eq!(service.try_result(&"slow"), Err(ResultError::NotFinished));
    let t0 = Instant::now();
    let timeout = Duration::from_millis(20);
    assert_eq!(
        service.result_timeout(&"slow", timeout),
        Err(ResultError::NotFinished)
    );
    assert!(t0.elapsed() >= timeout, "returned before the timeout");
    go.send(()).unwrap();
    assert_eq!(service.result(&"slow"), Ok(42));
}

#[test]
fn blocking_result_waits_for_another_thread_to_finish_the_task() {
    let service = Arc::new(TaskService::new(2).unwrap());
    let (go, gate) = mpsc::channel::<()>();
    service
        .add_task(7, move || {
            gate.recv().unwrap();
            "late"
        })
        .unwrap();
    service.add_task(8, || "early").unwrap();
    let s = Arc::clone(&service);
    let waiter = thread::spawn(move || s.result(&7));
    assert_eq!(service.result(&8), Ok("early"));
    go.send(()).unwrap();
    assert_eq!(waiter.join().unwrap(), Ok("late"));
}

#[test]
fn into_results_returns_everything_not_taken() {
    let service = TaskService::with_pool(ThreadPoolManager::builder().max_workers(2)).unwrap();
    for i in 0..6 {
        service.add_task(i, move || i * i).unwrap();
    }
    assert_eq!(service.result(&0), Ok(0));
    let all = service.into_results();
    assert_eq!(all.len(), 5);
    for i in 1..6 {
        assert_eq!(all[&i], Ok(i * i));
    }
}

#[test]
fn zero_workers_is_refused() {
    assert!(TaskService::<u8, u8>::new(0).is_err());
}
