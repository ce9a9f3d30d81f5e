use super::*;
use crate::keys::KeyOptions;
use palisade_core::compose::{self, NewCase, NewEntry, Stamp};
use palisade_core::domain::{CaseKind, Channel, Direction, Source};
use palisade_core::ids::new_id;
use palisade_core::time::Moment;

fn store() -> (tempfile::TempDir, Palisade, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let keys = KeyOptions {
        key_file: Some(dir.path().join("master.key")),
        passphrase: None,
    };
    let (p, _) = Palisade::init(&dir.path().join("data"), &keys).expect("init");
    let case = p.open_case(&new_case()).expect("open case").id;
    (dir, p, case)
}

fn new_case() -> NewCase {
    NewCase {
        title: "Messages from patient AB".into(),
        subject: "AB".into(),
        kind: CaseKind::Amorous,
        parties: vec![],
        owner: None,
    }
}

fn entry(case: &str, i: u64) -> Pending {
    let e = NewEntry {
        occurred_at: Moment::parse("2024-02-14T21:07:00+01:00").expect("time"),
        channel: Channel::Whatsapp,
        direction: Direction::Inbound,
        party: Some("AB".into()),
        place: None,
        witnesses: vec![],
        summary: None,
        content: Some(format!("message {i}: please answer")),
        clinical: None,
        source: Source::Manual,
    };
    let stamp = Stamp {
        id: new_id("ent").expect("id"),
        recorded_at: Moment::parse("2024-02-15T08:00:00Z").expect("time"),
    };
    Pending {
        record: compose::entry(&stamp, case, &e).expect("compose"),
        scope: case.to_string(),
        new_key: None,
    }
}

fn state(p: &Palisade) -> (u64, String) {
    (
        p.store.record_count().expect("count"),
        p.checkpoint().expect("head"),
    )
}

fn verified(p: &Palisade) -> u64 {
    let r = p.verify().expect("verify");
    assert!(r.ok, "{:?}", r.errors);
    r.records
}

#[test]
fn streams_many_records_in_one_write() {
    let (_dir, p, case) = store();
    let before = state(&p).0;
    let n = 3 * BATCH as u64 + 17;
    let receipt = p
        .commit_stream(Vec::new(), &mut |push| {
            (0..n).try_for_each(|i| push(entry(&case, i)))
        })
        .expect("commit_stream");
    assert_eq!(
        receipt,
        StreamReceipt {
            first_leaf: before,
            count: n,
            tree_size: before + n
        }
    );
    assert_eq!(verified(&p), before + n);
    let view = p.case(&case).expect("case");
    assert_eq!(view.entries.len() as u64, n);
    // One checkpoint for the whole write.
    let mut sizes = Vec::new();
    p.store
        .scan_checkpoints(&mut |c| {
            sizes.push(c.size);
            true
        })
        .expect("scan");
    assert_eq!(sizes.last(), Some(&(before + n)));
    assert_eq!(sizes.iter().filter(|s| **s > before).count(), 1);
}

#[test]
fn a_failing_producer_writes_nothing() {
    let (_dir, p, case) = store();
    let before = state(&p);
    for fail_at in [0, 5, 2 * BATCH as u64 + 3] {
        let err = p
            .commit_stream(Vec::new(), &mut |push| {
                for i in 0..fail_at {
                    push(entry(&case, i))?;
                }
                Err(ServiceError::Invalid(format!(
                    "export damaged at {fail_at}"
                )))
            })
            .expect_err("must fail");
        assert_eq!(err.to_string(), format!("export damaged at {fail_at}"));
        assert_eq!(state(&p), before);
    }
    verified(&p);
    // And the ledger takes writes afterwards.
    p.commit_stream(Vec::new(), &mut |push| push(entry(&case, 1)))
        .expect("commit after failures");
    assert_eq!(verified(&p), before.0 + 1);
}

