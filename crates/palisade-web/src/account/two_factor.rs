//! `/account/two-factor` and `/account/recovery-codes`: enrol an
//! authenticator app (QR code and the key as text), confirm it, see the
//! recovery codes once, make new ones, turn the second factor off.
//!
//! Reachable while the organisation's TOTP requirement is still to be met
//! (stage `MustEnrol`): then the page is the only one open, and confirming
//! starts a new, complete session.

use crate::csrf::CsrfForm;
use crate::error::WebError;
use crate::forms::{FormErrors, Input};
use crate::layout::{
    ButtonKind, button, csrf_field, csrf_input, page, title_with_errors, warning_callout,
};
use crate::session::{
    AnySession, SignedIn, Stage, WebUser, cookie_name, read_cookie, set_cookie, user_agent,
};
use crate::state::{AppState, blocking};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use palisade_service::{Password, ServiceError, TotpEnrolment};
use serde::Deserialize;
use zeroize::Zeroizing;

/// The shell of these pages: the full page for a complete sign-in, a bare
/// one (with a sign-out button) during forced enrolment.
fn shell(session: &AnySession, title: &str, body: Markup) -> Markup {
    let signed_in = session.signed_in();
    let token = session.info.csrf_token.as_str();
    page(
        signed_in.as_ref(),
        title,
        html! {
            (body)
            @if signed_in.is_none() {
                form method="post" action="/logout" {
                    (csrf_input(token))
                    button type="submit" class="link-button" { "Sign out" }
                }
            }
        },
    )
}

/// The key in groups of four, easier to type into an app.
fn grouped(secret: &str) -> String {
    secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Enrolment: the QR code (when there is a fresh one), the key as text and
/// the confirmation form.
fn enrol_body(
    session: &AnySession,
    qr_png_base64: Option<&str>,
    secret: &str,
    errors: &FormErrors,
) -> Markup {
    html! {
        (errors.summary())
        h1 { "Set up two-factor authentication" }
        @if session.stage == Stage::MustEnrol {
            (warning_callout("Required by your organisation", html! {
                p { "Your organisation requires two-factor authentication. Set it up now to continue using Palisade." }
            }))
        }
        p { "Each time you sign in you will enter your password and a 6-digit code from an authenticator app on your phone." }
        h2 { "1. Install an authenticator app" }
        p { "For example Microsoft Authenticator, Google Authenticator or a password manager that shows codes." }
        h2 { "2. Add Palisade to the app" }
        @if let Some(qr) = qr_png_base64 {
            p { "Scan this QR code with the app:" }
            img class="qr-code" src={ "data:image/png;base64," (qr) } alt="QR code for your authenticator app" width="200" height="200";
        }
        p { "If you cannot scan the code, choose to enter a key in the app, and type this key:" }
        code class="secret" id="totp-key" { (grouped(secret)) }
        h2 { "3. Enter the code the app shows" }
        form method="post" action="/account/two-factor" novalidate {
            (csrf_input(&session.info.csrf_token))
            input type="hidden" name="secret" value=(secret);
            (Input::text("code", "Security code")
                .hint("The 6-digit code, for example 123456")
                .autocomplete("one-time-code")
                .inputmode("numeric")
                .width("input--width-10")
                .errors(errors))
            (button("Turn on two-factor authentication", ButtonKind::Primary))
        }
        @if qr_png_base64.is_none() {
            p { a href="/account/two-factor" { "Start again with a new QR code" } }
        }
    }
}

fn enabled_body(me: &SignedIn, require_totp: bool, errors: &FormErrors) -> Markup {
    html! {
        (errors.summary())
        h1 { "Two-factor authentication" }
        p { "Two-factor authentication is on: signing in needs your password and a code from your authenticator app." }
        h2 { "Recovery codes" }
        p { "If you lose your phone, each recovery code lets you sign in once instead of an app code. Getting new codes makes the old ones stop working." }
        form method="post" action="/account/recovery-codes" {
            (csrf_field(me))
            (button("Get new recovery codes", ButtonKind::Secondary))
        }
        h2 { "Turn off two-factor authentication" }
        @if require_totp {
            p { "Your organisation requires two-factor authentication, so it cannot be turned off." }
        } @else {
            form method="post" action="/account/two-factor" novalidate {
                (csrf_field(me))
                input type="hidden" name="action" value="disable";
                (Input::password("password", "Your password", "current-password")
                    .hint("To turn it off, confirm your password").errors(errors))
                (button("Turn off two-factor authentication", ButtonKind::Warning))
            }
        }
    }
}

fn codes_body(codes: &[String], intro: &str) -> Markup {
    html! {
        h1 { "Your recovery codes" }
        p class="lede" { (intro) }
        (warning_callout("Shown only once", html! {
            p { "Write these codes down or print this page, and keep them somewhere safe away from your phone. Each code works once. You will not see them again." }
        }))
        ul class="recovery-codes" aria-label="Recovery codes" {
            @for c in codes { li { (c) } }
        }
        p { a class="button" href="/" { "I have saved my codes – continue" } }
    }
}

/// `GET /account/two-factor`.
pub(super) async fn show(
    State(state): State<AppState>,
    session: AnySession,
) -> Result<Response, WebError> {
    if session.stage == Stage::SecondFactor {
        return Ok(Redirect::to("/login/two-factor").into_response());
    }
    if let (true, Some(me)) = (session.user.totp_enabled, session.signed_in()) {
        let require = state.accounts().org()?.require_totp;
        let body = enabled_body(&me, require, &FormErrors::new());
        return Ok(page(Some(&me), "Two-factor authentication", body).into_response());
    }
    let accounts = state.accounts().clone();
    let uid = session.user.id.clone();
    let enrolment: TotpEnrolment = blocking(move || accounts.begin_totp(&uid)).await??;
    let body = enrol_body(
        &session,
        Some(&enrolment.qr_png_base64),
        &enrolment.secret_base32,
        &FormErrors::new(),
    );
    Ok(shell(&session, "Set up two-factor authentication", body).into_response())
}

#[derive(Deserialize)]
pub(super) struct TwoFactorForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    secret: String,
    #[serde(default)]
    password: Zeroizing<String>,
}

