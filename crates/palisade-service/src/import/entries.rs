//! Building the records of an import quickly. An imported entry is exactly the
//! record `palisade_core::compose::entry` makes (the tests below rebuild each
//! one with it and compare), without that function's per-record overheads: ids
//! and salts come from one bulk draw of OS randomness instead of two system
//! calls per record, the record times are formatted once and not per record,
//! and the texts move into the record instead of being copied.

use crate::error::Result;
use palisade_core::compose::{ComposeError, MAX_FIELD_CHARS, Stamp};
use palisade_core::crypto::{self, CryptoError};
use palisade_core::domain::{Channel, Direction, RecordKind, field};
use palisade_core::record::{Disclosure, Envelope, Record, SALT_LEN};
use palisade_core::time::Moment;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// Bytes of OS randomness drawn per call: ids and salts for about 40 entries.
const POOL: usize = 4096;
/// Random bytes in an id (80 bits, as `palisade_core::ids::new_id`).
const ID_BYTES: usize = 10;
/// Crockford base32, lower case (the alphabet of `palisade_core::ids`).
const ID_ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// OS randomness drawn in bulk and handed out once each, in order; what has been
/// handed out is zeroed, and so is the rest when dropped. Every id and salt is
/// fresh OS randomness as before; only the number of system calls changes.
struct Pool {
    bytes: Zeroizing<Vec<u8>>,
    next: usize,
}

impl Pool {
    fn new() -> Self {
        Self {
            bytes: Zeroizing::new(vec![0; POOL]),
            next: POOL,
        }
    }

    fn take<const N: usize>(&mut self) -> Result<[u8; N], CryptoError> {
        if self.next + N > POOL {
            crypto::fill_random(&mut self.bytes)?;
            self.next = 0;
        }
        let mut out = [0u8; N];
        let used = &mut self.bytes[self.next..self.next + N];
        out.copy_from_slice(used);
        used.fill(0);
        self.next += N;
        Ok(out)
    }
}

/// The fields of an imported entry (those of `NewEntry` an import can set).
pub(super) struct ImportedEntry {
    pub occurred_at: Moment,
    pub channel: Channel,
    pub direction: Direction,
    pub party: String,
    pub summary: Option<String>,
    pub content: Option<String>,
    /// The entry's `source`: the import record, the file's SHA-256, the place in it.
    pub import: String,
    pub file_sha256: String,
    pub locator: String,
}

/// Makes the records of one import: its case, its `recorded_at`.
pub(super) struct RecordMaker {
    case: String,
    recorded_at: Moment,
    recorded_at_text: String,
    pool: Pool,
    /// The last `occurred_at` and its text (neighbouring messages often share it).
    last_time: Option<(Moment, String)>,
    /// Scratch space for disclosure bytes.
    buf: Vec<u8>,
}

impl RecordMaker {
    pub(super) fn new(case: &str, recorded_at: Moment) -> Self {
        Self {
            case: case.to_string(),
            recorded_at,
            recorded_at_text: recorded_at.to_string(),
            pool: Pool::new(),
            last_time: None,
            buf: Vec::with_capacity(1024),
        }
    }

    /// A fresh id with `prefix`, formed as `palisade_core::ids::new_id` forms it.
    pub(super) fn id(&mut self, prefix: &str) -> Result<String> {
        let bytes: [u8; ID_BYTES] = self.pool.take()?;
        let bits = bytes
            .iter()
            .fold(0u128, |acc, b| (acc << 8) | u128::from(*b));
        let mut out = String::with_capacity(prefix.len() + 17);
        out.push_str(prefix);
        out.push('_');
        for i in (0..16).rev() {
            out.push(char::from(ID_ALPHABET[((bits >> (i * 5)) & 0x1f) as usize]));
        }
        Ok(out)
    }

    /// A stamp for another record of the import (attachments): a fresh id, the
    /// import's `recorded_at`.
    pub(super) fn stamp(&mut self, prefix: &str) -> Result<Stamp> {
        Ok(Stamp {
            id: self.id(prefix)?,
            recorded_at: self.recorded_at,
        })
    }

