//! `palisade import`: turn a message export into ledger entries in one
//! transaction. The original export files are kept as attachments of an
//! import record, and every entry points back to its file (by hash) and its
//! place in it (line, byte offset or JSON path), so the evidence runs from
//! the original bytes to each entry. Re-importing the same export, or a
//! later one that overlaps it, adds only what is new.

mod sources;

use crate::error::{Result, ServiceError};
use crate::ledger::{Palisade, Pending, now};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use palisade_core::compose::{self, ImportedFile, NewEntry, NewImport, Stamp};
use palisade_core::domain::{Channel, Direction, Source};
use palisade_core::ids::new_id;
use palisade_core::time::Moment;
use palisade_import::{Ambiguity, Kind, MediaRef, Message};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

/// The export formats Palisade reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportFormat {
    Whatsapp,
    SmsBackup,
    Mbox,
    Eml,
    Messenger,
    Instagram,
    Telegram,
    XDm,
}

impl ImportFormat {
    pub const ALL: &'static [ImportFormat] = &[
        ImportFormat::Whatsapp,
        ImportFormat::SmsBackup,
        ImportFormat::Mbox,
        ImportFormat::Eml,
        ImportFormat::Messenger,
        ImportFormat::Instagram,
        ImportFormat::Telegram,
        ImportFormat::XDm,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ImportFormat::Whatsapp => "whatsapp",
            ImportFormat::SmsBackup => "sms-backup",
            ImportFormat::Mbox => "mbox",
            ImportFormat::Eml => "eml",
            ImportFormat::Messenger => "messenger",
            ImportFormat::Instagram => "instagram",
            ImportFormat::Telegram => "telegram",
            ImportFormat::XDm => "x-dm",
        }
    }

    /// The channel an imported message is recorded under.
    pub fn channel(self) -> Channel {
        match self {
            ImportFormat::Whatsapp => Channel::Whatsapp,
            ImportFormat::SmsBackup => Channel::Sms,
            ImportFormat::Mbox | ImportFormat::Eml => Channel::Email,
            ImportFormat::Messenger => Channel::Facebook,
            ImportFormat::Instagram => Channel::Instagram,
            ImportFormat::Telegram => Channel::OtherSocial,
            ImportFormat::XDm => Channel::X,
        }
    }
}

impl fmt::Display for ImportFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ImportFormat {
    type Err = ServiceError;
    fn from_str(s: &str) -> Result<Self> {
        ImportFormat::ALL
            .iter()
            .copied()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| {
                let all: Vec<&str> = ImportFormat::ALL.iter().map(|f| f.as_str()).collect();
                ServiceError::Invalid(format!(
                    "unknown import format '{s}' (expected one of: {})",
                    all.join(", ")
                ))
            })
    }
}

/// What to import and how to read it.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub format: ImportFormat,
    pub path: PathBuf,
    /// The export owner's name (or account id): their messages are `outbound`.
    pub me: Option<String>,
    /// Account id, number or address → person's name.
    pub parties: BTreeMap<String, String>,
    /// IANA zone for wall-clock times; the machine's zone when absent.
    pub tz: Option<String>,
    /// `dmy`, `mdy` or `ymd` for WhatsApp exports whose order can't be inferred.
    pub date_order: Option<String>,
    /// Only these chats/conversations of a multi-chat export (name or id).
    pub chats: Vec<String>,
    pub dry_run: bool,
}

/// What an import found and did (the `--json` output of `palisade import`).
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    pub format: String,
    /// Person-authored messages in the export.
    pub messages: u64,
    /// System and service lines.
    pub system: u64,
    /// Media references found (files, omitted placeholders, inline parts).
    pub attachments: u64,
    /// Sender → number of messages.
    pub senders: BTreeMap<String, u64>,
    /// Earliest and latest time in the export, RFC 3339 UTC.
    pub first: Option<String>,
    pub last: Option<String>,
    pub tz: String,
    pub date_order: Option<String>,
    /// New entries written (0 with `--dry-run`).
    pub imported: u64,
    /// Messages skipped because the case already holds them.
    pub duplicates: u64,
    /// Calls from the export's call lines recorded as entries (included in `imported`).
    pub calls: u64,
    /// Messages the phone never sent (SMS drafts, outbox, failed, queued): not
    /// recorded as contacts.
    pub not_sent: u64,
    /// Media files found and stored with their entries.
    pub media_stored: u64,
    /// Media the export names but does not contain.
    pub media_missing: u64,
    /// Wall-clock times that fell in a daylight-saving gap or overlap.
    pub dst_ambiguous: u64,
    /// Where those were (first 20), with the reading chosen.
    pub dst_notes: Vec<String>,
    pub dry_run: bool,
    /// The import record (absent on a dry run, or when nothing was new).
    pub import_id: Option<String>,
    pub files: Vec<ImportedFile>,
}

