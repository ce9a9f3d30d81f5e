//! The conformance suite every [`Store`] backend runs (in the manner of
//! atuin's shared storage tests): call [`run_all`] from the backend's tests
//! with a constructor for empty stores.

use crate::{
    Append, Store, StoreError, StoredCheckpoint, StoredRecord, StoredTimestamp, WrappedKey,
};

fn rec(i: u64, case: Option<&str>, kind: &str) -> StoredRecord {
    StoredRecord {
        leaf_index: i,
        id: format!("rec_{i:016}"),
        case_id: case.map(str::to_string),
        kind: kind.to_string(),
        target: None,
        occurred_at: Some(format!("2026-01-01T00:00:{:02}Z", i % 60)),
        recorded_at: "2026-01-02T00:00:00Z".into(),
        envelope: format!("{{\"i\":{i}}}").into_bytes(),
        leaf_hash: [i as u8; 32],
        sealed: vec![i as u8; 40],
    }
}

fn cp(size: u64) -> StoredCheckpoint {
    StoredCheckpoint {
        size,
        note: format!("origin\n{size}\nroot\n\n— sig\n"),
        frontier: vec![[size as u8; 32]; size.count_ones() as usize],
        created_at: "2026-01-02T00:00:00Z".into(),
        mac: [size as u8; 32],
    }
}

fn init(store: &dyn Store) {
    let r = [rec(0, None, "ledger_initialised")];
    let c = cp(1);
    store
        .initialise(
            &[("origin", b"palisade/test".to_vec())],
            Append {
                expected_size: 0,
                records: &r,
                keys: &[],
                checkpoint: &c,
            },
        )
        .expect("initialise");
}

fn append(
    store: &dyn Store,
    from: u64,
    n: u64,
    case: &str,
    keys: &[WrappedKey],
) -> Result<(), StoreError> {
    let recs: Vec<StoredRecord> = (from..from + n)
        .map(|i| rec(i, Some(case), "entry"))
        .collect();
    store.append(Append {
        expected_size: from,
        records: &recs,
        keys,
        checkpoint: &cp(from + n),
    })
}

/// Run every conformance check, each on a fresh store from `make`.
pub fn run_all(make: &dyn Fn() -> Box<dyn Store>) {
    initialise_once(make().as_ref());
    append_and_read_back(make().as_ref());
    conflicting_append_writes_nothing(make().as_ref());
    duplicate_ids_write_nothing(make().as_ref());
    scans_stop_early_and_start_anywhere(make().as_ref());
    keys_are_scoped(make().as_ref());
    stream_appends_and_reads_back(make().as_ref());
    stream_error_writes_nothing(make().as_ref());
    stream_ignored_push_error_writes_nothing(make().as_ref());
    stream_conflict_is_detected_before_producing(make().as_ref());
    stream_must_be_contiguous_and_covered(make().as_ref());
    stream_reads_see_committed_state_meanwhile(make().as_ref());
    leaf_hashes_and_checkpoint_lookups(make().as_ref());
    timestamps_need_their_checkpoint(make().as_ref());
}

fn leaf_hashes_and_checkpoint_lookups(s: &dyn Store) {
    init(s);
    append(s, 1, 3, "case_a", &[]).expect("append");
    append(s, 4, 2, "case_a", &[]).expect("append");
    let hashes = s.leaf_hashes(0, 6).expect("hashes");
    assert_eq!(hashes, (0..6u8).map(|i| [i; 32]).collect::<Vec<_>>());
    assert_eq!(s.leaf_hashes(2, 4).expect("hashes"), vec![[2; 32], [3; 32]]);
    assert!(
        s.leaf_hashes(0, 7).is_err(),
        "asking past the end must fail"
    );
    let size_of = |c: Option<StoredCheckpoint>| c.map(|c| c.size);
    assert_eq!(size_of(s.checkpoint_covering(0).expect("lookup")), Some(1));
    assert_eq!(size_of(s.checkpoint_covering(1).expect("lookup")), Some(4));
    assert_eq!(size_of(s.checkpoint_covering(3).expect("lookup")), Some(4));
    assert_eq!(size_of(s.checkpoint_covering(4).expect("lookup")), Some(6));
    assert_eq!(size_of(s.checkpoint_covering(6).expect("lookup")), None);
    assert_eq!(size_of(s.checkpoint_at(4).expect("lookup")), Some(4));
    assert_eq!(size_of(s.checkpoint_at(5).expect("lookup")), None);
}

