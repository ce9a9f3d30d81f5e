//! Email: one message in a `.eml` file, or many in an mbox file.
//!
//! MIME, encoded words, transfer encodings and charsets are decoded by the
//! `mail-parser` crate. Per message:
//!
//! * [`Message::sender`] is the `From` display name (else the address) and
//!   [`Message::sender_id`] the address; [`Message::recipients`] lists
//!   `To`, `Cc` and `Bcc` (address as `id`, display name as `name`);
//!   [`Message::subject`] and [`Message::source_id`] (`Message-ID`) are
//!   filled in. [`Message::direction`] is left unset: an email does not say
//!   whose mailbox it was exported from.
//! * The time is the `Date` header. With an offset (the normal case) it is a
//!   [`MessageTime::Instant`]; a `Date` that names no zone at all is kept as
//!   the sender's wall clock, [`MessageTime::Civil`]. A message with no
//!   `Date`, or one that cannot be read, is refused with
//!   [`ImportError::EmailDate`] naming the message: an undated message
//!   cannot be placed in a timeline, and guessing from `Received` headers
//!   (the receiving server's clock, not the sender's act) would put a
//!   different fact in its place.
//! * The text is the plain-text body; a message with only an HTML body is
//!   reduced to text with [`html_to_text`]. Line endings become `\n` and
//!   trailing whitespace is trimmed.
//! * Attachments (inline images included) become [`MediaRef::Inline`] with
//!   their bytes, capped by [`EmailOptions::max_attachment_bytes`].
//! * The locator is the line and byte offset where the message starts: 1
//!   and 0 for a `.eml`, the `From ` line in an mbox.
//!
//! An mbox is read message by message ([`Mbox`]), holding one message at a
//! time (capped by [`EmailOptions::max_message_bytes`]). Messages are split
//! at every line that begins with `From `; lines that begin with `>From `,
//! `>>From `, … lose one `>` ([`MboxQuoting::Mboxrd`], the default).
//! mboxcl's `Content-Length` is not used: a body line beginning `From ` that
//! its writer did not quote starts a new (broken) message, reported as
//! [`ImportError::NotEmail`].

mod html;
mod mbox;

use std::io::{BufRead, Read};

use jiff::tz::Offset;
use mail_parser::{Address, HeaderName, MessageParser, MimeHeaders, PartType};

use crate::{
    ImportError, Kind, Locator, MediaKind, MediaRef, Message, MessageTime, Recipient, RecipientRole,
};
pub use html::html_to_text;
pub use mbox::Mbox;

/// How mbox `>From ` lines are read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MboxQuoting {
    /// mboxrd: a line `>+From ` loses one `>`. Also the best reading of an
    /// mboxo file, where every `>From ` but a rare genuine one was a quoted
    /// `From `.
    #[default]
    Mboxrd,
    /// Keep every line as written.
    Verbatim,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EmailOptions {
    /// Largest message accepted, in bytes as stored (default 64 MiB).
    pub max_message_bytes: usize,
    /// Largest single attachment accepted, decoded (default 48 MiB).
    pub max_attachment_bytes: usize,
    pub quoting: MboxQuoting,
}

impl Default for EmailOptions {
    fn default() -> Self {
        Self {
            max_message_bytes: 64 << 20,
            max_attachment_bytes: 48 << 20,
            quoting: MboxQuoting::Mboxrd,
        }
    }
}

/// Parses one message from a `.eml` file. A leading mbox `From ` line is
/// skipped.
pub fn parse_eml<R: Read>(reader: R, options: EmailOptions) -> Result<Message, ImportError> {
    let cap = u64::try_from(options.max_message_bytes)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    let mut raw = Vec::new();
    reader
        .take(cap)
        .read_to_end(&mut raw)
        .map_err(|source| ImportError::Io { line: 0, source })?;
    if raw.len() > options.max_message_bytes {
        return Err(ImportError::MessageTooLong {
            line: 1,
            byte_offset: 0,
            limit: options.max_message_bytes,
        });
    }
    parse_eml_bytes(&raw, options)
}

/// Parses one message held in memory (for example a member of an archive).
pub fn parse_eml_bytes(raw: &[u8], options: EmailOptions) -> Result<Message, ImportError> {
    let mut body = raw;
    if body.starts_with(b"From ") {
        let skip = memchr::memchr(b'\n', body).map_or(body.len(), |i| i + 1);
        body = body.get(skip..).unwrap_or_default();
    }
    convert(body, 0, 1, 0, &options)
}

/// Streams the messages of an mbox file; see [`Mbox`].
pub fn parse_mbox<R: BufRead>(reader: R, options: EmailOptions) -> Mbox<R> {
    Mbox::new(reader, options)
}

