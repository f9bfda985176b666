//! The interleaved comparison runner: every row's contenders run alternately in one
//! process (A B C, A B C, ...) after a warm-up, and every round's time of each
//! contender is divided by queuekit's time of the same round. The ratio's min /
//! median / max over the rounds says how far a result holds: above 1.00 means
//! queuekit is faster; a range that crosses 1.00 is a tie.
//!
//! ```sh
//! cargo bench --bench versus                          # every row, 7 rounds
//! cargo bench --bench versus -- --rounds 9 --filter queue,lock
//! cargo bench --bench versus -- --quick               # smoke run: 1/20 of the items, 3 rounds
//! cargo bench --bench versus -- --list                # the row names
//! ```
//!
//! Options (also as environment variables `VERSUS_ROUNDS`, `VERSUS_WARMUP`,
//! `VERSUS_SCALE`, `VERSUS_FILTER`, `VERSUS_OUT`; arguments win):
//!
//! * `--rounds N`   measured rounds per row (default 7)
//! * `--warmup N`   unmeasured runs of every contender before the rounds (default 1)
//! * `--scale F`    multiply every row's item count by F (default 1)
//! * `--quick`      `--scale 0.05 --rounds 3` unless those are given
//! * `--filter A,B` only rows whose name contains A or B (case-insensitive)
//! * `--out PATH`   where to write the TSV (default `target/versus/<UTC time>.tsv`);
//!   `--no-file` writes none
//!
//! The markdown table goes to stdout as the rows finish; progress goes to stderr.
//! `scripts/versus-compare.py A.tsv B.tsv` prints two runs side by side.
//!
//! The rows live in one file per layer, each with a `rows` function; [`rows`] puts
//! them in the order the table shows them:
//!
//! * `queue.rs`: the channel ends (`Tx`/`Rx`) of queuekit, std and crossbeam, the
//!   run of one row (`run_queue`), the `queue`, `priority`, `oversubscribed` and
//!   `loaded` rows
//! * `batch.rs`: the `batch64` and `get_many64` rows
//! * `async_queue.rs`: the `async tokio` rows (tokio, flume, async-channel)
//! * `pool.rs`: the `pool execute`, `pool submit+wait` and scoped-map rows
//! * `select.rs`: waiting on many, the `select` and `as_completed` rows
//! * `lock.rs`: the `lock` rows
//!
//! This file is the runner: the options, the rounds, the table and the TSV.

mod async_queue;
mod batch;
mod lock;
mod pool;
mod queue;
mod select;

use std::fmt::Write as _;
use std::hint::black_box;
use std::io::Write as _;
use std::path::PathBuf;
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The capacity of the bounded rows.
const BOUND: usize = 1024;
/// The batch of the `batch64` and `get_many64` rows.
const BATCH: usize = 64;
/// Items per run of the queue rows at scale 1.
const QUEUE_ITEMS: u64 = 1_000_000;

type RunFn = Box<dyn Fn(u64) -> Duration>;

