//! Accounts: the MAC-chained audit trail (tamper detection by editing the
//! SQLite file directly), account events audited, concurrency and speed.

mod accounts_support;

use accounts_support::*;
use palisade_service::{AuditAction, AuditEvent, Role};
use std::sync::Arc;

fn view(actor: &str, case: &str, target: &str) -> AuditEvent<'static> {
    // Leak is fine in a test: gives 'static strs to build events in loops.
    let s = |v: &str| -> &'static str { Box::leak(v.to_string().into_boxed_str()) };
    AuditEvent {
        actor: Some(s(actor)),
        action: AuditAction::CaseViewed,
        case_id: Some(s(case)),
        target: Some(s(target)),
        detail: None,
        client: Some("10.0.0.1"),
    }
}

/// Open the account database directly, as someone with file access would.
fn raw(env: &Env) -> rusqlite::Connection {
    let c = rusqlite::Connection::open(env.data_dir().join("accounts.db")).expect("test set-up");
    c.execute_batch(
        "DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS audit_no_delete;",
    )
    .expect("test set-up");
    c
}

fn filled() -> (Env, palisade_service::User) {
    let env = env();
    let u = env.user("clin", Role::Clinician);
    for i in 0..6 {
        env.advance_secs(1);
        env.acc
            .audit(&view(&u.id, "case_a", &format!("ent_{i}")))
            .expect("test set-up");
    }
    env.acc
        .audit(&AuditEvent {
            detail: Some("profile=police"),
            action: AuditAction::Export,
            ..view(&u.id, "case_b", "bundle")
        })
        .expect("test set-up");
    (env, u)
}

#[test]
fn case_trail_is_oldest_first_with_actor_names() {
    let (env, u) = filled();
    let trail = env.acc.audit_of_case("case_a").unwrap();
    assert_eq!(trail.len(), 6);
    assert!(trail.windows(2).all(|w| w[0].seq < w[1].seq));
    assert_eq!(trail[0].action, "case_viewed");
    assert_eq!(trail[0].actor_id.as_deref(), Some(u.id.as_str()));
    assert_eq!(trail[0].actor_name.as_deref(), Some("Dr clin"));
    assert_eq!(trail[0].target.as_deref(), Some("ent_0"));
    assert_eq!(trail[0].client.as_deref(), Some("10.0.0.1"));
    assert_eq!(trail[0].at, "2026-03-02T09:00:01Z");
    let recent = env.acc.audit_recent(2).unwrap();
    assert_eq!(recent[0].action, "export");
    assert_eq!(recent[0].detail.as_deref(), Some("profile=police"));
    assert!(recent[0].seq > recent[1].seq);
    // Account events are audited by the service itself.
    let all = env.acc.audit_recent(100).unwrap();
    let actions: Vec<&str> = all.iter().map(|e| e.action.as_str()).collect();
    assert!(actions.contains(&"setup_completed"), "{actions:?}");
    assert!(actions.contains(&"user_created"), "{actions:?}");
    assert!(env.acc.verify_audit().unwrap().is_empty());
    assert!(env.reopen().verify_audit().unwrap().is_empty());
}

#[test]
fn failed_sign_ins_and_account_changes_are_audited() {
    let env = env();
    let u = env.user("clin", Role::Clinician);
    let _ = env
        .acc
        .check_password("clin", &pw("wrong password here"), "192.0.2.9");
    let _ = env
        .acc
        .check_password("nobody", &pw("wrong password here"), "192.0.2.9");
    env.acc
        .update_user(&env.admin, &u.id, Some(Role::Manager), None)
        .unwrap();
    env.acc
        .create_api_token(&u.id, "t", &[palisade_service::Scope::Read])
        .unwrap();
    let rows = env.acc.audit_recent(100).unwrap();
    let failed: Vec<_> = rows
        .iter()
        .filter(|r| r.action == "sign_in_failed")
        .collect();
    assert_eq!(failed.len(), 2);
    assert!(
        failed
            .iter()
            .all(|r| r.client.as_deref() == Some("192.0.2.9"))
    );
    let changed = rows.iter().find(|r| r.action == "user_changed").unwrap();
    assert_eq!(changed.actor_id.as_deref(), Some(env.admin.id.as_str()));
    assert_eq!(changed.target.as_deref(), Some(u.id.as_str()));
    assert_eq!(changed.detail.as_deref(), Some("role clinician -> manager"));
    assert!(rows.iter().any(|r| r.action == "token_created"));
    // Nothing in the trail holds a password.
    let dump = format!("{rows:?}");
    assert!(!dump.contains("wrong password here"));
}

