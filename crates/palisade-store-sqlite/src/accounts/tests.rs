//! Tests of the SQLite account store, beyond the shared conformance suite.

use super::*;

#[test]
fn conformance() {
    palisade_store::conformance_accounts::run_all(&|dir: &Path| {
        Box::new(SqliteAccounts::open(&dir.join(ACCOUNTS_DB_FILE)).expect("open"))
    });
}

#[test]
fn reopening_keeps_data_and_schema_version() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(ACCOUNTS_DB_FILE);
    {
        let s = SqliteAccounts::open(&path).expect("create");
        s.set_setup_token_hash(Some(&[7u8; 32])).expect("set");
    }
    let s = SqliteAccounts::open(&path).expect("reopen");
    assert_eq!(s.setup_token_hash().expect("get"), Some([7u8; 32]));
    let conn = s.lock().expect("lock");
    let v: i64 = conn
        .query_row("SELECT MAX(version) FROM schema_migrations", [], |r| {
            r.get(0)
        })
        .expect("version");
    assert_eq!(v, schema::LATEST);
    let sync: i64 = conn
        .query_row("PRAGMA synchronous", [], |r| r.get(0))
        .expect("sync");
    assert_eq!(sync, 1, "synchronous = NORMAL");
}

#[test]
fn a_file_that_is_not_an_account_database_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(ACCOUNTS_DB_FILE);
    std::fs::write(&path, b"not a database at all, just some text").expect("write");
    let err = SqliteAccounts::open(&path).expect_err("refused");
    assert!(
        err.to_string().contains("not a Palisade account database"),
        "{err}"
    );
}

#[test]
fn the_audit_table_refuses_updates_and_deletes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = SqliteAccounts::open(&dir.path().join(ACCOUNTS_DB_FILE)).expect("open");
    s.append_audit(&AuditRow {
        seq: 1,
        at: "2026-01-01T00:00:00Z".into(),
        actor_id: None,
        action: "sign_in".into(),
        case_id: None,
        target: None,
        detail: None,
        client: None,
        mac: [1u8; 32],
    })
    .expect("append");
    let conn = s.lock().expect("lock");
    let e = conn
        .execute("UPDATE audit SET action = 'x'", [])
        .expect_err("update refused");
    assert!(e.to_string().contains("append-only"), "{e}");
    assert!(conn.execute("DELETE FROM audit", []).is_err());
}
