//! The account store: organisation settings, users, second-factor material,
//! sessions, API tokens and the audit trail of the web application.
//!
//! This is mutable account state, never evidence, and is kept apart from the
//! ledger (the SQLite backend uses its own file, `accounts.db`). Rows are
//! plain data: the backend hashes, seals and checks nothing. Secrets arrive
//! already hashed (session cookies, API tokens, recovery codes, the setup
//! token) or sealed (TOTP secrets); the service does all cryptography.
//!
//! Times are Unix seconds (UTC) unless a field says otherwise. Every backend
//! must pass [`crate::conformance_accounts`] (feature `conformance`).

use crate::{Hash, StoreError};
use palisade_core::access::Role;

/// The organisation's settings (one row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgRow {
    pub name: String,
    pub require_totp: bool,
    pub idle_timeout_minutes: u32,
    pub absolute_timeout_hours: u32,
}

/// A local account. `username` is stored lower-case; the backend keeps it unique.
#[derive(Clone, PartialEq, Eq)]
pub struct UserRow {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// The confirmed TOTP secret, sealed by the service (None: no TOTP).
    pub totp_sealed: Option<Vec<u8>>,
    /// A secret being enrolled, sealed, not yet confirmed.
    pub totp_pending_sealed: Option<Vec<u8>>,
    /// The last TOTP time step accepted (a step is never accepted twice).
    pub totp_last_step: Option<u64>,
    pub disabled: bool,
    pub created_at: i64,
}

impl std::fmt::Debug for UserRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserRow")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("role", &self.role)
            .field("totp", &self.totp_sealed.is_some())
            .field("disabled", &self.disabled)
            .finish_non_exhaustive()
    }
}

/// One stored recovery code (its SHA-256 only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecoveryCodeRow {
    pub id: i64,
    pub user_id: String,
    pub code_hash: Hash,
}

/// A server-side session. The cookie value is known only by its SHA-256.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionRow {
    /// Public id (shown in the session list, used to end one session).
    pub id: String,
    pub token_hash: Hash,
    pub user_id: String,
    pub created_at: i64,
    pub last_seen: i64,
    pub second_factor_done: bool,
    pub csrf_token: String,
    pub client: String,
    pub user_agent: String,
}

impl std::fmt::Debug for SessionRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionRow")
            .field("id", &self.id)
            .field("user_id", &self.user_id)
            .field("created_at", &self.created_at)
            .field("last_seen", &self.last_seen)
            .field("second_factor_done", &self.second_factor_done)
            .finish_non_exhaustive()
    }
}

/// An API token, known only by its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiTokenRow {
    pub id: String,
    pub user_id: String,
    pub name: String,
    /// Space-separated scope names (`read write`).
    pub scopes: String,
    pub token_hash: Hash,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked: bool,
}

/// One row of the append-only audit trail. `mac` chains it to the row before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    /// 1, 2, 3, … with no gaps; the caller assigns it.
    pub seq: u64,
    /// RFC 3339 UTC time.
    pub at: String,
    pub actor_id: Option<String>,
    pub action: String,
    pub case_id: Option<String>,
    pub target: Option<String>,
    pub detail: Option<String>,
    pub client: Option<String>,
    pub mac: Hash,
}

/// What an account backend must do. Implementations are internally
/// synchronised; each method is atomic.
pub trait AccountStore: Send + Sync {
    /// A short name for messages (`sqlite`).
    fn backend(&self) -> &'static str;

    // --- organisation and first run ---

    fn org(&self) -> Result<Option<OrgRow>, StoreError>;
    fn put_org(&self, org: &OrgRow) -> Result<(), StoreError>;

    /// The SHA-256 of the pending one-time setup token, if any.
    fn setup_token_hash(&self) -> Result<Option<Hash>, StoreError>;
    /// Replace (Some) or remove (None) the setup token hash.
    fn set_setup_token_hash(&self, hash: Option<&Hash>) -> Result<(), StoreError>;

    /// First run, atomically: only if there are no users yet, store `org`, insert
    /// `admin` and remove the setup token. Returns false (writing nothing) if a
    /// user already exists.
    fn complete_setup(&self, org: &OrgRow, admin: &UserRow) -> Result<bool, StoreError>;

    // --- users ---

