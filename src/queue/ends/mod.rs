//! Counted ends that close the queue when the last of a kind drops: the
//! channel-style face of a [`BlockingQueue`], kept optional.
//!
//! [`BlockingQueue::split`] moves a queue behind an `Arc` with two counts and hands
//! out one [`Producer`] and one [`Consumer`]; both clone. When the last producer
//! drops, the queue is [`shutdown`](BlockingQueue::shutdown): consumers take what
//! is left, then get [`GetError::ShutDown`](crate::GetError::ShutDown). When the
//! last consumer drops, it is shut down too: puts fail with
//! [`PutError::ShutDown`](crate::PutError::ShutDown), handing the item back, and
//! a putter blocked on a full queue wakes with its item.
//!
//! The model is crossbeam-channel's `Sender` / `Receiver` (both clone, each side
//! counted, the channel disconnects when either count reaches zero), with two
//! differences that keep the queue's own semantics:
//!
//! * disconnection *is* a shutdown, so it reuses the queue's errors rather than
//!   adding a variant: a consumer cannot tell "every producer left" from "someone
//!   called `shutdown`", nor a producer "every consumer left" from a shutdown;
//!   both mean "no more items will come / be taken", which is all a loop needs.
//!   `producer_count` / `consumer_count` say which, if it matters;
//! * items still queued when the last consumer drops stay in the queue (as in a
//!   crossbeam channel, where they live until the last end goes), reachable
//!   through [`Producer::queue`] (`shutdown_now()` hands them back), and are
//!   dropped with the queue, when the last end of both kinds drops. An end's
//!   `Drop` takes no item out of the queue: it only counts, and the last of a
//!   kind shuts the queue down.

