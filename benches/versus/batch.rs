//! Many items per call: the `batch64` rows (queuekit's `put_all` / `drain` of up
//! to [`BATCH`] items, the anchors one by one: the shapes of the `queue` rows in
//! `queue.rs`) and the `get_many64` rows (single puts, and a consumer that takes
//! up to [`BATCH`] items per call: queuekit's `get_many_into` against the
//! `recv()` + `try_iter()` idiom of std and crossbeam).

use std::sync::{mpsc, Arc};
use std::time::Duration;

use crate::queue::{run_queue, shape_rows, Rx, StdTx, Tx};
use crate::{row, Row, BATCH, BOUND, QUEUE_ITEMS};

/// The `get_many` rows: single puts (no `send_batch` override), and a consumer
/// that waits for one item and takes up to [`BATCH`] in one call, into a reused
/// buffer.
struct QkMany(Arc<queuekit::Queue<u64>>);

impl Tx for QkMany {
    fn send(&self, v: u64) {
        self.0.put(v).unwrap();
    }
}

impl Rx for QkMany {
    fn recv(&self) -> Option<u64> {
        self.0.get().ok()
    }
    fn recv_batch(&self, out: &mut Vec<u64>) -> bool {
        self.0.get_many_into(out, BATCH).is_ok()
    }
}

/// The `get_many` rows' consumer over a std or crossbeam receiver (the same
/// method names on two types): `recv()` for the first item, then `try_iter()`
/// for up to [`BATCH`] in all (the idiom `get_many` replaces).
macro_rules! recv_then_try_iter {
    ($name:ident, $receiver:ty) => {
        struct $name($receiver);

        impl Rx for $name {
            fn recv(&self) -> Option<u64> {
                self.0.recv().ok()
            }
            fn recv_batch(&self, out: &mut Vec<u64>) -> bool {
                match self.0.recv() {
                    Ok(v) => {
                        out.push(v);
                        out.extend(self.0.try_iter().take(BATCH - 1));
                        true
                    }
                    Err(_) => false,
                }
            }
        }
    };
}

recv_then_try_iter!(StdMany, mpsc::Receiver<u64>);
recv_then_try_iter!(CbMany, crossbeam_channel::Receiver<u64>);

/// `p` producers putting one item at a time into a bounded queue, one consumer
/// taking batches: queuekit's `get_many_into(buf, 64)`. `batched = true` in
/// `run_queue` only switches the consumer to `recv_batch`: none of these `Tx`
/// types overrides `send_batch`, so the producers still put one by one.
fn qk_get_many(items: u64, bound: usize, p: usize) -> Duration {
    let q = Arc::new(queuekit::Queue::bounded(bound));
    let txs = (0..p).map(|_| QkMany(Arc::clone(&q))).collect();
    let rxs = vec![QkMany(Arc::clone(&q))];
    run_queue(items, true, txs, rxs, move || q.shutdown())
}

/// The same with std's `sync_channel`: `recv()` then `try_iter()`.
fn std_get_many(items: u64, bound: usize, p: usize) -> Duration {
    let (tx, rx) = mpsc::sync_channel(bound);
    let txs: Vec<StdTx> = (0..p).map(|_| StdTx::Bounded(tx.clone())).collect();
    drop(tx);
    run_queue(items, true, txs, vec![StdMany(rx)], || ())
}

/// The same with crossbeam's bounded channel: `recv()` then `try_iter()`.
fn cb_get_many(items: u64, bound: usize, p: usize) -> Duration {
    let (tx, rx) = crossbeam_channel::bounded(bound);
    let txs: Vec<_> = (0..p).map(|_| tx.clone()).collect();
    drop(tx);
    run_queue(items, true, txs, vec![CbMany(rx)], || ())
}

/// The `batch64` rows, then the `get_many64` rows.
pub fn rows() -> Vec<Row> {
    let mut rows = shape_rows("batch64", true);
    for p in [1usize, 4] {
        rows.push(row(
            format!("get_many64 {p}P1C bounded({BOUND})"),
            QUEUE_ITEMS,
            vec![
                ("queuekit", Box::new(move |n| qk_get_many(n, BOUND, p))),
                (
                    "std_recv+try_iter",
                    Box::new(move |n| std_get_many(n, BOUND, p)),
                ),
                (
                    "crossbeam_recv+try_iter",
                    Box::new(move |n| cb_get_many(n, BOUND, p)),
                ),
            ],
        ));
    }
    rows
}
