//! X (Twitter) archive direct messages: `data/direct-messages.js` and
//! `data/direct-messages-group.js`.
//!
//! The file is JavaScript: `window.YTD.direct_messages.part0 = ` (any
//! `window.YTD.<name>.part<N> = `) followed by JSON,
//! `[{"dmConversation": {"conversationId", "messages": [event…]}}]`. Each
//! event is an object with one key naming its type: `messageCreate` (a
//! message) or, in group files, `joinConversation`, `participantsJoin`,
//! `participantsLeave`, `conversationNameUpdate` and the like.
//!
//! Parsing is streaming: the prefix is checked and skipped, then serde_json
//! reads the rest and every event is turned into a [`Message`] and handed to
//! the caller's callback before the next is read. Memory is bounded by the
//! largest single event plus one small [`ConversationInfo`] per
//! conversation; the arrays are never held whole.
//!
//! How events map onto [`Message`]:
//!
//! * Senders are numeric account ids, put in both [`Message::sender`] and
//!   [`Message::sender_id`] (the caller maps ids to names); `recipientId`
//!   is the one entry of [`Message::recipients`] (role To, no name). With
//!   [`XDmOptions::account_id`] set, [`Message::direction`] says whether the
//!   account sent or received each message.
//! * `createdAt` is UTC: [`MessageTime::Instant`](crate::MessageTime::Instant). Events are returned in
//!   file order (X writes newest first; the parser does not reorder).
//! * `text` is kept verbatim, `t.co` links included; the expanded targets
//!   from `urls` become [`MediaRef::Link`](crate::MediaRef::Link)s (links to the message's own
//!   media excepted).
//! * `mediaUrls` become [`MediaRef::File`](crate::MediaRef::File) paths relative to the folder of
//!   the `.js` file: `direct_messages_media/<messageId>-<last URL path
//!   segment>` (`direct_messages_group_media/…` for group files: the folder
//!   is `<name>_media`).
//! * `reactions` become [`Message::reactions`] (the emoji, or the
//!   `reactionKey` such as `like`, with the reacting account id).
//! * Other events are [`Kind::System`](crate::Kind::System), [`Message::action`] the event's
//!   name, the initiating account as sender, and a generated text such as
//!   `participantsJoin: 4455, 6677` or `conversationNameUpdate: "Team"`.
//!
//! Errors name the JSON path (`$[0].dmConversation.messages[3].messageCreate`)
//! with line and column in the file (prefix included).

mod event;

use crate::json_path::{self, Seg};
use std::borrow::Cow;
use std::fmt;
use std::io::{BufRead, BufReader, Read};

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::{ImportError, Message};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct XDmOptions {
    /// The archive owner's account id (from `data/account.js`): when set,
    /// each message's [`Message::direction`] is filled in.
    pub account_id: Option<String>,
}

/// One conversation of the file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConversationInfo {
    /// Position of the conversation in the file.
    pub index: usize,
    /// `conversationId`: `<id>-<id>` for one-to-one conversations.
    pub id: Option<String>,
    /// Events (system events included) read from this conversation.
    pub messages: u64,
    /// JSON path of the conversation object.
    pub path: String,
}

/// What [`parse`] found besides the messages.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct XDmExport {
    /// `<name>` of the `window.YTD.<name>.partN` prefix, such as
    /// `direct_messages` or `direct_messages_group`.
    pub name: String,
    /// `N` of the prefix (large archives are split into parts).
    pub part: u32,
    pub conversations: Vec<ConversationInfo>,
    pub messages: u64,
}

/// One conversation with its messages, from [`parse_all`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XConversation {
    pub info: ConversationInfo,
    pub messages: Vec<Message>,
}

/// Longest prefix accepted before the JSON.
const MAX_PREFIX: usize = 256;

/// The `window.YTD.<name>.part<N> = ` prefix, as read.
#[derive(Debug)]
struct Prefix {
    name: String,
    part: u32,
    /// Line breaks in the prefix, and the length of its last line.
    lines: usize,
    last_line_len: usize,
}

fn read_prefix<R: BufRead>(r: &mut R) -> Result<Prefix, ImportError> {
    // Up to the `=` and the whitespace after it, at most MAX_PREFIX bytes,
    // one byte at a time so that nothing of the JSON is consumed.
    let mut head = Vec::with_capacity(MAX_PREFIX + 1);
    let mut seen_eq = false;
    while head.len() <= MAX_PREFIX {
        let avail = r
            .fill_buf()
            .map_err(|source| ImportError::Io { line: 1, source })?;
        let Some(&b) = avail.first() else {
            break;
        };
        if seen_eq && !b.is_ascii_whitespace() {
            break;
        }
        seen_eq |= b == b'=';
        head.push(b);
        r.consume(1);
    }
    parse_prefix(&head)
}

fn ws_run(b: &[u8]) -> usize {
    b.iter().take_while(|c| c.is_ascii_whitespace()).count()
}

