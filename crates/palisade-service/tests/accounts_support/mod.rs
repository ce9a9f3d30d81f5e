//! Shared set-up of the account tests: a real data directory (real SQLite files
//! in a temporary folder), a manual clock, and an organisation with its first
//! administrator.
#![allow(dead_code)]

use palisade_service::{Accounts, KeyOptions, ManualClock, Palisade, Password, User};
use std::sync::Arc;
use tempfile::TempDir;

pub const ADMIN_PASSWORD: &str = "admin passphrase for tests";
pub const START: &str = "2026-03-02T09:00:00Z";

pub struct Env {
    pub dir: TempDir,
    pub pal: Palisade,
    pub clock: Arc<ManualClock>,
    pub acc: Accounts,
    pub admin: User,
}

impl Env {
    pub fn data_dir(&self) -> std::path::PathBuf {
        self.dir.path().join("data")
    }

    /// Open the same account database again (as a restarted server would).
    pub fn reopen(&self) -> Accounts {
        self.pal
            .open_accounts(self.clock.clone())
            .expect("reopen accounts")
    }

    pub fn advance_secs(&self, secs: u64) {
        self.clock.advance(std::time::Duration::from_secs(secs));
    }

    pub fn now_secs(&self) -> u64 {
        u64::try_from(self.clock.now().as_second()).expect("after 1970")
    }

    /// A user with a known password (`"{username} password for tests"`).
    pub fn user(&self, username: &str, role: palisade_service::Role) -> User {
        self.acc
            .create_user(
                &self.admin,
                username,
                &format!("Dr {username}"),
                role,
                &pw(&user_password(username)),
            )
            .expect("create user")
    }
}

pub fn user_password(username: &str) -> String {
    format!("{username} has a long password")
}

pub fn pw(s: &str) -> Password {
    Password::from(s)
}

/// A data directory with no accounts yet.
pub fn bare() -> (TempDir, Palisade, Arc<ManualClock>, Accounts) {
    let dir = tempfile::tempdir().expect("tempdir");
    let keys = KeyOptions {
        key_file: Some(dir.path().join("master.key")),
        passphrase: None,
    };
    let (pal, _) = Palisade::init(&dir.path().join("data"), &keys).expect("init");
    let clock = Arc::new(ManualClock::new(START.parse().expect("time")));
    let acc = pal.open_accounts(clock.clone()).expect("open accounts");
    (dir, pal, clock, acc)
}

/// A data directory with an organisation and its first administrator.
pub fn env() -> Env {
    let (dir, pal, clock, acc) = bare();
    let token = acc
        .issue_setup_token()
        .expect("token")
        .expect("setup needed");
    let admin = acc
        .complete_setup(
            &token,
            "Riverside Surgery",
            "admin",
            "Practice Admin",
            &pw(ADMIN_PASSWORD),
        )
        .expect("setup");
    Env {
        dir,
        pal,
        clock,
        acc,
        admin,
    }
}

/// The authenticator code for `unix_secs` (RFC 6238, SHA-1, 6 digits, 30 s).
pub fn totp_code(secret_base32: &str, unix_secs: u64) -> String {
    let secret = totp_rs::Secret::try_from_base32(secret_base32).expect("base32");
    totp_rs::Builder::new()
        .with_secret(secret.as_ref().to_vec())
        .build()
        .expect("totp")
        .generate(unix_secs)
        .to_string()
}
