//! The dashboard `GET /`: the cases the user owns or has been shared, each
//! with its status, last contact, contacts in the last 7 days, risk level
//! and next recommended step, and a "Log a contact" button. Colleagues see
//! the flags published for them instead (never a case). Also: opening a
//! case (`GET /cases/new`, `POST /cases`).

use super::case_page::advice;
use super::chart::{self, local_day};
use super::forms::{Problems, error_summary, input, select, textarea};
use super::guard::{Actor, blocking};
use super::{audit, flags, labels};
use crate::csrf::CsrfForm;
use crate::error::WebError;
use crate::layout::{csrf_field, page};
use crate::session::SignedIn;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use palisade_core::access::{Capability, Role, allowed};
use palisade_core::compose::NewCase;
use palisade_core::domain::{CaseKind, Party};
use palisade_core::view::CaseView;
use palisade_service::AuditAction;
use serde::Deserialize;
use std::sync::Arc;

/// The cases `actor` may read, as people read them.
pub async fn my_cases(state: &AppState, actor: &Actor) -> Result<Vec<Arc<CaseView>>, WebError> {
    if actor.role == Role::Colleague {
        return Ok(Vec::new());
    }
    let uid = actor.user_id.clone();
    let role = actor.role;
    blocking(state, move |p| {
        let mut out = Vec::new();
        for id in p.cases_readable_by(&uid)? {
            let relation = p.case_access(&id)?.relation(&uid);
            if allowed(role, relation, Capability::Read) {
                out.push(p.case_shared(&id)?);
            }
        }
        Ok(out)
    })
    .await
}

fn contacts_in_last_week(case: &CaseView, today: jiff::civil::Date) -> usize {
    let start = today
        .checked_sub(jiff::Span::new().days(6))
        .unwrap_or(today);
    case.live_entries()
        .filter_map(|e| local_day(&e.occurred_at))
        .filter(|d| *d >= start && *d <= today)
        .count()
}

fn case_card(state: &AppState, case: &CaseView, can_record: bool) -> Markup {
    let a = advice(case, state);
    let today = state.clock().now().to_zoned(chart::org_tz()).date();
    let level = a.risk.level.as_str();
    html! {
        li.case-card {
            h2.case-card__title { a href=(format!("/cases/{}", case.id)) { (case.title) } }
            dl.summary-list {
                div { dt { "Status" } dd { strong class=(labels::status_tag(&case.status)) { (case.status) } } }
                div { dt { "Risk" } dd { strong class=(labels::risk_tag(level)) { (labels::risk(level)) } } }
                div { dt { "Last contact" } dd { (case.last_contact().map(labels::when).unwrap_or_else(|| "None yet".into())) } }
                div { dt { "Contacts in the last 7 days" } dd { (contacts_in_last_week(case, today)) } }
                div { dt { "Next step" } dd { (a.steps.first().map(|s| s.title.as_str()).unwrap_or("Keep logging every contact")) } }
            }
            @if let Some(lead) = &a.risk.lead { p.warning-text { strong { (lead) } } }
            @if can_record && !case.is_closed() {
                a.button href=(format!("/cases/{}/log", case.id)) { "Log a contact" span.visually-hidden { " in this case" } }
            }
        }
    }
}

