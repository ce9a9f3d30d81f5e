//! Setting up, confirming and turning off the authenticator app, and recovery codes.

use super::{Accounts, AuditAction, Password, TotpEnrolment, recovery, totp};
use crate::error::{Result, ServiceError};
use palisade_core::crypto;

impl Accounts {
    /// Start enrolling an authenticator app: a fresh secret, kept sealed as pending
    /// until [`Accounts::confirm_totp`]. Calling again replaces the pending secret.
    pub fn begin_totp(&self, user_id: &str) -> Result<TotpEnrolment> {
        let row = self.active_user_row(user_id)?;
        let secret = totp::new_secret()?;
        let sealed = crypto::seal(&self.totp_key, row.id.as_bytes(), &secret)?;
        let org = self.org()?;
        let issuer = if org.name.is_empty() {
            "Palisade".to_string()
        } else {
            format!("Palisade ({})", org.name)
        };
        let enrolment = totp::enrolment(&secret, &issuer, &row.username)?;
        self.store.set_totp_pending(&row.id, Some(&sealed))?;
        Ok(enrolment)
    }

    /// Confirm enrolment with a code from the app: two-step sign-in is then on, and
    /// the user gets 10 fresh recovery codes (shown once; only their hashes are kept).
    pub fn confirm_totp(&self, user_id: &str, code: &str) -> Result<Vec<String>> {
        let row = self.active_user_row(user_id)?;
        let Some(pending) = &row.totp_pending_sealed else {
            return Err(ServiceError::Invalid(
                "There is no authenticator set-up in progress; start again from your account page."
                    .into(),
            ));
        };
        let secret = self.open_totp_secret(&row.id, pending)?;
        let now = u64::try_from(self.now_secs()).unwrap_or(0);
        let Some(step) = totp::matching_step(&secret, code, now)? else {
            return Err(ServiceError::BadSecondFactor);
        };
        let codes = recovery::generate()?;
        let hashes: Vec<[u8; 32]> = codes
            .iter()
            .map(|c| recovery::hash(&self.recovery_key, c))
            .collect();
        self.store.replace_recovery_codes(&row.id, &hashes)?;
        self.store.set_totp(&row.id, Some(pending), Some(step))?;
        self.audit_account(
            Some(&row.id),
            AuditAction::TotpEnabled,
            Some(&row.id),
            None,
            None,
        )?;
        Ok(codes)
    }

    /// Turn two-step sign-in off (the password is checked). Refused while the
    /// organisation requires it.
    pub fn disable_totp(&self, user_id: &str, password: &Password) -> Result<()> {
        let row = self.active_user_row(user_id)?;
        if self.org()?.require_totp {
            return Err(ServiceError::Forbidden(
                "Your organisation requires two-step sign-in, so it cannot be turned off.".into(),
            ));
        }
        self.confirm_own_password(
            &row,
            password,
            "Your password is not right; two-step sign-in is still on.",
        )?;
        self.store.set_totp(&row.id, None, None)?;
        self.store.replace_recovery_codes(&row.id, &[])?;
        self.audit_account(
            Some(&row.id),
            AuditAction::TotpDisabled,
            Some(&row.id),
            None,
            None,
        )
    }

    /// Replace the user's recovery codes with 10 fresh ones (shown once).
    pub fn new_recovery_codes(&self, user_id: &str) -> Result<Vec<String>> {
        let row = self.active_user_row(user_id)?;
        if row.totp_sealed.is_none() {
            return Err(ServiceError::Invalid(
                "Recovery codes come with two-step sign-in: set up an authenticator app first."
                    .into(),
            ));
        }
        let codes = recovery::generate()?;
        let hashes: Vec<[u8; 32]> = codes
            .iter()
            .map(|c| recovery::hash(&self.recovery_key, c))
            .collect();
        self.store.replace_recovery_codes(&row.id, &hashes)?;
        self.audit_account(
            Some(&row.id),
            AuditAction::RecoveryCodesRegenerated,
            Some(&row.id),
            None,
            None,
        )?;
        Ok(codes)
    }
}
