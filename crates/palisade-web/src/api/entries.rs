//! Writing through the API: log a contact, record an action, correct or
//! retract an entry. Bodies use the ledger's own names (`occurred_at` is
//! RFC 3339 with its offset); answers are the CLI's receipts.

use super::error::{ApiError, ApiResult, bad_body};
use crate::api_auth::ApiCaller;
use crate::cases::actions::{self, ActionInput};
use crate::cases::audit;
use crate::cases::chart::org_tz;
use crate::cases::guard::{Actor, authorize, blocking};
use crate::cases::uploads;
use crate::csrf::Upload;
use crate::error::WebError;
use crate::state::AppState;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use palisade_core::access::{Capability, allowed};
use palisade_core::compose::{EntryPatch, NewEntry};
use palisade_core::domain::{Channel, Direction, Source};
use palisade_core::time::Moment;
use palisade_service::{AuditAction, Receipt, RecordReceipt, Scope};
use serde::Deserialize;
use serde_json::{Value, json};

fn invalid(field: &str, why: impl std::fmt::Display) -> ApiError {
    ApiError(WebError::BadRequest(format!("{field}: {why}")))
}

fn text(s: Option<String>) -> Option<String> {
    s.map(|t| t.trim().to_string()).filter(|t| !t.is_empty())
}

/// The body of `POST /api/v1/cases/{id}/entries`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogEntry {
    pub occurred_at: String,
    pub channel: String,
    #[serde(default)]
    pub direction: Option<String>,
    #[serde(default)]
    pub party: Option<String>,
    #[serde(default)]
    pub place: Option<String>,
    #[serde(default)]
    pub witnesses: Vec<String>,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub content: Option<String>,
    #[serde(default)]
    pub clinical: Option<String>,
    /// Files to attach, as base64 (standard alphabet, padded).
    #[serde(default)]
    pub attachments: Vec<AttachmentBody>,
}

/// One file sent with an entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttachmentBody {
    pub name: String,
    pub data_base64: String,
}

/// The attachments of a body as uploads (decoded), or which one is wrong.
fn uploads(list: &[AttachmentBody]) -> ApiResult<Vec<Upload>> {
    use base64::Engine;
    list.iter()
        .enumerate()
        .map(|(i, a)| {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(a.data_base64.trim())
                .map_err(|e| invalid(&format!("attachments[{i}].data_base64"), e))?;
            Ok(Upload {
                field: "attachments".into(),
                file_name: a.name.clone(),
                bytes,
            })
        })
        .collect()
}

fn new_entry(b: LogEntry) -> ApiResult<NewEntry> {
    let occurred_at = Moment::parse(&b.occurred_at).map_err(|e| invalid("occurred_at", e))?;
    let channel: Channel = b.channel.parse().map_err(|e| invalid("channel", e))?;
    let direction = match b.direction.as_deref() {
        None | Some("") => Direction::Inbound,
        Some(d) => d.parse().map_err(|e| invalid("direction", e))?,
    };
    let content = b.content.filter(|c| !c.is_empty());
    let summary = text(b.summary);
    if content.is_none() && summary.is_none() {
        return Err(invalid(
            "summary",
            "give a summary or the content (or both)",
        ));
    }
    Ok(NewEntry {
        occurred_at,
        channel,
        direction,
        party: text(b.party),
        place: text(b.place),
        witnesses: b
            .witnesses
            .into_iter()
            .filter_map(|w| text(Some(w)))
            .collect(),
        summary,
        content,
        clinical: text(b.clinical),
        source: Source::Manual,
    })
}

/// `POST /api/v1/cases/{id}/entries`: as `palisade log --json`, with the
/// triage of the words when they come from the other party.
pub async fn log(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(case_id): Path<String>,
    body: Result<Json<LogEntry>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    caller.require(Scope::Write)?;
    let actor = Actor::from(&caller);
    authorize(&state, &actor, &case_id, Capability::Record).await?;
    let Json(mut b) = body.map_err(bad_body)?;
    let files = uploads(&std::mem::take(&mut b.attachments))?;
    let entry = new_entry(b)?;
    let triage = match (&entry.content, entry.direction) {
        (Some(c), Direction::Inbound) => Some(palisade_guidance::classify(c)),
        _ => None,
    };
    let uploaded = uploads::in_memory(&files.iter().collect::<Vec<_>>());
    let id = case_id.clone();
    let r: RecordReceipt =
        blocking(&state, move |p| p.log_entry_uploaded(&id, &entry, uploaded)).await?;
    audit::record(
        &state,
        &actor,
        AuditAction::EntryLogged,
        Some(&case_id),
        Some(&r.id),
        Some("api"),
    )
    .await?;
    let mut v =
        serde_json::to_value(&r).map_err(|e| ApiError(WebError::Internal(e.to_string())))?;
    if let (Some(t), Value::Object(o)) = (triage, &mut v) {
        o.insert(
            "triage".into(),
            json!({ "label": t.label, "reasons": t.reasons, "engine": palisade_guidance::ENGINE }),
        );
    }
    Ok((StatusCode::CREATED, Json(v)))
}

