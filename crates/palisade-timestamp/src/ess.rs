//! ESS signing-certificate attributes (RFC 2634 `SigningCertificate` with
//! SHA-1 `ESSCertID`, RFC 5035 `SigningCertificateV2` with `ESSCertIDv2`):
//! they bind the signature to one certificate, so that a certificate with the
//! same issuer and serial number cannot be substituted.

use der::Sequence;
use der::asn1::{Any, Int, OctetString};
use x509_cert::Certificate;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::spki::AlgorithmIdentifierOwned;

use crate::TimestampError;
use crate::crypto::HashAlg;

const V1: &str = "signingCertificate (ESSCertID)";
const V2: &str = "signingCertificateV2 (ESSCertIDv2)";

/// `SigningCertificate ::= SEQUENCE { certs SEQUENCE OF ESSCertID, policies … OPTIONAL }`
#[derive(Clone, Debug, Sequence)]
struct SigningCertificate {
    certs: Vec<EssCertId>,
    #[asn1(optional = "true")]
    policies: Option<Any>,
}

/// `ESSCertID ::= SEQUENCE { certHash OCTET STRING (SHA-1), issuerSerial IssuerSerial OPTIONAL }`
#[derive(Clone, Debug, Sequence)]
struct EssCertId {
    cert_hash: OctetString,
    #[asn1(optional = "true")]
    issuer_serial: Option<IssuerSerial>,
}

/// `SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2, policies … OPTIONAL }`
#[derive(Clone, Debug, Sequence)]
struct SigningCertificateV2 {
    certs: Vec<EssCertIdV2>,
    #[asn1(optional = "true")]
    policies: Option<Any>,
}

/// ```text
/// ESSCertIDv2 ::= SEQUENCE {
///     hashAlgorithm AlgorithmIdentifier DEFAULT {algorithm id-sha256},
///     certHash      OCTET STRING,
///     issuerSerial  IssuerSerial OPTIONAL }
/// ```
/// (The DEFAULT is read as OPTIONAL, so that an explicit SHA-256 is accepted too.)
#[derive(Clone, Debug, Sequence)]
struct EssCertIdV2 {
    #[asn1(optional = "true")]
    hash_algorithm: Option<AlgorithmIdentifierOwned>,
    cert_hash: OctetString,
    #[asn1(optional = "true")]
    issuer_serial: Option<IssuerSerial>,
}

/// `IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber CertificateSerialNumber }`
#[derive(Clone, Debug, Sequence)]
struct IssuerSerial {
    issuer: Vec<GeneralName>,
    serial_number: Int,
}

/// Checks a `signingCertificate` attribute value against the signer certificate.
pub(crate) fn check_v1(
    value: &Any,
    cert: &Certificate,
    cert_der: &[u8],
) -> Result<(), TimestampError> {
    let parsed: SigningCertificate = value.decode_as().map_err(|e| bad(V1, e))?;
    let first = parsed
        .certs
        .first()
        .ok_or_else(|| bad(V1, "no certificate listed"))?;
    check(
        V1,
        HashAlg::Sha1,
        &first.cert_hash,
        first.issuer_serial.as_ref(),
        cert,
        cert_der,
    )
}

/// Checks a `signingCertificateV2` attribute value against the signer certificate.
pub(crate) fn check_v2(
    value: &Any,
    cert: &Certificate,
    cert_der: &[u8],
) -> Result<(), TimestampError> {
    let parsed: SigningCertificateV2 = value.decode_as().map_err(|e| bad(V2, e))?;
    let first = parsed
        .certs
        .first()
        .ok_or_else(|| bad(V2, "no certificate listed"))?;
    let hash = match &first.hash_algorithm {
        None => HashAlg::Sha256,
        Some(id) => HashAlg::from_identifier(id)?,
    };
    check(
        V2,
        hash,
        &first.cert_hash,
        first.issuer_serial.as_ref(),
        cert,
        cert_der,
    )
}

fn check(
    attribute: &'static str,
    hash: HashAlg,
    cert_hash: &OctetString,
    issuer_serial: Option<&IssuerSerial>,
    cert: &Certificate,
    cert_der: &[u8],
) -> Result<(), TimestampError> {
    let mismatch = TimestampError::SigningCertificateMismatch { attribute };
    if hash.digest(cert_der) != cert_hash.as_bytes() {
        return Err(mismatch);
    }
    if let Some(issuer_serial) = issuer_serial {
        let tbs = &cert.tbs_certificate;
        if issuer_serial.serial_number.as_bytes() != tbs.serial_number.as_bytes() {
            return Err(mismatch);
        }
        let names_issuer = issuer_serial.issuer.iter().any(|name| match name {
            GeneralName::DirectoryName(name) => *name == tbs.issuer,
            _ => false,
        });
        if !names_issuer {
            return Err(mismatch);
        }
    }
    Ok(())
}

fn bad(name: &'static str, reason: impl std::fmt::Display) -> TimestampError {
    TimestampError::BadAttribute {
        name,
        reason: reason.to_string(),
    }
}
