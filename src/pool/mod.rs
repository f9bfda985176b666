//! Layer 5: the thread pool. `ThreadPoolManager` runs closures on lazily started
//! workers, `TaskHandle` is one task's result (a `concurrent.futures.Future`),
//! `Scope` runs tasks that borrow from the caller, and `TaskService` keeps results
//! by task id.
//!
//! One lock around the backlog and the worker counts: workers start lazily, idle
//! ones are counted and claimed by the submit that needs them, and a worker tells a
//! real wake-up from a spurious one by a count of notifications sent.
//!
//! Imports go one way: `manager`, `lifecycle`, `stats`, `scope`, `map` and
//! `service` (the public face) use `submit` and `shared`; `hooks` uses `shared`; `submit` uses `worker`; `worker` uses `shared`
//! and `job`; `job` uses `cell` and `inline`; nothing below looks back up.

mod builder;
mod cell;
mod completion;
mod error;
mod future;
mod handle;
mod hooks;
mod inline;
mod job;
mod lifecycle;
mod manager;
mod map;
mod periodic;
mod schedule;
mod scope;
mod service;
mod shared;
mod stats;
mod submit;
mod timed;
mod timer;
mod worker;

pub use builder::PoolBuilder;
pub use completion::{
    as_completed, done_callback_panics, wait_any, wait_any_deadline, wait_any_timeout, AsCompleted,
    NextCompleted,
};
pub use error::{AddTaskError, PoolBuildError, ResultError, SubmitError, TaskError, Unshared};
pub use future::{ResultFuture, WaitAllFuture};
pub use handle::TaskHandle;
pub use manager::ThreadPoolManager;
pub use periodic::PeriodicHandle;
pub use scope::{Scope, ScopedHandle};
pub use service::TaskService;
pub use stats::PoolStats;
