//! Facebook Messenger "Download your information" exports in JSON
//! (`messages/inbox/<thread>/message_N.json`). The [`crate::instagram`]
//! module reads Instagram's export, which has the same shape.
//!
//! A thread is split over `message_1.json`, `message_2.json`, …,
//! `message_10.json`; each file is an object
//! `{participants: [{name}], messages: [...], title, thread_path}`.
//!
//! * [`parse`] streams the messages of **one file** to a callback in file
//!   order (Facebook writes newest first); memory is bounded by the largest
//!   message. [`parse_file`] collects them.
//! * [`thread_files`] picks a thread's `message_N.json` files out of a
//!   folder listing and orders them by `N` (numerically: 2 before 10);
//!   [`parse_thread`] opens them through a caller-supplied function (this
//!   crate does no I/O of its own) and [`merge`]s them into one
//!   chronological list. The merge holds the whole thread in memory.
//!
//! Times are `timestamp_ms` (UTC milliseconds): [`MessageTime::Instant`].
//! Every string is passed through [`repair_mojibake`], which undoes
//! Facebook's byte-per-character encoding without touching genuine text.
//!
//! Mapping: `content` is the text; `photos`, `videos`, `audio_files`,
//! `files`, `gifs` and `sticker` become [`MediaRef::File`] with the `uri`
//! as written (relative to the export root); `share` becomes
//! [`MediaRef::Link`]; `reactions` go to [`Message::reactions`];
//! `is_unsent: true` sets [`Message::deleted`]. Calls (`type: "Call"`) and
//! joins/leaves (`Subscribe`/`Unsubscribe`) are [`Kind::System`]; a
//! non-`Generic` `type` is kept in [`Message::action`]. Locators are
//! [`Locator::FileJsonPath`] (`message_2.json`, `$.messages[17]`).
//!
//! The end-to-end-encrypted download (2024 on: `participants` as plain
//! names, `senderName`/`text`/`timestamp`) and the HTML export are detected
//! and refused with [`ImportError::UnsupportedShape`].

mod json;
mod mojibake;

use std::io::Read;

use jiff::Timestamp;

use crate::{ImportError, Kind, Locator, MediaKind, MediaRef, Message, MessageTime, Reaction};
pub use mojibake::repair_mojibake;
pub(crate) use mojibake::repair_owned;

/// What one `message_N.json` says about its thread, besides the messages.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ThreadInfo {
    /// The file name given to the parser (used in locators and errors).
    pub file: String,
    pub title: Option<String>,
    /// `thread_path`, such as `inbox/alice_ABC123`.
    pub thread_path: Option<String>,
    pub participants: Vec<String>,
    /// Messages read from this file.
    pub messages: u64,
}

/// One file, parsed whole.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThreadFile {
    pub info: ThreadInfo,
    /// In file order.
    pub messages: Vec<Message>,
}

/// A whole thread, merged from its files.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Thread {
    /// From the first file that has one.
    pub title: Option<String>,
    pub thread_path: Option<String>,
    /// Every participant named in any file, in first-seen order.
    pub participants: Vec<String>,
    /// The files, in the order they were merged.
    pub files: Vec<ThreadInfo>,
    /// Oldest first; [`Message::index`] is the position in this list and
    /// [`Message::locator`] still names the file and JSON path.
    pub messages: Vec<Message>,
}

/// Which export a file comes from: the JSON is the same, a few readings
/// differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flavor {
    Messenger,
    Instagram,
}

impl Flavor {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Flavor::Messenger => "Messenger",
            Flavor::Instagram => "Instagram",
        }
    }
}

/// Streams the messages of one `message_N.json` to `on_message`, in file
/// order. `file` names the file in locators and errors (a path relative to
/// the export root is best). An error returned by the callback stops the
/// parse and is returned as is.
pub fn parse<R, F>(reader: R, file: &str, on_message: F) -> Result<ThreadInfo, ImportError>
where
    R: Read,
    F: FnMut(Message) -> Result<(), ImportError>,
{
    parse_as(reader, file, Flavor::Messenger, on_message)
}

pub(crate) fn parse_as<R, F>(
    reader: R,
    file: &str,
    flavor: Flavor,
    on_message: F,
) -> Result<ThreadInfo, ImportError>
where
    R: Read,
    F: FnMut(Message) -> Result<(), ImportError>,
{
    json::parse(reader, file, flavor, on_message)
}

/// Parses one file into memory.
pub fn parse_file<R: Read>(reader: R, file: &str) -> Result<ThreadFile, ImportError> {
    parse_file_as(reader, file, Flavor::Messenger)
}

