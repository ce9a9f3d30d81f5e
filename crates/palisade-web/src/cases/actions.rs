//! Actions taken about a case: the list on the case page, and the form to
//! record one (`GET /cases/{id}/actions/new`, `POST /cases/{id}/actions`).

use super::forms::{Problems, error_summary, input, select, some_text, textarea};
use super::guard::{Actor, authorize, blocking};
use super::timeline::attachments;
use super::{audit, chart, labels};
use crate::csrf::CsrfForm;
use crate::error::WebError;
use crate::layout::{csrf_field, page};
use crate::session::SignedIn;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::civil::Date;
use maud::{Markup, html};
use palisade_core::access::Capability;
use palisade_core::compose::NewAction;
use palisade_core::domain::{ActionKind, RemovalMode};
use palisade_core::time::When;
use palisade_core::view::CaseView;
use palisade_service::AuditAction;
use serde::Deserialize;

/// The actions of a case, in date order.
pub fn list(case: &CaseView) -> Markup {
    html! {
        @if case.actions.is_empty() {
            p { "No actions recorded yet." }
        } @else {
            ol.actions {
                @for a in &case.actions {
                    li id=(format!("action-{}", a.id)) {
                        h3 { (labels::action_kind(&a.kind)) ", " (labels::when(&a.date)) }
                        dl.summary-list {
                            @if let Some(b) = &a.by { div { dt { "By" } dd { (b) } } }
                            @if let Some(r) = &a.reference { div { dt { "Reference" } dd { (r) } } }
                            @if let Some(m) = &a.mode { div { dt { "Removal" } dd { (m) } } }
                            @if let Some(n) = &a.notes { div { dt { "Notes" } dd.entry__content { (n) } } }
                            div { dt { "Recorded" } dd { (labels::when(&a.recorded_at)) ", ledger position " (a.leaf_index) } }
                        }
                        @if !a.attachments.is_empty() { (attachments(&case.id, &a.attachments)) }
                    }
                }
            }
        }
    }
}

/// The action form's fields as submitted.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ActionInput {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub by: String,
    #[serde(default)]
    pub reference: String,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub mode: String,
}

/// Check the form into a `NewAction`, as of `today`.
pub fn parse(i: &ActionInput, today: Date) -> Result<NewAction, Problems> {
    let mut p = Problems::default();
    let kind = match i.kind.trim().parse::<ActionKind>() {
        Ok(k) => Some(k),
        Err(_) => {
            p.add("kind", "Choose what was done");
            None
        }
    };
    let date = match When::parse(i.date.trim()) {
        Ok(When::Day(d)) if d > today => {
            p.add("date", "The date is in the future: enter when it was done");
            None
        }
        Ok(w) => Some(w),
        Err(_) if i.date.trim().is_empty() => {
            p.add("date", "Enter the date it was done");
            None
        }
        Err(_) => {
            p.add("date", "Enter a real date, like 2026-03-03");
            None
        }
    };
    let mode = match (kind, i.mode.trim()) {
        (_, "") => None,
        (Some(ActionKind::RemovalNotice), m) => match m.parse::<RemovalMode>() {
            Ok(m) => Some(m),
            Err(_) => {
                p.add("mode", "Choose standard or immediate removal");
                None
            }
        },
        _ => None,
    };
    if kind == Some(ActionKind::RemovalNotice) && mode.is_none() && p.of("mode").is_none() {
        p.add(
            "mode",
            "Say whether the removal is standard or immediate (violence)",
        );
    }
    match (kind, date) {
        (Some(kind), Some(date)) if p.is_empty() => Ok(NewAction {
            kind,
            date,
            by: some_text(&i.by),
            reference: some_text(&i.reference),
            notes: some_text(&i.notes),
            mode,
        }),
        _ => Err(p),
    }
}

