//! `GET/POST /login`: username and password.

use super::{audit_plain, pre_token, start_session, with_pre_cookie};
use crate::csrf::PreSessionForm;
use crate::error::WebError;
use crate::forms::{Done, FormErrors, Input};
use crate::layout::{ButtonKind, button, csrf_input, inset_text, notice, page, title_with_errors};
use crate::session::{ClientAddress, SignedIn};
use crate::state::{AppState, blocking};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use palisade_service::{AuditAction, LoginOutcome, Password, ServiceError};
use serde::Deserialize;
use zeroize::Zeroizing;

#[derive(Deserialize)]
pub(super) struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: Zeroizing<String>,
}

fn render(
    token: &str,
    username: &str,
    errors: &FormErrors,
    message: Option<&str>,
    setup_needed: bool,
) -> Markup {
    page(
        None,
        &title_with_errors("Sign in", !errors.is_empty()),
        html! {
            (errors.summary())
            @if let Some(m) = message { (notice(m)) }
            h1 { "Sign in to Palisade" }
            @if setup_needed {
                (inset_text(html! {
                    p { "Palisade has not been set up yet. Open the setup link that was printed when the server started." }
                }))
            }
            form method="post" action="/login" novalidate {
                (csrf_input(token))
                (Input::text("username", "Username").value(username).autocomplete("username").errors(errors))
                (Input::password("password", "Password", "current-password").errors(errors))
                (button("Sign in", ButtonKind::Primary))
            }
            p { "Forgotten your password? Ask your Palisade administrator to reset it." }
        },
    )
}

fn done_message(done: &Done) -> Option<&'static str> {
    match done.code() {
        Some("signed-out") => Some("You have signed out."),
        Some("password-changed") => {
            Some("Your password has been changed. Sign in with the new one.")
        }
        _ => None,
    }
}

/// `GET /login`.
pub(super) async fn show(
    State(state): State<AppState>,
    signed_in: Option<SignedIn>,
    done: Done,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    if signed_in.is_some() {
        return Ok(Redirect::to("/").into_response());
    }
    let (token, is_new) = pre_token(&state, &headers)?;
    let setup_needed = state.accounts().setup_needed()?;
    let body = render(
        &token,
        "",
        &FormErrors::new(),
        done_message(&done),
        setup_needed,
    );
    Ok(with_pre_cookie(
        state.config(),
        &token,
        is_new,
        body.into_response(),
    ))
}

/// `POST /login`.
pub(super) async fn submit(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    headers: HeaderMap,
    PreSessionForm(form): PreSessionForm<LoginForm>,
) -> Result<Response, WebError> {
    let (token, _) = pre_token(&state, &headers)?;
    let username = form.username.trim().to_string();
    let mut errors = FormErrors::new();
    if username.is_empty() {
        errors.add("username", "Enter your username");
    }
    if form.password.is_empty() {
        errors.add("password", "Enter your password");
    }
    if !errors.is_empty() {
        let body = render(&token, &username, &errors, None, false);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, body).into_response());
    }
    let accounts = state.accounts().clone();
    let password = Password::new(form.password.as_str());
    let (name, addr) = (username.clone(), client.clone());
    let outcome = blocking(move || accounts.check_password(&name, &password, &addr)).await?;
    match outcome {
        Ok(LoginOutcome::SignedIn(user)) => {
            audit_plain(&state, Some(&user.id), AuditAction::SignIn, None, &client)?;
            start_session(&state, &headers, &user, true, &client, "/")
        }
        Ok(LoginOutcome::NeedsSecondFactor(user)) => {
            start_session(&state, &headers, &user, false, &client, "/login/two-factor")
        }
        Ok(LoginOutcome::MustEnrolTotp(user)) => {
            audit_plain(&state, Some(&user.id), AuditAction::SignIn, None, &client)?;
            start_session(
                &state,
                &headers,
                &user,
                false,
                &client,
                "/account/two-factor",
            )
        }
        Err(ServiceError::BadCredentials) => {
            errors.add("username", "The username or password is wrong");
            let body = render(&token, &username, &errors, None, false);
            Ok((StatusCode::UNAUTHORIZED, body).into_response())
        }
        Err(ServiceError::Throttled { retry_after_secs }) => {
            let message = ServiceError::Throttled { retry_after_secs }.to_string();
            errors.add("username", message);
            let body = render(&token, &username, &errors, None, false);
            let mut res = (StatusCode::TOO_MANY_REQUESTS, body).into_response();
            if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                res.headers_mut().insert(header::RETRY_AFTER, v);
            }
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}
