//! Property tests for the SMS Backup & Restore and X parsers: generated
//! backups parse back to exactly the generated messages (escapes,
//! surrogate-pair references and base64 media included); no input makes a
//! parser panic.

use base64::Engine as _;
use jiff::Timestamp;
use palisade_import::sms_backup::{self, SmsBackupOptions};
use palisade_import::x_dm::{self, XDmOptions};
use palisade_import::{
    Direction, Kind, Locator, MediaKind, MediaRef, Message, MessageTime, Recipient, RecipientRole,
};
use proptest::prelude::*;

/// How a generated text is written into an attribute.
#[derive(Clone, Copy, Debug)]
struct Escapes {
    /// Astral characters as surrogate-pair references (`&#55357;&#56832;`).
    surrogates: bool,
    /// Other non-ASCII characters as `&#NNN;`, else literal UTF-8.
    numeric: bool,
    /// `'` as `&apos;` (else literal: values are in double quotes).
    apos: bool,
}

fn escapes() -> impl Strategy<Value = Escapes> {
    (any::<bool>(), any::<bool>(), any::<bool>()).prop_map(|(surrogates, numeric, apos)| Escapes {
        surrogates,
        numeric,
        apos,
    })
}

fn attr(s: &str, e: Escapes) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' if e.apos => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if u32::from(c) > 0xFFFF && e.surrogates => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    out.push_str(&format!("&#{u};"));
                }
            }
            c if !c.is_ascii() && e.numeric => out.push_str(&format!("&#x{:X};", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}

fn text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 <>&\"'\n\r\té😀🙂中\u{FFFD}]{0,40}"
        .prop_filter("`null` means absent", |s| s != "null")
}

fn contact() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        "[A-Z][a-zé]{1,8}( [A-Z][a-z]{1,8})?( 😀)?".prop_map(Some),
    ]
}

fn number() -> impl Strategy<Value = String> {
    "\\+49[0-9]{9,11}"
}

#[derive(Clone, Debug)]
enum Gen {
    Sms {
        kind: u32,
        number: String,
        contact: Option<String>,
        /// Write an absent contact as `(Unknown)` rather than `null`.
        unknown: bool,
        body: String,
        e: Escapes,
    },
    Mms {
        incoming: bool,
        number: String,
        contact: Option<String>,
        texts: Vec<String>,
        media: Vec<Vec<u8>>,
        /// Break the base64 into lines with `&#10;`.
        wrap: bool,
        e: Escapes,
    },
}

fn item() -> impl Strategy<Value = Gen> {
    let sms = (
        1u32..=6,
        number(),
        contact(),
        any::<bool>(),
        text(),
        escapes(),
    )
        .prop_map(|(kind, number, contact, unknown, body, e)| Gen::Sms {
            kind,
            number,
            contact,
            unknown,
            body,
            e,
        });
    let mms = (
        any::<bool>(),
        number(),
        contact(),
        prop::collection::vec(text(), 0..3),
        prop::collection::vec(prop::collection::vec(any::<u8>(), 0..300), 0..3),
        any::<bool>(),
        escapes(),
    )
        .prop_map(
            |(incoming, number, contact, texts, media, wrap, e)| Gen::Mms {
                incoming,
                number,
                contact,
                texts,
                media,
                wrap,
                e,
            },
        );
    prop_oneof![4 => sms, 1 => mms]
}

const OWNER: &str = "+4930000000";

fn blank(index: u64, time: Timestamp, line: u64, byte_offset: u64) -> Message {
    Message {
        index,
        source_id: None,
        sender: None,
        sender_id: None,
        time: MessageTime::Instant(time),
        text: String::new(),
        kind: Kind::Message,
        action: None,
        media: Vec::new(),
        edited: false,
        deleted: false,
        locator: Locator::Line { line, byte_offset },
        recipients: Vec::new(),
        subject: None,
        reactions: Vec::new(),
        direction: None,
    }
}

fn party(contact: &Option<String>, number: &str) -> Recipient {
    Recipient {
        id: number.to_owned(),
        name: contact.clone(),
        role: RecipientRole::To,
    }
}

