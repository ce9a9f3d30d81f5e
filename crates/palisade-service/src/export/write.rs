//! Assembling the bundle once the disclosure record is in the ledger.

use super::select::Chosen;
use super::{BundleEncryption, ExportOptions, ExportReport};
use crate::error::{Result, ServiceError};
use crate::ledger::Palisade;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use palisade_bundle::format::{
    CheckpointRef, ConsistencyProof, InclusionProof, Manifest, ManifestAttachment, ManifestRecord,
    ManifestTimestamp, Proofs, RecordLine,
};
use palisade_bundle::zipfile::BundleZip;
use palisade_bundle::{FORMAT, VERSION, howto, names, sealed};
use palisade_core::domain::{RecordKind, field};
use palisade_core::merkle::{Hash, MerkleTree};
use palisade_core::record::Record;
use palisade_core::view::CaseView;
use palisade_store::{StoredRecord, StoredTimestamp};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};

fn b64(h: &Hash) -> String {
    STANDARD.encode(h)
}

fn integrity(e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Integrity(e.to_string())
}

pub(super) fn build(
    p: &Palisade,
    o: &ExportOptions,
    view: &CaseView,
    chosen: &[Chosen<'_>],
    disclosure: (&StoredRecord, &Record),
    tree_size: u64,
    stored_timestamps: &[StoredTimestamp],
) -> Result<ExportReport> {
    let mut items: Vec<Chosen<'_>> = chosen.to_vec();
    items.push(Chosen {
        row: disclosure.0,
        record: disclosure.1,
        withheld: Vec::new(),
        bytes_withheld: None,
    });
    items.sort_by_key(|i| i.row.leaf_index);

    // The signed tree the proofs lead to: the checkpoint written with the disclosure record.
    let head = p
        .store
        .checkpoint_at(tree_size)?
        .ok_or_else(|| integrity(format!("no checkpoint of size {tree_size}")))?;
    let body = p.verifier.verify(&head.note).map_err(integrity)?;
    let tree = MerkleTree::new(p.store.leaf_hashes(0, tree_size)?);
    if tree.root_at(tree_size).map_err(integrity)? != body.root {
        return Err(integrity("the stored leaves do not give the signed root"));
    }

    // records.jsonl and the inclusion proofs.
    let mut records_jsonl = Vec::new();
    let mut inclusion = Vec::with_capacity(items.len());
    let mut manifest_records = Vec::with_capacity(items.len());
    for it in &items {
        let line = RecordLine {
            leaf_index: it.row.leaf_index,
            envelope: String::from_utf8(it.row.envelope.clone()).map_err(integrity)?,
            disclosures: it
                .record
                .disclosures
                .iter()
                .filter(|d| !it.withheld.contains(&d.name))
                .map(|d| String::from_utf8(d.to_bytes()).map_err(integrity))
                .collect::<Result<_>>()?,
            withheld: it.withheld.clone(),
        };
        serde_json::to_writer(&mut records_jsonl, &line).map_err(integrity)?;
        records_jsonl.push(b'\n');
        let path = tree
            .inclusion_proof(it.row.leaf_index, tree_size)
            .map_err(integrity)?;
        inclusion.push(InclusionProof {
            leaf_index: it.row.leaf_index,
            path: path.iter().map(b64).collect(),
        });
        manifest_records.push(ManifestRecord {
            leaf_index: it.row.leaf_index,
            id: it.record.envelope.id.clone(),
            kind: it.record.envelope.kind.as_str().to_string(),
            disclosed: it
                .record
                .disclosures
                .iter()
                .map(|d| d.name.clone())
                .filter(|n| !it.withheld.contains(n))
                .collect(),
            withheld: it.withheld.clone(),
        });
    }

    // From the checkpoint signed with the case's first record to now.
    let first_leaf = items.first().map_or(0, |i| i.row.leaf_index);
    let first = p
        .store
        .checkpoint_covering(first_leaf)?
        .ok_or_else(|| integrity("no checkpoint covers the case's first record"))?;
    let consistency = ConsistencyProof {
        checkpoint: first.note.clone(),
        path: tree
            .consistency_proof(first.size, tree_size)
            .map_err(integrity)?
            .iter()
            .map(b64)
            .collect(),
    };

    // Timestamp tokens over checkpoints this tree extends.
    let mut timestamps = Vec::new();
    let mut timestamp_proofs = Vec::new();
    let mut per_size: BTreeMap<u64, usize> = BTreeMap::new();
    for t in stored_timestamps {
        let covered = p
            .store
            .checkpoint_at(t.size)?
            .ok_or_else(|| integrity(format!("timestamp over missing checkpoint {}", t.size)))?;
        let n = per_size.entry(t.size).or_default();
        *n += 1;
        timestamps.push(ManifestTimestamp {
            file: names::timestamp(t.size, *n),
            checkpoint_size: t.size,
            authority: t.authority.clone(),
        });
        timestamp_proofs.push(ConsistencyProof {
            checkpoint: covered.note,
            path: tree
                .consistency_proof(t.size, tree_size)
                .map_err(integrity)?
                .iter()
                .map(b64)
                .collect(),
        });
    }

    // Attachments: the manifest list, and which bytes travel.
    let mut attachments = Vec::new();
    let mut files: BTreeMap<String, (u64, String)> = BTreeMap::new(); // sha → (size, media type)
    for it in items
        .iter()
        .filter(|i| i.record.envelope.kind == RecordKind::Attachment)
    {
        let r = it.record;
        let sha = r.text(field::SHA256).unwrap_or_default().to_string();
        let size = r
            .value(field::SIZE)
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0);
        let media_type = r.text(field::MEDIA_TYPE).unwrap_or_default().to_string();
        let file = it.bytes_withheld.is_none().then(|| names::attachment(&sha));
        if file.is_some() {
            files.insert(sha.clone(), (size, media_type.clone()));
        }
        attachments.push(ManifestAttachment {
            record: r.envelope.id.clone(),
            belongs_to: r.envelope.target.clone().unwrap_or_default(),
            sha256: sha,
            size,
            media_type,
            name: r.text(field::NAME).unwrap_or_default().to_string(),
            file,
            withheld: it.bytes_withheld.map(str::to_string),
        });
    }

    let disclosure_env = &disclosure.1.envelope;
    let manifest = Manifest {
        format: FORMAT.into(),
        version: VERSION,
        case: o.case_id.clone(),
        profile: o.profile.as_str().into(),
        profile_description: o.profile.description(o.include_clinical),
        include_clinical: o.include_clinical,
        disclosure_record: disclosure_env.id.clone(),
        exported_at: disclosure_env.recorded_at.clone(),
        exported_by: o.by.clone(),
        recipient: o.recipient.clone(),
        reason: o.reason.clone(),
        checkpoint: CheckpointRef {
            origin: body.origin.clone(),
            size: tree_size,
            root: b64(&body.root),
            key_fingerprint: p.verifier.fingerprint(),
        },
        records: manifest_records,
        attachments,
        timestamps,
    };
    let proofs = Proofs {
        tree_size,
        inclusion,
        consistency,
        timestamps: timestamp_proofs,
    };

    // The zip, in a temporary file beside the destination.
    let dir = o
        .out
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .map_or_else(
            || std::path::PathBuf::from("."),
            std::path::Path::to_path_buf,
        );
    let io = |e: std::io::Error| ServiceError::Io {
        path: o.out.display().to_string(),
        source: e,
    };
    let zipfail = |e: palisade_bundle::zipfile::ZipWriteError| ServiceError::Invalid(e.to_string());
    let tmp = tempfile::NamedTempFile::new_in(&dir).map_err(io)?;
    let mut zip = BundleZip::new(
        BufWriter::with_capacity(1 << 20, tmp.reopen().map_err(io)?),
        zip_time(&manifest.exported_at),
    );
    use erased::Json as _;
    zip.add(names::VERIFY, howto::verify_md(&manifest).as_bytes())
        .map_err(zipfail)?;
    zip.add(names::MANIFEST, &manifest.pretty())
        .map_err(zipfail)?;
    zip.add(names::CHECKPOINT, head.note.as_bytes())
        .map_err(zipfail)?;
    zip.add(
        names::PUBLIC_KEY,
        format!("{}\n", p.verifier.to_vkey()).as_bytes(),
    )
    .map_err(zipfail)?;
    zip.add(names::PROOFS, &proofs.pretty()).map_err(zipfail)?;
    zip.add(names::RECORDS, &records_jsonl).map_err(zipfail)?;
    for (t, stored) in manifest.timestamps.iter().zip(stored_timestamps) {
        zip.add(&t.file, &stored.token).map_err(zipfail)?;
    }
    // Attachment bytes stream into the zip; images also go to thumbnail
    // workers on the other cores, so decoding overlaps the copying.
    let thumbnails = std::sync::Mutex::new(BTreeMap::new());
    let (tx, rx) = std::sync::mpsc::sync_channel::<(String, String, Vec<u8>)>(2);
    let rx = std::sync::Mutex::new(rx);
    std::thread::scope(|scope| -> Result<()> {
        let workers = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, 4);
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let job = rx.lock().ok().and_then(|r| r.recv().ok());
                    let Some((sha, media_type, bytes)) = job else {
                        break;
                    };
                    if let Some(t) = palisade_report::make_thumbnail(&bytes, &media_type)
                        && let Ok(mut map) = thumbnails.lock()
                    {
                        map.insert(sha, t);
                    }
                }
            });
        }
        for (sha, (size, media_type)) in &files {
            let member = names::attachment(sha);
            let w = zip.start_stored(&member, *size).map_err(zipfail)?;
            if media_type.starts_with("image/") && *size <= super::report::THUMBNAIL_SOURCE_LIMIT {
                let mut tee = Tee {
                    out: w,
                    copy: Vec::with_capacity(usize::try_from(*size).unwrap_or(0)),
                };
                p.read_attachment(&o.case_id, sha, *size, &mut tee)?;
                // A worker that has stopped only costs the thumbnail.
                let _ = tx.send((sha.clone(), media_type.clone(), tee.copy));
            } else {
                p.read_attachment(&o.case_id, sha, *size, w)?;
            }
        }
        drop(tx);
        Ok(())
    })?;
    drop(rx);
    let thumbnails = thumbnails.into_inner().unwrap_or_default();
    let pdf = super::report::render(p, o, view, &manifest, &items, stored_timestamps, thumbnails)?;
    zip.add(names::REPORT, &pdf).map_err(zipfail)?;
    let mut buffered = zip.finish().map_err(zipfail)?;
    buffered.flush().map_err(io)?;
    drop(buffered);

    // Hash, encrypt if asked, then move into place.
    let (final_tmp, encrypted) = match &o.encryption {
        None => (tmp, None),
        Some(e) => {
            let sealed_tmp = tempfile::NamedTempFile::new_in(&dir).map_err(io)?;
            let mut plain = tmp.reopen().map_err(io)?;
            plain.seek(SeekFrom::Start(0)).map_err(io)?;
            let out = BufWriter::new(sealed_tmp.reopen().map_err(io)?);
            let how = match e {
                BundleEncryption::Passphrase(pw) => {
                    sealed::encrypt_with_passphrase(&mut plain, out, pw)
                        .map_err(|e| ServiceError::Invalid(e.to_string()))?;
                    "passphrase"
                }
                BundleEncryption::Recipient(r) => {
                    sealed::encrypt_to_recipient(&mut plain, out, r)
                        .map_err(|e| ServiceError::Invalid(e.to_string()))?;
                    "age-recipient"
                }
            };
            (sealed_tmp, Some(how.to_string()))
        }
    };
    let (bytes, sha256) = hash_file(final_tmp.reopen().map_err(io)?).map_err(io)?;
    final_tmp.as_file().sync_all().map_err(io)?;
    final_tmp
        .persist_noclobber(&o.out)
        .map_err(|e| io(e.error))?;
    if let Ok(d) = std::fs::File::open(&dir) {
        let _ = d.sync_all();
    }

    Ok(ExportReport {
        path: o.out.display().to_string(),
        case: o.case_id.clone(),
        profile: o.profile.as_str().into(),
        disclosure_record: disclosure_env.id.clone(),
        records: manifest.records.len(),
        attachments: manifest.attachments.len(),
        attachment_files: files.len(),
        attachments_withheld: manifest
            .attachments
            .iter()
            .filter(|a| a.file.is_none())
            .count(),
        withheld_fields: manifest.records.iter().map(|r| r.withheld.len()).sum(),
        checkpoint_size: tree_size,
        key_fingerprint: manifest.checkpoint.key_fingerprint.clone(),
        bytes,
        sha256,
        encrypted,
        timestamps: manifest.timestamps.len(),
    })
}