fn is_call(m: &Message) -> bool {
    m.action
        .as_deref()
        .is_some_and(|a| a.ends_with("_call") || a == "phone_call" || a == "voicemail")
}

fn content_digest(s: &str) -> [u8; 32] {
    Sha256::digest(s.as_bytes()).into()
}

/// What makes two messages the same message: who, which way, when, what.
type DedupKey = (String, String, i128, [u8; 32]);

impl Palisade {
    /// Import a message export into a case (see the module documentation).
    pub fn import(
        &self,
        case_id: &str,
        opts: &ImportOptions,
        progress: &mut dyn FnMut(&str, u64),
    ) -> Result<ImportReport> {
        self.ensure_open(case_id)?;
        let tz = match &opts.tz {
            Some(name) => TimeZone::get(name).map_err(|_| {
                ServiceError::Invalid(format!(
                    "--tz '{name}' is not a known time zone (e.g. Europe/London)"
                ))
            })?,
            None => TimeZone::system(),
        };
        let tz_name = tz.iana_name().unwrap_or("UTC").to_string();
        progress("reading", 0);
        let parsed = sources::read_export(opts)?;
        progress("read", parsed.messages.len() as u64);

        // What the case already holds, as a multiset of keys.
        let mut existing: HashMap<DedupKey, u64> = HashMap::new();
        for e in self.case(case_id)?.live_entries() {
            if let Ok(t) = Moment::parse(&e.occurred_at) {
                let key = (
                    e.direction.clone().unwrap_or_default(),
                    e.party.clone().unwrap_or_default(),
                    t.sort_key(),
                    content_digest(e.content.as_deref().unwrap_or_default()),
                );
                *existing.entry(key).or_default() += 1;
            }
        }

        let import_stamp = Stamp {
            id: new_id("imp")?,
            recorded_at: now(),
        };
        let mut report = ImportReport {
            format: opts.format.to_string(),
            messages: 0,
            system: 0,
            attachments: 0,
            senders: BTreeMap::new(),
            first: None,
            last: None,
            tz: tz_name.clone(),
            date_order: parsed.date_order.as_ref().map(|(o, _)| o.clone()),
            imported: 0,
            duplicates: 0,
            calls: 0,
            not_sent: 0,
            media_stored: 0,
            media_missing: 0,
            dst_ambiguous: 0,
            dst_notes: Vec::new(),
            dry_run: opts.dry_run,
            import_id: None,
            files: parsed
                .files
                .iter()
                .map(|f| ImportedFile {
                    name: f.name.clone(),
                    sha256: f.sha256.clone(),
                    size: f.size,
                })
                .collect(),
        };
        let key = if opts.dry_run {
            None
        } else {
            Some(self.data_key(case_id)?)
        };
        let mut range: Option<(Timestamp, Timestamp)> = None;
        let mut entries: Vec<Pending> = Vec::new();
        let me = opts.me.as_deref().map(str::trim).filter(|s| !s.is_empty());
        for (file_index, m) in &parsed.messages {
            let resolved = m
                .time
                .resolve(&tz)
                .map_err(|e| ServiceError::Invalid(format!("{}: {e}", m.locator)))?;
            let ts = resolved.timestamp;
            if !matches!(resolved.ambiguity, Ambiguity::None) {
                report.dst_ambiguous += 1;
                if report.dst_notes.len() < 20 {
                    report.dst_notes.push(format!(
                        "{}: {:?}; read as {}",
                        m.locator, resolved.ambiguity, ts
                    ));
                }
            }
            range = Some(match range {
                None => (ts, ts),
                Some((a, b)) => (a.min(ts), b.max(ts)),
            });
            report.attachments += m
                .media
                .iter()
                .filter(|r| !matches!(r, MediaRef::Link { .. }))
                .count() as u64;
            let call = m.kind == Kind::System && is_call(m);
            if m.kind == Kind::System {
                report.system += 1;
                if !call {
                    continue;
                }
            } else {
                report.messages += 1;
            }
            let sender = self::sender_name(m, &opts.parties, me);
            if m.kind == Kind::Message {
                *report.senders.entry(sender.clone()).or_default() += 1;
            }
            if m.action
                .as_deref()
                .is_some_and(|a| matches!(a, "draft" | "outbox" | "failed" | "queued"))
            {
                report.not_sent += 1;
                continue;
            }
            let outbound = me.is_some_and(|me| {
                sender.eq_ignore_ascii_case(me)
                    || m.sender_id
                        .as_deref()
                        .is_some_and(|id| id.eq_ignore_ascii_case(me))
            }) || m.direction == Some(palisade_import::Direction::Outgoing);
            let direction = if outbound {
                Direction::Outbound
            } else {
                Direction::Inbound
            };
            let occurred_at = Moment::from_timestamp(ts, tz.to_offset(ts));
            let content = if call { String::new() } else { m.text.clone() };
            let dedup = (
                direction.as_str().to_string(),
                sender.clone(),
                occurred_at.sort_key(),
                content_digest(&content),
            );
            if let Some(n) = existing.get_mut(&dedup).filter(|n| **n > 0) {
                *n -= 1;
                report.duplicates += 1;
                continue;
            }
            if call {
                report.calls += 1;
            }
            report.imported += 1;
            let Some(key) = &key else { continue };
            let file = &parsed.files[*file_index];
            let entry = NewEntry {
                occurred_at,
                channel: if call && opts.format == ImportFormat::SmsBackup {
                    if m.action.as_deref() == Some("voicemail") {
                        Channel::Voicemail
                    } else {
                        Channel::PhoneCall
                    }
                } else {
                    opts.format.channel()
                },
                direction,
                party: Some(sender),
                place: None,
                witnesses: Vec::new(),
                summary: summary_of(m, call),
                content: (!content.is_empty()).then_some(content),
                clinical: None,
                source: Source::Import {
                    import: import_stamp.id.clone(),
                    file_sha256: file.sha256.clone(),
                    locator: m.locator.to_string(),
                },
            };
            let record = compose::entry(
                &Stamp {
                    id: new_id("ent")?,
                    recorded_at: import_stamp.recorded_at,
                },
                case_id,
                &entry,
            )?;
            let entry_id = record.envelope.id.clone();
            entries.push(Pending {
                record,
                scope: case_id.to_string(),
                new_key: None,
            });
            for media in &m.media {
                if let Some(att) = self.store_media(case_id, key, media, &parsed, &mut report)? {
                    entries.push(Pending {
                        record: compose::attachment(
                            &Stamp {
                                id: new_id("att")?,
                                recorded_at: import_stamp.recorded_at,
                            },
                            case_id,
                            &entry_id,
                            &att,
                        )?,
                        scope: case_id.to_string(),
                        new_key: None,
                    });
                }
            }
            if report.imported.is_multiple_of(1000) {
                progress("prepared", report.imported);
            }
        }
        if let Some((a, b)) = range {
            report.first = Some(Moment::utc(a).to_string());
            report.last = Some(Moment::utc(b).to_string());
        }
        // A dry run, or nothing new: write nothing (re-importing is idempotent).
        let Some(key) = key.filter(|_| report.imported > 0) else {
            return Ok(report);
        };

        // The import record and the original files come first.
        let counts = serde_json::json!({
            "messages": report.messages,
            "system": report.system,
            "attachments": report.attachments,
            "imported": report.imported,
            "duplicates": report.duplicates,
            "calls": report.calls,
            "not_sent": report.not_sent,
            "media_stored": report.media_stored,
            "media_missing": report.media_missing,
            "dst_ambiguous": report.dst_ambiguous,
            "date_order_basis": parsed.date_order.as_ref().map(|(_, b)| b.clone()),
        });
        let import_record = compose::import(
            &import_stamp,
            case_id,
            &NewImport {
                format: opts.format.to_string(),
                files: report.files.clone(),
                tz: tz_name,
                date_order: report.date_order.clone(),
                me: me.map(str::to_string),
                counts,
            },
        )?;
        let mut pending = vec![Pending {
            record: import_record,
            scope: case_id.to_string(),
            new_key: None,
        }];
        for f in &parsed.files {
            let mut src = std::fs::File::open(&f.path).map_err(ServiceError::io(&f.path))?;
            let att = self.store_attachment_from(
                case_id,
                &key,
                &f.name,
                &mut src,
                &f.path.display().to_string(),
            )?;
            if att.sha256 != f.sha256 {
                return Err(ServiceError::ImportFile {
                    path: f.path.display().to_string(),
                    reason: "the file changed while it was being imported".into(),
                });
            }
            pending.push(Pending {
                record: compose::attachment(
                    &Stamp {
                        id: new_id("att")?,
                        recorded_at: import_stamp.recorded_at,
                    },
                    case_id,
                    &import_stamp.id,
                    &att,
                )?,
                scope: case_id.to_string(),
                new_key: None,
            });
        }
        pending.extend(entries);
        progress("committing", report.imported);
        self.commit(pending)?;
        report.import_id = Some(import_stamp.id);
        Ok(report)
    }

