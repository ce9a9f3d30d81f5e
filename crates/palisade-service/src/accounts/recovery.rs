//! Recovery codes: ten single-use codes like `ABCD-EFGH-JKLM`, from an
//! alphabet without look-alike characters, stored as keyed hashes
//! (HMAC-SHA256 under a key derived from the master key).

use crate::error::Result;
use palisade_core::crypto::{self, SecretKey};

/// How many codes a user gets.
pub(super) const COUNT: usize = 10;
/// No 0/O, 1/I/L, 5/S, 2/Z, 8/B, U/V: 24 letters and digits, easy to read aloud.
const ALPHABET: &[u8] = b"ACDEFGHJKMNPQRTWXY345679";
const GROUPS: usize = 3;
const GROUP_LEN: usize = 4;

/// Fresh codes, formatted for display.
pub(super) fn generate() -> Result<Vec<String>> {
    (0..COUNT).map(|_| one()).collect()
}

fn one() -> Result<String> {
    let mut out = String::with_capacity(GROUPS * (GROUP_LEN + 1));
    let mut i = 0;
    while i < GROUPS * GROUP_LEN {
        let [b]: [u8; 1] = crypto::random_bytes()?;
        // Rejection sampling keeps every character equally likely.
        let limit = (256 / ALPHABET.len()) * ALPHABET.len();
        if usize::from(b) >= limit {
            continue;
        }
        if i > 0 && i % GROUP_LEN == 0 {
            out.push('-');
        }
        out.push(char::from(ALPHABET[usize::from(b) % ALPHABET.len()]));
        i += 1;
    }
    Ok(out)
}

/// The canonical form hashed and compared: upper case, no spaces or dashes.
pub(super) fn normalise(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Whether `code` could be a recovery code (so a TOTP code is not taken for one).
pub(super) fn looks_like_one(code: &str) -> bool {
    let n = normalise(code);
    n.len() == GROUPS * GROUP_LEN && n.bytes().all(|c| c.is_ascii_alphanumeric())
}

/// The stored hash of a code: HMAC-SHA256 under a key derived from the master
/// key, so a copy of `accounts.db` alone does not allow guessing codes offline.
pub(super) fn hash(key: &SecretKey, code: &str) -> [u8; 32] {
    crypto::hmac_sha256(key.expose(), normalise(code).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_formatted_unambiguous_and_distinct() {
        let codes = generate().unwrap();
        assert_eq!(codes.len(), COUNT);
        let unique: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(unique.len(), COUNT);
        for c in &codes {
            assert_eq!(c.len(), 14, "{c}");
            assert_eq!(c.matches('-').count(), 2);
            assert!(
                c.bytes()
                    .filter(|b| *b != b'-')
                    .all(|b| ALPHABET.contains(&b))
            );
            assert!(looks_like_one(c));
        }
    }

    #[test]
    fn input_is_normalised_before_hashing() {
        let k = SecretKey::from_bytes([7; 32]);
        assert_eq!(hash(&k, "ACDE-FGHJ-KMNP"), hash(&k, "acde fghj kmnp"));
        assert_eq!(hash(&k, "ACDE-FGHJ-KMNP"), hash(&k, " acdefghjkmnp "));
        assert_ne!(hash(&k, "ACDE-FGHJ-KMNP"), hash(&k, "ACDE-FGHJ-KMNQ"));
        let other = SecretKey::from_bytes([8; 32]);
        assert_ne!(hash(&k, "ACDE-FGHJ-KMNP"), hash(&other, "ACDE-FGHJ-KMNP"));
        assert!(!looks_like_one("123456"));
    }
}
