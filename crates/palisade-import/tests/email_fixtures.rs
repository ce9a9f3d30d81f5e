//! Email fixtures: `.eml` files (HTML only, multipart with attachments,
//! encoded words and quoted-printable, no zone) and an mboxrd file.

use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;

use palisade_import::email::{self, EmailOptions, MboxQuoting};
use palisade_import::{
    ImportError, Kind, Locator, MediaKind, MediaRef, Message, MessageTime, Recipient,
    RecipientRole, Summary,
};

fn path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/email")
        .join(name)
}

fn eml(name: &str) -> Result<Message, ImportError> {
    email::parse_eml(
        File::open(path(name)).expect("fixture"),
        EmailOptions::default(),
    )
}

fn mbox(name: &str, options: EmailOptions) -> Vec<Result<Message, ImportError>> {
    let r = BufReader::new(File::open(path(name)).expect("fixture"));
    email::parse_mbox(r, options).collect()
}

fn to(id: &str, name: Option<&str>) -> Recipient {
    Recipient {
        id: id.into(),
        name: name.map(Into::into),
        role: RecipientRole::To,
    }
}

fn instant(s: &str) -> MessageTime {
    MessageTime::Instant(s.parse().expect("timestamp literal"))
}

/// 1-based line number and byte offset of every line beginning `From `,
/// computed independently of the parser.
fn from_lines(name: &str) -> Vec<Locator> {
    let data = std::fs::read(path(name)).expect("fixture");
    let mut out = Vec::new();
    let mut offset = 0u64;
    for (i, line) in data.split_inclusive(|&b| b == b'\n').enumerate() {
        if line.starts_with(b"From ") {
            out.push(Locator::Line {
                line: i as u64 + 1,
                byte_offset: offset,
            });
        }
        offset += line.len() as u64;
    }
    out
}

#[test]
fn html_only_body_is_reduced_to_text() {
    let m = eml("html_only.eml").expect("parses");
    assert_eq!(m.sender.as_deref(), Some("Jordan Pike"));
    assert_eq!(m.sender_id.as_deref(), Some("jordan.pike@example.net"));
    assert_eq!(
        m.recipients,
        [to("weber@praxis-weber.example", Some("Dr. Anna Weber"))]
    );
    assert_eq!(m.subject.as_deref(), Some("You can't hide"));
    assert_eq!(m.direction, None);
    assert_eq!(m.source_id.as_deref(), Some("html-only-1@example.net"));
    // 21:07 +0100
    assert_eq!(m.time, instant("2024-02-14T20:07:00Z"));
    assert_eq!(
        m.text,
        "Dear Dr.\u{a0}Weber,\n\nI know you’re reading this.\nI'll wait outside & see.\n\nMonday\nTuesday"
    );
    assert!(
        !m.text.contains("track()") && !m.text.contains("color") && !m.text.contains("ignored")
    );
    assert_eq!(m.kind, Kind::Message);
    assert!(m.media.is_empty());
    assert_eq!(
        m.locator,
        Locator::Line {
            line: 1,
            byte_offset: 0
        }
    );
}

#[test]
fn multipart_with_attachments() {
    let m = eml("multipart_attachment.eml").expect("parses");
    // No display name: the address stands in.
    assert_eq!(m.sender.as_deref(), Some("jordan.pike@example.net"));
    assert_eq!(m.sender_id.as_deref(), Some("jordan.pike@example.net"));
    assert_eq!(
        m.recipients,
        [
            to("weber@praxis-weber.example", Some("Dr. Anna Weber")),
            to("reception@praxis-weber.example", None),
            Recipient {
                role: RecipientRole::Cc,
                ..to("office@praxis-weber.example", Some("Office"))
            }
        ]
    );
    // 07:30 -0500
    assert_eq!(m.time, instant("2024-02-15T12:30:00Z"));
    // The plain alternative, CRLF normalised.
    assert_eq!(m.text, "I took these this morning.\nNice car.");
    assert_eq!(m.media.len(), 2);
    let MediaRef::Inline {
        name,
        media_type,
        bytes,
        ..
    } = &m.media[0]
    else {
        panic!("inline attachment expected: {:?}", m.media[0]);
    };
    assert_eq!(name.as_deref(), Some("car.png"));
    assert_eq!(media_type, "image/png");
    assert_eq!(bytes.len(), 69);
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
    assert!(bytes.ends_with(b"IEND\xaeB`\x82"));
    assert_eq!(m.media[0].kind(), MediaKind::Photo);
    let MediaRef::Inline {
        name,
        media_type,
        bytes,
        ..
    } = &m.media[1]
    else {
        panic!("inline attachment expected");
    };
    // RFC 2231 file name, quoted-printable UTF-8 content.
    assert_eq!(name.as_deref(), Some("Überwachung.txt"));
    assert_eq!(media_type, "text/plain");
    assert_eq!(
        String::from_utf8_lossy(bytes),
        "Mo 07:30 Praxis\r\nDi 07:30 Parkplatz – wieder"
    );
    assert_eq!(m.media[1].kind(), MediaKind::Document);
}

