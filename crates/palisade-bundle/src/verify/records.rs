//! `records.jsonl` against the envelopes' digests, the manifest and the
//! disclosure record.

use super::{Checked, Ctx, b64url_sha256, disclosed_list, parse_disclosure};
use crate::format::{Manifest, RecordLine};
use crate::names;
use palisade_core::domain::{RecordKind, field};
use palisade_core::merkle;
use palisade_core::record::Envelope;
use std::collections::{BTreeMap, BTreeSet};

pub(crate) fn parse_lines(bytes: &[u8], ctx: &mut Ctx) -> Vec<RecordLine> {
    let mut out = Vec::new();
    for (i, line) in bytes.split(|b| *b == b'\n').enumerate() {
        if line.is_empty() {
            continue;
        }
        match serde_json::from_slice::<RecordLine>(line) {
            Ok(l) => out.push(l),
            Err(e) => ctx.fail(format!(
                "{} line {}: not a record line: {e}",
                names::RECORDS,
                i + 1
            )),
        }
    }
    out
}

/// Each line's envelope, disclosures and withheld list; records in strict
/// ledger order and all of `case`.
pub(crate) fn check_records(lines: &[RecordLine], case: &str, ctx: &mut Ctx) -> Vec<Checked> {
    let mut out: Vec<Checked> = Vec::with_capacity(lines.len());
    let mut previous: Option<u64> = None;
    for (n, line) in lines.iter().enumerate() {
        let at = format!("{} line {}", names::RECORDS, n + 1);
        let envelope = match Envelope::parse(line.envelope.as_bytes()) {
            Ok(e) => e,
            Err(e) => {
                ctx.fail(format!(
                    "{at} (leaf {}): the envelope is not valid: {e}",
                    line.leaf_index
                ));
                continue;
            }
        };
        let what = format!("record {} (leaf {})", envelope.id, line.leaf_index);
        if let Some(p) = previous
            && line.leaf_index <= p
        {
            ctx.fail(format!(
                "{at}: {what} comes after leaf {p}: records are not in ledger order (reordered or repeated)"
            ));
        }
        previous = Some(line.leaf_index);
        if envelope.case.as_deref() != Some(case) {
            ctx.fail(format!(
                "{what} belongs to case {}, not to {case}: a record from elsewhere was inserted",
                envelope.case.as_deref().unwrap_or("(none)")
            ));
        }
        let mut disclosed = BTreeMap::new();
        for (k, s) in line.disclosures.iter().enumerate() {
            let Some(d) = parse_disclosure(s) else {
                ctx.fail(format!(
                    "{what}: disclosure {} is not [salt, name, value]",
                    k + 1
                ));
                continue;
            };
            match envelope.fields.get(&d.name) {
                None => ctx.fail(format!(
                    "{what}: discloses field '{}', which the record does not commit to",
                    d.name
                )),
                Some(digest) if *digest != b64url_sha256(s.as_bytes()) => ctx.fail(format!(
                    "{what}: the disclosed value of field '{}' does not match its digest (the value or its salt was altered)",
                    d.name
                )),
                Some(_) => {
                    if disclosed.insert(d.name.clone(), d.value).is_some() {
                        ctx.fail(format!("{what}: field '{}' is disclosed twice", d.name));
                    }
                }
            }
        }
        let withheld: Vec<String> = envelope
            .fields
            .keys()
            .filter(|k| !disclosed.contains_key(*k))
            .cloned()
            .collect();
        let mut said = line.withheld.clone();
        said.sort();
        if said != withheld {
            ctx.fail(format!(
                "{what}: lists withheld fields {said:?}, but the fields without disclosures are {withheld:?}"
            ));
        }
        let leaf_hash = merkle::leaf_hash(line.envelope.as_bytes());
        out.push(Checked {
            leaf_index: line.leaf_index,
            envelope,
            leaf_hash,
            disclosed,
            withheld,
        });
    }
    out
}

