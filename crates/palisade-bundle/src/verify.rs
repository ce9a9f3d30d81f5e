//! Checking a bundle with nothing but its bytes (docs/bundle.md section 8).
//!
//! Every check that fails adds one message naming the member, record or
//! field at fault; checking goes on as far as it can, so one report lists
//! every problem.

use crate::format::{Manifest, Proofs, RecordLine};
use crate::{FORMAT, VERSION, names};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use palisade_core::checkpoint::{CheckpointBody, NoteVerifier};
use palisade_core::compose::{DisclosedRecord, DisclosedTimestamp};
use palisade_core::domain::{ActionKind, RecordKind, field};
use palisade_core::merkle::{self, Hash};
use palisade_core::record::{Disclosure, Envelope};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Seek};
use zip::ZipArchive;

mod attachments;
mod records;

/// Largest JSON or text member read into memory (a 1M-record manifest fits).
const MAX_DOCUMENT: u64 = 1 << 30;

/// What a timestamp token check found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimestampCheck {
    pub file: String,
    pub checkpoint_size: u64,
    /// The time the authority vouches for (RFC 3339).
    pub time: String,
    /// The authority's signing certificate subject.
    pub signer: String,
    /// Hex SHA-256 of the authority's signing certificate.
    pub signer_certificate_sha256: String,
}

/// Checks an RFC 3161 token against the SHA-256 it should cover.
pub trait TokenVerifier {
    /// `Ok((time, signer, certificate sha256))` or a description of the problem.
    fn verify(&self, token: &[u8], digest: &[u8; 32]) -> Result<(String, String, String), String>;
}

/// RFC 3161 tokens checked with `palisade-timestamp` (docs/bundle.md section 7).
pub struct Rfc3161;

impl TokenVerifier for Rfc3161 {
    fn verify(&self, token: &[u8], digest: &[u8; 32]) -> Result<(String, String, String), String> {
        palisade_timestamp::verify_token(token, digest)
            .map(|i| (i.gen_time, i.signer_subject, i.signer_certificate_sha256))
            .map_err(|e| e.to_string())
    }
}

/// The outcome of [`verify_bundle`]; `ok` only when `errors` is empty.
#[derive(Debug, Clone, Default, Serialize)]
pub struct BundleReport {
    pub ok: bool,
    /// False when the file is not a zip archive at all (nothing else was checked).
    pub readable: bool,
    pub case: Option<String>,
    pub profile: Option<String>,
    pub profile_description: Option<String>,
    pub exported_at: Option<String>,
    pub exported_by: Option<String>,
    pub recipient: Option<String>,
    /// Records in the bundle.
    pub records: usize,
    /// Attachment records in the bundle.
    pub attachments: usize,
    /// Attachments whose bytes are in the bundle and match their hash.
    pub attachment_files_verified: usize,
    /// Attachments whose bytes the profile left out.
    pub attachments_withheld: usize,
    /// Fields committed but not disclosed, over all records.
    pub withheld_fields: usize,
    /// Records with at least one field withheld.
    pub records_with_withheld_fields: usize,
    /// Records whose clinical notes are withheld.
    pub clinical_withheld_records: usize,
    pub key_fingerprint: Option<String>,
    pub checkpoint_origin: Option<String>,
    pub checkpoint_size: Option<u64>,
    pub checkpoint_root: Option<String>,
    pub timestamps: Vec<TimestampCheck>,
    pub errors: Vec<String>,
}

/// What one record contributed, kept for the cross-checks.
pub(crate) struct Checked {
    pub leaf_index: u64,
    pub envelope: Envelope,
    pub leaf_hash: Hash,
    pub disclosed: BTreeMap<String, serde_json::Value>,
    pub withheld: Vec<String>,
}

impl Checked {
    fn text(&self, name: &str) -> Option<&str> {
        self.disclosed.get(name).and_then(|v| v.as_str())
    }
}

pub(crate) struct Ctx {
    pub errors: Vec<String>,
}

impl Ctx {
    pub fn fail(&mut self, message: impl Into<String>) {
        self.errors.push(message.into());
    }
}

