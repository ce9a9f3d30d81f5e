//! The audit trail: who viewed, searched, downloaded, exported or changed
//! what, append-only, each row MAC-chained to the one before.

use serde::Serialize;

use super::AuditAction;

/// Something to write to the audit trail. Never patient content in `detail`.
#[derive(Debug, Clone, Copy)]
pub struct AuditEvent<'a> {
    /// The user id, if someone signed in did it.
    pub actor: Option<&'a str>,
    pub action: AuditAction,
    pub case_id: Option<&'a str>,
    /// An entry, attachment, user, token or session id.
    pub target: Option<&'a str>,
    pub detail: Option<&'a str>,
    /// The client address.
    pub client: Option<&'a str>,
}

impl<'a> AuditEvent<'a> {
    /// An event with only an actor and an action.
    pub fn new(actor: Option<&'a str>, action: AuditAction) -> Self {
        Self {
            actor,
            action,
            case_id: None,
            target: None,
            detail: None,
            client: None,
        }
    }
}

/// One row of the audit trail, as read back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub seq: u64,
    pub at: String,
    pub actor_id: Option<String>,
    /// The actor's display name now (from the users table).
    pub actor_name: Option<String>,
    pub action: String,
    pub case_id: Option<String>,
    pub target: Option<String>,
    pub detail: Option<String>,
    pub client: Option<String>,
}

use super::{Accounts, lock};
use crate::error::{Result, ServiceError};
use palisade_core::crypto::{self, SecretKey};
use palisade_store::StoreError;
use palisade_store::accounts::AuditRow;
use std::collections::HashMap;

/// Longest `detail` kept (it is a short note, never content).
const MAX_DETAIL_CHARS: usize = 500;
const MAX_FIELD_CHARS: usize = 200;

fn push_field(m: &mut Vec<u8>, v: Option<&str>) {
    match v {
        None => m.push(0),
        Some(s) => {
            m.push(1);
            m.extend_from_slice(&(s.len() as u64).to_be_bytes());
            m.extend_from_slice(s.as_bytes());
        }
    }
}

/// HMAC-SHA256(key, previous MAC ‖ seq ‖ each field, length-prefixed, absent ≠ empty).
fn row_mac(key: &SecretKey, prev: &[u8; 32], r: &AuditRow) -> [u8; 32] {
    let mut m = Vec::with_capacity(128);
    m.extend_from_slice(b"palisade/v1/audit\n");
    m.extend_from_slice(prev);
    m.extend_from_slice(&r.seq.to_be_bytes());
    push_field(&mut m, Some(&r.at));
    push_field(&mut m, r.actor_id.as_deref());
    push_field(&mut m, Some(&r.action));
    push_field(&mut m, r.case_id.as_deref());
    push_field(&mut m, r.target.as_deref());
    push_field(&mut m, r.detail.as_deref());
    push_field(&mut m, r.client.as_deref());
    crypto::hmac_sha256(key.expose(), &m)
}

fn clip(s: Option<&str>, max: usize) -> Option<String> {
    s.map(|s| s.chars().filter(|c| !c.is_control()).take(max).collect())
}

impl Accounts {
    /// Append one event to the audit trail. Writes are serialised, so the MAC
    /// chain is linear.
    pub fn audit(&self, e: &AuditEvent<'_>) -> Result<()> {
        let mut head = lock(&self.audit_head);
        for attempt in 0..2 {
            let (last_seq, last_mac) = match *head {
                Some(h) => h,
                None => self.store.audit_head()?.unwrap_or((0, [0u8; 32])),
            };
            let mut row = AuditRow {
                seq: last_seq + 1,
                at: self
                    .now()
                    .round(jiff::Unit::Millisecond)
                    .unwrap_or_else(|_| self.now())
                    .to_string(),
                actor_id: clip(e.actor, MAX_FIELD_CHARS),
                action: e.action.as_str().to_string(),
                case_id: clip(e.case_id, MAX_FIELD_CHARS),
                target: clip(e.target, MAX_FIELD_CHARS),
                detail: clip(e.detail, MAX_DETAIL_CHARS),
                client: clip(e.client, MAX_FIELD_CHARS),
                mac: [0u8; 32],
            };
            row.mac = row_mac(&self.audit_key, &last_mac, &row);
            match self.store.append_audit(&row) {
                Ok(()) => {
                    *head = Some((row.seq, row.mac));
                    return Ok(());
                }
                // Another writer (a second process) moved the trail on: reload and retry once.
                Err(StoreError::Conflict { .. }) if attempt == 0 => *head = None,
                Err(err) => {
                    *head = None;
                    return Err(err.into());
                }
            }
        }
        Err(ServiceError::Integrity(
            "the audit trail moved on while writing to it".into(),
        ))
    }

    /// Display names of every user, for filling in `actor_name`.
    fn names(&self) -> Result<HashMap<String, String>> {
        Ok(self
            .store
            .users()?
            .into_iter()
            .map(|u| (u.id, u.display_name))
            .collect())
    }

    fn entries(&self, rows: Vec<AuditRow>) -> Result<Vec<AuditEntry>> {
        let names = self.names()?;
        Ok(rows
            .into_iter()
            .map(|r| AuditEntry {
                seq: r.seq,
                at: r.at,
                actor_name: r.actor_id.as_ref().and_then(|a| names.get(a).cloned()),
                actor_id: r.actor_id,
                action: r.action,
                case_id: r.case_id,
                target: r.target,
                detail: r.detail,
                client: r.client,
            })
            .collect())
    }

    /// A case's audit trail, oldest first.
    pub fn audit_of_case(&self, case_id: &str) -> Result<Vec<AuditEntry>> {
        let rows = self.store.audit_of_case(case_id)?;
        self.entries(rows)
    }

    /// The latest `limit` audit rows, newest first.
    pub fn audit_recent(&self, limit: usize) -> Result<Vec<AuditEntry>> {
        let rows = self.store.audit_recent(limit)?;
        self.entries(rows)
    }

    /// Recompute the MAC chain. Each problem is one line saying which row and
    /// what (changed, removed, reordered, inserted); empty means intact.
    pub fn verify_audit(&self) -> Result<Vec<String>> {
        let mut problems = Vec::new();
        let mut expected_seq = 1u64;
        let mut prev = [0u8; 32];
        self.store.scan_audit(&mut |r| {
            if r.seq > expected_seq {
                problems.push(format!(
                    "audit rows {expected_seq} to {}: missing (removed)",
                    r.seq - 1
                ));
            } else if r.seq < expected_seq {
                problems.push(format!("audit row {}: out of order", r.seq));
            }
            let want = row_mac(&self.audit_key, &prev, &r);
            if !super::secrets::ct_eq(&want, &r.mac) {
                // Distinguish "this row was edited" from "the row before it is gone".
                problems.push(format!(
                    "audit row {} ({} at {}): its MAC does not match; the row was changed, or a row before it was removed, inserted or reordered",
                    r.seq, r.action, r.at
                ));
            }
            prev = r.mac;
            expected_seq = r.seq + 1;
            problems.len() < 1000
        })?;
        Ok(problems)
    }
}
