//! Accounts: first run, organisation settings, managing users, secrets never printed.

mod accounts_support;

use accounts_support::*;
use palisade_service::{LoginOutcome, OrgSettings, Role, ServiceError};

#[test]
fn setup_token_is_single_use_and_replaced_by_a_new_one() {
    let (_dir, _pal, _clock, acc) = bare();
    assert!(acc.setup_needed().unwrap());
    assert_eq!(acc.org().unwrap(), OrgSettings::default());
    let first = acc.issue_setup_token().unwrap().unwrap();
    let second = acc.issue_setup_token().unwrap().unwrap();
    assert_ne!(first, second);
    // The earlier token died when the new one was issued.
    let e = acc
        .complete_setup(&first, "Riverside", "admin", "Admin", &pw(ADMIN_PASSWORD))
        .unwrap_err();
    assert!(matches!(e, ServiceError::Invalid(_)), "{e}");
    assert!(e.to_string().contains("setup link is not valid"), "{e}");
    // A wrong token of the right length, and an empty one.
    let mut wrong = second.clone();
    wrong.replace_range(0..1, if wrong.starts_with('A') { "B" } else { "A" });
    assert!(
        acc.complete_setup(&wrong, "Riverside", "admin", "Admin", &pw(ADMIN_PASSWORD))
            .is_err()
    );
    assert!(
        acc.complete_setup("", "Riverside", "admin", "Admin", &pw(ADMIN_PASSWORD))
            .is_err()
    );
    // Bad input is refused without using up the token.
    let weak = acc.complete_setup(&second, "Riverside", "admin", "Admin", &pw("short"));
    assert!(weak.unwrap_err().to_string().contains("at least 12"));
    assert!(acc.setup_needed().unwrap());

    let admin = acc
        .complete_setup(
            &second,
            " Riverside Surgery ",
            "Admin",
            "Practice Admin",
            &pw(ADMIN_PASSWORD),
        )
        .unwrap();
    assert_eq!(admin.role, Role::Admin);
    assert_eq!(admin.username, "admin");
    assert!(admin.id.starts_with("usr_"));
    assert!(!acc.setup_needed().unwrap());
    assert_eq!(acc.org().unwrap().name, "Riverside Surgery");
    assert_eq!(acc.org().unwrap().idle_timeout_minutes, 30);
    assert_eq!(acc.org().unwrap().absolute_timeout_hours, 12);
    // The token is dead and no new one is issued.
    assert!(
        acc.complete_setup(&second, "Other", "admin2", "A", &pw(ADMIN_PASSWORD))
            .is_err()
    );
    assert_eq!(acc.issue_setup_token().unwrap(), None);
    assert_eq!(acc.users().unwrap().len(), 1);
}

#[test]
fn only_admins_manage_users_and_settings() {
    let env = env();
    let clin = env.user("clin", Role::Clinician);
    let mgr = env.user("mgr", Role::Manager);
    let col = env.user("col", Role::Colleague);
    for actor in [&clin, &mgr, &col] {
        let e = env
            .acc
            .create_user(
                actor,
                "newbie",
                "New",
                Role::Clinician,
                &pw("a perfectly fine password"),
            )
            .unwrap_err();
        assert!(matches!(e, ServiceError::Forbidden(_)), "{e}");
        assert!(matches!(
            env.acc
                .update_user(actor, &clin.id, Some(Role::Admin), None),
            Err(ServiceError::Forbidden(_))
        ));
        assert!(matches!(
            env.acc
                .reset_password(actor, &clin.id, &pw("a perfectly fine password")),
            Err(ServiceError::Forbidden(_))
        ));
        let s = OrgSettings {
            name: "Hacked".into(),
            ..env.acc.org().unwrap()
        };
        assert!(matches!(
            env.acc.update_org(actor, &s),
            Err(ServiceError::Forbidden(_))
        ));
    }
    assert_eq!(env.acc.org().unwrap().name, "Riverside Surgery");
    // An admin who was demoted is refused at once, even holding an old `User`.
    let admin2 = env.user("admin2", Role::Admin);
    env.acc
        .update_user(&env.admin, &admin2.id, Some(Role::Clinician), None)
        .unwrap();
    assert!(matches!(
        env.acc.create_user(
            &admin2,
            "x1",
            "X",
            Role::Admin,
            &pw("a perfectly fine password")
        ),
        Err(ServiceError::Forbidden(_))
    ));
}

