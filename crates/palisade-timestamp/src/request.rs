//! The protocol messages: `TimeStampReq` (built by hand, so that building
//! cannot fail) and `TimeStampResp` (parsed, status checked, token verified).

use der::asn1::{AnyRef, BitStringRef, Utf8StringRef};
use der::{Decode, Encode, Sequence};

use crate::{Stamp, TimestampError, verify};

/// DER of `AlgorithmIdentifier { id-sha256, NULL }`.
const SHA256_ALGORITHM_ID: [u8; 15] = [
    0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00,
];

/// See [`crate::build_request`].
pub(crate) fn build(digest: &[u8; 32], nonce: u64) -> Vec<u8> {
    let nonce = nonce_bytes(nonce);
    let mut imprint = Vec::with_capacity(49);
    imprint.extend_from_slice(&SHA256_ALGORITHM_ID);
    imprint.extend_from_slice(&[0x04, 0x20]);
    imprint.extend_from_slice(digest);

    let mut body = Vec::with_capacity(80);
    body.extend_from_slice(&[0x02, 0x01, 0x01]); // version v1
    body.push(0x30); // messageImprint
    body.push(imprint.len() as u8); // 49: short form
    body.extend_from_slice(&imprint);
    body.push(0x02); // nonce INTEGER
    body.push(nonce.len() as u8); // at most 9: short form
    body.extend_from_slice(&nonce);
    body.extend_from_slice(&[0x01, 0x01, 0xff]); // certReq TRUE

    let mut request = vec![0x30, body.len() as u8]; // at most 80: short form
    request.extend_from_slice(&body);
    request
}

/// The minimal two's-complement big-endian encoding of a non-negative integer.
fn nonce_bytes(nonce: u64) -> Vec<u8> {
    let bytes = nonce.to_be_bytes();
    let first = bytes
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(bytes.len() - 1);
    let mut out = Vec::with_capacity(9);
    if bytes[first] & 0x80 != 0 {
        out.push(0);
    }
    out.extend_from_slice(&bytes[first..]);
    out
}

/// The nonce as [`crate::TokenInfo::nonce`] shows it.
pub(crate) fn nonce_hex(nonce: u64) -> String {
    let bytes = nonce_bytes(nonce);
    match bytes.as_slice() {
        [0, rest @ ..] if !rest.is_empty() => hex::encode(rest),
        all => hex::encode(all),
    }
}

/// `TimeStampResp ::= SEQUENCE { status PKIStatusInfo, timeStampToken TimeStampToken OPTIONAL }`
#[derive(Debug, Sequence)]
struct TimeStampResp<'a> {
    status: PkiStatusInfo<'a>,
    #[asn1(optional = "true")]
    time_stamp_token: Option<AnyRef<'a>>,
}

/// ```text
/// PKIStatusInfo ::= SEQUENCE {
///     status        PKIStatus,               -- INTEGER
///     statusString  PKIFreeText     OPTIONAL, -- SEQUENCE OF UTF8String
///     failInfo      PKIFailureInfo  OPTIONAL  -- BIT STRING }
/// ```
#[derive(Debug, Sequence)]
struct PkiStatusInfo<'a> {
    status: u32,
    #[asn1(optional = "true")]
    status_string: Option<Vec<Utf8StringRef<'a>>>,
    #[asn1(optional = "true")]
    fail_info: Option<BitStringRef<'a>>,
}

/// Parses a `TimeStampResp` for the request `(digest, nonce)` sent to `url`:
/// the status must be granted or grantedWithMods, the token must verify for
/// `digest` and echo `nonce`.
pub(crate) fn parse_response(
    url: &str,
    content_type: &str,
    response_der: &[u8],
    digest: &[u8; 32],
    nonce: u64,
) -> Result<Stamp, TimestampError> {
    let response = TimeStampResp::from_der(response_der).map_err(|source| {
        TimestampError::MalformedResponse {
            url: url.to_string(),
            content_type: content_type.to_string(),
            source,
        }
    })?;
    let status = &response.status;
    if status.status > 1 {
        return Err(TimestampError::Rejected {
            status: status_name(status.status),
            fail_info: status.fail_info.map(fail_info_names).unwrap_or_default(),
            text: status
                .status_string
                .iter()
                .flatten()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(" / "),
        });
    }
    let token = response
        .time_stamp_token
        .ok_or(TimestampError::MissingToken)?;
    let token_der = token
        .to_der()
        .map_err(TimestampError::malformed("TimeStampToken"))?;
    let info = verify::verify(&token_der, digest)?;
    let sent = nonce_hex(nonce);
    match &info.nonce {
        Some(found) if *found == sent => Ok(Stamp { token_der, info }),
        found => Err(TimestampError::NonceMismatch {
            sent,
            found: found.clone().unwrap_or_else(|| "(none)".into()),
        }),
    }
}

fn status_name(status: u32) -> String {
    let name = match status {
        0 => "granted",
        1 => "grantedWithMods",
        2 => "rejection",
        3 => "waiting",
        4 => "revocationWarning",
        5 => "revocationNotification",
        _ => "unknown",
    };
    format!("{name} ({status})")
}

/// The names of the bits set in a PKIFailureInfo (RFC 3161 §2.4.2).
fn fail_info_names(bits: BitStringRef<'_>) -> Vec<String> {
    bits.bits()
        .enumerate()
        .filter(|&(_, set)| set)
        .map(|(bit, _)| {
            match bit {
                0 => "badAlg (unrecognized or unsupported algorithm)",
                2 => "badRequest (transaction not permitted or supported)",
                5 => "badDataFormat (the data submitted has the wrong format)",
                14 => "timeNotAvailable (the TSA's time source is not available)",
                15 => "unacceptedPolicy (the requested policy is not supported)",
                16 => "unacceptedExtension (the requested extension is not supported)",
                17 => "addInfoNotAvailable (the additional information requested is not available)",
                25 => "systemFailure (the request cannot be handled due to system failure)",
                _ => return format!("bit {bit}"),
            }
            .to_string()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tstinfo::int_hex;
    use x509_tsp::TimeStampReq;

    #[test]
    fn request_is_a_valid_time_stamp_req() {
        for nonce in [0, 1, 0x7f, 0x80, 0xff, 0x1234, u64::MAX >> 1, u64::MAX] {
            let digest = [0xab; 32];
            let der = build(&digest, nonce);
            let req = TimeStampReq::from_der(&der).expect("request decodes");
            assert!(req.cert_req);
            assert_eq!(req.message_imprint.hashed_message.as_bytes(), &digest);
            assert_eq!(req.message_imprint.hash_algorithm.oid, crate::oids::SHA256);
            let req_nonce = req.nonce.expect("nonce present");
            assert_eq!(int_hex(&req_nonce), nonce_hex(nonce), "nonce {nonce}");
            assert_eq!(u64::from_str_radix(&nonce_hex(nonce), 16).ok(), Some(nonce));
        }
    }

    #[test]
    fn garbage_response_is_malformed() {
        let err = parse_response("http://x", "text/html", b"<html>", &[0; 32], 1).unwrap_err();
        assert!(
            matches!(err, TimestampError::MalformedResponse { .. }),
            "{err}"
        );
        assert!(err.to_string().contains("text/html"), "{err}");
    }
}