pub(crate) fn parse_file_as<R: Read>(
    reader: R,
    file: &str,
    flavor: Flavor,
) -> Result<ThreadFile, ImportError> {
    let mut messages = Vec::new();
    let info = parse_as(reader, file, flavor, |m| {
        messages.push(m);
        Ok(())
    })?;
    Ok(ThreadFile { info, messages })
}

/// Parses every `message_N.json` among `names` (see [`thread_files`]),
/// opening each with `open`, and merges them (see [`merge`]). The first
/// file that fails stops the parse; its error names the file.
pub fn parse_thread<S, R, O>(names: &[S], open: O) -> Result<Thread, ImportError>
where
    S: AsRef<str>,
    R: Read,
    O: FnMut(&str) -> std::io::Result<R>,
{
    parse_thread_as(names, open, Flavor::Messenger)
}

pub(crate) fn parse_thread_as<S, R, O>(
    names: &[S],
    mut open: O,
    flavor: Flavor,
) -> Result<Thread, ImportError>
where
    S: AsRef<str>,
    R: Read,
    O: FnMut(&str) -> std::io::Result<R>,
{
    let mut files = Vec::new();
    for name in thread_files(names)? {
        let reader = open(name).map_err(|source| ImportError::FileIo {
            file: name.to_owned(),
            source,
        })?;
        files.push(parse_file_as(reader, name, flavor)?);
    }
    Ok(merge(files))
}

/// The thread's `message_N.json` files among `names` (file names or paths),
/// ordered by `N` numerically (`message_2.json` before `message_10.json`).
/// Other names (photos, folders) are skipped. A listing with
/// `message_N.html` files but no JSON is the HTML export, which is refused
/// with [`ImportError::UnsupportedShape`]; an empty result is
/// [`ImportError::NoThreadFiles`].
pub fn thread_files<S: AsRef<str>>(names: &[S]) -> Result<Vec<&str>, ImportError> {
    let mut found: Vec<(u64, &str)> = Vec::new();
    let mut html = None;
    for name in names {
        let name = name.as_ref();
        let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
        if let Some(n) = numbered(base, ".json") {
            found.push((n, name));
        } else if html.is_none() && numbered(base, ".html").is_some() {
            html = Some(name);
        }
    }
    if found.is_empty() {
        return Err(match html {
            Some(file) => ImportError::UnsupportedShape {
                file: file.to_owned(),
                shape: HTML_SHAPE.into(),
            },
            None => ImportError::NoThreadFiles {
                listed: names.len(),
            },
        });
    }
    found.sort();
    Ok(found.into_iter().map(|(_, name)| name).collect())
}

pub(crate) const HTML_SHAPE: &str = "the HTML export (message_N.html); download \
     \"Your information\" again with Format: JSON";

