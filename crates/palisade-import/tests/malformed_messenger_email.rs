//! Bad Messenger/Instagram and email input: each gives a clear error that
//! names the file and position.

use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;

use palisade_import::email::{self, EmailOptions};
use palisade_import::{ImportError, instagram, messenger};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn fb(name: &str) -> Result<messenger::ThreadFile, ImportError> {
    let base = name.rsplit('/').next().unwrap_or(name);
    messenger::parse_file(File::open(fixture(name)).expect("fixture"), base)
}

#[test]
fn messenger_truncated_json_names_file_path_and_line() {
    let err = fb("messenger/bad_truncated.json").expect_err("truncated");
    let ImportError::MetaExport {
        format,
        file,
        path,
        line,
        message,
        ..
    } = &err
    else {
        panic!("unexpected {err}");
    };
    assert_eq!(
        (*format, file.as_str(), path.as_str(), *line),
        (
            "Messenger",
            "bad_truncated.json",
            "$.messages[1].content",
            29
        )
    );
    assert!(message.starts_with("invalid JSON: EOF"), "{message}");
    assert!(
        err.to_string()
            .starts_with("Messenger export bad_truncated.json, $.messages[1].content (line 29"),
        "{err}"
    );
}

#[test]
fn messenger_wrong_type_names_the_field() {
    let err = fb("messenger/bad_timestamp.json").expect_err("string timestamp");
    let ImportError::MetaExport {
        path,
        line,
        message,
        ..
    } = &err
    else {
        panic!("unexpected {err}");
    };
    assert_eq!((path.as_str(), *line), ("$.messages[1].timestamp_ms", 5));
    assert!(message.contains("yesterday"), "{message}");
}

