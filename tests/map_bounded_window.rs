//! `map_bounded`'s read-ahead is an upper bound, not a size: any `ahead`, up to
//! `usize::MAX`, works, and the window's memory follows the inputs in flight.
//!
//! This binary has its own global allocator, which records the largest single
//! allocation made on a thread that asked to be watched.

use queuekit::ThreadPoolManager;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

struct Watching;

static LARGEST: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static WATCHED: Cell<bool> = const { Cell::new(false) };
}

fn note(size: usize) {
    // `try_with`: the thread-local may be gone while the thread exits.
    if WATCHED.try_with(Cell::get).unwrap_or(false) {
        LARGEST.fetch_max(size, Ordering::Relaxed);
    }
}

// SAFETY: forwards every call to the system allocator unchanged; it only
// records sizes in an atomic and a const-initialised thread-local, neither of
// which allocates.
unsafe impl GlobalAlloc for Watching {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        // SAFETY: the caller's contract for `alloc`, passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract for `dealloc`, passed on.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(new_size);
        // SAFETY: the caller's contract for `realloc`, passed on.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOC: Watching = Watching;

/// The largest single allocation `f` made on this thread.
fn largest_allocation<T>(f: impl FnOnce() -> T) -> (T, usize) {
    LARGEST.store(0, Ordering::Relaxed);
    WATCHED.with(|w| w.set(true));
    let out = f();
    WATCHED.with(|w| w.set(false));
    (out, LARGEST.load(Ordering::Relaxed))
}

/// Far more than a ten-item map needs, far less than the whole window's worth.
const SMALL: usize = 64 * 1024;

#[test]
fn map_bounded_accepts_usize_max() {
    let pool = ThreadPoolManager::new(2).unwrap();
    let (out, largest) = largest_allocation(|| {
        pool.map_bounded(0..10u64, |x| x * 2, usize::MAX)
            .map(Result::unwrap)
            .collect::<Vec<_>>()
    });
    assert_eq!(out, (0..10).map(|x| x * 2).collect::<Vec<_>>());
    assert!(largest < SMALL, "allocated {largest} bytes at once");
}

#[test]
fn scoped_map_bounded_accepts_usize_max() {
    let pool = ThreadPoolManager::new(2).unwrap();
    let data: Vec<u64> = (0..10).collect();
    let (out, largest) = largest_allocation(|| {
        pool.scope(|s| {
            s.map_bounded(data.iter(), |x| x * 2, usize::MAX)
                .map(Result::unwrap)
                .collect::<Vec<_>>()
        })
    });
    assert_eq!(out, (0..10).map(|x| x * 2).collect::<Vec<_>>());
    assert!(largest < SMALL, "allocated {largest} bytes at once");
}

/// A large `ahead` that the system would still grant: the window must not be
/// sized by it.
#[test]
fn a_large_read_ahead_allocates_only_for_the_inputs_in_flight() {
    const AHEAD: usize = 1 << 20;
    let pool = ThreadPoolManager::new(2).unwrap();
    let (out, largest) = largest_allocation(|| {
        pool.map_bounded(0..10u64, |x| x + 1, AHEAD)
            .map(Result::unwrap)
            .sum::<u64>()
    });
    assert_eq!(out, 55);
    assert!(largest < SMALL, "allocated {largest} bytes at once");
    let data: Vec<u64> = (0..10).collect();
    let (out, largest) = largest_allocation(|| {
        pool.scope(|s| {
            s.map_bounded(data.iter(), |x| x + 1, AHEAD)
                .map(Result::unwrap)
                .sum::<u64>()
        })
    });
    assert_eq!(out, 55);
    assert!(largest < SMALL, "allocated {largest} bytes at once");
}
