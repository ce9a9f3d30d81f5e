//! Property tests on real stores (a temporary directory per case):
//!
//! * `entries_read_back_exactly`: a random sequence of entries (unicode text,
//!   control characters, any channel, any UTC offset, sub-second times, some
//!   with attachments, some through group commit) verifies clean and reads
//!   back exactly as logged, from a freshly opened store.
//! * `any_flipped_byte_is_detected`: one changed byte anywhere in a record's
//!   `envelope`, `sealed` or `leaf_hash`, a checkpoint's `note`, `frontier` or
//!   `mac`, a wrapped data key, or an attachment blob makes `verify` fail (or
//!   the store refuse to open), and the problem is reported where it is.
//! * `disclosure_changes_break_open` (pure, no store): any change to a
//!   disclosure's salt, name or value, or to a digest in the envelope, or a
//!   dropped or added disclosure, makes `Record::open` fail.

use palisade_core::compose::{self, EntryPatch, NewAction, NewCase, NewEntry, Stamp};
use palisade_core::domain::{ActionKind, CaseKind, Channel, Direction, RecordKind, Source};
use palisade_core::ids::new_id;
use palisade_core::record::{Disclosure, Envelope, Record};
use palisade_core::time::{Moment, When};
use palisade_service::{KeyOptions, Palisade, Pending};
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

// ---------------------------------------------------------------------------
// Generators

/// Text of every kind: arbitrary scalar values (controls, NUL, combining marks,
/// astral planes), printable unicode, and a few hand-picked awkward strings.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::collection::vec(any::<char>(), 0..24).prop_map(String::from_iter),
        2 => "\\PC{0,40}",
        1 => prop::sample::select(vec![
            String::new(),
            " ".into(),
            "Ça va? Would you like a drink 🍷 — x".into(),
            "مرحبا, שלום, 日本語, Ελληνικά".into(),
            "e\u{301}\u{200d}\u{feff}\u{2028}\u{2029}".into(),
            "\u{0}\u{1}\u{1f}\u{7f}\"\\/\n\r\t".into(),
            "👩🏽‍⚕️🧑‍🤝‍🧑".into(),
            "a".repeat(3000),
        ]),
    ]
}

/// Text that is not blank (required fields such as witnesses reject blanks).
fn nonblank() -> impl Strategy<Value = String> {
    text().prop_map(|s| if s.trim().is_empty() { s + "w" } else { s })
}

/// A past moment with any whole-minute UTC offset and any sub-second part.
fn moment() -> impl Strategy<Value = Moment> {
    (
        // 1900-01-01 .. 2023-11-14
        -2_208_988_800i64..1_700_000_000,
        prop_oneof![Just(0i32), 0..1_000_000_000i32, Just(500_000_000)],
        -(23 * 60 + 59)..=(23 * 60 + 59i32),
    )
        .prop_map(|(secs, nanos, minutes)| {
            let t = jiff::Timestamp::new(secs, nanos).expect("timestamp in range");
            let off = jiff::tz::Offset::from_seconds(minutes * 60).expect("offset in range");
            Moment::from_timestamp(t, off)
        })
}

fn source() -> impl Strategy<Value = Source> {
    prop_oneof![
        3 => Just(Source::Manual),
        1 => (text(), "[0-9a-f]{64}", text()).prop_map(|(import, file_sha256, locator)| {
            Source::Import { import, file_sha256, locator }
        }),
    ]
}

prop_compose! {
    fn new_entry()(
        occurred_at in moment(),
        channel in prop::sample::select(Channel::ALL),
        direction in prop::sample::select(Direction::ALL),
        party in proptest::option::of(text()),
        place in proptest::option::of(text()),
        witnesses in proptest::collection::vec(nonblank(), 0..3),
        summary in proptest::option::of(text()),
        content in proptest::option::of(text()),
        clinical in proptest::option::of(text()),
        source in source(),
    ) -> NewEntry {
        NewEntry {
            occurred_at, channel, direction, party, place, witnesses,
            summary, content, clinical, source,
        }
    }
}