#[test]
fn encoded_words_and_quoted_printable() {
    let m = eml("encoded_qp.eml").expect("parses");
    assert_eq!(m.sender.as_deref(), Some("Jörg Müller"));
    assert_eq!(m.sender_id.as_deref(), Some("joerg@example.org"));
    assert_eq!(
        m.recipients,
        // The display name was an encoded word.
        [to("weber@praxis-weber.example", Some("Dr. Anna Weber"))]
    );
    assert_eq!(
        m.subject.as_deref(),
        Some("Termin übermorgen – dringend 😡")
    );
    assert_eq!(m.time, instant("2024-02-16T23:59:59Z"));
    assert_eq!(
        m.text,
        "Sehr geehrte Frau Dr. Weber,\nich werde vor der Praxis warten, bis Sie mit mir \
         sprechen. Das ist mein letztes Angebot.\nCafé gegenüber, 8 Uhr."
    );
}

#[test]
fn date_without_zone_is_wall_clock() {
    let m = eml("no_zone.eml").expect("parses");
    assert_eq!(
        m.time,
        MessageTime::Civil("2024-02-17T08:15:00".parse().expect("dt"))
    );
    assert_eq!(m.text, "See you at 9.");
}

#[test]
fn mboxrd_three_messages() {
    let ms: Vec<Message> = mbox("three.mbox", EmailOptions::default())
        .into_iter()
        .collect::<Result<_, _>>()
        .expect("parses");
    let s = Summary::of(&ms);
    assert_eq!(s.messages, 3);
    assert_eq!(
        s.senders.into_iter().collect::<Vec<_>>(),
        [
            ("Dr. Anna Weber".to_owned(), 1),
            ("Jordan Pike".to_owned(), 2)
        ]
    );
    assert_eq!(s.first, Some(instant("2024-02-19T08:00:00Z")));
    assert_eq!(s.last, Some(instant("2024-02-20T23:45:00Z")));
    assert_eq!(s.with_media, 1);
    let locators: Vec<_> = ms.iter().map(|m| m.locator.clone()).collect();
    let expected = from_lines("three.mbox");
    assert_eq!(locators, expected);
    assert_eq!(
        expected[1],
        Locator::Line {
            line: 14,
            byte_offset: 396
        }
    );
    // `>From` loses one `>`; `>>From` keeps one.
    assert_eq!(
        ms[0].text,
        "Good morning, doctor.\nFrom now on I will write every day.\n>From the window I can see your office."
    );
    assert_eq!(ms[1].text, "Do not contact me again.");
    assert_eq!(
        ms[1].recipients,
        [to("jordan.pike@example.net", Some("Jordan Pike"))]
    );
    assert_eq!(ms[2].subject.as_deref(), Some("Schöne Träume"));
    assert_eq!(ms[2].text, "Sweet dreams.");
    let MediaRef::Inline {
        name,
        media_type,
        bytes,
        ..
    } = &ms[2].media[0]
    else {
        panic!("attachment");
    };
    assert_eq!(
        (name.as_deref(), media_type.as_str()),
        (Some("letter.pdf"), "application/pdf")
    );
    assert!(bytes.starts_with(b"%PDF-1.4\n%\xc7\xec\x8f\xa2\n"));
    assert!(bytes.ends_with(b"%%EOF\n"));
    let idx: Vec<_> = ms.iter().map(|m| m.index).collect();
    assert_eq!(idx, [0, 1, 2]);

    // Read verbatim (mboxo without un-quoting), the lines stay as written.
    let verbatim = EmailOptions {
        quoting: MboxQuoting::Verbatim,
        ..EmailOptions::default()
    };
    let ms = mbox("three.mbox", verbatim);
    let first = ms[0].as_ref().expect("parses");
    assert!(first.text.contains("\n>From now on"));
    assert!(first.text.contains("\n>>From the window"));
}

#[test]
fn mbox_from_a_byte_stream_with_crlf() {
    let data = std::fs::read(path("three.mbox")).expect("fixture");
    let text = String::from_utf8(data)
        .expect("utf-8")
        .replace('\n', "\r\n");
    let ms = email::parse_mbox_all(text.as_bytes(), EmailOptions::default()).expect("parses");
    assert_eq!(ms.len(), 3);
    assert_eq!(ms[1].text, "Do not contact me again.");
    assert!(ms[0].text.contains("\nFrom now on"));
    assert_eq!(
        ms[1].locator,
        Locator::Line {
            line: 14,
            byte_offset: 396 + 13
        }
    );
}
