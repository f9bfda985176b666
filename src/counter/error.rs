//! The errors of [`TaskCounter`](super::TaskCounter), with their `Display`.

use std::error::Error;
use std::fmt;

/// `done()` / `task_done()` was called more times than tasks were added
/// (Python raises `ValueError` here).
///
/// # Examples
///
/// ```
/// use queuekit::{TaskCounter, TaskDoneError};
///
/// let c = TaskCounter::new();
/// assert_eq!(c.done(), Err(TaskDoneError));
/// assert_eq!(TaskDoneError.to_string(), "task_done() called more times than tasks were added");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TaskDoneError;

impl fmt::Display for TaskDoneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("task_done() called more times than tasks were added")
    }
}

impl Error for TaskDoneError {}

/// [`TaskCounter::add`](super::TaskCounter::add) would push the count past `usize::MAX`.
///
/// # Examples
///
/// ```
/// use queuekit::{CountOverflowError, TaskCounter};
///
/// let c = TaskCounter::new();
/// c.add(1).unwrap();
/// assert_eq!(c.add(usize::MAX), Err(CountOverflowError));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CountOverflowError;

impl fmt::Display for CountOverflowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("unfinished task count would overflow usize")
    }
}

impl Error for CountOverflowError {}
