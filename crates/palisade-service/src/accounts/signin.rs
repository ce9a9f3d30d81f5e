//! Signing in: the password, then (if the user has one) the second factor,
//! throttled per account and per client address; and changing one's password.

use super::secrets::ct_eq;
use super::{
    Accounts, AuditAction, LoginOutcome, Password, lock, password, recovery, totp, user_from_row,
};
use crate::error::{Result, ServiceError};
use palisade_core::crypto;
use palisade_store::accounts::UserRow;
use zeroize::Zeroizing;

/// The throttle key of an account: its lower-case username (also for unknown names).
fn account_key(username: &str) -> String {
    username.trim().to_lowercase()
}

impl Accounts {
    /// Refuse early (before any hashing) if the account or client is locked out.
    fn throttle_check(&self, account: &str, client: &str) -> Result<()> {
        let now = self.now_secs();
        match lock(&self.throttle).refused(account, client, now) {
            Some(retry_after_secs) => Err(ServiceError::Throttled { retry_after_secs }),
            None => Ok(()),
        }
    }

    fn throttle_failed(&self, account: &str, client: &str) {
        let now = self.now_secs();
        lock(&self.throttle).failed(account, client, now);
    }

    fn throttle_succeeded(&self, account: &str) {
        lock(&self.throttle).succeeded(account);
    }

    /// Record a failed attempt (throttle and audit) and return `err`.
    fn sign_in_failed(
        &self,
        account: &str,
        user: Option<&UserRow>,
        client: &str,
        what: &str,
        err: ServiceError,
    ) -> Result<ServiceError> {
        self.throttle_failed(account, client);
        let id = user.map(|u| u.id.as_str());
        self.audit_account(
            None,
            AuditAction::SignInFailed,
            id,
            Some(what),
            Some(client),
        )?;
        Ok(err)
    }

    /// Check a username and password. Slow on purpose (Argon2id): call it from a
    /// blocking task. An unknown or disabled account fails exactly like a wrong
    /// password, after the same work.
    pub fn check_password(
        &self,
        username: &str,
        password: &Password,
        client: &str,
    ) -> Result<LoginOutcome> {
        let key = account_key(username);
        self.throttle_check(&key, client)?;
        let row = self.store.user_by_username(&key)?;
        let ok = match &row {
            Some(r) => password::verify(&r.password_hash, password) && !r.disabled,
            None => {
                password::verify_dummy(password);
                false
            }
        };
        let Some(row) = row.filter(|_| ok) else {
            return Err(self.sign_in_failed(
                &key,
                None,
                client,
                "password",
                ServiceError::BadCredentials,
            )?);
        };
        let user = user_from_row(&row);
        if user.totp_enabled {
            // The count is reset only once the second factor is through too.
            return Ok(LoginOutcome::NeedsSecondFactor(user));
        }
        self.throttle_succeeded(&key);
        if self.org()?.require_totp {
            Ok(LoginOutcome::MustEnrolTotp(user))
        } else {
            Ok(LoginOutcome::SignedIn(user))
        }
    }

    /// Check the second factor: a current authenticator code (one step of skew; a
    /// step already used is never accepted again) or an unused recovery code (then
    /// used up). Throttled like the password.
    pub fn check_second_factor(&self, user_id: &str, code: &str, client: &str) -> Result<()> {
        let row = self.user_row(user_id)?;
        let key = account_key(&row.username);
        self.throttle_check(&key, client)?;
        let ok = !row.disabled && row.totp_sealed.is_some() && self.second_factor_ok(&row, code)?;
        if !ok {
            return Err(self.sign_in_failed(
                &key,
                Some(&row),
                client,
                "second factor",
                ServiceError::BadSecondFactor,
            )?);
        }
        self.throttle_succeeded(&key);
        Ok(())
    }

    fn second_factor_ok(&self, row: &UserRow, code: &str) -> Result<bool> {
        if recovery::looks_like_one(code) {
            let presented = recovery::hash(&self.recovery_key, code);
            let mut hit = None;
            for c in self.store.unused_recovery_codes(&row.id)? {
                // Every stored code is compared, in constant time.
                if ct_eq(&c.code_hash, &presented) {
                    hit = Some(c.id);
                }
            }
            return match hit {
                Some(id) => Ok(self.store.consume_recovery_code(&row.id, id)?),
                None => Ok(false),
            };
        }
        let Some(sealed) = &row.totp_sealed else {
            return Ok(false);
        };
        let secret = self.open_totp_secret(&row.id, sealed)?;
        let now = u64::try_from(self.now_secs()).unwrap_or(0);
        match totp::matching_step(&secret, code, now)? {
            Some(step) => Ok(self.store.claim_totp_step(&row.id, step)?),
            None => Ok(false),
        }
    }

    /// A stored TOTP secret, unsealed (bound to the user id).
    pub(super) fn open_totp_secret(
        &self,
        user_id: &str,
        sealed: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>> {
        crypto::open(&self.totp_key, user_id.as_bytes(), sealed)
            .map(Zeroizing::new)
            .map_err(|_| {
                ServiceError::Integrity(format!(
                    "the authenticator secret of user {user_id} cannot be decrypted"
                ))
            })
    }

    /// Check a signed-in user's own password before a sensitive change; failures
    /// count against the account's sign-in throttle.
    pub(super) fn confirm_own_password(
        &self,
        row: &UserRow,
        password: &Password,
        wrong: &str,
    ) -> Result<()> {
        let key = account_key(&row.username);
        // Counted against the account (the per-address count is for sign-in forms).
        let client = format!("own-password:{}", row.id);
        self.throttle_check(&key, &client)?;
        if !password::verify(&row.password_hash, password) {
            self.throttle_failed(&key, &client);
            return Err(ServiceError::Invalid(wrong.to_string()));
        }
        Ok(())
    }

    /// Change one's own password (the current one is checked, and throttled); ends
    /// every other session of the user.
    pub fn change_password(
        &self,
        user_id: &str,
        current: &Password,
        new: &Password,
        keep_session_id: &str,
    ) -> Result<()> {
        let row = self.active_user_row(user_id)?;
        self.confirm_own_password(
            &row,
            current,
            "Your current password is not right; nothing was changed.",
        )?;
        password::check_rules(&row.username, new)?;
        let phc = password::hash(new)?;
        self.store.set_password_hash(&row.id, &phc)?;
        self.store
            .delete_sessions_of(&row.id, Some(keep_session_id))?;
        self.audit_account(
            Some(&row.id),
            AuditAction::PasswordChanged,
            Some(&row.id),
            None,
            None,
        )
    }
}
