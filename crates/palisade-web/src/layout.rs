//! The page shell every HTML page shares, and small components in the manner
//! of the NHS design system (classes in `assets/palisade.css`).
//!
//! Rules for every page: no inline `<script>`, no `on…=` handlers, no
//! `style=` attributes (the Content-Security-Policy forbids them); titles and
//! URLs never carry patient or case data; every state-changing form is a
//! POST with [`csrf_field`] first.

use crate::assets;
use crate::session::SignedIn;
use axum::http::StatusCode;
use maud::{DOCTYPE, Markup, html};
use palisade_core::access::Role;

/// The service's name, in the header and every title.
pub const SERVICE_NAME: &str = "Palisade";

/// A whole page. `title` must never hold patient or case data; it becomes
/// "`title` – Palisade". When the page shows form errors, start the title
/// with "Error: " (see [`title_with_errors`]).
pub fn page(user: Option<&SignedIn>, title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en-GB" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="no-referrer";
                title { (title) " – " (SERVICE_NAME) }
                link rel="icon" type="image/svg+xml" href=(assets::url("favicon.svg"));
                link rel="stylesheet" href=(assets::url("palisade.css"));
                script src=(assets::url("app.js")) defer {}
            }
            body {
                a class="skip-link" href="#main-content" { "Skip to main content" }
                (header(user))
                div class="width-container" {
                    main class="main-wrapper" id="main-content" role="main" { (body) }
                }
                footer class="footer" {
                    div class="width-container" {
                        p { "Palisade keeps a tamper-evident, encrypted record. Everything you view here is recorded in the audit trail." }
                    }
                }
            }
        }
    }
}

