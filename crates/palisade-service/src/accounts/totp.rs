//! RFC 6238 time-based one-time passwords: SHA-1, 6 digits, 30-second steps,
//! one step of skew either way. Codes are compared in constant time and the
//! whole window is always computed, so timing says nothing about which step
//! matched.

use super::TotpEnrolment;
use crate::error::{Result, ServiceError};
use palisade_core::crypto;
use subtle::ConstantTimeEq;
use totp_rs::{Algorithm, Builder, Totp};
use zeroize::Zeroizing;

/// Seconds per step.
pub(super) const STEP_SECS: u64 = 30;
const DIGITS: u8 = 6;
/// Bytes of a new secret (160 bits, as RFC 4226 recommends).
const SECRET_LEN: usize = 20;

fn build(secret: &[u8], digits: u8, issuer: &str, account: &str) -> Result<Totp> {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(digits)
        .with_skew(1)
        .with_step_duration(STEP_SECS)
        .with_secret(secret.to_vec())
        .with_issuer(Some(issuer.replace(':', " ")))
        .with_account_name(account.replace(':', " "))
        .build()
        .map_err(|e| ServiceError::Invalid(format!("cannot set up the authenticator: {e}")))
}

/// A fresh random secret.
pub(super) fn new_secret() -> Result<Zeroizing<Vec<u8>>> {
    let bytes: [u8; SECRET_LEN] = crypto::random_bytes()?;
    Ok(Zeroizing::new(bytes.to_vec()))
}

/// What the authenticator app needs: the secret, the `otpauth://` URI and its QR code.
pub(super) fn enrolment(secret: &[u8], issuer: &str, account: &str) -> Result<TotpEnrolment> {
    let t = build(secret, DIGITS, issuer, account)?;
    let uri = t
        .to_url()
        .map_err(|e| ServiceError::Invalid(format!("cannot make the authenticator link: {e}")))?;
    let qr = t
        .to_qr_base64()
        .map_err(|e| ServiceError::Invalid(format!("cannot draw the QR code: {e}")))?;
    Ok(TotpEnrolment {
        secret_base32: t.secret().to_base32(),
        otpauth_uri: uri,
        qr_png_base64: qr,
    })
}

/// The code for `unix_secs` (for the RFC vectors).
#[cfg(test)]
fn code_at(secret: &[u8], digits: u8, unix_secs: u64) -> Result<String> {
    Ok(build(secret, digits, "Palisade", "check")?
        .generate(unix_secs)
        .to_string())
}

/// Keep only the digits a person typed (spaces and dashes are common).
pub(super) fn normalise(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect()
}

/// The time step whose code `code` is, within one step of `unix_secs`, if any.
pub(super) fn matching_step(secret: &[u8], code: &str, unix_secs: u64) -> Result<Option<u64>> {
    let code = normalise(code);
    if code.len() != usize::from(DIGITS) || !code.bytes().all(|c| c.is_ascii_digit()) {
        return Ok(None);
    }
    let t = build(secret, DIGITS, "Palisade", "check")?;
    let now = unix_secs / STEP_SECS;
    let mut found = None;
    for step in now.saturating_sub(1)..=now + 1 {
        let expected = t.generate(step * STEP_SECS).to_string();
        if bool::from(expected.as_bytes().ct_eq(code.as_bytes())) {
            found = Some(step);
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B, SHA-1, 8 digits.
    #[test]
    fn rfc_6238_test_vectors() {
        let secret = b"12345678901234567890";
        let vectors = [
            (59u64, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ];
        for (t, want) in vectors {
            assert_eq!(code_at(secret, 8, t).unwrap(), want, "t={t}");
            // Six digits are the last six of the same value.
            assert_eq!(code_at(secret, 6, t).unwrap(), want[2..], "t={t}");
        }
    }

    #[test]
    fn accepts_one_step_either_way_and_says_which() {
        let secret = b"12345678901234567890";
        let t = 1_111_111_111u64; // step 37037037
        let now = code_at(secret, 6, t).unwrap();
        assert_eq!(matching_step(secret, &now, t).unwrap(), Some(t / 30));
        let prev = code_at(secret, 6, t - 30).unwrap();
        assert_eq!(matching_step(secret, &prev, t).unwrap(), Some(t / 30 - 1));
        let next = code_at(secret, 6, t + 30).unwrap();
        assert_eq!(matching_step(secret, &next, t).unwrap(), Some(t / 30 + 1));
        let old = code_at(secret, 6, t - 90).unwrap();
        assert_eq!(matching_step(secret, &old, t).unwrap(), None);
        let spaced = format!("{} {}", &now[..3], &now[3..]);
        assert_eq!(matching_step(secret, &spaced, t).unwrap(), Some(t / 30));
        assert_eq!(matching_step(secret, "12345", t).unwrap(), None);
        assert_eq!(matching_step(secret, "abcdef", t).unwrap(), None);
    }

    #[test]
    fn enrolment_carries_issuer_account_and_a_png() {
        let s = new_secret().unwrap();
        let e = enrolment(&s, "Palisade (Riverside: Surgery)", "drsmith").unwrap();
        assert!(
            e.otpauth_uri.starts_with("otpauth://totp/"),
            "{}",
            e.otpauth_uri
        );
        assert!(e.otpauth_uri.contains("drsmith"));
        assert!(e.otpauth_uri.contains("Palisade"));
        assert!(e.otpauth_uri.contains(&e.secret_base32));
        use base64::Engine;
        let png = base64::engine::general_purpose::STANDARD
            .decode(&e.qr_png_base64)
            .unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    }
}
