//! Tampering helpers: edit a store's database behind Palisade's back, and
//! check what `verify` reports afterwards.

use super::{Fixture, Store};
use rusqlite::params;
use serde_json::Value;
use std::collections::BTreeSet;

/// The errors of a verify report.
pub fn errors(report: &Value) -> &Vec<Value> {
    report["errors"].as_array().expect("errors array")
}

/// Ids of the records a verify report names.
pub fn error_records(report: &Value) -> BTreeSet<String> {
    errors(report)
        .iter()
        .filter_map(|e| e["record"].as_str().map(str::to_string))
        .collect()
}

/// A fresh populated store; `Fixture::build` has already asserted it verifies OK.
pub fn fresh() -> Fixture {
    Fixture::build()
}

/// Run verify on a tampered store: it must exit 3 and report problems.
#[track_caller]
pub fn verify_fails(store: &Store) -> Value {
    let (code, report) = store.verify();
    assert_eq!(code, 3, "verify must exit 3 on a discrepancy: {report:#}");
    assert_eq!(report["ok"], false, "{report:#}");
    assert!(!errors(&report).is_empty(), "{report:#}");
    report
}

/// Assert some error is located at record `leaf` with id `id`.
#[track_caller]
pub fn assert_names_record(report: &Value, leaf: i64, id: &str) {
    let location = format!("record {leaf} ({id})");
    assert!(
        errors(report)
            .iter()
            .any(|e| e["location"] == location.as_str()
                && e["leaf_index"] == leaf
                && e["record"] == id),
        "expected an error at {location}: {report:#}"
    );
}

/// Assert some error has exactly `location` and a problem containing `text`.
#[track_caller]
pub fn assert_error_at(report: &Value, location: &str, text: &str) {
    assert!(
        errors(report).iter().any(|e| e["location"] == location
            && e["problem"].as_str().is_some_and(|p| p.contains(text))),
        "expected an error at {location:?} mentioning {text:?}: {report:#}"
    );
}

/// Assert the attachment of record `id` is reported.
#[track_caller]
pub fn assert_names_attachment(f: &Fixture, report: &Value, id: &str) {
    let location = format!("attachment of record {} ({id})", f.leaf_of(id));
    assert!(
        errors(report)
            .iter()
            .any(|e| e["location"] == location.as_str() && e["record"] == id),
        "expected an error at {location}: {report:#}"
    );
}

pub fn flip_record_blob(store: &Store, column: &str, id: &str) {
    let db = store.db();
    let mut b: Vec<u8> = db
        .query_row(
            &format!("SELECT {column} FROM records WHERE id = ?1"),
            [id],
            |r| r.get(0),
        )
        .expect("query the store database");
    let i = b.len() / 2;
    b[i] ^= 0x01;
    let n = db
        .execute(
            &format!("UPDATE records SET {column} = ?1 WHERE id = ?2"),
            params![b, id],
        )
        .expect("query the store database");
    assert_eq!(n, 1);
}

pub fn set_record_text(store: &Store, column: &str, id: &str, value: &str) {
    let n = store
        .db()
        .execute(
            &format!("UPDATE records SET {column} = ?1 WHERE id = ?2"),
            params![value, id],
        )
        .expect("query the store database");
    assert_eq!(n, 1);
}

pub fn checkpoint_note(store: &Store, size: i64) -> String {
    store
        .db()
        .query_row(
            "SELECT note FROM checkpoints WHERE size = ?1",
            [size],
            |r| r.get(0),
        )
        .expect("query the store database")
}

pub fn set_checkpoint_note(store: &Store, size: i64, note: &str) {
    let n = store
        .db()
        .execute(
            "UPDATE checkpoints SET note = ?1 WHERE size = ?2",
            params![note, size],
        )
        .expect("query the store database");
    assert_eq!(n, 1);
}

pub fn checkpoint_sizes(store: &Store) -> Vec<i64> {
    let db = store.db();
    let mut st = db
        .prepare("SELECT size FROM checkpoints ORDER BY size")
        .expect("query the store database");
    st.query_map([], |r| r.get(0))
        .expect("query the store database")
        .collect::<Result<_, _>>()
        .expect("query the store database")
}
