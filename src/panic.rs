//! Catching user code's panics: reading a caught panic's message, and dropping
//! user values without letting a panic in their `Drop` out. For the layers that
//! run user code (the pool, the pipeline).

use std::any::Any;
use std::mem;
use std::panic::{self, AssertUnwindSafe};

/// Drops `value`, catching a panic from its `Drop`. `true` if it panicked.
pub(crate) fn drop_quietly<T>(value: T) -> bool {
    match panic::catch_unwind(AssertUnwindSafe(move || drop(value))) {
        Ok(()) => false,
        Err(payload) => {
            forget_payload(payload);
            true
        }
    }
}

/// Disposes of a caught panic's payload. A payload whose own `Drop` panics is
/// leaked instead of unwinding a second time (which would abort the process).
pub(crate) fn forget_payload(payload: Box<dyn Any + Send>) {
    if let Err(again) = panic::catch_unwind(AssertUnwindSafe(move || drop(payload))) {
        mem::forget(again);
    }
}

/// The text of a panic payload (the `&str` or `String` given to `panic!`), or a
/// placeholder for any other payload.
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        String::from("<non-string panic payload>")
    }
}
