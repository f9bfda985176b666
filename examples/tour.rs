//! A quick tour of queuekit, layer by layer. Run it with
//! `cargo run --release --example tour`.

use queuekit::{Condvar, Mutex, TaskCounter, TaskService, ThreadPoolManager};
use std::sync::Arc;
use std::thread;

fn main() {
    println!("queuekit tour");

    // Layer 2: a futex Mutex shared by four threads.
    let hits = Arc::new(Mutex::new(0u64));
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let hits = Arc::clone(&hits);
            thread::spawn(move || {
                for _ in 0..10_000 {
                    *hits.lock() += 1;
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    println!("mutex:    4 threads x 10000 increments = {}", *hits.lock());

    // Layer 2: a Condvar hand-off.
    let slot = Arc::new((Mutex::new(None::<&str>), Condvar::new()));
    let s2 = Arc::clone(&slot);
    let t = thread::spawn(move || {
        *s2.0.lock() = Some("hello from another thread");
        s2.1.notify_one();
    });
    let msg = slot.1.wait_while(slot.0.lock(), |m| m.is_none()).unwrap();
    println!("condvar:  received {msg:?}");
    t.join().unwrap();

    // Layer 3: the task counter behind task_done()/join().
    let tasks = Arc::new(TaskCounter::new());
    tasks.add(3).unwrap();
    for i in 0..3 {
        let tasks = Arc::clone(&tasks);
        thread::spawn(move || {
            println!("counter:  task {i} done");
            tasks.done().unwrap();
        });
    }
    tasks.wait();
    println!("counter:  joined, {} pending", tasks.pending());

    // Layer 5: the thread pool, futures, and results by id.
    let pool = ThreadPoolManager::new(2).unwrap();
    let squares: Vec<_> = pool
        .map(1..=4, |x: u32| x * x)
        .map(Result::unwrap)
        .collect();
    println!("pool:     map(x*x) over 1..=4 = {squares:?}");
    let future = pool.submit(|| "a TaskHandle result").unwrap();
    println!("pool:     submit + wait = {:?}", future.wait());
    pool.join();
    println!(
        "pool:     joined: {} completed, {} live",
        pool.completed_tasks(),
        pool.live_workers()
    );
    let service = TaskService::new(2).unwrap();
    service.add_task("page-1", || Ok::<_, String>(120)).unwrap();
    service
        .add_task("page-2", || Err::<u32, _>("HTTP 404".to_owned()))
        .unwrap();
    println!("service:  page-1 -> {:?}", service.result(&"page-1"));
    println!("service:  page-2 -> {:?}", service.result(&"page-2"));
}
