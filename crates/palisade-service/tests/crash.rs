//! Crash consistency: a child process writes to a store as fast as it can and
//! is killed with SIGKILL at a random moment, many times over. After every
//! crash the store must reopen, verify clean, still hold every record whose
//! commit the child saw acknowledged, and accept further writes.
//!
//! The child is this same test binary re-invoked to run only `crash_child`
//! (ignored, and a no-op unless `PALISADE_CRASH_DIR` is set), which works under
//! both `cargo test` and `cargo nextest`. The child prints `@@ack:<id>@@` for
//! every record of a commit once `commit` (or `log_entry`) has returned, in a
//! single write followed by a flush; the parent collects those markers from
//! the pipe until the child is dead.
//!
//! Reproduce a run with `PALISADE_CRASH_SEED=<seed>` (printed on start);
//! `PALISADE_CRASH_ROUNDS` changes the number of rounds.

use palisade_core::compose::{self, NewCase, NewEntry, Stamp};
use palisade_core::domain::{CaseKind, Channel, Direction, Party, PartyRole, Source};
use palisade_core::ids::new_id;
use palisade_core::time::Moment;
use palisade_service::{KeyOptions, Palisade, Pending};
use std::collections::{BTreeSet, HashSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ENV_DIR: &str = "PALISADE_CRASH_DIR";
const ENV_KEY: &str = "PALISADE_CRASH_KEY";
const ENV_CASE: &str = "PALISADE_CRASH_CASE";
const ENV_SCRATCH: &str = "PALISADE_CRASH_SCRATCH";
const ENV_SEED: &str = "PALISADE_CRASH_SEED";
const ENV_ROUNDS: &str = "PALISADE_CRASH_ROUNDS";

const ACK_OPEN: &str = "@@ack:";
const ACK_CLOSE: &str = "@@";

/// Default number of kill rounds.
const ROUNDS: u64 = 25;
/// Rounds run against one store before starting a fresh one (verify, run after
/// every crash, costs time in proportion to the store's size).
const ROUNDS_PER_STORE: u64 = 5;
/// Past this much wall time the remaining rounds are skipped (slow machines).
const TIME_BUDGET: Duration = Duration::from_secs(90);
/// The child is killed between these many milliseconds after it was spawned.
const KILL_AFTER_MS: std::ops::Range<u64> = 5..1_000;
/// Largest attachment the child writes.
const MAX_ATTACHMENT: u64 = 300 * 1024;

/// SplitMix64: small, seedable, good enough to pick sizes and moments.
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
        self.next() % n.max(1)
    }

    fn range(&mut self, r: std::ops::Range<u64>) -> u64 {
        r.start + self.below(r.end - r.start)
    }

    fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let v = self.next().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }
}

fn seed_from_env_or_clock() -> u64 {
    if let Some(s) = std::env::var(ENV_SEED).ok().and_then(|s| s.parse().ok()) {
        return s;
    }
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    t ^ u64::from(std::process::id()).rotate_left(32)
}

fn keys(key: &Path) -> KeyOptions {
    KeyOptions {
        key_file: Some(key.to_path_buf()),
        passphrase: None,
    }
}

fn new_entry(rng: &mut Rng, label: &str) -> NewEntry {
    let ago = jiff::SignedDuration::from_secs(rng.range(60..400 * 86_400) as i64);
    let occurred = jiff::Timestamp::now()
        .checked_sub(ago)
        .expect("time in range");
    let channel = Channel::ALL[rng.below(Channel::ALL.len() as u64) as usize];
    NewEntry {
        occurred_at: Moment::utc(occurred),
        channel,
        direction: if rng.below(4) == 0 {
            Direction::Outbound
        } else {
            Direction::Inbound
        },
        party: Some("Patient AB".into()),
        place: (rng.below(2) == 0).then(|| "Reception".into()),
        witnesses: vec![],
        summary: Some(format!("{label}: message {}", rng.next())),
        content: Some("Would you like to meet for a drink? 🍷 — Ça va?".into()),
        clinical: None,
        source: Source::Manual,
    }
}

fn write_random_file(rng: &mut Rng, path: &Path, len: u64) {
    let mut buf = vec![0u8; len as usize];
    rng.fill(&mut buf);
    std::fs::write(path, &buf).expect("write attachment file");
}

