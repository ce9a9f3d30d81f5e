//! Accounts: signing in, throttling, two-step sign-in, recovery codes, passwords.

mod accounts_support;

use accounts_support::*;
use palisade_service::{LoginOutcome, OrgSettings, Role, ServiceError};

#[test]
fn password_outcomes_and_same_error_for_unknown_users() {
    let env = env();
    let u = env.user("clin", Role::Clinician);
    match env
        .acc
        .check_password(" CLIN ", &pw(&user_password("clin")), "10.0.0.1")
        .unwrap()
    {
        LoginOutcome::SignedIn(got) => assert_eq!(got.id, u.id),
        other => panic!("{other:?}"),
    }
    let wrong = env
        .acc
        .check_password("clin", &pw("not the password at all"), "10.0.0.1")
        .unwrap_err();
    let unknown = env
        .acc
        .check_password("nobody", &pw("not the password at all"), "10.0.0.1")
        .unwrap_err();
    assert!(matches!(wrong, ServiceError::BadCredentials));
    assert_eq!(wrong.to_string(), unknown.to_string());
    assert_eq!(wrong.to_string(), "The username or password is wrong.");

    // The organisation requires TOTP: a user without it must enrol first.
    let s = OrgSettings {
        require_totp: true,
        ..env.acc.org().unwrap()
    };
    env.acc.update_org(&env.admin, &s).unwrap();
    assert!(matches!(
        env.acc
            .check_password("clin", &pw(&user_password("clin")), "10.0.0.1")
            .unwrap(),
        LoginOutcome::MustEnrolTotp(_)
    ));
}

#[test]
fn five_failures_lock_an_account_for_fifteen_minutes_before_any_hashing() {
    let env = env();
    env.user("clin", Role::Clinician);
    for _ in 0..5 {
        assert!(matches!(
            env.acc
                .check_password("clin", &pw("wrong password here"), "10.0.0.1"),
            Err(ServiceError::BadCredentials)
        ));
    }
    // Even the right password, from another address, is refused now; quickly
    // (no Argon2 hash, which takes ~20 ms here: the fastest of three refusals).
    let refuse = || {
        let t = std::time::Instant::now();
        let e = env
            .acc
            .check_password("clin", &pw(&user_password("clin")), "10.9.9.9")
            .unwrap_err();
        (t.elapsed(), e)
    };
    let fastest = (0..3).map(|_| refuse().0).min().unwrap();
    assert!(
        fastest < std::time::Duration::from_millis(5),
        "{fastest:?}: refused before hashing"
    );
    let e = refuse().1;
    match e {
        ServiceError::Throttled { retry_after_secs } => assert_eq!(retry_after_secs, 900),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        e_text(&env, "clin"),
        "Too many failed sign-in attempts. Wait 15 minutes and try again."
    );
    // Other accounts are not affected.
    env.user("mgr", Role::Manager);
    assert!(
        env.acc
            .check_password("mgr", &pw(&user_password("mgr")), "10.9.9.9")
            .is_ok()
    );
    env.advance_secs(14 * 60);
    assert_eq!(
        e_text(&env, "clin"),
        "Too many failed sign-in attempts. Wait 1 minute and try again."
    );
    env.advance_secs(60);
    assert!(
        env.acc
            .check_password("clin", &pw(&user_password("clin")), "10.0.0.1")
            .is_ok()
    );
}

#[test]
fn an_unknown_username_costs_the_same_work_as_a_known_one() {
    let env = env();
    env.user("clin", Role::Clinician);
    let time = |name: &str| {
        let t = std::time::Instant::now();
        let _ = env
            .acc
            .check_password(name, &pw("wrong password here"), name);
        t.elapsed()
    };
    let known = (0..3).map(|_| time("clin")).min().unwrap();
    let unknown = (0..3).map(|_| time("nobody")).min().unwrap();
    eprintln!("known {known:?}, unknown {unknown:?}");
    assert!(unknown * 2 > known, "known {known:?}, unknown {unknown:?}");
    assert!(known * 2 > unknown, "known {known:?}, unknown {unknown:?}");
}

fn e_text(env: &Env, user: &str) -> String {
    env.acc
        .check_password(user, &pw(&user_password(user)), "10.0.0.1")
        .expect_err("refused")
        .to_string()
}

#[test]
fn a_success_resets_the_account_count() {
    let env = env();
    env.user("clin", Role::Clinician);
    for _ in 0..4 {
        assert!(
            env.acc
                .check_password("clin", &pw("wrong password here"), "c")
                .is_err()
        );
    }
    assert!(
        env.acc
            .check_password("clin", &pw(&user_password("clin")), "c")
            .is_ok()
    );
    for _ in 0..4 {
        assert!(matches!(
            env.acc
                .check_password("clin", &pw("wrong password here"), "c"),
            Err(ServiceError::BadCredentials)
        ));
    }
    assert!(
        env.acc
            .check_password("clin", &pw(&user_password("clin")), "c")
            .is_ok()
    );
}

