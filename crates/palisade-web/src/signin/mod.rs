//! Getting in and out: first-run setup, sign-in with password and second
//! factor, sign-out. Each step that raises the session's trust starts a new
//! session and ends the old one (session fixation defence).

mod login;
mod setup;
mod two_factor;

use crate::csrf::{CsrfForm, pre_cookie_name, pre_session_token};
use crate::error::WebError;
use crate::session::{AnySession, clear_cookie, cookie_name, read_cookie, set_cookie, user_agent};
use crate::state::{AppState, WebConfig};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use palisade_service::{AuditAction, AuditEvent, User};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/setup/{token}", get(setup::show).post(setup::submit))
        .route("/login", get(login::show).post(login::submit))
        .route(
            "/login/two-factor",
            get(two_factor::show).post(two_factor::submit),
        )
        .route("/logout", post(logout))
}

/// Start a session for `user` (ending the request's current one, if any),
/// set its cookie and redirect to `to`.
pub(crate) fn start_session(
    state: &AppState,
    headers: &HeaderMap,
    user: &User,
    second_factor_done: bool,
    client: &str,
    to: &str,
) -> Result<Response, WebError> {
    let accounts = state.accounts();
    let name = cookie_name(state.config());
    if let Some(old) = read_cookie(headers, name) {
        accounts.end_session(&old)?;
    }
    let new = accounts.start_session(&user.id, second_factor_done, client, &user_agent(headers))?;
    let mut res = Redirect::to(to).into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(state.config(), name, &new.cookie_value),
    );
    Ok(res)
}

/// Attach the pre-session cookie to a page response when it is new.
pub(crate) fn with_pre_cookie(
    config: &WebConfig,
    token: &str,
    is_new: bool,
    mut res: Response,
) -> Response {
    if is_new {
        res.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(config, pre_cookie_name(config), token),
        );
    }
    res
}

/// The pre-session token for a sign-in or setup form.
pub(crate) fn pre_token(state: &AppState, headers: &HeaderMap) -> Result<(String, bool), WebError> {
    pre_session_token(headers, state.config())
}

/// Write an audit row for an event outside a complete sign-in.
pub(crate) fn audit_plain(
    state: &AppState,
    actor: Option<&str>,
    action: AuditAction,
    target: Option<&str>,
    client: &str,
) -> Result<(), WebError> {
    state
        .accounts()
        .audit(&AuditEvent {
            actor,
            action,
            case_id: None,
            target,
            detail: None,
            client: Some(client),
        })
        .map_err(|e| WebError::Internal(format!("audit write failed: {e}")))
}

#[derive(Deserialize)]
pub(crate) struct NoFields {}

/// `POST /logout`: end this session (at any sign-in stage).
async fn logout(
    State(state): State<AppState>,
    session: AnySession,
    headers: HeaderMap,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, WebError> {
    let name = cookie_name(state.config());
    if let Some(cookie) = read_cookie(&headers, name) {
        state.accounts().end_session(&cookie)?;
    }
    audit_plain(
        &state,
        Some(&session.user.id),
        AuditAction::SignOut,
        Some(&session.info.id),
        &session.client,
    )?;
    let mut res = Redirect::to("/login?done=signed-out").into_response();
    res.headers_mut()
        .append(header::SET_COOKIE, clear_cookie(state.config(), name));
    Ok(res)
}
