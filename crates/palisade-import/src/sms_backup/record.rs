//! One `<sms>`, `<mms>` (with its parts and addresses) or `<call>` element
//! turned into a [`Message`].

use std::borrow::Cow;
use std::str::FromStr;

use jiff::Timestamp;
use quick_xml::events::BytesStart;

use super::input::{self, unescape};
use super::{At, BackupInfo, BackupKind, SmsBackupOptions, sms_box};
use crate::{
    Direction, ImportError, Kind, Locator, MediaKind, MediaRef, Message, MessageTime, Recipient,
    RecipientRole,
};

/// One attribute as written, with the byte offset of its value in the tag.
pub(super) struct Attr<'t> {
    key: &'t str,
    value: Cow<'t, str>,
    pos: usize,
}

/// Every attribute of a tag. Syntax errors (missing quotes, duplicates)
/// and values over the size limit are reported with their position.
pub(super) fn attrs<'t>(
    e: &'t BytesStart<'_>,
    at: At<'_>,
    opts: &SmsBackupOptions,
) -> Result<Vec<Attr<'t>>, ImportError> {
    let mut out = Vec::new();
    let mut it = e.attributes();
    it.with_checks(true);
    for a in it {
        let a = a.map_err(|err| {
            use quick_xml::events::attributes::AttrError as E;
            let (pos, what) = match err {
                E::ExpectedEq(p) => (p, "an attribute name must be followed by `=`".to_owned()),
                E::ExpectedValue(p) => (p, "`=` must be followed by a quoted value".to_owned()),
                E::UnquotedValue(p) => (p, "attribute value is not in quotes".to_owned()),
                E::ExpectedQuote(p, q) => (p, format!("missing closing `{}`", char::from(q))),
                E::Duplicated(p, first) => (
                    p,
                    format!("duplicate attribute (first at byte {})", at.byte(first)),
                ),
            };
            at.xml(pos, format!("invalid attribute: {what}"))
        })?;
        let key = a.key.0;
        let pos = offset_in(at.tag, &a.value);
        if key != "data" && a.value.len() > opts.max_text_bytes {
            return Err(at.too_large(pos, &format!("attribute `{key}`"), opts.max_text_bytes));
        }
        out.push(Attr {
            key,
            value: a.value,
            pos,
        });
    }
    Ok(out)
}

/// Byte offset of `part` within `whole` (it borrows from it; 0 otherwise).
fn offset_in(whole: &str, part: &str) -> usize {
    let off = (part.as_ptr() as usize).wrapping_sub(whole.as_ptr() as usize);
    if off <= whole.len() { off } else { 0 }
}

fn get<'a, 't>(attrs: &'a [Attr<'t>], key: &str) -> Option<&'a Attr<'t>> {
    attrs.iter().find(|a| a.key == key)
}

