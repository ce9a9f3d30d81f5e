//! `palisade verify`: re-check everything from the stored bytes up. Every
//! disclosure against its digest, every envelope against its leaf, the tree
//! against every signed checkpoint (which also proves the checkpoints
//! consistent with one another), the checkpoint chain, and every
//! attachment's bytes against the hash its record commits to.

use crate::error::Result;
use crate::ledger::{INSTALLATION_SCOPE, Palisade};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use palisade_core::checkpoint::{CheckpointBody, CheckpointError};
use palisade_core::domain::{
    ActionKind, AssessmentTrigger, Channel, ItemKind, RecordKind, RemovalMode, RiskLevel, field,
};
use palisade_core::merkle::{self, Frontier, Hash};
use palisade_core::time::{Moment, When};
use palisade_store::{StoredCheckpoint, StoredRecord};
use serde::Serialize;
use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Report at most this many problems (the first ones matter most).
const MAX_PROBLEMS: usize = 200;

/// One discrepancy, located as precisely as possible.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Problem {
    /// e.g. `record 17 (ent_…)`, `checkpoint at tree size 40`, `attachment of record 9 (att_…)`.
    pub location: String,
    pub leaf_index: Option<u64>,
    pub record: Option<String>,
    pub problem: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.problem)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    pub ok: bool,
    pub records: u64,
    pub checkpoints: u64,
    /// RFC 3161 timestamp tokens checked.
    pub timestamps: u64,
    pub attachments: u64,
    pub attachment_bytes: u64,
    pub tree_size: u64,
    /// Root hash at the latest checkpoint (base64), if any.
    pub root: Option<String>,
    pub origin: String,
    pub public_key_fingerprint: String,
    pub errors: Vec<Problem>,
    /// True when more problems were found than are listed.
    pub more_errors: bool,
}

struct Problems {
    list: Vec<Problem>,
    more: bool,
}

impl Problems {
    fn push(&mut self, p: Problem) {
        if self.list.len() < MAX_PROBLEMS {
            self.list.push(p);
        } else {
            self.more = true;
        }
    }

    fn record(&mut self, row: &StoredRecord, problem: impl Into<String>) {
        self.push(Problem {
            location: format!("record {} ({})", row.leaf_index, row.id),
            leaf_index: Some(row.leaf_index),
            record: Some(row.id.clone()),
            problem: problem.into(),
        });
    }

    fn checkpoint(&mut self, size: u64, problem: impl Into<String>) {
        self.push(Problem {
            location: format!("checkpoint at tree size {size}"),
            // Sort checkpoint problems after the last record they cover.
            leaf_index: Some(size.saturating_sub(1)),
            record: None,
            problem: problem.into(),
        });
    }
}

struct Known {
    case: Option<String>,
    kind: RecordKind,
}

struct BlobJob {
    leaf_index: u64,
    id: String,
    case: String,
    sha256: String,
    size: u64,
}

