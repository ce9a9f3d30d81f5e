//! Telegram Desktop `result.json` (JSON export of one chat, or the full
//! export with chats under `chats.list` and `left_chats.list`).
//!
//! Parsing is streaming: serde_json reads the file and each element of every
//! `messages` array is turned into a [`Message`] and handed to the caller's
//! callback before the next one is read. Memory is bounded by the largest
//! single message plus one small [`ChatInfo`] per chat; the arrays are never
//! held whole.
//!
//! Times come from `date_unixtime` (epoch seconds, an exact instant) when
//! present; otherwise from `date`, which is the exporting computer's wall
//! clock ([`MessageTime::Civil`]) unless it carries an offset or `Z`.
//!
//! Errors name the JSON path (`$.chats.list[1].messages[7].date_unixtime`)
//! plus line and column.

use crate::json_path::{self, Seg};
use std::borrow::Cow;
use std::fmt;
use std::io::{BufReader, Read};

use jiff::Timestamp;
use jiff::civil::DateTime;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::{ImportError, Kind, Locator, MediaKind, MediaRef, Message, MessageTime};

/// One chat of the export.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChatInfo {
    /// Position of the chat in this export (0 for a single-chat export).
    pub index: usize,
    pub name: Option<String>,
    /// Telegram's `type`: `personal_chat`, `private_group`, …
    pub chat_type: Option<String>,
    pub id: Option<String>,
    /// Messages (service messages included) read from this chat.
    pub messages: u64,
    /// JSON path of the chat object.
    pub path: String,
}

/// What [`parse`] found besides the messages.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TelegramExport {
    pub chats: Vec<ChatInfo>,
    pub messages: u64,
}

/// One chat with its messages, from [`parse_all`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TelegramChat {
    pub info: ChatInfo,
    pub messages: Vec<Message>,
}

/// Streams every message of the export to `on_message`, with the chat it
/// belongs to as known so far (Telegram writes `name`, `type` and `id` before
/// `messages`; fields written after it appear only in the returned
/// [`TelegramExport`]). An error returned by the callback stops the parse and
/// is returned as is.
pub fn parse<R, F>(reader: R, mut on_message: F) -> Result<TelegramExport, ImportError>
where
    R: Read,
    F: FnMut(&ChatInfo, Message) -> Result<(), ImportError>,
{
    let mut state = State {
        path: Vec::new(),
        chats: Vec::new(),
        count: 0,
        sink: &mut on_message,
        failure: None,
        found: false,
    };
    let mut de = serde_json::Deserializer::from_reader(BufReader::new(reader));
    let result = Top(&mut state).deserialize(&mut de).and_then(|()| de.end());
    if let Err(e) = result {
        return Err(state.failure.take().unwrap_or_else(|| state.json_error(&e)));
    }
    if !state.found {
        return Err(ImportError::Telegram {
            path: "$".into(),
            line: 1,
            column: 1,
            message: "not a Telegram Desktop export: no `messages` array and no `chats.list`"
                .into(),
        });
    }
    Ok(TelegramExport {
        chats: state.chats,
        messages: state.count,
    })
}

/// Parses the whole export into memory, grouped by chat.
pub fn parse_all<R: Read>(reader: R) -> Result<Vec<TelegramChat>, ImportError> {
    let mut all: Vec<(usize, Message)> = Vec::new();
    let export = parse(reader, |chat, m| {
        all.push((chat.index, m));
        Ok(())
    })?;
    Ok(json_path::group_by_container(
        export.chats,
        all,
        |info| TelegramChat {
            info,
            messages: Vec::new(),
        },
        |c, m| c.messages.push(m),
    ))
}

type Sink<'f> = dyn FnMut(&ChatInfo, Message) -> Result<(), ImportError> + 'f;

struct State<'f> {
    path: Vec<Seg>,
    chats: Vec<ChatInfo>,
    count: u64,
    sink: &'f mut Sink<'f>,
    /// An error raised by the callback, returned in place of serde's.
    failure: Option<ImportError>,
    found: bool,
}

