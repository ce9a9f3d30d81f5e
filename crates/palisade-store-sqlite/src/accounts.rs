//! The SQLite account store: its own file (`accounts.db`) beside the ledger,
//! WAL with `synchronous = NORMAL` (account state and the audit trail are
//! high-volume and not evidence; a crash may lose the last moments of audit
//! rows but never corrupts the file), foreign keys on, versioned migrations.

mod schema;

use palisade_core::access::Role;
use palisade_store::accounts::{
    AccountStore, ApiTokenRow, AuditRow, OrgRow, RecoveryCodeRow, SessionRow, UserRow,
};
use palisade_store::{Hash, StoreError};
use rusqlite::{Connection, OpenFlags, OptionalExtension, Row, TransactionBehavior, params};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// File name of the account database inside a data directory.
pub const ACCOUNTS_DB_FILE: &str = "accounts.db";

const SETUP_TOKEN_KEY: &str = "setup_token_hash";

/// The account store over one SQLite connection (behind a mutex; every call is short).
pub struct SqliteAccounts {
    conn: Mutex<Connection>,
    path: PathBuf,
}

impl std::fmt::Debug for SqliteAccounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteAccounts")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

fn backend(e: rusqlite::Error) -> StoreError {
    StoreError::Backend(e.to_string())
}

fn hash_col(v: Vec<u8>) -> Hash {
    // A stored hash of the wrong length matches nothing.
    v.try_into().unwrap_or([0u8; 32])
}

