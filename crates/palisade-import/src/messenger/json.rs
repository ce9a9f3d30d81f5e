//! Streaming reader for one `message_N.json`: the top-level object is
//! visited key by key and each element of `messages` is converted and
//! handed to the callback before the next is read. Errors name the file and
//! the JSON path of the field being read.

use crate::json_path::{self, Seg};
use std::borrow::Cow;
use std::fmt;
use std::io::{BufRead, BufReader, Read};

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::{Flavor, RawMedia, RawMessage, RawReaction, RawShare, ThreadInfo, repair_owned};
use crate::{ImportError, Locator, MediaKind, Message};

const E2EE_SHAPE: &str = "the end-to-end-encrypted Messenger download (participants as plain \
     names; messages with `senderName`, `text` and `timestamp`)";

type Sink<'f> = dyn FnMut(Message) -> Result<(), ImportError> + 'f;

struct State<'f> {
    flavor: Flavor,
    path: Vec<Seg>,
    info: ThreadInfo,
    sink: &'f mut Sink<'f>,
    /// An error raised by the callback, returned in place of serde's.
    failure: Option<ImportError>,
    /// A shape this parser recognises but does not read.
    unsupported: Option<&'static str>,
    found: bool,
}

pub(super) fn parse<R, F>(
    reader: R,
    file: &str,
    flavor: Flavor,
    mut on_message: F,
) -> Result<ThreadInfo, ImportError>
where
    R: Read,
    F: FnMut(Message) -> Result<(), ImportError>,
{
    let mut reader = BufReader::new(reader);
    let io = |source| ImportError::FileIo {
        file: file.to_owned(),
        source,
    };
    // A UTF-8 byte-order mark (seen in the wild) is not JSON; HTML is the
    // other export format.
    let head = reader.fill_buf().map_err(io)?;
    if head.starts_with(b"\xEF\xBB\xBF") {
        reader.consume(3);
    }
    let head = reader.fill_buf().map_err(io)?;
    if head.trim_ascii_start().first() == Some(&b'<') {
        return Err(ImportError::UnsupportedShape {
            file: file.to_owned(),
            shape: super::HTML_SHAPE.into(),
        });
    }
    let mut state = State {
        flavor,
        path: Vec::new(),
        info: ThreadInfo {
            file: file.to_owned(),
            ..ThreadInfo::default()
        },
        sink: &mut on_message,
        failure: None,
        unsupported: None,
        found: false,
    };
    let mut de = serde_json::Deserializer::from_reader(reader);
    let result = Top(&mut state).deserialize(&mut de).and_then(|()| de.end());
    if let Some(shape) = state.unsupported {
        return Err(ImportError::UnsupportedShape {
            file: file.to_owned(),
            shape: shape.into(),
        });
    }
    if let Err(e) = result {
        return Err(state.failure.take().unwrap_or_else(|| state.json_error(&e)));
    }
    if !state.found {
        return Err(state.error_at(
            "$".into(),
            1,
            1,
            format!("not a {} export: no `messages` array", flavor.name()),
        ));
    }
    Ok(state.info)
}

impl State<'_> {
    fn path_string(&self) -> String {
        json_path::render(&self.path)
    }

    fn error_at(&self, path: String, line: usize, column: usize, message: String) -> ImportError {
        ImportError::MetaExport {
            format: self.flavor.name(),
            file: self.info.file.clone(),
            path,
            line,
            column,
            message,
        }
    }

    fn json_error(&self, e: &serde_json::Error) -> ImportError {
        let message = json_path::serde_message(e);
        let message = match e.classify() {
            serde_json::error::Category::Data => message.to_owned(),
            serde_json::error::Category::Io => format!("read error: {message}"),
            _ => format!("invalid JSON: {message}"),
        };
        self.error_at(self.path_string(), e.line(), e.column(), message)
    }

    fn unsupported<E: de::Error>(&mut self, shape: &'static str) -> E {
        self.unsupported = Some(shape);
        E::custom("unsupported export shape")
    }
}

struct Top<'a, 'f>(&'a mut State<'f>);

impl<'de> DeserializeSeed<'de> for Top<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Top<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a {} thread object", self.0.flavor.name())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let st = self.0;
        while let Some(key) = map.next_key::<String>()? {
            st.path.push(Seg::Key(Cow::Owned(key.clone())));
            match key.as_str() {
                "participants" => {
                    let names = map.next_value_seed(Participants(st))?;
                    st.info.participants = names;
                }
                "messages" => {
                    st.found = true;
                    map.next_value_seed(Messages(st))?;
                }
                "title" => st.info.title = map.next_value::<Option<String>>()?.map(repair_owned),
                "thread_path" => {
                    st.info.thread_path = map.next_value::<Option<String>>()?.map(repair_owned);
                }
                "threadName" => return Err(st.unsupported(E2EE_SHAPE)),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            st.path.pop();
        }
        Ok(())
    }
}

/// `participants`: `[{name}]`. Plain strings are the end-to-end-encrypted
/// download's shape.
struct Participants<'a, 'f>(&'a mut State<'f>);

