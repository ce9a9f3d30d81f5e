//! SMS Backup & Restore (Android) XML: message backups (`<smses>` with
//! `<sms>` and `<mms>`) and call-log backups (`<calls>` with `<call>`).
//!
//! Parsing is streaming: [`Parser`] pulls XML events with quick-xml and
//! yields one [`Message`] per `<sms>`, `<mms>` or `<call>` before reading the
//! next. Memory is bounded by one element: the input layer refuses to hand
//! quick-xml more than [`SmsBackupOptions::max_element_bytes`] for a single
//! tag or text run (an MMS `<part>` keeps its media as a base64 attribute, so
//! that limit follows [`SmsBackupOptions::max_part_bytes`]), plus the decoded
//! media of the MMS being assembled (at most
//! [`SmsBackupOptions::max_message_media_bytes`]).
//!
//! Security: document type declarations are refused ([`ImportError::Xml`]
//! naming `<!DOCTYPE`), so no entity is ever defined or expanded; only the
//! five predefined entities and character references are read. Nesting is
//! limited to [`MAX_DEPTH`] levels.
//!
//! How the backup maps onto [`Message`]:
//!
//! * Times: `date` is epoch milliseconds, an exact instant
//!   ([`MessageTime::Instant`](crate::MessageTime::Instant)). `readable_date` (localised) is ignored.
//! * The literal string `"null"` means absent, for every attribute; so does
//!   a contact name of `(Unknown)`. (A text message consisting of the word
//!   `null` cannot be told apart from a missing body: it reads as empty.)
//! * `<sms>` `type`: 1 received ([`Direction::Incoming`]), 2 sent, 3 draft,
//!   4 outbox, 5 failed, 6 queued (all [`Direction::Outgoing`]; types 3–6
//!   also set [`Message::action`] to `draft`, `outbox`, `failed` or
//!   `queued`). Any other type is an error. The MMS `msg_box` uses the same
//!   numbers.
//! * People: an incoming message's sender is `contact_name`, or the number
//!   (`address`) when there is no name; [`Message::sender_id`] is the number.
//!   The backup never names the phone's owner, so outgoing messages have no
//!   `sender`; the other party is in [`Message::recipients`] (number as
//!   `id`, contact name as `name`).
//!   For MMS, `<addr type="137">` is the sender's number (for an outgoing
//!   MMS that is the owner's own number, kept in `sender_id`;
//!   `insert-address-token` counts as absent) and the addresses of types
//!   151, 130 and 129 are the recipients (roles To, Cc, Bcc), in file order. A
//!   contact name is attached only where the MMS has a single other party
//!   (group MMS list several names in one `contact_name` that cannot be
//!   matched to numbers).
//! * MMS text: the `text` of every `text/plain` part, joined with `\n` in
//!   file order. The SMIL layout part is skipped. Other parts with base64
//!   `data` become [`MediaRef::Inline`](crate::MediaRef::Inline) (file name from `cl`, `name` or
//!   `fn`; lower-case content type); a part without data (a backup made
//!   without media) becomes [`MediaRef::Omitted`](crate::MediaRef::Omitted) with its file name or
//!   content type as placeholder. The MMS `sub` and SMS `subject` go to
//!   [`Message::subject`]; `m_id` to [`Message::source_id`].
//! * Calls are [`Kind::System`](crate::Kind::System) messages (there is no call kind in the
//!   shared model; Telegram calls are system messages too) with
//!   [`Message::action`] `incoming_call`, `outgoing_call`, `missed_call`,
//!   `voicemail`, `rejected_call`, `blocked_call` or
//!   `answered_externally` (types 1–7; other types give `call_type_N` and
//!   no direction), and a generated text such as `missed_call: 0 s` (plus
//!   `, number withheld`, `, number unknown` or `, payphone` from
//!   `presentation`). The caller of an incoming call is the sender; the
//!   callee of an outgoing call is the recipient.
//! * [`Message::locator`] is the line and byte offset of the element's `<`.
//!   Literal line breaks inside attribute values are kept as written (the
//!   app writes `&#10;`), not normalised to spaces.

mod input;
mod record;

use std::io::Read;
use std::iter::FusedIterator;

use jiff::Timestamp;
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::{Direction, ImportError, Message};
use input::Input;
use record::MmsBuilder;

/// Deepest element nesting accepted (the format uses four levels).
pub const MAX_DEPTH: usize = 32;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SmsBackupOptions {
    /// Largest decoded MMS part (default 64 MiB).
    pub max_part_bytes: usize,
    /// Largest total of decoded media in one MMS (default 128 MiB).
    pub max_message_media_bytes: usize,
    /// Longest attribute value other than part data, in bytes as written
    /// (default 4 MiB).
    pub max_text_bytes: usize,
}

