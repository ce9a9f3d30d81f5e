//! Accounts: sessions (timeouts on the injected clock) and API tokens.

mod accounts_support;

use accounts_support::*;
use palisade_service::{OrgSettings, Role, Scope};

#[test]
fn a_session_is_found_by_its_cookie_only() {
    let env = env();
    let u = env.user("clin", Role::Clinician);
    let s = env
        .acc
        .start_session(&u.id, false, "10.0.0.1", "Mozilla/5.0\nInjected")
        .unwrap();
    assert_eq!(s.cookie_value.len(), 43);
    assert!(s.info.id.starts_with("ses_"));
    assert_ne!(s.info.id, s.cookie_value);
    assert_eq!(s.info.csrf_token.len(), 43);
    assert_eq!(
        s.info.user_agent, "Mozilla/5.0Injected",
        "control characters dropped"
    );
    let (user, info) = env.acc.session(&s.cookie_value).unwrap().unwrap();
    assert_eq!(user.id, u.id);
    assert_eq!(info, s.info);
    assert!(!info.second_factor_done);
    env.acc.mark_second_factor_done(&info.id).unwrap();
    assert!(
        env.acc
            .session(&s.cookie_value)
            .unwrap()
            .unwrap()
            .1
            .second_factor_done
    );
    // The public id, a truncated or altered cookie, or nothing: no session.
    assert!(env.acc.session(&s.info.id).unwrap().is_none());
    assert!(env.acc.session(&s.cookie_value[..42]).unwrap().is_none());
    assert!(env.acc.session("").unwrap().is_none());
    // Each session has its own CSRF token.
    let s2 = env
        .acc
        .start_session(&u.id, true, "10.0.0.1", "ua")
        .unwrap();
    assert_ne!(s2.info.csrf_token, s.info.csrf_token);
    // The database holds only hashes: the cookie value is nowhere in it.
    drop(env.reopen());
    let db = std::fs::read(env.data_dir().join("accounts.db")).unwrap();
    let wal = std::fs::read(env.data_dir().join("accounts.db-wal")).unwrap_or_default();
    for bytes in [&db, &wal] {
        assert!(!bytes.windows(43).any(|w| w == s.cookie_value.as_bytes()));
    }
}

#[test]
fn idle_timeout_ends_a_session_and_use_keeps_it_alive() {
    let env = env();
    let u = env.user("clin", Role::Clinician);
    let s = env.acc.start_session(&u.id, true, "c", "ua").unwrap();
    // Used every 20 minutes for 3 hours: stays alive (idle timeout 30 min).
    for _ in 0..9 {
        env.advance_secs(20 * 60);
        let (_, info) = env.acc.session(&s.cookie_value).unwrap().expect("alive");
        assert_eq!(info.last_seen, palisade_service::Clock::now(&*env.clock));
    }
    env.advance_secs(30 * 60);
    assert!(
        env.acc.session(&s.cookie_value).unwrap().is_none(),
        "idle-expired"
    );
    // And it is gone for good (deleted), even if the clock went back.
    env.clock.set(START.parse().unwrap());
    assert!(env.acc.session(&s.cookie_value).unwrap().is_none());
    assert!(env.acc.sessions_of(&u.id).unwrap().is_empty());
}

#[test]
fn last_seen_is_written_at_most_once_a_minute() {
    let env = env();
    let u = env.user("clin", Role::Clinician);
    let s = env.acc.start_session(&u.id, true, "c", "ua").unwrap();
    env.advance_secs(30);
    let (_, a) = env.acc.session(&s.cookie_value).unwrap().unwrap();
    assert_eq!(
        a.last_seen, s.info.last_seen,
        "not rewritten within a minute"
    );
    env.advance_secs(31);
    let (_, b) = env.acc.session(&s.cookie_value).unwrap().unwrap();
    assert_eq!(b.last_seen.as_second(), s.info.last_seen.as_second() + 61);
}

#[test]
fn absolute_timeout_ends_a_session_however_busy() {
    let env = env();
    let settings = OrgSettings {
        absolute_timeout_hours: 2,
        idle_timeout_minutes: 15,
        ..env.acc.org().unwrap()
    };
    env.acc.update_org(&env.admin, &settings).unwrap();
    let u = env.user("clin", Role::Clinician);
    let s = env.acc.start_session(&u.id, true, "c", "ua").unwrap();
    for _ in 0..11 {
        env.advance_secs(10 * 60);
        assert!(env.acc.session(&s.cookie_value).unwrap().is_some());
    }
    env.advance_secs(10 * 60);
    assert!(
        env.acc.session(&s.cookie_value).unwrap().is_none(),
        "2 hours reached"
    );
    // The shorter idle timeout applies too.
    let s2 = env.acc.start_session(&u.id, true, "c", "ua").unwrap();
    env.advance_secs(15 * 60);
    assert!(env.acc.session(&s2.cookie_value).unwrap().is_none());
}