/// One row: its contenders, queuekit first (the denominator of every ratio).
struct Row {
    name: String,
    /// Items (messages, tasks or lock operations) per run at scale 1.
    items: u64,
    contenders: Vec<(&'static str, RunFn)>,
}

fn row(name: impl Into<String>, items: u64, contenders: Vec<(&'static str, RunFn)>) -> Row {
    Row {
        name: name.into(),
        items,
        contenders,
    }
}

/// `bounded(N)` or `unbounded`, as the row names spell a capacity.
fn capacity(bound: Option<usize>) -> String {
    match bound {
        Some(b) => format!("bounded({b})"),
        None => "unbounded".to_string(),
    }
}

/// Every row, in the table's order.
fn rows() -> Vec<Row> {
    let mut rows = queue::rows();
    rows.extend(batch::rows());
    rows.extend(async_queue::rows());
    rows.extend(queue::stress_rows());
    rows.extend(pool::rows());
    rows.extend(select::rows());
    rows.extend(lock::rows());
    rows
}

// ---- The runner: options, rounds, the table and the TSV ----

struct Config {
    rounds: usize,
    warmup: usize,
    scale: f64,
    filters: Vec<String>,
    out: Option<PathBuf>,
    list: bool,
}

fn usage() -> ! {
    eprintln!(
        "usage: cargo bench --bench versus -- [--rounds N] [--warmup N] [--scale F] \
         [--quick] [--filter A,B] [--out PATH | --no-file] [--list]"
    );
    std::process::exit(2)
}

fn config() -> Config {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let mut rounds = env("VERSUS_ROUNDS");
    let mut warmup = env("VERSUS_WARMUP");
    let mut scale = env("VERSUS_SCALE");
    let mut filter = env("VERSUS_FILTER");
    let mut out = env("VERSUS_OUT");
    let (mut quick, mut no_file, mut list) = (false, false, false);
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let (key, inline) = match a.split_once('=') {
            Some((k, v)) => (k.to_string(), Some(v.to_string())),
            None => (a.clone(), None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .unwrap_or_else(|| usage())
        };
        match key.as_str() {
            "--rounds" => rounds = Some(value()),
            "--warmup" => warmup = Some(value()),
            "--scale" => scale = Some(value()),
            "--filter" => filter = Some(value()),
            "--out" => out = Some(value()),
            "--quick" => quick = true,
            "--no-file" => no_file = true,
            "--list" => list = true,
            // `cargo bench` passes `--bench` to every bench binary.
            "--bench" => {}
            "-h" | "--help" => usage(),
            _ => {
                eprintln!("unknown argument {a:?}");
                usage()
            }
        }
    }
    let parse = |s: Option<String>, what: &str, default: f64| -> f64 {
        s.map_or(default, |s| {
            s.parse().unwrap_or_else(|_| {
                eprintln!("bad {what}: {s:?}");
                usage()
            })
        })
    };
    let rounds = parse(rounds, "rounds", if quick { 3.0 } else { 7.0 }) as usize;
    let warmup = parse(warmup, "warmup", 1.0) as usize;
    let scale = parse(scale, "scale", if quick { 0.05 } else { 1.0 });
    if rounds == 0 || scale <= 0.0 {
        usage();
    }
    let filters = filter
        .map(|f| {
            f.split(',')
                .map(|s| s.trim().to_lowercase())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let out = if no_file {
        None
    } else {
        Some(out.map(PathBuf::from).unwrap_or_else(|| {
            let dir = std::env::var_os("CARGO_TARGET_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
            dir.join("versus").join(format!("{}.tsv", utc_stamp()))
        }))
    };
    Config {
        rounds,
        warmup,
        scale,
        filters,
        out,
        list,
    }
}

/// `YYYY-MM-DD-HHMMSS` in UTC, from the system clock (no date crate needed).
fn utc_stamp() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs()) as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}-{:02}{:02}{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn cpu_model() -> String {
    if let Ok(s) = std::fs::read_to_string("/proc/cpuinfo") {
        if let Some(line) = s.lines().find(|l| l.starts_with("model name")) {
            if let Some((_, v)) = line.split_once(':') {
                return v.trim().to_string();
            }
        }
    }
    std::process::Command::new("lscpu")
        .output()
        .ok()
        .and_then(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .find(|l| l.starts_with("Model name"))
                .and_then(|l| l.split_once(':').map(|(_, v)| v.trim().to_string()))
        })
        .unwrap_or_else(|| "unknown".to_string())
}

fn read_trim(path: &str) -> String {
    std::fs::read_to_string(path)
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "?".to_string())
}

fn git_rev() -> String {
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    match git(&["rev-parse", "--short", "HEAD"]) {
        Some(rev) => {
            let dirty = git(&["status", "--porcelain", "--untracked-files=no"])
                .is_some_and(|s| !s.is_empty());
            if dirty {
                format!("{rev}-dirty")
            } else {
                rev
            }
        }
        None => "?".to_string(),
    }
}

fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn fmt_time(ns: f64) -> String {
    for (unit, scale) in [("s", 1e9), ("ms", 1e6), ("µs", 1e3)] {
        if ns >= scale {
            return format!("{:.3} {unit}", ns / scale);
        }
    }
    format!("{ns:.2} ns")
}

fn verdict(min: f64, max: f64) -> &'static str {
    if min > 1.0 {
        "queuekit faster"
    } else if max < 1.0 {
        "queuekit slower"
    } else {
        "tie"
    }
}

fn main() {
    let cfg = config();
    let rows: Vec<Row> = rows()
        .into_iter()
        .filter(|r| {
            let name = r.name.to_lowercase();
            cfg.filters.is_empty() || cfg.filters.iter().any(|f| name.contains(f))
        })
        .collect();
    if cfg.list {
        for r in &rows {
            println!("{}", r.name);
        }
        return;
    }
    if rows.is_empty() {
        eprintln!("no row matches the filter");
        std::process::exit(1);
    }

    let cpu = cpu_model();
    let threads = thread::available_parallelism().map_or(0, |n| n.get());
    let stamp = utc_stamp();
    let mut header = String::new();
    let _ = writeln!(header, "cpu: {cpu} ({threads} threads available)");
    let _ = writeln!(
        header,
        "kernel: {}",
        read_trim("/proc/sys/kernel/osrelease")
    );
    let _ = writeln!(header, "commit: {}", git_rev());
    let _ = writeln!(header, "started: {stamp} UTC");
    let _ = writeln!(
        header,
        "rounds: {}  warmup: {}  scale: {}",
        cfg.rounds, cfg.warmup, cfg.scale
    );
    let _ = writeln!(header, "loadavg at start: {}", read_trim("/proc/loadavg"));
    for line in header.lines() {
        println!("{line}  ");
    }
    println!();
    println!(
        "ratio = contender's time / queuekit's time in the same round; \
         above 1.00 means queuekit is faster; a range crossing 1.00 is a tie."
    );
    println!();
    println!("| row | items | contender | median | per item | ratio min | ratio median | ratio max | verdict |");
    println!("|---|---:|---|---:|---:|---:|---:|---:|---|");
    let _ = std::io::stdout().flush();

    let mut tsv = String::new();
    for line in header.lines() {
        let _ = writeln!(tsv, "# {line}");
    }
    let _ = writeln!(
        tsv,
        "row\titems\tcontender\tmedian_ns\tratio_min\tratio_median\tratio_max\tverdict\trounds_ns"
    );

    let started = Instant::now();
    for r in &rows {
        let n = ((r.items as f64 * cfg.scale).round() as u64).max(64);
        let row_t0 = Instant::now();
        eprint!("{} ({} items): warm-up", r.name, n);
        for _ in 0..cfg.warmup {
            for (_, f) in &r.contenders {
                black_box(f(n));
            }
        }
        let mut times: Vec<Vec<f64>> = vec![Vec::with_capacity(cfg.rounds); r.contenders.len()];
        for round in 0..cfg.rounds {
            eprint!(" {}", round + 1);
            for (i, (_, f)) in r.contenders.iter().enumerate() {
                times[i].push(f(n).as_nanos() as f64);
            }
        }
        eprintln!(" ({:.1} s)", row_t0.elapsed().as_secs_f64());

        let base = &times[0];
        for (i, (name, _)) in r.contenders.iter().enumerate() {
            let med = median(&times[i]);
            let per = fmt_time(med / n as f64);
            let rounds_ns = times[i]
                .iter()
                .map(|t| format!("{t:.0}"))
                .collect::<Vec<_>>()
                .join(",");
            if i == 0 {
                println!(
                    "| {} | {n} | **{name}** | {} | {per} | | | | |",
                    r.name,
                    fmt_time(med)
                );
                let _ = writeln!(
                    tsv,
                    "{}\t{n}\t{name}\t{med:.0}\t\t\t\t\t{rounds_ns}",
                    r.name
                );
            } else {
                let ratios: Vec<f64> = times[i].iter().zip(base).map(|(t, q)| t / q).collect();
                let (min, max) = ratios
                    .iter()
                    .fold((f64::MAX, f64::MIN), |(a, b), &x| (a.min(x), b.max(x)));
                let rmed = median(&ratios);
                let v = verdict(min, max);
                println!(
                    "| {} | {n} | {name} | {} | {per} | {min:.2} | {rmed:.2} | {max:.2} | {v} |",
                    r.name,
                    fmt_time(med)
                );
                let _ = writeln!(
                    tsv,
                    "{}\t{n}\t{name}\t{med:.0}\t{min:.4}\t{rmed:.4}\t{max:.4}\t{v}\t{rounds_ns}",
                    r.name
                );
            }
        }
        let _ = std::io::stdout().flush();
    }
    let total = started.elapsed();
    println!();
    println!("total: {:.1} s  ", total.as_secs_f64());
    println!("loadavg at end: {}", read_trim("/proc/loadavg"));
    let _ = writeln!(tsv, "# total_s: {:.1}", total.as_secs_f64());
    let _ = writeln!(tsv, "# loadavg at end: {}", read_trim("/proc/loadavg"));

    if let Some(path) = cfg.out {
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&path, &tsv));
        match written {
            Ok(()) => eprintln!("wrote {}", path.display()),
            Err(e) => eprintln!("could not write {}: {e}", path.display()),
        }
    }
}
