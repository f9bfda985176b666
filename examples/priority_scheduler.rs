//! A job scheduler on `PriorityQueue`: the lowest priority number runs first, and jobs
//! of equal priority run in the order they were submitted. (Python's `PriorityQueue`
//! needs `(priority, counter, job)` tuples for that; queuekit does it itself.)

use queuekit::PriorityQueue;
use std::cmp::Ordering;
use std::sync::Arc;
use std::thread;

/// A job ordered by priority only, so equal-priority jobs compare equal.
#[derive(Debug)]
struct Job {
    priority: u8,
    name: &'static str,
}

impl PartialEq for Job {
    fn eq(&self, other: &Self) -> bool {
        self.priority == other.priority
    }
}
impl Eq for Job {}
impl PartialOrd for Job {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Job {
    fn cmp(&self, other: &Self) -> Ordering {
        self.priority.cmp(&other.priority)
    }
}

fn main() {
    let jobs = Arc::new(PriorityQueue::unbounded());
    for (priority, name) in [
        (2, "rebuild index"),
        (0, "page on-call"),
        (1, "send invoice A"),
        (2, "rotate logs"),
        (1, "send invoice B"),
        (0, "failover db"),
    ] {
        jobs.put(Job { priority, name }).unwrap();
    }
    jobs.shutdown(); // no more jobs: the worker stops once these are done

    let worker = {
        let jobs = Arc::clone(&jobs);
        thread::spawn(move || {
            jobs.iter()
                .map(|j| (j.priority, j.name))
                .collect::<Vec<_>>()
        })
    };
    let order = worker.join().unwrap();
    for (priority, name) in &order {
        println!("p{priority}: {name}");
    }
    assert_eq!(
        order.iter().map(|(_, n)| *n).collect::<Vec<_>>(),
        [
            "page on-call",
            "failover db",
            "send invoice A",
            "send invoice B",
            "rebuild index",
            "rotate logs"
        ]
    );
}