/// `POST /account/two-factor`: confirm enrolment (`code`), or turn off
/// (`action=disable`, `password`).
pub(super) async fn submit(
    State(state): State<AppState>,
    session: AnySession,
    headers: HeaderMap,
    CsrfForm(form): CsrfForm<TwoFactorForm>,
) -> Result<Response, WebError> {
    if session.stage == Stage::SecondFactor {
        return Ok(Redirect::to("/login/two-factor").into_response());
    }
    if form.action == "disable" {
        return disable(state, session, form).await;
    }
    if session.user.totp_enabled {
        return Ok(Redirect::to("/account/two-factor").into_response());
    }
    let code: String = form.code.chars().filter(|c| !c.is_whitespace()).collect();
    // The key shown on the page, sent back so a mistyped code keeps it on screen.
    let secret: String = form
        .secret
        .chars()
        .filter(|c| c.is_ascii_uppercase() || ('2'..='7').contains(c))
        .take(64)
        .collect();
    let mut errors = FormErrors::new();
    if code.is_empty() {
        errors.add("code", "Enter the 6-digit code from your authenticator app");
    } else {
        let accounts = state.accounts().clone();
        let uid = session.user.id.clone();
        match blocking(move || accounts.confirm_totp(&uid, &code)).await? {
            Ok(codes) => return enrolled(&state, &session, &headers, &codes),
            Err(ServiceError::BadSecondFactor) => errors.add(
                "code",
                "That code did not match. Check the time on your phone is set automatically, then enter the code the app shows now",
            ),
            Err(ServiceError::Invalid(_)) => {
                return Ok(Redirect::to("/account/two-factor").into_response());
            }
            Err(e) => return Err(e.into()),
        }
    }
    let body = enrol_body(&session, None, &secret, &errors);
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        shell(
            &session,
            &title_with_errors("Set up two-factor authentication", true),
            body,
        ),
    )
        .into_response())
}

/// Enrolment confirmed: show the recovery codes. A session that was held at
/// forced enrolment is replaced by a new, complete one.
fn enrolled(
    state: &AppState,
    session: &AnySession,
    headers: &HeaderMap,
    codes: &[String],
) -> Result<Response, WebError> {
    let intro = "Two-factor authentication is now on.";
    if session.stage != Stage::MustEnrol {
        let me = session.signed_in().ok_or(WebError::SignInRequired)?;
        return Ok(
            page(Some(&me), "Your recovery codes", codes_body(codes, intro)).into_response(),
        );
    }
    let accounts = state.accounts();
    let name = cookie_name(state.config());
    let new = accounts.start_session(
        &session.user.id,
        true,
        &session.client,
        &user_agent(headers),
    )?;
    if let Some(old) = read_cookie(headers, name) {
        accounts.end_session(&old)?;
    }
    let me = SignedIn {
        user: WebUser::from(&session.user),
        csrf: new.info.csrf_token.clone(),
        session_id: new.info.id.clone(),
        client: session.client.clone(),
    };
    let mut res = page(Some(&me), "Your recovery codes", codes_body(codes, intro)).into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(state.config(), name, &new.cookie_value),
    );
    Ok(res)
}

async fn disable(
    state: AppState,
    session: AnySession,
    form: TwoFactorForm,
) -> Result<Response, WebError> {
    let me = session.signed_in().ok_or(WebError::MustEnrolTotp)?;
    let mut errors = FormErrors::new();
    if form.password.is_empty() {
        errors.add("password", "Enter your password");
    } else {
        let accounts = state.accounts().clone();
        let uid = me.user.id.clone();
        let password = Password::new(form.password.as_str());
        match blocking(move || accounts.disable_totp(&uid, &password)).await? {
            Ok(()) => return Ok(Redirect::to("/account?done=two-factor-off").into_response()),
            Err(ServiceError::Invalid(m)) => errors.add("password", m),
            Err(ServiceError::Forbidden(m)) => errors.add("password", m),
            Err(ServiceError::Throttled { retry_after_secs }) => {
                return Err(WebError::Throttled { retry_after_secs });
            }
            Err(e) => return Err(e.into()),
        }
    }
    let require = state.accounts().org()?.require_totp;
    let body = enabled_body(&me, require, &errors);
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        page(
            Some(&me),
            &title_with_errors("Two-factor authentication", true),
            body,
        ),
    )
        .into_response())
}

/// `POST /account/recovery-codes`: replace the recovery codes; shown once.
pub(super) async fn new_recovery_codes(
    State(state): State<AppState>,
    me: SignedIn,
    CsrfForm(crate::signin::NoFields {}): CsrfForm<crate::signin::NoFields>,
) -> Result<Response, WebError> {
    let accounts = state.accounts().clone();
    let uid = me.user.id.clone();
    match blocking(move || accounts.new_recovery_codes(&uid)).await? {
        Ok(codes) => Ok(page(
            Some(&me),
            "Your recovery codes",
            codes_body(
                &codes,
                "Your new recovery codes are ready. The old ones no longer work.",
            ),
        )
        .into_response()),
        Err(ServiceError::Invalid(_)) => Ok(Redirect::to("/account/two-factor").into_response()),
        Err(e) => Err(e.into()),
    }
}
