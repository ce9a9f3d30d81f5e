//! One element of a `messages` array: `{"messageCreate": {…}}` or a group
//! event such as `{"participantsJoin": {…}}`.

use std::borrow::Cow;
use std::fmt;

use jiff::Timestamp;
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};

use super::{Seg, State};
use crate::{
    Direction, Kind, Locator, MediaKind, MediaRef, Message, MessageTime, Reaction, Recipient,
    RecipientRole,
};

/// The fields of any event that the importer uses; the rest are skipped.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct RawEvent {
    id: Option<String>,
    sender_id: Option<String>,
    recipient_id: Option<String>,
    text: Option<String>,
    created_at: Option<String>,
    media_urls: Option<Vec<String>>,
    urls: Option<Vec<RawUrl>>,
    reactions: Option<Vec<RawReaction>>,
    initiating_user_id: Option<String>,
    participants_snapshot: Option<Vec<String>>,
    user_ids: Option<Vec<String>>,
    name: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct RawUrl {
    url: Option<String>,
    expanded: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct RawReaction {
    sender_id: Option<String>,
    reaction_key: Option<String>,
    emoji: Option<String>,
}

pub(super) struct EventSeed<'a, 'f> {
    pub state: &'a mut State<'f>,
    pub conv: usize,
}

impl<'de> DeserializeSeed<'de> for EventSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for EventSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an event object such as `{\"messageCreate\": …}`")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let st = self.state;
        while let Some(kind) = map.next_key::<String>()? {
            st.path.push(Seg::Key(Cow::Owned(kind.clone())));
            let raw: RawEvent = map.next_value()?;
            let path = st.path_string();
            let m = convert(&kind, raw, path, st).map_err(de::Error::custom)?;
            st.path.pop();
            st.emit(self.conv, m)?;
        }
        Ok(())
    }
}

fn convert(kind: &str, raw: RawEvent, path: String, st: &State<'_>) -> Result<Message, String> {
    let Some(created) = raw.created_at.as_deref() else {
        return Err("event has no `createdAt`".into());
    };
    let ts: Timestamp = created
        .parse()
        .map_err(|e| format!("createdAt {created:?} is not a UTC timestamp: {e}"))?;
    let mut m = Message {
        index: 0,
        source_id: raw.id.clone(),
        sender: None,
        sender_id: None,
        time: MessageTime::Instant(ts),
        text: String::new(),
        kind: Kind::Message,
        action: None,
        media: Vec::new(),
        edited: false,
        deleted: false,
        locator: Locator::JsonPath(path),
        recipients: Vec::new(),
        subject: None,
        reactions: Vec::new(),
        direction: None,
    };
    if kind == "messageCreate" {
        message(&mut m, raw, st);
    } else {
        m.kind = Kind::System;
        m.sender.clone_from(&raw.initiating_user_id);
        m.sender_id = raw.initiating_user_id;
        let ids = raw
            .participants_snapshot
            .or(raw.user_ids)
            .unwrap_or_default();
        let detail = match raw.name {
            Some(n) => format!("{n:?}"),
            None => ids.join(", "),
        };
        m.text = if detail.is_empty() {
            kind.to_owned()
        } else {
            format!("{kind}: {detail}")
        };
        m.action = Some(kind.to_owned());
    }
    Ok(m)
}

fn message(m: &mut Message, raw: RawEvent, st: &State<'_>) {
    m.sender.clone_from(&raw.sender_id);
    m.sender_id = raw.sender_id;
    m.recipients.extend(raw.recipient_id.map(|id| Recipient {
        id,
        name: None,
        role: RecipientRole::To,
    }));
    m.text = raw.text.unwrap_or_default();
    if let (Some(me), Some(from)) = (st.account_id.as_deref(), m.sender_id.as_deref()) {
        m.direction = Some(if me == from {
            Direction::Outgoing
        } else {
            Direction::Incoming
        });
    }
    let id = raw.id.as_deref().unwrap_or("unknown");
    for url in raw.media_urls.unwrap_or_default() {
        m.media.push(media(&st.media_dir, id, url));
    }
    for u in raw.urls.unwrap_or_default() {
        let Some(target) = u.expanded.or(u.url) else {
            continue;
        };
        // The message's own media also appears as a link to itself.
        if target.contains("/messages/media/") {
            continue;
        }
        m.media.push(MediaRef::Link {
            url: target,
            text: None,
        });
    }
    for r in raw.reactions.unwrap_or_default() {
        if let Some(reaction) = r.emoji.or(r.reaction_key) {
            m.reactions.push(Reaction {
                reaction,
                actor: r.sender_id,
            });
        }
    }
}

/// `<dir>/<messageId>-<last path segment>` for a media URL.
fn media(dir: &str, id: &str, url: String) -> MediaRef {
    let bare = url.split(['?', '#']).next().unwrap_or_default();
    let last = bare.rsplit('/').next().unwrap_or_default();
    let ext = last.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    let kind = if bare.contains("/dm_gif/") {
        MediaKind::Gif
    } else if bare.contains("/dm_video/") {
        MediaKind::Video
    } else {
        match ext.as_deref() {
            Some("jpg" | "jpeg" | "png" | "webp") => MediaKind::Photo,
            Some("gif") => MediaKind::Gif,
            Some("mp4" | "mov" | "m4v") => MediaKind::Video,
            Some("mp3" | "m4a" | "aac" | "ogg" | "opus") => MediaKind::Audio,
            _ => MediaKind::Other,
        }
    };
    if last.is_empty() || bare.ends_with("//") {
        return MediaRef::Omitted {
            kind,
            placeholder: url,
        };
    }
    MediaRef::File {
        path: format!("{dir}/{id}-{last}"),
        kind,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_paths_and_kinds() {
        let f = |u: &str| media("direct_messages_media", "42", u.into());
        assert_eq!(
            f("https://ton.twitter.com/dm/42/99/AbC-d_e.jpg"),
            MediaRef::File {
                path: "direct_messages_media/42-AbC-d_e.jpg".into(),
                kind: MediaKind::Photo
            }
        );
        assert_eq!(
            f("https://video.twimg.com/dm_video/42/vid/1280x720/xyz.mp4?tag=1"),
            MediaRef::File {
                path: "direct_messages_media/42-xyz.mp4".into(),
                kind: MediaKind::Video
            }
        );
        assert_eq!(
            f("https://video.twimg.com/dm_gif/42/g.mp4").kind(),
            MediaKind::Gif
        );
        assert!(matches!(
            f("https://ton.twitter.com/dm/"),
            MediaRef::Omitted { .. }
        ));
    }
}