fn parse_prefix(head: &[u8]) -> Result<Prefix, ImportError> {
    let text = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let bom = head.len() - text.len();
    let fail = |at: usize| {
        let found: String = String::from_utf8_lossy(text.get(at..).unwrap_or_default())
            .chars()
            .take(40)
            .collect();
        ImportError::XArchive {
            path: "$".into(),
            line: 1,
            column: bom + at + 1,
            message: format!(
                "not an X archive data file: expected `window.YTD.<name>.part<N> = ` \
                 before the JSON, found {found:?}"
            ),
        }
    };
    let mut i = ws_run(text);
    let expect = b"window.YTD.";
    for (k, &c) in expect.iter().enumerate() {
        if text.get(i + k) != Some(&c) {
            return Err(fail(i + k));
        }
    }
    i += expect.len();
    let name_start = i;
    while text
        .get(i)
        .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
    {
        i += 1;
    }
    let name = String::from_utf8_lossy(text.get(name_start..i).unwrap_or_default()).into_owned();
    if name.is_empty() {
        return Err(fail(i));
    }
    for (k, &c) in b".part".iter().enumerate() {
        if text.get(i + k) != Some(&c) {
            return Err(fail(i + k));
        }
    }
    i += 5;
    let digits_start = i;
    while text.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    let part = std::str::from_utf8(text.get(digits_start..i).unwrap_or_default())
        .ok()
        .and_then(|d| d.parse().ok())
        .ok_or_else(|| fail(digits_start))?;
    i += ws_run(text.get(i..).unwrap_or_default());
    if text.get(i) != Some(&b'=') {
        return Err(fail(i));
    }
    i += 1;
    i += ws_run(text.get(i..).unwrap_or_default());
    if i != text.len() {
        return Err(fail(i));
    }
    let lines = memchr::memchr_iter(b'\n', head).count();
    let last_line_len = match memchr::memrchr(b'\n', head) {
        Some(p) => head.len() - p - 1,
        None => head.len(),
    };
    Ok(Prefix {
        name,
        part,
        lines,
        last_line_len,
    })
}

/// Streams every event of the file to `on_message`, with the conversation
/// it belongs to as known so far (X writes `conversationId` before
/// `messages`). An error returned by the callback stops the parse and is
/// returned as is.
pub fn parse<R, F>(
    reader: R,
    options: &XDmOptions,
    mut on_message: F,
) -> Result<XDmExport, ImportError>
where
    R: Read,
    F: FnMut(&ConversationInfo, Message) -> Result<(), ImportError>,
{
    let mut reader = BufReader::with_capacity(64 << 10, reader);
    let prefix = read_prefix(&mut reader)?;
    let media_dir = format!("{}_media", prefix.name);
    let mut state = State {
        path: Vec::new(),
        conversations: Vec::new(),
        count: 0,
        sink: &mut on_message,
        failure: None,
        found: false,
        elements: 0,
        media_dir,
        account_id: options.account_id.clone(),
    };
    let mut de = serde_json::Deserializer::from_reader(reader);
    let result = Top(&mut state).deserialize(&mut de).and_then(|()| de.end());
    if let Err(e) = result {
        return Err(state
            .failure
            .take()
            .unwrap_or_else(|| state.json_error(&e, &prefix)));
    }
    if state.elements > 0 && !state.found {
        return Err(ImportError::XArchive {
            path: "$".into(),
            line: prefix.lines + 1,
            column: prefix.last_line_len + 1,
            message: format!(
                "not a direct-messages file: no `dmConversation` among its {} elements \
                 (window.YTD.{}.part{})",
                state.elements, prefix.name, prefix.part
            ),
        });
    }
    Ok(XDmExport {
        name: prefix.name,
        part: prefix.part,
        conversations: state.conversations,
        messages: state.count,
    })
}

/// Parses the whole file into memory, grouped by conversation.
pub fn parse_all<R: Read>(
    reader: R,
    options: &XDmOptions,
) -> Result<Vec<XConversation>, ImportError> {
    let mut all: Vec<(usize, Message)> = Vec::new();
    let export = parse(reader, options, |c, m| {
        all.push((c.index, m));
        Ok(())
    })?;
    Ok(json_path::group_by_container(
        export.conversations,
        all,
        |info| XConversation {
            info,
            messages: Vec::new(),
        },
        |c, m| c.messages.push(m),
    ))
}

type Sink<'f> = dyn FnMut(&ConversationInfo, Message) -> Result<(), ImportError> + 'f;

struct State<'f> {
    path: Vec<Seg>,
    conversations: Vec<ConversationInfo>,
    count: u64,
    sink: &'f mut Sink<'f>,
    /// An error raised by the callback, returned in place of serde's.
    failure: Option<ImportError>,
    found: bool,
    /// Elements of the top-level array.
    elements: usize,
    media_dir: String,
    account_id: Option<String>,
}

