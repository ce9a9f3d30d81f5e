//! `/account/tokens`: API tokens for the JSON API. A token is shown once,
//! when created; only its hash is kept. Revocation takes effect at once.

use crate::csrf::CsrfForm;
use crate::error::WebError;
use crate::forms::{Done, FormErrors, Input};
use crate::layout::{
    ButtonKind, TagKind, button, csrf_field, datetime_text, field_error, notice, page, post_button,
    tag, title_with_errors, warning_callout,
};
use crate::session::SignedIn;
use crate::signin::NoFields;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use palisade_service::{ApiTokenInfo, Scope, ServiceError};
use serde::Deserialize;

fn done_message(done: &Done) -> Option<&'static str> {
    match done.code() {
        Some("revoked") => Some("The token has been revoked. It no longer works."),
        _ => None,
    }
}

fn scopes_text(t: &ApiTokenInfo) -> &'static str {
    if t.scopes.contains(&Scope::Write) {
        "Read and write"
    } else {
        "Read only"
    }
}

fn render(
    me: &SignedIn,
    tokens: &[ApiTokenInfo],
    name: &str,
    scope: &str,
    errors: &FormErrors,
    message: Option<&str>,
) -> Markup {
    page(
        Some(me),
        &title_with_errors("API tokens", !errors.is_empty()),
        html! {
            (errors.summary())
            @if let Some(m) = message { (notice(m)) }
            a class="back-link" href="/account" { "Back to your account" }
            h1 { "API tokens" }
            p { "A token lets a program use the Palisade API as you, with the same access to cases as you have. Send it as " code { "Authorization: Bearer pal_…" } ". The API is described at " a href="/api/v1/openapi.json" { "/api/v1/openapi.json" } "." }
            @if tokens.is_empty() {
                p { "You have no API tokens." }
            } @else {
                div class="table-container" {
                    table class="table" {
                        caption class="visually-hidden" { "Your API tokens" }
                        thead { tr { th scope="col" { "Name" } th scope="col" { "Access" } th scope="col" { "Created" } th scope="col" { "Last used" } th scope="col" { "Status" } } }
                        tbody {
                            @for t in tokens {
                                tr {
                                    td { (t.name) }
                                    td { (scopes_text(t)) }
                                    td { (datetime_text(&t.created_at)) }
                                    td { (t.last_used_at.as_deref().map(datetime_text).unwrap_or_else(|| "Never".into())) }
                                    td {
                                        @if t.revoked { (tag("Revoked", TagKind::Grey)) }
                                        @else { (post_button(me, &format!("/account/tokens/{}/revoke", t.id), "Revoke", ButtonKind::Warning)) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            h2 { "Create a token" }
            form method="post" action="/account/tokens" novalidate {
                (csrf_field(me))
                (Input::text("name", "Name").value(name).hint("Where the token is used, for example \"Practice reporting script\"").errors(errors))
                div class={ "form-group" @if errors.get("scope").is_some() { " form-group--error" } } {
                    fieldset aria-describedby="scope-hint" {
                        legend { "What may the token do?" }
                        span class="hint" id="scope-hint" { "Give write access only to a program that records contacts or actions." }
                        (field_error("scope", errors.get("scope")))
                        div class="radios__item" {
                            input type="radio" id="scope" name="scope" value="read" checked[scope != "write"];
                            label for="scope" { "Read only" }
                        }
                        div class="radios__item" {
                            input type="radio" id="scope-write" name="scope" value="write" checked[scope == "write"];
                            label for="scope-write" { "Read and write" }
                        }
                    }
                }
                (button("Create token", ButtonKind::Primary))
            }
        },
    )
}

/// `GET /account/tokens`.
pub(super) async fn show(
    State(state): State<AppState>,
    me: SignedIn,
    done: Done,
) -> Result<Markup, WebError> {
    let tokens = state.accounts().api_tokens_of(&me.user.id)?;
    Ok(render(
        &me,
        &tokens,
        "",
        "read",
        &FormErrors::new(),
        done_message(&done),
    ))
}

#[derive(Deserialize)]
pub(super) struct CreateForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    scope: String,
}

/// `POST /account/tokens`: create; the token is shown on the response page only.
pub(super) async fn create(
    State(state): State<AppState>,
    me: SignedIn,
    CsrfForm(form): CsrfForm<CreateForm>,
) -> Result<Response, WebError> {
    let mut errors = FormErrors::new();
    let name = form.name.trim();
    if name.is_empty() {
        errors.add("name", "Enter a name for the token");
    }
    let scopes: &[Scope] = match form.scope.as_str() {
        "read" => &[Scope::Read],
        "write" => &[Scope::Read, Scope::Write],
        _ => {
            errors.add("scope", "Choose what the token may do");
            &[]
        }
    };
    if errors.is_empty() {
        match state.accounts().create_api_token(&me.user.id, name, scopes) {
            Ok((info, token)) => return Ok(created(&me, &info, &token).into_response()),
            Err(ServiceError::Invalid(m)) => errors.add("name", m),
            Err(e) => return Err(e.into()),
        }
    }
    let tokens = state.accounts().api_tokens_of(&me.user.id)?;
    let body = render(&me, &tokens, &form.name, &form.scope, &errors, None);
    Ok((StatusCode::UNPROCESSABLE_ENTITY, body).into_response())
}

fn created(me: &SignedIn, info: &ApiTokenInfo, token: &str) -> Markup {
    page(
        Some(me),
        "Your new API token",
        html! {
            h1 { "Your new API token" }
            p { "Token " strong { (info.name) } " (" (scopes_text(info)) ") has been created." }
            (warning_callout("Copy it now", html! {
                p { "This is the only time the token is shown. Store it in the program's configuration or a password manager. If it is lost, revoke it and create another." }
            }))
            code class="secret" id="api-token" { (token) }
            p { a class="button" href="/account/tokens" { "Done" } }
        },
    )
}

/// `POST /account/tokens/{tid}/revoke`.
pub(super) async fn revoke(
    State(state): State<AppState>,
    me: SignedIn,
    Path(tid): Path<String>,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, WebError> {
    if !state.accounts().revoke_api_token(&me.user.id, &tid)? {
        return Err(WebError::NotFound);
    }
    Ok(Redirect::to("/account/tokens?done=revoked").into_response())
}