#[test]
fn a_changed_row_is_reported() {
    let (env, _) = filled();
    let seq: i64 = raw(&env)
        .query_row("SELECT seq FROM audit WHERE target = 'ent_2'", [], |r| {
            r.get(0)
        })
        .unwrap();
    raw(&env)
        .execute(
            "UPDATE audit SET actor_id = 'usr_someoneelse' WHERE seq = ?1",
            [seq],
        )
        .unwrap();
    let problems = env.acc.verify_audit().unwrap();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with(&format!("audit row {seq} ")),
        "{problems:?}"
    );
    assert!(problems[0].contains("changed"), "{problems:?}");
    // `palisade verify` reports it too.
    let report = env.pal.verify().unwrap();
    assert!(!report.ok);
    assert!(
        report
            .errors
            .iter()
            .any(|p| p.location == "audit trail (accounts.db)"
                && p.problem.starts_with(&format!("audit row {seq} "))),
        "{:?}",
        report.errors
    );
}

#[test]
fn verify_passes_with_an_intact_trail_and_without_accounts() {
    let (_dir, pal, _clock, acc) = bare();
    drop(acc);
    assert!(pal.verify().unwrap().ok);
    let (env, _) = filled();
    let report = env.pal.verify().unwrap();
    assert!(report.ok, "{:?}", report.errors);
}

#[test]
fn a_deleted_row_is_reported() {
    let (env, _) = filled();
    raw(&env)
        .execute("DELETE FROM audit WHERE target = 'ent_3'", [])
        .unwrap();
    let problems = env.acc.verify_audit().unwrap();
    assert!(
        problems.iter().any(|p| p.contains("missing")),
        "{problems:?}"
    );
}

#[test]
fn deleted_and_renumbered_rows_are_reported() {
    let (env, _) = filled();
    let c = raw(&env);
    let seq: i64 = c
        .query_row("SELECT seq FROM audit WHERE target = 'ent_1'", [], |r| {
            r.get(0)
        })
        .unwrap();
    c.execute("DELETE FROM audit WHERE seq = ?1", [seq])
        .unwrap();
    c.execute("UPDATE audit SET seq = seq - 1 WHERE seq > ?1", [seq])
        .unwrap();
    let problems = env.acc.verify_audit().unwrap();
    assert!(!problems.is_empty());
    assert!(
        problems.iter().any(|p| p.contains("MAC does not match")),
        "{problems:?}"
    );
}

#[test]
fn reordered_rows_are_reported() {
    let (env, _) = filled();
    let c = raw(&env);
    // Swap the contents of two rows (keeping their sequence numbers).
    let a: i64 = c
        .query_row("SELECT seq FROM audit WHERE target = 'ent_1'", [], |r| {
            r.get(0)
        })
        .unwrap();
    let b: i64 = c
        .query_row("SELECT seq FROM audit WHERE target = 'ent_4'", [], |r| {
            r.get(0)
        })
        .unwrap();
    c.execute_batch(&format!(
        "UPDATE audit SET seq = -1 WHERE seq = {a};
         UPDATE audit SET seq = {a} WHERE seq = {b};
         UPDATE audit SET seq = {b} WHERE seq = -1;"
    ))
    .unwrap();
    let problems = env.acc.verify_audit().unwrap();
    assert!(problems.len() >= 2, "{problems:?}");
}

#[test]
fn a_forged_row_without_the_key_is_reported() {
    let (env, _) = filled();
    let c = raw(&env);
    let (seq, mac): (i64, Vec<u8>) = c
        .query_row(
            "SELECT seq, mac FROM audit ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    c.execute(
        "INSERT INTO audit (seq, at, action, mac) VALUES (?1, '2026-03-02T10:00:00Z', 'sign_in', ?2)",
        rusqlite::params![seq + 1, mac],
    )
    .unwrap();
    let problems = env.acc.verify_audit().unwrap();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].starts_with(&format!("audit row {} ", seq + 1)));
}

#[test]
fn the_chain_survives_a_restart_and_concurrent_writers() {
    let (env, u) = filled();
    let acc = Arc::new(env.reopen());
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let acc = acc.clone();
            let uid = u.id.clone();
            std::thread::spawn(move || {
                for i in 0..200 {
                    acc.audit(&view(&uid, &format!("case_t{t}"), &format!("ent_{i}")))
                        .unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert!(acc.verify_audit().unwrap().is_empty());
    for t in 0..4 {
        assert_eq!(acc.audit_of_case(&format!("case_t{t}")).unwrap().len(), 200);
    }
}

#[test]
fn thousands_of_audit_rows_per_second() {
    let env = env();
    let n = 5000;
    let start = std::time::Instant::now();
    for i in 0..n {
        env.acc
            .audit(&view("usr_x", "case_perf", &format!("ent_{i}")))
            .unwrap();
    }
    let secs = start.elapsed().as_secs_f64();
    let rate = f64::from(n) / secs;
    eprintln!("audit: {n} rows in {secs:.2} s ({rate:.0}/s)");
    // Debug build on a small shared machine: demand a conservative floor.
    assert!(rate > 1000.0, "only {rate:.0} rows/s");
    assert!(env.acc.verify_audit().unwrap().is_empty());
}
