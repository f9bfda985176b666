//! A quick tour of queuekit, bottom to top, one line of output per thing shown:
//! the lock and condition variable, the task counter, the queues (FIFO, LIFO,
//! priority, delay), the counted ends from `split()`, `Select` over two queues,
//! an async `get_async`, the thread pool (map, futures, `scope`, `submit_after`),
//! results by id and the pipeline. Run it with
//! `cargo run --release --example tour`.
//!
//! Every wait in it ends on an event the tour itself causes; a watchdog ends the
//! process with an error if the tour ever takes more than ten seconds.

use queuekit::pipeline::{self, Failure};
use queuekit::{
    Condvar, DelayQueue, LifoQueue, Mutex, PriorityQueue, Queue, Select, TaskCounter, TaskService,
    ThreadPoolManager,
};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

fn main() {
    watchdog(Duration::from_secs(10));
    println!("queuekit tour: one line per layer at work");
    locks();
    counter();
    queues();
    delay_queue();
    ends();
    select();
    async_get();
    pool();
    pipeline_demo();
}

/// Ends the process if the tour hangs: a demo must never leave a terminal stuck.
fn watchdog(limit: Duration) {
    thread::spawn(move || {
        thread::sleep(limit);
        eprintln!("tour: still running after {limit:?}, giving up");
        std::process::exit(1);
    });
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
        "Mutex         4 threads x 10 000 increments = {}",
        *hits.lock()
    );

    let slot = Arc::new((Mutex::new(None::<&str>), Condvar::new()));
    let s2 = Arc::clone(&slot);
    let t = thread::spawn(move || {
        *s2.0.lock() = Some("hello from another thread");
        s2.1.notify_one();
    });
    let msg = *slot.1.wait_while(slot.0.lock(), |m| m.is_none());
    println!("Condvar       wait_while woke with {:?}", msg.unwrap());
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
        "TaskCounter   3 added, 3 done, joined; one done() too many -> {:?}",
        tasks.done()
    );
}

/// Layer 4: Python's queue module.
fn queues() {
    // maxsize, Full with the item handed back, task_done/join.
    let q = Arc::new(Queue::bounded(2));
    q.put("a").unwrap();
    q.put("b").unwrap();
    let full = q.try_put("c");
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
    println!("Queue         bounded(2) full: try_put(\"c\") -> {full:?}; 5 put, join() after 5 task_done()s");
    q.shutdown();
    worker.join().unwrap();
    println!(
        "Queue         after shutdown(): put -> {:?}, get -> {:?}",
        q.put("late"),
        q.get()
    );

    let q: Queue<u8> = Queue::unbounded();
    let timed_out = q.get_timeout(Duration::from_millis(10));
    q.put(1).unwrap();
    q.put(2).unwrap();
    println!(
        "Queue         get_timeout(10 ms) when empty -> {timed_out:?}; shutdown_now() hands back {:?}",
        q.shutdown_now()
    );

    let lifo = LifoQueue::unbounded();
    for i in 1..=3 {
        lifo.put(i).unwrap();
    }
    let order: Vec<_> = std::iter::from_fn(|| lifo.try_get().ok()).collect();
    println!("LifoQueue     put 1, 2, 3; get order -> {order:?}");

    let pq = PriorityQueue::unbounded();
    for job in [(2, "low"), (0, "urgent"), (1, "normal"), (0, "urgent too")] {
        pq.put(job).unwrap();
    }
    let order: Vec<_> = std::iter::from_fn(|| pq.try_get().ok())
        .map(|(_, name)| name)
        .collect();
    println!("PriorityQueue lowest first, FIFO among ties -> {order:?}");
}