/// An attachment: a file name and a length plus a seed for its bytes (generating
/// large byte vectors element by element would be slow).
#[derive(Debug, Clone)]
struct FileSpec {
    name: String,
    len: usize,
    seed: u64,
}

fn file_spec() -> impl Strategy<Value = FileSpec> {
    (
        prop::sample::select(vec![
            "letter.pdf",
            "screenshot.png",
            "voicemail.m4a",
            "Brief an Dr. Müller — 日本.txt",
            "noext",
            "x.json",
        ]),
        // Around the 64 KiB chunk size, empty, or anything up to ~150 KiB.
        prop_oneof![
            Just(0usize),
            Just(1usize),
            65_535usize..=65_537,
            0usize..150_000,
        ],
        any::<u64>(),
    )
        .prop_map(|(name, len, seed)| FileSpec {
            name: name.to_string(),
            len,
            seed,
        })
}

fn file_bytes(f: &FileSpec) -> Vec<u8> {
    // SplitMix64.
    let mut s = f.seed;
    let mut out = Vec::with_capacity(f.len + 8);
    while out.len() < f.len {
        s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = s;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        out.extend_from_slice(&(z ^ (z >> 31)).to_le_bytes());
    }
    out.truncate(f.len);
    out
}

/// One write: an entry through `log_entry` (with attachments), or a group commit.
#[derive(Debug, Clone)]
enum Op {
    Log {
        case: Index,
        entry: Box<NewEntry>,
        files: Vec<FileSpec>,
    },
    Batch {
        case: Index,
        entries: Vec<NewEntry>,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (
            any::<Index>(),
            new_entry(),
            proptest::collection::vec(file_spec(), 0..3)
        )
            .prop_map(|(case, entry, files)| Op::Log {
                case,
                entry: Box::new(entry),
                files,
            }),
        (any::<Index>(), proptest::collection::vec(new_entry(), 1..6))
            .prop_map(|(case, entries)| Op::Batch { case, entries }),
    ]
}

// ---------------------------------------------------------------------------
// Store helpers

struct TestStore {
    tmp: tempfile::TempDir,
    dir: PathBuf,
    key: PathBuf,
    files: PathBuf,
}

impl TestStore {
    fn new() -> (TestStore, Palisade) {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("data");
        let key = tmp.path().join("master.key");
        let files = tmp.path().join("files");
        std::fs::create_dir_all(&files).expect("files dir");
        let (p, _) = Palisade::init(&dir, &keys(&key)).expect("init");
        (
            TestStore {
                tmp,
                dir,
                key,
                files,
            },
            p,
        )
    }

    fn open(&self) -> palisade_service::Result<Palisade> {
        Palisade::open(&self.dir, &keys(&self.key))
    }

    /// Write attachment files to disk; returns their paths and bytes.
    fn write_files(&self, n: usize, specs: &[FileSpec]) -> Vec<(PathBuf, Vec<u8>)> {
        specs
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let sub = self.files.join(format!("{n}-{i}"));
                std::fs::create_dir_all(&sub).expect("file dir");
                let path = sub.join(&f.name);
                let bytes = file_bytes(f);
                std::fs::write(&path, &bytes).expect("write file");
                (path, bytes)
            })
            .collect()
    }

    /// A copy of the data directory (the store must not be open), to damage.
    fn copy(&self, name: &str) -> PathBuf {
        fn copy_dir(from: &Path, to: &Path) {
            std::fs::create_dir_all(to).expect("create copy dir");
            for e in std::fs::read_dir(from).expect("read dir") {
                let e = e.expect("entry");
                let dest = to.join(e.file_name());
                if e.file_type().expect("file type").is_dir() {
                    copy_dir(&e.path(), &dest);
                } else {
                    std::fs::copy(e.path(), &dest).expect("copy file");
                }
            }
        }
        let to = self.tmp.path().join(name);
        copy_dir(&self.dir, &to);
        to
    }
}

fn keys(key: &Path) -> KeyOptions {
    KeyOptions {
        key_file: Some(key.to_path_buf()),
        passphrase: None,
    }
}

