//! Other projects' Messenger and Instagram fixtures (read in place from
//! shared/peer-fixtures, never copied). Differences from their readings are
//! asserted here and written down in PEER_DIFFERENCES.md.

use std::fs::File;
use std::path::{Path, PathBuf};

use jiff::tz::TimeZone;
use palisade_import::messenger::{self, Thread};
use palisade_import::{
    ImportError, Kind, MediaKind, MediaRef, MessageTime, Reaction, Summary, instagram,
};
use serde_json::Value;

fn peers() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/peer-fixtures");
    if dir.is_dir() {
        Some(dir)
    } else {
        println!(
            "note: {} is absent; peer-fixture checks skipped",
            dir.display()
        );
        None
    }
}

/// Lists a thread folder as a caller would and parses it.
fn thread_in(dir: &Path) -> Result<Thread, ImportError> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("thread folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort(); // directory order is arbitrary; lexical puts 10 before 2
    messenger::parse_thread(&names, |n| File::open(dir.join(n)))
}

fn msgvault(root: &Path, case: &str) -> PathBuf {
    root.join("msgvault/internal/fbmessenger/testdata")
        .join(case)
}

fn utc(t: MessageTime) -> String {
    match t {
        MessageTime::Instant(ts) => ts.to_zoned(TimeZone::UTC).datetime().to_string(),
        MessageTime::Civil(dt) => format!("civil {dt}"),
    }
}

fn texts(t: &Thread) -> Vec<&str> {
    t.messages.iter().map(|m| m.text.as_str()).collect()
}

#[test]
fn msgvault_json_simple_and_archived() {
    let Some(root) = peers() else { return };
    let base = msgvault(&root, "json_simple/your_activity_across_facebook/messages");
    let t = thread_in(&base.join("inbox/alice_ABC123")).expect("parses");
    assert_eq!(t.participants, ["Test User", "Alice Example"]);
    assert_eq!(texts(&t), ["Hello", "café time?", "See you soon"]);
    assert_eq!(
        t.messages[1].reactions,
        [
            Reaction {
                reaction: "❤".into(),
                actor: Some("Test User".into())
            },
            Reaction {
                reaction: "👍".into(),
                actor: Some("Alice Example".into())
            }
        ]
    );
    assert_eq!(utc(t.messages[0].time), "2020-09-13T12:26:40");
    let t = thread_in(&base.join("archived_threads/zoe_ARCH")).expect("parses");
    assert_eq!(texts(&t), ["Old message in archive"]);
    assert_eq!(t.thread_path.as_deref(), Some("archived_threads/zoe_ARCH"));
}

#[test]
fn msgvault_json_group_is_oldest_first_and_still_ordered() {
    let Some(root) = peers() else { return };
    let dir = msgvault(
        &root,
        "json_group/your_activity_across_facebook/messages/inbox/crew_GRP123",
    );
    let t = thread_in(&dir).expect("parses");
    assert_eq!(t.participants.len(), 3);
    let s = Summary::of(&t.messages);
    assert_eq!((s.messages, s.authors()), (3, 3));
    assert_eq!(texts(&t), ["Hey crew", "Hi!", "Hello."]);
}

#[test]
fn msgvault_json_multifile_merges_in_time_order() {
    let Some(root) = peers() else { return };
    let dir = msgvault(
        &root,
        "json_multifile/your_activity_across_facebook/messages/inbox/dave_MULTI",
    );
    let t = thread_in(&dir).expect("parses");
    let files: Vec<_> = t.files.iter().map(|f| f.file.as_str()).collect();
    assert_eq!(
        files,
        ["message_1.json", "message_2.json", "message_10.json"]
    );
    assert_eq!(
        texts(&t),
        [
            "Message A (from file 1, oldest)",
            "Message B (from file 1, newer)",
            "Message C (from file 2)",
            "Message D (from file 10, newest)"
        ]
    );
}

#[test]
fn msgvault_json_nontext() {
    let Some(root) = peers() else { return };
    let dir = msgvault(
        &root,
        "json_nontext/your_activity_across_facebook/messages/inbox/sam_NONTXT",
    );
    let t = thread_in(&dir).expect("parses");
    let s = Summary::of(&t.messages);
    // Calls and "left the chat" are system lines.
    assert_eq!((s.messages, s.system, s.with_media), (3, 3, 3));
    let ms = &t.messages;
    assert_eq!(
        (ms[0].kind, ms[0].text.as_str(), ms[0].action.as_deref()),
        (Kind::System, "Sam left the chat", Some("Unsubscribe"))
    );
    assert_eq!(
        ms[1].media,
        [MediaRef::Link {
            url: "https://example.com/article".into(),
            text: Some("Example share text".into())
        }]
    );
    assert_eq!(
        (ms[2].kind, ms[2].text.as_str()),
        (Kind::System, "call: 0 s, missed")
    );
    assert_eq!(ms[3].text, "call: 192 s");
    assert_eq!(
        ms[4].media,
        [MediaRef::File {
            path: "messages/inbox/sam_NONTXT/photos/missing.jpg".into(),
            kind: MediaKind::Photo
        }]
    );
    assert_eq!(ms[5].media[0].kind(), MediaKind::Sticker);
}

