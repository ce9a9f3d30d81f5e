//! verify_token must never panic, whatever the bytes: random input, and a
//! real token (tests/data) with bytes flipped, cut, inserted or overwritten.
#![allow(clippy::unwrap_used)] // Test helpers too: a panic is a failed test.

mod common;

use common::*;
use palisade_timestamp::{digest_of, fuzz_verify_token, verify_token};
use proptest::prelude::*;

fn fixture() -> Vec<u8> {
    std::fs::read(data("checkpoint-token.der")).unwrap()
}

fn digest() -> [u8; 32] {
    digest_of(CHECKPOINT_NOTE.as_bytes())
}

// 256 cases each by default; more with PROPTEST_CASES=N.
proptest! {
    #[test]
    fn random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        prop_assert!(verify_token(&bytes, &digest()).is_err());
        fuzz_verify_token(&bytes);
    }

    #[test]
    fn random_der_shaped_bytes(tag in any::<u8>(), body in proptest::collection::vec(any::<u8>(), 0..300)) {
        let mut bytes = vec![tag];
        bytes.push(u8::try_from(body.len().min(0x7f)).unwrap());
        bytes.extend_from_slice(&body);
        let _ = verify_token(&bytes, &digest());
    }

    #[test]
    fn flipped_byte(index in any::<proptest::sample::Index>(), xor in 1u8..=255) {
        let mut token = fixture();
        let i = index.index(token.len());
        token[i] ^= xor;
        // Flips in parts no signature covers (the CA certificate, which is
        // not used) may leave the token valid; nothing may panic.
        if let Ok(info) = verify_token(&token, &digest()) {
            prop_assert_eq!(info, verify_token(&fixture(), &digest()).unwrap());
        }
    }

    #[test]
    fn truncated(len in 0usize..2600) {
        let token = fixture();
        let cut = &token[..len.min(token.len().saturating_sub(1))];
        prop_assert!(verify_token(cut, &digest()).is_err());
    }

    #[test]
    fn inserted_bytes(index in any::<proptest::sample::Index>(), extra in proptest::collection::vec(any::<u8>(), 1..16)) {
        let mut token = fixture();
        let i = index.index(token.len() + 1);
        token.splice(i..i, extra);
        let _ = verify_token(&token, &digest());
    }

    #[test]
    fn overwritten_range(
        index in any::<proptest::sample::Index>(),
        patch in proptest::collection::vec(any::<u8>(), 1..64),
    ) {
        let mut token = fixture();
        let i = index.index(token.len());
        let end = (i + patch.len()).min(token.len());
        token[i..end].copy_from_slice(&patch[..end - i]);
        let _ = verify_token(&token, &digest());
        fuzz_verify_token(&token);
    }
}

#[test]
fn fixture_is_valid() {
    verify_token(&fixture(), &digest()).unwrap();
}
