//! `GET/POST /setup/{token}`: first run. The organisation's name and the
//! first administrator; the link (printed once to the console by
//! `palisade serve`) works once.

use super::{audit_plain, pre_token, start_session, with_pre_cookie};
use crate::csrf::PreSessionForm;
use crate::error::WebError;
use crate::forms::{FormErrors, Input, field_of, password_errors};
use crate::layout::{ButtonKind, button, csrf_input, page, title_with_errors};
use crate::session::ClientAddress;
use crate::state::{AppState, blocking};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use palisade_service::{AuditAction, Password, ServiceError};
use serde::Deserialize;
use zeroize::Zeroizing;

#[derive(Deserialize, Default)]
pub(super) struct SetupForm {
    #[serde(default)]
    org_name: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: Zeroizing<String>,
    #[serde(default)]
    password_confirm: Zeroizing<String>,
}

fn render(path_token: &str, csrf: &str, form: &SetupForm, errors: &FormErrors) -> Markup {
    page(
        None,
        &title_with_errors("Set up Palisade", !errors.is_empty()),
        html! {
            (errors.summary())
            h1 { "Set up Palisade" }
            p class="lede" { "Name your organisation and create the first administrator account." }
            p { "The administrator manages accounts and settings. An administrator cannot read a case unless its owner shares it." }
            form method="post" action={ "/setup/" (path_token) } novalidate {
                (csrf_input(csrf))
                (Input::text("org_name", "Organisation name").value(&form.org_name)
                    .hint("For example, Riverside Medical Practice").autocomplete("organization").errors(errors))
                (Input::text("username", "Your username").value(&form.username)
                    .hint("You will use this to sign in. Letters, numbers, dots, hyphens and underscores.")
                    .autocomplete("username").errors(errors))
                (Input::text("display_name", "Your full name").value(&form.display_name)
                    .hint("Shown to colleagues and in the audit trail").autocomplete("name").errors(errors))
                (Input::password("password", "Password", "new-password")
                    .hint("At least 12 characters. A few unrelated words make a strong password.").errors(errors))
                (Input::password("password_confirm", "Confirm password", "new-password").errors(errors))
                (button("Create organisation and account", ButtonKind::Primary))
            }
        },
    )
}

fn not_available() -> WebError {
    WebError::NotFound
}

/// `GET /setup/{token}`.
pub(super) async fn show(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    if !state.accounts().setup_needed()? {
        return Err(not_available());
    }
    let (csrf, is_new) = pre_token(&state, &headers)?;
    let body = render(&token, &csrf, &SetupForm::default(), &FormErrors::new());
    Ok(with_pre_cookie(
        state.config(),
        &csrf,
        is_new,
        body.into_response(),
    ))
}

/// Check the form; the errors in field order.
fn validate(form: &SetupForm) -> FormErrors {
    let mut errors = FormErrors::new();
    if form.org_name.trim().is_empty() {
        errors.add("org_name", "Enter the organisation's name");
    }
    if form.username.trim().is_empty() {
        errors.add("username", "Enter a username");
    }
    if form.display_name.trim().is_empty() {
        errors.add("display_name", "Enter your full name");
    }
    password_errors(
        &mut errors,
        &form.password,
        &form.password_confirm,
        "password",
        "password_confirm",
    );
    errors
}

/// `POST /setup/{token}`.
pub(super) async fn submit(
    State(state): State<AppState>,
    Path(token): Path<String>,
    ClientAddress(client): ClientAddress,
    headers: HeaderMap,
    PreSessionForm(form): PreSessionForm<SetupForm>,
) -> Result<Response, WebError> {
    if !state.accounts().setup_needed()? {
        return Err(not_available());
    }
    let (csrf, _) = pre_token(&state, &headers)?;
    let mut errors = validate(&form);
    if !errors.is_empty() {
        let body = render(&token, &csrf, &form, &errors);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, body).into_response());
    }
    let accounts = state.accounts().clone();
    let password = Password::new(form.password.as_str());
    let (t, org, user, name) = (
        token.clone(),
        form.org_name.trim().to_string(),
        form.username.trim().to_string(),
        form.display_name.trim().to_string(),
    );
    let created =
        blocking(move || accounts.complete_setup(&t, &org, &user, &name, &password)).await?;
    match created {
        Ok(user) => {
            audit_plain(&state, Some(&user.id), AuditAction::SignIn, None, &client)?;
            let require_totp = state.accounts().org()?.require_totp;
            let to = if require_totp {
                "/account/two-factor"
            } else {
                "/account?done=setup"
            };
            start_session(&state, &headers, &user, !require_totp, &client, to)
        }
        Err(ServiceError::Invalid(m)) if m.contains("setup link") => Ok((
            StatusCode::NOT_FOUND,
            crate::layout::error_page(StatusCode::NOT_FOUND, &m),
        )
            .into_response()),
        Err(ServiceError::Invalid(m)) => {
            errors.add(field_of(&m), m);
            let body = render(&token, &csrf, &form, &errors);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, body).into_response())
        }
        Err(ServiceError::NotFound { .. } | ServiceError::Forbidden(_)) => Err(not_available()),
        Err(e) => Err(e.into()),
    }
}