/// `GET /`.
pub async fn show(State(state): State<AppState>, user: SignedIn) -> Result<Markup, WebError> {
    let actor = Actor::from(&user);
    if actor.role == Role::Colleague {
        let f = flags::published(&state).await?;
        return Ok(page(
            Some(&user),
            "Flags for colleagues",
            html! {
                h1 { "Flags for colleagues" }
                p { "These notes tell you what you need to know about some patients. You do not see the cases behind them." }
                (flags::list(&f))
            },
        ));
    }
    let cases = my_cases(&state, &actor).await?;
    let uid = actor.user_id.clone();
    Ok(page(
        Some(&user),
        "Your cases",
        html! {
            h1 { "Your cases" }
            @if actor.role.can_open_cases() {
                p { a.button.button--secondary href="/cases/new" { "Open a case" } }
            }
            @if cases.is_empty() {
                p { "You have no cases yet." }
            } @else {
                ul.case-list {
                    @for c in &cases {
                        @let rel = if c.owner.as_deref() == Some(uid.as_str()) { palisade_core::access::Relation::Owner } else { palisade_core::access::Relation::Shared };
                        (case_card(&state, c, allowed(actor.role, rel, Capability::Record)))
                    }
                }
            }
            p { a href="/flags" { "Flags for colleagues" } " · " a href="/search" { "Search your cases" } }
        },
    ))
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewCaseInput {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub parties: String,
}

fn case_kinds() -> impl Iterator<Item = (&'static str, String)> {
    CaseKind::ALL
        .iter()
        .map(|k| (k.as_str(), labels::case_kind(k.as_str())))
}

pub fn parse_case(i: &NewCaseInput, owner: &str) -> Result<NewCase, Problems> {
    let mut p = Problems::default();
    if i.title.trim().is_empty() {
        p.add("title", "Give the case a title you will recognise");
    }
    if i.subject.trim().is_empty() {
        p.add(
            "subject",
            "Say who the case is about (initials or a reference are enough)",
        );
    }
    let kind = i.kind.trim().parse::<CaseKind>().ok();
    if kind.is_none() {
        p.add("kind", "Choose what kind of behaviour it is");
    }
    let parties: Vec<Party> = i
        .parties
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .filter_map(|l| l.parse::<Party>().ok())
        .collect();
    match kind {
        Some(kind) if p.is_empty() => Ok(NewCase {
            title: i.title.trim().to_string(),
            subject: i.subject.trim().to_string(),
            kind,
            parties,
            owner: Some(owner.to_string()),
        }),
        _ => Err(p),
    }
}

fn new_case_page(user: &SignedIn, i: &NewCaseInput, p: &Problems) -> Markup {
    page(
        Some(user),
        if p.is_empty() {
            "Open a case"
        } else {
            "Error: Open a case"
        },
        html! {
            a.back-link href="/" { "Back to your cases" }
            h1 { "Open a case" }
            (error_summary(p))
            form method="post" action="/cases" novalidate {
                (csrf_field(user))
                (input("title", "text", "Case title", Some("Only you and the people you share it with will see it"), &i.title, p))
                (input("subject", "text", "Who is it about?", Some("Initials or a reference number are enough"), &i.subject, p))
                (select("kind", "What kind of behaviour?", None, case_kinds(), &i.kind, Some("Choose"), p))
                (textarea("parties", "Other people involved (optional)", Some("One per line. Start with family:, friend: or other: if they are not the patient"), &i.parties, 3, p))
                button.button type="submit" { "Open the case" }
            }
        },
    )
}

/// `GET /cases/new`.
pub async fn new_case(user: SignedIn) -> Result<Markup, WebError> {
    if !user.user.role.can_open_cases() {
        return Err(WebError::Forbidden("Your role cannot open cases."));
    }
    Ok(new_case_page(
        &user,
        &NewCaseInput::default(),
        &Problems::default(),
    ))
}

/// `POST /cases`.
pub async fn create_case(
    State(state): State<AppState>,
    user: SignedIn,
    CsrfForm(i): CsrfForm<NewCaseInput>,
) -> Result<Response, WebError> {
    if !user.user.role.can_open_cases() {
        return Err(WebError::Forbidden("Your role cannot open cases."));
    }
    let actor = Actor::from(&user);
    let new = match parse_case(&i, &actor.user_id) {
        Ok(c) => c,
        Err(p) => {
            return Ok((StatusCode::BAD_REQUEST, new_case_page(&user, &i, &p)).into_response());
        }
    };
    let r = blocking(&state, move |p| p.open_case(&new)).await?;
    audit::record(
        &state,
        &actor,
        AuditAction::CaseOpened,
        Some(&r.id),
        None,
        None,
    )
    .await?;
    Ok(Redirect::to(&format!("/cases/{}", r.id)).into_response())
}
