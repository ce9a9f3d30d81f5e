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
//! | `stream` | parse, compose each message as an entry (as `palisade import` does), and commit them all through `Palisade::commit_stream`: encrypted, hashed, signed, one transaction |
//! | `import` | `Palisade::import` of the same file, whatever path it uses today |
//!
//! Peak memory is the process's `VmHWM` (from `/proc/self/status`, read at the
//! end of each child), or `/usr/bin/time -v` / `process.resourceUsage()` for Node.
//!
//! With `PALISADE_BENCH_BIG=1`, a 1 GiB export (about 10.5 million messages,
//! `target/bench-import/whatsapp-1gib-v2.txt`) is generated too, and `parse` and
//! `stream` are run on it for their peak memory (target: under 200 MiB).
//!
//! Variables: `PALISADE_BENCH_MESSAGES` (default 1,000,000), `PALISADE_BENCH_KEEP`
//! (keep the store the `stream` row wrote), `PALISADE_BENCH_SKIP`
//! (comma-separated rows to leave out, e.g. `node,wc,import`), `PALISADE_BENCH_DIR`
//! (scratch folder for the stores; default `target/tmp`, on disk so commits pay
//! for real fsyncs). Without `--bench` (`cargo test --all-targets`) a tiny smoke
//! run of the in-process rows is made instead.

use palisade_core::compose::{self, NewCase, NewEntry, Stamp};
use palisade_core::domain::{CaseKind, Channel, Direction, Source};
use palisade_core::ids::new_id;
use palisade_core::time::Moment;
use palisade_import::whatsapp::{self, WhatsAppOptions};
use palisade_import::{Kind, MessageTime};
use palisade_service::{ImportFormat, ImportOptions, KeyOptions, Palisade, Pending};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const MIB: f64 = 1024.0 * 1024.0;
/// Bumped whenever the generated export changes (it is cached under this name).
const GENERATOR: u32 = 2;
const ME: &str = "Dr Jane Smith";
const NODE_PARSER: &str = "whatsapp-chat-parser@4.0.2";
const WC_PARSER: &str = "0.1.2";

fn env_u64(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) => v
            .trim()
            .replace('_', "")
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v} is not a whole number")),
        Err(_) => default,
    }
}

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
// The export generator.

/// SplitMix64: deterministic, fast; the content only has to look like a chat.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

/// Senders, weighted by repetition: mostly the patient, then the doctor, then others.
const SENDERS: &[&str] = &[
    "Amelia Brooks",
    "Amelia Brooks",
    "Amelia Brooks",
    "Amelia Brooks",
    "Amelia Brooks",
    ME,
    ME,
    "\u{202a}+44 7700 900123\u{202c}",
    "Mum (Amelia)",
    "Zoë Ó Briain",
    "Tomasz Wiśniewski",
];

const WORDS: &[&str] = &[
    "I",
    "you",
    "the",
    "to",
    "and",
    "a",
    "know",
    "please",
    "just",
    "why",
    "don't",
    "can't",
    "stop",
    "doctor",
    "appointment",
    "tomorrow",
    "tonight",
    "today",
    "morning",
    "clinic",
    "surgery",
    "waiting",
    "outside",
    "again",
    "really",
    "need",
    "talk",
    "see",
    "meet",
    "coffee",
    "answer",
    "phone",
    "call",
    "message",
    "me",
    "it",
    "was",
    "is",
    "not",
    "fair",
    "sorry",
    "love",
    "thinking",
    "about",
    "what",
    "said",
    "last",
    "week",
    "car",
    "park",
    "reception",
    "home",
    "address",
    "found",
    "where",
    "live",
    "run",
    "Sunday",
    "flowers",
    "card",
    "gift",
    "okay",
    "never",
    "always",
    "ignore",
    "please!!",
    "x",
    "xx",
    "😊",
    "❤️",
    "🙏",
    "😢",
    "?",
    "...",
    "prescription",
    "results",
    "blood",
    "test",
    "nurse",
    "receptionist",
    "manager",
    "complaint",
    "promise",
    "understand",
    "anyone",
    "else",
    "feel",
    "better",
    "worse",
    "tired",
    "scared",
];

