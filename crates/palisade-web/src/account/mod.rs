//! The signed-in user's own account: profile, password, second factor,
//! recovery codes, sessions and API tokens.

mod sessions;
mod tokens;
mod two_factor;

use crate::csrf::CsrfForm;
use crate::error::WebError;
use crate::forms::{Done, FormErrors, Input, password_errors};
use crate::layout::{
    ButtonKind, TagKind, button, csrf_field, notice, page, summary_list, tag, title_with_errors,
};
use crate::session::SignedIn;
use crate::state::{AppState, blocking};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::{Markup, html};
use palisade_service::{OrgSettings, Password, ServiceError, User};
use serde::Deserialize;
use zeroize::Zeroizing;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/account", get(show))
        .route("/account/password", post(change_password))
        .route(
            "/account/two-factor",
            get(two_factor::show).post(two_factor::submit),
        )
        .route(
            "/account/recovery-codes",
            post(two_factor::new_recovery_codes),
        )
        .route("/account/sessions", get(sessions::show))
        .route("/account/sessions/end-others", post(sessions::end_others))
        .route("/account/sessions/{sid}/end", post(sessions::end_one))
        .route("/account/tokens", get(tokens::show).post(tokens::create))
        .route("/account/tokens/{tid}/revoke", post(tokens::revoke))
}

fn done_message(done: &Done) -> Option<&'static str> {
    match done.code() {
        Some("setup") => Some(
            "Palisade is set up and you are signed in as its administrator. Next, add the people who will use it under Settings.",
        ),
        Some("password") => {
            Some("Your password has been changed. Your other sessions have been signed out.")
        }
        Some("two-factor-off") => Some("Two-factor authentication has been turned off."),
        _ => None,
    }
}

/// The current account and organisation, freshly read.
pub(crate) fn me_and_org(state: &AppState, me: &SignedIn) -> Result<(User, OrgSettings), WebError> {
    let user = state
        .accounts()
        .user(&me.user.id)?
        .ok_or(WebError::SignInRequired)?;
    Ok((user, state.accounts().org()?))
}

fn render(
    me: &SignedIn,
    user: &User,
    org: &OrgSettings,
    errors: &FormErrors,
    message: Option<&str>,
) -> Markup {
    page(
        Some(me),
        &title_with_errors("Your account", !errors.is_empty()),
        html! {
            (errors.summary())
            @if let Some(m) = message { (notice(m)) }
            h1 { "Your account" }
            (summary_list(&[
                ("Name", html! { (user.display_name) }),
                ("Username", html! { (user.username) }),
                ("Role", html! { (user.role.label()) }),
                ("Organisation", html! { (org.name) }),
                ("Two-factor authentication", if user.totp_enabled {
                    tag("On", TagKind::Green)
                } else if org.require_totp {
                    tag("Required – not set up", TagKind::Red)
                } else {
                    tag("Off", TagKind::Grey)
                }),
            ]))
            ul {
                li { a href="/account/two-factor" { "Two-factor authentication and recovery codes" } }
                li { a href="/account/sessions" { "Where you are signed in" } }
                li { a href="/account/tokens" { "API tokens" } }
            }
            h2 id="password-heading" { "Change your password" }
            p { "Changing your password signs you out everywhere else." }
            form method="post" action="/account/password" novalidate aria-labelledby="password-heading" {
                (csrf_field(me))
                (Input::password("current", "Current password", "current-password").errors(errors))
                (Input::password("new", "New password", "new-password")
                    .hint("At least 12 characters. A few unrelated words make a strong password.").errors(errors))
                (Input::password("confirm", "Confirm new password", "new-password").errors(errors))
                (button("Change password", ButtonKind::Primary))
            }
        },
    )
}

/// `GET /account`.
async fn show(State(state): State<AppState>, me: SignedIn, done: Done) -> Result<Markup, WebError> {
    let (user, org) = me_and_org(&state, &me)?;
    Ok(render(
        &me,
        &user,
        &org,
        &FormErrors::new(),
        done_message(&done),
    ))
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current: Zeroizing<String>,
    #[serde(default)]
    new: Zeroizing<String>,
    #[serde(default)]
    confirm: Zeroizing<String>,
}

/// `POST /account/password`.
async fn change_password(
    State(state): State<AppState>,
    me: SignedIn,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> Result<Response, WebError> {
    let mut errors = FormErrors::new();
    if form.current.is_empty() {
        errors.add("current", "Enter your current password");
    }
    password_errors(&mut errors, &form.new, &form.confirm, "new", "confirm");
    if errors.is_empty() {
        let accounts = state.accounts().clone();
        let (uid, sid) = (me.user.id.clone(), me.session_id.clone());
        let (current, new) = (
            Password::new(form.current.as_str()),
            Password::new(form.new.as_str()),
        );
        match blocking(move || accounts.change_password(&uid, &current, &new, &sid)).await? {
            Ok(()) => {
                return Ok(Redirect::to("/account?done=password").into_response());
            }
            Err(ServiceError::Invalid(m)) if m.contains("current password") => errors.add(
                "current",
                "Your current password is wrong; nothing was changed",
            ),
            Err(ServiceError::Throttled { retry_after_secs }) => {
                return Err(WebError::Throttled { retry_after_secs });
            }
            Err(ServiceError::Invalid(m)) => errors.add("new", m),
            Err(e) => return Err(e.into()),
        }
    }
    let (user, org) = me_and_org(&state, &me)?;
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        render(&me, &user, &org, &errors, None),
    )
        .into_response())
}
