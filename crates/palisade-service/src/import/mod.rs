//! `palisade import`: turn a message export into ledger entries in one
//! transaction. The original export files are kept as attachments of an
//! import record, and every entry points back to its file (by hash) and its
//! place in it (line, byte offset or JSON path), so the evidence runs from
//! the original bytes to each entry. Re-importing the same export, or a
//! later one that overlaps it, adds only what is new.

mod entries;
mod originals;
mod sources;

use crate::error::{Result, ServiceError};
use crate::ledger::{Palisade, Pending, now};
use crate::stream::PushPending;
use entries::{ImportedEntry, RecordMaker};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use palisade_core::compose::{self, ImportedFile, NewImport, Stamp};
use palisade_core::domain::{Channel, Direction};
use palisade_core::ids::new_id;
use palisade_core::time::Moment;
use palisade_import::{Ambiguity, Kind, Locator, MediaRef, Message};
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

/// What makes two messages the same message: who, which way, when, what. Kept
/// as a SHA-256 over those four (each length-prefixed), so that looking a message
/// up costs no allocation.
type DedupKey = [u8; 32];

fn dedup_key(direction: &str, sender: &str, at: i128, content: &str) -> DedupKey {
    let mut h = Sha256::new();
    for part in [direction.as_bytes(), sender.as_bytes()] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part);
    }
    h.update(at.to_be_bytes());
    h.update((content.len() as u64).to_be_bytes());
    h.update(content.as_bytes());
    h.finalize().into()
}

/// The per-message decisions of an import, made identically in the planning
/// pass (which only counts) and the writing pass (which also builds records).
struct Walk<'a> {
    opts: &'a ImportOptions,
    tz: &'a TimeZone,
    export: &'a sources::Export,
    me: Option<&'a str>,
    /// What the case already holds (a multiset: identical messages can be distinct).
    existing: HashMap<DedupKey, u64>,
    report: ImportReport,
    range: Option<(Timestamp, Timestamp)>,
}

/// Where the writing pass puts its records: straight into a streamed commit.
struct Writer<'p, 'q> {
    palisade: &'p Palisade,
    case_id: &'p str,
    import_id: &'p str,
    key: palisade_core::crypto::SecretKey,
    maker: RecordMaker,
    push: &'q mut PushPending<'q>,
}

impl Walk<'_> {
    fn step(
        &mut self,
        file_index: usize,
        m: Message,
        w: Option<&mut Writer<'_, '_>>,
    ) -> Result<()> {
        let report = &mut self.report;
        let resolved = m
            .time
            .resolve(self.tz)
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
        self.range = Some(match self.range {
            None => (ts, ts),
            Some((a, b)) => (a.min(ts), b.max(ts)),
        });
        report.attachments += m
            .media
            .iter()
            .filter(|r| !matches!(r, MediaRef::Link { .. }))
            .count() as u64;
        let call = m.kind == Kind::System && is_call(&m);
        if m.kind == Kind::System {
            report.system += 1;
            if !call {
                return Ok(());
            }
        } else {
            report.messages += 1;
        }
        let sender = sender_name(
            m.sender.as_deref(),
            m.sender_id.as_deref(),
            m.direction,
            &self.opts.parties,
            self.me,
        );
        if m.kind == Kind::Message {
            match report.senders.get_mut(sender) {
                Some(n) => *n += 1,
                None => {
                    report.senders.insert(sender.to_string(), 1);
                }
            }
        }
        if m.action
            .as_deref()
            .is_some_and(|a| matches!(a, "draft" | "outbox" | "failed" | "queued"))
        {
            report.not_sent += 1;
            return Ok(());
        }
        let outbound = self.me.is_some_and(|me| {
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
        let occurred_at = Moment::from_timestamp(ts, self.tz.to_offset(ts));
        let content = if call { "" } else { m.text.as_str() };
        // Nothing to compare with when the case holds no entries yet.
        if !self.existing.is_empty() {
            let key = dedup_key(direction.as_str(), sender, occurred_at.sort_key(), content);
            if let Some(n) = self.existing.get_mut(&key).filter(|n| **n > 0) {
                *n -= 1;
                report.duplicates += 1;
                return Ok(());
            }
        }
        if call {
            report.calls += 1;
        }
        report.imported += 1;
        let media: Vec<Media<'_>> = m
            .media
            .iter()
            .filter_map(|r| media_of(r, self.export, report))
            .collect();
        let Some(w) = w else {
            return Ok(());
        };
        let summary = summary_of(&m, call);
        let content = if call || m.text.is_empty() {
            None
        } else {
            Some(m.text)
        };
        let file = &self.export.files[file_index];
        let format = self.opts.format;
        let record = w.maker.entry(ImportedEntry {
            occurred_at,
            channel: if call && format == ImportFormat::SmsBackup {
                if m.action.as_deref() == Some("voicemail") {
                    Channel::Voicemail
                } else {
                    Channel::PhoneCall
                }
            } else {
                format.channel()
            },
            direction,
            party: sender.to_string(),
            summary,
            content,
            import: w.import_id.to_string(),
            file_sha256: file.sha256.clone(),
            locator: locator_text(&m.locator),
        })?;
        let entry_id = record.envelope.id.clone();
        w.push(record)?;
        for item in media {
            let att = item.store(w, self.export)?;
            let stamp = w.maker.stamp("att")?;
            let record = compose::attachment(&stamp, w.case_id, &entry_id, &att)?;
            w.push(record)?;
        }
        Ok(())
    }
}

/// `Locator`'s text, written without the formatting machinery for the common case.
fn locator_text(l: &Locator) -> String {
    match l {
        Locator::Line { line, byte_offset } => {
            let mut s = String::with_capacity(32);
            s.push_str("line ");
            push_u64(&mut s, *line);
            s.push_str(" (byte ");
            push_u64(&mut s, *byte_offset);
            s.push(')');
            s
        }
        other => other.to_string(),
    }
}

fn push_u64(s: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for d in &digits[i..] {
        s.push(char::from(*d));
    }
}

impl Writer<'_, '_> {
    fn push(&mut self, record: palisade_core::record::Record) -> Result<()> {
        (self.push)(Pending {
            record,
            scope: self.case_id.to_string(),
            new_key: None,
        })
    }
}

/// Media of a message whose bytes the import has.
enum Media<'m> {
    Inline {
        name: String,
        bytes: &'m [u8],
    },
    File(PathBuf),
    /// An entry of the export's .zip.
    ZipEntry(String),
}

