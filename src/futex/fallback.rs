//! Timed futex waits where there is no timed futex call: poll the word.

use std::time::{Duration, Instant};

use crate::sync::{AtomicU32, Ordering};

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
