//! The case page `GET /cases/{id}`: header (subject, kind, status, risk),
//! the contact-frequency chart, the filtered timeline, actions, the
//! physical evidence register, flags for colleagues, sharing and (for the
//! owner) the audit trail, with an in-page contents list. Every view is
//! written to the audit trail before the page is sent.

use super::guard::{Actor, can, readable_case};
use super::timeline::{self, Filters};
use super::{actions, audit, chart, exhibits, flags, labels, sharing};
use crate::error::WebError;
use crate::layout::page;
use crate::session::SignedIn;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use maud::{Markup, html};
use palisade_core::access::Capability;
use palisade_core::view::CaseView;
use palisade_guidance::{Advice, Context};
use palisade_service::AuditAction;
use serde::Deserialize;

/// The case page's query: the timeline filters, and the id of an entry just
/// saved (to confirm it).
#[derive(Debug, Default, Deserialize)]
pub struct CaseQuery {
    #[serde(default)]
    pub channel: String,
    #[serde(default)]
    pub direction: String,
    #[serde(default)]
    pub party: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub saved: String,
}

/// The guidance engine's advice for a case, as of today in the organisation's zone.
pub fn advice(case: &CaseView, state: &AppState) -> Advice {
    let today = state.clock().now().to_zoned(chart::org_tz()).date();
    palisade_guidance::advise(case, &Context::for_case(case, today))
}

/// `GET /cases/{id}`.
pub async fn show(
    State(state): State<AppState>,
    user: SignedIn,
    Path(case_id): Path<String>,
    Query(q): Query<CaseQuery>,
) -> Result<Markup, WebError> {
    let actor = Actor::from(&user);
    let (relation, case) = readable_case(&state, &actor, &case_id, Capability::Read).await?;
    audit::record(
        &state,
        &actor,
        AuditAction::CaseViewed,
        Some(&case_id),
        None,
        None,
    )
    .await?;
    let can_record = can(&actor, relation, Capability::Record) && !case.is_closed();
    let can_flag = can(&actor, relation, Capability::PublishFlag);
    let can_disclose = can(&actor, relation, Capability::Disclose);
    let govern = can(&actor, relation, Capability::Govern);
    let advice = advice(&case, &state);
    let filters = Filters {
        channel: q.channel,
        direction: q.direction,
        party: q.party,
        from: q.from,
        to: q.to,
    };
    let checked = filters.check(&case);
    let share_candidates = if govern {
        sharing::candidates(&state, &case).await?
    } else {
        Vec::new()
    };
    let audit_rows = if govern {
        audit::of_case(&state, &case_id).await?
    } else {
        Vec::new()
    };
    let saved = case
        .entries
        .iter()
        .find(|e| !q.saved.is_empty() && e.id == q.saved);
    let level = advice.risk.level.as_str();
    let contents: Vec<(&str, &str)> = [
        Some(("chart", "Contacts over time")),
        Some(("timeline", "Timeline")),
        Some(("actions", "Actions taken")),
        Some(("register", "Physical evidence")),
        can_flag.then_some(("flags", "Flags for colleagues")),
        govern.then_some(("sharing", "Sharing")),
        govern.then_some(("audit", "Audit trail")),
    ]
    .into_iter()
    .flatten()
    .collect();
    Ok(page(
        Some(&user),
        "Case",
        html! {
            @if let Some(e) = saved {
                div.notification-banner.notification-banner--success role="status" {
                    h2 { "Contact saved" }
                    p { "It is in the ledger at position " (e.leaf_index) ". " a href=(format!("#entry-{}", e.id)) { "See it in the timeline" } }
                    @if let Some(t) = e.triage.as_ref().filter(|t| t.label == "threat" || t.label == "self_harm") {
                        p.warning-text { strong { (labels::triage(&t.label)) ": " }
                            @if t.label == "threat" { "If anyone is in immediate danger, call 999." } @else { "A clinician must see this today." } }
                    }
                }
            }
            span.caption { "Case" }
            h1 { (case.title) }
            dl.summary-list {
                div { dt { "About" } dd { (case.subject) } }
                div { dt { "Kind" } dd { (labels::case_kind(&case.kind)) } }
                div { dt { "Status" } dd { strong class=(labels::status_tag(&case.status)) { (case.status) } } }
                div { dt { "Risk" } dd { strong class=(labels::risk_tag(level)) { (labels::risk(level)) } " " a href=(format!("/cases/{case_id}/next")) { "Why, and what to do next" } } }
                div { dt { "Opened" } dd { (labels::when(&case.opened_at)) } }
            }
            @if let Some(lead) = &advice.risk.lead {
                div.warning-callout role="alert" { h2 { "Urgent" } p { strong { (lead) } } }
            }
            div.button-group {
                @if can_record { a.button href=(format!("/cases/{case_id}/log")) { "Log a contact" } }
                @if can_record { a.button.button--secondary href=(format!("/cases/{case_id}/actions/new")) { "Record an action" } }
                a.button.button--secondary href=(format!("/cases/{case_id}/next")) { "What to do next" }
                a.button.button--secondary href=(format!("/cases/{case_id}/risk")) { "Risk questions" }
                a.button.button--secondary href=(format!("/cases/{case_id}/letters")) { "Letters" }
                @if can_disclose {
                    a.button.button--secondary href=(format!("/cases/{case_id}/export")) { "Export evidence" }
                    a.button.button--secondary href=(format!("/cases/{case_id}/import")) { "Import messages" }
                }
            }
            nav.contents-list aria-label="On this page" {
                h2 { "On this page" }
                ol { @for (id, l) in &contents { li { a href=(format!("#{id}")) { (l) } } } }
            }
            section aria-labelledby="chart" {
                h2 id="chart" { "Contacts over time" }
                (chart::render(&case))
            }
            section aria-labelledby="timeline" {
                h2 id="timeline" { "Timeline" }
                (timeline::filter_form(&case, &filters, &checked))
                (timeline::render(&user, &case, &checked, can_record, saved.map(|e| e.id.as_str())))
            }
            section aria-labelledby="actions" {
                h2 id="actions" { "Actions taken" }
                (actions::list(&case))
            }
            section aria-labelledby="register" {
                h2 id="register" { "Physical evidence" }
                (exhibits::section(&case, can_record))
            }
            @if can_flag {
                section aria-labelledby="flags" {
                    h2 id="flags" { "Flags for colleagues" }
                    (flags::section(&user, &case))
                }
            }
            @if govern {
                section aria-labelledby="sharing" {
                    h2 id="sharing" { "Sharing" }
                    (sharing::section(&user, &case, &share_candidates))
                }
                section aria-labelledby="audit" {
                    h2 id="audit" { "Audit trail" }
                    (audit::table(&audit_rows[audit_rows.len().saturating_sub(20)..]))
                    p { a href=(format!("/cases/{case_id}/audit")) { "See the whole audit trail" } }
                }
            }
        },
    ))
}