#[test]
fn a_failed_push_cannot_be_ignored() {
    let (_dir, p, case) = store();
    let before = state(&p);
    for n in [3, 2 * BATCH as u64] {
        let mut refused = 0;
        let err = p
            .commit_stream(Vec::new(), &mut |push| {
                for i in 0..n {
                    let mut e = entry(&case, i);
                    if i == 1 {
                        // Not allowed in a stream: keys go in `new_keys`.
                        e.new_key = Some(SecretKey::generate()?);
                    }
                    if push(e).is_err() {
                        refused += 1;
                    }
                }
                Ok(())
            })
            .expect_err("must fail");
        assert!(err.to_string().contains("new_keys"), "{err}");
        assert_eq!(refused, n - 1, "every push after the failed one is refused");
        assert_eq!(state(&p), before);
    }
}

#[test]
fn a_store_error_is_reported_and_rolls_back() {
    let (_dir, p, case) = store();
    let before = state(&p);
    for n in [2, 3 * BATCH] {
        let err = p
            .commit_stream(Vec::new(), &mut |push| {
                let first = entry(&case, 0);
                let mut dup = entry(&case, 1);
                dup.record.envelope.id = first.record.envelope.id.clone();
                push(first)?;
                for i in 2..n {
                    push(entry(&case, i as u64))?;
                }
                push(dup)
            })
            .expect_err("a duplicate id must fail");
        assert!(err.to_string().contains("UNIQUE"), "{err}");
        assert_eq!(state(&p), before);
    }
    verified(&p);
}

#[test]
fn an_empty_stream_writes_nothing() {
    let (_dir, p, _case) = store();
    let before = state(&p);
    let r = p
        .commit_stream(Vec::new(), &mut |_| Ok(()))
        .expect("empty stream");
    assert_eq!(
        r,
        StreamReceipt {
            first_leaf: before.0,
            count: 0,
            tree_size: before.0
        }
    );
    assert_eq!(state(&p), before);
}

#[test]
fn the_producer_may_read_the_ledger_meanwhile() {
    let (_dir, p, case) = store();
    let before = state(&p);
    let mut seen = Vec::new();
    p.commit_stream(Vec::new(), &mut |push| {
        for i in 0..(2 * BATCH as u64) {
            push(entry(&case, i))?;
            if i % 100 == 0 {
                seen.push((state(&p), p.case(&case)?.entries.len()));
            }
        }
        Ok(())
    })
    .expect("commit_stream");
    assert!(seen.iter().all(|s| *s == (before.clone(), 0)), "{seen:?}");
    verified(&p);
}

#[test]
fn a_new_case_and_its_entries_in_one_stream() {
    let (_dir, p, _) = store();
    let stamp = Stamp {
        id: new_id("case").expect("id"),
        recorded_at: Moment::parse("2024-02-15T08:00:00Z").expect("time"),
    };
    let case = stamp.id.clone();
    let key = SecretKey::generate().expect("key");
    let r = p
        .commit_stream(vec![(case.clone(), key)], &mut |push| {
            push(Pending {
                record: compose::case_opened(&stamp, &case, &new_case())?,
                scope: case.clone(),
                new_key: None,
            })?;
            (0..600).try_for_each(|i| push(entry(&case, i)))
        })
        .expect("commit_stream");
    assert_eq!(r.count, 601);
    verified(&p);
    assert_eq!(p.case(&case).expect("case").entries.len(), 600);
}

#[test]
fn commit_gives_receipts_in_leaf_order_small_and_large() {
    let (_dir, p, case) = store();
    for n in [1u64, 3, BATCH as u64 + 1, 2000] {
        let start = state(&p).0;
        let batch: Vec<Pending> = (0..n).map(|i| entry(&case, i)).collect();
        let ids: Vec<String> = batch.iter().map(|b| b.record.envelope.id.clone()).collect();
        let receipts = p.commit(batch).expect("commit");
        assert_eq!(receipts.len() as u64, n);
        for (i, (r, id)) in receipts.iter().zip(&ids).enumerate() {
            assert_eq!(&r.id, id);
            assert_eq!(r.leaf_index, start + i as u64);
            assert_eq!(r.tree_size, start + n);
        }
    }
    verified(&p);
}
