//! Time on one pool: a flaky call retried with exponential back-off
//! (`submit_after`), and a periodic reaper of idle connections
//! (`schedule_with_fixed_delay`) running beside it; at the end the reaper is
//! cancelled and the pool joined, with nothing left waiting.
//!
//! `cargo run --example scheduled`

use queuekit::{TaskError, TaskHandle, ThreadPoolManager};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A call that fails its first `failures` attempts.
fn flaky(attempt: u32, failures: u32) -> Result<String, String> {
    if attempt < failures {
        Err(format!("attempt {attempt}: timed out"))
    } else {
        Ok(format!("attempt {attempt}: ok"))
    }
}

/// Runs `flaky` on the pool, retrying with a back-off that doubles from 2 ms,
/// up to `max_attempts`. Each retry waits in the pool's timer, not on a worker.
fn with_backoff(pool: &ThreadPoolManager, max_attempts: u32) -> Result<String, String> {
    let mut delay = Duration::ZERO;
    let mut last = String::new();
    for attempt in 0..max_attempts {
        let h: TaskHandle<Result<String, String>> = pool
            .submit_after(delay, move || flaky(attempt, 3))
            .map_err(|e| e.to_string())?;
        match h.wait() {
            Ok(Ok(v)) => return Ok(v),
            Ok(Err(e)) => {
                delay = (delay * 2).max(Duration::from_millis(2));
                println!("  {e}; retrying in {delay:?}");
                last = e;
            }
            Err(e) => return Err(e.to_string()),
        }
    }
    Err(last)
}

fn main() {
    let pool = ThreadPoolManager::new(2).unwrap();

    // Connections with the time they were last used.
    let conns: Arc<Mutex<Vec<(u32, Instant)>>> =
        Arc::new(Mutex::new((0..5).map(|id| (id, Instant::now())).collect()));
    let reaped = Arc::new(AtomicUsize::new(0));
    let reaper = {
        let (conns, reaped) = (Arc::clone(&conns), Arc::clone(&reaped));
        pool.schedule_with_fixed_delay(
            Duration::from_millis(1),
            Duration::from_millis(5),
            move || {
                let idle_for = Duration::from_millis(10);
                let mut c = conns.lock().unwrap();
                let before = c.len();
                c.retain(|(_, used)| used.elapsed() < idle_for);
                reaped.fetch_add(before - c.len(), Ordering::Relaxed);
            },
        )
        .unwrap()
    };

    println!("calling a flaky service with back-off:");
    let result = with_backoff(&pool, 5);
    println!("result: {result:?}");
    assert_eq!(result.as_deref(), Ok("attempt 3: ok"));

    // By now (three back-offs: 2 + 4 + 8 ms) the reaper has seen the idle
    // connections; wait for it without sleeping on a guess.
    while reaped.load(Ordering::Relaxed) < 5 {
        std::thread::yield_now();
    }
    println!(
        "reaper ran {} times, closed {} idle connections",
        reaper.runs(),
        reaped.load(Ordering::Relaxed)
    );

    assert!(reaper.cancel());
    assert_eq!(reaper.wait(), TaskError::Cancelled);
    pool.join(); // a cancelled entry still waiting is dropped: nothing runs after this
    assert_eq!(pool.stats().scheduled, 0);
    println!("reaper cancelled, pool joined");
}
