//! The page shell every HTML page shares, and small components.
//!
//! SKELETON: the platform work fills in navigation by role, the skip link,
//! the error summary component and the stylesheet link.

use crate::session::SignedIn;
use axum::http::StatusCode;
use maud::{DOCTYPE, Markup, html};

/// A whole page. `title` must never hold patient or case data.
pub fn page(user: Option<&SignedIn>, title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en-GB" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " – Palisade" }
            }
            body {
                header { a href="/" { "Palisade" } @if let Some(u) = user { " " (u.user.display_name) } }
                main id="main-content" { (body) }
            }
        }
    }
}

/// The hidden CSRF field every state-changing form carries.
pub fn csrf_field(user: &SignedIn) -> Markup {
    html! { input type="hidden" name="_csrf" value=(user.csrf); }
}

/// A page for an error status.
pub fn error_page(status: StatusCode, message: &str) -> Markup {
    page(
        None,
        status.canonical_reason().unwrap_or("Error"),
        html! { h1 { (status.canonical_reason().unwrap_or("Error")) } p { (message) } },
    )
}