fn role_col(s: &str) -> rusqlite::Result<Role> {
    s.parse::<Role>().map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn to_i64(v: u64) -> Result<i64, StoreError> {
    i64::try_from(v).map_err(|_| StoreError::Corrupt(format!("{v} is out of range")))
}

const USER_COLS: &str = "id, username, display_name, role, password_hash, totp_sealed, \
     totp_pending_sealed, totp_last_step, disabled, created_at";

fn user_row(r: &Row<'_>) -> rusqlite::Result<UserRow> {
    let role: String = r.get(3)?;
    let step: Option<i64> = r.get(7)?;
    Ok(UserRow {
        id: r.get(0)?,
        username: r.get(1)?,
        display_name: r.get(2)?,
        role: role_col(&role)?,
        password_hash: r.get(4)?,
        totp_sealed: r.get(5)?,
        totp_pending_sealed: r.get(6)?,
        totp_last_step: step.and_then(|s| u64::try_from(s).ok()),
        disabled: r.get(8)?,
        created_at: r.get(9)?,
    })
}

const SESSION_COLS: &str = "id, token_hash, user_id, created_at, last_seen, second_factor_done, \
     csrf_token, client, user_agent";

fn session_row(r: &Row<'_>) -> rusqlite::Result<SessionRow> {
    Ok(SessionRow {
        id: r.get(0)?,
        token_hash: hash_col(r.get(1)?),
        user_id: r.get(2)?,
        created_at: r.get(3)?,
        last_seen: r.get(4)?,
        second_factor_done: r.get(5)?,
        csrf_token: r.get(6)?,
        client: r.get(7)?,
        user_agent: r.get(8)?,
    })
}

const TOKEN_COLS: &str = "id, user_id, name, scopes, token_hash, created_at, last_used_at, revoked";

fn token_row(r: &Row<'_>) -> rusqlite::Result<ApiTokenRow> {
    Ok(ApiTokenRow {
        id: r.get(0)?,
        user_id: r.get(1)?,
        name: r.get(2)?,
        scopes: r.get(3)?,
        token_hash: hash_col(r.get(4)?),
        created_at: r.get(5)?,
        last_used_at: r.get(6)?,
        revoked: r.get(7)?,
    })
}

const AUDIT_COLS: &str = "seq, at, actor_id, action, case_id, target, detail, client, mac";

fn audit_row(r: &Row<'_>) -> rusqlite::Result<AuditRow> {
    let seq: i64 = r.get(0)?;
    Ok(AuditRow {
        seq: u64::try_from(seq).unwrap_or(0),
        at: r.get(1)?,
        actor_id: r.get(2)?,
        action: r.get(3)?,
        case_id: r.get(4)?,
        target: r.get(5)?,
        detail: r.get(6)?,
        client: r.get(7)?,
        mac: hash_col(r.get(8)?),
    })
}

impl SqliteAccounts {
    /// Open the account database at `path`, creating it (and its schema) if missing.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let existed = path.exists();
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| StoreError::NotAStore(format!("cannot open {}: {e}", path.display())))?;
        if existed {
            let ours: rusqlite::Result<i64> = conn.query_row(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'",
                [],
                |r| r.get(0),
            );
            if !matches!(ours, Ok(1)) {
                return Err(StoreError::NotAStore(format!(
                    "{} is not a Palisade account database",
                    path.display()
                )));
            }
        }
        let not_db = |e: rusqlite::Error| {
            StoreError::NotAStore(format!(
                "{} is not a Palisade account database: {e}",
                path.display()
            ))
        };
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(not_db)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(not_db)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(not_db)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(backend)?;
        let mut conn = conn;
        schema::migrate(&mut conn)?;
        Ok(Self {
            conn: Mutex::new(conn),
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn lock(&self) -> Result<MutexGuard<'_, Connection>, StoreError> {
        self.conn
            .lock()
            .map_err(|_| StoreError::Backend("account store lock poisoned".into()))
    }

    /// Run one `UPDATE`/`DELETE` and say whether it changed a row.
    fn changed(&self, sql: &str, p: impl rusqlite::Params) -> Result<bool, StoreError> {
        let conn = self.lock()?;
        let n = conn
            .prepare_cached(sql)
            .map_err(backend)?
            .execute(p)
            .map_err(backend)?;
        Ok(n > 0)
    }
}

impl AccountStore for SqliteAccounts {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    fn org(&self) -> Result<Option<OrgRow>, StoreError> {
        let conn = self.lock()?;
        conn.query_row(
            "SELECT name, require_totp, idle_timeout_minutes, absolute_timeout_hours FROM org WHERE id = 1",
            [],
            |r| {
                Ok(OrgRow {
                    name: r.get(0)?,
                    require_totp: r.get(1)?,
                    idle_timeout_minutes: r.get(2)?,
                    absolute_timeout_hours: r.get(3)?,
                })
            },
        )
        .optional()
        .map_err(backend)
    }

    fn put_org(&self, org: &OrgRow) -> Result<(), StoreError> {
        let conn = self.lock()?;
        put_org(&conn, org)
    }

    fn setup_token_hash(&self) -> Result<Option<Hash>, StoreError> {
        let conn = self.lock()?;
        let v: Option<Vec<u8>> = conn
            .query_row(
                "SELECT value FROM settings WHERE key = ?1",
                [SETUP_TOKEN_KEY],
                |r| r.get(0),
            )
            .optional()
            .map_err(backend)?;
        Ok(v.map(hash_col))
    }

    fn set_setup_token_hash(&self, hash: Option<&Hash>) -> Result<(), StoreError> {
        let conn = self.lock()?;
        match hash {
            Some(h) => conn.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![SETUP_TOKEN_KEY, &h[..]],
            ),
            None => conn.execute("DELETE FROM settings WHERE key = ?1", [SETUP_TOKEN_KEY]),
        }
        .map_err(backend)?;
        Ok(())
    }

    fn complete_setup(&self, org: &OrgRow, admin: &UserRow) -> Result<bool, StoreError> {
        let mut conn = self.lock()?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(backend)?;
        let users: i64 = tx
            .query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0))
            .map_err(backend)?;
        if users > 0 {
            return Ok(false);
        }
        put_org(&tx, org)?;
        insert_user(&tx, admin)?;
        tx.execute("DELETE FROM settings WHERE key = ?1", [SETUP_TOKEN_KEY])
            .map_err(backend)?;
        tx.commit().map_err(backend)?;
        Ok(true)
    }

    fn user_count(&self) -> Result<u64, StoreError> {
        let conn = self.lock()?;
        let n: i64 = conn
            .query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0))
            .map_err(backend)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    fn insert_user(&self, user: &UserRow) -> Result<bool, StoreError> {
        let conn = self.lock()?;
        insert_user(&conn, user)
    }

    fn user(&self, id: &str) -> Result<Option<UserRow>, StoreError> {
        let conn = self.lock()?;
        conn.prepare_cached(&format!("SELECT {USER_COLS} FROM users WHERE id = ?1"))
            .map_err(backend)?
            .query_row([id], user_row)
            .optional()
            .map_err(backend)
    }

    fn user_by_username(&self, username: &str) -> Result<Option<UserRow>, StoreError> {
        let conn = self.lock()?;
        conn.prepare_cached(&format!(
            "SELECT {USER_COLS} FROM users WHERE username = ?1"
        ))
        .map_err(backend)?
        .query_row([username], user_row)
        .optional()
        .map_err(backend)
    }

    fn users(&self) -> Result<Vec<UserRow>, StoreError> {
        let conn = self.lock()?;
        let mut stmt = conn
            .prepare_cached(&format!("SELECT {USER_COLS} FROM users ORDER BY username"))
            .map_err(backend)?;
        let rows = stmt.query_map([], user_row).map_err(backend)?;
        rows.collect::<rusqlite::Result<_>>().map_err(backend)
    }

    fn set_role_and_disabled(
        &self,
        id: &str,
        role: Role,
        disabled: bool,
    ) -> Result<bool, StoreError> {
        self.changed(
            "UPDATE users SET role = ?2, disabled = ?3 WHERE id = ?1",
            params![id, role.as_str(), disabled],
        )
    }

    fn set_password_hash(&self, id: &str, phc: &str) -> Result<bool, StoreError> {
        self.changed(
            "UPDATE users SET password_hash = ?2 WHERE id = ?1",
            params![id, phc],
        )
    }

    fn set_totp_pending(&self, id: &str, sealed: Option<&[u8]>) -> Result<bool, StoreError> {
        self.changed(
            "UPDATE users SET totp_pending_sealed = ?2 WHERE id = ?1",
            params![id, sealed],
        )
    }

    fn set_totp(
        &self,
        id: &str,
        sealed: Option<&[u8]>,
        last_step: Option<u64>,
    ) -> Result<bool, StoreError> {
        let step = last_step.map(to_i64).transpose()?;
        self.changed(
            "UPDATE users SET totp_sealed = ?2, totp_pending_sealed = NULL, totp_last_step = ?3
             WHERE id = ?1",
            params![id, sealed, step],
        )
    }

    fn claim_totp_step(&self, id: &str, step: u64) -> Result<bool, StoreError> {
        self.changed(
            "UPDATE users SET totp_last_step = ?2
             WHERE id = ?1 AND (totp_last_step IS NULL OR totp_last_step < ?2)",
            params![id, to_i64(step)?],
        )
    }

    fn replace_recovery_codes(&self, user_id: &str, hashes: &[Hash]) -> Result<(), StoreError> {
        let mut conn = self.lock()?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(backend)?;
        tx.execute("DELETE FROM recovery_codes WHERE user_id = ?1", [user_id])
            .map_err(backend)?;
        {
            let mut ins = tx
                .prepare("INSERT INTO recovery_codes (user_id, code_hash) VALUES (?1, ?2)")
                .map_err(backend)?;
            for h in hashes {
                ins.execute(params![user_id, &h[..]]).map_err(backend)?;
            }
        }
        tx.commit().map_err(backend)
    }

    fn unused_recovery_codes(&self, user_id: &str) -> Result<Vec<RecoveryCodeRow>, StoreError> {
        let conn = self.lock()?;
        let mut stmt = conn
            .prepare_cached(
                "SELECT id, user_id, code_hash FROM recovery_codes
                 WHERE user_id = ?1 AND used_at IS NULL ORDER BY id",
            )
            .map_err(backend)?;
        let rows = stmt
            .query_map([user_id], |r| {
                Ok(RecoveryCodeRow {
                    id: r.get(0)?,
                    user_id: r.get(1)?,
                    code_hash: hash_col(r.get(2)?),
                })
            })
            .map_err(backend)?;
        rows.collect::<rusqlite::Result<_>>().map_err(backend)
    }

    fn consume_recovery_code(&self, user_id: &str, code_id: i64) -> Result<bool, StoreError> {
        self.changed(
            "UPDATE recovery_codes SET used_at = unixepoch()
             WHERE id = ?2 AND user_id = ?1 AND used_at IS NULL",
            params![user_id, code_id],
        )
    }

    fn insert_session(&self, s: &SessionRow) -> Result<(), StoreError> {
        let conn = self.lock()?;
        conn.prepare_cached(&format!(
            "INSERT INTO sessions ({SESSION_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
        ))
        .map_err(backend)?
        .execute(params![
            s.id,
            &s.token_hash[..],
            s.user_id,
            s.created_at,
            s.last_seen,
            s.second_factor_done,
            s.csrf_token,
            s.client,
            s.user_agent
        ])
        .map_err(backend)?;
        Ok(())
    }

    fn session_by_hash(&self, token_hash: &Hash) -> Result<Option<SessionRow>, StoreError> {
        let conn = self.lock()?;
        conn.prepare_cached(&format!(
            "SELECT {SESSION_COLS} FROM sessions WHERE token_hash = ?1"
        ))
        .map_err(backend)?
        .query_row([&token_hash[..]], session_row)
        .optional()
        .map_err(backend)
    }

    fn sessions_of(&self, user_id: &str) -> Result<Vec<SessionRow>, StoreError> {
        let conn = self.lock()?;
        let mut stmt = conn
            .prepare_cached(&format!(
                "SELECT {SESSION_COLS} FROM sessions WHERE user_id = ?1
                 ORDER BY created_at DESC, id"
            ))
            .map_err(backend)?;
        let rows = stmt.query_map([user_id], session_row).map_err(backend)?;
        rows.collect::<rusqlite::Result<_>>().map_err(backend)
    }

    fn touch_session(&self, id: &str, last_seen: i64) -> Result<bool, StoreError> {
        self.changed(
            "UPDATE sessions SET last_seen = ?2 WHERE id = ?1",
            params![id, last_seen],
        )
    }

    fn set_second_factor_done(&self, id: &str) -> Result<bool, StoreError> {
        self.changed(
            "UPDATE sessions SET second_factor_done = 1 WHERE id = ?1",
            [id],
        )
    }

    fn delete_session(&self, id: &str) -> Result<bool, StoreError> {
        self.changed("DELETE FROM sessions WHERE id = ?1", [id])
    }

    fn delete_sessions_of(&self, user_id: &str, keep: Option<&str>) -> Result<u64, StoreError> {
        let conn = self.lock()?;
        let n = conn
            .execute(
                "DELETE FROM sessions WHERE user_id = ?1 AND (?2 IS NULL OR id <> ?2)",
                params![user_id, keep],
            )
            .map_err(backend)?;
        Ok(n as u64)
    }

    fn delete_expired_sessions(
        &self,
        created_before: i64,
        seen_before: i64,
    ) -> Result<u64, StoreError> {
        let conn = self.lock()?;
        let n = conn
            .execute(
                "DELETE FROM sessions WHERE created_at < ?1 OR last_seen < ?2",
                params![created_before, seen_before],
            )
            .map_err(backend)?;
        Ok(n as u64)
    }

    fn insert_api_token(&self, t: &ApiTokenRow) -> Result<(), StoreError> {
        let conn = self.lock()?;
        conn.execute(
            &format!(
                "INSERT INTO api_tokens ({TOKEN_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
            ),
            params![
                t.id,
                t.user_id,
                t.name,
                t.scopes,
                &t.token_hash[..],
                t.created_at,
                t.last_used_at,
                t.revoked
            ],
        )
        .map_err(backend)?;
        Ok(())
    }

    fn api_token_by_hash(&self, token_hash: &Hash) -> Result<Option<ApiTokenRow>, StoreError> {
        let conn = self.lock()?;
        conn.prepare_cached(&format!(
            "SELECT {TOKEN_COLS} FROM api_tokens WHERE token_hash = ?1"
        ))
        .map_err(backend)?
        .query_row([&token_hash[..]], token_row)
        .optional()
        .map_err(backend)
    }

    fn api_tokens_of(&self, user_id: &str) -> Result<Vec<ApiTokenRow>, StoreError> {
        let conn = self.lock()?;
        let mut stmt = conn
            .prepare_cached(&format!(
                "SELECT {TOKEN_COLS} FROM api_tokens WHERE user_id = ?1
                 ORDER BY created_at DESC, id"
            ))
            .map_err(backend)?;
        let rows = stmt.query_map([user_id], token_row).map_err(backend)?;
        rows.collect::<rusqlite::Result<_>>().map_err(backend)
    }

    fn touch_api_token(&self, id: &str, at: i64) -> Result<bool, StoreError> {
        self.changed(
            "UPDATE api_tokens SET last_used_at = ?2 WHERE id = ?1",
            params![id, at],
        )
    }

    fn revoke_api_token(&self, user_id: &str, id: &str) -> Result<bool, StoreError> {
        self.changed(
            "UPDATE api_tokens SET revoked = 1 WHERE id = ?2 AND user_id = ?1 AND revoked = 0",
            params![user_id, id],
        )
    }

    fn append_audit(&self, row: &AuditRow) -> Result<(), StoreError> {
        let seq = to_i64(row.seq)?;
        let conn = self.lock()?;
        let n = conn
            .prepare_cached(&format!(
                "INSERT INTO audit ({AUDIT_COLS})
                 SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9
                 WHERE ?1 = COALESCE((SELECT MAX(seq) FROM audit), 0) + 1"
            ))
            .map_err(backend)?
            .execute(params![
                seq,
                row.at,
                row.actor_id,
                row.action,
                row.case_id,
                row.target,
                row.detail,
                row.client,
                &row.mac[..]
            ])
            .map_err(backend)?;
        if n == 0 {
            let found: i64 = conn
                .query_row("SELECT COALESCE(MAX(seq), 0) FROM audit", [], |r| r.get(0))
                .map_err(backend)?;
            return Err(StoreError::Conflict {
                expected: row.seq.saturating_sub(1),
                found: u64::try_from(found).unwrap_or(0),
            });
        }
        Ok(())
    }

    fn audit_head(&self) -> Result<Option<(u64, Hash)>, StoreError> {
        let conn = self.lock()?;
        let row: Option<(i64, Vec<u8>)> = conn
            .query_row(
                "SELECT seq, mac FROM audit ORDER BY seq DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(backend)?;
        Ok(row.map(|(s, m)| (u64::try_from(s).unwrap_or(0), hash_col(m))))
    }

    fn audit_of_case(&self, case_id: &str) -> Result<Vec<AuditRow>, StoreError> {
        let conn = self.lock()?;
        let mut stmt = conn
            .prepare_cached(&format!(
                "SELECT {AUDIT_COLS} FROM audit WHERE case_id = ?1 ORDER BY seq"
            ))
            .map_err(backend)?;
        let rows = stmt.query_map([case_id], audit_row).map_err(backend)?;
        rows.collect::<rusqlite::Result<_>>().map_err(backend)
    }

    fn audit_recent(&self, limit: usize) -> Result<Vec<AuditRow>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let conn = self.lock()?;
        let mut stmt = conn
            .prepare_cached(&format!(
                "SELECT {AUDIT_COLS} FROM audit ORDER BY seq DESC LIMIT ?1"
            ))
            .map_err(backend)?;
        let rows = stmt.query_map([limit], audit_row).map_err(backend)?;
        rows.collect::<rusqlite::Result<_>>().map_err(backend)
    }

    fn scan_audit(&self, f: &mut dyn FnMut(AuditRow) -> bool) -> Result<(), StoreError> {
        // Page through, so the lock is never held for long and `f` may call back in.
        const PAGE: i64 = 1024;
        let mut after: i64 = i64::MIN;
        loop {
            let page: Vec<AuditRow> = {
                let conn = self.lock()?;
                let mut stmt = conn
                    .prepare_cached(&format!(
                        "SELECT {AUDIT_COLS} FROM audit WHERE seq > ?1 ORDER BY seq LIMIT ?2"
                    ))
                    .map_err(backend)?;
                let rows = stmt
                    .query_map(params![after, PAGE], audit_row)
                    .map_err(backend)?;
                rows.collect::<rusqlite::Result<_>>().map_err(backend)?
            };
            let Some(last) = page.last() else {
                return Ok(());
            };
            after = to_i64(last.seq)?;
            let full = page.len() as i64 == PAGE;
            for row in page {
                if !f(row) {
                    return Ok(());
                }
            }
            if !full {
                return Ok(());
            }
        }
    }
}

fn put_org(conn: &Connection, org: &OrgRow) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO org (id, name, require_totp, idle_timeout_minutes, absolute_timeout_hours)
         VALUES (1, ?1, ?2, ?3, ?4)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, require_totp = excluded.require_totp,
           idle_timeout_minutes = excluded.idle_timeout_minutes,
           absolute_timeout_hours = excluded.absolute_timeout_hours",
        params![
            org.name,
            org.require_totp,
            org.idle_timeout_minutes,
            org.absolute_timeout_hours
        ],
    )
    .map_err(backend)?;
    Ok(())
}

fn insert_user(conn: &Connection, u: &UserRow) -> Result<bool, StoreError> {
    let step = u.totp_last_step.map(to_i64).transpose()?;
    let n = conn
        .execute(
            &format!(
                "INSERT INTO users ({USER_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                 ON CONFLICT DO NOTHING"
            ),
            params![
                u.id,
                u.username,
                u.display_name,
                u.role.as_str(),
                u.password_hash,
                u.totp_sealed,
                u.totp_pending_sealed,
                step,
                u.disabled,
                u.created_at
            ],
        )
        .map_err(backend)?;
    Ok(n > 0)
}

#[cfg(test)]
mod tests;
