//! The FIFO queue's two-lock core: a put side and a take side that share nothing
//! on the hot path. `docs/design.md` ("The two-lock FIFO") walks through it.
//!
//! * **Put side** (`put.rs`): the put lock over the put buffer, the total of items
//!   ever put, the last take count seen, the shutdown flag and the count of
//!   blocked putters. Putters wait on `not_full`.
//! * **Take side** (`take.rs`): the take lock over the take buffer and the
//!   blocked-getter and sleeping-putter counts, and the take count: the total of
//!   items ever taken, written only under the take lock (a plain store, no
//!   read-modify-write), on its own cache line. Getters wait on `not_empty`;
//!   putters sleep on `not_full` *with the take lock*, so a getter sees a
//!   sleeping putter in its own locked state.
//! * **Tasks** (`asynk.rs`): the same hand-offs, with a `Waker` registered in
//!   the same [`Waiters`] instead of a condvar sleep.
//!
//! A getter that finds the take buffer empty takes the put lock and swaps the
//! two buffers: every queued item crosses in one hold. A putter reads the take
//! count only at the full edge; a getter reads the put side only at the empty
//! edge. Each side sits on its own cache line (`#[repr(align(128))]`, two lines
//! on CPUs that prefetch in pairs), and so do the waiters and the task count,
//! which are written only at the edges or by `task_done`.
//!
//! # Invariants
//!
//! Numbered so that the code can cite them ("see I7"). A must-fail loom model
//! (`Fault::…`) breaks the invariant on purpose and fails.
//!
//! | # | invariant | kept by |
//! |---|---|---|
//! | I1 | Lock order: take, then put. Nothing takes them the other way round. | `refill`, `get_many`, `shutdown_now`, `len`; a putter lets go of the put lock before it takes the take lock |
//! | I2 | Every item in the take buffer was put before every item in the put buffer. | the put buffer crosses whole, and only into an empty take buffer |
//! | I3 | `takes` (items ever taken) is written only under the take lock, by a load and a store; `puts` only under the put lock. Both count modulo 2^64. | `took`; `put`, `put_some`, `poll_put` |
//! | I4 | `takes_seen` never runs ahead of `takes`, so `in_use(puts, takes_seen)` never under-counts: a queue that is not full never refuses a put (`try_put` exact). | `room` refreshes it, at the full edge only |
//! | I5 | Only a difference `in_use(puts, takes)` of at least the capacity that is a real count (at most `isize::MAX`, not one wrapped below zero by a stale `puts`) proves the queue full. | `wait_for_room`, `poll_put` |
//! | I6 | A getter registers on `not_empty` before it lets go of the put lock at the empty edge; every put notifies after taking that lock, so its relaxed look finds the registration. (`FifoGetterRegistersLate`) | `refill`, `poll_get` |
//! | I7 | A putter registers on `not_full` under the put lock (so `shutdown` finds it), then, in one hold of the take lock, re-reads `takes` and counts itself in `sleeping_putters`; every get stores its take and reads `sleeping_putters` in one hold of the take lock. Either the get sees the sleeper, or the sleeper sees the freed slot. (`FifoPutterSleepsWithoutRecheck`, `AsyncPutterSkipsRecheck`) | `wait_for_room`, `poll_put`, `took` |
//! | I8 | `shutdown` is set under the put lock, then every waiter on both sides is woken: one registered before that hold is woken, one after it sees the flag. (`QueueShutdownSkipsWake`) | `shut`, `wake_everyone` |
//! | I9 | Each item put notifies `not_empty` once and each slot freed notifies `not_full` once (when a putter sleeps); [`Waiters`] hands each notify to a distinct unnotified waiter. (`QueuePutSkipsNotify`, `QueueGetManySkipsWake`, `QueueDrainWakesOne`) | `put`, `put_some`, `get`, `get_many` |
//! | I10 | A task waiter counts in `getters` / `putters` (a task putter also in `sleeping_putters`) from its first pending poll until its entry is removed; a future dropped while notified passes the wake-up on. (`AsyncDropSkipsPassOn`) | `asynk.rs`; `Waiters::pend_task`, `drop_task` |
//! | I11 | No waker is woken or dropped under a lock: notifies come after the unlock, and a waker let go of under a lock comes back as a `Stale` dropped after the last guard. (`WakerDropsUnderLock`) | every notify site; `asynk.rs`; `Waiters::pend_task`, `drop_task` |

mod asynk; // async: task getters and putters
mod put;
mod take;

use std::fmt;
use std::mem;

use super::inside::Core;
use super::inside::UNBOUNDED;
use super::store::Fifo;
use super::store::Store;
use crate::counter::TaskCounter;
use crate::mutex::Mutex;
use crate::sync::fault::{self, Fault};
use crate::sync::{AtomicBool, LOOM};
use crate::sync::{AtomicUsize, Ordering};
use crate::waiters::{Sleepers, Waiters};

