//! The quick log: one screen, usable on a 375-px phone, to record a contact
//! with photos or files as they happen. `GET /cases/{id}/log` shows the form;
//! `POST /cases/{id}/entries` (multipart) records it and returns to the case
//! page at the new entry, or re-shows the form with what is wrong.

use super::audit;
use super::entry_form::{self, EntryInput};
use super::forms::{Problems, error_summary};
use super::guard::{Actor, authorize, blocking, readable_case};
use super::timeline::parties;
use super::uploads;
use crate::csrf::{MultipartLimits, read_multipart};
use crate::error::WebError;
use crate::layout::{csrf_field, page};
use crate::session::SignedIn;
use crate::state::AppState;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use palisade_core::access::Capability;
use palisade_service::AuditAction;

fn form_page(
    user: &SignedIn,
    case_id: &str,
    input: &EntryInput,
    parties: &[String],
    p: &Problems,
) -> Markup {
    page(
        Some(user),
        if p.is_empty() {
            "Log a contact"
        } else {
            "Error: Log a contact"
        },
        html! {
            a.back-link href=(format!("/cases/{case_id}")) { "Back to the case" }
            h1 { "Log a contact" }
            (error_summary(p))
            form.quick-log method="post" action=(format!("/cases/{case_id}/entries")) enctype="multipart/form-data" novalidate {
                (csrf_field(user))
                (entry_form::fields(input, parties, p))
                div class=(if p.of("attachments").is_some() { "form-group form-group--error" } else { "form-group" }) {
                    label.label for="f-attachments" { "Photos, screenshots or files" }
                    div.hint id="f-attachments-hint" { "Optional. Take a photo or choose files. The originals are kept unchanged." }
                    @if let Some(e) = p.of("attachments") { p.error-message { (e) } }
                    input.file-upload id="f-attachments" type="file" name="attachments" multiple
                        accept="image/*,application/pdf,audio/*,video/*" capture="environment"
                        aria-describedby="f-attachments-hint";
                }
                button.button type="submit" { "Save contact" }
            }
        },
    )
}

fn closed() -> WebError {
    WebError::BadRequest("This case is closed: nothing more can be recorded in it.".into())
}

/// `GET /cases/{id}/log`.
pub async fn show(
    State(state): State<AppState>,
    user: SignedIn,
    Path(case_id): Path<String>,
) -> Result<Markup, WebError> {
    let actor = Actor::from(&user);
    let (_, case) = readable_case(&state, &actor, &case_id, Capability::Record).await?;
    if case.is_closed() {
        return Err(closed());
    }
    // The form lists the case's people: a view of case content.
    audit::record(
        &state,
        &actor,
        AuditAction::CaseViewed,
        Some(&case_id),
        None,
        Some("quick log form"),
    )
    .await?;
    let input = EntryInput {
        occurred_at: entry_form::local_input_value(state.clock().now()),
        direction: "inbound".into(),
        ..EntryInput::default()
    };
    Ok(form_page(
        &user,
        &case_id,
        &input,
        &parties(&case),
        &Problems::default(),
    ))
}

/// `POST /cases/{id}/entries`.
pub async fn create(
    State(state): State<AppState>,
    user: SignedIn,
    Path(case_id): Path<String>,
    multipart: Multipart,
) -> Result<Response, WebError> {
    let actor = Actor::from(&user);
    // Only the access check and the open/closed fact before writing: the
    // whole case is read (folded) only if the form has to be shown again,
    // so a write costs the same however long the case is.
    authorize(&state, &actor, &case_id, Capability::Record).await?;
    let id = case_id.clone();
    let facts = blocking(&state, move |p| p.case_facts(&id)).await?;
    if !facts.open {
        return Err(closed());
    }
    let form = read_multipart(&user, multipart, MultipartLimits::default()).await?;
    let input = EntryInput::from_fields(|n| form.text(n));
    let files: Vec<_> = form.files_in("attachments").collect();
    let entry = match entry_form::new_entry(&input, state.clock().now()) {
        Ok(e) => e,
        Err(p) => {
            let mut p = p;
            if !files.is_empty() {
                p.add(
                    "attachments",
                    "Choose the files again: they are not kept when the form has a problem",
                );
            }
            let (_, case) = readable_case(&state, &actor, &case_id, Capability::Record).await?;
            return Ok((
                StatusCode::BAD_REQUEST,
                form_page(&user, &case_id, &input, &parties(&case), &p),
            )
                .into_response());
        }
    };
    let uploaded = uploads::in_memory(&files);
    let id = case_id.clone();
    let result = blocking(&state, move |p| p.log_entry_uploaded(&id, &entry, uploaded)).await;
    let receipt = match result {
        Ok(r) => r,
        Err(WebError::BadRequest(m)) => {
            let mut p = Problems::default();
            p.add("occurred_at", m);
            let (_, case) = readable_case(&state, &actor, &case_id, Capability::Record).await?;
            return Ok((
                StatusCode::BAD_REQUEST,
                form_page(&user, &case_id, &input, &parties(&case), &p),
            )
                .into_response());
        }
        Err(e) => return Err(e),
    };
    audit::record(
        &state,
        &actor,
        AuditAction::EntryLogged,
        Some(&case_id),
        Some(&receipt.id),
        Some(&format!("{} attachments", receipt.attachments.len())),
    )
    .await?;
    Ok(Redirect::to(&format!(
        "/cases/{case_id}?saved={}#entry-{}",
        receipt.id, receipt.id
    ))
    .into_response())
}
