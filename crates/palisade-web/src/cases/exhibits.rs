//! The physical evidence register of a case: letters, cards, gifts kept as
//! exhibits, each with its chain of custody. `POST /cases/{id}/exhibits`
//! adds an item; `POST /cases/{id}/exhibits/{xid}/custody` records a
//! hand-over.

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
use palisade_core::compose::{NewCustody, NewExhibit};
use palisade_core::domain::ItemKind;
use palisade_core::time::When;
use palisade_core::view::{CaseView, ExhibitView};
use palisade_service::AuditAction;
use serde::Deserialize;

fn item_kind_label(k: &str) -> String {
    match k {
        "letter" => "Letter".into(),
        "card" => "Card".into(),
        "gift" => "Gift".into(),
        "parcel" => "Parcel".into(),
        "photo_print" => "Printed photograph".into(),
        "digital_media" => "Disc, memory stick or other media".into(),
        "other" => "Other".into(),
        other => other.to_string(),
    }
}

fn item_kinds() -> impl Iterator<Item = (&'static str, String)> {
    ItemKind::ALL
        .iter()
        .map(|k| (k.as_str(), item_kind_label(k.as_str())))
}

fn today(state: &AppState) -> Date {
    state.clock().now().to_zoned(chart::org_tz()).date()
}

fn when(field: &'static str, s: &str, today: Date, p: &mut Problems) -> Option<When> {
    match When::parse(s.trim()) {
        Ok(When::Day(d)) if d > today => {
            p.add(field, "The date is in the future");
            None
        }
        Ok(w) => Some(w),
        Err(_) if s.trim().is_empty() => {
            p.add(field, "Enter the date");
            None
        }
        Err(_) => {
            p.add(field, "Enter a real date, like 2026-03-03");
            None
        }
    }
}

fn required(field: &'static str, s: &str, what: &str, p: &mut Problems) -> String {
    let t = s.trim();
    if t.is_empty() {
        p.add(field, format!("Enter {what}"));
    }
    t.to_string()
}

/// The new-item form as submitted.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ExhibitInput {
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub item_kind: String,
    #[serde(default)]
    pub received_at: String,
    #[serde(default)]
    pub handled_by: String,
    #[serde(default)]
    pub stored_at: String,
    #[serde(default)]
    pub bag_number: String,
    #[serde(default)]
    pub notes: String,
}

pub fn parse_exhibit(i: &ExhibitInput, today: Date) -> Result<NewExhibit, Problems> {
    let mut p = Problems::default();
    let description = required("description", &i.description, "what the item is", &mut p);
    let item_kind = i.item_kind.trim().parse::<ItemKind>().ok();
    if item_kind.is_none() {
        p.add("item_kind", "Choose what kind of item it is");
    }
    let received_at = when("received_at", &i.received_at, today, &mut p);
    let received_by = required("handled_by", &i.handled_by, "who received it", &mut p);
    let stored_at = required("stored_at", &i.stored_at, "where it is kept", &mut p);
    match (item_kind, received_at) {
        (Some(item_kind), Some(received_at)) if p.is_empty() => Ok(NewExhibit {
            description,
            item_kind,
            received_at,
            received_by,
            stored_at,
            bag_number: some_text(&i.bag_number),
            linked_entry: None,
            notes: some_text(&i.notes),
        }),
        _ => Err(p),
    }
}

/// The hand-over form as submitted.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CustodyInput {
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub by: String,
    #[serde(default)]
    pub at: String,
    #[serde(default)]
    pub purpose: String,
    #[serde(default)]
    pub bag_number: String,
    #[serde(default)]
    pub notes: String,
}

pub fn parse_custody(i: &CustodyInput, today: Date) -> Result<NewCustody, Problems> {
    let mut p = Problems::default();
    let to = required("to", &i.to, "who received it, or where it went", &mut p);
    let from = required("by", &i.by, "who handed it over", &mut p);
    let at = when("at", &i.at, today, &mut p);
    match at {
        Some(at) if p.is_empty() => Ok(NewCustody {
            at,
            from,
            to,
            purpose: some_text(&i.purpose),
            bag_number: some_text(&i.bag_number),
            notes: some_text(&i.notes),
        }),
        _ => Err(p),
    }
}

