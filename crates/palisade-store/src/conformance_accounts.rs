//! The conformance suite every [`AccountStore`] backend runs: call
//! [`run_all`] from the backend's tests with a constructor that opens an empty
//! store in the given (fresh, temporary) directory.

use crate::accounts::{AccountStore, ApiTokenRow, AuditRow, OrgRow, SessionRow, UserRow};
use crate::{Hash, StoreError};
use palisade_core::access::Role;
use std::path::Path;

/// Opens an empty store in a fresh directory.
pub type Open<'a> = dyn Fn(&Path) -> Box<dyn AccountStore> + 'a;

/// One conformance check, run on an empty store.
type Check = fn(&dyn AccountStore);

/// Run every check, each on a fresh store.
pub fn run_all(open: &Open<'_>) {
    let checks: &[(&str, Check)] = &[
        ("org_and_setup", org_and_setup),
        ("complete_setup_only_once", complete_setup_only_once),
        ("users", users),
        ("totp_fields_and_step_claims", totp_fields_and_step_claims),
        ("recovery_codes", recovery_codes),
        ("sessions", sessions),
        ("api_tokens", api_tokens),
        ("audit_append_and_read", audit_append_and_read),
        ("audit_sequence_is_enforced", audit_sequence_is_enforced),
        (
            "audit_scan_pages_through_many_rows",
            audit_scan_pages_through_many_rows,
        ),
    ];
    for (name, check) in checks {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = open(dir.path());
        eprintln!("account store conformance: {name}");
        check(store.as_ref());
    }
}

fn org(name: &str) -> OrgRow {
    OrgRow {
        name: name.to_string(),
        require_totp: false,
        idle_timeout_minutes: 30,
        absolute_timeout_hours: 12,
    }
}

fn user(id: &str, username: &str, role: Role) -> UserRow {
    UserRow {
        id: id.to_string(),
        username: username.to_string(),
        display_name: format!("Dr {username}"),
        role,
        password_hash: format!("$argon2id$hash-of-{username}"),
        totp_sealed: None,
        totp_pending_sealed: None,
        totp_last_step: None,
        disabled: false,
        created_at: 1_767_225_600,
    }
}

fn session(id: &str, user_id: &str, hash: u8, created: i64) -> SessionRow {
    SessionRow {
        id: id.to_string(),
        token_hash: [hash; 32],
        user_id: user_id.to_string(),
        created_at: created,
        last_seen: created,
        second_factor_done: false,
        csrf_token: format!("csrf-{id}"),
        client: "192.0.2.1".into(),
        user_agent: "Firefox".into(),
    }
}

fn audit(seq: u64, case: Option<&str>) -> AuditRow {
    AuditRow {
        seq,
        at: format!("2026-01-01T00:00:{:02}Z", seq % 60),
        actor_id: Some("usr_a".into()),
        action: "case_viewed".into(),
        case_id: case.map(str::to_string),
        target: Some(format!("ent_{seq}")),
        detail: None,
        client: Some("192.0.2.1".into()),
        mac: [seq as u8; 32],
    }
}

fn org_and_setup(s: &dyn AccountStore) {
    assert!(!s.backend().is_empty());
    assert_eq!(s.org().expect("org"), None);
    let mut o = org("Riverside Surgery");
    s.put_org(&o).expect("put");
    assert_eq!(s.org().expect("org"), Some(o.clone()));
    o.require_totp = true;
    o.idle_timeout_minutes = 15;
    o.absolute_timeout_hours = 8;
    s.put_org(&o).expect("update");
    assert_eq!(s.org().expect("org"), Some(o));

    assert_eq!(s.setup_token_hash().expect("token"), None);
    s.set_setup_token_hash(Some(&[1; 32])).expect("set");
    s.set_setup_token_hash(Some(&[2; 32])).expect("replace");
    assert_eq!(s.setup_token_hash().expect("token"), Some([2; 32]));
    s.set_setup_token_hash(None).expect("clear");
    assert_eq!(s.setup_token_hash().expect("token"), None);
}

fn complete_setup_only_once(s: &dyn AccountStore) {
    s.set_setup_token_hash(Some(&[3; 32])).expect("set");
    assert_eq!(s.user_count().expect("count"), 0);
    let admin = user("usr_admin", "admin", Role::Admin);
    assert!(s.complete_setup(&org("Practice"), &admin).expect("setup"));
    assert_eq!(s.user_count().expect("count"), 1);
    assert_eq!(s.user("usr_admin").expect("user"), Some(admin));
    assert_eq!(
        s.org().expect("org").map(|o| o.name),
        Some("Practice".into())
    );
    assert_eq!(s.setup_token_hash().expect("token"), None, "token removed");
    // A second run writes nothing.
    let other = user("usr_other", "other", Role::Admin);
    assert!(!s.complete_setup(&org("Elsewhere"), &other).expect("again"));
    assert_eq!(s.user_count().expect("count"), 1);
    assert_eq!(s.user("usr_other").expect("user"), None);
    assert_eq!(
        s.org().expect("org").map(|o| o.name),
        Some("Practice".into())
    );
}

