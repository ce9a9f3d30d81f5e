//! Property tests for the Messenger/Instagram and email parsers: the
//! mojibake repair inverts Facebook's encoding and leaves other text alone;
//! generated threads and mailboxes parse back; no input makes them panic.

use std::borrow::Cow;

use palisade_import::email::{self, EmailOptions, html_to_text};
use palisade_import::{MessageTime, instagram, messenger, repair_mojibake};
use proptest::prelude::*;

/// Facebook's encoding: every UTF-8 byte written as its own character.
fn mangle(s: &str) -> String {
    s.bytes().map(char::from).collect()
}

/// Text with a character above U+00FF somewhere: never mojibake.
fn wide_text() -> impl Strategy<Value = String> {
    (
        any::<String>(),
        prop_oneof![
            Just('“'),
            Just('”'),
            Just('€'),
            Just('—'),
            Just('😊'),
            Just('日'),
            Just('\u{100}')
        ],
        any::<String>(),
    )
        .prop_map(|(a, c, b)| format!("{a}{c}{b}"))
}

/// Latin-1 text where every non-ASCII letter is followed by an ASCII one,
/// so its bytes can never be valid UTF-8 (a lead byte needs a continuation
/// byte, 0x80–0xBF, after it).
fn latin1_text() -> impl Strategy<Value = String> {
    prop::collection::vec(("[\u{a0}-\u{ff}]?", "[a-zA-Z0-9 .,!?]{1,6}"), 0..12)
        .prop_map(|parts| parts.into_iter().map(|(a, b)| a + &b).collect())
}