/// The unescaped value; `None` when absent or the literal `null`.
fn text(attrs: &[Attr<'_>], key: &str, at: At<'_>) -> Result<Option<String>, ImportError> {
    let Some(a) = get(attrs, key) else {
        return Ok(None);
    };
    let v = unescape(&a.value).map_err(|e| at.xml(a.pos + e.at, e.message))?;
    Ok((v != "null").then_some(v))
}

/// A name or number: also `None` when empty, blank or `(Unknown)`.
fn name(attrs: &[Attr<'_>], key: &str, at: At<'_>) -> Result<Option<String>, ImportError> {
    Ok(text(attrs, key, at)?.filter(|v| !v.trim().is_empty() && v != "(Unknown)"))
}

fn number<T: FromStr>(attrs: &[Attr<'_>], key: &str, at: At<'_>) -> Result<Option<T>, ImportError> {
    let Some(v) = text(attrs, key, at)? else {
        return Ok(None);
    };
    match v.trim().parse() {
        Ok(n) => Ok(Some(n)),
        Err(_) => {
            let pos = get(attrs, key).map_or(0, |a| a.pos);
            Err(at.error(pos, format!("`{key}` {v:?} is not a whole number")))
        }
    }
}

fn millis(attrs: &[Attr<'_>], key: &str, at: At<'_>) -> Result<Option<Timestamp>, ImportError> {
    let Some(ms) = number::<i64>(attrs, key, at)? else {
        return Ok(None);
    };
    Timestamp::from_millisecond(ms).map(Some).map_err(|e| {
        let pos = get(attrs, key).map_or(0, |a| a.pos);
        at.error(pos, format!("`{key}` {ms} is out of range: {e}"))
    })
}

fn required_time(attrs: &[Attr<'_>], at: At<'_>, what: &str) -> Result<MessageTime, ImportError> {
    match millis(attrs, "date", at)? {
        Some(t) => Ok(MessageTime::Instant(t)),
        None => Err(at.error(0, format!("<{what}> has no `date`"))),
    }
}

fn locator(at: At<'_>) -> Locator {
    Locator::Line {
        line: at.line,
        byte_offset: at.offset,
    }
}

pub(super) fn info(
    kind: BackupKind,
    attrs: &[Attr<'_>],
    at: At<'_>,
    _opts: &SmsBackupOptions,
) -> Result<BackupInfo, ImportError> {
    Ok(BackupInfo {
        kind,
        declared_count: number(attrs, "count", at)?,
        backup_date: millis(attrs, "backup_date", at)?,
        backup_set: text(attrs, "backup_set", at)?,
    })
}

fn message(index: u64, time: MessageTime, at: At<'_>) -> Message {
    Message {
        index,
        source_id: None,
        sender: None,
        sender_id: None,
        time,
        text: String::new(),
        kind: Kind::Message,
        action: None,
        media: Vec::new(),
        edited: false,
        deleted: false,
        locator: locator(at),
        recipients: Vec::new(),
        subject: None,
        reactions: Vec::new(),
        direction: None,
    }
}

/// The other party of an outgoing message.
fn to(number: String, contact: Option<String>) -> Recipient {
    Recipient {
        id: number,
        name: contact,
        role: RecipientRole::To,
    }
}

/// Sender (incoming) or recipient (outgoing) from a contact name and number.
fn attribute_party(m: &mut Message, contact: Option<String>, number: Option<String>) {
    match m.direction {
        Some(Direction::Incoming) => {
            m.sender = contact.or_else(|| number.clone());
            m.sender_id = number;
        }
        _ => {
            if let Some(n) = number {
                m.recipients.push(to(n, contact));
            }
        }
    }
}

fn direction(
    attrs: &[Attr<'_>],
    key: &str,
    at: At<'_>,
) -> Result<(Direction, Option<&'static str>), ImportError> {
    let code = number::<u32>(attrs, key, at)?;
    code.and_then(sms_box).ok_or_else(|| {
        let pos = get(attrs, key).map_or(0, |a| a.pos);
        let shown = code.map_or_else(|| "missing".to_owned(), |c| c.to_string());
        at.error(pos, format!("`{key}` is {shown}, expected 1 to 6 (received, sent, draft, outbox, failed, queued)"))
    })
}

pub(super) fn sms(
    attrs: &[Attr<'_>],
    at: At<'_>,
    _opts: &SmsBackupOptions,
    index: u64,
) -> Result<Message, ImportError> {
    let mut m = message(index, required_time(attrs, at, "sms")?, at);
    let (dir, action) = direction(attrs, "type", at)?;
    m.direction = Some(dir);
    m.action = action.map(str::to_owned);
    m.text = text(attrs, "body", at)?.unwrap_or_default();
    m.subject = text(attrs, "subject", at)?;
    attribute_party(
        &mut m,
        name(attrs, "contact_name", at)?,
        name(attrs, "address", at)?,
    );
    Ok(m)
}

pub(super) fn call(
    attrs: &[Attr<'_>],
    at: At<'_>,
    _opts: &SmsBackupOptions,
    index: u64,
) -> Result<Message, ImportError> {
    let mut m = message(index, required_time(attrs, at, "call")?, at);
    m.kind = Kind::System;
    let code = number::<i64>(attrs, "type", at)?;
    let (dir, action) = match code {
        Some(1) => (Some(Direction::Incoming), "incoming_call".to_owned()),
        Some(2) => (Some(Direction::Outgoing), "outgoing_call".to_owned()),
        Some(3) => (Some(Direction::Incoming), "missed_call".to_owned()),
        Some(4) => (Some(Direction::Incoming), "voicemail".to_owned()),
        Some(5) => (Some(Direction::Incoming), "rejected_call".to_owned()),
        Some(6) => (Some(Direction::Incoming), "blocked_call".to_owned()),
        Some(7) => (Some(Direction::Incoming), "answered_externally".to_owned()),
        Some(n) => (None, format!("call_type_{n}")),
        None => (None, "call".to_owned()),
    };
    m.direction = dir;
    let phone = name(attrs, "number", at)?.filter(|n| !matches!(n.as_str(), "-1" | "-2" | "-3"));
    let mut text = action.clone();
    if let Some(d) = number::<i64>(attrs, "duration", at)? {
        text.push_str(&format!(": {d} s"));
    }
    let presentation = match number::<i64>(attrs, "presentation", at)? {
        Some(2) => Some("number withheld"),
        Some(3) => Some("number unknown"),
        Some(4) => Some("payphone"),
        _ => None,
    };
    if let Some(p) = presentation {
        text.push_str(if text.contains(':') { ", " } else { ": " });
        text.push_str(p);
    }
    if dir.is_none()
        && let Some(n) = &phone
    {
        text.push_str(&format!(" ({n})"));
    }
    m.text = text;
    m.action = Some(action);
    if dir.is_some() {
        attribute_party(&mut m, name(attrs, "contact_name", at)?, phone);
    }
    Ok(m)
}

/// An `<mms>` being read: its own attributes, then its parts and addresses.
pub(super) struct MmsBuilder {
    m: Message,
    contact: Option<String>,
    /// The `address` attribute: the other parties, `~`-separated.
    address: Option<String>,
    texts: Vec<String>,
    media_bytes: usize,
    from: Option<String>,
}

impl MmsBuilder {
    pub fn new(
        attrs: &[Attr<'_>],
        at: At<'_>,
        _opts: &SmsBackupOptions,
    ) -> Result<Self, ImportError> {
        let mut m = message(0, required_time(attrs, at, "mms")?, at);
        let (dir, action) = direction(attrs, "msg_box", at)?;
        m.direction = Some(dir);
        m.action = action.map(str::to_owned);
        m.source_id = name(attrs, "m_id", at)?;
        m.subject = text(attrs, "sub", at)?;
        Ok(Self {
            m,
            contact: name(attrs, "contact_name", at)?,
            address: name(attrs, "address", at)?,
            texts: Vec::new(),
            media_bytes: 0,
            from: None,
        })
    }

    /// A `<part>`: text, SMIL layout (skipped) or media.
    pub fn part(
        &mut self,
        attrs: &[Attr<'_>],
        at: At<'_>,
        opts: &SmsBackupOptions,
    ) -> Result<(), ImportError> {
        let ct = text(attrs, "ct", at)?.unwrap_or_default();
        let ct_lower = ct.to_ascii_lowercase();
        if ct_lower == "application/smil" {
            return Ok(());
        }
        if ct_lower == "text/plain"
            && let Some(t) = text(attrs, "text", at)?
        {
            self.texts.push(t);
            return Ok(());
        }
        let file_name = name(attrs, "cl", at)?
            .or(name(attrs, "name", at)?)
            .or(name(attrs, "fn", at)?);
        let kind = MediaKind::of_media_type(&ct_lower);
        let data = get(attrs, "data").filter(|a| a.value.as_ref() != "null");
        let Some(data) = data else {
            let placeholder = file_name.unwrap_or_else(|| ct.clone());
            self.m.media.push(MediaRef::Omitted { kind, placeholder });
            return Ok(());
        };
        let room = opts
            .max_message_media_bytes
            .saturating_sub(self.media_bytes);
        let limit = opts.max_part_bytes.min(room);
        let bytes = input::decode_base64(&data.value, limit).map_err(|e| match e {
            Some(e) => at.error(data.pos + e.at, e.message),
            None if limit < opts.max_part_bytes => at.too_large(
                data.pos,
                "MMS media of one message",
                opts.max_message_media_bytes,
            ),
            None => at.too_large(data.pos, "MMS part", opts.max_part_bytes),
        })?;
        self.media_bytes += bytes.len();
        self.m.media.push(MediaRef::Inline {
            name: file_name,
            media_type: ct_lower,
            kind,
            bytes,
        });
        Ok(())
    }

    /// An `<addr>`: 137 from, 151 to, 130 cc, 129 bcc.
    pub fn addr(
        &mut self,
        attrs: &[Attr<'_>],
        at: At<'_>,
        _opts: &SmsBackupOptions,
    ) -> Result<(), ImportError> {
        let Some(address) = name(attrs, "address", at)?.filter(|a| a != "insert-address-token")
        else {
            return Ok(());
        };
        match number::<u32>(attrs, "type", at)? {
            Some(137) if self.from.is_none() => self.from = Some(address),
            Some(code @ (151 | 130 | 129)) => self.m.recipients.push(Recipient {
                id: address,
                name: None,
                role: match code {
                    151 => RecipientRole::To,
                    130 => RecipientRole::Cc,
                    _ => RecipientRole::Bcc,
                },
            }),
            _ => {}
        }
        Ok(())
    }

    pub fn finish(self, index: u64) -> Message {
        let mut m = self.m;
        m.index = index;
        m.text = self.texts.join("\n");
        // A contact name belongs to a number only when there is one other
        // party.
        let single = self.address.as_deref().filter(|a| !a.contains('~'));
        let contact = self.contact.filter(|_| single.is_some());
        match m.direction {
            Some(Direction::Incoming) => {
                m.sender_id = self.from.clone().or_else(|| single.map(str::to_owned));
                let from_is_party = m.sender_id.as_deref() == single;
                m.sender = match contact {
                    Some(c) if from_is_party => Some(c),
                    _ => m.sender_id.clone(),
                };
            }
            _ => {
                m.sender_id = self.from;
                if let Some(a) = single {
                    if m.recipients.is_empty() {
                        m.recipients.push(to(a.to_owned(), None));
                    }
                    for r in m.recipients.iter_mut().filter(|r| r.id == a) {
                        r.name.clone_from(&contact);
                    }
                }
            }
        }
        m
    }
}
