//! Import throughput and memory benchmark (a plain binary, not a timed test):
//!
//! ```text
//! cargo bench -p palisade-service --bench import
//! PALISADE_BENCH_BIG=1 cargo bench -p palisade-service --bench import   # adds the 1 GiB runs
//! ```
//!
//! Generates an Android WhatsApp export (day-first, 24-hour; realistic names
//! and message lengths, some multi-line messages, media placeholders, deletion
//! notices and system lines) of 1,000,000 messages (about 96 MB) under
//! `target/bench-import/`,
//! then measures, each in a separate process so that peak memory does not mix:
//!
//! | row | what |
//! |-----|------|
//! | `scan`   | a plain byte-wise scan counting message headers (the floor) |
//! | `parse`  | our streaming parser, `palisade_import::whatsapp` (order detection + parse) |
//! | `node`   | the npm `whatsapp-chat-parser` (installed into `target/bench-node/` if missing), `TZ=UTC` |
//! | `wc`     | the `wc-parser` crate, built as a separate project in `target/bench-wc/` |
//! | `store`  | the store alone: `SqliteStore::append_stream` of as many rows shaped like imported entries, sealed beforehand (the floor of the write path) |
//! | `stream` | parse, compose each message as an entry with `compose::entry`, and commit them all through `Palisade::commit_stream`: encrypted, hashed, signed, one transaction |
//! | `import` | `Palisade::import` of the same file, end to end: both passes, dedup, the original kept, one transaction |
//!
//! The rows that write time everything up to and including closing the store.
//! Peak memory is the process's `VmHWM` (from `/proc/self/status`, read at the
//! end of each child), or `/usr/bin/time -v` / `process.resourceUsage()` for Node.
//!
//! With `PALISADE_BENCH_BIG=1`, a 1 GiB export (about 10.5 million messages,
//! `target/bench-import/whatsapp-1gib-v2.txt`) is generated too, and `parse`,
//! `stream` and `import` are run on it for their peak memory (target: under
//! 200 MiB).
//!
//! Variables: `PALISADE_BENCH_MESSAGES` (default 1,000,000), `PALISADE_BENCH_KEEP`
//! (keep the store the `stream` row wrote), `PALISADE_BENCH_SKIP`
//! (comma-separated rows to leave out, e.g. `node,wc,import`), `PALISADE_BENCH_DIR`
//! (scratch folder for the stores; default `target/tmp`, on disk so commits pay
//! for real fsyncs). Without `--bench` (`cargo test --all-targets`) a tiny smoke
//! run of the in-process rows is made instead.

mod children;
#[path = "../common/mod.rs"]
mod common;
mod generator;
mod peers;

use common::env_u64;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

const MIB: f64 = 1024.0 * 1024.0;
/// Bumped whenever the generated export changes (it is cached under this name).
const GENERATOR: u32 = 2;
/// The export owner (`--me`): the doctor.
const ME: &str = "Dr Jane Smith";

/// Peak resident memory of this process so far, KiB (`VmHWM`).
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// One measurement, printed by a child as `RESULT {json}`.
#[derive(Debug, Default, Clone)]
struct Measure {
    messages: u64,
    secs: f64,
    peak_kib: u64,
    note: String,
}

impl Measure {
    fn print(&self) {
        println!(
            "RESULT {}",
            serde_json::json!({
                "messages": self.messages,
                "secs": self.secs,
                "peak_kib": self.peak_kib,
                "note": self.note,
            })
        );
    }

    fn parse(text: &str) -> Option<Measure> {
        let line = text.lines().rev().find_map(|l| l.strip_prefix("RESULT "))?;
        let v: serde_json::Value = serde_json::from_str(line).ok()?;
        Some(Measure {
            messages: v["messages"].as_u64()?,
            secs: v["secs"].as_f64()?,
            peak_kib: v["peak_kib"].as_u64()?,
            note: v["note"].as_str().unwrap_or_default().to_string(),
        })
    }
}

// ---------------------------------------------------------------------------
// The orchestrator.

struct Row {
    what: String,
    result: Result<Measure, String>,
}

fn spawn_self(mode: &str, export: &Path, base: &Path) -> Result<Measure, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let out = Command::new(exe)
        .arg("--child")
        .arg(mode)
        .arg(export)
        .arg(base)
        .env("PALISADE_CONFIG_DIR", base.join("config"))
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!(
            "{mode} failed: {}",
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .rev()
                .take(6)
                .collect::<Vec<_>>()
                .join(" | ")
        ));
    }
    Measure::parse(&String::from_utf8_lossy(&out.stdout)).ok_or_else(|| "no result".into())
}