/// Check a bundle read from `reader`. Timestamp tokens are checked with `tokens`.
pub fn verify_bundle<R: Read + Seek>(mut reader: R, tokens: &dyn TokenVerifier) -> BundleReport {
    let mut report = BundleReport::default();
    let mut ctx = Ctx { errors: Vec::new() };
    // The central directory's own entry count: the zip reader keeps one entry
    // per name, so a second member of the same name would otherwise go unseen.
    let declared = central_directory_names(&mut reader);
    match ZipArchive::new(reader) {
        Ok(mut zip) => {
            report.readable = true;
            let mut seen = BTreeSet::new();
            for name in declared.iter().flatten() {
                if !seen.insert(name) {
                    ctx.fail(format!(
                        "the zip holds two members named {name}: readers disagree on which one counts"
                    ));
                }
            }
            check(&mut zip, tokens, &mut report, &mut ctx)
        }
        Err(e) => ctx.fail(format!("the file is not a readable zip archive: {e}")),
    }
    report.errors = ctx.errors;
    report.ok = report.errors.is_empty();
    report
}

fn check<R: Read + Seek>(
    zip: &mut ZipArchive<R>,
    tokens: &dyn TokenVerifier,
    report: &mut BundleReport,
    ctx: &mut Ctx,
) {
    let members = member_names(zip, ctx);
    let mut read = |name: &str, ctx: &mut Ctx| -> Option<Vec<u8>> {
        if !members.contains(name) {
            ctx.fail(format!("{name} is missing from the bundle"));
            return None;
        }
        read_member(zip, name).map_err(|e| ctx.fail(e)).ok()
    };

    // The key and the signed checkpoint: everything else is checked against them.
    let verifier = read(names::PUBLIC_KEY, ctx).and_then(|b| {
        let text = String::from_utf8_lossy(&b).trim().to_string();
        NoteVerifier::from_vkey(&text)
            .map_err(|e| {
                ctx.fail(format!(
                    "{}: not a Palisade verifier key: {e}",
                    names::PUBLIC_KEY
                ))
            })
            .ok()
    });
    report.key_fingerprint = verifier.as_ref().map(NoteVerifier::fingerprint);
    let checkpoint_text =
        read(names::CHECKPOINT, ctx).map(|b| String::from_utf8_lossy(&b).into_owned());
    let head: Option<CheckpointBody> = match (&verifier, &checkpoint_text) {
        (Some(v), Some(note)) => v
            .verify(note)
            .map_err(|e| {
                ctx.fail(format!(
                    "{}: the signature does not verify with the key in {} ({e})",
                    names::CHECKPOINT,
                    names::PUBLIC_KEY
                ))
            })
            .ok(),
        _ => None,
    };
    if let (Some(h), Some(v)) = (&head, &verifier)
        && h.origin != v.name()
    {
        ctx.fail(format!(
            "{}: origin {} is not the name of the key in {} ({})",
            names::CHECKPOINT,
            h.origin,
            names::PUBLIC_KEY,
            v.name()
        ));
    }
    if let Some(h) = &head {
        report.checkpoint_origin = Some(h.origin.clone());
        report.checkpoint_size = Some(h.size);
        report.checkpoint_root = Some(STANDARD.encode(h.root));
    }

    let manifest: Option<Manifest> = read(names::MANIFEST, ctx).and_then(|b| {
        serde_json::from_slice(&b)
            .map_err(|e| ctx.fail(format!("{}: not a valid manifest: {e}", names::MANIFEST)))
            .ok()
    });
    let Some(manifest) = manifest else { return };
    if manifest.format != FORMAT || manifest.version != VERSION {
        ctx.fail(format!(
            "{}: format '{}' version {} is not {FORMAT} version {VERSION}",
            names::MANIFEST,
            manifest.format,
            manifest.version
        ));
        return;
    }
    report.case = Some(manifest.case.clone());
    report.profile = Some(manifest.profile.clone());
    report.profile_description = Some(manifest.profile_description.clone());
    report.exported_at = Some(manifest.exported_at.clone());
    report.exported_by = Some(manifest.exported_by.clone());
    report.recipient = manifest.recipient.clone();
    if let Some(h) = &head {
        let c = &manifest.checkpoint;
        if c.origin != h.origin || c.size != h.size || c.root != STANDARD.encode(h.root) {
            ctx.fail(format!(
                "{}: its checkpoint (size {}, root {}) is not the one in {}",
                names::MANIFEST,
                c.size,
                c.root,
                names::CHECKPOINT
            ));
        }
    }
    if let Some(fp) = &report.key_fingerprint
        && *fp != manifest.checkpoint.key_fingerprint
    {
        ctx.fail(format!(
            "{}: key fingerprint {} is not the fingerprint of {} ({fp})",
            names::MANIFEST,
            manifest.checkpoint.key_fingerprint,
            names::PUBLIC_KEY
        ));
    }

    // Records: each disclosure against its digest.
    let lines: Vec<RecordLine> = read(names::RECORDS, ctx)
        .map(|b| records::parse_lines(&b, ctx))
        .unwrap_or_default();
    let checked = records::check_records(&lines, &manifest.case, ctx);
    report.records = checked.len();
    report.withheld_fields = checked.iter().map(|c| c.withheld.len()).sum();
    report.records_with_withheld_fields = checked.iter().filter(|c| !c.withheld.is_empty()).count();
    report.clinical_withheld_records = checked
        .iter()
        .filter(|c| c.withheld.iter().any(|w| is_clinical_field(c, w)))
        .count();
    records::check_manifest_records(&manifest, &checked, ctx);

    // Proofs: every record in the signed tree; the tree an extension of the
    // one signed when the case began.
    let proofs: Option<Proofs> = read(names::PROOFS, ctx).and_then(|b| {
        serde_json::from_slice(&b)
            .map_err(|e| ctx.fail(format!("{}: not valid proofs: {e}", names::PROOFS)))
            .ok()
    });
    if let (Some(proofs), Some(head), Some(verifier)) = (&proofs, &head, &verifier) {
        check_proofs(proofs, head, verifier, &checked, ctx);
    }

    // The disclosure record: the ledger's own list of what this bundle holds.
    let withheld_attachments = records::check_disclosure_record(&manifest, &checked, ctx);

    // Attachments: records, manifest and bytes agree.
    let outcome = attachments::check(
        zip,
        &members,
        &manifest,
        &checked,
        &withheld_attachments,
        ctx,
    );
    report.attachments = outcome.records;
    report.attachment_files_verified = outcome.files_verified;
    report.attachments_withheld = outcome.withheld;

    // Timestamp tokens.
    if let (Some(proofs), Some(head), Some(verifier)) = (&proofs, &head, &verifier) {
        report.timestamps = check_timestamps(
            zip, &members, &manifest, proofs, head, verifier, tokens, ctx,
        );
    }

    // The tokens are the ones the disclosure record says the bundle carries.
    if let Some(d) = checked.iter().find(|c| {
        c.envelope.id == manifest.disclosure_record && c.envelope.kind == RecordKind::Disclosure
    }) {
        let listed: BTreeSet<(u64, String)> = d
            .disclosed
            .get(field::TIMESTAMPS)
            .and_then(|v| serde_json::from_value::<Vec<DisclosedTimestamp>>(v.clone()).ok())
            .unwrap_or_default()
            .into_iter()
            .map(|t| (t.size, t.sha256))
            .collect();
        let mut present = BTreeSet::new();
        for t in &manifest.timestamps {
            if members.contains(&t.file)
                && let Ok(bytes) = read_member(zip, &t.file)
            {
                present.insert((t.checkpoint_size, hex::encode(Sha256::digest(&bytes))));
            }
        }
        for (size, sha) in listed.difference(&present) {
            ctx.fail(format!(
                "the timestamp token over checkpoint {size} (SHA-256 {sha}) is listed in the disclosure record but missing from the bundle"
            ));
        }
        for (size, sha) in present.difference(&listed) {
            ctx.fail(format!(
                "a timestamp token over checkpoint {size} (SHA-256 {sha}) is in the bundle but not in the disclosure record"
            ));
        }
    }

    // Nothing in the zip that the format does not name.
    let tokens_listed: BTreeSet<&str> = manifest
        .timestamps
        .iter()
        .map(|t| t.file.as_str())
        .collect();
    for name in members.iter().filter(|n| n.starts_with(names::TIMESTAMPS)) {
        if !tokens_listed.contains(name.as_str()) {
            ctx.fail(format!(
                "{name} is not a timestamp token listed in {}",
                names::MANIFEST
            ));
        }
    }
    for name in &members {
        let known = [
            names::MANIFEST,
            names::RECORDS,
            names::PROOFS,
            names::CHECKPOINT,
            names::PUBLIC_KEY,
            names::REPORT,
            names::VERIFY,
        ]
        .contains(&name.as_str())
            || name.starts_with(names::ATTACHMENTS)
            || name.starts_with(names::TIMESTAMPS);
        if !known {
            ctx.fail(format!("unexpected member {name} in the bundle"));
        }
    }
}

