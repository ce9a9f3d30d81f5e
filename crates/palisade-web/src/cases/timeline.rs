//! The timeline of a case page: entries in chronological order, filtered by
//! a GET form (channel, direction, party by index, from and to dates: never
//! a name in the URL), each entry an expandable `<details>` with its words,
//! attachments, source, triage, acknowledgement and correction history.

use super::chart::local_day;
use super::labels;
use crate::layout::csrf_field;
use crate::session::SignedIn;
use jiff::civil::Date;
use maud::{Markup, html};
use palisade_core::view::{AttachmentView, CaseView, EntryState, EntryView};
use serde::Deserialize;
use serde_json::Value;

/// The timeline filters, as the GET form sends them. Empty means "any".
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Filters {
    #[serde(default)]
    pub channel: String,
    #[serde(default)]
    pub direction: String,
    /// An index into [`parties`], never a name.
    #[serde(default)]
    pub party: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
}

/// What the filters mean, checked; `problems` lists what could not be read.
#[derive(Debug, Clone, Default)]
pub struct Checked {
    channel: Option<String>,
    direction: Option<String>,
    party: Option<String>,
    from: Option<Date>,
    to: Option<Date>,
    pub problems: Vec<(&'static str, String)>,
}

impl Checked {
    pub fn is_active(&self) -> bool {
        self.channel.is_some()
            || self.direction.is_some()
            || self.party.is_some()
            || self.from.is_some()
            || self.to.is_some()
    }
}

/// The people named in a case, in a stable order: its parties first, then
/// any other name entries give. The filter refers to them by position.
pub fn parties(case: &CaseView) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    if let Value::Array(a) = &case.parties {
        for p in a {
            if let Some(n) = p.get("name").and_then(Value::as_str)
                && !out.iter().any(|o| o == n)
            {
                out.push(n.to_string());
            }
        }
    }
    for e in &case.entries {
        if let Some(n) = e.party.as_deref()
            && !n.trim().is_empty()
            && !out.iter().any(|o| o == n)
        {
            out.push(n.to_string());
        }
    }
    out
}

impl Filters {
    pub fn check(&self, case: &CaseView) -> Checked {
        let mut c = Checked::default();
        let some = |s: &str| Some(s.trim()).filter(|s| !s.is_empty()).map(str::to_string);
        if let Some(ch) = some(&self.channel) {
            if ch.parse::<palisade_core::domain::Channel>().is_ok() {
                c.channel = Some(ch);
            } else {
                c.problems
                    .push(("channel", "Choose a channel from the list".into()));
            }
        }
        if let Some(d) = some(&self.direction) {
            if d == "inbound" || d == "outbound" {
                c.direction = Some(d);
            } else {
                c.problems
                    .push(("direction", "Choose 'To me' or 'From me'".into()));
            }
        }
        if let Some(p) = some(&self.party) {
            let names = parties(case);
            match p.parse::<usize>().ok().and_then(|i| names.get(i)) {
                Some(n) => c.party = Some(n.clone()),
                None => c
                    .problems
                    .push(("party", "Choose a person from the list".into())),
            }
        }
        for (name, raw, slot) in [
            ("from", &self.from, &mut c.from),
            ("to", &self.to, &mut c.to),
        ] {
            if let Some(d) = some(raw) {
                match d.parse::<Date>() {
                    Ok(d) => *slot = Some(d),
                    Err(_) => c
                        .problems
                        .push((name, "Enter a real date, like 2026-03-01".into())),
                }
            }
        }
        if let (Some(f), Some(t)) = (c.from, c.to)
            && f > t
        {
            c.problems.push((
                "to",
                "The 'to' date must be on or after the 'from' date".into(),
            ));
        }
        c
    }
}

impl Checked {
    pub fn keeps(&self, e: &EntryView) -> bool {
        if self.channel.as_deref().is_some_and(|c| c != e.channel) {
            return false;
        }
        if self
            .direction
            .as_deref()
            .is_some_and(|d| e.direction.as_deref() != Some(d))
        {
            return false;
        }
        if self
            .party
            .as_deref()
            .is_some_and(|p| e.party.as_deref() != Some(p))
        {
            return false;
        }
        let day = local_day(&e.occurred_at);
        if let Some(f) = self.from
            && day.is_none_or(|d| d < f)
        {
            return false;
        }
        if let Some(t) = self.to
            && day.is_none_or(|d| d > t)
        {
            return false;
        }
        true
    }
}