#[test]
fn messenger_not_the_format() {
    // A Telegram export: messages, but none has `timestamp_ms`.
    let err = fb("messenger/not_messenger.json").expect_err("telegram json");
    assert!(
        matches!(&err, ImportError::MetaExport { path, message, .. }
            if path == "$.messages[0]" && message.contains("no `timestamp_ms`")),
        "{err}"
    );
    let err = messenger::parse_file(&br#"{"chats": {"list": []}}"#[..], "x.json")
        .expect_err("no messages");
    assert!(
        err.to_string()
            .contains("x.json, $ (line 1, column 1): not a Messenger export: no `messages` array"),
        "{err}"
    );
    let err = messenger::parse_file(&b"[1, 2]"[..], "x.json").expect_err("array");
    assert!(
        err.to_string()
            .contains("expected a Messenger thread object"),
        "{err}"
    );
    let err = instagram::parse_file(File::open(fixture("garbage.bin")).expect("open"), "g.bin")
        .expect_err("binary");
    assert!(
        matches!(&err, ImportError::MetaExport { format: "Instagram", line: 1, column: 1, message, .. }
            if message.starts_with("invalid JSON")),
        "{err}"
    );
    let err = messenger::parse_file(
        File::open(fixture("whatsapp/android_dmy_24h.txt")).expect("open"),
        "chat.txt",
    )
    .expect_err("text");
    assert!(
        matches!(err, ImportError::MetaExport { line: 1, .. }),
        "{err}"
    );
    let err = messenger::parse_file(&b"  "[..], "empty.json").expect_err("empty");
    assert!(err.to_string().contains("EOF"), "{err}");
}

#[test]
fn messenger_e2ee_and_html_are_refused_by_name() {
    let err = fb("messenger/e2ee_thread.json").expect_err("e2ee");
    let ImportError::UnsupportedShape { file, shape } = &err else {
        panic!("unexpected {err}");
    };
    assert_eq!(file, "e2ee_thread.json");
    assert!(shape.contains("end-to-end-encrypted"), "{shape}");
    let err = fb("messenger/message_1.html").expect_err("html");
    assert!(
        err.to_string()
            .starts_with("message_1.html: not supported yet: the HTML export"),
        "{err}"
    );
}

#[test]
fn a_thread_with_a_bad_file_names_that_file() {
    let d = fixture("messenger/jordanpike_10203040");
    let err = messenger::parse_thread(&["message_1.json", "message_2.json"], |n| {
        if n == "message_2.json" {
            File::open(fixture("messenger/bad_truncated.json"))
        } else {
            File::open(d.join(n))
        }
    })
    .expect_err("second file truncated");
    assert!(
        matches!(&err, ImportError::MetaExport { file, .. } if file == "message_2.json"),
        "{err}"
    );
    let err = messenger::parse_thread(&["message_1.json", "message_3.json"], |n| {
        File::open(d.join(n))
    })
    .expect_err("missing file");
    assert!(
        matches!(&err, ImportError::FileIo { file, .. } if file == "message_3.json"),
        "{err}"
    );
}

#[test]
fn mbox_without_separators() {
    let f = BufReader::new(File::open(fixture("email/bad_no_separator.mbox")).expect("open"));
    let err = email::parse_mbox_all(f, EmailOptions::default()).expect_err("no From line");
    assert!(
        matches!(
            &err,
            ImportError::NotMbox { line: 1, byte_offset: 0, excerpt }
                if excerpt.starts_with("From: Jordan Pike")
        ),
        "{err}"
    );
    // Blank lines before junk: the position is the junk's.
    let err = email::parse_mbox_all(&b"\n\nhello\nFrom x\n"[..], EmailOptions::default())
        .expect_err("junk");
    assert!(
        matches!(
            err,
            ImportError::NotMbox {
                line: 3,
                byte_offset: 2,
                ..
            }
        ),
        "{err}"
    );
    let f = BufReader::new(File::open(fixture("garbage.bin")).expect("open"));
    let err = email::parse_mbox_all(f, EmailOptions::default()).expect_err("binary");
    assert!(matches!(err, ImportError::NotMbox { line: 1, .. }), "{err}");
    // An empty mailbox is a valid, empty mbox.
    let none = email::parse_mbox_all(&b""[..], EmailOptions::default()).expect("empty");
    assert!(none.is_empty());
}

#[test]
fn message_without_date_is_named_and_the_rest_still_parse() {
    let err = email::parse_eml(
        File::open(fixture("email/bad_no_date.eml")).expect("open"),
        EmailOptions::default(),
    )
    .expect_err("undated");
    assert_eq!(
        err.to_string(),
        "message at line 1 (byte 0) (Message-ID <undated-5@example.net>, subject \
         \"No date on this one\"): no Date header; an undated message cannot be placed in time"
    );
    let f = BufReader::new(File::open(fixture("email/missing_date.mbox")).expect("open"));
    let items: Vec<_> = email::parse_mbox(f, EmailOptions::default()).collect();
    assert_eq!(items.len(), 3);
    assert!(items[0].is_ok() && items[2].is_ok());
    assert!(
        matches!(
            &items[1],
            Err(ImportError::EmailDate { line: 14, byte_offset: 396, message, .. })
                if message.contains("mbox-2@praxis-weber.example")
        ),
        "{:?}",
        items[1]
    );
    // Indices count the messages produced.
    assert_eq!(items[2].as_ref().map(|m| m.index).ok(), Some(1));
    // parse_mbox_all stops at the first error.
    let f = BufReader::new(File::open(fixture("email/missing_date.mbox")).expect("open"));
    assert!(matches!(
        email::parse_mbox_all(f, EmailOptions::default()),
        Err(ImportError::EmailDate { line: 14, .. })
    ));
    let err = email::parse_eml_bytes(
        b"Date: not a date at all\nFrom: a@b\n\nx\n",
        EmailOptions::default(),
    )
    .expect_err("bad date");
    assert!(
        err.to_string()
            .ends_with("Date header \"not a date at all\" is not a date"),
        "{err}"
    );
}

#[test]
fn not_an_email() {
    let err = email::parse_eml(
        File::open(fixture("email/not_email.eml")).expect("open"),
        EmailOptions::default(),
    )
    .expect_err("no headers");
    assert!(
        matches!(&err, ImportError::NotEmail { line: 1, byte_offset: 0, reason }
            if reason.contains("\"Hello, this is just a note I typed.\"")),
        "{err}"
    );
    let err = email::parse_eml(&b""[..], EmailOptions::default()).expect_err("empty");
    assert!(matches!(err, ImportError::NotEmail { .. }), "{err}");
    let err = email::parse_eml(
        File::open(fixture("telegram/single_chat.json")).expect("open"),
        EmailOptions::default(),
    )
    .expect_err("json");
    assert!(matches!(err, ImportError::NotEmail { .. }), "{err}");
    // A body line `From ` that was not quoted splits the message; the
    // stray part is reported where it starts, and reading goes on.
    let data =
        b"From a\nDate: Mon, 19 Feb 2024 09:00:00 +0100\nFrom: a@b\n\nhi\nFrom here on\nmore\n\
                 From b\nDate: Mon, 19 Feb 2024 10:00:00 +0100\nFrom: c@d\n\nbye\n";
    let items: Vec<_> = email::parse_mbox(&data[..], EmailOptions::default()).collect();
    assert_eq!(items.len(), 3);
    assert!(
        matches!(&items[1], Err(ImportError::NotEmail { line: 6, .. })),
        "{:?}",
        items[1]
    );
    assert_eq!(items[2].as_ref().map(|m| m.text.as_str()).ok(), Some("bye"));
}

#[test]
fn size_caps() {
    let small = EmailOptions {
        max_message_bytes: 400,
        ..EmailOptions::default()
    };
    let f = BufReader::new(File::open(fixture("email/three.mbox")).expect("open"));
    let items: Vec<_> = email::parse_mbox(f, small).collect();
    assert_eq!(items.len(), 3);
    assert!(items[0].is_ok() && items[1].is_ok());
    assert!(
        matches!(
            items[2],
            Err(ImportError::MessageTooLong {
                line: 24,
                byte_offset: 707,
                limit: 400
            })
        ),
        "{:?}",
        items[2]
    );
    // One huge line with no newline is skipped without being held.
    let mut data = b"From x\nDate: Mon, 19 Feb 2024 09:00:00 +0100\n\n".to_vec();
    data.extend(std::iter::repeat_n(b'x', 10_000));
    let err = email::parse_mbox_all(&data[..], small).expect_err("too long");
    assert!(
        matches!(err, ImportError::MessageTooLong { line: 1, .. }),
        "{err}"
    );
    let err = email::parse_eml(
        File::open(fixture("email/multipart_attachment.eml")).expect("open"),
        small,
    )
    .expect_err("eml too long");
    assert!(
        matches!(
            err,
            ImportError::MessageTooLong {
                line: 1,
                byte_offset: 0,
                limit: 400
            }
        ),
        "{err}"
    );
    let tiny_attachments = EmailOptions {
        max_attachment_bytes: 50,
        ..EmailOptions::default()
    };
    let err = email::parse_eml(
        File::open(fixture("email/multipart_attachment.eml")).expect("open"),
        tiny_attachments,
    )
    .expect_err("attachment too large");
    assert_eq!(
        err.to_string(),
        "message at line 1 (byte 0): attachment Some(\"car.png\") is 69 bytes, over the limit of 50"
    );
}
