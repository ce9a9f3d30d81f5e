//! What each letter template is for, in words for the page: its title, who
//! sends it to whom and when, the action issuing it records, and the
//! guidance behind it.

use crate::error::WebError;
use palisade_guidance::letters::{LetterDetails, Template};
use palisade_guidance::sources::{self, Source};

/// A template described for people.
#[derive(Debug, Clone, Copy)]
pub struct TemplateInfo {
    pub template: Template,
    pub title: &'static str,
    /// Who writes to whom.
    pub from_to: &'static str,
    /// What it is for and when to use it.
    pub purpose: &'static str,
    pub sources: &'static [Source],
    /// The label of the letter's reference field, and its hint.
    pub reference_label: &'static str,
    pub reference_hint: &'static str,
}

const PATIENT_REFERENCE: (&str, &str) = (
    "Patient reference (optional)",
    "The practice's reference or NHS number, if your letters to patients carry one.",
);

/// Every template, in the order of escalation.
pub const TEMPLATES: [TemplateInfo; 6] = [
    TemplateInfo {
        template: Template::Boundary,
        title: "Asking the patient to stop",
        from_to: "From the clinician to the patient.",
        purpose: "Says, gently but firmly, that the relationship is professional only, that the contact must stop, and how to raise anything about their health through the practice. Send it early, and only if it is safe to write.",
        sources: &[sources::MDU_UNWANTED, sources::MDU_AMOROUS],
        reference_label: PATIENT_REFERENCE.0,
        reference_hint: PATIENT_REFERENCE.1,
    },
    TemplateInfo {
        template: Template::ManagerFormal,
        title: "Formal letter from the practice",
        from_to: "From the practice manager or a partner to the patient.",
        purpose: "For when the contact continued after the patient was asked to stop: the practice writes formally, lists what happened since, and says what it may do next.",
        sources: &[sources::MDU_UNWANTED],
        reference_label: PATIENT_REFERENCE.0,
        reference_hint: PATIENT_REFERENCE.1,
    },
    TemplateInfo {
        template: Template::RemovalWarning,
        title: "Warning before removal from the list",
        from_to: "From the practice to the patient.",
        purpose: "The written warning, with reasons, that must be given in the 12 months before a practice asks for a patient's removal for reasons other than violence.",
        sources: &[sources::NHSE_REMOVAL, sources::GMC_ENDING],
        reference_label: PATIENT_REFERENCE.0,
        reference_hint: PATIENT_REFERENCE.1,
    },
    TemplateInfo {
        template: Template::RemovalNotice,
        title: "Removal from the practice list",
        from_to: "From the practice to the patient.",
        purpose: "Tells the patient the professional relationship is ending, when the removal takes effect and how their care continues. After violence or a threat, report to the police first: an immediate removal needs the incident number.",
        sources: &[sources::NHSE_REMOVAL, sources::GMC_ENDING],
        reference_label: PATIENT_REFERENCE.0,
        reference_hint: PATIENT_REFERENCE.1,
    },
    TemplateInfo {
        template: Template::DefenceReferral,
        title: "Summary for your defence organisation",
        from_to: "From the clinician to their medical defence organisation.",
        purpose: "Asks for advice and sets out what has happened and what has been done, so the adviser has the facts from the start.",
        sources: &[sources::MDU_UNWANTED, sources::MDDUS_BOUNDARIES],
        reference_label: "Membership or case number (optional)",
        reference_hint: "Your number with the defence organisation.",
    },
    TemplateInfo {
        template: Template::PoliceSummary,
        title: "Summary for the police",
        from_to: "From the clinician to the police.",
        purpose: "A summary of events that discloses only what the police need: no clinical information.",
        sources: &[sources::GMC_CONFIDENTIALITY, sources::HARASSMENT_ACT],
        reference_label: "Police incident or crime number (optional)",
        reference_hint: "Recorded with the action as well as printed on the letter.",
    },
];

/// The description of `t`.
pub fn info(t: Template) -> &'static TemplateInfo {
    TEMPLATES
        .iter()
        .find(|i| i.template == t)
        .unwrap_or(&TEMPLATES[0])
}

/// The template named in a URL; an unknown name is "not found".
pub fn from_path(name: &str) -> Result<Template, WebError> {
    name.parse::<Template>().map_err(|_| WebError::NotFound)
}

/// Put the letter's reference where the template reads it.
pub fn set_reference(t: Template, details: &mut LetterDetails, reference: Option<String>) {
    match t {
        Template::DefenceReferral => details.defence_reference = reference,
        Template::PoliceSummary => details.police_reference = reference,
        _ => details.patient_reference = reference,
    }
}

/// The reference a template reads from `details`.
pub fn reference_of(t: Template, details: &LetterDetails) -> Option<&str> {
    match t {
        Template::DefenceReferral => details.defence_reference.as_deref(),
        Template::PoliceSummary => details.police_reference.as_deref(),
        _ => details.patient_reference.as_deref(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_is_described_once() {
        for t in Template::ALL {
            assert_eq!(TEMPLATES.iter().filter(|i| i.template == t).count(), 1);
            assert_eq!(info(t).template, t);
            assert!(!info(t).sources.is_empty());
        }
        assert!(from_path("boundary").is_ok());
        assert!(matches!(from_path("nope"), Err(WebError::NotFound)));
    }
}
