//! The physical evidence register: `exhibit` records (a letter, card, gift,
//! parcel or USB stick kept as evidence) with their photographs, and the
//! chain of custody (`custody` records) of each, folded into views.

use super::{AttachmentView, LedgerRecord, ViewError, text};
use crate::domain::{RecordKind, field};
use serde::Serialize;
use std::collections::HashMap;

/// One hand-over of an exhibit: from whom, to whom (or where), when.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustodyView {
    pub id: String,
    pub leaf_index: u64,
    pub recorded_at: String,
    /// When it changed hands (a date or an RFC 3339 time).
    pub at: String,
    pub from: String,
    pub to: String,
    pub purpose: Option<String>,
    /// The new evidence bag, when it was re-sealed.
    pub bag_number: Option<String>,
    pub notes: Option<String>,
}

/// An item in the physical evidence register.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExhibitView {
    pub id: String,
    pub leaf_index: u64,
    /// Its number in the register (1 for the first item recorded in the case).
    pub number: u32,
    pub recorded_at: String,
    pub description: String,
    /// `letter`, `card`, `gift`, `parcel`, `photo_print`, `digital_media` or `other`.
    pub item_kind: String,
    /// When it was received (a date or an RFC 3339 time).
    pub received_at: String,
    pub received_by: String,
    /// Where it was first kept.
    pub stored_at: String,
    /// The sealed evidence bag it was first put in.
    pub bag_number: Option<String>,
    /// The entry (contact) it arrived with, if any.
    pub linked_entry: Option<String>,
    pub notes: Option<String>,
    /// Photographs of the item.
    pub attachments: Vec<AttachmentView>,
    /// Hand-overs, in the order they were recorded.
    pub custody: Vec<CustodyView>,
}

impl ExhibitView {
    /// Who holds the item now (or where it is kept): the last hand-over's
    /// recipient, or where it was first stored.
    pub fn current_holder(&self) -> &str {
        self.custody
            .last()
            .map_or(self.stored_at.as_str(), |c| c.to.as_str())
    }

    /// The bag the item is sealed in now: the last re-seal, or the first bag.
    pub fn current_bag(&self) -> Option<&str> {
        self.custody
            .iter()
            .rev()
            .find_map(|c| c.bag_number.as_deref())
            .or(self.bag_number.as_deref())
    }
}

/// The register of one case, as it is folded (ledger order).
#[derive(Debug, Default)]
pub(super) struct RegisterFold {
    pub exhibits: Vec<ExhibitView>,
    pos: HashMap<String, usize>,
}

impl RegisterFold {
    /// The exhibit with this id, to attach a photograph to.
    pub fn exhibit_mut(&mut self, id: &str) -> Option<&mut ExhibitView> {
        let &i = self.pos.get(id)?;
        self.exhibits.get_mut(i)
    }

    /// Fold one `exhibit` or `custody` record.
    pub fn fold(&mut self, lr: &LedgerRecord) -> Result<(), ViewError> {
        let r = &lr.record;
        let env = &r.envelope;
        match env.kind {
            RecordKind::Exhibit => {
                self.pos.insert(env.id.clone(), self.exhibits.len());
                self.exhibits.push(ExhibitView {
                    id: env.id.clone(),
                    leaf_index: lr.leaf_index,
                    number: u32::try_from(self.exhibits.len() + 1).unwrap_or(u32::MAX),
                    recorded_at: env.recorded_at.clone(),
                    description: text(r, field::DESCRIPTION).unwrap_or_default(),
                    item_kind: text(r, field::ITEM_KIND).unwrap_or_default(),
                    received_at: text(r, field::RECEIVED_AT).unwrap_or_default(),
                    received_by: text(r, field::RECEIVED_BY).unwrap_or_default(),
                    stored_at: text(r, field::STORED_AT).unwrap_or_default(),
                    bag_number: text(r, field::BAG_NUMBER),
                    linked_entry: text(r, field::LINKED_ENTRY),
                    notes: text(r, field::NOTES),
                    attachments: Vec::new(),
                    custody: Vec::new(),
                });
            }
            RecordKind::Custody => {
                let target = env.target.as_deref().unwrap_or_default();
                let exhibit =
                    self.exhibit_mut(target)
                        .ok_or_else(|| ViewError::DanglingTarget {
                            id: env.id.clone(),
                            target: target.to_string(),
                        })?;
                exhibit.custody.push(CustodyView {
                    id: env.id.clone(),
                    leaf_index: lr.leaf_index,
                    recorded_at: env.recorded_at.clone(),
                    at: text(r, field::AT).unwrap_or_default(),
                    from: text(r, field::FROM).unwrap_or_default(),
                    to: text(r, field::TO).unwrap_or_default(),
                    purpose: text(r, field::PURPOSE),
                    bag_number: text(r, field::BAG_NUMBER),
                    notes: text(r, field::NOTES),
                });
            }
            _ => return Err(ViewError::ForeignRecord(env.id.clone())),
        }
        Ok(())
    }
}
