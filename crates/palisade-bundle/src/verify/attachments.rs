//! Attachment records, the manifest's attachment list and the bytes in
//! `attachments/` agree.

use super::{Checked, Ctx};
use crate::format::Manifest;
use crate::names;
use palisade_core::domain::{RecordKind, field};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Seek};
use zip::ZipArchive;

pub(crate) struct Outcome {
    pub records: usize,
    pub files_verified: usize,
    pub withheld: usize,
}

pub(crate) fn check<R: Read + Seek>(
    zip: &mut ZipArchive<R>,
    members: &BTreeSet<String>,
    manifest: &Manifest,
    checked: &[Checked],
    withheld_by_record: &BTreeSet<String>,
    ctx: &mut Ctx,
) -> Outcome {
    let ids: BTreeSet<&str> = checked.iter().map(|c| c.envelope.id.as_str()).collect();
    let mut listed: BTreeMap<&str, &crate::format::ManifestAttachment> = manifest
        .attachments
        .iter()
        .map(|a| (a.record.as_str(), a))
        .collect();
    // sha256 → size, for every attachment whose bytes must be present.
    let mut wanted: BTreeMap<String, u64> = BTreeMap::new();
    let mut outcome = Outcome {
        records: 0,
        files_verified: 0,
        withheld: 0,
    };
    for c in checked
        .iter()
        .filter(|c| c.envelope.kind == RecordKind::Attachment)
    {
        outcome.records += 1;
        let what = format!("attachment {} (leaf {})", c.envelope.id, c.leaf_index);
        let target = c.envelope.target.as_deref().unwrap_or("");
        if !ids.contains(target) {
            ctx.fail(format!(
                "{what} belongs to {target}, which is not in the bundle"
            ));
        }
        let sha = c.text(field::SHA256).unwrap_or_default().to_string();
        let size = c
            .disclosed
            .get(field::SIZE)
            .and_then(serde_json::Value::as_u64);
        let Some(m) = listed.remove(c.envelope.id.as_str()) else {
            ctx.fail(format!("{what} is not listed in {}", names::MANIFEST));
            continue;
        };
        let agrees = m.sha256 == sha
            && Some(m.size) == size
            && Some(m.media_type.as_str()) == c.text(field::MEDIA_TYPE)
            && Some(m.name.as_str()) == c.text(field::NAME)
            && m.belongs_to == target;
        if !agrees {
            ctx.fail(format!(
                "{}: its entry for {what} does not match the signed record (hash, size, type, name or owner)",
                names::MANIFEST
            ));
        }
        let withheld = withheld_by_record.contains(&c.envelope.id);
        if m.file.is_some() == m.withheld.is_some() {
            ctx.fail(format!(
                "{}: the entry for {what} must have either a file or a reason it is withheld",
                names::MANIFEST
            ));
        }
        match (&m.file, withheld) {
            (None, true) => outcome.withheld += 1,
            (Some(_), true) => ctx.fail(format!(
                "{what}: the disclosure record withholds its bytes, but {} includes them",
                names::MANIFEST
            )),
            (None, false) => ctx.fail(format!(
                "{what}: its bytes are missing, and the disclosure record does not withhold them"
            )),
            (Some(file), false) => {
                if *file != names::attachment(&sha) {
                    ctx.fail(format!(
                        "{what}: its file should be {}, not {file}",
                        names::attachment(&sha)
                    ));
                }
                wanted.insert(sha, size.unwrap_or(u64::MAX));
            }
        }
    }
    for id in listed.keys() {
        ctx.fail(format!(
            "{} lists attachment {id}, which is not in {}",
            names::MANIFEST,
            names::RECORDS
        ));
    }
    for (sha, size) in &wanted {
        let name = names::attachment(sha);
        if !members.contains(&name) {
            ctx.fail(format!("{name} is missing from the bundle"));
            continue;
        }
        match hash_member(zip, &name) {
            Ok((got, len)) if got == *sha && len == *size => outcome.files_verified += 1,
            Ok((got, len)) => ctx.fail(format!(
                "{name}: the bytes ({len} bytes, SHA-256 {got}) do not match the attachment record ({size} bytes, SHA-256 {sha}): the file was altered"
            )),
            Err(e) => ctx.fail(e),
        }
    }
    for name in members.iter().filter(|n| n.starts_with(names::ATTACHMENTS)) {
        let sha = &name[names::ATTACHMENTS.len()..];
        if !wanted.contains_key(sha) {
            ctx.fail(format!(
                "{name} is not the bytes of any attachment record in the bundle"
            ));
        }
    }
    outcome
}

/// SHA-256 (hex) and length of a member, streamed; the zip CRC is checked too.
fn hash_member<R: Read + Seek>(
    zip: &mut ZipArchive<R>,
    name: &str,
) -> Result<(String, u64), String> {
    let mut f = zip
        .by_name(name)
        .map_err(|e| format!("{name} cannot be read: {e}"))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut len = 0u64;
    loop {
        let n = f
            .read(&mut buf)
            .map_err(|e| format!("{name} cannot be read (damaged?): {e}"))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        len += n as u64;
    }
    Ok((hex::encode(hasher.finalize()), len))
}
