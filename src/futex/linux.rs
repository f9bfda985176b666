//! Timed futex waits on Linux: `FUTEX_WAIT_BITSET` with an absolute
//! `CLOCK_MONOTONIC` deadline, so retrying after `EINTR` never stretches the wait.

use std::time::{Duration, Instant};

use crate::sync::{AtomicU32, Ordering};

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
fn monotonic_after(d: Duration) -> Option<libc::timespec> {
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
