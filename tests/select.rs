//! `Select` over queues: exact accounting under stress, put arms that never
//! lose their item, shutdown, timeouts, and `None` at once from a select with
//! no active arm. Every body that could hang runs under a watchdog.

mod common;

use common::within;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use queuekit::{GetError, LifoQueue, PriorityQueue, Queue, Select};

/// 10^6 items (in every profile: the test profile is optimized, ~1 s): 8
/// producers over 4 bounded queues, one selecting consumer. Every item
/// arrives exactly once.
#[test]
fn stress_select_four_queues_eight_producers() {
    const TOTAL: u64 = if cfg!(debug_assertions) {
        100_000
    } else {
        1_000_000
    };
    const PRODUCERS: u64 = 8;
    within("select stress", || {
        let qs: Arc<Vec<Queue<u64>>> = Arc::new((0..4).map(|_| Queue::bounded(64)).collect());
        let per = TOTAL / PRODUCERS;
        let producers: Vec<_> = (0..PRODUCERS)
            .map(|p| {
                let qs = qs.clone();
                thread::spawn(move || {
                    for i in 0..per {
                        qs[(p as usize + i as usize) % 4].put(p * per + i).unwrap();
                    }
                })
            })
            .collect();
        let mut seen = vec![false; TOTAL as usize];
        let mut sel = Select::new()
            .get(&qs[0], |r| r)
            .get(&qs[1], |r| r)
            .get(&qs[2], |r| r)
            .get(&qs[3], |r| r);
        for _ in 0..TOTAL {
            let n = sel.wait().expect("get arms are active").unwrap();
            assert!(!std::mem::replace(&mut seen[n as usize], true), "{n} twice");
        }
        assert!(sel.try_wait().is_none(), "more items than were put");
        drop(sel);
        for p in producers {
            p.join().unwrap();
        }
        assert!(seen.iter().all(|&s| s), "an item was lost");
    });
}

/// Put arms under stress: two selecting producers push into two bounded
/// queues (put arms only) while consumers drain them; every item lands once.
#[test]
fn stress_put_arms_never_lose_items() {
    const N: u64 = if cfg!(debug_assertions) {
        20_000
    } else {
        200_000
    };
    within("put-arm stress", || {
        let a: Arc<Queue<u64>> = Arc::new(Queue::bounded(4));
        let b: Arc<LifoQueue<u64>> = Arc::new(LifoQueue::bounded(4));
        let producers: Vec<_> = (0..2u64)
            .map(|p| {
                let (a, b) = (a.clone(), b.clone());
                thread::spawn(move || {
                    for i in 0..N {
                        let mut slot = Some(p * N + i);
                        let mut slot2 = None;
                        Select::new()
                            .put(&*a, &mut slot, |r| r.unwrap())
                            .put(&*b, &mut slot2, |r| r.unwrap())
                            .wait()
                            .expect("the first put arm holds an item");
                        assert_eq!(slot, None);
                    }
                })
            })
            .collect();
        let consumer = {
            let (a, b) = (a.clone(), b.clone());
            thread::spawn(move || {
                let mut seen = vec![false; 2 * N as usize];
                let mut sel = Select::new().get(&*a, |r| r).get(&*b, |r| r);
                loop {
                    match sel.wait() {
                        Some(Ok(n)) => assert!(!std::mem::replace(&mut seen[n as usize], true)),
                        Some(Err(GetError::ShutDown)) => break,
                        Some(Err(e)) => panic!("{e}"),
                        None => panic!("a select of get arms returned None"),
                    }
                }
                seen
            })
        };
        for p in producers {
            p.join().unwrap();
        }
        a.shutdown();
        // `a` reports ShutDown once drained; keep draining `b` after that.
        let seen = {
            let mut seen = consumer.join().unwrap();
            while let Ok(n) = b.try_get() {
                assert!(!std::mem::replace(&mut seen[n as usize], true));
            }
            seen
        };
        assert!(seen.iter().all(|&s| s), "an item was lost");
    });
}

