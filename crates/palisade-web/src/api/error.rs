//! API errors: always JSON `{"error": "…"}` with the HTTP status. A case
//! the caller may not reach is the same 404 as an unknown one.

use crate::cases::forms::Problems;
use crate::error::WebError;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

#[derive(Debug)]
pub struct ApiError(pub WebError);

impl From<WebError> for ApiError {
    fn from(e: WebError) -> Self {
        ApiError(e)
    }
}

impl From<Problems> for ApiError {
    fn from(p: Problems) -> Self {
        ApiError(WebError::BadRequest(p.sentence()))
    }
}

impl From<palisade_service::ServiceError> for ApiError {
    fn from(e: palisade_service::ServiceError) -> Self {
        ApiError(WebError::from(e))
    }
}

fn json(status: StatusCode, message: &str) -> Response {
    (status, Json(serde_json::json!({ "error": message }))).into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self.0 {
            WebError::NotFound => json(StatusCode::NOT_FOUND, "not found"),
            WebError::BadRequest(m) => json(StatusCode::BAD_REQUEST, &m),
            WebError::Forbidden(m) => json(StatusCode::FORBIDDEN, m),
            WebError::TooLarge => json(StatusCode::PAYLOAD_TOO_LARGE, "request too large"),
            WebError::Internal(detail) => {
                eprintln!("palisade-web: api internal error: {detail}");
                json(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal error; nothing was saved",
                )
            }
            // Token problems already answer in JSON.
            other => other.into_response(),
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// A JSON body that could not be read: 400 with what serde says (which
/// names the field and position, never echoes values).
pub fn bad_body(e: axum::extract::rejection::JsonRejection) -> ApiError {
    ApiError(WebError::BadRequest(format!(
        "the request body is not the expected JSON: {}",
        e.body_text()
    )))
}
