//! The JSON API under `/api/v1`, with token authentication and the
//! OpenAPI 3.1 document. See `docs/web.md`.

use crate::state::AppState;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
}
