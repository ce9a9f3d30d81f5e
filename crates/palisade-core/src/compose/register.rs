//! The physical evidence register: recording an item kept as evidence (a
//! letter, card, gift, parcel, USB stick…) and each hand-over in its chain
//! of custody.

use super::sharing::ensure_open;
use super::{ComposeError, Stamp, envelope, optional, required};
use crate::domain::{ItemKind, RecordKind, field};
use crate::record::Record;
use crate::time::{Moment, When};
use crate::view::CaseView;
use serde_json::json;
use std::collections::BTreeMap;

/// How far ahead of the server clock a time may be (clock skew between devices).
pub const FUTURE_SLACK_SECONDS: i64 = 300;
/// A day may be "tomorrow" in UTC for people east of Greenwich (up to UTC+14).
const DAY_AHEAD_SECONDS: i64 = 14 * 3600;

/// An item for the register.
#[derive(Debug, Clone)]
pub struct NewExhibit {
    pub description: String,
    pub item_kind: ItemKind,
    /// When it was received: a day or an RFC 3339 time.
    pub received_at: When,
    pub received_by: String,
    /// Where it is kept (e.g. "Practice safe, room 2").
    pub stored_at: String,
    /// The sealed evidence bag it is in.
    pub bag_number: Option<String>,
    /// The entry (contact) it arrived with.
    pub linked_entry: Option<String>,
    pub notes: Option<String>,
}

/// A hand-over of an item in the register.
#[derive(Debug, Clone)]
pub struct NewCustody {
    pub at: When,
    /// Who handed it over.
    pub from: String,
    /// Who received it, or where it went (e.g. "PC 1234 Smith, Thames Valley Police").
    pub to: String,
    pub purpose: Option<String>,
    /// A new evidence bag, when the item was re-sealed.
    pub bag_number: Option<String>,
    pub notes: Option<String>,
}

/// Refuse a time after `now` (allowing for clock skew, and for a day that has
/// already begun somewhere east of UTC).
fn check_not_future(what: &'static str, when: &When, now: &Moment) -> Result<(), ComposeError> {
    let now_s = now.instant().as_second();
    let limit = match when {
        When::Moment(_) => now_s + FUTURE_SLACK_SECONDS,
        When::Day(_) => now_s + DAY_AHEAD_SECONDS,
    };
    if when.instant().as_second() > limit {
        return Err(ComposeError::InFuture(what, when.to_string()));
    }
    Ok(())
}

fn opt_text(name: &'static str, v: &Option<String>) -> Result<serde_json::Value, ComposeError> {
    optional(name, &v.as_ref().filter(|s| !s.trim().is_empty()).cloned())
}

/// An `exhibit` record. Refused when the case is closed, when it was
/// received in the future, or when the linked entry is not in the case.
pub fn exhibit(stamp: &Stamp, case: &CaseView, e: &NewExhibit) -> Result<Record, ComposeError> {
    ensure_open(case)?;
    check_not_future("received-at", &e.received_at, &stamp.recorded_at)?;
    if let Some(id) = e.linked_entry.as_deref().filter(|s| !s.trim().is_empty())
        && case.entry(id).is_none()
    {
        return Err(ComposeError::UnknownTarget {
            what: "entry",
            id: id.to_string(),
        });
    }
    let mut f = BTreeMap::new();
    f.insert(field::DESCRIPTION, required("description", &e.description)?);
    f.insert(field::ITEM_KIND, json!(e.item_kind.as_str()));
    f.insert(field::RECEIVED_AT, json!(e.received_at.to_string()));
    f.insert(field::RECEIVED_BY, required("received by", &e.received_by)?);
    f.insert(field::STORED_AT, required("stored at", &e.stored_at)?);
    f.insert(field::BAG_NUMBER, opt_text("bag number", &e.bag_number)?);
    f.insert(
        field::LINKED_ENTRY,
        opt_text("linked entry", &e.linked_entry)?,
    );
    f.insert(field::NOTES, opt_text("notes", &e.notes)?);
    Ok(Record::seal(
        envelope(stamp, RecordKind::Exhibit, Some(&case.id)),
        f,
    )?)
}

/// A `custody` record for the exhibit `exhibit_id`. Refused when the case is
/// closed, the exhibit is not in it, the time is in the future, or the day
/// is before the item was received.
pub fn custody(
    stamp: &Stamp,
    case: &CaseView,
    exhibit_id: &str,
    c: &NewCustody,
) -> Result<Record, ComposeError> {
    ensure_open(case)?;
    let x = case
        .exhibit(exhibit_id)
        .ok_or_else(|| ComposeError::UnknownTarget {
            what: "exhibit",
            id: exhibit_id.to_string(),
        })?;
    check_not_future("custody time", &c.at, &stamp.recorded_at)?;
    if let (Some(received), Some(at)) = (day_of(&x.received_at), day_of(&c.at.to_string()))
        && at < received
    {
        return Err(ComposeError::Inconsistent(format!(
            "the hand-over on {at} is before exhibit {} was received ({received})",
            x.number
        )));
    }
    let mut env = envelope(stamp, RecordKind::Custody, Some(&case.id));
    env.target = Some(exhibit_id.to_string());
    let mut f = BTreeMap::new();
    f.insert(field::AT, json!(c.at.to_string()));
    f.insert(field::FROM, required("from", &c.from)?);
    f.insert(field::TO, required("to", &c.to)?);
    f.insert(field::PURPOSE, opt_text("purpose", &c.purpose)?);
    f.insert(field::BAG_NUMBER, opt_text("bag number", &c.bag_number)?);
    f.insert(field::NOTES, opt_text("notes", &c.notes)?);
    Ok(Record::seal(env, f)?)
}

/// The calendar day a date or time was written on (in its own offset).
fn day_of(s: &str) -> Option<jiff::civil::Date> {
    s.get(..10)?.parse().ok()
}