const SYSTEM: &[&str] = &[
    "You blocked this contact. Tap to unblock.",
    "You unblocked this contact.",
    "Missed voice call",
];

fn write_words(out: &mut Vec<u8>, rng: &mut Rng, n: u64) {
    for k in 0..n {
        if k > 0 {
            out.push(b' ');
        }
        out.extend_from_slice(rng.pick(WORDS).as_bytes());
    }
}

/// Write an export of `messages` messages (or, with `min_bytes`, at least that
/// many bytes) to `path`; returns the number of messages.
fn generate(path: &Path, messages: u64, min_bytes: u64) -> u64 {
    let tmp = path.with_extension("partial");
    let mut out = BufWriter::with_capacity(1 << 20, File::create(&tmp).expect("create export"));
    let mut rng = Rng(0x00C0_FFEE);
    let mut t = jiff::civil::date(2019, 3, 4).at(8, 0, 0, 0);
    let mut buf = Vec::with_capacity(4096);
    let mut written = 0u64;
    let mut n = 0u64;
    let header = |buf: &mut Vec<u8>, t: &jiff::civil::DateTime| {
        write!(
            buf,
            "{:02}/{:02}/{}, {:02}:{:02} - ",
            t.day(),
            t.month(),
            t.year(),
            t.hour(),
            t.minute()
        )
        .expect("write to memory");
    };
    header(&mut buf, &t);
    buf.extend_from_slice(
        b"Messages and calls are end-to-end encrypted. No one outside of this chat, not even \
          WhatsApp, can read or listen to them. Tap to learn more.\n",
    );
    n += 1;
    while if min_bytes > 0 {
        written + (buf.len() as u64) < min_bytes
    } else {
        n < messages
    } {
        // Bursts of quick replies, then gaps of hours.
        let gap = if rng.below(10) == 0 {
            60 + rng.below(600)
        } else {
            rng.below(4)
        };
        t = t
            .checked_add(jiff::SignedDuration::from_mins(gap as i64))
            .expect("date in range");
        header(&mut buf, &t);
        let r = rng.below(1000);
        if r < 4 {
            buf.extend_from_slice(rng.pick(SYSTEM).as_bytes());
        } else {
            buf.extend_from_slice(rng.pick(SENDERS).as_bytes());
            buf.extend_from_slice(b": ");
            match r {
                4..=33 => buf.extend_from_slice(b"<Media omitted>"),
                34..=38 => buf.extend_from_slice(b"This message was deleted"),
                39..=88 => {
                    // Multi-line: 2 to 5 lines.
                    for line in 0..2 + rng.below(4) {
                        if line > 0 {
                            buf.push(b'\n');
                        }
                        let words = 1 + rng.below(10);
                        write_words(&mut buf, &mut rng, words);
                    }
                }
                89..=188 => {
                    let words = 20 + rng.below(46);
                    write_words(&mut buf, &mut rng, words);
                }
                _ => {
                    let words = 1 + rng.below(11);
                    write_words(&mut buf, &mut rng, words);
                }
            }
        }
        buf.push(b'\n');
        n += 1;
        if buf.len() > 1 << 20 {
            out.write_all(&buf).expect("write export");
            written += buf.len() as u64;
            buf.clear();
        }
    }
    out.write_all(&buf).expect("write export");
    out.flush().expect("flush export");
    drop(out);
    std::fs::rename(&tmp, path).expect("rename export");
    n
}

