//! X (Twitter) archive fixtures: one-to-one and group direct messages.

mod common;

use std::fs::File;

use common::{fixture, instant, senders};
use palisade_import::x_dm::{self, XConversation, XDmOptions};
use palisade_import::{
    Direction, ImportError, Kind, Locator, MediaKind, MediaRef, Reaction, Recipient, RecipientRole,
    Summary,
};

fn xdm(name: &str, options: &XDmOptions) -> Vec<XConversation> {
    let f = File::open(fixture(name)).expect("fixture exists");
    x_dm::parse_all(f, options).unwrap_or_else(|e| panic!("{name}: {e}"))
}

const DOCTOR: &str = "1111111111";
const PATIENT: &str = "2222222222";

#[test]
fn one_to_one_conversations() {
    let convs = xdm("x_dm/direct-messages.js", &XDmOptions::default());
    let ids: Vec<_> = convs
        .iter()
        .map(|c| c.info.id.as_deref().unwrap_or(""))
        .collect();
    assert_eq!(ids, ["1111111111-2222222222", "1111111111-3333333333"]);
    let counts: Vec<_> = convs
        .iter()
        .map(|c| (c.info.messages, c.messages.len()))
        .collect();
    assert_eq!(counts, [(5, 5), (1, 1)]);
    assert_eq!(convs[1].info.path, "$[1].dmConversation");

    let all: Vec<_> = convs.iter().flat_map(|c| c.messages.iter()).collect();
    let s = Summary::of(all.iter().copied());
    assert_eq!((s.messages, s.system), (6, 0));
    assert_eq!(
        s.senders,
        senders(&[(PATIENT, 4), (DOCTOR, 1), ("3333333333", 1)])
    );
    // File order (X writes newest first).
    assert_eq!(s.first, Some(instant("2024-02-15T09:12:00Z")));
    assert_eq!(s.last, Some(instant("2024-02-13T10:00:00Z")));
    assert_eq!(
        s.instant_range.map(|(a, b)| (a.to_string(), b.to_string())),
        Some(("2024-02-13T10:00:00Z".into(), "2024-02-15T09:12:00Z".into()))
    );
    assert_eq!(s.with_media, 3);
    let idx: Vec<_> = all.iter().map(|m| m.index).collect();
    assert_eq!(idx, (0..6).collect::<Vec<_>>());

    let ms = &convs[0].messages;
    assert_eq!(ms[0].source_id.as_deref(), Some("1758000000000000005"));
    assert_eq!(ms[0].sender.as_deref(), Some(PATIENT));
    assert_eq!(ms[0].sender_id.as_deref(), Some(PATIENT));
    assert_eq!(
        ms[0].recipients,
        [Recipient {
            id: DOCTOR.into(),
            name: None,
            role: RecipientRole::To
        }]
    );
    assert_eq!(ms[0].direction, None, "no account id given");
    assert_eq!(ms[0].text, "You can't block me forever https://t.co/AbC123");
    assert_eq!(
        ms[0].locator,
        Locator::JsonPath("$[0].dmConversation.messages[0].messageCreate".into())
    );
    assert_eq!(
        ms[4].text,
        "Hello doctor 😀\nYou and your \"friends\" &amp; staff"
    );
    assert_eq!(ms[4].time, instant("2024-02-14T20:07:00Z"));
    assert_eq!(convs[1].messages[0].text, "Appointment moved to Friday.");
}

#[test]
fn media_urls_become_archive_paths_and_links_are_kept() {
    let convs = xdm("x_dm/direct-messages.js", &XDmOptions::default());
    let ms = &convs[0].messages;
    // The link to the message's own media is not repeated as a link.
    assert_eq!(
        ms[0].media,
        vec![MediaRef::File {
            path: "direct_messages_media/1758000000000000005-q1W2e3R4.jpg".into(),
            kind: MediaKind::Photo
        }]
    );
    assert_eq!(
        ms[3].media,
        vec![MediaRef::File {
            path: "direct_messages_media/1758000000000000002-VdEo_42.mp4".into(),
            kind: MediaKind::Video
        }]
    );
    assert_eq!(
        ms[2].media,
        vec![MediaRef::Link {
            url: "https://example.org/blog/dr-weber".into(),
            text: None
        }]
    );
    assert!(ms[1].media.is_empty());
}

