//! Offline verification of an RFC 3161 `TimeStampToken`.

use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use der::asn1::{Any, ObjectIdentifier, OctetString};
use der::{Decode, Encode};
use x509_cert::Certificate;
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::ExtendedKeyUsage;
use x509_cert::ext::pkix::name::GeneralName;

use crate::crypto::{self, HashAlg};
use crate::tstinfo::{TstInfo, int_hex};
use crate::{TimestampError, TokenInfo, ess, oids};

/// See [`crate::verify_token`].
pub(crate) fn verify(
    token_der: &[u8],
    expected_digest: &[u8; 32],
) -> Result<TokenInfo, TimestampError> {
    let content_info = ContentInfo::from_der(token_der)
        .map_err(TimestampError::malformed("TimeStampToken (ContentInfo)"))?;
    if content_info.content_type != oids::SIGNED_DATA {
        return Err(TimestampError::NotSignedData(oids::name(
            &content_info.content_type,
        )));
    }
    let signed_data: SignedData = content_info
        .content
        .decode_as()
        .map_err(TimestampError::malformed("SignedData"))?;
    let encap = &signed_data.encap_content_info;
    if encap.econtent_type != oids::TST_INFO {
        return Err(TimestampError::NotATimestamp(oids::name(
            &encap.econtent_type,
        )));
    }
    let econtent: OctetString = encap
        .econtent
        .as_ref()
        .ok_or(TimestampError::MissingTstInfo)?
        .decode_as()
        .map_err(TimestampError::malformed(
            "encapsulated content (OCTET STRING)",
        ))?;
    let tst_der = econtent.as_bytes();
    let tst = TstInfo::from_der(tst_der).map_err(TimestampError::malformed("TSTInfo"))?;

    check_imprint(&tst, expected_digest)?;

    let signer = match signed_data.signer_infos.0.as_slice() {
        [signer] => signer,
        others => return Err(TimestampError::SignerCount(others.len())),
    };
    let cert = find_signer_certificate(&signed_data, signer)?;
    let cert_der = cert
        .to_der()
        .map_err(TimestampError::malformed("signer certificate"))?;

    let digest_alg = HashAlg::from_identifier(&signer.digest_alg)?.strong()?;
    let signed_attrs_set = signer
        .signed_attrs
        .as_ref()
        .ok_or(TimestampError::MissingSignedAttributes)?;
    let signed_attrs = signed_attrs_set.as_slice();
    check_content_type(single_value(
        signed_attrs,
        oids::ATTR_CONTENT_TYPE,
        "content-type",
    )?)?;
    check_message_digest(
        single_value(signed_attrs, oids::ATTR_MESSAGE_DIGEST, "message-digest")?,
        digest_alg,
        tst_der,
    )?;
    let ess_v1 = optional_value(
        signed_attrs,
        oids::ATTR_SIGNING_CERTIFICATE,
        "signingCertificate",
    )?;
    if let Some(value) = ess_v1 {
        ess::check_v1(value, cert, &cert_der)?;
    }
    let ess_v2 = optional_value(
        signed_attrs,
        oids::ATTR_SIGNING_CERTIFICATE_V2,
        "signingCertificateV2",
    )?;
    if let Some(value) = ess_v2 {
        ess::check_v2(value, cert, &cert_der)?;
    }

    // The signature covers the DER encoding of the signed attributes as a
    // SET OF (tag 0x31), not the [0] IMPLICIT form found in the SignerInfo.
    let signed_attrs_der = signed_attrs_set
        .to_der()
        .map_err(TimestampError::malformed("signed attributes"))?;
    crypto::verify_signature(
        &cert.tbs_certificate.subject_public_key_info,
        &signer.signature_algorithm,
        digest_alg,
        &signed_attrs_der,
        signer.signature.as_bytes(),
    )?;

    check_time_stamping_usage(cert)?;
    check_validity(cert, tst.gen_time.at)?;

    Ok(TokenInfo {
        gen_time: tst.gen_time.at.to_string(),
        serial: int_hex(&tst.serial_number),
        policy: tst.policy.to_string(),
        tsa_name: tst.tsa.as_ref().map(general_name),
        signer_subject: cert.tbs_certificate.subject.to_string(),
        signer_certificate_sha256: hex::encode(crypto::sha256(&cert_der)),
        hash_algorithm: HashAlg::Sha256.name().to_string(),
        nonce: tst.nonce.as_ref().map(int_hex),
    })
}

