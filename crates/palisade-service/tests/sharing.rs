//! Shares, flags and the evidence register through the service, on real
//! stores in temporary directories, and the cached read path: every kind of
//! write must be seen by the very next read (a stale cache would let a
//! revoked user keep reading).
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use palisade_core::access::Relation;
use palisade_core::compose::{EntryPatch, NewAction, NewCase, NewCustody, NewEntry, NewExhibit};
use palisade_core::domain::{ActionKind, CaseKind, Channel, Direction, ItemKind, Source};
use palisade_core::time::{Moment, When};
use palisade_core::view::CaseView;
use palisade_service::{KeyOptions, Palisade, ServiceError};
use std::path::{Path, PathBuf};
use std::sync::Arc;

struct Store {
    tmp: tempfile::TempDir,
    dir: PathBuf,
    key: PathBuf,
}

impl Store {
    fn new() -> (Store, Palisade) {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("data");
        let key = tmp.path().join("master.key");
        let (p, _) = Palisade::init(&dir, &keys(&key)).expect("init");
        (Store { tmp, dir, key }, p)
    }

    /// The same data directory opened a second time (as the CLI does while
    /// the web application is running).
    fn open(&self) -> Palisade {
        Palisade::open(&self.dir, &keys(&self.key)).expect("open")
    }

    fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.tmp.path().join(name);
        std::fs::write(&p, bytes).expect("write file");
        p
    }
}

fn keys(key: &Path) -> KeyOptions {
    KeyOptions {
        key_file: Some(key.to_path_buf()),
        passphrase: None,
    }
}

fn open_case(p: &Palisade, owner: Option<&str>) -> String {
    p.open_case(&NewCase {
        title: "Patient AB".into(),
        subject: "AB".into(),
        kind: CaseKind::Amorous,
        parties: vec![],
        owner: owner.map(str::to_string),
    })
    .expect("open case")
    .id
}

fn entry(text: &str) -> NewEntry {
    NewEntry {
        occurred_at: Moment::parse("2026-03-01T21:40:00+00:00").expect("time"),
        channel: Channel::Sms,
        direction: Direction::Inbound,
        party: None,
        place: None,
        witnesses: vec![],
        summary: None,
        content: Some(text.into()),
        clinical: None,
        source: Source::Manual,
    }
}

fn exhibit() -> NewExhibit {
    NewExhibit {
        description: "Card left at reception".into(),
        item_kind: ItemKind::Card,
        received_at: When::parse("2026-03-02").expect("date"),
        received_by: "Reception".into(),
        stored_at: "Practice safe".into(),
        bag_number: Some("EB-1".into()),
        linked_entry: None,
        notes: None,
    }
}

fn custody() -> NewCustody {
    NewCustody {
        at: When::parse("2026-03-05").expect("date"),
        from: "Practice manager".into(),
        to: "PC 1234 Smith".into(),
        purpose: None,
        bag_number: None,
        notes: None,
    }
}

#[test]
fn access_follows_shares_and_a_revocation_takes_effect_at_once() {
    let (_s, p) = Store::new();
    let case = open_case(&p, Some("usr_owner"));
    let a = p.case_access(&case).expect("access");
    assert_eq!(a.owner.as_deref(), Some("usr_owner"));
    assert_eq!(a.relation("usr_owner"), Relation::Owner);
    assert_eq!(a.relation("usr_manager"), Relation::None);
    assert_eq!(a.relation(""), Relation::None);

    p.share_case(&case, "usr_manager", "Pat Manager", "Dr Owner", None)
        .expect("share");
    // Read the case (filling the cache) as the shared user would.
    assert!(
        p.case_shared(&case)
            .expect("read")
            .shared_with("usr_manager")
    );
    assert_eq!(
        p.case_access(&case)
            .expect("access")
            .relation("usr_manager"),
        Relation::Shared
    );
    assert_eq!(
        p.cases_readable_by("usr_manager").expect("list"),
        std::slice::from_ref(&case)
    );

    // Shared twice: refused, with a message that says what to do.
    let e = p
        .share_case(&case, "usr_manager", "Pat Manager", "Dr Owner", None)
        .unwrap_err();
    assert!(
        e.to_string().contains("already shared with Pat Manager"),
        "{e}"
    );

    p.revoke_share(&case, "usr_manager", "Dr Owner", Some("left the practice"))
        .expect("revoke");
    assert_eq!(
        p.case_access(&case)
            .expect("access")
            .relation("usr_manager"),
        Relation::None
    );
    assert!(
        !p.case_shared(&case)
            .expect("read")
            .shared_with("usr_manager")
    );
    assert!(p.cases_readable_by("usr_manager").expect("list").is_empty());
    // Nothing left to revoke.
    assert!(matches!(
        p.revoke_share(&case, "usr_manager", "Dr Owner", None),
        Err(ServiceError::NotFound { .. })
    ));
    assert!(matches!(
        p.case_access("case_0000000000000000"),
        Err(ServiceError::NotFound { what: "case", .. })
    ));
}

