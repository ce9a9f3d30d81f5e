//! `/settings/users`: the organisation's accounts. Create one with a role
//! and a temporary password; change a role; disable or enable; reset a
//! password (which signs the person out everywhere).

use super::require_admin;
use crate::csrf::CsrfForm;
use crate::error::WebError;
use crate::forms::{Done, FormErrors, Input, checkbox, field_of, password_errors};
use crate::layout::{
    ButtonKind, TagKind, back_link, button, csrf_field, datetime_text, field_error, notice, page,
    summary_list, tag, title_with_errors,
};
use crate::session::SignedIn;
use crate::state::{AppState, blocking};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use palisade_core::access::Role;
use palisade_service::{Password, ServiceError, User};
use serde::Deserialize;
use zeroize::Zeroizing;

fn role_select(name: &str, selected: Option<Role>, errors: &FormErrors) -> Markup {
    html! {
        div class={ "form-group" @if errors.get(name).is_some() { " form-group--error" } } {
            label for=(name) { "Role" }
            span class="hint" id={ (name) "-hint" } {
                "Clinicians and managers open and keep cases; administrators manage accounts; colleagues see only the flags published for them."
            }
            (field_error(name, errors.get(name)))
            select id=(name) name=(name) aria-describedby={ (name) "-hint" } {
                @if selected.is_none() { option value="" selected { "Choose a role" } }
                @for r in Role::ALL {
                    option value=(r.as_str()) selected[selected == Some(*r)] { (r.label()) }
                }
            }
        }
    }
}

fn status_tag(u: &User) -> Markup {
    if u.disabled {
        tag("Disabled", TagKind::Grey)
    } else {
        tag("Active", TagKind::Green)
    }
}

#[derive(Deserialize, Default)]
pub(super) struct CreateForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    password: Zeroizing<String>,
}

fn render_list(
    me: &SignedIn,
    users: &[User],
    form: &CreateForm,
    errors: &FormErrors,
    message: Option<&str>,
) -> Markup {
    let role = form.role.parse::<Role>().ok();
    page(
        Some(me),
        &title_with_errors("User accounts", !errors.is_empty()),
        html! {
            (errors.summary())
            @if let Some(m) = message { (notice(m)) }
            (back_link("/settings"))
            h1 { "User accounts" }
            div class="table-container" {
                table class="table" {
                    caption class="visually-hidden" { "Accounts" }
                    thead { tr { th scope="col" { "Name" } th scope="col" { "Username" } th scope="col" { "Role" } th scope="col" { "Two-factor" } th scope="col" { "Status" } } }
                    tbody {
                        @for u in users {
                            tr {
                                td { a href={ "/settings/users/" (u.id) } { (u.display_name) } }
                                td { (u.username) }
                                td { (u.role.label()) }
                                td { (if u.totp_enabled { "On" } else { "Off" }) }
                                td { (status_tag(u)) }
                            }
                        }
                    }
                }
            }
            h2 { "Add an account" }
            form method="post" action="/settings/users" novalidate {
                (csrf_field(me))
                (Input::text("username", "Username").value(&form.username).autocomplete("off")
                    .hint("What the person types to sign in").errors(errors))
                (Input::text("display_name", "Full name").value(&form.display_name).autocomplete("off").errors(errors))
                (role_select("role", role, errors))
                (Input::password("password", "Temporary password", "new-password")
                    .hint("At least 12 characters. Give it to the person in person or by phone; they should change it after signing in.")
                    .errors(errors))
                (button("Add account", ButtonKind::Primary))
            }
        },
    )
}

/// `GET /settings/users`.
pub(super) async fn list(
    State(state): State<AppState>,
    me: SignedIn,
    done: Done,
) -> Result<Markup, WebError> {
    require_admin(&state, &me)?;
    let users = state.accounts().users()?;
    let message = match done.code() {
        Some("created") => Some("The account has been added."),
        _ => None,
    };
    Ok(render_list(
        &me,
        &users,
        &CreateForm::default(),
        &FormErrors::new(),
        message,
    ))
}

/// `POST /settings/users`.
pub(super) async fn create(
    State(state): State<AppState>,
    me: SignedIn,
    CsrfForm(form): CsrfForm<CreateForm>,
) -> Result<Response, WebError> {
    let admin = require_admin(&state, &me)?;
    let mut errors = FormErrors::new();
    if form.username.trim().is_empty() {
        errors.add("username", "Enter a username");
    }
    if form.display_name.trim().is_empty() {
        errors.add("display_name", "Enter the person's full name");
    }
    let role = form.role.parse::<Role>();
    if role.is_err() {
        errors.add("role", "Choose a role");
    }
    password_errors(
        &mut errors,
        &form.password,
        &form.password,
        "password",
        "password",
    );
    if let (true, Ok(role)) = (errors.is_empty(), role) {
        let accounts = state.accounts().clone();
        let (username, name) = (
            form.username.trim().to_string(),
            form.display_name.trim().to_string(),
        );
        let password = Password::new(form.password.as_str());
        match blocking(move || accounts.create_user(&admin, &username, &name, role, &password))
            .await?
        {
            Ok(_) => return Ok(Redirect::to("/settings/users?done=created").into_response()),
            Err(ServiceError::Invalid(m)) => errors.add(field_of(&m), m),
            Err(e) => return Err(e.into()),
        }
    }
    let users = state.accounts().users()?;
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        render_list(&me, &users, &form, &errors, None),
    )
        .into_response())
}