    /// Store one media reference of a message, if its bytes are available.
    fn store_media(
        &self,
        case_id: &str,
        key: &palisade_core::crypto::SecretKey,
        media: &MediaRef,
        parsed: &sources::ParsedExport,
        report: &mut ImportReport,
    ) -> Result<Option<palisade_core::compose::NewAttachment>> {
        match media {
            MediaRef::Inline { name, bytes, .. } => {
                let name = name.clone().unwrap_or_else(|| "attachment".into());
                report.media_stored += 1;
                Ok(Some(self.store_attachment_from(
                    case_id,
                    key,
                    &name,
                    &mut bytes.as_slice(),
                    &name,
                )?))
            }
            MediaRef::File { path, .. } => {
                match sources::resolve_media(&parsed.media_roots, path) {
                    Some(p) => {
                        let mut f = std::fs::File::open(&p).map_err(ServiceError::io(&p))?;
                        let name = p
                            .file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_else(|| path.clone());
                        report.media_stored += 1;
                        Ok(Some(self.store_attachment_from(
                            case_id,
                            key,
                            &name,
                            &mut f,
                            &p.display().to_string(),
                        )?))
                    }
                    None => {
                        report.media_missing += 1;
                        Ok(None)
                    }
                }
            }
            MediaRef::Omitted { .. } => {
                report.media_missing += 1;
                Ok(None)
            }
            MediaRef::Link { .. } => Ok(None),
        }
    }
}