/// The GET filter form.
pub fn filter_form(case: &CaseView, f: &Filters, checked: &Checked) -> Markup {
    let names = parties(case);
    let err = |field: &str| {
        checked
            .problems
            .iter()
            .find(|(n, _)| *n == field)
            .map(|(_, m)| m.clone())
    };
    html! {
        form.filters method="get" action=(format!("/cases/{}#timeline", case.id)) {
            fieldset {
                legend { "Filter the timeline" }
                @if !checked.problems.is_empty() {
                    div.error-summary role="alert" {
                        h3 { "The filters could not all be used" }
                        ul { @for (field, m) in &checked.problems { li { a href=(format!("#filter-{field}")) { (m) } } } }
                    }
                }
                div.form-group {
                    label for="filter-channel" { "Channel" }
                    select id="filter-channel" name="channel" {
                        option value="" { "Any" }
                        @for (v, l) in labels::channels() {
                            option value=(v) selected[f.channel == v] { (l) }
                        }
                    }
                }
                div.form-group {
                    label for="filter-direction" { "Direction" }
                    select id="filter-direction" name="direction" {
                        option value="" { "Any" }
                        option value="inbound" selected[f.direction == "inbound"] { "To me" }
                        option value="outbound" selected[f.direction == "outbound"] { "From me" }
                    }
                }
                div.form-group {
                    label for="filter-party" { "Person" }
                    select id="filter-party" name="party" {
                        option value="" { "Anyone" }
                        @for (i, n) in names.iter().enumerate() {
                            option value=(i) selected[f.party == i.to_string()] { (n) }
                        }
                    }
                }
                div.form-group {
                    label for="filter-from" { "From" }
                    @if let Some(m) = err("from") { p.error-message { (m) } }
                    input id="filter-from" type="date" name="from" value=(f.from);
                }
                div.form-group {
                    label for="filter-to" { "To" }
                    @if let Some(m) = err("to") { p.error-message { (m) } }
                    input id="filter-to" type="date" name="to" value=(f.to);
                }
                button.button.button--secondary type="submit" { "Apply filters" }
                " "
                a href=(format!("/cases/{}#timeline", case.id)) { "Clear filters" }
            }
        }
    }
}

/// The most entries the case page lists at once.
pub const MAX_SHOWN: usize = 1_000;

/// The timeline itself.
pub fn render(
    user: &SignedIn,
    case: &CaseView,
    checked: &Checked,
    can_record: bool,
    open: Option<&str>,
) -> Markup {
    let matching: Vec<&EntryView> = case.entries.iter().filter(|e| checked.keeps(e)).collect();
    // A case imported from years of messages can hold many thousands: show
    // the latest (and the one just saved), and let the filters find the rest.
    let cut = matching.len().saturating_sub(MAX_SHOWN);
    let shown: Vec<&EntryView> = matching
        .iter()
        .enumerate()
        .filter(|(i, e)| *i >= cut || open == Some(e.id.as_str()))
        .map(|(_, e)| *e)
        .collect();
    html! {
        p { "Showing " (shown.len()) " of " (case.entries.len()) " entries" @if checked.is_active() { " (filtered)" } "." }
        @if cut > 0 {
            p.inset-text { "Only the latest " (MAX_SHOWN) " are shown. Use the filters (for example the dates) to see earlier ones." }
        }
        @if shown.is_empty() {
            p { "No entries to show." }
        }
        ol.timeline {
            @for e in shown { li { (entry(user, case, e, can_record, open == Some(e.id.as_str()))) } }
        }
    }
}

fn text_or_dash(s: Option<&str>) -> &str {
    s.filter(|s| !s.is_empty()).unwrap_or("—")
}

fn entry(user: &SignedIn, case: &CaseView, e: &EntryView, can_record: bool, open: bool) -> Markup {
    let retracted = e.state == EntryState::Retracted;
    html! {
        details.entry id=(format!("entry-{}", e.id)) open[open] {
            summary {
                span.entry__when { (labels::when(&e.occurred_at)) }
                " · " (labels::channel(&e.channel))
                " · " (labels::direction(e.direction.as_deref()))
                @if let Some(p) = e.party.as_deref().filter(|p| !p.is_empty()) { " · " (p) }
                @if let Some(t) = &e.triage {
                    " " strong class=(labels::triage_tag(&t.label)) { (labels::triage(&t.label)) }
                }
                @match e.state {
                    EntryState::Corrected => { " " strong.tag."tag--yellow" { "Corrected" } }
                    EntryState::Retracted => { " " strong.tag."tag--grey" { "Retracted" } }
                    EntryState::Original => {}
                }
                @if let Some(s) = e.summary.as_deref().filter(|s| !s.is_empty()) {
                    span.entry__summary { " — " (s) }
                }
            }
            div.entry__body {
                @if let Some(t) = &e.triage {
                    @if t.label == "threat" || t.label == "self_harm" {
                        (triage_box(user, case, e, t, can_record && !retracted))
                    }
                }
                dl.summary-list {
                    div { dt { "When" } dd { (labels::when(&e.occurred_at)) } }
                    div { dt { "Where" } dd { (text_or_dash(e.place.as_deref())) } }
                    div { dt { "Who" } dd { (text_or_dash(e.party.as_deref())) } }
                    div { dt { "Witnesses" } dd { @if e.witnesses.is_empty() { "—" } @else { (e.witnesses.join(", ")) } } }
                    div { dt { "What happened" } dd { (text_or_dash(e.summary.as_deref())) } }
                    div { dt { "Recorded" } dd { (labels::when(&e.recorded_at)) ", ledger position " (e.leaf_index) } }
                    div { dt { "Leaf hash (SHA-256)" } dd { code class="hash" { (e.leaf_hash) } } }
                    div { dt { "Source" } dd { (source(&e.source)) } }
                }
                @if let Some(c) = e.content.as_deref().filter(|c| !c.is_empty()) {
                    h3 { "Words used" }
                    div.entry__content { (c) }
                }
                @if let Some(c) = e.clinical.as_deref().filter(|c| !c.is_empty()) {
                    h3 { "Clinical note" }
                    div.entry__content { (c) }
                }
                @if !e.attachments.is_empty() {
                    h3 { "Attachments" }
                    (attachments(&case.id, &e.attachments))
                }
                @if !e.history.is_empty() { (history(e)) }
                @if can_record && !retracted {
                    p { a href=(format!("/cases/{}/entries/{}/correct", case.id, e.id)) { "Correct or retract this entry" } }
                }
            }
        }
    }
}