fn timestamps_need_their_checkpoint(s: &dyn Store) {
    init(s);
    append(s, 1, 3, "case_a", &[]).expect("append");
    let t = |size: u64, byte: u8| StoredTimestamp {
        size,
        token: vec![byte; 10],
        authority: "http://127.0.0.1:1/tsa".into(),
        created_at: "2026-01-02T00:00:00Z".into(),
    };
    assert!(matches!(
        s.add_timestamp(&t(3, 1)),
        Err(StoreError::UnknownCheckpoint(3))
    ));
    s.add_timestamp(&t(4, 2)).expect("add");
    s.add_timestamp(&t(1, 3)).expect("add");
    s.add_timestamp(&t(4, 4)).expect("add");
    let all = s.timestamps(u64::MAX).expect("list");
    assert_eq!(
        all.iter().map(|t| (t.size, t.token[0])).collect::<Vec<_>>(),
        vec![(1, 3), (4, 2), (4, 4)]
    );
    assert_eq!(s.timestamps(3).expect("list").len(), 1);
}

fn initialise_once(s: &dyn Store) {
    assert!(matches!(s.head(), Ok(None)));
    assert_eq!(s.record_count().expect("count"), 0);
    init(s);
    assert_eq!(
        s.meta("origin").expect("meta"),
        Some(b"palisade/test".to_vec())
    );
    assert_eq!(s.meta("absent").expect("meta"), None);
    assert_eq!(
        s.meta_entries().expect("meta entries"),
        vec![("origin".to_string(), b"palisade/test".to_vec())]
    );
    let again = s.initialise(
        &[],
        Append {
            expected_size: 0,
            records: &[],
            keys: &[],
            checkpoint: &cp(0),
        },
    );
    assert!(
        matches!(again, Err(StoreError::AlreadyInitialised)),
        "{again:?}"
    );
    assert_eq!(s.record_count().expect("count"), 1);
}

fn append_and_read_back(s: &dyn Store) {
    init(s);
    let k = [WrappedKey {
        scope: "case_a".into(),
        wrapped: vec![1, 2, 3],
    }];
    append(s, 1, 3, "case_a", &k).expect("append");
    append(s, 4, 2, "case_b", &[]).expect("append");
    assert_eq!(s.record_count().expect("count"), 6);
    let head = s.head().expect("head").expect("some head");
    assert_eq!(head, cp(6));
    let got = s.case_records("case_a").expect("case records");
    assert_eq!(
        got,
        (1..4)
            .map(|i| rec(i, Some("case_a"), "entry"))
            .collect::<Vec<_>>()
    );
    assert_eq!(
        s.record("rec_0000000000000004").expect("record"),
        Some(rec(4, Some("case_b"), "entry"))
    );
    assert_eq!(s.record("nope").expect("record"), None);
    let index = s.case_index("case_b").expect("case index");
    assert_eq!(
        index
            .iter()
            .map(|h| (h.leaf_index, h.id.as_str(), h.kind.as_str()))
            .collect::<Vec<_>>(),
        vec![
            (4, "rec_0000000000000004", "entry"),
            (5, "rec_0000000000000005", "entry")
        ]
    );
    assert!(s.case_index("nope").expect("case index").is_empty());
    assert_eq!(s.case_newest_leaf("case_a").expect("newest leaf"), Some(3));
    assert_eq!(s.case_newest_leaf("case_b").expect("newest leaf"), Some(5));
    assert_eq!(s.case_newest_leaf("nope").expect("newest leaf"), None);
    let mut sizes = vec![];
    s.scan_checkpoints(&mut |c| {
        sizes.push(c.size);
        true
    })
    .expect("scan");
    assert_eq!(sizes, vec![1, 4, 6]);
}

fn conflicting_append_writes_nothing(s: &dyn Store) {
    init(s);
    let k = [WrappedKey {
        scope: "case_x".into(),
        wrapped: vec![9],
    }];
    let r = append(s, 5, 2, "case_x", &k);
    assert!(
        matches!(
            r,
            Err(StoreError::Conflict {
                expected: 5,
                found: 1
            })
        ),
        "{r:?}"
    );
    assert_eq!(s.record_count().expect("count"), 1);
    assert_eq!(s.wrapped_key("case_x").expect("key"), None);
    assert_eq!(s.head().expect("head").map(|c| c.size), Some(1));
}

