//! Case pages: dashboard, case page, quick log, corrections, attachments,
//! actions, evidence register, sharing, flags, audit, search, import and
//! export. See `docs/web.md` for routes and fields.
//!
//! Every case route first asks [`guard::authorize`] whether the signed-in
//! user may do this with this case; a refusal is the same 404 as an unknown
//! case, and nothing of the case is read before the check passes.

pub mod actions;
pub mod attachments;
pub mod audit;
pub mod case_page;
pub mod chart;
pub mod corrections;
pub mod dashboard;
pub mod entry_form;
pub mod exhibits;
pub mod export;
pub mod flags;
pub mod forms;
pub mod guard;
pub mod import;
pub mod labels;
pub mod next;
pub mod quick_log;
pub mod search;
pub mod sharing;
pub mod timeline;
pub mod uploads;

use crate::state::AppState;
use axum::Router;
use axum::routing::{get, post};

/// Every case route, as `docs/web.md` lists them (plus the GET pages of the
/// evidence-register forms and the acknowledgement of a flagged message).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(dashboard::show))
        .route("/flags", get(flags::page_handler))
        .route("/search", get(search::show).post(search::results))
        .route("/cases/new", get(dashboard::new_case))
        .route("/cases", post(dashboard::create_case))
        .route("/cases/{id}", get(case_page::show))
        .route("/cases/{id}/log", get(quick_log::show))
        .route("/cases/{id}/entries", post(quick_log::create))
        .route(
            "/cases/{id}/entries/{eid}/correct",
            get(corrections::show).post(corrections::correct),
        )
        .route(
            "/cases/{id}/entries/{eid}/retract",
            post(corrections::retract),
        )
        .route(
            "/cases/{id}/entries/{eid}/acknowledge",
            post(corrections::acknowledge),
        )
        .route("/cases/{id}/attachments/{aid}", get(attachments::download))
        .route(
            "/cases/{id}/attachments/{aid}/thumbnail",
            get(attachments::thumbnail),
        )
        .route("/cases/{id}/actions/new", get(actions::new))
        .route("/cases/{id}/actions", post(actions::create))
        .route("/cases/{id}/exhibits/new", get(exhibits::new))
        .route("/cases/{id}/exhibits", post(exhibits::create))
        .route(
            "/cases/{id}/exhibits/{xid}/custody",
            get(exhibits::custody_new).post(exhibits::custody),
        )
        .route("/cases/{id}/sharing", get(sharing::show))
        .route("/cases/{id}/shares", post(sharing::create))
        .route(
            "/cases/{id}/shares/{uid}/revoke",
            post(sharing::revoke_handler),
        )
        .route("/cases/{id}/flags", post(flags::create))
        .route("/cases/{id}/flags/{fid}/withdraw", post(flags::withdraw))
        .route("/cases/{id}/audit", get(audit::page_handler))
        .route(
            "/cases/{id}/import",
            get(import::show).post(import::preview),
        )
        .route("/cases/{id}/import/confirm", post(import::confirm))
        .route("/cases/{id}/export", get(export::show).post(export::create))
        .route("/cases/{id}/next", get(next::show))
}
