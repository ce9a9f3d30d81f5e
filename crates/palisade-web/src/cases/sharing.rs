//! Sharing a case (owner only): with an active clinician, manager or admin
//! account, never a colleague; revocable, effective on the next request,
//! and recorded in the ledger (who, by whom, when, why).

use super::forms::{Problems, error_summary, input, select, some_text};
use super::guard::{Actor, authorize, blocking, readable_case};
use super::{audit, labels};
use crate::csrf::CsrfForm;
use crate::error::WebError;
use crate::layout::{csrf_field, page};
use crate::session::SignedIn;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use palisade_core::access::Capability;
use palisade_core::view::CaseView;
use palisade_service::{AuditAction, User};
use serde::Deserialize;
use std::sync::Arc;

/// Accounts the case may be shared with now: active, not colleagues, not
/// the owner, not already shared with.
pub async fn candidates(state: &AppState, case: &CaseView) -> Result<Vec<User>, WebError> {
    let accounts = Arc::clone(state.accounts());
    let users = tokio::task::spawn_blocking(move || accounts.users())
        .await
        .map_err(|e| WebError::Internal(e.to_string()))??;
    Ok(users
        .into_iter()
        .filter(|u| {
            !u.disabled
                && u.role.can_receive_share()
                && case.owner.as_deref() != Some(u.id.as_str())
                && !case.shared_with(&u.id)
        })
        .collect())
}

/// The sharing section of the case page.
pub fn section(user: &SignedIn, case: &CaseView, candidates: &[User]) -> Markup {
    share_block(
        user,
        case,
        candidates,
        &ShareInput::default(),
        &Problems::default(),
    )
}

