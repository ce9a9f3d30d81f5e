//! Views: what a case looks like now, folded from its records. Records are
//! never changed; corrections and retractions are applied here, and every
//! entry keeps its history.

use crate::domain::{RecordKind, field};
use crate::record::Record;
use crate::time::{Moment, When};
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

mod register;
mod sharing;

pub use register::{CustodyView, ExhibitView};
pub use sharing::{FlagView, RevocationView, ShareView};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ViewError {
    #[error("record {0} does not belong to this case")]
    ForeignRecord(String),
    #[error("case has no opening record")]
    NotOpened,
    #[error("record {id} refers to {target}, which is not an earlier record of this case")]
    DanglingTarget { id: String, target: String },
    #[error("record {id} ends {target}, which an earlier record already ended")]
    AlreadyEnded { id: String, target: String },
}

/// A record with its position in the ledger.
#[derive(Debug, Clone)]
pub struct LedgerRecord {
    pub leaf_index: u64,
    pub record: Record,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryState {
    Original,
    Corrected,
    Retracted,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttachmentView {
    pub id: String,
    pub leaf_index: u64,
    pub sha256: String,
    pub size: u64,
    pub media_type: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RevisionView {
    pub id: String,
    pub leaf_index: u64,
    #[serde(rename = "type")]
    pub kind: RecordKind,
    pub recorded_at: String,
    pub reason: Option<String>,
    /// The values this revision set (empty for a retraction).
    pub changed: BTreeMap<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntryView {
    pub id: String,
    pub leaf_index: u64,
    /// The Merkle leaf hash of the entry as first recorded (lower-case hex):
    /// what an inclusion proof and an evidence bundle commit to.
    pub leaf_hash: String,
    pub occurred_at: String,
    pub recorded_at: String,
    pub channel: String,
    pub direction: Option<String>,
    pub party: Option<String>,
    pub place: Option<String>,
    pub witnesses: Vec<String>,
    pub summary: Option<String>,
    pub content: Option<String>,
    pub clinical: Option<String>,
    pub source: Value,
    pub attachments: Vec<AttachmentView>,
    /// What people recorded about this entry's triage flag, in ledger order.
    pub acknowledgements: Vec<AcknowledgementView>,
    /// The triage of the entry's words, attached when the case is read for
    /// people (never stored: it follows from `content` and the engine).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub triage: Option<EntryTriage>,
    pub state: EntryState,
    /// Corrections and retractions, oldest first.
    pub history: Vec<RevisionView>,
    /// The entry as first recorded, when it has since been corrected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original: Option<BTreeMap<String, Value>>,
}

/// Message triage of one entry, as the reader computed it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntryTriage {
    /// `clinical`, `admin`, `personal`, `abusive`, `threat` or `self_harm`.
    pub label: String,
    /// The evidence that decided it: objects with `label`, `feature`,
    /// `matched` and `negated`.
    pub reasons: Value,
    /// The engine that classified it (name, version and rules digest).
    pub engine: String,
    /// Whether someone has acknowledged this label on this entry.
    pub acknowledged: bool,
}

/// A person's acknowledgement of an entry's triage flag.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AcknowledgementView {
    pub id: String,
    pub leaf_index: u64,
    pub recorded_at: String,
    pub label: String,
    pub engine: String,
    pub by: Option<String>,
    pub note: Option<String>,
}

/// A recorded risk assessment of the case.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssessmentView {
    pub id: String,
    pub leaf_index: u64,
    pub recorded_at: String,
    pub level: String,
    pub factors: Value,
    pub answers: Option<Value>,
    pub as_of: String,
    pub engine: String,
    /// `questionnaire` or `level_changed`.
    pub trigger: String,
    pub by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActionView {
    pub id: String,
    pub leaf_index: u64,
    pub kind: String,
    pub date: String,
    pub recorded_at: String,
    pub by: Option<String>,
    pub reference: Option<String>,
    pub notes: Option<String>,
    /// For `removal_notice`: `standard` or `immediate`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    pub attachments: Vec<AttachmentView>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseView {
    pub id: String,
    pub leaf_index: u64,
    pub title: String,
    pub subject: String,
    pub kind: String,
    pub status: String,
    pub owner: Option<String>,
    pub parties: Value,
    pub opened_at: String,
    pub closed_at: Option<String>,
    pub close_reason: Option<String>,
    /// Chronological by `occurred_at` (as corrected), ties by ledger order.
    pub entries: Vec<EntryView>,
    /// Chronological by date.
    pub actions: Vec<ActionView>,
    /// Imports of message exports, in ledger order.
    pub imports: Vec<ImportView>,
    /// Evidence bundles made from this case, in ledger order.
    pub disclosures: Vec<DisclosureView>,
    /// Risk assessments recorded, in ledger order.
    pub assessments: Vec<AssessmentView>,
    /// Every share of the case with a user, revoked or not, in ledger order.
    pub shares: Vec<ShareView>,
    /// Every flag published for colleagues, withdrawn or not, in ledger order.
    pub flags: Vec<FlagView>,
    /// The physical evidence register, in ledger order.
    pub exhibits: Vec<ExhibitView>,
    pub records: u64,
}

/// An evidence bundle handed over: to whom, under which profile, by whom.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DisclosureView {
    pub id: String,
    pub leaf_index: u64,
    pub recorded_at: String,
    pub profile: String,
    pub recipient: Option<String>,
    pub reason: Option<String>,
    pub by: Option<String>,
    pub include_clinical: bool,
    /// How many records the bundle disclosed.
    pub records: usize,
}

/// An import of a message export: the original files are its attachments.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportView {
    pub id: String,
    pub leaf_index: u64,
    pub recorded_at: String,
    pub format: String,
    pub files: Value,
    pub tz: String,
    pub date_order: Option<String>,
    pub me: Option<String>,
    pub counts: Value,
    pub attachments: Vec<AttachmentView>,
}

