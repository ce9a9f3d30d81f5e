//! `/account/sessions`: where the user is signed in; end one session or all
//! the others.

use crate::csrf::CsrfForm;
use crate::error::WebError;
use crate::forms::Done;
use crate::layout::{
    ButtonKind, TagKind, button, csrf_field, datetime, notice, page, post_button, tag,
};
use crate::session::{SignedIn, clear_cookie, cookie_name};
use crate::signin::NoFields;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};

fn done_message(done: &Done) -> Option<&'static str> {
    match done.code() {
        Some("ended") => Some("The session has been signed out."),
        Some("ended-others") => Some("All your other sessions have been signed out."),
        _ => None,
    }
}

/// `GET /account/sessions`.
pub(super) async fn show(
    State(state): State<AppState>,
    me: SignedIn,
    done: Done,
) -> Result<Markup, WebError> {
    let mut sessions = state.accounts().sessions_of(&me.user.id)?;
    sessions.sort_by_key(|s| std::cmp::Reverse(s.last_seen));
    let others = sessions.iter().filter(|s| s.id != me.session_id).count();
    Ok(page(
        Some(&me),
        "Where you are signed in",
        html! {
            @if let Some(m) = done_message(&done) { (notice(m)) }
            a class="back-link" href="/account" { "Back to your account" }
            h1 { "Where you are signed in" }
            p { "If you see a session you do not recognise, sign it out and change your password." }
            div class="table-container" {
                table class="table" {
                    caption class="visually-hidden" { "Your sessions" }
                    thead { tr { th scope="col" { "Device" } th scope="col" { "Address" } th scope="col" { "Signed in" } th scope="col" { "Last active" } th scope="col" { span class="visually-hidden" { "Action" } } } }
                    tbody {
                        @for s in &sessions {
                            tr {
                                td {
                                    (if s.user_agent.is_empty() { "Unknown device" } else { s.user_agent.as_str() })
                                    @if s.id == me.session_id { " " (tag("This session", TagKind::Green)) }
                                }
                                td { (s.client) }
                                td { (datetime(s.created_at)) }
                                td { (datetime(s.last_seen)) }
                                td {
                                    @if s.id != me.session_id {
                                        (post_button(&me, &format!("/account/sessions/{}/end", s.id), "Sign out", ButtonKind::Secondary))
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if others > 0 {
                form method="post" action="/account/sessions/end-others" {
                    (csrf_field(&me))
                    (button("Sign out all other sessions", ButtonKind::Warning))
                }
            }
        },
    ))
}

/// `POST /account/sessions/{sid}/end`.
pub(super) async fn end_one(
    State(state): State<AppState>,
    me: SignedIn,
    Path(sid): Path<String>,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, WebError> {
    if !state.accounts().end_session_by_id(&me.user.id, &sid)? {
        return Err(WebError::NotFound);
    }
    if sid == me.session_id {
        let mut res = Redirect::to("/login?done=signed-out").into_response();
        res.headers_mut().append(
            header::SET_COOKIE,
            clear_cookie(state.config(), cookie_name(state.config())),
        );
        return Ok(res);
    }
    Ok(Redirect::to("/account/sessions?done=ended").into_response())
}

/// `POST /account/sessions/end-others`.
pub(super) async fn end_others(
    State(state): State<AppState>,
    me: SignedIn,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, WebError> {
    state
        .accounts()
        .end_other_sessions(&me.user.id, &me.session_id)?;
    Ok(Redirect::to("/account/sessions?done=ended-others").into_response())
}
