//! `pipeline::run` with real threads: results, first-error propagation, panics, and
//! no thread left blocked.

use queuekit::pipeline::{self, Failure};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex as StdMutex;

#[test]
fn every_item_is_consumed_exactly_once_when_all_goes_well() {
    let seen = StdMutex::new(Vec::new());
    let consumer = |i: u32| {
        seen.lock().unwrap().push(i);
        Ok::<(), String>(())
    };
    pipeline::run(
        |feed| (0..10_000).try_for_each(|i| feed.put(i).map_err(|e| e.to_string())),
        vec![consumer; 4],
    )
    .unwrap();
    let mut seen = seen.into_inner().unwrap();
    seen.sort_unstable();
    assert_eq!(seen, (0..10_000).collect::<Vec<_>>());
}

#[test]
fn all_consumers_fail_while_the_producer_is_blocked_on_a_full_queue() {
    // Capacity 1 and an endless producer: once both consumers fail, the producer is
    // (or soon will be) blocked in `put` on a full queue; only the shutdown on the
    // first failure keeps it from hanging here.
    let produced = AtomicUsize::new(0);
    let err = pipeline::run_with_capacity(
        1,
        |feed| {
            for i in 0u64.. {
                feed.put(i).map_err(|_| "stopped")?;
                produced.fetch_add(1, Ordering::Relaxed);
            }
            Ok(())
        },
        vec![|_item: u64| Err("consumer failed"); 2],
    )
    .unwrap_err();
    assert_eq!(err.failure(), &Failure::Consumer("consumer failed"));
    // The producer stopped promptly: at most the capacity plus the two items the
    // consumers took (and failed on) plus the refused one.
    assert!(produced.load(Ordering::Relaxed) <= 4);
}

#[test]
fn the_first_error_wins_and_later_ones_are_ignored() {
    // The producer can only fail after the consumer did (its `put` fails once the
    // pipeline stops), so its error is always the second one and must be ignored.
    let err = pipeline::run(
        |feed| {
            for i in 0.. {
                feed.put(i).map_err(|_| "producer stopped")?;
            }
            Ok(())
        },
        vec![|_: i32| Err("first")],
    )
    .unwrap_err();
    assert_eq!(err.failure(), &Failure::Consumer("first"));
}

#[test]
fn a_producer_error_stops_the_consumers_and_hands_back_the_queue() {
    let consumed = AtomicUsize::new(0);
    let err = pipeline::run_with_capacity(
        100,
        |feed| {
            for i in 0..50 {
                feed.put(i).map_err(|_| "stopped")?;
            }
            Err("producer failed")
        },
        vec![|_: i32| {
            consumed.fetch_add(1, Ordering::Relaxed);
            Ok(())
        }],
    )
    .unwrap_err();
    let (failure, unprocessed) = err.into_parts();
    assert_eq!(failure, Failure::Producer("producer failed"));
    // Every item was either consumed or handed back, none lost.
    assert_eq!(consumed.load(Ordering::Relaxed) + unprocessed.len(), 50);
}

#[test]
fn panics_are_reported_with_their_message() {
    let err = pipeline::run(
        |feed| feed.put(1).map_err(|_| ()),
        vec![|_: i32| -> Result<(), ()> { panic!("consumer blew up") }],
    )
    .unwrap_err();
    assert_eq!(
        err.failure(),
        &Failure::ConsumerPanicked("consumer blew up".into())
    );

    let err = pipeline::run(
        |_feed| -> Result<(), ()> { panic!("producer blew up {}", 42) },
        vec![|_: i32| Ok(())],
    )
    .unwrap_err();
    assert_eq!(
        err.failure(),
        &Failure::ProducerPanicked("producer blew up 42".into())
    );
}

#[test]
fn no_consumers_is_an_error_not_a_hang() {
    let consumers: Vec<fn(u8) -> Result<(), ()>> = Vec::new();
    let err = pipeline::run(|feed| feed.put(1).map_err(|_| ()), consumers).unwrap_err();
    assert_eq!(err.failure(), &Failure::NoConsumers);
}

#[test]
fn a_stopped_feed_says_so() {
    let saw_stop = AtomicUsize::new(0);
    let _ = pipeline::run_with_capacity(
        1,
        |feed| {
            while feed.put(0).is_ok() {}
            if feed.is_stopped() {
                saw_stop.fetch_add(1, Ordering::Relaxed);
            }
            Ok::<(), &str>(())
        },
        vec![|_: i32| Err("stop")],
    );
    assert_eq!(saw_stop.load(Ordering::Relaxed), 1);
}
