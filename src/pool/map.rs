//! Bounded read-ahead `map` (Python's `Executor.map(fn, it, buffersize=n)`): at
//! most `ahead` inputs are submitted and not yet yielded at any moment, results
//! come in input order, and input is pulled only as results are taken, so an
//! endless input works. `ahead` is only a bound: the window's memory grows with
//! the inputs actually in flight.

use std::collections::VecDeque;
use std::iter::Fuse;
use std::sync::Arc;

use super::error::TaskError;
use super::handle::TaskHandle;
use super::manager::ThreadPoolManager;
use super::scope::{Scope, ScopedHandle};
use crate::sync::fault::{self, Fault};

/// The smallest allocation of a window that holds anything.
const MIN_WINDOW: usize = 4;

/// The window of a bounded map: the handles of the inputs in flight, oldest
/// first. `H` is a pool's or a scope's handle; `None` stands for an input the
/// pool refused.
struct ReadAhead<I: Iterator, H> {
    items: Fuse<I>,
    window: VecDeque<Option<H>>,
    ahead: usize,
    /// The pool refused an input: pull no more.
    refused: bool,
}

impl<I: Iterator, H> ReadAhead<I, H> {
    fn new(items: I, ahead: usize) -> Self {
        let ahead = ahead.max(1);
        Self {
            items: items.fuse(),
            // Grown as inputs go in flight (`push`), never sized by `ahead`.
            window: VecDeque::new(),
            ahead,
            refused: false,
        }
    }

    /// Tops the window up to `ahead` inputs in flight.
    fn fill(&mut self, submit: &mut impl FnMut(I::Item) -> Option<H>) {
        while !self.refused && self.window.len() < self.ahead {
            let Some(item) = self.items.next() else {
                return;
            };
            let handle = submit(item);
            self.refused = handle.is_none();
            self.push(handle);
        }
    }

    /// Adds the newest input's handle to the window. A full window doubles
    /// (from [`MIN_WINDOW`]) but never past `ahead`, so it holds room for at
    /// most twice the most inputs it ever had in flight, whatever `ahead` is.
    fn push(&mut self, handle: Option<H>) {
        let len = self.window.len();
        if len == self.window.capacity() {
            let more = len
                .max(MIN_WINDOW)
                .min(self.ahead.saturating_sub(len).max(1));
            self.window.reserve_exact(more);
        }
        self.window.push_back(handle);
    }

    /// The next result in input order: fills the window, then waits for its
    /// oldest input. The oldest stays counted as in flight until it is yielded,
    /// so the window is refilled only on the next call.
    ///
    /// `wait` gets the oldest handle and the rest of the window (oldest first),
    /// which it may help with but must leave in place.
    fn next<R>(
        &mut self,
        mut submit: impl FnMut(I::Item) -> Option<H>,
        wait: impl FnOnce(H, &VecDeque<Option<H>>) -> Result<R, TaskError>,
    ) -> Option<Result<R, TaskError>> {
        let oldest = if fault::active(Fault::MapRefillsBeforeYield) {
            // The bug the loom model guards against: one more input in flight.
            let oldest = self.window.pop_front();
            self.fill(&mut submit);
            oldest.or_else(|| self.window.pop_front())?
        } else {
            self.fill(&mut submit);
            self.window.pop_front()?
        };
        Some(match oldest {
            Some(handle) => wait(handle, &self.window),
            None => Err(TaskError::Cancelled),
        })
    }
}

/// Waits for the oldest input of a scoped map, keeping the calling thread busy
/// meanwhile: runs the oldest here if no worker has started it, and while a
/// worker runs it, runs the newest inputs of the window no worker has started
/// (workers take the backlog from its oldest end), stopping as soon as the
/// oldest is done. Only inputs already submitted are run, so the read-ahead is
/// unchanged; their results stay in their cells for their own turn.
fn wait_helping<'scope, R>(
    oldest: ScopedHandle<'scope, R>,
    rest: &VecDeque<Option<ScopedHandle<'scope, R>>>,
) -> Result<R, TaskError> {
    if oldest.is_pending() {
        return oldest.wait();
    }
    for newer in rest.iter().rev().flatten() {
        if oldest.is_finished() {
            break;
        }
        if newer.is_pending() {
            newer.help_newest();
        }
    }
    oldest.wait()
}