fn open_case(p: &Palisade, title: &str) -> String {
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

fn stamp(prefix: &str) -> Stamp {
    Stamp {
        id: new_id(prefix).expect("id"),
        recorded_at: Moment::utc(jiff::Timestamp::now()),
    }
}

/// Commit entries as one group commit; returns their ids.
fn commit_entries(p: &Palisade, case: &str, entries: &[NewEntry]) -> Vec<String> {
    let pending = entries
        .iter()
        .map(|e| Pending {
            record: compose::entry(&stamp("ent"), case, e).expect("compose entry"),
            scope: case.to_string(),
            new_key: None,
        })
        .collect();
    p.commit(pending)
        .expect("commit")
        .into_iter()
        .map(|r| r.id)
        .collect()
}

// ---------------------------------------------------------------------------
// (a) entries read back exactly

struct Expected {
    case: String,
    id: String,
    recorded_at: Option<String>,
    entry: NewEntry,
    files: Vec<(String, Vec<u8>)>,
}

fn check_entry(p: &Palisade, want: &Expected) -> Result<(), TestCaseError> {
    let view = p.case(&want.case).expect("case view");
    let got = view
        .entries
        .iter()
        .find(|e| e.id == want.id)
        .ok_or_else(|| TestCaseError::fail(format!("entry {} missing", want.id)))?;
    let e = &want.entry;
    prop_assert_eq!(&got.occurred_at, &e.occurred_at.to_string());
    prop_assert_eq!(
        Moment::parse(&got.occurred_at).expect("stored time parses"),
        e.occurred_at,
        "instant and offset survive"
    );
    prop_assert_eq!(&got.channel, e.channel.as_str());
    prop_assert_eq!(got.direction.as_deref(), Some(e.direction.as_str()));
    prop_assert_eq!(&got.party, &e.party);
    prop_assert_eq!(&got.place, &e.place);
    prop_assert_eq!(&got.witnesses, &e.witnesses);
    prop_assert_eq!(&got.summary, &e.summary);
    prop_assert_eq!(&got.content, &e.content);
    prop_assert_eq!(&got.clinical, &e.clinical);
    prop_assert_eq!(
        &got.source,
        &serde_json::to_value(&e.source).expect("source as JSON")
    );
    prop_assert_eq!(got.state, palisade_core::view::EntryState::Original);
    prop_assert!(got.history.is_empty());
    if let Some(r) = &want.recorded_at {
        prop_assert_eq!(&got.recorded_at, r);
    }
    prop_assert_eq!(got.attachments.len(), want.files.len());
    for (a, (name, bytes)) in got.attachments.iter().zip(&want.files) {
        prop_assert_eq!(&a.name, name);
        prop_assert_eq!(a.size, bytes.len() as u64);
        prop_assert_eq!(&a.sha256, &hex::encode(Sha256::digest(bytes)));
        let mut out = Vec::new();
        p.read_attachment(&want.case, &a.sha256, a.size, &mut out)
            .expect("read attachment");
        prop_assert!(out == *bytes, "attachment {} bytes differ", a.id);
    }
    Ok(())
}

fn appended_entries_read_back(n_cases: usize, ops: &[Op]) -> Result<(), TestCaseError> {
    let (store, p) = TestStore::new();
    let cases: Vec<String> = (0..n_cases)
        .map(|i| open_case(&p, &format!("case {i}")))
        .collect();
    let mut expected = Vec::new();
    let mut records = 1 + n_cases as u64;
    for (n, op) in ops.iter().enumerate() {
        match op {
            Op::Log { case, entry, files } => {
                let case = case.get(&cases).clone();
                let written = store.write_files(n, files);
                let paths: Vec<PathBuf> = written.iter().map(|(p, _)| p.clone()).collect();
                let r = p.log_entry(&case, entry, &paths).expect("log_entry");
                prop_assert_eq!(r.attachments.len(), files.len());
                records += 1 + files.len() as u64;
                expected.push(Expected {
                    case,
                    id: r.id,
                    recorded_at: Some(r.recorded_at),
                    entry: (**entry).clone(),
                    files: files
                        .iter()
                        .map(|f| f.name.clone())
                        .zip(written.into_iter().map(|(_, b)| b))
                        .collect(),
                });
            }
            Op::Batch { case, entries } => {
                let case = case.get(&cases).clone();
                let ids = commit_entries(&p, &case, entries);
                records += ids.len() as u64;
                for (id, entry) in ids.into_iter().zip(entries) {
                    expected.push(Expected {
                        case: case.clone(),
                        id,
                        recorded_at: None,
                        entry: entry.clone(),
                        files: vec![],
                    });
                }
            }
        }
    }
    drop(p);
    // Read back through a freshly opened store: nothing from the writer's caches.
    let p = store.open().expect("reopen");
    let report = p.verify().expect("verify runs");
    prop_assert!(report.ok, "verify failed: {:?}", report.errors);
    prop_assert_eq!(report.records, records);
    prop_assert_eq!(report.tree_size, records);
    for want in &expected {
        check_entry(&p, want)?;
    }
    let total: usize = cases
        .iter()
        .map(|c| p.case(c).expect("case").entries.len())
        .sum();
    prop_assert_eq!(total, expected.len());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(20))]

    #[test]
    fn entries_read_back_exactly(
        n_cases in 1usize..=2,
        ops in proptest::collection::vec(op(), 1..8),
    ) {
        appended_entries_read_back(n_cases, &ops)?;
    }
}