#[test]
fn a_revocation_written_by_another_process_is_seen_by_the_next_read() {
    let (s, web) = Store::new();
    let case = open_case(&web, Some("usr_owner"));
    web.share_case(&case, "usr_a", "A", "Dr Owner", None)
        .expect("share");
    let before = web.case_shared(&case).expect("read");
    assert!(before.shared_with("usr_a"));
    assert_eq!(
        web.case_access(&case).unwrap().relation("usr_a"),
        Relation::Shared
    );

    // The CLI, a separate Palisade on the same directory, revokes.
    let cli = s.open();
    cli.revoke_share(&case, "usr_a", "Dr Owner", None)
        .expect("revoke");
    assert_eq!(
        web.case_access(&case).unwrap().relation("usr_a"),
        Relation::None
    );
    assert!(!web.case_shared(&case).expect("read").shared_with("usr_a"));
}

/// A change made by `write` is visible in the next `case_shared`, which is a
/// fresh fold; with no write between, reads share one cached copy.
fn check_write_is_seen(
    p: &Palisade,
    case: &str,
    what: &str,
    write: impl FnOnce(),
    seen: impl Fn(&CaseView) -> bool,
) {
    let before = p.case_shared(case).expect("read before");
    let again = p.case_shared(case).expect("read again");
    assert!(
        Arc::ptr_eq(&before, &again),
        "{what}: unchanged case not served from the cache"
    );
    assert!(!seen(&before), "{what}: already visible before the write");
    write();
    let after = p.case_shared(case).expect("read after");
    assert!(!Arc::ptr_eq(&before, &after), "{what}: stale view served");
    assert!(seen(&after), "{what}: not visible after the write");
    assert_eq!(after.records, before.records + 1, "{what}");
}

