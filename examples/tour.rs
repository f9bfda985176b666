//! A quick tour of queuekit, bottom to top. Run it with
//! `cargo run --release --example tour`.

use queuekit::pipeline::{self, Failure};
use queuekit::{
    Condvar, LifoQueue, Mutex, PriorityQueue, Queue, TaskCounter, TaskService, ThreadPoolManager,
};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

fn main() {
    println!("queuekit tour\n");
    locks();
    counter();
    queues();
    pool();
    pipeline_demo();
}

/// Layer 2: a futex Mutex and Condvar.
fn locks() {
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
    println!(
        "Mutex        4 threads x 10 000 increments = {}",
        *hits.lock()
    );

    let slot = Arc::new((Mutex::new(None::<&str>), Condvar::new()));
    let s2 = Arc::clone(&slot);
    let t = thread::spawn(move || {
        *s2.0.lock() = Some("hello from another thread");
        s2.1.notify_one();
    });
    let msg = *slot.1.wait_while(slot.0.lock(), |m| m.is_none());
    println!("Condvar      received {:?}", msg.unwrap());
    t.join().unwrap();
}

/// Layer 3: the counter behind task_done()/join().
fn counter() {
    let tasks = Arc::new(TaskCounter::new());
    tasks.add(3).unwrap();
    for _ in 0..3 {
        let tasks = Arc::clone(&tasks);
        thread::spawn(move || tasks.done().unwrap());
    }
    tasks.wait();
    println!(
        "TaskCounter  3 added, 3 done, joined; one more done() -> {:?}",
        tasks.done()
    );
}

/// Layer 4: Python's queue module.
fn queues() {
    // maxsize, Full with the item handed back, task_done/join.
    let q = Arc::new(Queue::bounded(2));
    q.put("a").unwrap();
    q.put("b").unwrap();
    println!(
        "Queue        bounded(2) full: try_put(\"c\") -> {:?}",
        q.try_put("c")
    );
    let worker = {
        let q = Arc::clone(&q);
        thread::spawn(move || {
            for item in q.iter() {
                let _ = item; // ... work on it ...
                q.task_done().unwrap();
            }
        })
    };
    for item in ["c", "d", "e"] {
        q.put(item).unwrap(); // blocks while 2 wait
    }
    q.join();
    println!("Queue        5 items put, join() returned after 5 task_done()s");
    q.shutdown();
    worker.join().unwrap();
    println!(
        "Queue        after shutdown: put -> {:?}, get -> {:?}",
        q.put("late"),
        q.get()
    );

    let lifo = LifoQueue::unbounded();
    for i in 1..=3 {
        lifo.put(i).unwrap();
    }
    println!("LifoQueue    put 1, 2, 3; drain -> {:?}", lifo.drain(10));

    let pq = PriorityQueue::unbounded();
    for job in [(2, "low"), (0, "urgent"), (1, "normal"), (0, "urgent too")] {
        pq.put(job).unwrap();
    }
    let order: Vec<_> = pq.drain(10).into_iter().map(|(_, name)| name).collect();
    println!("PriorityQueue lowest first -> {order:?}");

    let q: Queue<u8> = Queue::unbounded();
    println!(
        "Queue        get_timeout(10 ms) on an empty queue -> {:?}",
        q.get_timeout(Duration::from_millis(10))
    );
    q.put(1).unwrap();
    q.put(2).unwrap();
    println!(
        "Queue        shutdown_now() hands back {:?}",
        q.shutdown_now()
    );
}

/// Layer 5: the thread pool, futures, and results by id.
fn pool() {
    let pool = ThreadPoolManager::new(2).unwrap();
    let squares: Vec<_> = pool
        .map(1..=4, |x: u32| x * x)
        .map(Result::unwrap)
        .collect();
    println!("ThreadPool   map(x*x) over 1..=4 -> {squares:?}");
    let future = pool.submit(|| "a result").unwrap();
    println!("TaskHandle   submit(..).wait() -> {:?}", future.wait());
    pool.join();
    println!(
        "ThreadPool   joined: {} completed, {} live",
        pool.completed_tasks(),
        pool.live_workers()
    );
    let service = TaskService::new(2).unwrap();
    service.add_task("page-1", || Ok::<_, String>(120)).unwrap();
    service
        .add_task("page-2", || Err::<u32, _>("HTTP 404".to_owned()))
        .unwrap();
    println!(
        "TaskService  page-1 -> {:?}, page-2 -> {:?}, page-3 -> {:?}",
        service.result(&"page-1"),
        service.result(&"page-2"),
        service.result(&"page-3")
    );
}

/// Layer 6: producer + consumers with first-error propagation.
fn pipeline_demo() {
    let err = pipeline::run(
        |feed| {
            for n in 1..=1_000u32 {
                feed.put(n).map_err(|_| "stopped".to_string())?;
            }
            Ok(())
        },
        vec![
            |n: u32| if n == 7 {
                Err(format!("item {n} is bad"))
            } else {
                Ok(())
            };
            2
        ],
    )
    .unwrap_err();
    assert!(matches!(err.failure(), Failure::Consumer(_)));
    println!("pipeline     first error returned: {err}; producer stopped, no thread left blocked");
}
