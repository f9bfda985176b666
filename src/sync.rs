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
        pub(crate) use loom::sync::atomic::{fence, AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};
        pub(crate) use loom::thread;
    }
}

cfg_not_loom! {
    #[allow(unused_imports)]
    mod imp {
        pub(crate) use std::hint;
        pub(crate) use std::sync::atomic::{fence, AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};
        pub(crate) use std::thread;
        // Only the asymmetric fence's process-wide mode and light side use
        // these; loom has no counterpart (its build runs real fences there).
        pub(crate) use std::sync::atomic::{compiler_fence, AtomicU8};

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
    /// A fault point: `fault::point!(Fault::X => code)` runs `code`, the
    /// deliberate bug, only in a loom model that switched `X` on ([`active`]);
    /// in every other build the branch is removed by the compiler. The normal
    /// path is written after it, straight.
    macro_rules! point {
        ($fault:expr => $($bug:tt)*) => {
            if $crate::sync::fault::active($fault) {
                $($bug)*
            }
        };
    }

    pub(crate) use point;

    /// A known bug a model must catch.
    #[allow(dead_code)]
    #[derive(Clone, Copy, PartialEq, Eq, Debug)]
    pub(crate) enum Fault {
        /// `Mutex` unlock forgets to wake a sleeping waiter.
        MutexUnlockSkipsWake,
        /// A `Mutex` waiter counts itself a sleeper and looks at the lock word
        /// without the heavy side of the asymmetric fence between the two.
        MutexWaiterSkipsFence,
        /// A `Mutex` waiter never clears `WAKING`, so after the first wake-up
        /// every unlock thinks one is still on its way.
        MutexWaiterKeepsWaking,
        /// `Condvar::notify_one` bumps the sequence but never wakes.
        CondvarNotifySkipsWake,
        /// `TaskCounter::done` reaching zero never wakes joiners.
        CounterDoneSkipsWake,
        /// `TaskCounter`'s unfinished count reads the added total before the
        /// finished one, so a put and a `done` between the two loads show a
        /// zero that never was.
        CounterReadsAddedFirst,
        /// `TaskCounter::done_up_to` moves the finished total by what it was
        /// asked for instead of by what is unfinished: the count wraps.
        CounterDoneUnchecked,
        /// A `Condvar` waiter whose time runs out leaves as "not notified" even
        /// when a notify already consumed it, stranding that notify's token.
        CondvarTimeoutDropsToken,
        /// `Condvar::notify_one` wakes again while the only waiter is notified but
        /// not yet running (the accounting before exact waiter counts).
        CondvarNotifyWakesNotified,
        /// A queue `put` forgets to signal "not empty".
        QueuePutSkipsNotify,
        /// `shutdown` forgets to wake blocked putters and getters.
        QueueShutdownSkipsWake,
        /// `drain` wakes one blocked putter however many slots it freed.
        QueueDrainWakesOne,
        /// FIFO: a putter going to sleep counts itself under the take lock but
        /// keeps its older view of the take count instead of re-reading it in
        /// that hold, so a get in between frees a slot nobody is told about.
        FifoPutterSleepsWithoutRecheck,
        /// FIFO: a getter registers on "not empty" only after releasing the put
        /// lock, so a put in between notifies nobody.
        FifoGetterRegistersLate,
        /// A pool submit claims a sleeping worker but never notifies it.
        PoolSubmitSkipsNotify,
        /// A pool worker leaves the idle count when it takes a task (double count
        /// with the submitter that claimed it).
        PoolWorkerMiscountsIdle,
        /// Not a bug but the environment: the system refuses every worker thread
        /// after the first, so models can check a refused start loses nothing.
        PoolLaterSpawnsRefused,
        /// Not a bug but the environment: the system refuses every worker thread,
        /// the first included.
        PoolAllSpawnsRefused,
        /// A worker is made known to the pool by the thread that started it,
        /// after `spawn` returns, instead of by itself before its first task; a
        /// `join` in that task may wait for itself.
        PoolWorkerRegistersLate,
        /// `terminate` drops a cancelled closure outside `catch_unwind`, so a
        /// panicking `Drop` escapes its cancel loop and the task count is never
        /// settled.
        PoolTerminateDropUncaught,
        /// A worker tells the handle its result before it books itself free, so
        /// a submit right after `wait` starts another worker.
        PoolPublishesBeforeFree,
        /// A refused `add_task` removes its id but wakes no `result(&id)` waiter.
        ServiceRefusalSkipsNotify,
        /// A refused worker start takes its reservation back without waking
        /// `join` (the wake of the failed-spawn path never fires).
        PoolRefusedStartSkipsWake,
        /// `scope` helps with its pending tasks but returns without waiting for
        /// the ones a worker is still running.
        ScopeSkipsRunningTasks,
        /// `scope` takes a settled task's result whether or not the task's handle
        /// still owns it (the old clean-up): it races a handle's `wait` for the
        /// result slot.
        ScopeTakesHeldResult,
        /// A bounded `map` refills its read-ahead window before it yields the
        /// oldest result, so one more input than the limit is in flight.
        MapRefillsBeforeYield,
        /// `get_many` frees several slots but wakes no blocked putter.
        QueueGetManySkipsWake,
        /// The last `Producer` end drops without shutting the queue down.
        EndsLastProducerSkipsShutdown,
        /// The last `Consumer` end drops without shutting the queue down.
        EndsLastConsumerSkipsShutdown,
        /// A pending async queue future dropped after its wake-up removes its
        /// entry without passing the wake-up on to another waiter.
        AsyncDropSkipsPassOn,
        /// FIFO: a task putter counts itself as a sleeper under the take lock
        /// but keeps its older take count instead of re-reading the take word
        /// in that hold.
        AsyncPutterSkipsRecheck,
        /// `TaskHandle`'s publish ignores the async waiter bit (never wakes an
        /// awaiting task).
        HandlePublishSkipsWaker,
        /// A wait over many handles looks for a reported index and stores its
        /// waker in two holds of the ready list's lock: a report that lands in
        /// between finds no waker, and the waiter sleeps through it.
        ReadyRegistersAfterLook,
        /// A select does not stop at its first completed arm: it completes every
        /// arm that is ready in the same round (two sources complete one select).
        SelectCompletesTwice,
        /// A waiter list drops a replaced or removed waker where it lets go of
        /// it, under its own lock and the queue's, instead of handing it back
        /// to be dropped after the locks.
        WakerDropsUnderLock,
        /// `Select::try_wait` gives up after one pass over its arms.
        SelectTryWaitOnePass,
        /// Delay queue: a put whose item becomes the new head does not wake the
        /// leader asleep until the old head's deadline (no re-arm).
        DelayPutSkipsRearm,
        /// Delay queue: a getter leaving (with an item, on its timeout or at
        /// shutdown) does not hand the leader's role on to a sleeping follower.
        DelayLeaderSkipsHandOff,
        /// Pool: a periodic series queues its next run before the current run
        /// starts, so two workers can run it at once.
        PeriodicRequeuesBeforeRun,
        /// Pool: a handle's cancel of a one-shot delayed task leaves its entry
        /// in a closed pool's timer until its deadline (so `join` waits for it).
        DelayedCancelKeepsEntry,
        /// Rendezvous queue: a blocked getter whose time ran out leaves without
        /// looking at its slot, dropping an item a putter handed it as the
        /// deadline passed (the putter was told `Ok`).
        ZeroTakerTimeoutIgnoresSlot,
        /// Rendezvous queue: a getter takes a select's offer without winning
        /// the select's claim, so two getters can each take one of the
        /// select's offers (the select puts twice).
        ZeroTakeIgnoresClaim,
        /// Rendezvous queue: `PutFuture::into_item` returns the item the
        /// future holds (none: it is in the queue's offer) without taking the
        /// offer back, so a cancelled put neither hands its item back nor
        /// lets a getter have it.
        ZeroIntoItemSkipsWithdraw,
    }

    cfg_loom! {
        // One bit per `Fault` variant: a model may need two at once (an environment
        // such as refused thread starts, plus the bug under test).
        std::thread_local! {
            static ACTIVE: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
        }

        fn bit(f: Fault) -> u64 {
            1 << (f as u32)
        }

        /// Is `f` switched on for the model running on this thread?
        #[inline]
        pub(crate) fn active(f: Fault) -> bool {
            ACTIVE.with(|a| a.get() & bit(f) != 0)
        }

        /// Switch `f` on (alone; `None`: nothing) for the models later run on this
        /// OS thread (loom runs every model thread as a coroutine on the test's own
        /// thread).
        pub(crate) fn inject(f: Option<Fault>) {
            ACTIVE.with(|a| a.set(f.map_or(0, bit)));
        }

        /// Switch `f` on as well as whatever is on already.
        pub(crate) fn inject_also(f: Fault) {
            ACTIVE.with(|a| a.set(a.get() | bit(f)));
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