/// The methods that read the same on both ends, expanded inside each end's
/// `impl` block (both hold `shared` and import `BlockingQueue`, which the docs
/// link to): `len`, `is_empty` and `capacity`,
/// forwarded to the queue, with their docs; and `queue`, `producer_count` and
/// `consumer_count`, whose code is the same but whose docs (given by each end)
/// say what they mean from that end.
macro_rules! end_methods {
    (
        $(#[$queue:meta])* fn queue;
        $(#[$producers:meta])* fn producer_count;
        $(#[$consumers:meta])* fn consumer_count;
    ) => {
        /// The number of items in the queue right now: [`BlockingQueue::len`].
        /// Other threads may change it as soon as this returns.
        ///
        /// # Examples
        ///
        /// ```
        /// use queuekit::Queue;
        ///
        /// let (tx, rx) = Queue::unbounded().split();
        /// tx.put_all([1, 2]).unwrap();
        /// assert_eq!((tx.len(), rx.len()), (2, 2));
        /// rx.get().unwrap();
        /// assert_eq!((tx.len(), rx.len()), (1, 1));
        /// ```
        #[must_use]
        pub fn len(&self) -> usize {
            self.shared.queue.len()
        }

        /// `true` if the queue holds no items right now:
        /// [`BlockingQueue::is_empty`].
        ///
        /// # Examples
        ///
        /// ```
        /// use queuekit::Queue;
        ///
        /// let (tx, rx) = Queue::unbounded().split();
        /// assert!(tx.is_empty() && rx.is_empty());
        /// tx.put('a').unwrap();
        /// assert!(!tx.is_empty() && !rx.is_empty());
        /// ```
        #[must_use]
        pub fn is_empty(&self) -> bool {
            self.shared.queue.is_empty()
        }

        /// The queue's size limit, or `None` if it is unbounded:
        /// [`BlockingQueue::capacity`].
        ///
        /// # Examples
        ///
        /// ```
        /// use queuekit::Queue;
        ///
        /// let (tx, rx) = Queue::<u8>::bounded(2).split();
        /// assert_eq!((tx.capacity(), rx.capacity()), (Some(2), Some(2)));
        /// tx.put_all([1, 2]).unwrap();
        /// assert_eq!(tx.len(), tx.capacity().unwrap()); // full: a put would block
        /// let (tx, rx) = Queue::<u8>::unbounded().split();
        /// assert_eq!((tx.capacity(), rx.capacity()), (None, None));
        /// ```
        #[must_use]
        pub fn capacity(&self) -> Option<usize> {
            self.shared.queue.capacity()
        }

        $(#[$queue])*
        #[must_use]
        pub fn queue(&self) -> &BlockingQueue<T, D> {
            &self.shared.queue
        }

        $(#[$producers])*
        #[must_use]
        pub fn producer_count(&self) -> usize {
            self.shared.producers.load($crate::sync::Ordering::Relaxed)
        }

        $(#[$consumers])*
        #[must_use]
        pub fn consumer_count(&self) -> usize {
            self.shared.consumers.load($crate::sync::Ordering::Relaxed)
        }
    };
}
use end_methods;

mod consumer;
mod owned;
mod producer;

use std::fmt;
use std::sync::Arc;

use super::as_queue::{sealed::Sealed, AsQueue};
use super::discipline::Discipline;
use super::front::BlockingQueue;
use crate::sync::fault::{self, Fault};
use crate::sync::{AtomicUsize, Ordering};

pub use consumer::{Consumer, IntoIter};
pub use owned::{GetOwned, IntoStream, PutOwned};
pub use producer::Producer;

/// What an end is, the same for both kinds (each type is named as its
/// [`Kind`]): it reaches its queue through `queue()`; a clone is one more end
/// of its kind and a drop one fewer (the last of a kind shuts the queue down);
/// its `Debug` shows the live ends.
macro_rules! end_impls {
    ($($end:ident),*) => {$(
        impl<T, D: Discipline<T>> Sealed for $end<T, D> {}
        impl<T, D: Discipline<T>> AsQueue for $end<T, D> {
            type Item = T;
            type Discipline = D;
            fn as_queue(&self) -> &BlockingQueue<T, D> {
                self.queue()
            }
        }

        impl<T, D: Discipline<T>> Clone for $end<T, D> {
            /// Another end of this kind: the queue stays open to the other
            /// kind until this one drops too.
            fn clone(&self) -> Self {
                self.shared.attach(Kind::$end);
                Self::new(Arc::clone(&self.shared))
            }
        }

        impl<T, D: Discipline<T>> Drop for $end<T, D> {
            /// The last end of its kind shuts the queue down.
            fn drop(&mut self) {
                self.shared.detach(Kind::$end);
            }
        }

        impl<T, D: Discipline<T>> fmt::Debug for $end<T, D> {
            /// The live ends and the queue's `Debug` (never blocks, shows no items).
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.shared.fmt_ends(stringify!($end), f)
            }
        }
    )*};
}
end_impls!(Producer, Consumer);

/// What the ends share: the queue and how many ends of each kind are alive.
struct Shared<T, D: Discipline<T>> {
    queue: BlockingQueue<T, D>,
    producers: AtomicUsize,
    consumers: AtomicUsize,
}

/// Which count an end belongs to.
#[derive(Clone, Copy)]
enum Kind {
    Producer,
    Consumer,
}

impl<T, D: Discipline<T>> Shared<T, D> {
    fn count(&self, kind: Kind) -> &AtomicUsize {
        match kind {
            Kind::Producer => &self.producers,
            Kind::Consumer => &self.consumers,
        }
    }

    /// A new end of `kind`, made from a live one (so the count is at least one
    /// and can never come back from zero).
    fn attach(&self, kind: Kind) {
        // Relaxed, as `Arc::clone`: the cloner holds an end, so the count cannot
        // reach zero meanwhile, and nothing is published through it.
        self.count(kind).fetch_add(1, Ordering::Relaxed);
    }

    /// An end of `kind` goes; the last one shuts the queue down.
    fn detach(&self, kind: Kind) {
        // AcqRel: the last end's shutdown comes after everything every other end
        // of its kind did before it dropped (their fetch_subs form one release
        // sequence that this RMW reads the end of).
        let last = self.count(kind).fetch_sub(1, Ordering::AcqRel) == 1;
        let skip = match kind {
            Kind::Producer => fault::active(Fault::EndsLastProducerSkipsShutdown),
            Kind::Consumer => fault::active(Fault::EndsLastConsumerSkipsShutdown),
        };
        if last && !skip {
            self.queue.shutdown();
        }
    }

    fn fmt_ends(&self, name: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct(name)
            .field("producers", &self.producers.load(Ordering::Relaxed))
            .field("consumers", &self.consumers.load(Ordering::Relaxed))
            .field("queue", &self.queue)
            .finish()
    }
}

impl<T, D: Discipline<T>> BlockingQueue<T, D> {
    /// Moves the queue behind counted ends: one [`Producer`] and one
    /// [`Consumer`], each cloneable, that shut the queue down when the last end
    /// of either kind drops (like a channel's `Sender` and `Receiver`).
    ///
    /// * Last producer gone: gets drain what is queued, then fail with
    ///   [`GetError::ShutDown`](crate::GetError::ShutDown); a consumer blocked on
    ///   an empty queue wakes. A producer thread that panics or returns early
    ///   therefore never leaves a consumer waiting forever.
    /// * Last consumer gone: puts fail with
    ///   [`PutError::ShutDown(item)`](crate::PutError::ShutDown), handing the item
    ///   back; a producer blocked on a full queue wakes with its item.
    ///
    /// Either way it is the queue's ordinary [`shutdown`](Self::shutdown), so the
    /// errors are the ones a shut-down queue gives, and the unfinished-task count
    /// is left alone. Items left queued when the consumers are gone stay in the
    /// queue ([`Producer::queue`] reaches them, e.g. with `shutdown_now()`).
    ///
    /// The queue keeps its state: items already queued, its capacity, a shutdown
    /// already made. The plain shared queue (`&BlockingQueue` or `Arc`) stays the
    /// Python-style default; ends are for when the producers' lifetime should
    /// close the queue.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{GetError, Queue};
    /// use std::thread;
    ///
    /// let (tx, rx) = Queue::bounded(4).split();
    /// let producers: Vec<_> = (0..3)
    ///     .map(|p| {
    ///         let tx = tx.clone();
    ///         thread::spawn(move || {
    ///             for i in 0..10 {
    ///                 tx.put(p * 10 + i).unwrap();
    ///             }
    ///         }) // this producer's end drops here
    ///     })
    ///     .collect();
    /// drop(tx); // keep no end here, or the queue would stay open
    /// let mut got: Vec<i32> = rx.iter().collect(); // ends when the last end drops
    /// got.sort_unstable();
    /// assert_eq!(got, (0..30).collect::<Vec<_>>());
    /// assert_eq!(rx.get(), Err(GetError::ShutDown));
    /// for p in producers {
    ///     p.join().unwrap();
    /// }
    /// ```
    #[must_use = "dropping both ends shuts the queue down and drops it"]
    pub fn split(self) -> (Producer<T, D>, Consumer<T, D>) {
        let shared = Arc::new(Shared {
            queue: self,
            producers: AtomicUsize::new(1),
            consumers: AtomicUsize::new(1),
        });
        (Producer::new(Arc::clone(&shared)), Consumer::new(shared))
    }
}
