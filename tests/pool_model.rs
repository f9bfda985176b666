//! Random sequences of pool operations with real threads: whatever the
//! interleaving, every accepted task either runs exactly once or is cancelled,
//! every refused closure comes back, and the counters agree with the handles.

use proptest::prelude::*;
use queuekit::{TaskError, ThreadPoolManager};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

#[derive(Debug, Clone)]
enum Op {
    Submit(u8),
    Execute,
    Cancel(usize),
    WaitAll,
    Close,
    Terminate,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => any::<u8>().prop_map(Op::Submit),
        4 => Just(Op::Execute),
        3 => (0usize..16).prop_map(Op::Cancel),
        1 => Just(Op::WaitAll),
        1 => Just(Op::Close),
        1 => Just(Op::Terminate),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn every_task_runs_once_or_is_cancelled(
        workers in 1usize..=3,
        bound in proptest::option::of(1usize..=4),
        ops in proptest::collection::vec(op(), 1..40),
    ) {
        let mut b = ThreadPoolManager::builder().max_workers(workers);
        if let Some(n) = bound {
            b = b.max_pending(n);
        }
        let pool = b.build().unwrap();
        let runs = Arc::new(AtomicUsize::new(0));
        let mut handles = Vec::new(); // (value, handle, cancel() said true)
        let (mut accepted, mut executes_ok, mut closed) = (0usize, 0usize, false);
        for op in ops {
            match op {
                Op::Submit(v) => match pool.submit(move || v) {
                    Ok(h) => {
                        accepted += 1;
                        handles.push((v, h, false));
                    }
                    Err(e) => {
                        prop_assert!(closed && e.is_closed());
                        prop_assert_eq!(e.into_inner()(), v); // handed back whole
                    }
                },
                Op::Execute => {
                    let r = Arc::clone(&runs);
                    match pool.execute(move || {
                        r.fetch_add(1, Ordering::Relaxed);
                    }) {
                        Ok(()) => {
                            accepted += 1;
                            executes_ok += 1;
                        }
                        Err(e) => prop_assert!(closed && e.is_closed()),
                    }
                }
                Op::Cancel(i) => {
                    if let Some(entry) = handles.get_mut(i) {
                        entry.2 |= entry.1.cancel();
                    }
                }
                Op::WaitAll => pool.wait_all(),
                Op::Close => {
                    pool.close();
                    closed = true;
                }
                Op::Terminate => {
                    pool.terminate();
                    closed = true;
                }
            }
        }
        pool.join();
        pool.wait_all();
        let (mut ok, mut cancelled) = (0, 0);
        for (v, h, said_cancelled) in handles {
            match h.wait() {
                Ok(got) => {
                    prop_assert!(!said_cancelled, "cancel() said true but it ran");
                    prop_assert_eq!(got, v);
                    ok += 1;
                }
                Err(TaskError::Cancelled) => cancelled += 1,
                Err(e) => prop_assert!(false, "unexpected {:?}", e),
            }
        }
        let executed = runs.load(Ordering::Relaxed);
        let s = pool.stats();
        prop_assert!(executed <= executes_ok);
        prop_assert_eq!(s.completed, ok + executed);
        prop_assert_eq!(s.completed + cancelled + (executes_ok - executed), accepted);
        prop_assert_eq!((s.live, s.pending, s.panicked), (0, 0, 0));
    }
}
