//! `palisade import` end to end: every format lands as entries that point back
//! to the original file (kept as an attachment of the import record), re-imports
//! add only what is new, dry runs and malformed exports write nothing, and
//! wall-clock times are read in the zone given, with DST changes reported.

mod common;

use common::{Store, sha256_hex};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../palisade-import/tests/fixtures")
        .join(rel)
}

fn import(s: &Store, case: &str, format: &str, path: &Path, extra: &[&str]) -> Value {
    let p = path.to_str().expect("utf-8 path");
    let mut args = vec!["import", format, p, "--case", case];
    args.extend_from_slice(extra);
    s.json(&args)
}

fn timeline(s: &Store, case: &str) -> Vec<Value> {
    s.json(&["timeline", "--case", case])
        .as_array()
        .expect("timeline is an array")
        .clone()
}

const CHAT: &str = "\
14/02/2024, 21:05 - Messages and calls are end-to-end encrypted. No one outside of this chat can read them.
14/02/2024, 21:07 - Dr Weber: Please stop contacting me on this number.
14/02/2024, 21:09 - Pat: I will not stop.
You owe me an answer.
14/02/2024, 21:09 - Pat: ok
14/02/2024, 21:09 - Pat: ok
15/02/2024, 08:02 - Pat: IMG-20240215-WA0001.jpg (file attached)
";

#[test]
fn whatsapp_import_keeps_the_original_and_points_each_entry_back_to_it() {
    let s = Store::init();
    let case = s.open_case("Messages from Pat", "amorous");
    let dir = s.tmp.path().join("export");
    std::fs::create_dir_all(&dir).unwrap();
    let chat = dir.join("WhatsApp Chat with Pat.txt");
    std::fs::write(&chat, CHAT).unwrap();
    let photo = b"\xff\xd8\xff\xe0 a photo of flowers";
    std::fs::write(dir.join("IMG-20240215-WA0001.jpg"), photo).unwrap();

    let r = import(
        &s,
        &case,
        "whatsapp",
        &chat,
        &["--me", "Dr Weber", "--tz", "Europe/London"],
    );
    assert_eq!(r["format"], "whatsapp");
    assert_eq!(r["messages"], 5);
    assert_eq!(r["system"], 1);
    assert_eq!(r["imported"], 5);
    assert_eq!(r["duplicates"], 0);
    assert_eq!(r["senders"]["Pat"], 4);
    assert_eq!(r["senders"]["Dr Weber"], 1);
    assert_eq!(r["first"], "2024-02-14T21:05:00Z");
    assert_eq!(r["last"], "2024-02-15T08:02:00Z");
    assert_eq!(r["tz"], "Europe/London");
    assert_eq!(r["date_order"], "dmy");
    assert_eq!(r["media_stored"], 1);
    let file_sha = sha256_hex(CHAT.as_bytes());
    assert_eq!(r["files"][0]["sha256"], file_sha.as_str());

    let entries = timeline(&s, &case);
    assert_eq!(entries.len(), 5);
    let first = &entries[0];
    assert_eq!(
        first["direction"], "outbound",
        "--me marks the owner's messages"
    );
    assert_eq!(first["party"], "Dr Weber");
    assert_eq!(first["channel"], "whatsapp");
    assert_eq!(first["occurred_at"], "2024-02-14T21:07:00Z");
    assert_eq!(first["source"]["kind"], "import");
    assert_eq!(first["source"]["file_sha256"], file_sha.as_str());
    assert_eq!(first["source"]["import"], r["import_id"]);
    assert!(
        first["source"]["locator"]
            .as_str()
            .unwrap()
            .starts_with("line 2")
    );
    assert_eq!(
        entries[1]["content"],
        "I will not stop.\nYou owe me an answer."
    );
    assert_eq!(entries[1]["direction"], "inbound");
    let with_photo = &entries[4];
    assert_eq!(
        with_photo["attachments"][0]["sha256"],
        sha256_hex(photo).as_str()
    );
    assert_eq!(with_photo["attachments"][0]["media_type"], "image/jpeg");

    // The original export is an attachment of the import record.
    let shown = s.json(&["case", "show", &case]);
    let imp = &shown["imports"][0];
    assert_eq!(imp["id"], r["import_id"]);
    assert_eq!(imp["tz"], "Europe/London");
    assert_eq!(imp["attachments"][0]["sha256"], file_sha.as_str());
    assert_eq!(imp["attachments"][0]["name"], "WhatsApp Chat with Pat.txt");
    s.verify_ok();
}