impl Palisade {
    /// Verify the whole store. `Err` only when the store cannot be read at all;
    /// every integrity problem is reported in the result.
    pub fn verify(&self) -> Result<VerifyReport> {
        let mut problems = Problems {
            list: Vec::new(),
            more: false,
        };
        if !self.settings_intact()? {
            problems.push(Problem {
                location: "store settings (meta table)".into(),
                leaf_index: None,
                record: None,
                problem: "a setting was altered, added or removed".into(),
            });
        }
        let checkpoints = self.verify_checkpoints(&mut problems)?;
        let (timestamps, timestamp_problems) = self.check_timestamps()?;
        for (size, problem) in timestamp_problems {
            problems.checkpoint(size, problem);
        }
        let witness = self.witnessed(&mut problems);
        let mut cps = checkpoints.iter().peekable();
        let mut frontier = Frontier::new();
        let mut known: HashMap<String, Known> = HashMap::new();
        let mut blobs: Vec<BlobJob> = Vec::new();
        let mut tree_broken = false;
        let mut scan_error = None;
        self.store.scan_records(0, &mut |row| {
            if row.leaf_index != frontier.size() && !tree_broken {
                problems.record(
                    &row,
                    format!(
                        "expected record {} here: records are missing or out of order",
                        frontier.size()
                    ),
                );
                tree_broken = true;
            }
            self.verify_record(&row, &mut known, &mut blobs, &mut problems);
            frontier.push(merkle::leaf_hash(&row.envelope));
            if let Some((path, body)) = &witness
                && body.size == frontier.size()
                && !tree_broken
                && frontier.root() != body.root
            {
                problems.push(Problem {
                    location: format!("witness {}", path.display()),
                    leaf_index: Some(body.size.saturating_sub(1)),
                    record: None,
                    problem: format!(
                        "this computer saw a different ledger at tree size {} (the history was rewritten)",
                        body.size
                    ),
                });
            }
            while let Some((c, root)) = cps.peek() {
                if c.size > frontier.size() {
                    break;
                }
                if c.size == frontier.size() && !tree_broken {
                    if frontier.root() != *root {
                        problems.checkpoint(
                            c.size,
                            "the records do not hash to the signed root (a record was changed, removed, inserted or reordered)",
                        );
                        tree_broken = true;
                    } else if frontier.subtrees() != c.frontier.as_slice() {
                        problems.checkpoint(c.size, "the stored tree frontier does not match the records");
                    }
                }
                cps.next();
            }
            true
        })
        .unwrap_or_else(|e| scan_error = Some(e));
        if let Some(e) = scan_error {
            return Err(e.into());
        }
        let records = frontier.size();
        // The scan sees only positions 0, 1, …; a row stored at any other position
        // (e.g. a negative one) would be skipped here yet break every read of its case.
        let stored = self.store.record_count()?;
        if stored != records {
            problems.push(Problem {
                location: "records".into(),
                leaf_index: None,
                record: None,
                problem: format!(
                    "the database holds {stored} record rows but only {records} are in ledger positions (rows were added outside Palisade)"
                ),
            });
        }
        for (c, _) in cps {
            problems.checkpoint(
                c.size,
                format!(
                    "signs {} records but the ledger holds only {records} (records were deleted)",
                    c.size
                ),
            );
        }
        if let Some((path, body)) = &witness
            && body.size > records
        {
            problems.push(Problem {
                location: format!("witness {}", path.display()),
                leaf_index: Some(records),
                record: None,
                problem: format!(
                    "this computer saw the ledger at tree size {}, but it now holds only {records} records (records were removed or an older copy restored)",
                    body.size
                ),
            });
        }
        let latest = checkpoints.last();
        match latest {
            None => problems.push(Problem {
                location: "checkpoints".into(),
                leaf_index: None,
                record: None,
                problem: "there is no signed checkpoint".into(),
            }),
            Some((c, _)) if c.size < records => problems.push(Problem {
                location: format!("records {}..{}", c.size, records - 1),
                leaf_index: Some(c.size),
                record: None,
                problem: "not covered by any signed checkpoint (added outside Palisade)".into(),
            }),
            _ => {}
        }
        // The web application's audit trail (accounts.db), when there is one.
        let audit_location = || format!("audit trail ({})", crate::accounts::ACCOUNTS_FILE);
        match self.audit_trail_problems() {
            Ok(list) => list.into_iter().for_each(|problem| {
                problems.push(Problem {
                    location: audit_location(),
                    leaf_index: None,
                    record: None,
                    problem,
                })
            }),
            Err(e) => problems.push(Problem {
                location: audit_location(),
                leaf_index: None,
                record: None,
                problem: format!("cannot be read: {e}"),
            }),
        }
        let (attachment_bytes, blob_problems) = self.verify_blobs(&blobs);
        for p in blob_problems {
            problems.push(p);
        }
        problems
            .list
            .sort_by_key(|p| p.leaf_index.unwrap_or(u64::MAX));
        Ok(VerifyReport {
            ok: problems.list.is_empty(),
            records,
            checkpoints: checkpoints.len() as u64,
            timestamps,
            attachments: blobs.len() as u64,
            attachment_bytes,
            tree_size: latest.map(|(c, _)| c.size).unwrap_or(0),
            root: latest.map(|(_, r)| STANDARD.encode(r)),
            origin: self.origin.clone(),
            public_key_fingerprint: self.verifier.fingerprint(),
            errors: problems.list,
            more_errors: problems.more,
        })
    }

    /// The checkpoint this computer last witnessed, if any and if it is genuine.
    fn witnessed(&self, problems: &mut Problems) -> Option<(std::path::PathBuf, CheckpointBody)> {
        let (path, note) = crate::witness::read(&self.installation_id)?;
        match CheckpointBody::verify_note(&note, &self.verifier, &self.origin) {
            Ok(body) => Some((path, body)),
            // A half-written witness (power cut before it reached the disk) is not evidence.
            Err(CheckpointError::Malformed(_)) => None,
            Err(e) => {
                problems.push(Problem {
                    location: format!("witness {}", path.display()),
                    leaf_index: None,
                    record: None,
                    problem: format!("the witnessed checkpoint is not valid: {e}"),
                });
                None
            }
        }
    }