/// Parses a whole mbox into memory, stopping at the first error
/// (convenience for small files and tests).
pub fn parse_mbox_all<R: BufRead>(
    reader: R,
    options: EmailOptions,
) -> Result<Vec<Message>, ImportError> {
    Mbox::new(reader, options).collect()
}

/// A header field name followed by `:`. RFC 5322 allows any printable
/// ASCII in a name; real first headers use letters, digits, `-`, `_` and
/// `.`, and requiring that tells a message from other text.
fn starts_with_header(raw: &[u8]) -> bool {
    let name = raw
        .iter()
        .take_while(|&&b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    let n = name.count();
    n > 0 && raw.get(n) == Some(&b':')
}

fn excerpt(raw: &[u8]) -> String {
    let line = raw.split(|&b| b == b'\n').next().unwrap_or_default();
    String::from_utf8_lossy(line)
        .trim_end()
        .chars()
        .take(60)
        .collect()
}

/// Turns one raw message into a [`Message`].
fn convert(
    raw: &[u8],
    index: u64,
    line: u64,
    byte_offset: u64,
    options: &EmailOptions,
) -> Result<Message, ImportError> {
    let not_email = |reason: String| ImportError::NotEmail {
        line,
        byte_offset,
        reason,
    };
    if raw.trim_ascii().is_empty() {
        return Err(not_email("it is empty".into()));
    }
    if !starts_with_header(raw) {
        return Err(not_email(format!(
            "it does not begin with a header field such as `From:`; found {:?}",
            excerpt(raw)
        )));
    }
    let msg = MessageParser::default()
        .parse(raw)
        .ok_or_else(|| not_email("no header could be read".into()))?;
    let time = message_time(&msg).map_err(|reason| ImportError::EmailDate {
        line,
        byte_offset,
        message: label(&msg),
        reason,
    })?;
    let from = msg.from().and_then(Address::first);
    let sender_id = from.and_then(|a| a.address()).map(str::to_owned);
    let sender = from
        .and_then(|a| a.name().filter(|n| !n.trim().is_empty()))
        .map(str::to_owned)
        .or_else(|| sender_id.clone());
    let roles = [
        (RecipientRole::To, msg.header_values(HeaderName::To)),
        (RecipientRole::Cc, msg.header_values(HeaderName::Cc)),
        (RecipientRole::Bcc, msg.header_values(HeaderName::Bcc)),
    ];
    let recipients = roles
        .into_iter()
        .flat_map(|(role, values)| {
            values
                .filter_map(|v| v.as_address())
                .flat_map(|a| a.iter())
                .filter_map(move |a| recipient(a, role))
        })
        .collect();
    let mut media = Vec::new();
    for part in msg.attachments() {
        let name = part.attachment_name().map(str::to_owned);
        let bytes = part.contents();
        if bytes.len() > options.max_attachment_bytes {
            return Err(ImportError::AttachmentTooLarge {
                line,
                byte_offset,
                name,
                size: bytes.len(),
                limit: options.max_attachment_bytes,
            });
        }
        let media_type = media_type(part);
        media.push(MediaRef::Inline {
            name,
            kind: MediaKind::of_media_type(&media_type),
            media_type,
            bytes: bytes.to_vec(),
        });
    }
    Ok(Message {
        index,
        source_id: msg.message_id().map(str::to_owned),
        sender,
        sender_id,
        time,
        text: body_text(&msg),
        kind: Kind::Message,
        action: None,
        media,
        edited: false,
        deleted: false,
        locator: Locator::Line { line, byte_offset },
        recipients,
        direction: None,
        subject: msg.subject().map(str::to_owned),
        reactions: Vec::new(),
    })
}

/// ` (Message-ID <…>, subject "…")`, for errors.
fn label(msg: &mail_parser::Message<'_>) -> String {
    let mut parts = Vec::new();
    if let Some(id) = msg.message_id() {
        parts.push(format!("Message-ID <{id}>"));
    }
    if let Some(s) = msg.subject() {
        let s: String = s.chars().take(80).collect();
        parts.push(format!("subject {s:?}"));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join(", "))
    }
}

fn recipient(a: &mail_parser::Addr<'_>, role: RecipientRole) -> Option<Recipient> {
    let name = a.name().map(str::trim).filter(|n| !n.is_empty());
    let address = a.address().map(str::trim).filter(|n| !n.is_empty());
    // Without an address the name is all there is to identify them.
    let id = address.or(name)?.to_owned();
    Some(Recipient {
        id,
        name: name.map(str::to_owned),
        role,
    })
}