#[test]
fn reimport_adds_nothing_and_a_later_overlapping_export_adds_only_new_messages() {
    let s = Store::init();
    let case = s.open_case("c", "amorous");
    let chat = s.write_file("chat.txt", CHAT.as_bytes());
    import(&s, &case, "whatsapp", &chat, &["--tz", "UTC"]);
    let before = s.row_counts();

    let again = import(&s, &case, "whatsapp", &chat, &["--tz", "UTC"]);
    assert_eq!(again["imported"], 0);
    assert_eq!(again["duplicates"], 5);
    assert_eq!(again["import_id"], Value::Null);
    assert_eq!(
        s.row_counts(),
        before,
        "an idempotent re-import writes nothing"
    );

    // A later export: the same history plus a third "ok" in the same minute and a new day.
    let later =
        format!("{CHAT}14/02/2024, 21:09 - Pat: ok\n16/02/2024, 10:00 - Pat: Still waiting.\n");
    let later = s.write_file("later.txt", later.as_bytes());
    let r = import(&s, &case, "whatsapp", &later, &["--tz", "UTC"]);
    assert_eq!(r["duplicates"], 5);
    assert_eq!(r["imported"], 2, "{r:#}");
    let oks = timeline(&s, &case)
        .iter()
        .filter(|e| e["content"] == "ok")
        .count();
    assert_eq!(
        oks, 3,
        "identical messages in one minute are distinct messages"
    );
    s.verify_ok();
}

#[test]
fn dry_run_reports_and_writes_nothing() {
    let s = Store::init();
    let case = s.open_case("c", "amorous");
    let chat = s.write_file("chat.txt", CHAT.as_bytes());
    let before = (s.row_counts(), s.blob_files());
    let r = import(&s, &case, "whatsapp", &chat, &["--dry-run", "--tz", "UTC"]);
    assert_eq!(r["dry_run"], true);
    assert_eq!(r["messages"], 5);
    assert_eq!(r["imported"], 5, "what would be imported");
    assert_eq!(r["import_id"], Value::Null);
    assert_eq!((s.row_counts(), s.blob_files()), before);
}

#[test]
fn an_undecidable_date_order_asks_for_one_and_writes_nothing() {
    let s = Store::init();
    let case = s.open_case("c", "amorous");
    let chat = s.write_file(
        "chat.txt",
        b"05/06/2024, 10:00 - Pat: hello\n05/06/2024, 10:01 - Pat: are you there\n",
    );
    let before = s.row_counts();
    let p = chat.to_str().unwrap();
    let e = s
        .run(&["import", "whatsapp", p, "--case", &case])
        .error_mentioning(&["--date-order", "chat.txt"]);
    assert!(e.starts_with("error: cannot import"), "{e}");
    assert_eq!(s.row_counts(), before);
    let r = import(
        &s,
        &case,
        "whatsapp",
        &chat,
        &["--date-order", "mdy", "--tz", "UTC"],
    );
    assert_eq!(r["imported"], 2);
    assert_eq!(r["date_order"], "mdy");
}

#[test]
fn daylight_saving_gaps_and_overlaps_are_reported_not_hidden() {
    let s = Store::init();
    let case = s.open_case("c", "stalking");
    // 31 March 2024 01:30 does not exist in London; 27 October 2024 01:30 happens twice.
    let chat = s.write_file(
        "chat.txt",
        b"31/03/2024, 01:30 - Pat: in the gap\n27/10/2024, 01:30 - Pat: in the overlap\n28/10/2024, 13:00 - Pat: normal\n",
    );
    let r = import(&s, &case, "whatsapp", &chat, &["--tz", "Europe/London"]);
    assert_eq!(r["dst_ambiguous"], 2, "{r:#}");
    let notes = r["dst_notes"].as_array().unwrap();
    assert!(notes[0].as_str().unwrap().contains("Gap"), "{notes:?}");
    assert!(notes[1].as_str().unwrap().contains("Overlap"), "{notes:?}");
    let shown = s.json(&["case", "show", &case]);
    assert_eq!(shown["imports"][0]["counts"]["dst_ambiguous"], 2);
}