fn thread_json(msgs: &[(String, i64, String)]) -> String {
    let messages: Vec<serde_json::Value> = msgs
        .iter()
        .map(|(sender, ts, text)| {
            serde_json::json!({
                "sender_name": mangle(sender),
                "timestamp_ms": ts,
                "content": mangle(text),
            })
        })
        .collect();
    serde_json::json!({
        "participants": [{"name": "A"}, {"name": "B"}],
        "messages": messages,
        "title": "T",
    })
    .to_string()
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 300,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn repair_inverts_the_encoding(s in any::<String>()) {
        let mangled = mangle(&s);
        prop_assert_eq!(repair_mojibake(&mangled), s.as_str());
    }

    #[test]
    fn repair_leaves_wide_text_alone(s in wide_text()) {
        prop_assert!(matches!(repair_mojibake(&s), Cow::Borrowed(_)));
    }

    #[test]
    fn repair_leaves_latin1_text_alone(s in latin1_text()) {
        prop_assert_eq!(repair_mojibake(&s), s.as_str());
    }

    #[test]
    fn generated_threads_round_trip(
        msgs in prop::collection::vec(
            ("[A-Za-zÄÖÜé ]{1,12}", 0i64..4_000_000_000_000, any::<String>()),
            0..30,
        ),
        split in any::<prop::sample::Index>(),
    ) {
        // Split into two files, each newest first, and merge.
        let mut sorted = msgs.clone();
        sorted.sort_by_key(|m| std::cmp::Reverse(m.1));
        let cut = split.index(sorted.len() + 1);
        let (newer, older) = sorted.split_at(cut);
        let files = [thread_json(newer), thread_json(older)];
        let names = ["message_1.json", "message_2.json"];
        let t = messenger::parse_thread(&names, |n| {
            let i = usize::from(n == "message_2.json");
            Ok(std::io::Cursor::new(files[i].clone()))
        }).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(t.messages.len(), msgs.len());
        let mut want: Vec<_> = msgs.iter().map(|(s, ts, x)| (*ts, s.clone(), x.clone())).collect();
        want.sort_by_key(|m| m.0);
        let got: Vec<_> = t.messages.iter().map(|m| {
            let MessageTime::Instant(ts) = m.time else { panic!("instant") };
            (ts.as_millisecond(), m.sender.clone().unwrap_or_default(), m.text.clone())
        }).collect();
        // Equal timestamps may come in either order; compare as multisets
        // after a stable sort on everything.
        let mut got_sorted = got.clone();
        got_sorted.sort();
        want.sort();
        prop_assert_eq!(got_sorted, want);
        prop_assert!(got.windows(2).all(|w| w[0].0 <= w[1].0));
    }

    #[test]
    fn generated_mboxes_round_trip(
        bodies in prop::collection::vec(
            prop::collection::vec(
                prop_oneof![
                    3 => "[a-zA-Z0-9 ,.äöü]{0,40}",
                    1 => ">{0,3}From [a-z ]{0,10}",
                ],
                1..6,
            ),
            1..6,
        ),
        crlf in any::<bool>(),
    ) {
        // Write an mboxrd file: quote `>*From ` lines with one more `>`.
        let nl = if crlf { "\r\n" } else { "\n" };
        let mut data = String::new();
        for (i, lines) in bodies.iter().enumerate() {
            data.push_str(&format!("From sender{i}@example.org Mon Feb 19 08:00:00 2024{nl}"));
            data.push_str(&format!("Date: Mon, 19 Feb 2024 09:{:02}:00 +0100{nl}", i));
            data.push_str(&format!("From: Sender {i} <s{i}@example.org>{nl}"));
            data.push_str(&format!("Content-Type: text/plain; charset=utf-8{nl}{nl}"));
            for l in lines {
                let quoted = l.trim_start_matches('>').starts_with("From ");
                if quoted {
                    data.push('>');
                }
                data.push_str(l);
                data.push_str(nl);
            }
            data.push_str(nl);
        }
        let ms = email::parse_mbox_all(data.as_bytes(), EmailOptions::default())
            .map_err(|e| TestCaseError::fail(format!("{e}\n{data}")))?;
        prop_assert_eq!(ms.len(), bodies.len());
        for (m, lines) in ms.iter().zip(&bodies) {
            let want = lines.join("\n");
            prop_assert_eq!(&m.text, want.trim_end(), "{}", data);
        }
    }

    #[test]
    fn parsers_never_panic_on_arbitrary_bytes(
        prefix in prop_oneof![
            Just(&b""[..]),
            Just(&b"{\"participants\": [{\"name\": \"A\"}], \"messages\": [{\"timestamp_ms\": "[..]),
            Just(&b"From x\nDate: Mon, 19 Feb 2024 09:00:00 +0100\nContent-Type: multipart/mixed; boundary=b\n\n--b\n"[..]),
            Just(&b"Subject: =?UTF-8?Q?"[..]),
            Just(&b"<html><p>&#"[..]),
        ],
        bytes in prop::collection::vec(
            prop_oneof![
                4 => any::<u8>(),
                1 => Just(b'\n'),
                1 => Just(b'<'),
                1 => Just(b'&'),
                1 => Just(b'='),
            ],
            0..600,
        ),
    ) {
        let mut data = prefix.to_vec();
        data.extend_from_slice(&bytes);
        let _ = messenger::parse_file(&data[..], "x.json");
        let _ = instagram::parse_file(&data[..], "x.json");
        let _ = email::parse_eml_bytes(&data, EmailOptions::default());
        let small = EmailOptions { max_message_bytes: 100, max_attachment_bytes: 10, ..EmailOptions::default() };
        for m in email::parse_mbox(&data[..], EmailOptions::default()) {
            let _ = m;
        }
        for m in email::parse_mbox(&data[..], small) {
            let _ = m;
        }
        let text = String::from_utf8_lossy(&data);
        let _ = html_to_text(&text);
        let _ = repair_mojibake(&text);
    }

    #[test]
    fn html_reduction_never_panics(s in "[a-z<>/&;#!\"' =\n-]{0,200}") {
        let out = html_to_text(&s);
        prop_assert!(out.len() <= s.len() * 4);
    }

    #[test]
    fn text_without_markup_only_collapses_whitespace(s in "[a-zA-Z0-9 .,\n\t]{0,100}") {
        let want = s.split_ascii_whitespace().collect::<Vec<_>>().join(" ");
        prop_assert_eq!(html_to_text(&s), want);
    }
}