/// Renders a backup and the messages the parser must return for it.
fn render(gens: &[Gen], start_ms: i64, crlf: bool) -> (Vec<u8>, Vec<Message>) {
    let nl = if crlf { "\r\n" } else { "\n" };
    let mut out = format!("<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>{nl}");
    out.push_str(&format!(
        "<smses count=\"{}\" backup_set=\"x\">{nl}",
        gens.len()
    ));
    let mut want = Vec::new();
    for (i, g) in gens.iter().enumerate() {
        let ms = start_ms + i as i64 * 61_000;
        let time = Timestamp::from_millisecond(ms).expect("in range");
        out.push_str("  ");
        let line = out.matches('\n').count() as u64 + 1;
        let mut m = blank(i as u64, time, line, out.len() as u64);
        match g {
            Gen::Sms {
                kind,
                number,
                contact,
                unknown,
                body,
                e,
            } => {
                let name = match contact {
                    Some(c) => attr(c, *e),
                    None if *unknown => "(Unknown)".into(),
                    None => "null".into(),
                };
                out.push_str(&format!(
                    "<sms protocol=\"0\" address=\"{number}\" date=\"{ms}\" type=\"{kind}\" \
                     subject=\"null\" body=\"{}\" read=\"1\" readable_date=\"whenever\" \
                     contact_name=\"{name}\" />{nl}",
                    attr(body, *e)
                ));
                m.text = body.clone();
                m.direction = Some(if *kind == 1 {
                    Direction::Incoming
                } else {
                    Direction::Outgoing
                });
                m.action = match kind {
                    3 => Some("draft".into()),
                    4 => Some("outbox".into()),
                    5 => Some("failed".into()),
                    6 => Some("queued".into()),
                    _ => None,
                };
                if *kind == 1 {
                    m.sender = Some(contact.clone().unwrap_or_else(|| number.clone()));
                    m.sender_id = Some(number.clone());
                } else {
                    m.recipients.push(party(contact, number));
                }
            }
            Gen::Mms {
                incoming,
                number,
                contact,
                texts,
                media,
                wrap,
                e,
            } => {
                let name = contact
                    .as_deref()
                    .map_or_else(|| "null".into(), |c| attr(c, *e));
                let bx = if *incoming { 1 } else { 2 };
                out.push_str(&format!(
                    "<mms date=\"{ms}\" msg_box=\"{bx}\" address=\"{number}\" m_id=\"null\" \
                     sub=\"null\" contact_name=\"{name}\">{nl}    <parts>{nl}"
                ));
                out.push_str(&format!(
                    "      <part seq=\"-1\" ct=\"application/smil\" text=\"{}\" />{nl}",
                    attr("<smil><body/></smil>", *e)
                ));
                for (k, t) in texts.iter().enumerate() {
                    out.push_str(&format!(
                        "      <part seq=\"{k}\" ct=\"text/plain\" cl=\"t{k}.txt\" text=\"{}\" />{nl}",
                        attr(t, *e)
                    ));
                }
                for (k, bytes) in media.iter().enumerate() {
                    let mut b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
                    if *wrap {
                        let chunks: Vec<String> = b64
                            .as_bytes()
                            .chunks(76)
                            .map(|c| String::from_utf8_lossy(c).into_owned())
                            .collect();
                        b64 = chunks.join("&#10;");
                    }
                    out.push_str(&format!(
                        "      <part seq=\"{k}\" ct=\"image/jpeg\" cl=\"img{k}.jpg\" text=\"null\" \
                         data=\"{b64}\" />{nl}"
                    ));
                    m.media.push(MediaRef::Inline {
                        name: Some(format!("img{k}.jpg")),
                        media_type: "image/jpeg".into(),
                        kind: MediaKind::Photo,
                        bytes: bytes.clone(),
                    });
                }
                let (from, to) = if *incoming {
                    (number.as_str(), OWNER)
                } else {
                    ("insert-address-token", number.as_str())
                };
                out.push_str(&format!(
                    "    </parts>{nl}    <addrs>{nl}      <addr address=\"{from}\" type=\"137\" />{nl}      \
                     <addr address=\"{to}\" type=\"151\" />{nl}    </addrs>{nl}  </mms>{nl}"
                ));
                m.text = texts.join("\n");
                if *incoming {
                    m.direction = Some(Direction::Incoming);
                    m.sender = Some(contact.clone().unwrap_or_else(|| number.clone()));
                    m.sender_id = Some(number.clone());
                    m.recipients.push(party(&None, OWNER));
                } else {
                    m.direction = Some(Direction::Outgoing);
                    m.recipients.push(party(contact, number));
                }
            }
        }
        want.push(m);
    }
    out.push_str(&format!("</smses>{nl}"));
    (out.into_bytes(), want)
}

