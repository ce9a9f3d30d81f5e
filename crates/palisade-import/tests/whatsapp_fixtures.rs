//! WhatsApp fixtures, one per layout and date/time style.

mod common;

use common::{civil, senders, texts, wa, wa_try};
use palisade_import::whatsapp::{self, DateOrder, OrderBasis};
use palisade_import::{ImportError, Kind, Locator, MediaKind, MediaRef, Summary};

#[test]
fn android_day_first_24h() {
    let ms = wa("whatsapp/android_dmy_24h.txt");
    let s = Summary::of(&ms);
    assert_eq!((s.messages, s.system), (7, 2));
    let phone = "+49 170 1234567";
    assert_eq!(s.senders, senders(&[("Dr. Anna Weber", 2), (phone, 5)]));
    assert_eq!(s.first, Some(civil("2024-02-14T21:05")));
    assert_eq!(s.last, Some(civil("2024-02-15T08:02")));
    assert_eq!((s.with_media, s.edited, s.deleted), (2, 1, 1));

    assert_eq!(ms[0].kind, Kind::System);
    assert_eq!(ms[0].sender, None);
    assert!(
        ms[0]
            .text
            .starts_with("Messages and calls are end-to-end encrypted.")
    );
    assert_eq!(ms[2].sender.as_deref(), Some(phone));
    assert_eq!(
        ms[2].text,
        "I will not stop.\nYou owe me an answer.\n\nAnd I know where you work."
    );
    assert_eq!(
        ms[2].locator,
        Locator::Line {
            line: 3,
            byte_offset: 238
        }
    );
    assert_eq!(
        ms[3].media,
        vec![MediaRef::Omitted {
            kind: MediaKind::Other,
            placeholder: "<Media omitted>".into()
        }]
    );
    assert_eq!(ms[3].text, "");
    assert!(ms[4].deleted);
    assert_eq!(ms[5].text, "Good morning doctor");
    assert!(ms[5].edited);
    assert_eq!(
        ms[6].media,
        vec![MediaRef::File {
            path: "IMG-20240215-WA0003.jpg".into(),
            kind: MediaKind::Photo
        }]
    );
    assert_eq!(ms[6].text, "outside your practice");
    assert_eq!(ms[7].text, "Time: 08:00 - noted.");
    assert_eq!(ms[8].kind, Kind::System);
    assert_eq!(ms[8].text, "You blocked this contact. Tap to unblock.");
    assert_eq!(
        ms.iter().map(|m| m.index).collect::<Vec<_>>(),
        (0..9).collect::<Vec<_>>()
    );
}

#[test]
fn android_month_first_12h_narrow_nbsp() {
    let ms = wa("whatsapp/android_mdy_12h.txt");
    let s = Summary::of(&ms);
    assert_eq!((s.messages, s.system), (5, 2));
    assert_eq!(s.senders, senders(&[("Dr. Lee", 1), ("Mark", 4)]));
    assert_eq!(s.first, Some(civil("2024-02-14T21:05")));
    assert_eq!(s.last, Some(civil("2024-02-15T13:06")));
    let times: Vec<_> = ms.iter().map(|m| m.time).collect();
    assert_eq!(times[2], civil("2024-02-14T23:59"));
    assert_eq!(times[3], civil("2024-02-15T00:00"));
    assert_eq!(times[4], civil("2024-02-15T12:30"));
    assert_eq!(ms[6].text, "Missed voice call");
    assert_eq!(ms[6].kind, Kind::System);
}

#[test]
fn android_dots_german() {
    let ms = wa("whatsapp/android_dots_de.txt");
    let s = Summary::of(&ms);
    assert_eq!((s.messages, s.system), (5, 1));
    assert_eq!(s.senders, senders(&[("Patient X", 4), ("Dr. Müller", 1)]));
    assert_eq!(s.first, Some(civil("2024-02-14T21:07")));
    assert_eq!(s.last, Some(civil("2024-02-15T09:00")));
    assert!(matches!(ms[2].media[0], MediaRef::Omitted { .. }));
    assert_eq!(
        ms[3].media[0],
        MediaRef::File {
            path: "IMG-20240214-WA0007.jpg".into(),
            kind: MediaKind::Photo
        }
    );
    assert!(ms[4].deleted);
    assert_eq!(ms[5].text, "Bitte unterlassen Sie das.");
    assert!(ms[5].edited);
}