// ---------------------------------------------------------------------------
// (b) a flipped byte anywhere is detected

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    RecordEnvelope,
    RecordSealed,
    RecordLeafHash,
    CheckpointNote,
    CheckpointFrontier,
    CheckpointMac,
    KeyWrapped,
    Blob,
}

const TARGETS: [Target; 8] = [
    Target::RecordEnvelope,
    Target::RecordSealed,
    Target::RecordLeafHash,
    Target::CheckpointNote,
    Target::CheckpointFrontier,
    Target::CheckpointMac,
    Target::KeyWrapped,
    Target::Blob,
];

/// What a small store holds: entries in one or two cases, attachments, an action,
/// a correction and a retraction, written over several commits.
#[derive(Debug, Clone)]
struct StoreSpec {
    cases: usize,
    first: NewEntry,
    files: Vec<FileSpec>,
    batch: Vec<NewEntry>,
}

prop_compose! {
    fn store_spec()(
        cases in 1usize..=2,
        first in new_entry(),
        files in proptest::collection::vec(file_spec(), 1..3),
        batch in proptest::collection::vec(new_entry(), 1..5),
    ) -> StoreSpec {
        StoreSpec { cases, first, files, batch }
    }
}

fn build(spec: &StoreSpec) -> TestStore {
    let (store, p) = TestStore::new();
    let cases: Vec<String> = (0..spec.cases)
        .map(|i| open_case(&p, &format!("case {i}")))
        .collect();
    let written = store.write_files(0, &spec.files);
    let paths: Vec<PathBuf> = written.into_iter().map(|(p, _)| p).collect();
    let first = p
        .log_entry(&cases[0], &spec.first, &paths)
        .expect("log_entry");
    let last = cases.last().expect("a case");
    let ids = commit_entries(&p, last, &spec.batch);
    p.record_action(
        last,
        &NewAction {
            kind: ActionKind::AskedToStop,
            date: When::Moment(Moment::utc(jiff::Timestamp::now())),
            by: Some("Dr. X".into()),
            reference: None,
            notes: Some("Letter sent".into()),
            mode: None,
        },
        &[],
    )
    .expect("action");
    p.correct_entry(
        &first.id,
        "typo",
        &EntryPatch {
            summary: Some("corrected".into()),
            ..EntryPatch::default()
        },
    )
    .expect("correct");
    p.retract_entry(&ids[0], "logged twice").expect("retract");
    let report = p.verify().expect("verify runs");
    assert!(
        report.ok,
        "untampered store must verify: {:?}",
        report.errors
    );
    store
}