impl ThreadPoolManager {
    /// Like [`map`](Self::map), but lazy and bounded (Python's
    /// `Executor.map(fn, iterable, buffersize=ahead)`): at most `ahead` inputs
    /// are submitted and not yet yielded at any moment (`ahead` 0 counts as 1).
    /// Input is pulled only as results are taken, so `items` may be endless and
    /// memory stays flat. Results come in input order.
    ///
    /// `ahead` is only a bound, not a size: any value up to `usize::MAX` is
    /// accepted, and the window takes memory for the inputs actually in flight
    /// (room for at most twice as many as were ever in flight at once, or
    /// four), never for `ahead` itself. With an `ahead` above the input's
    /// length, every input is submitted before the first result is waited for,
    /// as [`map`](Self::map) does: an endless input needs an `ahead` you can
    /// afford to have in flight.
    ///
    /// An input the pool refuses (closed, terminated, broken, or a full backlog
    /// from inside one of its own tasks) yields [`TaskError::Cancelled`] in its
    /// place, and the iterator then ends: it pulls no more input. Dropping the
    /// iterator early leaves the inputs in flight to run; their results are
    /// dropped. Waiting for a result follows the
    /// [`TaskHandle::wait`](crate::TaskHandle::wait) rule inside a task of the
    /// same pool; [`Scope::map_bounded`] helps instead.
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    ///
    /// let pool = ThreadPoolManager::new(2).unwrap();
    /// // An endless input: only about 4 inputs exist at any moment.
    /// let squares: Vec<u64> = pool
    ///     .map_bounded(1u64.., |n| n * n, 4)
    ///     .map(Result::unwrap)
    ///     .take(5)
    ///     .collect();
    /// assert_eq!(squares, [1, 4, 9, 16, 25]);
    /// ```
    pub fn map_bounded<I, F, R>(
        &self,
        items: I,
        f: F,
        ahead: usize,
    ) -> impl Iterator<Item = Result<R, TaskError>> + '_
    where
        I: IntoIterator,
        I::IntoIter: 'static,
        I::Item: Send + 'static,
        F: Fn(I::Item) -> R + Send + Sync + 'static,
        R: Send + 'static,
    {
        let mut submit = self.submitter(f);
        let mut window = ReadAhead::<_, TaskHandle<R>>::new(items.into_iter(), ahead);
        std::iter::from_fn(move || window.next(&mut submit, |handle, _| handle.wait()))
    }
}

impl<'scope, 'env> Scope<'scope, 'env> {
    /// [`ThreadPoolManager::map_bounded`] for borrowed data: `f` and the inputs
    /// may borrow anything that outlives the scope. At most `ahead` inputs are
    /// submitted and not yet yielded at any moment; results come in input order.
    /// Waiting for a result runs it on the calling thread if no worker has started
    /// it (see [`ScopedHandle::wait`]); while a worker runs it, the calling thread
    /// runs newer inputs of the window no worker has started (newest first)
    /// instead of sleeping. `ahead` is only a bound, as for
    /// [`ThreadPoolManager::map_bounded`]: any value up to `usize::MAX` works
    /// and the window's memory follows the inputs in flight.
    ///
    /// The iterator holds the [`ScopedHandle`]s of its inputs in flight, so it
    /// may be moved into a scoped task and read there, even after the scope's
    /// closure returned: their results wait for it. Dropping it early leaves the
    /// inputs in flight to the scope, which waits for them, drops their results,
    /// and raises a panic among them from [`scope`](ThreadPoolManager::scope)
    /// (nobody saw it).
    ///
    /// # Examples
    ///
    /// ```
    /// use queuekit::ThreadPoolManager;
    ///
    /// let pool = ThreadPoolManager::new(2).unwrap();
    /// let text = String::from("a scoped bounded map over borrowed words");
    /// let lengths: Vec<usize> = pool.scope(|s| {
    ///     s.map_bounded(text.split(' '), |w| w.len(), 2)
    ///         .map(Result::unwrap)
    ///         .collect()
    /// });
    /// assert_eq!(lengths, [1, 6, 7, 3, 4, 8, 5]);
    /// ```
    pub fn map_bounded<I, F, R>(
        &'scope self,
        items: I,
        f: F,
        ahead: usize,
    ) -> impl Iterator<Item = Result<R, TaskError>> + use<'scope, 'env, I, F, R>
    where
        I: IntoIterator,
        I::IntoIter: 'scope,
        I::Item: Send + 'scope,
        F: Fn(I::Item) -> R + Send + Sync + 'scope,
        R: Send + 'scope,
    {
        let f = Arc::new(f);
        let mut window = ReadAhead::<_, ScopedHandle<'scope, R>>::new(items.into_iter(), ahead);
        std::iter::from_fn(move || {
            window.next(
                |item| {
                    let f = Arc::clone(&f);
                    self.submit(move |_| f(item)).ok()
                },
                wait_helping,
            )
        })
    }
}
