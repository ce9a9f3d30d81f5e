//! A ledger record: a canonical envelope (what may stay in clear) that
//! commits to each content field through a salted digest, and the
//! disclosures (salt, name, value) that open those digests.
//!
//! Disclosure encoding follows IETF SD-JWT: a disclosure is the JSON array
//! `[salt, name, value]`, here serialised with RFC 8785 (JCS) so that anyone
//! holding the three parts can rebuild the exact bytes; its digest is
//! base64url(SHA-256(those bytes)). The envelope is serialised with JCS too,
//! and those bytes are the Merkle leaf.

use crate::crypto::{CryptoError, random_bytes};
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
        // Serialising plain strings and maps cannot fail.
        serde_json_canonicalizer::to_vec(self).unwrap_or_default()
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
        serde_json_canonicalizer::to_vec(&(&self.salt, &self.name, &self.value)).unwrap_or_default()
    }

    /// base64url(SHA-256(canonical bytes)).
    pub fn digest(&self) -> String {
        URL_SAFE_NO_PAD.encode(Sha256::digest(self.to_bytes()))
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
        let mut disclosures = Vec::with_capacity(fields.len());
        envelope.fields.clear();
        for (name, value) in fields {
            if value.is_null() {
                continue;
            }
            let d = Disclosure::new(name, value)?;
            envelope.fields.insert(name.to_string(), d.digest());
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
