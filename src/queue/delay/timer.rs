//! Waking tasks when a delay queue's head falls due.
//!
//! A thread waiting in `get` times its own sleep (the leader's). A task cannot
//! sleep, so a pending `get_async` (or a `Select` get arm) on a queue whose head
//! is not due yet hands a clone of its `Waker` to this timer: one thread for the
//! whole process, started on first use, that sleeps until the earliest deadline
//! it holds and wakes the tasks whose time has come. A woken task re-polls: it
//! takes the item if it is still there, or registers again. A stale entry (the
//! task already completed) costs one spurious wake at its deadline.

use std::task::Waker;
use std::time::Instant;

use crate::sync::{cfg_loom, cfg_not_loom};

cfg_not_loom! {
    use std::cmp::Ordering;
    use std::collections::BinaryHeap;
    use std::panic::{self, AssertUnwindSafe};
    use std::thread;

    use crate::condvar::Condvar;
    use crate::mutex::Mutex;
    use crate::panic::forget_payload;

    struct Timer {
        state: Mutex<Pending>,
        /// The timer thread sleeps here until the earliest deadline, or until a
        /// new earliest one arrives.
        changed: Condvar,
    }

    struct Pending {
        heap: BinaryHeap<Entry>,
        next_seq: u64,
        /// The timer thread exists (or is being started).
        running: bool,
    }

    struct Entry {
        at: Instant,
        seq: u64,
        waker: Waker,
    }

    impl PartialEq for Entry {
        fn eq(&self, other: &Self) -> bool {
            (self.at, self.seq) == (other.at, other.seq)
        }
    }

    impl Eq for Entry {}

    impl PartialOrd for Entry {
        fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
            Some(self.cmp(other))
        }
    }

    impl Ord for Entry {
        /// Earliest on top of std's max-heap.
        fn cmp(&self, other: &Self) -> Ordering {
            (other.at, other.seq).cmp(&(self.at, self.seq))
        }
    }

    static TIMER: Timer = Timer {
        state: Mutex::new(Pending {
            heap: BinaryHeap::new(),
            next_seq: 0,
            running: false,
        }),
        changed: Condvar::new(),
    };

    /// Wakes `waker` once `at` has passed. If the timer thread cannot be started,
    /// wakes it at once instead (the task then polls again: slower, never stuck).
    pub(crate) fn wake_at(at: Instant, waker: &Waker) {
        // Cloned before the lock: a waker's clone is user code.
        let waker = waker.clone();
        let mut s = TIMER.state.lock();
        let seq = s.next_seq;
        s.next_seq = seq.wrapping_add(1);
        s.heap.push(Entry { at, seq, waker });
        let earliest = s.heap.peek().is_some_and(|e| e.seq == seq);
        let start = !s.running;
        s.running = true;
        drop(s);
        if start {
            let spawned = thread::Builder::new()
                .name("queuekit-delay-timer".into())
                .spawn(run);
            if spawned.is_err() {
                let stranded = {
                    let mut s = TIMER.state.lock();
                    s.running = false;
                    std::mem::take(&mut s.heap)
                };
                wake_all(stranded.into_iter().map(|e| e.waker));
            }
        } else if earliest {
            TIMER.changed.notify_one();
        }
    }

    /// Wakes each waker outside every lock; a panicking `wake` (or `Drop`) is
    /// caught so the timer thread lives on.
    fn wake_all(wakers: impl Iterator<Item = Waker>) {
        for w in wakers {
            if let Err(payload) = panic::catch_unwind(AssertUnwindSafe(|| w.wake())) {
                forget_payload(payload);
            }
        }
    }

    /// The timer thread: never exits (it sleeps untimed while nothing is pending).
    fn run() {
        let mut due = Vec::new();
        loop {
            let mut s = TIMER.state.lock();
            loop {
                let now = Instant::now();
                while s.heap.peek().is_some_and(|e| e.at <= now) {
                    if let Some(e) = s.heap.pop() {
                        due.push(e.waker);
                    }
                }
                if !due.is_empty() {
                    break;
                }
                s = match s.heap.peek() {
                    Some(e) => {
                        let at = e.at;
                        TIMER.changed.wait_deadline(s, at).0
                    }
                    None => TIMER.changed.wait(s),
                };
            }
            drop(s);
            wake_all(due.drain(..));
        }
    }
}

cfg_loom! {
    /// Under loom no model waits asynchronously for a delay: nothing to do.
    pub(crate) fn wake_at(_at: Instant, _waker: &Waker) {}
}