#[test]
fn every_format_imports_and_the_store_still_verifies() {
    let cases: &[(&str, &str, &[&str])] = &[
        ("sms-backup", "sms_backup/messages.xml", &[]),
        ("sms-backup", "sms_backup/calls.xml", &[]),
        ("eml", "email/multipart_attachment.eml", &[]),
        ("mbox", "email/three.mbox", &[]),
        ("telegram", "telegram/single_chat.json", &["--tz", "UTC"]),
        ("telegram", "telegram/full_export.json", &["--tz", "UTC"]),
        ("x-dm", "x_dm/direct-messages.js", &[]),
        ("messenger", "messenger/jordanpike_10203040", &[]),
        (
            "instagram",
            "instagram/jordan.pike_998877/message_1.json",
            &[],
        ),
    ];
    for (format, rel, extra) in cases {
        let s = Store::init();
        let case = s.open_case("c", "grievance");
        let r = import(&s, &case, format, &fixture(rel), extra);
        let messages = r["messages"].as_u64().unwrap();
        let calls = r["calls"].as_u64().unwrap();
        assert!(messages + calls > 0, "{format} {rel}: {r:#}");
        let not_sent = r["not_sent"].as_u64().unwrap();
        let imported = r["imported"].as_u64().unwrap();
        assert_eq!(
            imported,
            messages + calls - not_sent,
            "{format} {rel}: {r:#}"
        );
        let senders: u64 = r["senders"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_u64().unwrap())
            .sum();
        assert_eq!(
            senders, messages,
            "{format} {rel}: every message has a sender"
        );
        assert_eq!(timeline(&s, &case).len() as u64, imported, "{format} {rel}");
        let shown = s.json(&["case", "show", &case]);
        assert!(
            !shown["imports"][0]["attachments"]
                .as_array()
                .unwrap()
                .is_empty(),
            "{format} {rel}: the original files are kept"
        );
        s.verify_ok();
    }
}

#[test]
fn sms_numbers_map_to_names_and_unsent_drafts_are_not_contacts() {
    let s = Store::init();
    let case = s.open_case("c", "grievance");
    let path = fixture("sms_backup/messages.xml");
    let plain = import(&s, &case, "sms-backup", &path, &["--dry-run"]);
    // This backup names +491522222222 only by its number.
    assert!(plain["senders"].get("+491522222222").is_some(), "{plain:#}");
    assert!(
        plain["not_sent"].as_u64().unwrap() >= 2,
        "the draft and the failed message: {plain:#}"
    );
    let r = import(
        &s,
        &case,
        "sms-backup",
        &path,
        &[
            "--party",
            "+491522222222=Mr P (patient)",
            "--me",
            "Dr Weber",
        ],
    );
    assert!(r["senders"].get("Mr P (patient)").is_some(), "{r:#}");
    assert!(r["senders"].get("+491522222222").is_none(), "{r:#}");
    let entries = timeline(&s, &case);
    assert!(
        entries
            .iter()
            .all(|e| e["content"] != "I will call the police."),
        "a draft the phone never sent is not a contact"
    );
    let sent = entries
        .iter()
        .find(|e| {
            e["content"]
                .as_str()
                .is_some_and(|c| c.starts_with("Please stop contacting me"))
        })
        .expect("the sent reply");
    assert_eq!(sent["direction"], "outbound");
    assert_eq!(sent["party"], "Dr Weber");
}

#[test]
fn malformed_exports_name_the_file_and_write_nothing() {
    let bad: &[(&str, &str)] = &[
        ("whatsapp", "whatsapp/bad_no_header.txt"),
        ("sms-backup", "sms_backup/bad_truncated.xml"),
        ("sms-backup", "sms_backup/bad_billion_laughs.xml"),
        ("sms-backup", "sms_backup/not_backup.xml"),
        ("eml", "email/not_email.eml"),
        ("mbox", "email/bad_no_separator.mbox"),
        ("telegram", "telegram/bad_truncated.json"),
        ("telegram", "telegram/not_telegram.json"),
        ("x-dm", "x_dm/bad_prefix.js"),
        ("x-dm", "x_dm/bad_truncated.js"),
        ("telegram", "garbage.bin"),
        ("whatsapp", "garbage.bin"),
    ];
    let s = Store::init();
    let case = s.open_case("c", "grievance");
    let before = (s.row_counts(), s.blob_files());
    for (format, rel) in bad {
        let path = fixture(rel);
        let file = path.file_name().unwrap().to_str().unwrap().to_string();
        let e = s
            .run(&["import", format, path.to_str().unwrap(), "--case", &case])
            .error_mentioning(&[&file]);
        assert!(e.contains("cannot import"), "{format} {rel}: {e}");
        assert_eq!((s.row_counts(), s.blob_files()), before, "{format} {rel}");
    }
    // A thread folder whose only file is truncated.
    let thread = s.tmp.path().join("thread");
    std::fs::create_dir_all(&thread).unwrap();
    let bytes = std::fs::read(fixture("messenger/bad_truncated.json")).unwrap();
    std::fs::write(thread.join("message_1.json"), bytes).unwrap();
    s.run(&[
        "import",
        "messenger",
        thread.to_str().unwrap(),
        "--case",
        &case,
    ])
    .error_mentioning(&["cannot import", "message_1.json"]);
    assert_eq!((s.row_counts(), s.blob_files()), before);
    s.verify_ok();
}