fn exhibit(case: &CaseView, x: &ExhibitView) -> Markup {
    html! {
        h3 id=(format!("exhibit-{}", x.id)) { "Item " (x.number) ": " (x.description) }
        dl.summary-list {
            div { dt { "Kind" } dd { (item_kind_label(&x.item_kind)) } }
            div { dt { "Received" } dd { (labels::when(&x.received_at)) " by " (x.received_by) } }
            div { dt { "Kept at" } dd { (x.stored_at) } }
            div { dt { "Now held by" } dd { (x.current_holder()) } }
            @if let Some(b) = x.current_bag() { div { dt { "Evidence bag" } dd { (b) } } }
            @if let Some(n) = &x.notes { div { dt { "Notes" } dd { (n) } } }
        }
        @if !x.attachments.is_empty() { (attachments(&case.id, &x.attachments)) }
        @if !x.custody.is_empty() {
            table.table {
                caption { "Chain of custody of item " (x.number) }
                thead { tr { th scope="col" { "When" } th scope="col" { "From" } th scope="col" { "To" } th scope="col" { "Purpose" } th scope="col" { "Bag" } } }
                tbody {
                    @for c in &x.custody {
                        tr { td { (labels::when(&c.at)) } td { (c.from) } td { (c.to) } td { (c.purpose.as_deref().unwrap_or("")) } td { (c.bag_number.as_deref().unwrap_or("")) } }
                    }
                }
            }
        }
    }
}

fn exhibit_form(user: &SignedIn, case_id: &str, i: &ExhibitInput, p: &Problems) -> Markup {
    html! {
        form method="post" action=(format!("/cases/{case_id}/exhibits")) novalidate {
            (csrf_field(user))
            (error_summary(p))
            (textarea("description", "What is the item?", Some("For example: handwritten card, red envelope"), &i.description, 2, p))
            (select("item_kind", "Kind of item", None, item_kinds(), &i.item_kind, Some("Choose"), p))
            (input("received_at", "date", "When was it received?", None, &i.received_at, p))
            (input("handled_by", "text", "Who received it?", None, &i.handled_by, p))
            (input("stored_at", "text", "Where is it kept?", Some("For example: practice safe, room 2"), &i.stored_at, p))
            (input("bag_number", "text", "Evidence bag number (optional)", None, &i.bag_number, p))
            (textarea("notes", "Notes (optional)", None, &i.notes, 2, p))
            button.button.button--secondary type="submit" { "Add to the register" }
        }
    }
}

fn custody_form(
    user: &SignedIn,
    case_id: &str,
    exhibit_id: &str,
    i: &CustodyInput,
    p: &Problems,
) -> Markup {
    html! {
        form method="post" action=(format!("/cases/{case_id}/exhibits/{exhibit_id}/custody")) novalidate {
            (csrf_field(user))
            (error_summary(p))
            (input("to", "text", "Handed to", Some("A person, or where it went"), &i.to, p))
            (input("by", "text", "Handed over by", None, &i.by, p))
            (input("at", "date", "When?", None, &i.at, p))
            (input("purpose", "text", "Why (optional)", None, &i.purpose, p))
            (input("bag_number", "text", "New evidence bag number (optional)", None, &i.bag_number, p))
            (textarea("notes", "Notes (optional)", None, &i.notes, 2, p))
            button.button.button--secondary type="submit" { "Record the hand-over" }
        }
    }
}

/// The register section of the case page (the forms are on their own
/// pages, so that no field id repeats on the case page).
pub fn section(case: &CaseView, can_record: bool) -> Markup {
    html! {
        @if case.exhibits.is_empty() { p { "No physical items recorded." } }
        @for x in &case.exhibits {
            (exhibit(case, x))
            @if can_record {
                p { a href=(format!("/cases/{}/exhibits/{}/custody", case.id, x.id)) { "Record a hand-over of item " (x.number) } }
            }
        }
        @if can_record {
            p { a.button.button--secondary href=(format!("/cases/{}/exhibits/new", case.id)) { "Add a physical item" } }
        }
    }
}