fn form_page(user: &SignedIn, case_id: &str, i: &ActionInput, p: &Problems) -> Markup {
    page(
        Some(user),
        if p.is_empty() {
            "Record an action"
        } else {
            "Error: Record an action"
        },
        html! {
            a.back-link href=(format!("/cases/{case_id}")) { "Back to the case" }
            h1 { "Record an action" }
            (error_summary(p))
            form method="post" action=(format!("/cases/{case_id}/actions")) novalidate {
                (csrf_field(user))
                (select("kind", "What was done?", None, labels::action_kinds(), &i.kind, Some("Choose"), p))
                (input("date", "date", "When?", None, &i.date, p))
                (input("by", "text", "By whom?", None, &i.by, p))
                (input("reference", "text", "Reference", Some("A police incident number, letter reference or similar (optional)"), &i.reference, p))
                (select("mode", "For a removal notice: how does it take effect?", Some("Only for a removal notice"),
                    [("standard", "Standard (eighth day after notice)".to_string()), ("immediate", "Immediate (violence or fear for safety; needs a police incident number)".to_string())],
                    &i.mode, Some("Not a removal notice"), p))
                (textarea("notes", "Notes", None, &i.notes, 4, p))
                button.button type="submit" { "Save action" }
            }
        },
    )
}

/// `GET /cases/{id}/actions/new`.
pub async fn new(
    State(state): State<AppState>,
    user: SignedIn,
    Path(case_id): Path<String>,
) -> Result<Markup, WebError> {
    let actor = Actor::from(&user);
    authorize(&state, &actor, &case_id, Capability::Record).await?;
    let today = state.clock().now().to_zoned(chart::org_tz()).date();
    let i = ActionInput {
        date: today.to_string(),
        by: user.user.display_name.clone(),
        ..ActionInput::default()
    };
    Ok(form_page(&user, &case_id, &i, &Problems::default()))
}

/// `POST /cases/{id}/actions`.
pub async fn create(
    State(state): State<AppState>,
    user: SignedIn,
    Path(case_id): Path<String>,
    CsrfForm(i): CsrfForm<ActionInput>,
) -> Result<Response, WebError> {
    let actor = Actor::from(&user);
    authorize(&state, &actor, &case_id, Capability::Record).await?;
    let today = state.clock().now().to_zoned(chart::org_tz()).date();
    let action = match parse(&i, today) {
        Ok(a) => a,
        Err(p) => {
            return Ok(
                (StatusCode::BAD_REQUEST, form_page(&user, &case_id, &i, &p)).into_response(),
            );
        }
    };
    let id = case_id.clone();
    let receipt = match blocking(&state, move |p| p.record_action(&id, &action, &[])).await {
        Ok(r) => r,
        Err(WebError::BadRequest(m)) => {
            let mut p = Problems::default();
            p.add("date", m);
            return Ok(
                (StatusCode::BAD_REQUEST, form_page(&user, &case_id, &i, &p)).into_response(),
            );
        }
        Err(e) => return Err(e),
    };
    audit::record(
        &state,
        &actor,
        AuditAction::ActionRecorded,
        Some(&case_id),
        Some(&receipt.id),
        None,
    )
    .await?;
    Ok(Redirect::to(&format!("/cases/{case_id}#action-{}", receipt.id)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removal_notices_need_a_mode_and_dates_cannot_be_future() {
        let today = jiff::civil::date(2026, 3, 3);
        let p = parse(
            &ActionInput {
                kind: "removal_notice".into(),
                date: "2026-03-04".into(),
                ..ActionInput::default()
            },
            today,
        )
        .unwrap_err();
        let fields: Vec<&str> = p.0.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, ["date", "mode"]);
        let a = parse(
            &ActionInput {
                kind: "asked_to_stop".into(),
                date: "2026-03-03".into(),
                by: " Dr A ".into(),
                mode: "immediate".into(),
                ..ActionInput::default()
            },
            today,
        )
        .unwrap();
        assert_eq!(a.by.as_deref(), Some("Dr A"));
        assert_eq!(a.mode, None);
    }
}
