//! Prevention pages, for every signed-in role: the boundary statement
//! generator (`/prevention/boundary-statement`) and the privacy checklist
//! (`/prevention/privacy-checklist`, and a printable version). Nothing is
//! stored: the statement is generated from the form and shown; the
//! checklist's ticks live only in the browser's page.

use super::components::{sources_line, textarea};
use crate::csrf::CsrfForm;
use crate::forms::{FormErrors, Input, checkbox};
use crate::layout::{
    ButtonKind, back_link, button, csrf_field, inset_text, page, title_with_errors,
};
use crate::session::SignedIn;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use palisade_guidance::prevention::{
    Area, BoundaryInput, BoundaryStatement, ProfileKind, boundary_statement, items_in,
};
use serde::Deserialize;
use std::sync::Arc;

/// `GET /prevention`.
pub async fn index(user: SignedIn) -> Markup {
    page(
        Some(&user),
        "Prevention",
        html! {
            h1 { "Prevention" }
            p class="lede" {
                "Two things that make unwanted contact less likely, or easier to stop: telling patients plainly how to reach the practice, and making your own life harder to find online."
            }
            div class="card" {
                h2 { a href="/prevention/boundary-statement" { "Write a boundary statement" } }
                p { "A short and a long statement for the practice website, a professional profile or a personal profile: how patients should contact the practice, and that personal accounts are not answered." }
            }
            div class="card" {
                h2 { a href="/prevention/privacy-checklist" { "Privacy checklist" } }
                p { "What to check on Facebook, Instagram, X, LinkedIn, WhatsApp and dating apps, in search results and people-finder sites, on the electoral register and in public registers, in your photos and in your family's accounts." }
            }
        },
    )
}

/// The boundary statement form, as typed (every field optional in the
/// request so a missing one is a clear error, not a rejected request).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct BoundaryForm {
    pub profile: String,
    pub organisation: String,
    pub clinician: String,
    pub role: String,
    pub phone: String,
    pub online: String,
    pub nhs_app: Option<String>,
    pub email: String,
    pub hours: String,
    pub out_of_hours: String,
}