/// `manifest.json`'s record list says the same as `records.jsonl`.
pub(crate) fn check_manifest_records(manifest: &Manifest, checked: &[Checked], ctx: &mut Ctx) {
    if manifest.records.len() != checked.len() {
        ctx.fail(format!(
            "{} lists {} records but {} holds {}",
            names::MANIFEST,
            manifest.records.len(),
            names::RECORDS,
            checked.len()
        ));
    }
    for (m, c) in manifest.records.iter().zip(checked) {
        let disclosed: Vec<String> = c.disclosed.keys().cloned().collect();
        let mut m_disclosed = m.disclosed.clone();
        m_disclosed.sort();
        let mut m_withheld = m.withheld.clone();
        m_withheld.sort();
        if m.leaf_index != c.leaf_index
            || m.id != c.envelope.id
            || m.kind != c.envelope.kind.as_str()
            || m_disclosed != disclosed
            || m_withheld != c.withheld
        {
            ctx.fail(format!(
                "{}: its entry for {} (leaf {}) does not match {} (record {} at leaf {})",
                names::MANIFEST,
                m.id,
                m.leaf_index,
                names::RECORDS,
                c.envelope.id,
                c.leaf_index
            ));
        }
    }
}

/// The disclosure record lists exactly the other records of the bundle, with
/// the same withheld fields. Returns the attachment records it says are withheld.
pub(crate) fn check_disclosure_record(
    manifest: &Manifest,
    checked: &[Checked],
    ctx: &mut Ctx,
) -> BTreeSet<String> {
    let Some(d) = checked
        .iter()
        .find(|c| c.envelope.id == manifest.disclosure_record)
    else {
        ctx.fail(format!(
            "the disclosure record {} named in {} is not in the bundle",
            manifest.disclosure_record,
            names::MANIFEST
        ));
        return BTreeSet::new();
    };
    let what = format!("disclosure record {}", d.envelope.id);
    if d.envelope.kind != RecordKind::Disclosure {
        ctx.fail(format!("{what} is a {} record", d.envelope.kind));
        return BTreeSet::new();
    }
    if !d.withheld.is_empty() {
        ctx.fail(format!(
            "{what}: fields {:?} are withheld; it must be disclosed in full",
            d.withheld
        ));
    }
    let expect = |name: &str, got: Option<&str>, ctx: &mut Ctx| {
        if d.text(name) != got {
            ctx.fail(format!(
                "{what}: its {name} is {:?} but {} says {:?}",
                d.text(name),
                names::MANIFEST,
                got
            ));
        }
    };
    expect(field::PROFILE, Some(&manifest.profile), ctx);
    expect(field::BY, Some(&manifest.exported_by), ctx);
    expect(field::RECIPIENT, manifest.recipient.as_deref(), ctx);
    expect(field::REASON, manifest.reason.as_deref(), ctx);
    if d.envelope.recorded_at != manifest.exported_at {
        ctx.fail(format!(
            "{what}: recorded at {}, but {} says exported at {}",
            d.envelope.recorded_at,
            names::MANIFEST,
            manifest.exported_at
        ));
    }
    let include_clinical = d
        .disclosed
        .get(field::INCLUDE_CLINICAL)
        .and_then(|v| v.as_bool());
    if include_clinical != Some(manifest.include_clinical) {
        ctx.fail(format!(
            "{what}: include_clinical differs from {}",
            names::MANIFEST
        ));
    }
    let Some(listed) = disclosed_list(d) else {
        ctx.fail(format!(
            "{what}: its list of records is missing or malformed"
        ));
        return BTreeSet::new();
    };
    let mut in_bundle: BTreeMap<&str, &Checked> = checked
        .iter()
        .filter(|c| c.envelope.id != d.envelope.id)
        .map(|c| (c.envelope.id.as_str(), c))
        .collect();
    for l in &listed {
        match in_bundle.remove(l.id.as_str()) {
            None => ctx.fail(format!(
                "record {} (leaf {}) is listed in the disclosure record but missing from the bundle: it was dropped",
                l.id, l.leaf
            )),
            Some(c) => {
                let mut w = l.withheld.clone();
                w.sort();
                if c.leaf_index != l.leaf {
                    ctx.fail(format!(
                        "record {}: at leaf {} in the bundle, at leaf {} in the disclosure record",
                        l.id, c.leaf_index, l.leaf
                    ));
                }
                if w != c.withheld {
                    ctx.fail(format!(
                        "record {}: withholds {:?}, but the disclosure record says {:?}",
                        l.id, c.withheld, w
                    ));
                }
            }
        }
    }
    for (id, c) in in_bundle {
        ctx.fail(format!(
            "record {id} (leaf {}) is in the bundle but not in the disclosure record: it was inserted",
            c.leaf_index
        ));
    }
    d.disclosed
        .get(field::ATTACHMENTS_WITHHELD)
        .and_then(|v| serde_json::from_value::<Vec<String>>(v.clone()).ok())
        .unwrap_or_default()
        .into_iter()
        .collect()
}
