//! Versioned schema migrations. Each step runs once, in order, inside a
//! transaction, and is recorded in `schema_migrations`.

use palisade_store::StoreError;
use rusqlite::Connection;

/// The schema steps, oldest first. Never edit a released step; add a new one.
const STEPS: &[(i64, &str)] = &[(
    1,
    "CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value BLOB NOT NULL
    ) STRICT;
    CREATE TABLE records (
        leaf_index  INTEGER PRIMARY KEY,
        id          TEXT NOT NULL UNIQUE,
        case_id     TEXT,
        kind        TEXT NOT NULL,
        target      TEXT,
        occurred_at TEXT,
        recorded_at TEXT NOT NULL,
        envelope    BLOB NOT NULL,
        leaf_hash   BLOB NOT NULL,
        sealed      BLOB NOT NULL
    ) STRICT;
    CREATE INDEX records_by_case ON records (case_id, leaf_index);
    CREATE INDEX records_by_kind ON records (kind, leaf_index);
    CREATE TABLE keys (
        scope   TEXT PRIMARY KEY,
        wrapped BLOB NOT NULL
    ) STRICT;
    CREATE TABLE checkpoints (
        size       INTEGER PRIMARY KEY,
        note       TEXT NOT NULL,
        frontier   BLOB NOT NULL,
        created_at TEXT NOT NULL,
        mac        BLOB NOT NULL
    ) STRICT;",
)];

/// The newest schema version this build knows.
pub const LATEST: i64 = 1;

pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let be = |e: rusqlite::Error| StoreError::Backend(format!("migration: {e}"));
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version    INTEGER PRIMARY KEY,
            applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        ) STRICT;",
    )
    .map_err(|e| StoreError::NotAStore(format!("cannot read the database schema: {e}")))?;
    let current: i64 = conn
        .query_row(
            "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
            [],
            |r| r.get(0),
        )
        .map_err(be)?;
    if current > LATEST {
        return Err(StoreError::NotAStore(format!(
            "the database has schema version {current}, newer than this Palisade ({LATEST}); upgrade Palisade"
        )));
    }
    for (version, sql) in STEPS.iter().filter(|(v, _)| *v > current) {
        let tx = conn.transaction().map_err(be)?;
        tx.execute_batch(sql).map_err(be)?;
        tx.execute(
            "INSERT INTO schema_migrations (version) VALUES (?1)",
            [version],
        )
        .map_err(be)?;
        tx.commit().map_err(be)?;
    }
    Ok(())
}
