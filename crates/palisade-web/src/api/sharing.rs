//! Sharing, flags and search through the API (same checks and audit as the
//! pages).

use super::error::{ApiError, ApiResult, bad_body};
use crate::api_auth::ApiCaller;
use crate::cases::flags::{self, FlagInput};
use crate::cases::guard::{Actor, authorize};
use crate::cases::search::{self, CaseHits};
use crate::cases::sharing;
use crate::error::WebError;
use crate::state::AppState;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use palisade_core::access::{Capability, Role};
use palisade_service::{PublishedFlag, Scope};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShareBody {
    pub user: String,
    #[serde(default)]
    pub reason: Option<String>,
}

/// `POST /api/v1/cases/{id}/shares`.
pub async fn share(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(case_id): Path<String>,
    body: Result<Json<ShareBody>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    caller.require(Scope::Write)?;
    let actor = Actor::from(&caller);
    authorize(&state, &actor, &case_id, Capability::Govern).await?;
    let Json(b) = body.map_err(bad_body)?;
    let reason = b
        .reason
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty());
    sharing::share(&state, &actor, &case_id, b.user.trim(), reason).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "case": case_id, "user": b.user.trim(), "shared": true })),
    ))
}

/// `DELETE /api/v1/cases/{id}/shares/{uid}`.
pub async fn revoke(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((case_id, user_id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    caller.require(Scope::Write)?;
    let actor = Actor::from(&caller);
    authorize(&state, &actor, &case_id, Capability::Govern).await?;
    sharing::revoke(&state, &actor, &case_id, &user_id).await?;
    Ok(Json(
        json!({ "case": case_id, "user": user_id, "shared": false }),
    ))
}

/// `POST /api/v1/cases/{id}/flags` (`patient`, `text`).
pub async fn publish_flag(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(case_id): Path<String>,
    body: Result<Json<FlagInput>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    caller.require(Scope::Write)?;
    let actor = Actor::from(&caller);
    authorize(&state, &actor, &case_id, Capability::PublishFlag).await?;
    let Json(b) = body.map_err(bad_body)?;
    let (patient, text) = flags::check(&b)?;
    let id = flags::publish(&state, &actor, &case_id, patient, text).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "case": case_id, "flag": id })),
    ))
}

/// `GET /api/v1/flags`: every published flag (any role).
pub async fn list_flags(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> ApiResult<Json<Vec<PublishedFlag>>> {
    caller.require(Scope::Read)?;
    Ok(Json(flags::published(&state).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchBody {
    pub q: String,
}

/// `POST /api/v1/search` (`q`): hits grouped by case; audited per case.
pub async fn search(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: Result<Json<SearchBody>, JsonRejection>,
) -> ApiResult<Json<Vec<CaseHits>>> {
    caller.require(Scope::Read)?;
    let Json(b) = body.map_err(bad_body)?;
    let actor = Actor::from(&caller);
    if b.q.trim().is_empty() {
        return Err(ApiError(WebError::BadRequest(
            "q: give something to search for".into(),
        )));
    }
    if actor.role == Role::Colleague {
        return Ok(Json(Vec::new()));
    }
    Ok(Json(search::run(&state, &actor, b.q.trim()).await?))
}
