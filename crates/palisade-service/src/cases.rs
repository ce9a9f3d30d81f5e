//! The use cases a clinician drives: open and close a case, log a contact
//! with its attachments, record an action, correct or retract an entry, and
//! read a case back as a timeline.

use crate::attachments::{AttachmentFile, UploadedFile};
use crate::error::{Result, ServiceError};
use crate::ledger::{Palisade, Pending, Receipt, now};
use palisade_core::compose::{self, EntryPatch, NewAction, NewCase, NewEntry, Stamp};
use palisade_core::crypto::SecretKey;
use palisade_core::domain::RecordKind;
use palisade_core::ids::new_id;
use palisade_core::record::Record;
use palisade_core::time::{Moment, When};
use palisade_core::view::{self, AttachmentView, CaseView, LedgerRecord};
use serde::Serialize;
use std::path::PathBuf;

/// How far in the future an `occurred_at` may be (clock skew between devices).
const FUTURE_SLACK_SECONDS: i64 = 300;

/// One line of `case list`.
#[derive(Debug, Clone, Serialize)]
pub struct CaseSummary {
    pub id: String,
    pub title: String,
    pub subject: String,
    pub kind: String,
    pub status: String,
    pub opened_at: String,
    pub entries: usize,
    pub actions: usize,
    pub last_contact: Option<String>,
}

impl From<&CaseView> for CaseSummary {
    fn from(v: &CaseView) -> Self {
        CaseSummary {
            id: v.id.clone(),
            title: v.title.clone(),
            subject: v.subject.clone(),
            kind: v.kind.clone(),
            status: v.status.clone(),
            opened_at: v.opened_at.clone(),
            entries: v.live_entries().count(),
            actions: v.actions.len(),
            last_contact: v.last_contact().map(str::to_string),
        }
    }
}

/// What `log` and `action` return: the record's receipt and its attachments'.
#[derive(Debug, Clone, Serialize)]
pub struct RecordReceipt {
    pub id: String,
    pub leaf_index: u64,
    pub recorded_at: String,
    pub tree_size: u64,
    pub attachments: Vec<AttachmentView>,
}

pub(crate) fn stamp(prefix: &str) -> Result<Stamp> {
    Ok(Stamp {
        id: new_id(prefix)?,
        recorded_at: now(),
    })
}

fn check_not_future(t: &Moment) -> Result<()> {
    let limit = now().instant().as_second() + FUTURE_SLACK_SECONDS;
    if t.instant().as_second() > limit {
        return Err(ServiceError::Invalid(format!(
            "occurred-at {t} is in the future; give the time the contact happened"
        )));
    }
    Ok(())
}

impl Palisade {
    /// Open a new case; its data key is created with it.
    pub fn open_case(&self, c: &NewCase) -> Result<Receipt> {
        // The opening record's id is the case id.
        let stamp = stamp("case")?;
        let case_id = stamp.id.clone();
        let record = compose::case_opened(&stamp, &case_id, c)?;
        let receipts = self.commit(vec![Pending {
            record,
            scope: case_id.clone(),
            new_key: Some(SecretKey::generate()?),
        }])?;
        receipts
            .into_iter()
            .next()
            .ok_or_else(|| ServiceError::Integrity("commit returned no receipt".into()))
    }

    /// A case's records, decrypted and checked, in ledger order.
    pub(crate) fn case_records(&self, case_id: &str) -> Result<Vec<LedgerRecord>> {
        let rows = self.store.case_records(case_id)?;
        if rows.is_empty() {
            return Err(ServiceError::NotFound {
                what: "case",
                id: case_id.to_string(),
            });
        }
        rows.iter()
            .map(|row| {
                Ok(LedgerRecord {
                    leaf_index: row.leaf_index,
                    record: self.open_record(row)?,
                })
            })
            .collect()
    }

    /// The current view of a case.
    pub fn case(&self, case_id: &str) -> Result<CaseView> {
        let records = self.case_records(case_id)?;
        view::fold_case(case_id, &records).map_err(|e| ServiceError::Integrity(e.to_string()))
    }

    pub fn list_cases(&self) -> Result<Vec<CaseSummary>> {
        self.store
            .case_ids()?
            .iter()
            .map(|id| self.case(id).map(|v| CaseSummary::from(&v)))
            .collect()
    }

    /// Check that a case exists and is open, from record metadata alone (no decryption).
    pub(crate) fn ensure_open(&self, case_id: &str) -> Result<()> {
        let index = self.store.case_index(case_id)?;
        if !index
            .iter()
            .any(|h| h.kind == RecordKind::CaseOpened.as_str())
        {
            return Err(ServiceError::NotFound {
                what: "case",
                id: case_id.to_string(),
            });
        }
        if index
            .iter()
            .any(|h| h.kind == RecordKind::CaseClosed.as_str())
        {
            return Err(ServiceError::Invalid(format!(
                "case {case_id} is closed; nothing more can be recorded in it"
            )));
        }
        Ok(())
    }

    pub fn close_case(&self, case_id: &str, reason: &str) -> Result<Receipt> {
        self.ensure_open(case_id)?;
        let record = compose::case_closed(&stamp("close")?, case_id, reason)?;
        self.commit_one(record, case_id)
    }

