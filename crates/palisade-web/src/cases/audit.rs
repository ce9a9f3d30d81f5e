//! The audit trail of a case: every view, search hit, download, export and
//! import is written (before the content is sent); the case owner reads it
//! on the case page and at `/cases/{id}/audit`.

use super::guard::{Actor, authorize};
use super::labels;
use crate::error::WebError;
use crate::layout::page;
use crate::session::SignedIn;
use crate::state::AppState;
use axum::extract::{Path, State};
use maud::{Markup, html};
use palisade_core::access::Capability;
use palisade_service::{AuditAction, AuditEntry, AuditEvent};
use std::sync::Arc;

/// Write one audit row. A failed write fails the request: nothing is shown
/// that was not recorded.
pub async fn record(
    state: &AppState,
    actor: &Actor,
    action: AuditAction,
    case_id: Option<&str>,
    target: Option<&str>,
    detail: Option<&str>,
) -> Result<(), WebError> {
    let accounts = Arc::clone(state.accounts());
    let (actor_id, client) = (actor.user_id.clone(), actor.client.clone());
    let case_id = case_id.map(str::to_string);
    let target = target.map(str::to_string);
    let detail = detail.map(str::to_string);
    tokio::task::spawn_blocking(move || {
        accounts.audit(&AuditEvent {
            actor: Some(&actor_id),
            action,
            case_id: case_id.as_deref(),
            target: target.as_deref(),
            detail: detail.as_deref(),
            client: Some(&client),
        })
    })
    .await
    .map_err(|e| WebError::Internal(format!("audit worker failed: {e}")))?
    .map_err(|e| WebError::Internal(format!("audit write failed: {e}")))
}

/// The audit rows of a case, oldest first.
pub async fn of_case(state: &AppState, case_id: &str) -> Result<Vec<AuditEntry>, WebError> {
    let accounts = Arc::clone(state.accounts());
    let id = case_id.to_string();
    tokio::task::spawn_blocking(move || accounts.audit_of_case(&id))
        .await
        .map_err(|e| WebError::Internal(format!("audit worker failed: {e}")))?
        .map_err(WebError::from)
}

fn action_label(a: &str) -> String {
    match a {
        "case_viewed" => "Viewed the case".into(),
        "case_opened" => "Opened the case".into(),
        "case_closed" => "Closed the case".into(),
        "entry_logged" => "Logged a contact".into(),
        "entry_corrected" => "Corrected an entry".into(),
        "entry_retracted" => "Retracted an entry".into(),
        "attachment_downloaded" => "Downloaded an attachment".into(),
        "search_hit" => "Found the case in a search".into(),
        "export" => "Exported an evidence bundle".into(),
        "import" => "Imported an export".into(),
        "action_recorded" => "Recorded an action".into(),
        "share_granted" => "Shared the case".into(),
        "share_revoked" => "Revoked a share".into(),
        "flag_published" => "Published a flag for colleagues".into(),
        "flag_withdrawn" => "Withdrew a flag".into(),
        "exhibit_recorded" => "Updated the evidence register".into(),
        "letter_issued" => "Issued a letter".into(),
        "api_call" => "Used the API".into(),
        other => other.replace('_', " "),
    }
}

/// The audit table (newest first).
pub fn table(rows: &[AuditEntry]) -> Markup {
    html! {
        @if rows.is_empty() {
            p { "Nothing recorded yet." }
        } @else {
            table.table {
                caption.visually-hidden { "Who did what with this case, newest first" }
                thead { tr { th scope="col" { "When" } th scope="col" { "Who" } th scope="col" { "What" } th scope="col" { "Detail" } th scope="col" { "From" } } }
                tbody {
                    @for r in rows.iter().rev() {
                        tr {
                            td { (labels::when(&r.at)) }
                            td { (r.actor_name.as_deref().or(r.actor_id.as_deref()).unwrap_or("—")) }
                            td { (action_label(&r.action)) }
                            td { (r.detail.as_deref().unwrap_or("")) }
                            td { (r.client.as_deref().unwrap_or("")) }
                        }
                    }
                }
            }
        }
    }
}

/// `GET /cases/{id}/audit`: the whole trail (owner only).
pub async fn page_handler(
    State(state): State<AppState>,
    user: SignedIn,
    Path(case_id): Path<String>,
) -> Result<Markup, WebError> {
    let actor = Actor::from(&user);
    authorize(&state, &actor, &case_id, Capability::Govern).await?;
    let rows = of_case(&state, &case_id).await?;
    Ok(page(
        Some(&user),
        "Audit trail",
        html! {
            a.back-link href=(format!("/cases/{case_id}")) { "Back to the case" }
            h1 { "Audit trail" }
            p { "Every view, search hit, download, export and change, as recorded. Only you, the case owner, can see this." }
            (table(&rows))
        },
    ))
}