/// `POST /api/v1/cases/{id}/actions`: fields as the action form (`kind`,
/// `date` as a day or RFC 3339 time, `by`, `reference`, `notes`, `mode`).
pub async fn action(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(case_id): Path<String>,
    body: Result<Json<ActionInput>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<RecordReceipt>)> {
    caller.require(Scope::Write)?;
    let actor = Actor::from(&caller);
    authorize(&state, &actor, &case_id, Capability::Record).await?;
    let Json(b) = body.map_err(bad_body)?;
    let today = state.clock().now().to_zoned(org_tz()).date();
    let a = actions::parse(&b, today)?;
    let id = case_id.clone();
    let r = blocking(&state, move |p| p.record_action(&id, &a, &[])).await?;
    audit::record(
        &state,
        &actor,
        AuditAction::ActionRecorded,
        Some(&case_id),
        Some(&r.id),
        Some("api"),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(r)))
}

/// The case an entry belongs to, among the cases the caller may record in;
/// anything else is 404.
async fn case_of_entry(state: &AppState, actor: &Actor, entry_id: &str) -> ApiResult<String> {
    let (uid, role, eid) = (actor.user_id.clone(), actor.role, entry_id.to_string());
    let found = blocking(state, move |p| {
        for id in p.cases_readable_by(&uid)? {
            let rel = p.case_access(&id)?.relation(&uid);
            if allowed(role, rel, Capability::Record) && p.case_shared(&id)?.entry(&eid).is_some() {
                return Ok(Some(id));
            }
        }
        Ok(None)
    })
    .await?;
    let case_id = found.ok_or(ApiError(WebError::NotFound))?;
    // Re-check through the one access rule (the relation may have changed).
    authorize(state, actor, &case_id, Capability::Record).await?;
    Ok(case_id)
}

/// The body of `POST /api/v1/entries/{eid}/corrections`: `reason` and the
/// fields to change.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Correction {
    pub reason: String,
    #[serde(default)]
    pub occurred_at: Option<String>,
    #[serde(default)]
    pub channel: Option<String>,
    #[serde(default)]
    pub direction: Option<String>,
    #[serde(default)]
    pub party: Option<String>,
    #[serde(default)]
    pub place: Option<String>,
    #[serde(default)]
    pub witnesses: Option<Vec<String>>,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub content: Option<String>,
    #[serde(default)]
    pub clinical: Option<String>,
}

fn patch(b: &Correction) -> ApiResult<EntryPatch> {
    Ok(EntryPatch {
        occurred_at: b
            .occurred_at
            .as_deref()
            .map(Moment::parse)
            .transpose()
            .map_err(|e| invalid("occurred_at", e))?,
        channel: b
            .channel
            .as_deref()
            .map(str::parse::<Channel>)
            .transpose()
            .map_err(|e| invalid("channel", e))?,
        direction: b
            .direction
            .as_deref()
            .map(str::parse::<Direction>)
            .transpose()
            .map_err(|e| invalid("direction", e))?,
        party: b.party.clone(),
        place: b.place.clone(),
        witnesses: b.witnesses.clone(),
        summary: b.summary.clone(),
        content: b.content.clone(),
        clinical: b.clinical.clone(),
    })
}

/// `POST /api/v1/entries/{eid}/corrections`.
pub async fn correct(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(entry_id): Path<String>,
    body: Result<Json<Correction>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<Receipt>)> {
    caller.require(Scope::Write)?;
    let actor = Actor::from(&caller);
    let case_id = case_of_entry(&state, &actor, &entry_id).await?;
    let Json(b) = body.map_err(bad_body)?;
    if b.reason.trim().is_empty() {
        return Err(invalid("reason", "say why the entry is corrected"));
    }
    let p = patch(&b)?;
    let (eid, reason) = (entry_id.clone(), b.reason.trim().to_string());
    let r = blocking(&state, move |pal| pal.correct_entry(&eid, &reason, &p)).await?;
    audit::record(
        &state,
        &actor,
        AuditAction::EntryCorrected,
        Some(&case_id),
        Some(&entry_id),
        Some("api"),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(r)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Retraction {
    pub reason: String,
}

/// `POST /api/v1/entries/{eid}/retraction`.
pub async fn retract(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(entry_id): Path<String>,
    body: Result<Json<Retraction>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<Receipt>)> {
    caller.require(Scope::Write)?;
    let actor = Actor::from(&caller);
    let case_id = case_of_entry(&state, &actor, &entry_id).await?;
    let Json(b) = body.map_err(bad_body)?;
    if b.reason.trim().is_empty() {
        return Err(invalid("reason", "say why the entry is retracted"));
    }
    let (eid, reason) = (entry_id.clone(), b.reason.trim().to_string());
    let r = blocking(&state, move |pal| pal.retract_entry(&eid, &reason)).await?;
    audit::record(
        &state,
        &actor,
        AuditAction::EntryRetracted,
        Some(&case_id),
        Some(&entry_id),
        Some("api"),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(r)))
}
