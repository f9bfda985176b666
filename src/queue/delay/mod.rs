//! The delay queue: items that leave only once their deadline has passed,
//! earliest first (Java's `DelayQueue`), on the same [`BlockingQueue`](crate::BlockingQueue) front as
//! the other disciplines (whose calls only a delay queue has, `put_at`,
//! `put_after`, …, are in `queue/put_at.rs`, beside the other public calls).
//!
//! * `store.rs`: [`Delay`], the heap by `(deadline, put order)`;
//! * `leader.rs`: the one-lock core with its leader / follower wait;
//! * `clock.rs`: the time source (a model clock under loom);
//! * `timer.rs`: the process-wide timer that wakes tasks when a head falls due.

pub(crate) mod clock;
pub(crate) mod leader;
mod store;
mod timer;

pub use store::Delay;
