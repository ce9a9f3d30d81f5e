//! End to end against a real TSA (`openssl ts -reply` behind LocalTsa).
//! Skipped when `openssl` is missing, unless PALISADE_REQUIRE_OPENSSL is set.
#![allow(clippy::unwrap_used)] // Test helpers too: a panic is a failed test.

mod common;

use std::time::{Duration, Instant};

use common::*;
use palisade_timestamp::local_tsa::{KeyType, LocalTsa, LocalTsaOptions, openssl_or_skip};
use palisade_timestamp::{TimestampError, digest_of, request_token, verify_token};

fn start(dir: &std::path::Path, options: &LocalTsaOptions) -> Option<LocalTsa> {
    openssl_or_skip().then(|| LocalTsa::start_with(dir, options).expect("local TSA starts"))
}

fn assert_fresh(gen_time: &str) {
    let at: jiff::Timestamp = gen_time.parse().expect("RFC 3339 gen_time");
    let skew = jiff::Timestamp::now().duration_since(at).unsigned_abs();
    assert!(
        skew < Duration::from_secs(120),
        "gen_time {gen_time} is {skew:?} from now"
    );
}

#[test]
fn rsa_token_verifies_here_and_with_openssl() {
    let dir = tempfile::tempdir().unwrap();
    let Some(tsa) = start(dir.path(), &LocalTsaOptions::default()) else {
        return;
    };
    let digest = digest_of(CHECKPOINT_NOTE.as_bytes());

    let stamp = request_token(&tsa.url, &digest, TIMEOUT).unwrap();
    assert_fresh(&stamp.info.gen_time);
    assert!(
        stamp.info.gen_time.ends_with('Z'),
        "{}",
        stamp.info.gen_time
    );
    assert_eq!(stamp.info.policy, tsa.policy);
    assert_eq!(stamp.info.hash_algorithm, "SHA-256");
    assert_eq!(
        stamp.info.signer_subject,
        "CN=Palisade Test TSA,O=Palisade Test"
    );
    assert_eq!(
        stamp.info.tsa_name.as_deref(),
        Some("CN=Palisade Test TSA,O=Palisade Test")
    );
    assert!(stamp.info.nonce.is_some());
    // `openssl ts` counts from the serial file's 01: the first token is 02.
    assert_eq!(stamp.info.serial, "02");

    // The fingerprint is the SHA-256 of the DER of the TSA's certificate.
    let cert_der = palisade_timestamp::local_tsa::openssl([
        "x509".as_ref(),
        "-outform".as_ref(),
        "DER".as_ref(),
        "-in".as_ref(),
        tsa.tsa_cert_pem.as_os_str(),
    ])
    .unwrap();
    assert_eq!(
        stamp.info.signer_certificate_sha256,
        hex::encode(digest_of(&cert_der))
    );

    // Offline verification of the stored bytes gives the same answer.
    assert_eq!(verify_token(&stamp.token_der, &digest).unwrap(), stamp.info);

    let (ok, out) = openssl_ts_verify(dir.path(), &stamp.token_der, &digest, &tsa);
    assert!(ok, "openssl ts -verify failed: {out}");
    let (ok, _) = openssl_ts_verify(dir.path(), &stamp.token_der, &[1; 32], &tsa);
    assert!(!ok, "openssl accepted a wrong digest");

    // Serial numbers advance.
    let second = request_token(&tsa.url, &digest, TIMEOUT).unwrap();
    assert_eq!(second.info.serial, "03");
    assert_ne!(second.info.nonce, stamp.info.nonce);
}

#[test]
fn ec_p256_token_with_sha1_ess_and_fractional_time() {
    let dir = tempfile::tempdir().unwrap();
    let options = LocalTsaOptions {
        key_type: KeyType::EcP256,
        ess_cert_id_alg: "sha1".into(),
        clock_precision_digits: 3,
        ..LocalTsaOptions::default()
    };
    let Some(tsa) = start(dir.path(), &options) else {
        return;
    };
    // ECDSA signatures are randomised: several tokens cover high and low S.
    let mut fractional = 0;
    for i in 0..6u8 {
        let digest = digest_of(&[i]);
        let stamp = request_token(&tsa.url, &digest, TIMEOUT).unwrap();
        assert_fresh(&stamp.info.gen_time);
        assert_eq!(verify_token(&stamp.token_der, &digest).unwrap(), stamp.info);
        let (ok, out) = openssl_ts_verify(dir.path(), &stamp.token_der, &digest, &tsa);
        assert!(ok, "openssl ts -verify failed: {out}");
        fractional += usize::from(stamp.info.gen_time.contains('.'));
    }
    assert!(fractional > 0, "no genTime with fractional seconds");
}

