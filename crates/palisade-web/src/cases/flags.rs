//! Flags for colleagues: a short alert ("Chaperone required for AB") that
//! every signed-in user sees at `/flags`, published or withdrawn from a case
//! by its owner or a manager it is shared with. Colleagues see these and
//! nothing else of any case.

use super::forms::{Problems, error_summary, input, textarea};
use super::guard::{Actor, authorize, blocking};
use super::sharing::{Empty, by_line};
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
use palisade_core::view::CaseView;
use palisade_service::{AuditAction, PublishedFlag};
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct FlagInput {
    #[serde(default)]
    pub patient: String,
    #[serde(default)]
    pub text: String,
}

pub fn check(i: &FlagInput) -> Result<(String, String), Problems> {
    let mut p = Problems::default();
    let patient = i.patient.trim();
    let text = i.text.trim();
    if patient.is_empty() {
        p.add(
            "patient",
            "Say how colleagues will recognise the patient, for example initials and a reference",
        );
    }
    if text.is_empty() {
        p.add("text", "Say what colleagues should do");
    }
    if patient.chars().count() > 200 {
        p.add("patient", "Keep it under 200 characters");
    }
    if text.chars().count() > 1000 {
        p.add("text", "Keep it under 1000 characters");
    }
    if p.is_empty() {
        Ok((patient.to_string(), text.to_string()))
    } else {
        Err(p)
    }
}

fn publish_form(user: &SignedIn, case_id: &str, i: &FlagInput, p: &Problems) -> Markup {
    html! {
        form method="post" action=(format!("/cases/{case_id}/flags")) novalidate {
            (csrf_field(user))
            (error_summary(p))
            (input("patient", "text", "How colleagues will recognise the patient", Some("Keep it to the minimum: initials and a reference number. Every signed-in colleague will see it."), &i.patient, p))
            (textarea("text", "What colleagues should do", Some("For example: chaperone required; do not give out my rota or whereabouts"), &i.text, 3, p))
            button.button.button--secondary type="submit" { "Publish flag" }
        }
    }
}

/// The flags section of the case page.
pub fn section(user: &SignedIn, case: &CaseView) -> Markup {
    html! {
        p { "Colleagues cannot see this case. A flag tells them only what they need to know." }
        @let active: Vec<_> = case.active_flags().collect();
        @if active.is_empty() { p { "No flags published." } }
        ul.flags {
            @for f in active {
                li {
                    strong { (f.patient) } ": " (f.text)
                    " (published " (labels::when(&f.published_at)) ")"
                    form.inline-form method="post" action=(format!("/cases/{}/flags/{}/withdraw", case.id, f.id)) {
                        (csrf_field(user))
                        button.button.button--warning type="submit" { "Withdraw" span.visually-hidden { " the flag for " (f.patient) } }
                    }
                }
            }
        }
        @if !case.is_closed() {
            (publish_form(user, &case.id, &FlagInput::default(), &Problems::default()))
        }
    }
}

/// Publish a flag after the checks; shared by the page and the API.
pub async fn publish(
    state: &AppState,
    actor: &Actor,
    case_id: &str,
    patient: String,
    text: String,
) -> Result<String, WebError> {
    let (id, by) = (case_id.to_string(), by_line(actor));
    let r = blocking(state, move |p| p.publish_flag(&id, &patient, &text, &by)).await?;
    audit::record(
        state,
        actor,
        AuditAction::FlagPublished,
        Some(case_id),
        Some(&r.id),
        None,
    )
    .await?;
    Ok(r.id)
}

/// `POST /cases/{id}/flags`.
pub async fn create(
    State(state): State<AppState>,
    user: SignedIn,
    Path(case_id): Path<String>,
    CsrfForm(i): CsrfForm<FlagInput>,
) -> Result<Response, WebError> {
    let actor = Actor::from(&user);
    authorize(&state, &actor, &case_id, Capability::PublishFlag).await?;
    let (patient, text) = match check(&i) {
        Ok(v) => v,
        Err(p) => {
            return Ok((
                StatusCode::BAD_REQUEST,
                page(
                    Some(&user),
                    "Error: Publish a flag",
                    html! {
                        a.back-link href=(format!("/cases/{case_id}#flags")) { "Back to the case" }
                        h1 { "Publish a flag for colleagues" }
                        (publish_form(&user, &case_id, &i, &p))
                    },
                ),
            )
                .into_response());
        }
    };
    publish(&state, &actor, &case_id, patient, text).await?;
    Ok(Redirect::to(&format!("/cases/{case_id}#flags")).into_response())
}

/// `POST /cases/{id}/flags/{fid}/withdraw`.
pub async fn withdraw(
    State(state): State<AppState>,
    user: SignedIn,
    Path((case_id, flag_id)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, WebError> {
    let actor = Actor::from(&user);
    authorize(&state, &actor, &case_id, Capability::PublishFlag).await?;
    let (id, fid, by) = (case_id.clone(), flag_id.clone(), by_line(&actor));
    blocking(&state, move |p| p.withdraw_flag(&id, &fid, &by, None)).await?;
    audit::record(
        &state,
        &actor,
        AuditAction::FlagWithdrawn,
        Some(&case_id),
        Some(&flag_id),
        None,
    )
    .await?;
    Ok(Redirect::to(&format!("/cases/{case_id}#flags")).into_response())
}

/// Every published flag (any signed-in user).
pub async fn published(state: &AppState) -> Result<Vec<PublishedFlag>, WebError> {
    blocking(state, |p| p.published_flags()).await
}

/// The flags list (dashboard of a colleague, and `/flags`).
pub fn list(flags: &[PublishedFlag]) -> Markup {
    html! {
        @if flags.is_empty() {
            p { "There are no flags at the moment." }
        } @else {
            ul.flag-list {
                @for f in flags {
                    li.flag-list__item {
                        h3 { (f.patient) }
                        p { (f.text) }
                        p.hint { "Published " (labels::when(&f.published_at)) }
                    }
                }
            }
        }
    }
}

/// `GET /flags`.
pub async fn page_handler(
    State(state): State<AppState>,
    user: SignedIn,
) -> Result<Markup, WebError> {
    let flags = published(&state).await?;
    Ok(page(
        Some(&user),
        "Flags for colleagues",
        html! {
            h1 { "Flags for colleagues" }
            p { "What colleagues need to know about patients whose contact is being recorded. You see only these notes, not the cases behind them." }
            (list(&flags))
        },
    ))
}
