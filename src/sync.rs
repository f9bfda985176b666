//! The one place that chooses between std's and loom's primitives.
//!
//! Every other module imports atomics, `UnsafeCell`, `thread` and `hint` from here,
//! so the switch to loom's model-checked types is visible in exactly one file. The
//! switch is `cfg(all(test, feature = "loom"))`: only the library's own unit-test
//! binary, built with the `loom` feature, sees loom types. Integration tests,
//! doctests and dependent crates always get std, so the feature is additive.
//!
//! Code elsewhere that differs between the two builds says so with the macros below
//! ([`cfg_loom!`], [`cfg_not_loom!`], [`const_unless_loom!`]) or the constant
//! [`LOOM`], so the condition itself is written only in this file.

/// Items compiled only in the loom unit-test build (`cfg(all(test, feature = "loom"))`).
macro_rules! cfg_loom {
    ($($item:item)*) => {
        $(
            #[cfg(all(test, feature = "loom"))]
            $item
        )*
    };
}

/// Items compiled in every build except the loom unit-test build.
macro_rules! cfg_not_loom {
    ($($item:item)*) => {
        $(
            #[cfg(not(all(test, feature = "loom")))]
            $item
        )*
    };
}

/// One constructor written once: a `const fn` in real builds, a plain `fn` under loom,
/// whose primitives have no `const` constructors.
macro_rules! const_unless_loom {
    (
        $(#[$attr:meta])*
        $vis:vis const fn $name:ident($($params:tt)*) -> $ret:ty $body:block
    ) => {
        $(#[$attr])*
        #[cfg(not(all(test, feature = "loom")))]
        $vis const fn $name($($params)*) -> $ret $body

        $(#[$attr])*
        #[cfg(all(test, feature = "loom"))]
        $vis fn $name($($params)*) -> $ret $body
    };
}

pub(crate) use {cfg_loom, cfg_not_loom, const_unless_loom};

/// `true` in the loom unit-test build: for code that skips spinning there with a
/// plain `if` rather than a second copy of itself.
pub(crate) const LOOM: bool = cfg!(all(test, feature = "loom"));

cfg_loom! {
    #[allow(unused_imports)]
    mod imp {
        pub(crate) use loom::cell::UnsafeCell;
        pub(crate) use loom::hint;
        pub(crate) use loom::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
        pub(crate) use loom::thread;
    }
}

cfg_not_loom! {
    #[allow(unused_imports)]
    mod imp {
        pub(crate) use std::hint;
        pub(crate) use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
        pub(crate) use std::thread;

        /// `core::cell::UnsafeCell` behind loom's closure-based API, so code that
        /// touches shared cells reads the same under both backends.
        #[derive(Debug, Default)]
        pub(crate) struct UnsafeCell<T: ?Sized>(core::cell::UnsafeCell<T>);

        impl<T> UnsafeCell<T> {
            #[inline]
            pub(crate) const fn new(value: T) -> Self {
                Self(core::cell::UnsafeCell::new(value))
            }

            #[inline]
            pub(crate) fn into_inner(self) -> T {
                self.0.into_inner()
            }
        }

        impl<T: ?Sized> UnsafeCell<T> {
            #[inline]
            pub(crate) fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
                f(self.0.get())
            }

            #[inline]
            pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
                f(self.0.get())
            }
        }
    }
}

pub(crate) use imp::*;

/// Deliberate bugs that the loom suite switches on to prove each model catches the
/// mistake it exists for. In every build except the loom unit-test binary,
/// [`fault::active`] is a constant `false` and the faulty branches compile away.
pub(crate) mod fault {
    /// A known bug a model must catch.
    #[allow(dead_code)]
    #[derive(Clone, Copy, PartialEq, Eq, Debug)]
    pub(crate) enum Fault {
        /// `Mutex` unlock forgets to wake a sleeping waiter.
        MutexUnlockSkipsWake,
        /// `Condvar::notify_one` bumps the sequence but never wakes.
        CondvarNotifySkipsWake,
        /// `TaskCounter::done` reaching zero never wakes joiners.
        CounterDoneSkipsWake,
        /// A queue `put` forgets to signal "not empty".
        QueuePutSkipsNotify,
        /// `shutdown` forgets to wake blocked putters and getters.
        QueueShutdownSkipsWake,
        /// `drain` wakes one blocked putter however many slots it freed.
        QueueDrainWakesOne,
        /// A pool submit claims a sleeping worker but never notifies it.
        PoolSubmitSkipsNotify,
        /// A pool worker leaves the idle count when it takes a task (double count
        /// with the submitter that claimed it).
        PoolWorkerMiscountsIdle,
        /// Not a bug but the environment: the system refuses every worker thread
        /// after the first, so models can check a refused start loses nothing.
        PoolLaterSpawnsRefused,
        /// `scope` helps with its pending tasks but returns without waiting for
        /// the ones a worker is still running.
        ScopeSkipsRunningTasks,
        /// A bounded `map` refills its read-ahead window before it yields the
        /// oldest result, so one more input than the limit is in flight.
        MapRefillsBeforeYield,
    }

    cfg_loom! {
        std::thread_local! {
            static ACTIVE: std::cell::Cell<Option<Fault>> = const { std::cell::Cell::new(None) };
        }

        /// Is `f` switched on for the model running on this thread?
        #[inline]
        pub(crate) fn active(f: Fault) -> bool {
            ACTIVE.with(|a| a.get() == Some(f))
        }

        /// Switch `f` on for the models later run on this OS thread (loom runs every
        /// model thread as a coroutine on the test's own thread).
        pub(crate) fn inject(f: Option<Fault>) {
            ACTIVE.with(|a| a.set(f));
        }
    }

    cfg_not_loom! {
        /// Always `false` outside the loom test build.
        #[inline(always)]
        pub(crate) fn active(_f: Fault) -> bool {
            false
        }
    }
}