/// Whether withheld field `name` of `c` is clinical information.
fn is_clinical_field(c: &Checked, name: &str) -> bool {
    field::CLINICAL_FIELDS.contains(&name)
        || (name == field::NOTES
            && c.envelope.kind == RecordKind::Action
            && c.text(field::KIND) == Some(ActionKind::PsychiatricReferral.as_str()))
}

/// The member names in the zip's central directory, duplicates included, read
/// from the end of the file (zip64 when present); `None` when not found.
fn central_directory_names<R: Read + Seek>(r: &mut R) -> Option<Vec<String>> {
    use std::io::SeekFrom;
    let le16 = |b: &[u8], i: usize| u16::from_le_bytes([b[i], b[i + 1]]);
    let le32 = |b: &[u8], i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
    let len = r.seek(SeekFrom::End(0)).ok()?;
    let tail_len = len.min(22 + 65_535 + 20);
    r.seek(SeekFrom::Start(len - tail_len)).ok()?;
    let mut tail = vec![0u8; usize::try_from(tail_len).ok()?];
    r.read_exact(&mut tail).ok()?;
    let at = (0..=tail.len().checked_sub(22)?)
        .rev()
        .find(|&i| tail[i..i + 4] == [0x50, 0x4b, 0x05, 0x06])?;
    let (mut size, mut offset) = (
        u64::from(le32(&tail, at + 12)),
        u64::from(le32(&tail, at + 16)),
    );
    if le16(&tail, at + 10) == 0xFFFF || size == 0xFFFF_FFFF || offset == 0xFFFF_FFFF {
        // Zip64: the locator sits just before the EOCD and points at the zip64 EOCD.
        let loc = at.checked_sub(20)?;
        if tail[loc..loc + 4] != [0x50, 0x4b, 0x06, 0x07] {
            return None;
        }
        let mut rec = [0u8; 56];
        r.seek(SeekFrom::Start(u64::from_le_bytes(
            tail[loc + 8..loc + 16].try_into().ok()?,
        )))
        .ok()?;
        r.read_exact(&mut rec).ok()?;
        if rec[..4] != [0x50, 0x4b, 0x06, 0x06] {
            return None;
        }
        size = u64::from_le_bytes(rec[40..48].try_into().ok()?);
        offset = u64::from_le_bytes(rec[48..56].try_into().ok()?);
    }
    if size > MAX_DOCUMENT {
        return None;
    }
    let mut cd = vec![0u8; usize::try_from(size).ok()?];
    r.seek(SeekFrom::Start(offset)).ok()?;
    r.read_exact(&mut cd).ok()?;
    r.seek(SeekFrom::Start(0)).ok()?;
    let mut names = Vec::new();
    let mut i = 0usize;
    while i + 46 <= cd.len() && cd[i..i + 4] == [0x50, 0x4b, 0x01, 0x02] {
        let (n, x, c) = (
            usize::from(le16(&cd, i + 28)),
            usize::from(le16(&cd, i + 30)),
            usize::from(le16(&cd, i + 32)),
        );
        let name = cd.get(i + 46..i + 46 + n)?;
        names.push(String::from_utf8_lossy(name).into_owned());
        i += 46 + n + x + c;
    }
    Some(names)
}

