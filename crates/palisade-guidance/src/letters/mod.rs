//! Letter drafts in plain English, filled from the case: who, which
//! behaviours on which dates, what has been done. A draft is a plain
//! [`Letter`] (the same fields as the PDF renderer's letter, one to one) for
//! a person to read and edit before it is issued.
//!
//! Facts a case does not hold (addresses, the practice's telephone number,
//! the manager's name) come from [`LetterDetails`]; when one is missing the
//! draft shows a bracketed placeholder such as `[practice telephone]` rather
//! than guessing.

mod behaviour;
mod templates;

pub use behaviour::{Behaviour, behaviours};

use jiff::civil::Date;
use palisade_core::view::CaseView;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A letter ready to render: the same fields, in the same order, as the
/// report crate's `Letter`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Letter {
    pub sender: Vec<String>,
    pub recipient: Vec<String>,
    pub date: String,
    pub reference: Option<String>,
    pub subject: String,
    pub salutation: String,
    pub paragraphs: Vec<String>,
    pub closing: String,
    pub signature: Vec<String>,
    pub footer: Option<String>,
}

impl Letter {
    /// The whole letter as plain text (for previews and tests).
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        for l in &self.sender {
            s.push_str(l);
            s.push('\n');
        }
        s.push('\n');
        for l in &self.recipient {
            s.push_str(l);
            s.push('\n');
        }
        s.push_str(&format!("\n{}\n", self.date));
        if let Some(r) = &self.reference {
            s.push_str(&format!("Reference: {r}\n"));
        }
        s.push_str(&format!("\n{}\n\n{}\n\n", self.subject, self.salutation));
        for p in &self.paragraphs {
            s.push_str(p);
            s.push_str("\n\n");
        }
        s.push_str(&self.closing);
        s.push('\n');
        for l in &self.signature {
            s.push_str(l);
            s.push('\n');
        }
        if let Some(f) = &self.footer {
            s.push_str(&format!("\n{f}\n"));
        }
        s
    }
}

/// The templates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Template {
    /// From the clinician: the relationship is professional only, the
    /// contact must stop, and how to raise clinical matters instead.
    Boundary,
    /// From the practice manager or a partner, when contact continued.
    ManagerFormal,
    /// The warning before a non-violent removal from the list.
    RemovalWarning,
    /// Notice that the professional relationship ends / removal from the list.
    RemovalNotice,
    /// A summary for the doctor's defence organisation.
    DefenceReferral,
    /// A summary for the police, disclosing only what is necessary.
    PoliceSummary,
}

impl Template {
    pub const ALL: [Template; 6] = [
        Template::Boundary,
        Template::ManagerFormal,
        Template::RemovalWarning,
        Template::RemovalNotice,
        Template::DefenceReferral,
        Template::PoliceSummary,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Template::Boundary => "boundary",
            Template::ManagerFormal => "manager_formal",
            Template::RemovalWarning => "removal_warning",
            Template::RemovalNotice => "removal_notice",
            Template::DefenceReferral => "defence_referral",
            Template::PoliceSummary => "police_summary",
        }
    }
}

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown letter template '{0}' (expected boundary, manager_formal, removal_warning, removal_notice, defence_referral or police_summary)"
)]
pub struct UnknownTemplate(pub String);

impl FromStr for Template {
    type Err = UnknownTemplate;
    fn from_str(s: &str) -> Result<Self, UnknownTemplate> {
        Template::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| UnknownTemplate(s.to_string()))
    }
}

/// Facts for the letter that the case does not hold. Everything is
/// optional; a missing fact becomes a visible placeholder.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LetterDetails {
    pub practice_name: Option<String>,
    pub practice_address: Vec<String>,
    pub practice_phone: Option<String>,
    /// The practice's own route for patients' messages (online form, email).
    pub practice_online: Option<String>,
    /// The clinician (default: the case's owner).
    pub clinician_name: Option<String>,
    pub clinician_role: Option<String>,
    pub manager_name: Option<String>,
    pub manager_role: Option<String>,
    /// The patient's name as it should appear (default: the case's subject).
    pub patient_name: Option<String>,
    pub patient_address: Vec<String>,
    pub patient_reference: Option<String>,
    /// e.g. "MDU"; with the doctor's membership or case number.
    pub defence_organisation: Option<String>,
    pub defence_reference: Option<String>,
    /// e.g. "Northshire Police"; with the incident or crime number.
    pub police_force: Option<String>,
    pub police_reference: Option<String>,
    /// For a removal: the date it takes effect, if not worked out from the case.
    pub removal_effective: Option<Date>,
    /// Whether the removal is immediate (violence, or fear for safety).
    pub immediate: bool,
    /// The reasons to give the patient, where it is appropriate to give them.
    pub reasons: Option<String>,
}

pub(crate) fn or(v: &Option<String>, placeholder: &str) -> String {
    v.as_ref()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| format!("[{placeholder}]"))
}

/// Draft a letter from `template`, the case and the extra details, dated `today`.
pub fn draft(template: Template, case: &CaseView, details: &LetterDetails, today: Date) -> Letter {
    let ctx = templates::Ctx::new(case, details, today);
    match template {
        Template::Boundary => templates::boundary(&ctx),
        Template::ManagerFormal => templates::manager_formal(&ctx),
        Template::RemovalWarning => templates::removal_warning(&ctx),
        Template::RemovalNotice => templates::removal_notice(&ctx),
        Template::DefenceReferral => templates::defence_referral(&ctx),
        Template::PoliceSummary => templates::police_summary(&ctx),
    }
}
