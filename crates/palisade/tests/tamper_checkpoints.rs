//! Tampering with checkpoints, wrapped keys and attachment blobs behind
//! Palisade's back must make `palisade verify` fail with a report naming the
//! checkpoint, record or attachment concerned. Every test starts from a
//! freshly built store that verifies cleanly (checked in `Fixture::build`).

mod common;

use common::Store;
use common::tamper::*;
use rusqlite::params;

// ----- checkpoints ---------------------------------------------------------

#[test]
fn checkpoint_note_with_changed_size_is_reported() {
    let f = fresh();
    let note = checkpoint_note(&f.store, 7);
    let forged = note.replacen("\n7\n", "\n8\n", 1);
    assert_ne!(forged, note);
    set_checkpoint_note(&f.store, 7, &forged);
    let r = verify_fails(&f.store);
    assert_error_at(&r, "checkpoint at tree size 7", "signature check failed");
    assert_error_at(
        &r,
        "checkpoint at tree size 7",
        "breaks the checkpoint chain",
    );
}

#[test]
fn checkpoint_signature_with_one_changed_char_is_reported() {
    let f = fresh();
    let note = checkpoint_note(&f.store, 13);
    let sig_line = note.lines().last().unwrap();
    assert!(sig_line.starts_with("\u{2014} "));
    // Change one base64 character in the middle of the signature.
    let b64_start = note.len() - 1 - sig_line.len() + sig_line.rfind(' ').unwrap() + 1;
    let mut bytes = note.clone().into_bytes();
    let i = b64_start + 40;
    bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
    let forged = String::from_utf8(bytes).unwrap();
    assert_ne!(forged, note);
    set_checkpoint_note(&f.store, 13, &forged);
    let r = verify_fails(&f.store);
    assert_error_at(&r, "checkpoint at tree size 13", "signature check failed");
    // A write must refuse to extend a head whose signature does not check.
    let e = f
        .store
        .run(&[
            "case",
            "open",
            "--title",
            "t",
            "--subject",
            "s",
            "--kind",
            "other",
        ])
        .error_line();
    assert!(e.contains("checkpoint"), "{e}");
    assert_eq!(f.store.row_counts().0, 13, "nothing may be written");
}

#[test]
fn deleted_middle_checkpoint_breaks_the_chain() {
    let f = fresh();
    assert_eq!(checkpoint_sizes(&f.store), [1, 2, 3, 6, 7, 9, 11, 12, 13]);
    let n = f
        .store
        .db()
        .execute("DELETE FROM checkpoints WHERE size = 7", [])
        .unwrap();
    assert_eq!(n, 1);
    let r = verify_fails(&f.store);
    assert_error_at(
        &r,
        "checkpoint at tree size 9",
        "breaks the checkpoint chain",
    );
}

#[test]
fn deleted_latest_checkpoint_leaves_records_uncovered() {
    let f = fresh();
    let n = f
        .store
        .db()
        .execute("DELETE FROM checkpoints WHERE size = 13", [])
        .unwrap();
    assert_eq!(n, 1);
    let r = verify_fails(&f.store);
    assert_error_at(&r, "records 12..12", "not covered by any signed checkpoint");
}

#[test]
fn removing_the_newest_record_with_its_checkpoint_is_caught_by_the_witness() {
    let f = fresh();
    let db = f.store.db();
    db.execute("DELETE FROM records WHERE leaf_index = 12", [])
        .unwrap();
    db.execute("DELETE FROM checkpoints WHERE size = 13", [])
        .unwrap();
    drop(db);
    // The store is now a consistent, older ledger; only the copy of the latest
    // checkpoint kept outside the data directory can tell.
    let r = verify_fails(&f.store);
    assert_eq!(r["records"], 12);
    assert!(
        errors(&r).iter().any(|e| e["location"]
            .as_str()
            .is_some_and(|l| l.starts_with("witness "))
            && e["problem"]
                .as_str()
                .is_some_and(|p| p.contains("tree size 13") && p.contains("only 12"))),
        "{r:#}"
    );
}

