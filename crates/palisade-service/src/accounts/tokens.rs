//! API tokens: `pal_` + base64url(32 random bytes), per user, scoped,
//! revocable; stored only as SHA-256.

use super::secrets::{random_token, sha256};
use super::{Accounts, ApiTokenInfo, AuditAction, Scope, User, rfc3339, user_from_row};
use crate::error::{Result, ServiceError};
use palisade_core::ids::new_id;
use palisade_store::accounts::ApiTokenRow;

const PREFIX: &str = "pal_";
const MAX_NAME_CHARS: usize = 100;
/// `last_used_at` is written at most this often (seconds).
const TOUCH_EVERY_SECS: i64 = 60;

fn scopes_text(scopes: &[Scope]) -> String {
    let mut s: Vec<Scope> = scopes.to_vec();
    s.sort();
    s.dedup();
    s.iter().map(|x| x.as_str()).collect::<Vec<_>>().join(" ")
}

fn info(r: &ApiTokenRow) -> ApiTokenInfo {
    ApiTokenInfo {
        id: r.id.clone(),
        user_id: r.user_id.clone(),
        name: r.name.clone(),
        // Unknown names (from a newer version) grant nothing.
        scopes: r
            .scopes
            .split_whitespace()
            .filter_map(|s| s.parse().ok())
            .collect(),
        created_at: rfc3339(r.created_at),
        last_used_at: r.last_used_at.map(rfc3339),
        revoked: r.revoked,
    }
}

impl Accounts {
    /// Create a token for the user; the token itself is returned once.
    pub fn create_api_token(
        &self,
        user_id: &str,
        name: &str,
        scopes: &[Scope],
    ) -> Result<(ApiTokenInfo, String)> {
        let user = self.active_user_row(user_id)?;
        let name = name.trim();
        if name.is_empty()
            || name.chars().count() > MAX_NAME_CHARS
            || name.chars().any(char::is_control)
        {
            return Err(ServiceError::Invalid(format!(
                "Give the token a name that says where it is used (1 to {MAX_NAME_CHARS} characters)."
            )));
        }
        if scopes.is_empty() {
            return Err(ServiceError::Invalid(
                "Choose what the token may do: read, or read and write.".into(),
            ));
        }
        let token = format!("{PREFIX}{}", random_token()?);
        let row = ApiTokenRow {
            id: new_id("tok")?,
            user_id: user.id.clone(),
            name: name.to_string(),
            scopes: scopes_text(scopes),
            token_hash: sha256(&token),
            created_at: self.now_secs(),
            last_used_at: None,
            revoked: false,
        };
        self.store.insert_api_token(&row)?;
        self.audit_account(
            Some(&user.id),
            AuditAction::TokenCreated,
            Some(&row.id),
            Some(&row.scopes),
            None,
        )?;
        Ok((info(&row), token))
    }

    /// The token presented in `Authorization: Bearer …`, with its user. `None` if
    /// unknown, revoked, or the user is disabled.
    pub fn api_token(&self, presented: &str) -> Result<Option<(User, ApiTokenInfo)>> {
        let presented = presented.trim();
        if !presented.starts_with(PREFIX) || presented.len() > 128 {
            return Ok(None);
        }
        let Some(mut row) = self.store.api_token_by_hash(&sha256(presented))? else {
            return Ok(None);
        };
        if row.revoked {
            return Ok(None);
        }
        let Some(user) = self.store.user(&row.user_id)?.filter(|u| !u.disabled) else {
            return Ok(None);
        };
        let now = self.now_secs();
        if row.last_used_at.is_none_or(|t| now - t >= TOUCH_EVERY_SECS) {
            self.store.touch_api_token(&row.id, now)?;
            row.last_used_at = Some(now);
        }
        Ok(Some((user_from_row(&user), info(&row))))
    }

    /// The user's tokens (revoked ones too), newest first.
    pub fn api_tokens_of(&self, user_id: &str) -> Result<Vec<ApiTokenInfo>> {
        Ok(self
            .store
            .api_tokens_of(user_id)?
            .iter()
            .map(info)
            .collect())
    }

    /// Revoke one of the user's tokens; false if they have no such live token.
    pub fn revoke_api_token(&self, user_id: &str, token_id: &str) -> Result<bool> {
        if !self.store.revoke_api_token(user_id, token_id)? {
            return Ok(false);
        }
        self.audit_account(
            Some(user_id),
            AuditAction::TokenRevoked,
            Some(token_id),
            None,
            None,
        )?;
        Ok(true)
    }
}