fn render_user(
    me: &SignedIn,
    u: &User,
    role: Role,
    disabled: bool,
    errors: &FormErrors,
    message: Option<&str>,
) -> Markup {
    page(
        Some(me),
        &title_with_errors("Change an account", !errors.is_empty()),
        html! {
            (errors.summary())
            @if let Some(m) = message { (notice(m)) }
            (back_link("/settings/users"))
            h1 { "Change an account" }
            (summary_list(&[
                ("Name", html! { (u.display_name) }),
                ("Username", html! { (u.username) }),
                ("Status", status_tag(u)),
                ("Two-factor", html! { (if u.totp_enabled { "On" } else { "Off" }) }),
                ("Created", html! { (datetime_text(&u.created_at)) }),
            ]))
            form method="post" action={ "/settings/users/" (u.id) } novalidate {
                (csrf_field(me))
                (role_select("role", Some(role), errors))
                (checkbox("disabled", "Disable this account", disabled,
                    Some("A disabled account cannot sign in; its sessions end and its API tokens stop working at once.")))
                (Input::password("reset_password", "New temporary password (optional)", "new-password")
                    .hint("Only to reset a forgotten password: at least 12 characters. The person is signed out everywhere.")
                    .errors(errors))
                (button("Save changes", ButtonKind::Primary))
            }
        },
    )
}

fn find_user(state: &AppState, uid: &str) -> Result<User, WebError> {
    state.accounts().user(uid)?.ok_or(WebError::NotFound)
}

/// `GET /settings/users/{uid}`.
pub(super) async fn show(
    State(state): State<AppState>,
    me: SignedIn,
    Path(uid): Path<String>,
    done: Done,
) -> Result<Markup, WebError> {
    require_admin(&state, &me)?;
    let u = find_user(&state, &uid)?;
    let message = (done.code() == Some("saved")).then_some("The account has been changed.");
    Ok(render_user(
        &me,
        &u,
        u.role,
        u.disabled,
        &FormErrors::new(),
        message,
    ))
}

#[derive(Deserialize)]
pub(super) struct UpdateForm {
    #[serde(default)]
    role: String,
    #[serde(default)]
    disabled: Option<String>,
    #[serde(default)]
    reset_password: Zeroizing<String>,
}

/// `POST /settings/users/{uid}`.
pub(super) async fn update(
    State(state): State<AppState>,
    me: SignedIn,
    Path(uid): Path<String>,
    CsrfForm(form): CsrfForm<UpdateForm>,
) -> Result<Response, WebError> {
    let admin = require_admin(&state, &me)?;
    let u = find_user(&state, &uid)?;
    let disabled = form.disabled.is_some();
    let mut errors = FormErrors::new();
    let role = form.role.parse::<Role>().ok();
    if role.is_none() {
        errors.add("role", "Choose a role");
    }
    let reset = !form.reset_password.is_empty();
    if reset {
        password_errors(
            &mut errors,
            &form.reset_password,
            &form.reset_password,
            "reset_password",
            "reset_password",
        );
    }
    if let (true, Some(role)) = (errors.is_empty(), role) {
        match state
            .accounts()
            .update_user(&admin, &uid, Some(role), Some(disabled))
        {
            Ok(_) => {}
            Err(ServiceError::Invalid(m)) => errors.add("role", m),
            Err(e) => return Err(e.into()),
        }
        if errors.is_empty() && reset {
            let accounts = state.accounts().clone();
            let (admin, id) = (admin.clone(), uid.clone());
            let password = Password::new(form.reset_password.as_str());
            match blocking(move || accounts.reset_password(&admin, &id, &password)).await? {
                Ok(()) => {}
                Err(ServiceError::Invalid(m)) => errors.add("reset_password", m),
                Err(e) => return Err(e.into()),
            }
        }
        if errors.is_empty() {
            return Ok(Redirect::to(&format!("/settings/users/{uid}?done=saved")).into_response());
        }
    }
    let current = find_user(&state, &uid).unwrap_or(u);
    let role = role.unwrap_or(current.role);
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        render_user(&me, &current, role, disabled, &errors, None),
    )
        .into_response())
}