impl State<'_> {
    fn path_string(&self) -> String {
        json_path::render(&self.path)
    }

    fn json_error(&self, e: &serde_json::Error) -> ImportError {
        let message = json_path::serde_message(e);
        let (path, line, column) = (self.path_string(), e.line(), e.column());
        match e.classify() {
            serde_json::error::Category::Data => ImportError::Telegram {
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

    fn key<T, E>(
        &mut self,
        key: Cow<'static, str>,
        f: impl FnOnce(&mut Self) -> Result<T, E>,
    ) -> Result<T, E> {
        self.path.push(Seg::Key(key));
        let v = f(self)?;
        self.path.pop();
        Ok(v)
    }
}

/// The top-level object: a single chat, or a full export.
struct Top<'a, 'f>(&'a mut State<'f>);

impl<'de> DeserializeSeed<'de> for Top<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(ChatVisitor {
            state: self.0,
            top: true,
        })
    }
}

/// A chat object (or the top-level object, which is a chat in a
/// single-chat export and holds `chats`/`left_chats` in a full one).
struct ChatVisitor<'a, 'f> {
    state: &'a mut State<'f>,
    top: bool,
}

impl<'de> Visitor<'de> for ChatVisitor<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.top {
            "a Telegram Desktop export object"
        } else {
            "a chat object"
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let st = self.state;
        let idx = st.chats.len();
        let mut info = ChatInfo {
            index: idx,
            path: st.path_string(),
            ..ChatInfo::default()
        };
        let mut registered = !self.top;
        if registered {
            st.chats.push(info.clone());
        }
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "messages" => {
                    if !registered {
                        st.chats.push(info.clone());
                        registered = true;
                    }
                    st.found = true;
                    st.key("messages".into(), |st| {
                        map.next_value_seed(MessagesSeed {
                            state: st,
                            chat: idx,
                        })
                    })?;
                }
                "chats" | "left_chats" if self.top => {
                    st.key(Cow::Owned(key), |st| map.next_value_seed(ChatListSeed(st)))?;
                }
                "name" | "type" | "id" => {
                    let v = st.key(Cow::Owned(key.clone()), |_| {
                        map.next_value::<Option<Scalar>>()
                    })?;
                    let v = v.map(|s| s.0);
                    let target = match st.chats.get_mut(idx) {
                        Some(c) if registered => c,
                        _ => &mut info,
                    };
                    match key.as_str() {
                        "name" => target.name = v,
                        "type" => target.chat_type = v,
                        _ => target.id = v,
                    }
                }
                _ => {
                    st.key(Cow::Owned(key), |_| map.next_value::<IgnoredAny>())?;
                }
            }
        }
        Ok(())
    }
}

/// `chats` / `left_chats`: `{about, list: [chat…]}`.
struct ChatListSeed<'a, 'f>(&'a mut State<'f>);

impl<'de> DeserializeSeed<'de> for ChatListSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ChatListSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object with a `list` of chats")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let st = self.0;
        while let Some(key) = map.next_key::<String>()? {
            if key == "list" {
                st.key("list".into(), |st| map.next_value_seed(ChatArray(st)))?;
            } else {
                st.key(Cow::Owned(key), |_| map.next_value::<IgnoredAny>())?;
            }
        }
        Ok(())
    }
}

/// An array of chats, each visited in place.
struct ChatArray<'a, 'f>(&'a mut State<'f>);

impl<'de> DeserializeSeed<'de> for ChatArray<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ChatArray<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of chats")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let st = self.0;
        for i in 0.. {
            st.path.push(Seg::Index(i));
            let more = seq.next_element_seed(ChatSeed(st))?.is_some();
            st.path.pop();
            if !more {
                break;
            }
        }
        Ok(())
    }
}

struct ChatSeed<'a, 'f>(&'a mut State<'f>);

impl<'de> DeserializeSeed<'de> for ChatSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(ChatVisitor {
            state: self.0,
            top: false,
        })
    }
}

/// A `messages` array: each element is converted and handed to the sink.
struct MessagesSeed<'a, 'f> {
    state: &'a mut State<'f>,
    chat: usize,
}