/// A busy first queue does not starve the second: with both always full, a
/// reused select gives each arm at least a quarter of the wins (the start is
/// random per wait, so the bound is loose; a starved arm gets none).
#[test]
fn reused_select_is_fair() {
    const N: usize = 2000;
    within("fairness", || {
        let a = Queue::unbounded();
        let b = PriorityQueue::unbounded();
        for i in 0..N {
            a.put(i).unwrap();
            b.put(i).unwrap();
        }
        let mut sel = Select::new().get(&a, |_| 0).get(&b, |_| 1);
        let from_b: usize = (0..N).map(|_| sel.wait().unwrap()).sum();
        assert!(
            (N / 4..=N - N / 4).contains(&from_b),
            "{from_b} of {N} from b"
        );
    });
}

/// crossbeam's fairness test shape: both arms always ready, a loop that uses
/// two selects per iteration (one receives, one forwards). Whatever the
/// caller's pattern of selects, each arm gets at least a quarter of the wins.
#[test]
fn two_selects_per_iteration_starve_no_arm() {
    const N: usize = 2000;
    within("fairness, two selects per iteration", || {
        let a: Queue<u32> = Queue::unbounded();
        let b: LifoQueue<u32> = LifoQueue::unbounded();
        let out: Queue<(usize, u32)> = Queue::unbounded();
        a.put(0).unwrap();
        b.put(0).unwrap();
        let mut hits = [0usize; 2];
        for _ in 0..N {
            let (arm, n) = Select::new()
                .get(&a, |r| (0, r.unwrap()))
                .get(&b, |r| (1, r.unwrap()))
                .wait()
                .expect("get arms are active");
            hits[arm] += 1;
            // Put it back where it came from, so both arms stay ready.
            if arm == 0 { a.put(n + 1) } else { b.put(n + 1) }.unwrap();
            // The forwarding select.
            let mut slot = Some((arm, n));
            Select::new()
                .put(&out, &mut slot, |r| r.unwrap())
                .wait()
                .expect("the put arm holds an item");
            assert_eq!(out.try_get().map(|(arm2, _)| arm2), Ok(arm));
        }
        assert!(hits.iter().all(|&h| h >= N / 4), "hits {hits:?}");
        assert_eq!((a.len(), b.len()), (1, 1));
    });
}

/// The same with one-shot `try_wait` selects, two per iteration.
#[test]
fn two_try_selects_per_iteration_starve_no_arm() {
    const N: usize = 2000;
    within("fairness, two try selects per iteration", || {
        let a: Queue<u32> = Queue::unbounded();
        let b: PriorityQueue<u32> = PriorityQueue::unbounded();
        a.put(0).unwrap();
        b.put(0).unwrap();
        let mut hits = [0usize; 2];
        for _ in 0..N {
            let arm = Select::new()
                .get(&a, |_| 0)
                .get(&b, |_| 1)
                .try_wait()
                .expect("both queues hold an item");
            hits[arm] += 1;
            if arm == 0 { a.put(0) } else { b.put(0) }.unwrap();
            // A second select in the same iteration (nothing to do).
            let idle: Queue<u8> = Queue::unbounded();
            assert!(Select::new().get(&idle, |_| ()).try_wait().is_none());
        }
        assert!(hits.iter().all(|&h| h >= N / 4), "hits {hits:?}");
    });
}

/// A blocked select wakes for a put, for shutdown, and times out cleanly.
#[test]
fn blocks_then_completes_or_times_out() {
    within("blocking forms", || {
        let a: Arc<Queue<u8>> = Arc::new(Queue::unbounded());
        let b: Arc<Queue<u8>> = Arc::new(Queue::unbounded());
        let r = Select::new()
            .get(&*a, |r| r)
            .wait_timeout(Duration::from_millis(10));
        assert!(r.is_none());
        assert_eq!(a.blocked_getters(), 0);
        let t = {
            let b = b.clone();
            thread::spawn(move || b.put(9).unwrap())
        };
        assert_eq!(
            Select::new().get(&*a, |r| r).get(&*b, |r| r).wait(),
            Some(Ok(9))
        );
        t.join().unwrap();
        let t = {
            let a = a.clone();
            thread::spawn(move || a.shutdown())
        };
        let r = Select::new()
            .get(&*a, |r| ('a', r))
            .get(&*b, |r| ('b', r))
            .wait();
        assert_eq!(r, Some(('a', Err(GetError::ShutDown))));
        t.join().unwrap();
    });
}

