//! `Stream` over a queue (feature `stream`): the async twin of [`Iter`](super::Iter).

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::stream::{FusedStream, Stream};

use super::discipline::Discipline;
use super::front::BlockingQueue;
use super::future::GetState;

impl<T, D: Discipline<T>> BlockingQueue<T, D> {
    /// An async iterator that takes items with [`get_async`](Self::get_async)
    /// until the queue is shut down and empty: the `async` twin of
    /// [`iter`](Self::iter). Several tasks (and threads iterating with `iter`) can
    /// share one queue; each item goes to one of them. Needs the `stream` feature.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe, as `get_async`: an item is taken only by the poll that yields
    /// it, so a dropped `next()` future took nothing. The stream itself keeps its
    /// place in the waiter list (and a wake-up it received) until it is polled
    /// again or dropped; dropping the stream passes such a wake-up on to another
    /// waiter, as a dropped `get_async` future does.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures::StreamExt;
    /// use queuekit::Queue;
    ///
    /// let q = Queue::unbounded();
    /// q.put_all([1, 2, 3]).unwrap();
    /// q.shutdown();
    /// let all: Vec<i32> = futures::executor::block_on(q.stream().collect());
    /// assert_eq!(all, [1, 2, 3]);
    /// ```
    #[cfg_attr(docsrs, doc(cfg(feature = "stream")))]
    pub fn stream(&self) -> QueueStream<'_, T, D> {
        QueueStream {
            state: GetState::new(self),
            ended: false,
        }
    }
}

/// The stream of [`BlockingQueue::stream`]: yields items until the queue is shut
/// down and empty. Needs the `stream` feature.
///
/// # Examples
///
/// ```
/// use futures::StreamExt;
/// use queuekit::LifoQueue;
///
/// let q = LifoQueue::unbounded();
/// q.put_all(['a', 'b']).unwrap();
/// q.shutdown();
/// futures::executor::block_on(async {
///     let mut s = q.stream();
///     assert_eq!(s.next().await, Some('b'));
///     assert_eq!(s.next().await, Some('a'));
///     assert_eq!(s.next().await, None);
/// });
/// ```
#[must_use = "streams do nothing unless polled"]
#[cfg_attr(docsrs, doc(cfg(feature = "stream")))]
pub struct QueueStream<'a, T, D: Discipline<T>> {
    state: GetState<&'a BlockingQueue<T, D>>,
    ended: bool,
}

impl<T, D: Discipline<T>> Stream for QueueStream<'_, T, D> {
    type Item = T;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let this = self.get_mut();
        this.state.poll_next(&mut this.ended, cx)
    }
}

impl<T, D: Discipline<T>> FusedStream for QueueStream<'_, T, D> {
    fn is_terminated(&self) -> bool {
        self.ended
    }
}

impl<T, D: Discipline<T>> fmt::Debug for QueueStream<'_, T, D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QueueStream")
            .field("registered", &self.state.registered())
            .field("ended", &self.ended)
            .finish()
    }
}
