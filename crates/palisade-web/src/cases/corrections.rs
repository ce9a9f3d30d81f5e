//! Corrections and retractions of an entry (the original always stays
//! visible in its history), and the acknowledgement of a threat or
//! self-harm flag.
//!
//! `GET /cases/{id}/entries/{eid}/correct` shows the entry's fields,
//! prefilled; `POST …/correct` records the fields that changed with the
//! reason; `POST …/retract` retracts with a reason;
//! `POST …/acknowledge` records that a person dealt with a flagged message.

use super::entry_form::{self, EntryInput};
use super::forms::{Problems, error_summary, input, some_text, textarea};
use super::guard::{Actor, blocking, readable_case};
use super::timeline::parties;
use super::{audit, labels};
use crate::csrf::CsrfForm;
use crate::error::WebError;
use crate::layout::{csrf_field, page};
use crate::session::SignedIn;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use palisade_core::access::Capability;
use palisade_core::view::{CaseView, EntryState, EntryView};
use palisade_service::AuditAction;
use serde::Deserialize;
use std::collections::HashMap;

fn entry_of<'a>(case: &'a CaseView, entry_id: &str) -> Result<&'a EntryView, WebError> {
    case.entry(entry_id)
        .filter(|e| e.state != EntryState::Retracted)
        .ok_or(WebError::NotFound)
}

fn form_page(
    user: &SignedIn,
    case: &CaseView,
    e: &EntryView,
    i: &EntryInput,
    reason: &str,
    retract_reason: &str,
    p: &Problems,
) -> Markup {
    let base = format!("/cases/{}/entries/{}", case.id, e.id);
    page(
        Some(user),
        if p.is_empty() {
            "Correct an entry"
        } else {
            "Error: Correct an entry"
        },
        html! {
            a.back-link href=(format!("/cases/{}#entry-{}", case.id, e.id)) { "Back to the case" }
            h1 { "Correct an entry" }
            p { "Entry of " (labels::when(&e.occurred_at)) ". The entry as first recorded stays in the ledger and on the case page; the correction is added with your reason." }
            (error_summary(p))
            form method="post" action=(format!("{base}/correct")) novalidate {
                (csrf_field(user))
                (textarea("reason", "Why is it being corrected?", Some("Required. Recorded with the correction."), reason, 2, p))
                (entry_form::fields(i, &parties(case), p))
                button.button type="submit" { "Save correction" }
            }
            h2 { "Retract this entry" }
            p { "Retract it if it should never have been recorded (for example, logged in the wrong case). It stays visible as retracted." }
            form method="post" action=(format!("{base}/retract")) novalidate {
                (csrf_field(user))
                (input("retract_reason", "text", "Why is it being retracted?", Some("Required"), retract_reason, p))
                button.button.button--warning type="submit" { "Retract entry" }
            }
        },
    )
}

/// `GET /cases/{id}/entries/{eid}/correct`.
pub async fn show(
    State(state): State<AppState>,
    user: SignedIn,
    Path((case_id, entry_id)): Path<(String, String)>,
) -> Result<Markup, WebError> {
    let actor = Actor::from(&user);
    let (_, case) = readable_case(&state, &actor, &case_id, Capability::Record).await?;
    let e = entry_of(&case, &entry_id)?;
    audit::record(
        &state,
        &actor,
        AuditAction::CaseViewed,
        Some(&case_id),
        Some(&entry_id),
        Some("correction form"),
    )
    .await?;
    Ok(form_page(
        &user,
        &case,
        e,
        &EntryInput::from_entry(e),
        "",
        "",
        &Problems::default(),
    ))
}

