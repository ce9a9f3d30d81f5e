//! Cross-site request forgery defences.
//!
//! 1. Every state-changing form carries the session's token in a hidden
//!    `_csrf` field (`layout::csrf_field`), compared in constant time:
//!    [`CsrfForm`] for urlencoded forms, [`read_multipart`] for uploads
//!    (where `_csrf` must be the first field, so nothing is read before it
//!    is checked).
//! 2. Before a session exists (sign-in, first-run setup) the same check runs
//!    against a random token in a separate `…-pre` cookie (double submit).
//! 3. [`origin_guard`], a middleware on every request that is not GET/HEAD:
//!    a request that `Sec-Fetch-Site` or `Origin` says came from another
//!    site is refused (403), whatever its token.
//!
//! API requests authenticated by a Bearer token carry no cookie and are
//! exempt from 1 and 3.

use crate::error::WebError;
use crate::session::{AnySession, resolve_session};
use crate::state::{AppState, WebConfig};
use axum::body::Bytes;
use axum::extract::multipart::{Multipart, MultipartError};
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::de::DeserializeOwned;
use subtle::ConstantTimeEq;

/// The hidden form field that carries the token.
pub const CSRF_FIELD: &str = "_csrf";

/// Whether `given` equals `expected`, in time independent of where they differ.
pub fn tokens_match(given: &str, expected: &str) -> bool {
    !expected.is_empty() && bool::from(given.as_bytes().ct_eq(expected.as_bytes()))
}

/// A urlencoded form from a signed-in session (at any sign-in stage) whose
/// `_csrf` field matched the session's token; `T` is deserialised from the
/// other fields. No session: redirect to sign in. Bad token: 403.
pub struct CsrfForm<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, WebError> {
        let (mut parts, body) = req.into_parts();
        let session = resolve_session(&mut parts, state)
            .await?
            .ok_or(WebError::SignInRequired)?;
        let bytes = read_body(Request::from_parts(parts, body), state).await?;
        let fields = checked_fields(&bytes, &session.info.csrf_token)?;
        Ok(CsrfForm(deserialize_fields(&fields)?))
    }
}

/// The urlencoded fields of `bytes` without `_csrf`, after checking it
/// against `expected`.
pub(crate) fn checked_fields(
    bytes: &[u8],
    expected: &str,
) -> Result<Vec<(String, String)>, WebError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(bytes)
        .map_err(|_| WebError::BadRequest("The form could not be read.".into()))?;
    let mut tokens = pairs.iter().filter(|(k, _)| k == CSRF_FIELD);
    let ok = match (tokens.next(), tokens.next()) {
        (Some((_, given)), None) => tokens_match(given, expected),
        _ => false,
    };
    if !ok {
        return Err(WebError::CsrfRejected);
    }
    Ok(pairs.into_iter().filter(|(k, _)| k != CSRF_FIELD).collect())
}

/// Deserialise a form struct from checked fields.
pub(crate) fn deserialize_fields<T: DeserializeOwned>(
    fields: &[(String, String)],
) -> Result<T, WebError> {
    let encoded = serde_urlencoded::to_string(fields)
        .map_err(|_| WebError::BadRequest("The form could not be read.".into()))?;
    serde_urlencoded::from_str(&encoded).map_err(|e| {
        WebError::BadRequest(format!(
            "The form is missing a field or has a wrong value ({e})."
        ))
    })
}

async fn read_body(req: Request, state: &AppState) -> Result<Bytes, WebError> {
    Bytes::from_request(req, state)
        .await
        .map_err(|_| WebError::TooLarge)
}

/// Limits for [`read_multipart`] (the whole request is already capped by
/// `WebConfig::max_upload_bytes`).
#[derive(Debug, Clone, Copy)]
pub struct MultipartLimits {
    /// The most files accepted in one form.
    pub max_files: usize,
    /// The largest single text field, in bytes.
    pub max_text_bytes: usize,
}

impl Default for MultipartLimits {
    fn default() -> Self {
        MultipartLimits {
            max_files: 50,
            max_text_bytes: 1024 * 1024,
        }
    }
}

/// One uploaded file. `file_name` is what the browser sent (untrusted, for
/// display only); the type must be sniffed from `bytes`.
#[derive(Debug, Clone)]
pub struct Upload {
    pub field: String,
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// A multipart form whose `_csrf` field was checked.
#[derive(Debug, Clone, Default)]
pub struct MultipartForm {
    /// Text fields in the order sent (a name may repeat).
    pub fields: Vec<(String, String)>,
    /// Files in the order sent; empty file inputs are left out.
    pub files: Vec<Upload>,
}

impl MultipartForm {
    /// The first value of text field `name`.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of text field `name`.
    pub fn texts<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.fields
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The files sent in field `name`.
    pub fn files_in<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Upload> + 'a {
        self.files.iter().filter(move |f| f.field == name)
    }
}

fn multipart_error(e: MultipartError) -> WebError {
    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        WebError::TooLarge
    } else {
        WebError::BadRequest("The form upload could not be read; try again.".into())
    }
}

