//! Instagram "Download your information" messages in JSON
//! (`your_instagram_activity/messages/inbox/<user>_<id>/message_N.json`).
//!
//! The files have the shape of Facebook Messenger's (see
//! [`crate::messenger`], whose types and thread helpers this module shares):
//! the same fields, the same newest-first order, the same `timestamp_ms`
//! and the same byte-per-character text encoding, repaired with
//! [`crate::repair_mojibake`].
//!
//! One reading differs: Instagram records a reaction or a like as a message
//! of its own (`Reacted ❤️ to your message`, `Alice reacted 😂 to your
//! message`, `Liked a message`). Such a message, when it carries no media,
//! is returned as [`crate::Kind::System`] with action `reaction`, so it
//! does not count as something the person wrote.
//!
//! ```
//! use palisade_import::{Kind, MessageTime, instagram};
//!
//! let json = r#"{"participants": [{"name": "Jane"}, {"name": "Dr. Weber"}],
//!   "messages": [
//!     {"sender_name": "Jane", "timestamp_ms": 1700000060000,
//!      "content": "Reacted \u00e2\u009d\u00a4\u00ef\u00b8\u008f to your message"},
//!     {"sender_name": "Jane", "timestamp_ms": 1700000000000,
//!      "content": "I know where you park \u00f0\u009f\u0098\u008a"}]}"#;
//! let file = instagram::parse_file(json.as_bytes(), "message_1.json")?;
//! assert_eq!(file.messages[1].text, "I know where you park 😊");
//! assert_eq!(file.messages[0].kind, Kind::System);
//! assert_eq!(file.messages[0].text, "Reacted ❤️ to your message");
//! # Ok::<(), palisade_import::ImportError>(())
//! ```

use std::io::Read;

use crate::messenger::{Flavor, parse_file_as, parse_thread_as};
pub use crate::messenger::{Thread, ThreadFile, ThreadInfo, merge, thread_files};
use crate::{ImportError, Message};

/// Streams the messages of one Instagram `message_N.json` to `on_message`
/// in file order; see [`crate::messenger::parse`].
pub fn parse<R, F>(reader: R, file: &str, on_message: F) -> Result<ThreadInfo, ImportError>
where
    R: Read,
    F: FnMut(Message) -> Result<(), ImportError>,
{
    crate::messenger::parse_as(reader, file, Flavor::Instagram, on_message)
}

/// Parses one Instagram file into memory.
pub fn parse_file<R: Read>(reader: R, file: &str) -> Result<ThreadFile, ImportError> {
    parse_file_as(reader, file, Flavor::Instagram)
}

/// Parses and merges an Instagram thread's files; see
/// [`crate::messenger::parse_thread`].
pub fn parse_thread<S, R, O>(names: &[S], open: O) -> Result<Thread, ImportError>
where
    S: AsRef<str>,
    R: Read,
    O: FnMut(&str) -> std::io::Result<R>,
{
    parse_thread_as(names, open, Flavor::Instagram)
}