#[test]
fn android_year_first_dashes() {
    let f = std::fs::File::open(common::fixture("whatsapp/android_ymd_dashes.txt")).expect("open");
    let guess = whatsapp::detect_date_order(std::io::BufReader::new(f)).expect("detects");
    assert_eq!(guess.order, DateOrder::Ymd);
    assert_eq!(guess.basis, OrderBasis::YearFirst { line: 1 });
    let ms = wa("whatsapp/android_ymd_dashes.txt");
    let s = Summary::of(&ms);
    assert_eq!((s.messages, s.system), (4, 0));
    assert_eq!(s.senders, senders(&[("Anna", 1), ("Bo", 3)]));
    assert_eq!(s.first, Some(civil("2024-02-14T21:07")));
    assert_eq!(s.last, Some(civil("2024-03-01T00:16")));
    assert_eq!(ms[3].media[0].kind(), MediaKind::Voice);
}

#[test]
fn android_spanish_meridiem_with_nbsp() {
    let ms = wa("whatsapp/android_es_ampm.txt");
    let s = Summary::of(&ms);
    assert_eq!((s.messages, s.system), (5, 0));
    assert_eq!(s.senders, senders(&[("Dra. García", 1), ("Juan", 4)]));
    assert_eq!(s.first, Some(civil("2024-02-14T21:07")));
    assert_eq!(s.last, Some(civil("2024-02-15T12:05")));
    assert_eq!(ms[3].time, civil("2024-02-15T00:15"));
    assert_eq!(ms[3].text, "¿Sigue despierta?");
    assert_eq!(
        ms[2].media[0],
        MediaRef::File {
            path: "DOC-20240214-WA0001.pdf".into(),
            kind: MediaKind::Document
        }
    );
    assert!(matches!(ms[1].media[0], MediaRef::Omitted { .. }));
}

#[test]
fn android_lowercase_am_pm() {
    let ms = wa("whatsapp/android_en_au_lower.txt");
    assert_eq!(ms.len(), 3);
    assert_eq!(ms[0].time, civil("2024-02-14T21:07"));
    assert_eq!(ms[1].time, civil("2024-02-15T08:00"));
    assert_eq!(ms[2].time, civil("2024-02-15T12:01"));
    assert_eq!(texts(&ms), ["Please stop.", "morning", "lunch?"]);
}

#[test]
fn ios_group_with_marks_crlf_media_and_system_lines() {
    let ms = wa("whatsapp/ios_group_dmy.txt");
    let s = Summary::of(&ms);
    assert_eq!((s.messages, s.system), (8, 3));
    assert_eq!(s.senders, senders(&[("Anna", 2), ("Bob", 6)]));
    assert_eq!(s.first, Some(civil("2024-02-14T21:07:00")));
    assert_eq!(s.last, Some(civil("2024-12-31T23:59:59")));
    assert_eq!((s.with_media, s.edited, s.deleted), (3, 1, 1));

    assert_eq!(ms[0].kind, Kind::System);
    assert_eq!(ms[0].sender.as_deref(), Some("Nachbarschaft"));
    assert_eq!(ms[1].text, "Anna created group “Nachbarschaft”");
    assert_eq!(
        ms[3].media,
        vec![MediaRef::File {
            path: "00000012-PHOTO-2024-02-14-21-08-20.jpg".into(),
            kind: MediaKind::Photo
        }]
    );
    assert_eq!(ms[4].media[0].kind(), MediaKind::Photo);
    assert_eq!(ms[5].media[0].kind(), MediaKind::Video);
    assert_eq!(ms[6].text, "first line\nsecond line");
    assert_eq!((ms[7].text.as_str(), ms[7].edited), ("typo fixed", true));
    assert!(ms[8].deleted);
    assert_eq!(
        (ms[9].kind, ms[9].text.as_str()),
        (Kind::System, "Missed voice call")
    );
    assert_eq!(ms[9].sender.as_deref(), Some("Bob"));
}

#[test]
fn ios_month_first_12h_no_final_newline() {
    let ms = wa("whatsapp/ios_mdy_12h.txt");
    let s = Summary::of(&ms);
    let caller = "+1 (555) 010-9999";
    assert_eq!((s.messages, s.system), (4, 1));
    assert_eq!(s.senders, senders(&[("Dr. Lee", 1), (caller, 3)]));
    assert_eq!(s.first, Some(civil("2024-02-14T21:07:05")));
    assert_eq!(s.last, Some(civil("2024-02-15T00:01:00")));
    assert_eq!(ms[3].media[0].kind(), MediaKind::Sticker);
    assert_eq!(
        ms[4].media[0],
        MediaRef::File {
            path: "00000003-AUDIO-2024-02-15-00-01-00.opus".into(),
            kind: MediaKind::Audio
        }
    );
}

