//! A ledger record: a canonical envelope (what may stay in clear) that
//! commits to each content field through a salted digest, and the
//! disclosures (salt, name, value) that open those digests.
//!
//! Disclosure encoding follows IETF SD-JWT: a disclosure is the JSON array
//! `[salt, name, value]`, here serialised with RFC 8785 (JCS) so that anyone
//! holding the three parts can rebuild the exact bytes; its digest is
//! base64url(SHA-256(those bytes)). The envelope is serialised with JCS too,
//! and those bytes are the Merkle leaf.

mod jcs;

use crate::crypto::{CryptoError, fill_random, random_bytes};
use crate::domain::RecordKind;
use crate::merkle::{self, Hash};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Version of the envelope format described in docs/ledger.md.
pub const FORMAT_VERSION: u32 = 1;
/// Bytes of randomness in each disclosure salt (128 bits).
pub const SALT_LEN: usize = 16;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RecordError {
    #[error("envelope is not valid JSON of the expected shape: {0}")]
    Malformed(String),
    #[error("envelope bytes are not in canonical (RFC 8785) form")]
    NotCanonical,
    #[error("unsupported envelope version {0}")]
    Version(u32),
    #[error("field '{0}' has no disclosure")]
    MissingDisclosure(String),
    #[error("disclosure for field '{0}' does not match its digest")]
    DigestMismatch(String),
    #[error("disclosure for field '{0}' is not committed to by the envelope")]
    UncommittedDisclosure(String),
    #[error("field '{0}' is disclosed twice")]
    DuplicateDisclosure(String),
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}

/// The part of a record that may stay in clear: type, ids, times, channel,
/// and a salted digest for every content field. Its canonical bytes are the Merkle leaf.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Envelope {
    pub v: u32,
    pub id: String,
    #[serde(rename = "type")]
    pub kind: RecordKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case: Option<String>,
    pub recorded_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occurred_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Field name → base64url SHA-256 digest of its disclosure.
    pub fields: BTreeMap<String, String>,
}

impl Envelope {
    /// An envelope with no fields yet.
    pub fn new(id: String, kind: RecordKind, recorded_at: String) -> Self {
        Self {
            v: FORMAT_VERSION,
            id,
            kind,
            case: None,
            recorded_at,
            occurred_at: None,
            channel: None,
            target: None,
            fields: BTreeMap::new(),
        }
    }

    /// The canonical (JCS) bytes: the Merkle leaf.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.write_canonical(&mut out);
        out
    }

    /// Append the canonical (JCS) bytes to `out`. Members are written directly in
    /// RFC 8785 order (their names are ASCII, so byte order is UTF-16 order); the
    /// bytes are those `serde_json_canonicalizer` writes for this struct.
    pub fn write_canonical(&self, out: &mut Vec<u8>) {
        let fields: usize = self.fields.iter().map(|(k, v)| k.len() + v.len() + 6).sum();
        out.reserve(160 + self.id.len() + self.recorded_at.len() + fields);
        out.push(b'{');
        if let Some(case) = &self.case {
            out.extend_from_slice(b"\"case\":");
            jcs::write_str(out, case);
            out.push(b',');
        }
        if let Some(channel) = &self.channel {
            out.extend_from_slice(b"\"channel\":");
            jcs::write_str(out, channel);
            out.push(b',');
        }
        out.extend_from_slice(b"\"fields\":{");
        let mut prev: Option<&str> = None;
        let sorted = self.fields.keys().all(|k| {
            let ok = prev.is_none_or(|p| jcs::cmp_names(p, k).is_lt());
            prev = Some(k);
            ok
        });
        let mut write_field = |i: usize, k: &str, v: &str| {
            if i > 0 {
                out.push(b',');
            }
            jcs::write_str(out, k);
            out.push(b':');
            jcs::write_str(out, v);
        };
        if sorted {
            for (i, (k, v)) in self.fields.iter().enumerate() {
                write_field(i, k, v);
            }
        } else {
            let mut members: Vec<(&String, &String)> = self.fields.iter().collect();
            members.sort_by(|a, b| jcs::cmp_names(a.0, b.0));
            for (i, (k, v)) in members.into_iter().enumerate() {
                write_field(i, k, v);
            }
        }
        out.extend_from_slice(b"},\"id\":");
        jcs::write_str(out, &self.id);
        if let Some(occurred_at) = &self.occurred_at {
            out.extend_from_slice(b",\"occurred_at\":");
            jcs::write_str(out, occurred_at);
        }
        out.extend_from_slice(b",\"recorded_at\":");
        jcs::write_str(out, &self.recorded_at);
        if let Some(target) = &self.target {
            out.extend_from_slice(b",\"target\":");
            jcs::write_str(out, target);
        }
        out.extend_from_slice(b",\"type\":");
        jcs::write_str(out, self.kind.as_str());
        out.extend_from_slice(b",\"v\":");
        jcs::write_u64(out, u64::from(self.v));
        out.push(b'}');
    }

    /// Parse leaf bytes, insisting they are exactly the canonical form.
    pub fn parse(bytes: &[u8]) -> Result<Self, RecordError> {
        let env: Envelope =
            serde_json::from_slice(bytes).map_err(|e| RecordError::Malformed(e.to_string()))?;
        if env.v != FORMAT_VERSION {
            return Err(RecordError::Version(env.v));
        }
        if env.to_bytes() != bytes {
            return Err(RecordError::NotCanonical);
        }
        Ok(env)
    }

    pub fn leaf_hash(&self) -> Hash {
        merkle::leaf_hash(&self.to_bytes())
    }
}