/// Member names, refusing duplicates and paths that could escape a folder.
fn member_names<R: Read + Seek>(zip: &mut ZipArchive<R>, ctx: &mut Ctx) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for i in 0..zip.len() {
        let name = match zip
            .by_index_raw(i)
            .and_then(|f| f.name().map(|n| n.to_string()))
        {
            Ok(n) => n,
            Err(e) => {
                ctx.fail(format!("zip member {i} cannot be read: {e}"));
                continue;
            }
        };
        let unsafe_path = name.starts_with('/')
            || name.contains('\\')
            || name.split('/').any(|p| p == ".." || p == ".");
        if unsafe_path {
            ctx.fail(format!("zip member {name:?} has an unsafe path"));
            continue;
        }
        if !out.insert(name.clone()) {
            ctx.fail(format!("the zip holds two members named {name}"));
        }
    }
    out
}

/// A whole member, with its zip CRC checked.
fn read_member<R: Read + Seek>(zip: &mut ZipArchive<R>, name: &str) -> Result<Vec<u8>, String> {
    let f = zip
        .by_name(name)
        .map_err(|e| format!("{name} cannot be read: {e}"))?;
    if f.size() > MAX_DOCUMENT {
        return Err(format!(
            "{name} is {} bytes, more than a bundle document can be",
            f.size()
        ));
    }
    let mut out = Vec::with_capacity(usize::try_from(f.size()).unwrap_or(0));
    f.take(MAX_DOCUMENT)
        .read_to_end(&mut out)
        .map_err(|e| format!("{name} cannot be read (damaged?): {e}"))?;
    Ok(out)
}

