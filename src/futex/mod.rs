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
//! It also keeps the one other system call the crate makes: the heavy side of the
//! asymmetric fence ([`asymmetric`], `membarrier` on Linux) that lets a `Mutex`
//! unlock without a locked instruction.
//!
//! Backends, one file each; this file picks one:
//! * untimed waits go through `atomic-wait` (Linux, macOS, Windows, FreeBSD);
//! * timed waits on Linux: `linux.rs`, `futex(FUTEX_WAIT_BITSET)` with an *absolute*
//!   `CLOCK_MONOTONIC` deadline, so retrying after `EINTR` never stretches the wait;
//! * timed waits elsewhere: `fallback.rs`, polling the word with a sleep that backs
//!   off to 1 ms (correct, since every waker changes the word before waking, but
//!   coarse);
//! * under loom: `loom.rs`, a stand-in (a loom `Mutex` + `Condvar` per word) that
//!   turns a lost wake-up into a reported deadlock, with a model-controlled timer for
//!   timed waits.

use std::fmt;
use std::ops::Deref;
use std::time::Instant;

use crate::sync::{cfg_loom, cfg_not_loom, const_unless_loom, AtomicU32};

pub(crate) mod asymmetric;

cfg_not_loom! {
    #[cfg(target_os = "linux")]
    mod linux;
    #[cfg(target_os = "linux")]
    use self::linux as timed;

    #[cfg(not(target_os = "linux"))]
    mod fallback;
    #[cfg(not(target_os = "linux"))]
    use self::fallback as timed;

    /// The operating system keeps the sleepers of a word: nothing to store here.
    struct Sleepers;

    impl Sleepers {
        #[inline]
        const fn new() -> Self {
            Sleepers
        }

        #[inline]
        fn wait(&self, word: &AtomicU32, expected: u32) {
            atomic_wait::wait(word, expected);
        }

        #[inline]
        fn wait_until(&self, word: &AtomicU32, expected: u32, deadline: Instant) -> bool {
            timed::wait_until(word, expected, deadline)
        }

        #[inline]
        fn wake_one(&self, word: &AtomicU32) {
            atomic_wait::wake_one(word);
        }

        #[inline]
        fn wake_all(&self, word: &AtomicU32) {
            atomic_wait::wake_all(word);
        }
    }
}

cfg_loom! {
    pub(crate) mod loom;
    use self::loom::Sleepers;
}

/// A 32-bit atomic word with wait/wake. Derefs to the word itself.
pub(crate) struct Futex {
    word: AtomicU32,
    /// Where threads sleep on `word`: the kernel's queue, or loom's stand-in.
    sleepers: Sleepers,
}

impl Futex {
    const_unless_loom! {
        /// A word holding `value`.
        #[inline]
        pub(crate) const fn new(value: u32) -> Self {
            Self {
                word: AtomicU32::new(value),
                sleepers: Sleepers::new(),
            }
        }
    }

    /// Sleep while the word is `expected`. May return spuriously.
    #[inline]
    pub(crate) fn wait(&self, expected: u32) {
        self.sleepers.wait(&self.word, expected);
    }

    /// Sleep while the word is `expected` and `deadline` has not passed.
    ///
    /// Returns `false` if it returned because the deadline passed, `true` otherwise
    /// (woken, the word differed, or spurious).
    #[inline]
    pub(crate) fn wait_until(&self, expected: u32, deadline: Instant) -> bool {
        self.sleepers.wait_until(&self.word, expected, deadline)
    }

    /// [`wait`](Self::wait) with no deadline (`None`), else
    /// [`wait_until`](Self::wait_until) the deadline. Returns `false` only if it
    /// returned because the deadline passed.
    #[inline]
    pub(crate) fn wait_deadline(&self, expected: u32, deadline: Option<Instant>) -> bool {
        match deadline {
            None => {
                self.wait(expected);
                true
            }
            Some(d) => self.wait_until(expected, d),
        }
    }

    /// Wake at most one thread sleeping on this word.
    #[inline]
    pub(crate) fn wake_one(&self) {
        self.sleepers.wake_one(&self.word);
    }

    /// Wake every thread sleeping on this word.
    #[inline]
    pub(crate) fn wake_all(&self) {
        self.sleepers.wake_all(&self.word);
    }
}

cfg_loom! {
    impl Futex {
        /// How many `wake_one` / `wake_all` calls this word has seen (the models
        /// assert that a notify burst costs one system call).
        pub(crate) fn wake_calls(&self) -> usize {
            self.sleepers.wake_calls()
        }
    }
}

impl Deref for Futex {
    type Target = AtomicU32;

    #[inline]
    fn deref(&self) -> &AtomicU32 {
        &self.word
    }
}

impl fmt::Debug for Futex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Futex").finish_non_exhaustive()
    }
}