/// base64url without padding, into a string of exactly the right size.
fn b64url(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    URL_SAFE_NO_PAD.encode_string(bytes, &mut out);
    out
}

/// One opened field: the salt, the field name and the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disclosure {
    pub salt: String,
    pub name: String,
    pub value: Value,
}

impl Disclosure {
    /// A disclosure with a fresh random salt.
    pub fn new(name: &str, value: Value) -> Result<Self, CryptoError> {
        let salt: [u8; SALT_LEN] = random_bytes()?;
        Ok(Self {
            salt: URL_SAFE_NO_PAD.encode(salt),
            name: name.to_string(),
            value,
        })
    }

    /// The canonical bytes of `[salt, name, value]`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.write_canonical(&mut out);
        out
    }

    /// Append the canonical bytes of `[salt, name, value]` to `out`: written directly
    /// for strings, integers up to ±2^53, booleans, null, arrays and objects, and by
    /// `serde_json_canonicalizer` for anything else (floats, larger integers).
    pub fn write_canonical(&self, out: &mut Vec<u8>) {
        let start = out.len();
        out.push(b'[');
        jcs::write_str(out, &self.salt);
        out.push(b',');
        jcs::write_str(out, &self.name);
        out.push(b',');
        if jcs::write_value(out, &self.value) {
            out.push(b']');
        } else {
            out.truncate(start);
            // Serialising a JSON value can only fail on a non-finite float, which a
            // `Value` cannot hold.
            let _ =
                serde_json_canonicalizer::to_writer(&(&self.salt, &self.name, &self.value), out);
        }
    }

    /// base64url(SHA-256(canonical bytes)).
    pub fn digest(&self) -> String {
        self.digest_using(&mut Vec::new())
    }

    /// [`Disclosure::digest`], with `buf` as scratch space (cleared first).
    fn digest_using(&self, buf: &mut Vec<u8>) -> String {
        buf.clear();
        self.write_canonical(buf);
        b64url(&Sha256::digest(&buf[..]))
    }
}

impl Serialize for Disclosure {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (&self.salt, &self.name, &self.value).serialize(s)
    }
}

impl<'de> Deserialize<'de> for Disclosure {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let (salt, name, value) = <(String, String, Value)>::deserialize(d)?;
        Ok(Self { salt, name, value })
    }
}

/// The plaintext sealed under the case's data key (docs/ledger.md section 8): the
/// JSON array of `[salt, name, value]` disclosures, serde_json's compact form.
pub fn sealed_plaintext(disclosures: &[Disclosure]) -> Vec<u8> {
    let mut out = Vec::new();
    write_sealed_plaintext(disclosures, &mut out);
    out
}

/// Append [`sealed_plaintext`] to `out` (a reused buffer saves the allocations).
pub fn write_sealed_plaintext(disclosures: &[Disclosure], out: &mut Vec<u8>) {
    // Writing JSON values to memory cannot fail.
    let _ = serde_json::to_writer(out, disclosures);
}