impl CaseView {
    /// Entries that are not retracted.
    pub fn live_entries(&self) -> impl Iterator<Item = &EntryView> {
        self.entries
            .iter()
            .filter(|e| e.state != EntryState::Retracted)
    }

    /// The `occurred_at` of the latest live entry.
    pub fn last_contact(&self) -> Option<&str> {
        self.live_entries()
            .max_by_key(|e| sort_key(&e.occurred_at))
            .map(|e| e.occurred_at.as_str())
    }

    pub fn entry(&self, id: &str) -> Option<&EntryView> {
        self.entries.iter().find(|e| e.id == id)
    }

    /// The risk assessment recorded last.
    pub fn latest_assessment(&self) -> Option<&AssessmentView> {
        self.assessments.last()
    }

    /// Whether the case is shared with `user_id` now (a share not revoked).
    pub fn shared_with(&self, user_id: &str) -> bool {
        self.active_share(user_id).is_some()
    }

    /// The share that lets `user_id` read the case now, if there is one.
    pub fn active_share(&self, user_id: &str) -> Option<&ShareView> {
        self.shares
            .iter()
            .find(|s| s.is_active() && s.user == user_id)
    }

    /// Flags for colleagues that are not withdrawn, in ledger order.
    pub fn active_flags(&self) -> impl Iterator<Item = &FlagView> {
        self.flags.iter().filter(|f| f.is_active())
    }

    pub fn flag(&self, id: &str) -> Option<&FlagView> {
        self.flags.iter().find(|f| f.id == id)
    }

    pub fn exhibit(&self, id: &str) -> Option<&ExhibitView> {
        self.exhibits.iter().find(|x| x.id == id)
    }

    pub fn is_closed(&self) -> bool {
        self.closed_at.is_some()
    }

    /// The questionnaire answers of the latest assessment that has any.
    pub fn latest_answers(&self) -> Option<&Value> {
        self.assessments
            .iter()
            .rev()
            .find_map(|a| a.answers.as_ref())
    }
}

fn text(r: &Record, name: &str) -> Option<String> {
    r.text(name).map(str::to_string)
}

