//! Other projects' fixtures (read in place from shared/peer-fixtures, never
//! copied). Where our reading differs, the difference is asserted here and
//! written down in PEER_DIFFERENCES.md.

use std::fs::File;
use std::path::{Path, PathBuf};

use jiff::tz::TimeZone;
use palisade_import::whatsapp::{self, DateOrder, WhatsAppOptions};
use palisade_import::{ImportError, Kind, Message, MessageTime, Summary, telegram};
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

/// (timestamp, author, message) as chat-miner's target.json writes them.
type Row = (String, String, String);

fn target(path: &Path) -> Vec<Row> {
    let v: Value = serde_json::from_reader(File::open(path).expect("target.json")).expect("json");
    v.as_array()
        .expect("array")
        .iter()
        .map(|r| {
            let s = |k: &str| r[k].as_str().expect("string field").to_owned();
            (s("timestamp"), s("author"), s("message"))
        })
        .collect()
}

fn naive(t: MessageTime) -> String {
    match t {
        MessageTime::Civil(dt) => dt.to_string(),
        MessageTime::Instant(ts) => ts.to_zoned(TimeZone::UTC).datetime().to_string(),
    }
}

/// chat-miner keeps person messages only and joins continuation lines with
/// a space.
fn as_chat_miner(ms: &[Message]) -> Vec<Row> {
    ms.iter()
        .filter(|m| m.kind == Kind::Message)
        .map(|m| {
            (
                naive(m.time),
                m.sender.clone().unwrap_or_default(),
                m.text.replace('\n', " "),
            )
        })
        .collect()
}

