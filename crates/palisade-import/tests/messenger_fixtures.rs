//! Messenger and Instagram "Download your information" fixtures: a
//! three-file thread, a group, an Instagram thread with pseudo-messages.

use std::fs::File;
use std::path::PathBuf;

use palisade_import::messenger::{self, Thread};
use palisade_import::{
    ImportError, Kind, Locator, MediaKind, MediaRef, Message, MessageTime, Reaction, Summary,
    instagram,
};

fn dir(sub: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(sub)
}

fn thread(sub: &str, names: &[&str]) -> Thread {
    let d = dir(sub);
    messenger::parse_thread(names, |n| File::open(d.join(n))).unwrap_or_else(|e| panic!("{e}"))
}

fn instant(s: &str) -> MessageTime {
    MessageTime::Instant(s.parse().expect("timestamp literal"))
}

fn senders(pairs: &[(&str, u64)]) -> std::collections::BTreeMap<String, u64> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
}

fn at(file: &str, path: &str) -> Locator {
    Locator::FileJsonPath {
        file: file.into(),
        path: path.into(),
    }
}

const ROOT: &str = "your_activity_across_facebook/messages/inbox/jordanpike_10203040/";

#[test]
fn multi_file_thread_merges_chronologically() {
    // Listed in directory order (10 before 2) with a stray folder.
    let t = thread(
        "messenger/jordanpike_10203040",
        &[
            "message_10.json",
            "photos",
            "message_2.json",
            "message_1.json",
        ],
    );
    let files: Vec<_> = t.files.iter().map(|f| f.file.as_str()).collect();
    assert_eq!(
        files,
        ["message_1.json", "message_2.json", "message_10.json"]
    );
    let per_file: Vec<_> = t.files.iter().map(|f| f.messages).collect();
    assert_eq!(per_file, [9, 3, 2]);
    assert_eq!(t.title.as_deref(), Some("Jordan Pike"));
    assert_eq!(t.thread_path.as_deref(), Some("inbox/jordanpike_10203040"));
    assert_eq!(t.participants, ["Jordan Pike", "Dr. Anna Weber"]);

    let ms = &t.messages;
    let s = Summary::of(ms);
    assert_eq!((s.messages, s.system), (12, 2));
    assert_eq!(
        s.senders,
        senders(&[("Jordan Pike", 11), ("Dr. Anna Weber", 1)])
    );
    assert_eq!(s.first, Some(instant("2024-02-14T20:00:00Z")));
    assert_eq!(s.last, Some(instant("2024-02-14T21:00:00Z")));
    assert_eq!((s.with_media, s.deleted, s.edited), (7, 1, 0));
    // Strictly chronological, renumbered.
    let ts = |t: MessageTime| match t {
        MessageTime::Instant(ts) => ts,
        MessageTime::Civil(_) => panic!("Messenger times are instants"),
    };
    assert!(ms.windows(2).all(|w| ts(w[0].time) < ts(w[1].time)));
    assert!(ms.iter().enumerate().all(|(i, m)| m.index == i as u64));

    assert_eq!(ms[0].text, "Hello? Are you there?");
    assert_eq!(ms[0].locator, at("message_10.json", "$.messages[1]"));
    // Mojibake repaired, including an emoji (4 bytes).
    assert_eq!(ms[1].text, "Dr. Weber, I saw you at the café today 😊");
    // Genuine “ ” ’ — and a Latin-1 é survive untouched.
    assert_eq!(
        ms[2].text,
        "\u{201c}Why won\u{2019}t you answer?\u{201d} \u{2014} café"
    );
    assert_eq!(ms[3].sender.as_deref(), Some("Dr. Anna Weber"));
    assert_eq!(
        ms[3].reactions,
        [
            Reaction {
                reaction: "😡".into(),
                actor: Some("Jordan Pike".into())
            },
            Reaction {
                reaction: "👎🏻".into(),
                actor: Some("Jordan Pike".into())
            }
        ]
    );
    assert_eq!(
        ms[4].media,
        [
            MediaRef::File {
                path: format!("{ROOT}photos/436712_1.jpg"),
                kind: MediaKind::Photo
            },
            MediaRef::File {
                path: format!("{ROOT}photos/436712_2.jpg"),
                kind: MediaKind::Photo
            }
        ]
    );
    assert_eq!(ms[4].text, "");
    // Dr. Weber's outgoing call: a system line with the duration.
    assert_eq!(
        (ms[5].kind, ms[5].text.as_str(), ms[5].action.as_deref()),
        (Kind::System, "call: 42 s", Some("Call"))
    );
    let kinds: Vec<_> = ms[6..11].iter().map(|m| m.media[0].kind()).collect();
    assert_eq!(
        kinds,
        [
            MediaKind::Sticker,
            MediaKind::Gif,
            MediaKind::Document,
            MediaKind::Audio,
            MediaKind::Video
        ]
    );
    // A mojibake file name is repaired too.
    assert_eq!(
        ms[8].media[0],
        MediaRef::File {
            path: format!("{ROOT}files/Brief_an_Ärztin.pdf"),
            kind: MediaKind::Document
        }
    );
    assert_eq!(ms[8].text, "read this – it’s about you");
    assert_eq!(
        ms[11].media,
        [MediaRef::Link {
            url: "https://example.com/where-you-live".into(),
            text: Some("Nice house 🏠".into())
        }]
    );
    assert_eq!(ms[11].action.as_deref(), Some("Share"));
    assert_eq!(ms[11].kind, Kind::Message);
    assert_eq!(ms[12].text, "call: 0 s, missed");
    assert_eq!(ms[12].kind, Kind::System);
    // Unsent: kept, flagged.
    assert!(ms[13].deleted);
    assert_eq!((ms[13].text.as_str(), ms[13].kind), ("", Kind::Message));
    assert_eq!(ms[13].locator, at("message_1.json", "$.messages[0]"));
    assert!(
        ms.iter()
            .all(|m| m.recipients.is_empty() && m.subject.is_none())
    );
}

