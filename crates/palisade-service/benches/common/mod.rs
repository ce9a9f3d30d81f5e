//! What the benchmarks share: scale knobs, a fast deterministic byte
//! source, sample case entries, and how results are judged and printed.
#![allow(dead_code)] // each benchmark uses a different subset

use palisade_core::compose::{self, NewCase, NewEntry, Stamp};
use palisade_core::domain::{CaseKind, Channel, Direction, Source};
use palisade_core::ids::new_id;
use palisade_core::time::Moment;
use palisade_service::{Palisade, Pending};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

pub const MIB: u64 = 1024 * 1024;

pub fn env_u64(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) => v
            .trim()
            .replace('_', "")
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v} is not a whole number")),
        Err(_) => default,
    }
}

/// SplitMix64, for attachment bytes (fast; content does not matter, only that
/// it is not trivially compressible or repetitive).
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }

    pub fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let v = self.next().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }
}

pub const SUMMARIES: &[&str] = &[
    "Text asking to meet for a drink after clinic",
    "Voicemail left at the practice, asked for me by first name",
    "Friend request and three messages on Instagram",
    "Waited in the car park at the end of the session",
    "Card and flowers left at reception",
];

pub const CONTENT: &str = "Hi doctor, I know you said we should keep things professional but I \
can't stop thinking about our last appointment. Would you like to meet for a coffee this \
weekend? I found out where you go running on Sundays. Please reply, I'll wait. — A.";

pub fn entry(i: u64) -> NewEntry {
    let ago = jiff::SignedDuration::from_secs(3_600 + (i % 10_000) as i64 * 60);
    NewEntry {
        occurred_at: Moment::utc(
            jiff::Timestamp::now()
                .checked_sub(ago)
                .expect("time in range"),
        ),
        channel: Channel::ALL[(i % Channel::ALL.len() as u64) as usize],
        direction: if i.is_multiple_of(7) {
            Direction::Outbound
        } else {
            Direction::Inbound
        },
        party: Some("Patient AB".into()),
        place: i
            .is_multiple_of(3)
            .then(|| "Reception, Riverside Practice".into()),
        witnesses: if i.is_multiple_of(5) {
            vec!["J. Smith (receptionist)".into()]
        } else {
            vec![]
        },
        summary: Some(format!(
            "{} (#{i})",
            SUMMARIES[(i % SUMMARIES.len() as u64) as usize]
        )),
        content: Some(CONTENT.into()),
        clinical: i
            .is_multiple_of(4)
            .then(|| "Seen for anxiety; no change to care plan.".into()),
        source: Source::Manual,
    }
}

pub fn pending(case: &str, i: u64) -> Pending {
    let stamp = Stamp {
        id: new_id("ent").expect("id"),
        recorded_at: Moment::utc(jiff::Timestamp::now()),
    };
    Pending {
        record: compose::entry(&stamp, case, &entry(i)).expect("compose entry"),
        scope: case.to_string(),
        new_key: None,
    }
}

pub fn new_case(p: &Palisade, title: &str) -> String {
    p.open_case(&NewCase {
        title: title.into(),
        subject: "Patient AB".into(),
        kind: CaseKind::Amorous,
        parties: vec![],
        owner: None,
    })
    .expect("open case")
    .id
}

pub fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

/// File system type and free space of `dir`, from `df` (informational).
pub fn describe_fs(dir: &Path) -> String {
    Command::new("df")
        .args(["-T", "-h"])
        .arg(dir)
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| {
            s.lines()
                .nth(1)
                .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        })
        .unwrap_or_else(|| "unknown (df failed)".into())
}

/// A target's verdict; smoke runs (debug build, tiny sizes) are not judged.
pub fn verdict(full: bool, met: bool) -> &'static str {
    match (full, met) {
        (false, _) => "not judged (smoke run)",
        (true, true) => "met",
        (true, false) => "MISSED",
    }
}

/// A fresh scratch folder on disk (not tmpfs) under `PALISADE_BENCH_DIR`,
/// default the target's tmp folder; removed when dropped.
pub fn scratch_dir(prefix: &str) -> tempfile::TempDir {
    let base = std::env::var_os("PALISADE_BENCH_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")));
    std::fs::create_dir_all(&base).expect("bench base dir");
    tempfile::Builder::new()
        .prefix(prefix)
        .tempdir_in(&base)
        .expect("scratch dir")
}
