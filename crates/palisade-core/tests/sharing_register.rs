//! Shares, colleague flags and the physical evidence register: composing
//! the records (with the rules checked against the case as it stands) and
//! folding them into the case view.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use palisade_core::compose::{
    self, ComposeError, NewCase, NewCustody, NewEntry, NewExhibit, NewFlag, NewShare, Stamp,
};
use palisade_core::domain::{CaseKind, Channel, Direction, ItemKind, RecordKind, Source, field};
use palisade_core::record::Record;
use palisade_core::time::{Moment, When};
use palisade_core::view::{CaseView, LedgerRecord, ViewError, fold_case};

const CASE: &str = "case_0000000000000001";
const NOW: &str = "2026-03-10T12:00:00Z";

fn stamp(id: &str) -> Stamp {
    Stamp {
        id: id.to_string(),
        recorded_at: Moment::parse(NOW).unwrap(),
    }
}

/// A case being built record by record, folded after each one (as the
/// service does: every rule is checked against the current view).
struct Case {
    records: Vec<LedgerRecord>,
}

impl Case {
    fn new(owner: Option<&str>) -> Self {
        let opened = compose::case_opened(
            &stamp(CASE),
            CASE,
            &NewCase {
                title: "Patient AB".into(),
                subject: "AB".into(),
                kind: CaseKind::Amorous,
                parties: vec![],
                owner: owner.map(str::to_string),
            },
        )
        .unwrap();
        let mut c = Case { records: vec![] };
        c.push(opened);
        c
    }

    fn push(&mut self, record: Record) {
        let leaf_index = self.records.len() as u64 + 1;
        self.records.push(LedgerRecord { leaf_index, record });
    }

    fn view(&self) -> CaseView {
        fold_case(CASE, &self.records).unwrap()
    }

    fn add(&mut self, r: Result<Record, ComposeError>) -> String {
        let r = r.unwrap();
        let id = r.envelope.id.clone();
        self.push(r);
        id
    }

    fn close(&mut self) {
        self.push(compose::case_closed(&stamp("close_1"), CASE, "resolved").unwrap());
    }
}

fn share_with(user: &str) -> NewShare {
    NewShare {
        user: user.into(),
        user_name: format!("Name of {user}"),
        by: "Dr Owner".into(),
        reason: Some("practice manager handles the letter".into()),
    }
}

fn exhibit_item() -> NewExhibit {
    NewExhibit {
        description: "Handwritten card left at reception".into(),
        item_kind: ItemKind::Card,
        received_at: When::parse("2026-03-02").unwrap(),
        received_by: "Reception (J Bloggs)".into(),
        stored_at: "Practice safe".into(),
        bag_number: Some("EB-0001".into()),
        linked_entry: None,
        notes: None,
    }
}

fn hand_over(at: &str) -> NewCustody {
    NewCustody {
        at: When::parse(at).unwrap(),
        from: "Practice manager".into(),
        to: "PC 1234 Smith, Thames Valley Police".into(),
        purpose: Some("Evidence for the investigation".into()),
        bag_number: Some("TVP-77".into()),
        notes: None,
    }
}