#[test]
fn thirty_failures_from_one_address_lock_that_address() {
    let env = env();
    env.user("clin", Role::Clinician);
    // Spread over many (unknown) usernames so no account lock is reached.
    for i in 0..30 {
        assert!(matches!(
            env.acc.check_password(
                &format!("guess{}", i % 10),
                &pw("wrong password here"),
                "203.0.113.7"
            ),
            Err(ServiceError::BadCredentials | ServiceError::Throttled { .. })
        ));
    }
    assert!(matches!(
        env.acc
            .check_password("clin", &pw(&user_password("clin")), "203.0.113.7"),
        Err(ServiceError::Throttled { .. })
    ));
    assert!(
        env.acc
            .check_password("clin", &pw(&user_password("clin")), "198.51.100.1")
            .is_ok()
    );
    env.advance_secs(15 * 60);
    assert!(
        env.acc
            .check_password("clin", &pw(&user_password("clin")), "203.0.113.7")
            .is_ok()
    );
}

/// Enrol `user_id` in TOTP at the env's clock; returns (secret, recovery codes).
fn enrol(env: &Env, user_id: &str) -> (String, Vec<String>) {
    let e = env.acc.begin_totp(user_id).expect("begin");
    assert!(e.otpauth_uri.contains("Palisade"));
    assert!(e.otpauth_uri.contains("Riverside"));
    assert!(!e.qr_png_base64.is_empty());
    let secret = e.secret_base32.clone();
    assert!(
        matches!(
            env.acc.confirm_totp(user_id, "000000"),
            Err(ServiceError::BadSecondFactor)
        ) || totp_code(&secret, env.now_secs()) == "000000"
    );
    let codes = env
        .acc
        .confirm_totp(user_id, &totp_code(&secret, env.now_secs()))
        .expect("confirm");
    (secret, codes)
}

#[test]
fn totp_enrolment_sign_in_and_no_replay() {
    let env = env();
    let u = env.user("clin", Role::Clinician);
    assert!(
        matches!(
            env.acc.confirm_totp(&u.id, "123456"),
            Err(ServiceError::Invalid(_))
        ),
        "nothing pending"
    );
    let (secret, codes) = enrol(&env, &u.id);
    assert_eq!(codes.len(), 10);
    assert!(env.acc.user(&u.id).unwrap().unwrap().totp_enabled);
    match env
        .acc
        .check_password("clin", &pw(&user_password("clin")), "c")
        .unwrap()
    {
        LoginOutcome::NeedsSecondFactor(got) => assert_eq!(got.id, u.id),
        other => panic!("{other:?}"),
    }
    // The code used to confirm is not accepted again (same step).
    let now_code = totp_code(&secret, env.now_secs());
    assert!(matches!(
        env.acc.check_second_factor(&u.id, &now_code, "c"),
        Err(ServiceError::BadSecondFactor)
    ));
    env.advance_secs(30);
    let code = totp_code(&secret, env.now_secs());
    env.acc.check_second_factor(&u.id, &code, "c").unwrap();
    // Replay of the same code within its window: refused.
    assert!(env.acc.check_second_factor(&u.id, &code, "c").is_err());
    // The previous step's code is also refused once a later one was used.
    env.advance_secs(30);
    let prev = totp_code(&secret, env.now_secs() - 30);
    assert!(env.acc.check_second_factor(&u.id, &prev, "c").is_err());
    // One step of clock skew is accepted; two are not.
    let next = totp_code(&secret, env.now_secs() + 30);
    env.acc.check_second_factor(&u.id, &next, "c").unwrap();
    env.advance_secs(120);
    let stale = totp_code(&secret, env.now_secs() - 90);
    assert!(env.acc.check_second_factor(&u.id, &stale, "c").is_err());
    // Spaces in the code are fine.
    env.advance_secs(30);
    let c = totp_code(&secret, env.now_secs());
    env.acc
        .check_second_factor(&u.id, &format!("{} {}", &c[..3], &c[3..]), "c")
        .unwrap();
    // The secret is sealed at rest: survives a restart with the same master key.
    env.advance_secs(30);
    let again = env.reopen();
    again
        .check_second_factor(&u.id, &totp_code(&secret, env.now_secs()), "c")
        .unwrap();
}

