//! One element of a `messages` array, read field by field so that an error
//! names the field's JSON path.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::{Scalar, Seg, State};

/// The fields of a Telegram message that the importer uses.
#[derive(Debug, Default)]
pub(super) struct RawMessage {
    pub id: Option<String>,
    pub kind: Option<String>,
    pub date: Option<String>,
    pub date_unixtime: Option<String>,
    pub from: Option<String>,
    pub from_id: Option<String>,
    pub actor: Option<String>,
    pub actor_id: Option<String>,
    pub action: Option<String>,
    pub text: String,
    pub photo: Option<String>,
    pub file: Option<String>,
    pub media_type: Option<String>,
    pub mime_type: Option<String>,
    pub contact_vcard: Option<String>,
    pub edited: bool,
    /// Service-message details (call duration and outcome, title, members).
    pub details: Vec<String>,
}

enum Field {
    Id,
    Type,
    Date,
    DateUnixtime,
    From,
    FromId,
    Actor,
    ActorId,
    Action,
    Text,
    Photo,
    File,
    MediaType,
    MimeType,
    ContactVcard,
    Edited,
    Duration,
    DiscardReason,
    Title,
    Members,
    Other(String),
}

impl Field {
    fn name(&self) -> Cow<'static, str> {
        Cow::Borrowed(match self {
            Field::Id => "id",
            Field::Type => "type",
            Field::Date => "date",
            Field::DateUnixtime => "date_unixtime",
            Field::From => "from",
            Field::FromId => "from_id",
            Field::Actor => "actor",
            Field::ActorId => "actor_id",
            Field::Action => "action",
            Field::Text => "text",
            Field::Photo => "photo",
            Field::File => "file",
            Field::MediaType => "media_type",
            Field::MimeType => "mime_type",
            Field::ContactVcard => "contact_vcard",
            Field::Edited => "edited",
            Field::Duration => "duration_seconds",
            Field::DiscardReason => "discard_reason",
            Field::Title => "title",
            Field::Members => "members",
            Field::Other(s) => return Cow::Owned(s.clone()),
        })
    }
}

struct FieldSeed;

impl<'de> DeserializeSeed<'de> for FieldSeed {
    type Value = Field;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Field, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for FieldSeed {
    type Value = Field;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Field, E> {
        Ok(match v {
            "id" => Field::Id,
            "type" => Field::Type,
            "date" => Field::Date,
            "date_unixtime" => Field::DateUnixtime,
            "from" => Field::From,
            "from_id" => Field::FromId,
            "actor" => Field::Actor,
            "actor_id" => Field::ActorId,
            "action" => Field::Action,
            "text" => Field::Text,
            "photo" => Field::Photo,
            "file" => Field::File,
            "media_type" => Field::MediaType,
            "mime_type" => Field::MimeType,
            "contact_vcard" => Field::ContactVcard,
            "edited" | "edited_unixtime" => Field::Edited,
            "duration_seconds" => Field::Duration,
            "discard_reason" => Field::DiscardReason,
            "title" => Field::Title,
            "members" => Field::Members,
            other => Field::Other(other.to_owned()),
        })
    }
}

pub(super) struct MessageSeed<'a, 'f>(pub &'a mut State<'f>);

impl<'de> DeserializeSeed<'de> for MessageSeed<'_, '_> {
    type Value = RawMessage;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<RawMessage, D::Error> {
        d.deserialize_map(self)
    }
}

fn text_of<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Option<String>, A::Error> {
    Ok(map.next_value::<Option<Scalar>>()?.map(|s| s.0))
}

impl<'de> Visitor<'de> for MessageSeed<'_, '_> {
    type Value = RawMessage;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a message object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawMessage, A::Error> {
        let st = self.0;
        let mut m = RawMessage::default();
        while let Some(field) = map.next_key_seed(FieldSeed)? {
            st.path.push(Seg::Key(field.name()));
            match field {
                Field::Id => m.id = text_of(&mut map)?,
                Field::Type => m.kind = text_of(&mut map)?,
                Field::Date => m.date = text_of(&mut map)?,
                Field::DateUnixtime => m.date_unixtime = text_of(&mut map)?,
                Field::From => m.from = text_of(&mut map)?,
                Field::FromId => m.from_id = text_of(&mut map)?,
                Field::Actor => m.actor = text_of(&mut map)?,
                Field::ActorId => m.actor_id = text_of(&mut map)?,
                Field::Action => m.action = text_of(&mut map)?,
                Field::Text => m.text = map.next_value_seed(TextSeed(st))?,
                Field::Photo => m.photo = text_of(&mut map)?,
                Field::File => m.file = text_of(&mut map)?,
                Field::MediaType => m.media_type = text_of(&mut map)?,
                Field::MimeType => m.mime_type = text_of(&mut map)?,
                Field::ContactVcard => m.contact_vcard = text_of(&mut map)?,
                Field::Edited => {
                    map.next_value::<IgnoredAny>()?;
                    m.edited = true;
                }
                Field::Duration => {
                    if let Some(d) = text_of(&mut map)? {
                        m.details.push(format!("{d} s"));
                    }
                }
                Field::DiscardReason => m.details.extend(text_of(&mut map)?),
                Field::Title => {
                    if let Some(t) = text_of(&mut map)? {
                        m.details.push(format!("{t:?}"));
                    }
                }
                Field::Members => {
                    let members = map.next_value::<Option<Vec<Option<String>>>>()?;
                    let names: Vec<String> = members.into_iter().flatten().flatten().collect();
                    if !names.is_empty() {
                        m.details.push(names.join(", "));
                    }
                }
                Field::Other(_) => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            st.path.pop();
        }
        Ok(m)
    }
}

/// `text`: a string, or an array of strings and entity objects
/// (`{"type": "bold", "text": "…"}`), concatenated as Telegram shows them.
struct TextSeed<'a, 'f>(&'a mut State<'f>);

impl<'de> DeserializeSeed<'de> for TextSeed<'_, '_> {
    type Value = String;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TextSeed<'_, '_> {
    type Value = String;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string or an array of strings and text entities")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }
    fn visit_unit<E: de::Error>(self) -> Result<String, E> {
        Ok(String::new())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<String, A::Error> {
        let st = self.0;
        let mut out = String::new();
        for i in 0.. {
            st.path.push(Seg::Index(i));
            let Some(part) = seq.next_element_seed(PartSeed)? else {
                st.path.pop();
                break;
            };
            st.path.pop();
            out.push_str(&part);
        }
        Ok(out)
    }
}

struct PartSeed;

impl<'de> DeserializeSeed<'de> for PartSeed {
    type Value = String;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for PartSeed {
    type Value = String;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string or a text entity object")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<String, A::Error> {
        let mut text = String::new();
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            if key == "text" {
                text = map.next_value()?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(text)
    }
}
