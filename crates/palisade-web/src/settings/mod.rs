//! Administration (administrators only): organisation settings and users.
//! Other roles get 403 on every page here.

mod users;

use crate::csrf::CsrfForm;
use crate::error::WebError;
use crate::forms::{Done, FormErrors, Input, checkbox};
use crate::layout::{ButtonKind, button, csrf_field, notice, page, title_with_errors};
use crate::session::SignedIn;
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use maud::{Markup, html};
use palisade_core::access::Role;
use palisade_service::{OrgSettings, ServiceError, User};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/settings", get(show).post(save))
        .route("/settings/users", get(users::list).post(users::create))
        .route(
            "/settings/users/{uid}",
            get(users::show).post(users::update),
        )
}

/// The signed-in administrator's account; 403 for anyone else.
pub(crate) fn require_admin(state: &AppState, me: &SignedIn) -> Result<User, WebError> {
    if me.user.role != Role::Admin {
        return Err(WebError::Forbidden(
            "Only an administrator can change the organisation's settings and accounts.",
        ));
    }
    let user = state
        .accounts()
        .user(&me.user.id)?
        .ok_or(WebError::SignInRequired)?;
    if user.role != Role::Admin || user.disabled {
        return Err(WebError::Forbidden(
            "Only an administrator can change the organisation's settings and accounts.",
        ));
    }
    Ok(user)
}

/// The values the settings form shows (as typed, on error).
struct Values {
    org_name: String,
    require_totp: bool,
    idle: String,
    absolute: String,
}

fn render(me: &SignedIn, v: &Values, errors: &FormErrors, message: Option<&str>) -> Markup {
    page(
        Some(me),
        &title_with_errors("Settings", !errors.is_empty()),
        html! {
            (errors.summary())
            @if let Some(m) = message { (notice(m)) }
            h1 { "Settings" }
            p { a href="/settings/users" { "Manage user accounts" } }
            h2 { "Organisation" }
            form method="post" action="/settings" novalidate {
                (csrf_field(me))
                (Input::text("org_name", "Organisation name").value(&v.org_name).autocomplete("organization").errors(errors))
                (checkbox("require_totp", "Require two-factor authentication for everyone", v.require_totp,
                    Some("People without an authenticator app set up will have to set one up the next time they use Palisade.")))
                (Input::text("idle_timeout_minutes", "Sign out after this many minutes without activity")
                    .value(&v.idle).inputmode("numeric").width("input--width-5").hint("Between 5 and 30 minutes is usual; the default is 30.").errors(errors))
                (Input::text("absolute_timeout_hours", "Sign out after this many hours in any case")
                    .value(&v.absolute).inputmode("numeric").width("input--width-5").hint("The default is 12 hours.").errors(errors))
                (button("Save settings", ButtonKind::Primary))
            }
        },
    )
}

/// `GET /settings`.
async fn show(State(state): State<AppState>, me: SignedIn, done: Done) -> Result<Markup, WebError> {
    require_admin(&state, &me)?;
    let org = state.accounts().org()?;
    let v = Values {
        org_name: org.name,
        require_totp: org.require_totp,
        idle: org.idle_timeout_minutes.to_string(),
        absolute: org.absolute_timeout_hours.to_string(),
    };
    let message = (done.code() == Some("saved")).then_some("The settings have been saved.");
    Ok(render(&me, &v, &FormErrors::new(), message))
}

#[derive(Deserialize)]
struct SettingsForm {
    #[serde(default)]
    org_name: String,
    #[serde(default)]
    require_totp: Option<String>,
    #[serde(default)]
    idle_timeout_minutes: String,
    #[serde(default)]
    absolute_timeout_hours: String,
}

/// `POST /settings`.
async fn save(
    State(state): State<AppState>,
    me: SignedIn,
    CsrfForm(form): CsrfForm<SettingsForm>,
) -> Result<Response, WebError> {
    let admin = require_admin(&state, &me)?;
    let mut errors = FormErrors::new();
    let v = Values {
        org_name: form.org_name.trim().to_string(),
        require_totp: form.require_totp.is_some(),
        idle: form.idle_timeout_minutes.trim().to_string(),
        absolute: form.absolute_timeout_hours.trim().to_string(),
    };
    if v.org_name.is_empty() {
        errors.add("org_name", "Enter the organisation's name");
    }
    let idle = v.idle.parse::<u32>();
    if idle.is_err() {
        errors.add(
            "idle_timeout_minutes",
            "Enter the idle timeout as a whole number of minutes, like 30",
        );
    }
    let absolute = v.absolute.parse::<u32>();
    if absolute.is_err() {
        errors.add(
            "absolute_timeout_hours",
            "Enter the absolute timeout as a whole number of hours, like 12",
        );
    }
    if let (true, Ok(idle), Ok(absolute)) = (errors.is_empty(), idle, absolute) {
        let settings = OrgSettings {
            name: v.org_name.clone(),
            require_totp: v.require_totp,
            idle_timeout_minutes: idle,
            absolute_timeout_hours: absolute,
        };
        match state.accounts().update_org(&admin, &settings) {
            Ok(()) => return Ok(Redirect::to("/settings?done=saved").into_response()),
            Err(ServiceError::Invalid(m)) => {
                let field = if m.contains("idle") {
                    "idle_timeout_minutes"
                } else if m.contains("absolute") {
                    "absolute_timeout_hours"
                } else {
                    "org_name"
                };
                errors.add(field, m);
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        render(&me, &v, &errors, None),
    )
        .into_response())
}