#[test]
fn every_kind_of_write_invalidates_the_cached_view() {
    let (s, p) = Store::new();
    let case = open_case(&p, Some("usr_owner"));
    let photo = s.file("card.jpg", b"\xff\xd8\xff\xe0 not really a jpeg");

    check_write_is_seen(
        &p,
        &case,
        "entry",
        || {
            p.log_entry(&case, &entry("first"), &[]).expect("log");
        },
        |v| v.entries.len() == 1,
    );
    let ent = p.case_shared(&case).unwrap().entries[0].id.clone();
    check_write_is_seen(
        &p,
        &case,
        "correction",
        || {
            let patch = EntryPatch {
                summary: Some("corrected".into()),
                ..EntryPatch::default()
            };
            p.correct_entry(&ent, "typo", &patch).expect("correct");
        },
        |v| v.entries[0].summary.as_deref() == Some("corrected"),
    );
    check_write_is_seen(
        &p,
        &case,
        "action",
        || {
            let a = NewAction {
                kind: ActionKind::AskedToStop,
                date: When::parse("2026-03-02").unwrap(),
                by: None,
                reference: None,
                notes: None,
                mode: None,
            };
            p.record_action(&case, &a, &[]).expect("action");
        },
        |v| v.actions.len() == 1,
    );
    check_write_is_seen(
        &p,
        &case,
        "share",
        || {
            p.share_case(&case, "usr_a", "A", "Dr Owner", None)
                .expect("share");
        },
        |v| v.shared_with("usr_a"),
    );
    check_write_is_seen(
        &p,
        &case,
        "share revoked",
        || {
            p.revoke_share(&case, "usr_a", "Dr Owner", None)
                .expect("revoke");
        },
        |v| v.shares.len() == 1 && !v.shared_with("usr_a"),
    );
    check_write_is_seen(
        &p,
        &case,
        "flag",
        || {
            p.publish_flag(&case, "AB", "Chaperone required", "Dr Owner")
                .expect("flag");
        },
        |v| v.active_flags().count() == 1,
    );
    let flag = p.case_shared(&case).unwrap().flags[0].id.clone();
    check_write_is_seen(
        &p,
        &case,
        "flag withdrawn",
        || {
            p.withdraw_flag(&case, &flag, "Dr Owner", None)
                .expect("withdraw");
        },
        |v| v.flags.len() == 1 && v.active_flags().count() == 0,
    );
    // An exhibit with a photograph is two records.
    let before = p.case_shared(&case).unwrap();
    let x = p
        .add_exhibit(&case, &exhibit(), std::slice::from_ref(&photo))
        .expect("exhibit");
    assert_eq!(x.attachments.len(), 1);
    let after = p.case_shared(&case).unwrap();
    assert_eq!(after.records, before.records + 2);
    assert_eq!(after.exhibits[0].attachments[0].name, "card.jpg");
    check_write_is_seen(
        &p,
        &case,
        "custody",
        || {
            p.record_custody(&case, &x.id, &custody()).expect("custody");
        },
        |v| v.exhibits[0].custody.len() == 1,
    );
    check_write_is_seen(
        &p,
        &case,
        "retraction",
        || {
            p.retract_entry(&ent, "wrong case").expect("retract");
        },
        |v| v.live_entries().count() == 0,
    );
    check_write_is_seen(
        &p,
        &case,
        "case closed",
        || {
            p.close_case(&case, "resolved").expect("close");
        },
        CaseView::is_closed,
    );
    // The cached view is the uncached one, with triage attached.
    let mut fresh = p.case_for_reading(&case).expect("fresh");
    let cached = p.case_shared(&case).expect("cached");
    fresh.records = cached.records;
    assert_eq!(&fresh, &*cached);
    // And the whole ledger, new kinds included, verifies.
    let report = p.verify().expect("verify");
    assert!(report.ok, "{:?}", report.errors);
}

#[test]
fn flags_for_colleagues_come_from_open_cases_newest_first() {
    let (_s, p) = Store::new();
    let one = open_case(&p, Some("usr_owner"));
    let two = open_case(&p, None);
    p.publish_flag(&one, "AB, ref 40213", "Chaperone required", "Dr A")
        .expect("flag");
    let withdrawn = p
        .publish_flag(&one, "AB, ref 40213", "Old advice", "Dr A")
        .expect("flag");
    p.publish_flag(&two, "CD", "Do not book with Dr X", "Dr B")
        .expect("flag");
    p.withdraw_flag(&one, &withdrawn.id, "Dr A", Some("superseded"))
        .expect("withdraw");
    let flags = p.published_flags().expect("flags");
    let texts: Vec<&str> = flags.iter().map(|f| f.text.as_str()).collect();
    assert_eq!(texts, ["Do not book with Dr X", "Chaperone required"]);
    assert_eq!(flags[1].case_id, one);
    assert_eq!(flags[1].patient, "AB, ref 40213");
    assert_eq!(flags[1].by, "Dr A");
    // Withdrawing twice, or a flag of another case: refused.
    assert!(p.withdraw_flag(&one, &withdrawn.id, "Dr A", None).is_err());
    assert!(matches!(
        p.withdraw_flag(&two, &flags[1].flag_id, "Dr A", None),
        Err(ServiceError::NotFound { what: "flag", .. })
    ));
    // A closed case's flags are no longer shown.
    p.close_case(&two, "patient moved away").expect("close");
    let flags = p.published_flags().expect("flags");
    assert_eq!(flags.len(), 1);
    assert_eq!(flags[0].case_id, one);
    // Nothing more can be published in the closed case.
    let e = p.publish_flag(&two, "CD", "x", "Dr B").unwrap_err();
    assert!(e.to_string().contains("is closed"), "{e}");
}

