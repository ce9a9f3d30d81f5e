//! Sharing a case with users, flags for colleagues, and the physical evidence
//! register: recorded in the ledger like everything else about a case.
//!
//! Every write here is checked against the case *inside* the write (while the
//! store excludes other writers), so two requests cannot both pass a check
//! that only one of them may pass: a case cannot be shared twice with the
//! same user, nor a share revoked twice.

use crate::attachments::AttachmentFile;
use crate::cases::{RecordReceipt, stamp};
use crate::error::{Result, ServiceError};
use crate::ledger::{Palisade, Pending, Receipt};
use palisade_core::compose::{self, ComposeError, NewCustody, NewExhibit, NewFlag, NewShare};
use palisade_core::record::Record;
use palisade_core::view::{AttachmentView, CaseView};
use std::path::PathBuf;

/// A refusal that names a missing thing becomes `NotFound` (the web answers 404).
fn refusal(e: ComposeError) -> ServiceError {
    match e {
        ComposeError::UnknownTarget { what, id } => ServiceError::NotFound { what, id },
        e => ServiceError::Compose(e),
    }
}

impl Palisade {
    /// Compose records against the case as it stands inside the write and
    /// commit them atomically; `compose` sees the latest committed state.
    /// `also` names records beyond the rules' own (`RULE_KINDS`) that
    /// `compose` needs in the view (e.g. an entry an exhibit links to).
    fn commit_checked(
        &self,
        case_id: &str,
        also: &[&str],
        compose: &mut dyn FnMut(&CaseView) -> Result<Vec<Record>>,
    ) -> Result<Vec<(Receipt, Record)>> {
        let mut written: Vec<Record> = Vec::new();
        let done = self.commit_stream(Vec::new(), &mut |push| {
            written.clear();
            let view = self.case_for_rules(case_id, also)?;
            for record in compose(&view)? {
                written.push(record.clone());
                push(Pending {
                    record,
                    scope: case_id.to_string(),
                    new_key: None,
                })?;
            }
            Ok(())
        })?;
        Ok(written
            .into_iter()
            .enumerate()
            .map(|(i, record)| {
                let receipt = Receipt {
                    id: record.envelope.id.clone(),
                    leaf_index: done.first_leaf + i as u64,
                    recorded_at: record.envelope.recorded_at.clone(),
                    tree_size: done.tree_size,
                };
                (receipt, record)
            })
            .collect())
    }

    fn commit_checked_one(
        &self,
        case_id: &str,
        compose: &mut dyn FnMut(&CaseView) -> Result<Record>,
    ) -> Result<Receipt> {
        self.commit_checked(case_id, &[], &mut |v| Ok(vec![compose(v)?]))?
            .into_iter()
            .next()
            .map(|(r, _)| r)
            .ok_or_else(|| ServiceError::Integrity("commit returned no receipt".into()))
    }

    /// Share a case with a user (by id; `user_name` is their display name now).
    /// The caller checks that the user exists and may receive a share.
    pub fn share_case(
        &self,
        case_id: &str,
        user_id: &str,
        user_name: &str,
        by: &str,
        reason: Option<&str>,
    ) -> Result<Receipt> {
        let share = NewShare {
            user: user_id.to_string(),
            user_name: user_name.to_string(),
            by: by.to_string(),
            reason: reason.map(str::to_string),
        };
        self.commit_checked_one(case_id, &mut |v| {
            compose::share(&stamp("shr")?, v, &share).map_err(refusal)
        })
    }

    /// Revoke the user's share of a case; `NotFound` if they have none. The
    /// next read sees it (see `case_cache`).
    pub fn revoke_share(
        &self,
        case_id: &str,
        user_id: &str,
        by: &str,
        reason: Option<&str>,
    ) -> Result<Receipt> {
        let receipts = self.commit_checked(case_id, &[], &mut |v| {
            // Normally one; every active share of the user ends.
            let active: Vec<&str> = v
                .shares
                .iter()
                .filter(|s| s.is_active() && s.user == user_id)
                .map(|s| s.id.as_str())
                .collect();
            if active.is_empty() {
                return Err(ServiceError::NotFound {
                    what: "active share for user",
                    id: user_id.to_string(),
                });
            }
            active
                .into_iter()
                .map(|id| {
                    compose::share_revoked(&stamp("rvk")?, v, id, by, reason).map_err(refusal)
                })
                .collect()
        })?;
        receipts
            .into_iter()
            .next()
            .map(|(r, _)| r)
            .ok_or_else(|| ServiceError::Integrity("commit returned no receipt".into()))
    }

    /// Publish a flag for colleagues.
    pub fn publish_flag(
        &self,
        case_id: &str,
        patient: &str,
        text: &str,
        by: &str,
    ) -> Result<Receipt> {
        let flag = NewFlag {
            patient: patient.to_string(),
            text: text.to_string(),
            by: by.to_string(),
        };
        self.commit_checked_one(case_id, &mut |v| {
            compose::flag(&stamp("flag")?, v, &flag).map_err(refusal)
        })
    }

    /// Withdraw a flag; `NotFound` if the case has no such flag.
    pub fn withdraw_flag(
        &self,
        case_id: &str,
        flag_id: &str,
        by: &str,
        reason: Option<&str>,
    ) -> Result<Receipt> {
        self.commit_checked_one(case_id, &mut |v| {
            compose::flag_withdrawn(&stamp("wdr")?, v, flag_id, by, reason).map_err(refusal)
        })
    }

    /// Add an item to the physical evidence register, with photographs of it.
    /// Every file is read and sealed before the record is written; the record
    /// and its attachment records are one atomic write.
    pub fn add_exhibit(
        &self,
        case_id: &str,
        e: &NewExhibit,
        attachments: &[PathBuf],
    ) -> Result<RecordReceipt> {
        let linked: Vec<&str> = e.linked_entry.as_deref().into_iter().collect();
        // Fail fast (before any file is sealed) on what can be checked now.
        compose::exhibit(&stamp("exh")?, &*self.case_for_rules(case_id, &linked)?, e)
            .map_err(refusal)?;
        let files = attachments
            .iter()
            .map(|p| AttachmentFile::open(p))
            .collect::<Result<Vec<_>>>()?;
        let key = self.data_key(case_id)?;
        let sealed = files
            .into_iter()
            .map(|f| self.store_attachment(case_id, &key, f))
            .collect::<Result<Vec<_>>>()?;
        let written = self.commit_checked(case_id, &linked, &mut |v| {
            let record = compose::exhibit(&stamp("exh")?, v, e).map_err(refusal)?;
            let target = record.envelope.id.clone();
            let mut out = vec![record];
            for a in &sealed {
                out.push(compose::attachment(&stamp("att")?, case_id, &target, a)?);
            }
            Ok(out)
        })?;
        let mut it = written.into_iter();
        let (first, _) = it
            .next()
            .ok_or_else(|| ServiceError::Integrity("commit returned no receipt".into()))?;
        Ok(RecordReceipt {
            id: first.id,
            leaf_index: first.leaf_index,
            recorded_at: first.recorded_at,
            tree_size: first.tree_size,
            attachments: it
                .map(|(r, rec)| AttachmentView::from_record(r.leaf_index, &rec))
                .collect(),
        })
    }

    /// Record a hand-over of an exhibit; `NotFound` if the case has no such exhibit.
    pub fn record_custody(
        &self,
        case_id: &str,
        exhibit_id: &str,
        c: &NewCustody,
    ) -> Result<Receipt> {
        self.commit_checked_one(case_id, &mut |v| {
            compose::custody(&stamp("cus")?, v, exhibit_id, c).map_err(refusal)
        })
    }
}