impl Default for SmsBackupOptions {
    fn default() -> Self {
        Self {
            max_part_bytes: 64 << 20,
            max_message_media_bytes: 128 << 20,
            max_text_bytes: 4 << 20,
        }
    }
}

impl SmsBackupOptions {
    /// Largest single tag or text run read: room for one part's base64 plus
    /// a few text attributes.
    pub fn max_element_bytes(&self) -> u64 {
        let b64 = (self.max_part_bytes as u64).div_ceil(3) * 4;
        b64 + 4 * self.max_text_bytes as u64 + (64 << 10)
    }
}

/// Which backup the file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BackupKind {
    /// `<smses>`: SMS and MMS.
    Messages,
    /// `<calls>`: the call log.
    Calls,
}

/// The root element's attributes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackupInfo {
    pub kind: BackupKind,
    /// The `count` the app wrote: compare it with the messages read to see
    /// whether a backup is complete.
    pub declared_count: Option<u64>,
    /// `backup_date` (epoch milliseconds).
    pub backup_date: Option<Timestamp>,
    pub backup_set: Option<String>,
}

/// A whole backup, from [`parse_all`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SmsBackup {
    pub info: BackupInfo,
    pub messages: Vec<Message>,
}

/// Parses a whole backup into memory (media included: mind the size).
pub fn parse_all<R: Read>(reader: R, options: SmsBackupOptions) -> Result<SmsBackup, ImportError> {
    let mut parser = Parser::new(reader, options);
    let messages = parser.by_ref().collect::<Result<Vec<_>, _>>()?;
    match parser.info() {
        Some(info) => Ok(SmsBackup {
            info: info.clone(),
            messages,
        }),
        None => Err(ImportError::SmsBackup {
            line: 1,
            byte_offset: 0,
            message: "internal: parse ended without a root element".into(),
        }),
    }
}

/// What the element being read is; one entry per open element.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum El {
    Root,
    Mms,
    Parts,
    Addrs,
    /// Anything else: its content is skipped.
    Other,
}

/// Position of the event being handled: file offset and line of its first
/// byte, and (for tags) the tag text after `<`.
#[derive(Clone, Copy)]
pub(super) struct At<'t> {
    pub offset: u64,
    pub line: u64,
    pub tag: &'t str,
}

impl At<'_> {
    /// File offset of byte `pos` of the tag text; position 0 (the element
    /// as a whole) is reported at its `<`.
    pub fn byte(&self, pos: usize) -> u64 {
        if pos == 0 {
            self.offset
        } else {
            self.offset + 1 + pos as u64
        }
    }

    /// An error at byte `pos` of the tag text.
    pub fn error(&self, pos: usize, message: impl Into<String>) -> ImportError {
        ImportError::SmsBackup {
            line: input::line_in(self.tag, pos, self.line),
            byte_offset: self.byte(pos),
            message: message.into(),
        }
    }

    /// A well-formedness error at byte `pos` of the tag text.
    pub fn xml(&self, pos: usize, message: impl Into<String>) -> ImportError {
        ImportError::Xml {
            line: input::line_in(self.tag, pos, self.line),
            byte_offset: self.byte(pos),
            message: message.into(),
        }
    }

    pub fn too_large(&self, pos: usize, what: &str, limit: usize) -> ImportError {
        ImportError::TooLarge {
            line: input::line_in(self.tag, pos, self.line),
            byte_offset: self.byte(pos),
            what: what.into(),
            limit: limit as u64,
        }
    }
}

/// Streaming iterator over the messages (or calls) of a backup, in file
/// order. Stops after the first error.
pub struct Parser<R: Read> {
    reader: Reader<Input<R>>,
    buf: Vec<u8>,
    options: SmsBackupOptions,
    stack: Vec<El>,
    info: Option<BackupInfo>,
    mms: Option<MmsBuilder>,
    /// Where the root element started, for the "not closed" error.
    root_at: (u64, u64),
    index: u64,
    done: bool,
}

impl<R: Read> Parser<R> {
    /// Reads from `reader` through its own buffer (no `BufReader` needed).
    pub fn new(reader: R, options: SmsBackupOptions) -> Self {
        let input = Input::new(reader, options.max_element_bytes());
        let mut reader = Reader::from_reader(input);
        let config = reader.config_mut();
        config.check_end_names = true;
        config.expand_empty_elements = false;
        config.trim_text(false);
        Self {
            reader,
            buf: Vec::new(),
            options,
            stack: Vec::new(),
            info: None,
            mms: None,
            root_at: (1, 0),
            index: 0,
            done: false,
        }
    }

    /// The root element's attributes, once the root has been read.
    pub fn info(&self) -> Option<&BackupInfo> {
        self.info.as_ref()
    }