fn print_table(title: &str, rows: &[Row]) {
    if rows.is_empty() {
        return;
    }
    println!("\n{title}");
    let w = rows.iter().map(|r| r.what.len()).max().unwrap_or(0).max(7);
    println!(
        "{:<w$}  {:>10}  {:>8}  {:>12}  {:>9}  notes",
        "measure", "messages", "time s", "messages/s", "peak MiB"
    );
    println!(
        "{}",
        "-".repeat(w + 2 + 10 + 2 + 8 + 2 + 12 + 2 + 9 + 2 + 40)
    );
    for r in rows {
        match &r.result {
            Ok(m) => println!(
                "{:<w$}  {:>10}  {:>8.2}  {:>12.0}  {:>9.0}  {}",
                r.what,
                m.messages,
                m.secs,
                m.messages as f64 / m.secs.max(1e-9),
                m.peak_kib as f64 * 1024.0 / MIB,
                m.note
            ),
            Err(e) => println!(
                "{:<w$}  {:>10}  {:>8}  {:>12}  {:>9}  {e}",
                r.what, "-", "-", "-", "-"
            ),
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--list") {
        return;
    }
    if let Some(i) = args.iter().position(|a| a == "--child") {
        let mode = &args[i + 1];
        let path = PathBuf::from(&args[i + 2]);
        let base = PathBuf::from(&args[i + 3]);
        children::run_child(mode, &path, &base);
        return;
    }
    let full = args.iter().any(|a| a == "--bench");
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    // `target/`: CARGO_TARGET_TMPDIR is `target/tmp`.
    let root = tmp.parent().map(Path::to_path_buf).unwrap_or(tmp.clone());
    let base = std::env::var_os("PALISADE_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or(tmp);
    let data = root.join("bench-import");
    std::fs::create_dir_all(&data).expect("bench data dir");
    let skip: Vec<String> = std::env::var("PALISADE_BENCH_SKIP")
        .unwrap_or_default()
        .split(',')
        .map(|s| s.trim().to_string())
        .collect();
    let wanted = |row: &str| !skip.iter().any(|s| s == row);

    let messages = env_u64(
        "PALISADE_BENCH_MESSAGES",
        if full { 1_000_000 } else { 2_000 },
    );
    println!(
        "palisade import benchmark{}",
        if full {
            ""
        } else {
            " (smoke run: not started by `cargo bench`)"
        }
    );
    println!(
        "  cores     {}",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!("  stores in {}", base.display());
    let export = data.join(format!("whatsapp-{messages}-v{GENERATOR}.txt"));
    let n = generator::ensure_export(&export, messages, 0);
    let size = std::fs::metadata(&export).map(|m| m.len()).unwrap_or(0);
    println!(
        "  export    {} ({n} messages, {:.1} MB)",
        export.display(),
        size as f64 / 1e6
    );

    let mut rows = Vec::new();
    let mut measure = |what: &str, row: &str, f: &mut dyn FnMut() -> Result<Measure, String>| {
        if !wanted(row) {
            return;
        }
        print!("{what} … ");
        std::io::stdout().flush().ok();
        let result = f();
        match &result {
            Ok(m) => println!("{:.2} s", m.secs),
            Err(e) => println!("failed: {e}"),
        }
        rows.push(Row {
            what: what.to_string(),
            result,
        });
    };
    measure("byte-wise header scan", "scan", &mut || {
        spawn_self("scan", &export, &base)
    });
    measure(
        "palisade_import::whatsapp, parse only",
        "parse",
        &mut || spawn_self("parse", &export, &base),
    );
    if full {
        measure(
            "whatsapp-chat-parser (npm), parse only",
            "node",
            &mut || peers::run_node(&root, &export),
        );
        measure("wc-parser (crate), parse only", "wc", &mut || {
            peers::run_wc(&root, &export)
        });
    }
    measure(
        "store alone: append_stream of sealed rows",
        "store",
        &mut || spawn_self("store", &export, &base),
    );
    measure("parse + compose + commit_stream", "stream", &mut || {
        spawn_self("stream", &export, &base)
    });
    measure("Palisade::import, end to end", "import", &mut || {
        spawn_self("import", &export, &base)
    });
    print_table(
        &format!(
            "WhatsApp export of {n} messages ({:.1} MB); targets: import >= 100000 messages/s",
            size as f64 / 1e6
        ),
        &rows,
    );

    if std::env::var_os("PALISADE_BENCH_BIG").is_some() {
        let big = data.join(format!("whatsapp-1gib-v{GENERATOR}.txt"));
        let n = generator::ensure_export(&big, 0, 1 << 30);
        let size = std::fs::metadata(&big).map(|m| m.len()).unwrap_or(0);
        let mut rows = Vec::new();
        for (what, mode) in [
            ("palisade_import::whatsapp, parse only", "parse"),
            ("parse + compose + commit_stream", "stream"),
            ("Palisade::import, end to end", "import"),
        ] {
            if !wanted(mode) {
                continue;
            }
            print!("1 GiB: {what} … ");
            std::io::stdout().flush().ok();
            let result = spawn_self(mode, &big, &base);
            match &result {
                Ok(m) => println!("{:.1} s", m.secs),
                Err(e) => println!("failed: {e}"),
            }
            rows.push(Row {
                what: what.to_string(),
                result,
            });
        }
        print_table(
            &format!(
                "1 GiB WhatsApp export: {n} messages ({:.2} GiB); target: peak memory < 200 MiB",
                size as f64 / MIB / 1024.0
            ),
            &rows,
        );
    }
}
