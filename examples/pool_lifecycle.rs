//! A `ThreadPoolManager` through its life: submit tagged tasks, collect each result
//! by tag, `close` (run the backlog, then stop) and `terminate` (cancel the
//! backlog). Each task's outcome is held by its handle, a panicking task is caught
//! and reported, and every task that `terminate` cancelled says so.
//!
//! `cargo run --example pool_lifecycle`

use queuekit::{TaskError, TaskHandle, ThreadPoolManager};
use std::collections::HashMap;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// A stand-in task: a little work, then a result.
fn test_ceng(args: Vec<&'static str>) -> String {
    thread::sleep(Duration::from_millis(3));
    format!("processed {args:?}")
}

fn main() {
    // The pool catches task panics; keep the default hook's report to one line.
    std::panic::set_hook(Box::new(|info| {
        eprintln!(
            "[a task panicked: {}]",
            info.payload()
                .downcast_ref::<&str>()
                .copied()
                .or_else(|| info.payload().downcast_ref::<String>().map(String::as_str))
                .unwrap_or("?")
        );
    }));
    // ThreadPoolManager(10): at most 10 threads, started lazily.
    let pool = ThreadPoolManager::new(10).expect("10 workers is a valid pool");

    // pool.put(func, tag, *args): here submit() returns the handle for the tag.
    let mut by_tag: HashMap<&str, TaskHandle<String>> = HashMap::new();
    by_tag.insert(
        "test_ceng996",
        pool.submit(|| test_ceng(vec!["1", "23"])).unwrap(),
    );
    by_tag.insert(
        "test_ceng997",
        pool.submit(|| test_ceng(vec!["df", "hh"])).unwrap(),
    );
    by_tag.insert(
        "test_ceng998",
        pool.submit(|| -> String { panic!("bad input for 998") })
            .unwrap(),
    );
    println!("started {} worker(s) for 3 tasks", pool.stats().live);

    // pool.close(): no new tasks; the queued ones still run.
    pool.close();
    let refused = pool.submit(|| test_ceng(vec![])).unwrap_err();
    println!("after close: {refused}");

    // pool.callback(tag), in any order.
    for tag in ["test_ceng998", "test_ceng997", "test_ceng996"] {
        match by_tag.remove(tag).unwrap().wait() {
            Ok(result) => println!("callback({tag}) = {result}"),
            Err(e) => println!("callback({tag}) failed: {e}"),
        }
    }
    pool.join();
    println!(
        "closed pool: {} live workers, {} completed, {} panicked",
        pool.stats().live,
        pool.stats().completed,
        pool.stats().panicked
    );

    // terminate(): a one-worker pool with a backlog; the running task finishes,
    // the queued ones are cancelled and their handles say so.
    let pool = ThreadPoolManager::new(1).unwrap();
    let (go, gate) = mpsc::channel::<()>();
    let (started_tx, started) = mpsc::channel();
    let running = pool
        .submit(move || {
            started_tx.send(()).unwrap();
            gate.recv().unwrap();
            "finished its run".to_owned()
        })
        .unwrap();
    started.recv().unwrap();
    let queued: Vec<_> = (0..3)
        .map(|i| {
            (
                format!("queued{i}"),
                pool.submit(move || test_ceng(vec!["late"; i])).unwrap(),
            )
        })
        .collect();
    println!("terminate() cancelled {} queued task(s)", pool.terminate());
    go.send(()).unwrap();
    println!("running task: {:?}", running.wait());
    for (tag, h) in queued {
        assert_eq!(h.wait(), Err(TaskError::Cancelled));
        println!("callback({tag}) = Cancelled");
    }
}