impl Media<'_> {
    fn store(
        &self,
        w: &Writer<'_, '_>,
        export: &sources::Export,
    ) -> Result<palisade_core::compose::NewAttachment> {
        match self {
            Media::ZipEntry(name) => {
                let base = name.rsplit('/').next().unwrap_or(name).to_string();
                export.read_zip_entry(name, |src| {
                    w.palisade
                        .store_attachment_from(w.case_id, &w.key, &base, src, name)
                })
            }
            Media::Inline { name, bytes } => {
                let mut src: &[u8] = bytes;
                w.palisade
                    .store_attachment_from(w.case_id, &w.key, name, &mut src, name)
            }
            Media::File(p) => {
                let mut f = std::fs::File::open(p).map_err(ServiceError::io(p))?;
                let name = p
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "attachment".into());
                w.palisade.store_attachment_from(
                    w.case_id,
                    &w.key,
                    &name,
                    &mut f,
                    &p.display().to_string(),
                )
            }
        }
    }
}

/// The media of a message that can be stored, counting what is stored and missing.
fn media_of<'m>(
    r: &'m MediaRef,
    export: &sources::Export,
    report: &mut ImportReport,
) -> Option<Media<'m>> {
    let found = match r {
        MediaRef::Inline { name, bytes, .. } => Some(Media::Inline {
            name: name.clone().unwrap_or_else(|| "attachment".into()),
            bytes,
        }),
        MediaRef::File { path, .. } => export.find_media(path).map(|f| match f {
            sources::Found::File(p) => Media::File(p),
            sources::Found::ZipEntry(name) => Media::ZipEntry(name),
        }),
        MediaRef::Omitted { .. } => None,
        MediaRef::Link { .. } => return None,
    };
    if found.is_some() {
        report.media_stored += 1;
    } else {
        report.media_missing += 1;
    }
    found
}

impl Palisade {
    /// The case's live entries as dedup keys (a multiset).
    fn import_keys(&self, case_id: &str) -> Result<HashMap<DedupKey, u64>> {
        let mut existing: HashMap<DedupKey, u64> = HashMap::new();
        for e in self.case(case_id)?.live_entries() {
            if let Ok(t) = Moment::parse(&e.occurred_at) {
                let key = dedup_key(
                    e.direction.as_deref().unwrap_or_default(),
                    e.party.as_deref().unwrap_or_default(),
                    t.sort_key(),
                    e.content.as_deref().unwrap_or_default(),
                );
                *existing.entry(key).or_default() += 1;
            }
        }
        Ok(existing)
    }

    /// Import a message export into a case (see the module documentation). The
    /// export is read twice: once to decide and count everything (all a dry run
    /// does), then again to write, in one transaction.
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
        let export = sources::open_export(opts)?;
        let existing = self.import_keys(case_id)?;
        let import_stamp = Stamp {
            id: new_id("imp")?,
            recorded_at: now(),
        };
        let walk = |existing| Walk {
            opts,
            tz: &tz,
            export: &export,
            me: opts.me.as_deref().map(str::trim).filter(|s| !s.is_empty()),
            existing,
            report: ImportReport {
                format: opts.format.to_string(),
                messages: 0,
                system: 0,
                attachments: 0,
                senders: BTreeMap::new(),
                first: None,
                last: None,
                tz: tz_name.clone(),
                date_order: export.date_order.as_ref().map(|(o, _)| o.clone()),
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
                files: export
                    .files
                    .iter()
                    .map(|f| ImportedFile {
                        name: f.name.clone(),
                        sha256: f.sha256.clone(),
                        size: f.size,
                    })
                    .collect(),
            },
            range: None,
        };