pub(crate) fn decode_hash(s: &str) -> Option<Hash> {
    STANDARD.decode(s).ok()?.try_into().ok()
}

fn decode_path(path: &[String]) -> Option<Vec<Hash>> {
    path.iter().map(|s| decode_hash(s)).collect()
}

pub(crate) fn b64url_sha256(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(bytes))
}

fn check_proofs(
    proofs: &Proofs,
    head: &CheckpointBody,
    verifier: &NoteVerifier,
    checked: &[Checked],
    ctx: &mut Ctx,
) {
    if proofs.tree_size != head.size {
        ctx.fail(format!(
            "{}: tree size {} is not the checkpoint's size {}",
            names::PROOFS,
            proofs.tree_size,
            head.size
        ));
        return;
    }
    let mut paths: BTreeMap<u64, &Vec<String>> = BTreeMap::new();
    for p in &proofs.inclusion {
        if paths.insert(p.leaf_index, &p.path).is_some() {
            ctx.fail(format!(
                "{}: two inclusion proofs for leaf {}",
                names::PROOFS,
                p.leaf_index
            ));
        }
    }
    for c in checked {
        let what = format!("record {} (leaf {})", c.envelope.id, c.leaf_index);
        let Some(path) = paths.remove(&c.leaf_index) else {
            ctx.fail(format!("{what}: no inclusion proof in {}", names::PROOFS));
            continue;
        };
        let ok = decode_path(path).is_some_and(|path| {
            merkle::verify_inclusion(c.leaf_index, head.size, &c.leaf_hash, &path, &head.root)
                .is_ok()
        });
        if !ok {
            ctx.fail(format!(
                "{what}: its inclusion proof does not lead to the signed root: the record or the proof was altered"
            ));
        }
    }
    for leaf in paths.keys() {
        ctx.fail(format!(
            "{}: inclusion proof for leaf {leaf}, which is not in {}",
            names::PROOFS,
            names::RECORDS
        ));
    }

    // The case's history since its first record is an append-only extension.
    let first = checked
        .iter()
        .find(|c| c.envelope.kind == RecordKind::CaseOpened);
    match verify_extension(
        &proofs.consistency.checkpoint,
        &proofs.consistency.path,
        head,
        verifier,
    ) {
        Ok(old) => {
            if let Some(first) = first
                && old.size <= first.leaf_index
            {
                ctx.fail(format!(
                    "{}: the earlier checkpoint (size {}) does not contain the case's first record (leaf {})",
                    names::PROOFS,
                    old.size,
                    first.leaf_index
                ));
            }
        }
        Err(e) => ctx.fail(format!("{}: case consistency proof: {e}", names::PROOFS)),
    }
}

