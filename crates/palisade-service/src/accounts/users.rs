//! Users: administrators create and change them; anyone may look them up.

use super::{Accounts, AuditAction, Password, Role, User, lock, password, user_from_row};
use crate::error::{Result, ServiceError};
use palisade_core::ids::new_id;
use palisade_store::accounts::UserRow;

const MAX_DISPLAY_NAME_CHARS: usize = 100;

/// Lower-case, trimmed, and `[a-z0-9._-]{2,64}`.
pub(super) fn normalise_username(username: &str) -> Result<String> {
    let u = username.trim().to_lowercase();
    let ok = (2..=64).contains(&u.len())
        && u.bytes().all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'.' | b'_' | b'-')
        });
    if !ok {
        return Err(ServiceError::Invalid(
            "A username must be 2 to 64 characters: letters a-z, digits, dots, dashes or underscores (for example j.smith)."
                .into(),
        ));
    }
    Ok(u)
}

/// Trimmed, 1 to 100 characters, one line.
pub(super) fn check_display_name(name: &str) -> Result<String> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > MAX_DISPLAY_NAME_CHARS || n.chars().any(char::is_control)
    {
        return Err(ServiceError::Invalid(format!(
            "Enter the person's name as colleagues know it (1 to {MAX_DISPLAY_NAME_CHARS} characters, one line)."
        )));
    }
    Ok(n.to_string())
}

impl Accounts {
    /// Create an account (administrators only). Usernames are unique, case-insensitively.
    pub fn create_user(
        &self,
        actor: &User,
        username: &str,
        display_name: &str,
        role: Role,
        password: &Password,
    ) -> Result<User> {
        let admin = self.require_admin(actor)?;
        let username = normalise_username(username)?;
        let display_name = check_display_name(display_name)?;
        password::check_rules(&username, password)?;
        let row = UserRow {
            id: new_id("usr")?,
            username,
            display_name,
            role,
            password_hash: password::hash(password)?,
            totp_sealed: None,
            totp_pending_sealed: None,
            totp_last_step: None,
            disabled: false,
            created_at: self.now_secs(),
        };
        {
            let _guard = lock(&self.user_changes);
            if !self.store.insert_user(&row)? {
                return Err(ServiceError::Invalid(format!(
                    "The username '{}' is already taken; choose another.",
                    row.username
                )));
            }
        }
        self.audit_account(
            Some(&admin.id),
            AuditAction::UserCreated,
            Some(&row.id),
            Some(role.as_str()),
            None,
        )?;
        Ok(user_from_row(&row))
    }

    /// Change a user's role or disable/enable them (administrators only). Never
    /// leaves the organisation without an active administrator. Disabling ends
    /// the user's sessions; their API tokens stop working at once.
    pub fn update_user(
        &self,
        actor: &User,
        user_id: &str,
        role: Option<Role>,
        disabled: Option<bool>,
    ) -> Result<User> {
        let admin = self.require_admin(actor)?;
        let updated = {
            let _guard = lock(&self.user_changes);
            let mut row = self.user_row(user_id)?;
            let new_role = role.unwrap_or(row.role);
            let new_disabled = disabled.unwrap_or(row.disabled);
            let loses_admin = row.role == Role::Admin
                && !row.disabled
                && (new_role != Role::Admin || new_disabled);
            if loses_admin {
                let other_admins = self
                    .store
                    .users()?
                    .iter()
                    .filter(|u| u.id != row.id && u.role == Role::Admin && !u.disabled)
                    .count();
                if other_admins == 0 {
                    return Err(ServiceError::Invalid(
                        "This is the only active administrator: make someone else an administrator first."
                            .into(),
                    ));
                }
            }
            if new_role == row.role && new_disabled == row.disabled {
                return Ok(user_from_row(&row));
            }
            self.store
                .set_role_and_disabled(&row.id, new_role, new_disabled)?;
            let mut changes = Vec::new();
            if new_role != row.role {
                changes.push(format!("role {} -> {}", row.role, new_role));
            }
            if new_disabled != row.disabled {
                changes.push(if new_disabled { "disabled" } else { "enabled" }.to_string());
            }
            row.role = new_role;
            row.disabled = new_disabled;
            if new_disabled {
                self.store.delete_sessions_of(&row.id, None)?;
            }
            (row, changes.join(", "))
        };
        let (row, detail) = updated;
        self.audit_account(
            Some(&admin.id),
            AuditAction::UserChanged,
            Some(&row.id),
            Some(&detail),
            None,
        )?;
        Ok(user_from_row(&row))
    }

    /// Set a new password for someone who lost theirs (administrators only); ends
    /// all of that user's sessions.
    pub fn reset_password(&self, actor: &User, user_id: &str, new: &Password) -> Result<()> {
        let admin = self.require_admin(actor)?;
        let row = self.user_row(user_id)?;
        password::check_rules(&row.username, new)?;
        let phc = password::hash(new)?;
        self.store.set_password_hash(&row.id, &phc)?;
        self.store.delete_sessions_of(&row.id, None)?;
        self.audit_account(
            Some(&admin.id),
            AuditAction::PasswordReset,
            Some(&row.id),
            None,
            None,
        )
    }

    /// For whoever holds the master key, at the console (`palisade` CLI), when no
    /// administrator can sign in: set a user's password, enable the account, and
    /// optionally turn off two-step sign-in (a lost phone). Ends the user's sessions.
    pub fn reset_password_from_console(
        &self,
        username: &str,
        new: &Password,
        turn_off_two_factor: bool,
    ) -> Result<User> {
        let key = username.trim().to_lowercase();
        let row = self
            .store
            .user_by_username(&key)?
            .ok_or_else(|| super::not_found("user", &key))?;
        password::check_rules(&row.username, new)?;
        let phc = password::hash(new)?;
        {
            let _guard = lock(&self.user_changes);
            self.store.set_password_hash(&row.id, &phc)?;
            self.store.set_role_and_disabled(&row.id, row.role, false)?;
            if turn_off_two_factor {
                self.store.set_totp(&row.id, None, None)?;
                self.store.replace_recovery_codes(&row.id, &[])?;
            }
            self.store.delete_sessions_of(&row.id, None)?;
        }
        let detail = if turn_off_two_factor {
            "at the console; two-step sign-in turned off"
        } else {
            "at the console"
        };
        self.audit_account(
            None,
            AuditAction::PasswordReset,
            Some(&row.id),
            Some(detail),
            None,
        )?;
        self.user_row(&row.id).map(|r| user_from_row(&r))
    }

    /// Every account, by username.
    pub fn users(&self) -> Result<Vec<User>> {
        Ok(self.store.users()?.iter().map(user_from_row).collect())
    }

    pub fn user(&self, id: &str) -> Result<Option<User>> {
        Ok(self.store.user(id)?.as_ref().map(user_from_row))
    }

    /// By username, case-insensitively.
    pub fn user_by_username(&self, username: &str) -> Result<Option<User>> {
        let u = username.trim().to_lowercase();
        Ok(self.store.user_by_username(&u)?.as_ref().map(user_from_row))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_normalised_and_checked() {
        assert_eq!(normalise_username("  J.Smith ").unwrap(), "j.smith");
        for bad in ["a", "", "has space", "émile", "x@y", &"a".repeat(65)] {
            assert!(normalise_username(bad).is_err(), "{bad}");
        }
        assert_eq!(
            check_display_name(" Dr Jane Smith ").unwrap(),
            "Dr Jane Smith"
        );
        assert!(check_display_name("  ").is_err());
        assert!(check_display_name("two\nlines").is_err());
    }
}
