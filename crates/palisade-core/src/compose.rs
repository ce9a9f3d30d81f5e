//! Turning what a user asks to record into ledger records: validation of
//! the request, then the envelope (clear metadata) and the committed fields.

use crate::domain::{
    ActionKind, AssessmentTrigger, CaseKind, Channel, Direction, Party, RecordKind, RemovalMode,
    RiskLevel, Source, field,
};
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
    #[error("a removal mode (standard or immediate) is given only with a removal_notice action")]
    ModeWithoutRemoval,
    #[error("{0} must be a JSON {1}")]
    Shape(&'static str, &'static str),
    #[error("case {0} is closed; nothing more can be recorded in it")]
    CaseClosed(String),
    #[error("the case is already shared with {0}; revoke that share before sharing it again")]
    AlreadyShared(String),
    #[error("{0} owns this case; the owner needs no share")]
    ShareWithOwner(String),
    #[error("there is no {what} '{id}' in this case")]
    UnknownTarget { what: &'static str, id: String },
    #[error("{what} '{id}' was already {done}")]
    AlreadyDone {
        what: &'static str,
        id: String,
        done: &'static str,
    },
    #[error("'{1}' is not a {0} id (no spaces, at most 64 characters)")]
    BadId(&'static str, String),
    #[error("{0} {1} is in the future; give the time it happened")]
    InFuture(&'static str, String),
    #[error("{0}")]
    Inconsistent(String),
    #[error(transparent)]
    Record(#[from] RecordError),
}

mod register;
mod sharing;

pub use register::{NewCustody, NewExhibit, custody, exhibit};
pub use sharing::{NewFlag, NewShare, flag, flag_withdrawn, share, share_revoked};

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
    /// Only for `removal_notice` (where `None` means `standard`).
    pub mode: Option<RemovalMode>,
}

/// A person has read a flagged message (triaged `threat` or `self_harm`)
/// and dealt with it: recorded against the entry.
#[derive(Debug, Clone)]
pub struct NewAcknowledgement {
    /// The triage label acknowledged, e.g. `threat`.
    pub label: String,
    /// The triage engine (name, version and rules digest) that gave the label.
    pub engine: String,
    pub by: String,
    pub note: Option<String>,
}

/// A risk assessment of a case as it stood on `as_of`.
#[derive(Debug, Clone)]
pub struct NewRiskAssessment {
    pub level: RiskLevel,
    /// The contributing factors: an array of objects (`id`, `level`,
    /// `title`, `explanation`).
    pub factors: Value,
    /// The questionnaire's answers (question id → boolean), if any were given.
    pub answers: Option<Value>,
    pub as_of: jiff::civil::Date,
    /// The guidance engine (name, version and rules digest) that assessed it.
    pub engine: String,
    pub trigger: AssessmentTrigger,
    pub by: Option<String>,
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
    match (a.kind, a.mode) {
        (ActionKind::RemovalNotice, mode) => {
            f.insert(
                field::MODE,
                json!(mode.unwrap_or(RemovalMode::Standard).as_str()),
            );
        }
        (_, Some(_)) => return Err(ComposeError::ModeWithoutRemoval),
        (_, None) => {}
    }
    Ok(Record::seal(env, f)?)
}

/// An acknowledgement of a flagged entry (`target`).
pub fn acknowledgement(
    stamp: &Stamp,
    case_id: &str,
    target: &str,
    a: &NewAcknowledgement,
) -> Result<Record, ComposeError> {
    let mut env = envelope(stamp, RecordKind::Acknowledgement, Some(case_id));
    env.target = Some(target.to_string());
    let mut f = BTreeMap::new();
    f.insert(field::LABEL, required("label", &a.label)?);
    f.insert(field::ENGINE, required("engine", &a.engine)?);
    f.insert(field::BY, required("by", &a.by)?);
    f.insert(field::NOTE, optional("note", &a.note)?);
    Ok(Record::seal(env, f)?)
}

/// A risk assessment of a case (no target: it is about the whole case).
pub fn risk_assessment(
    stamp: &Stamp,
    case_id: &str,
    r: &NewRiskAssessment,
) -> Result<Record, ComposeError> {
    if !r.factors.is_array() {
        return Err(ComposeError::Shape("factors", "array"));
    }
    if r.answers.as_ref().is_some_and(|a| !a.is_object()) {
        return Err(ComposeError::Shape("answers", "object"));
    }
    let mut f = BTreeMap::new();
    f.insert(field::LEVEL, json!(r.level.as_str()));
    f.insert(field::FACTORS, r.factors.clone());
    f.insert(field::ANSWERS, r.answers.clone().unwrap_or(Value::Null));
    f.insert(field::AS_OF, json!(r.as_of.to_string()));
    f.insert(field::ENGINE, required("engine", &r.engine)?);
    f.insert(field::TRIGGER, json!(r.trigger.as_str()));
    f.insert(field::BY, optional("by", &r.by)?);
    Ok(Record::seal(
        envelope(stamp, RecordKind::RiskAssessment, Some(case_id)),
        f,
    )?)
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

/// One record an evidence bundle discloses, as the disclosure record lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DisclosedRecord {
    pub id: String,
    /// Its leaf index in the ledger.
    pub leaf: u64,
    /// Fields whose disclosures the bundle leaves out (digests stay).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub withheld: Vec<String>,
}

/// An RFC 3161 token a bundle carries: the checkpoint it covers and the
/// SHA-256 (hex) of its DER bytes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DisclosedTimestamp {
    pub size: u64,
    pub sha256: String,
}

/// What an export handed over, to whom and why: written to the ledger
/// before the bundle is built, and included in the bundle.
#[derive(Debug, Clone)]
pub struct NewDisclosure {
    pub profile: String,
    pub recipient: Option<String>,
    /// Why the bundle was made; required when clinical notes are included.
    pub reason: Option<String>,
    /// Who made the export.
    pub by: String,
    /// The date range asked for: `{"from": "YYYY-MM-DD", "to": "YYYY-MM-DD"}`, either optional.
    pub range: Option<Value>,
    pub include_clinical: bool,
    pub records: Vec<DisclosedRecord>,
    /// Attachment records whose bytes the bundle leaves out.
    pub attachments_withheld: Vec<String>,
    /// The timestamp tokens the bundle carries.
    pub timestamps: Vec<DisclosedTimestamp>,
}

pub fn disclosure(stamp: &Stamp, case_id: &str, d: &NewDisclosure) -> Result<Record, ComposeError> {
    let mut f = BTreeMap::new();
    f.insert(field::PROFILE, required("profile", &d.profile)?);
    f.insert(field::RECIPIENT, optional("recipient", &d.recipient)?);
    f.insert(field::REASON, optional("reason", &d.reason)?);
    f.insert(field::BY, required("exported by", &d.by)?);
    if let Some(range) = &d.range {
        f.insert(field::RANGE, range.clone());
    }
    f.insert(field::INCLUDE_CLINICAL, Value::Bool(d.include_clinical));
    f.insert(
        field::RECORDS,
        serde_json::to_value(&d.records).unwrap_or(Value::Null),
    );
    if !d.attachments_withheld.is_empty() {
        f.insert(field::ATTACHMENTS_WITHHELD, json!(d.attachments_withheld));
    }
    if !d.timestamps.is_empty() {
        f.insert(
            field::TIMESTAMPS,
            serde_json::to_value(&d.timestamps).unwrap_or(Value::Null),
        );
    }
    Ok(Record::seal(
        envelope(stamp, RecordKind::Disclosure, Some(case_id)),
        f,
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::{LedgerRecord, fold_case};

    fn stamp(id: &str) -> Stamp {
        Stamp {
            id: id.to_string(),
            recorded_at: Moment::parse("2026-03-01T12:00:00Z").unwrap(),
        }
    }

    fn act(kind: ActionKind, mode: Option<RemovalMode>) -> NewAction {
        NewAction {
            kind,
            date: When::parse("2026-03-02").unwrap(),
            by: None,
            reference: None,
            notes: None,
            mode,
        }
    }

    const CASE: &str = "case_0000000000000001";

    #[test]
    fn removal_notice_always_carries_a_mode_and_others_never_do() {
        let r = action(&stamp("act_1"), CASE, &act(ActionKind::RemovalNotice, None)).unwrap();
        assert_eq!(r.text(field::MODE), Some("standard"));
        let r = action(
            &stamp("act_2"),
            CASE,
            &act(ActionKind::RemovalNotice, Some(RemovalMode::Immediate)),
        )
        .unwrap();
        assert_eq!(r.text(field::MODE), Some("immediate"));
        for kind in [ActionKind::RemovalWarning, ActionKind::NhsEnglandNotified] {
            let r = action(&stamp("act_3"), CASE, &act(kind, None)).unwrap();
            assert!(!r.envelope.fields.contains_key(field::MODE));
            assert_eq!(r.text(field::KIND), Some(kind.as_str()));
        }
        assert_eq!(
            action(
                &stamp("act_4"),
                CASE,
                &act(ActionKind::RelationshipEnded, Some(RemovalMode::Immediate))
            )
            .unwrap_err(),
            ComposeError::ModeWithoutRemoval
        );
    }

    fn assessment(answers: Option<Value>) -> NewRiskAssessment {
        NewRiskAssessment {
            level: RiskLevel::Urgent,
            factors: json!([{"id": "threat-message", "level": "urgent", "title": "Threatening messages", "explanation": "1 message"}]),
            answers,
            as_of: jiff::civil::date(2026, 3, 9),
            engine: "palisade-guidance test".into(),
            trigger: AssessmentTrigger::LevelChanged,
            by: None,
        }
    }

    #[test]
    fn acknowledgement_and_risk_assessment_records_fold_into_the_view() {
        let opened = case_opened(
            &stamp(CASE),
            CASE,
            &NewCase {
                title: "T".into(),
                subject: "S".into(),
                kind: CaseKind::Other,
                parties: vec![],
                owner: None,
            },
        )
        .unwrap();
        let entry = entry(
            &stamp("ent_1"),
            CASE,
            &NewEntry {
                occurred_at: Moment::parse("2026-03-01T10:00:00Z").unwrap(),
                channel: Channel::Sms,
                direction: Direction::Inbound,
                party: None,
                place: None,
                witnesses: vec![],
                summary: None,
                content: Some("I know where you live".into()),
                clinical: None,
                source: Source::Manual,
            },
        )
        .unwrap();
        let ack = acknowledgement(
            &stamp("ack_1"),
            CASE,
            "ent_1",
            &NewAcknowledgement {
                label: "threat".into(),
                engine: "palisade-guidance test".into(),
                by: "Dr A".into(),
                note: Some("Reported to police".into()),
            },
        )
        .unwrap();
        assert_eq!(ack.envelope.target.as_deref(), Some("ent_1"));
        assert_eq!(ack.envelope.kind, RecordKind::Acknowledgement);
        let risk = risk_assessment(&stamp("risk_1"), CASE, &assessment(None)).unwrap();
        assert_eq!(risk.envelope.target, None);
        assert!(!risk.envelope.fields.contains_key(field::ANSWERS));
        assert_eq!(risk.text(field::AS_OF), Some("2026-03-09"));
        let answered = risk_assessment(
            &stamp("risk_2"),
            CASE,
            &assessment(Some(json!({"afraid": true}))),
        )
        .unwrap();
        assert_eq!(
            risk_assessment(&stamp("risk_3"), CASE, &assessment(Some(json!([true])))).unwrap_err(),
            ComposeError::Shape("answers", "object")
        );
        let records: Vec<LedgerRecord> = [opened, entry, ack, answered, risk]
            .into_iter()
            .enumerate()
            .map(|(i, record)| LedgerRecord {
                leaf_index: i as u64 + 1,
                record,
            })
            .collect();
        let v = fold_case(CASE, &records).unwrap();
        let e = v.entry("ent_1").unwrap();
        assert_eq!(e.acknowledgements.len(), 1);
        assert_eq!(e.acknowledgements[0].label, "threat");
        assert_eq!(e.acknowledgements[0].by.as_deref(), Some("Dr A"));
        assert_eq!(v.assessments.len(), 2);
        assert_eq!(v.latest_assessment().unwrap().id, "risk_1");
        assert_eq!(v.latest_answers(), Some(&json!({"afraid": true})));
        assert_eq!(v.assessments[0].trigger, "level_changed");

        // An acknowledgement must point at an entry of the case.
        let stray = acknowledgement(
            &stamp("ack_2"),
            CASE,
            "ent_404",
            &NewAcknowledgement {
                label: "threat".into(),
                engine: "e".into(),
                by: "Dr A".into(),
                note: None,
            },
        )
        .unwrap();
        let mut bad = records.clone();
        bad.push(LedgerRecord {
            leaf_index: 9,
            record: stray,
        });
        assert!(fold_case(CASE, &bad).is_err());
    }
}
