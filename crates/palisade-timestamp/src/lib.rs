//! RFC 3161 trusted timestamps over Palisade checkpoints.
//!
//! What is stamped is the SHA-256 of a checkpoint's note text
//! ([`digest_of`]; see `docs/ledger.md` §7). [`request_token`] asks a
//! Time-Stamp Authority (TSA) for a token over that digest;
//! [`verify_token`] checks a token offline, from its bytes alone.
//!
//! # What verification proves, and what it does not
//!
//! [`verify_token`] checks that the token is a CMS SignedData over an
//! RFC 3161 `TSTInfo` for the expected SHA-256 digest; that it has exactly
//! one signer, whose certificate is in the token and is a time-stamping
//! certificate (critical extendedKeyUsage of id-kp-timeStamping only) valid
//! at the time stamped; that the signed attributes bind the `TSTInfo`
//! (content-type, message-digest) and, when present, the signer certificate
//! (ESS signingCertificate / signingCertificateV2); and that the signature
//! over the signed attributes verifies with that certificate's key
//! (RSA PKCS#1 v1.5 or PSS, ECDSA P-256 or P-384, Ed25519; SHA-256/384/512).
//!
//! It does **not** decide whether the TSA is trusted: no certificate chain
//! is built and no revocation is checked, since that needs trust anchors and
//! network access. Instead [`TokenInfo`] reports the signer's subject and the
//! SHA-256 fingerprint of its certificate, for the recipient to compare with
//! the certificate the TSA publishes (or to check with `openssl ts -verify`
//! against the TSA's CA).
//!
//! [`verify_token`] never panics, whatever the input (see
//! [`fuzz_verify_token`]).
#![forbid(unsafe_code)]

mod crypto;
mod error;
mod ess;
mod http;
mod oids;
mod request;
mod tstinfo;
mod verify;

#[cfg(feature = "test-tsa")]
pub mod local_tsa;

use std::time::Duration;

pub use error::TimestampError;
pub use http::MAX_RESPONSE_BYTES;

/// What a verified token says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenInfo {
    /// The time stamped (`genTime`), RFC 3339 in UTC, e.g.
    /// `2026-05-01T12:00:00Z` (fractional seconds when the TSA gives them).
    pub gen_time: String,
    /// The TSA's serial number of the token, lower-case hex.
    pub serial: String,
    /// The TSA policy under which the token was issued, dotted OID.
    pub policy: String,
    /// The `tsa` name in the token, if any (an RFC 4514 distinguished name,
    /// or `DNS:`, `URI:`, `email:` … for other kinds of name).
    pub tsa_name: Option<String>,
    /// The signer certificate's subject, RFC 4514.
    pub signer_subject: String,
    /// SHA-256 of the signer certificate's DER, lower-case hex: compare it
    /// with the TSA's published certificate.
    pub signer_certificate_sha256: String,
    /// The hash algorithm of the message imprint (always `SHA-256` here).
    pub hash_algorithm: String,
    /// The nonce echoed from the request, lower-case hex, if any.
    pub nonce: Option<String>,
}

/// A token obtained from a TSA, already verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stamp {
    /// The `TimeStampToken` (a CMS `ContentInfo`), DER: what to store and to
    /// give to [`verify_token`] later.
    pub token_der: Vec<u8>,
    /// What the token says.
    pub info: TokenInfo,
}

/// SHA-256 of `message`: the digest to stamp. For a checkpoint, `message` is
/// the signed note's text, as bytes.
pub fn digest_of(message: &[u8]) -> [u8; 32] {
    crypto::sha256(message)
}

/// A DER `TimeStampReq` (v1) for a SHA-256 `digest`, with `nonce`, asking
/// for the TSA's certificate in the token (`certReq = TRUE`) and naming no
/// policy.
pub fn build_request(digest: &[u8; 32], nonce: u64) -> Vec<u8> {
    request::build(digest, nonce)
}

/// Asks the TSA at `url` (`http://` or `https://`) for a token over
/// `digest`, and verifies what it sends.
///
/// Sends a [`build_request`] with a random nonce as an HTTP POST
/// (`application/timestamp-query`); the whole exchange must end within
/// `timeout`, and the answer must not exceed [`MAX_RESPONSE_BYTES`]. The
/// response's status must be granted or grantedWithMods, the token must pass
/// [`verify_token`] for `digest`, and it must echo the nonce. Redirects are
/// not followed (the error names the target). A proxy from the usual
/// environment variables is used, except for loopback hosts.
pub fn request_token(
    url: &str,
    digest: &[u8; 32],
    timeout: Duration,
) -> Result<Stamp, TimestampError> {
    http::request_token(url, digest, timeout)
}

/// Verifies a `TimeStampToken` (DER) offline for the SHA-256
/// `expected_digest`, and reports what it says.
///
/// See the [crate documentation](crate) for what is checked; trust in the
/// TSA's certificate is left to the caller, who compares
/// [`TokenInfo::signer_certificate_sha256`] or [`TokenInfo::signer_subject`]
/// with what the TSA publishes. Every failure is a specific
/// [`TimestampError`].
pub fn verify_token(
    token_der: &[u8],
    expected_digest: &[u8; 32],
) -> Result<TokenInfo, TimestampError> {
    verify::verify(token_der, expected_digest)
}

/// Fuzzing entry point for a cargo-fuzz target: runs [`verify_token`] on
/// arbitrary bytes. The first 32 bytes (zero-padded) are the expected
/// digest, the rest the token. Must never panic.
pub fn fuzz_verify_token(data: &[u8]) {
    let (head, token) = data.split_at(data.len().min(32));
    let mut digest = [0u8; 32];
    digest[..head.len()].copy_from_slice(head);
    let _ = verify_token(token, &digest);
    let _ = verify_token(data, &digest);
}
