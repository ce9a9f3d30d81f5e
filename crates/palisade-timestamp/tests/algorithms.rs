//! Signature algorithms, signer identifiers and certificate checks that
//! `openssl ts -reply` does not produce: a real TSTInfo from LocalTsa is
//! re-signed with `openssl cms -sign` by certificates made for each case.
//! Skipped when `openssl` is missing, unless PALISADE_REQUIRE_OPENSSL is set.
#![allow(clippy::unwrap_used)] // Test helpers too: a panic is a failed test.

mod common;

use std::path::Path;

use common::*;
use palisade_timestamp::local_tsa::{LocalTsa, openssl_or_skip};
use palisade_timestamp::{TimestampError, digest_of, request_token, verify_token};

const RSA: &[&str] = &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"];
const P384: &[&str] = &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"];
const ED25519: &[&str] = &["-algorithm", "ED25519"];

struct Setup {
    dir: tempfile::TempDir,
    digest: [u8; 32],
    tst: Vec<u8>,
    gen_time: String,
}

type CertAndKey = (std::path::PathBuf, std::path::PathBuf);

/// A LocalTsa, certificates from its CA for new keys (name, `openssl
/// genpkey` arguments, extensions), and a TSTInfo it issued for the
/// checkpoint after them (so that they are valid at its genTime).
fn setup(certs: &[(&str, &[&str], &str)]) -> Option<(Setup, Vec<CertAndKey>)> {
    if !openssl_or_skip() {
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let tsa = LocalTsa::start(dir.path()).unwrap();
    let certs = certs
        .iter()
        .map(|(name, genpkey, extensions)| {
            issue_certificate(dir.path(), name, &tsa, genpkey, extensions, None)
        })
        .collect();
    let digest = digest_of(CHECKPOINT_NOTE.as_bytes());
    let stamp = request_token(&tsa.url, &digest, TIMEOUT).unwrap();
    let tst = tst_info_der(&stamp.token_der);
    let setup = Setup {
        dir,
        digest,
        tst,
        gen_time: stamp.info.gen_time,
    };
    Some((setup, certs))
}

impl Setup {
    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn sign(&self, cert: &CertAndKey, extra: &[&str]) -> Vec<u8> {
        cms_sign(self.path(), &self.tst, &cert.0, &cert.1, extra)
    }
}

#[test]
fn supported_algorithms_and_subject_key_identifier() {
    let Some((s, certs)) = setup(&[
        ("rsa-tsa", RSA, TSA_EXTENSIONS),
        ("p384-tsa", P384, TSA_EXTENSIONS),
        ("ed25519-tsa", ED25519, TSA_EXTENSIONS),
    ]) else {
        return;
    };
    let [rsa, p384, ed25519] = &certs[..] else {
        unreachable!()
    };
    let cases: Vec<(&str, &str, Vec<u8>)> = vec![
        (
            "RSA PKCS#1 v1.5, SHA-384, subject key id",
            "1.2.840.113549.1.1",
            s.sign(rsa, &["-md", "sha384", "-keyid"]),
        ),
        (
            "RSA-PSS, SHA-256, salt 32",
            "1.2.840.113549.1.1.10",
            s.sign(
                rsa,
                &[
                    "-md",
                    "sha256",
                    "-keyopt",
                    "rsa_padding_mode:pss",
                    "-keyopt",
                    "rsa_pss_saltlen:32",
                ],
            ),
        ),
        (
            "RSA-PSS, SHA-512, salt 20",
            "1.2.840.113549.1.1.10",
            s.sign(
                rsa,
                &[
                    "-md",
                    "sha512",
                    "-keyopt",
                    "rsa_padding_mode:pss",
                    "-keyopt",
                    "rsa_pss_saltlen:20",
                ],
            ),
        ),
        (
            "ECDSA P-384, SHA-384",
            "1.2.840.10045.4.3.3",
            s.sign(p384, &["-md", "sha384"]),
        ),
        (
            "ECDSA P-384, SHA-256, subject key id",
            "1.2.840.10045.4.3.2",
            s.sign(p384, &["-md", "sha256", "-keyid"]),
        ),
        (
            "Ed25519, SHA-512",
            "1.3.101.112",
            ed25519_token(&s, rsa, ed25519),
        ),
    ];
    for (name, algorithm, token) in cases {
        let sd = signed_data(&token);
        let signer = &sd.signer_infos.0.as_slice()[0];
        let used = signer.signature_algorithm.oid.to_string();
        assert!(used.starts_with(algorithm), "{name}: signed with {used}");
        let by_key_id = matches!(
            signer.sid,
            cms::signed_data::SignerIdentifier::SubjectKeyIdentifier(_)
        );
        assert_eq!(by_key_id, name.contains("subject key id"), "{name}");

        let info = verify_token(&token, &s.digest).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(info.gen_time, s.gen_time, "{name}");
        assert!(
            info.signer_subject.contains("-tsa"),
            "{name}: {}",
            info.signer_subject
        );
        // A flipped bit in the signature is caught for every algorithm.
        let signature = signer.signature.as_bytes().to_vec();
        let bad = change_inside(&token, &signature, |sig| sig[sig.len() - 3] ^= 0x10);
        let err = verify_token(&bad, &s.digest).unwrap_err();
        assert!(matches!(err, TimestampError::BadSignature), "{name}: {err}");
    }
}

/// OpenSSL 3.0's `cms -sign` cannot sign with Ed25519: sign with RSA and
/// SHA-512, then re-sign the signed attributes with `openssl pkeyutl` and
/// the Ed25519 key (RFC 8419), and put in the Ed25519 certificate.
fn ed25519_token(s: &Setup, rsa: &CertAndKey, ed25519: &CertAndKey) -> Vec<u8> {
    use der::{DecodePem, Encode};
    let mut sd = signed_data(&s.sign(rsa, &["-md", "sha512"]));
    let cert = x509_cert::Certificate::from_pem(std::fs::read(&ed25519.0).unwrap()).unwrap();
    let mut signer = sd.signer_infos.0.as_slice()[0].clone();
    signer.sid = cms::signed_data::SignerIdentifier::IssuerAndSerialNumber(
        cms::cert::IssuerAndSerialNumber {
            issuer: cert.tbs_certificate.issuer.clone(),
            serial_number: cert.tbs_certificate.serial_number.clone(),
        },
    );
    signer.signature_algorithm = x509_cert::spki::AlgorithmIdentifierOwned {
        oid: der::oid::ObjectIdentifier::new_unwrap("1.3.101.112"),
        parameters: None,
    };
    let attrs = s.path().join("attrs.der");
    let sig = s.path().join("attrs.sig");
    std::fs::write(
        &attrs,
        signer.signed_attrs.as_ref().unwrap().to_der().unwrap(),
    )
    .unwrap();
    palisade_timestamp::local_tsa::openssl([
        "pkeyutl".as_ref(),
        "-sign".as_ref(),
        "-rawin".as_ref(),
        "-inkey".as_ref(),
        ed25519.1.as_os_str(),
        "-in".as_ref(),
        attrs.as_os_str(),
        "-out".as_ref(),
        sig.as_os_str(),
    ])
    .unwrap();
    signer.signature = der::asn1::OctetString::new(std::fs::read(&sig).unwrap()).unwrap();
    sd.signer_infos = cms::signed_data::SignerInfos::try_from(vec![signer]).unwrap();
    sd.certificates = Some(
        cms::signed_data::CertificateSet::try_from(vec![
            cms::cert::CertificateChoices::Certificate(cert),
        ])
        .unwrap(),
    );
    token_of(&sd)
}

#[test]
fn certificates_that_are_not_for_time_stamping_are_refused() {
    let cases: [(&str, &str, &str); 3] = [
        (
            "no-eku",
            "basicConstraints = critical,CA:FALSE",
            "no extended key usage",
        ),
        (
            "non-critical",
            "extendedKeyUsage = timeStamping",
            "not critical",
        ),
        (
            "extra-purpose",
            "extendedKeyUsage = critical,timeStamping,codeSigning",
            "expected only id-kp-timeStamping",
        ),
    ];
    let requested: Vec<(&str, &[&str], &str)> = cases
        .iter()
        .map(|(name, ext, _)| (*name, RSA, *ext))
        .collect();
    let Some((s, certs)) = setup(&requested) else {
        return;
    };
    for ((name, _, why), cert) in cases.iter().zip(&certs) {
        let err = verify_token(&s.sign(cert, &["-md", "sha256"]), &s.digest).unwrap_err();
        assert!(
            matches!(err, TimestampError::NotTimestampingCertificate(_)),
            "{name}: {err}"
        );
        assert!(err.to_string().contains(why), "{name}: {err}");
    }
}

#[test]
fn structural_requirements() {
    let Some((s, certs)) = setup(&[("rsa-tsa", RSA, TSA_EXTENSIONS)]) else {
        return;
    };
    let rsa = &certs[0];

    let err = verify_token(&s.sign(rsa, &["-md", "sha256", "-noattr"]), &s.digest).unwrap_err();
    assert!(
        matches!(err, TimestampError::MissingSignedAttributes),
        "{err}"
    );

    let err = verify_token(&s.sign(rsa, &["-md", "sha1"]), &s.digest).unwrap_err();
    assert!(matches!(err, TimestampError::UnsupportedDigest(_)), "{err}");

    let err = verify_token(
        &s.sign(
            rsa,
            &["-md", "sha256", "-econtent_type", "1.2.840.113549.1.7.1"],
        ),
        &s.digest,
    )
    .unwrap_err();
    assert!(matches!(err, TimestampError::NotATimestamp(_)), "{err}");
    assert!(err.to_string().contains("not a time-stamp token"), "{err}");

    // Two signers.
    let token = s.sign(rsa, &["-md", "sha256"]);
    let mut sd = signed_data(&token);
    let mut signers = sd.signer_infos.0.as_slice().to_vec();
    let mut second = signers[0].clone();
    second.signature = der::asn1::OctetString::new(vec![1; 256]).unwrap();
    signers.push(second);
    sd.signer_infos = cms::signed_data::SignerInfos::try_from(signers).unwrap();
    let err = verify_token(&token_of(&sd), &s.digest).unwrap_err();
    assert!(matches!(err, TimestampError::SignerCount(2)), "{err}");

    // A detached signature has no TSTInfo.
    let mut sd = signed_data(&token);
    sd.encap_content_info.econtent = None;
    let err = verify_token(&token_of(&sd), &s.digest).unwrap_err();
    assert!(matches!(err, TimestampError::MissingTstInfo), "{err}");

    // Not SignedData at all.
    let content_info = cms::content_info::ContentInfo {
        content_type: der::oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1"),
        content: der::Any::from_der(
            &der::Encode::to_der(&der::asn1::OctetString::new(vec![1]).unwrap()).unwrap(),
        )
        .unwrap(),
    };
    let err = verify_token(&der::Encode::to_der(&content_info).unwrap(), &s.digest).unwrap_err();
    assert!(matches!(err, TimestampError::NotSignedData(_)), "{err}");
}

#[test]
fn certificate_must_be_valid_at_the_time_stamped() {
    let Some((s, certs)) = setup(&[("rsa-tsa", RSA, TSA_EXTENSIONS)]) else {
        return;
    };
    let rsa = &certs[0];
    // The same TSTInfo, moved back to 2001: before the certificate's validity.
    // genTime is YYYYMMDDhhmmssZ in the DER; gen_time is YYYY-MM-DDThh:mm:ssZ.
    let stamp = format!("{}{}", &s.gen_time[..4], &s.gen_time[5..7]).into_bytes();
    let tst = change_inside(&s.tst, &stamp, |t| t[..4].copy_from_slice(b"2001"));
    let token = cms_sign(s.path(), &tst, &rsa.0, &rsa.1, &["-md", "sha256"]);
    let err = verify_token(&token, &s.digest).unwrap_err();
    assert!(
        matches!(err, TimestampError::CertificateNotValidAtGenTime { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("2001-"), "{err}");
}

use der::Decode as _;