/// The export at `path`, generated unless a complete one is there already
/// (a `.count` file beside it records how many messages it holds).
fn ensure_export(path: &Path, messages: u64, min_bytes: u64) -> u64 {
    let count = path.with_extension("count");
    if path.exists()
        && let Some(n) = std::fs::read_to_string(&count)
            .ok()
            .and_then(|s| s.trim().parse().ok())
    {
        return n;
    }
    print!("generating {} … ", path.display());
    std::io::stdout().flush().ok();
    let t = Instant::now();
    let n = generate(path, messages, min_bytes);
    std::fs::write(&count, n.to_string()).expect("write count");
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    println!(
        "{n} messages, {:.1} MB, {:.1} s",
        size as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
    n
}

// ---------------------------------------------------------------------------
// Child measurements (one per process).

/// The floor: find every message header (`dd/dd/dddd, dd:dd - `) at a line start.
fn child_scan(path: &Path) -> Measure {
    let t = Instant::now();
    let mut f = File::open(path).expect("open export");
    let mut buf = vec![0u8; 1 << 20];
    let mut carry: Vec<u8> = Vec::new();
    let mut headers = 0u64;
    // `04/03/2019, 08:00 - `
    let is_header = |l: &[u8]| {
        l.len() >= 20
            && l[2] == b'/'
            && l[5] == b'/'
            && l[10..12] == *b", "
            && l[14] == b':'
            && l[17..20] == *b" - "
            && [0, 1, 3, 4, 6, 7, 8, 9, 12, 13, 15, 16]
                .iter()
                .all(|&i| l[i].is_ascii_digit())
    };
    loop {
        let n = f.read(&mut buf).expect("read export");
        if n == 0 {
            break;
        }
        carry.extend_from_slice(&buf[..n]);
        let mut start = 0;
        while let Some(p) = carry[start..].iter().position(|&b| b == b'\n') {
            if is_header(&carry[start..start + p]) {
                headers += 1;
            }
            start += p + 1;
        }
        carry.drain(..start);
    }
    if is_header(&carry) {
        headers += 1;
    }
    Measure {
        messages: headers,
        secs: t.elapsed().as_secs_f64(),
        peak_kib: peak_rss_kib(),
        note: "header lines found; no fields extracted".into(),
    }
}

fn child_parse(path: &Path) -> Measure {
    let t = Instant::now();
    let f = File::open(path).expect("open export");
    let parser = whatsapp::parse_seekable(f, WhatsAppOptions::default()).expect("date order");
    let order = parser.date_order();
    let mut messages = 0u64;
    let mut bytes = 0usize;
    for m in parser {
        let m = m.expect("parse");
        messages += 1;
        bytes += m.text.len();
    }
    Measure {
        messages,
        secs: t.elapsed().as_secs_f64(),
        peak_kib: peak_rss_kib(),
        note: format!(
            "both passes (order {order} inferred); {:.0} MB of text",
            bytes as f64 / 1e6
        ),
    }
}

/// A fresh store (and case) in `base`, with the witness kept there too.
fn fresh_store(base: &Path) -> (tempfile::TempDir, Palisade, String) {
    std::fs::create_dir_all(base).expect("bench base dir");
    let scratch = tempfile::Builder::new()
        .prefix("palisade-import-bench-")
        .tempdir_in(base)
        .expect("scratch dir");
    let keys = KeyOptions {
        key_file: Some(scratch.path().join("master.key")),
        passphrase: None,
    };
    let (p, _) = Palisade::init(&scratch.path().join("data"), &keys).expect("init");
    let case = p
        .open_case(&NewCase {
            title: "Messages from patient AB".into(),
            subject: "AB, ref 40213".into(),
            kind: CaseKind::Amorous,
            parties: vec![],
            owner: None,
        })
        .expect("open case")
        .id;
    (scratch, p, case)
}

fn sha256_file(path: &Path) -> String {
    let mut f = File::open(path).expect("open export");
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf).expect("read export");
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    hex::encode(h.finalize())
}