#[derive(Clone, Debug)]
struct Call {
    kind: u32,
    duration: u32,
    number: Option<String>,
    contact: Option<String>,
}

fn call() -> impl Strategy<Value = Call> {
    (1u32..=7, 0u32..5000, prop::option::of(number()), contact()).prop_map(
        |(kind, duration, number, contact)| Call {
            kind,
            duration,
            number,
            contact,
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 300,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn generated_sms_backups_round_trip(
        gens in prop::collection::vec(item(), 0..25),
        start in 0i64..4_000_000_000_000,
        crlf in any::<bool>(),
    ) {
        let (data, want) = render(&gens, start, crlf);
        let shown = String::from_utf8_lossy(&data).into_owned();
        let got = sms_backup::parse_all(&data[..], SmsBackupOptions::default())
            .map_err(|e| TestCaseError::fail(format!("{e}\n{shown}")))?;
        prop_assert_eq!(got.info.declared_count, Some(gens.len() as u64));
        prop_assert_eq!(&got.messages, &want, "backup:\n{}", shown);
    }

    #[test]
    fn generated_call_logs_round_trip(calls in prop::collection::vec(call(), 1..20)) {
        let mut xml = String::from("<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n<calls count=\"1\">\n");
        for (i, c) in calls.iter().enumerate() {
            let contact = c.contact.as_deref().map_or_else(|| "null".to_owned(), |n| attr(n, Escapes { surrogates: true, numeric: false, apos: true }));
            xml.push_str(&format!(
                "  <call number=\"{}\" duration=\"{}\" date=\"{}\" type=\"{}\" presentation=\"1\" contact_name=\"{contact}\" />\n",
                c.number.as_deref().unwrap_or(""), c.duration, 1_700_000_000_000i64 + i as i64, c.kind
            ));
        }
        xml.push_str("</calls>\n");
        let got = sms_backup::parse_all(xml.as_bytes(), SmsBackupOptions::default())
            .map_err(|e| TestCaseError::fail(format!("{e}\n{xml}")))?;
        prop_assert_eq!(got.messages.len(), calls.len());
        for (m, c) in got.messages.iter().zip(&calls) {
            prop_assert_eq!(m.kind, Kind::System);
            let action = ["incoming_call", "outgoing_call", "missed_call", "voicemail", "rejected_call", "blocked_call", "answered_externally"][c.kind as usize - 1];
            prop_assert_eq!(m.action.as_deref(), Some(action));
            prop_assert_eq!(&m.text, &format!("{action}: {} s", c.duration));
            let incoming = c.kind != 2;
            prop_assert_eq!(m.direction, Some(if incoming { Direction::Incoming } else { Direction::Outgoing }));
            if incoming {
                prop_assert_eq!(m.sender.clone(), c.contact.clone().or(c.number.clone()));
                prop_assert_eq!(m.sender_id.clone(), c.number.clone());
            } else {
                let want: Vec<Recipient> = c.number.iter().map(|n| party(&c.contact, n)).collect();
                prop_assert_eq!(&m.recipients, &want);
            }
        }
    }

    #[test]
    fn generated_x_archives_round_trip(
        msgs in prop::collection::vec(("[a-zA-Z0-9 \"\\\\\n😀]{0,30}", any::<bool>(), 0i64..4_000_000_000_000, prop::collection::vec("[A-Za-z0-9_]{1,10}\\.(jpg|png|mp4)", 0..3)), 0..12),
        part in 0u32..5,
    ) {
        let mut events = Vec::new();
        for (i, (text, mine, ms, media)) in msgs.iter().enumerate() {
            let ts = Timestamp::from_millisecond(*ms).expect("in range");
            let (from, to) = if *mine { ("1", "2") } else { ("2", "1") };
            let urls: Vec<String> = media.iter().map(|f| format!("https://ton.twitter.com/dm/{i}/99/{f}")).collect();
            events.push(serde_json::json!({"messageCreate": {
                "recipientId": to, "reactions": [], "urls": [], "text": text,
                "mediaUrls": urls, "senderId": from, "id": i.to_string(),
                "createdAt": ts.to_string(),
            }}));
        }
        let json = serde_json::json!([{"dmConversation": {"conversationId": "1-2", "messages": events}}]);
        let data = format!("window.YTD.direct_messages.part{part} = {}", serde_json::to_string_pretty(&json).expect("json"));
        let opts = XDmOptions { account_id: Some("1".into()) };
        let convs = x_dm::parse_all(data.as_bytes(), &opts).map_err(|e| TestCaseError::fail(format!("{e}\n{data}")))?;
        prop_assert_eq!(convs.len(), 1);
        let got = &convs[0].messages;
        prop_assert_eq!(got.len(), msgs.len());
        for (i, (m, (text, mine, ms, media))) in got.iter().zip(&msgs).enumerate() {
            prop_assert_eq!(&m.text, text);
            prop_assert_eq!(m.sender.as_deref(), Some(if *mine { "1" } else { "2" }));
            prop_assert_eq!(m.direction, Some(if *mine { Direction::Outgoing } else { Direction::Incoming }));
            prop_assert_eq!(m.time, MessageTime::Instant(Timestamp::from_millisecond(*ms).expect("in range")));
            let paths: Vec<String> = m.media.iter().filter_map(|r| match r { MediaRef::File { path, .. } => Some(path.clone()), _ => None }).collect();
            let want: Vec<String> = media.iter().map(|f| format!("direct_messages_media/{i}-{f}")).collect();
            prop_assert_eq!(paths, want);
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(
        prefix in prop_oneof![
            Just(&b""[..]),
            Just(&b"<?xml version='1.0'?>\n<smses count=\"3\">\n  <sms "[..]),
            Just(&b"<smses><mms date=\"1\" msg_box=\"1\"><parts><part ct=\"image/png\" data=\""[..]),
            Just(&b"<calls><call number=\"&#55357;"[..]),
            Just(&b"window.YTD.direct_messages.part0 = [{\"dmConversation\": {\"messages\": [{\"messageCreate\": "[..]),
            Just(&b"window.YTD.x.part0 ="[..]),
        ],
        bytes in prop::collection::vec(
            prop_oneof![4 => any::<u8>(), 1 => Just(b'<'), 1 => Just(b'&'), 1 => Just(b'"'), 1 => Just(b'>'), 1 => Just(b'#')],
            0..600,
        ),
    ) {
        let mut data = prefix.to_vec();
        data.extend_from_slice(&bytes);
        for m in sms_backup::Parser::new(&data[..], SmsBackupOptions::default()) {
            let _ = m;
        }
        let tiny = SmsBackupOptions { max_part_bytes: 8, max_message_media_bytes: 8, max_text_bytes: 8 };
        let _ = sms_backup::parse_all(&data[..], tiny);
        let _ = x_dm::parse_all(&data[..], &XDmOptions::default());
    }

    #[test]
    fn corrupted_backups_never_panic(
        gens in prop::collection::vec(item(), 1..8),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let (mut data, _) = render(&gens, 1_700_000_000_000, false);
        for (at, b) in edits {
            let i = at.index(data.len());
            data[i] = b;
        }
        data.truncate(cut.index(data.len() + 1));
        let _ = sms_backup::parse_all(&data[..], SmsBackupOptions::default());
    }
}