/// Items that leave in deadline order, each only once due.
fn delay_queue() {
    let q = DelayQueue::unbounded();
    let start = Instant::now();
    q.put_after("second", Duration::from_millis(40)).unwrap();
    q.put_after("first", Duration::from_millis(20)).unwrap();
    let too_early = q.try_get();
    let a = q.get().unwrap();
    let b = q.get().unwrap();
    println!(
        "DelayQueue    put_after 40 ms, 20 ms; try_get -> {too_early:?}; get, get -> {a:?}, {b:?} (waited: {})",
        start.elapsed() >= Duration::from_millis(40)
    );
}

/// The counted ends: the queue closes when the last producer end drops.
fn ends() {
    let (tx, rx) = Queue::bounded(4).split();
    let producers: Vec<_> = (0..3u32)
        .map(|p| {
            let tx = tx.clone();
            thread::spawn(move || {
                for i in 0..10 {
                    tx.put(p * 10 + i).unwrap();
                }
            }) // this producer's end drops here
        })
        .collect();
    drop(tx);
    let total: u32 = rx.iter().sum(); // ends when the last producer end is gone
    for p in producers {
        p.join().unwrap();
    }
    println!("split()       3 producer ends put 0..30; the consumer's loop ended as the last dropped: sum {total}");
}

/// One blocking wait over two queues, whichever has an item first.
fn select() {
    let control: Queue<&str> = Queue::unbounded();
    let work: Queue<u32> = Queue::unbounded();
    let got = thread::scope(|s| {
        s.spawn(|| work.put(7).unwrap()); // arrives while the select waits
        Select::new()
            .get(&control, |r| format!("control {r:?}"))
            .get(&work, |r| format!("work {r:?}"))
            .wait()
    });
    println!(
        "Select        one wait on `control` and `work`; a thread put 7 into work -> {}",
        got.unwrap()
    );
}

/// Threads and async tasks on one queue.
fn async_get() {
    let q: Queue<u32> = Queue::bounded(1);
    let got = thread::scope(|s| {
        s.spawn(|| q.put(42).unwrap());
        futures::executor::block_on(q.get_async())
    });
    println!("async         block_on(q.get_async()) woke when a thread put 42 -> {got:?}");
}

/// Layer 5: the thread pool, futures, scoped and delayed tasks, results by id.
fn pool() {
    let pool = ThreadPoolManager::new(2).unwrap();
    let squares: Vec<_> = pool
        .map(1..=4, |x: u32| x * x)
        .map(Result::unwrap)
        .collect();
    println!("ThreadPool    map(x*x) over 1..=4 -> {squares:?}");
    let future = pool.submit(|| "a result").unwrap();
    println!("TaskHandle    submit(..).wait() -> {:?}", future.wait());

    let mut halves = [vec![1, 2, 3], vec![4, 5, 6]];
    let (left, right) = halves.split_at_mut(1);
    pool.scope(|s| {
        s.submit(|_| left[0].iter_mut().for_each(|x| *x *= 10))
            .unwrap();
        s.submit(|_| right[0].iter_mut().for_each(|x| *x += 1))
            .unwrap();
    });
    println!("scope         2 pool tasks edited halves of a local array in place -> {halves:?}");

    let start = Instant::now();
    let late = pool
        .submit_after(Duration::from_millis(20), move || start.elapsed())
        .unwrap();
    let ran_after = late.wait().unwrap();
    println!(
        "submit_after  a task delayed 20 ms, holding no worker meanwhile, ran after >= 20 ms: {}",
        ran_after >= Duration::from_millis(20)
    );

    pool.join();
    let stats = pool.stats();
    println!(
        "ThreadPool    join() returned: {} tasks completed, {} pending",
        stats.completed, stats.pending
    );

    let service = TaskService::new(2).unwrap();
    service.add_task("page-1", || Ok::<_, String>(120)).unwrap();
    service
        .add_task("page-2", || Err::<u32, _>("HTTP 404".to_owned()))
        .unwrap();
    println!(
        "TaskService   page-1 -> {:?}, page-2 -> {:?}, page-3 -> {:?}",
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
    println!("pipeline      first error returned: {err}; producer stopped, no thread left blocked");
}
