//! `GET /cases/{id}/next`: what `palisade next` prints, as a page: the risk
//! level with every factor, the recommended steps with their reason and
//! source, and the open deadlines. An urgent case leads with the police.

use super::case_page::advice;
use super::guard::{Actor, readable_case};
use super::{audit, labels};
use crate::error::WebError;
use crate::layout::page;
use crate::session::SignedIn;
use crate::state::AppState;
use axum::extract::{Path, State};
use maud::{Markup, html};
use palisade_core::access::Capability;
use palisade_guidance::Advice;
use palisade_service::AuditAction;

pub fn render(case_id: &str, a: &Advice) -> Markup {
    let level = a.risk.level.as_str();
    html! {
        @if a.risk.lead.is_some() {
            div.warning-callout role="alert" {
                h2 { "Call 999 / the police now" }
                p { strong { (a.risk.lead.as_deref().unwrap_or_default()) } }
                p { "If anyone is in immediate danger, call 999. Otherwise call 101 and give the case details." }
            }
        }
        h2 { "Risk: " strong class=(labels::risk_tag(level)) { (labels::risk(level)) } }
        @if a.risk.factors.is_empty() {
            p { "Nothing in the log raises the level above standard." }
        } @else {
            ul {
                @for f in &a.risk.factors {
                    li { strong { (f.title) } " (" (labels::risk(f.level.as_str())) "): " (f.explanation) }
                }
            }
        }
        h2 { "What to do next" }
        @if a.steps.is_empty() { p { "No steps to suggest now. Keep logging every contact." } }
        ol.steps {
            @for s in &a.steps {
                li {
                    h3 { (s.title) }
                    p { strong { "Why: " } (s.reason) }
                    p.hint { "Source: " (s.source.to_string()) }
                }
            }
        }
        h2 { "Deadlines" }
        @if a.deadlines.is_empty() {
            p { "None open." }
        } @else {
            table.table {
                caption.visually-hidden { "Open deadlines" }
                thead { tr { th scope="col" { "Due" } th scope="col" { "What" } th scope="col" { "Status" } th scope="col" { "How the date was worked out" } } }
                tbody {
                    @for d in &a.deadlines {
                        tr {
                            td { (super::chart::short_date(d.due)) }
                            td { (d.what) }
                            td { (d.status.to_string()) }
                            td { (d.basis) " " span.hint { "(" (d.source.to_string()) ")" } }
                        }
                    }
                }
            }
        }
        p { a href=(format!("/cases/{case_id}")) { "Back to the case" } }
    }
}

/// `GET /cases/{id}/next`.
pub async fn show(
    State(state): State<AppState>,
    user: SignedIn,
    Path(case_id): Path<String>,
) -> Result<Markup, WebError> {
    let actor = Actor::from(&user);
    let (_, case) = readable_case(&state, &actor, &case_id, Capability::Read).await?;
    audit::record(
        &state,
        &actor,
        AuditAction::CaseViewed,
        Some(&case_id),
        None,
        Some("guidance"),
    )
    .await?;
    let a = advice(&case, &state);
    Ok(page(
        Some(&user),
        "What to do next",
        html! {
            a.back-link href=(format!("/cases/{case_id}")) { "Back to the case" }
            h1 { "What to do next" }
            (render(&case_id, &a))
        },
    ))
}