fn users(s: &dyn AccountStore) {
    let a = user("usr_a", "alice", Role::Clinician);
    let b = user("usr_b", "bob", Role::Manager);
    assert!(s.insert_user(&b).expect("insert"));
    assert!(s.insert_user(&a).expect("insert"));
    // Username and id are unique.
    assert!(
        !s.insert_user(&user("usr_c", "alice", Role::Admin))
            .expect("dup name")
    );
    assert!(
        !s.insert_user(&user("usr_a", "carol", Role::Admin))
            .expect("dup id")
    );
    assert_eq!(s.user_count().expect("count"), 2);
    assert_eq!(s.user("usr_a").expect("get"), Some(a.clone()));
    assert_eq!(s.user("usr_zzz").expect("get"), None);
    assert_eq!(s.user_by_username("alice").expect("get"), Some(a.clone()));
    assert_eq!(s.user_by_username("nobody").expect("get"), None);
    let names: Vec<String> = s
        .users()
        .expect("all")
        .into_iter()
        .map(|u| u.username)
        .collect();
    assert_eq!(names, ["alice", "bob"], "ordered by username");

    assert!(
        s.set_role_and_disabled("usr_a", Role::Admin, true)
            .expect("set")
    );
    assert!(
        !s.set_role_and_disabled("usr_zzz", Role::Admin, true)
            .expect("none")
    );
    let got = s.user("usr_a").expect("get").expect("some");
    assert_eq!((got.role, got.disabled), (Role::Admin, true));
    assert!(s.set_password_hash("usr_a", "$argon2id$new").expect("pw"));
    assert!(
        !s.set_password_hash("usr_zzz", "$argon2id$new")
            .expect("pw none")
    );
    assert_eq!(
        s.user("usr_a").expect("get").expect("some").password_hash,
        "$argon2id$new"
    );
    // Nothing else changed.
    assert_eq!(s.user("usr_b").expect("get"), Some(b));
}

fn totp_fields_and_step_claims(s: &dyn AccountStore) {
    s.insert_user(&user("usr_a", "alice", Role::Clinician))
        .expect("insert");
    assert!(
        s.set_totp_pending("usr_a", Some(b"pending"))
            .expect("pending")
    );
    let u = s.user("usr_a").expect("get").expect("some");
    assert_eq!(u.totp_pending_sealed.as_deref(), Some(&b"pending"[..]));
    assert_eq!(u.totp_sealed, None);

    assert!(
        s.set_totp("usr_a", Some(b"secret"), Some(100))
            .expect("set")
    );
    let u = s.user("usr_a").expect("get").expect("some");
    assert_eq!(u.totp_sealed.as_deref(), Some(&b"secret"[..]));
    assert_eq!(u.totp_pending_sealed, None, "pending cleared");
    assert_eq!(u.totp_last_step, Some(100));

    assert!(
        !s.claim_totp_step("usr_a", 100).expect("same step"),
        "replay"
    );
    assert!(!s.claim_totp_step("usr_a", 99).expect("older step"));
    assert!(s.claim_totp_step("usr_a", 101).expect("newer"));
    assert!(!s.claim_totp_step("usr_a", 101).expect("again"));
    assert_eq!(
        s.user("usr_a").expect("get").expect("some").totp_last_step,
        Some(101)
    );
    assert!(!s.claim_totp_step("usr_zzz", 5).expect("no user"));

    assert!(s.set_totp("usr_a", None, None).expect("disable"));
    let u = s.user("usr_a").expect("get").expect("some");
    assert_eq!((u.totp_sealed, u.totp_last_step), (None, None));
    assert!(s.claim_totp_step("usr_a", 1).expect("fresh start"));
}

