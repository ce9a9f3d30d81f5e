//! Disclosure profiles: who a bundle is for decides what it withholds.
//!
//! Withholding is per field (the digest stays, so the record is still
//! provably complete) and, for attachments, per file (the attachment record
//! and its hash stay; the bytes are left out).

use palisade_core::domain::{ActionKind, RecordKind, field};
use palisade_core::record::Record;
use std::fmt;
use std::str::FromStr;

/// Who a bundle is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Profile {
    /// The defence organisation advising the doctor: everything, clinical notes included.
    Defence,
    /// The police: clinical information withheld unless explicitly included with a reason.
    Police,
    /// A practice manager, partner or medical director: clinical information withheld.
    Manager,
    /// The General Medical Council: clinical information withheld unless included with a reason.
    Gmc,
    /// Everything, for the doctor's own copy or a court order.
    Full,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("unknown profile '{0}'; use one of: defence, police, manager, gmc, full")]
pub struct UnknownProfile(pub String);

impl Profile {
    pub const ALL: &'static [Profile] = &[
        Profile::Defence,
        Profile::Police,
        Profile::Manager,
        Profile::Gmc,
        Profile::Full,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Defence => "defence",
            Profile::Police => "police",
            Profile::Manager => "manager",
            Profile::Gmc => "gmc",
            Profile::Full => "full",
        }
    }

    /// Whether clinical information is withheld, given `--include-clinical`.
    pub fn withholds_clinical(self, include_clinical: bool) -> bool {
        match self {
            Profile::Defence | Profile::Full => false,
            Profile::Police | Profile::Manager | Profile::Gmc => !include_clinical,
        }
    }

    /// Whether `--include-clinical` means anything for this profile.
    pub fn can_include_clinical(self) -> bool {
        matches!(self, Profile::Police | Profile::Manager | Profile::Gmc)
    }

    /// Whether the original export files of imports travel with the bundle.
    /// They hold whole conversations, beyond the entries chosen, so only the
    /// doctor's own adviser and the full copy carry them.
    pub fn includes_export_originals(self) -> bool {
        matches!(self, Profile::Defence | Profile::Full)
    }

    /// One sentence for the manifest, the report and the verifier's summary.
    pub fn description(self, include_clinical: bool) -> String {
        let clinical = if self.withholds_clinical(include_clinical) {
            "clinical notes and psychiatric referral notes are withheld (their digests remain, so \
             the records are still provably complete)"
        } else if self.can_include_clinical() {
            "clinical notes are included, with a reason recorded in the disclosure record"
        } else {
            "clinical notes are included"
        };
        let originals = if self.includes_export_originals() {
            "original export files are included"
        } else {
            "original export files (whole conversations) are withheld; their SHA-256 hashes remain"
        };
        let who = match self {
            Profile::Defence => "For the defence organisation advising the doctor",
            Profile::Police => "For the police: minimum necessary disclosure",
            Profile::Manager => "For the practice manager, partners or medical director",
            Profile::Gmc => "For the General Medical Council",
            Profile::Full => "The complete record",
        };
        format!("{who}; {clinical}; {originals}.")
    }

    /// The fields of `record` this profile leaves undisclosed, sorted.
    pub fn withheld_fields(self, include_clinical: bool, record: &Record) -> Vec<String> {
        if !self.withholds_clinical(include_clinical) {
            return Vec::new();
        }
        let env = &record.envelope;
        let mut out: Vec<String> = field::CLINICAL_FIELDS
            .iter()
            .filter(|f| env.fields.contains_key(**f))
            .map(|f| (*f).to_string())
            .collect();
        if is_clinical_action(record) && env.fields.contains_key(field::NOTES) {
            out.push(field::NOTES.to_string());
        }
        out.sort();
        out
    }

    /// Why the bytes of an attachment are left out, if they are. `target` is
    /// the record the attachment belongs to.
    pub fn withholds_attachment(
        self,
        include_clinical: bool,
        target: Option<&Record>,
    ) -> Option<&'static str> {
        let target = target?;
        match target.envelope.kind {
            RecordKind::Import if !self.includes_export_originals() => {
                Some("original export file: holds whole conversations")
            }
            RecordKind::Action
                if is_clinical_action(target) && self.withholds_clinical(include_clinical) =>
            {
                Some("clinical: attached to a psychiatric referral")
            }
            _ => None,
        }
    }
}

/// A psychiatric referral's notes and attachments are clinical information.
fn is_clinical_action(record: &Record) -> bool {
    record.envelope.kind == RecordKind::Action
        && record.text(field::KIND) == Some(ActionKind::PsychiatricReferral.as_str())
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Profile {
    type Err = UnknownProfile;
    fn from_str(s: &str) -> Result<Self, UnknownProfile> {
        Profile::ALL
            .iter()
            .copied()
            .find(|p| p.as_str() == s.trim())
            .ok_or_else(|| UnknownProfile(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_are_explained() {
        for p in Profile::ALL {
            assert_eq!(p.as_str().parse::<Profile>(), Ok(*p));
        }
        let e = "press".parse::<Profile>().unwrap_err().to_string();
        assert!(e.contains("'press'") && e.contains("police"), "{e}");
    }

    #[test]
    fn clinical_policy() {
        assert!(Profile::Police.withholds_clinical(false));
        assert!(!Profile::Police.withholds_clinical(true));
        assert!(Profile::Manager.withholds_clinical(false));
        assert!(Profile::Gmc.withholds_clinical(false));
        assert!(!Profile::Defence.withholds_clinical(false));
        assert!(!Profile::Full.withholds_clinical(false));
        assert!(!Profile::Full.can_include_clinical());
    }
}
