use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;
fn main() {
    let n = 1_000_000;
    for w in [2, 4] {
        for round in 0..2 {
            let c = Arc::new(AtomicUsize::new(0));
            let pool = queuekit::ThreadPoolManager::new(w).unwrap();
            let t = Instant::now();
            for _ in 0..n { let c = c.clone(); pool.execute(move || { c.fetch_add(1, Ordering::Relaxed); }).unwrap(); }
            pool.wait_all();
            let qe = t.elapsed();
            let t = Instant::now();
            let hs: Vec<_> = (0..n).map(|_| { let c = c.clone(); pool.submit(move || { c.fetch_add(1, Ordering::Relaxed); }).unwrap() }).collect();
            for h in hs { h.wait().unwrap(); }
            let qs = t.elapsed();
            let tp = threadpool::ThreadPool::new(w);
            let t = Instant::now();
            for _ in 0..n { let c = c.clone(); tp.execute(move || { c.fetch_add(1, Ordering::Relaxed); }); }
            tp.join();
            let te = t.elapsed();
            println!("w={w} r={round} qk_exec {:?} qk_submit {:?} threadpool {:?}  ratio exec {:.2} submit {:.2}", qe, qs, te, te.as_secs_f64()/qe.as_secs_f64(), te.as_secs_f64()/qs.as_secs_f64());
        }
    }
}