/// Read a multipart form after checking its `_csrf` field, which must come
/// first (forms put `layout::csrf_field` before any other input).
pub async fn read_multipart(
    signed_in: &crate::session::SignedIn,
    mut multipart: Multipart,
    limits: MultipartLimits,
) -> Result<MultipartForm, WebError> {
    let first = multipart
        .next_field()
        .await
        .map_err(multipart_error)?
        .ok_or(WebError::CsrfRejected)?;
    if first.name() != Some(CSRF_FIELD) || first.file_name().is_some() {
        return Err(WebError::CsrfRejected);
    }
    let given = first.text().await.map_err(multipart_error)?;
    if !tokens_match(&given, &signed_in.csrf) {
        return Err(WebError::CsrfRejected);
    }
    let mut form = MultipartForm::default();
    while let Some(field) = multipart.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or_default().to_string();
        if name == CSRF_FIELD {
            return Err(WebError::CsrfRejected);
        }
        match field.file_name().map(str::to_string) {
            Some(file_name) => {
                let bytes = field.bytes().await.map_err(multipart_error)?;
                if file_name.is_empty() && bytes.is_empty() {
                    continue; // an empty file input
                }
                if form.files.len() >= limits.max_files {
                    return Err(WebError::BadRequest(format!(
                        "Too many files: at most {} in one form.",
                        limits.max_files
                    )));
                }
                form.files.push(Upload {
                    field: name,
                    file_name,
                    bytes: bytes.to_vec(),
                });
            }
            None => {
                let text = field.text().await.map_err(multipart_error)?;
                if text.len() > limits.max_text_bytes {
                    return Err(WebError::BadRequest(format!(
                        "The field '{name}' is too long: at most {} bytes.",
                        limits.max_text_bytes
                    )));
                }
                form.fields.push((name, text));
            }
        }
    }
    Ok(form)
}

/// The pre-session cookie's name (sign-in and setup forms).
pub(crate) fn pre_cookie_name(config: &WebConfig) -> &'static str {
    if config.insecure_http {
        "palisade-pre"
    } else {
        "__Host-palisade-pre"
    }
}

/// The pre-session token from the request, or a new random one (then the
/// caller must set the cookie: second value `true`).
pub(crate) fn pre_session_token(
    headers: &HeaderMap,
    config: &WebConfig,
) -> Result<(String, bool), WebError> {
    if let Some(t) = crate::session::read_cookie(headers, pre_cookie_name(config)).filter(|t| {
        t.len() == 43
            && t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    }) {
        return Ok((t, false));
    }
    let raw: [u8; 32] = palisade_core::crypto::random_bytes()
        .map_err(|e| WebError::Internal(format!("randomness: {e}")))?;
    Ok((URL_SAFE_NO_PAD.encode(raw), true))
}

/// A urlencoded form posted before sign-in, checked against the pre-session
/// cookie. Used by `/login` and `/setup/{token}`.
pub(crate) struct PreSessionForm<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for PreSessionForm<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, WebError> {
        let expected = crate::session::read_cookie(req.headers(), pre_cookie_name(state.config()))
            .ok_or(WebError::CsrfRejected)?;
        let bytes = read_body(req, state).await?;
        let fields = checked_fields(&bytes, &expected)?;
        Ok(PreSessionForm(deserialize_fields(&fields)?))
    }
}

/// Whether a request is an API call authenticated by a Bearer token.
fn is_bearer_api(req: &Request) -> bool {
    req.uri().path().starts_with("/api/")
        && req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("Bearer "))
}

/// Whether the headers say the request came from another site.
pub(crate) fn cross_site(headers: &HeaderMap) -> bool {
    // Browsers that send Sec-Fetch-Site say it directly (and it survives a
    // reverse proxy that rewrites Host).
    if let Some(site) = headers.get("sec-fetch-site") {
        return !matches!(site.to_str(), Ok("same-origin" | "none"));
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return false; // not a browser form post, or a very old browser
    };
    let Ok(origin) = origin.to_str() else {
        return true;
    };
    let Some(origin_host) = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
    else {
        return true; // "null" or anything else
    };
    // A cross-site form cannot set headers, so a proxy's X-Forwarded-Host
    // may vouch for the public name as well as Host.
    let matches = |name: header::HeaderName| {
        headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|h| !h.is_empty() && h.trim().eq_ignore_ascii_case(origin_host))
    };
    !(matches(header::HOST) || matches(header::HeaderName::from_static("x-forwarded-host")))
}

/// Middleware: refuse state-changing requests from another site (403).
pub async fn origin_guard(req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe && !is_bearer_api(&req) && cross_site(req.headers()) {
        return WebError::CsrfRejected.into_response();
    }
    next.run(req).await
}

/// The session's token for a form on a page that may be reached at any
/// sign-in stage (e.g. two-factor enrolment).
pub fn token_of(session: &AnySession) -> &str {
    &session.info.csrf_token
}