/// Print the ids of a durable commit as one write, then flush.
fn ack(ids: impl IntoIterator<Item = String>) {
    let mut line = String::new();
    for id in ids {
        line.push_str(ACK_OPEN);
        line.push_str(&id);
        line.push_str(ACK_CLOSE);
        line.push(' ');
    }
    line.push('\n');
    let mut out = std::io::stdout().lock();
    out.write_all(line.as_bytes()).expect("stdout");
    out.flush().expect("flush stdout");
}

/// Every acknowledged id in a chunk of the child's output.
fn parse_acks(text: &str, into: &mut Vec<String>) {
    let mut rest = text;
    while let Some(i) = rest.find(ACK_OPEN) {
        rest = &rest[i + ACK_OPEN.len()..];
        match rest.find(ACK_CLOSE) {
            Some(j) => {
                into.push(rest[..j].to_string());
                rest = &rest[j + ACK_CLOSE.len()..];
            }
            None => break,
        }
    }
}

/// The child: write forever, acknowledging each durable commit. Only runs when
/// the parent set the environment; otherwise it passes immediately.
#[test]
#[ignore = "helper process for crash_consistency_under_sigkill"]
fn crash_child() {
    let Some(dir) = std::env::var_os(ENV_DIR).map(PathBuf::from) else {
        return;
    };
    let key = PathBuf::from(std::env::var_os(ENV_KEY).expect("key path"));
    let case = std::env::var(ENV_CASE).expect("case id");
    let scratch = PathBuf::from(std::env::var_os(ENV_SCRATCH).expect("scratch dir"));
    let mut rng = Rng(std::env::var(ENV_SEED)
        .ok()
        .and_then(|s| s.parse().ok())
        .expect("seed"));
    let p = Palisade::open(&dir, &keys(&key)).expect("child: open store");
    let mut n = 0u64;
    loop {
        n += 1;
        if rng.below(8) == 0 {
            // An entry with attachments, through the public use case.
            let files: Vec<PathBuf> = (0..rng.range(1..4))
                .map(|i| {
                    let path = scratch.join(format!("att-{n}-{i}.bin"));
                    // Sizes spread over scales (mostly small, up to MAX_ATTACHMENT), to
                    // cross chunk boundaries without making every verify slow.
                    let len = rng.below(MAX_ATTACHMENT + 1) >> rng.below(6);
                    write_random_file(&mut rng, &path, len);
                    path
                })
                .collect();
            let r = p
                .log_entry(&case, &new_entry(&mut rng, "with attachments"), &files)
                .expect("child: log_entry");
            ack(std::iter::once(r.id).chain(r.attachments.into_iter().map(|a| a.id)));
            for f in files {
                let _ = std::fs::remove_file(f);
            }
        } else {
            // A group commit of 1..=50 entries.
            let batch: Vec<Pending> = (0..rng.range(1..51))
                .map(|_| {
                    let stamp = Stamp {
                        id: new_id("ent").expect("id"),
                        recorded_at: Moment::utc(jiff::Timestamp::now()),
                    };
                    Pending {
                        record: compose::entry(&stamp, &case, &new_entry(&mut rng, "batch"))
                            .expect("compose"),
                        scope: case.clone(),
                        new_key: None,
                    }
                })
                .collect();
            let receipts = p.commit(batch).expect("child: commit");
            ack(receipts.into_iter().map(|r| r.id));
        }
    }
}

struct Round {
    acked: Vec<String>,
    stderr: String,
    ran_for: Duration,
    status: std::process::ExitStatus,
}

