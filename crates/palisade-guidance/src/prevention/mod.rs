//! Prevention: what a doctor or a practice can do before anything happens.
//! Two tools, both pure: a [`boundary`] statement generator (how patients
//! should contact the practice, and that personal channels are not
//! answered) and a [`checklist`] for the privacy of a doctor's own social
//! media, dating apps and public records.
//!
//! As everywhere in this crate, each recommendation names the organisation
//! and document it rests on; the wording is Palisade's own.

pub mod boundary;
pub mod checklist;

pub use boundary::{
    BoundaryError, BoundaryInput, BoundaryStatement, ProfileKind, Reason, boundary_statement,
};
pub use checklist::{Area, CHECKLIST, ChecklistItem, items_in};

use crate::sources::Source;

/// GMC guidance on personal and professional boundaries (2024), which
/// MDDUS cites on relationships with current and former patients.
pub const GMC_BOUNDARIES: Source = Source {
    organisation: "GMC",
    document: "Maintaining personal and professional boundaries",
};
/// GMC guidance on doctors' use of social media.
pub const GMC_SOCIAL_MEDIA: Source = Source {
    organisation: "GMC",
    document: "Doctors' use of social media",
};
/// GOV.UK on the two versions of the electoral register and opting out of
/// the open one.
pub const GOVUK_OPEN_REGISTER: Source = Source {
    organisation: "GOV.UK",
    document: "The electoral register and the 'open register'",
};
/// The Electoral Commission on registering to vote anonymously when your
/// safety would be at risk.
pub const ELECTORAL_COMMISSION_ANONYMOUS: Source = Source {
    organisation: "Electoral Commission",
    document: "guidance on anonymous registration",
};
/// Companies House on keeping a home address off the public register.
pub const COMPANIES_HOUSE_ADDRESS: Source = Source {
    organisation: "Companies House",
    document: "guidance on protecting your home address on the public register",
};
/// The ICO on the right to have personal data erased.
pub const ICO_ERASURE: Source = Source {
    organisation: "ICO",
    document: "Right to erasure (UK GDPR)",
};
/// NHS England and NHS 111 on where to get urgent and emergency help.
pub const NHS_URGENT_HELP: Source = Source {
    organisation: "NHS",
    document: "When to use 111 / when to call 999",
};
