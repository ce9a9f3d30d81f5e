//! Dates that follow from what the case records about removal from a GP
//! list (NHS England's process under the GP contract regulations):
//!
//! - a warning supports a non-violent removal request for 12 months;
//! - a non-violent removal takes effect on the eighth day after notice;
//! - an immediate removal for violence needs a police incident number and
//!   written confirmation to NHS England within 7 days, and the patient's
//!   place in the Special Allocation Scheme is usually reviewed after 12
//!   months.
//!
//! Days are calendar days and months are calendar months: weekends and bank
//! holidays count, and a date falling on a weekend is not moved.
//!
//! The steps are read from actions: a warning is a `removal_warning`; a
//! removal is a `removal_notice` (its `mode` says `standard` or
//! `immediate`); written notice to NHS England is `nhs_england_notified`;
//! the police incident number is the reference of a `police_reported`
//! action.
//!
//! Records made before those kinds existed are still read by the older
//! conventions: an `other` or `manager_letter` action whose notes mention a
//! warning is a warning; a `relationship_ended` action is a removal, an
//! immediate one when its notes say "immediate" or mention violence; an
//! `other` action whose notes mention NHS England is the written notice.

use crate::dates::{self, ActionTime, long, medium};
use crate::sources::{NHSE_REMOVAL, Source};
use jiff::civil::Date;
use palisade_core::view::{ActionView, CaseView};
use serde::Serialize;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineStatus {
    Open,
    DueToday,
    Overdue,
}