#[test]
fn msgvault_json_with_media_both_layouts() {
    let Some(root) = peers() else { return };
    for (case, uri, text) in [
        (
            "json_with_media/your_activity_across_facebook/messages/inbox/bob_XYZ789",
            "messages/inbox/bob_XYZ789/photos/tiny.png",
            "Here's a photo",
        ),
        (
            "json_with_media_alt/your_facebook_activity/messages/inbox/carol_ALT456",
            "messages/inbox/carol_ALT456/photos/tiny.png",
            "Photo from alt layout",
        ),
    ] {
        let dir = msgvault(&root, case);
        // The folder also holds `photos/`: skipped when picking files.
        let t = thread_in(&dir).expect("parses");
        assert_eq!(texts(&t), [text]);
        assert_eq!(
            t.messages[0].media,
            [MediaRef::File {
                path: uri.into(),
                kind: MediaKind::Photo
            }]
        );
        // The uri is relative to the export root (the folder above
        // `messages/`), where the file really is.
        let export_root = dir.ancestors().nth(3).expect("export root");
        assert!(export_root.join(uri).is_file(), "{}", export_root.display());
    }
}

#[test]
fn msgvault_corrupt_file_fails_alone() {
    let Some(root) = peers() else { return };
    let inbox = msgvault(
        &root,
        "corrupt/your_activity_across_facebook/messages/inbox",
    );
    let err = thread_in(&inbox.join("broken_BAD")).expect_err("corrupt");
    let ImportError::MetaExport {
        file,
        path,
        line,
        column,
        message,
        ..
    } = &err
    else {
        panic!("unexpected {err}");
    };
    assert_eq!(
        (file.as_str(), path.as_str(), *line, *column),
        ("message_1.json", "$", 1, 2)
    );
    assert!(
        message.starts_with("invalid JSON: key must be a string"),
        "{message}"
    );
    let t = thread_in(&inbox.join("goodsibling_OK")).expect("sibling parses");
    assert_eq!(texts(&t), ["Still valid"]);
}

#[test]
fn msgvault_unsupported_shapes_are_named() {
    let Some(root) = peers() else { return };
    let e2ee = msgvault(&root, "e2ee_simple/your_activity_across_facebook/messages");
    for name in ["alice_1.json", "group_2.json"] {
        let f = File::open(e2ee.join(name)).expect("open");
        let err = messenger::parse_file(f, name).expect_err("e2ee");
        assert!(
            matches!(&err, ImportError::UnsupportedShape { file, shape }
                if file == name && shape.contains("end-to-end-encrypted")),
            "{err}"
        );
    }
    for case in ["html_simple", "html_with_media", "html_multi_media"] {
        let inbox = msgvault(&root, case).join("your_activity_across_facebook/messages/inbox");
        let thread = std::fs::read_dir(&inbox)
            .expect("inbox")
            .next()
            .expect("one thread")
            .expect("entry")
            .path();
        let err = thread_in(&thread).expect_err("html");
        assert!(
            matches!(&err, ImportError::UnsupportedShape { file, shape }
                if file == "message_1.html" && shape.contains("HTML export")),
            "{case}: {err}"
        );
    }
    for layout in ["layout1.html", "layout2.html", "layout3.html"] {
        let path = msgvault(&root, "html_timestamps").join(layout);
        let err =
            messenger::parse_file(File::open(path).expect("open"), layout).expect_err("html file");
        assert!(matches!(err, ImportError::UnsupportedShape { .. }), "{err}");
    }
    // A folder with both shapes: the JSON is read.
    let dir = msgvault(
        &root,
        "mixed/your_activity_across_facebook/messages/inbox/eve_MIX",
    );
    let t = thread_in(&dir).expect("json chosen");
    assert_eq!(texts(&t), ["Mixed hello", "Mixed reply"]);
}

#[test]
fn chat_miner_instagram_matches_target() {
    let Some(root) = peers() else { return };
    let dir = root.join("chat-miner/test/instagram");
    let target: Value =
        serde_json::from_reader(File::open(dir.join("target.json")).expect("open")).expect("json");
    let want: Vec<(String, String, String)> = target
        .as_array()
        .expect("array")
        .iter()
        .map(|r| {
            let s = |k: &str| r[k].as_str().expect("string").to_owned();
            (s("timestamp"), s("author"), s("message"))
        })
        .collect();
    let f = instagram::parse_file(
        File::open(dir.join("test_export.json")).expect("open"),
        "test_export.json",
    )
    .expect("parses without participants");
    // File order is newest first, like target.json.
    let got: Vec<_> = f
        .messages
        .iter()
        .map(|m| {
            (
                utc(m.time),
                m.sender.clone().unwrap_or_default(),
                m.text.clone(),
            )
        })
        .collect();
    assert_eq!(got, want);
    assert!(f.info.participants.is_empty());
}

#[test]
fn chat_analytics_messenger_counts() {
    let Some(root) = peers() else { return };
    let path = root.join("chat-analytics/tests/samples/messenger/2A_7M.json");
    // The file starts with a UTF-8 byte-order mark.
    assert!(
        std::fs::read(&path)
            .expect("read")
            .starts_with(b"\xEF\xBB\xBF")
    );
    let f = messenger::parse_file(File::open(&path).expect("open"), "2A_7M.json").expect("parses");
    let s = Summary::of(&f.messages);
    assert_eq!((s.authors(), s.messages, s.system), (2, 7, 0));
    assert_eq!(s.with_media, 4);
    let kinds: Vec<_> = f
        .messages
        .iter()
        .flat_map(|m| m.media.iter().map(MediaRef::kind))
        .collect();
    assert_eq!(
        kinds,
        [
            MediaKind::Document,
            MediaKind::Audio,
            MediaKind::Sticker,
            MediaKind::Photo
        ]
    );
    assert_eq!(f.info.title.as_deref(), Some("Alice"));
    assert_eq!(utc(f.messages[0].time), "2014-11-05T00:35:32.056");
}