/// Parse, compose and commit every message through `commit_stream`.
fn child_stream(path: &Path, base: &Path) -> Measure {
    let (_scratch, p, case) = fresh_store(base);
    let t = Instant::now();
    let file_sha256 = sha256_file(path);
    let import_id = new_id("imp").expect("id");
    let recorded_at = Moment::utc(jiff::Timestamp::now());
    let f = File::open(path).expect("open export");
    let mut parser = whatsapp::parse_seekable(f, WhatsAppOptions::default()).expect("date order");
    let utc = jiff::tz::TimeZone::UTC;
    let mut messages = 0u64;
    let mut produced_at = 0.0;
    let receipt = p
        .commit_stream(Vec::new(), &mut |push| {
            for m in parser.by_ref() {
                let m = m.map_err(|e| palisade_service::ServiceError::Invalid(e.to_string()))?;
                if m.kind == Kind::System {
                    continue;
                }
                let MessageTime::Civil(civil) = m.time else {
                    continue;
                };
                let ts = palisade_import::resolve(civil, &utc)
                    .map_err(|e| palisade_service::ServiceError::Invalid(e.to_string()))?
                    .timestamp;
                let locator = m.locator.to_string();
                let sender = match m.sender {
                    Some(s) if s.trim().len() == s.len() => s,
                    Some(s) => s.trim().to_string(),
                    None => "unknown".to_string(),
                };
                let entry = NewEntry {
                    occurred_at: Moment::utc(ts),
                    channel: Channel::Whatsapp,
                    direction: if sender == ME {
                        Direction::Outbound
                    } else {
                        Direction::Inbound
                    },
                    party: Some(sender),
                    place: None,
                    witnesses: Vec::new(),
                    summary: m.deleted.then(|| {
                        "(deleted by the sender; the export shows a deletion notice)".into()
                    }),
                    content: (!m.text.is_empty()).then_some(m.text),
                    clinical: None,
                    source: Source::Import {
                        import: import_id.clone(),
                        file_sha256: file_sha256.clone(),
                        locator,
                    },
                };
                let stamp = Stamp {
                    id: new_id("ent")?,
                    recorded_at,
                };
                push(Pending {
                    record: compose::entry(&stamp, &case, &entry)?,
                    scope: case.clone(),
                    new_key: None,
                })?;
                messages += 1;
            }
            produced_at = t.elapsed().as_secs_f64();
            Ok(())
        })
        .expect("commit_stream");
    let secs = t.elapsed().as_secs_f64();
    assert_eq!(receipt.count, messages);
    if std::env::var_os("PALISADE_BENCH_KEEP").is_some() {
        drop(p);
        let kept = _scratch.keep();
        eprintln!("kept {}", kept.display());
    }
    Measure {
        messages,
        secs,
        peak_kib: peak_rss_kib(),
        note: format!(
            "one transaction, tree size {}; last entry pushed at {produced_at:.2} s, then \
             sign + commit (fsync, WAL checkpoint) {:.2} s",
            receipt.tree_size,
            secs - produced_at
        ),
    }
}

fn child_import(path: &Path, base: &Path) -> Measure {
    let (_scratch, p, case) = fresh_store(base);
    let t = Instant::now();
    let report = p
        .import(
            &case,
            &ImportOptions {
                format: ImportFormat::Whatsapp,
                path: path.to_path_buf(),
                me: Some(ME.into()),
                parties: BTreeMap::new(),
                tz: Some("UTC".into()),
                date_order: None,
                chats: Vec::new(),
                dry_run: false,
            },
            &mut |_, _| {},
        )
        .expect("import");
    Measure {
        messages: report.imported,
        secs: t.elapsed().as_secs_f64(),
        peak_kib: peak_rss_kib(),
        note: format!(
            "{} messages, {} system lines; file kept as an attachment",
            report.messages, report.system
        ),
    }
}