impl fmt::Display for DeadlineStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DeadlineStatus::Open => "open",
            DeadlineStatus::DueToday => "due today",
            DeadlineStatus::Overdue => "overdue",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Deadline {
    /// Stable kebab-case id.
    pub id: &'static str,
    pub what: String,
    pub due: Date,
    pub status: DeadlineStatus,
    /// How the date was worked out, from the case's own records.
    pub basis: String,
    pub source: Source,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemovalKind {
    /// After a warning; takes effect on the eighth day after notice.
    Standard,
    /// For violence or fear for safety; takes effect at once.
    Immediate,
}

fn notes(a: &ActionView) -> String {
    format!(
        "{} {}",
        a.notes.as_deref().unwrap_or(""),
        a.reference.as_deref().unwrap_or("")
    )
    .to_lowercase()
}

/// A warning that removal may follow.
pub fn is_warning(a: &ActionView) -> bool {
    a.kind == "removal_warning"
        // Before `removal_warning` existed: a letter whose notes say it warns.
        || (matches!(a.kind.as_str(), "other" | "manager_letter") && notes(a).contains("warn"))
}

/// Whether this action ended the relationship, and how.
pub fn removal(a: &ActionView) -> Option<RemovalKind> {
    match a.kind.as_str() {
        "removal_notice" => Some(match a.mode.as_deref() {
            Some("immediate") => RemovalKind::Immediate,
            _ => RemovalKind::Standard,
        }),
        // Before `removal_notice` existed: the notes said which.
        "relationship_ended" => {
            let n = notes(a);
            Some(if n.contains("immediate") || n.contains("violen") {
                RemovalKind::Immediate
            } else {
                RemovalKind::Standard
            })
        }
        _ => None,
    }
}

/// Written notice to NHS England.
pub fn is_nhse_notice(a: &ActionView) -> bool {
    a.kind == "nhs_england_notified" || (a.kind == "other" && notes(a).contains("nhs england"))
}

fn dated<'a>(
    case: &'a CaseView,
    keep: impl Fn(&ActionView) -> bool + 'a,
) -> impl Iterator<Item = (&'a ActionView, Date)> + 'a {
    case.actions
        .iter()
        .filter(move |a| keep(a))
        .filter_map(|a| ActionTime::parse(&a.date).map(|t| (a, t.date())))
}

/// The latest warning on or before `day`.
pub fn last_warning(case: &CaseView, day: Date) -> Option<Date> {
    dated(case, is_warning)
        .map(|(_, d)| d)
        .filter(|d| *d <= day)
        .max()
}

/// The last day a warning given on `warned` supports a removal request:
/// the request must fall within the 12 months after it.
pub fn warning_valid_until(warned: Date) -> Date {
    dates::plus_months(warned, 12)
}

/// The latest removal recorded on or before `today`.
pub fn last_removal(case: &CaseView, today: Date) -> Option<(Date, RemovalKind, &ActionView)> {
    case.actions
        .iter()
        .filter_map(|a| {
            let k = removal(a)?;
            let d = ActionTime::parse(&a.date)?.date();
            (d <= today).then_some((d, k, a))
        })
        .max_by_key(|(d, _, _)| *d)
}

fn status(due: Date, today: Date) -> DeadlineStatus {
    match due.cmp(&today) {
        std::cmp::Ordering::Greater => DeadlineStatus::Open,
        std::cmp::Ordering::Equal => DeadlineStatus::DueToday,
        std::cmp::Ordering::Less => DeadlineStatus::Overdue,
    }
}

/// The police incident number recorded on or before `by`, if any.
pub fn police_reference(case: &CaseView, by: Date) -> Option<String> {
    dated(case, |a| a.kind == "police_reported")
        .filter(|(_, d)| *d <= by)
        .filter_map(|(a, _)| a.reference.clone().filter(|r| !r.trim().is_empty()))
        .last()
}

/// The open deadlines as of `today`, soonest first.
pub fn deadlines(case: &CaseView, today: Date) -> Vec<Deadline> {
    let mut out = Vec::new();
    let removal = last_removal(case, today);
    // A warning not yet followed by a removal: how long it stays usable.
    if let Some(w) = last_warning(case, today)
        && removal.is_none_or(|(r, _, _)| r < w)
    {
        let until = warning_valid_until(w);
        if until >= today {
            out.push(Deadline {
                id: "warning-valid-until",
                what: format!(
                    "Last day to ask NHS England to remove the patient on the strength of the warning of {}",
                    medium(w)
                ),
                due: until,
                status: status(until, today),
                basis: format!(
                    "A non-violent removal needs a warning given within the 12 months before the request; the warning was recorded on {} ({}), so it covers requests made up to and including {}.",
                    medium(w),
                    long(w),
                    long(until)
                ),
                source: NHSE_REMOVAL,
            });
        }
    }
    match removal {
        Some((notice, RemovalKind::Standard, _)) => {
            let effective = dates::plus_days(notice, 8);
            if effective >= today {
                out.push(Deadline {
                    id: "removal-takes-effect",
                    what: format!(
                        "Removal from the list takes effect ({}); keep providing care until then",
                        long(effective)
                    ),
                    due: effective,
                    status: status(effective, today),
                    basis: format!(
                        "Notice of removal was recorded on {}. Removal takes effect on the eighth day after notice, counted in calendar days: weekends and bank holidays count and the date is not moved to a working day.",
                        long(notice)
                    ),
                    source: NHSE_REMOVAL,
                });
            }
        }
        Some((removed, RemovalKind::Immediate, _)) => {
            if police_reference(case, removed).is_none() {
                out.push(Deadline {
                    id: "police-incident-number",
                    what: "Record the police incident number for the immediate removal".into(),
                    due: removed,
                    status: status(removed, today),
                    basis: format!(
                        "The patient was removed at once on {}. Immediate removal requires the incident to have been reported to the police, and no police report with a reference is recorded on or before that day.",
                        medium(removed)
                    ),
                    source: NHSE_REMOVAL,
                });
            }
            let notified = dated(case, is_nhse_notice).any(|(_, d)| d >= removed);
            let by = dates::plus_days(removed, 7);
            if !notified {
                out.push(Deadline {
                    id: "nhse-written-notice",
                    what: "Confirm the immediate removal to NHS England in writing".into(),
                    due: by,
                    status: status(by, today),
                    basis: format!(
                        "Removed at once on {}; NHS England must be told (by any means) and the notice confirmed in writing within 7 days, that is by {}. Calendar days: a weekend does not extend it.",
                        medium(removed),
                        long(by)
                    ),
                    source: NHSE_REMOVAL,
                });
            }
            let review = dates::plus_months(removed, 12);
            if review >= today {
                out.push(Deadline {
                    id: "sas-review",
                    what: "Special Allocation Scheme placement due for review".into(),
                    due: review,
                    status: status(review, today),
                    basis: format!(
                        "After an immediate removal on {} the patient is allocated to the Special Allocation Scheme, where a placement is usually reviewed after 12 months.",
                        medium(removed)
                    ),
                    source: NHSE_REMOVAL,
                });
            }
        }
        None => {}
    }
    out.sort_by_key(|d| d.due);
    out
}