fn some(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

impl BoundaryForm {
    /// The generator's input, or the form's errors.
    fn input(&self) -> Result<BoundaryInput, FormErrors> {
        let Ok(profile) = self.profile.parse::<ProfileKind>() else {
            let mut e = FormErrors::new();
            e.add("profile", "Choose where the statement will be published");
            return Err(e);
        };
        Ok(BoundaryInput {
            profile,
            organisation: self.organisation.trim().to_string(),
            clinician: some(&self.clinician),
            role: some(&self.role),
            phone: some(&self.phone),
            online: some(&self.online),
            nhs_app: self.nhs_app.is_some(),
            email: some(&self.email),
            hours: some(&self.hours),
            out_of_hours: some(&self.out_of_hours),
        })
    }
}

/// `GET /prevention/boundary-statement`: the form, with the organisation's
/// name and the user's own name filled in.
pub async fn boundary_form(State(state): State<AppState>, user: SignedIn) -> Markup {
    let accounts = Arc::clone(state.accounts());
    let org = tokio::task::spawn_blocking(move || accounts.org())
        .await
        .ok()
        .and_then(Result::ok)
        .map(|o| o.name)
        .unwrap_or_default();
    let form = BoundaryForm {
        profile: ProfileKind::PracticeWebsite.as_str().into(),
        organisation: org,
        clinician: user.user.display_name.clone(),
        ..BoundaryForm::default()
    };
    boundary_page(&user, &form, &FormErrors::new(), None)
}

/// `POST /prevention/boundary-statement`: the statements, or the form's errors.
pub async fn boundary_generate(user: SignedIn, CsrfForm(form): CsrfForm<BoundaryForm>) -> Response {
    let result = form.input().and_then(|input| {
        boundary_statement(&input).map_err(|errors| {
            let mut e = FormErrors::new();
            for b in errors {
                e.add(b.field, b.message);
            }
            e
        })
    });
    match result {
        Ok(s) => boundary_page(&user, &form, &FormErrors::new(), Some(&s)).into_response(),
        Err(errors) => (
            StatusCode::BAD_REQUEST,
            boundary_page(&user, &form, &errors, None),
        )
            .into_response(),
    }
}

fn statement_view(s: &BoundaryStatement) -> Markup {
    html! {
        h2 id="statements" { "Your statements" }
        p { "Copy the one that fits: select all the text in a box and copy it. Read it through before you publish it, and change anything that is not true of your practice." }
        (textarea("short_statement", "Short statement", Some("For a profile's bio or a sidebar."), &s.short, 4, None, true))
        (textarea("long_statement", "Long statement", Some("For a contact page or a profile's 'About' section."), &s.long, 14, None, true))
        h3 { "Why it is worded this way" }
        ul {
            @for r in &s.reasons {
                li { (r.text) " " (sources_line(&[r.source])) }
            }
        }
        @if s.profile.names_the_practice() {
            p { "The statement promises nothing about how quickly anyone replies: it says only what the practice can always do." }
        } @else {
            p { "This note names neither the practice nor its contact details, so a personal account does not lead to your workplace." }
        }
    }
}

fn boundary_page(
    user: &SignedIn,
    form: &BoundaryForm,
    errors: &FormErrors,
    statement: Option<&BoundaryStatement>,
) -> Markup {
    let title = title_with_errors("Write a boundary statement", !errors.is_empty());
    let profile_error = errors.get("profile");
    page(
        Some(user),
        &title,
        html! {
            (back_link("/prevention"))
            (errors.summary())
            h1 { "Write a boundary statement" }
            p class="lede" { "Tell patients how to reach the practice, and that doctors and staff do not answer them on personal phones, email, social media or dating apps." }
            @if let Some(s) = statement { (statement_view(s)) h2 { "Change the details" } }
            form method="post" action="/prevention/boundary-statement" novalidate {
                (csrf_field(user))
                div class={ "form-group" @if profile_error.is_some() { " form-group--error" } } {
                    fieldset aria-describedby=[profile_error.map(|_| "profile-error")] {
                        legend { "Where will it be published?" }
                        @if let Some(m) = profile_error {
                            span class="error-message" id="profile-error" { span class="visually-hidden" { "Error: " } (m) }
                        }
                        @for (i, k) in ProfileKind::ALL.iter().enumerate() {
                            @let id = if i == 0 { "profile".to_string() } else { format!("profile-{}", k.as_str()) };
                            div class="radios__item" {
                                input type="radio" id=(id) name="profile" value=(k.as_str())
                                    checked[form.profile == k.as_str()];
                                label for=(id) { (k.label()) }
                            }
                        }
                    }
                }
                (Input::text("organisation", "Practice or organisation name").value(&form.organisation).hint("Not used in the personal-profile note.").autocomplete("organization").errors(errors))
                (Input::text("clinician", "Clinician's name (optional)").value(&form.clinician).hint("For a professional profile, for example Dr A Shah.").errors(errors))
                (Input::text("role", "Clinician's role (optional)").value(&form.role).hint("For example GP partner.").errors(errors))
                h2 { "How patients should contact the practice" }
                p class="hint" { "Give at least one. The personal-profile note leaves these out." }
                (Input { kind: "tel", ..Input::text("phone", "Telephone number") }.value(&form.phone).autocomplete("tel").width("input--width-10").errors(errors))
                (Input::text("online", "Online route (optional)").value(&form.online).hint("For example: the online consultation form at www.example-surgery.nhs.uk").errors(errors))
                (checkbox("nhs_app", "Patients can contact us through the NHS App", form.nhs_app.is_some(), None))
                (Input::text("email", "Practice email address for patients (optional)").value(&form.email).hint("Only an address the practice reads for patients' messages.").autocomplete("off").errors(errors))
                (Input::text("hours", "Opening hours (optional)").value(&form.hours).hint("For example: Monday to Friday, 8am to 6.30pm").errors(errors))
                (Input::text("out_of_hours", "Urgent help when the practice is closed (optional)").value(&form.out_of_hours).hint("Leave empty for NHS 111. In Scotland, for example: NHS 24 (call 111).").errors(errors))
                (button(if statement.is_some() { "Write the statements again" } else { "Write the statements" }, ButtonKind::Primary))
            }
        },
    )
}

fn area_items(area: Area, interactive: bool) -> Markup {
    html! {
        p { (area.summary()) }
        div class="checklist" {
            @for item in items_in(area) {
                div class="checklist__item" id=(item.id) {
                    @if interactive {
                        div class="checkboxes__item" {
                            input type="checkbox" id={ "tick-" (item.id) } aria-describedby={ "why-" (item.id) };
                            label for={ "tick-" (item.id) } { (item.check) }
                        }
                    } @else {
                        p { span aria-hidden="true" { "\u{2610} " } (item.check) }
                    }
                    p class="hint" id={ "why-" (item.id) } {
                        "Why: " (item.why) " " (sources_line(item.sources))
                    }
                }
            }
        }
    }
}

/// `GET /prevention/privacy-checklist`.
pub async fn checklist(user: SignedIn) -> Markup {
    page(
        Some(&user),
        "Privacy checklist",
        html! {
            (back_link("/prevention"))
            h1 { "Privacy checklist" }
            p class="lede" { "Patients who harass doctors often find them through what is public: a profile, a photo, a register. Work through each area below." }
            (inset_text(html! {
                p { "Ticks are not saved. Use the " a href="/prevention/privacy-checklist/print" { "printable version" } " to keep a record of what you have done." }
            }))
            @for area in Area::ALL {
                details class="details" id={ "area-" (area.as_str()) } {
                    summary { span class="details__summary-text" { (area.title()) } }
                    div class="details__text" { (area_items(area, true)) }
                }
            }
            p { "Menus in these apps move often: each item names the setting by what it does. If you cannot find one, search the app's help pages for those words." }
        },
    )
}

/// `GET /prevention/privacy-checklist/print`: every area open, with boxes
/// to tick on paper.
pub async fn checklist_print(user: SignedIn) -> Markup {
    page(
        Some(&user),
        "Privacy checklist (printable)",
        html! {
            (back_link("/prevention/privacy-checklist"))
            h1 { "Privacy checklist" }
            p { "Tick each box when you have checked it, and keep this page with your own records." }
            @for area in Area::ALL {
                section aria-labelledby={ "area-" (area.as_str()) } {
                    h2 id={ "area-" (area.as_str()) } { (area.title()) }
                    (area_items(area, false))
                }
            }
        },
    )
}