/// A select with no operation at all: every form of wait returns `None` at
/// once (nothing could ever complete) instead of blocking or panicking.
#[test]
fn empty_select_returns_none_from_every_wait() {
    within("empty select", || {
        let mut sel: Select<'_, u8> = Select::new();
        assert_eq!(sel.try_wait(), None);
        assert_eq!(sel.wait(), None);
        assert_eq!(sel.wait_timeout(Duration::from_millis(1)), None);
        assert_eq!(
            sel.wait_deadline(Instant::now() + Duration::from_millis(1)),
            None
        );
        assert_eq!(futures::executor::block_on(sel.wait_async()), None);
    });
}

/// A select whose only arm is a put arm whose item already went (it won a
/// previous wait): the arm is inactive, so every wait returns `None` at once,
/// and nothing more is put.
#[test]
fn spent_put_arm_returns_none_from_every_wait() {
    within("spent put arm", || {
        let q: Queue<u8> = Queue::bounded(1);
        let mut slot = Some(1);
        let mut sel = Select::new().put(&q, &mut slot, |r| r.is_ok());
        assert_eq!(sel.wait(), Some(true), "the first wait puts the item");
        // The queue is now full, and the slot empty: nothing left to do.
        assert_eq!(sel.wait(), None);
        assert_eq!(sel.wait_timeout(Duration::from_secs(10)), None);
        assert_eq!(
            sel.wait_deadline(Instant::now() + Duration::from_secs(10)),
            None
        );
        assert_eq!(futures::executor::block_on(sel.wait_async()), None);
        assert_eq!(sel.try_wait(), None);
        drop(sel);
        assert_eq!(slot, None);
        assert_eq!(
            q.try_get_many(usize::MAX).unwrap_or_default(),
            [1],
            "put exactly once"
        );
        assert_eq!(q.blocked_putters(), 0, "no entry left registered");

        // A put arm built with an empty slot is inactive from the start.
        let mut none: Option<u8> = None;
        let mut sel = Select::new().put(&q, &mut none, |_| ());
        assert_eq!(sel.wait(), None);
        assert_eq!(futures::executor::block_on(sel.wait_async()), None);
    });
}

/// With no active arm, `wait_timeout` and `wait_deadline` do not sleep until
/// the deadline: a 10 s wait returns long before that (the bound is loose on
/// purpose: this checks "returns at once", not a timing).
#[test]
fn no_active_arm_does_not_wait_for_the_timeout() {
    within("no active arm, long timeout", || {
        let q: Queue<u8> = Queue::unbounded();
        let mut none: Option<u8> = None;
        let mut sel = Select::new().put(&q, &mut none, |r| r.is_ok());
        let t0 = Instant::now();
        assert_eq!(sel.wait_timeout(Duration::from_secs(10)), None);
        assert_eq!(
            sel.wait_deadline(Instant::now() + Duration::from_secs(10)),
            None
        );
        let mut empty: Select<'_, ()> = Select::new();
        assert_eq!(empty.wait_timeout(Duration::from_secs(10)), None);
        let took = t0.elapsed();
        assert!(took < Duration::from_secs(5), "waited {took:?}");
        assert!(q.is_empty());
    });
}

/// Arms over the counted ends: a get arm on a `Consumer`, a put arm on a
/// `Producer`, and an `Arc` of a queue. The last producer dropping completes
/// the consumer's arm with `ShutDown`, as it ends a blocking `get`.
#[test]
fn arms_over_the_ends_and_an_arc() {
    within("select over ends", || {
        let (tx, rx) = Queue::<u32>::bounded(1).split();
        let (out_tx, out_rx) = Queue::<u32>::bounded(1).split();
        let shared = Arc::new(Queue::<&str>::unbounded());
        tx.put(1).unwrap();
        out_tx.put(0).unwrap(); // full: the put arm cannot complete yet
        let mut slot = Some(10);
        let got = Select::new()
            .get(&rx, |r| ('g', r.unwrap()))
            .put(&out_tx, &mut slot, |r| ('p', r.map(|()| 0).unwrap()))
            .get(&shared, |_| ('s', 0))
            .wait();
        assert_eq!(got, Some(('g', 1)));
        assert_eq!(slot, Some(10), "the put arm lost: the item stays");

        thread::scope(|s| {
            let waiter = s.spawn(|| {
                Select::new()
                    .get(&rx, |r| r)
                    .get(&shared, |_| Ok(99))
                    .wait()
            });
            while rx.queue().blocked_getters() == 0 {
                thread::yield_now();
            }
            // The last producer goes: the consumer's arm completes.
            drop(tx);
            assert_eq!(waiter.join().unwrap(), Some(Err(GetError::ShutDown)));
        });

        // The producer's put arm completes once a consumer frees the slot.
        thread::scope(|s| {
            let putter = s.spawn(|| {
                let mut slot = Some(7);
                let r = Select::new().put(&out_tx, &mut slot, |r| r.is_ok()).wait();
                (r, slot)
            });
            while out_rx.queue().blocked_putters() == 0 {
                thread::yield_now();
            }
            assert_eq!(out_rx.get(), Ok(0));
            assert_eq!(putter.join().unwrap(), (Some(true), None));
        });
        assert_eq!(out_rx.get(), Ok(7));
    });
}

