//! Password hashing (Argon2id, OWASP parameters, PHC strings) and the
//! password rules.

use super::Password;
use crate::error::{Result, ServiceError};
use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};
use palisade_core::crypto;
use std::sync::OnceLock;

/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longest password accepted (hashing cost is bounded).
pub const MAX_PASSWORD_CHARS: usize = 256;

/// OWASP's Argon2id setting: 19 MiB, 2 passes, 1 lane.
fn argon() -> Result<Argon2<'static>> {
    let params = Params::new(19_456, 2, 1, None)
        .map_err(|e| ServiceError::Invalid(format!("password hashing parameters: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hash a password into a PHC string (random 16-byte salt).
pub(super) fn hash(password: &Password) -> Result<String> {
    let salt: [u8; 16] = crypto::random_bytes()?;
    let h = argon()?
        .hash_password_with_salt(password.expose().as_bytes(), &salt)
        .map_err(|e| ServiceError::Invalid(format!("cannot hash the password: {e}")))?;
    Ok(h.to_string())
}

/// Whether `password` matches the PHC string (Argon2 compares in constant time).
/// A malformed stored hash matches nothing.
pub(super) fn verify(phc: &str, password: &Password) -> bool {
    // The parameters come from the PHC string itself.
    Argon2::default()
        .verify_password(password.expose().as_bytes(), phc)
        .is_ok()
}

/// A hash of a random password, made once per process, that unknown usernames
/// are checked against.
fn dummy_hash() -> Option<&'static str> {
    static DUMMY: OnceLock<Option<String>> = OnceLock::new();
    DUMMY
        .get_or_init(|| {
            let p = Password::new(super::secrets::random_token().ok()?);
            hash(&p).ok()
        })
        .as_deref()
}

/// Make the dummy hash now, so the first sign-in with an unknown username takes
/// no longer than any other.
pub(super) fn warm_up() {
    let _ = dummy_hash();
}

/// Spend the same work as a real check, for an unknown user, so timing does not
/// tell whether an account exists.
pub(super) fn verify_dummy(password: &Password) {
    if let Some(phc) = dummy_hash() {
        let _ = verify(phc, password);
    }
}

/// The password rules: 12 to 256 characters, not the username, not an obvious one.
pub(super) fn check_rules(username: &str, password: &Password) -> Result<()> {
    let p = password.expose();
    let chars = p.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(ServiceError::Invalid(format!(
            "The password is too short: use at least {MIN_PASSWORD_CHARS} characters (a few unrelated words make a good one)."
        )));
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(ServiceError::Invalid(format!(
            "The password is too long: use at most {MAX_PASSWORD_CHARS} characters."
        )));
    }
    let lower = p.to_lowercase();
    // Letters and digits only, so "Password!2024" and "password 2024" are alike.
    let squashed: String = lower.chars().filter(|c| c.is_alphanumeric()).collect();
    let user: String = username
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect();
    let repeated = lower
        .chars()
        .collect::<std::collections::HashSet<_>>()
        .len()
        <= 2;
    // A guessable stem with only a few characters (a year, a digit, a symbol) added.
    let padded = |stem: &str| squashed.contains(stem) && squashed.len() <= stem.len() + 6;
    if repeated
        || is_run(&squashed)
        || (!user.is_empty() && padded(&user))
        || OBVIOUS.iter().any(|o| padded(o))
    {
        return Err(ServiceError::Invalid(
            "That password is too easy to guess (a common password, a run or repeat of characters, or your username with a little added). Choose another, for example a few unrelated words."
                .into(),
        ));
    }
    Ok(())
}

/// Stems of the most common passwords.
const OBVIOUS: &[&str] = &[
    "password", "passw0rd", "qwerty", "letmein", "welcome", "palisade", "123456", "abcdef",
    "iloveyou", "admin", "monkey", "dragon",
];

/// A run like "123456789012" or "abcdefghijkl".
fn is_run(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2
        && (b
            .windows(2)
            .all(|w| w[1] == w[0].wrapping_add(1) || (w[0] == b'9' && w[1] == b'0'))
            || b.windows(2).all(|w| w[1].wrapping_add(1) == w[0]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_are_argon2id_with_owasp_parameters() {
        let p = Password::from("correct horse battery staple");
        let h = hash(&p).unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify(&h, &p));
        assert!(!verify(
            &h,
            &Password::from("correct horse battery stapler")
        ));
        assert!(!verify("not a phc string", &p));
        assert_ne!(h, hash(&p).unwrap(), "salted");
    }

    #[test]
    fn rules_refuse_short_long_and_obvious_passwords() {
        let bad = [
            "short",
            "elevenchars",
            "password1234",
            "Password!2024",
            "aaaaaaaaaaaaaaa",
            "123456789012",
            "abcdefghijklm",
            "drsmith-2026!",
            "qwertyuiop12",
        ];
        for b in bad {
            assert!(
                check_rules("drsmith", &Password::from(b)).is_err(),
                "{b} accepted"
            );
        }
        assert!(check_rules("drsmith", &Password::from("x".repeat(257))).is_err());
        let good = [
            "correct horse battery staple",
            "Tilt-Lantern-Orbit-42",
            "drsmith likes long walks in Kent",
        ];
        for g in good {
            assert!(
                check_rules("drsmith", &Password::from(g)).is_ok(),
                "{g} refused"
            );
        }
        let e = check_rules("a", &Password::from("short"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("at least 12 characters"), "{e}");
    }
}
