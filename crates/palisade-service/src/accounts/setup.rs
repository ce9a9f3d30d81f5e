//! First run (the one-time setup link) and the organisation's settings.

use super::secrets::{ct_eq, random_token, sha256};
use super::users::{check_display_name, normalise_username};
use super::{Accounts, AuditAction, OrgSettings, Password, Role, User, org_from_row, password};
use crate::error::{Result, ServiceError};
use palisade_core::ids::new_id;
use palisade_store::accounts::{OrgRow, UserRow};

/// Bounds of the organisation settings.
const MAX_ORG_NAME_CHARS: usize = 200;
const IDLE_MINUTES: std::ops::RangeInclusive<u32> = 5..=480;
const ABSOLUTE_HOURS: std::ops::RangeInclusive<u32> = 1..=72;

fn check_org(s: &OrgSettings) -> Result<OrgRow> {
    let name = s.name.trim();
    if name.is_empty() {
        return Err(ServiceError::Invalid(
            "Enter the organisation's name (for example the practice name).".into(),
        ));
    }
    if name.chars().count() > MAX_ORG_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(ServiceError::Invalid(format!(
            "The organisation name must be at most {MAX_ORG_NAME_CHARS} characters on one line."
        )));
    }
    if !IDLE_MINUTES.contains(&s.idle_timeout_minutes) {
        return Err(ServiceError::Invalid(format!(
            "The idle timeout must be between {} and {} minutes.",
            IDLE_MINUTES.start(),
            IDLE_MINUTES.end()
        )));
    }
    if !ABSOLUTE_HOURS.contains(&s.absolute_timeout_hours) {
        return Err(ServiceError::Invalid(format!(
            "The absolute session timeout must be between {} and {} hours.",
            ABSOLUTE_HOURS.start(),
            ABSOLUTE_HOURS.end()
        )));
    }
    Ok(OrgRow {
        name: name.to_string(),
        require_totp: s.require_totp,
        idle_timeout_minutes: s.idle_timeout_minutes,
        absolute_timeout_hours: s.absolute_timeout_hours,
    })
}

impl Accounts {
    /// Whether the first administrator has yet to be made (no users at all).
    pub fn setup_needed(&self) -> Result<bool> {
        Ok(self.store.user_count()? == 0)
    }

    /// While setup is needed: a fresh one-time setup token, replacing any earlier one
    /// (only its hash is stored). Once set up: `None`.
    pub fn issue_setup_token(&self) -> Result<Option<String>> {
        if !self.setup_needed()? {
            return Ok(None);
        }
        let token = random_token()?;
        self.store.set_setup_token_hash(Some(&sha256(&token)))?;
        Ok(Some(token))
    }

    /// Create the organisation and its first administrator with the one-time token.
    /// The token is then dead.
    pub fn complete_setup(
        &self,
        token: &str,
        org_name: &str,
        username: &str,
        display_name: &str,
        password: &Password,
    ) -> Result<User> {
        let bad_link = || {
            ServiceError::Invalid(
                "This setup link is not valid (it was replaced, or setup is already done). Restart `palisade serve` for a new link."
                    .into(),
            )
        };
        let _guard = super::lock(&self.user_changes);
        if !self.setup_needed()? {
            return Err(bad_link());
        }
        let Some(expected) = self.store.setup_token_hash()? else {
            return Err(bad_link());
        };
        if !ct_eq(&sha256(token), &expected) {
            return Err(bad_link());
        }
        let org = check_org(&OrgSettings {
            name: org_name.to_string(),
            ..OrgSettings::default()
        })?;
        let username = normalise_username(username)?;
        let display_name = check_display_name(display_name)?;
        password::check_rules(&username, password)?;
        let row = UserRow {
            id: new_id("usr")?,
            username,
            display_name,
            role: Role::Admin,
            password_hash: password::hash(password)?,
            totp_sealed: None,
            totp_pending_sealed: None,
            totp_last_step: None,
            disabled: false,
            created_at: self.now_secs(),
        };
        if !self.store.complete_setup(&org, &row)? {
            return Err(bad_link());
        }
        self.audit_account(
            Some(&row.id),
            AuditAction::SetupCompleted,
            Some(&row.id),
            None,
            None,
        )?;
        Ok(super::user_from_row(&row))
    }

    /// The organisation's settings (defaults, with an empty name, before setup).
    pub fn org(&self) -> Result<OrgSettings> {
        Ok(self.store.org()?.map(org_from_row).unwrap_or_default())
    }

    /// Change the organisation's settings (administrators only).
    pub fn update_org(&self, actor: &User, s: &OrgSettings) -> Result<()> {
        let admin = self.require_admin(actor)?;
        let row = check_org(s)?;
        let before = self.org()?;
        self.store.put_org(&row)?;
        let mut changed = Vec::new();
        if before.name != row.name {
            changed.push("name");
        }
        if before.require_totp != row.require_totp {
            changed.push(if row.require_totp {
                "two-step sign-in required"
            } else {
                "two-step sign-in optional"
            });
        }
        if before.idle_timeout_minutes != row.idle_timeout_minutes {
            changed.push("idle timeout");
        }
        if before.absolute_timeout_hours != row.absolute_timeout_hours {
            changed.push("absolute timeout");
        }
        let detail = changed.join(", ");
        self.audit_account(
            Some(&admin.id),
            AuditAction::SettingsChanged,
            None,
            Some(&detail).filter(|d| !d.is_empty()).map(|d| d.as_str()),
            None,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn org_settings_are_checked() {
        let ok = OrgSettings {
            name: "  Riverside Surgery ".into(),
            ..OrgSettings::default()
        };
        assert_eq!(check_org(&ok).unwrap().name, "Riverside Surgery");
        let blank = OrgSettings::default();
        assert!(check_org(&blank).is_err());
        let idle = OrgSettings {
            idle_timeout_minutes: 1,
            ..ok.clone()
        };
        assert!(
            check_org(&idle)
                .unwrap_err()
                .to_string()
                .contains("idle timeout")
        );
        let abs = OrgSettings {
            absolute_timeout_hours: 0,
            ..ok
        };
        assert!(check_org(&abs).is_err());
    }
}
