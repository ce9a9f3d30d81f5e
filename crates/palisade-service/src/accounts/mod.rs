//! Accounts of the web application: organisation settings, users and their
//! passwords and second factors, server-side sessions, API tokens, sign-in
//! throttling and the MAC-chained audit trail. State lives in `accounts.db`
//! (behind [`palisade_store::AccountStore`]), never in the ledger.
//!
//! The service writes its own audit rows for every account change and every
//! failed sign-in; callers audit what they serve (case views, downloads,
//! searches, exports) and successful sign-ins and sign-outs.

mod audit;
mod audit_action;
mod clock;
mod password;
mod recovery;
mod secrets;
mod sessions;
mod setup;
mod signin;
mod throttle;
mod tokens;
mod totp;
mod two_factor;
mod types;
mod users;

pub use audit::{AuditEntry, AuditEvent};
pub use audit_action::AuditAction;
pub use clock::{Clock, ManualClock, SystemClock};
pub use palisade_core::access::Role;
pub use password::{MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS};
pub use types::{
    ApiTokenInfo, LoginOutcome, NewSession, OrgSettings, Password, Scope, SessionInfo,
    TotpEnrolment, User,
};

use crate::error::{Result, ServiceError};
use jiff::Timestamp;
use palisade_core::crypto::SecretKey;
use palisade_store::AccountStore;
use palisade_store::accounts::{OrgRow, UserRow};
use palisade_store_sqlite::{ACCOUNTS_DB_FILE, SqliteAccounts};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

/// File name of the account database inside a data directory.
pub const ACCOUNTS_FILE: &str = ACCOUNTS_DB_FILE;

const TOTP_KEY_LABEL: &str = "palisade/v1/accounts/totp";
const AUDIT_KEY_LABEL: &str = "palisade/v1/accounts/audit";
const RECOVERY_KEY_LABEL: &str = "palisade/v1/accounts/recovery-codes";

/// The account service. `Send + Sync`: the web shares one behind an `Arc`.
pub struct Accounts {
    store: Box<dyn AccountStore>,
    clock: Arc<dyn Clock>,
    totp_key: SecretKey,
    audit_key: SecretKey,
    recovery_key: SecretKey,
    /// The last audit row's seq and MAC (loaded on first use); held while appending.
    audit_head: Mutex<Option<(u64, [u8; 32])>>,
    throttle: Mutex<throttle::Throttle>,
    /// Serialises changes to users, so "at least one active admin" holds.
    user_changes: Mutex<()>,
}

impl std::fmt::Debug for Accounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Accounts")
            .field("backend", &self.store.backend())
            .finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding one of these leaves nothing half-done worth refusing over.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// RFC 3339 for Unix seconds.
pub(crate) fn rfc3339(secs: i64) -> String {
    Timestamp::from_second(secs)
        .map(|t| t.to_string())
        .unwrap_or_else(|_| secs.to_string())
}

fn user_from_row(r: &UserRow) -> User {
    User {
        id: r.id.clone(),
        username: r.username.clone(),
        display_name: r.display_name.clone(),
        role: r.role,
        totp_enabled: r.totp_sealed.is_some(),
        disabled: r.disabled,
        created_at: rfc3339(r.created_at),
    }
}

fn org_from_row(r: OrgRow) -> OrgSettings {
    OrgSettings {
        name: r.name,
        require_totp: r.require_totp,
        idle_timeout_minutes: r.idle_timeout_minutes,
        absolute_timeout_hours: r.absolute_timeout_hours,
    }
}

fn not_found(what: &'static str, id: &str) -> ServiceError {
    ServiceError::NotFound {
        what,
        id: id.to_string(),
    }
}

impl Accounts {
    /// Accounts over `store`, with keys derived from the installation's master key.
    pub fn new(store: Box<dyn AccountStore>, master: &SecretKey, clock: Arc<dyn Clock>) -> Self {
        Self {
            store,
            clock,
            totp_key: master.derive(TOTP_KEY_LABEL),
            audit_key: master.derive(AUDIT_KEY_LABEL),
            recovery_key: master.derive(RECOVERY_KEY_LABEL),
            audit_head: Mutex::new(None),
            throttle: Mutex::new(throttle::Throttle::default()),
            user_changes: Mutex::new(()),
        }
    }

    /// Open (creating it if missing) `accounts.db` in the data directory `dir`.
    pub(crate) fn open(dir: &Path, master: &SecretKey, clock: Arc<dyn Clock>) -> Result<Self> {
        let store = SqliteAccounts::open(&dir.join(ACCOUNTS_FILE))?;
        password::warm_up();
        Ok(Self::new(Box::new(store), master, clock))
    }

    fn now(&self) -> Timestamp {
        self.clock.now()
    }

    fn now_secs(&self) -> i64 {
        self.clock.now().as_second()
    }

    /// The user row, or NotFound.
    fn user_row(&self, id: &str) -> Result<UserRow> {
        self.store.user(id)?.ok_or_else(|| not_found("user", id))
    }

    /// The user row of an active account, or NotFound (a disabled account acts as absent).
    fn active_user_row(&self, id: &str) -> Result<UserRow> {
        let row = self.user_row(id)?;
        if row.disabled {
            return Err(ServiceError::Forbidden("This account is disabled.".into()));
        }
        Ok(row)
    }

    /// The actor, re-read from the store, if they are an active administrator now.
    fn require_admin(&self, actor: &User) -> Result<UserRow> {
        match self.store.user(&actor.id)? {
            Some(row) if !row.disabled && row.role == Role::Admin => Ok(row),
            _ => Err(ServiceError::Forbidden(
                "Only an administrator can manage users and organisation settings.".into(),
            )),
        }
    }

    /// Write an audit row for an account event, without failing the change it records
    /// (the change is already made; an audit write error is returned only if asked).
    fn audit_account(
        &self,
        actor: Option<&str>,
        action: AuditAction,
        target: Option<&str>,
        detail: Option<&str>,
        client: Option<&str>,
    ) -> Result<()> {
        self.audit(&AuditEvent {
            actor,
            action,
            case_id: None,
            target,
            detail,
            client,
        })
    }
}

impl crate::ledger::Palisade {
    /// Problems in the audit trail's MAC chain (none if there is no `accounts.db`).
    pub(crate) fn audit_trail_problems(&self) -> Result<Vec<String>> {
        if !self.dir.join(ACCOUNTS_FILE).is_file() {
            return Ok(Vec::new());
        }
        Accounts::open(&self.dir, &self.master, Arc::new(SystemClock))?.verify_audit()
    }
}