#[test]
fn a_share_is_active_until_revoked_and_may_then_be_given_again() {
    let mut c = Case::new(Some("usr_owner"));
    let first = c.add(compose::share(
        &stamp("shr_1"),
        &c.view(),
        &share_with("usr_a"),
    ));
    let v = c.view();
    assert!(v.shared_with("usr_a"));
    assert!(!v.shared_with("usr_b"));
    assert_eq!(v.shares[0].user_name, "Name of usr_a");
    assert_eq!(v.shares[0].granted_at, NOW);
    assert_eq!(v.shares[0].by.as_deref(), Some("Dr Owner"));

    // A second share while the first is active is refused.
    let again = compose::share(&stamp("shr_2"), &v, &share_with("usr_a")).unwrap_err();
    assert!(matches!(again, ComposeError::AlreadyShared(ref who) if who.contains("usr_a")));
    assert!(again.to_string().contains("revoke"), "{again}");
    // The owner needs no share.
    assert!(matches!(
        compose::share(&stamp("shr_3"), &v, &share_with("usr_owner")),
        Err(ComposeError::ShareWithOwner(_))
    ));
    // A user id must look like one.
    assert!(matches!(
        compose::share(&stamp("shr_4"), &v, &share_with("Dr Who")),
        Err(ComposeError::BadId("user", _))
    ));

    let revoke = compose::share_revoked(&stamp("rvk_1"), &v, &first, "Dr Owner", Some("left"));
    let revoked = c.add(revoke);
    let v = c.view();
    assert!(!v.shared_with("usr_a"));
    let r = v.shares[0].revoked.as_ref().unwrap();
    assert_eq!(r.id, revoked);
    assert_eq!(r.reason.as_deref(), Some("left"));
    // Revoking twice is refused; so is revoking something that is not a share.
    assert!(matches!(
        compose::share_revoked(&stamp("rvk_2"), &v, &first, "Dr Owner", None),
        Err(ComposeError::AlreadyDone { what: "share", .. })
    ));
    assert!(matches!(
        compose::share_revoked(&stamp("rvk_3"), &v, CASE, "Dr Owner", None),
        Err(ComposeError::UnknownTarget { what: "share", .. })
    ));

    // Shared again: a new share, the old one stays in the history.
    c.add(compose::share(&stamp("shr_5"), &v, &share_with("usr_a")));
    let v = c.view();
    assert!(v.shared_with("usr_a"));
    assert_eq!(v.shares.len(), 2);
    assert_eq!(v.active_share("usr_a").unwrap().id, "shr_5");
}

#[test]
fn flags_are_published_and_withdrawn() {
    let mut c = Case::new(None);
    let flag = NewFlag {
        patient: "AB, ref 40213".into(),
        text: "Chaperone required for this patient".into(),
        by: "Dr Owner".into(),
    };
    let f1 = c.add(compose::flag(&stamp("flag_1"), &c.view(), &flag));
    let f2 = c.add(compose::flag(
        &stamp("flag_2"),
        &c.view(),
        &NewFlag {
            text: "Do not disclose Dr X's rota or whereabouts to callers".into(),
            ..flag.clone()
        },
    ));
    let v = c.view();
    assert_eq!(v.active_flags().count(), 2);
    assert_eq!(v.flags[0].patient, "AB, ref 40213");
    c.add(compose::flag_withdrawn(
        &stamp("wdr_1"),
        &v,
        &f1,
        "Dr Owner",
        None,
    ));
    let v = c.view();
    let active: Vec<&str> = v.active_flags().map(|f| f.id.as_str()).collect();
    assert_eq!(active, [f2.as_str()]);
    assert!(v.flag(&f1).unwrap().withdrawn.is_some());
    // Withdrawing an unknown flag, or one already withdrawn, is refused.
    assert!(matches!(
        compose::flag_withdrawn(&stamp("wdr_2"), &v, "flag_nope", "Dr Owner", None),
        Err(ComposeError::UnknownTarget { what: "flag", .. })
    ));
    assert!(matches!(
        compose::flag_withdrawn(&stamp("wdr_3"), &v, &f1, "Dr Owner", None),
        Err(ComposeError::AlreadyDone { what: "flag", .. })
    ));
    // Empty text is refused with the field's name.
    let e = compose::flag(
        &stamp("flag_3"),
        &v,
        &NewFlag {
            text: "  ".into(),
            ..flag
        },
    )
    .unwrap_err();
    assert_eq!(e, ComposeError::Empty("flag text"));
}