#[test]
fn single_file_streams_in_file_order() {
    let path = dir("messenger/jordanpike_10203040/message_2.json");
    let mut seen = Vec::new();
    let info = messenger::parse(File::open(path).expect("open"), "message_2.json", |m| {
        seen.push((m.index, m.time));
        Ok(())
    })
    .expect("parses");
    assert_eq!(info.messages, 3);
    assert_eq!(info.participants, ["Jordan Pike", "Dr. Anna Weber"]);
    // Newest first, as written.
    assert_eq!(
        seen,
        [
            (0, instant("2024-02-14T20:10:00Z")),
            (1, instant("2024-02-14T20:05:00Z")),
            (2, instant("2024-02-14T20:03:00Z"))
        ]
    );
    // The callback can stop the parse.
    let err = messenger::parse(
        File::open(dir("messenger/jordanpike_10203040/message_1.json")).expect("open"),
        "message_1.json",
        |m| {
            if m.index == 1 {
                return Err(ImportError::NoThreadFiles { listed: 99 });
            }
            Ok(())
        },
    )
    .expect_err("stopped");
    assert!(matches!(err, ImportError::NoThreadFiles { listed: 99 }));
}

#[test]
fn group_thread_with_joins_and_leaves() {
    let t = thread("messenger/crew_55501", &["message_1.json"]);
    assert_eq!(t.title.as_deref(), Some("Crew ✨"));
    assert_eq!(
        t.participants,
        ["Jordan Pike", "Dr. Anna Weber", "Renée Fox", "Sam Lee"]
    );
    let s = Summary::of(&t.messages);
    assert_eq!((s.messages, s.system), (3, 2));
    assert_eq!(
        s.senders,
        senders(&[("Jordan Pike", 1), ("Renée Fox", 1), ("Sam Lee", 1)])
    );
    assert_eq!(s.first, Some(instant("2024-03-01T11:00:00Z")));
    assert_eq!(s.last, Some(instant("2024-03-01T11:30:00Z")));
    let first = &t.messages[0];
    assert_eq!(
        (first.kind, first.action.as_deref(), first.text.as_str()),
        (
            Kind::System,
            Some("Subscribe"),
            "Jordan Pike added Dr. Anna Weber to the group."
        )
    );
    assert_eq!(t.messages[2].text, "Ça suffit, Jordan 🙄");
    assert_eq!(
        t.messages[3].reactions[0].actor.as_deref(),
        Some("Renée Fox")
    );
    assert_eq!(t.messages[4].action.as_deref(), Some("Unsubscribe"));
}

#[test]
fn instagram_thread_and_pseudo_messages() {
    let d = dir("instagram/jordan.pike_998877");
    let t = instagram::parse_thread(&["message_2.json", "message_1.json"], |n| {
        File::open(d.join(n))
    })
    .expect("parses");
    let ms: &[Message] = &t.messages;
    let s = Summary::of(ms);
    assert_eq!((s.messages, s.system), (5, 2));
    assert_eq!(
        s.senders,
        senders(&[("jordan.pike", 4), ("Praxis Dr. Weber", 1)])
    );
    assert_eq!(s.first, Some(instant("2024-04-02T10:00:00Z")));
    assert_eq!(s.last, Some(instant("2024-04-02T10:30:00Z")));
    assert_eq!(ms[0].text, "hi doc 👋");
    assert_eq!(ms[1].text, "you can’t ignore me forever 😈");
    assert_eq!(ms[3].media[0].kind(), MediaKind::Link);
    assert_eq!(ms[4].reactions[0].reaction, "❤\u{fe0f}");
    assert_eq!(ms[5].text, "Reacted ❤\u{fe0f} to your message ");
    assert_eq!(
        (ms[5].kind, ms[5].action.as_deref()),
        (Kind::System, Some("reaction"))
    );
    assert_eq!(
        (ms[6].kind, ms[6].text.as_str()),
        (Kind::System, "Liked a message")
    );
    assert_eq!(ms[6].locator, at("message_1.json", "$.messages[0]"));
    // The same file read as Messenger keeps the pseudo-messages as messages.
    let f = messenger::parse_file(File::open(d.join("message_1.json")).expect("open"), "m1")
        .expect("parses");
    assert!(f.messages.iter().all(|m| m.kind == Kind::Message));
}