fn strings(r: &Record, name: &str) -> Vec<String> {
    match r.value(name) {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

fn sort_key(s: &str) -> i128 {
    When::parse(s)
        .map(|w| w.sort_key())
        .or_else(|_| Moment::parse(s).map(|m| m.sort_key()))
        .unwrap_or(i128::MAX)
}

impl AttachmentView {
    /// The view of an attachment record at `leaf_index`.
    pub fn from_record(leaf_index: u64, r: &Record) -> Self {
        AttachmentView {
            id: r.envelope.id.clone(),
            leaf_index,
            sha256: text(r, field::SHA256).unwrap_or_default(),
            size: r.value(field::SIZE).and_then(Value::as_u64).unwrap_or(0),
            media_type: text(r, field::MEDIA_TYPE).unwrap_or_default(),
            name: text(r, field::NAME).unwrap_or_default(),
        }
    }
}

fn entry_fields(e: &EntryView) -> BTreeMap<String, Value> {
    let mut m = BTreeMap::new();
    m.insert("occurred_at".into(), Value::from(e.occurred_at.clone()));
    m.insert("channel".into(), Value::from(e.channel.clone()));
    let opt = |v: &Option<String>| v.clone().map(Value::from).unwrap_or(Value::Null);
    m.insert(field::DIRECTION.into(), opt(&e.direction));
    m.insert(field::PARTY.into(), opt(&e.party));
    m.insert(field::PLACE.into(), opt(&e.place));
    m.insert(field::WITNESSES.into(), Value::from(e.witnesses.clone()));
    m.insert(field::SUMMARY.into(), opt(&e.summary));
    m.insert(field::CONTENT.into(), opt(&e.content));
    m.insert(field::CLINICAL.into(), opt(&e.clinical));
    m
}

fn apply_correction(e: &mut EntryView, r: &Record) -> BTreeMap<String, Value> {
    let mut changed = BTreeMap::new();
    if let Some(t) = &r.envelope.occurred_at {
        e.occurred_at = t.clone();
        changed.insert("occurred_at".into(), Value::from(t.clone()));
    }
    if let Some(c) = &r.envelope.channel {
        e.channel = c.clone();
        changed.insert("channel".into(), Value::from(c.clone()));
    }
    for d in &r.disclosures {
        if !field::CORRECTABLE.contains(&d.name.as_str()) {
            continue;
        }
        changed.insert(d.name.clone(), d.value.clone());
        let s = d.value.as_str().map(str::to_string);
        match d.name.as_str() {
            field::DIRECTION => e.direction = s,
            field::PARTY => e.party = s,
            field::PLACE => e.place = s,
            field::SUMMARY => e.summary = s,
            field::CONTENT => e.content = s,
            field::CLINICAL => e.clinical = s,
            field::WITNESSES => e.witnesses = strings(r, field::WITNESSES),
            _ => {}
        }
    }
    changed
}

/// Fold a case's records (in ledger order) into its current view.
pub fn fold_case(case_id: &str, records: &[LedgerRecord]) -> Result<CaseView, ViewError> {
    let mut view: Option<CaseView> = None;
    let mut entries: Vec<EntryView> = Vec::new();
    let mut entry_pos: HashMap<String, usize> = HashMap::new();
    let mut actions: Vec<ActionView> = Vec::new();
    let mut action_pos: HashMap<String, usize> = HashMap::new();
    let mut imports: Vec<ImportView> = Vec::new();
    let mut disclosures: Vec<DisclosureView> = Vec::new();
    let mut import_pos: HashMap<String, usize> = HashMap::new();
    let mut assessments: Vec<AssessmentView> = Vec::new();
    let mut sharing = sharing::SharingFold::default();
    let mut register = register::RegisterFold::default();
    for lr in records {
        let r = &lr.record;
        let env = &r.envelope;
        if env.case.as_deref() != Some(case_id) {
            return Err(ViewError::ForeignRecord(env.id.clone()));
        }
        let dangling = || ViewError::DanglingTarget {
            id: env.id.clone(),
            target: env.target.clone().unwrap_or_default(),
        };
        match env.kind {
            RecordKind::CaseOpened => {
                view = Some(CaseView {
                    id: case_id.to_string(),
                    leaf_index: lr.leaf_index,
                    title: text(r, field::TITLE).unwrap_or_default(),
                    subject: text(r, field::SUBJECT).unwrap_or_default(),
                    kind: text(r, field::KIND).unwrap_or_default(),
                    status: "open".into(),
                    owner: text(r, field::OWNER),
                    parties: r
                        .value(field::PARTIES)
                        .cloned()
                        .unwrap_or(Value::Array(vec![])),
                    opened_at: env.recorded_at.clone(),
                    closed_at: None,
                    close_reason: None,
                    entries: Vec::new(),
                    actions: Vec::new(),
                    imports: Vec::new(),
                    disclosures: Vec::new(),
                    assessments: Vec::new(),
                    shares: Vec::new(),
                    flags: Vec::new(),
                    exhibits: Vec::new(),
                    records: 0,
                });
            }
            RecordKind::CaseClosed => {
                let v = view.as_mut().ok_or(ViewError::NotOpened)?;
                v.status = "closed".into();
                v.closed_at = Some(env.recorded_at.clone());
                v.close_reason = text(r, field::REASON);
            }
            RecordKind::Entry => {
                entry_pos.insert(env.id.clone(), entries.len());
                entries.push(EntryView {
                    id: env.id.clone(),
                    leaf_index: lr.leaf_index,
                    leaf_hash: hex_lower(&env.leaf_hash()),
                    occurred_at: env.occurred_at.clone().unwrap_or_default(),
                    recorded_at: env.recorded_at.clone(),
                    channel: env.channel.clone().unwrap_or_default(),
                    direction: text(r, field::DIRECTION),
                    party: text(r, field::PARTY),
                    place: text(r, field::PLACE),
                    witnesses: strings(r, field::WITNESSES),
                    summary: text(r, field::SUMMARY),
                    content: text(r, field::CONTENT),
                    clinical: text(r, field::CLINICAL),
                    source: r
                        .value(field::SOURCE)
                        .cloned()
                        .unwrap_or_else(|| serde_json::json!({"kind": "manual"})),
                    attachments: Vec::new(),
                    acknowledgements: Vec::new(),
                    triage: None,
                    state: EntryState::Original,
                    history: Vec::new(),
                    original: None,
                });
            }
            RecordKind::Action => {
                action_pos.insert(env.id.clone(), actions.len());
                actions.push(ActionView {
                    id: env.id.clone(),
                    leaf_index: lr.leaf_index,
                    kind: text(r, field::KIND).unwrap_or_default(),
                    date: env.occurred_at.clone().unwrap_or_default(),
                    recorded_at: env.recorded_at.clone(),
                    by: text(r, field::BY),
                    reference: text(r, field::REFERENCE),
                    notes: text(r, field::NOTES),
                    mode: text(r, field::MODE),
                    attachments: Vec::new(),
                });
            }
            RecordKind::Attachment => {
                let target = env.target.as_deref().ok_or_else(dangling)?;
                let a = AttachmentView::from_record(lr.leaf_index, r);
                if let Some(&i) = entry_pos.get(target) {
                    entries[i].attachments.push(a);
                } else if let Some(&i) = action_pos.get(target) {
                    actions[i].attachments.push(a);
                } else if let Some(&i) = import_pos.get(target) {
                    imports[i].attachments.push(a);
                } else if let Some(x) = register.exhibit_mut(target) {
                    x.attachments.push(a);
                } else {
                    return Err(dangling());
                }
            }
            RecordKind::Correction | RecordKind::Retraction => {
                let target = env.target.as_deref().ok_or_else(dangling)?;
                let &i = entry_pos.get(target).ok_or_else(dangling)?;
                let e = &mut entries[i];
                let changed = if env.kind == RecordKind::Correction {
                    if e.original.is_none() {
                        e.original = Some(entry_fields(e));
                    }
                    if e.state == EntryState::Original {
                        e.state = EntryState::Corrected;
                    }
                    apply_correction(e, r)
                } else {
                    e.state = EntryState::Retracted;
                    BTreeMap::new()
                };
                e.history.push(RevisionView {
                    id: env.id.clone(),
                    leaf_index: lr.leaf_index,
                    kind: env.kind,
                    recorded_at: env.recorded_at.clone(),
                    reason: text(r, field::REASON),
                    changed,
                });
            }
            RecordKind::Import => {
                import_pos.insert(env.id.clone(), imports.len());
                imports.push(ImportView {
                    id: env.id.clone(),
                    leaf_index: lr.leaf_index,
                    recorded_at: env.recorded_at.clone(),
                    format: text(r, field::FORMAT).unwrap_or_default(),
                    files: r
                        .value(field::FILES)
                        .cloned()
                        .unwrap_or(Value::Array(vec![])),
                    tz: text(r, field::TZ).unwrap_or_default(),
                    date_order: text(r, field::DATE_ORDER),
                    me: text(r, field::ME),
                    counts: r.value(field::COUNTS).cloned().unwrap_or(Value::Null),
                    attachments: Vec::new(),
                });
            }
            RecordKind::Disclosure => disclosures.push(DisclosureView {
                id: env.id.clone(),
                leaf_index: lr.leaf_index,
                recorded_at: env.recorded_at.clone(),
                profile: text(r, field::PROFILE).unwrap_or_default(),
                recipient: text(r, field::RECIPIENT),
                reason: text(r, field::REASON),
                by: text(r, field::BY),
                include_clinical: r.value(field::INCLUDE_CLINICAL) == Some(&Value::Bool(true)),
                records: r
                    .value(field::RECORDS)
                    .and_then(Value::as_array)
                    .map_or(0, Vec::len),
            }),
            RecordKind::Acknowledgement => {
                let target = env.target.as_deref().ok_or_else(dangling)?;
                let &i = entry_pos.get(target).ok_or_else(dangling)?;
                entries[i].acknowledgements.push(AcknowledgementView {
                    id: env.id.clone(),
                    leaf_index: lr.leaf_index,
                    recorded_at: env.recorded_at.clone(),
                    label: text(r, field::LABEL).unwrap_or_default(),
                    engine: text(r, field::ENGINE).unwrap_or_default(),
                    by: text(r, field::BY),
                    note: text(r, field::NOTE),
                });
            }
            RecordKind::RiskAssessment => assessments.push(AssessmentView {
                id: env.id.clone(),
                leaf_index: lr.leaf_index,
                recorded_at: env.recorded_at.clone(),
                level: text(r, field::LEVEL).unwrap_or_default(),
                factors: r
                    .value(field::FACTORS)
                    .cloned()
                    .unwrap_or(Value::Array(vec![])),
                answers: r.value(field::ANSWERS).cloned(),
                as_of: text(r, field::AS_OF).unwrap_or_default(),
                engine: text(r, field::ENGINE).unwrap_or_default(),
                trigger: text(r, field::TRIGGER).unwrap_or_default(),
                by: text(r, field::BY),
            }),
            RecordKind::Share
            | RecordKind::ShareRevoked
            | RecordKind::Flag
            | RecordKind::FlagWithdrawn => sharing.fold(lr)?,
            RecordKind::Exhibit | RecordKind::Custody => register.fold(lr)?,
            RecordKind::LedgerInitialised => return Err(ViewError::ForeignRecord(env.id.clone())),
        }
    }
    let mut v = view.ok_or(ViewError::NotOpened)?;
    entries.sort_by_key(|e| (sort_key(&e.occurred_at), e.leaf_index));
    actions.sort_by_key(|a| (sort_key(&a.date), a.leaf_index));
    v.entries = entries;
    v.actions = actions;
    v.imports = imports;
    v.disclosures = disclosures;
    v.assessments = assessments;
    v.shares = sharing.shares;
    v.flags = sharing.flags;
    v.exhibits = register.exhibits;
    v.records = records.len() as u64;
    Ok(v)
}

fn hex_lower(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}