/// A whole record: envelope plus every disclosure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub envelope: Envelope,
    pub disclosures: Vec<Disclosure>,
}

impl Record {
    /// Commit to `fields` (absent/null values are left out) and fill the envelope's digests.
    pub fn seal(
        mut envelope: Envelope,
        fields: BTreeMap<&str, Value>,
    ) -> Result<Self, RecordError> {
        let present = fields.values().filter(|v| !v.is_null()).count();
        // Every salt from one call to the OS generator (16 fresh random bytes each).
        let mut salts = [0u8; 16 * SALT_LEN];
        let mut more = Vec::new();
        let random: &mut [u8] = if present <= 16 {
            &mut salts[..present * SALT_LEN]
        } else {
            more.resize(present * SALT_LEN, 0);
            &mut more
        };
        fill_random(random)?;
        let mut salts = random.chunks_exact(SALT_LEN);
        let mut disclosures = Vec::with_capacity(present);
        let mut buf = Vec::with_capacity(256);
        envelope.fields.clear();
        for (name, value) in fields {
            if value.is_null() {
                continue;
            }
            let salt = salts.next().ok_or(CryptoError::Random)?;
            let d = Disclosure {
                salt: b64url(salt),
                name: name.to_string(),
                value,
            };
            envelope
                .fields
                .insert(name.to_string(), d.digest_using(&mut buf));
            disclosures.push(d);
        }
        Ok(Self {
            envelope,
            disclosures,
        })
    }

    /// Rebuild a record from stored parts, checking every disclosure against its digest
    /// and that every committed field is disclosed.
    pub fn open(envelope: Envelope, disclosures: Vec<Disclosure>) -> Result<Self, RecordError> {
        check_disclosures(&envelope, &disclosures, false)?;
        Ok(Self {
            envelope,
            disclosures,
        })
    }

    pub fn value(&self, name: &str) -> Option<&Value> {
        self.disclosures
            .iter()
            .find(|d| d.name == name)
            .map(|d| &d.value)
    }

    /// A field as text, if present and a string.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.value(name).and_then(Value::as_str)
    }
}