fn check_imprint(tst: &TstInfo, expected_digest: &[u8; 32]) -> Result<(), TimestampError> {
    let imprint = &tst.message_imprint;
    let alg = &imprint.hash_algorithm;
    if alg.oid != oids::SHA256 || !crypto::params_absent_or_null(alg.parameters.as_ref()) {
        return Err(TimestampError::ImprintAlgorithm(oids::name(&alg.oid)));
    }
    let found = imprint.hashed_message.as_bytes();
    if found != expected_digest {
        return Err(TimestampError::ImprintMismatch {
            expected: hex::encode(expected_digest),
            found: hex::encode(found),
        });
    }
    Ok(())
}

/// The certificate named by the SignerInfo's `sid`, among SignedData.certificates.
fn find_signer_certificate<'a>(
    signed_data: &'a SignedData,
    signer: &SignerInfo,
) -> Result<&'a Certificate, TimestampError> {
    let mut certs = signed_data
        .certificates
        .iter()
        .flat_map(|set| set.0.iter())
        .filter_map(|choice| match choice {
            CertificateChoices::Certificate(cert) => Some(cert),
            CertificateChoices::Other(_) => None,
        });
    let (found, sid) = match &signer.sid {
        SignerIdentifier::IssuerAndSerialNumber(ias) => (
            certs.find(|c| {
                c.tbs_certificate.issuer == ias.issuer
                    && c.tbs_certificate.serial_number == ias.serial_number
            }),
            format!(
                "issuer {}, serial {}",
                ias.issuer,
                hex::encode(ias.serial_number.as_bytes())
            ),
        ),
        SignerIdentifier::SubjectKeyIdentifier(ski) => (
            certs.find(|c| subject_key_identifier(c).as_deref() == Some(ski.0.as_bytes())),
            format!("subject key identifier {}", hex::encode(ski.0.as_bytes())),
        ),
    };
    found.ok_or(TimestampError::SignerCertificateMissing { sid })
}

fn subject_key_identifier(cert: &Certificate) -> Option<Vec<u8>> {
    let ext = cert
        .tbs_certificate
        .extensions
        .as_ref()?
        .iter()
        .find(|e| e.extn_id == oids::SUBJECT_KEY_IDENTIFIER)?;
    let ski = OctetString::from_der(ext.extn_value.as_bytes()).ok()?;
    Some(ski.as_bytes().to_vec())
}

/// The single value of the attribute `oid`, which must occur exactly once.
fn single_value<'a>(
    attrs: &'a [Attribute],
    oid: ObjectIdentifier,
    name: &'static str,
) -> Result<&'a Any, TimestampError> {
    optional_value(attrs, oid, name)?.ok_or(TimestampError::MissingAttribute(name))
}

/// Like [`single_value`], but the attribute may be absent.
fn optional_value<'a>(
    attrs: &'a [Attribute],
    oid: ObjectIdentifier,
    name: &'static str,
) -> Result<Option<&'a Any>, TimestampError> {
    let mut matching = attrs.iter().filter(|a| a.oid == oid);
    let Some(attr) = matching.next() else {
        return Ok(None);
    };
    if matching.next().is_some() {
        return Err(TimestampError::BadAttribute {
            name,
            reason: "it occurs more than once".into(),
        });
    }
    match attr.values.as_slice() {
        [value] => Ok(Some(value)),
        values => Err(TimestampError::BadAttribute {
            name,
            reason: format!("it has {} values, expected one", values.len()),
        }),
    }
}