#[test]
fn usernames_are_unique_case_insensitively_and_checked() {
    let env = env();
    let u = env.user("j.smith", Role::Clinician);
    assert_eq!(
        env.acc.user_by_username("J.SMITH").unwrap().unwrap().id,
        u.id
    );
    assert_eq!(env.acc.user(&u.id).unwrap().unwrap(), u);
    assert_eq!(env.acc.user("usr_nobody").unwrap(), None);
    let e = env
        .acc
        .create_user(
            &env.admin,
            "J.Smith",
            "Other",
            Role::Manager,
            &pw("another good password"),
        )
        .unwrap_err();
    assert!(e.to_string().contains("already taken"), "{e}");
    for bad in ["x", "has space", "a@b", ""] {
        assert!(
            env.acc
                .create_user(
                    &env.admin,
                    bad,
                    "Name",
                    Role::Clinician,
                    &pw("another good password")
                )
                .is_err(),
            "{bad}"
        );
    }
    assert!(
        env.acc
            .create_user(
                &env.admin,
                "ok",
                "  ",
                Role::Clinician,
                &pw("another good password")
            )
            .is_err()
    );
    // The password may not be the username.
    assert!(
        env.acc
            .create_user(
                &env.admin,
                "drwho12345",
                "Who",
                Role::Clinician,
                &pw("drwho12345")
            )
            .is_err()
    );
    let names: Vec<String> = env
        .acc
        .users()
        .unwrap()
        .into_iter()
        .map(|u| u.username)
        .collect();
    assert_eq!(names, ["admin", "j.smith"]);
}

#[test]
fn the_last_active_admin_cannot_be_demoted_or_disabled() {
    let env = env();
    let e = env
        .acc
        .update_user(&env.admin, &env.admin.id, Some(Role::Clinician), None)
        .unwrap_err();
    assert!(e.to_string().contains("only active administrator"), "{e}");
    assert!(
        env.acc
            .update_user(&env.admin, &env.admin.id, None, Some(true))
            .is_err()
    );
    // A disabled admin does not count.
    let other = env.user("other", Role::Admin);
    env.acc
        .update_user(&env.admin, &other.id, None, Some(true))
        .unwrap();
    assert!(
        env.acc
            .update_user(&env.admin, &env.admin.id, None, Some(true))
            .is_err()
    );
    // With another active admin it is allowed.
    env.acc
        .update_user(&env.admin, &other.id, None, Some(false))
        .unwrap();
    let me = env
        .acc
        .update_user(&env.admin, &env.admin.id, Some(Role::Manager), None)
        .unwrap();
    assert_eq!(me.role, Role::Manager);
    // And now `other` is the last one.
    assert!(
        env.acc
            .update_user(&other, &other.id, Some(Role::Clinician), None)
            .is_err()
    );
    assert_eq!(env.acc.user(&other.id).unwrap().unwrap().role, Role::Admin);
}

#[test]
fn disabling_a_user_ends_sessions_and_stops_tokens_and_sign_in() {
    let env = env();
    let u = env.user("clin", Role::Clinician);
    let s = env
        .acc
        .start_session(&u.id, true, "10.0.0.1", "Firefox")
        .unwrap();
    let (_, token) = env
        .acc
        .create_api_token(&u.id, "laptop", &[palisade_service::Scope::Read])
        .unwrap();
    assert!(env.acc.session(&s.cookie_value).unwrap().is_some());
    assert!(env.acc.api_token(&token).unwrap().is_some());

    let changed = env
        .acc
        .update_user(&env.admin, &u.id, None, Some(true))
        .unwrap();
    assert!(changed.disabled);
    assert!(env.acc.session(&s.cookie_value).unwrap().is_none());
    assert!(env.acc.sessions_of(&u.id).unwrap().is_empty());
    assert!(env.acc.api_token(&token).unwrap().is_none());
    let e = env
        .acc
        .check_password("clin", &pw(&user_password("clin")), "10.0.0.1")
        .unwrap_err();
    assert!(
        matches!(e, ServiceError::BadCredentials),
        "disabled fails like a wrong password: {e}"
    );
    assert!(env.acc.start_session(&u.id, true, "10.0.0.1", "x").is_err());

    // Enabled again: the token works again (it was not revoked), sign-in works.
    env.acc
        .update_user(&env.admin, &u.id, None, Some(false))
        .unwrap();
    assert!(env.acc.api_token(&token).unwrap().is_some());
    assert!(matches!(
        env.acc
            .check_password("clin", &pw(&user_password("clin")), "10.0.0.1")
            .unwrap(),
        LoginOutcome::SignedIn(_)
    ));
}