/// Arm closures need not be `Send`: they capture a `Cell` and an `Rc`
/// (crossbeam's `select!` bodies can). The select itself is then not `Send`;
/// `Select::new_send` is the one that is.
#[test]
fn arm_closures_may_capture_cell_and_rc() {
    use std::cell::Cell;
    use std::rc::Rc;

    let (a, b) = (Queue::unbounded(), Queue::unbounded());
    let hits = Cell::new(0u32);
    let log = Rc::new(std::cell::RefCell::new(Vec::new()));
    let log2 = Rc::clone(&log);
    a.put(1).unwrap();
    b.put(2).unwrap();
    let mut sel = Select::new()
        .get(&a, |r| {
            hits.set(hits.get() + 1);
            r.unwrap()
        })
        .get(&b, move |r| {
            log2.borrow_mut().push(r.unwrap());
            0
        });
    sel.wait().unwrap();
    sel.wait().unwrap();
    drop(sel);
    assert_eq!(hits.get(), 1);
    assert_eq!(*log.borrow(), [2]);
}

/// A `SendArms` select is `Send`: held across an `.await` in a task spawned on
/// a multi-threaded runtime.
#[test]
fn send_select_in_a_spawned_task() {
    within("send select", || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .build()
            .unwrap();
        let (a, b) = (
            Arc::new(Queue::<u8>::unbounded()),
            Arc::new(Queue::unbounded()),
        );
        let task = {
            let (a, b) = (Arc::clone(&a), Arc::clone(&b));
            rt.spawn(async move {
                let mut sel = Select::new_send().get(&a, |_| "a").get(&b, |r| r.unwrap());
                let first = sel.wait_async().await;
                tokio::task::yield_now().await; // the select lives across this
                (first, sel.try_wait())
            })
        };
        while b.blocked_getters() == 0 {
            thread::yield_now();
        }
        b.put("b").unwrap();
        assert_eq!(rt.block_on(task).unwrap(), (Some("b"), None));
    });
}

/// `biased`: the first ready arm in the order added always wins; without it
/// the random start lets every ready arm win sometimes.
#[test]
fn biased_select_tries_the_arms_in_order() {
    let (urgent, normal) = (Queue::unbounded(), Queue::unbounded());
    urgent.put_all(0..100).unwrap();
    normal.put_all(0..100).unwrap();
    let mut sel = Select::new()
        .biased()
        .get(&urgent, |r| ('u', r.unwrap()))
        .get(&normal, |r| ('n', r.unwrap()));
    for i in 0..100 {
        assert_eq!(sel.wait(), Some(('u', i)), "both ready: the first arm wins");
    }
    assert_eq!(sel.wait(), Some(('n', 0)), "then the second");
    drop(sel);

    // Unbiased over the same setup: the second arm wins some of 100 rounds
    // (all 100 to the first has probability 2^-100).
    urgent.put_all(0..100).unwrap();
    let mut sel = Select::new().get(&urgent, |_| 'u').get(&normal, |_| 'n');
    let wins = (0..100).filter(|_| sel.wait() == Some('n')).count();
    assert!((1..100).contains(&wins), "second arm won {wins} of 100");
}

