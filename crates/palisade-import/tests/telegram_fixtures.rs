//! Telegram Desktop fixtures: single chat and full export.

mod common;

use common::{civil, instant, senders, tg};
use palisade_import::telegram;
use palisade_import::{ImportError, Kind, Locator, MediaKind, MediaRef, Summary};

#[test]
fn single_chat_export() {
    let chats = tg("telegram/single_chat.json").expect("parses");
    assert_eq!(chats.len(), 1);
    let info = &chats[0].info;
    assert_eq!(info.name.as_deref(), Some("Unknown Caller"));
    assert_eq!(info.chat_type.as_deref(), Some("personal_chat"));
    assert_eq!(info.id.as_deref(), Some("5550001"));
    assert_eq!(info.messages, 11);
    let ms = &chats[0].messages;
    let s = Summary::of(ms);
    assert_eq!((s.messages, s.system), (9, 2));
    assert_eq!(
        s.senders,
        senders(&[("Unknown Caller", 7), ("Dr. Weber", 1)])
    );
    assert_eq!(s.without_sender, 1);
    assert_eq!(s.first, Some(instant("2024-02-14T20:00:00Z")));
    assert_eq!(s.last, Some(instant("2024-02-15T08:00:00Z")));
    assert_eq!((s.with_media, s.edited), (4, 1));

    assert_eq!(ms[0].kind, Kind::System);
    assert_eq!(ms[0].action.as_deref(), Some("joined_telegram"));
    assert_eq!(ms[0].text, "joined_telegram");
    assert_eq!(ms[1].source_id.as_deref(), Some("2"));
    assert_eq!(ms[1].sender_id.as_deref(), Some("user5550001"));
    assert_eq!(
        ms[2].text,
        "Please stop contacting me. See practice policy."
    );
    assert_eq!(
        ms[3].media,
        vec![MediaRef::File {
            path: "photos/photo_1@14-02-2024_21-09-00.jpg".into(),
            kind: MediaKind::Photo
        }]
    );
    assert_eq!(ms[3].text, "look");
    assert!(matches!(
        &ms[4].media[0],
        MediaRef::Omitted { kind: MediaKind::Photo, placeholder } if placeholder.starts_with("(File not included")
    ));
    assert_eq!(ms[5].media[0].kind(), MediaKind::Voice);
    assert!(matches!(
        ms[6].media[0],
        MediaRef::Omitted {
            kind: MediaKind::Video,
            ..
        }
    ));
    assert!(ms[7].edited);
    assert_eq!(ms[8].text, "phone_call: 56 s, hangup");
    assert_eq!(ms[8].sender.as_deref(), Some("Unknown Caller"));
    // No date_unixtime: the wall-clock `date` is kept as civil time.
    assert_eq!(ms[9].time, civil("2024-02-15T07:00:00"));
    assert_eq!(ms[9].sender, None);
    assert_eq!(ms[9].sender_id.as_deref(), Some("user777"));
    assert_eq!(ms[10].text, "Line one\nLine two");
    assert_eq!(ms[10].locator, Locator::JsonPath("$.messages[10]".into()));
}

#[test]
fn full_export_with_chats_and_left_chats() {
    let chats = tg("telegram/full_export.json").expect("parses");
    let names: Vec<_> = chats
        .iter()
        .map(|c| c.info.name.as_deref().unwrap_or(""))
        .collect();
    assert_eq!(
        names,
        [
            "Unknown Caller",
            "Practice team",
            "Saved Messages",
            "Old group"
        ]
    );
    let counts: Vec<_> = chats.iter().map(|c| c.messages.len()).collect();
    assert_eq!(counts, [2, 3, 0, 1]);
    assert_eq!(chats[1].info.path, "$.chats.list[1]");
    assert_eq!(chats[3].info.path, "$.left_chats.list[0]");
    let all: Vec<_> = chats.iter().flat_map(|c| c.messages.iter()).collect();
    let s = Summary::of(all.iter().copied());
    assert_eq!((s.messages, s.system), (5, 1));
    assert_eq!(
        s.senders,
        senders(&[
            ("Unknown Caller", 1),
            ("Anna Weber", 1),
            ("Tom", 2),
            ("Someone", 1)
        ])
    );
    assert_eq!(s.first, Some(instant("2024-03-01T10:00:00Z")));
    assert_eq!(s.last, Some(instant("2019-05-05T05:05:05Z")));
    assert_eq!(
        s.instant_range.map(|(a, b)| (a.to_string(), b.to_string())),
        Some(("2019-05-05T05:05:05Z".into(), "2024-03-01T10:05:00Z".into()))
    );
    assert_eq!(chats[0].messages[1].text, "no!");
    let service = &chats[1].messages[0];
    assert_eq!(
        service.text,
        "create_group: \"Practice team\", Anna Weber, Tom"
    );
    assert_eq!(
        chats[1].messages[2].media,
        vec![MediaRef::File {
            path: "files/report.pdf".into(),
            kind: MediaKind::Document
        }]
    );
    assert_eq!(
        chats[3].messages[0].locator,
        Locator::JsonPath("$.left_chats.list[0].messages[0]".into())
    );
    // Indices run over the whole export.
    let idx: Vec<_> = all.iter().map(|m| m.index).collect();
    assert_eq!(idx, (0..6).collect::<Vec<_>>());
}

#[test]
fn streaming_callback_sees_chat_and_can_stop() {
    let f = std::fs::File::open(common::fixture("telegram/full_export.json")).expect("open");
    let mut seen = Vec::new();
    let err = telegram::parse(f, |chat, m| {
        seen.push((chat.name.clone(), m.index));
        if seen.len() == 3 {
            return Err(ImportError::UnknownDateOrder("stop here".into()));
        }
        Ok(())
    })
    .expect_err("stopped");
    assert!(matches!(err, ImportError::UnknownDateOrder(ref s) if s == "stop here"));
    assert_eq!(seen[2], (Some("Practice team".into()), 2));
}
