//! Form building blocks: collected field errors, labelled inputs with hints
//! and errors, and the `?done=` confirmation code.

use crate::layout::{error_summary, field_error};
use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use maud::{Markup, html};
use serde::Deserialize;

/// Errors found in a submitted form, in the order of the fields.
#[derive(Debug, Default, Clone)]
pub struct FormErrors(Vec<(&'static str, String)>);

impl FormErrors {
    pub fn new() -> Self {
        FormErrors::default()
    }

    /// Record an error for field `field` (its id and name).
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.push((field, message.into()));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The first error for `field`.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }

    /// The error summary for these errors (nothing when there are none).
    pub fn summary(&self) -> Markup {
        let pairs: Vec<(&str, &str)> = self.0.iter().map(|(f, m)| (*f, m.as_str())).collect();
        error_summary(&pairs)
    }
}

/// A labelled single-line input. `name` is also its id.
#[derive(Debug, Clone)]
pub struct Input<'a> {
    pub name: &'a str,
    pub label: &'a str,
    pub kind: &'a str,
    pub value: &'a str,
    pub hint: Option<&'a str>,
    pub autocomplete: Option<&'a str>,
    pub error: Option<&'a str>,
    /// Extra class, e.g. `input--width-10`.
    pub width: Option<&'a str>,
    pub inputmode: Option<&'a str>,
}

impl<'a> Input<'a> {
    /// A text input.
    pub fn text(name: &'a str, label: &'a str) -> Self {
        Input {
            name,
            label,
            kind: "text",
            value: "",
            hint: None,
            autocomplete: None,
            error: None,
            width: None,
            inputmode: None,
        }
    }

    /// A password input (never pre-filled).
    pub fn password(name: &'a str, label: &'a str, autocomplete: &'a str) -> Self {
        Input {
            kind: "password",
            autocomplete: Some(autocomplete),
            ..Input::text(name, label)
        }
    }

    pub fn value(mut self, v: &'a str) -> Self {
        self.value = v;
        self
    }

    pub fn hint(mut self, h: &'a str) -> Self {
        self.hint = Some(h);
        self
    }

    pub fn autocomplete(mut self, a: &'a str) -> Self {
        self.autocomplete = Some(a);
        self
    }

    pub fn width(mut self, w: &'a str) -> Self {
        self.width = Some(w);
        self
    }

    pub fn inputmode(mut self, m: &'a str) -> Self {
        self.inputmode = Some(m);
        self
    }

    /// The error for this field from `errors`, if any.
    pub fn errors(mut self, errors: &'a FormErrors) -> Self {
        self.error = errors.get(self.name);
        self
    }

    pub fn render(&self) -> Markup {
        let hint_id = format!("{}-hint", self.name);
        let error_id = format!("{}-error", self.name);
        let mut described = Vec::new();
        if self.hint.is_some() {
            described.push(hint_id.as_str());
        }
        if self.error.is_some() {
            described.push(error_id.as_str());
        }
        let described = described.join(" ");
        let mut class = String::new();
        if let Some(w) = self.width {
            class.push_str(w);
        }
        if self.error.is_some() {
            class.push_str(" input--error");
        }
        let value = if self.kind == "password" {
            ""
        } else {
            self.value
        };
        html! {
            div class={ "form-group" @if self.error.is_some() { " form-group--error" } } {
                label for=(self.name) { (self.label) }
                @if let Some(h) = self.hint { span class="hint" id=(hint_id) { (h) } }
                (field_error(self.name, self.error))
                input type=(self.kind) id=(self.name) name=(self.name) value=(value)
                    class=[(!class.trim().is_empty()).then_some(class.trim())]
                    autocomplete=[self.autocomplete]
                    inputmode=[self.inputmode]
                    spellcheck=[(self.kind == "text").then_some("false")]
                    aria-describedby=[(!described.is_empty()).then_some(described.as_str())]
                    aria-invalid=[self.error.map(|_| "true")];
            }
        }
    }
}

impl maud::Render for Input<'_> {
    fn render(&self) -> Markup {
        Input::render(self)
    }
}

/// A labelled checkbox (value `on` when ticked).
pub fn checkbox(name: &str, label: &str, checked: bool, hint: Option<&str>) -> Markup {
    let hint_id = format!("{name}-hint");
    html! {
        div class="form-group" {
            div class="checkboxes__item" {
                input type="checkbox" id=(name) name=(name) value="on" checked[checked]
                    aria-describedby=[hint.map(|_| hint_id.as_str())];
                label for=(name) { (label) }
            }
            @if let Some(h) = hint { span class="hint" id=(hint_id) { (h) } }
        }
    }
}

/// The `?done=CODE` confirmation code after a POST-redirect-GET. Each page
/// maps the codes it knows to fixed sentences; anything else shows nothing.
#[derive(Debug, Clone, Default)]
pub struct Done(pub Option<String>);

#[derive(Deserialize)]
struct DoneQuery {
    done: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for Done {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let q = Query::<DoneQuery>::from_request_parts(parts, state)
            .await
            .ok()
            .and_then(|Query(q)| q.done)
            .filter(|c| c.len() <= 32 && c.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'));
        Ok(Done(q))
    }
}

impl Done {
    /// The code, if it is one of `known`; pages use it to pick a sentence.
    pub fn code(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

/// The shortest password accepted by the forms (the service may ask for more).
pub const MIN_PASSWORD_CHARS: usize = 12;

/// The password rules shared by every form that sets one.
pub fn password_errors(
    errors: &mut FormErrors,
    password: &str,
    confirm: &str,
    field: &'static str,
    confirm_field: &'static str,
) {
    if password.is_empty() {
        errors.add(field, "Enter a password");
    } else if password.chars().count() < MIN_PASSWORD_CHARS {
        errors.add(
            field,
            format!("The password must be at least {MIN_PASSWORD_CHARS} characters"),
        );
    } else if password != confirm {
        errors.add(confirm_field, "The passwords do not match");
    }
}

/// Which field a service validation message is about.
pub fn field_of(message: &str) -> &'static str {
    let m = message.to_ascii_lowercase();
    if m.contains("password") {
        "password"
    } else if m.contains("display") || m.contains("name must") && !m.contains("user") {
        "display_name"
    } else if m.contains("user") {
        "username"
    } else {
        "org_name"
    }
}