fn run_child(
    dir: &Path,
    key: &Path,
    case: &str,
    scratch: &Path,
    seed: u64,
    kill_after: Duration,
) -> Round {
    let exe = std::env::current_exe().expect("current test binary");
    let mut child = Command::new(exe)
        .args(["--exact", "crash_child", "--nocapture", "--include-ignored"])
        .env(ENV_DIR, dir)
        .env(ENV_KEY, key)
        .env(ENV_CASE, case)
        .env(ENV_SCRATCH, scratch)
        .env(ENV_SEED, seed.to_string())
        .env("RUST_BACKTRACE", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn child");
    let started = Instant::now();
    let stdout = child.stdout.take().expect("child stdout");
    let mut stderr = child.stderr.take().expect("child stderr");
    // Read until EOF: everything the child wrote before it died is in the pipe.
    let reader = std::thread::spawn(move || {
        let mut acked = Vec::new();
        let mut r = BufReader::new(stdout);
        let mut line = Vec::new();
        loop {
            line.clear();
            match r.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => parse_acks(&String::from_utf8_lossy(&line), &mut acked),
            }
        }
        acked
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    while started.elapsed() < kill_after {
        if child.try_wait().expect("poll child").is_some() {
            break;
        }
        let left = kill_after.saturating_sub(started.elapsed());
        std::thread::sleep(left.min(Duration::from_millis(2)));
    }
    // SIGKILL on Unix; harmless if the child already exited.
    let _ = child.kill();
    let status = child.wait().expect("reap child");
    let ran_for = started.elapsed();
    Round {
        acked: reader.join().expect("stdout reader"),
        stderr: err_reader.join().expect("stderr reader"),
        ran_for,
        status,
    }
}

/// Whether the child died of our SIGKILL (rather than exiting, e.g. on a panic).
fn killed_by_us(status: &std::process::ExitStatus) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        status.signal() == Some(9)
    }
    #[cfg(not(unix))]
    {
        !status.success()
    }
}

