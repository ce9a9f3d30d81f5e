//! `palisade user`: listing accounts and resetting a password from the
//! console, the way back in when the only administrator is locked out.

mod common;

use common::{Store, run_command};
use palisade_service::{KeyOptions, LoginOutcome, ManualClock, Palisade, Password, Role};
use std::sync::Arc;

fn open(store: &Store) -> Palisade {
    let keys = KeyOptions {
        key_file: store.key_file.clone(),
        passphrase: None,
    };
    Palisade::open(&store.data_dir, &keys).expect("open the store")
}

#[test]
fn an_administrator_locked_out_gets_back_in_from_the_console() {
    let store = Store::init();
    {
        let p = open(&store);
        let accounts = p
            .open_accounts(Arc::new(ManualClock::new(jiff::Timestamp::now())))
            .expect("accounts");
        let token = accounts
            .issue_setup_token()
            .expect("token")
            .expect("setup needed");
        let admin = accounts
            .complete_setup(
                &token,
                "Riverside Surgery",
                "admin",
                "Practice Admin",
                &Password::new("correct horse battery".to_string()),
            )
            .expect("setup");
        assert_eq!(admin.role, Role::Admin);
    }

    let list = store.json(&["user", "list"]);
    assert_eq!(list[0]["username"], "admin");
    assert_eq!(list[0]["role"], "admin");

    // A password that breaks the rules is refused and changes nothing.
    let mut c = store.command();
    c.env("PALISADE_NEW_PASSWORD", "short");
    let r = run_command(c, &["user", "reset-password", "admin"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stderr.starts_with("error:"), "{}", r.stderr);

    let mut c = store.command();
    c.env("PALISADE_NEW_PASSWORD", "a brand new passphrase");
    let r = run_command(
        c,
        &["user", "reset-password", "admin", "--turn-off-two-factor"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("New password set for admin"),
        "{}",
        r.stdout
    );

    let p = open(&store);
    let accounts = p
        .open_accounts(Arc::new(ManualClock::new(jiff::Timestamp::now())))
        .expect("accounts");
    let outcome = accounts
        .check_password(
            "admin",
            &Password::new("a brand new passphrase".to_string()),
            "127.0.0.1",
        )
        .expect("the new password works");
    assert!(matches!(outcome, LoginOutcome::SignedIn(_)));
    assert!(
        accounts
            .check_password(
                "admin",
                &Password::new("correct horse battery".to_string()),
                "127.0.0.1"
            )
            .is_err(),
        "the old password no longer works"
    );
    // The reset is in the audit trail, and the trail is intact.
    let recent = accounts.audit_recent(5).expect("audit");
    assert!(recent.iter().any(|e| e.action == "password_reset"));
    assert!(accounts.verify_audit().expect("verify").is_empty());
    store.verify_ok();
}

#[test]
fn an_unknown_user_is_named_in_the_error() {
    let store = Store::init();
    let mut c = store.command();
    c.env("PALISADE_NEW_PASSWORD", "a brand new passphrase");
    let r = run_command(c, &["user", "reset-password", "nobody"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("nobody"), "{}", r.stderr);
}