/// The store alone: `SqliteStore::append_stream` of rows shaped like imported
/// entries (same sizes), sealed beforehand; the floor for the write path.
fn child_store(path: &Path, base: &Path) -> Measure {
    use palisade_store::{Store, StoredCheckpoint, StoredRecord};
    let n = std::fs::read_to_string(path.with_extension("count"))
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .unwrap_or(1_000_000);
    std::fs::create_dir_all(base).expect("bench base dir");
    let scratch = tempfile::Builder::new()
        .prefix("palisade-store-bench-")
        .tempdir_in(base)
        .expect("scratch dir");
    let store = palisade_store_sqlite::SqliteStore::create(&scratch.path().join("s.sqlite3"))
        .expect("create");
    let case = new_id("case").expect("id");
    let mut rng = Rng(7);
    let mut row = StoredRecord {
        leaf_index: 0,
        id: String::new(),
        case_id: Some(case.clone()),
        kind: "entry".into(),
        target: None,
        occurred_at: Some("2019-03-04T08:00:00Z".into()),
        recorded_at: "2026-01-02T03:04:05.123456789Z".into(),
        envelope: vec![b'e'; 390],
        leaf_hash: [0; 32],
        sealed: vec![b's'; 430],
    };
    let t = Instant::now();
    store
        .append_stream(0, &[], &mut |push| {
            for i in 0..n {
                row.leaf_index = i;
                // Random ids like `new_id` makes (the id index is filled in random
                // order), without a system call per row.
                row.id.clear();
                row.id.push_str("ent_");
                let mut bits = rng.next();
                for _ in 0..16 {
                    row.id.push(char::from(
                        b"0123456789abcdefghjkmnpqrstvwxyz"[(bits & 31) as usize],
                    ));
                    bits >>= 4;
                }
                row.leaf_hash = [rng.next() as u8; 32];
                push(&row)?;
            }
            Ok(StoredCheckpoint {
                size: n,
                note: "note".into(),
                frontier: vec![[0; 32]; n.count_ones() as usize],
                created_at: "2026".into(),
                mac: [0; 32],
            })
        })
        .expect("append_stream");
    Measure {
        messages: n,
        secs: t.elapsed().as_secs_f64(),
        peak_kib: peak_rss_kib(),
        note: "SqliteStore::append_stream of pre-sealed rows (the write floor)".into(),
    }
}

fn run_child(mode: &str, path: &Path, base: &Path) {
    let m = match mode {
        "scan" => child_scan(path),
        "parse" => child_parse(path),
        "stream" => child_stream(path, base),
        "store" => child_store(path, base),
        "import" => child_import(path, base),
        other => panic!("unknown mode {other}"),
    };
    m.print();
}

// ---------------------------------------------------------------------------
// The other parsers.

/// `whatsapp-chat-parser` (npm) under Node, `TZ=UTC`.
fn run_node(root: &Path, export: &Path) -> Result<Measure, String> {
    let dir = root.join("bench-node");
    let module = dir.join("node_modules/whatsapp-chat-parser");
    if !module.exists() {
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        println!("installing {NODE_PARSER} into {} …", dir.display());
        let out = Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--prefix"])
            .arg(&dir)
            .arg(NODE_PARSER)
            .output()
            .map_err(|e| format!("npm: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "npm install failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
    }
    let script = "const fs = require('fs');\
        const { parseString } = require('whatsapp-chat-parser');\
        const t0 = process.hrtime.bigint();\
        const text = fs.readFileSync(process.argv[1], 'utf8');\
        const messages = parseString(text);\
        const secs = Number(process.hrtime.bigint() - t0) / 1e9;\
        console.log('RESULT ' + JSON.stringify({ messages: messages.length, secs, \
            peak_kib: process.resourceUsage().maxRSS, note: '' }));";
    let time = Path::new("/usr/bin/time");
    let mut cmd = if time.exists() {
        let mut c = Command::new(time);
        c.arg("-v").arg("node");
        c
    } else {
        Command::new("node")
    };
    let out = cmd
        .arg("-e")
        .arg(script)
        .arg(export)
        .current_dir(&dir)
        .env("TZ", "UTC")
        .output()
        .map_err(|e| format!("node: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(format!("node failed: {}", stderr.trim()));
    }
    let mut m = Measure::parse(&stdout).ok_or("node printed no result")?;
    let version = std::fs::read_to_string(module.join("package.json"))
        .ok()
        .and_then(|s| serde_json::from_str::<serde_json::Value>(&s).ok())
        .and_then(|v| v["version"].as_str().map(str::to_string))
        .unwrap_or_default();
    let node = Command::new("node")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    let from_time = stderr
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Maximum resident set size (kbytes): ")
        })
        .and_then(|v| v.trim().parse::<u64>().ok());
    let wall = stderr
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Elapsed (wall clock) time (h:mm:ss or m:ss): ")
        })
        .map(str::to_string);
    if let Some(kib) = from_time {
        m.peak_kib = kib;
    }
    m.note = format!(
        "v{version} on Node {node}; read + parseString; peak from {}{}",
        if from_time.is_some() {
            "/usr/bin/time -v"
        } else {
            "process.resourceUsage()"
        },
        wall.map(|w| format!("; process wall {w}"))
            .unwrap_or_default()
    );
    Ok(m)
}