    fn time_text(&mut self, t: Moment) -> String {
        match &self.last_time {
            Some((last, text)) if *last == t => text.clone(),
            _ => {
                let text = t.to_string();
                self.last_time = Some((t, text.clone()));
                text
            }
        }
    }

    /// The entry record, as `compose::entry` would make it from the same fields
    /// with a fresh `ent` stamp at the import's `recorded_at`.
    pub(super) fn entry(&mut self, e: ImportedEntry) -> Result<Record> {
        for (name, text) in [
            ("party", Some(&e.party)),
            ("summary", e.summary.as_ref()),
            ("content", e.content.as_ref()),
        ] {
            check_length(name, text)?;
        }
        let mut env = Envelope::new(
            self.id("ent")?,
            RecordKind::Entry,
            self.recorded_at_text.clone(),
        );
        env.case = Some(self.case.clone());
        env.occurred_at = Some(self.time_text(e.occurred_at));
        env.channel = Some(e.channel.as_str().to_string());
        let mut source = Map::new();
        // In the order serde writes `Source::Import` (it matters for the sealed
        // plaintext if serde_json keeps insertion order).
        source.insert("kind".into(), Value::from("import"));
        source.insert("import".into(), Value::from(e.import));
        source.insert("file_sha256".into(), Value::from(e.file_sha256));
        source.insert("locator".into(), Value::from(e.locator));
        // In field-name order, as `Record::seal` visits them; absent fields are left out.
        let fields = [
            (field::CONTENT, e.content.map(Value::from)),
            (field::DIRECTION, Some(Value::from(e.direction.as_str()))),
            (field::PARTY, Some(Value::from(e.party))),
            (field::SOURCE, Some(Value::Object(source))),
            (field::SUMMARY, e.summary.map(Value::from)),
        ];
        let mut disclosures = Vec::with_capacity(fields.len());
        for (name, value) in fields {
            let Some(value) = value else { continue };
            let salt: [u8; SALT_LEN] = self.pool.take()?;
            let d = Disclosure {
                salt: b64url(&salt),
                name: name.to_string(),
                value,
            };
            self.buf.clear();
            d.write_canonical(&mut self.buf);
            env.fields
                .insert(name.to_string(), b64url(&Sha256::digest(&self.buf)));
            disclosures.push(d);
        }
        Ok(Record {
            envelope: env,
            disclosures,
        })
    }
}

