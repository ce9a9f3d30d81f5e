//! `TSTInfo` (RFC 3161 §2.4.2), with a `genTime` that accepts fractional seconds.
//!
//! `x509-tsp`'s own `TstInfo` uses `der::asn1::GeneralizedTime`, which rejects
//! the fractional seconds that RFC 3161 allows and that some TSAs emit
//! (`YYYYMMDDhhmmss.fffZ`); this module defines the same structure with a
//! time type that accepts them.

use der::asn1::{Int, ObjectIdentifier};
use der::{DecodeValue, EncodeValue, FixedTag, Header, Length, Reader, Sequence, Tag, Writer};
use x509_cert::ext::Extensions;
use x509_cert::ext::pkix::name::GeneralName;
use x509_tsp::{Accuracy, MessageImprint, TspVersion};

/// ```text
/// TSTInfo ::= SEQUENCE  {
///     version                      INTEGER  { v1(1) },
///     policy                       TSAPolicyId,
///     messageImprint               MessageImprint,
///     serialNumber                 INTEGER,
///     genTime                      GeneralizedTime,
///     accuracy                     Accuracy                 OPTIONAL,
///     ordering                     BOOLEAN             DEFAULT FALSE,
///     nonce                        INTEGER                  OPTIONAL,
///     tsa                          [0] GeneralName          OPTIONAL,
///     extensions                   [1] IMPLICIT Extensions   OPTIONAL  }
/// ```
#[derive(Clone, Debug, Sequence)]
pub(crate) struct TstInfo {
    pub version: TspVersion,
    pub policy: ObjectIdentifier,
    pub message_imprint: MessageImprint,
    pub serial_number: Int,
    pub gen_time: GenTime,
    #[asn1(optional = "true")]
    pub accuracy: Option<Accuracy>,
    #[asn1(default = "Default::default")]
    pub ordering: bool,
    #[asn1(optional = "true")]
    pub nonce: Option<Int>,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub tsa: Option<GeneralName>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    pub extensions: Option<Extensions>,
}

/// A `GeneralizedTime` in UTC (`YYYYMMDDhhmmss[.f+]Z`), kept with its raw bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct GenTime {
    raw: Vec<u8>,
    /// The instant it denotes (fractions beyond nanoseconds are dropped).
    pub at: jiff::Timestamp,
}

impl FixedTag for GenTime {
    const TAG: Tag = Tag::GeneralizedTime;
}

impl<'a> DecodeValue<'a> for GenTime {
    fn decode_value<R: Reader<'a>>(reader: &mut R, header: Header) -> der::Result<Self> {
        let raw = reader.read_vec(header.length)?;
        let at = parse_generalized_time(&raw).ok_or_else(|| Tag::GeneralizedTime.value_error())?;
        Ok(Self { raw, at })
    }
}

impl EncodeValue for GenTime {
    fn value_len(&self) -> der::Result<Length> {
        Length::try_from(self.raw.len())
    }

    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        writer.write(&self.raw)
    }
}

/// Parses `YYYYMMDDhhmmss[.f+]Z`; `None` for anything else (local times,
/// offsets, missing seconds, out-of-range fields).
fn parse_generalized_time(raw: &[u8]) -> Option<jiff::Timestamp> {
    let (body, rest) = raw.split_at_checked(14)?;
    if !body.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let nanos = match rest {
        [b'Z'] => 0,
        [b'.', fraction @ .., b'Z']
            if !fraction.is_empty() && fraction.iter().all(u8::is_ascii_digit) =>
        {
            let mut nanos: i32 = 0;
            for i in 0..9 {
                let digit = fraction.get(i).map_or(0, |d| i32::from(d - b'0'));
                nanos = nanos * 10 + digit;
            }
            nanos
        }
        _ => return None,
    };
    let num = |range: std::ops::Range<usize>| -> Option<i32> {
        body.get(range)?
            .iter()
            .try_fold(0i32, |acc, d| Some(acc * 10 + i32::from(d - b'0')))
    };
    let date_time = jiff::civil::DateTime::new(
        i16::try_from(num(0..4)?).ok()?,
        i8::try_from(num(4..6)?).ok()?,
        i8::try_from(num(6..8)?).ok()?,
        i8::try_from(num(8..10)?).ok()?,
        i8::try_from(num(10..12)?).ok()?,
        i8::try_from(num(12..14)?).ok()?,
        nanos,
    )
    .ok()?;
    jiff::tz::TimeZone::UTC.to_timestamp(date_time).ok()
}

/// Lower-case hex of an INTEGER's value: the sign-padding zero byte of a
/// positive value is dropped (`00 ff` → `ff`); other bytes are kept as encoded.
pub(crate) fn int_hex(int: &Int) -> String {
    let bytes = int.as_bytes();
    match bytes {
        [0, next, ..] if next & 0x80 != 0 => hex::encode(&bytes[1..]),
        _ => hex::encode(bytes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_whole_and_fractional_seconds() {
        let at = parse_generalized_time(b"20240229235959Z").map(|t| t.to_string());
        assert_eq!(at.as_deref(), Some("2024-02-29T23:59:59Z"));
        let at = parse_generalized_time(b"20240229235959.125Z").map(|t| t.to_string());
        assert_eq!(at.as_deref(), Some("2024-02-29T23:59:59.125Z"));
        let at = parse_generalized_time(b"20240229235959.1234567891234Z").map(|t| t.to_string());
        assert_eq!(at.as_deref(), Some("2024-02-29T23:59:59.123456789Z"));
    }

    #[test]
    fn rejects_malformed_times() {
        for bad in [
            &b""[..],
            b"20240229235959",
            b"2024022923595Z",
            b"20240229235959.Z",
            b"20240229235959+0100",
            b"20230229235959Z",
            b"20241301000000Z",
            b"2024022923595aZ",
            b"20240229235959.12aZ",
        ] {
            assert!(parse_generalized_time(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn int_hex_drops_sign_padding_only() {
        let int = |b: &[u8]| Int::new(b).map(|i| int_hex(&i)).ok();
        assert_eq!(int(&[0x00, 0xff]).as_deref(), Some("ff"));
        assert_eq!(int(&[0x01, 0x02]).as_deref(), Some("0102"));
        assert_eq!(int(&[0x00]).as_deref(), Some("00"));
    }
}