        // The original files are sealed into the blob store on a second thread
        // meanwhile (not on a dry run); they become durable only if the import
        // goes ahead.
        let key = if opts.dry_run {
            None
        } else {
            Some(self.data_key(case_id)?)
        };
        let gate = originals::Gate::default();
        std::thread::scope(|threads| {
            let undecided = originals::RefuseUnlessDecided(&gate);
            let mut keeper = match &key {
                Some(key) => {
                    let (gate, files) = (&gate, &export.files);
                    Some(
                        std::thread::Builder::new()
                            .name("palisade-originals".into())
                            .spawn_scoped(threads, move || {
                                originals::keep(self, case_id, key, files, gate)
                            })
                            .map_err(|e| {
                                ServiceError::Integrity(format!("cannot start a thread: {e}"))
                            })?,
                    )
                }
                None => None,
            };

            // Pass 1: decide and count; write nothing.
            let mut plan = walk(existing.clone());
            let mut seen = 0u64;
            export.for_each(&mut |i, m| {
                seen += 1;
                if seen.is_multiple_of(10_000) {
                    progress("read", seen);
                }
                plan.step(i, m, None)
            })?;
            progress("read", seen);
            let mut report = plan.report;
            if let Some((a, b)) = plan.range {
                report.first = Some(Moment::utc(a).to_string());
                report.last = Some(Moment::utc(b).to_string());
            }
            // A dry run, or nothing new: write nothing (re-importing is idempotent).
            let Some(key) = key.as_ref().filter(|_| report.imported > 0) else {
                return Ok(report);
            };

            // Pass 2: the import record and the original files, then the same
            // decisions, streamed into one transaction (memory does not grow with
            // the export).
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
                "date_order_basis": export.date_order.as_ref().map(|(_, b)| b.clone()),
            });
            let import_record = compose::import(
                &import_stamp,
                case_id,
                &NewImport {
                    format: opts.format.to_string(),
                    files: report.files.clone(),
                    tz: tz_name.clone(),
                    date_order: report.date_order.clone(),
                    me: opts.me.clone(),
                    counts,
                },
            )?;
            let expected = export
                .files
                .iter()
                .map(originals::expected)
                .collect::<Result<Vec<_>>>()?;
            let mut write = walk(existing);
            let mut import_record = Some(import_record);
            self.commit_stream(Vec::new(), &mut |push| {
                let mut w = Writer {
                    palisade: self,
                    case_id,
                    import_id: &import_stamp.id,
                    key: key.clone(),
                    maker: RecordMaker::new(case_id, import_stamp.recorded_at),
                    push,
                };
                let (Some(r), Some(keeper)) = (import_record.take(), keeper.take()) else {
                    return Err(ServiceError::Integrity(
                        "the import was started twice".into(),
                    ));
                };
                w.push(r)?;
                // The import goes ahead: the original files' blobs are finished
                // while the entries are written, and checked before the commit.
                gate.decide(true);
                for att in &expected {
                    let stamp = w.maker.stamp("att")?;
                    w.push(compose::attachment(&stamp, case_id, &import_stamp.id, att)?)?;
                }
                let mut written = 0u64;
                export.for_each(&mut |i, m| {
                    written += 1;
                    if written.is_multiple_of(10_000) {
                        progress("writing", written);
                    }
                    write.step(i, m, Some(&mut w))
                })?;
                if write.report.imported != report.imported {
                    return Err(ServiceError::ImportFile {
                        path: opts.path.display().to_string(),
                        reason: "the export read differently the second time; nothing was written"
                            .into(),
                    });
                }
                let stored = keeper.join().map_err(|_| {
                    ServiceError::Integrity("the thread storing the export panicked".into())
                })??;
                originals::check(&export.files, &expected, &stored)?;
                progress("committing", report.imported);
                Ok(())
            })?;
            drop(undecided);
            report.import_id = Some(import_stamp.id.clone());
            Ok(report)
        })
    }
}

/// The sender as the export names them; else the `--party` mapping of their id;
/// else the raw id; for messages the export attributes to nobody (an SMS sent from
/// the phone), the owner.
fn sender_name<'m>(
    sender: Option<&'m str>,
    sender_id: Option<&'m str>,
    direction: Option<palisade_import::Direction>,
    parties: &'m BTreeMap<String, String>,
    me: Option<&'m str>,
) -> &'m str {
    let named = sender.map(str::trim).filter(|s| !s.is_empty());
    if let Some(n) = named.or(sender_id) {
        return parties.get(n).map_or(n, String::as_str);
    }
    if direction == Some(palisade_import::Direction::Outgoing) {
        return me.unwrap_or("me");
    }
    "unknown"
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