#[test]
fn reactions_and_direction_from_account_id() {
    let opts = XDmOptions {
        account_id: Some(DOCTOR.into()),
    };
    let convs = xdm("x_dm/direct-messages.js", &opts);
    let ms = &convs[0].messages;
    let dirs: Vec<_> = ms.iter().map(|m| m.direction).collect();
    use Direction::{Incoming as I, Outgoing as O};
    assert_eq!(dirs, [I, O, I, I, I].map(Some).to_vec());
    assert_eq!(
        ms[1].reactions,
        [Reaction {
            reaction: "funny".into(),
            actor: Some(PATIENT.into())
        }]
    );
    assert_eq!(
        convs[1].messages[0].reactions,
        [Reaction {
            reaction: "👍".into(),
            actor: Some(DOCTOR.into())
        }]
    );
}

#[test]
fn group_conversation_with_system_events() {
    let convs = xdm("x_dm/direct-messages-group.js", &XDmOptions::default());
    assert_eq!(convs.len(), 1);
    assert_eq!(convs[0].info.id.as_deref(), Some("1758111111111111111"));
    let ms = &convs[0].messages;
    let s = Summary::of(ms);
    assert_eq!((s.messages, s.system), (2, 4));
    assert_eq!(s.senders, senders(&[(PATIENT, 2)]));
    assert_eq!(s.first, Some(instant("2024-02-15T10:00:00Z")));
    assert_eq!(s.last, Some(instant("2024-02-15T07:59:00Z")));
    let kinds: Vec<_> = ms.iter().map(|m| m.kind).collect();
    use Kind::{Message as M, System as S};
    assert_eq!(kinds, [M, S, S, S, M, S]);
    let texts: Vec<_> = ms.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "You all know what she did https://t.co/Gif1",
            "conversationNameUpdate: \"Dr. Weber watch\"",
            "participantsLeave: 4444444444",
            "participantsJoin: 4444444444, 5555555555",
            "Welcome everyone",
            "joinConversation: 1111111111, 2222222222, 3333333333",
        ]
    );
    let actions: Vec<_> = ms.iter().map(|m| m.action.as_deref()).collect();
    assert_eq!(
        actions,
        [
            None,
            Some("conversationNameUpdate"),
            Some("participantsLeave"),
            Some("participantsJoin"),
            None,
            Some("joinConversation")
        ]
    );
    assert_eq!(ms[1].sender.as_deref(), Some(PATIENT));
    assert_eq!(ms[2].sender, None, "participantsLeave names no initiator");
    // Group messages have no recipientId; group media has its own folder.
    assert!(ms[0].recipients.is_empty());
    assert_eq!(
        ms[0].media,
        vec![MediaRef::File {
            path: "direct_messages_group_media/1758200000000000003-AbGif.mp4".into(),
            kind: MediaKind::Gif
        }]
    );
}

#[test]
fn streaming_reports_prefix_and_stops_on_request() {
    let f = File::open(fixture("x_dm/direct-messages-group.js")).expect("open");
    let mut seen = 0;
    let export = x_dm::parse(f, &XDmOptions::default(), |c, m| {
        assert_eq!(c.id.as_deref(), Some("1758111111111111111"));
        assert_eq!(m.index, seen);
        seen += 1;
        Ok(())
    })
    .expect("parses");
    assert_eq!(
        (export.name.as_str(), export.part, export.messages),
        ("direct_messages_group", 0, 6)
    );

    let f = File::open(fixture("x_dm/direct-messages.js")).expect("open");
    let err = x_dm::parse(f, &XDmOptions::default(), |_, m| {
        if m.index == 2 {
            return Err(ImportError::UnknownDateOrder("stop".into()));
        }
        Ok(())
    })
    .expect_err("stopped");
    assert!(
        matches!(err, ImportError::UnknownDateOrder(ref s) if s == "stop"),
        "{err}"
    );
}

#[test]
fn empty_archive_file() {
    let data = b"window.YTD.direct_messages.part0 = [ ]";
    let convs = x_dm::parse_all(&data[..], &XDmOptions::default()).expect("parses");
    assert!(convs.is_empty());
}
