//! `GET/POST /login/two-factor`: the code from the authenticator app, or an
//! unused recovery code.

use super::{audit_plain, start_session};
use crate::csrf::CsrfForm;
use crate::error::WebError;
use crate::forms::{FormErrors, Input};
use crate::layout::{ButtonKind, button, csrf_input, page, title_with_errors};
use crate::session::{AnySession, Stage};
use crate::state::{AppState, blocking};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use palisade_service::{AuditAction, ServiceError};
use serde::Deserialize;

#[derive(Deserialize)]
pub(super) struct CodeForm {
    #[serde(default)]
    code: String,
}

fn render(token: &str, errors: &FormErrors) -> Markup {
    page(
        None,
        &title_with_errors("Enter your security code", !errors.is_empty()),
        html! {
            (errors.summary())
            h1 { "Enter your security code" }
            p { "Open the authenticator app on your phone and enter the 6-digit code it shows for Palisade." }
            form method="post" action="/login/two-factor" novalidate {
                (csrf_input(token))
                (Input::text("code", "Security code")
                    .hint("For example, 123456. If you do not have your phone, enter one of your recovery codes.")
                    .autocomplete("one-time-code")
                    .width("input--width-10")
                    .errors(errors))
                (button("Continue", ButtonKind::Primary))
            }
            form method="post" action="/logout" {
                (csrf_input(token))
                button type="submit" class="link-button" { "Cancel and sign out" }
            }
        },
    )
}

/// `GET /login/two-factor`.
pub(super) async fn show(session: AnySession) -> Response {
    if session.stage != Stage::SecondFactor {
        return Redirect::to("/").into_response();
    }
    render(&session.info.csrf_token, &FormErrors::new()).into_response()
}

/// `POST /login/two-factor`.
pub(super) async fn submit(
    State(state): State<AppState>,
    session: AnySession,
    headers: HeaderMap,
    CsrfForm(form): CsrfForm<CodeForm>,
) -> Result<Response, WebError> {
    if session.stage != Stage::SecondFactor {
        return Ok(Redirect::to("/").into_response());
    }
    let token = session.info.csrf_token.clone();
    let code: String = form.code.chars().filter(|c| !c.is_whitespace()).collect();
    let mut errors = FormErrors::new();
    if code.is_empty() {
        errors.add(
            "code",
            "Enter the security code from your authenticator app",
        );
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&token, &errors)).into_response());
    }
    let accounts = state.accounts().clone();
    let (user_id, client) = (session.user.id.clone(), session.client.clone());
    let checked = blocking(move || accounts.check_second_factor(&user_id, &code, &client)).await?;
    match checked {
        Ok(()) => {
            audit_plain(
                &state,
                Some(&session.user.id),
                AuditAction::SignIn,
                None,
                &session.client,
            )?;
            start_session(&state, &headers, &session.user, true, &session.client, "/")
        }
        Err(ServiceError::BadSecondFactor) => {
            errors.add("code", ServiceError::BadSecondFactor.to_string());
            Ok((StatusCode::UNAUTHORIZED, render(&token, &errors)).into_response())
        }
        Err(ServiceError::Throttled { retry_after_secs }) => {
            errors.add(
                "code",
                ServiceError::Throttled { retry_after_secs }.to_string(),
            );
            let mut res = (StatusCode::TOO_MANY_REQUESTS, render(&token, &errors)).into_response();
            if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                res.headers_mut().insert(header::RETRY_AFTER, v);
            }
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}
