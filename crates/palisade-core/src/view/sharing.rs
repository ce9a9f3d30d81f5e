//! Who a case is shared with and what colleagues are told: `share` /
//! `share_revoked` and `flag` / `flag_withdrawn` records folded into views.
//! A revocation or withdrawal never removes anything: it is recorded next to
//! the record it ends.

use super::{LedgerRecord, ViewError, text};
use crate::domain::{RecordKind, field};
use serde::Serialize;
use std::collections::HashMap;

/// The record that ended a share or withdrew a flag.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RevocationView {
    pub id: String,
    pub leaf_index: u64,
    pub recorded_at: String,
    pub by: Option<String>,
    pub reason: Option<String>,
}

/// The case shared with one user (a user id of the web application).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShareView {
    pub id: String,
    pub leaf_index: u64,
    /// The user's id (`usr_…`).
    pub user: String,
    /// The user's display name when the share was given, for readers of a bundle.
    pub user_name: String,
    /// Who gave the share.
    pub by: Option<String>,
    pub reason: Option<String>,
    pub granted_at: String,
    /// Set once the share is revoked; the user then reads nothing more.
    pub revoked: Option<RevocationView>,
}

impl ShareView {
    pub fn is_active(&self) -> bool {
        self.revoked.is_none()
    }
}

/// An alert published for colleagues, who see no case content: how they
/// recognise the patient and what they should do.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlagView {
    pub id: String,
    pub leaf_index: u64,
    /// How colleagues recognise the patient, as the publisher words it.
    pub patient: String,
    pub text: String,
    pub by: Option<String>,
    pub published_at: String,
    pub withdrawn: Option<RevocationView>,
}

impl FlagView {
    pub fn is_active(&self) -> bool {
        self.withdrawn.is_none()
    }
}

/// Shares and flags of one case, as they are folded (ledger order).
#[derive(Debug, Default)]
pub(super) struct SharingFold {
    pub shares: Vec<ShareView>,
    pub flags: Vec<FlagView>,
    share_pos: HashMap<String, usize>,
    flag_pos: HashMap<String, usize>,
}

fn revocation(lr: &LedgerRecord) -> RevocationView {
    let r = &lr.record;
    RevocationView {
        id: r.envelope.id.clone(),
        leaf_index: lr.leaf_index,
        recorded_at: r.envelope.recorded_at.clone(),
        by: text(r, field::BY),
        reason: text(r, field::REASON),
    }
}

impl SharingFold {
    /// Fold one `share`, `share_revoked`, `flag` or `flag_withdrawn` record.
    pub fn fold(&mut self, lr: &LedgerRecord) -> Result<(), ViewError> {
        let r = &lr.record;
        let env = &r.envelope;
        let dangling = || ViewError::DanglingTarget {
            id: env.id.clone(),
            target: env.target.clone().unwrap_or_default(),
        };
        match env.kind {
            RecordKind::Share => {
                self.share_pos.insert(env.id.clone(), self.shares.len());
                self.shares.push(ShareView {
                    id: env.id.clone(),
                    leaf_index: lr.leaf_index,
                    user: text(r, field::USER).unwrap_or_default(),
                    user_name: text(r, field::USER_NAME).unwrap_or_default(),
                    by: text(r, field::BY),
                    reason: text(r, field::REASON),
                    granted_at: env.recorded_at.clone(),
                    revoked: None,
                });
            }
            RecordKind::Flag => {
                self.flag_pos.insert(env.id.clone(), self.flags.len());
                self.flags.push(FlagView {
                    id: env.id.clone(),
                    leaf_index: lr.leaf_index,
                    patient: text(r, field::PATIENT).unwrap_or_default(),
                    text: text(r, field::TEXT).unwrap_or_default(),
                    by: text(r, field::BY),
                    published_at: env.recorded_at.clone(),
                    withdrawn: None,
                });
            }
            RecordKind::ShareRevoked => {
                let target = env.target.as_deref().ok_or_else(dangling)?;
                let &i = self.share_pos.get(target).ok_or_else(dangling)?;
                let slot = &mut self.shares[i].revoked;
                if slot.is_some() {
                    return Err(ViewError::AlreadyEnded {
                        id: env.id.clone(),
                        target: target.to_string(),
                    });
                }
                *slot = Some(revocation(lr));
            }
            RecordKind::FlagWithdrawn => {
                let target = env.target.as_deref().ok_or_else(dangling)?;
                let &i = self.flag_pos.get(target).ok_or_else(dangling)?;
                let slot = &mut self.flags[i].withdrawn;
                if slot.is_some() {
                    return Err(ViewError::AlreadyEnded {
                        id: env.id.clone(),
                        target: target.to_string(),
                    });
                }
                *slot = Some(revocation(lr));
            }
            _ => return Err(ViewError::ForeignRecord(env.id.clone())),
        }
        Ok(())
    }
}
