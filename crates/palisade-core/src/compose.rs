//! Turning what a user asks to record into ledger records: validation of
//! the request, then the envelope (clear metadata) and the committed fields.

use crate::domain::{ActionKind, CaseKind, Channel, Direction, Party, RecordKind, Source, field};
use crate::record::{Envelope, Record, RecordError};
use crate::time::{Moment, When};
use serde_json::{Value, json};
use std::collections::BTreeMap;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ComposeError {
    #[error("{0} must not be empty")]
    Empty(&'static str),
    #[error("{0} is too long ({1} characters; the limit is {2})")]
    TooLong(&'static str, usize, usize),
    #[error("a correction must change at least one field")]
    NothingToCorrect,
    #[error(transparent)]
    Record(#[from] RecordError),
}

/// Longest text accepted in any single field (verbatim content may be long).
pub const MAX_FIELD_CHARS: usize = 1_000_000;

/// Who and when a record is made: its id and the server clock.
#[derive(Debug, Clone)]
pub struct Stamp {
    pub id: String,
    pub recorded_at: Moment,
}

#[derive(Debug, Clone)]
pub struct NewCase {
    pub title: String,
    pub subject: String,
    pub kind: CaseKind,
    pub parties: Vec<Party>,
    pub owner: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewEntry {
    pub occurred_at: Moment,
    pub channel: Channel,
    pub direction: Direction,
    pub party: Option<String>,
    pub place: Option<String>,
    pub witnesses: Vec<String>,
    pub summary: Option<String>,
    pub content: Option<String>,
    pub clinical: Option<String>,
    pub source: Source,
}

#[derive(Debug, Clone)]
pub struct NewAction {
    pub kind: ActionKind,
    pub date: When,
    pub by: Option<String>,
    pub reference: Option<String>,
    pub notes: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewAttachment {
    /// SHA-256 of the plaintext bytes, lower-case hex.
    pub sha256: String,
    pub size: u64,
    pub media_type: String,
    pub name: String,
}

/// The fields a correction sets; `None` leaves a field as it was.
#[derive(Debug, Clone, Default)]
pub struct EntryPatch {
    pub occurred_at: Option<Moment>,
    pub channel: Option<Channel>,
    pub direction: Option<Direction>,
    pub party: Option<String>,
    pub place: Option<String>,
    pub witnesses: Option<Vec<String>>,
    pub summary: Option<String>,
    pub content: Option<String>,
    pub clinical: Option<String>,
}

impl EntryPatch {
    pub fn is_empty(&self) -> bool {
        self.occurred_at.is_none()
            && self.channel.is_none()
            && self.direction.is_none()
            && self.party.is_none()
            && self.place.is_none()
            && self.witnesses.is_none()
            && self.summary.is_none()
            && self.content.is_none()
            && self.clinical.is_none()
    }
}

fn required(name: &'static str, v: &str) -> Result<Value, ComposeError> {
    if v.trim().is_empty() {
        return Err(ComposeError::Empty(name));
    }
    optional(name, &Some(v.to_string()))
}

fn optional(name: &'static str, v: &Option<String>) -> Result<Value, ComposeError> {
    match v {
        None => Ok(Value::Null),
        Some(s) => {
            let n = s.chars().count();
            if n > MAX_FIELD_CHARS {
                return Err(ComposeError::TooLong(name, n, MAX_FIELD_CHARS));
            }
            Ok(Value::from(s.clone()))
        }
    }
}

fn list(name: &'static str, v: &[String]) -> Result<Value, ComposeError> {
    if v.is_empty() {
        return Ok(Value::Null);
    }
    let mut out = Vec::with_capacity(v.len());
    for s in v {
        out.push(required(name, s)?);
    }
    Ok(Value::Array(out))
}

fn envelope(stamp: &Stamp, kind: RecordKind, case: Option<&str>) -> Envelope {
    let mut e = Envelope::new(stamp.id.clone(), kind, stamp.recorded_at.to_string());
    e.case = case.map(str::to_string);
    e
}

/// The first record of a ledger: who signs it and with which keys.
pub fn ledger_initialised(
    stamp: &Stamp,
    origin: &str,
    public_key: &str,
    master_key_fingerprint: &str,
    software: &str,
) -> Result<Record, ComposeError> {
    let mut f = BTreeMap::new();
    f.insert(field::ORIGIN, json!(origin));
    f.insert(field::PUBLIC_KEY, json!(public_key));
    f.insert(field::MASTER_KEY_FINGERPRINT, json!(master_key_fingerprint));
    f.insert(field::SOFTWARE, json!(software));
    Ok(Record::seal(
        envelope(stamp, RecordKind::LedgerInitialised, None),
        f,
    )?)
}

pub fn case_opened(stamp: &Stamp, case_id: &str, c: &NewCase) -> Result<Record, ComposeError> {
    let mut f = BTreeMap::new();
    f.insert(field::TITLE, required("title", &c.title)?);
    f.insert(field::SUBJECT, required("subject", &c.subject)?);
    f.insert(field::KIND, json!(c.kind.as_str()));
    f.insert(field::OWNER, optional("owner", &c.owner)?);
    for p in &c.parties {
        required("party name", &p.name)?;
    }
    f.insert(
        field::PARTIES,
        serde_json::to_value(&c.parties).unwrap_or(Value::Null),
    );
    Ok(Record::seal(
        envelope(stamp, RecordKind::CaseOpened, Some(case_id)),
        f,
    )?)
}

pub fn case_closed(stamp: &Stamp, case_id: &str, reason: &str) -> Result<Record, ComposeError> {
    let mut f = BTreeMap::new();
    f.insert(field::REASON, required("reason", reason)?);
    Ok(Record::seal(
        envelope(stamp, RecordKind::CaseClosed, Some(case_id)),
        f,
    )?)
}

pub fn entry(stamp: &Stamp, case_id: &str, e: &NewEntry) -> Result<Record, ComposeError> {
    let mut env = envelope(stamp, RecordKind::Entry, Some(case_id));
    env.occurred_at = Some(e.occurred_at.to_string());
    env.channel = Some(e.channel.as_str().to_string());
    let mut f = BTreeMap::new();
    f.insert(field::DIRECTION, json!(e.direction.as_str()));
    f.insert(field::PARTY, optional("party", &e.party)?);
    f.insert(field::PLACE, optional("place", &e.place)?);
    f.insert(field::WITNESSES, list("witness", &e.witnesses)?);
    f.insert(field::SUMMARY, optional("summary", &e.summary)?);
    f.insert(field::CONTENT, optional("content", &e.content)?);
    f.insert(field::CLINICAL, optional("clinical notes", &e.clinical)?);
    f.insert(
        field::SOURCE,
        serde_json::to_value(&e.source).unwrap_or(Value::Null),
    );
    Ok(Record::seal(env, f)?)
}

pub fn action(stamp: &Stamp, case_id: &str, a: &NewAction) -> Result<Record, ComposeError> {
    let mut env = envelope(stamp, RecordKind::Action, Some(case_id));
    env.occurred_at = Some(a.date.to_string());
    let mut f = BTreeMap::new();
    f.insert(field::KIND, json!(a.kind.as_str()));
    f.insert(field::BY, optional("by", &a.by)?);
    f.insert(field::REFERENCE, optional("reference", &a.reference)?);
    f.insert(field::NOTES, optional("notes", &a.notes)?);
    Ok(Record::seal(env, f)?)
}

/// An attachment record, attached to `target` (an entry or action id).
pub fn attachment(
    stamp: &Stamp,
    case_id: &str,
    target: &str,
    a: &NewAttachment,
) -> Result<Record, ComposeError> {
    let mut env = envelope(stamp, RecordKind::Attachment, Some(case_id));
    env.target = Some(target.to_string());
    let mut f = BTreeMap::new();
    f.insert(field::SHA256, json!(a.sha256));
    f.insert(field::SIZE, json!(a.size));
    f.insert(field::MEDIA_TYPE, required("media type", &a.media_type)?);
    f.insert(field::NAME, required("file name", &a.name)?);
    Ok(Record::seal(env, f)?)
}

pub fn correction(
    stamp: &Stamp,
    case_id: &str,
    target: &str,
    reason: &str,
    p: &EntryPatch,
) -> Result<Record, ComposeError> {
    if p.is_empty() {
        return Err(ComposeError::NothingToCorrect);
    }
    let mut env = envelope(stamp, RecordKind::Correction, Some(case_id));
    env.target = Some(target.to_string());
    env.occurred_at = p.occurred_at.map(|m| m.to_string());
    env.channel = p.channel.map(|c| c.as_str().to_string());
    let mut f = BTreeMap::new();
    f.insert(field::REASON, required("reason", reason)?);
    f.insert(
        field::DIRECTION,
        p.direction
            .map(|d| json!(d.as_str()))
            .unwrap_or(Value::Null),
    );
    f.insert(field::PARTY, optional("party", &p.party)?);
    f.insert(field::PLACE, optional("place", &p.place)?);
    if let Some(w) = &p.witnesses {
        // An explicit empty list clears the witnesses.
        f.insert(
            field::WITNESSES,
            if w.is_empty() {
                json!([])
            } else {
                list("witness", w)?
            },
        );
    }
    f.insert(field::SUMMARY, optional("summary", &p.summary)?);
    f.insert(field::CONTENT, optional("content", &p.content)?);
    f.insert(field::CLINICAL, optional("clinical notes", &p.clinical)?);
    Ok(Record::seal(env, f)?)
}

pub fn retraction(
    stamp: &Stamp,
    case_id: &str,
    target: &str,
    reason: &str,
) -> Result<Record, ComposeError> {
    let mut env = envelope(stamp, RecordKind::Retraction, Some(case_id));
    env.target = Some(target.to_string());
    let mut f = BTreeMap::new();
    f.insert(field::REASON, required("reason", reason)?);
    Ok(Record::seal(env, f)?)
}

/// One file an import read, as committed by the import record.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ImportedFile {
    pub name: String,
    pub sha256: String,
    pub size: u64,
}

/// What an import record commits to: which export was read, how its times
/// were interpreted, and what it contained.
#[derive(Debug, Clone)]
pub struct NewImport {
    pub format: String,
    pub files: Vec<ImportedFile>,
    /// The time zone wall-clock times were read in (IANA name).
    pub tz: String,
    /// `dmy`, `mdy` or `ymd` where the format needed one, and how it was decided.
    pub date_order: Option<String>,
    pub me: Option<String>,
    /// Counts: messages, system lines, imported, duplicates, DST-ambiguous times…
    pub counts: Value,
}

pub fn import(stamp: &Stamp, case_id: &str, i: &NewImport) -> Result<Record, ComposeError> {
    let mut f = BTreeMap::new();
    f.insert(field::FORMAT, required("format", &i.format)?);
    f.insert(
        field::FILES,
        serde_json::to_value(&i.files).unwrap_or(Value::Null),
    );
    f.insert(field::TZ, required("time zone", &i.tz)?);
    f.insert(field::DATE_ORDER, optional("date order", &i.date_order)?);
    f.insert(field::ME, optional("me", &i.me)?);
    f.insert(field::COUNTS, i.counts.clone());
    Ok(Record::seal(
        envelope(stamp, RecordKind::Import, Some(case_id)),
        f,
    )?)
}