    fn user_count(&self) -> Result<u64, StoreError>;
    /// Insert a user; false (writing nothing) if the id or username is taken.
    fn insert_user(&self, user: &UserRow) -> Result<bool, StoreError>;
    fn user(&self, id: &str) -> Result<Option<UserRow>, StoreError>;
    /// By lower-case username.
    fn user_by_username(&self, username: &str) -> Result<Option<UserRow>, StoreError>;
    /// Every user, by username.
    fn users(&self) -> Result<Vec<UserRow>, StoreError>;
    /// Set role and disabled flag; false if there is no such user.
    fn set_role_and_disabled(
        &self,
        id: &str,
        role: Role,
        disabled: bool,
    ) -> Result<bool, StoreError>;
    fn set_password_hash(&self, id: &str, phc: &str) -> Result<bool, StoreError>;
    /// Set the pending (unconfirmed) TOTP secret.
    fn set_totp_pending(&self, id: &str, sealed: Option<&[u8]>) -> Result<bool, StoreError>;
    /// Set the confirmed TOTP secret (None disables TOTP), clear the pending
    /// one, and set the last accepted step.
    fn set_totp(
        &self,
        id: &str,
        sealed: Option<&[u8]>,
        last_step: Option<u64>,
    ) -> Result<bool, StoreError>;
    /// Record `step` as used, only if it is later than the last accepted one.
    /// Returns false (changing nothing) if it is not: a replay.
    fn claim_totp_step(&self, id: &str, step: u64) -> Result<bool, StoreError>;

    // --- recovery codes ---

    /// Replace all of a user's recovery codes with these hashes.
    fn replace_recovery_codes(&self, user_id: &str, hashes: &[Hash]) -> Result<(), StoreError>;
    /// The user's unused recovery codes.
    fn unused_recovery_codes(&self, user_id: &str) -> Result<Vec<RecoveryCodeRow>, StoreError>;
    /// Mark a code used, only if unused; false otherwise.
    fn consume_recovery_code(&self, user_id: &str, code_id: i64) -> Result<bool, StoreError>;

    // --- sessions ---

    fn insert_session(&self, session: &SessionRow) -> Result<(), StoreError>;
    fn session_by_hash(&self, token_hash: &Hash) -> Result<Option<SessionRow>, StoreError>;
    /// A user's sessions, newest first.
    fn sessions_of(&self, user_id: &str) -> Result<Vec<SessionRow>, StoreError>;
    fn touch_session(&self, id: &str, last_seen: i64) -> Result<bool, StoreError>;
    fn set_second_factor_done(&self, id: &str) -> Result<bool, StoreError>;
    fn delete_session(&self, id: &str) -> Result<bool, StoreError>;
    /// Delete a user's sessions except `keep` (if given); how many went.
    fn delete_sessions_of(&self, user_id: &str, keep: Option<&str>) -> Result<u64, StoreError>;
    /// Delete sessions created before `created_before` or last seen before
    /// `seen_before`; how many went.
    fn delete_expired_sessions(
        &self,
        created_before: i64,
        seen_before: i64,
    ) -> Result<u64, StoreError>;

    // --- API tokens ---

    fn insert_api_token(&self, token: &ApiTokenRow) -> Result<(), StoreError>;
    fn api_token_by_hash(&self, token_hash: &Hash) -> Result<Option<ApiTokenRow>, StoreError>;
    /// A user's tokens (revoked ones too), newest first.
    fn api_tokens_of(&self, user_id: &str) -> Result<Vec<ApiTokenRow>, StoreError>;
    fn touch_api_token(&self, id: &str, at: i64) -> Result<bool, StoreError>;
    /// Revoke a token of this user; false if none such or already revoked.
    fn revoke_api_token(&self, user_id: &str, id: &str) -> Result<bool, StoreError>;

    // --- audit trail (append-only) ---

    /// Append one row; its `seq` must be one more than the last row's
    /// ([`StoreError::Conflict`] otherwise).
    fn append_audit(&self, row: &AuditRow) -> Result<(), StoreError>;
    /// The last row's `seq` and `mac`.
    fn audit_head(&self) -> Result<Option<(u64, Hash)>, StoreError>;
    /// Rows of a case, oldest first.
    fn audit_of_case(&self, case_id: &str) -> Result<Vec<AuditRow>, StoreError>;
    /// The latest `limit` rows, newest first.
    fn audit_recent(&self, limit: usize) -> Result<Vec<AuditRow>, StoreError>;
    /// Every row in storage order (by `seq`); stop early when `f` returns false.
    fn scan_audit(&self, f: &mut dyn FnMut(AuditRow) -> bool) -> Result<(), StoreError>;
}