fn form_page(user: &SignedIn, case_id: &str, title: &str, p: &Problems, form: Markup) -> Response {
    let status = if p.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let full_title = if p.is_empty() {
        title.to_string()
    } else {
        format!("Error: {title}")
    };
    (
        status,
        page(
            Some(user),
            &full_title,
            html! {
                a.back-link href=(format!("/cases/{case_id}#register")) { "Back to the case" }
                h1 { (title) }
                (form)
            },
        ),
    )
        .into_response()
}

/// `GET /cases/{id}/exhibits/new`.
pub async fn new(
    State(state): State<AppState>,
    user: SignedIn,
    Path(case_id): Path<String>,
) -> Result<Response, WebError> {
    let actor = Actor::from(&user);
    authorize(&state, &actor, &case_id, Capability::Record).await?;
    let i = ExhibitInput {
        handled_by: user.user.display_name.clone(),
        received_at: today(&state).to_string(),
        ..ExhibitInput::default()
    };
    let p = Problems::default();
    let form = exhibit_form(&user, &case_id, &i, &p);
    Ok(form_page(&user, &case_id, "Add a physical item", &p, form))
}

/// `GET /cases/{id}/exhibits/{xid}/custody`.
pub async fn custody_new(
    State(state): State<AppState>,
    user: SignedIn,
    Path((case_id, exhibit_id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let actor = Actor::from(&user);
    let (_, case) =
        super::guard::readable_case(&state, &actor, &case_id, Capability::Record).await?;
    let x = case.exhibit(&exhibit_id).ok_or(WebError::NotFound)?;
    audit::record(
        &state,
        &actor,
        AuditAction::CaseViewed,
        Some(&case_id),
        Some(&exhibit_id),
        Some("custody form"),
    )
    .await?;
    let i = CustodyInput {
        by: x.current_holder().to_string(),
        at: today(&state).to_string(),
        ..CustodyInput::default()
    };
    let p = Problems::default();
    let form = html! { p { "Item " (x.number) ": " (x.description) } (custody_form(&user, &case_id, &exhibit_id, &i, &p)) };
    Ok(form_page(&user, &case_id, "Record a hand-over", &p, form))
}

/// `POST /cases/{id}/exhibits`.
pub async fn create(
    State(state): State<AppState>,
    user: SignedIn,
    Path(case_id): Path<String>,
    CsrfForm(i): CsrfForm<ExhibitInput>,
) -> Result<Response, WebError> {
    let actor = Actor::from(&user);
    authorize(&state, &actor, &case_id, Capability::Record).await?;
    let new = match parse_exhibit(&i, today(&state)) {
        Ok(x) => x,
        Err(p) => {
            let form = exhibit_form(&user, &case_id, &i, &p);
            return Ok(form_page(&user, &case_id, "Add a physical item", &p, form));
        }
    };
    let id = case_id.clone();
    let r = blocking(&state, move |p| p.add_exhibit(&id, &new, &[])).await?;
    audit::record(
        &state,
        &actor,
        AuditAction::ExhibitRecorded,
        Some(&case_id),
        Some(&r.id),
        None,
    )
    .await?;
    Ok(Redirect::to(&format!("/cases/{case_id}#exhibit-{}", r.id)).into_response())
}

/// `POST /cases/{id}/exhibits/{xid}/custody`.
pub async fn custody(
    State(state): State<AppState>,
    user: SignedIn,
    Path((case_id, exhibit_id)): Path<(String, String)>,
    CsrfForm(i): CsrfForm<CustodyInput>,
) -> Result<Response, WebError> {
    let actor = Actor::from(&user);
    authorize(&state, &actor, &case_id, Capability::Record).await?;
    let new = match parse_custody(&i, today(&state)) {
        Ok(c) => c,
        Err(p) => {
            let form = custody_form(&user, &case_id, &exhibit_id, &i, &p);
            return Ok(form_page(&user, &case_id, "Record a hand-over", &p, form));
        }
    };
    let (id, xid) = (case_id.clone(), exhibit_id.clone());
    blocking(&state, move |p| p.record_custody(&id, &xid, &new)).await?;
    audit::record(
        &state,
        &actor,
        AuditAction::ExhibitRecorded,
        Some(&case_id),
        Some(&exhibit_id),
        Some("custody"),
    )
    .await?;
    Ok(Redirect::to(&format!("/cases/{case_id}#exhibit-{exhibit_id}")).into_response())
}