fn share_block(
    user: &SignedIn,
    case: &CaseView,
    candidates: &[User],
    i: &ShareInput,
    p: &Problems,
) -> Markup {
    let active: Vec<_> = case.shares.iter().filter(|s| s.is_active()).collect();
    let ended: Vec<_> = case.shares.iter().filter(|s| !s.is_active()).collect();
    html! {
        @if active.is_empty() {
            p { "This case is not shared with anyone. Only you can see it." }
        } @else {
            table.table {
                caption { "Who can see this case" }
                thead { tr { th scope="col" { "Person" } th scope="col" { "Since" } th scope="col" { "Reason" } th scope="col" { span.visually-hidden { "Action" } } } }
                tbody {
                    @for s in &active {
                        tr {
                            td { (s.user_name) }
                            td { (labels::when(&s.granted_at)) }
                            td { (s.reason.as_deref().unwrap_or("")) }
                            td {
                                form method="post" action=(format!("/cases/{}/shares/{}/revoke", case.id, s.user)) {
                                    (csrf_field(user))
                                    button.button.button--warning type="submit" { "Stop sharing" span.visually-hidden { " with " (s.user_name) } }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if !ended.is_empty() {
            details { summary { "Shares that have ended" }
                ul { @for s in &ended { li { (s.user_name) ": from " (labels::when(&s.granted_at))
                    @if let Some(r) = &s.revoked { " to " (labels::when(&r.recorded_at)) } } } }
            }
        }
        @if case.is_closed() {
            p { "The case is closed: it cannot be shared with anyone new." }
        } @else if candidates.is_empty() {
            p { "There is nobody else to share it with. Colleague accounts never see case content." }
        } @else {
            form method="post" action=(format!("/cases/{}/shares", case.id)) novalidate {
                (csrf_field(user))
                (error_summary(p))
                (select("user", "Share with", Some("Clinicians, managers and administrators only. They will see everything in this case."),
                    candidates.iter().map(|u| (u.id.as_str(), format!("{} ({})", u.display_name, u.role.label()))),
                    &i.user, Some("Choose a person"), p))
                (input("reason", "text", "Why (optional)", Some("Recorded in the ledger with the share"), &i.reason, p))
                button.button.button--secondary type="submit" { "Share the case" }
            }
        }
    }
}

/// `GET /cases/{id}/sharing`.
pub async fn show(
    State(state): State<AppState>,
    user: SignedIn,
    Path(case_id): Path<String>,
) -> Result<Markup, WebError> {
    let actor = Actor::from(&user);
    let (_, case) = readable_case(&state, &actor, &case_id, Capability::Govern).await?;
    let c = candidates(&state, &case).await?;
    Ok(page(
        Some(&user),
        "Sharing",
        html! {
            a.back-link href=(format!("/cases/{case_id}")) { "Back to the case" }
            h1 { "Sharing" }
            (section(&user, &case, &c))
        },
    ))
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ShareInput {
    #[serde(default)]
    pub user: String,
    #[serde(default)]
    pub reason: String,
}

/// "Dr A Jones (usr_…)": who did something, for the ledger.
pub fn by_line(actor: &Actor) -> String {
    format!("{} ({})", actor.display_name, actor.user_id)
}

/// Share `case_id` with the account `user_id` after checking it may receive
/// one; shared by the page and the API.
pub async fn share(
    state: &AppState,
    actor: &Actor,
    case_id: &str,
    user_id: &str,
    reason: Option<String>,
) -> Result<(), Problems> {
    let mut p = Problems::default();
    let accounts = Arc::clone(state.accounts());
    let uid = user_id.to_string();
    let target = tokio::task::spawn_blocking(move || accounts.user(&uid))
        .await
        .ok()
        .and_then(Result::ok)
        .flatten();
    let Some(target) = target.filter(|u| !u.disabled && u.role.can_receive_share()) else {
        p.add(
            "user",
            "Choose an active clinician, manager or administrator",
        );
        return Err(p);
    };
    if target.id == actor.user_id {
        p.add("user", "You already own this case");
        return Err(p);
    }
    let (id, by) = (case_id.to_string(), by_line(actor));
    let name = target.display_name.clone();
    let uid = target.id.clone();
    match blocking(state, move |pal| {
        pal.share_case(&id, &uid, &name, &by, reason.as_deref())
    })
    .await
    {
        Ok(_) => {}
        Err(WebError::BadRequest(m)) => {
            p.add("user", m);
            return Err(p);
        }
        Err(e) => {
            p.add("user", format!("The share could not be recorded ({e})"));
            return Err(p);
        }
    }
    if audit::record(
        state,
        actor,
        AuditAction::ShareGranted,
        Some(case_id),
        Some(&target.id),
        None,
    )
    .await
    .is_err()
    {
        p.add(
            "user",
            "The share was recorded, but the audit trail could not be written",
        );
        return Err(p);
    }
    Ok(())
}

/// `POST /cases/{id}/shares`.
pub async fn create(
    State(state): State<AppState>,
    user: SignedIn,
    Path(case_id): Path<String>,
    CsrfForm(i): CsrfForm<ShareInput>,
) -> Result<Response, WebError> {
    let actor = Actor::from(&user);
    authorize(&state, &actor, &case_id, Capability::Govern).await?;
    match share(
        &state,
        &actor,
        &case_id,
        i.user.trim(),
        some_text(&i.reason),
    )
    .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/cases/{case_id}/sharing")).into_response()),
        Err(p) => {
            let (_, case) = readable_case(&state, &actor, &case_id, Capability::Govern).await?;
            let c = candidates(&state, &case).await?;
            Ok((
                axum::http::StatusCode::BAD_REQUEST,
                page(
                    Some(&user),
                    "Error: Sharing",
                    html! {
                        a.back-link href=(format!("/cases/{case_id}")) { "Back to the case" }
                        h1 { "Sharing" }
                        (share_block(&user, &case, &c, &i, &p))
                    },
                ),
            )
                .into_response())
        }
    }
}

/// Revoke `user_id`'s share; shared by the page and the API.
pub async fn revoke(
    state: &AppState,
    actor: &Actor,
    case_id: &str,
    user_id: &str,
) -> Result<(), WebError> {
    let (id, uid, by) = (case_id.to_string(), user_id.to_string(), by_line(actor));
    blocking(state, move |p| p.revoke_share(&id, &uid, &by, None)).await?;
    audit::record(
        state,
        actor,
        AuditAction::ShareRevoked,
        Some(case_id),
        Some(user_id),
        None,
    )
    .await
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Empty {}

/// `POST /cases/{id}/shares/{uid}/revoke`.
pub async fn revoke_handler(
    State(state): State<AppState>,
    user: SignedIn,
    Path((case_id, user_id)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, WebError> {
    let actor = Actor::from(&user);
    authorize(&state, &actor, &case_id, Capability::Govern).await?;
    revoke(&state, &actor, &case_id, &user_id).await?;
    Ok(Redirect::to(&format!("/cases/{case_id}/sharing")).into_response())
}
