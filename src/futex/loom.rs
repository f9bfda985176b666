//! The loom stand-in for the kernel's futex queue, and model-side time.
//!
//! Each word gets a loom `Mutex<()>` + `Condvar`: checking the word and going to
//! sleep happen under that mutex, and wakers take it too, so a wake can never slip
//! between the check and the sleep (the kernel's guarantee). A wake nobody sends is
//! therefore a loom deadlock. loom does not model clocks, so timed waits follow the
//! model's [`timer::TimedWait`] mode (see [`timer`]).

use std::time::Instant;

use loom::sync::{Arc, Condvar, Mutex};

use self::timer::TimedWait;
use crate::sync::{AtomicU32, Ordering};

/// The wait queue of one word, in a loom `Arc` so the timer can reach it, and how
/// many `wake_*` calls (the futex system calls a real build would make) the word has
/// seen: a plain std atomic, a statistic the models assert on, not modelled state.
pub(super) struct Sleepers(Arc<Park>, std::sync::atomic::AtomicUsize);

/// A parking pair: `lock` orders "check the word, sleep" against "wake".
#[derive(Default)]
struct Park {
    lock: Mutex<()>,
    cv: Condvar,
}

impl Sleepers {
    pub(super) fn new() -> Self {
        Self(Arc::new(Park::default()), std::sync::atomic::AtomicUsize::new(0))
    }

    /// How many `wake_one` / `wake_all` calls this word has seen.
    pub(super) fn wake_calls(&self) -> usize {
        self.1.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub(super) fn wait(&self, word: &AtomicU32, expected: u32) {
        let g = self.0.lock.lock().unwrap();
        if word.load(Ordering::SeqCst) == expected {
            drop(self.0.cv.wait(g).unwrap());
        }
    }

    pub(super) fn wait_until(&self, word: &AtomicU32, expected: u32, _deadline: Instant) -> bool {
        let park = &self.0;
        match timer::mode() {
            TimedWait::Never => {
                self.wait(word, expected);
                true
            }
            TimedWait::AtBlock => {
                let _g = park.lock.lock().unwrap();
                word.load(Ordering::SeqCst) != expected
            }
            TimedWait::Timer => {
                let g = park.lock.lock().unwrap();
                if word.load(Ordering::SeqCst) != expected {
                    return true;
                }
                // Register before looking at the flag: either `fire` sees us in its
                // list (and must take `park.lock`, which we hold until we sleep), or
                // we see the flag it set before taking the list.
                timer::register(park);
                if timer::fired() {
                    return false;
                }
                drop(park.cv.wait(g).unwrap());
                !timer::fired()
            }
        }
    }

    pub(super) fn wake_one(&self, _word: &AtomicU32) {
        self.1.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let _g = self.0.lock.lock().unwrap();
        self.0.cv.notify_one();
    }

    pub(super) fn wake_all(&self, _word: &AtomicU32) {
        self.1.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let _g = self.0.lock.lock().unwrap();
        self.0.cv.notify_all();
    }
}

/// Model-side time for loom, which does not model clocks.
///
/// A model picks, per test, how timed waits behave ([`TimedWait`]); in `Timer` mode
/// it spawns a thread that calls [`fire`](timer::fire), so loom tries the expiry at
/// every point of the other threads' runs.
pub(crate) mod timer {
    use std::cell::Cell;

    use loom::sync::{Arc, Mutex};

    use super::Park;
    use crate::sync::{AtomicBool, Ordering};

    /// How a timed futex wait behaves under loom.
    #[derive(Clone, Copy, PartialEq, Eq, Debug)]
    pub(crate) enum TimedWait {
        /// Like an untimed wait: never expires.
        Never,
        /// Expires at once whenever it would block. Cheap; catches most timeout bugs.
        AtBlock,
        /// Expires when the model calls [`fire`]; faithful, about 15× the executions.
        Timer,
    }

    std::thread_local! {
        static MODE: Cell<TimedWait> = const { Cell::new(TimedWait::Never) };
    }

    struct Clock {
        fired: AtomicBool,
        pending: Mutex<Vec<Arc<Park>>>,
    }

    loom::lazy_static! {
        static ref CLOCK: Clock = Clock {
            fired: AtomicBool::new(false),
            pending: Mutex::new(Vec::new()),
        };
    }

    /// Set the mode for models run later on this test thread.
    pub(crate) fn set_mode(mode: TimedWait) {
        MODE.with(|m| m.set(mode));
    }

    pub(super) fn mode() -> TimedWait {
        MODE.with(|m| m.get())
    }

    pub(super) fn register(park: &Arc<Park>) {
        CLOCK.pending.lock().unwrap().push(park.clone());
    }

    pub(crate) fn fired() -> bool {
        CLOCK.fired.load(Ordering::SeqCst)
    }

    /// Every deadline passes now: pending timed waits return "timed out", later
    /// ones time out as soon as they would block.
    pub(crate) fn fire() {
        CLOCK.fired.store(true, Ordering::SeqCst);
        let pending = std::mem::take(&mut *CLOCK.pending.lock().unwrap());
        for park in pending {
            let _g = park.lock.lock().unwrap();
            park.cv.notify_all();
        }
    }
}