impl<'de> DeserializeSeed<'de> for Participants<'_, '_> {
    type Value = Vec<String>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Vec<String>, D::Error> {
        d.deserialize_seq(self)
    }
}

#[derive(serde::Deserialize)]
#[serde(untagged)]
enum Participant {
    Named {
        name: Option<String>,
    },
    /// Only the shape matters: it marks the end-to-end-encrypted download.
    Plain(#[allow(dead_code)] String),
}

impl<'de> Visitor<'de> for Participants<'_, '_> {
    type Value = Vec<String>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of participants `{\"name\": …}`")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<String>, A::Error> {
        let st = self.0;
        let mut names = Vec::new();
        for i in 0.. {
            st.path.push(Seg::Index(i));
            match seq.next_element::<Participant>()? {
                None => {
                    st.path.pop();
                    break;
                }
                Some(Participant::Plain(_)) => return Err(st.unsupported(E2EE_SHAPE)),
                Some(Participant::Named { name }) => names.extend(name.map(repair_owned)),
            }
            st.path.pop();
        }
        Ok(names)
    }
}

/// `messages`: each element is converted and handed to the sink.
struct Messages<'a, 'f>(&'a mut State<'f>);

impl<'de> DeserializeSeed<'de> for Messages<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Messages<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of messages")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let st = self.0;
        for i in 0.. {
            st.path.push(Seg::Index(i));
            let Some(raw) = seq.next_element_seed(MessageSeed(st))? else {
                st.path.pop();
                break;
            };
            let locator = Locator::FileJsonPath {
                file: st.info.file.clone(),
                path: st.path_string(),
            };
            let msg = raw
                .into_message(st.flavor, st.info.messages, locator)
                .map_err(de::Error::custom)?;
            st.path.pop();
            st.info.messages += 1;
            if let Err(e) = (st.sink)(msg) {
                st.failure = Some(e);
                return Err(de::Error::custom("stopped by the caller"));
            }
        }
        Ok(())
    }
}

struct MessageSeed<'a, 'f>(&'a mut State<'f>);

impl<'de> DeserializeSeed<'de> for MessageSeed<'_, '_> {
    type Value = RawMessage;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<RawMessage, D::Error> {
        d.deserialize_map(self)
    }
}

fn media_kind(key: &str) -> Option<MediaKind> {
    Some(match key {
        "photos" => MediaKind::Photo,
        "videos" => MediaKind::Video,
        "audio_files" => MediaKind::Audio,
        "files" => MediaKind::Document,
        "gifs" => MediaKind::Gif,
        _ => return None,
    })
}

impl<'de> Visitor<'de> for MessageSeed<'_, '_> {
    type Value = RawMessage;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a message object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawMessage, A::Error> {
        let st = self.0;
        let mut m = RawMessage::default();
        while let Some(key) = map.next_key::<String>()? {
            st.path.push(Seg::Key(Cow::Owned(key.clone())));
            match key.as_str() {
                "sender_name" => m.sender_name = map.next_value()?,
                "timestamp_ms" => m.timestamp_ms = map.next_value::<Option<Millis>>()?.map(|v| v.0),
                "content" => m.content = map.next_value()?,
                "sticker" => {
                    if let Some(s) = map.next_value::<Option<RawMedia>>()? {
                        m.media.push((MediaKind::Sticker, s));
                    }
                }
                "share" => m.share = map.next_value::<Option<RawShare>>()?,
                "reactions" => {
                    let r = map.next_value::<Option<Vec<RawReaction>>>()?;
                    m.reactions = r.unwrap_or_default();
                }
                "is_unsent" => m.is_unsent = map.next_value::<Option<bool>>()?.unwrap_or(false),
                "call_duration" => {
                    m.call_duration = map.next_value::<Option<Millis>>()?.map(|v| v.0)
                }
                "missed" => m.missed = map.next_value::<Option<bool>>()?.unwrap_or(false),
                "type" => m.kind = map.next_value()?,
                "senderName" | "isUnsent" => return Err(st.unsupported(E2EE_SHAPE)),
                other => match media_kind(other) {
                    Some(kind) => {
                        let items = map.next_value::<Option<Vec<RawMedia>>>()?;
                        m.media
                            .extend(items.into_iter().flatten().map(|item| (kind, item)));
                    }
                    None => {
                        map.next_value::<IgnoredAny>()?;
                    }
                },
            }
            st.path.pop();
        }
        Ok(m)
    }
}

/// A whole number (`timestamp_ms`, `call_duration`), written as an integer
/// or, rarely, as a float with no fraction.
struct Millis(i64);

impl<'de> de::Deserialize<'de> for Millis {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Millis;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a whole number")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Millis, E> {
                Ok(Millis(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Millis, E> {
                i64::try_from(v)
                    .map(Millis)
                    .map_err(|_| E::custom(format!("{v} is out of range")))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Millis, E> {
                if v.fract() == 0.0 && v.abs() < 9.0e15 {
                    Ok(Millis(v as i64))
                } else {
                    Err(E::custom(format!("{v} is not a whole number")))
                }
            }
        }
        d.deserialize_any(V)
    }
}
