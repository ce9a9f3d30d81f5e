//! The JSON API under `/api/v1`, with token authentication and the
//! OpenAPI 3.1 document. See `docs/web.md`.
//!
//! The router is built from one table, [`ROUTES`], which the OpenAPI
//! document is also written from, so the two cannot disagree about which
//! routes exist.

pub mod cases;
pub mod entries;
pub mod error;
pub mod openapi;
pub mod sharing;

use crate::state::AppState;
use axum::Json;
use axum::Router;
use axum::routing::{MethodRouter, delete, get, post};

type Make = fn() -> MethodRouter<AppState>;

/// Every API route: method, path (under `/api/v1`) and handler.
pub const ROUTES: &[(&str, &str, Make)] = &[
    ("GET", "/me", || get(cases::me)),
    ("GET", "/cases", || get(cases::list)),
    ("POST", "/cases", || post(cases::open)),
    ("GET", "/cases/{id}", || get(cases::get)),
    ("POST", "/cases/{id}/entries", || post(entries::log)),
    ("POST", "/cases/{id}/actions", || post(entries::action)),
    ("POST", "/entries/{eid}/corrections", || {
        post(entries::correct)
    }),
    ("POST", "/entries/{eid}/retraction", || {
        post(entries::retract)
    }),
    ("GET", "/cases/{id}/next", || get(cases::next)),
    ("GET", "/cases/{id}/audit", || get(cases::audit_trail)),
    ("POST", "/cases/{id}/shares", || post(sharing::share)),
    ("DELETE", "/cases/{id}/shares/{uid}", || {
        delete(sharing::revoke)
    }),
    ("POST", "/cases/{id}/flags", || post(sharing::publish_flag)),
    ("GET", "/flags", || get(sharing::list_flags)),
    ("POST", "/search", || post(sharing::search)),
    ("GET", "/openapi.json", || get(openapi_json)),
];

async fn openapi_json() -> Json<serde_json::Value> {
    Json(openapi::document())
}

pub fn routes() -> Router<AppState> {
    ROUTES
        .iter()
        .fold(Router::new(), |r, (_, path, make)| r.route(path, make()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_documented_once() {
        let doc = openapi::document();
        let paths = doc["paths"].as_object().unwrap();
        let mut n = 0;
        for (path, ops) in paths {
            for (method, op) in ops.as_object().unwrap() {
                n += 1;
                assert_ne!(op["summary"], "Undocumented", "{method} {path}");
                assert!(
                    ROUTES
                        .iter()
                        .any(|(m, p, _)| m.eq_ignore_ascii_case(method) && p == path),
                    "{method} {path} is documented but not routed"
                );
            }
        }
        assert_eq!(n, ROUTES.len());
        assert_eq!(doc["openapi"], "3.1.0");
    }
}
