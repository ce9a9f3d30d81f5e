//! `palisade export`: write a disclosure record, then build the evidence
//! bundle (docs/bundle.md) from the ledger, atomically: the file appears
//! complete at its final path or not at all.

mod report;
mod select;
mod write;

pub use select::Range;

use crate::error::{Result, ServiceError};
use crate::ledger::{Palisade, Pending, now};
use palisade_bundle::Profile;
use palisade_core::compose::{self, DisclosedRecord, DisclosedTimestamp, NewDisclosure, Stamp};
use palisade_core::ids::new_id;
use palisade_core::record::Record;
use palisade_core::view;
use palisade_store::StoredRecord;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use zeroize::Zeroizing;

/// How to protect the bundle file for sending.
pub enum BundleEncryption {
    /// age with a passphrase (scrypt).
    Passphrase(Zeroizing<String>),
    /// age to an X25519 recipient (`age1…`).
    Recipient(String),
}

pub struct ExportOptions {
    pub case_id: String,
    pub profile: Profile,
    pub range: Range,
    pub include_clinical: bool,
    /// Why the bundle is made; required with `include_clinical`.
    pub reason: Option<String>,
    pub recipient: Option<String>,
    /// Who makes the export.
    pub by: String,
    pub out: PathBuf,
    pub encryption: Option<BundleEncryption>,
}

/// What an export wrote.
#[derive(Debug, Clone, Serialize)]
pub struct ExportReport {
    pub path: String,
    pub case: String,
    pub profile: String,
    pub disclosure_record: String,
    pub records: usize,
    pub attachments: usize,
    pub attachment_files: usize,
    pub attachments_withheld: usize,
    pub withheld_fields: usize,
    pub checkpoint_size: u64,
    pub key_fingerprint: String,
    pub bytes: u64,
    /// Hex SHA-256 of the file written (for the covering letter or email).
    pub sha256: String,
    /// `passphrase` or `age-recipient` when the file is encrypted.
    pub encrypted: Option<String>,
    pub timestamps: usize,
}

impl Palisade {
    /// Export a case as an evidence bundle under a profile.
    pub fn export(&self, o: &ExportOptions) -> Result<ExportReport> {
        self.check_export_options(o)?;
        let rows = self.store.case_records(&o.case_id)?;
        if rows.is_empty() {
            return Err(ServiceError::NotFound {
                what: "case",
                id: o.case_id.clone(),
            });
        }
        let opened: Vec<(StoredRecord, Record)> = rows
            .into_iter()
            .map(|row| {
                let r = self.open_record(&row)?;
                Ok((row, r))
            })
            .collect::<Result<_>>()?;
        let ledger: Vec<view::LedgerRecord> = opened
            .iter()
            .map(|(row, r)| view::LedgerRecord {
                leaf_index: row.leaf_index,
                record: r.clone(),
            })
            .collect();
        let case_view = view::fold_case(&o.case_id, &ledger)
            .map_err(|e| ServiceError::Integrity(e.to_string()))?;
        let chosen = select::choose(&opened, &case_view, o.profile, o.include_clinical, o.range);

        // Every stored token covers a checkpoint the bundle's tree extends.
        let timestamps = self.store.timestamps(u64::MAX)?;
        // The disclosure record goes to the ledger first, so the bundle can carry it.
        let disclosure = NewDisclosure {
            profile: o.profile.as_str().to_string(),
            recipient: o.recipient.clone(),
            reason: o.reason.clone(),
            by: o.by.clone(),
            range: range_value(o.range),
            include_clinical: o.include_clinical,
            records: chosen
                .iter()
                .map(|c| DisclosedRecord {
                    id: c.record.envelope.id.clone(),
                    leaf: c.row.leaf_index,
                    withheld: c.withheld.clone(),
                })
                .collect(),
            attachments_withheld: chosen
                .iter()
                .filter(|c| c.bytes_withheld.is_some())
                .map(|c| c.record.envelope.id.clone())
                .collect(),
            timestamps: timestamps
                .iter()
                .map(|t| DisclosedTimestamp {
                    size: t.size,
                    sha256: hex::encode(Sha256::digest(&t.token)),
                })
                .collect(),
        };
        let stamp = Stamp {
            id: new_id("disc")?,
            recorded_at: now(),
        };
        let record = compose::disclosure(&stamp, &o.case_id, &disclosure)?;
        let receipt = self
            .commit(vec![Pending {
                record: record.clone(),
                scope: o.case_id.clone(),
                new_key: None,
            }])?
            .into_iter()
            .next()
            .ok_or_else(|| ServiceError::Integrity("commit returned no receipt".into()))?;
        let row = self.store.record(&receipt.id)?.ok_or_else(|| {
            ServiceError::Integrity("the disclosure record just written is missing".into())
        })?;
        let disclosure_id = receipt.id.clone();
        write::build(self, o, &case_view, &chosen, (&row, &record), receipt.tree_size, &timestamps).map_err(|e| {
            ServiceError::Invalid(format!(
                "the disclosure record {disclosure_id} was written, but the bundle could not be: {e}"
            ))
        })
    }

    fn check_export_options(&self, o: &ExportOptions) -> Result<()> {
        let reason = o.reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
        if o.include_clinical {
            if !o.profile.can_include_clinical() {
                return Err(ServiceError::Invalid(format!(
                    "--include-clinical applies to the police, manager and gmc profiles; the {} profile already includes clinical notes",
                    o.profile
                )));
            }
            if reason.is_none() {
                return Err(ServiceError::Invalid(
                    "--include-clinical needs --reason: say why clinical information must be disclosed (it is recorded in the ledger)".into(),
                ));
            }
        }
        if let (Some(f), Some(t)) = (o.range.from, o.range.to)
            && f > t
        {
            return Err(ServiceError::Invalid(format!(
                "--from {f} is after --to {t}"
            )));
        }
        if o.by.trim().is_empty() {
            return Err(ServiceError::Invalid(
                "say who is making the export (--by)".into(),
            ));
        }
        if o.out.exists() {
            return Err(ServiceError::AlreadyExists(format!(
                "{} already exists; choose another file name (Palisade never overwrites a bundle)",
                o.out.display()
            )));
        }
        let parent = o.out.parent().filter(|p| !p.as_os_str().is_empty());
        if let Some(p) = parent
            && !p.is_dir()
        {
            return Err(ServiceError::Invalid(format!(
                "folder {} does not exist",
                p.display()
            )));
        }
        Ok(())
    }
}

fn range_value(r: Range) -> Option<serde_json::Value> {
    if r.is_all() {
        return None;
    }
    let mut m = serde_json::Map::new();
    if let Some(f) = r.from {
        m.insert("from".into(), f.to_string().into());
    }
    if let Some(t) = r.to {
        m.insert("to".into(), t.to_string().into());
    }
    Some(serde_json::Value::Object(m))
}