/// Flip bits of byte `at` of `text` with `mask`, trying other masks until the result
/// is still UTF-8 (a TEXT column must hold text): some change to a different character.
fn flip_text(text: &str, at: usize, mask: u8) -> String {
    let mut b = text.as_bytes().to_vec();
    let orig = b[at];
    for m in (mask..=255).chain(1..mask) {
        b[at] = orig ^ m;
        if let Ok(s) = String::from_utf8(b.clone()) {
            return s;
        }
    }
    unreachable!("some change to byte {at} keeps the text valid UTF-8")
}

/// Where a flip was made, to check the report points at it.
#[derive(Debug)]
enum Flipped {
    Record { leaf: u64, id: String },
    Checkpoint { size: u64 },
    Key { scope: String },
    Blob { name: String },
}

fn flip(dir: &Path, target: Target, row: Index, at: Index, mask: u8) -> Flipped {
    let db = rusqlite::Connection::open(dir.join("palisade.sqlite3")).expect("open database");
    let pick = |sql: &str| -> Vec<i64> {
        let mut st = db.prepare(sql).expect("prepare");
        st.query_map([], |r| r.get(0))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows")
    };
    match target {
        Target::RecordEnvelope | Target::RecordSealed | Target::RecordLeafHash => {
            let col = match target {
                Target::RecordEnvelope => "envelope",
                Target::RecordSealed => "sealed",
                _ => "leaf_hash",
            };
            let leaf = *row.get(&pick("SELECT leaf_index FROM records ORDER BY leaf_index"));
            let (id, mut v): (String, Vec<u8>) = db
                .query_row(
                    &format!("SELECT id, {col} FROM records WHERE leaf_index = ?1"),
                    [leaf],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .expect("read record");
            let i = at.index(v.len());
            v[i] ^= mask;
            db.execute(
                &format!("UPDATE records SET {col} = ?1 WHERE leaf_index = ?2"),
                rusqlite::params![v, leaf],
            )
            .expect("tamper record");
            Flipped::Record {
                leaf: leaf as u64,
                id,
            }
        }
        Target::CheckpointNote => {
            let size = *row.get(&pick("SELECT size FROM checkpoints ORDER BY size"));
            let note: String = db
                .query_row(
                    "SELECT note FROM checkpoints WHERE size = ?1",
                    [size],
                    |r| r.get(0),
                )
                .expect("read note");
            let changed = flip_text(&note, at.index(note.len()), mask);
            assert_ne!(changed, note);
            db.execute(
                "UPDATE checkpoints SET note = ?1 WHERE size = ?2",
                rusqlite::params![changed, size],
            )
            .expect("tamper note");
            Flipped::Checkpoint { size: size as u64 }
        }
        Target::CheckpointFrontier | Target::CheckpointMac => {
            let col = if target == Target::CheckpointMac {
                "mac"
            } else {
                "frontier"
            };
            let size = *row.get(&pick("SELECT size FROM checkpoints ORDER BY size"));
            let mut v: Vec<u8> = db
                .query_row(
                    &format!("SELECT {col} FROM checkpoints WHERE size = ?1"),
                    [size],
                    |r| r.get(0),
                )
                .expect("read checkpoint");
            let i = at.index(v.len());
            v[i] ^= mask;
            db.execute(
                &format!("UPDATE checkpoints SET {col} = ?1 WHERE size = ?2"),
                rusqlite::params![v, size],
            )
            .expect("tamper checkpoint");
            Flipped::Checkpoint { size: size as u64 }
        }
        Target::KeyWrapped => {
            let mut st = db
                .prepare("SELECT scope FROM keys ORDER BY scope")
                .expect("prepare");
            let scopes: Vec<String> = st
                .query_map([], |r| r.get(0))
                .expect("query")
                .collect::<Result<_, _>>()
                .expect("rows");
            let scope = row.get(&scopes).clone();
            let mut v: Vec<u8> = db
                .query_row("SELECT wrapped FROM keys WHERE scope = ?1", [&scope], |r| {
                    r.get(0)
                })
                .expect("read key");
            let i = at.index(v.len());
            v[i] ^= mask;
            db.execute(
                "UPDATE keys SET wrapped = ?1 WHERE scope = ?2",
                rusqlite::params![v, scope],
            )
            .expect("tamper key");
            Flipped::Key { scope }
        }
        Target::Blob => {
            let mut blobs = Vec::new();
            for sub in std::fs::read_dir(dir.join("blobs")).expect("blobs dir") {
                let sub = sub.expect("entry").path();
                if sub.file_name().is_some_and(|n| n == "tmp") || !sub.is_dir() {
                    continue;
                }
                for f in std::fs::read_dir(&sub).expect("fan-out dir") {
                    blobs.push(f.expect("entry").path());
                }
            }
            blobs.sort();
            let path = row.get(&blobs).clone();
            let mut v = std::fs::read(&path).expect("read blob");
            let i = at.index(v.len());
            v[i] ^= mask;
            std::fs::write(&path, v).expect("tamper blob");
            Flipped::Blob {
                name: path
                    .file_name()
                    .expect("blob name")
                    .to_string_lossy()
                    .into_owned(),
            }
        }
    }
}

/// Where to flip a byte: a row (record, checkpoint, key or blob), a byte in it, a mask.
type FlipAt = (Index, Index, u8);

fn flipped_bytes_detected(spec: &StoreSpec, flips: &[FlipAt]) -> Result<(), TestCaseError> {
    let store = build(spec);
    for (&target, &(row, at, mask)) in TARGETS.iter().zip(flips) {
        let dir = store.copy(&format!("{target:?}"));
        let flipped = flip(&dir, target, row, at, mask);
        let p = match Palisade::open(&dir, &keys(&store.key)) {
            // Refusing to open a damaged store is a detection too.
            Err(_) => continue,
            Ok(p) => p,
        };
        let report = p.verify().expect("verify runs on a damaged store");
        prop_assert!(
            !report.ok,
            "{:?} flip at {:?} went unnoticed",
            target,
            flipped
        );
        let located = report.errors.iter().any(|e| match &flipped {
            Flipped::Record { leaf, id } => {
                e.leaf_index == Some(*leaf) && e.record.as_deref() == Some(id.as_str())
            }
            Flipped::Checkpoint { size } => e.location == format!("checkpoint at tree size {size}"),
            Flipped::Key { scope } => e.problem.contains(scope.as_str()),
            Flipped::Blob { name } => {
                e.location.starts_with("attachment of record") && e.problem.contains(name.as_str())
            }
        });
        prop_assert!(
            located,
            "{:?} flip at {:?} not located; report: {:#?}",
            target,
            flipped,
            report.errors
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(20))]

    /// Every target is damaged once per case, each in its own copy of the store.
    #[test]
    fn any_flipped_byte_is_detected(
        spec in store_spec(),
        flips in proptest::array::uniform8((any::<Index>(), any::<Index>(), 1u8..=255)),
    ) {
        flipped_bytes_detected(&spec, &flips)?;
    }
}

// ---------------------------------------------------------------------------
// (c) disclosures: any change breaks Record::open (pure)

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        (-(1i64 << 53)..(1i64 << 53)).prop_map(Value::from),
        any::<f64>()
            .prop_filter("JSON numbers are finite", |f| f.is_finite())
            .prop_map(Value::from),
        text().prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map(text(), inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A record with 1..6 committed fields of any names and JSON values.
fn record() -> impl Strategy<Value = Record> {
    (
        prop::sample::select(RecordKind::ALL),
        proptest::collection::btree_map(
            text(),
            json_value().prop_filter("null fields are left out", |v| !v.is_null()),
            1..6,
        ),
    )
        .prop_map(|(kind, fields)| {
            let env = Envelope::new(
                new_id("ent").expect("id"),
                kind,
                "2026-03-02T09:00:00Z".into(),
            );
            let fields: BTreeMap<&str, Value> = fields
                .iter()
                .map(|(k, v)| (k.as_str(), v.clone()))
                .collect();
            Record::seal(env, fields).expect("seal")
        })
}

#[derive(Debug, Clone)]
enum Change {
    Salt(Index, String),
    SaltChar(Index, Index, char),
    Name(Index, String),
    Value(Index, Value),
    Digest(Index, Index, char),
    DigestReplaced(Index, [u8; 32]),
    Drop(Index),
    Add(String, Value),
}

fn change() -> impl Strategy<Value = Change> {
    let b64 = prop::sample::select(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
            .chars()
            .collect::<Vec<_>>(),
    );
    prop_oneof![
        (any::<Index>(), text()).prop_map(|(i, s)| Change::Salt(i, s)),
        (any::<Index>(), any::<Index>(), b64.clone())
            .prop_map(|(i, j, c)| Change::SaltChar(i, j, c)),
        (any::<Index>(), text()).prop_map(|(i, s)| Change::Name(i, s)),
        (any::<Index>(), json_value()).prop_map(|(i, v)| Change::Value(i, v)),
        (any::<Index>(), any::<Index>(), b64).prop_map(|(i, j, c)| Change::Digest(i, j, c)),
        (any::<Index>(), any::<[u8; 32]>()).prop_map(|(i, d)| Change::DigestReplaced(i, d)),
        any::<Index>().prop_map(Change::Drop),
        (text(), json_value()).prop_map(|(n, v)| Change::Add(n, v)),
    ]
}

/// Replace the character at (char) position `at` with `c`, or with another character
/// when it already is `c`.
fn replace_char(s: &str, at: Index, c: char) -> String {
    let chars: Vec<char> = s.chars().collect();
    let i = at.index(chars.len());
    let c = if chars[i] == c {
        if c == 'A' { 'B' } else { 'A' }
    } else {
        c
    };
    chars
        .iter()
        .enumerate()
        .map(|(j, &x)| if j == i { c } else { x })
        .collect()
}

fn differ(a: &str, b: String) -> String {
    if a == b { b + "x" } else { b }
}

fn changed_record_fails_to_open(r: &Record, change: Change) -> Result<(), TestCaseError> {
    Record::open(r.envelope.clone(), r.disclosures.clone()).expect("untouched record opens");
    let mut env = r.envelope.clone();
    let mut ds: Vec<Disclosure> = r.disclosures.clone();
    match change {
        Change::Salt(i, s) => {
            let d = i.get_mut(&mut ds);
            d.salt = differ(&d.salt, s);
        }
        Change::SaltChar(i, j, c) => {
            let d = i.get_mut(&mut ds);
            d.salt = replace_char(&d.salt, j, c);
        }
        Change::Name(i, s) => {
            let d = i.get_mut(&mut ds);
            d.name = differ(&d.name, s);
        }
        Change::Value(i, v) => {
            let d = i.get_mut(&mut ds);
            let before = d.to_bytes();
            d.value = v;
            if d.to_bytes() == before {
                // The same JSON (e.g. 1 and 1.0 are one JCS number): not a change.
                d.value = Value::Array(vec![d.value.clone()]);
            }
        }
        Change::Digest(i, j, c) => {
            let names: Vec<String> = env.fields.keys().cloned().collect();
            let name = i.get(&names);
            let digest = env.fields.get_mut(name).expect("field");
            *digest = replace_char(digest, j, c);
        }
        Change::DigestReplaced(i, d) => {
            use base64::Engine;
            let names: Vec<String> = env.fields.keys().cloned().collect();
            let name = i.get(&names);
            let new = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(d);
            let digest = env.fields.get_mut(name).expect("field");
            *digest = differ(digest, new);
        }
        Change::Drop(i) => {
            ds.remove(i.index(ds.len()));
        }
        Change::Add(name, value) => {
            ds.push(Disclosure::new(&name, value).expect("disclosure"));
        }
    }
    let result = Record::open(env, ds);
    prop_assert!(result.is_err(), "changed record still opens: {:?}", result);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn disclosure_changes_break_open(r in record(), change in change()) {
        changed_record_fails_to_open(&r, change)?;
    }
}
