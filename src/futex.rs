//! `Futex`: one 32-bit atomic word that threads can sleep on.
//!
//! This is the only layer that talks to the operating system. Everything above
//! (`Mutex`, `Condvar`, `TaskCounter`) is written against four calls:
//!
//! * [`Futex::wait`]`(expected)`: sleep while the word equals `expected`;
//! * [`Futex::wait_until`]`(expected, deadline)`: the same with a deadline, returning
//!   `false` only when the deadline has passed;
//! * [`Futex::wake_one`] / [`Futex::wake_all`].
//!
//! Every return from a wait may be spurious: callers always re-check their state.
//!
//! Backends:
//! * untimed waits go through `atomic-wait` (Linux, macOS, Windows, FreeBSD);
//! * timed waits on Linux call `futex(FUTEX_WAIT_BITSET)` with an *absolute*
//!   `CLOCK_MONOTONIC` deadline, so retrying after `EINTR` never stretches the wait;
//! * timed waits elsewhere poll the word with a sleep that backs off to 1 ms
//!   (correct, since every waker changes the word before waking, but coarse);
//! * under loom, a shim (a loom `Mutex` + `Condvar` per word) that turns a lost
//!   wake-up into a reported deadlock, with a model-controlled timer for timed waits
//!   (see [`timer`]).

use std::ops::Deref;
use std::time::Instant;

use crate::sync::AtomicU32;

/// A 32-bit atomic word with wait/wake. Derefs to the word itself.
pub(crate) struct Futex {
    word: AtomicU32,
    #[cfg(all(test, feature = "loom"))]
    park: loom::sync::Arc<shim::Park>,
    /// Under loom: how many `wake_*` calls (the futex syscalls a real build would
    /// make) this word has seen. A plain std atomic: a statistic the models assert
    /// on, not part of the modelled state.
    #[cfg(all(test, feature = "loom"))]
    wake_calls: std::sync::atomic::AtomicUsize,
}

impl Deref for Futex {
    type Target = AtomicU32;

    #[inline]
    fn deref(&self) -> &AtomicU32 {
        &self.word
    }
}

impl std::fmt::Debug for Futex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Futex").finish_non_exhaustive()
    }
}

#[cfg(not(all(test, feature = "loom")))]
impl Futex {
    /// A word holding `value`.
    #[inline]
    pub(crate) const fn new(value: u32) -> Self {
        Self {
            word: AtomicU32::new(value),
        }
    }

    /// Sleep while the word is `expected`. May return spuriously.
    #[inline]
    pub(crate) fn wait(&self, expected: u32) {
        atomic_wait::wait(&self.word, expected);
    }

    /// Sleep while the word is `expected` and `deadline` has not passed.
    ///
    /// Returns `false` if it returned because the deadline passed, `true` otherwise
    /// (woken, the word differed, or spurious).
    #[inline]
    pub(crate) fn wait_until(&self, expected: u32, deadline: Instant) -> bool {
        os::wait_until(&self.word, expected, deadline)
    }

    /// Wake at most one thread sleeping on this word.
    #[inline]
    pub(crate) fn wake_one(&self) {
        atomic_wait::wake_one(&self.word);
    }

    /// Wake every thread sleeping on this word.
    #[inline]
    pub(crate) fn wake_all(&self) {
        atomic_wait::wake_all(&self.word);
    }
}

#[cfg(all(not(all(test, feature = "loom")), target_os = "linux"))]
mod os {
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::time::Instant;

    /// One timed `FUTEX_WAIT_BITSET`, retried on `EINTR` with the same absolute
    /// deadline.
    pub(super) fn wait_until(word: &AtomicU32, expected: u32, deadline: Instant) -> bool {
        let Some(remaining) = deadline.checked_duration_since(Instant::now()) else {
            return false;
        };
        if remaining.is_zero() {
            return false;
        }
        let Some(abs) = monotonic_after(remaining) else {
            // Further away than a timespec can say: as good as no deadline.
            atomic_wait::wait(word, expected);
            return true;
        };
        loop {
            // Relaxed is enough: the kernel re-checks the word atomically, and the
            // caller re-checks its own state with the orderings it needs.
            if word.load(Ordering::Relaxed) != expected {
                return true;
            }
            // SAFETY: `word` is a live, aligned u32 for the whole call; `abs` is a
            // valid timespec on our stack; the null uaddr2 is unused by WAIT_BITSET.
            let r = unsafe {
                libc::syscall(
                    libc::SYS_futex,
                    word as *const AtomicU32,
                    libc::FUTEX_WAIT_BITSET | libc::FUTEX_PRIVATE_FLAG,
                    expected,
                    &abs as *const libc::timespec,
                    std::ptr::null::<u32>(),
                    !0u32, // FUTEX_BITSET_MATCH_ANY
                )
            };
            if r == 0 {
                return true;
            }
            match std::io::Error::last_os_error().raw_os_error() {
                Some(libc::ETIMEDOUT) => return false,
                Some(libc::EINTR) => continue,
                // EAGAIN: the word already differed. Anything else: let the caller
                // re-check rather than guess.
                _ => return true,
            }
        }
    }

