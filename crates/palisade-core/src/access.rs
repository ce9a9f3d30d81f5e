//! Who may do what with a case: the roles of the web application and the
//! one rule that decides every request. Pure: the caller supplies the
//! user's role and relation to the case (from the account store and the
//! case's own records, where ownership and shares are recorded).

use serde::{Deserialize, Serialize};

/// An account's role in the organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Manages users and organisation settings; reads only cases shared with them.
    Admin,
    /// Opens and owns cases about themselves; reads their own and shared cases.
    Clinician,
    /// Clinical director, partner or practice manager: reads shared cases,
    /// records actions such as the formal letter, may also open cases.
    Manager,
    /// Sees no case content: only the flags published for colleagues.
    Colleague,
}

impl Role {
    pub const ALL: &'static [Role] =
        &[Role::Admin, Role::Clinician, Role::Manager, Role::Colleague];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Clinician => "clinician",
            Role::Manager => "manager",
            Role::Colleague => "colleague",
        }
    }

    /// A label for people ("Practice manager or partner").
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Administrator",
            Role::Clinician => "Clinician",
            Role::Manager => "Manager or partner",
            Role::Colleague => "Colleague",
        }
    }

    /// Whether a case may be shared with someone in this role.
    pub fn can_receive_share(self) -> bool {
        !matches!(self, Role::Colleague)
    }

    /// Whether someone in this role may open a case (and so own it).
    pub fn can_open_cases(self) -> bool {
        matches!(self, Role::Clinician | Role::Manager)
    }
}

impl std::str::FromStr for Role {
    type Err = crate::domain::UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .iter()
            .copied()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| crate::domain::UnknownValue {
                what: "role",
                given: s.to_string(),
                allowed: "admin, clinician, manager, colleague".to_string(),
            })
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a user stands to one case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    /// The case's owner (the user who opened it).
    Owner,
    /// The case is shared with the user (a share record not since revoked).
    Shared,
    /// Neither.
    None,
}

/// Something a user may ask to do with a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capability {
    /// Read the case, its entries and attachments.
    Read,
    /// Log a contact, correct or retract one, record an action, add to the
    /// physical evidence register, acknowledge a triage flag.
    Record,
    /// Publish or withdraw a flag for colleagues.
    PublishFlag,
    /// Import an export, export an evidence bundle, issue a letter.
    Disclose,
    /// Share or revoke, close the case, read its audit trail.
    Govern,
}

/// The one access rule. A colleague never reaches case content, whatever
/// the relation says; an admin reads only what is shared with them.
pub fn allowed(role: Role, relation: Relation, what: Capability) -> bool {
    if role == Role::Colleague {
        return false;
    }
    match relation {
        Relation::None => false,
        Relation::Owner => true,
        Relation::Shared => match what {
            Capability::Read => true,
            Capability::Record => role != Role::Admin,
            Capability::PublishFlag | Capability::Disclose => role == Role::Manager,
            Capability::Govern => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CAPS: [Capability; 5] = [
        Capability::Read,
        Capability::Record,
        Capability::PublishFlag,
        Capability::Disclose,
        Capability::Govern,
    ];

    #[test]
    fn colleagues_and_strangers_get_nothing() {
        for &role in Role::ALL {
            for cap in CAPS {
                assert!(!allowed(role, Relation::None, cap), "{role} {cap:?}");
                assert!(!allowed(Role::Colleague, Relation::Owner, cap));
                assert!(!allowed(Role::Colleague, Relation::Shared, cap));
            }
        }
    }

    #[test]
    fn owners_may_do_everything() {
        for role in [Role::Admin, Role::Clinician, Role::Manager] {
            for cap in CAPS {
                assert!(allowed(role, Relation::Owner, cap), "{role} {cap:?}");
            }
        }
    }

    #[test]
    fn shared_users_read_and_managers_disclose() {
        assert!(allowed(Role::Admin, Relation::Shared, Capability::Read));
        assert!(!allowed(Role::Admin, Relation::Shared, Capability::Record));
        assert!(allowed(
            Role::Clinician,
            Relation::Shared,
            Capability::Record
        ));
        assert!(!allowed(
            Role::Clinician,
            Relation::Shared,
            Capability::Disclose
        ));
        assert!(allowed(
            Role::Manager,
            Relation::Shared,
            Capability::Disclose
        ));
        assert!(allowed(
            Role::Manager,
            Relation::Shared,
            Capability::PublishFlag
        ));
        for role in [Role::Admin, Role::Clinician, Role::Manager] {
            assert!(!allowed(role, Relation::Shared, Capability::Govern));
        }
    }

    #[test]
    fn roles_round_trip() {
        for &r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>(), Ok(r));
        }
        assert!("root".parse::<Role>().is_err());
    }
}