    /// Check every checkpoint's signature, origin, shape and chain MAC; return them with
    /// their signed roots.
    fn verify_checkpoints(&self, problems: &mut Problems) -> Result<Vec<(StoredCheckpoint, Hash)>> {
        let mut out = Vec::new();
        let mut prev_mac = [0u8; 32];
        self.store.scan_checkpoints(&mut |c| {
            if self.expected_mac(&prev_mac, &c) != c.mac {
                problems.checkpoint(
                    c.size,
                    "breaks the checkpoint chain (a checkpoint was removed, inserted or altered)",
                );
            }
            prev_mac = c.mac;
            match CheckpointBody::verify_note(&c.note, &self.verifier, &self.origin) {
                Err(e) => problems.checkpoint(c.size, format!("signature check failed: {e}")),
                Ok(body) if body.size != c.size => problems.checkpoint(
                    c.size,
                    format!("the signed note says tree size {}", body.size),
                ),
                Ok(body) => {
                    if c.frontier.len() != c.size.count_ones() as usize {
                        problems.checkpoint(c.size, "stored tree frontier has the wrong shape");
                    }
                    out.push((c, body.root));
                }
            }
            true
        })?;
        Ok(out)
    }

    fn verify_record(
        &self,
        row: &StoredRecord,
        known: &mut HashMap<String, Known>,
        blobs: &mut Vec<BlobJob>,
        problems: &mut Problems,
    ) {
        let record = match self.check_record(row) {
            Ok(r) => r,
            Err(problem) => {
                problems.record(row, problem);
                return;
            }
        };
        let env = &record.envelope;
        let columns_match = row.id == env.id
            && row.case_id == env.case
            && row.kind == env.kind.as_str()
            && row.target == env.target
            && row.occurred_at == env.occurred_at
            && row.recorded_at == env.recorded_at;
        if !columns_match {
            problems.record(row, "stored columns differ from the signed envelope");
        }
        if Moment::parse(&env.recorded_at).is_err() {
            problems.record(row, "recorded_at is not a valid time");
        }
        if let Err(p) = check_semantics(&record, row.leaf_index, known, self) {
            problems.record(row, p);
        }
        if env.kind == RecordKind::Attachment {
            let sha = record.text(field::SHA256).unwrap_or_default().to_string();
            let size = record.value(field::SIZE).and_then(|v| v.as_u64());
            match (env.case.clone(), size) {
                (Some(case), Some(size)) if sha.len() == 64 => blobs.push(BlobJob {
                    leaf_index: row.leaf_index,
                    id: row.id.clone(),
                    case,
                    sha256: sha,
                    size,
                }),
                _ => problems.record(row, "attachment record lacks a valid hash or size"),
            }
        }
        known.insert(
            env.id.clone(),
            Known {
                case: env.case.clone(),
                kind: env.kind,
            },
        );
    }

    /// Decrypt and hash every attachment, on all cores.
    fn verify_blobs(&self, jobs: &[BlobJob]) -> (u64, Vec<Problem>) {
        let next = AtomicUsize::new(0);
        let out = Mutex::new((0u64, Vec::new()));
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .clamp(1, 8)
            .min(jobs.len().max(1));
        std::thread::scope(|s| {
            for _ in 0..threads {
                s.spawn(|| {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(job) = jobs.get(i) else { break };
                        let r =
                            self.check_blob(&job.case, &job.sha256, job.size, &mut std::io::sink());
                        if let Ok(mut o) = out.lock() {
                            match r {
                                Ok(()) => o.0 += job.size,
                                Err(e) => o.1.push(Problem {
                                    location: format!(
                                        "attachment of record {} ({})",
                                        job.leaf_index, job.id
                                    ),
                                    leaf_index: Some(job.leaf_index),
                                    record: Some(job.id.clone()),
                                    problem: e,
                                }),
                            }
                        }
                    }
                });
            }
        });
        out.into_inner().unwrap_or_default()
    }
}