#[test]
fn altered_checkpoint_frontier_is_reported() {
    let f = fresh();
    let db = f.store.db();
    let mut fr: Vec<u8> = db
        .query_row(
            "SELECT frontier FROM checkpoints WHERE size = 13",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(fr.len(), 3 * 32, "13 = 8 + 4 + 1 leaves");
    fr[40] ^= 0x80;
    db.execute(
        "UPDATE checkpoints SET frontier = ?1 WHERE size = 13",
        params![fr],
    )
    .unwrap();
    drop(db);
    let r = verify_fails(&f.store);
    assert_error_at(
        &r,
        "checkpoint at tree size 13",
        "breaks the checkpoint chain",
    );
    assert_error_at(&r, "checkpoint at tree size 13", "frontier does not match");
}

#[test]
fn checkpoint_frontier_of_the_wrong_length_is_reported() {
    let f = fresh();
    let n = f
        .store
        .db()
        .execute(
            "UPDATE checkpoints SET frontier = x'0102' WHERE size = 9",
            [],
        )
        .unwrap();
    assert_eq!(n, 1);
    let r = verify_fails(&f.store);
    assert_error_at(&r, "checkpoint at tree size 9", "wrong shape");
    assert_error_at(
        &r,
        "checkpoint at tree size 9",
        "breaks the checkpoint chain",
    );
}

#[test]
fn checkpoint_signed_by_another_store_is_rejected() {
    let f = fresh();
    let other = Store::init();
    let foreign = other.run(&["checkpoint"]).success().stdout;
    assert!(foreign.starts_with("palisade/inst_"), "{foreign}");
    set_checkpoint_note(&f.store, 13, &foreign);
    let r = verify_fails(&f.store);
    assert_error_at(&r, "checkpoint at tree size 13", "signature check failed");
}

#[test]
fn public_key_of_another_store_is_rejected() {
    let f = fresh();
    let other = Store::init();
    let other_key: Vec<u8> = other
        .db()
        .query_row("SELECT value FROM meta WHERE key = 'public_key'", [], |r| {
            r.get(0)
        })
        .unwrap();
    let n = f
        .store
        .db()
        .execute(
            "UPDATE meta SET value = ?1 WHERE key = 'public_key'",
            params![other_key],
        )
        .unwrap();
    assert_eq!(n, 1);
    let run = f.store.run(&["verify"]);
    assert_ne!(run.code, 0, "{run:?}");
    run.error_mentioning(&["public key does not belong"]);
}

// ----- keys ----------------------------------------------------------------

#[test]
fn swapped_case_keys_make_both_cases_unreadable() {
    let f = fresh();
    let db = f.store.db();
    let wrapped = |scope: &str| -> Vec<u8> {
        db.query_row("SELECT wrapped FROM keys WHERE scope = ?1", [scope], |r| {
            r.get(0)
        })
        .unwrap()
    };
    let (ka, kb) = (wrapped(&f.case_a), wrapped(&f.case_b));
    assert_ne!(ka, kb);
    db.execute(
        "UPDATE keys SET wrapped = ?1 WHERE scope = ?2",
        params![kb, f.case_a],
    )
    .unwrap();
    db.execute(
        "UPDATE keys SET wrapped = ?1 WHERE scope = ?2",
        params![ka, f.case_b],
    )
    .unwrap();
    drop(db);
    let r = verify_fails(&f.store);
    let named = error_records(&r);
    for id in [
        &f.case_a,
        &f.case_b,
        &f.e1,
        &f.e2,
        &f.e3,
        &f.action,
        &f.correction,
        &f.close_b,
    ] {
        assert!(named.contains(id), "{id} not reported: {r:#}");
    }
    assert_error_at(
        &r,
        &format!("record 1 ({})", f.case_a),
        "cannot be unwrapped",
    );
}

// ----- attachment blobs ----------------------------------------------------

#[test]
fn blob_replaced_with_same_length_bytes_is_reported() {
    let f = fresh();
    let p = f.blob_of(&f.att_txt);
    let len = std::fs::metadata(p).unwrap().len() as usize;
    let mut x: u32 = 0x1234_5678;
    let other: Vec<u8> = (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect();
    std::fs::write(p, &other).unwrap();
    let r = verify_fails(&f.store);
    assert_names_attachment(&f, &r, &f.att_txt);
    assert_eq!(
        errors(&r).len(),
        1,
        "only that attachment is damaged: {r:#}"
    );
}

#[test]
fn blob_with_one_flipped_byte_is_reported() {
    let f = fresh();
    let p = f.blob_of(&f.att_png);
    let mut b = std::fs::read(p).unwrap();
    let i = b.len() - 20;
    b[i] ^= 0x01;
    std::fs::write(p, &b).unwrap();
    let r = verify_fails(&f.store);
    assert_names_attachment(&f, &r, &f.att_png);
    assert_error_at(
        &r,
        &format!("attachment of record 4 ({})", f.att_png),
        "fails authentication",
    );
}

#[test]
fn truncated_blob_is_reported() {
    let f = fresh();
    let p = f.blob_of(&f.att_letter);
    let len = std::fs::metadata(p).unwrap().len();
    let file = std::fs::OpenOptions::new().write(true).open(p).unwrap();
    file.set_len(len - 1).unwrap();
    drop(file);
    let r = verify_fails(&f.store);
    assert_names_attachment(&f, &r, &f.att_letter);
}

#[test]
fn deleted_blob_is_reported() {
    let f = fresh();
    std::fs::remove_file(f.blob_of(&f.att_action)).unwrap();
    let r = verify_fails(&f.store);
    assert_names_attachment(&f, &r, &f.att_action);
    assert_error_at(
        &r,
        &format!("attachment of record 10 ({})", f.att_action),
        "missing",
    );
}

// ----- store settings ------------------------------------------------------

#[test]
fn altered_or_added_store_settings_are_reported() {
    for sql in [
        "UPDATE meta SET value = CAST('2001-01-01T00:00:00Z' AS BLOB) WHERE key = 'created_at'",
        "UPDATE meta SET value = CAST('0000000000000000' AS BLOB) WHERE key = 'master_key_fingerprint'",
        "INSERT INTO meta (key, value) VALUES ('note', CAST('added later' AS BLOB))",
        "DELETE FROM meta WHERE key = 'meta_mac'",
    ] {
        let f = fresh();
        assert_eq!(f.store.db().execute(sql, []).expect(sql), 1, "{sql}");
        let r = verify_fails(&f.store);
        assert_error_at(&r, "store settings (meta table)", "altered");
    }
}
