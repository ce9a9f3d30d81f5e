//! The account types the web layer sees.

use jiff::Timestamp;
use palisade_core::access::Role;
use serde::Serialize;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// A password as typed. Never printed; zeroed when dropped.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Password(String);

impl Password {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for Password {
    fn from(s: String) -> Self {
        Self(s)
    }
}

impl From<&str> for Password {
    fn from(s: &str) -> Self {
        Self(s.to_string())
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

/// A local account, without any secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    /// `usr_…`
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub totp_enabled: bool,
    pub disabled: bool,
    /// RFC 3339 UTC.
    pub created_at: String,
}

/// The organisation's settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrgSettings {
    pub name: String,
    pub require_totp: bool,
    /// Default 30.
    pub idle_timeout_minutes: u32,
    /// Default 12.
    pub absolute_timeout_hours: u32,
}

impl Default for OrgSettings {
    fn default() -> Self {
        Self {
            name: String::new(),
            require_totp: false,
            idle_timeout_minutes: 30,
            absolute_timeout_hours: 12,
        }
    }
}

/// What a correct password leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginOutcome {
    /// Signed in (no second factor set up, none required).
    SignedIn(User),
    /// The user has TOTP: ask for a code or a recovery code next.
    NeedsSecondFactor(User),
    /// The organisation requires TOTP and the user has none yet: enrol before anything else.
    MustEnrolTotp(User),
}

impl LoginOutcome {
    pub fn user(&self) -> &User {
        match self {
            LoginOutcome::SignedIn(u)
            | LoginOutcome::NeedsSecondFactor(u)
            | LoginOutcome::MustEnrolTotp(u) => u,
        }
    }
}

/// A session as listed (never the cookie value). `Debug` leaves out the CSRF token.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionInfo {
    /// Public id, not the cookie.
    pub id: String,
    pub user_id: String,
    pub created_at: Timestamp,
    pub last_seen: Timestamp,
    pub second_factor_done: bool,
    pub csrf_token: String,
    pub client: String,
    pub user_agent: String,
}

impl std::fmt::Debug for SessionInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionInfo")
            .field("id", &self.id)
            .field("user_id", &self.user_id)
            .field("created_at", &self.created_at)
            .field("last_seen", &self.last_seen)
            .field("second_factor_done", &self.second_factor_done)
            .field("csrf_token", &"***")
            .field("client", &self.client)
            .field("user_agent", &self.user_agent)
            .finish()
    }
}

/// A fresh session: the cookie value is secret, shown once, stored only as SHA-256.
#[derive(Clone)]
pub struct NewSession {
    pub cookie_value: String,
    pub info: SessionInfo,
}

impl std::fmt::Debug for NewSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewSession")
            .field("cookie_value", &"***")
            .field("info", &self.info)
            .finish()
    }
}

impl Drop for NewSession {
    fn drop(&mut self) {
        self.cookie_value.zeroize();
    }
}

/// A TOTP secret being enrolled: for the authenticator app, shown once.
#[derive(Clone)]
pub struct TotpEnrolment {
    pub secret_base32: String,
    pub otpauth_uri: String,
    /// A PNG of the QR code of `otpauth_uri`, base64 (for a `data:` image).
    pub qr_png_base64: String,
}

impl std::fmt::Debug for TotpEnrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpEnrolment(***)")
    }
}

impl Drop for TotpEnrolment {
    fn drop(&mut self) {
        self.secret_base32.zeroize();
        self.otpauth_uri.zeroize();
    }
}

/// What an API token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    Read,
    Write,
}

impl Scope {
    pub const ALL: &'static [Scope] = &[Scope::Read, Scope::Write];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
        }
    }
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Scope {
    type Err = crate::ServiceError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "read" => Ok(Scope::Read),
            "write" => Ok(Scope::Write),
            other => Err(crate::ServiceError::Invalid(format!(
                "unknown token scope '{other}' (allowed: read, write)"
            ))),
        }
    }
}

/// An API token as listed (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiTokenInfo {
    pub id: String,
    pub user_id: String,
    pub name: String,
    pub scopes: Vec<Scope>,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked: bool,
}

impl ApiTokenInfo {
    /// Whether the token grants `scope` (a `write` token may also read).
    pub fn allows(&self, scope: Scope) -> bool {
        !self.revoked
            && match scope {
                Scope::Read => !self.scopes.is_empty(),
                Scope::Write => self.scopes.contains(&Scope::Write),
            }
    }
}