#[test]
fn sessions_are_listed_and_ended_one_by_one_or_all_others() {
    let env = env();
    let u = env.user("clin", Role::Clinician);
    let other_user = env.user("mgr", Role::Manager);
    let a = env
        .acc
        .start_session(&u.id, true, "10.0.0.1", "Firefox")
        .unwrap();
    env.advance_secs(60);
    let b = env
        .acc
        .start_session(&u.id, true, "10.0.0.2", "Safari")
        .unwrap();
    env.advance_secs(60);
    let c = env
        .acc
        .start_session(&u.id, true, "10.0.0.3", "Edge")
        .unwrap();
    let theirs = env
        .acc
        .start_session(&other_user.id, true, "x", "y")
        .unwrap();
    let ids: Vec<String> = env
        .acc
        .sessions_of(&u.id)
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(
        ids,
        [c.info.id.clone(), b.info.id.clone(), a.info.id.clone()]
    );
    // Someone else's session cannot be ended through my account.
    assert!(!env.acc.end_session_by_id(&u.id, &theirs.info.id).unwrap());
    assert!(env.acc.session(&theirs.cookie_value).unwrap().is_some());
    assert!(env.acc.end_session_by_id(&u.id, &b.info.id).unwrap());
    assert!(!env.acc.end_session_by_id(&u.id, &b.info.id).unwrap());
    assert!(env.acc.session(&b.cookie_value).unwrap().is_none());
    assert_eq!(env.acc.end_other_sessions(&u.id, &a.info.id).unwrap(), 1);
    assert!(env.acc.session(&c.cookie_value).unwrap().is_none());
    assert!(env.acc.session(&a.cookie_value).unwrap().is_some());
    env.acc.end_session(&a.cookie_value).unwrap();
    assert!(env.acc.session(&a.cookie_value).unwrap().is_none());
    env.acc.end_session("no such cookie").unwrap();
    assert!(env.acc.session(&theirs.cookie_value).unwrap().is_some());
}

#[test]
fn api_tokens_are_scoped_hashed_and_revocable_at_once() {
    let env = env();
    let u = env.user("clin", Role::Clinician);
    let other = env.user("mgr", Role::Manager);
    assert!(
        env.acc
            .create_api_token(&u.id, "  ", &[Scope::Read])
            .is_err()
    );
    assert!(env.acc.create_api_token(&u.id, "laptop", &[]).is_err());
    let (info, token) = env
        .acc
        .create_api_token(&u.id, " laptop ", &[Scope::Read])
        .unwrap();
    assert!(token.starts_with("pal_"));
    assert_eq!(token.len(), 4 + 43);
    assert_eq!(info.name, "laptop");
    assert_eq!(info.scopes, [Scope::Read]);
    assert!(info.allows(Scope::Read) && !info.allows(Scope::Write));
    let (w, wtoken) = env
        .acc
        .create_api_token(&u.id, "script", &[Scope::Write, Scope::Read, Scope::Write])
        .unwrap();
    assert_eq!(w.scopes, [Scope::Read, Scope::Write]);
    assert!(w.allows(Scope::Write));

    let (user, seen) = env.acc.api_token(&token).unwrap().unwrap();
    assert_eq!(user.id, u.id);
    assert_eq!(seen.last_used_at.as_deref(), Some(START));
    assert!(env.acc.api_token("pal_nope").unwrap().is_none());
    assert!(env.acc.api_token(&token[4..]).unwrap().is_none());
    assert!(env.acc.api_token(&format!("{token}x")).unwrap().is_none());

    let listed: Vec<String> = env
        .acc
        .api_tokens_of(&u.id)
        .unwrap()
        .into_iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(listed.len(), 2);
    assert!(listed.contains(&info.id) && listed.contains(&w.id));
    // Only the owner can revoke; revocation works at once.
    assert!(!env.acc.revoke_api_token(&other.id, &info.id).unwrap());
    assert!(env.acc.api_token(&token).unwrap().is_some());
    assert!(env.acc.revoke_api_token(&u.id, &info.id).unwrap());
    assert!(env.acc.api_token(&token).unwrap().is_none());
    assert!(!env.acc.revoke_api_token(&u.id, &info.id).unwrap());
    assert!(
        env.acc
            .api_tokens_of(&u.id)
            .unwrap()
            .iter()
            .any(|t| t.id == info.id && t.revoked)
    );
    assert!(env.acc.api_token(&wtoken).unwrap().is_some());
    // Scope names round-trip.
    assert_eq!("write".parse::<Scope>().unwrap(), Scope::Write);
    assert!("admin".parse::<Scope>().is_err());
    assert_eq!(serde_json::to_string(&Scope::Read).unwrap(), "\"read\"");
}
