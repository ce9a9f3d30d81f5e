//! Case pages: dashboard, case page, quick log, corrections, attachments,
//! actions, evidence register, sharing, flags, audit, search, import and
//! export. See `docs/web.md` for routes and fields.

use crate::state::AppState;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
}