fn recovery_codes(s: &dyn AccountStore) {
    s.insert_user(&user("usr_a", "alice", Role::Clinician))
        .expect("insert");
    s.insert_user(&user("usr_b", "bob", Role::Clinician))
        .expect("insert");
    let hashes: Vec<Hash> = (1..=10u8).map(|i| [i; 32]).collect();
    s.replace_recovery_codes("usr_a", &hashes).expect("store");
    s.replace_recovery_codes("usr_b", &[[99; 32]])
        .expect("store");
    let codes = s.unused_recovery_codes("usr_a").expect("list");
    assert_eq!(codes.len(), 10);
    assert!(codes.iter().all(|c| c.user_id == "usr_a"));
    let first = codes[0].clone();
    assert_eq!(first.code_hash, [1; 32]);
    // Another user's code cannot be consumed through this user.
    let bobs = s.unused_recovery_codes("usr_b").expect("list");
    assert!(
        !s.consume_recovery_code("usr_a", bobs[0].id)
            .expect("cross-user")
    );
    assert!(s.consume_recovery_code("usr_a", first.id).expect("consume"));
    assert!(
        !s.consume_recovery_code("usr_a", first.id).expect("twice"),
        "single use"
    );
    let left = s.unused_recovery_codes("usr_a").expect("list");
    assert_eq!(left.len(), 9);
    assert!(left.iter().all(|c| c.id != first.id));
    // Replacing discards every old code, used or not.
    s.replace_recovery_codes("usr_a", &[[42; 32], [43; 32]])
        .expect("replace");
    let now: Vec<Hash> = s
        .unused_recovery_codes("usr_a")
        .expect("list")
        .into_iter()
        .map(|c| c.code_hash)
        .collect();
    assert_eq!(now, [[42; 32], [43; 32]]);
    assert_eq!(s.unused_recovery_codes("usr_b").expect("list").len(), 1);
}

fn sessions(s: &dyn AccountStore) {
    s.insert_user(&user("usr_a", "alice", Role::Clinician))
        .expect("insert");
    s.insert_user(&user("usr_b", "bob", Role::Clinician))
        .expect("insert");
    let s1 = session("ses_1", "usr_a", 1, 1000);
    let s2 = session("ses_2", "usr_a", 2, 2000);
    let s3 = session("ses_3", "usr_a", 3, 3000);
    let sb = session("ses_b", "usr_b", 4, 1500);
    for x in [&s1, &s2, &s3, &sb] {
        s.insert_session(x).expect("insert");
    }
    // Hashes are unique.
    assert!(
        s.insert_session(&session("ses_dup", "usr_a", 1, 1))
            .is_err()
    );
    assert_eq!(s.session_by_hash(&[2; 32]).expect("get"), Some(s2.clone()));
    assert_eq!(s.session_by_hash(&[77; 32]).expect("get"), None);
    let ids: Vec<String> = s
        .sessions_of("usr_a")
        .expect("list")
        .into_iter()
        .map(|x| x.id)
        .collect();
    assert_eq!(ids, ["ses_3", "ses_2", "ses_1"], "newest first");

    assert!(s.touch_session("ses_1", 1234).expect("touch"));
    assert!(!s.touch_session("ses_none", 1234).expect("touch none"));
    assert!(s.set_second_factor_done("ses_1").expect("2fa"));
    let got = s.session_by_hash(&[1; 32]).expect("get").expect("some");
    assert_eq!((got.last_seen, got.second_factor_done), (1234, true));

    assert!(s.delete_session("ses_1").expect("delete"));
    assert!(!s.delete_session("ses_1").expect("delete again"));
    assert_eq!(s.session_by_hash(&[1; 32]).expect("get"), None);

    s.insert_session(&session("ses_4", "usr_a", 5, 4000))
        .expect("insert");
    assert_eq!(
        s.delete_sessions_of("usr_a", Some("ses_3"))
            .expect("others"),
        2
    );
    let ids: Vec<String> = s
        .sessions_of("usr_a")
        .expect("list")
        .into_iter()
        .map(|x| x.id)
        .collect();
    assert_eq!(ids, ["ses_3"]);
    assert_eq!(
        s.sessions_of("usr_b").expect("list").len(),
        1,
        "others untouched"
    );
    assert_eq!(s.delete_sessions_of("usr_a", None).expect("all"), 1);
    assert!(s.sessions_of("usr_a").expect("list").is_empty());

    // Expiry sweep: by creation time or by last use.
    s.insert_session(&session("ses_old", "usr_a", 10, 100))
        .expect("insert");
    let mut idle = session("ses_idle", "usr_a", 11, 5000);
    idle.last_seen = 5000;
    s.insert_session(&idle).expect("insert");
    let mut fresh = session("ses_fresh", "usr_a", 12, 5000);
    fresh.last_seen = 9000;
    s.insert_session(&fresh).expect("insert");
    // sb: created 1500, last seen 1500.
    assert_eq!(s.delete_expired_sessions(1000, 6000).expect("sweep"), 3);
    let left: Vec<String> = s
        .sessions_of("usr_a")
        .expect("list")
        .into_iter()
        .map(|x| x.id)
        .collect();
    assert_eq!(left, ["ses_fresh"]);
}

