//! Ledger throughput benchmark (a plain binary, not a timed test):
//!
//! ```text
//! cargo bench -p palisade-service --bench ledger
//! ```
//!
//! 1. Appending entries with group commit (`commit` in batches), entries/s,
//!    target >= 20,000/s; and one entry per commit, for context.
//! 2. `verify()` over the resulting ledger plus attachments (default 1 GiB:
//!    64 files of 16 MiB of random bytes attached via `log_entry`), against
//!    the system `sha256sum` over the same plaintext files; target <= 1.5x.
//!
//! Scale with environment variables:
//!
//! | variable                     | default | meaning                              |
//! |------------------------------|---------|--------------------------------------|
//! | `PALISADE_BENCH_ENTRIES`     | 100000  | entries appended by group commit     |
//! | `PALISADE_BENCH_BATCH`       | 1000    | entries per group commit             |
//! | `PALISADE_BENCH_SINGLE`      | 2000    | entries appended one per commit      |
//! | `PALISADE_BENCH_ATTACH_MIB`  | 1024    | MiB of attachments                   |
//! | `PALISADE_BENCH_FILE_MIB`    | 16      | MiB per attachment file              |
//! | `PALISADE_BENCH_RUNS`        | 3       | timed runs of verify and sha256sum   |
//! | `PALISADE_BENCH_DIR`         | target/tmp | where the scratch folder goes     |
//! | `PALISADE_BENCH_KEEP`        | unset   | keep the scratch folder              |
//!
//! Run without `--bench` (as `cargo test --all-targets` does) it uses a tiny
//! smoke configuration instead, unless the variables above say otherwise.
//!
//! The scratch folder is on disk (not tmpfs), so commits pay for real fsyncs.
//! Both the verify and the sha256sum runs read files the benchmark just wrote,
//! so both read from the page cache; the comparison is of CPU work per byte.

mod common;

use common::{MIB, Rng, describe_fs, entry, env_u64, new_case, pending, secs, verdict};
use palisade_service::{KeyOptions, Palisade, Pending};
use std::io::Write;
use std::process::Command;
use std::time::{Duration, Instant};

