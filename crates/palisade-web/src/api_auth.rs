//! Authentication of `/api/v1` calls: `Authorization: Bearer pal_…`, a
//! per-user token with scopes (`read`, `write`; write implies read), stored
//! only as a hash and revocable. No cookies, so no CSRF token. Failures are
//! JSON: `{"error": "…"}` with 401 (and `WWW-Authenticate: Bearer`) or 403.

use crate::error::WebError;
use crate::session::{WebUser, client_address};
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use palisade_service::{ApiTokenInfo, Scope};

/// The caller of an API request.
#[derive(Debug, Clone)]
pub struct ApiCaller {
    pub user: WebUser,
    /// The scopes the token was given.
    pub scopes: Vec<Scope>,
    /// The token's public id (for the audit trail; never the token).
    pub token_id: String,
    /// The client's address.
    pub client: String,
    token: ApiTokenInfo,
}

impl ApiCaller {
    /// `Ok` when the token grants `scope` (a `write` token may also read);
    /// otherwise a JSON 403.
    pub fn require(&self, scope: Scope) -> Result<(), WebError> {
        if self.token.allows(scope) {
            Ok(())
        } else if scope == Scope::Write {
            Err(WebError::ApiForbidden(
                "this token has read scope only; it cannot change anything",
            ))
        } else {
            Err(WebError::ApiForbidden(
                "this token does not allow this call",
            ))
        }
    }
}

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let presented = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(WebError::ApiUnauthorized(
                "send an API token: Authorization: Bearer pal_… (create one under Account, API tokens)",
            ))?;
        let (user, token) = state
            .accounts()
            .api_token(presented)?
            .filter(|(user, token)| !user.disabled && !token.revoked)
            .ok_or(WebError::ApiUnauthorized(
                "the API token is unknown, revoked, or its account is disabled",
            ))?;
        Ok(ApiCaller {
            user: WebUser::from(&user),
            scopes: token.scopes.clone(),
            token_id: token.id.clone(),
            client: client_address(parts),
            token,
        })
    }
}

impl crate::state::Actor for ApiCaller {
    fn actor_id(&self) -> &str {
        &self.user.id
    }
    fn client(&self) -> &str {
        &self.client
    }
}