    pub(crate) fn commit_one(&self, record: Record, scope: &str) -> Result<Receipt> {
        self.commit(vec![Pending {
            record,
            scope: scope.to_string(),
            new_key: None,
        }])?
        .into_iter()
        .next()
        .ok_or_else(|| ServiceError::Integrity("commit returned no receipt".into()))
    }

    /// Commit `record` with its attachment files in one atomic write. Every file is
    /// opened (so must be readable) before anything is written.
    fn commit_with_attachments(
        &self,
        case_id: &str,
        record: Record,
        attachments: &[PathBuf],
    ) -> Result<RecordReceipt> {
        let files = attachments
            .iter()
            .map(|p| AttachmentFile::open(p))
            .collect::<Result<Vec<_>>>()?;
        self.commit_with_files(case_id, record, files)
    }

    fn commit_with_files(
        &self,
        case_id: &str,
        record: Record,
        files: Vec<AttachmentFile>,
    ) -> Result<RecordReceipt> {
        let target = record.envelope.id.clone();
        let mut pending = vec![Pending {
            record,
            scope: case_id.to_string(),
            new_key: None,
        }];
        let key = self.data_key(case_id)?;
        for f in files {
            let a = self.store_attachment(case_id, &key, f)?;
            pending.push(Pending {
                record: compose::attachment(&stamp("att")?, case_id, &target, &a)?,
                scope: case_id.to_string(),
                new_key: None,
            });
        }
        let records: Vec<Record> = pending[1..].iter().map(|p| p.record.clone()).collect();
        let receipts = self.commit(pending)?;
        let first = &receipts[0];
        Ok(RecordReceipt {
            id: first.id.clone(),
            leaf_index: first.leaf_index,
            recorded_at: first.recorded_at.clone(),
            tree_size: first.tree_size,
            attachments: receipts[1..]
                .iter()
                .zip(&records)
                .map(|(r, rec)| AttachmentView::from_record(r.leaf_index, rec))
                .collect(),
        })
    }

    /// Record a contact with its attachments, all in one atomic write.
    pub fn log_entry(
        &self,
        case_id: &str,
        entry: &NewEntry,
        attachments: &[PathBuf],
    ) -> Result<RecordReceipt> {
        check_not_future(&entry.occurred_at)?;
        self.ensure_open(case_id)?;
        let record = compose::entry(&stamp("ent")?, case_id, entry)?;
        self.commit_with_attachments(case_id, record, attachments)
    }

    /// [`Palisade::log_entry`] with uploads held in memory (the web application):
    /// the bytes are sealed straight from memory and never written in clear.
    pub fn log_entry_uploaded(
        &self,
        case_id: &str,
        entry: &NewEntry,
        uploads: Vec<UploadedFile>,
    ) -> Result<RecordReceipt> {
        check_not_future(&entry.occurred_at)?;
        self.ensure_open(case_id)?;
        let record = compose::entry(&stamp("ent")?, case_id, entry)?;
        let files = uploads.into_iter().map(AttachmentFile::uploaded).collect();
        self.commit_with_files(case_id, record, files)
    }

    /// Record an action taken about a case (with optional attachments, e.g. the letter sent).
    pub fn record_action(
        &self,
        case_id: &str,
        action: &NewAction,
        attachments: &[PathBuf],
    ) -> Result<RecordReceipt> {
        if let When::Moment(m) = &action.date {
            check_not_future(m)?;
        }
        self.ensure_open(case_id)?;
        let record = compose::action(&stamp("act")?, case_id, action)?;
        self.commit_with_attachments(case_id, record, attachments)
    }

    /// Find the case of an entry and check the entry can still be amended.
    fn amendable_entry(&self, entry_id: &str) -> Result<String> {
        let row = self
            .store
            .record(entry_id)?
            .filter(|r| r.kind == RecordKind::Entry.as_str());
        let row = row.ok_or_else(|| ServiceError::NotFound {
            what: "entry",
            id: entry_id.to_string(),
        })?;
        let case_id = row
            .case_id
            .ok_or_else(|| ServiceError::Integrity(format!("entry {entry_id} has no case")))?;
        let retracted = self.store.case_index(&case_id)?.iter().any(|h| {
            h.kind == RecordKind::Retraction.as_str() && h.target.as_deref() == Some(entry_id)
        });
        if retracted {
            return Err(ServiceError::Invalid(format!(
                "entry {entry_id} was retracted; it cannot be corrected or retracted again"
            )));
        }
        Ok(case_id)
    }

    pub fn correct_entry(
        &self,
        entry_id: &str,
        reason: &str,
        patch: &EntryPatch,
    ) -> Result<Receipt> {
        if let Some(t) = &patch.occurred_at {
            check_not_future(t)?;
        }
        let case_id = self.amendable_entry(entry_id)?;
        let record = compose::correction(&stamp("cor")?, &case_id, entry_id, reason, patch)?;
        self.commit_one(record, &case_id)
    }

    pub fn retract_entry(&self, entry_id: &str, reason: &str) -> Result<Receipt> {
        let case_id = self.amendable_entry(entry_id)?;
        let record = compose::retraction(&stamp("ret")?, &case_id, entry_id, reason)?;
        self.commit_one(record, &case_id)
    }
}
