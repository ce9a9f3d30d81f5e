//! Random secrets (session cookies, CSRF tokens, API tokens, the setup
//! token), their stored hashes, and constant-time comparison.

use crate::error::Result;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use palisade_core::crypto;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// 32 random bytes, base64url without padding (43 characters).
pub(super) fn random_token() -> Result<String> {
    let bytes: [u8; 32] = crypto::random_bytes()?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// SHA-256 of a presented secret: what the store keeps and looks up.
pub(super) fn sha256(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// Equal in constant time (for equal lengths).
pub(super) fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_url_safe() {
        let a = random_token().unwrap();
        let b = random_token().unwrap();
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        );
        assert!(ct_eq(&sha256(&a), &sha256(&a)));
        assert!(!ct_eq(&sha256(&a), &sha256(&b)));
    }
}