/// Items in the queue if `puts` were put and `takes` taken, both counted modulo
/// 2^64.
#[inline]
fn in_use(puts: usize, takes: usize) -> usize {
    puts.wrapping_sub(takes)
}

/// `T` alone on its cache line(s).
#[repr(align(128))]
struct Padded<T>(T);

/// The FIFO queue's inside.
pub struct TwoLock<T> {
    take: Padded<TakeSide<T>>,
    /// Items ever taken. Bounded queues only (an unbounded queue has no putters
    /// to wake and nobody reads the count). Written only under the take lock;
    /// read without it by putters at the full edge and by spinning putters. On
    /// its own line, away from the take lock: a putter's read must not pull the
    /// take lock's line away from the getters.
    takes: Padded<AtomicUsize>,
    put: Padded<PutSide<T>>,
    edge: Padded<Edge>,
    tasks: Padded<TaskCounter>,
    /// Most items stored at once; [`UNBOUNDED`] for no limit.
    capacity: usize,
}

/// Everything getters touch on every item.
struct TakeSide<T> {
    lock: Mutex<TakeState<T>>,
}

/// Under the take lock.
struct TakeState<T> {
    /// The older items: every item here was put before every item in the put
    /// buffer.
    buf: Fifo<T>,
    /// Getters asleep on `not_empty`, and task getters registered there
    /// (`blocked_getters`).
    getters: Sleepers,
    /// Putters asleep on `not_full` (they sleep with the take lock): a getter
    /// that frees a slot while this is non-zero notifies `not_full`.
    sleeping_putters: usize,
}

/// Everything putters touch on every item.
struct PutSide<T> {
    lock: Mutex<PutState<T>>,
}

/// Under the put lock.
struct PutState<T> {
    buf: Fifo<T>,
    /// Items ever put, modulo 2^64 (`in_use` takes the difference with the take
    /// count; a difference above `isize::MAX` is a stale, wrapped one).
    puts: usize,
    /// The take count as last read from `takes`: never ahead of the real
    /// one, so `in_use(puts, takes_seen)` never under-counts the queue.
    takes_seen: usize,
    shutdown: bool,
    /// Putters blocked on a full queue (`blocked_putters`): threads from the
    /// moment they register on `not_full` until they are back under the put
    /// lock, and task putters registered on `not_full`.
    putters: Sleepers,
}

/// Written only at the edges (a thread or task going to sleep or waking one),
/// read by the hot paths only as the relaxed loads that find nobody to wake.
/// `repr(C)`: `not_empty`'s two words (read by every put) on the first cache
/// line, `not_full`'s (read by a get only when a putter sleeps) on the second.
#[repr(C)]
struct Edge {
    /// Getters wait here (threads and tasks); every put notifies it (two
    /// relaxed loads while nobody is registered unnotified).
    not_empty: Waiters,
    /// Putters wait here (threads sleep with the take lock); a getter notifies
    /// it when the take side counts a sleeping putter.
    not_full: Waiters,
    /// The shutdown flag, for spinners only (the real one is under the put lock).
    shutdown: AtomicBool,
}

/// How many items (getters) or free slots (putters) a spinning thread waits for
/// before it goes back to the lock, at most: crossing sides in batches is what
/// keeps the two sides off each other's cache lines. A spinner that runs out of
/// patience first takes whatever is there, so this only ever delays a blocked
/// operation by one bounded spin, never refuses or sleeps on a single item or
/// slot.
const SPIN_BATCH: usize = 64;

impl<T> TwoLock<T> {
    /// What a spinner waits for: [`SPIN_BATCH`], or a quarter of a small queue
    /// (a group that can never fit would only spin out).
    #[inline]
    fn spin_batch(&self) -> usize {
        (self.capacity / 4).clamp(1, SPIN_BATCH)
    }

    /// Whether blocked operations spin before sleeping (not under loom: a spin
    /// is a yield there, which prunes the interleavings loom explores).
    const SPIN: bool = !LOOM;

    /// The shutdown flag as spinners see it.
    #[inline]
    fn shutdown_hint(&self) -> bool {
        !LOOM && self.edge.0.shutdown.load(Ordering::Relaxed)
    }

    /// Whether `puts` items put and `takes` taken prove the queue full (I5):
    /// only a real count (not one wrapped below zero by a stale `puts`) of at
    /// least the capacity does. A putter's `puts` may be from an older hold of
    /// the put lock, so `takes` may even have passed it.
    #[inline]
    fn proves_full(&self, puts: usize, takes: usize) -> bool {
        let used = in_use(puts, takes);
        used >= self.capacity && used <= isize::MAX as usize
    }

