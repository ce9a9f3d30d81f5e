//! The published documents each recommendation rests on. Palisade states
//! the facts in its own words and names the body and document beside each.

use serde::Serialize;
use std::fmt;

/// A body and one of its documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Source {
    pub organisation: &'static str,
    pub document: &'static str,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}, '{}'", self.organisation, self.document)
    }
}

const fn src(organisation: &'static str, document: &'static str) -> Source {
    Source {
        organisation,
        document,
    }
}

/// MDU advice on unwanted attention: ask the patient to stop, keep a log,
/// tell the manager, call the MDU, police when at risk, chaperones,
/// psychiatric opinion, trusts and commissioners.
pub const MDU_UNWANTED: Source = src("MDU", "Dealing with unwanted attention from patients");
/// MDU tips on amorous patients (gifts, privacy settings, mobile numbers,
/// transferring care, not replying on social media), as reported in the GP
/// trade press.
pub const MDU_AMOROUS: Source = src(
    "MDU",
    "More patients making 'amorous advances' to GPs online (tips on amorous patients)",
);
/// MDU warning not to answer patients' approaches on social networks.
pub const MDU_SOCIAL: Source = src("MDU", "Doctors warned of Facebook flirts");
/// MDDUS guidance: deal with it early, redirect clinical concerns, tell the
/// organisation, privacy settings, record place, date, time and witnesses.
pub const MDDUS_BOUNDARIES: Source = src(
    "MDDUS",
    "Maintaining professional relationships with patients",
);
/// GMC: ending the professional relationship only when trust has broken down.
pub const GMC_ENDING: Source = src(
    "GMC",
    "Ending your professional relationship with a patient",
);
/// GMC: professional boundaries and good practice generally.
pub const GMC_GMP: Source = src("GMC", "Good medical practice");
/// GMC: disclosure without consent only as far as needed to prevent serious harm.
pub const GMC_CONFIDENTIALITY: Source = src(
    "GMC",
    "Confidentiality: good practice in handling patient information",
);
/// NHS England: removal of patients from a GP list (warning within 12
/// months, eighth-day effect, immediate removal for violence, Special
/// Allocation Scheme), applying the GP contract regulations.
pub const NHSE_REMOVAL: Source = src(
    "NHS England",
    "Primary Medical Care Policy and Guidance Manual: removal of patients from a practice list",
);
/// The College of Policing's stalking and harassment guidance (FOUR).
pub const COP_STALKING: Source = src("College of Policing", "Stalking or harassment (APP)");
/// Protection from Harassment Act 1997 (course of conduct; s2A, s4A stalking).
pub const HARASSMENT_ACT: Source = src("UK Parliament", "Protection from Harassment Act 1997");
/// Stalking Protection Act 2019 (Stalking Protection Orders).
pub const STALKING_PROTECTION_ACT: Source = src("UK Parliament", "Stalking Protection Act 2019");
/// Prevention: boundaries stated in online profiles and a professional
/// channel for patients (a digital-health blog's comment on MDU advice).
pub const PREVENTION_BLOG: Source = src(
    "3G Doctor (digital-health blog, 2012)",
    "comment on 'More patients making amorous advances to GPs online'",
);
