//! What a chronology report contains. The caller fills it from the ledger,
//! already filtered by the disclosure profile: a withheld field arrives here
//! as [`Field::Withheld`] and its text never reaches the renderer.

use crate::thumbnail::Thumbnail;

/// One value of a record, as the disclosure profile lets it be shown.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Field {
    /// Not recorded.
    #[default]
    Absent,
    /// Recorded and disclosed.
    Disclosed(String),
    /// Recorded but withheld under the report's profile; rendered as
    /// "withheld under profile <profile>".
    Withheld,
}

impl Field {
    /// A disclosed value, or absent when `value` is `None`.
    pub fn from_option(value: Option<String>) -> Self {
        value.map_or(Field::Absent, Field::Disclosed)
    }

    /// The disclosed text, if any.
    pub fn disclosed(&self) -> Option<&str> {
        match self {
            Field::Disclosed(s) => Some(s),
            _ => None,
        }
    }
}

/// The chronology report of one case: `report.pdf` in an evidence bundle.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Report {
    pub case_id: String,
    pub case_title: Field,
    pub case_subject: Field,
    pub case_kind: String,
    pub case_status: String,
    pub opened_at: String,
    /// Display strings, e.g. "AB (patient)".
    pub parties: Vec<String>,
    /// The disclosure profile's name, e.g. "police".
    pub profile: String,
    /// What the profile withholds, e.g. "Clinical notes withheld; ...".
    pub profile_description: String,
    pub exported_by: String,
    pub exported_at: String,
    pub recipient: Option<String>,
    pub purpose: Option<String>,
    pub checkpoint_origin: String,
    pub checkpoint_size: u64,
    /// Base64 Merkle root of the checkpoint.
    pub checkpoint_root: String,
    /// Hex SHA-256 of the ledger's public key.
    pub key_fingerprint: String,
    /// Human-readable lines, e.g. "RFC 3161 token from CN=... at ... over checkpoint 42".
    pub timestamps: Vec<String>,
    /// In any order: the report sorts them by `occurred_at`.
    pub entries: Vec<ReportEntry>,
    pub actions: Vec<ReportAction>,
    /// The physical evidence register, in register order.
    pub exhibits: Vec<ReportExhibit>,
    pub attachments: Vec<ReportAttachment>,
    /// Paragraphs explaining how to verify the bundle.
    pub verification: Vec<String>,
}

/// One logged contact.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReportEntry {
    pub id: String,
    pub leaf_index: u64,
    /// RFC 3339 with offset.
    pub occurred_at: String,
    pub recorded_at: String,
    pub channel: String,
    /// "inbound" or "outbound" when disclosed.
    pub direction: Field,
    pub party: Field,
    pub place: Field,
    pub witnesses: Field,
    pub summary: Field,
    pub content: Field,
    /// Clinical notes: drawn only when disclosed.
    pub clinical: Field,
    pub retracted: bool,
    pub corrected: bool,
    /// SHA-256 (hex) of the entry's attachments.
    pub attachments: Vec<String>,
}

/// One step taken about the case.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReportAction {
    pub id: String,
    /// `YYYY-MM-DD` or RFC 3339.
    pub date: String,
    /// e.g. `asked_to_stop`.
    pub kind: String,
    pub by: Field,
    pub reference: Field,
    pub notes: Field,
}

/// One attached file, listed in the attachments index.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReportAttachment {
    pub record_id: String,
    /// The id of the entry or action the file is attached to.
    pub belongs_to: String,
    pub name: Field,
    pub media_type: String,
    pub size: u64,
    /// Hex SHA-256 of the file.
    pub sha256: String,
    /// Whether the bundle carries the file's bytes (or only its hash).
    pub bytes_included: bool,
    pub thumbnail: Option<Thumbnail>,
}

/// One item in the physical evidence register.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReportExhibit {
    pub id: String,
    /// Its number in the register (1, 2, …).
    pub number: u32,
    /// e.g. `card`, `digital_media`.
    pub item_kind: String,
    pub description: Field,
    /// `YYYY-MM-DD` or RFC 3339.
    pub received_at: String,
    pub received_by: Field,
    pub stored_at: Field,
    pub bag_number: Field,
    pub notes: Field,
    /// How many photographs of it the bundle lists (in the attachments index).
    pub photos: usize,
    /// Hand-overs, in the order recorded.
    pub custody: Vec<ReportCustody>,
}

/// One hand-over of an item in the register.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReportCustody {
    /// `YYYY-MM-DD` or RFC 3339.
    pub at: String,
    pub from: Field,
    pub to: Field,
    pub purpose: Field,
    /// A new bag, when the item was re-sealed.
    pub bag_number: Field,
}
