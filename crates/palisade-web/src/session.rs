//! The signed-in user of a request, taken from the session cookie.
//!
//! SKELETON: the real extractor (session lookup, timeouts, second factor,
//! CSRF) replaces the placeholder below; the public shape stays.

use crate::error::WebError;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use palisade_core::access::Role;

/// The account behind a request.
#[derive(Debug, Clone)]
pub struct WebUser {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub role: Role,
}

/// A request from a signed-in user with a complete sign-in (password and,
/// where enrolled or required, the second factor).
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub user: WebUser,
    /// The session's CSRF token, to put in every form (`layout::csrf_field`).
    pub csrf: String,
    /// The session's public id (for the session list; not the cookie value).
    pub session_id: String,
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = WebError;

    async fn from_request_parts(_parts: &mut Parts, _state: &AppState) -> Result<Self, WebError> {
        Err(WebError::SignInRequired)
    }
}
