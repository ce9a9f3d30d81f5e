//! Bad SMS Backup & Restore and X archive input: each gives a clear error
//! that names the position.

mod common;

use std::fs::File;
use std::time::Instant;

use common::fixture;
use palisade_import::ImportError;
use palisade_import::sms_backup::{self, SmsBackup, SmsBackupOptions};
use palisade_import::x_dm::{self, XConversation, XDmOptions};

fn sms_file(name: &str) -> Result<SmsBackup, ImportError> {
    sms_backup::parse_all(
        File::open(fixture(name)).expect("fixture exists"),
        SmsBackupOptions::default(),
    )
}

fn sms_bytes(data: &[u8], options: SmsBackupOptions) -> Result<SmsBackup, ImportError> {
    sms_backup::parse_all(data, options)
}

fn x_file(name: &str) -> Result<Vec<XConversation>, ImportError> {
    x_dm::parse_all(
        File::open(fixture(name)).expect("fixture exists"),
        &XDmOptions::default(),
    )
}

/// `(line, byte_offset, message)` of an XML-level error.
fn xml(err: &ImportError) -> (u64, u64, &str) {
    match err {
        ImportError::Xml {
            line,
            byte_offset,
            message,
        } => (*line, *byte_offset, message),
        other => panic!("expected ImportError::Xml, got {other:?}"),
    }
}

fn format(err: &ImportError) -> (u64, u64, &str) {
    match err {
        ImportError::SmsBackup {
            line,
            byte_offset,
            message,
        } => (*line, *byte_offset, message),
        other => panic!("expected ImportError::SmsBackup, got {other:?}"),
    }
}

#[test]
fn truncated_inside_an_element() {
    let err = sms_file("sms_backup/bad_truncated.xml").expect_err("truncated");
    let (line, byte, message) = xml(&err);
    assert_eq!((line, byte), (7, 991), "{err}");
    assert!(message.contains("truncated?"), "{message}");
    assert!(
        err.to_string()
            .starts_with("line 7 (byte 991): invalid XML: "),
        "{err}"
    );
}

#[test]
fn truncated_between_elements_names_the_open_root() {
    let err = sms_file("sms_backup/bad_unclosed.xml").expect_err("unclosed");
    let (line, byte, message) = xml(&err);
    assert_eq!((line, byte), (9, 1618));
    assert!(
        message.contains("opened at line 4 (byte 185) is not closed"),
        "{message}"
    );
}

#[test]
fn truncated_stream_still_yields_the_complete_messages_first() {
    let f = File::open(fixture("sms_backup/bad_unclosed.xml")).expect("open");
    let items: Vec<_> = sms_backup::Parser::new(f, SmsBackupOptions::default()).collect();
    assert_eq!(items.len(), 5);
    assert!(items[..4].iter().all(Result::is_ok));
    assert!(matches!(items[4], Err(ImportError::Xml { line: 9, .. })));
}

#[test]
fn invalid_xml_gives_byte_positions() {
    let err = sms_file("sms_backup/bad_invalid.xml").expect_err("unquoted attribute");
    let (line, byte, message) = xml(&err);
    assert_eq!((line, byte), (4, 262));
    assert!(message.contains("not in quotes"), "{message}");

    let err = sms_file("sms_backup/bad_mismatched.xml").expect_err("mismatched end tag");
    let (line, byte, message) = xml(&err);
    assert_eq!((line, byte), (6, 198));
    assert!(
        message.contains("</parts>") && message.contains("</addrs>"),
        "{message}"
    );

    let err = sms_file("sms_backup/bad_entity.xml").expect_err("undefined entity");
    let (line, byte, message) = xml(&err);
    assert_eq!((line, byte), (3, 146));
    assert!(message.contains("&eacute;"), "{message}");

    let data = b"<smses>\n  <sms a=\"1\" a=\"2\" />\n</smses>\n";
    let err = sms_bytes(data, SmsBackupOptions::default()).expect_err("duplicate");
    assert_eq!((xml(&err).0, xml(&err).1), (2, 21), "{err}");

    let data = b"<smses>\n  <sms body=\"\xff\" />\n</smses>\n";
    let err = sms_bytes(data, SmsBackupOptions::default()).expect_err("latin-1");
    assert_eq!((xml(&err).0, xml(&err).1), (2, 21), "{err}");
}

#[test]
fn billion_laughs_is_refused_at_the_doctype() {
    let start = Instant::now();
    let err = sms_file("sms_backup/bad_billion_laughs.xml").expect_err("DTD");
    let (line, byte, message) = xml(&err);
    assert_eq!((line, byte), (2, 22));
    assert!(message.contains("DOCTYPE"), "{message}");
    assert!(start.elapsed().as_secs() < 5);
    // Even a harmless DOCTYPE is refused.
    let data = b"<?xml version=\"1.0\"?><!DOCTYPE smses><smses/>";
    let err = sms_bytes(data, SmsBackupOptions::default()).expect_err("DTD");
    assert_eq!(xml(&err).1, 21);
    // Without a DTD an entity reference is simply unknown.
    let data = b"<smses><sms date=\"1\" type=\"1\" body=\"&lol9;\"/></smses>";
    let err = sms_bytes(data, SmsBackupOptions::default()).expect_err("entity");
    assert!(xml(&err).2.contains("unknown entity `&lol9;`"), "{err}");
}