fn header(user: Option<&SignedIn>) -> Markup {
    html! {
        header class="header" role="banner" {
            div class="width-container header__container" {
                a class="header__service" href="/" { (SERVICE_NAME) }
                @if let Some(u) = user {
                    span class="header__user" {
                        span class="visually-hidden" { "Signed in as " }
                        (u.user.display_name) " (" (u.user.role.label()) ")"
                    }
                }
            }
            @if let Some(u) = user {
                nav class="header__nav" aria-label="Main" {
                    div class="width-container" {
                        ul {
                            (nav_item("/", "Dashboard"))
                            (nav_item("/flags", "Flags"))
                            @if u.user.role != Role::Colleague {
                                (nav_item("/search", "Search"))
                            }
                            (nav_item("/prevention", "Prevention"))
                            (nav_item("/account", "Account"))
                            @if u.user.role == Role::Admin {
                                (nav_item("/settings", "Settings"))
                            }
                            li {
                                form method="post" action="/logout" {
                                    (csrf_field(u))
                                    button type="submit" class="link-button" { "Sign out" }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// What the page shell knows about the request being answered.
struct RequestContext {
    /// The path (for `aria-current` in the navigation).
    path: String,
    /// The signed-in user, once an extractor has found one (so error pages
    /// keep the navigation).
    user: std::cell::RefCell<Option<SignedIn>>,
}

tokio::task_local! {
    static CURRENT: RequestContext;
}

/// Middleware: make the request's path (and, once known, its user) known to
/// [`page`] and [`error_page`] while the response renders.
pub async fn remember_path(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let context = RequestContext {
        path: req.uri().path().to_string(),
        user: std::cell::RefCell::new(None),
    };
    CURRENT.scope(context, next.run(req)).await
}

/// Called by the `SignedIn` extractor.
pub(crate) fn note_signed_in(user: &SignedIn) {
    let _ = CURRENT.try_with(|c| *c.user.borrow_mut() = Some(user.clone()));
}

fn nav_item(href: &str, text: &str) -> Markup {
    let current = CURRENT
        .try_with(|c| c.path == href || (href != "/" && c.path.starts_with(&format!("{href}/"))))
        .unwrap_or(false);
    html! { li { a href=(href) aria-current=[current.then_some("page")] { (text) } } }
}

/// "Error: `title`" when `has_errors` (so screen readers hear it first).
pub fn title_with_errors(title: &str, has_errors: bool) -> String {
    if has_errors {
        format!("Error: {title}")
    } else {
        title.to_string()
    }
}

/// The hidden CSRF field every state-changing form carries; put it first
/// (multipart forms require that).
pub fn csrf_field(user: &SignedIn) -> Markup {
    csrf_input(&user.csrf)
}

/// [`csrf_field`] for a token that is not a complete sign-in's (sign-in
/// and enrolment pages).
pub fn csrf_input(token: &str) -> Markup {
    html! { input type="hidden" name="_csrf" value=(token); }
}

/// The error summary at the top of a form page: "There is a problem" and
/// one link per error to the field it concerns (`#field_id`). Renders
/// nothing when `errors` is empty.
pub fn error_summary(errors: &[(&str, &str)]) -> Markup {
    html! {
        @if !errors.is_empty() {
            div class="error-summary" aria-labelledby="error-summary-title" role="alert" tabindex="-1" {
                h2 class="error-summary__title" id="error-summary-title" { "There is a problem" }
                ul class="error-summary__list" {
                    @for (field, message) in errors {
                        li { a href={ "#" (field) } { (message) } }
                    }
                }
            }
        }
    }
}

/// The message above a field with an error (id `{field_id}-error`, for
/// `aria-describedby`). Renders nothing for `None`.
pub fn field_error(field_id: &str, message: Option<&str>) -> Markup {
    html! {
        @if let Some(m) = message {
            span class="error-message" id={ (field_id) "-error" } {
                span class="visually-hidden" { "Error: " } (m)
            }
        }
    }
}

/// A summary list: a key and a value per row (`dl`).
pub fn summary_list(rows: &[(&str, Markup)]) -> Markup {
    html! {
        dl class="summary-list" {
            @for (key, value) in rows {
                div class="summary-list__row" {
                    dt class="summary-list__key" { (key) }
                    dd class="summary-list__value" { (value) }
                }
            }
        }
    }
}

/// The colour of a [`tag`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagKind {
    Blue,
    Grey,
    Green,
    Yellow,
    Orange,
    Red,
}

/// A status or risk tag. The text must say the status by itself (colour is
/// never the only signal).
pub fn tag(text: &str, kind: TagKind) -> Markup {
    let class = match kind {
        TagKind::Blue => "tag tag--blue",
        TagKind::Grey => "tag tag--grey",
        TagKind::Green => "tag tag--green",
        TagKind::Yellow => "tag tag--yellow",
        TagKind::Orange => "tag tag--orange",
        TagKind::Red => "tag tag--red",
    };
    html! { strong class=(class) { (text) } }
}

/// A "Back" link to `href` (a path, never carrying patient data).
pub fn back_link(href: &str) -> Markup {
    html! { a class="back-link" href=(href) { "Back" } }
}

/// How a button looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ButtonKind {
    /// The main action (green).
    Primary,
    /// A lesser action (grey).
    Secondary,
    /// A destructive action (red).
    Warning,
}

fn button_class(kind: ButtonKind) -> &'static str {
    match kind {
        ButtonKind::Primary => "button",
        ButtonKind::Secondary => "button button--secondary",
        ButtonKind::Warning => "button button--warning",
    }
}

/// A submit button.
pub fn button(text: &str, kind: ButtonKind) -> Markup {
    html! { button type="submit" class=(button_class(kind)) { (text) } }
}

/// A form holding only a CSRF field and one button: for actions such as
/// "Revoke" or "End session" that POST to `action`.
pub fn post_button(user: &SignedIn, action: &str, text: &str, kind: ButtonKind) -> Markup {
    html! {
        form class="inline-form" method="post" action=(action) {
            (csrf_field(user))
            (button(text, kind))
        }
    }
}

/// A one-time confirmation after a POST-redirect-GET. Pages map a fixed
/// code in the query (`?done=saved`, read with [`crate::forms::Done`]) to a
/// fixed sentence; the message never carries data from the request.
pub fn notice(text: &str) -> Markup {
    html! {
        div class="notice" role="status" {
            p class="notice__title" { (text) }
        }
    }
}

/// Indented text for something to notice.
pub fn inset_text(body: Markup) -> Markup {
    html! { div class="inset-text" { (body) } }
}

/// A yellow "Important" callout.
pub fn warning_callout(heading: &str, body: Markup) -> Markup {
    html! {
        div class="warning-callout" {
            h3 class="warning-callout__label" {
                span role="text" { span class="visually-hidden" { "Important: " } (heading) }
            }
            (body)
        }
    }
}

/// A page for an error status.
pub fn error_page(status: StatusCode, message: &str) -> Markup {
    let heading = match status {
        StatusCode::NOT_FOUND => "Page not found",
        StatusCode::FORBIDDEN => "You cannot do that",
        StatusCode::TOO_MANY_REQUESTS => "Too many attempts",
        StatusCode::BAD_REQUEST => "There is a problem with the request",
        StatusCode::PAYLOAD_TOO_LARGE => "The upload is too large",
        _ => "Sorry, there is a problem with the service",
    };
    let user = CURRENT.try_with(|c| c.user.borrow().clone()).ok().flatten();
    page(
        user.as_ref(),
        heading,
        html! {
            h1 { (heading) }
            p { (message) }
            p { a href="/" { "Go to the dashboard" } }
        },
    )
}

/// A moment for people: "21 Nov 2026, 19:15 GMT" in the server's time zone.
pub fn datetime(ts: jiff::Timestamp) -> String {
    ts.to_zoned(jiff::tz::TimeZone::system())
        .strftime("%-d %b %Y, %H:%M %Z")
        .to_string()
}

/// [`datetime`] for an RFC 3339 text; the text itself if it does not parse.
pub fn datetime_text(rfc3339: &str) -> String {
    rfc3339
        .parse::<jiff::Timestamp>()
        .map(datetime)
        .unwrap_or_else(|_| rfc3339.to_string())
}
