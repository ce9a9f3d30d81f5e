//! Versioned schema of `accounts.db`. Each step runs once, in order, inside a
//! transaction, and is recorded in `schema_migrations`. Never edit a released
//! step; add a new one.

use palisade_store::StoreError;
use rusqlite::Connection;

const STEPS: &[(i64, &str)] = &[(
    1,
    "CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value BLOB NOT NULL
    ) STRICT;
    CREATE TABLE org (
        id                     INTEGER PRIMARY KEY CHECK (id = 1),
        name                   TEXT NOT NULL,
        require_totp           INTEGER NOT NULL,
        idle_timeout_minutes   INTEGER NOT NULL,
        absolute_timeout_hours INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE users (
        id                  TEXT PRIMARY KEY,
        username            TEXT NOT NULL UNIQUE,
        display_name        TEXT NOT NULL,
        role                TEXT NOT NULL,
        password_hash       TEXT NOT NULL,
        totp_sealed         BLOB,
        totp_pending_sealed BLOB,
        totp_last_step      INTEGER,
        disabled            INTEGER NOT NULL DEFAULT 0,
        created_at          INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE recovery_codes (
        id        INTEGER PRIMARY KEY,
        user_id   TEXT NOT NULL REFERENCES users (id),
        code_hash BLOB NOT NULL,
        used_at   INTEGER
    ) STRICT;
    CREATE INDEX recovery_codes_by_user ON recovery_codes (user_id);
    CREATE TABLE sessions (
        id                 TEXT PRIMARY KEY,
        token_hash         BLOB NOT NULL UNIQUE,
        user_id            TEXT NOT NULL REFERENCES users (id),
        created_at         INTEGER NOT NULL,
        last_seen          INTEGER NOT NULL,
        second_factor_done INTEGER NOT NULL,
        csrf_token         TEXT NOT NULL,
        client             TEXT NOT NULL,
        user_agent         TEXT NOT NULL
    ) STRICT;
    CREATE INDEX sessions_by_user ON sessions (user_id);
    CREATE TABLE api_tokens (
        id           TEXT PRIMARY KEY,
        user_id      TEXT NOT NULL REFERENCES users (id),
        name         TEXT NOT NULL,
        scopes       TEXT NOT NULL,
        token_hash   BLOB NOT NULL UNIQUE,
        created_at   INTEGER NOT NULL,
        last_used_at INTEGER,
        revoked      INTEGER NOT NULL DEFAULT 0
    ) STRICT;
    CREATE INDEX api_tokens_by_user ON api_tokens (user_id);
    CREATE TABLE audit (
        seq      INTEGER PRIMARY KEY,
        at       TEXT NOT NULL,
        actor_id TEXT,
        action   TEXT NOT NULL,
        case_id  TEXT,
        target   TEXT,
        detail   TEXT,
        client   TEXT,
        mac      BLOB NOT NULL
    ) STRICT;
    CREATE INDEX audit_by_case ON audit (case_id, seq) WHERE case_id IS NOT NULL;
    CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
    CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;",
)];

/// The newest schema version this build knows (the last step).
#[cfg(test)]
pub const LATEST: i64 = 1;

pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    crate::migrations::apply(conn, STEPS, "account database", "accounts migration")
}
