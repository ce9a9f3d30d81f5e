//! Child measurements, one per process (so that peak memory does not mix).

use crate::common::Rng;
use crate::{ME, Measure, peak_rss_kib};
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
use std::io::Read;
use std::path::Path;
use std::time::Instant;

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
    // Closing the store is part of the work (the last connection removes the
    // write-ahead log).
    drop(p);
    let secs = t.elapsed().as_secs_f64();
    assert_eq!(receipt.count, messages);
    if std::env::var_os("PALISADE_BENCH_KEEP").is_some() {
        let kept = _scratch.keep();
        eprintln!("kept {}", kept.display());
    }
    Measure {
        messages,
        secs,
        peak_kib: peak_rss_kib(),
        note: format!(
            "one transaction, tree size {}; last entry pushed at {produced_at:.2} s, then \
             sign + commit (fsync, WAL checkpoint) + close {:.2} s",
            receipt.tree_size,
            secs - produced_at
        ),
    }
}

fn child_import(path: &Path, base: &Path) -> Measure {
    let (_scratch, p, case) = fresh_store(base);
    let t = Instant::now();
    // When each stage the import reports began and was last reported (seconds
    // from the start).
    let mut stages: Vec<(String, f64, f64)> = Vec::new();
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
            &mut |stage, _| {
                let now = t.elapsed().as_secs_f64();
                match stages.last_mut() {
                    Some((s, _, last)) if s == stage => *last = now,
                    _ => stages.push((stage.to_string(), now, now)),
                }
            },
        )
        .expect("import");
    // Closing the store is part of the work (the last connection removes the
    // write-ahead log).
    drop(p);
    let secs = t.elapsed().as_secs_f64();
    let stages: Vec<String> = stages
        .iter()
        .map(|(s, first, last)| format!("{s} {first:.2}-{last:.2}"))
        .collect();
    Measure {
        messages: report.imported,
        secs,
        peak_kib: peak_rss_kib(),
        note: format!(
            "{} messages, {} system lines; file kept as an attachment; stages (s from start): {}, then committed and closed",
            report.messages,
            report.system,
            stages.join(", ")
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
    drop(store);
    Measure {
        messages: n,
        secs: t.elapsed().as_secs_f64(),
        peak_kib: peak_rss_kib(),
        note: "SqliteStore::append_stream of pre-sealed rows, then close (the write floor)".into(),
    }
}

pub fn run_child(mode: &str, path: &Path, base: &Path) {
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
