//! [`AsQueue`]: whatever reaches a queue (the queue itself, an `Arc` of it, a
//! counted end), so that [`Select`](super::Select) arms and the futures take any
//! of them. The counted ends implement it in `ends/`.

use std::rc::Rc;
use std::sync::Arc;

use super::discipline::Discipline;
use super::front::BlockingQueue;

pub(crate) mod sealed {
    /// Only the crate's own handles implement [`AsQueue`](super::AsQueue).
    pub trait Sealed {}
}

/// Something that reaches a [`BlockingQueue`]: the queue, a reference, `Arc`,
/// `Rc` or `Box` of one, a [`Producer`](crate::Producer) or a
/// [`Consumer`](crate::Consumer). [`Select`](crate::Select) arms take any of
/// them, so a select can serve the counted ends as well as shared queues.
///
/// Sealed: implemented by the crate's types only. The associated types say
/// which queue: its item type and its [`Discipline`].
///
/// # Examples
///
/// ```
/// use queuekit::{AsQueue, Queue};
/// use std::sync::Arc;
///
/// fn queued<Q: AsQueue>(q: &Q) -> usize {
///     q.as_queue().len()
/// }
///
/// let q = Queue::unbounded();
/// q.put(1).unwrap();
/// assert_eq!(queued(&q), 1);
/// let shared = Arc::new(q);
/// assert_eq!(queued(&shared), 1);
/// let (tx, rx) = Queue::<u8>::unbounded().split();
/// assert_eq!((queued(&tx), queued(&rx)), (0, 0));
/// ```
pub trait AsQueue: sealed::Sealed {
    /// The queue's item type.
    type Item;
    /// The queue's discipline ([`Fifo`](crate::Fifo), [`Lifo`](crate::Lifo), …).
    type Discipline: Discipline<Self::Item>;

    /// The queue.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::{AsQueue, Queue};
    ///
    /// let (tx, _rx) = Queue::bounded(3).split();
    /// tx.put('a').unwrap();
    /// assert_eq!(tx.as_queue().capacity(), Some(3));
    /// ```
    fn as_queue(&self) -> &BlockingQueue<Self::Item, Self::Discipline>;
}

impl<T, D: Discipline<T>> sealed::Sealed for BlockingQueue<T, D> {}
impl<T, D: Discipline<T>> AsQueue for BlockingQueue<T, D> {
    type Item = T;
    type Discipline = D;
    fn as_queue(&self) -> &BlockingQueue<T, D> {
        self
    }
}

/// Pointers to something that reaches a queue reach it too (a `&BlockingQueue`
/// argument used to accept them by deref coercion).
macro_rules! pointer_as_queue {
    ($($ptr:ty),*) => {$(
        impl<Q: AsQueue + ?Sized> sealed::Sealed for $ptr {}
        impl<Q: AsQueue + ?Sized> AsQueue for $ptr {
            type Item = Q::Item;
            type Discipline = Q::Discipline;
            fn as_queue(&self) -> &BlockingQueue<Q::Item, Q::Discipline> {
                (**self).as_queue()
            }
        }
    )*};
}
pointer_as_queue!(&Q, Arc<Q>, Box<Q>, Rc<Q>);