/// Verify that the signed note `note` is an earlier state of the tree `head`.
fn verify_extension(
    note: &str,
    path: &[String],
    head: &CheckpointBody,
    verifier: &NoteVerifier,
) -> Result<CheckpointBody, String> {
    let old = verifier
        .verify(note)
        .map_err(|e| format!("the earlier checkpoint's signature does not verify ({e})"))?;
    if old.origin != head.origin {
        return Err(format!(
            "the earlier checkpoint is from another log ({})",
            old.origin
        ));
    }
    let path = decode_path(path).ok_or("a proof hash is not 32 bytes of base64")?;
    merkle::verify_consistency(old.size, head.size, &old.root, &head.root, &path).map_err(|e| {
        format!(
            "the tree of {} leaves is not an append-only extension of the tree of {} ({e})",
            head.size, old.size
        )
    })?;
    Ok(old)
}

#[allow(clippy::too_many_arguments)]
fn check_timestamps<R: Read + Seek>(
    zip: &mut ZipArchive<R>,
    members: &BTreeSet<String>,
    manifest: &Manifest,
    proofs: &Proofs,
    head: &CheckpointBody,
    verifier: &NoteVerifier,
    tokens: &dyn TokenVerifier,
    ctx: &mut Ctx,
) -> Vec<TimestampCheck> {
    let mut out = Vec::new();
    if manifest.timestamps.len() != proofs.timestamps.len() {
        ctx.fail(format!(
            "{} lists {} timestamp tokens but {} has {} timestamp proofs",
            names::MANIFEST,
            manifest.timestamps.len(),
            names::PROOFS,
            proofs.timestamps.len()
        ));
        return out;
    }
    for (t, proof) in manifest.timestamps.iter().zip(&proofs.timestamps) {
        if !members.contains(&t.file) || !t.file.starts_with(names::TIMESTAMPS) {
            ctx.fail(format!(
                "timestamp token {} is missing from the bundle",
                t.file
            ));
            continue;
        }
        let covered = match verify_extension(&proof.checkpoint, &proof.path, head, verifier) {
            Ok(c) => c,
            Err(e) => {
                ctx.fail(format!("{}: {e}", t.file));
                continue;
            }
        };
        if covered.size != t.checkpoint_size {
            ctx.fail(format!(
                "{}: the manifest says it covers checkpoint {}, the proof's checkpoint is {}",
                t.file, t.checkpoint_size, covered.size
            ));
            continue;
        }
        let token = match read_member(zip, &t.file) {
            Ok(b) => b,
            Err(e) => {
                ctx.fail(e);
                continue;
            }
        };
        let digest: [u8; 32] = Sha256::digest(proof.checkpoint.as_bytes()).into();
        match tokens.verify(&token, &digest) {
            Ok((time, signer, cert)) => out.push(TimestampCheck {
                file: t.file.clone(),
                checkpoint_size: covered.size,
                time,
                signer,
                signer_certificate_sha256: cert,
            }),
            Err(e) => ctx.fail(format!("{}: {e}", t.file)),
        }
    }
    out
}

/// The disclosure record's list of records, parsed.
pub(crate) fn disclosed_list(c: &Checked) -> Option<Vec<DisclosedRecord>> {
    serde_json::from_value(c.disclosed.get(field::RECORDS)?.clone()).ok()
}

/// Parse one disclosure string into a [`Disclosure`].
pub(crate) fn parse_disclosure(s: &str) -> Option<Disclosure> {
    serde_json::from_str(s).ok()
}