fn triage_box(
    user: &SignedIn,
    case: &CaseView,
    e: &EntryView,
    t: &palisade_core::view::EntryTriage,
    can_ack: bool,
) -> Markup {
    let self_harm = t.label == "self_harm";
    html! {
        div.warning-callout role="note" {
            h3 { @if self_harm { "This message reads as a risk of self-harm" } @else { "This message reads as a threat" } }
            p { @if self_harm { "This is a safeguarding matter: a clinician must see it today." } @else { "If anyone is in immediate danger, call 999." } }
            @if t.acknowledged {
                @for a in e.acknowledgements.iter().filter(|a| a.label == t.label) {
                    p { "Acknowledged by " (a.by.as_deref().unwrap_or("someone")) " on " (labels::when(&a.recorded_at))
                        @if let Some(n) = &a.note { ": " (n) } "." }
                }
            } @else if can_ack {
                form method="post" action=(format!("/cases/{}/entries/{}/acknowledge", case.id, e.id)) {
                    (csrf_field(user))
                    div.form-group {
                        label for=(format!("ack-note-{}", e.id)) { "What was done (optional)" }
                        input id=(format!("ack-note-{}", e.id)) type="text" name="note";
                    }
                    button.button.button--warning type="submit" { "I have dealt with this message" }
                }
            }
        }
    }
}

fn source(v: &Value) -> Markup {
    match v.get("kind").and_then(Value::as_str) {
        Some("import") => html! {
            "Imported from an export file (SHA-256 "
            code { (v.get("file_sha256").and_then(Value::as_str).unwrap_or("?").chars().take(16).collect::<String>()) "…" }
            ", at " (v.get("locator").and_then(Value::as_str).unwrap_or("?")) ")"
        },
        _ => html! { "Recorded by hand" },
    }
}

/// Attachment list: thumbnails for raster images, a download link for all.
pub fn attachments(case_id: &str, list: &[AttachmentView]) -> Markup {
    html! {
        ul.attachments {
            @for (i, a) in list.iter().enumerate() {
                li {
                    @if super::attachments::thumbnailable(&a.media_type) {
                        img.attachments__thumb src=(format!("/cases/{case_id}/attachments/{}/thumbnail", a.id))
                            alt=(format!("Thumbnail of attachment {}", i + 1)) width="120";
                    }
                    a href=(format!("/cases/{case_id}/attachments/{}", a.id)) download {
                        "Download attachment " (i + 1)
                    }
                    " (" (a.media_type) ", " (human_size(a.size)) ", SHA-256 " code { (a.sha256.chars().take(12).collect::<String>()) "…" } ")"
                }
            }
        }
    }
}

pub fn human_size(n: u64) -> String {
    if n < 1024 {
        format!("{n} bytes")
    } else if n < 1024 * 1024 {
        format!("{:.1} KB", n as f64 / 1024.0)
    } else {
        format!("{:.1} MB", n as f64 / (1024.0 * 1024.0))
    }
}

fn value_text(v: &Value) -> String {
    match v {
        Value::Null => "—".into(),
        Value::String(s) if s.is_empty() => "—".into(),
        Value::String(s) => s.clone(),
        Value::Array(a) => a.iter().map(value_text).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

fn history(e: &EntryView) -> Markup {
    html! {
        h3 { "History" }
        @if let Some(orig) = &e.original {
            details.entry__original {
                summary { "As first recorded" }
                dl.summary-list {
                    @for (k, v) in orig { div { dt { (k) } dd { (value_text(v)) } } }
                }
            }
        }
        ol.history {
            @for r in &e.history {
                li {
                    strong { @if r.kind == palisade_core::domain::RecordKind::Retraction { "Retracted" } @else { "Corrected" } }
                    " on " (labels::when(&r.recorded_at))
                    @if let Some(reason) = &r.reason { ". Reason: " (reason) }
                    @if !r.changed.is_empty() {
                        ul { @for (k, v) in &r.changed { li { (k) ": " (value_text(v)) } } }
                    }
                }
            }
        }
    }
}
