//! # queuekit
//!
//! Python's `queue` and `concurrent.futures` ergonomics in Rust, on synchronization
//! primitives written from scratch and model-checked with [loom].
//!
//! | layer | what |
//! |---|---|
//! | lock | [`Mutex`], [`Condvar`]: a futex lock and condition variable |
//! | counter | [`TaskCounter`]: the `task_done` / `join` pair |
//! | queues | [`Queue`], [`LifoQueue`], [`PriorityQueue`]: Python's `queue` module; [`DelayQueue`]: items that leave when their deadline passes ([`BlockingQueue`]); optional counted [`Producer`] / [`Consumer`] ends that close the queue when dropped |
//! | pool | [`ThreadPoolManager`], [`TaskHandle`], [`Scope`], [`TaskService`]: a lazy thread pool, futures, scoped tasks, delayed and periodic tasks ([`PeriodicHandle`]), results by id |
//! | pipeline | [`pipeline::run`]: one producer, N consumers, the first failure stops all |
//!
//! Every layer uses only the ones above it and the crate's own primitives (never
//! `std::sync`'s locks), so loom sees every interleaving; `docs/verification.md` in
//! the repository lists what each model proves.
//!
//! ```
//! use queuekit::Queue;
//! use std::thread;
//!
//! let q = Queue::bounded(16);
//! thread::scope(|s| {
//!     s.spawn(|| {
//!         for job in 0..100 {
//!             q.put(job).unwrap(); // blocks while 16 jobs wait
//!         }
//!         q.shutdown(); // no more jobs: the consumer's loop ends when drained
//!     });
//!     let total: u32 = q.iter().sum();
//!     assert_eq!(total, 4950);
//! });
//! ```
//!
//! ```
//! use queuekit::{Condvar, Mutex, TaskCounter};
//!
//! let m = Mutex::new(1);
//! *m.lock() += 1;
//! assert_eq!(*m.lock(), 2);
//!
//! let tasks = TaskCounter::new();
//! tasks.add(1).unwrap();
//! tasks.done().unwrap();
//! tasks.wait();
//! # let _ = Condvar::new();
//! ```
//!
//! ## The `loom` feature
//!
//! `cargo test --features loom` runs the crate's loom models as well as every
//! ordinary test. The feature exists only for the crate's own test suite and is not
//! part of the stable API: it changes nothing for a crate that depends on queuekit.
//!
//! [loom]: https://docs.rs/loom

#![deny(missing_docs)]
#![deny(clippy::undocumented_unsafe_blocks)]
#![warn(unsafe_op_in_unsafe_fn)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod sync;

mod backoff;
mod condvar;
mod counter;
mod futex;
mod mutex;
mod panic;
mod parker;
pub mod pipeline;
mod pool;
mod queue;
mod waiters;
mod waitlist;

pub use condvar::{Condvar, WaitTimeoutResult};
pub use counter::error::{CountOverflowError, TaskDoneError};
pub use counter::{JoinFuture, TaskCounter};
pub use mutex::{Mutex, MutexGuard};
pub use pool::{
    as_completed, done_callback_panics, wait_any, wait_any_deadline, wait_any_timeout,
    AddTaskError, AsCompleted, NextCompleted, PeriodicHandle, PoolBuildError, PoolBuilder,
    PoolStats, ResultError, ResultFuture, Scope, ScopedHandle, SubmitError, TaskError, TaskHandle,
    TaskService, ThreadPoolManager, Unshared, WaitAllFuture,
};
pub use queue::ends::{Consumer, IntoIter, Producer};
pub use queue::error::{GetError, PutAllError, PutError, PutShutDownError, ShutDownError};
#[cfg(feature = "stream")]
pub use queue::QueueStream;
pub use queue::{
    ArmKind, AsQueue, BlockingQueue, Delay, DelayQueue, Discipline, Fifo, GetFuture, GetManyFuture,
    GetOwned, IntoStream, Iter, Lifo, LifoQueue, LocalArms, Priority, PriorityQueue, PutFuture,
    PutOwned, Queue, Select, SelectFuture, SendArms,
};

sync::cfg_loom! {
    #[path = "../loom-tests/mod.rs"]
    mod loom_tests;
}

/// The README's examples, compiled and run as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
