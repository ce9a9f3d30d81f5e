//! Versioned schema migrations. Each step runs once, in order, inside a
//! transaction, and is recorded in `schema_migrations`.

use palisade_store::StoreError;
use rusqlite::Connection;

/// The schema steps, oldest first. Never edit a released step; add a new one.
const STEPS: &[(i64, &str)] = &[
    (
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
    ),
    (
        2,
        "CREATE TABLE timestamps (
        seq        INTEGER PRIMARY KEY,
        size       INTEGER NOT NULL REFERENCES checkpoints (size),
        token      BLOB NOT NULL,
        authority  TEXT NOT NULL,
        created_at TEXT NOT NULL
    ) STRICT;
    CREATE INDEX timestamps_by_size ON timestamps (size, seq);",
    ),
    (
        3,
        // Records are looked up by kind only to list the cases (`case_opened`): a
        // partial index for those replaces the index of every record by kind, which
        // every append (an import writes a million) had to keep up to date.
        "DROP INDEX records_by_kind;
    CREATE INDEX records_case_opened ON records (leaf_index) WHERE kind = 'case_opened';",
    ),
];

/// The newest schema version this build knows (the last step).
#[cfg(test)]
pub const LATEST: i64 = 3;

pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    apply(conn, STEPS, "database", "migration")
}

/// Bring a database to the newest of `steps` (version, SQL), each step in
/// its own transaction, recording what was applied in `schema_migrations`.
/// A database newer than this build is refused. `what` names the database
/// in messages ("database", "account database"); `label` prefixes backend
/// errors. Shared by the ledger and the account store.
pub(crate) fn apply(
    conn: &mut Connection,
    steps: &[(i64, &str)],
    what: &str,
    label: &str,
) -> Result<(), StoreError> {
    let latest = steps.last().map_or(0, |(v, _)| *v);
    let be = |e: rusqlite::Error| StoreError::Backend(format!("{label}: {e}"));
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version    INTEGER PRIMARY KEY,
            applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        ) STRICT;",
    )
    .map_err(|e| StoreError::NotAStore(format!("cannot read the {what} schema: {e}")))?;
    let current: i64 = conn
        .query_row(
            "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
            [],
            |r| r.get(0),
        )
        .map_err(be)?;
    if current > latest {
        return Err(StoreError::NotAStore(format!(
            "the {what} has schema version {current}, newer than this Palisade ({latest}); upgrade Palisade"
        )));
    }
    for (version, sql) in steps.iter().filter(|(v, _)| *v > current) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latest_is_the_last_step() {
        assert_eq!(STEPS.last().map(|(v, _)| *v), Some(LATEST));
    }

    fn version(conn: &Connection) -> i64 {
        conn.query_row("SELECT MAX(version) FROM schema_migrations", [], |r| {
            r.get(0)
        })
        .expect("version")
    }

    fn indexes(conn: &Connection) -> Vec<String> {
        let mut stmt = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'records' ORDER BY name")
            .expect("prepare");
        stmt.query_map([], |r| r.get(0))
            .expect("query")
            .collect::<rusqlite::Result<_>>()
            .expect("rows")
    }

    #[test]
    fn a_version_2_database_moves_to_the_partial_kind_index() {
        let mut conn = Connection::open_in_memory().expect("open");
        // A database as version 2 left it, with a few records.
        conn.execute_batch(
            "CREATE TABLE schema_migrations (
                version    INTEGER PRIMARY KEY,
                applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
            ) STRICT;",
        )
        .expect("create");
        for (v, sql) in STEPS.iter().filter(|(v, _)| *v <= 2) {
            conn.execute_batch(sql).expect("step");
            conn.execute("INSERT INTO schema_migrations (version) VALUES (?1)", [v])
                .expect("record step");
        }
        let rows = [
            (0, "init_0", None, "ledger_initialised"),
            (1, "case_a", Some("case_a"), "case_opened"),
            (2, "ent_1", Some("case_a"), "entry"),
            (3, "case_b", Some("case_b"), "case_opened"),
            (4, "ent_2", Some("case_a"), "entry"),
        ];
        for (leaf, id, case, kind) in rows {
            conn.execute(
                "INSERT INTO records (leaf_index, id, case_id, kind, recorded_at, envelope, leaf_hash, sealed)
                 VALUES (?1, ?2, ?3, ?4, 'now', x'00', x'00', x'00')",
                rusqlite::params![leaf, id, case, kind],
            )
            .expect("insert");
        }
        assert!(indexes(&conn).contains(&"records_by_kind".to_string()));

        migrate(&mut conn).expect("migrate");
        assert_eq!(version(&conn), LATEST);
        assert_eq!(
            indexes(&conn),
            [
                "records_by_case",
                "records_case_opened",
                "sqlite_autoindex_records_1"
            ]
        );
        // Cases are still listed, in ledger order, through the partial index.
        let sql = "SELECT case_id FROM records WHERE kind = 'case_opened' AND case_id IS NOT NULL ORDER BY leaf_index";
        let cases: Vec<String> = conn
            .prepare(sql)
            .expect("prepare")
            .query_map([], |r| r.get(0))
            .expect("query")
            .collect::<rusqlite::Result<_>>()
            .expect("rows");
        assert_eq!(cases, ["case_a", "case_b"]);
        let plan: String = conn
            .query_row(&format!("EXPLAIN QUERY PLAN {sql}"), [], |r| r.get(3))
            .expect("plan");
        assert!(plan.contains("records_case_opened"), "{plan}");
        // Migrating again changes nothing.
        migrate(&mut conn).expect("migrate again");
        assert_eq!(version(&conn), LATEST);
        assert_eq!(indexes(&conn).len(), 3);
    }
}