/// Writes through to `out` and keeps a copy (an image, for its thumbnail).
struct Tee<'a, W: Write> {
    out: &'a mut W,
    copy: Vec<u8>,
}

impl<W: Write> Write for Tee<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.out.write(buf)?;
        self.copy.extend_from_slice(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

fn hash_file(mut f: std::fs::File) -> std::io::Result<(u64, String)> {
    f.seek(SeekFrom::Start(0))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut len = 0u64;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        len += n as u64;
    }
    Ok((len, hex::encode(hasher.finalize())))
}

/// The zip members' modification time: the export time, in UTC.
fn zip_time(exported_at: &str) -> (u16, u8, u8, u8, u8, u8) {
    let t = exported_at
        .parse::<jiff::Timestamp>()
        .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).datetime())
        .unwrap_or_default();
    (
        u16::try_from(t.year()).unwrap_or(1980),
        t.month() as u8,
        t.day() as u8,
        t.hour() as u8,
        t.minute() as u8,
        t.second() as u8,
    )
}

mod erased {
    /// Pretty JSON of any serialisable document (serialising these cannot fail).
    pub trait Json {
        fn pretty(&self) -> Vec<u8>;
    }
    impl<T: serde::Serialize> Json for T {
        fn pretty(&self) -> Vec<u8> {
            let mut v = serde_json::to_vec_pretty(self).unwrap_or_default();
            v.push(b'\n');
            v
        }
    }
}
