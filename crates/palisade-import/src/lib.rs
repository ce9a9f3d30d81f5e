//! Pure parsers for message exports that doctors bring as evidence.
//!
//! Each format lives in its own module and turns an export into a stream of
//! neutral [`Message`]s. Nothing here touches the ledger: a later layer turns
//! messages into ledger entries. The crate does no I/O of its own beyond
//! reading the `Read`/`BufRead` it is given.
//!
//! * [`whatsapp`]: the "Export chat" `.txt` (Android and iOS layouts, many
//!   date/time styles). Streaming, line by line, bounded memory. Times are the
//!   exporting phone's wall clock: [`MessageTime::Civil`].
//! * [`whatsapp_zip`]: the "Export chat" `.zip` (chat text plus media),
//!   read from any `Read + Seek` with zip-bomb and path-traversal checks;
//!   media named by a message resolves to an entry of the archive.
//! * [`telegram`]: Telegram Desktop `result.json` (single chat or full
//!   export). Streaming over the `messages` arrays. Times are instants
//!   ([`MessageTime::Instant`]) when `date_unixtime` is present.
//! * [`messenger`] and [`instagram`]: "Download your information" JSON
//!   (`message_1.json`, `message_2.json`, …). Streaming per file; a helper
//!   orders a thread's files and merges them chronologically. Text is
//!   repaired with [`repair_mojibake`]. Times are instants.
//! * [`email`]: `.eml` and mbox (mboxo/mboxrd), streaming message by
//!   message with a size cap. Times come from `Date` (instants when it has
//!   an offset); attachments are carried inline ([`MediaRef::Inline`]).
//! * [`sms_backup`]: SMS Backup & Restore XML (SMS, MMS with their media
//!   inline, call logs). Streaming element by element with quick-xml;
//!   document type declarations are refused. Times are instants.
//! * [`x_dm`]: X (Twitter) archive `direct-messages.js` and
//!   `direct-messages-group.js`. Streaming over the events. Times are
//!   instants; senders are account ids.
//!
//! Wall-clock times are resolved in a time zone by the caller with
//! [`resolve`], which reports DST gaps and overlaps instead of hiding them.
//!
//! ```
//! use palisade_import::whatsapp::{self, WhatsAppOptions};
//! use palisade_import::{Ambiguity, Kind, MessageTime, Summary, resolve};
//!
//! let export = "14/02/2024, 21:07 - Dr. Weber: Please stop.\n\
//!               15/02/2024, 07:30 - Bob: IMG-20240215-WA0003.jpg (file attached)\n\
//!               outside your practice\n";
//! // Infers day-first from "15", then parses (two passes over the source).
//! let messages = whatsapp::parse_all(std::io::Cursor::new(export), WhatsAppOptions::default())?;
//! assert_eq!(Summary::of(&messages).messages, 2);
//! assert_eq!(messages[1].text, "outside your practice");
//! assert_eq!(messages[1].media.len(), 1);
//!
//! let MessageTime::Civil(civil) = messages[0].time else { panic!("WhatsApp times are civil") };
//! let berlin = jiff::tz::TimeZone::get("Europe/Berlin")?;
//! let placed = resolve(civil, &berlin)?;
//! assert_eq!(placed.ambiguity, Ambiguity::None);
//! assert_eq!(placed.timestamp.to_string(), "2024-02-14T20:07:00Z");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]

pub mod email;
mod error;
pub mod instagram;
mod json_path;
pub mod messenger;
pub mod sms_backup;
mod summary;
pub mod telegram;
mod time;
pub mod whatsapp;
pub mod whatsapp_zip;
pub mod x_dm;

pub use error::ImportError;
pub use messenger::repair_mojibake;
pub use summary::Summary;
pub use time::{Ambiguity, Resolved, resolve};

use jiff::Timestamp;
use jiff::civil::DateTime;

/// One message (or system line) from an export, in export order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// 0-based position among the items this parse produced (system lines
    /// included), in export order.
    pub index: u64,
    /// The export's own id for the message, when it has one (Telegram `id`).
    pub source_id: Option<String>,
    /// Display name of the author as written in the export. For WhatsApp
    /// Android system lines this is `None`; for iOS system lines it is the
    /// name the export attributes the line to (the chat or group name, or the
    /// caller of a missed call).
    pub sender: Option<String>,
    /// Stable id of the author, when the export has one (Telegram `from_id`).
    pub sender_id: Option<String>,
    pub time: MessageTime,
    /// The text a person wrote, with multi-line messages joined by `\n`.
    /// Media placeholders are moved to [`Message::media`] and the "edited"
    /// marker to [`Message::edited`]; everything else is kept verbatim.
    /// For Telegram service messages with no text, a short description of the
    /// action is generated (for example `phone_call: 56 s, hangup`).
    pub text: String,
    pub kind: Kind,
    /// Service action name (Telegram `action`, such as `phone_call`).
    pub action: Option<String>,
    pub media: Vec<MediaRef>,
    pub edited: bool,
    /// The export shows a deletion notice ("This message was deleted").
    /// Messenger and Instagram: the sender unsent it (`is_unsent`).
    pub deleted: bool,
    pub locator: Locator,
    /// Addressees, when the export names them (email `To`, `Cc` and `Bcc`;
    /// the other party of an SMS/MMS). Empty for chat formats, where the
    /// thread's participants are the audience.
    pub recipients: Vec<Recipient>,
    /// Whether the exporting person received or sent the message, when the
    /// export says (SMS backups do; chat exports and email do not).
    pub direction: Option<Direction>,
    /// Subject line (email), decoded.
    pub subject: Option<String>,
    /// Reactions recorded on this message (Messenger, Instagram).
    pub reactions: Vec<Reaction>,
}