#[test]
fn ios_finnish_klo_and_dotted_time() {
    let ms = wa("whatsapp/ios_fi.txt");
    let s = Summary::of(&ms);
    assert_eq!(s.senders, senders(&[("Lääkäri", 1), ("Matti", 2)]));
    assert_eq!(s.first, Some(civil("2024-02-14T21:07:05")));
    assert_eq!(s.last, Some(civil("2024-02-15T00:01:00")));
    assert_eq!(ms[0].text, "Älä ota minuun yhteyttä.");
}

#[test]
fn ios_serbian_spaced_dots() {
    let ms = wa("whatsapp/ios_sr.txt");
    let s = Summary::of(&ms);
    assert_eq!(s.senders, senders(&[("Doktor", 1), ("Marko", 2)]));
    assert_eq!(s.first, Some(civil("2018-06-13T21:25:15")));
    assert_eq!(s.last, Some(civil("2018-06-14T08:00:00")));
}

#[test]
fn ios_without_comma() {
    let ms = wa("whatsapp/ios_no_comma.txt");
    assert_eq!(ms.len(), 2);
    assert_eq!(ms[0].time, civil("2022-12-31T11:40:26"));
    assert_eq!(ms[1].text, "hello\nthere");
}

#[test]
fn day_like_changes_decide_the_order() {
    let f = std::fs::File::open(common::fixture("whatsapp/android_daylike.txt")).expect("open");
    let guess = whatsapp::detect_date_order(std::io::BufReader::new(f)).expect("detects");
    assert_eq!(guess.order, DateOrder::Dmy);
    assert_eq!(
        guess.basis,
        OrderBasis::DayLikeChanges {
            first_field: 3,
            second_field: 0
        }
    );
    let ms = wa("whatsapp/android_daylike.txt");
    assert_eq!(ms[0].time, civil("2024-02-01T10:00"));
    assert_eq!(ms[3].time, civil("2024-02-05T10:00"));
}

#[test]
fn undecidable_order_asks_for_an_explicit_one() {
    let err = wa_try("whatsapp/android_ambiguous.txt", None).expect_err("ambiguous");
    let ImportError::AmbiguousDateOrder { line, sample } = &err else {
        panic!("unexpected error {err}");
    };
    assert_eq!((*line, sample.as_str()), (1, "03/04/2024, 10:00"));
    assert!(err.to_string().contains("dmy, mdy or ymd"), "{err}");

    let ms = wa_try("whatsapp/android_ambiguous.txt", Some(DateOrder::Mdy)).expect("explicit");
    assert_eq!(ms[0].time, civil("2024-03-04T10:00"));
    assert_eq!(ms[1].time, civil("2024-04-03T10:00"));
    let ms = wa_try(
        "whatsapp/android_ambiguous.txt",
        Some("dmy".parse().expect("order")),
    )
    .expect("explicit");
    assert_eq!(ms[0].time, civil("2024-04-03T10:00"));
}

#[test]
fn date_order_strings() {
    assert_eq!("YMD".parse::<DateOrder>().expect("parses"), DateOrder::Ymd);
    assert_eq!(DateOrder::Mdy.to_string(), "mdy");
    assert!(matches!(
        "dym".parse::<DateOrder>(),
        Err(ImportError::UnknownDateOrder(_))
    ));
}

#[test]
fn streaming_parser_over_a_plain_bufread() {
    // A non-seekable source: detect on one "opening", parse another.
    let data = std::fs::read(common::fixture("whatsapp/android_dmy_24h.txt")).expect("read");
    let order = whatsapp::detect_date_order(&data[..])
        .expect("detects")
        .order;
    let parser = whatsapp::Parser::new(&data[..], order, Default::default());
    assert_eq!(parser.date_order(), DateOrder::Dmy);
    let ms: Vec<_> = parser.collect::<Result<_, _>>().expect("parses");
    assert_eq!(ms.len(), 9);
}

#[test]
fn wrong_explicit_order_is_reported_with_position() {
    let err = wa_try("whatsapp/android_dmy_24h.txt", Some(DateOrder::Mdy)).expect_err("bad");
    let ImportError::InvalidDate {
        line,
        byte_offset,
        text,
        order,
        ..
    } = &err
    else {
        panic!("unexpected error {err}");
    };
    assert_eq!(
        (*line, *byte_offset, text.as_str()),
        (1, 0, "14/02/2024, 21:05")
    );
    assert_eq!(*order, DateOrder::Mdy);
}
