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
//! * [`telegram`]: Telegram Desktop `result.json` (single chat or full
//!   export). Streaming over the `messages` arrays. Times are instants
//!   ([`MessageTime::Instant`]) when `date_unixtime` is present.
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

mod error;
mod summary;
pub mod telegram;
mod time;
pub mod whatsapp;

pub use error::ImportError;
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
    pub deleted: bool,
    pub locator: Locator,
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
}

impl MediaRef {
    pub fn kind(&self) -> MediaKind {
        match self {
            MediaRef::File { kind, .. } | MediaRef::Omitted { kind, .. } => *kind,
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
}

/// Where in the export a message came from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Locator {
    /// 1-based line number and byte offset of the message's first line.
    Line { line: u64, byte_offset: u64 },
    /// JSON path such as `$.chats.list[2].messages[17]`.
    JsonPath(String),
}

impl std::fmt::Display for Locator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Locator::Line { line, byte_offset } => write!(f, "line {line} (byte {byte_offset})"),
            Locator::JsonPath(p) => f.write_str(p),
        }
    }
}
