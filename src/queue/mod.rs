//! Layer 4: Python-`queue`-style blocking queues.
//!
//! One generic front, [`BlockingQueue<T, D>`], over a [`Discipline`] that fixes
//! the order items come out in, and three aliases: [`Queue`] (FIFO), [`LifoQueue`]
//! and [`PriorityQueue`]. The discipline also picks the queue's inside (its
//! `Core`, `inside.rs`):
//!
//! * the FIFO [`Queue`] runs on two locks (`fifo/`): a put side and a take side,
//!   each with its own lock, buffer and counter on its own cache line; a getter
//!   that finds its side empty takes the whole put-side buffer in one swap;
//! * [`LifoQueue`] and [`PriorityQueue`] run on one lock (`locked.rs`), since both
//!   ends of a stack or a heap are the same place.
//!
//! No user code runs under a lock except `T: Ord` in the priority store; items
//! leave through return values.

mod as_queue;
mod batch;
mod delay;
mod discipline;
pub(crate) mod ends;
pub(crate) mod error;
mod fifo;
mod front;
mod future;
mod get;
mod hole;
mod inner;
mod inside;
mod iter;
mod locked;
mod many;
mod place;
mod priority;
mod put;
mod put_at;
mod select;
mod shutdown;
mod spin;
mod store;
#[cfg(feature = "stream")]
mod stream;
mod tasks;
mod wait;
mod zero;

pub use as_queue::AsQueue;
pub(crate) use delay::clock as delay_clock;
pub use delay::Delay;
pub use discipline::Discipline;
pub use ends::{GetOwned, IntoStream, PutOwned};
pub use front::{BlockingQueue, DelayQueue, LifoQueue, PriorityQueue, Queue};
pub use future::{GetFuture, GetManyFuture, PutFuture};
pub use iter::Iter;
pub use priority::Priority;
pub use select::{ArmKind, LocalArms, Select, SelectFuture, SendArms};
pub use store::{Fifo, Lifo};
#[cfg(feature = "stream")]
pub use stream::QueueStream;
