//! Palisade's web application: server-rendered pages and a JSON API over
//! `palisade-service`. Thin by design: every decision about the ledger,
//! accounts and access lives in the service and core crates; this crate
//! parses requests, calls them, and renders the answer.
//!
//! The routes, roles and form fields are specified in `docs/web.md`.
#![forbid(unsafe_code)]

pub mod api;
pub mod cases;
pub mod error;
pub mod layout;
pub mod session;
pub mod state;

use axum::Router;

pub use error::WebError;
pub use state::{AppState, WebConfig};

/// The whole application: pages, assets and the API, with the security
/// layers (headers, CSRF origin check, session) applied.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(cases::routes())
        .nest("/api/v1", api::routes())
        .with_state(state)
}