#[test]
fn the_register_records_items_photos_and_custody_in_order() {
    let mut c = Case::new(None);
    let entry = c.add(compose::entry(
        &stamp("ent_1"),
        CASE,
        &NewEntry {
            occurred_at: Moment::parse("2026-03-02T09:00:00Z").unwrap(),
            channel: Channel::Gift,
            direction: Direction::Inbound,
            party: None,
            place: Some("Reception".into()),
            witnesses: vec![],
            summary: Some("Card and flowers left".into()),
            content: None,
            clinical: None,
            source: Source::Manual,
        },
    ));
    let x = c.add(compose::exhibit(
        &stamp("exh_1"),
        &c.view(),
        &NewExhibit {
            linked_entry: Some(entry.clone()),
            ..exhibit_item()
        },
    ));
    c.add(compose::attachment(
        &stamp("att_1"),
        CASE,
        &x,
        &compose::NewAttachment {
            sha256: "00".repeat(32),
            size: 10,
            media_type: "image/jpeg".into(),
            name: "card.jpg".into(),
        },
    ));
    c.add(compose::custody(
        &stamp("cus_1"),
        &c.view(),
        &x,
        &hand_over("2026-03-05T10:30:00+00:00"),
    ));
    let x2 = c.add(compose::exhibit(
        &stamp("exh_2"),
        &c.view(),
        &NewExhibit {
            item_kind: ItemKind::DigitalMedia,
            description: "USB stick in an envelope".into(),
            bag_number: None,
            ..exhibit_item()
        },
    ));
    let v = c.view();
    assert_eq!(v.exhibits.len(), 2);
    let first = v.exhibit(&x).unwrap();
    assert_eq!(first.number, 1);
    assert_eq!(first.item_kind, "card");
    assert_eq!(first.received_at, "2026-03-02");
    assert_eq!(first.linked_entry.as_deref(), Some(entry.as_str()));
    assert_eq!(first.attachments.len(), 1);
    assert_eq!(first.attachments[0].name, "card.jpg");
    assert_eq!(first.custody.len(), 1);
    assert_eq!(first.custody[0].to, "PC 1234 Smith, Thames Valley Police");
    assert_eq!(
        first.current_holder(),
        "PC 1234 Smith, Thames Valley Police"
    );
    assert_eq!(first.current_bag(), Some("TVP-77"));
    let second = v.exhibit(&x2).unwrap();
    assert_eq!(second.number, 2);
    assert_eq!(second.current_holder(), "Practice safe");
    assert_eq!(second.current_bag(), None);
    // The view serialises the register for `timeline --json`.
    let json = serde_json::to_value(&v).unwrap();
    assert_eq!(json["exhibits"][0]["custody"][0]["bag_number"], "TVP-77");
    assert!(json["shares"].as_array().unwrap().is_empty());
    assert!(json["flags"].as_array().unwrap().is_empty());

    // Custody of an unknown exhibit, an exhibit linked to an unknown entry,
    // a hand-over before the item arrived and times in the future are refused.
    assert!(matches!(
        compose::custody(&stamp("cus_2"), &v, &entry, &hand_over("2026-03-05")),
        Err(ComposeError::UnknownTarget {
            what: "exhibit",
            ..
        })
    ));
    assert!(matches!(
        compose::exhibit(
            &stamp("exh_3"),
            &v,
            &NewExhibit {
                linked_entry: Some("ent_nope".into()),
                ..exhibit_item()
            }
        ),
        Err(ComposeError::UnknownTarget { what: "entry", .. })
    ));
    let early = compose::custody(&stamp("cus_3"), &v, &x, &hand_over("2026-03-01")).unwrap_err();
    assert!(
        early.to_string().contains("before exhibit 1 was received"),
        "{early}"
    );
    assert!(matches!(
        compose::custody(&stamp("cus_4"), &v, &x, &hand_over("2026-03-10T12:06:00Z")),
        Err(ComposeError::InFuture("custody time", _))
    ));
    // Within the five minutes of clock skew: accepted.
    compose::custody(&stamp("cus_5"), &v, &x, &hand_over("2026-03-10T12:04:00Z")).unwrap();
    assert!(matches!(
        compose::exhibit(
            &stamp("exh_4"),
            &v,
            &NewExhibit {
                received_at: When::parse("2026-03-12").unwrap(),
                ..exhibit_item()
            }
        ),
        Err(ComposeError::InFuture("received-at", _))
    ));
}

#[test]
fn records_carry_salted_fields_and_targets() {
    let mut c = Case::new(None);
    let x = c.add(compose::exhibit(
        &stamp("exh_1"),
        &c.view(),
        &exhibit_item(),
    ));
    let cus = compose::custody(&stamp("cus_1"), &c.view(), &x, &hand_over("2026-03-04")).unwrap();
    assert_eq!(cus.envelope.kind, RecordKind::Custody);
    assert_eq!(cus.envelope.target.as_deref(), Some(x.as_str()));
    assert_eq!(cus.envelope.case.as_deref(), Some(CASE));
    // Optional fields left empty are not committed at all.
    assert!(!cus.envelope.fields.contains_key(field::NOTES));
    assert!(cus.envelope.fields.contains_key(field::TO));
    assert_eq!(cus.text(field::FROM), Some("Practice manager"));
    let sh = compose::share(&stamp("shr_1"), &c.view(), &share_with("usr_a")).unwrap();
    assert_eq!(sh.envelope.kind, RecordKind::Share);
    assert_eq!(sh.envelope.target, None);
    assert_eq!(sh.text(field::USER), Some("usr_a"));
    // The envelope commits to digests only: the user id is not in it.
    let env = String::from_utf8(sh.envelope.to_bytes()).unwrap();
    assert!(!env.contains("usr_a"), "{env}");
}