impl<'de> DeserializeSeed<'de> for MessagesSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for MessagesSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of messages")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let st = self.state;
        for i in 0.. {
            st.path.push(Seg::Index(i));
            let Some(raw) = seq.next_element_seed(MessageSeed(st))? else {
                st.path.pop();
                break;
            };
            let locator = st.path_string();
            let msg = raw
                .into_message(st.count, locator)
                .map_err(de::Error::custom)?;
            st.path.pop();
            st.count += 1;
            let Some(chat) = st.chats.get_mut(self.chat) else {
                return Err(de::Error::custom("internal: chat index out of range"));
            };
            chat.messages += 1;
            if let Err(e) = (st.sink)(chat, msg) {
                st.failure = Some(e);
                return Err(de::Error::custom("stopped by the caller"));
            }
        }
        Ok(())
    }
}

/// A string, number or boolean, kept as text (ids are numbers or strings).
struct Scalar(String);

impl<'de> de::Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or a number")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Scalar, E> {
                Ok(Scalar(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

mod message;
use message::{MessageSeed, RawMessage};

fn media_ref(value: String, kind: MediaKind) -> MediaRef {
    if value.starts_with('(') && value.ends_with(')') {
        MediaRef::Omitted {
            kind,
            placeholder: value,
        }
    } else {
        MediaRef::File { path: value, kind }
    }
}

fn file_kind(media_type: Option<&str>, mime: Option<&str>) -> MediaKind {
    match media_type {
        Some("sticker") => MediaKind::Sticker,
        Some("voice_message") => MediaKind::Voice,
        Some("video_message" | "video_file") => MediaKind::Video,
        Some("animation") => MediaKind::Gif,
        Some("audio_file") => MediaKind::Audio,
        _ => match mime.and_then(|m| m.split('/').next()) {
            Some("image") => MediaKind::Photo,
            Some("video") => MediaKind::Video,
            Some("audio") => MediaKind::Audio,
            _ => MediaKind::Document,
        },
    }
}

fn parse_time(raw: &RawMessage) -> Result<MessageTime, String> {
    if let Some(u) = &raw.date_unixtime {
        let secs: i64 = u
            .trim()
            .parse()
            .map_err(|_| format!("date_unixtime {u:?} is not a whole number of seconds"))?;
        let ts = Timestamp::from_second(secs)
            .map_err(|e| format!("date_unixtime {u:?} out of range: {e}"))?;
        return Ok(MessageTime::Instant(ts));
    }
    let Some(d) = &raw.date else {
        return Err("message has neither `date_unixtime` nor `date`".into());
    };
    if let Ok(ts) = d.parse::<Timestamp>() {
        return Ok(MessageTime::Instant(ts));
    }
    d.parse::<DateTime>()
        .map(MessageTime::Civil)
        .map_err(|e| format!("date {d:?} is not a date-time: {e}"))
}

impl RawMessage {
    fn into_message(self, index: u64, locator: String) -> Result<Message, String> {
        let time = parse_time(&self)?;
        let kind = if self.kind.as_deref() == Some("service") {
            Kind::System
        } else {
            Kind::Message
        };
        let (sender, sender_id) = match kind {
            Kind::System => (self.actor, self.actor_id),
            Kind::Message => (self.from, self.from_id),
        };
        let mut media = Vec::new();
        if let Some(p) = self.photo {
            media.push(media_ref(p, MediaKind::Photo));
        }
        if let Some(f) = self.file {
            let kind = file_kind(self.media_type.as_deref(), self.mime_type.as_deref());
            media.push(media_ref(f, kind));
        }
        if let Some(c) = self.contact_vcard {
            media.push(media_ref(c, MediaKind::Contact));
        }
        let mut text = self.text;
        if kind == Kind::System && text.is_empty() {
            text = describe(&self.action, &self.details);
        }
        Ok(Message {
            index,
            source_id: self.id,
            sender,
            sender_id,
            time,
            text,
            kind,
            action: self.action,
            media,
            edited: self.edited,
            deleted: false,
            locator: Locator::JsonPath(locator),
            recipients: Vec::new(),
            direction: None,
            subject: None,
            reactions: Vec::new(),
        })
    }
}

/// `phone_call: 56 s, hangup` for a service message without text.
fn describe(action: &Option<String>, details: &[String]) -> String {
    let mut s = action.clone().unwrap_or_else(|| "service".into());
    if !details.is_empty() {
        s.push_str(": ");
        s.push_str(&details.join(", "));
    }
    s
}
