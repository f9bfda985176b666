//! A scoped, read-ahead-bounded map over borrowed data, on workers that each set
//! themselves up once with a start hook.
//!
//! The corpus and the stop-word list live on `main`'s stack: the scoped tasks
//! borrow them, with no `Arc` and no copy. At most `AHEAD` lines are in flight at
//! any moment, and the results come back in input order while later lines are
//! still being counted. Each worker builds its own scratch buffer once, in
//! `on_worker_start` (Python's `ThreadPoolExecutor(initializer=)`), and reports
//! how much it did in `on_worker_exit`.
//!
//! Then the same lines again, but streamed: a producer thread feeds them through a
//! bounded queue split into counted ends, and the scoped map reads the consumer
//! end. The producer never calls `shutdown()`: when it returns, its `Producer` end
//! drops, which closes the queue, so the consumer's iterator and the map end on
//! their own (had the producer panicked, they would end the same way).

use queuekit::{Queue, ThreadPoolManager};
use std::cell::RefCell;
use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Lines submitted and not yet yielded, at most.
const AHEAD: usize = 4;

thread_local! {
    /// Per-worker scratch space, built once by the start hook.
    static SCRATCH: RefCell<Option<String>> = const { RefCell::new(None) };
    /// Lines this worker counted.
    static DONE: RefCell<usize> = const { RefCell::new(0) };
}

fn main() {
    let corpus: Vec<String> = (1..=12)
        .map(|i| format!("line {i} of the corpus says THE quick brown fox {i} times"))
        .collect();
    let stop_words: HashSet<&str> = ["the", "of", "says"].into_iter().collect();

    let workers_started = Arc::new(AtomicUsize::new(0));
    let started = Arc::clone(&workers_started);
    let pool = ThreadPoolManager::builder()
        .max_workers(3)
        .thread_name("counter")
        .on_worker_start(move |_| {
            SCRATCH.with(|s| *s.borrow_mut() = Some(String::with_capacity(256)));
            started.fetch_add(1, Ordering::Relaxed);
        })
        .on_worker_exit(|_| {
            let done = DONE.with(|d| *d.borrow());
            let me = std::thread::current();
            println!("{} leaves after {done} line(s)", me.name().unwrap_or("?"));
        })
        .build()
        .expect("a valid pool");

    // The words of one line, minus the stop words, lower-cased in the worker's
    // scratch buffer (the calling thread helps too, with a buffer of its own).
    let count = |line: &String| -> usize {
        SCRATCH.with(|s| {
            let mut s = s.borrow_mut();
            let buf = s.get_or_insert_with(String::new);
            let n = line
                .split_whitespace()
                .filter(|w| {
                    buf.clear();
                    buf.push_str(&w.to_lowercase());
                    !stop_words.contains(buf.as_str())
                })
                .count();
            DONE.with(|d| *d.borrow_mut() += 1);
            n
        })
    };

    let total: usize = pool.scope(|s| {
        s.map_bounded(corpus.iter(), &count, AHEAD)
            .enumerate()
            .map(|(i, words)| {
                let words = words.expect("counting does not panic");
                println!("line {:>2}: {words} word(s)", i + 1);
                words
            })
            .sum()
    });
    println!("{total} words in {} lines", corpus.len());
    assert_eq!(total, 12 * 8);
    let helped = DONE.with(|d| *d.borrow());
    println!("main counted {helped} line(s) itself while it waited (it helps)");

    // Streamed: a producer whose end, dropping, closes the queue.
    let (lines_tx, lines_rx) = Queue::bounded(AHEAD).split();
    let lines = &corpus;
    let streamed: usize = std::thread::scope(|ts| {
        ts.spawn(move || {
            for line in lines {
                lines_tx.put(line).expect("the consumer end is alive");
            }
            println!("producer done: its end drops, closing the queue");
        });
        pool.scope(|s| {
            s.map_bounded(lines_rx.iter(), &count, AHEAD)
                .map(|words| words.expect("counting does not panic"))
                .sum()
        })
    });
    println!("{streamed} words streamed through the queue");
    assert_eq!(streamed, total);
    assert!(
        lines_rx.queue().is_shutdown(),
        "closed by the producer's drop"
    );

    pool.join(); // the exit hooks run here
    println!(
        "{} worker(s) ran the start hook",
        workers_started.load(Ordering::Relaxed)
    );
}