#[test]
fn reset_password_replaces_it_and_ends_sessions() {
    let env = env();
    let u = env.user("clin", Role::Clinician);
    let s = env.acc.start_session(&u.id, true, "c", "ua").unwrap();
    assert!(
        env.acc
            .reset_password(&env.admin, &u.id, &pw("short"))
            .is_err()
    );
    env.acc
        .reset_password(&env.admin, &u.id, &pw("a brand new password"))
        .unwrap();
    assert!(env.acc.session(&s.cookie_value).unwrap().is_none());
    assert!(
        env.acc
            .check_password("clin", &pw(&user_password("clin")), "c")
            .is_err()
    );
    assert!(
        env.acc
            .check_password("clin", &pw("a brand new password"), "c")
            .is_ok()
    );
    assert!(matches!(
        env.acc
            .reset_password(&env.admin, "usr_nobody", &pw("a brand new password")),
        Err(ServiceError::NotFound { .. })
    ));
}

#[test]
fn org_settings_are_validated_and_kept() {
    let env = env();
    let mut s = env.acc.org().unwrap();
    s.require_totp = true;
    s.idle_timeout_minutes = 15;
    s.absolute_timeout_hours = 8;
    s.name = "Riverside Medical Centre".into();
    env.acc.update_org(&env.admin, &s).unwrap();
    assert_eq!(env.reopen().org().unwrap(), s);
    let bad = OrgSettings {
        idle_timeout_minutes: 0,
        ..s.clone()
    };
    assert!(env.acc.update_org(&env.admin, &bad).is_err());
    let blank = OrgSettings {
        name: " ".into(),
        ..s.clone()
    };
    assert!(env.acc.update_org(&env.admin, &blank).is_err());
    assert_eq!(env.acc.org().unwrap(), s);
}

#[test]
fn accounts_can_be_shared_across_threads() {
    fn shared<T: Send + Sync + 'static>() {}
    shared::<palisade_service::Accounts>();
    shared::<std::sync::Arc<palisade_service::Accounts>>();
}

#[test]
fn secrets_never_print() {
    let env = env();
    let p = pw("my secret password");
    assert_eq!(format!("{p:?}"), "Password(***)");
    let s = env
        .acc
        .start_session(&env.admin.id, true, "c", "ua")
        .unwrap();
    let shown = format!("{s:?}");
    assert!(!shown.contains(&s.cookie_value), "{shown}");
    assert!(!shown.contains(&s.info.csrf_token), "{shown}");
    assert!(shown.contains("***"));
    let e = env.acc.begin_totp(&env.admin.id).unwrap();
    let shown = format!("{e:?}");
    assert!(!shown.contains(&e.secret_base32), "{shown}");
    let acc_dbg = format!("{:?}", env.acc);
    assert!(!acc_dbg.contains("key"), "{acc_dbg}");
}

#[test]
fn a_locked_out_admin_is_recovered_at_the_console() {
    let env = env();
    let e = env.acc.begin_totp(&env.admin.id).unwrap();
    env.acc
        .confirm_totp(&env.admin.id, &totp_code(&e.secret_base32, env.now_secs()))
        .unwrap();
    let s = env
        .acc
        .start_session(&env.admin.id, true, "c", "ua")
        .unwrap();
    assert!(
        env.acc
            .reset_password_from_console("nobody", &pw("a brand new password"), true)
            .is_err()
    );
    assert!(
        env.acc
            .reset_password_from_console("ADMIN", &pw("short"), true)
            .is_err()
    );
    let u = env
        .acc
        .reset_password_from_console("ADMIN", &pw("a brand new password"), true)
        .unwrap();
    assert!(!u.totp_enabled && !u.disabled);
    assert!(env.acc.session(&s.cookie_value).unwrap().is_none());
    assert!(matches!(
        env.acc
            .check_password("admin", &pw("a brand new password"), "c")
            .unwrap(),
        LoginOutcome::SignedIn(_)
    ));
    let last = &env.acc.audit_recent(1).unwrap()[0];
    assert_eq!(last.action, "password_reset");
    assert_eq!(last.actor_id, None);
}
