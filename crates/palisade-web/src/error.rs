//! Errors a handler returns, and how each becomes a response. Messages shown
//! to people never carry case content; the detail of an internal error goes
//! to the server log as one generic line, never to the page.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// Not found, or not yours to see (the two answer alike).
    #[error("not found")]
    NotFound,
    /// Signed in, but this role or account may not do this (403).
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// The request is malformed; the message says what and where.
    #[error("{0}")]
    BadRequest(String),
    /// No valid session: pages redirect to `/login`.
    #[error("sign in first")]
    SignInRequired,
    /// Password accepted, second factor still to give: redirect to `/login/two-factor`.
    #[error("second factor required")]
    SecondFactorRequired,
    /// The organisation requires TOTP and this account has none yet:
    /// redirect to `/account/two-factor`.
    #[error("two-factor enrolment required")]
    MustEnrolTotp,
    /// The form's CSRF token is missing or wrong, or the request came from
    /// another site (403).
    #[error("form check failed")]
    CsrfRejected,
    /// Too many failed attempts (429).
    #[error("too many attempts; retry after {retry_after_secs} s")]
    Throttled { retry_after_secs: u64 },
    /// The request body is larger than the server accepts (413).
    #[error("request too large")]
    TooLarge,
    /// API: no token, or an unknown or revoked one (JSON 401).
    #[error("api: {0}")]
    ApiUnauthorized(&'static str),
    /// API: the token lacks the scope (JSON 403).
    #[error("api: {0}")]
    ApiForbidden(&'static str),
    /// Anything else. The string is for the server log only.
    #[error("internal error")]
    Internal(String),
}

impl From<palisade_service::ServiceError> for WebError {
    fn from(e: palisade_service::ServiceError) -> Self {
        use palisade_service::ServiceError as E;
        match e {
            E::NotFound { .. } => WebError::NotFound,
            E::Invalid(m) => WebError::BadRequest(m),
            E::Throttled { retry_after_secs } => WebError::Throttled { retry_after_secs },
            E::Forbidden(_) => WebError::Forbidden("You do not have permission to do that."),
            // Rules a request broke (a closed case, an empty field, a time in
            // the future): the message names fields and ids, never content.
            E::Compose(c) => WebError::BadRequest(c.to_string()),
            E::Time(t) => WebError::BadRequest(t.to_string()),
            other => WebError::Internal(other.to_string()),
        }
    }
}

/// The sentence shown when sign-in is throttled (the service's wording).
pub fn throttled_message(retry_after_secs: u64) -> String {
    palisade_service::ServiceError::Throttled { retry_after_secs }.to_string()
}

fn json_error(status: StatusCode, message: &str) -> Response {
    let mut r = (status, axum::Json(serde_json::json!({ "error": message }))).into_response();
    if status == StatusCode::UNAUTHORIZED {
        r.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    r
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (status, text) = match &self {
            WebError::NotFound => (
                StatusCode::NOT_FOUND,
                "Page not found. If you typed the web address, check it is correct.".to_string(),
            ),
            WebError::Forbidden(why) => (StatusCode::FORBIDDEN, (*why).to_string()),
            WebError::BadRequest(m) => (StatusCode::BAD_REQUEST, m.clone()),
            WebError::SignInRequired => return Redirect::to("/login").into_response(),
            WebError::SecondFactorRequired => {
                return Redirect::to("/login/two-factor").into_response();
            }
            WebError::MustEnrolTotp => return Redirect::to("/account/two-factor").into_response(),
            WebError::CsrfRejected => (
                StatusCode::FORBIDDEN,
                "This form could not be accepted: it has expired or did not come from this \
                 Palisade site. Go back, reload the page and try again. Nothing was saved."
                    .to_string(),
            ),
            WebError::Throttled { retry_after_secs } => {
                let mut r = (
                    StatusCode::TOO_MANY_REQUESTS,
                    crate::layout::error_page(
                        StatusCode::TOO_MANY_REQUESTS,
                        &throttled_message(*retry_after_secs),
                    ),
                )
                    .into_response();
                if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                    r.headers_mut().insert(header::RETRY_AFTER, v);
                }
                return r;
            }
            WebError::TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "The upload is larger than this server accepts. Nothing was saved.".to_string(),
            ),
            WebError::ApiUnauthorized(m) => return json_error(StatusCode::UNAUTHORIZED, m),
            WebError::ApiForbidden(m) => return json_error(StatusCode::FORBIDDEN, m),
            WebError::Internal(detail) => {
                // The detail may name a file or a store problem, never case
                // content (service errors do not carry it); keep it to the log.
                eprintln!("palisade-web: internal error: {detail}");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong. Nothing was saved.".to_string(),
                )
            }
        };
        (status, crate::layout::error_page(status, &text)).into_response()
    }
}