#[test]
fn bad_values_name_the_attribute() {
    let err = sms_file("sms_backup/bad_type.xml").expect_err("type 9");
    let (line, byte, message) = format(&err);
    assert_eq!((line, byte), (4, 228));
    assert!(message.contains("`type` is 9"), "{message}");

    let err = sms_file("sms_backup/bad_date.xml").expect_err("date");
    let (line, byte, message) = format(&err);
    assert_eq!((line, byte), (3, 113));
    assert!(message.contains("yesterday"), "{message}");

    let err = sms_file("sms_backup/bad_base64.xml").expect_err("base64");
    let (line, byte, message) = format(&err);
    assert_eq!((line, byte), (5, 225));
    assert!(message.contains("not base64"), "{message}");

    let data = b"<smses>\n<sms address=\"1\" type=\"1\" body=\"no date\"/></smses>";
    let err = sms_bytes(data, SmsBackupOptions::default()).expect_err("no date");
    assert_eq!(format(&err), (2, 8, "<sms> has no `date`"));
}

#[test]
fn files_that_are_not_sms_backups() {
    let err = sms_file("sms_backup/not_backup.xml").expect_err("map");
    let (line, byte, message) = format(&err);
    assert_eq!((line, byte), (2, 39));
    assert!(message.contains("the root element is <map>"), "{message}");

    for name in [
        "whatsapp/android_dmy_24h.txt",
        "telegram/single_chat.json",
        "x_dm/direct-messages.js",
    ] {
        let err = sms_file(name).expect_err(name);
        let (line, byte, message) = format(&err);
        assert_eq!((line, byte), (1, 0), "{name}");
        assert!(
            message.starts_with("not an SMS Backup & Restore file: text before the root"),
            "{message}"
        );
    }

    let err = sms_file("garbage.bin").expect_err("binary");
    let (line, _, message) = xml(&err);
    assert_eq!(line, 1);
    assert_eq!(message, "text is not valid UTF-8");

    let err = sms_bytes(b"", SmsBackupOptions::default()).expect_err("empty");
    assert_eq!(
        format(&err),
        (1, 0, "not an SMS Backup & Restore file: no root element")
    );

    let err = sms_bytes(
        b"<?xml version=\"1.0\" encoding=\"UTF-16\"?><smses/>",
        SmsBackupOptions::default(),
    )
    .expect_err("utf-16");
    assert!(xml(&err).2.contains("\"utf-16\" is not supported"), "{err}");

    let err = sms_bytes(b"<smses/>\n<smses/>", SmsBackupOptions::default()).expect_err("two roots");
    assert_eq!((format(&err).0, format(&err).1), (2, 9));
    let err =
        sms_bytes(b"<smses/>\ntrailing", SmsBackupOptions::default()).expect_err("text after");
    assert!(
        format(&err).2.starts_with("content after the root element"),
        "{err}"
    );
}

#[test]
fn nesting_is_limited() {
    let mut data = b"<smses>".to_vec();
    data.extend(std::iter::repeat_n(&b"<x>"[..], 100).flatten());
    let err = sms_bytes(&data, SmsBackupOptions::default()).expect_err("deep");
    assert!(format(&err).2.contains("nested deeper than 32"), "{err}");
    assert_eq!(format(&err).1, 7 + 31 * 3);
}

#[test]
fn size_limits() {
    let messages = std::fs::read(fixture("sms_backup/messages.xml")).expect("read");
    // The 69-byte PNG against a 64-byte part limit.
    let small = SmsBackupOptions {
        max_part_bytes: 64,
        ..SmsBackupOptions::default()
    };
    match sms_bytes(&messages, small).expect_err("part too large") {
        ImportError::TooLarge {
            line: 15,
            byte_offset,
            what,
            limit: 64,
        } => {
            assert_eq!(what, "MMS part");
            let at = messages
                .windows(6)
                .position(|w| w == b"iVBORw")
                .expect("data");
            assert_eq!(byte_offset, at as u64);
        }
        other => panic!("{other}"),
    }
    // The fixture's MMS carry 69 and 73 bytes of media: a per-message limit
    // of 75 passes, but not two 69-byte parts in one message.
    let per_message = SmsBackupOptions {
        max_message_media_bytes: 75,
        ..SmsBackupOptions::default()
    };
    assert!(sms_bytes(&messages, per_message).is_ok());
    let data = format!(
        "<smses><mms date=\"1\" msg_box=\"1\"><parts>\
         <part ct=\"image/png\" data=\"{png}\"/><part ct=\"image/png\" data=\"{png}\"/>\
         </parts></mms></smses>",
        png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
    );
    match sms_bytes(data.as_bytes(), per_message).expect_err("two parts") {
        ImportError::TooLarge {
            what, limit: 75, ..
        } => assert_eq!(what, "MMS media of one message"),
        other => panic!("{other}"),
    }
    // A long body against the attribute limit.
    let body = "x".repeat(5000);
    let data = format!("<smses>\n<sms date=\"1\" type=\"1\" body=\"{body}\"/></smses>");
    let tight = SmsBackupOptions {
        max_text_bytes: 1000,
        ..SmsBackupOptions::default()
    };
    match sms_bytes(data.as_bytes(), tight).expect_err("long body") {
        ImportError::TooLarge {
            line: 2,
            byte_offset: 37,
            what,
            limit: 1000,
        } => {
            assert_eq!(what, "attribute `body`");
        }
        other => panic!("{other}"),
    }
    // A huge element is refused before it is read whole.
    let body = "x".repeat(200_000);
    let data = format!("<smses>\n<sms date=\"1\" type=\"1\" body=\"{body}\"/></smses>");
    let tiny = SmsBackupOptions {
        max_part_bytes: 3,
        max_message_media_bytes: 3,
        max_text_bytes: 10,
    };
    assert!(tiny.max_element_bytes() < 70_000);
    match sms_bytes(data.as_bytes(), tiny).expect_err("huge element") {
        ImportError::TooLarge {
            line: 2,
            byte_offset: 8,
            what,
            ..
        } => {
            assert_eq!(what, "element or text run");
        }
        other => panic!("{other}"),
    }
}