    /// Reads events until one completes a message.
    fn step(&mut self) -> Result<Option<Message>, ImportError> {
        let mut buf = std::mem::take(&mut self.buf);
        loop {
            buf.clear();
            if buf.capacity() > 1 << 20 {
                buf = Vec::new();
            }
            match self.event(&mut buf)? {
                Step::More => {}
                Step::Message(m) => {
                    self.buf = buf;
                    return Ok(Some(*m));
                }
                Step::End => return Ok(None),
            }
        }
    }

    /// Reads and handles one event.
    fn event(&mut self, buf: &mut Vec<u8>) -> Result<Step, ImportError> {
        let input = self.reader.get_mut();
        input.mark();
        let (offset, line) = (input.consumed, input.newlines + 1);
        let event = match self.reader.read_event_into(buf) {
            Ok(e) => e,
            Err(e) => return Err(self.read_error(&e, line, offset)),
        };
        let mut out = None;
        match event {
            Event::Start(e) => {
                let at = At {
                    offset,
                    line,
                    tag: &e,
                };
                if self.stack.len() >= MAX_DEPTH {
                    return Err(
                        at.error(0, format!("elements nested deeper than {MAX_DEPTH} levels"))
                    );
                }
                let el = self.open(&e, at, false, &mut out)?;
                self.stack.push(el);
            }
            Event::Empty(e) => {
                let at = At {
                    offset,
                    line,
                    tag: &e,
                };
                let el = self.open(&e, at, true, &mut out)?;
                out = out.or_else(|| self.close(el));
            }
            Event::End(_) => {
                let el = self.stack.pop().unwrap_or(El::Other);
                out = self.close(el);
            }
            Event::Text(t) => {
                if self.stack.is_empty() && !t.trim_ascii().is_empty() {
                    return Err(self.outside_root(line, offset, &t));
                }
            }
            Event::GeneralRef(r) if self.stack.is_empty() => {
                return Err(self.outside_root(line, offset, &r));
            }
            Event::CData(c) if self.stack.is_empty() => {
                return Err(self.outside_root(line, offset, &c));
            }
            Event::GeneralRef(_) | Event::CData(_) | Event::Comment(_) | Event::PI(_) => {}
            Event::DocType(_) => {
                return Err(xml_error(
                    line,
                    offset,
                    "document type declarations (`<!DOCTYPE …>`) are not allowed: \
                     SMS Backup & Restore never writes one, and entities are never expanded",
                ));
            }
            Event::Decl(d) => {
                if let Some(Ok(enc)) = d.encoding() {
                    let enc = enc.to_ascii_lowercase();
                    if enc != "utf-8" && enc != "utf8" {
                        return Err(xml_error(
                            line,
                            offset,
                            format!(
                                "encoding {enc:?} is not supported \
                                 (SMS Backup & Restore writes UTF-8)"
                            ),
                        ));
                    }
                }
            }
            Event::Eof => return self.eof().map(|()| Step::End),
        }
        Ok(out.map_or(Step::More, |m| Step::Message(Box::new(m))))
    }

    fn read_error(&self, e: &quick_xml::Error, line: u64, offset: u64) -> ImportError {
        let input = self.reader.get_ref();
        if input.exceeded {
            return ImportError::TooLarge {
                line,
                byte_offset: offset,
                what: "element or text run".into(),
                limit: self.options.max_element_bytes(),
            };
        }
        if let quick_xml::Error::Io(io) = e {
            return ImportError::Io {
                line,
                source: std::io::Error::new(io.kind(), io.to_string()),
            };
        }
        // quick-xml reports syntax errors at the `<` (or `&`) that starts the
        // markup, which is where this event started; UTF-8 errors count
        // from the start of the event's text or tag name.
        let at = match e {
            quick_xml::Error::Syntax(_) | quick_xml::Error::IllFormed(_) => {
                (self.reader.error_position() + input.bom).max(offset)
            }
            quick_xml::Error::Encoding(quick_xml::encoding::EncodingError::Utf8(u)) => {
                offset + u.valid_up_to() as u64
            }
            _ => offset,
        };
        let mut message = match e {
            quick_xml::Error::Encoding(_) => "text is not valid UTF-8".to_owned(),
            _ => e.to_string(),
        };
        if matches!(e, quick_xml::Error::Syntax(_)) && input.eof {
            message.push_str(" (the file ends inside this markup: truncated?)");
        }
        xml_error(line, at, message)
    }

