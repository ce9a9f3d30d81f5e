//! Form building blocks for the case pages: labelled inputs that show their
//! own error, and the error summary at the top of a form (each problem
//! links to its field). Values are always re-shown on error.

use maud::{Markup, html};

/// What is wrong with a submitted form: (field name, message), in form order.
#[derive(Debug, Clone, Default)]
pub struct Problems(pub Vec<(&'static str, String)>);

impl Problems {
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.push((field, message.into()));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn of(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }

    /// All messages in one sentence (for JSON errors).
    pub fn sentence(&self) -> String {
        self.0
            .iter()
            .map(|(f, m)| format!("{f}: {m}"))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// The trimmed text, or `None` when empty.
pub fn some_text(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// The id of a field's input.
pub fn field_id(name: &str) -> String {
    format!("f-{name}")
}

pub fn error_summary(p: &Problems) -> Markup {
    html! {
        @if !p.is_empty() {
            div.error-summary role="alert" tabindex="-1" aria-labelledby="error-summary-title" {
                h2 id="error-summary-title" { "There is a problem" }
                ul {
                    @for (f, m) in &p.0 {
                        li { a href=(format!("#{}", field_id(f))) { (m) } }
                    }
                }
            }
        }
    }
}

fn group(name: &str, label: &str, hint: Option<&str>, p: &Problems, control: Markup) -> Markup {
    let err = p.of(name);
    html! {
        div class=(if err.is_some() { "form-group form-group--error" } else { "form-group" }) {
            label.label for=(field_id(name)) { (label) }
            @if let Some(h) = hint { div.hint id=(format!("{}-hint", field_id(name))) { (h) } }
            @if let Some(e) = err { p.error-message id=(format!("{}-error", field_id(name))) { span.visually-hidden { "Error: " } (e) } }
            (control)
        }
    }
}

fn described_by(name: &str, hint: Option<&str>, p: &Problems) -> Option<String> {
    let mut ids = Vec::new();
    if hint.is_some() {
        ids.push(format!("{}-hint", field_id(name)));
    }
    if p.of(name).is_some() {
        ids.push(format!("{}-error", field_id(name)));
    }
    (!ids.is_empty()).then(|| ids.join(" "))
}

pub fn input(
    name: &str,
    kind: &str,
    label: &str,
    hint: Option<&str>,
    value: &str,
    p: &Problems,
) -> Markup {
    group(
        name,
        label,
        hint,
        p,
        html! {
            input.input id=(field_id(name)) type=(kind) name=(name) value=(value)
                aria-describedby=[described_by(name, hint, p)]
                aria-invalid=[p.of(name).map(|_| "true")];
        },
    )
}

pub fn textarea(
    name: &str,
    label: &str,
    hint: Option<&str>,
    value: &str,
    rows: u32,
    p: &Problems,
) -> Markup {
    group(
        name,
        label,
        hint,
        p,
        html! {
            textarea.textarea id=(field_id(name)) name=(name) rows=(rows)
                aria-describedby=[described_by(name, hint, p)]
                aria-invalid=[p.of(name).map(|_| "true")] { (value) }
        },
    )
}

/// A select of (value, label) options; `blank` adds a first empty option.
pub fn select<'a>(
    name: &str,
    label: &str,
    hint: Option<&str>,
    options: impl IntoIterator<Item = (&'a str, String)>,
    selected: &str,
    blank: Option<&str>,
    p: &Problems,
) -> Markup {
    group(
        name,
        label,
        hint,
        p,
        html! {
            select.select id=(field_id(name)) name=(name)
                aria-describedby=[described_by(name, hint, p)]
                aria-invalid=[p.of(name).map(|_| "true")] {
                @if let Some(b) = blank { option value="" { (b) } }
                @for (v, l) in options {
                    option value=(v) selected[v == selected] { (l) }
                }
            }
        },
    )
}
