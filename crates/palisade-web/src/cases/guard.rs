//! The access check every case route makes before it reads anything, and
//! the bridge from async handlers to the (blocking) service.
//!
//! A case the user may not touch answers exactly like a case that does not
//! exist: [`WebError::NotFound`], whatever the reason.

use crate::error::WebError;
use crate::state::AppState;
use palisade_core::access::{Capability, Relation, Role, allowed};
use palisade_core::ids::looks_like_id;
use palisade_core::view::CaseView;
use palisade_service::{Palisade, ServiceError};
use std::sync::Arc;

/// Run blocking service work off the async runtime.
pub async fn blocking<T, F>(state: &AppState, f: F) -> Result<T, WebError>
where
    T: Send + 'static,
    F: FnOnce(&Palisade) -> Result<T, ServiceError> + Send + 'static,
{
    let p = Arc::clone(state.palisade());
    tokio::task::spawn_blocking(move || f(&p))
        .await
        .map_err(|e| WebError::Internal(format!("worker failed: {e}")))?
        .map_err(WebError::from)
}

/// Who is asking: the account id and role (from a session or an API token).
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: String,
    pub role: Role,
    pub display_name: String,
    /// The client address (for the audit trail).
    pub client: String,
}

impl From<&crate::session::SignedIn> for Actor {
    fn from(s: &crate::session::SignedIn) -> Self {
        Actor {
            user_id: s.user.id.clone(),
            role: s.user.role,
            display_name: s.user.display_name.clone(),
            client: s.client.clone(),
        }
    }
}

/// Check that `actor` may do `what` with case `case_id`, from the case's
/// access records alone (nothing is decrypted before the check passes).
/// Every refusal is [`WebError::NotFound`].
pub async fn authorize(
    state: &AppState,
    actor: &Actor,
    case_id: &str,
    what: Capability,
) -> Result<Relation, WebError> {
    if !looks_like_id(case_id) || !case_id.starts_with("case_") || actor.role == Role::Colleague {
        return Err(WebError::NotFound);
    }
    let id = case_id.to_string();
    let access = blocking(state, move |p| p.case_access(&id))
        .await
        .map_err(not_found)?;
    let relation = access.relation(&actor.user_id);
    if allowed(actor.role, relation, what) {
        Ok(relation)
    } else {
        Err(WebError::NotFound)
    }
}

/// [`authorize`], then the case as people read it (cached, triage attached).
pub async fn readable_case(
    state: &AppState,
    actor: &Actor,
    case_id: &str,
    what: Capability,
) -> Result<(Relation, Arc<CaseView>), WebError> {
    let relation = authorize(state, actor, case_id, what).await?;
    let id = case_id.to_string();
    let view = blocking(state, move |p| p.case_shared(&id))
        .await
        .map_err(not_found)?;
    Ok((relation, view))
}

/// Any lookup failure of a case a user asked for by id is "not found".
fn not_found(e: WebError) -> WebError {
    match e {
        WebError::BadRequest(_) => WebError::NotFound,
        other => other,
    }
}

/// Whether `actor` may do `what` given their relation (for showing or
/// hiding buttons; the routes check again).
pub fn can(actor: &Actor, relation: Relation, what: Capability) -> bool {
    allowed(actor.role, relation, what)
}