fn duplicate_ids_write_nothing(s: &dyn Store) {
    init(s);
    let mut dup = rec(1, Some("case_a"), "entry");
    dup.id = rec(0, None, "x").id;
    let r = s.append(Append {
        expected_size: 1,
        records: &[dup],
        keys: &[],
        checkpoint: &cp(2),
    });
    assert!(r.is_err(), "a duplicate record id must be refused");
    assert_eq!(s.record_count().expect("count"), 1);
    assert_eq!(s.head().expect("head").map(|c| c.size), Some(1));
}

fn scans_stop_early_and_start_anywhere(s: &dyn Store) {
    init(s);
    append(s, 1, 9, "case_a", &[]).expect("append");
    let mut seen = vec![];
    s.scan_records(3, &mut |r| {
        seen.push(r.leaf_index);
        seen.len() < 4
    })
    .expect("scan");
    assert_eq!(seen, vec![3, 4, 5, 6]);
    let mut all = 0;
    s.scan_records(0, &mut |_| {
        all += 1;
        true
    })
    .expect("scan");
    assert_eq!(all, 10);
}

fn keys_are_scoped(s: &dyn Store) {
    init(s);
    let k = [
        WrappedKey {
            scope: "case_a".into(),
            wrapped: vec![1],
        },
        WrappedKey {
            scope: "case_b".into(),
            wrapped: vec![2],
        },
    ];
    append(s, 1, 1, "case_a", &k).expect("append");
    assert_eq!(s.wrapped_key("case_a").expect("key"), Some(vec![1]));
    assert_eq!(s.wrapped_key("case_b").expect("key"), Some(vec![2]));
    let mut opened = rec(2, Some("case_b"), "case_opened");
    opened.id = "case_b_opened".into();
    s.append(Append {
        expected_size: 2,
        records: &[opened],
        keys: &[],
        checkpoint: &cp(3),
    })
    .expect("append");
    assert_eq!(s.case_ids().expect("case ids"), vec!["case_b".to_string()]);
}

fn stream(
    store: &dyn Store,
    expected: u64,
    from: u64,
    n: u64,
    keys: &[WrappedKey],
) -> Result<(), StoreError> {
    store.append_stream(expected, keys, &mut |push| {
        for i in from..from + n {
            push(&rec(i, Some("case_s"), "entry"))?;
        }
        Ok(cp(from + n))
    })
}

/// Nothing of a failed append is visible: one record, the first checkpoint, no key.
fn assert_untouched(s: &dyn Store, scope: &str) {
    assert_eq!(s.record_count().expect("count"), 1);
    assert_eq!(s.head().expect("head").map(|c| c.size), Some(1));
    assert_eq!(s.wrapped_key(scope).expect("key"), None);
    assert!(s.case_records("case_s").expect("case records").is_empty());
}

fn stream_appends_and_reads_back(s: &dyn Store) {
    init(s);
    let k = [WrappedKey {
        scope: "case_s".into(),
        wrapped: vec![4, 5],
    }];
    stream(s, 1, 1, 2500, &k).expect("stream");
    assert_eq!(s.record_count().expect("count"), 2501);
    assert_eq!(s.head().expect("head"), Some(cp(2501)));
    assert_eq!(s.wrapped_key("case_s").expect("key"), Some(vec![4, 5]));
    let got = s.case_records("case_s").expect("case records");
    assert_eq!(got.len(), 2500);
    assert_eq!(got[0], rec(1, Some("case_s"), "entry"));
    assert_eq!(got[2499], rec(2500, Some("case_s"), "entry"));
    // An empty stream would repeat the head's checkpoint size: refused, nothing written.
    assert!(stream(s, 2501, 2501, 0, &[]).is_err());
    let mut sizes = vec![];
    s.scan_checkpoints(&mut |c| {
        sizes.push(c.size);
        true
    })
    .expect("scan");
    assert_eq!(sizes, vec![1, 2501]);
}