impl State<'_> {
    fn path_string(&self) -> String {
        json_path::render(&self.path)
    }

    fn json_error(&self, e: &serde_json::Error, prefix: &Prefix) -> ImportError {
        let message = json_path::serde_message(e);
        let line = e.line() + prefix.lines;
        let column = if e.line() <= 1 {
            e.column() + prefix.last_line_len
        } else {
            e.column()
        };
        let path = self.path_string();
        match e.classify() {
            serde_json::error::Category::Data => ImportError::XArchive {
                path,
                line,
                column,
                message,
            },
            _ => ImportError::Json {
                path,
                line,
                column,
                message,
            },
        }
    }
}

/// The top-level array of `{"dmConversation": …}` objects.
struct Top<'a, 'f>(&'a mut State<'f>);

impl<'de> DeserializeSeed<'de> for Top<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Top<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of `{\"dmConversation\": …}` objects")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let st = self.0;
        for i in 0.. {
            st.path.push(Seg::Index(i));
            let more = seq.next_element_seed(Item(st))?.is_some();
            st.path.pop();
            if !more {
                break;
            }
            st.elements += 1;
        }
        Ok(())
    }
}

/// One element of the top-level array.
struct Item<'a, 'f>(&'a mut State<'f>);

impl<'de> DeserializeSeed<'de> for Item<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Item<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object such as `{\"dmConversation\": …}`")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let st = self.0;
        while let Some(key) = map.next_key::<String>()? {
            st.path.push(Seg::Key(Cow::Owned(key.clone())));
            if key == "dmConversation" {
                st.found = true;
                map.next_value_seed(Conversation(st))?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
            st.path.pop();
        }
        Ok(())
    }
}

/// A `dmConversation` object.
struct Conversation<'a, 'f>(&'a mut State<'f>);

impl<'de> DeserializeSeed<'de> for Conversation<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Conversation<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a conversation object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let st = self.0;
        let idx = st.conversations.len();
        st.conversations.push(ConversationInfo {
            index: idx,
            path: st.path_string(),
            ..ConversationInfo::default()
        });
        while let Some(key) = map.next_key::<String>()? {
            st.path.push(Seg::Key(Cow::Owned(key.clone())));
            match key.as_str() {
                "conversationId" => {
                    let id = map.next_value::<Option<String>>()?;
                    if let Some(c) = st.conversations.get_mut(idx) {
                        c.id = id;
                    }
                }
                "messages" => map.next_value_seed(Events {
                    state: st,
                    conv: idx,
                })?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            st.path.pop();
        }
        Ok(())
    }
}

/// A `messages` array: each event is converted and handed to the sink.
struct Events<'a, 'f> {
    state: &'a mut State<'f>,
    conv: usize,
}

impl<'de> DeserializeSeed<'de> for Events<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Events<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of events")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        for i in 0.. {
            self.state.path.push(Seg::Index(i));
            let more = seq
                .next_element_seed(event::EventSeed {
                    state: self.state,
                    conv: self.conv,
                })?
                .is_some();
            self.state.path.pop();
            if !more {
                break;
            }
        }
        Ok(())
    }
}

impl State<'_> {
    /// Hands one converted event to the sink.
    fn emit<E: de::Error>(&mut self, conv: usize, mut m: Message) -> Result<(), E> {
        m.index = self.count;
        self.count += 1;
        let Some(c) = self.conversations.get_mut(conv) else {
            return Err(E::custom("internal: conversation index out of range"));
        };
        c.messages += 1;
        if let Err(e) = (self.sink)(c, m) {
            self.failure = Some(e);
            return Err(E::custom("stopped by the caller"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes() {
        let p = parse_prefix(b"window.YTD.direct_messages.part0 = ").ok();
        assert_eq!(
            p.map(|p| (p.name, p.part, p.lines, p.last_line_len)),
            Some(("direct_messages".into(), 0, 0, 35))
        );
        let p = parse_prefix(b"window.YTD.direct_messages_group.part12 =\n").ok();
        assert_eq!(
            p.map(|p| (p.name, p.part, p.lines, p.last_line_len)),
            Some(("direct_messages_group".into(), 12, 1, 0))
        );
        for (bad, col) in [
            (&b"windows.YTD.x.part0 = "[..], 7),
            (b"window.YTD..part0 = ", 12),
            (b"window.YTD.x.prt0 = ", 15),
            (b"window.YTD.x.part = ", 18),
            (b"window.YTD.x.part0 : ", 20),
            (b"[{\"dmConversation\"", 1),
        ] {
            match parse_prefix(bad) {
                Err(ImportError::XArchive { column, .. }) => {
                    assert_eq!(column, col, "{:?}", String::from_utf8_lossy(bad));
                }
                other => panic!("{:?}: {other:?}", String::from_utf8_lossy(bad)),
            }
        }
    }
}