    fn eof(&self) -> Result<(), ImportError> {
        let input = self.reader.get_ref();
        let (line, offset) = (input.newlines + 1, input.consumed);
        if self.info.is_none() {
            return Err(ImportError::SmsBackup {
                line,
                byte_offset: offset,
                message: "not an SMS Backup & Restore file: no root element".into(),
            });
        }
        if !self.stack.is_empty() {
            let (rl, ro) = self.root_at;
            return Err(xml_error(
                line,
                offset,
                format!(
                    "unexpected end of file: the root element opened at line {rl} (byte {ro}) \
                     is not closed (truncated file?)"
                ),
            ));
        }
        Ok(())
    }

    fn outside_root(&self, line: u64, offset: u64, text: &str) -> ImportError {
        let excerpt: String = text.trim_ascii().chars().take(60).collect();
        let message = if self.info.is_some() {
            format!("content after the root element: {excerpt:?}")
        } else {
            format!("not an SMS Backup & Restore file: text before the root element: {excerpt:?}")
        };
        ImportError::SmsBackup {
            line,
            byte_offset: offset,
            message,
        }
    }

    /// An opening (or empty) tag. A finished `<sms>`/`<call>` goes to `out`.
    fn open(
        &mut self,
        e: &BytesStart<'_>,
        at: At<'_>,
        empty: bool,
        out: &mut Option<Message>,
    ) -> Result<El, ImportError> {
        let name = e.name();
        let name = name.as_ref();
        let parent = self.stack.last().copied();
        let opts = self.options;
        let el = match (parent, name) {
            (None, _) if self.info.is_some() => {
                return Err(at.error(0, "content after the root element: a second root element"));
            }
            (None, "smses" | "calls") => {
                let attrs = record::attrs(e, at, &opts)?;
                let kind = if name == "smses" {
                    BackupKind::Messages
                } else {
                    BackupKind::Calls
                };
                self.info = Some(record::info(kind, &attrs, at, &opts)?);
                self.root_at = (at.line, at.offset);
                El::Root
            }
            (None, other) => {
                return Err(at.error(
                    0,
                    format!("not an SMS Backup & Restore file: the root element is <{other}>, expected <smses> or <calls>"),
                ));
            }
            (Some(El::Root), "sms") => {
                let attrs = record::attrs(e, at, &opts)?;
                *out = Some(record::sms(&attrs, at, &opts, self.next_index())?);
                El::Other
            }
            (Some(El::Root), "call") => {
                let attrs = record::attrs(e, at, &opts)?;
                *out = Some(record::call(&attrs, at, &opts, self.next_index())?);
                El::Other
            }
            (Some(El::Root), "mms") => {
                let attrs = record::attrs(e, at, &opts)?;
                self.mms = Some(MmsBuilder::new(&attrs, at, &opts)?);
                El::Mms
            }
            (Some(El::Mms), "parts") => El::Parts,
            (Some(El::Mms), "addrs") => El::Addrs,
            (Some(El::Parts), "part") => {
                let attrs = record::attrs(e, at, &opts)?;
                if let Some(mms) = self.mms.as_mut() {
                    mms.part(&attrs, at, &opts)?;
                }
                El::Other
            }
            (Some(El::Addrs), "addr") => {
                let attrs = record::attrs(e, at, &opts)?;
                if let Some(mms) = self.mms.as_mut() {
                    mms.addr(&attrs, at, &opts)?;
                }
                El::Other
            }
            _ => {
                if !empty {
                    // Still validate the attribute syntax of skipped tags.
                    record::attrs(e, at, &opts)?;
                }
                El::Other
            }
        };
        Ok(el)
    }

    /// The end of an element: a finished `<mms>` is returned.
    fn close(&mut self, el: El) -> Option<Message> {
        if el != El::Mms {
            return None;
        }
        let b = self.mms.take()?;
        let index = self.next_index();
        Some(b.finish(index))
    }

    fn next_index(&mut self) -> u64 {
        let i = self.index;
        self.index += 1;
        i
    }
}

impl<R: Read> Iterator for Parser<R> {
    type Item = Result<Message, ImportError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.step() {
            Ok(Some(m)) => Some(Ok(m)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

impl<R: Read> FusedIterator for Parser<R> {}

/// Direction of a `<sms>` `type` or `<mms>` `msg_box`, with the action
/// name for boxes other than inbox and sent.
fn sms_box(code: u32) -> Option<(Direction, Option<&'static str>)> {
    Some(match code {
        1 => (Direction::Incoming, None),
        2 => (Direction::Outgoing, None),
        3 => (Direction::Outgoing, Some("draft")),
        4 => (Direction::Outgoing, Some("outbox")),
        5 => (Direction::Outgoing, Some("failed")),
        6 => (Direction::Outgoing, Some("queued")),
        _ => return None,
    })
}

fn xml_error(line: u64, offset: u64, message: impl Into<String>) -> ImportError {
    ImportError::Xml {
        line,
        byte_offset: offset,
        message: message.into(),
    }
}

enum Step {
    More,
    Message(Box<Message>),
    End,
}
