//! Tampering with the `records` table behind Palisade's back — through a
//! separate SQLite connection — must make `palisade verify` fail (exit 3)
//! with a report naming the damaged record or position. Every test starts
//! from a freshly built store that verifies cleanly (checked in
//! `Fixture::build`).

mod common;

use common::tamper::*;

// ----- records -------------------------------------------------------------

#[test]
fn flipped_envelope_byte_is_reported_on_that_record() {
    let f = fresh();
    flip_record_blob(&f.store, "envelope", &f.e1);
    let r = verify_fails(&f.store);
    assert_names_record(&r, 3, &f.e1);
}

#[test]
fn flipped_sealed_byte_is_reported_on_that_record() {
    let f = fresh();
    flip_record_blob(&f.store, "sealed", &f.e2);
    let r = verify_fails(&f.store);
    assert_names_record(&r, 6, &f.e2);
    assert_error_at(&r, &format!("record 6 ({})", f.e2), "cannot be decrypted");
}

#[test]
fn altered_leaf_hash_is_reported_on_that_record() {
    let f = fresh();
    flip_record_blob(&f.store, "leaf_hash", &f.action);
    let r = verify_fails(&f.store);
    assert_error_at(
        &r,
        &format!("record 9 ({})", f.action),
        "leaf hash does not match",
    );
}

#[test]
fn leaf_hash_of_the_wrong_length_is_reported_on_that_record() {
    let f = fresh();
    let n = f
        .store
        .db()
        .execute(
            "UPDATE records SET leaf_hash = x'00' WHERE id = ?1",
            [&f.action],
        )
        .unwrap();
    assert_eq!(n, 1);
    // A discrepancy, not an operational error: exit 3 with the record named.
    let r = verify_fails(&f.store);
    assert_eq!(r["records"], f.records, "the scan must go on past it");
    assert_error_at(
        &r,
        &format!("record 9 ({})", f.action),
        "leaf hash does not match",
    );
}

#[test]
fn altered_occurred_at_column_is_reported() {
    let f = fresh();
    set_record_text(&f.store, "occurred_at", &f.e1, "2026-03-01T09:00:00+01:00");
    let r = verify_fails(&f.store);
    assert_error_at(
        &r,
        &format!("record 3 ({})", f.e1),
        "differ from the signed envelope",
    );
}

#[test]
fn altered_recorded_at_column_is_reported() {
    let f = fresh();
    set_record_text(&f.store, "recorded_at", &f.e2, "2020-01-01T00:00:00Z");
    let r = verify_fails(&f.store);
    assert_error_at(
        &r,
        &format!("record 6 ({})", f.e2),
        "differ from the signed envelope",
    );
}

#[test]
fn moving_a_record_to_another_case_is_reported() {
    let f = fresh();
    set_record_text(&f.store, "case_id", &f.e2, &f.case_b);
    let r = verify_fails(&f.store);
    assert_error_at(
        &r,
        &format!("record 6 ({})", f.e2),
        "differ from the signed envelope",
    );
}

#[test]
fn altered_kind_column_is_reported() {
    let f = fresh();
    set_record_text(&f.store, "kind", &f.e2, "action");
    let r = verify_fails(&f.store);
    assert_error_at(
        &r,
        &format!("record 6 ({})", f.e2),
        "differ from the signed envelope",
    );
}

#[test]
fn altered_id_column_is_reported_at_that_position() {
    let f = fresh();
    set_record_text(&f.store, "id", &f.e2, "ent_forgedforgedfo");
    let r = verify_fails(&f.store);
    assert_names_record(&r, 6, "ent_forgedforgedfo");
    assert_error_at(
        &r,
        "record 6 (ent_forgedforgedfo)",
        "differ from the signed envelope",
    );
}

#[test]
fn deleted_middle_record_is_reported_where_the_gap_is() {
    let f = fresh();
    let n = f
        .store
        .db()
        .execute("DELETE FROM records WHERE id = ?1", [&f.e2])
        .unwrap();
    assert_eq!(n, 1);
    let r = verify_fails(&f.store);
    assert_eq!(r["records"], f.records - 1);
    // The record after the gap is out of place, and the checkpoints no longer fit.
    assert_error_at(
        &r,
        &format!("record 7 ({})", f.e3),
        "expected record 6 here",
    );
    assert_error_at(&r, "checkpoint at tree size 13", "records were deleted");
}

#[test]
fn deleted_last_record_is_reported_by_the_checkpoint_that_signed_it() {
    let f = fresh();
    let n = f
        .store
        .db()
        .execute("DELETE FROM records WHERE id = ?1", [&f.close_b])
        .unwrap();
    assert_eq!(n, 1);
    let r = verify_fails(&f.store);
    assert_eq!(r["records"], 12);
    assert_error_at(&r, "checkpoint at tree size 13", "holds only 12");
}

#[test]
fn swapped_records_are_reported_by_the_first_checkpoint_covering_them() {
    let f = fresh();
    let db = f.store.db();
    db.execute_batch(
        "UPDATE records SET leaf_index = -1 WHERE leaf_index = 6;
         UPDATE records SET leaf_index = 6 WHERE leaf_index = 7;
         UPDATE records SET leaf_index = 7 WHERE leaf_index = -1;",
    )
    .unwrap();
    drop(db);
    assert_eq!(f.leaf_of(&f.e2), 7);
    assert_eq!(f.leaf_of(&f.e3), 6);
    let r = verify_fails(&f.store);
    assert_eq!(r["records"], f.records);
    assert_error_at(
        &r,
        "checkpoint at tree size 7",
        "do not hash to the signed root",
    );
}

#[test]
fn copied_row_appended_at_the_end_is_reported() {
    let f = fresh();
    let n = f
        .store
        .db()
        .execute(
            "INSERT INTO records (leaf_index, id, case_id, kind, target, occurred_at, recorded_at, envelope, leaf_hash, sealed)
             SELECT 13, id || 'x', case_id, kind, target, occurred_at, recorded_at, envelope, leaf_hash, sealed
             FROM records WHERE id = ?1",
            [&f.e2],
        )
        .unwrap();
    assert_eq!(n, 1);
    let r = verify_fails(&f.store);
    assert_eq!(r["records"], 14);
    assert_error_at(&r, "records 13..13", "not covered by any signed checkpoint");
    assert_error_at(&r, &format!("record 13 ({}x)", f.e2), "used twice");
}

#[test]
fn row_injected_outside_the_ledger_positions_is_reported() {
    let f = fresh();
    let n = f
        .store
        .db()
        .execute(
            "INSERT INTO records (leaf_index, id, case_id, kind, target, occurred_at, recorded_at, envelope, leaf_hash, sealed)
             SELECT -1, id || 'x', case_id, kind, target, occurred_at, recorded_at, envelope, leaf_hash, sealed
             FROM records WHERE id = ?1",
            [&f.e2],
        )
        .unwrap();
    assert_eq!(n, 1);
    let r = verify_fails(&f.store);
    assert_error_at(&r, "records", "holds 14 record rows but only 13");
}
