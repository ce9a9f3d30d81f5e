//! Palisade's web application: server-rendered pages and a JSON API over
//! `palisade-service`. Thin by design: every decision about the ledger,
//! accounts and access lives in the service and core crates; this crate
//! parses requests, calls them, and renders the answer.
//!
//! The routes, roles and form fields are specified in `docs/web.md`.
#![forbid(unsafe_code)]

pub mod account;
pub mod api;
pub mod api_auth;
pub mod assets;
pub mod cases;
pub mod csrf;
pub mod error;
pub mod forms;
pub mod guidance;
pub mod headers;
pub mod layout;
pub mod proxy;
pub mod server;
pub mod session;
pub mod settings;
pub mod signin;
pub mod state;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::routing::get;

pub use error::WebError;
pub use server::{serve, serve_until};
pub use state::{AppState, WebConfig};

/// The whole application: pages, assets and the API, with the security
/// layers (headers, CSRF origin check, body limit) applied.
pub fn router(state: AppState) -> Router {
    let body_limit = state.config().max_upload_bytes;
    Router::new()
        .merge(cases::routes())
        .merge(guidance::routes())
        .merge(signin::routes())
        .merge(account::routes())
        .merge(settings::routes())
        .route("/static/{name}", get(assets::serve_asset))
        .nest("/api/v1", api::routes())
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(middleware::from_fn(csrf::origin_guard))
        .layer(middleware::from_fn(layout::remember_path))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            headers::security_headers,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            proxy::forwarded_client,
        ))
        .with_state(state)
}

/// Unknown paths: 404 (with the navigation when signed in).
async fn not_found(_signed_in: Option<session::SignedIn>) -> WebError {
    WebError::NotFound
}
