//! Reading a caught panic: for the layers that catch user code's panics and report
//! them as errors.

use std::any::Any;

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