struct Row {
    what: String,
    value: String,
    note: String,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--list") {
        // A test runner (nextest with --all-targets) asking for tests: there are none.
        return;
    }
    // `cargo bench` passes `--bench`. Without it (`cargo test --all-targets`), run a
    // tiny smoke configuration so the benchmark is exercised but cheap, as criterion does.
    let full = args.iter().any(|a| a == "--bench");
    let scale = |full_size: u64, smoke: u64| if full { full_size } else { smoke };
    let entries = env_u64("PALISADE_BENCH_ENTRIES", scale(100_000, 2_000));
    let batch = env_u64("PALISADE_BENCH_BATCH", 1_000).max(1);
    let single = env_u64("PALISADE_BENCH_SINGLE", scale(2_000, 20));
    let attach_mib = env_u64("PALISADE_BENCH_ATTACH_MIB", scale(1_024, 2));
    let file_mib = env_u64("PALISADE_BENCH_FILE_MIB", scale(16, 1)).max(1);
    let runs = env_u64("PALISADE_BENCH_RUNS", scale(3, 1)).max(1);
    let keep = std::env::var_os("PALISADE_BENCH_KEEP").is_some();

    let scratch = common::scratch_dir("palisade-bench-");
    let root = scratch.path().to_path_buf();
    let fs = describe_fs(&root);
    println!(
        "palisade ledger benchmark{}",
        if full {
            ""
        } else {
            " (smoke run: not started by `cargo bench`)"
        }
    );
    println!("  scratch   {} ({fs})", root.display());
    if fs.contains("tmpfs") {
        println!(
            "  WARNING: scratch is on tmpfs; fsync costs nothing there. Set PALISADE_BENCH_DIR."
        );
    }
    println!(
        "  cores     {}",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!();

    let dir = root.join("data");
    let key = root.join("master.key");
    let keys = KeyOptions {
        key_file: Some(key.clone()),
        passphrase: None,
    };
    let (p, _) = Palisade::init(&dir, &keys).expect("init");
    let case = new_case(&p, "Benchmark: contacts");
    let mut rows: Vec<Row> = Vec::new();

    // (1a) Group commit.
    print!("appending {entries} entries in commits of {batch} … ");
    std::io::stdout().flush().ok();
    let mut compose_time = Duration::ZERO;
    let mut commit_time = Duration::ZERO;
    let mut appended = 0u64;
    let t = Instant::now();
    while appended < entries {
        let n = batch.min(entries - appended);
        let c = Instant::now();
        let b: Vec<Pending> = (appended..appended + n)
            .map(|i| pending(&case, i))
            .collect();
        compose_time += c.elapsed();
        let c = Instant::now();
        let receipts = p.commit(b).expect("commit");
        commit_time += c.elapsed();
        assert_eq!(receipts.len() as u64, n);
        appended += n;
    }
    let group = t.elapsed();
    let group_rate = entries as f64 / secs(group);
    println!("{:.2} s", secs(group));
    rows.push(Row {
        what: format!("group commit, {entries} entries / {batch} per commit"),
        value: format!("{group_rate:>10.0} entries/s"),
        note: format!(
            "{:.2} s (compose {:.2} s, commit {:.2} s); target >= 20000/s: {}",
            secs(group),
            secs(compose_time),
            secs(commit_time),
            verdict(full, group_rate >= 20_000.0)
        ),
    });

    // (1b) One entry per commit.
    if single > 0 {
        print!("appending {single} entries one per commit … ");
        std::io::stdout().flush().ok();
        let t = Instant::now();
        for i in 0..single {
            p.commit(vec![pending(&case, entries + i)]).expect("commit");
        }
        let d = t.elapsed();
        println!("{:.2} s", secs(d));
        rows.push(Row {
            what: format!("one entry per commit, {single} entries"),
            value: format!("{:>10.0} entries/s", single as f64 / secs(d)),
            note: format!(
                "{:.2} s; {:.2} ms per durable commit",
                secs(d),
                secs(d) * 1000.0 / single as f64
            ),
        });
    }

    // Verify with records only (before any attachment), to split verify's cost.
    print!("verify, records only … ");
    std::io::stdout().flush().ok();
    let t = Instant::now();
    let r = p.verify().expect("verify");
    let d = t.elapsed();
    assert!(r.ok, "verify failed: {:?}", r.errors);
    println!("{:.3} s", secs(d));
    rows.push(Row {
        what: format!("verify, records only: {} records", r.records),
        value: format!("{:>10.3} s", secs(d)),
        note: format!("{:.0} records/s", r.records as f64 / secs(d)),
    });

    // (2) Attachments, then verify against sha256sum.
    let files_n = attach_mib.div_ceil(file_mib);
    let files_dir = root.join("plain");
    std::fs::create_dir_all(&files_dir).expect("plain dir");
    let mut files = Vec::new();
    if files_n > 0 {
        print!("writing {files_n} files of {file_mib} MiB of random bytes … ");
        std::io::stdout().flush().ok();
        let t = Instant::now();
        let mut rng = Rng(0x5EED_0FBE);
        let mut buf = vec![0u8; (file_mib * MIB) as usize];
        for i in 0..files_n {
            rng.fill(&mut buf);
            let path = files_dir.join(format!("evidence-{i:03}.bin"));
            std::fs::write(&path, &buf).expect("write plaintext file");
            files.push(path);
        }
        println!("{:.2} s", secs(t.elapsed()));
    }
    // Attachments go to a case of their own: `log_entry` folds the whole case
    // before writing, which would cost a full decrypt of the big case per file.
    let att_case = new_case(&p, "Benchmark: attachments");
    let mut sha_expected = Vec::new();
    if !files.is_empty() {
        print!("attaching them with log_entry (one file per entry) … ");
        std::io::stdout().flush().ok();
        let t = Instant::now();
        for (i, f) in files.iter().enumerate() {
            let r = p
                .log_entry(&att_case, &entry(i as u64), std::slice::from_ref(f))
                .expect("log_entry with attachment");
            sha_expected.push(r.attachments[0].sha256.clone());
        }
        let d = t.elapsed();
        println!("{:.2} s", secs(d));
        rows.push(Row {
            what: format!("attach {files_n} x {file_mib} MiB via log_entry"),
            value: format!("{:>10.0} MiB/s", (files_n * file_mib) as f64 / secs(d)),
            note: format!("{:.2} s (seal + hash + fsync)", secs(d)),
        });
    }
    drop(p);

    let p = Palisade::open(&dir, &keys).expect("reopen");
    let mut verify_times = Vec::new();
    let mut sha_times = Vec::new();
    let mut report = None;
    for run in 0..runs {
        if !files.is_empty() {
            print!("run {}: sha256sum over {files_n} files … ", run + 1);
            std::io::stdout().flush().ok();
            let t = Instant::now();
            let out = Command::new("sha256sum")
                .args(&files)
                .output()
                .expect("run sha256sum (coreutils)");
            let d = t.elapsed();
            assert!(out.status.success(), "sha256sum failed");
            let text = String::from_utf8_lossy(&out.stdout);
            let got: Vec<&str> = text
                .lines()
                .filter_map(|l| l.split_whitespace().next())
                .collect();
            assert_eq!(got, sha_expected, "sha256sum disagrees with the ledger");
            println!("{:.3} s", secs(d));
            sha_times.push(d);
        }
        print!("run {}: verify … ", run + 1);
        std::io::stdout().flush().ok();
        let t = Instant::now();
        let r = p.verify().expect("verify");
        let d = t.elapsed();
        println!("{:.3} s", secs(d));
        assert!(r.ok, "verify failed: {:?}", r.errors);
        verify_times.push(d);
        report = Some(r);
    }
    let report = report.expect("a verify run");
    let best = |v: &[Duration]| v.iter().min().copied().unwrap_or_default();
    let median = |v: &[Duration]| {
        let mut s = v.to_vec();
        s.sort();
        s.get(s.len() / 2).copied().unwrap_or_default()
    };
    let vt = best(&verify_times);
    rows.push(Row {
        what: format!(
            "verify: {} records, {} attachments, {:.0} MiB",
            report.records,
            report.attachments,
            report.attachment_bytes as f64 / MIB as f64
        ),
        value: format!("{:>10.3} s", secs(vt)),
        note: format!(
            "best of {runs} (median {:.3} s)",
            secs(median(&verify_times)),
        ),
    });
    if !sha_times.is_empty() {
        let st = best(&sha_times);
        rows.push(Row {
            what: format!("sha256sum over the same {files_n} plaintext files"),
            value: format!("{:>10.3} s", secs(st)),
            note: format!(
                "best of {runs} (median {:.3} s); {:.0} MiB/s",
                secs(median(&sha_times)),
                (files_n * file_mib) as f64 / secs(st)
            ),
        });
        let ratio = secs(vt) / secs(st);
        rows.push(Row {
            what: "verify / sha256sum".into(),
            value: format!("{ratio:>10.2} x"),
            note: format!("target <= 1.5x: {}", verdict(full, ratio <= 1.5)),
        });
    }

    println!();
    let w = rows.iter().map(|r| r.what.len()).max().unwrap_or(0);
    println!("{:<w$}  {:>16}  notes", "measure", "result");
    println!("{}", "-".repeat(w + 2 + 16 + 2 + 50));
    for r in &rows {
        println!("{:<w$}  {:>16}  {}", r.what, r.value.trim(), r.note);
    }
    if keep {
        let kept = scratch.keep();
        println!("\nkept {} (key: {})", kept.display(), key.display());
    }
}