/// `message_12.json` → 12.
fn numbered(base: &str, ext: &str) -> Option<u64> {
    let digits = base.strip_prefix("message_")?.strip_suffix(ext)?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Merges a thread's files into one list, oldest first. Each file is read
/// in its own direction (Facebook writes newest first; a file whose first
/// message is older than its last is taken as oldest first), then all
/// messages are sorted by time. The sort is stable, so messages with equal
/// times keep their order within a file, and files keep the order given.
/// Indices are renumbered; locators keep naming the file and JSON path.
pub fn merge(files: Vec<ThreadFile>) -> Thread {
    let mut thread = Thread::default();
    let mut all = Vec::new();
    for file in files {
        let info = file.info;
        if thread.title.is_none() {
            thread.title.clone_from(&info.title);
        }
        if thread.thread_path.is_none() {
            thread.thread_path.clone_from(&info.thread_path);
        }
        for p in &info.participants {
            if !thread.participants.contains(p) {
                thread.participants.push(p.clone());
            }
        }
        let mut messages = file.messages;
        if let (Some(first), Some(last)) = (messages.first(), messages.last())
            && sort_key(first) > sort_key(last)
        {
            messages.reverse();
        }
        all.extend(messages);
        thread.files.push(info);
    }
    all.sort_by_key(sort_key);
    for (i, m) in all.iter_mut().enumerate() {
        m.index = i as u64;
    }
    thread.messages = all;
    thread
}

fn sort_key(m: &Message) -> Option<Timestamp> {
    match m.time {
        MessageTime::Instant(t) => Some(t),
        MessageTime::Civil(_) => None,
    }
}

/// A media entry (`photos[i]`, `sticker`, …).
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct RawMedia {
    pub uri: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct RawShare {
    pub link: Option<String>,
    pub share_text: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct RawReaction {
    pub reaction: Option<String>,
    pub actor: Option<String>,
}

/// The fields of a message that the importer uses.
#[derive(Debug, Default)]
pub(crate) struct RawMessage {
    pub sender_name: Option<String>,
    pub timestamp_ms: Option<i64>,
    pub content: Option<String>,
    /// Media in the order the fields appeared, with their kind.
    pub media: Vec<(MediaKind, RawMedia)>,
    pub share: Option<RawShare>,
    pub reactions: Vec<RawReaction>,
    pub is_unsent: bool,
    pub call_duration: Option<i64>,
    pub missed: bool,
    pub kind: Option<String>,
}

impl RawMessage {
    /// Builds the message; the error text is placed at the message's path.
    pub(crate) fn into_message(
        self,
        flavor: Flavor,
        index: u64,
        locator: Locator,
    ) -> Result<Message, String> {
        let Some(ms) = self.timestamp_ms else {
            return Err(format!(
                "message has no `timestamp_ms` (not a {} message?)",
                flavor.name()
            ));
        };
        let ts = Timestamp::from_millisecond(ms)
            .map_err(|e| format!("timestamp_ms {ms} is out of range: {e}"))?;
        let mut media: Vec<MediaRef> = self
            .media
            .into_iter()
            .map(|(kind, m)| match m.uri {
                Some(uri) => MediaRef::File {
                    path: repair_owned(uri),
                    kind,
                },
                None => MediaRef::Omitted {
                    kind,
                    placeholder: "(no uri)".into(),
                },
            })
            .collect();
        if let Some(share) = self.share {
            let text = share.share_text.map(repair_owned);
            if share.link.is_some() || text.is_some() {
                let url = share.link.map(repair_owned).unwrap_or_default();
                media.push(MediaRef::Link { url, text });
            }
        }
        let reactions = self
            .reactions
            .into_iter()
            .filter_map(|r| {
                Some(Reaction {
                    reaction: repair_owned(r.reaction?),
                    actor: r.actor.map(repair_owned),
                })
            })
            .collect();
        let mut text = self.content.map(repair_owned).unwrap_or_default();
        let kind_name = self.kind.map(repair_owned);
        let is_call = kind_name.as_deref() == Some("Call")
            || (kind_name.is_none() && self.call_duration.is_some());
        let mut action = kind_name.filter(|k| k != "Generic");
        let kind = if is_call || matches!(action.as_deref(), Some("Subscribe" | "Unsubscribe")) {
            Kind::System
        } else if flavor == Flavor::Instagram && media.is_empty() && is_pseudo_message(&text) {
            action.get_or_insert_with(|| "reaction".into());
            Kind::System
        } else {
            Kind::Message
        };
        if is_call {
            action.get_or_insert_with(|| "Call".into());
            if text.is_empty() {
                text = format!("call: {} s", self.call_duration.unwrap_or(0));
                if self.missed {
                    text.push_str(", missed");
                }
            }
        }
        Ok(Message {
            index,
            source_id: None,
            sender: self.sender_name.map(repair_owned),
            sender_id: None,
            time: MessageTime::Instant(ts),
            text,
            kind,
            action,
            media,
            edited: false,
            deleted: self.is_unsent,
            locator,
            recipients: Vec::new(),
            direction: None,
            subject: None,
            reactions,
        })
    }
}

/// Instagram writes a reaction or a like as a message of its own:
/// `Reacted ❤️ to your message`, `Alice reacted 😂 to your message`,
/// `Liked a message`.
fn is_pseudo_message(text: &str) -> bool {
    let t = text.trim().to_lowercase();
    let reacted =
        (t.starts_with("reacted ") || t.contains(" reacted ")) && t.ends_with(" to your message");
    reacted || t == "liked a message" || t.ends_with(" liked a message")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thread_files_orders_numerically_and_skips_others() {
        let names = [
            "inbox/d/message_10.json",
            "inbox/d/photos",
            "inbox/d/message_2.json",
            "inbox/d/message_1.json",
            "inbox/d/message_x.json",
        ];
        assert_eq!(
            thread_files(&names).expect("has files"),
            [
                "inbox/d/message_1.json",
                "inbox/d/message_2.json",
                "inbox/d/message_10.json"
            ]
        );
        let err = thread_files(&["message_1.html"]).expect_err("html");
        assert!(err.to_string().contains("HTML export"), "{err}");
        let err = thread_files(&["photo.jpg"]).expect_err("nothing");
        assert!(matches!(err, ImportError::NoThreadFiles { listed: 1 }));
    }

    #[test]
    fn instagram_pseudo_messages() {
        assert!(is_pseudo_message("Reacted ❤️ to your message"));
        assert!(is_pseudo_message("Alice reacted 😂 to your message "));
        assert!(is_pseudo_message("Liked a message"));
        assert!(is_pseudo_message("Bob liked a message"));
        assert!(!is_pseudo_message("I liked a message you sent yesterday"));
        assert!(!is_pseudo_message(
            "Reacted badly to your message yesterday"
        ));
    }
}