/// The sender as the export names them; else the `--party` mapping of their id;
/// else the raw id; for messages the export attributes to nobody (an SMS sent from
/// the phone), the owner.
fn sender_name(m: &Message, parties: &BTreeMap<String, String>, me: Option<&str>) -> String {
    let named = m.sender.as_deref().map(str::trim).filter(|s| !s.is_empty());
    if let Some(n) = named {
        return parties.get(n).cloned().unwrap_or_else(|| n.to_string());
    }
    if let Some(id) = m.sender_id.as_deref() {
        return parties.get(id).cloned().unwrap_or_else(|| id.to_string());
    }
    if m.direction == Some(palisade_import::Direction::Outgoing) {
        return me.unwrap_or("me").to_string();
    }
    "unknown".to_string()
}

/// A one-line summary for entries that need one: email subjects, calls, edits and
/// deletions the export shows.
fn summary_of(m: &Message, call: bool) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    if call {
        parts.push(m.text.clone());
    }
    if let Some(s) = m.subject.as_deref().filter(|s| !s.trim().is_empty()) {
        parts.push(s.trim().to_string());
    }
    if m.deleted {
        parts.push("(deleted by the sender; the export shows a deletion notice)".into());
    }
    if m.edited {
        parts.push("(edited after sending)".into());
    }
    (!parts.is_empty()).then(|| parts.join(" "))
}
