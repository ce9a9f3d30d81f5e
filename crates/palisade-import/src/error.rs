//! The one error type of the crate. Every variant says where in the input the
//! problem is: a line number and byte offset for line formats, a JSON path
//! (plus line and column) for JSON formats.

use crate::whatsapp::DateOrder;
use crate::whatsapp_zip::ZipLimitKind;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    #[error("read error at line {line}: {source}")]
    Io {
        line: u64,
        #[source]
        source: std::io::Error,
    },

    #[error("line {line} (byte {byte_offset}): text is not valid UTF-8")]
    InvalidUtf8 { line: u64, byte_offset: u64 },

    #[error(
        "line {line} (byte {byte_offset}): not a WhatsApp chat export: expected a message header \
         such as `14/02/2024, 21:07 - Name: text` or `[14/02/2024, 21:07:00] Name: text`, \
         found {excerpt:?}"
    )]
    NotWhatsApp {
        line: u64,
        byte_offset: u64,
        excerpt: String,
    },

    #[error("no WhatsApp message header found (input has {lines} lines, all blank)")]
    NoHeader { lines: u64 },

    #[error(
        "line {line}: cannot tell whether dates such as {sample:?} are day-first or month-first \
         (no field above 12, and neither field changes the way days do); \
         pass an explicit date order: dmy, mdy or ymd"
    )]
    AmbiguousDateOrder { line: u64, sample: String },

    #[error(
        "line {line} (byte {byte_offset}): date/time {text:?} is not valid with date order \
         {order}: {reason}"
    )]
    InvalidDate {
        line: u64,
        byte_offset: u64,
        text: String,
        order: DateOrder,
        reason: String,
    },

    #[error("line {line} (byte {byte_offset}): message longer than the limit of {limit} bytes")]
    MessageTooLong {
        line: u64,
        byte_offset: u64,
        limit: usize,
    },

    #[error("unknown date order {0:?}: expected dmy, mdy or ymd")]
    UnknownDateOrder(String),

    #[error("invalid JSON at {path} (line {line}, column {column}): {message}")]
    Json {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },

    #[error("{path} (line {line}, column {column}): {message}")]
    Telegram {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },

    #[error("cannot place {civil} in time zone {zone}: {message}")]
    Time {
        civil: jiff::civil::DateTime,
        zone: String,
        message: String,
    },

    /// A Messenger or Instagram JSON file that is malformed or not an
    /// export; `message` starts with `invalid JSON:` for syntax errors.
    #[error("{format} export {file}, {path} (line {line}, column {column}): {message}")]
    MetaExport {
        format: &'static str,
        file: String,
        path: String,
        line: usize,
        column: usize,
        message: String,
    },

    /// An export this crate recognises but cannot read yet.
    #[error("{file}: not supported yet: {shape}")]
    UnsupportedShape { file: String, shape: String },

    #[error("{file}: read error: {source}")]
    FileIo {
        file: String,
        #[source]
        source: std::io::Error,
    },

    #[error("no message_N.json file among the {listed} names given")]
    NoThreadFiles { listed: usize },

    #[error(
        "line {line} (byte {byte_offset}): not an mbox file: a message must start with a \
         `From ` separator line, found {excerpt:?}"
    )]
    NotMbox {
        line: u64,
        byte_offset: u64,
        excerpt: String,
    },

    #[error("message at line {line} (byte {byte_offset}): not an email message: {reason}")]
    NotEmail {
        line: u64,
        byte_offset: u64,
        reason: String,
    },

    /// An email without a usable `Date` header: it cannot be placed in time,
    /// so it is refused rather than guessed. `message` names it by
    /// Message-ID and subject when it has them.
    #[error("message at line {line} (byte {byte_offset}){message}: {reason}")]
    EmailDate {
        line: u64,
        byte_offset: u64,
        message: String,
        reason: String,
    },

    #[error(
        "message at line {line} (byte {byte_offset}): attachment {name:?} is {size} bytes, \
         over the limit of {limit}"
    )]
    AttachmentTooLarge {
        line: u64,
        byte_offset: u64,
        name: Option<String>,
        size: usize,
        limit: usize,
    },

    /// Malformed XML (SMS Backup & Restore). `byte_offset` is exact; `line`
    /// is the line where the markup containing the error starts.
    #[error("line {line} (byte {byte_offset}): invalid XML: {message}")]
    Xml {
        line: u64,
        byte_offset: u64,
        message: String,
    },

    /// Well-formed XML that is not an SMS Backup & Restore file, or an
    /// element of it that cannot be read (a bad `date`, an unknown `type`).
    #[error("line {line} (byte {byte_offset}): {message}")]
    SmsBackup {
        line: u64,
        byte_offset: u64,
        message: String,
    },

    /// An element, attribute or decoded MMS part over its size limit.
    #[error("line {line} (byte {byte_offset}): {what} larger than the limit of {limit} bytes")]
    TooLarge {
        line: u64,
        byte_offset: u64,
        what: String,
        limit: u64,
    },

    /// An X (Twitter) archive file that is not direct messages, or an
    /// element of it that cannot be read. JSON syntax errors are
    /// [`ImportError::Json`].
    #[error("{path} (line {line}, column {column}): {message}")]
    XArchive {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },

    /// The input is not a zip archive that can be read: not a zip at all,
    /// truncated, or with a damaged directory.
    #[error(
        "not a readable zip archive (is the file complete, and is it the .zip the app made?): \
         {reason}"
    )]
    NotZip { reason: String },

    /// A zip entry whose name could escape a folder when extracted (`..`,
    /// an absolute path, a backslash, a drive letter), has control
    /// characters, or that is a symbolic link. The whole archive is refused.
    #[error("zip entry {entry:?} refused: {reason}; the archive is not a genuine export")]
    UnsafeZipEntry { entry: String, reason: String },

    #[error(
        "zip entry {entry:?} is encrypted (password-protected); WhatsApp exports never are, so \
         this archive was made or changed by something else: export the chat again"
    )]
    EncryptedZipEntry { entry: String },

    /// An archive past one of the [`crate::whatsapp_zip::ZipLimits`] (by
    /// what it declares or by the bytes it actually produced).
    #[error("zip archive refused as a possible zip bomb ({limit} limit): {detail}")]
    ZipLimitExceeded {
        limit: ZipLimitKind,
        entry: Option<String>,
        detail: String,
    },

    /// An entry that cannot be read: unsupported compression, damaged data,
    /// a CRC mismatch.
    #[error("zip entry {entry:?}: {reason}")]
    ZipEntry { entry: String, reason: String },

    #[error("no entry {name:?} in the zip archive")]
    ZipEntryNotFound { name: String },

    #[error(
        "not a WhatsApp export: no chat text file (expected `_chat.txt` or \
         `WhatsApp Chat with NAME.txt`; files in the zip: {entries})"
    )]
    NoWhatsAppChat { entries: usize },

    #[error(
        "cannot tell which text file in the zip is the WhatsApp chat: {candidates:?} (expected \
         one `_chat.txt` or one `WhatsApp Chat with NAME.txt`)"
    )]
    AmbiguousWhatsAppChat { candidates: Vec<String> },
}