#[test]
fn sha384_and_sha512_signer_digests() {
    for (key_type, signer_digest) in [(KeyType::Rsa2048, "sha512"), (KeyType::EcP256, "sha384")] {
        let dir = tempfile::tempdir().unwrap();
        let options = LocalTsaOptions {
            key_type,
            signer_digest: signer_digest.into(),
            ..LocalTsaOptions::default()
        };
        let Some(tsa) = start(dir.path(), &options) else {
            return;
        };
        let digest = digest_of(b"checkpoint");
        let stamp = request_token(&tsa.url, &digest, TIMEOUT).unwrap();
        verify_token(&stamp.token_der, &digest).unwrap();
    }
}

#[test]
fn tampered_tokens_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let Some(tsa) = start(dir.path(), &LocalTsaOptions::default()) else {
        return;
    };
    let digest = digest_of(CHECKPOINT_NOTE.as_bytes());
    let token = request_token(&tsa.url, &digest, TIMEOUT).unwrap().token_der;

    // Another digest.
    let err = verify_token(&token, &digest_of(b"another checkpoint")).unwrap_err();
    assert!(
        matches!(err, TimestampError::ImprintMismatch { .. }),
        "{err}"
    );
    assert!(err.to_string().contains(&hex::encode(digest)), "{err}");

    // One flipped bit in the signature.
    let sd = signed_data(&token);
    let signature = sd.signer_infos.0.as_slice()[0]
        .signature
        .as_bytes()
        .to_vec();
    let bad = change_inside(&token, &signature, |s| s[s.len() / 2] ^= 0x01);
    let err = verify_token(&bad, &digest).unwrap_err();
    assert!(matches!(err, TimestampError::BadSignature), "{err}");

    // One changed byte in the TSTInfo (policy ...3161.1 -> ...3161.2).
    let tst = tst_info_der(&token);
    let policy = der::Encode::to_der(&der::oid::ObjectIdentifier::new_unwrap(
        "1.3.6.1.4.1.99999.3161.1",
    ))
    .unwrap();
    let altered_tst = change_inside(&tst, &policy, |p| *p.last_mut().unwrap() = 2);
    let bad = change_inside(&token, &tst, |t| t.copy_from_slice(&altered_tst));
    let err = verify_token(&bad, &digest).unwrap_err();
    assert!(
        matches!(err, TimestampError::MessageDigestMismatch { .. }),
        "{err}"
    );

    // The signer certificate swapped for another TSA's certificate.
    let other = LocalTsa::start_with(
        &dir.path().join("other"),
        &LocalTsaOptions {
            key_type: KeyType::EcP256,
            ..LocalTsaOptions::default()
        },
    )
    .unwrap();
    let other_cert = pem_cert(&other.tsa_cert_pem);
    let err = verify_token(&with_certificates(&token, vec![other_cert]), &digest).unwrap_err();
    assert!(
        matches!(err, TimestampError::SignerCertificateMissing { .. }),
        "{err}"
    );

    // No certificates at all.
    let err = verify_token(&with_certificates(&token, vec![]), &digest).unwrap_err();
    assert!(
        matches!(err, TimestampError::SignerCertificateMissing { .. }),
        "{err}"
    );

    // An impostor: same issuer and serial number, another key.
    let serial = String::from_utf8(
        palisade_timestamp::local_tsa::openssl([
            "x509".as_ref(),
            "-noout".as_ref(),
            "-serial".as_ref(),
            "-in".as_ref(),
            tsa.tsa_cert_pem.as_os_str(),
        ])
        .unwrap(),
    )
    .unwrap();
    let serial = format!("0x{}", serial.trim().trim_start_matches("serial="));
    let (impostor, _) = issue_certificate(
        dir.path(),
        "Palisade Test TSA",
        &tsa,
        &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
        TSA_EXTENSIONS,
        Some(&serial),
    );
    let err = verify_token(
        &with_certificates(&token, vec![pem_cert(&impostor)]),
        &digest,
    )
    .unwrap_err();
    assert!(
        matches!(err, TimestampError::SigningCertificateMismatch { .. }),
        "{err}"
    );

    // Truncated.
    let err = verify_token(&token[..token.len() - 1], &digest).unwrap_err();
    assert!(matches!(err, TimestampError::Malformed { .. }), "{err}");
}

fn pem_cert(path: &std::path::Path) -> x509_cert::Certificate {
    use der::DecodePem;
    x509_cert::Certificate::from_pem(std::fs::read(path).unwrap()).unwrap()
}

fn with_certificates(token: &[u8], certs: Vec<x509_cert::Certificate>) -> Vec<u8> {
    let mut sd = signed_data(token);
    let choices: Vec<_> = certs
        .into_iter()
        .map(cms::cert::CertificateChoices::Certificate)
        .collect();
    sd.certificates = Some(cms::signed_data::CertificateSet::try_from(choices).unwrap());
    token_of(&sd)
}

