//! `TaskCounter::wait_async`: waiting for zero from a task.
//!
//! A task joiner registers a waker in the counter's list and then makes the same
//! read-modify-write on `waiters` that a thread joiner makes (`wait_inner`), so
//! the zero-reaching `done`, whose look at `waiters` is an RMW too, either sees
//! it (and notifies the list) or is seen by its re-check of the count.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::TaskCounter;
use crate::sync::Ordering;
use crate::waitlist::Key;

impl TaskCounter {
    /// Waits asynchronously until the count is zero: the `async` form of
    /// [`wait`](TaskCounter::wait). Resolves at once if it already is.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: it only waits; a dropped future leaves the waiter list.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::TaskCounter;
    /// use std::sync::Arc;
    ///
    /// let c = Arc::new(TaskCounter::new());
    /// c.add(1).unwrap();
    /// let c2 = Arc::clone(&c);
    /// let worker = std::thread::spawn(move || c2.done().unwrap());
    /// futures::executor::block_on(c.wait_async());
    /// assert_eq!(c.unfinished_tasks(), 0);
    /// worker.join().unwrap();
    /// ```
    pub fn wait_async(&self) -> JoinFuture<'_> {
        JoinFuture {
            counter: self,
            key: None,
        }
    }

    fn poll_zero(&self, cx: &mut Context<'_>, key: &mut Option<Key>) -> Poll<()> {
        if self.unfinished_tasks() == 0 {
            self.leave(key);
            return Poll::Ready(());
        }
        // No lock of ours is held: a replaced waker may drop here.
        let (new, stale) = self.wakers.register(key, cx.waker());
        drop(stale);
        // An RMW on every pending poll (a re-armed entry too): see the module
        // header and `wait_inner`. A new entry counts itself, an old one adds 0.
        self.waiters.fetch_add(u32::from(new), Ordering::AcqRel);
        if self.unfinished_tasks() == 0 {
            self.leave(key);
            return Poll::Ready(());
        }
        Poll::Pending
    }

    fn leave(&self, key: &mut Option<Key>) {
        if let Some(k) = key.take() {
            // A zero wakes every waiter (`notify_all`): nothing to pass on.
            // No lock of ours is held: its waker may drop here.
            drop(self.wakers.remove(k));
            self.waiters.fetch_sub(1, Ordering::Relaxed);
        }
    }
}

/// The future of [`TaskCounter::wait_async`], and so of
/// [`BlockingQueue::join_async`](crate::BlockingQueue::join_async) and
/// [`ThreadPoolManager::wait_all_async`](crate::ThreadPoolManager::wait_all_async):
/// resolves once the count is zero. Cancel-safe.
///
/// # Examples
///
/// ```
/// use queuekit::TaskCounter;
///
/// let c = TaskCounter::new();
/// futures::executor::block_on(c.wait_async()); // zero already
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct JoinFuture<'a> {
    counter: &'a TaskCounter,
    key: Option<Key>,
}

impl Future for JoinFuture<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        this.counter.poll_zero(cx, &mut this.key)
    }
}

impl Drop for JoinFuture<'_> {
    fn drop(&mut self) {
        self.counter.leave(&mut self.key);
    }
}

impl fmt::Debug for JoinFuture<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinFuture")
            .field("registered", &self.key.is_some())
            .finish()
    }
}