    /// Records `count` items leaving the queue (gets, drains, `shutdown_now`);
    /// called under the take lock. Returns whether a putter sleeps, in which
    /// case the caller notifies `not_full` after unlocking.
    #[inline]
    fn took(&self, take: &TakeState<T>, count: usize) -> bool {
        if self.capacity == UNBOUNDED {
            return false;
        }
        // Only take-lock holders write `takes`, so a load and a store (no
        // read-modify-write) count exactly (I3). Relaxed: a putter that must not
        // miss this count reads it under the take lock (`wait_for_room`),
        // which orders it; lock-free readers take it as a number that may be
        // stale, never ahead, and re-check before they sleep.
        let takes = self.takes.0.load(Ordering::Relaxed);
        self.takes
            .0
            .store(takes.wrapping_add(count), Ordering::Relaxed);
        // A putter counts itself here under the take lock before it sleeps,
        // after re-reading `takes` under that lock: either it saw our count
        // (and did not sleep), or we see it (and notify it): I7.
        take.sleeping_putters > 0
    }
}

impl<T> Core<T> for TwoLock<T> {
    fn new(capacity: usize, reserve: usize) -> Self {
        Self {
            take: Padded(TakeSide {
                lock: Mutex::new(TakeState {
                    buf: Fifo::with_capacity(reserve),
                    getters: Sleepers::default(),
                    sleeping_putters: 0,
                }),
            }),
            takes: Padded(AtomicUsize::new(0)),
            put: Padded(PutSide {
                // Both buffers get the reservation: they swap, and a bounded queue
                // must not allocate per operation whichever buffer fills.
                lock: Mutex::new(PutState {
                    buf: Fifo::with_capacity(reserve),
                    puts: 0,
                    takes_seen: 0,
                    shutdown: false,
                    putters: Sleepers::default(),
                }),
            }),
            edge: Padded(Edge {
                not_empty: Waiters::new(),
                not_full: Waiters::new(),
                shutdown: AtomicBool::new(false),
            }),
            tasks: Padded(TaskCounter::new()),
            capacity,
        }
    }

    fn capacity(&self) -> usize {
        self.capacity
    }

    fn tasks(&self) -> &TaskCounter {
        &self.tasks.0
    }

    fn shutdown(&self) {
        let mut put = self.put.0.lock.lock();
        self.shut(&mut put);
        drop(put);
        self.wake_everyone();
    }

    fn shutdown_now(&self) -> Vec<T> {
        // Lock order: take, then put (I1).
        let mut take = self.take.0.lock.lock();
        let mut put = self.put.0.lock.lock();
        self.shut(&mut put);
        // Take both buffers whole (the empty ones reserve nothing), so building
        // the result and freeing the buffers happen outside the locks.
        let older = mem::replace(&mut take.buf, Fifo::with_capacity(0));
        let newer = mem::replace(&mut put.buf, Fifo::with_capacity(0));
        let n = older.len() + newer.len();
        // Keep `puts - takes` equal to what is queued; the putters it would wake
        // are woken below anyway.
        self.took(&take, n);
        drop(put);
        drop(take);
        self.wake_everyone();
        self.tasks.0.done_up_to(n);
        let mut items = older.into_vec();
        items.extend(newer.into_vec());
        items
    }

    fn is_shutdown(&self) -> bool {
        self.put.0.lock.lock().shutdown
    }

    fn len(&self) -> usize {
        let take = self.take.0.lock.lock();
        let put = self.put.0.lock.lock();
        take.buf.len() + put.buf.len()
    }

    fn blocked_getters(&self) -> usize {
        self.take.0.lock.lock().getters.get()
    }

    fn blocked_putters(&self) -> usize {
        self.put.0.lock.lock().putters.get()
    }

    fn fmt_fields(&self, d: &mut fmt::DebugStruct<'_, '_>) {
        let take = self.take.0.lock.try_lock();
        let put = self.put.0.lock.try_lock();
        match (take, put) {
            (Some(take), Some(put)) => {
                d.field("len", &(take.buf.len() + put.buf.len()))
                    .field("shutdown", &put.shutdown)
                    .field("blocked_getters", &take.getters.get())
                    .field("blocked_putters", &put.putters.get());
            }
            _ => {
                d.field("len", &format_args!("<locked>"));
            }
        }
    }
}

impl<T> TwoLock<T> {
    /// Sets the shutdown flag; called under the put lock.
    fn shut(&self, put: &mut PutState<T>) {
        put.shutdown = true;
        // Relaxed: a hint for spinners; sleepers are woken by `wake_everyone`.
        if !LOOM {
            self.edge.0.shutdown.store(true, Ordering::Relaxed);
        }
    }

    /// Wakes every waiting putter and getter (after the shutdown flag is set
    /// under the put lock: a waiter registered before that is woken here, one
    /// after it sees the flag: I8).
    fn wake_everyone(&self) {
        fault::point!(Fault::QueueShutdownSkipsWake => return);
        self.edge.0.not_full.notify_all();
        self.edge.0.not_empty.notify_all();
    }
}