fn media_type(part: &mail_parser::MessagePart<'_>) -> String {
    if let Some(ct) = part.content_type() {
        let sub = ct.subtype().unwrap_or("octet-stream");
        return format!("{}/{}", ct.ctype(), sub).to_ascii_lowercase();
    }
    match part.body {
        PartType::Text(_) => "text/plain",
        PartType::Html(_) => "text/html",
        PartType::Message(_) => "message/rfc822",
        _ => "application/octet-stream",
    }
    .to_owned()
}

/// The plain-text body parts, or the HTML ones reduced to text.
fn body_text(msg: &mail_parser::Message<'_>) -> String {
    let mut pieces = Vec::new();
    for &id in &msg.text_body {
        let Some(part) = msg.parts.get(id as usize) else {
            continue;
        };
        match &part.body {
            PartType::Text(t) => pieces.push(t.replace("\r\n", "\n")),
            PartType::Html(h) => pieces.push(html_to_text(&h.replace("\r\n", "\n"))),
            _ => {}
        }
    }
    let text = pieces.join("\n");
    text.trim_end().to_owned()
}

/// The `Date` header as an instant, or as wall-clock time when it names no
/// zone.
fn message_time(msg: &mail_parser::Message<'_>) -> Result<MessageTime, String> {
    let Some(raw) = msg.header_raw(HeaderName::Date) else {
        return Err("no Date header; an undated message cannot be placed in time".into());
    };
    let raw = raw.trim();
    let bad = |why: &str| format!("Date header {raw:?} {why}");
    let zoned = has_zone(raw);
    // mail-parser wants a zone; a Date without one is read as if it had
    // `+0000` and then kept as wall-clock time.
    let dt = msg
        .date()
        .copied()
        .or_else(|| {
            let assumed = format!("{raw} +0000");
            (!zoned).then(|| mail_parser::DateTime::parse_rfc822(&assumed))?
        })
        .filter(|d| d.is_valid())
        .ok_or_else(|| bad("is not a date"))?;
    let num = |v: u8| i8::try_from(v).map_err(|_| bad("is out of range"));
    let year = i16::try_from(dt.year).map_err(|_| bad("is out of range"))?;
    let civil = jiff::civil::DateTime::new(
        year,
        num(dt.month)?,
        num(dt.day)?,
        num(dt.hour)?,
        num(dt.minute)?,
        num(dt.second)?,
        0,
    )
    .map_err(|e| bad(&format!("is not a valid date: {e}")))?;
    if !zoned {
        return Ok(MessageTime::Civil(civil));
    }
    let secs = (i32::from(dt.tz_hour) * 3600 + i32::from(dt.tz_minute) * 60)
        * if dt.tz_before_gmt { -1 } else { 1 };
    let offset = Offset::from_seconds(secs).map_err(|e| bad(&format!("has a bad offset: {e}")))?;
    offset
        .to_timestamp(civil)
        .map(MessageTime::Instant)
        .map_err(|e| bad(&format!("is out of range: {e}")))
}

/// Whether a `Date` value names a zone after its time of day (`+0100`,
/// `-0500`, `GMT`, `EST`, …), comments aside.
fn has_zone(raw: &str) -> bool {
    let mut depth = 0u32;
    let clean: String = raw
        .chars()
        .filter(|&c| match c {
            '(' => {
                depth += 1;
                false
            }
            ')' => {
                depth = depth.saturating_sub(1);
                false
            }
            _ => depth == 0,
        })
        .collect();
    let mut tokens = clean
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|t| !t.is_empty());
    let Some(time) = tokens.by_ref().find(|t| t.contains(':')) else {
        return false;
    };
    if time.contains(['+', '-']) || time.ends_with(|c: char| c.is_ascii_alphabetic()) {
        return true;
    }
    tokens.any(|t| {
        let signed = t
            .strip_prefix(['+', '-'])
            .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()));
        signed || t.bytes().all(|b| b.is_ascii_alphabetic())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zone_detection() {
        assert!(has_zone("Wed, 14 Feb 2024 21:07:00 +0100"));
        assert!(has_zone("14 Feb 2024 21:07 -0500 (EST)"));
        assert!(has_zone("Wed, 14 Feb 2024 21:07:00 GMT"));
        assert!(has_zone("Wed, 14 Feb 2024 21:07:00+0100"));
        assert!(!has_zone("Wed, 14 Feb 2024 21:07:00"));
        assert!(!has_zone("Wed, 14 Feb 2024 21:07:00 (no zone)"));
        assert!(!has_zone("yesterday"));
    }

    #[test]
    fn header_start() {
        assert!(starts_with_header(b"From: a@b\n"));
        assert!(starts_with_header(b"X-Odd_Name.1: v\n"));
        assert!(!starts_with_header(b"Hello there: x\n"));
        assert!(!starts_with_header(b": x\n"));
        assert!(!starts_with_header(b"{\"json\": 1}"));
    }
}
