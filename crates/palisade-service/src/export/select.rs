//! Which records of a case a bundle discloses, and what it withholds of each.

use palisade_bundle::Profile;
use palisade_core::domain::{ActionKind, RecordKind, field};
use palisade_core::record::Record;
use palisade_core::view::CaseView;
use palisade_store::StoredRecord;
use std::collections::{BTreeMap, BTreeSet};

/// A date range on the day a contact or action happened, in its own offset.
#[derive(Debug, Clone, Copy, Default)]
pub struct Range {
    pub from: Option<jiff::civil::Date>,
    pub to: Option<jiff::civil::Date>,
}

impl Range {
    /// Whether the day of an RFC 3339 time or `YYYY-MM-DD` date is inside.
    fn contains(&self, when: &str) -> bool {
        let Some(day) = when
            .get(..10)
            .and_then(|d| d.parse::<jiff::civil::Date>().ok())
        else {
            return self.from.is_none() && self.to.is_none();
        };
        self.from.is_none_or(|f| day >= f) && self.to.is_none_or(|t| day <= t)
    }

    pub fn is_all(&self) -> bool {
        self.from.is_none() && self.to.is_none()
    }
}

/// One record the bundle carries.
#[derive(Clone)]
pub struct Chosen<'a> {
    pub row: &'a StoredRecord,
    pub record: &'a Record,
    pub withheld: Vec<String>,
    /// For attachments: why the bytes are left out.
    pub bytes_withheld: Option<&'static str>,
}

/// Whether a profile carries acknowledgements and risk assessments.
pub fn includes_judgement(profile: Profile) -> bool {
    matches!(profile, Profile::Defence | Profile::Full)
}

/// Whether a profile carries the case's internal administration: shares
/// with users of the practice and flags published for colleagues.
pub fn includes_administration(profile: Profile) -> bool {
    matches!(profile, Profile::Defence | Profile::Full)
}

/// The records to disclose, in leaf order.
pub fn choose<'a>(
    rows: &'a [(StoredRecord, Record)],
    view: &CaseView,
    profile: Profile,
    include_clinical: bool,
    range: Range,
) -> Vec<Chosen<'a>> {
    // Entries by their (corrected) time, actions by their date.
    let mut keep: BTreeSet<&str> = BTreeSet::new();
    for e in view
        .entries
        .iter()
        .filter(|e| range.contains(&e.occurred_at))
    {
        keep.insert(e.id.as_str());
    }
    // A psychiatric referral is itself clinical information: where the profile
    // withholds clinical information, the whole action (and its files) stays out.
    let clinical_out = profile.withholds_clinical(include_clinical);
    for a in view.actions.iter().filter(|a| range.contains(&a.date)) {
        if clinical_out && a.kind == ActionKind::PsychiatricReferral.as_str() {
            continue;
        }
        keep.insert(a.id.as_str());
    }
    // The physical evidence register is evidence: every profile carries the
    // items received in the range, with their photographs and custody.
    for x in view
        .exhibits
        .iter()
        .filter(|x| range.contains(&x.received_at))
    {
        keep.insert(x.id.as_str());
    }
    let administration = includes_administration(profile);
    // Acknowledgements of flagged messages and risk assessments record the
    // doctor's own judgement of the risk (and can reveal clinical concern,
    // e.g. about self-harm): only the doctor's adviser and the full copy get them.
    let judgement = includes_judgement(profile);
    let assessments: BTreeSet<&str> = if judgement {
        view.assessments
            .iter()
            .filter(|a| range.contains(&a.as_of))
            .map(|a| a.id.as_str())
            .collect()
    } else {
        BTreeSet::new()
    };
    let by_id: BTreeMap<&str, &Record> = rows
        .iter()
        .map(|(_, r)| (r.envelope.id.as_str(), r))
        .collect();
    // Imports that the chosen entries came from.
    let imports: BTreeSet<String> = rows
        .iter()
        .filter(|(_, r)| keep.contains(r.envelope.id.as_str()))
        .filter_map(|(_, r)| {
            r.value(field::SOURCE)?
                .get("import")?
                .as_str()
                .map(str::to_string)
        })
        .collect();
    let mut out = Vec::new();
    for (row, record) in rows {
        let env = &record.envelope;
        let target = env.target.as_deref();
        let chosen = match env.kind {
            RecordKind::CaseOpened | RecordKind::CaseClosed => true,
            RecordKind::Entry | RecordKind::Action | RecordKind::Exhibit => {
                keep.contains(env.id.as_str())
            }
            RecordKind::Custody => target.is_some_and(|t| keep.contains(t)),
            RecordKind::Share
            | RecordKind::ShareRevoked
            | RecordKind::Flag
            | RecordKind::FlagWithdrawn => administration,
            RecordKind::Import => imports.contains(&env.id),
            RecordKind::Correction | RecordKind::Retraction => {
                target.is_some_and(|t| keep.contains(t))
            }
            RecordKind::Attachment => {
                target.is_some_and(|t| keep.contains(t) || imports.contains(t))
            }
            RecordKind::Acknowledgement => judgement && target.is_some_and(|t| keep.contains(t)),
            RecordKind::RiskAssessment => assessments.contains(env.id.as_str()),
            // Earlier bundles are not this recipient's business.
            RecordKind::Disclosure | RecordKind::LedgerInitialised => false,
        };
        if !chosen {
            continue;
        }
        let bytes_withheld = if env.kind == RecordKind::Attachment {
            profile
                .withholds_attachment(include_clinical, target.and_then(|t| by_id.get(t).copied()))
        } else {
            None
        };
        out.push(Chosen {
            row,
            record,
            withheld: profile.withheld_fields(include_clinical, record),
            bytes_withheld,
        });
    }
    out
}