/// The limit `compose` puts on every text field, with its error.
fn check_length(name: &'static str, text: Option<&String>) -> Result<(), ComposeError> {
    // A string of at most MAX_FIELD_CHARS bytes has at most that many characters.
    match text {
        Some(s) if s.len() > MAX_FIELD_CHARS => {
            let n = s.chars().count();
            if n > MAX_FIELD_CHARS {
                return Err(ComposeError::TooLong(name, n, MAX_FIELD_CHARS));
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn b64url(bytes: &[u8]) -> String {
    use base64::Engine;
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode_string(bytes, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use palisade_core::compose::{self, NewEntry};
    use palisade_core::domain::Source;
    use palisade_core::ids::looks_like_id;
    use palisade_core::record::write_sealed_plaintext;

    fn fields(i: usize) -> ImportedEntry {
        let times = [
            "2024-02-14T21:07:00+01:00",
            "2024-02-14T21:07:00+01:00",
            "2019-03-04T08:00:00.5Z",
            "2023-10-29T01:30:00-05:00",
        ];
        ImportedEntry {
            occurred_at: Moment::parse(times[i % times.len()]).expect("time"),
            channel: [Channel::Whatsapp, Channel::Sms, Channel::PhoneCall][i % 3],
            direction: if i.is_multiple_of(2) {
                Direction::Inbound
            } else {
                Direction::Outbound
            },
            party: [
                "Amelia Brooks",
                "\u{202a}+44 7700 900123\u{202c}",
                "Zoë \"Z\" Ó",
            ][i % 3]
                .to_string(),
            summary: (i % 4 == 1).then(|| "(edited after sending)".to_string()),
            content: (i % 5 != 3).then(|| format!("message {i}\nline two \u{1F60A} \\ \"q\"")),
            import: "imp_0123456789abcdef".into(),
            file_sha256: "ab".repeat(32),
            locator: format!("line {} (byte {})", i + 1, i * 97),
        }
    }

    /// What `compose::entry` makes of the same fields, with `mine`'s id and salts.
    fn composed(mine: &Record, case: &str, recorded_at: Moment, e: ImportedEntry) -> Record {
        let new = NewEntry {
            occurred_at: e.occurred_at,
            channel: e.channel,
            direction: e.direction,
            party: Some(e.party),
            place: None,
            witnesses: Vec::new(),
            summary: e.summary,
            content: e.content,
            clinical: None,
            source: Source::Import {
                import: e.import,
                file_sha256: e.file_sha256,
                locator: e.locator,
            },
        };
        let stamp = Stamp {
            id: mine.envelope.id.clone(),
            recorded_at,
        };
        let mut theirs = compose::entry(&stamp, case, &new).expect("compose");
        for d in &mut theirs.disclosures {
            let salt = mine
                .disclosures
                .iter()
                .find(|m| m.name == d.name)
                .map(|m| m.salt.clone())
                .unwrap_or_else(|| panic!("field {} missing", d.name));
            d.salt = salt;
            theirs.envelope.fields.insert(d.name.clone(), d.digest());
        }
        theirs
    }

    #[test]
    fn entries_are_the_records_compose_makes() {
        let case = "case_hqn6pz9n0xfxpxt3";
        let recorded_at = Moment::parse("2026-11-21T14:06:06.863633059Z").expect("time");
        let mut maker = RecordMaker::new(case, recorded_at);
        let mut salts = std::collections::HashSet::new();
        for i in 0..200 {
            let mine = maker.entry(fields(i)).expect("entry");
            assert!(looks_like_id(&mine.envelope.id) && mine.envelope.id.starts_with("ent_"));
            for d in &mine.disclosures {
                assert_eq!(d.salt.len(), 22);
                assert!(salts.insert(d.salt.clone()), "a salt was reused");
            }
            // Digests open, and the record is the one `compose::entry` makes.
            let opened = Record::open(mine.envelope.clone(), mine.disclosures.clone());
            assert!(opened.is_ok(), "{opened:?}");
            let theirs = composed(&mine, case, recorded_at, fields(i));
            assert_eq!(mine, theirs);
            assert_eq!(mine.envelope.to_bytes(), theirs.envelope.to_bytes());
            let (mut a, mut b) = (Vec::new(), Vec::new());
            write_sealed_plaintext(&mine.disclosures, &mut a);
            write_sealed_plaintext(&theirs.disclosures, &mut b);
            assert_eq!(a, b);
        }
    }

    #[test]
    fn ids_are_fresh_and_well_formed() {
        let mut maker =
            RecordMaker::new("case_hqn6pz9n0xfxpxt3", Moment::utc(jiff::Timestamp::now()));
        let ids: std::collections::HashSet<String> =
            (0..2000).map(|_| maker.id("att").expect("id")).collect();
        assert_eq!(ids.len(), 2000);
        assert!(
            ids.iter()
                .all(|id| looks_like_id(id) && id.starts_with("att_"))
        );
        // Every character of the alphabet turns up (the bits are all used).
        let chars: std::collections::HashSet<char> =
            ids.iter().flat_map(|id| id[4..].chars()).collect();
        assert_eq!(chars.len(), 32);
    }

    #[test]
    fn over_long_fields_are_refused_as_compose_refuses_them() {
        let mut maker =
            RecordMaker::new("case_hqn6pz9n0xfxpxt3", Moment::utc(jiff::Timestamp::now()));
        let mut e = fields(0);
        e.content = Some("é".repeat(MAX_FIELD_CHARS)); // 2 bytes each: long, but allowed
        assert!(maker.entry(e).is_ok());
        let mut e = fields(0);
        e.content = Some("x".repeat(MAX_FIELD_CHARS + 1));
        let err = maker.entry(e).expect_err("too long");
        let expected = ComposeError::TooLong("content", MAX_FIELD_CHARS + 1, MAX_FIELD_CHARS);
        assert_eq!(err.to_string(), expected.to_string());
    }
}
