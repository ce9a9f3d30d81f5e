//! `/api/v1/me`, `/cases`, `/cases/{id}`, `/cases/{id}/next`,
//! `/cases/{id}/audit`: reading cases and opening one. Shapes are the CLI's
//! `--json` shapes (a case is the `CaseView` of `palisade timeline --json`).

use super::error::{ApiError, ApiResult, bad_body};
use crate::api_auth::ApiCaller;
use crate::cases::audit;
use crate::cases::case_page::advice;
use crate::cases::dashboard::{NewCaseInput, my_cases, parse_case};
use crate::cases::guard::{Actor, authorize, blocking, readable_case};
use crate::error::WebError;
use crate::state::AppState;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use palisade_core::access::Capability;
use palisade_core::view::CaseView;
use palisade_service::{AuditAction, AuditEntry, CaseSummary, Scope};
use serde::Deserialize;
use serde_json::{Value, json};

impl From<&ApiCaller> for Actor {
    fn from(c: &ApiCaller) -> Self {
        Actor {
            user_id: c.user.id.clone(),
            role: c.user.role,
            display_name: c.user.display_name.clone(),
            client: c.client.clone(),
        }
    }
}

/// `GET /api/v1/me`.
pub async fn me(caller: ApiCaller) -> ApiResult<Json<Value>> {
    caller.require(Scope::Read)?;
    Ok(Json(json!({
        "id": caller.user.id,
        "username": caller.user.username,
        "display_name": caller.user.display_name,
        "role": caller.user.role,
        "scopes": caller.scopes,
        "token_id": caller.token_id,
    })))
}

/// `GET /api/v1/cases`: the cases the caller may read, as `case list --json`.
pub async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> ApiResult<Json<Vec<CaseSummary>>> {
    caller.require(Scope::Read)?;
    let cases = my_cases(&state, &Actor::from(&caller)).await?;
    Ok(Json(
        cases.iter().map(|c| CaseSummary::from(&**c)).collect(),
    ))
}

/// The body of `POST /api/v1/cases`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenCase {
    pub title: String,
    pub subject: String,
    pub kind: String,
    #[serde(default)]
    pub parties: Vec<String>,
}

/// `POST /api/v1/cases`: open a case owned by the caller.
pub async fn open(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: Result<Json<OpenCase>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<CaseView>)> {
    caller.require(Scope::Write)?;
    let Json(b) = body.map_err(bad_body)?;
    if !caller.user.role.can_open_cases() {
        return Err(ApiError(WebError::Forbidden("your role cannot open cases")));
    }
    let actor = Actor::from(&caller);
    let new = parse_case(
        &NewCaseInput {
            title: b.title,
            subject: b.subject,
            kind: b.kind,
            parties: b.parties.join("\n"),
        },
        &actor.user_id,
    )?;
    let r = blocking(&state, move |p| p.open_case(&new)).await?;
    audit::record(
        &state,
        &actor,
        AuditAction::CaseOpened,
        Some(&r.id),
        None,
        Some("api"),
    )
    .await?;
    let id = r.id.clone();
    let view = blocking(&state, move |p| p.case_shared(&id)).await?;
    Ok((StatusCode::CREATED, Json((*view).clone())))
}

/// `GET /api/v1/cases/{id}`: the case as `palisade timeline --json` prints it.
pub async fn get(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(case_id): Path<String>,
) -> ApiResult<Json<CaseView>> {
    caller.require(Scope::Read)?;
    let actor = Actor::from(&caller);
    let (_, case) = readable_case(&state, &actor, &case_id, Capability::Read).await?;
    audit::record(
        &state,
        &actor,
        AuditAction::CaseViewed,
        Some(&case_id),
        None,
        Some("api"),
    )
    .await?;
    Ok(Json((*case).clone()))
}

/// `GET /api/v1/cases/{id}/next`: as `palisade next --json` (never records).
pub async fn next(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(case_id): Path<String>,
) -> ApiResult<Json<Value>> {
    caller.require(Scope::Read)?;
    let actor = Actor::from(&caller);
    let (_, case) = readable_case(&state, &actor, &case_id, Capability::Read).await?;
    audit::record(
        &state,
        &actor,
        AuditAction::CaseViewed,
        Some(&case_id),
        None,
        Some("api guidance"),
    )
    .await?;
    Ok(Json(advice(&case, &state).to_json()))
}

/// `GET /api/v1/cases/{id}/audit`: the case's audit trail (owner only).
pub async fn audit_trail(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(case_id): Path<String>,
) -> ApiResult<Json<Vec<AuditEntry>>> {
    caller.require(Scope::Read)?;
    authorize(&state, &Actor::from(&caller), &case_id, Capability::Govern).await?;
    Ok(Json(audit::of_case(&state, &case_id).await?))
}