fn api_tokens(s: &dyn AccountStore) {
    s.insert_user(&user("usr_a", "alice", Role::Clinician))
        .expect("insert");
    s.insert_user(&user("usr_b", "bob", Role::Clinician))
        .expect("insert");
    let t = |id: &str, user: &str, h: u8, at: i64| ApiTokenRow {
        id: id.to_string(),
        user_id: user.to_string(),
        name: format!("token {id}"),
        scopes: "read write".into(),
        token_hash: [h; 32],
        created_at: at,
        last_used_at: None,
        revoked: false,
    };
    let t1 = t("tok_1", "usr_a", 1, 10);
    let t2 = t("tok_2", "usr_a", 2, 20);
    let tb = t("tok_b", "usr_b", 3, 30);
    for x in [&t1, &t2, &tb] {
        s.insert_api_token(x).expect("insert");
    }
    assert!(
        s.insert_api_token(&t("tok_dup", "usr_a", 1, 40)).is_err(),
        "hash unique"
    );
    assert_eq!(
        s.api_token_by_hash(&[1; 32]).expect("get"),
        Some(t1.clone())
    );
    assert_eq!(s.api_token_by_hash(&[9; 32]).expect("get"), None);
    let ids: Vec<String> = s
        .api_tokens_of("usr_a")
        .expect("list")
        .into_iter()
        .map(|x| x.id)
        .collect();
    assert_eq!(ids, ["tok_2", "tok_1"], "newest first");
    assert!(s.touch_api_token("tok_1", 55).expect("touch"));
    assert_eq!(
        s.api_token_by_hash(&[1; 32])
            .expect("get")
            .expect("some")
            .last_used_at,
        Some(55)
    );
    assert!(!s.revoke_api_token("usr_b", "tok_1").expect("not theirs"));
    assert!(s.revoke_api_token("usr_a", "tok_1").expect("revoke"));
    assert!(!s.revoke_api_token("usr_a", "tok_1").expect("again"));
    assert!(
        s.api_token_by_hash(&[1; 32])
            .expect("get")
            .expect("kept")
            .revoked
    );
    assert!(
        !s.api_token_by_hash(&[2; 32])
            .expect("get")
            .expect("some")
            .revoked
    );
}

fn audit_append_and_read(s: &dyn AccountStore) {
    assert_eq!(s.audit_head().expect("head"), None);
    assert!(s.audit_recent(10).expect("recent").is_empty());
    let rows = [
        audit(1, Some("case_a")),
        audit(2, None),
        audit(3, Some("case_b")),
        AuditRow {
            detail: Some("profile=police".into()),
            ..audit(4, Some("case_a"))
        },
    ];
    for r in &rows {
        s.append_audit(r).expect("append");
    }
    assert_eq!(s.audit_head().expect("head"), Some((4, [4; 32])));
    assert_eq!(
        s.audit_of_case("case_a").expect("case"),
        [rows[0].clone(), rows[3].clone()]
    );
    assert!(s.audit_of_case("case_zzz").expect("none").is_empty());
    let recent: Vec<u64> = s
        .audit_recent(3)
        .expect("recent")
        .into_iter()
        .map(|r| r.seq)
        .collect();
    assert_eq!(recent, [4, 3, 2], "newest first, limited");
    let mut all = Vec::new();
    s.scan_audit(&mut |r| {
        all.push(r);
        true
    })
    .expect("scan");
    assert_eq!(all, rows);
    let mut first_two = 0;
    s.scan_audit(&mut |_| {
        first_two += 1;
        first_two < 2
    })
    .expect("scan stops");
    assert_eq!(first_two, 2);
}

fn audit_sequence_is_enforced(s: &dyn AccountStore) {
    assert!(
        matches!(
            s.append_audit(&audit(2, None)),
            Err(StoreError::Conflict { .. })
        ),
        "must start at 1"
    );
    s.append_audit(&audit(1, None)).expect("first");
    assert!(
        matches!(
            s.append_audit(&audit(1, None)),
            Err(StoreError::Conflict { .. })
        ),
        "no repeat"
    );
    assert!(
        matches!(
            s.append_audit(&audit(3, None)),
            Err(StoreError::Conflict { .. })
        ),
        "no gap"
    );
    s.append_audit(&audit(2, None)).expect("second");
    assert_eq!(s.audit_head().expect("head").map(|h| h.0), Some(2));
}

fn audit_scan_pages_through_many_rows(s: &dyn AccountStore) {
    let n = 2500u64;
    for i in 1..=n {
        s.append_audit(&audit(i, Some("case_a"))).expect("append");
    }
    let mut seen = Vec::new();
    s.scan_audit(&mut |r| {
        seen.push(r.seq);
        true
    })
    .expect("scan");
    assert_eq!(seen, (1..=n).collect::<Vec<_>>());
    assert_eq!(s.audit_of_case("case_a").expect("case").len() as u64, n);
}
