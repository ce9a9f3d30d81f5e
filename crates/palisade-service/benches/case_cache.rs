//! The web application's read path (a plain binary, not a timed test):
//!
//! ```text
//! cargo bench -p palisade-service --bench case_cache
//! ```
//!
//! One case of `PALISADE_BENCH_CASE_ENTRIES` entries (default 1,000; a few
//! shares and flags besides). Measured, each as the median of many calls:
//!
//! 1. `case_for_reading`: decrypt every record, fold, triage (what a read
//!    costs without the cache, and what a cache miss costs);
//! 2. `case_shared` on a hit: one index seek for the case's newest leaf and
//!    an `Arc` clone;
//! 3. `case_access` on a hit (what every request to a case checks first);
//! 4. `case_shared` from 8 threads at once on a hit (calls per second).
//!
//! Run without `--bench` (as `cargo test --all-targets` does) it uses a
//! tiny smoke configuration instead.
//!
//! Measured on the 2-core build machine (2026-11-21, 1,000 entries, 1,007
//! records): uncached read 79 ms; `case_shared` hit 2.2 µs; `case_access`
//! hit 2.4 µs; 8 threads of `case_shared` hits 204,000 calls/s.

mod common;

use common::{env_u64, new_case, pending};
use palisade_service::{KeyOptions, Palisade};
use std::time::{Duration, Instant};

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

fn time_each(n: u64, mut f: impl FnMut()) -> Duration {
    let samples = (0..n)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    median(samples)
}

fn micros(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--list") {
        return;
    }
    let full = args.iter().any(|a| a == "--bench");
    let entries = env_u64("PALISADE_BENCH_CASE_ENTRIES", if full { 1_000 } else { 50 });
    let calls = if full { 2_000 } else { 20 };

    let scratch = common::scratch_dir("palisade-cache-bench-");
    let dir = scratch.path().join("data");
    let keys = KeyOptions {
        key_file: Some(scratch.path().join("master.key")),
        passphrase: None,
    };
    let (p, _) = Palisade::init(&dir, &keys).expect("init");
    let case = new_case(&p, "Bench case");
    p.commit((0..entries).map(|i| pending(&case, i)).collect())
        .expect("commit entries");
    for i in 0..5 {
        p.share_case(&case, &format!("usr_bench{i}"), "Bench user", "bench", None)
            .expect("share");
    }
    p.publish_flag(&case, "AB", "Chaperone required", "bench")
        .expect("flag");

    println!(
        "palisade case cache benchmark{}",
        if full {
            ""
        } else {
            " (smoke run: not started by `cargo bench`)"
        }
    );
    let records = p.case(&case).expect("case").records;
    println!("  case      {entries} entries, {records} records");

    let uncached = time_each(calls.min(200), || {
        std::hint::black_box(p.case_for_reading(&case).expect("read"));
    });
    p.case_shared(&case).expect("warm");
    let hit = time_each(calls, || {
        std::hint::black_box(p.case_shared(&case).expect("hit"));
    });
    let access = time_each(calls, || {
        std::hint::black_box(p.case_access(&case).expect("access"));
    });
    let threads = 8;
    let start = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                for _ in 0..calls {
                    std::hint::black_box(p.case_shared(&case).expect("hit"));
                }
            });
        }
    });
    let per_sec = (threads * calls) as f64 / start.elapsed().as_secs_f64();

    println!(
        "  uncached read (decrypt + fold + triage)  {}",
        micros(uncached)
    );
    println!("  case_shared, cache hit                   {}", micros(hit));
    println!(
        "  case_access, cache hit                   {}",
        micros(access)
    );
    println!("  case_shared, {threads} threads               {per_sec:.0} calls/s");
    println!(
        "  speed-up of a hit                        {:.0}x",
        uncached.as_secs_f64() / hit.as_secs_f64().max(1e-9)
    );
}