/// `POST /cases/{id}/entries/{eid}/correct`.
pub async fn correct(
    State(state): State<AppState>,
    user: SignedIn,
    Path((case_id, entry_id)): Path<(String, String)>,
    CsrfForm(fields): CsrfForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let actor = Actor::from(&user);
    let (_, case) = readable_case(&state, &actor, &case_id, Capability::Record).await?;
    let e = entry_of(&case, &entry_id)?;
    let input = EntryInput::from_fields(|n| fields.get(n).map(String::as_str));
    let reason = fields.get("reason").cloned().unwrap_or_default();
    let fail = |p: &Problems| {
        (
            StatusCode::BAD_REQUEST,
            form_page(&user, &case, e, &input, &reason, "", p),
        )
            .into_response()
    };
    let mut p = Problems::default();
    let Some(why) = some_text(&reason) else {
        p.add("reason", "Say why the entry is being corrected");
        return Ok(fail(&p));
    };
    let patch = match entry_form::patch(&input, e, state.clock().now()) {
        Ok(patch) => patch,
        Err(p) => return Ok(fail(&p)),
    };
    let eid = entry_id.clone();
    match blocking(&state, move |pal| pal.correct_entry(&eid, &why, &patch)).await {
        Ok(_) => {}
        Err(WebError::BadRequest(m)) => {
            p.add("reason", m);
            return Ok(fail(&p));
        }
        Err(other) => return Err(other),
    }
    audit::record(
        &state,
        &actor,
        AuditAction::EntryCorrected,
        Some(&case_id),
        Some(&entry_id),
        None,
    )
    .await?;
    Ok(Redirect::to(&format!(
        "/cases/{case_id}?saved={entry_id}#entry-{entry_id}"
    ))
    .into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct RetractInput {
    #[serde(default)]
    pub retract_reason: String,
    #[serde(default)]
    pub reason: String,
}

/// `POST /cases/{id}/entries/{eid}/retract`.
pub async fn retract(
    State(state): State<AppState>,
    user: SignedIn,
    Path((case_id, entry_id)): Path<(String, String)>,
    CsrfForm(i): CsrfForm<RetractInput>,
) -> Result<Response, WebError> {
    let actor = Actor::from(&user);
    let (_, case) = readable_case(&state, &actor, &case_id, Capability::Record).await?;
    let e = entry_of(&case, &entry_id)?;
    let Some(why) = some_text(&i.retract_reason).or_else(|| some_text(&i.reason)) else {
        let mut p = Problems::default();
        p.add("retract_reason", "Say why the entry is being retracted");
        return Ok((
            StatusCode::BAD_REQUEST,
            form_page(&user, &case, e, &EntryInput::from_entry(e), "", "", &p),
        )
            .into_response());
    };
    let eid = entry_id.clone();
    blocking(&state, move |p| p.retract_entry(&eid, &why)).await?;
    audit::record(
        &state,
        &actor,
        AuditAction::EntryRetracted,
        Some(&case_id),
        Some(&entry_id),
        None,
    )
    .await?;
    Ok(Redirect::to(&format!("/cases/{case_id}#entry-{entry_id}")).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct AckInput {
    #[serde(default)]
    pub note: String,
}

/// `POST /cases/{id}/entries/{eid}/acknowledge`.
pub async fn acknowledge(
    State(state): State<AppState>,
    user: SignedIn,
    Path((case_id, entry_id)): Path<(String, String)>,
    CsrfForm(i): CsrfForm<AckInput>,
) -> Result<Response, WebError> {
    let actor = Actor::from(&user);
    let (_, case) = readable_case(&state, &actor, &case_id, Capability::Record).await?;
    entry_of(&case, &entry_id)?;
    let (eid, by, note) = (
        entry_id.clone(),
        actor.display_name.clone(),
        some_text(&i.note),
    );
    blocking(&state, move |p| p.acknowledge(&eid, &by, note)).await?;
    audit::record(
        &state,
        &actor,
        AuditAction::EntryCorrected,
        Some(&case_id),
        Some(&entry_id),
        Some("acknowledged flag"),
    )
    .await?;
    Ok(Redirect::to(&format!("/cases/{case_id}#entry-{entry_id}")).into_response())
}
