//! The vocabulary of a case: the closed lists a record may use, and the
//! shapes of what a user asks to record (a new case, a contact entry, an
//! action, a correction).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("unknown {what} '{given}' (expected one of: {allowed})")]
pub struct UnknownValue {
    pub what: &'static str,
    pub given: String,
    pub allowed: String,
}

/// Defines a closed list of lower-snake-case values with parsing and display.
macro_rules! closed_list {
    ($(#[$meta:meta])* $name:ident, $what:literal, { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl FromStr for $name {
            type Err = UnknownValue;
            fn from_str(s: &str) -> Result<Self, UnknownValue> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(UnknownValue {
                        what: $what,
                        given: s.to_string(),
                        allowed: [$($text),+].join(", "),
                    }),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

closed_list!(
    /// How a contact reached the clinician (or where it happened).
    Channel, "channel", {
        PhoneCall => "phone_call",
        Voicemail => "voicemail",
        Sms => "sms",
        Whatsapp => "whatsapp",
        Email => "email",
        Facebook => "facebook",
        Instagram => "instagram",
        X => "x",
        Linkedin => "linkedin",
        DatingApp => "dating_app",
        OtherSocial => "other_social",
        Letter => "letter",
        Gift => "gift",
        InPersonPractice => "in_person_practice",
        InPersonElsewhere => "in_person_elsewhere",
        AtHome => "at_home",
        OnlineReview => "online_review",
        ThirdParty => "third_party",
        Other => "other",
    }
);

closed_list!(
    /// Who a contact came from: the patient or a party (`inbound`) or the clinician (`outbound`).
    Direction, "direction", {
        Inbound => "inbound",
        Outbound => "outbound",
    }
);

closed_list!(
    /// The pattern of the behaviour.
    CaseKind, "case kind", {
        Amorous => "amorous",
        Grievance => "grievance",
        Abuse => "abuse",
        Stalking => "stalking",
        Other => "other",
    }
);

closed_list!(
    CaseStatus, "case status", {
        Open => "open",
        Closed => "closed",
    }
);

closed_list!(
    /// A step taken about the case, as the defence organisations describe them.
    ActionKind, "action kind", {
        AskedToStop => "asked_to_stop",
        InformedManager => "informed_manager",
        ManagerLetter => "manager_letter",
        DefenceOrgContacted => "defence_org_contacted",
        CareTransferred => "care_transferred",
        RelationshipEnded => "relationship_ended",
        ChaperoneRequired => "chaperone_required",
        PoliceReported => "police_reported",
        ColleaguesWarned => "colleagues_warned",
        PsychiatricReferral => "psychiatric_referral",
        SecurityMeasure => "security_measure",
        RemovalWarning => "removal_warning",
        RemovalNotice => "removal_notice",
        NhsEnglandNotified => "nhs_england_notified",
        Other => "other",
    }
);

closed_list!(
    /// How a removal from a GP list takes effect (the `mode` of a
    /// `removal_notice` action): after a warning, on the eighth day after
    /// notice (`standard`), or at once for violence or fear for safety
    /// (`immediate`, which needs a police incident number).
    RemovalMode, "removal mode", {
        Standard => "standard",
        Immediate => "immediate",
    }
);

closed_list!(
    /// The level of a recorded risk assessment.
    RiskLevel, "risk level", {
        Standard => "standard",
        Elevated => "elevated",
        High => "high",
        Urgent => "urgent",
    }
);

closed_list!(
    /// Why a risk assessment was recorded: the questionnaire was completed,
    /// or the level computed from the log changed since the last record.
    AssessmentTrigger, "assessment trigger", {
        Questionnaire => "questionnaire",
        LevelChanged => "level_changed",
    }
);

closed_list!(
    /// A party's relation to the case.
    PartyRole, "party role", {
        Patient => "patient",
        Family => "family",
        Friend => "friend",
        Unknown => "unknown",
        Other => "other",
    }
);

closed_list!(
    /// What a ledger record says happened.
    RecordKind, "record type", {
        LedgerInitialised => "ledger_initialised",
        CaseOpened => "case_opened",
        CaseClosed => "case_closed",
        Entry => "entry",
        Action => "action",
        Attachment => "attachment",
        Correction => "correction",
        Retraction => "retraction",
        Import => "import",
        Disclosure => "disclosure",
        Acknowledgement => "acknowledgement",
        RiskAssessment => "risk_assessment",
        Share => "share",
        ShareRevoked => "share_revoked",
        Flag => "flag",
        FlagWithdrawn => "flag_withdrawn",
        Exhibit => "exhibit",
        Custody => "custody",
    }
);

closed_list!(
    /// What kind of thing an item in the physical evidence register is.
    ItemKind, "item kind", {
        Letter => "letter",
        Card => "card",
        Gift => "gift",
        Parcel => "parcel",
        PhotoPrint => "photo_print",
        DigitalMedia => "digital_media",
        Other => "other",
    }
);

/// A person involved in the case other than the clinician.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    pub name: String,
    pub role: PartyRole,
}

impl FromStr for Party {
    type Err = UnknownValue;
    /// `NAME` (a patient) or `ROLE:NAME`, e.g. `family:Mother of AB`.
    fn from_str(s: &str) -> Result<Self, UnknownValue> {
        match s.split_once(':') {
            Some((role, name)) if PartyRole::from_str(role.trim()).is_ok() => Ok(Party {
                role: role.trim().parse()?,
                name: name.trim().to_string(),
            }),
            _ => Ok(Party {
                role: PartyRole::Patient,
                name: s.trim().to_string(),
            }),
        }
    }
}

/// Where an entry came from: typed by hand, or imported from an export file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Source {
    Manual,
    Import {
        /// The id of the import record that carries the original file.
        import: String,
        /// SHA-256 (hex) of the original export file.
        file_sha256: String,
        /// Where in that file: a line number, byte offset or JSON path.
        locator: String,
    },
}

/// Fields are the names used in record disclosures; `clinical` is the one
/// kept apart so a disclosure can withhold it.
pub mod field {
    pub const TITLE: &str = "title";
    pub const SUBJECT: &str = "subject";
    pub const KIND: &str = "kind";
    pub const PARTIES: &str = "parties";
    pub const OWNER: &str = "owner";
    pub const REASON: &str = "reason";
    pub const DIRECTION: &str = "direction";
    pub const PARTY: &str = "party";
    pub const PLACE: &str = "place";
    pub const WITNESSES: &str = "witnesses";
    pub const SUMMARY: &str = "summary";
    pub const CONTENT: &str = "content";
    pub const CLINICAL: &str = "clinical";
    pub const SOURCE: &str = "source";
    pub const BY: &str = "by";
    pub const REFERENCE: &str = "reference";
    pub const NOTES: &str = "notes";
    pub const SHA256: &str = "sha256";
    pub const SIZE: &str = "size";
    pub const MEDIA_TYPE: &str = "media_type";
    pub const NAME: &str = "name";
    pub const ORIGIN: &str = "origin";
    pub const PUBLIC_KEY: &str = "public_key";
    pub const MASTER_KEY_FINGERPRINT: &str = "master_key_fingerprint";
    pub const SOFTWARE: &str = "software";
    pub const FORMAT: &str = "format";
    pub const FILES: &str = "files";
    pub const TZ: &str = "tz";
    pub const DATE_ORDER: &str = "date_order";
    pub const ME: &str = "me";
    pub const COUNTS: &str = "counts";
    pub const PROFILE: &str = "profile";
    pub const RECIPIENT: &str = "recipient";
    pub const RANGE: &str = "range";
    pub const INCLUDE_CLINICAL: &str = "include_clinical";
    pub const RECORDS: &str = "records";
    pub const ATTACHMENTS_WITHHELD: &str = "attachments_withheld";
    pub const TIMESTAMPS: &str = "timestamps";
    pub const MODE: &str = "mode";
    pub const LABEL: &str = "label";
    pub const ENGINE: &str = "engine";
    pub const NOTE: &str = "note";
    pub const LEVEL: &str = "level";
    pub const FACTORS: &str = "factors";
    pub const ANSWERS: &str = "answers";
    pub const AS_OF: &str = "as_of";
    pub const TRIGGER: &str = "trigger";
    pub const USER: &str = "user";
    pub const USER_NAME: &str = "user_name";
    pub const PATIENT: &str = "patient";
    pub const TEXT: &str = "text";
    pub const DESCRIPTION: &str = "description";
    pub const ITEM_KIND: &str = "item_kind";
    pub const RECEIVED_AT: &str = "received_at";
    pub const RECEIVED_BY: &str = "received_by";
    pub const STORED_AT: &str = "stored_at";
    pub const BAG_NUMBER: &str = "bag_number";
    pub const LINKED_ENTRY: &str = "linked_entry";
    pub const AT: &str = "at";
    pub const FROM: &str = "from";
    pub const TO: &str = "to";
    pub const PURPOSE: &str = "purpose";

    /// Field names whose values are clinical information.
    pub const CLINICAL_FIELDS: &[&str] = &[CLINICAL];

    /// Entry fields a correction may amend (besides `occurred_at` and `channel`,
    /// which live in the envelope).
    pub const CORRECTABLE: &[&str] = &[
        DIRECTION, PARTY, PLACE, WITNESSES, SUMMARY, CONTENT, CLINICAL,
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_lists_roundtrip_and_explain_errors() {
        for c in Channel::ALL {
            assert_eq!(c.as_str().parse::<Channel>().unwrap(), *c);
        }
        assert_eq!(Channel::ALL.len(), 19);
        let e = "carrier_pigeon".parse::<Channel>().unwrap_err();
        assert!(e.to_string().contains("unknown channel 'carrier_pigeon'"));
        assert!(e.to_string().contains("whatsapp"));
        assert_eq!(ActionKind::ALL.len(), 15);
    }

    #[test]
    fn removal_and_guidance_vocabulary() {
        // The kinds the removal process needs, next to the original twelve.
        for (text, kind) in [
            ("removal_warning", ActionKind::RemovalWarning),
            ("removal_notice", ActionKind::RemovalNotice),
            ("nhs_england_notified", ActionKind::NhsEnglandNotified),
            ("relationship_ended", ActionKind::RelationshipEnded),
            ("asked_to_stop", ActionKind::AskedToStop),
        ] {
            assert_eq!(text.parse::<ActionKind>().unwrap(), kind);
            assert_eq!(kind.as_str(), text);
        }
        assert_eq!(ActionKind::ALL.last(), Some(&ActionKind::Other));
        assert_eq!(
            "immediate".parse::<RemovalMode>().unwrap(),
            RemovalMode::Immediate
        );
        assert!("urgent".parse::<RemovalMode>().is_err());
        for k in [RecordKind::Acknowledgement, RecordKind::RiskAssessment] {
            assert_eq!(k.as_str().parse::<RecordKind>().unwrap(), k);
        }
        assert_eq!(RecordKind::ALL.len(), 18);
        let levels: Vec<&str> = RiskLevel::ALL.iter().map(|l| l.as_str()).collect();
        assert_eq!(levels, ["standard", "elevated", "high", "urgent"]);
        assert!(RiskLevel::Urgent > RiskLevel::High);
        assert_eq!(
            "level_changed".parse::<AssessmentTrigger>().unwrap(),
            AssessmentTrigger::LevelChanged
        );
    }

    #[test]
    fn party_parsing() {
        assert_eq!(
            "family:Mother of AB".parse::<Party>().unwrap(),
            Party {
                name: "Mother of AB".into(),
                role: PartyRole::Family
            }
        );
        assert_eq!("A.B.".parse::<Party>().unwrap().role, PartyRole::Patient);
        // A colon that is not a role prefix belongs to the name.
        assert_eq!("Ref: 12".parse::<Party>().unwrap().name, "Ref: 12");
    }
}