#[test]
fn second_factor_failures_count_toward_the_throttle() {
    let env = env();
    let u = env.user("clin", Role::Clinician);
    let (secret, _) = enrol(&env, &u.id);
    env.advance_secs(60);
    for _ in 0..5 {
        let _ = env.acc.check_second_factor(&u.id, "999999", "c");
    }
    let good = totp_code(&secret, env.now_secs());
    let e = env.acc.check_second_factor(&u.id, &good, "c").unwrap_err();
    assert!(matches!(e, ServiceError::Throttled { .. }), "{e}");
    assert!(matches!(
        env.acc
            .check_password("clin", &pw(&user_password("clin")), "c"),
        Err(ServiceError::Throttled { .. })
    ));
}

#[test]
fn recovery_codes_work_once_each_in_any_case_and_spacing() {
    let env = env();
    let u = env.user("clin", Role::Clinician);
    let (_, codes) = enrol(&env, &u.id);
    let unique: std::collections::HashSet<_> = codes.iter().collect();
    assert_eq!(unique.len(), 10);
    let messy = codes[0].to_lowercase().replace('-', " ");
    env.acc.check_second_factor(&u.id, &messy, "c").unwrap();
    assert!(
        matches!(
            env.acc.check_second_factor(&u.id, &codes[0], "c"),
            Err(ServiceError::BadSecondFactor)
        ),
        "single use"
    );
    env.acc.check_second_factor(&u.id, &codes[1], "c").unwrap();
    // New codes replace the old ones.
    let fresh = env.acc.new_recovery_codes(&u.id).unwrap();
    assert!(env.acc.check_second_factor(&u.id, &codes[2], "c").is_err());
    env.acc.check_second_factor(&u.id, &fresh[0], "c").unwrap();
    // Another user's code does not work for this one.
    let other = env.user("other", Role::Clinician);
    let (_, other_codes) = enrol(&env, &other.id);
    assert!(
        env.acc
            .check_second_factor(&u.id, &other_codes[0], "c")
            .is_err()
    );
}

#[test]
fn totp_cannot_be_disabled_while_required_and_needs_the_password() {
    let env = env();
    let u = env.user("clin", Role::Clinician);
    assert!(env.acc.new_recovery_codes(&u.id).is_err(), "no TOTP yet");
    let (_, codes) = enrol(&env, &u.id);
    let required = OrgSettings {
        require_totp: true,
        ..env.acc.org().unwrap()
    };
    env.acc.update_org(&env.admin, &required).unwrap();
    assert!(matches!(
        env.acc.disable_totp(&u.id, &pw(&user_password("clin"))),
        Err(ServiceError::Forbidden(_))
    ));
    env.acc
        .update_org(
            &env.admin,
            &OrgSettings {
                require_totp: false,
                ..required
            },
        )
        .unwrap();
    assert!(
        env.acc
            .disable_totp(&u.id, &pw("wrong password here"))
            .is_err()
    );
    env.acc
        .disable_totp(&u.id, &pw(&user_password("clin")))
        .unwrap();
    assert!(!env.acc.user(&u.id).unwrap().unwrap().totp_enabled);
    assert!(
        env.acc.check_second_factor(&u.id, &codes[3], "c").is_err(),
        "codes gone"
    );
    assert!(matches!(
        env.acc
            .check_password("clin", &pw(&user_password("clin")), "c")
            .unwrap(),
        LoginOutcome::SignedIn(_)
    ));
}

#[test]
fn change_password_checks_the_current_one_and_ends_other_sessions() {
    let env = env();
    let u = env.user("clin", Role::Clinician);
    let keep = env.acc.start_session(&u.id, true, "a", "ua").unwrap();
    let other = env.acc.start_session(&u.id, true, "b", "ua").unwrap();
    let e = env
        .acc
        .change_password(
            &u.id,
            &pw("wrong password here"),
            &pw("a brand new password"),
            &keep.info.id,
        )
        .unwrap_err();
    assert!(e.to_string().contains("current password"), "{e}");
    assert!(
        env.acc
            .change_password(
                &u.id,
                &pw(&user_password("clin")),
                &pw("short"),
                &keep.info.id
            )
            .is_err()
    );
    assert!(
        env.acc.session(&other.cookie_value).unwrap().is_some(),
        "nothing changed yet"
    );
    env.acc
        .change_password(
            &u.id,
            &pw(&user_password("clin")),
            &pw("a brand new password"),
            &keep.info.id,
        )
        .unwrap();
    assert!(env.acc.session(&keep.cookie_value).unwrap().is_some());
    assert!(env.acc.session(&other.cookie_value).unwrap().is_none());
    assert!(
        env.acc
            .check_password("clin", &pw("a brand new password"), "c")
            .is_ok()
    );
    assert!(
        env.acc
            .check_password("clin", &pw(&user_password("clin")), "c")
            .is_err()
    );
}
