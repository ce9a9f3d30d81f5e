//! The signed-in user of a request, taken from the session cookie.
//!
//! Sessions live server side (`accounts.db`, hashed ids); the browser holds
//! only an opaque cookie: `__Host-palisade` (`Secure; HttpOnly;
//! SameSite=Strict; Path=/`), or `palisade` without `Secure` when the server
//! runs with `--insecure-http` on loopback. Each request looks the session
//! up once (the account store applies the idle and absolute timeouts) and
//! caches the answer in the request's extensions for later extractors.

use crate::error::WebError;
use crate::state::{AppState, WebConfig};
use axum::extract::{ConnectInfo, FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use palisade_core::access::Role;
use palisade_service::{SessionInfo, User};
use std::net::SocketAddr;

/// The session cookie's name with `Secure` (the `__Host-` prefix requires it).
pub const SECURE_COOKIE: &str = "__Host-palisade";
/// The session cookie's name over plain http on loopback (`--insecure-http`).
pub const INSECURE_COOKIE: &str = "palisade";

/// The account behind a request.
#[derive(Debug, Clone)]
pub struct WebUser {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub role: Role,
}

impl From<&User> for WebUser {
    fn from(u: &User) -> Self {
        WebUser {
            id: u.id.clone(),
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            role: u.role,
        }
    }
}

/// A request from a signed-in user with a complete sign-in (password and,
/// where enrolled or required, the second factor).
#[derive(Clone)]
pub struct SignedIn {
    pub user: WebUser,
    /// The session's CSRF token, to put in every form (`layout::csrf_field`).
    pub csrf: String,
    /// The session's public id (for the session list; not the cookie value).
    pub session_id: String,
    /// The client's address as the server saw it (for the audit trail).
    pub client: String,
}

impl std::fmt::Debug for SignedIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedIn")
            .field("user", &self.user)
            .field("csrf", &"[redacted]")
            .field("session_id", &self.session_id)
            .field("client", &self.client)
            .finish()
    }
}

/// How far a session has got through sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Password and (where needed) second factor done.
    Complete,
    /// Password done; the account has TOTP and the code is still to come.
    SecondFactor,
    /// Password done; the organisation requires TOTP and the account has none:
    /// only `/account/two-factor` and `/logout` are open.
    MustEnrol,
}

/// A live session at any stage (the cached result of the cookie lookup).
#[derive(Clone)]
pub struct AnySession {
    pub user: User,
    pub info: SessionInfo,
    pub stage: Stage,
    pub client: String,
}

impl AnySession {
    /// The complete sign-in this session is, if it is one.
    pub fn signed_in(&self) -> Option<SignedIn> {
        (self.stage == Stage::Complete).then(|| SignedIn {
            user: WebUser::from(&self.user),
            csrf: self.info.csrf_token.clone(),
            session_id: self.info.id.clone(),
            client: self.client.clone(),
        })
    }
}

/// The cookie name for this server's configuration.
pub fn cookie_name(config: &WebConfig) -> &'static str {
    if config.insecure_http {
        INSECURE_COOKIE
    } else {
        SECURE_COOKIE
    }
}

fn cookie_attributes(config: &WebConfig) -> &'static str {
    if config.insecure_http {
        "HttpOnly; SameSite=Strict; Path=/"
    } else {
        "HttpOnly; Secure; SameSite=Strict; Path=/"
    }
}

/// A `Set-Cookie` value setting cookie `name` (a session-lifetime cookie).
pub(crate) fn set_cookie(config: &WebConfig, name: &str, value: &str) -> HeaderValue {
    HeaderValue::from_str(&format!("{name}={value}; {}", cookie_attributes(config)))
        .unwrap_or_else(|_| HeaderValue::from_static("invalid=; Max-Age=0"))
}

/// A `Set-Cookie` value removing cookie `name`.
pub(crate) fn clear_cookie(config: &WebConfig, name: &str) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{name}=; Max-Age=0; {}",
        cookie_attributes(config)
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("invalid=; Max-Age=0"))
}

/// The value of cookie `name` in the request, if present and non-empty.
pub(crate) fn read_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, v)| *k == name && !v.is_empty())
        .map(|(_, v)| v.to_string())
}

/// The client's address (the TCP peer; no proxy headers are trusted).
pub fn client_address(parts: &Parts) -> String {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(a)| a.ip().to_string())
        .unwrap_or_else(|| "unknown".to_string())
}

/// The request's `User-Agent`, shortened (for the session list).
pub(crate) fn user_agent(headers: &HeaderMap) -> String {
    headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.chars().take(200).collect())
        .unwrap_or_default()
}

/// Cache marker: `None` means "looked up, no session".
#[derive(Clone)]
struct Resolved(Option<AnySession>);

/// Look the request's session up once per request.
pub async fn resolve_session(
    parts: &mut Parts,
    state: &AppState,
) -> Result<Option<AnySession>, WebError> {
    if let Some(Resolved(s)) = parts.extensions.get::<Resolved>() {
        return Ok(s.clone());
    }
    let found = match read_cookie(&parts.headers, cookie_name(state.config())) {
        None => None,
        Some(cookie) => lookup(state, &cookie, client_address(parts))?,
    };
    parts.extensions.insert(Resolved(found.clone()));
    Ok(found)
}

fn lookup(state: &AppState, cookie: &str, client: String) -> Result<Option<AnySession>, WebError> {
    let accounts = state.accounts();
    let Some((user, info)) = accounts.session(cookie)? else {
        return Ok(None);
    };
    if user.disabled {
        // A disabled account's sessions die at once.
        accounts.end_session(cookie)?;
        return Ok(None);
    }
    let require_totp = accounts.org()?.require_totp;
    let stage = if !user.totp_enabled && require_totp {
        Stage::MustEnrol
    } else if !info.second_factor_done && user.totp_enabled {
        Stage::SecondFactor
    } else {
        Stage::Complete
    };
    Ok(Some(AnySession {
        user,
        info,
        stage,
        client,
    }))
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let session = resolve_session(parts, state)
            .await?
            .ok_or(WebError::SignInRequired)?;
        match session.stage {
            Stage::Complete => {
                let me = session.signed_in().ok_or(WebError::SignInRequired)?;
                crate::layout::note_signed_in(&me);
                Ok(me)
            }
            Stage::SecondFactor => Err(WebError::SecondFactorRequired),
            Stage::MustEnrol => Err(WebError::MustEnrolTotp),
        }
    }
}

/// `Option<SignedIn>`: `Some` for a complete sign-in, `None` otherwise.
impl OptionalFromRequestParts<AppState> for SignedIn {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, WebError> {
        let me = resolve_session(parts, state)
            .await?
            .and_then(|s| s.signed_in());
        if let Some(me) = &me {
            crate::layout::note_signed_in(me);
        }
        Ok(me)
    }
}

/// A session at any stage (second factor pending, enrolment required);
/// for the few pages those may reach.
impl FromRequestParts<AppState> for AnySession {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        resolve_session(parts, state)
            .await?
            .ok_or(WebError::SignInRequired)
    }
}

/// The client's address as an extractor (never fails).
#[derive(Debug, Clone)]
pub struct ClientAddress(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddress(client_address(parts)))
    }
}