/// `wc-parser` in a separate Cargo project (its own workspace and target folder).
fn run_wc(root: &Path, export: &Path) -> Result<Measure, String> {
    let dir = root.join("bench-wc");
    std::fs::create_dir_all(dir.join("src")).map_err(|e| e.to_string())?;
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"bench-wc\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
             [dependencies]\nwc-parser = \"={WC_PARSER}\"\n\n[profile.release]\ndebug = false\n\n\
             # Not part of the Palisade workspace.\n[workspace]\n"
        ),
    )
    .map_err(|e| e.to_string())?;
    std::fs::write(
        dir.join("src/main.rs"),
        r#"fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

fn main() {
    let path = std::env::args().nth(1).expect("export path");
    let t = std::time::Instant::now();
    let messages = wc_parser::parse_file(&path, None).expect("parse");
    let secs = t.elapsed().as_secs_f64();
    println!(
        "RESULT {{\"messages\":{},\"secs\":{},\"peak_kib\":{},\"note\":\"\"}}",
        messages.len(),
        secs,
        peak_rss_kib()
    );
}
"#,
    )
    .map_err(|e| e.to_string())?;
    println!("building wc-parser {WC_PARSER} in {} …", dir.display());
    let build = Command::new("cargo")
        .args(["build", "--release", "--quiet", "--manifest-path"])
        .arg(dir.join("Cargo.toml"))
        .env_remove("CARGO_TARGET_DIR")
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .output()
        .map_err(|e| format!("cargo: {e}"))?;
    if !build.status.success() {
        return Err(format!(
            "wc-parser {WC_PARSER} did not build: {}",
            String::from_utf8_lossy(&build.stderr)
                .lines()
                .filter(|l| l.starts_with("error"))
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    let out = Command::new(dir.join("target/release/bench-wc"))
        .arg(export)
        .output()
        .map_err(|e| format!("bench-wc: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "wc-parser failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let mut m = Measure::parse(&String::from_utf8_lossy(&out.stdout))
        .ok_or("bench-wc printed no result")?;
    m.note = format!(
        "v{WC_PARSER}, parse_file (mmap, rayon on {} threads)",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    Ok(m)
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
        run_child(mode, &path, &base);
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
    let n = ensure_export(&export, messages, 0);
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
            &mut || run_node(&root, &export),
        );
        measure("wc-parser (crate), parse only", "wc", &mut || {
            run_wc(&root, &export)
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
    measure("Palisade::import (as it is today)", "import", &mut || {
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
        let n = ensure_export(&big, 0, 1 << 30);
        let size = std::fs::metadata(&big).map(|m| m.len()).unwrap_or(0);
        let mut rows = Vec::new();
        for (what, mode) in [
            ("palisade_import::whatsapp, parse only", "parse"),
            ("parse + compose + commit_stream", "stream"),
        ] {
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
