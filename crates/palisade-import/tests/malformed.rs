//! Bad input: each gives a clear error that names the position.

mod common;

use common::{fixture, tg, wa_try};
use palisade_import::whatsapp::{self, DateOrder, WhatsAppOptions};
use palisade_import::{ImportError, telegram};

#[test]
fn whatsapp_without_header_names_line_one() {
    let err = wa_try("whatsapp/bad_no_header.txt", None).expect_err("not whatsapp");
    let ImportError::NotWhatsApp {
        line,
        byte_offset,
        excerpt,
    } = &err
    else {
        panic!("unexpected {err}");
    };
    assert_eq!(
        (*line, *byte_offset, excerpt.as_str()),
        (1, 0, "Chat with Bob")
    );
    assert!(
        err.to_string()
            .starts_with("line 1 (byte 0): not a WhatsApp chat export")
    );
    // Same with an explicit order (second pass only).
    let err = wa_try("whatsapp/bad_no_header.txt", Some(DateOrder::Dmy)).expect_err("bad");
    assert!(
        matches!(err, ImportError::NotWhatsApp { line: 1, .. }),
        "{err}"
    );
}

#[test]
fn whatsapp_blank_or_empty_input() {
    let err = wa_try("whatsapp/bad_blank.txt", None).expect_err("blank");
    assert!(matches!(err, ImportError::NoHeader { lines: 3 }), "{err}");
    let err = whatsapp::parse_all(std::io::Cursor::new(b""), WhatsAppOptions::default())
        .expect_err("empty");
    assert!(matches!(err, ImportError::NoHeader { lines: 0 }), "{err}");
}

#[test]
fn whatsapp_impossible_date_names_its_line() {
    let err = wa_try("whatsapp/bad_date.txt", None).expect_err("31 February");
    let ImportError::InvalidDate {
        line,
        byte_offset,
        text,
        ..
    } = &err
    else {
        panic!("unexpected {err}");
    };
    assert_eq!(
        (*line, *byte_offset, text.as_str()),
        (2, 26, "31/02/2024, 21:08")
    );
}

#[test]
fn whatsapp_invalid_utf8_names_line_and_byte() {
    let err = wa_try("whatsapp/bad_utf8.txt", None).expect_err("latin-1 byte");
    assert!(
        matches!(
            err,
            ImportError::InvalidUtf8 {
                line: 2,
                byte_offset: 52
            }
        ),
        "{err}"
    );
}

#[test]
fn whatsapp_on_binary_garbage_and_json() {
    let err = wa_try("garbage.bin", None).expect_err("binary");
    assert!(
        matches!(
            err,
            ImportError::NotWhatsApp {
                line: 1,
                byte_offset: 0,
                ..
            }
        ),
        "{err}"
    );
    let err = wa_try("telegram/single_chat.json", None).expect_err("json");
    assert!(
        matches!(err, ImportError::NotWhatsApp { line: 1, .. }),
        "{err}"
    );
}

#[test]
fn whatsapp_message_too_long() {
    let mut data = b"14/02/2024, 21:07 - A: start\n".to_vec();
    for _ in 0..100 {
        data.extend_from_slice(b"0123456789012345678901234567890123456789\n");
    }
    let opts = WhatsAppOptions {
        date_order: Some(DateOrder::Dmy),
        max_message_bytes: 1000,
    };
    let err = whatsapp::parse_all(std::io::Cursor::new(data), opts).expect_err("too long");
    assert!(
        matches!(
            err,
            ImportError::MessageTooLong {
                line: 1,
                byte_offset: 0,
                limit: 1000
            }
        ),
        "{err}"
    );
    let line = vec![b'x'; 5000];
    let opts = WhatsAppOptions {
        date_order: Some(DateOrder::Dmy),
        max_message_bytes: 1000,
    };
    let err = whatsapp::parse_all(std::io::Cursor::new(line), opts).expect_err("long line");
    assert!(
        matches!(err, ImportError::MessageTooLong { line: 1, .. }),
        "{err}"
    );
}

#[test]
fn telegram_truncated_json() {
    let err = tg("telegram/bad_truncated.json").expect_err("truncated");
    let ImportError::Json {
        path,
        line,
        message,
        ..
    } = &err
    else {
        panic!("unexpected {err}");
    };
    assert!(path.starts_with("$.messages["), "{path}");
    assert!(*line > 1);
    assert!(message.contains("EOF"), "{message}");
}

#[test]
fn telegram_bad_date_names_message_path() {
    let err = tg("telegram/bad_date.json").expect_err("bad date");
    let ImportError::Telegram {
        path,
        line,
        message,
        ..
    } = &err
    else {
        panic!("unexpected {err}");
    };
    assert_eq!(path, "$.messages[2]");
    assert!(*line > 30, "{line}");
    assert!(message.contains("yesterday"), "{message}");
}

#[test]
fn telegram_wrong_type_names_field_path() {
    let err = tg("telegram/bad_text_type.json").expect_err("bad text");
    let ImportError::Telegram { path, .. } = &err else {
        panic!("unexpected {err}");
    };
    assert_eq!(path, "$.messages[1].text");
}

#[test]
fn telegram_not_an_export() {
    let err = tg("telegram/not_telegram.json").expect_err("not telegram");
    assert!(
        err.to_string().contains("not a Telegram Desktop export"),
        "{err}"
    );
    let err = telegram::parse_all(&b"[1, 2, 3]"[..]).expect_err("array");
    assert!(
        matches!(err, ImportError::Telegram { ref path, .. } if path == "$"),
        "{err}"
    );
    let err = telegram::parse_all(&br#"{"messages": []} trailing"#[..]).expect_err("trailing");
    assert!(matches!(err, ImportError::Json { line: 1, .. }), "{err}");
}

#[test]
fn telegram_on_binary_garbage_and_whatsapp_text() {
    let f = std::fs::File::open(fixture("garbage.bin")).expect("open");
    let err = telegram::parse_all(f).expect_err("binary");
    assert!(
        matches!(
            err,
            ImportError::Json {
                line: 1,
                column: 1,
                ..
            }
        ),
        "{err}"
    );
    let f = std::fs::File::open(fixture("whatsapp/android_dmy_24h.txt")).expect("open");
    let err = telegram::parse_all(f).expect_err("text");
    // `14/02/2024, …` starts with a JSON number: a type error at `$`.
    assert!(
        matches!(err, ImportError::Telegram { ref path, line: 1, column: 3, .. } if path == "$"),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("expected a Telegram Desktop export object")
    );
}