#[test]
fn a_closed_case_refuses_new_records_but_access_can_still_end() {
    let mut c = Case::new(None);
    let share = c.add(compose::share(
        &stamp("shr_1"),
        &c.view(),
        &share_with("usr_a"),
    ));
    let x = c.add(compose::exhibit(
        &stamp("exh_1"),
        &c.view(),
        &exhibit_item(),
    ));
    let flag = NewFlag {
        patient: "AB".into(),
        text: "Chaperone required".into(),
        by: "Dr Owner".into(),
    };
    let f = c.add(compose::flag(&stamp("flag_1"), &c.view(), &flag));
    c.close();
    let v = c.view();
    let closed = |r: Result<Record, ComposeError>| {
        assert!(
            matches!(r, Err(ComposeError::CaseClosed(ref id)) if id == CASE),
            "{r:?}"
        );
    };
    closed(compose::share(&stamp("shr_2"), &v, &share_with("usr_b")));
    closed(compose::flag(&stamp("flag_2"), &v, &flag));
    closed(compose::exhibit(&stamp("exh_2"), &v, &exhibit_item()));
    closed(compose::custody(
        &stamp("cus_1"),
        &v,
        &x,
        &hand_over("2026-03-04"),
    ));
    // Ending a share or withdrawing a flag is always possible.
    c.add(compose::share_revoked(
        &stamp("rvk_1"),
        &v,
        &share,
        "Dr Owner",
        None,
    ));
    c.add(compose::flag_withdrawn(
        &stamp("wdr_1"),
        &c.view(),
        &f,
        "Dr Owner",
        None,
    ));
    let v = c.view();
    assert!(!v.shared_with("usr_a"));
    assert_eq!(v.active_flags().count(), 0);
}

#[test]
fn folding_refuses_dangling_and_repeated_endings() {
    let mut c = Case::new(None);
    let share = c.add(compose::share(
        &stamp("shr_1"),
        &c.view(),
        &share_with("usr_a"),
    ));
    let v = c.view();
    let rv1 = compose::share_revoked(&stamp("rvk_1"), &v, &share, "A", None).unwrap();
    let rv2 = compose::share_revoked(&stamp("rvk_2"), &v, &share, "A", None).unwrap();
    c.push(rv1);
    c.push(rv2);
    assert_eq!(
        fold_case(CASE, &c.records).unwrap_err(),
        ViewError::AlreadyEnded {
            id: "rvk_2".into(),
            target: share.clone()
        }
    );
    // Custody pointing at a share is not custody of an exhibit.
    let mut c = Case::new(None);
    let share = c.add(compose::share(
        &stamp("shr_1"),
        &c.view(),
        &share_with("usr_a"),
    ));
    let x = c.add(compose::exhibit(
        &stamp("exh_1"),
        &c.view(),
        &exhibit_item(),
    ));
    let mut cus =
        compose::custody(&stamp("cus_1"), &c.view(), &x, &hand_over("2026-03-04")).unwrap();
    cus.envelope.target = Some(share.clone());
    c.push(cus);
    assert!(matches!(
        fold_case(CASE, &c.records),
        Err(ViewError::DanglingTarget { ref target, .. }) if *target == share
    ));
}

#[test]
fn item_kinds_are_a_closed_list() {
    assert_eq!(ItemKind::ALL.len(), 7);
    assert_eq!(
        "photo_print".parse::<ItemKind>().unwrap(),
        ItemKind::PhotoPrint
    );
    let e = "sword".parse::<ItemKind>().unwrap_err().to_string();
    assert!(
        e.contains("unknown item kind 'sword'") && e.contains("digital_media"),
        "{e}"
    );
}
