//! Sharing a case with a user, revoking the share, and publishing or
//! withdrawing a flag for colleagues. Each function checks the request
//! against the case as it stands (`case`), so the rules live here and not in
//! whichever front end asks.

use super::{ComposeError, Stamp, envelope, optional, required};
use crate::domain::{RecordKind, field};
use crate::record::Record;
use crate::view::CaseView;
use std::collections::BTreeMap;

/// Longest user id accepted (ids are short opaque tokens such as `usr_…`).
const MAX_ID_CHARS: usize = 64;

/// Share a case with a user of the web application.
#[derive(Debug, Clone)]
pub struct NewShare {
    /// The user's id (`usr_…`).
    pub user: String,
    /// The user's display name now, so a bundle's reader knows who it was.
    pub user_name: String,
    /// Who gives the share (a name, or a user id and name).
    pub by: String,
    pub reason: Option<String>,
}

/// An alert for colleagues, who see no case content.
#[derive(Debug, Clone)]
pub struct NewFlag {
    /// How colleagues recognise the patient, e.g. "AB, ref 40213".
    pub patient: String,
    /// What colleagues should do, e.g. "Chaperone required for this patient".
    pub text: String,
    pub by: String,
}

pub(super) fn ensure_open(case: &CaseView) -> Result<(), ComposeError> {
    if case.is_closed() {
        return Err(ComposeError::CaseClosed(case.id.clone()));
    }
    Ok(())
}

fn check_id(what: &'static str, id: &str) -> Result<(), ComposeError> {
    if id.trim().is_empty() {
        return Err(ComposeError::Empty(what));
    }
    if id.chars().count() > MAX_ID_CHARS || id.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(ComposeError::BadId(what, id.to_string()));
    }
    Ok(())
}

fn reason_value(reason: Option<&str>) -> Result<serde_json::Value, ComposeError> {
    optional(
        "reason",
        &reason.filter(|r| !r.trim().is_empty()).map(str::to_string),
    )
}

/// A `share` record. Refused when the case is closed, when the user owns
/// the case, or when it is already shared with the user.
pub fn share(stamp: &Stamp, case: &CaseView, s: &NewShare) -> Result<Record, ComposeError> {
    ensure_open(case)?;
    check_id("user", &s.user)?;
    if case.owner.as_deref() == Some(s.user.as_str()) {
        return Err(ComposeError::ShareWithOwner(s.user_name.clone()));
    }
    if case.shared_with(&s.user) {
        return Err(ComposeError::AlreadyShared(format!(
            "{} ({})",
            s.user_name, s.user
        )));
    }
    let mut f = BTreeMap::new();
    f.insert(field::USER, required("user", &s.user)?);
    f.insert(field::USER_NAME, required("user name", &s.user_name)?);
    f.insert(field::BY, required("shared by", &s.by)?);
    f.insert(field::REASON, reason_value(s.reason.as_deref())?);
    Ok(Record::seal(
        envelope(stamp, RecordKind::Share, Some(&case.id)),
        f,
    )?)
}

/// A `share_revoked` record ending the share `share_id`. Allowed on a closed
/// case too: ending someone's access must always be possible.
pub fn share_revoked(
    stamp: &Stamp,
    case: &CaseView,
    share_id: &str,
    by: &str,
    reason: Option<&str>,
) -> Result<Record, ComposeError> {
    let share = case
        .shares
        .iter()
        .find(|s| s.id == share_id)
        .ok_or_else(|| ComposeError::UnknownTarget {
            what: "share",
            id: share_id.to_string(),
        })?;
    if !share.is_active() {
        return Err(ComposeError::AlreadyDone {
            what: "share",
            id: share_id.to_string(),
            done: "revoked",
        });
    }
    let mut env = envelope(stamp, RecordKind::ShareRevoked, Some(&case.id));
    env.target = Some(share_id.to_string());
    let mut f = BTreeMap::new();
    f.insert(field::BY, required("revoked by", by)?);
    f.insert(field::REASON, reason_value(reason)?);
    Ok(Record::seal(env, f)?)
}

/// A `flag` record: an alert published for colleagues.
pub fn flag(stamp: &Stamp, case: &CaseView, fl: &NewFlag) -> Result<Record, ComposeError> {
    ensure_open(case)?;
    let mut f = BTreeMap::new();
    f.insert(field::PATIENT, required("patient", &fl.patient)?);
    f.insert(field::TEXT, required("flag text", &fl.text)?);
    f.insert(field::BY, required("published by", &fl.by)?);
    Ok(Record::seal(
        envelope(stamp, RecordKind::Flag, Some(&case.id)),
        f,
    )?)
}

/// A `flag_withdrawn` record. Allowed on a closed case too.
pub fn flag_withdrawn(
    stamp: &Stamp,
    case: &CaseView,
    flag_id: &str,
    by: &str,
    reason: Option<&str>,
) -> Result<Record, ComposeError> {
    let flag = case
        .flag(flag_id)
        .ok_or_else(|| ComposeError::UnknownTarget {
            what: "flag",
            id: flag_id.to_string(),
        })?;
    if !flag.is_active() {
        return Err(ComposeError::AlreadyDone {
            what: "flag",
            id: flag_id.to_string(),
            done: "withdrawn",
        });
    }
    let mut env = envelope(stamp, RecordKind::FlagWithdrawn, Some(&case.id));
    env.target = Some(flag_id.to_string());
    let mut f = BTreeMap::new();
    f.insert(field::BY, required("withdrawn by", by)?);
    f.insert(field::REASON, reason_value(reason)?);
    Ok(Record::seal(env, f)?)
}