fn check_content_type(value: &Any) -> Result<(), TimestampError> {
    let oid: ObjectIdentifier = value
        .decode_as()
        .map_err(|e| TimestampError::BadAttribute {
            name: "content-type",
            reason: e.to_string(),
        })?;
    if oid == oids::TST_INFO {
        Ok(())
    } else {
        Err(TimestampError::ContentTypeMismatch(oids::name(&oid)))
    }
}

fn check_message_digest(
    value: &Any,
    digest_alg: HashAlg,
    tst_der: &[u8],
) -> Result<(), TimestampError> {
    let signed: OctetString = value
        .decode_as()
        .map_err(|e| TimestampError::BadAttribute {
            name: "message-digest",
            reason: e.to_string(),
        })?;
    if digest_alg.digest(tst_der) == signed.as_bytes() {
        Ok(())
    } else {
        Err(TimestampError::MessageDigestMismatch {
            algorithm: digest_alg.name().to_string(),
        })
    }
}

/// RFC 3161 §2.3: one critical extendedKeyUsage extension whose only purpose
/// is id-kp-timeStamping.
fn check_time_stamping_usage(cert: &Certificate) -> Result<(), TimestampError> {
    let not_tsa = |why: &str| TimestampError::NotTimestampingCertificate(why.to_string());
    let extensions = cert
        .tbs_certificate
        .extensions
        .as_deref()
        .unwrap_or_default();
    let mut ekus = extensions
        .iter()
        .filter(|e| e.extn_id == oids::EXT_KEY_USAGE);
    let eku = ekus
        .next()
        .ok_or_else(|| not_tsa("it has no extended key usage extension"))?;
    if ekus.next().is_some() {
        return Err(not_tsa("it has several extended key usage extensions"));
    }
    if !eku.critical {
        return Err(not_tsa("its extended key usage extension is not critical"));
    }
    let usage = ExtendedKeyUsage::from_der(eku.extn_value.as_bytes()).map_err(|e| {
        not_tsa(&format!(
            "its extended key usage extension is malformed: {e}"
        ))
    })?;
    match usage.0.as_slice() {
        [only] if *only == oids::KP_TIME_STAMPING => Ok(()),
        purposes => Err(not_tsa(&format!(
            "its extended key usage is [{}], expected only id-kp-timeStamping ({})",
            purposes
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            oids::KP_TIME_STAMPING
        ))),
    }
}

fn check_validity(cert: &Certificate, gen_time: jiff::Timestamp) -> Result<(), TimestampError> {
    let validity = &cert.tbs_certificate.validity;
    let to_ts = |t: x509_cert::time::Time| {
        i64::try_from(t.to_unix_duration().as_secs())
            .ok()
            .and_then(|s| jiff::Timestamp::from_second(s).ok())
    };
    let not_before = to_ts(validity.not_before);
    let not_after = to_ts(validity.not_after);
    let inside =
        matches!((not_before, not_after), (Some(nb), Some(na)) if nb <= gen_time && gen_time <= na);
    if inside {
        Ok(())
    } else {
        Err(TimestampError::CertificateNotValidAtGenTime {
            gen_time: gen_time.to_string(),
            not_before: validity.not_before.to_string(),
            not_after: validity.not_after.to_string(),
        })
    }
}

/// A readable form of the token's `tsa` field.
fn general_name(name: &GeneralName) -> String {
    match name {
        GeneralName::DirectoryName(dn) => dn.to_string(),
        GeneralName::DnsName(s) => format!("DNS:{}", s.as_str()),
        GeneralName::UniformResourceIdentifier(s) => format!("URI:{}", s.as_str()),
        GeneralName::Rfc822Name(s) => format!("email:{}", s.as_str()),
        GeneralName::IpAddress(ip) => format!("IP:{}", hex::encode(ip.as_bytes())),
        GeneralName::RegisteredId(oid) => format!("RID:{oid}"),
        GeneralName::OtherName(other) => format!("othername:{}", other.type_id),
        GeneralName::EdiPartyName(_) => "EDI party name".to_string(),
    }
}