#[test]
fn facts_are_read_without_the_view_and_stay_current() {
    let (s, p) = Store::new();
    let case = open_case(&p, Some("usr_owner"));
    for i in 0..20 {
        p.log_entry(&case, &entry(&format!("message {i}")), &[])
            .expect("log");
    }
    p.share_case(&case, "usr_a", "A", "Dr Owner", None)
        .expect("share");
    // A fresh instance has no view cached: access is folded from the share
    // records alone.
    let other = s.open();
    assert_eq!(other.cached_views(), 0);
    assert_eq!(
        other.case_access(&case).unwrap().relation("usr_a"),
        Relation::Shared
    );
    assert_eq!(other.cached_views(), 0);
    p.revoke_share(&case, "usr_a", "Dr Owner", None)
        .expect("revoke");
    assert_eq!(
        other.case_access(&case).unwrap().relation("usr_a"),
        Relation::None
    );
}

#[test]
fn concurrent_shares_of_one_user_give_exactly_one_share() {
    let (_s, p) = Store::new();
    let case = open_case(&p, Some("usr_owner"));
    let ok = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..6)
            .map(|_| scope.spawn(|| p.share_case(&case, "usr_a", "A", "Dr Owner", None).is_ok()))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .filter(|ok| *ok)
            .count()
    });
    assert_eq!(ok, 1);
    assert_eq!(p.case_shared(&case).unwrap().shares.len(), 1);
}

#[test]
fn readers_arriving_together_share_one_fold() {
    let (_s, p) = Store::new();
    let case = open_case(&p, Some("usr_owner"));
    for i in 0..50 {
        p.log_entry(&case, &entry(&format!("message {i}")), &[])
            .expect("log");
    }
    let views: Vec<Arc<CaseView>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..16)
            .map(|_| scope.spawn(|| p.case_shared(&case).expect("read")))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    });
    assert!(views.iter().all(|v| Arc::ptr_eq(v, &views[0])));
    assert_eq!(views[0].entries.len(), 50);
}

#[test]
fn the_register_refuses_what_does_not_fit() {
    let (s, p) = Store::new();
    let case = open_case(&p, None);
    // Custody of an exhibit that is not in the case.
    assert!(matches!(
        p.record_custody(&case, "exh_0000000000000000", &custody()),
        Err(ServiceError::NotFound {
            what: "exhibit",
            ..
        })
    ));
    // A missing photograph: nothing is written.
    let before = p.case_shared(&case).unwrap().records;
    let missing = s.tmp.path().join("nope.jpg");
    assert!(matches!(
        p.add_exhibit(&case, &exhibit(), &[missing]),
        Err(ServiceError::Attachment { .. })
    ));
    assert_eq!(p.case_shared(&case).unwrap().records, before);
    // Linked to an entry of the case: checked without reading the case's
    // other records (a fresh instance has nothing cached).
    let ent = p.log_entry(&case, &entry("hello"), &[]).expect("log").id;
    let cor = p
        .correct_entry(
            &ent,
            "typo",
            &EntryPatch {
                summary: Some("x".into()),
                ..EntryPatch::default()
            },
        )
        .expect("correct")
        .id;
    let fresh = s.open();
    let linked = NewExhibit {
        linked_entry: Some(ent.clone()),
        ..exhibit()
    };
    fresh
        .add_exhibit(&case, &linked, &[])
        .expect("linked exhibit");
    assert_eq!(fresh.cached_views(), 0);
    for not_an_entry in [cor.as_str(), case.as_str(), "ent_0000000000000000"] {
        let bad = NewExhibit {
            linked_entry: Some(not_an_entry.to_string()),
            ..exhibit()
        };
        assert!(
            matches!(
                s.open().add_exhibit(&case, &bad, &[]),
                Err(ServiceError::NotFound { what: "entry", .. })
            ),
            "{not_an_entry}"
        );
    }
    // In the future.
    let future = NewExhibit {
        received_at: When::parse("2099-01-01").unwrap(),
        ..exhibit()
    };
    let e = p.add_exhibit(&case, &future, &[]).unwrap_err();
    assert!(e.to_string().contains("in the future"), "{e}");
}
