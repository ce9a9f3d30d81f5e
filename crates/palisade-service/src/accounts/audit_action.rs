//! The closed list of things the audit trail records.

macro_rules! audit_actions {
    ($($variant:ident => $name:literal,)*) => {
        /// What happened. Stored by name (`as_str`); the list only grows.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum AuditAction {
            $($variant,)*
        }

        impl AuditAction {
            pub const ALL: &'static [AuditAction] = &[$(AuditAction::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(AuditAction::$variant => $name,)*
                }
            }
        }
    };
}

audit_actions! {
    SignIn => "sign_in",
    SignInFailed => "sign_in_failed",
    SignOut => "sign_out",
    CaseViewed => "case_viewed",
    CaseOpened => "case_opened",
    CaseClosed => "case_closed",
    EntryLogged => "entry_logged",
    EntryCorrected => "entry_corrected",
    EntryRetracted => "entry_retracted",
    AttachmentDownloaded => "attachment_downloaded",
    SearchHit => "search_hit",
    Export => "export",
    Import => "import",
    ActionRecorded => "action_recorded",
    ShareGranted => "share_granted",
    ShareRevoked => "share_revoked",
    FlagPublished => "flag_published",
    FlagWithdrawn => "flag_withdrawn",
    ExhibitRecorded => "exhibit_recorded",
    LetterIssued => "letter_issued",
    UserCreated => "user_created",
    UserChanged => "user_changed",
    PasswordChanged => "password_changed",
    PasswordReset => "password_reset",
    TotpEnabled => "totp_enabled",
    TotpDisabled => "totp_disabled",
    RecoveryCodesRegenerated => "recovery_codes_regenerated",
    TokenCreated => "token_created",
    TokenRevoked => "token_revoked",
    SessionEnded => "session_ended",
    SettingsChanged => "settings_changed",
    SetupCompleted => "setup_completed",
    ApiCall => "api_call",
}

impl std::fmt::Display for AuditAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for AuditAction {
    type Err = crate::ServiceError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AuditAction::ALL
            .iter()
            .copied()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| crate::ServiceError::Invalid(format!("unknown audit action '{s}'")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_parse_back() {
        let mut seen = std::collections::HashSet::new();
        for a in AuditAction::ALL {
            assert!(seen.insert(a.as_str()), "duplicate {}", a.as_str());
            assert_eq!(a.as_str().parse::<AuditAction>().unwrap(), *a);
        }
        assert!("nope".parse::<AuditAction>().is_err());
    }
}