    /// `CLOCK_MONOTONIC` now plus `d`, or `None` if that does not fit.
    // `time_t` and `c_long` are i64 here but i32 on some targets: keep the conversions.
    #[allow(clippy::useless_conversion)]
    fn monotonic_after(d: std::time::Duration) -> Option<libc::timespec> {
        let mut now = std::mem::MaybeUninit::<libc::timespec>::uninit();
        // SAFETY: `now` is a valid out-pointer; CLOCK_MONOTONIC always exists on Linux.
        let now = unsafe {
            if libc::clock_gettime(libc::CLOCK_MONOTONIC, now.as_mut_ptr()) != 0 {
                return None;
            }
            now.assume_init()
        };
        let mut sec = i64::from(now.tv_sec).checked_add(i64::try_from(d.as_secs()).ok()?)?;
        let mut nsec = i64::from(now.tv_nsec) + i64::from(d.subsec_nanos());
        if nsec >= 1_000_000_000 {
            nsec -= 1_000_000_000;
            sec = sec.checked_add(1)?;
        }
        Some(libc::timespec {
            tv_sec: libc::time_t::try_from(sec).ok()?,
            tv_nsec: nsec as libc::c_long, // < 10^9, fits every c_long
        })
    }
}

#[cfg(all(not(all(test, feature = "loom")), not(target_os = "linux")))]
mod os {
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::time::{Duration, Instant};

    /// Portable fallback: poll the word, sleeping 1 µs doubling up to 1 ms.
    /// Correct because every waker changes the word before it wakes.
    pub(super) fn wait_until(word: &AtomicU32, expected: u32, deadline: Instant) -> bool {
        let mut nap = Duration::from_micros(1);
        loop {
            if word.load(Ordering::Relaxed) != expected {
                return true;
            }
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            std::thread::sleep(nap.min(deadline - now));
            nap = (nap * 2).min(Duration::from_millis(1));
        }
    }
}

#[cfg(all(test, feature = "loom"))]
impl Futex {
    pub(crate) fn new(value: u32) -> Self {
        Self {
            word: AtomicU32::new(value),
            park: loom::sync::Arc::new(shim::Park::default()),
            wake_calls: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    /// How many `wake_one` / `wake_all` calls this word has seen.
    pub(crate) fn wake_calls(&self) -> usize {
        self.wake_calls.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub(crate) fn wait(&self, expected: u32) {
        shim::wait(&self.word, &self.park, expected);
    }

    pub(crate) fn wait_until(&self, expected: u32, _deadline: Instant) -> bool {
        shim::wait_until(&self.word, &self.park, expected)
    }

    pub(crate) fn wake_one(&self) {
        self.wake_calls
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let _g = self.park.lock.lock().unwrap();
        self.park.cv.notify_one();
    }

    pub(crate) fn wake_all(&self) {
        self.wake_calls
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let _g = self.park.lock.lock().unwrap();
        self.park.cv.notify_all();
    }
}

/// The loom stand-in for the kernel's futex queue.
#[cfg(all(test, feature = "loom"))]
mod shim {
    use super::timer::{self, TimedWait};
    use crate::sync::{AtomicU32, Ordering};

    /// The wait queue of one word. Checking the word and going to sleep happen under
    /// `lock`, and wakers take `lock` too, so a wake can never slip between the
    /// check and the sleep — exactly the kernel's guarantee. A wake nobody sends is
    /// therefore a loom deadlock.
    #[derive(Default)]
    pub(crate) struct Park {
        pub(crate) lock: loom::sync::Mutex<()>,
        pub(crate) cv: loom::sync::Condvar,
    }

    pub(super) fn wait(word: &AtomicU32, park: &Park, expected: u32) {
        let g = park.lock.lock().unwrap();
        if word.load(Ordering::SeqCst) == expected {
            drop(park.cv.wait(g).unwrap());
        }
    }

    pub(super) fn wait_until(
        word: &AtomicU32,
        park: &loom::sync::Arc<Park>,
        expected: u32,
    ) -> bool {
        match timer::mode() {
            TimedWait::Never => {
                wait(word, park, expected);
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
}

/// Model-side time for loom, which does not model clocks.
///
/// A model picks, per test, how timed waits behave ([`TimedWait`]); in `Timer` mode
/// it spawns a thread that calls [`fire`], so loom tries the expiry at every point
/// of the other threads' runs.
#[cfg(all(test, feature = "loom"))]
pub(crate) mod timer {
    use super::shim::Park;
    use crate::sync::{AtomicBool, Ordering};
    use std::cell::Cell;

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
        pending: loom::sync::Mutex<Vec<loom::sync::Arc<Park>>>,
    }

    loom::lazy_static! {
        static ref CLOCK: Clock = Clock {
            fired: AtomicBool::new(false),
            pending: loom::sync::Mutex::new(Vec::new()),
        };
    }

    /// Set the mode for models run later on this test thread.
    pub(crate) fn set_mode(mode: TimedWait) {
        MODE.with(|m| m.set(mode));
    }

    pub(crate) fn mode() -> TimedWait {
        MODE.with(|m| m.get())
    }

    pub(super) fn register(park: &loom::sync::Arc<Park>) {
        CLOCK.pending.lock().unwrap().push(park.clone());
    }

    pub(super) fn fired() -> bool {
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