/// Check disclosures against an envelope. With `allow_withheld`, committed fields may
/// lack a disclosure (a partial disclosure in an evidence bundle); otherwise every
/// committed field must be opened.
pub fn check_disclosures(
    envelope: &Envelope,
    disclosures: &[Disclosure],
    allow_withheld: bool,
) -> Result<(), RecordError> {
    let mut seen = std::collections::BTreeSet::new();
    for d in disclosures {
        if !seen.insert(d.name.as_str()) {
            return Err(RecordError::DuplicateDisclosure(d.name.clone()));
        }
        match envelope.fields.get(&d.name) {
            None => return Err(RecordError::UncommittedDisclosure(d.name.clone())),
            Some(digest) if *digest != d.digest() => {
                return Err(RecordError::DigestMismatch(d.name.clone()));
            }
            Some(_) => {}
        }
    }
    if !allow_withheld
        && let Some(missing) = envelope.fields.keys().find(|k| !seen.contains(k.as_str()))
    {
        return Err(RecordError::MissingDisclosure(missing.clone()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample() -> Record {
        let mut env = Envelope::new(
            "ent_0000000000000000".into(),
            RecordKind::Entry,
            "2026-03-02T09:00:00Z".into(),
        );
        env.case = Some("case_0000000000000000".into());
        env.occurred_at = Some("2026-03-01T21:40:00+00:00".into());
        env.channel = Some("sms".into());
        let mut f = BTreeMap::new();
        f.insert("summary", json!("Text asking to meet for a drink"));
        f.insert("witnesses", json!(["Reception: J. Smith"]));
        f.insert("place", Value::Null);
        Record::seal(env, f).unwrap()
    }

    /// An envelope using every member, with field names whose UTF-16 order differs
    /// from their UTF-8 order (RFC 8785 sorts by UTF-16 code units).
    fn kat_envelope() -> Envelope {
        let mut env = Envelope::new(
            "ent_0123456789abcdef".into(),
            RecordKind::Entry,
            "2026-03-02T09:00:00.123456789Z".into(),
        );
        env.case = Some("case_hqn6pz9n0xfxpxt3".into());
        env.occurred_at = Some("2026-03-01T21:40:00+01:00".into());
        env.channel = Some("whatsapp".into());
        env.target = Some("ent_zzzzzzzzzzzzzzzz".into());
        for (k, v) in [
            ("summary", "HZg1fKBcYyIL4wQpcWOQGwZwnXiJrKlU3-uzH1YKI_4"),
            ("content", "A4a6dDWw7EbfXAwzO8Bw8H5Cxph_V-hZvU0NALiyv2U"),
            ("x\u{e000}", "b"),
            ("x\u{1F600}", "a"),
        ] {
            env.fields.insert(k.into(), v.into());
        }
        env
    }

    /// Disclosures over every kind of value: escapes, control characters, non-BMP
    /// text, integers (one beyond 2^53, which JCS writes as the nearest double),
    /// floats, nested objects with keys that sort differently in UTF-16.
    fn kat_disclosures() -> Vec<Disclosure> {
        let values = vec![
            (
                "content",
                json!("Line 1\nLine \"2\"\t\\ \u{0} \u{1f} \u{7f} Möbius 😀 </script>"),
            ),
            ("size", json!(1234567)),
            ("big", json!(9007199254740993u64)),
            ("neg", json!(-42)),
            ("float", json!(1.5)),
            ("huge", json!(1e21)),
            (
                "source",
                json!({"kind":"import","import":"imp_0123456789abcdef",
                       "file_sha256":"00ff","locator":"line 7 (byte 120)"}),
            ),
            (
                "obj",
                json!({"\u{e000}":1,"\u{1F600}":[true,false,null],"a":{"z":[],"b":{}}}),
            ),
            ("witnesses", json!(["J. Smith", "Ünal"])),
        ];
        values
            .into_iter()
            .enumerate()
            .map(|(i, (name, value))| Disclosure {
                salt: format!("salt{i}AAAAAAAAAAAAAAAAAA"),
                name: name.into(),
                value,
            })
            .collect()
    }

    /// Known answers for the bytes that are hashed and stored: the envelope (the
    /// Merkle leaf), each disclosure and its digest, and the plaintext that is sealed.
    /// Any change to how these are written fails here.
    #[test]
    fn known_answer_bytes() {
        let env = kat_envelope();
        let leaf = env.to_bytes();
        assert_eq!(
            String::from_utf8(leaf.clone()).unwrap(),
            concat!(
                r#"{"case":"case_hqn6pz9n0xfxpxt3","channel":"whatsapp","fields":{"#,
                r#""content":"A4a6dDWw7EbfXAwzO8Bw8H5Cxph_V-hZvU0NALiyv2U","#,
                r#""summary":"HZg1fKBcYyIL4wQpcWOQGwZwnXiJrKlU3-uzH1YKI_4","#,
                "\"x\u{1F600}\":\"a\",\"x\u{e000}\":\"b\"},",
                r#""id":"ent_0123456789abcdef","occurred_at":"2026-03-01T21:40:00+01:00","#,
                r#""recorded_at":"2026-03-02T09:00:00.123456789Z","#,
                r#""target":"ent_zzzzzzzzzzzzzzzz","type":"entry","v":1}"#
            )
        );
        assert_eq!(
            hex::encode(env.leaf_hash()),
            "0cb749d9012520a9378dd028e90115af01d857fd8f6a5630c29e8fd43e7eb3a2"
        );
        assert_eq!(Envelope::parse(&leaf).unwrap(), env);

        let ds = kat_disclosures();
        let expected: [(&str, &str); 9] = [
            (
                "[\"salt0AAAAAAAAAAAAAAAAAA\",\"content\",\"Line 1\\nLine \\\"2\\\"\\t\\\\ \\u0000 \\u001f \u{7f} Möbius 😀 </script>\"]",
                "vf9xOZJ8pIK5D6ZEagJ0Bd9iFeDouchtb-lZuk1qpj0",
            ),
            (
                r#"["salt1AAAAAAAAAAAAAAAAAA","size",1234567]"#,
                "SUWPFmd_hRjj8x-s7Z-fYA4aGbnhnGfMqyRRRD1PEPM",
            ),
            (
                r#"["salt2AAAAAAAAAAAAAAAAAA","big",9007199254740992]"#,
                "IrBA3lTCj-ZeScHebSdSXkEozDtiA68prO3xKnrk93s",
            ),
            (
                r#"["salt3AAAAAAAAAAAAAAAAAA","neg",-42]"#,
                "w66Ht9vm4YNgHfyO8CMIy8CtSzJqyNKjshivn8l1nhs",
            ),
            (
                r#"["salt4AAAAAAAAAAAAAAAAAA","float",1.5]"#,
                "9WPjW9OoCj-Bf86PmSGCep7rNhzaQMXangmVRYnP_eI",
            ),
            (
                r#"["salt5AAAAAAAAAAAAAAAAAA","huge",1e+21]"#,
                "PVZAX35AtphGekrYxDHiNIha-zF2bNsS79cFzCepwa4",
            ),
            (
                r#"["salt6AAAAAAAAAAAAAAAAAA","source",{"file_sha256":"00ff","import":"imp_0123456789abcdef","kind":"import","locator":"line 7 (byte 120)"}]"#,
                "ERmLHg2GLV7oQ_9Zy-oN6s0SCGPF2Z75DI7gzBx7A_Y",
            ),
            (
                "[\"salt7AAAAAAAAAAAAAAAAAA\",\"obj\",{\"a\":{\"b\":{},\"z\":[]},\"\u{1F600}\":[true,false,null],\"\u{e000}\":1}]",
                "Of53cQJmIyMlLTt-yl7I17MVGN_fHAMP_c6Dl9eZ7hQ",
            ),
            (
                r#"["salt8AAAAAAAAAAAAAAAAAA","witnesses",["J. Smith","Ünal"]]"#,
                "UlNrA2grJr3Lf9VKHATq6_zNlxm-WRawuFsoxy803i0",
            ),
        ];
        for (d, (bytes, digest)) in ds.iter().zip(expected) {
            assert_eq!(
                String::from_utf8(d.to_bytes()).unwrap(),
                bytes,
                "{}",
                d.name
            );
            assert_eq!(d.digest(), digest, "{}", d.name);
        }
        // The sealed plaintext is serde_json's compact form of the disclosure list
        // (objects in the map's key order, integers exact).
        assert_eq!(
            String::from_utf8(sealed_plaintext(&ds)).unwrap(),
            [
                "[[\"salt0AAAAAAAAAAAAAAAAAA\",\"content\",\"Line 1\\nLine \\\"2\\\"\\t\\\\ \\u0000 \\u001f \u{7f} Möbius 😀 </script>\"],",
                r#"["salt1AAAAAAAAAAAAAAAAAA","size",1234567],"#,
                r#"["salt2AAAAAAAAAAAAAAAAAA","big",9007199254740993],"#,
                r#"["salt3AAAAAAAAAAAAAAAAAA","neg",-42],"#,
                r#"["salt4AAAAAAAAAAAAAAAAAA","float",1.5],"#,
                r#"["salt5AAAAAAAAAAAAAAAAAA","huge",1e+21],"#,
                r#"["salt6AAAAAAAAAAAAAAAAAA","source",{"file_sha256":"00ff","import":"imp_0123456789abcdef","kind":"import","locator":"line 7 (byte 120)"}],"#,
                "[\"salt7AAAAAAAAAAAAAAAAAA\",\"obj\",{\"a\":{\"b\":{},\"z\":[]},\"\u{e000}\":1,\"\u{1F600}\":[true,false,null]}],",
                r#"["salt8AAAAAAAAAAAAAAAAAA","witnesses",["J. Smith","Ünal"]]]"#,
            ]
            .concat()
        );
    }

    fn any_text() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        prop::collection::vec(
            prop_oneof![
                4 => prop::char::range('\u{0}', '\u{7f}'),
                1 => prop::char::range('\u{80}', '\u{7ff}'),
                1 => prop::char::range('\u{d7f0}', '\u{ffff}'),
                1 => prop::char::range('\u{10000}', '\u{10ffff}'),
            ],
            0..10,
        )
        .prop_map(|cs| cs.into_iter().collect())
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1000))]

        /// The direct envelope writer writes what serde_json_canonicalizer writes for
        /// the struct, for any member values and any field names.
        #[test]
        fn envelope_bytes_match_the_reference(
            strs in proptest::collection::vec(any_text(), 7),
            present in proptest::collection::vec(proptest::bool::ANY, 4),
            kind in proptest::sample::select(RecordKind::ALL),
            fields in proptest::collection::btree_map(any_text(), any_text(), 0..8),
        ) {
            let opt = |i: usize| present[i].then(|| strs[i].clone());
            let env = Envelope {
                v: FORMAT_VERSION,
                id: strs[4].clone(),
                kind,
                case: opt(0),
                recorded_at: strs[5].clone(),
                occurred_at: opt(1),
                channel: opt(2),
                target: opt(3),
                fields,
            };
            let reference = serde_json_canonicalizer::to_vec(&env).expect("canonicalise");
            proptest::prop_assert_eq!(env.to_bytes(), reference);
        }

        /// Disclosure bytes match the reference for any salt, name and value kind
        /// (including the ones that fall back: floats, integers beyond 2^53).
        #[test]
        fn disclosure_bytes_match_the_reference(
            salt in any_text(),
            name in any_text(),
            text in any_text(),
            n in proptest::num::i64::ANY,
            u in proptest::num::u64::ANY,
            f in proptest::num::f64::NORMAL,
            pick in 0usize..6,
        ) {
            let value = match pick {
                0 => json!(text),
                1 => json!(n),
                2 => json!(u),
                3 => json!(f),
                4 => json!({ text.clone(): [n, {"kind": text}], "size": u % 1000 }),
                _ => json!([text, null, true]),
            };
            let d = Disclosure { salt, name, value };
            let reference =
                serde_json_canonicalizer::to_vec(&(&d.salt, &d.name, &d.value)).expect("jcs");
            proptest::prop_assert_eq!(d.to_bytes(), reference);
        }
    }

    #[test]
    fn disclosure_matches_sd_jwt_shape() {
        let d = Disclosure {
            salt: "_26bc4LT-ac6q2KI6cBW5es".into(),
            name: "family_name".into(),
            value: json!("Möbius"),
        };
        assert_eq!(
            String::from_utf8(d.to_bytes()).unwrap(),
            r#"["_26bc4LT-ac6q2KI6cBW5es","family_name","Möbius"]"#
        );
        // SHA-256 of those UTF-8 bytes, base64url without padding.
        assert_eq!(d.digest().len(), 43);
    }

    #[test]
    fn seal_then_open_and_canonical_leaf() {
        let r = sample();
        assert_eq!(r.envelope.fields.len(), 2, "null fields are left out");
        let bytes = r.envelope.to_bytes();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(text.starts_with(r#"{"case":"case_"#), "{text}");
        assert!(
            !text.contains("drink"),
            "content must not be in the envelope"
        );
        let parsed = Envelope::parse(&bytes).unwrap();
        assert_eq!(parsed, r.envelope);
        Record::open(parsed, r.disclosures.clone()).unwrap();
    }

    #[test]
    fn tampering_is_detected() {
        let r = sample();
        let mut d = r.disclosures.clone();
        d[0].value = json!("edited");
        assert!(matches!(
            Record::open(r.envelope.clone(), d),
            Err(RecordError::DigestMismatch(_))
        ));
        let mut d = r.disclosures.clone();
        d[0].salt.replace_range(0..1, "Z");
        assert!(Record::open(r.envelope.clone(), d).is_err());
        let d = r.disclosures[..1].to_vec();
        assert!(matches!(
            Record::open(r.envelope.clone(), d.clone()),
            Err(RecordError::MissingDisclosure(_))
        ));
        check_disclosures(&r.envelope, &d, true).unwrap();
        let mut text = String::from_utf8(r.envelope.to_bytes()).unwrap();
        text.insert(1, ' ');
        assert_eq!(
            Envelope::parse(text.as_bytes()),
            Err(RecordError::NotCanonical)
        );
        let extra =
            String::from_utf8(r.envelope.to_bytes())
                .unwrap()
                .replacen('{', r#"{"aaa":1,"#, 1);
        assert!(matches!(
            Envelope::parse(extra.as_bytes()),
            Err(RecordError::Malformed(_))
        ));
    }
}