/// Someone a message was addressed to.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Recipient {
    /// Email address or phone number as written.
    pub id: String,
    /// Display or contact name, when the export has one.
    pub name: Option<String>,
    pub role: RecipientRole,
}

/// How a recipient was addressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RecipientRole {
    To,
    Cc,
    Bcc,
}

/// Which way a message went, seen from the person whose export it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    Incoming,
    Outgoing,
}

/// A reaction (usually an emoji) that someone put on a message.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Reaction {
    /// The reaction as written (`❤`, `👍`, …).
    pub reaction: String,
    /// Who reacted, when the export says.
    pub actor: Option<String>,
}

/// When a message was sent, as precisely as the export says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MessageTime {
    /// A wall-clock reading with no offset: resolve it with [`resolve`].
    Civil(DateTime),
    /// An exact instant (the export carried UTC or an offset).
    Instant(Timestamp),
}

impl MessageTime {
    /// Resolves the time in `tz`; an [`MessageTime::Instant`] is never
    /// ambiguous.
    pub fn resolve(&self, tz: &jiff::tz::TimeZone) -> Result<Resolved, ImportError> {
        match *self {
            MessageTime::Civil(dt) => resolve(dt, tz),
            MessageTime::Instant(ts) => Ok(Resolved {
                timestamp: ts,
                ambiguity: Ambiguity::None,
            }),
        }
    }
}

/// A person's message or a line the app itself wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Message,
    /// Encryption notices, "blocked", group changes, missed calls, Telegram
    /// service messages.
    System,
}

/// Media that a message carries or mentions.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum MediaRef {
    /// A file the export names: a file name (WhatsApp: a member of the export
    /// .zip) or a path relative to the export folder (Telegram).
    File { path: String, kind: MediaKind },
    /// Media the export mentions but did not include, with the placeholder
    /// text as written (`<Media omitted>`, `image omitted`, `(File not
    /// included. …)`).
    Omitted {
        kind: MediaKind,
        placeholder: String,
    },
    /// Media carried inside the export itself (an email attachment, an MMS
    /// part), decoded from its transfer encoding. Email text attachments
    /// are decoded to UTF-8.
    Inline {
        /// File name from the part's headers, when it has one.
        name: Option<String>,
        /// MIME type such as `image/jpeg` (lower case).
        media_type: String,
        kind: MediaKind,
        bytes: Vec<u8>,
    },
    /// A shared link (Messenger `share`), with the preview text the export
    /// shows for it.
    Link { url: String, text: Option<String> },
}

impl MediaRef {
    pub fn kind(&self) -> MediaKind {
        match self {
            MediaRef::File { kind, .. } | MediaRef::Omitted { kind, .. } => *kind,
            MediaRef::Inline { kind, .. } => *kind,
            MediaRef::Link { .. } => MediaKind::Link,
        }
    }
}

/// What kind of media, as far as the export tells.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MediaKind {
    Photo,
    Video,
    Audio,
    Voice,
    Sticker,
    Gif,
    Document,
    Contact,
    Other,
    /// A shared link ([`MediaRef::Link`]).
    Link,
}

impl MediaKind {
    /// The kind for a MIME type such as `image/png` (parameters ignored).
    pub fn of_media_type(media_type: &str) -> MediaKind {
        let essence = media_type.split(';').next().unwrap_or_default().trim();
        let (top, sub) = essence.split_once('/').unwrap_or((essence, ""));
        let (top, sub) = (top.to_ascii_lowercase(), sub.to_ascii_lowercase());
        match (top.as_str(), sub.as_str()) {
            ("image", "gif") => MediaKind::Gif,
            ("image", _) => MediaKind::Photo,
            ("video", _) => MediaKind::Video,
            ("audio", _) => MediaKind::Audio,
            ("text", "vcard" | "x-vcard") => MediaKind::Contact,
            ("application" | "text", _) => MediaKind::Document,
            _ => MediaKind::Other,
        }
    }
}

/// Where in the export a message came from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Locator {
    /// 1-based line number and byte offset of the message's first line.
    Line { line: u64, byte_offset: u64 },
    /// JSON path such as `$.chats.list[2].messages[17]`.
    JsonPath(String),
    /// A JSON path inside one file of a multi-file export, such as
    /// `message_2.json` and `$.messages[17]` (Messenger, Instagram).
    FileJsonPath { file: String, path: String },
}

impl std::fmt::Display for Locator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Locator::Line { line, byte_offset } => write!(f, "line {line} (byte {byte_offset})"),
            Locator::JsonPath(p) => f.write_str(p),
            Locator::FileJsonPath { file, path } => write!(f, "{file} {path}"),
        }
    }
}