#[test]
fn chat_miner_whatsapp_matches_target() {
    let Some(root) = peers() else { return };
    let dir = root.join("chat-miner/test/whatsapp");
    let mut want = target(&dir.join("target.json"));
    want.reverse(); // theirs is newest first; ours is file order
    for (name, order) in [
        ("test_ddmmyy_24hrs.txt", DateOrder::Dmy),
        ("test_mmddyy_24hrs.txt", DateOrder::Mdy),
        ("test_[mmddyy]_24hrs.txt", DateOrder::Mdy),
        ("test_mmddyyyy_12hrs.txt", DateOrder::Mdy),
        ("test_yyyymmdd_24hrs.txt", DateOrder::Ymd),
    ] {
        let path = dir.join(name);
        let guess =
            whatsapp::detect_date_order(std::io::BufReader::new(File::open(&path).expect("open")))
                .expect("order detected");
        assert_eq!(guess.order, order, "{name}");
        let ms = whatsapp::parse_all(File::open(&path).expect("open"), WhatsAppOptions::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(as_chat_miner(&ms), want, "{name}");
        // Deliberate differences (PEER_DIFFERENCES.md): three system lines
        // and `John Doe:.` (no space after the colon: not a sender) are kept
        // as system lines, not dropped.
        let system: Vec<&str> = ms
            .iter()
            .filter(|m| m.kind == Kind::System)
            .map(|m| m.text.as_str())
            .collect();
        assert_eq!(
            system,
            [
                "John Doe:.",
                "+12 345 578 created group \"Groupname\"",
                "You were added"
            ],
            "{name}"
        );
        assert_eq!(ms.len(), 9, "{name}");
    }
}

#[test]
fn chat_miner_telegram_matches_target() {
    let Some(root) = peers() else { return };
    let dir = root.join("chat-miner/test/telegram");
    let want = target(&dir.join("target.json"));
    for name in ["test_single_export.json", "test_batch_export.json"] {
        let chats = telegram::parse_all(File::open(dir.join(name)).expect("open"))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let ms: Vec<Message> = chats.into_iter().flat_map(|c| c.messages).collect();
        let got = as_chat_miner(&ms);
        assert_eq!(got.len(), want.len(), "{name}");
        for (g, w) in got.iter().zip(&want) {
            assert_eq!((&g.0, &g.1), (&w.0, &w.1), "{name}");
            if w.2 == "Link: https://telegram.org/" {
                // Deliberate: text parts are concatenated as Telegram shows
                // them, with no separator added.
                assert_eq!(g.2, "Link:https://telegram.org/");
            } else {
                assert_eq!(g.2, w.2, "{name}");
            }
        }
    }
}

/// `2A_5M` in a file name: 2 authors, 5 messages.
fn expected_counts(name: &str) -> (usize, u64) {
    let tag = name
        .split(['_', '.'])
        .collect::<Vec<_>>()
        .windows(2)
        .find_map(|w| {
            let a = w[0].strip_suffix('A')?.parse().ok()?;
            let m = w[1].strip_suffix('M')?.parse().ok()?;
            Some((a, m))
        });
    tag.unwrap_or_else(|| panic!("no NA_NM tag in {name}"))
}

#[test]
fn chat_analytics_whatsapp_counts() {
    let Some(root) = peers() else { return };
    let dir = root.join("chat-analytics/tests/samples/whatsapp");

    let name = "2A_5M.txt";
    let ms = whatsapp::parse_all(
        File::open(dir.join(name)).expect("open"),
        Default::default(),
    )
    .expect("every date is 1/1/21, so the order makes no difference");
    let s = Summary::of(&ms);
    assert_eq!((s.authors(), s.messages), expected_counts(name));
    assert_eq!(s.system, 0);
    // The out-of-order last line stays last: evidence is not reordered.
    assert_eq!(ms[4].text, "This message should be reordered");
    assert_eq!(naive(ms[4].time), "2021-01-01T12:02:00");

    let name = "4A_11M.txt";
    let err = whatsapp::parse_all(
        File::open(dir.join(name)).expect("open"),
        Default::default(),
    )
    .expect_err("12/9/20 is undecidable");
    assert!(
        matches!(err, ImportError::AmbiguousDateOrder { line: 1, .. }),
        "{err}"
    );
    let ms = whatsapp::parse_all(
        File::open(dir.join(name)).expect("open"),
        WhatsAppOptions::with_date_order(DateOrder::Mdy),
    )
    .expect("parses with an explicit order");
    let s = Summary::of(&ms);
    let (_, messages) = expected_counts(name);
    assert_eq!(s.messages, messages);
    assert_eq!(s.system, 3);
    // Deliberate difference: five people write here (Alice, Bob, Eve,
    // Mallory, Trent); the file name says 4.
    assert_eq!(
        s.senders.keys().map(String::as_str).collect::<Vec<_>>(),
        ["Alice", "Bob", "Eve", "Mallory", "Trent"]
    );
    assert_eq!(naive(ms[0].time), "2020-12-09T23:55:00");
}

#[test]
fn chat_analytics_telegram_counts() {
    let Some(root) = peers() else { return };
    let dir = root.join("chat-analytics/tests/samples/telegram");

    let name = "BIG_20A_5475M.json";
    let chats = telegram::parse_all(File::open(dir.join(name)).expect("open")).expect("parses");
    let s = Summary::of(chats.iter().flat_map(|c| &c.messages));
    assert_eq!((s.authors(), s.messages), expected_counts(name));
    assert_eq!(s.system, 0);
    assert_eq!(
        naive(s.first.expect("has messages")),
        "2017-01-01T06:20:09.248"
    );

    let name = "DM_2A_7M.json";
    let chats = telegram::parse_all(File::open(dir.join(name)).expect("open")).expect("parses");
    let ms = &chats[0].messages;
    let s = Summary::of(ms);
    let (authors, _) = expected_counts(name);
    assert_eq!(s.authors(), authors);
    // Deliberate difference: they count 7 (the phone call but not
    // "joined_telegram"); we keep both service messages as system lines.
    assert_eq!((s.messages, s.system), (6, 2));
    assert_eq!(ms[7].text, "phone_call: 56 s, hangup");
    assert_eq!(ms[1].text, "https://google.com 👀");
    // Mixed dates: old messages carry only a wall-clock `date`.
    assert_eq!(
        ms[2].time,
        MessageTime::Civil("2022-03-08T13:07:42".parse().expect("dt"))
    );
    assert_eq!(naive(ms[3].time), "2022-05-09T22:23:53");
}
