//! loom models: every interleaving of small scenarios, for every layer.
//!
//! Mounted into the library's unit-test build (see `src/lib.rs`) so the models can
//! reach `pub(crate)` internals such as the futex and the fault switches. Run with
//! `cargo test --features loom` (together with every other test), or only the
//! models with `cargo test --features loom --lib loom_tests`.
//!
//! `docs/verification.md` lists what each model proves.

mod asynk;
mod completion;
mod condvar;
mod counter;
mod delay;
mod futex;
mod mutex;
mod pool;
mod queue;
mod schedule;
mod select;
mod zero;

use crate::futex::loom::timer::{self, TimedWait};
use crate::sync::fault::{self, Fault};

/// Preemption bound used when neither the model nor `LOOM_MAX_PREEMPTIONS` says.
pub(crate) const DEFAULT_BOUND: usize = 2;

/// Runs `f` under loom with the given preemption bound (unless the environment's
/// `LOOM_MAX_PREEMPTIONS` overrides it) and timed-wait mode.
pub(crate) fn model_with<F>(bound: usize, mode: TimedWait, f: F)
where
    F: Fn() + Sync + Send + 'static,
{
    timer::set_mode(mode);
    let mut b = loom::model::Builder::new();
    if b.preemption_bound.is_none() {
        b.preemption_bound = Some(bound);
    }
    b.check(f);
}

/// [`model_with`] for models without timed waits, at [`DEFAULT_BOUND`].
pub(crate) fn model<F>(f: F)
where
    F: Fn() + Sync + Send + 'static,
{
    model_with(DEFAULT_BOUND, TimedWait::Never, f);
}

/// Switches `fault` on for the rest of this test thread (the `#[ignore]`d models
/// that exist to fail run alone, in a child process).
pub(crate) fn inject(fault: Fault) {
    fault::inject(Some(fault));
}

/// Switches `fault` on too, keeping the faults already on (an environment fault
/// such as refused thread starts, plus the bug under test).
pub(crate) fn inject_also(fault: Fault) {
    fault::inject_also(fault);
}

/// Runs the `#[ignore]`d test `name` (full path, e.g. `loom_tests::futex::x`) in a
/// child process and asserts that it failed and that its output contains `needle`
/// (loom's `deadlock` message, or an assertion's text).
///
/// A model that is expected to fail cannot be `#[should_panic]`: loom aborts the
/// process when its deadlock panic unwinds through loom objects.
pub(crate) fn expect_failure(name: &str, needle: &str) {
    let exe = std::env::current_exe().expect("test binary path");
    let out = std::process::Command::new(exe)
        .args([
            name,
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("RUST_BACKTRACE", "0")
        .env_remove("LOOM_LOG")
        .output()
        .expect("spawn the test binary");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stdout.contains("running 1 test"),
        "{name} did not run exactly one test:\n{stdout}"
    );
    assert!(
        !out.status.success(),
        "{name} should have failed but passed:\n{stdout}\n{stderr}"
    );
    assert!(
        stderr.contains(needle) || stdout.contains(needle),
        "{name} failed without `{needle}`:\n{stdout}\n{stderr}"
    );
}