fn stream_error_writes_nothing(s: &dyn Store) {
    init(s);
    let k = [WrappedKey {
        scope: "case_s".into(),
        wrapped: vec![1],
    }];
    let r = s.append_stream(1, &k, &mut |push| {
        for i in 1..200 {
            push(&rec(i, Some("case_s"), "entry"))?;
        }
        Err(StoreError::Backend("the producer failed".into()))
    });
    assert!(
        matches!(&r, Err(StoreError::Backend(m)) if m == "the producer failed"),
        "{r:?}"
    );
    assert_untouched(s, "case_s");
    // The store is still usable afterwards.
    stream(s, 1, 1, 3, &k).expect("stream after a failed one");
    assert_eq!(s.record_count().expect("count"), 4);
}

fn stream_ignored_push_error_writes_nothing(s: &dyn Store) {
    init(s);
    let k = [WrappedKey {
        scope: "case_s".into(),
        wrapped: vec![1],
    }];
    let mut refused = 0;
    let r = s.append_stream(1, &k, &mut |push| {
        push(&rec(1, Some("case_s"), "entry"))?;
        // A duplicate id: refused; this producer carries on regardless.
        let mut dup = rec(2, Some("case_s"), "entry");
        dup.id = rec(1, None, "x").id;
        if push(&dup).is_err() {
            refused += 1;
        }
        if push(&rec(2, Some("case_s"), "entry")).is_err() {
            refused += 1;
        }
        Ok(cp(3))
    });
    assert!(r.is_err(), "a failed push must fail the append: {r:?}");
    assert_eq!(refused, 2, "every push after a failure is refused too");
    assert_untouched(s, "case_s");
}

fn stream_conflict_is_detected_before_producing(s: &dyn Store) {
    init(s);
    let k = [WrappedKey {
        scope: "case_s".into(),
        wrapped: vec![1],
    }];
    let mut called = false;
    let r = s.append_stream(5, &k, &mut |_| {
        called = true;
        Ok(cp(5))
    });
    assert!(
        matches!(
            r,
            Err(StoreError::Conflict {
                expected: 5,
                found: 1
            })
        ),
        "{r:?}"
    );
    assert!(!called, "produce must not run when the size does not match");
    assert_untouched(s, "case_s");
    // A plain append and a stream see each other's records.
    append(s, 1, 2, "case_a", &[]).expect("append");
    let r = stream(s, 1, 1, 1, &[]);
    assert!(
        matches!(
            r,
            Err(StoreError::Conflict {
                expected: 1,
                found: 3
            })
        ),
        "{r:?}"
    );
    stream(s, 3, 3, 2, &[]).expect("stream at the right size");
    assert_eq!(s.record_count().expect("count"), 5);
}

fn stream_must_be_contiguous_and_covered(s: &dyn Store) {
    init(s);
    // A gap in the leaf indexes.
    let r = s.append_stream(1, &[], &mut |push| {
        push(&rec(1, Some("case_s"), "entry"))?;
        push(&rec(3, Some("case_s"), "entry"))?;
        Ok(cp(3))
    });
    assert!(r.is_err(), "{r:?}");
    assert_untouched(s, "case_s");
    // A checkpoint that does not cover exactly the records pushed.
    let r = s.append_stream(1, &[], &mut |push| {
        push(&rec(1, Some("case_s"), "entry"))?;
        Ok(cp(3))
    });
    assert!(r.is_err(), "{r:?}");
    assert_untouched(s, "case_s");
}

fn stream_reads_see_committed_state_meanwhile(s: &dyn Store) {
    init(s);
    let k = [WrappedKey {
        scope: "case_s".into(),
        wrapped: vec![7],
    }];
    let mut seen = Vec::new();
    s.append_stream(1, &k, &mut |push| {
        for i in 1..=10 {
            push(&rec(i, Some("case_s"), "entry"))?;
            // Reads during the write do not block and see only what is committed.
            seen.push((
                s.record_count()?,
                s.head()?.map(|c| c.size),
                s.wrapped_key("case_s")?,
            ));
        }
        Ok(cp(11))
    })
    .expect("stream");
    assert!(seen.iter().all(|v| *v == (1, Some(1), None)), "{seen:?}");
    assert_eq!(s.record_count().expect("count"), 11);
    assert_eq!(s.wrapped_key("case_s").expect("key"), Some(vec![7]));
}
