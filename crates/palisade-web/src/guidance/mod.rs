//! Guidance pages: letters (edit, preview, then issue as a PDF recorded in
//! the ledger), the risk questionnaire, and prevention (boundary statement
//! generator, privacy checklist).
//!
//! Case pages here make the same access check as every case route
//! ([`crate::cases::guard`]): reading a draft or the questionnaire needs
//! `Read`, answering the questionnaire `Record`, issuing a letter
//! `Disclose`; anything refused answers 404 like an unknown case.

mod components;
pub mod letter_form;
pub mod letters;
pub mod prevention;
pub mod risk;
pub mod templates;

use crate::state::AppState;
use axum::Router;
use axum::routing::get;
use jiff::civil::Date;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/prevention", get(prevention::index))
        .route(
            "/prevention/boundary-statement",
            get(prevention::boundary_form).post(prevention::boundary_generate),
        )
        .route("/prevention/privacy-checklist", get(prevention::checklist))
        .route(
            "/prevention/privacy-checklist/print",
            get(prevention::checklist_print),
        )
        .route("/cases/{id}/letters", get(letters::list))
        .route(
            "/cases/{id}/letters/{template}",
            get(letters::edit).post(letters::issue),
        )
        .route(
            "/cases/{id}/letters/{template}/preview",
            axum::routing::post(letters::preview),
        )
        .route("/cases/{id}/letters/issued/{action}", get(letters::issued))
        .route("/cases/{id}/risk", get(risk::show).post(risk::answer))
}

/// Today in the organisation's time zone (by the server's clock, which
/// tests set).
pub fn today(state: &AppState) -> Date {
    state
        .clock()
        .now()
        .to_zoned(crate::cases::chart::org_tz())
        .date()
}
