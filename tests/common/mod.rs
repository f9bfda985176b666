//! Helpers shared by the integration tests.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// How long a test body may run before it counts as hung, on a loaded 2-core
/// machine.
pub const WATCHDOG: Duration = Duration::from_secs(120);

/// Runs `f` on its own thread and fails the test if it does not finish within
/// [`WATCHDOG`]; a panic in `f` fails the test with its own message. So a test
/// that could deadlock fails in bounded time instead of stalling CI.
pub fn within<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    let worker = thread::spawn(move || {
        let out = f();
        let _ = tx.send(());
        out
    });
    match rx.recv_timeout(WATCHDOG) {
        Ok(()) => worker.join().expect("the body panicked"),
        Err(mpsc::RecvTimeoutError::Disconnected) => match worker.join() {
            Ok(_) => unreachable!("finished without reporting"),
            Err(p) => std::panic::resume_unwind(p),
        },
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("{what}: hung for {WATCHDOG:?}"),
    }
}

/// Counts its live instances in the given counter.
#[allow(dead_code)] // not every test binary that includes this module uses it
pub struct Counted<'a>(&'a AtomicUsize);

#[allow(dead_code)]
impl<'a> Counted<'a> {
    pub fn new(live: &'a AtomicUsize) -> Self {
        live.fetch_add(1, Ordering::SeqCst);
        Self(live)
    }
}

impl Drop for Counted<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}
