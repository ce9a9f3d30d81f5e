//! A token issued by LocalTsa for the checkpoint of docs/ledger.md §7, kept
//! in tests/data: verified offline, without openssl. Regenerate with
//! `cargo test -p palisade-timestamp --test fixture -- --ignored regenerate`
//! (which rewrites the expected values too, in checkpoint-token.info).
#![allow(clippy::unwrap_used)] // Test helpers too: a panic is a failed test.

mod common;

use common::*;
use palisade_timestamp::{TimestampError, TokenInfo, digest_of, verify_token};

const TOKEN: &str = "checkpoint-token.der";

#[test]
fn fixture_verifies_offline() {
    let token = std::fs::read(data(TOKEN)).unwrap();
    let info = verify_token(&token, &digest_of(CHECKPOINT_NOTE.as_bytes())).unwrap();
    let expected: TokenInfo =
        serde_like(&std::fs::read_to_string(data("checkpoint-token.info")).unwrap());
    assert_eq!(info, expected);

    let other = digest_of(b"palisade/inst_wpj5nfxv83v5x0rm\n7\n");
    let err = verify_token(&token, &other).unwrap_err();
    assert!(
        matches!(err, TimestampError::ImprintMismatch { .. }),
        "{err}"
    );
}

#[test]
#[ignore = "regenerates tests/data from a LocalTsa"]
fn regenerate() {
    let dir = tempfile::tempdir().unwrap();
    let Some(tsa) = palisade_timestamp::local_tsa::LocalTsa::start_or_skip(dir.path()).unwrap()
    else {
        return;
    };
    let stamp = palisade_timestamp::request_token(
        &tsa.url,
        &digest_of(CHECKPOINT_NOTE.as_bytes()),
        TIMEOUT,
    )
    .unwrap();
    std::fs::write(data(TOKEN), &stamp.token_der).unwrap();
    std::fs::copy(&tsa.ca_cert_pem, data("checkpoint-token-ca.pem")).unwrap();
    std::fs::copy(&tsa.tsa_cert_pem, data("checkpoint-token-tsa.pem")).unwrap();
    let i = &stamp.info;
    let text = format!(
        "gen_time={}\nserial={}\npolicy={}\ntsa_name={}\nsigner_subject={}\nsigner_certificate_sha256={}\nhash_algorithm={}\nnonce={}\n",
        i.gen_time,
        i.serial,
        i.policy,
        i.tsa_name.as_deref().unwrap_or(""),
        i.signer_subject,
        i.signer_certificate_sha256,
        i.hash_algorithm,
        i.nonce.as_deref().unwrap_or(""),
    );
    std::fs::write(data("checkpoint-token.info"), text).unwrap();
}

/// Reads the `key=value` lines written by `regenerate`.
fn serde_like(text: &str) -> TokenInfo {
    let get = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
            .unwrap()
            .to_string()
    };
    let optional = |key: &str| Some(get(key)).filter(|v| !v.is_empty());
    TokenInfo {
        gen_time: get("gen_time"),
        serial: get("serial"),
        policy: get("policy"),
        tsa_name: optional("tsa_name"),
        signer_subject: get("signer_subject"),
        signer_certificate_sha256: get("signer_certificate_sha256"),
        hash_algorithm: get("hash_algorithm"),
        nonce: optional("nonce"),
    }
}