#[test]
fn bad_arguments_are_refused_clearly() {
    let s = Store::init();
    let case = s.open_case("c", "grievance");
    let chat = s.write_file("chat.txt", CHAT.as_bytes());
    let p = chat.to_str().unwrap();
    s.run(&["import", "carrier-pigeon", p, "--case", &case])
        .error_mentioning(&["carrier-pigeon", "whatsapp"]);
    s.run(&[
        "import", "whatsapp", p, "--case", &case, "--party", "nonsense",
    ])
    .error_mentioning(&["nonsense", "ID=NAME"]);
    s.run(&[
        "import",
        "whatsapp",
        p,
        "--case",
        &case,
        "--tz",
        "Mars/Olympus",
    ])
    .error_mentioning(&["Mars/Olympus"]);
    s.run(&["import", "whatsapp", p, "--case", "case_nope"])
        .error_mentioning(&["case_nope"]);
    s.run(&["import", "whatsapp", "/no/such/export.txt", "--case", &case])
        .error_mentioning(&["/no/such/export.txt"]);
}

#[test]
fn a_whatsapp_zip_is_read_directly_with_its_media() {
    use std::io::Write as _;
    let s = Store::init();
    let case = s.open_case("c", "amorous");
    let photo = b"\xff\xd8\xff\xe0 card left at reception";
    let voice = b"OggS\x00\x02 OpusHead a voice note";
    let chat = "[15/02/2024, 08:02:11] Pat: \u{200e}<attached: 00000001-PHOTO-2024-02-15-08-02-11.jpg>\n\
                [15/02/2024, 08:03:40] Pat: \u{200e}<attached: 00000002-AUDIO-2024-02-15-08-03-40.opus>\n\
                [16/02/2024, 09:00:00] Pat: Why won't you answer?\n";
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    for (name, bytes) in [
        ("_chat.txt", chat.as_bytes()),
        ("00000001-PHOTO-2024-02-15-08-02-11.jpg", &photo[..]),
        ("00000002-AUDIO-2024-02-15-08-03-40.opus", &voice[..]),
    ] {
        w.start_file(name, opts).unwrap();
        w.write_all(bytes).unwrap();
    }
    let bytes = w.finish().unwrap().into_inner();
    let path = s.write_file("WhatsApp Chat - Pat.zip", &bytes);

    let r = import(&s, &case, "whatsapp", &path, &["--tz", "Europe/London"]);
    assert_eq!(r["messages"], 3, "{r:#}");
    assert_eq!(r["imported"], 3);
    assert_eq!(r["media_stored"], 2, "{r:#}");
    assert_eq!(r["date_order"], "dmy");
    assert_eq!(r["files"][0]["sha256"], sha256_hex(&bytes).as_str());
    let entries = timeline(&s, &case);
    assert_eq!(
        entries[0]["attachments"][0]["sha256"],
        sha256_hex(photo).as_str()
    );
    assert_eq!(
        entries[1]["attachments"][0]["sha256"],
        sha256_hex(voice).as_str()
    );
    assert_eq!(entries[2]["content"], "Why won't you answer?");
    s.verify_ok();

    // A zip with a path-traversal entry is refused whole, and nothing is written.
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    w.start_file("_chat.txt", opts).unwrap();
    w.write_all(b"[15/02/2024, 08:02:11] Pat: hi\n").unwrap();
    w.start_file("../../evil.jpg", opts).unwrap();
    w.write_all(b"x").unwrap();
    let evil = s.write_file("evil.zip", &w.finish().unwrap().into_inner());
    let before = (s.row_counts(), s.blob_files());
    s.run(&[
        "import",
        "whatsapp",
        evil.to_str().unwrap(),
        "--case",
        &case,
    ])
    .error_mentioning(&["evil.zip", "evil.jpg"]);
    assert_eq!((s.row_counts(), s.blob_files()), before);
}