/// `put_item`: the arm owns its item. When another arm wins, dropping the
/// select hands the item to `unsent`; when the put arm wins, `unsent` is not
/// called; a timed-out wait keeps the item for the next wait.
#[test]
fn put_item_arm_owns_its_item_and_hands_it_back() {
    use std::cell::RefCell;

    let full = Queue::bounded(1);
    full.put(0).unwrap();
    let input = Queue::unbounded();
    input.put("job").unwrap();
    let back = RefCell::new(Vec::new());

    let won = Select::new()
        .put_item(
            &full,
            1,
            |r| r.map(|()| "put"),
            |item| back.borrow_mut().push(item),
        )
        .get(&input, |r| Ok(r.unwrap()))
        .wait();
    assert_eq!(won, Some(Ok("job")));
    assert_eq!(*back.borrow(), [1], "lost arm: item handed back on drop");

    // Times out with the item still in the arm; then wins once there is room.
    let mut sel =
        Select::new().put_item(&full, 2, |r| r.is_ok(), |item| back.borrow_mut().push(item));
    assert_eq!(sel.wait_timeout(Duration::from_millis(5)), None);
    assert_eq!(full.get(), Ok(0));
    assert_eq!(sel.wait(), Some(true));
    assert_eq!(sel.wait(), None, "spent: no active arm left");
    drop(sel);
    assert_eq!(*back.borrow(), [1], "a put item is not handed back");
    assert_eq!(full.try_get(), Ok(2));

    // A shut-down queue hands the item to `f`, not to `unsent`.
    full.shutdown();
    let r = Select::new()
        .put_item(
            &full,
            3,
            |r| r.unwrap_err().into_inner(),
            |item| back.borrow_mut().push(item),
        )
        .wait();
    assert_eq!(r, Some(3));
    assert_eq!(*back.borrow(), [1]);
}

/// `put_item` across threads: a losing owned put arm registered in a full
/// queue's putter list, dropped after another arm wins, leaves the list and
/// hands its item back; nothing is put twice or lost.
#[test]
fn put_item_under_contention_never_loses_an_item() {
    within("put_item contention", || {
        const N: u32 = 2000;
        let full = Queue::bounded(1);
        let input = Queue::unbounded();
        let unsent = std::sync::Mutex::new(Vec::new());
        thread::scope(|s| {
            s.spawn(|| {
                for i in 0..N {
                    input.put(i).unwrap();
                }
            });
            let drainer = s.spawn(|| {
                let mut got = Vec::new();
                while got.len() < (N / 2) as usize {
                    if let Ok(x) = full.get_timeout(Duration::from_millis(1)) {
                        got.push(x);
                    }
                }
                got
            });
            let mut put = Vec::new();
            let mut next = N;
            let mut taken = 0;
            while put.len() < (N / 2) as usize || taken < N {
                let item = next;
                next += 1;
                let r = Select::new_send()
                    .put_item(
                        &full,
                        item,
                        |r| Err(r.map(|()| item)),
                        |x| unsent.lock().unwrap().push(x),
                    )
                    .get(&input, |r| Ok(r.unwrap()))
                    .wait_timeout(Duration::from_millis(20));
                match r {
                    Some(Ok(_)) => taken += 1,
                    Some(Err(Ok(x))) => put.push(x),
                    Some(Err(Err(_))) => unreachable!("not shut down"),
                    None => {}
                }
                if taken == N && put.len() >= (N / 2) as usize {
                    break;
                }
            }
            let got = drainer.join().unwrap();
            // Every item the drainer got was put by exactly one winning arm.
            let mut put_sorted = put.clone();
            put_sorted.sort_unstable();
            let mut got_all = got;
            got_all.extend(full.try_get_many(usize::MAX).unwrap_or_default());
            got_all.sort_unstable();
            assert_eq!(got_all, put_sorted);
            // Every other item made was handed back.
            let mut all: Vec<u32> = put;
            all.extend(unsent.lock().unwrap().iter().copied());
            all.sort_unstable();
            assert_eq!(all, (N..next).collect::<Vec<_>>());
        });
    });
}

/// Arms take a `Box` and an `Rc` of a queue too (a `&BlockingQueue` argument
/// used to accept them by deref coercion).
#[test]
fn arms_over_box_and_rc() {
    let boxed = Box::new(Queue::unbounded());
    let rc = std::rc::Rc::new(PriorityQueue::unbounded());
    rc.put(2).unwrap();
    let mut slot = Some(1);
    let mut sel = Select::new()
        .put(&boxed, &mut slot, |r| r.map(|()| 0).unwrap())
        .get(&rc, |r| r.unwrap());
    let mut got = vec![sel.wait().unwrap(), sel.wait().unwrap()];
    drop(sel);
    got.sort_unstable();
    assert_eq!(got, [0, 2]);
    assert_eq!(boxed.try_get(), Ok(1));
}