/// `(path, line, column, message)` of an X error.
fn xa(err: &ImportError) -> (&str, usize, usize, &str) {
    match err {
        ImportError::XArchive {
            path,
            line,
            column,
            message,
        } => (path, *line, *column, message),
        other => panic!("expected ImportError::XArchive, got {other:?}"),
    }
}

#[test]
fn x_truncated_json() {
    let err = x_file("x_dm/bad_truncated.js").expect_err("truncated");
    let ImportError::Json {
        path,
        line,
        message,
        ..
    } = &err
    else {
        panic!("unexpected {err:?}");
    };
    assert_eq!(path, "$[0].dmConversation.messages[0]");
    assert_eq!(*line, 26);
    assert!(message.contains("EOF"), "{message}");
}

#[test]
fn x_wrong_prefix() {
    let err = x_file("x_dm/bad_prefix.js").expect_err("no =");
    let (path, line, column, message) = xa(&err);
    assert_eq!((path, line, column), ("$", 1, 34));
    assert!(
        message.starts_with("not an X archive data file"),
        "{message}"
    );

    let err = x_dm::parse_all(&b"[{\"dmConversation\": {}}]"[..], &XDmOptions::default())
        .expect_err("bare JSON");
    assert_eq!((xa(&err).1, xa(&err).2), (1, 1));
    let err = x_dm::parse_all(&b"var x = []"[..], &XDmOptions::default()).expect_err("other JS");
    assert_eq!(xa(&err).2, 1);
    let err = x_dm::parse_all(
        File::open(fixture("garbage.bin")).expect("open"),
        &XDmOptions::default(),
    )
    .expect_err("binary");
    assert_eq!(xa(&err).0, "$");
    let err = x_file("x_dm/../sms_backup/messages.xml").expect_err("xml");
    assert_eq!((xa(&err).1, xa(&err).2), (1, 1));
}

#[test]
fn x_errors_name_the_event() {
    let err = x_file("x_dm/bad_date.js").expect_err("bad date");
    let (path, line, _, message) = xa(&err);
    assert_eq!(path, "$[0].dmConversation.messages[2].messageCreate");
    assert_eq!(line, 63);
    assert!(message.contains("\"yesterday\""), "{message}");

    let data = b"window.YTD.direct_messages.part0 = [{\"dmConversation\": {\"messages\": [\n\
                 {\"messageCreate\": {\"text\": 42, \"createdAt\": \"2024-01-01T00:00:00Z\"}}]}}]";
    let err = x_dm::parse_all(&data[..], &XDmOptions::default()).expect_err("text type");
    let (path, line, _, message) = xa(&err);
    assert_eq!(
        (path, line),
        ("$[0].dmConversation.messages[0].messageCreate", 2)
    );
    assert!(message.contains("invalid type: integer `42`"), "{message}");

    let data = b"window.YTD.direct_messages.part0 = [}";
    let err = x_dm::parse_all(&data[..], &XDmOptions::default()).expect_err("syntax");
    assert!(
        matches!(
            err,
            ImportError::Json {
                line: 1,
                column: 37,
                ..
            }
        ),
        "{err:?}"
    );

    let data = b"window.YTD.direct_messages.part0 =\n{\"dmConversation\": {}}";
    let err = x_dm::parse_all(&data[..], &XDmOptions::default()).expect_err("object");
    assert_eq!((xa(&err).0, xa(&err).1), ("$", 2));
    assert!(xa(&err).3.contains("an array"), "{err}");
}

#[test]
fn x_file_that_is_not_direct_messages() {
    let err = x_file("x_dm/not_dm.js").expect_err("tweets");
    let (path, _, _, message) = xa(&err);
    assert_eq!(path, "$");
    assert!(message.contains("not a direct-messages file"), "{message}");
    assert!(message.contains("window.YTD.tweets.part0"), "{message}");
}
