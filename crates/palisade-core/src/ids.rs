//! Record and case identifiers: a short type prefix and 80 random bits in
//! lower-case Crockford base32, e.g. `case_7m2k9q4xw1ba3hce`.

use crate::crypto::{CryptoError, random_bytes};

const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// A fresh identifier with the given prefix.
pub fn new_id(prefix: &str) -> Result<String, CryptoError> {
    let bytes: [u8; 10] = random_bytes()?;
    let mut bits: u128 = 0;
    for b in bytes {
        bits = (bits << 8) | u128::from(b);
    }
    let mut out = String::with_capacity(prefix.len() + 17);
    out.push_str(prefix);
    out.push('_');
    for i in (0..16).rev() {
        let idx = ((bits >> (i * 5)) & 0x1f) as usize;
        out.push(char::from(ALPHABET[idx]));
    }
    Ok(out)
}

/// Whether `s` looks like an identifier this module makes (any prefix).
pub fn looks_like_id(s: &str) -> bool {
    match s.split_once('_') {
        Some((prefix, rest)) => {
            !prefix.is_empty()
                && prefix.bytes().all(|c| c.is_ascii_lowercase())
                && rest.len() == 16
                && rest.bytes().all(|c| ALPHABET.contains(&c))
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_prefixed_unique_and_recognised() {
        let a = new_id("case").unwrap();
        let b = new_id("case").unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with("case_") && a.len() == 21, "{a}");
        assert!(looks_like_id(&a));
        assert!(!looks_like_id("case_ILOU"));
        assert!(!looks_like_id("../etc/passwd"));
    }
}