fn stored_ids(dir: &Path) -> HashSet<String> {
    let conn = rusqlite::Connection::open_with_flags(
        dir.join("palisade.sqlite3"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("open database read-only");
    let mut stmt = conn.prepare("SELECT id FROM records").expect("prepare");
    stmt.query_map([], |r| r.get::<_, String>(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("read ids")
}

fn open_case(p: &Palisade, n: u64) -> String {
    p.open_case(&NewCase {
        title: format!("Crash test {n}"),
        subject: "Patient AB".into(),
        kind: CaseKind::Amorous,
        parties: vec![Party {
            name: "Patient AB".into(),
            role: PartyRole::Patient,
        }],
        owner: None,
    })
    .expect("open case")
    .id
}

fn assert_verifies(p: &Palisade, context: &str) -> u64 {
    let report = p.verify().expect("verify runs");
    if !report.ok {
        for e in &report.errors {
            eprintln!("  {e}");
        }
    }
    assert!(
        report.ok,
        "{context}: verify found {} problem(s) (more: {}); first: {:?}",
        report.errors.len(),
        report.more_errors,
        report.errors.first()
    );
    report.records
}

/// One store under test, crashed several times in a row.
struct Ledger {
    dir: PathBuf,
    key: PathBuf,
    /// Cases in the order opened; the children write to the last one.
    cases: Vec<String>,
    /// Every record id whose commit was acknowledged.
    acked: BTreeSet<String>,
}

impl Ledger {
    fn create(root: &Path, n: u64) -> Ledger {
        let dir = root.join(format!("data-{n}"));
        let key = root.join(format!("master-{n}.key"));
        let (p, _) = Palisade::init(&dir, &keys(&key)).expect("init");
        let case = open_case(&p, 0);
        Ledger {
            dir,
            key,
            cases: vec![case],
            acked: BTreeSet::new(),
        }
    }

    /// Reopen after a crash: the store verifies and holds every acknowledged record.
    fn check(&self, context: &str) -> (Palisade, u64) {
        let p = Palisade::open(&self.dir, &keys(&self.key))
            .unwrap_or_else(|e| panic!("{context}: store does not reopen: {e}"));
        let records = assert_verifies(&p, context);
        let present = stored_ids(&self.dir);
        let missing: Vec<&String> = self
            .acked
            .iter()
            .filter(|id| !present.contains(*id))
            .collect();
        assert!(
            missing.is_empty(),
            "{context}: {} acknowledged record(s) lost, e.g. {:?}",
            missing.len(),
            &missing[..missing.len().min(5)]
        );
        (p, records)
    }

    /// The store must take further writes after a crash: an entry with an attachment,
    /// a group commit, and a new case (a new data key).
    fn write_after_crash(&mut self, p: &Palisade, rng: &mut Rng, scratch: &Path, context: &str) {
        let case = self.cases.last().expect("a case").clone();
        let att = scratch.join(format!("after-crash-{}.txt", rng.next()));
        let len = rng.below(64 * 1024);
        write_random_file(rng, &att, len);
        let e = p
            .log_entry(
                &case,
                &new_entry(rng, "after crash"),
                std::slice::from_ref(&att),
            )
            .unwrap_or_else(|e| panic!("{context}: log_entry after crash failed: {e}"));
        let _ = std::fs::remove_file(att);
        self.acked.insert(e.id);
        self.acked.extend(e.attachments.into_iter().map(|a| a.id));
        let stamp = Stamp {
            id: new_id("ent").expect("id"),
            recorded_at: Moment::utc(jiff::Timestamp::now()),
        };
        let receipts = p
            .commit(vec![Pending {
                record: compose::entry(&stamp, &case, &new_entry(rng, "after crash"))
                    .expect("compose"),
                scope: case.clone(),
                new_key: None,
            }])
            .unwrap_or_else(|e| panic!("{context}: commit after crash failed: {e}"));
        self.acked.extend(receipts.into_iter().map(|r| r.id));
        // Each round's child writes to a case of its own: `log_entry` folds the whole
        // case first, so one ever-growing case would slow the children down.
        let n = self.cases.len() as u64;
        self.cases.push(open_case(p, n));
    }

    /// Final check: every acknowledged record also reads back through the case views.
    fn check_readable(&self, p: &Palisade) {
        let mut seen: HashSet<String> = HashSet::new();
        for case in &self.cases {
            let view = p.case(case).expect("read case back");
            for e in view.entries {
                seen.insert(e.id);
                seen.extend(e.attachments.into_iter().map(|a| a.id));
            }
        }
        let unreadable: Vec<&String> = self.acked.iter().filter(|id| !seen.contains(*id)).collect();
        assert!(
            unreadable.is_empty(),
            "{} acknowledged record(s) missing from the case views, e.g. {:?}",
            unreadable.len(),
            &unreadable[..unreadable.len().min(5)]
        );
    }
}

#[test]
fn crash_consistency_under_sigkill() {
    let seed = seed_from_env_or_clock();
    let rounds = std::env::var(ENV_ROUNDS)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(ROUNDS);
    eprintln!(
        "crash test: seed {seed} ({ENV_SEED}={seed} reproduces the schedule), {rounds} rounds, \
         a fresh store every {ROUNDS_PER_STORE}"
    );
    let mut rng = Rng(seed);
    let tmp = tempfile::tempdir().expect("tempdir");
    let scratch = tmp.path().join("scratch");
    std::fs::create_dir_all(&scratch).expect("scratch dir");

    let started = Instant::now();
    let mut ledger: Option<Ledger> = None;
    let mut stores = 0u64;
    let mut done = 0u64;
    let mut child_acks = 0usize;
    for round in 0..rounds {
        if round >= 5 && started.elapsed() > TIME_BUDGET {
            eprintln!("crash test: time budget spent after {round} rounds; stopping early");
            break;
        }
        if round % ROUNDS_PER_STORE == 0 {
            if let Some(l) = ledger.take() {
                let (p, _) = l.check("before moving to the next store");
                l.check_readable(&p);
            }
            ledger = Some(Ledger::create(tmp.path(), stores));
            stores += 1;
        }
        let l = ledger.as_mut().expect("a store");
        let context = format!("round {round} (store {})", stores - 1);
        let kill_after = Duration::from_millis(rng.range(KILL_AFTER_MS));
        let child_seed = rng.next();
        let case = l.cases.last().expect("a case").clone();
        let r = run_child(&l.dir, &l.key, &case, &scratch, child_seed, kill_after);
        // A child that exited on its own failed: it loops until killed.
        assert!(
            killed_by_us(&r.status),
            "{context}: child exited by itself ({}) after {:?}; stderr:\n{}",
            r.status,
            r.ran_for,
            r.stderr
        );
        child_acks += r.acked.len();
        let acked_now = r.acked.len();
        l.acked.extend(r.acked);
        let (p, records) = l.check(&format!("{context}, after SIGKILL"));
        eprintln!(
            "{context}: killed after {:>4} ms, {acked_now:>4} records acknowledged; \
             reopened, {records} records, verify ok",
            r.ran_for.as_millis(),
        );
        l.write_after_crash(&p, &mut rng, &scratch, &context);
        done += 1;
    }
    if let Some(l) = ledger.take() {
        let (p, _) = l.check("final");
        l.check_readable(&p);
    }
    eprintln!(
        "crash test: {done} rounds over {stores} stores in {:.1?}; children acknowledged {child_acks} records",
        started.elapsed()
    );
    assert!(done >= 5, "too few rounds ran ({done})");
    assert!(
        child_acks > 0,
        "no child ever acknowledged a write; the test exercised nothing"
    );
}
