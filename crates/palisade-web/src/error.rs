//! Errors a handler returns, and how each becomes a response. Messages shown
//! to people never carry case content; the detail of an internal error goes
//! nowhere but a generic page.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// Not found, or not yours to see (the two answer alike).
    #[error("not found")]
    NotFound,
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    #[error("{0}")]
    BadRequest(String),
    #[error("sign in first")]
    SignInRequired,
    #[error("internal error")]
    Internal(String),
}

impl From<palisade_service::ServiceError> for WebError {
    fn from(e: palisade_service::ServiceError) -> Self {
        use palisade_service::ServiceError as E;
        match e {
            E::NotFound { .. } => WebError::NotFound,
            E::Invalid(m) => WebError::BadRequest(m),
            other => WebError::Internal(other.to_string()),
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (status, text) = match &self {
            WebError::NotFound => (StatusCode::NOT_FOUND, "Page not found".to_string()),
            WebError::Forbidden(why) => (StatusCode::FORBIDDEN, (*why).to_string()),
            WebError::BadRequest(m) => (StatusCode::BAD_REQUEST, m.clone()),
            WebError::SignInRequired => {
                return axum::response::Redirect::to("/login").into_response();
            }
            WebError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong. Nothing was saved.".to_string(),
            ),
        };
        (status, crate::layout::error_page(status, &text)).into_response()
    }
}