/// Structural rules a well-formed ledger obeys.
fn check_semantics(
    record: &palisade_core::record::Record,
    leaf_index: u64,
    known: &HashMap<String, Known>,
    p: &Palisade,
) -> std::result::Result<(), String> {
    let env = &record.envelope;
    if known.contains_key(&env.id) {
        return Err("record id is used twice".into());
    }
    if leaf_index == 0 || env.kind == RecordKind::LedgerInitialised {
        if leaf_index != 0 || env.kind != RecordKind::LedgerInitialised {
            return Err("only the first record may (and must) initialise the ledger".into());
        }
        if record.text(field::ORIGIN) != Some(p.origin.as_str())
            || record.text(field::PUBLIC_KEY) != Some(p.public_key().as_str())
        {
            return Err("the first record names another origin or signing key".into());
        }
        return Ok(());
    }
    let case = env.case.as_deref().ok_or("record belongs to no case")?;
    if case == INSTALLATION_SCOPE {
        return Err("record uses a reserved case id".into());
    }
    let case_known = known
        .get(case)
        .is_some_and(|k| k.kind == RecordKind::CaseOpened);
    match env.kind {
        RecordKind::CaseOpened if env.id != case => {
            return Err("a case's opening record must carry the case id".into());
        }
        RecordKind::CaseOpened => {}
        _ if !case_known => return Err(format!("case {case} was not opened before this record")),
        _ => {}
    }
    let target_kind = |allowed: &[RecordKind]| -> std::result::Result<(), String> {
        let t = env.target.as_deref().ok_or("record has no target")?;
        match known.get(t) {
            Some(k) if k.case.as_deref() == Some(case) && allowed.contains(&k.kind) => Ok(()),
            _ => Err(format!(
                "target {t} is not an earlier record of this case that it can refer to"
            )),
        }
    };
    match env.kind {
        RecordKind::Entry => {
            let t = env
                .occurred_at
                .as_deref()
                .ok_or("entry has no occurred_at")?;
            Moment::parse(t).map_err(|e| e.to_string())?;
            let c = env.channel.as_deref().ok_or("entry has no channel")?;
            c.parse::<Channel>().map_err(|e| e.to_string())?;
        }
        RecordKind::Action => {
            let t = env.occurred_at.as_deref().ok_or("action has no date")?;
            When::parse(t).map_err(|e| e.to_string())?;
            let kind = record
                .text(field::KIND)
                .ok_or("action has no kind")?
                .parse::<ActionKind>()
                .map_err(|e| e.to_string())?;
            match (kind, record.text(field::MODE)) {
                (ActionKind::RemovalNotice, Some(m)) => {
                    m.parse::<RemovalMode>().map_err(|e| e.to_string())?;
                }
                (ActionKind::RemovalNotice, None) => {
                    return Err("a removal_notice action has no mode".into());
                }
                (_, Some(_)) => return Err(format!("a {kind} action has a removal mode")),
                (_, None) => {}
            }
        }
        RecordKind::Acknowledgement => {
            target_kind(&[RecordKind::Entry])?;
            for f in [field::LABEL, field::ENGINE, field::BY] {
                if record.text(f).is_none_or(|v| v.trim().is_empty()) {
                    return Err(format!("acknowledgement has no {f}"));
                }
            }
        }
        RecordKind::RiskAssessment => {
            if env.target.is_some() {
                return Err("a risk assessment is about the whole case and has no target".into());
            }
            record
                .text(field::LEVEL)
                .ok_or("risk assessment has no level")?
                .parse::<RiskLevel>()
                .map_err(|e| e.to_string())?;
            record
                .text(field::TRIGGER)
                .ok_or("risk assessment has no trigger")?
                .parse::<AssessmentTrigger>()
                .map_err(|e| e.to_string())?;
            let as_of = record
                .text(field::AS_OF)
                .ok_or("risk assessment has no as_of")?;
            as_of
                .parse::<jiff::civil::Date>()
                .map_err(|_| format!("risk assessment as_of '{as_of}' is not a date"))?;
            if !record.value(field::FACTORS).is_some_and(|v| v.is_array()) {
                return Err("risk assessment factors are not a list".into());
            }
            if record.value(field::ANSWERS).is_some_and(|v| !v.is_object()) {
                return Err("risk assessment answers are not an object".into());
            }
        }
        RecordKind::Attachment => target_kind(&[
            RecordKind::Entry,
            RecordKind::Action,
            RecordKind::Import,
            RecordKind::Exhibit,
        ])?,
        RecordKind::Correction | RecordKind::Retraction => target_kind(&[RecordKind::Entry])?,
        RecordKind::ShareRevoked => target_kind(&[RecordKind::Share])?,
        RecordKind::FlagWithdrawn => target_kind(&[RecordKind::Flag])?,
        RecordKind::Custody => target_kind(&[RecordKind::Exhibit])?,
        RecordKind::Exhibit => {
            let kind = record
                .text(field::ITEM_KIND)
                .ok_or("exhibit has no item kind")?;
            kind.parse::<ItemKind>().map_err(|e| e.to_string())?;
        }
        _ => {}
    }
    Ok(())
}