#[test]
fn http_errors_are_clear() {
    let dir = tempfile::tempdir().unwrap();
    let digest = digest_of(b"x");
    let options = LocalTsaOptions {
        http_status: Some(500),
        ..LocalTsaOptions::default()
    };
    let Some(tsa) = start(dir.path(), &options) else {
        return;
    };
    let err = request_token(&tsa.url, &digest, TIMEOUT).unwrap_err();
    assert!(
        matches!(err, TimestampError::HttpStatus { status: 500, .. }),
        "{err}"
    );
    let text = err.to_string();
    assert!(
        text.contains(&tsa.url) && text.contains("HTTP 500"),
        "{text}"
    );
    assert!(text.contains("local TSA told to fail"), "{text}");
}

#[test]
fn rejection_status_is_clear() {
    let dir = tempfile::tempdir().unwrap();
    let options = LocalTsaOptions {
        accepted_digests: "sha384".into(),
        ..LocalTsaOptions::default()
    };
    let Some(tsa) = start(dir.path(), &options) else {
        return;
    };
    let err = request_token(&tsa.url, &digest_of(b"x"), TIMEOUT).unwrap_err();
    let TimestampError::Rejected {
        status, fail_info, ..
    } = &err
    else {
        panic!("expected a rejection, got {err}");
    };
    assert_eq!(status, "rejection (2)");
    assert!(fail_info.iter().any(|f| f.starts_with("badAlg")), "{err}");
    assert!(err.to_string().contains("refused"), "{err}");
}

#[test]
fn replayed_response_fails_the_nonce_check() {
    let dir = tempfile::tempdir().unwrap();
    let Some(tsa) = start(dir.path(), &LocalTsaOptions::default()) else {
        return;
    };
    let digest = digest_of(b"replayed");
    request_token(&tsa.url, &digest, TIMEOUT).unwrap();
    let port = tsa
        .url
        .trim_start_matches("http://127.0.0.1:")
        .trim_end_matches("/tsa");
    let recorded = std::fs::read(dir.path().join(format!("tsa-{port}")).join("r0.tsr")).unwrap();
    let (url, _server) = serve(1, 200, "application/timestamp-reply", Some(recorded));
    let err = request_token(&url, &digest, TIMEOUT).unwrap_err();
    assert!(matches!(err, TimestampError::NonceMismatch { .. }), "{err}");
}

#[test]
fn connection_refused_is_quick_and_clear() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}/tsa");
    let started = Instant::now();
    let err = request_token(&url, &digest_of(b"x"), TIMEOUT).unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    assert!(matches!(err, TimestampError::Connection { .. }), "{err}");
    assert!(err.to_string().contains(&url), "{err}");
}

#[test]
fn https_uses_tls() {
    // A plain-HTTP server behind an https:// URL: the TLS handshake fails.
    let (url, _server) = serve(1, 200, "text/plain", Some(Vec::new()));
    let url = url.replace("http://", "https://");
    let err = request_token(&url, &digest_of(b"x"), TIMEOUT).unwrap_err();
    assert!(matches!(err, TimestampError::Connection { .. }), "{err}");
    assert!(err.to_string().contains(&url), "{err}");
}

#[test]
fn silent_server_times_out() {
    let (url, _server) = serve(1, 200, "", None);
    let started = Instant::now();
    let err = request_token(&url, &digest_of(b"x"), Duration::from_millis(500)).unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "took {:?}",
        started.elapsed()
    );
    assert!(matches!(err, TimestampError::Timeout { .. }), "{err}");
}

#[test]
fn oversized_and_garbage_responses_are_refused() {
    let (url, _server) = serve(
        1,
        200,
        "application/timestamp-reply",
        Some(vec![0x30; 2 << 20]),
    );
    let err = request_token(&url, &digest_of(b"x"), TIMEOUT).unwrap_err();
    assert!(
        matches!(err, TimestampError::ResponseTooLarge { .. }),
        "{err}"
    );

    let (url, _server) = serve(
        1,
        200,
        "text/html",
        Some(b"<html>captive portal</html>".to_vec()),
    );
    let err = request_token(&url, &digest_of(b"x"), TIMEOUT).unwrap_err();
    assert!(
        matches!(err, TimestampError::MalformedResponse { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("text/html"), "{err}");

    let (url, _server) = serve(1, 302, "text/plain", Some(Vec::new()));
    let err = request_token(&url, &digest_of(b"x"), TIMEOUT).unwrap_err();
    assert!(
        matches!(err, TimestampError::HttpStatus { status: 302, .. }),
        "{err}"
    );
}
