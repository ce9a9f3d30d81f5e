//! Sign-in, second factor, sessions and their timeouts, through the real
//! router and a real data directory.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{PASSWORD, TestApp, TestUser, totp_code};
use palisade_core::access::Role;
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

const SESSION: &str = "__Host-palisade";

fn between<'a>(body: &'a str, start: &str, end: &str) -> &'a str {
    let at = body
        .find(start)
        .unwrap_or_else(|| panic!("{start:?} not in:\n{body}"))
        + start.len();
    let rest = &body[at..];
    &rest[..rest.find(end).unwrap()]
}

/// The TOTP key shown on the enrolment page.
fn totp_secret(body: &str) -> String {
    between(body, "id=\"totp-key\">", "<")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// The recovery codes shown once.
fn recovery_codes(body: &str) -> Vec<String> {
    let list = between(body, "class=\"recovery-codes\"", "</ul>");
    list.split("<li>")
        .skip(1)
        .map(|s| s.split("</li>").next().unwrap().to_string())
        .collect()
}

/// Sign `user` in and turn TOTP on; returns the key and the recovery codes.
async fn enrol_totp(app: &TestApp, user: &TestUser) -> (String, Vec<String>) {
    let client = app.sign_in(user).await;
    let page = client.get("/account/two-factor").await.assert_status(200);
    assert!(page.contains("alt=\"QR code for your authenticator app\""));
    assert!(page.contains("src=\"data:image/png;base64,"));
    let secret = totp_secret(&page.body);
    let code = totp_code(&secret, app.now());
    let done = client
        .post_form(
            "/account/two-factor",
            &[("code", &code), ("secret", &secret)],
        )
        .await
        .assert_status(200)
        .assert_contains("Your recovery codes");
    let codes = recovery_codes(&done.body);
    assert_eq!(codes.len(), 10, "{}", done.body);
    client.post_form("/logout", &[]).await.assert_status(303);
    // The code just used cannot be used again: move to the next time step.
    app.clock().advance(Duration::from_secs(30));
    (secret, codes)
}

#[tokio::test]
async fn the_setup_link_creates_the_first_administrator_once() {
    let app = TestApp::new();
    let token = app.accounts().issue_setup_token().unwrap().unwrap();
    let path = format!("/setup/{token}");
    let client = app.client();
    client
        .get(&path)
        .await
        .assert_status(200)
        .assert_contains("Set up Palisade");
    // Mismatched passwords: the form comes back with the values kept.
    client
        .post_form(
            &path,
            &[
                ("org_name", "Riverside Practice"),
                ("username", "ada"),
                ("display_name", "Ada Lovelace"),
                ("password", PASSWORD),
                ("password_confirm", "something else entirely"),
            ],
        )
        .await
        .assert_status(422)
        .assert_contains("There is a problem")
        .assert_contains("href=\"#password_confirm\"")
        .assert_contains("value=\"Riverside Practice\"")
        .assert_not_contains(PASSWORD);
    let done = client
        .post_form(
            &path,
            &[
                ("org_name", "Riverside Practice"),
                ("username", "ada"),
                ("display_name", "Ada Lovelace"),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
            ],
        )
        .await
        .assert_redirect("/account?done=setup");
    assert!(done.header("set-cookie").unwrap().starts_with(SESSION));
    client
        .get("/account")
        .await
        .assert_status(200)
        .assert_contains("Ada Lovelace")
        .assert_contains("Administrator")
        .assert_contains("Riverside Practice");
    // The link is dead now.
    let other = app.client();
    other.get(&path).await.assert_status(404);
    assert!(!app.accounts().setup_needed().unwrap());
    assert!(app.accounts().issue_setup_token().unwrap().is_none());
}

#[tokio::test]
async fn a_wrong_setup_token_is_refused() {
    let app = TestApp::new();
    let _real = app.accounts().issue_setup_token().unwrap().unwrap();
    let client = app.client();
    client.get("/setup/not-the-token").await.assert_status(200);
    client
        .post_form(
            "/setup/not-the-token",
            &[
                ("org_name", "Riverside Practice"),
                ("username", "mallory"),
                ("display_name", "Mallory"),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
            ],
        )
        .await
        .assert_status(404)
        .assert_contains("setup link is not valid");
    assert!(app.accounts().setup_needed().unwrap());
}

#[tokio::test]
async fn a_wrong_password_is_refused_without_saying_which_part_was_wrong() {
    let app = TestApp::new();
    let alice = app.create_user(Role::Clinician);
    let client = app.client();
    client.get("/login").await.assert_status(200);
    let r = client
        .post_form(
            "/login",
            &[
                ("username", &alice.username),
                ("password", "not the password"),
            ],
        )
        .await
        .assert_status(401)
        .assert_contains("The username or password is wrong")
        .assert_contains(&format!("value=\"{}\"", alice.username))
        .assert_not_contains("not the password");
    assert!(r.header("set-cookie").is_none());
    client
        .post_form(
            "/login",
            &[("username", "nobody"), ("password", "not the password")],
        )
        .await
        .assert_status(401)
        .assert_contains("The username or password is wrong");
    client.get("/account").await.assert_redirect("/login");
    // Empty fields: say which.
    client
        .post_form("/login", &[("username", ""), ("password", "")])
        .await
        .assert_status(422)
        .assert_contains("Enter your username")
        .assert_contains("Enter your password");
}

#[tokio::test]
async fn sign_in_is_throttled_per_account_with_a_clear_message() {
    let app = TestApp::new();
    let alice = app.create_user(Role::Clinician);
    let client = app.client();
    client.get("/login").await;
    for _ in 0..5 {
        client
            .post_form(
                "/login",
                &[
                    ("username", &alice.username),
                    ("password", "wrong password!"),
                ],
            )
            .await
            .assert_status(401);
    }
    // Even the right password is refused now, from any address.
    let elsewhere = app.client_from(IpAddr::V4(Ipv4Addr::new(198, 51, 100, 7)));
    elsewhere.get("/login").await;
    let r = elsewhere
        .post_form(
            "/login",
            &[("username", &alice.username), ("password", PASSWORD)],
        )
        .await
        .assert_status(429)
        .assert_contains("Too many failed sign-in attempts. Wait 15 minutes and try again.");
    assert_eq!(r.header("retry-after"), Some("900"));
    app.clock().advance(Duration::from_secs(15 * 60 + 1));
    elsewhere
        .post_form(
            "/login",
            &[("username", &alice.username), ("password", PASSWORD)],
        )
        .await
        .assert_redirect("/");
}

#[tokio::test]
async fn sign_in_is_throttled_per_client_address() {
    let app = TestApp::new();
    let alice = app.create_user(Role::Clinician);
    let attacker = app.client_from(IpAddr::V4(Ipv4Addr::new(203, 0, 113, 66)));
    attacker.get("/login").await;
    for i in 0..30 {
        let name = format!("guess{i}");
        attacker
            .post_form(
                "/login",
                &[("username", &name), ("password", "password123456")],
            )
            .await
            .assert_status(401);
    }
    attacker
        .post_form(
            "/login",
            &[("username", &alice.username), ("password", PASSWORD)],
        )
        .await
        .assert_status(429)
        .assert_contains("Too many failed sign-in attempts.");
    // Alice, from her own address, is not locked out.
    let client = app.sign_in(&alice).await;
    client.get("/account").await.assert_status(200);
}

#[tokio::test]
async fn totp_second_factor_then_recovery_codes_work_once() {
    let app = TestApp::new();
    let alice = app.create_user(Role::Clinician);
    let (secret, codes) = enrol_totp(&app, &alice).await;

    let client = app.client();
    client.get("/login").await;
    client
        .post_form(
            "/login",
            &[("username", &alice.username), ("password", PASSWORD)],
        )
        .await
        .assert_redirect("/login/two-factor");
    let half = client.cookie(SESSION).unwrap();
    // Half signed in: pages send you to the second factor.
    client
        .get("/account")
        .await
        .assert_redirect("/login/two-factor");
    client
        .get("/login/two-factor")
        .await
        .assert_status(200)
        .assert_contains("Enter your security code");
    client
        .post_form("/login/two-factor", &[("code", "000000")])
        .await
        .assert_status(401)
        .assert_contains("That code is wrong or has already been used");
    let code = totp_code(&secret, app.now());
    client
        .post_form("/login/two-factor", &[("code", &code)])
        .await
        .assert_redirect("/");
    let full = client.cookie(SESSION).unwrap();
    assert_ne!(
        half, full,
        "the session is replaced after the second factor"
    );
    client
        .get("/account")
        .await
        .assert_status(200)
        .assert_contains("Your account");
    // The half session is gone.
    let replay = app.client();
    replay.set_cookie(SESSION, &half);
    replay
        .get("/login/two-factor")
        .await
        .assert_redirect("/login");

    // A recovery code works once.
    for (attempt, expect_ok) in [(1, true), (2, false)] {
        let c = app.client();
        c.get("/login").await;
        c.post_form(
            "/login",
            &[("username", &alice.username), ("password", PASSWORD)],
        )
        .await
        .assert_redirect("/login/two-factor");
        c.get("/login/two-factor").await.assert_status(200);
        let r = c
            .post_form("/login/two-factor", &[("code", &codes[0])])
            .await;
        if expect_ok {
            r.assert_redirect("/");
        } else {
            assert_eq!(r.status, 401, "attempt {attempt}: {}", r.body);
        }
    }
}

#[tokio::test]
async fn the_organisation_can_make_totp_mandatory() {
    let app = TestApp::new();
    let admin = app.setup_admin();
    let bob = app.create_user(Role::Manager);
    let admin_client = app.sign_in(&admin).await;
    admin_client
        .post_form(
            "/settings",
            &[
                ("org_name", "Test Practice"),
                ("require_totp", "on"),
                ("idle_timeout_minutes", "30"),
                ("absolute_timeout_hours", "12"),
            ],
        )
        .await
        .assert_redirect("/settings?done=saved");
    assert!(app.accounts().org().unwrap().require_totp);

    let client = app.client();
    client.get("/login").await;
    client
        .post_form(
            "/login",
            &[("username", &bob.username), ("password", PASSWORD)],
        )
        .await
        .assert_redirect("/account/two-factor");
    // Nothing else is open until enrolment.
    client
        .get("/account")
        .await
        .assert_redirect("/account/two-factor");
    client
        .get("/account/tokens")
        .await
        .assert_redirect("/account/two-factor");
    let page = client
        .get("/account/two-factor")
        .await
        .assert_status(200)
        .assert_contains("Your organisation requires two-factor authentication");
    let secret = totp_secret(&page.body);
    let code = totp_code(&secret, app.now());
    let before = client.cookie(SESSION).unwrap();
    client
        .post_form(
            "/account/two-factor",
            &[("code", &code), ("secret", &secret)],
        )
        .await
        .assert_status(200)
        .assert_contains("Your recovery codes");
    assert_ne!(
        client.cookie(SESSION).unwrap(),
        before,
        "a new session after enrolment"
    );
    client
        .get("/account")
        .await
        .assert_status(200)
        .assert_contains("Your account");
    // The admin (no TOTP yet) is now held at enrolment too.
    admin_client
        .get("/settings")
        .await
        .assert_redirect("/account/two-factor");
}

#[tokio::test]
async fn sessions_expire_after_the_idle_timeout() {
    let app = TestApp::new();
    let alice = app.create_user(Role::Clinician);
    let client = app.sign_in(&alice).await;
    app.clock().advance(Duration::from_secs(29 * 60));
    client.get("/account").await.assert_status(200);
    app.clock().advance(Duration::from_secs(29 * 60));
    client.get("/account").await.assert_status(200);
    app.clock().advance(Duration::from_secs(31 * 60));
    client.get("/account").await.assert_redirect("/login");
}

#[tokio::test]
async fn sessions_expire_after_the_absolute_timeout_even_when_active() {
    let app = TestApp::new();
    let alice = app.create_user(Role::Clinician);
    let client = app.sign_in(&alice).await;
    for _ in 0..35 {
        app.clock().advance(Duration::from_secs(20 * 60));
        client.get("/account").await.assert_status(200);
    }
    // 11 h 40 min so far; 12 h passes within the next 20 minutes.
    app.clock().advance(Duration::from_secs(20 * 60));
    client.get("/account").await.assert_redirect("/login");
}

#[tokio::test]
async fn signing_out_ends_the_session_on_the_server() {
    let app = TestApp::new();
    let alice = app.create_user(Role::Clinician);
    let client = app.sign_in(&alice).await;
    let cookie = client.cookie(SESSION).unwrap();
    let r = client
        .post_form("/logout", &[])
        .await
        .assert_redirect("/login?done=signed-out");
    assert!(r.header("set-cookie").unwrap().contains("Max-Age=0"));
    client
        .get("/login?done=signed-out")
        .await
        .assert_contains("You have signed out.");
    // Replaying the old cookie does not work.
    let replay = app.client();
    replay.set_cookie(SESSION, &cookie);
    replay.get("/account").await.assert_redirect("/login");
}

#[tokio::test]
async fn a_session_cookie_planted_before_sign_in_is_not_kept() {
    let app = TestApp::new();
    let alice = app.create_user(Role::Clinician);
    let client = app.client();
    client.set_cookie(SESSION, "planted-by-someone-else");
    client.sign_in(&alice).await;
    assert_ne!(client.cookie(SESSION).unwrap(), "planted-by-someone-else");
}

#[tokio::test]
async fn ending_sessions_signs_out_other_devices() {
    let app = TestApp::new();
    let alice = app.create_user(Role::Clinician);
    let laptop = app.sign_in(&alice).await;
    let phone = app.sign_in(&alice).await;
    let tablet = app.sign_in(&alice).await;
    let list = laptop.get("/account/sessions").await.assert_status(200);
    assert_eq!(list.body.matches("This session").count(), 1);
    // End one by id.
    let sessions = app.accounts().sessions_of(&alice.id).unwrap();
    assert_eq!(sessions.len(), 3);
    let laptop_id = app
        .accounts()
        .session(&laptop.cookie(SESSION).unwrap())
        .unwrap()
        .unwrap()
        .1
        .id;
    let phone_id = app
        .accounts()
        .session(&phone.cookie(SESSION).unwrap())
        .unwrap()
        .unwrap()
        .1
        .id;
    assert_ne!(laptop_id, phone_id);
    laptop
        .post_form(&format!("/account/sessions/{phone_id}/end"), &[])
        .await
        .assert_redirect("/account/sessions?done=ended");
    phone.get("/account").await.assert_redirect("/login");
    tablet.get("/account").await.assert_status(200);
    // Someone else's session id is not found.
    let bob = app.create_user(Role::Clinician);
    let bob_client = app.sign_in(&bob).await;
    bob_client
        .post_form(&format!("/account/sessions/{laptop_id}/end"), &[])
        .await
        .assert_status(404);
    laptop.get("/account").await.assert_status(200);
    // End all others.
    laptop
        .post_form("/account/sessions/end-others", &[])
        .await
        .assert_redirect("/account/sessions?done=ended-others");
    tablet.get("/account").await.assert_redirect("/login");
    laptop.get("/account").await.assert_status(200);
}

#[tokio::test]
async fn changing_the_password_signs_out_other_sessions() {
    let app = TestApp::new();
    let alice = app.create_user(Role::Clinician);
    let here = app.sign_in(&alice).await;
    let there = app.sign_in(&alice).await;
    let new_password = "a different long passphrase";
    here.post_form(
        "/account/password",
        &[
            ("current", "not my password"),
            ("new", new_password),
            ("confirm", new_password),
        ],
    )
    .await
    .assert_status(422)
    .assert_contains("Your current password is wrong");
    here.post_form(
        "/account/password",
        &[
            ("current", PASSWORD),
            ("new", "short"),
            ("confirm", "short"),
        ],
    )
    .await
    .assert_status(422)
    .assert_contains("at least 12 characters");
    there.get("/account").await.assert_status(200);
    here.post_form(
        "/account/password",
        &[
            ("current", PASSWORD),
            ("new", new_password),
            ("confirm", new_password),
        ],
    )
    .await
    .assert_redirect("/account?done=password");
    here.get("/account?done=password")
        .await
        .assert_status(200)
        .assert_contains("Your password has been changed");
    there.get("/account").await.assert_redirect("/login");
    // The old password no longer works; the new one does.
    let c = app.client();
    c.get("/login").await;
    c.post_form(
        "/login",
        &[("username", &alice.username), ("password", PASSWORD)],
    )
    .await
    .assert_status(401);
    c.post_form(
        "/login",
        &[("username", &alice.username), ("password", new_password)],
    )
    .await
    .assert_redirect("/");
}

#[tokio::test]
async fn a_disabled_account_is_signed_out_at_once() {
    let app = TestApp::new();
    let admin = app.setup_admin();
    let alice = app.create_user(Role::Clinician);
    let alice_client = app.sign_in(&alice).await;
    let admin_client = app.sign_in(&admin).await;
    admin_client
        .get(&format!("/settings/users/{}", alice.id))
        .await
        .assert_status(200)
        .assert_contains("Change an account");
    admin_client
        .post_form(
            &format!("/settings/users/{}", alice.id),
            &[
                ("role", "clinician"),
                ("disabled", "on"),
                ("reset_password", ""),
            ],
        )
        .await
        .assert_redirect(&format!("/settings/users/{}?done=saved", alice.id));
    alice_client.get("/account").await.assert_redirect("/login");
    let c = app.client();
    c.get("/login").await;
    c.post_form(
        "/login",
        &[("username", &alice.username), ("password", PASSWORD)],
    )
    .await
    .assert_status(401);
}

#[tokio::test]
async fn an_administrator_creates_accounts_and_resets_passwords() {
    let app = TestApp::new();
    let admin = app.setup_admin();
    let admin_client = app.sign_in(&admin).await;
    admin_client
        .post_form(
            "/settings/users",
            &[
                ("username", "carol"),
                ("display_name", "Carol Carter"),
                ("role", ""),
                ("password", "short"),
            ],
        )
        .await
        .assert_status(422)
        .assert_contains("Choose a role")
        .assert_contains("at least 12 characters")
        .assert_contains("value=\"Carol Carter\"");
    admin_client
        .post_form(
            "/settings/users",
            &[
                ("username", "carol"),
                ("display_name", "Carol Carter"),
                ("role", "manager"),
                ("password", "temporary password 1"),
            ],
        )
        .await
        .assert_redirect("/settings/users?done=created");
    let carol = app.accounts().user_by_username("carol").unwrap().unwrap();
    assert_eq!(carol.role, Role::Manager);
    let carol_user = TestUser {
        id: carol.id.clone(),
        username: "carol".into(),
        password: "temporary password 1".into(),
        role: Role::Manager,
    };
    let carol_client = app.sign_in(&carol_user).await;
    admin_client
        .post_form(
            &format!("/settings/users/{}", carol.id),
            &[
                ("role", "clinician"),
                ("reset_password", "another temporary 2"),
            ],
        )
        .await
        .assert_redirect(&format!("/settings/users/{}?done=saved", carol.id));
    carol_client.get("/account").await.assert_redirect("/login");
    let carol = app.accounts().user(&carol.id).unwrap().unwrap();
    assert_eq!(carol.role, Role::Clinician);
    let again = TestUser {
        password: "another temporary 2".into(),
        ..carol_user
    };
    app.sign_in(&again)
        .await
        .get("/account")
        .await
        .assert_contains("Clinician");
    // The only administrator cannot remove their own role.
    admin_client
        .post_form(
            &format!("/settings/users/{}", admin.id),
            &[("role", "clinician")],
        )
        .await
        .assert_status(422)
        .assert_contains("only active administrator");
}

#[tokio::test]
async fn two_factor_can_be_turned_off_with_the_password() {
    let app = TestApp::new();
    let alice = app.create_user(Role::Clinician);
    let (secret, _) = enrol_totp(&app, &alice).await;
    let client = app.client();
    client.get("/login").await;
    client
        .post_form(
            "/login",
            &[("username", &alice.username), ("password", PASSWORD)],
        )
        .await
        .assert_redirect("/login/two-factor");
    client.get("/login/two-factor").await.assert_status(200);
    let code = totp_code(&secret, app.now());
    client
        .post_form("/login/two-factor", &[("code", &code)])
        .await
        .assert_redirect("/");
    client
        .get("/account/two-factor")
        .await
        .assert_contains("Two-factor authentication is on");
    let fresh = client
        .post_form("/account/recovery-codes", &[])
        .await
        .assert_status(200)
        .assert_contains("Your new recovery codes are ready");
    assert_eq!(recovery_codes(&fresh.body).len(), 10);
    client
        .post_form(
            "/account/two-factor",
            &[("action", "disable"), ("password", "wrong one")],
        )
        .await
        .assert_status(422);
    client
        .post_form(
            "/account/two-factor",
            &[("action", "disable"), ("password", PASSWORD)],
        )
        .await
        .assert_redirect("/account?done=two-factor-off");
    assert!(
        !app.accounts()
            .user(&alice.id)
            .unwrap()
            .unwrap()
            .totp_enabled
    );
}
