//! Property tests: generated WhatsApp exports in random styles parse back to
//! exactly the generated messages; no input makes a parser panic.

use std::io::Cursor;

use jiff::ToSpan;
use jiff::civil::DateTime;
use palisade_import::whatsapp::{self, DateOrder, OrderBasis, WhatsAppOptions};
use palisade_import::{ImportError, Kind, Locator, MediaKind, MediaRef, Message, MessageTime};
use proptest::prelude::*;

#[derive(Clone, Debug)]
struct Style {
    ios: bool,
    order: DateOrder,
    sep: char,
    year4: bool,
    pad: bool,
    comma: bool,
    connector: bool,
    /// `None` for 24h; else (am, pm, space before).
    twelve: Option<(&'static str, &'static str, &'static str)>,
    pad_hour: bool,
    time_sep: char,
    seconds: bool,
    crlf: bool,
    final_newline: bool,
}

const MERIDIEMS: &[(&str, &str)] = &[
    ("AM", "PM"),
    ("am", "pm"),
    ("a.m.", "p.m."),
    ("a. m.", "p. m."),
    ("a.\u{A0}m.", "p.\u{A0}m."),
];
const SPACES: &[&str] = &[" ", "\u{A0}", "\u{202F}"];

fn style() -> impl Strategy<Value = Style> {
    let order = prop_oneof![
        Just(DateOrder::Dmy),
        Just(DateOrder::Mdy),
        Just(DateOrder::Ymd)
    ];
    let twelve = prop_oneof![
        Just(None),
        (0..MERIDIEMS.len(), 0..SPACES.len()).prop_map(|(m, s)| Some((
            MERIDIEMS[m].0,
            MERIDIEMS[m].1,
            SPACES[s]
        ))),
    ];
    (
        (
            any::<bool>(),
            order,
            prop_oneof![Just('/'), Just('.'), Just('-')],
        ),
        (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()),
        (
            twelve,
            any::<bool>(),
            prop_oneof![Just(':'), Just('.')],
            any::<bool>(),
        ),
        (any::<bool>(), any::<bool>()),
    )
        .prop_map(
            |(
                (ios, order, sep),
                (year4, pad, comma, connector),
                (twelve, pad_hour, time_sep, secs),
                (crlf, final_newline),
            )| Style {
                ios,
                order,
                sep,
                year4: year4 || order == DateOrder::Ymd,
                pad,
                // Android always writes `date, time`; iOS sometimes drops the comma.
                comma: comma || !ios,
                connector: connector && !comma && ios,
                twelve,
                pad_hour,
                time_sep,
                // iOS always has seconds.
                seconds: ios || secs,
                crlf,
                final_newline,
            },
        )
}

#[derive(Clone, Debug)]
enum Body {
    Text(Vec<String>),
    Edited(Vec<String>),
    MediaOmitted,
    Attached(Vec<String>),
    Deleted,
    System(usize),
}

#[derive(Clone, Debug)]
struct Gen {
    sender: usize,
    step_minutes: i64,
    second: i8,
    lrm_prefix: bool,
    body: Body,
}

const SYSTEM_LINES: &[&str] = &[
    "Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them. Tap to learn more.",
    "You blocked this contact. Tap to unblock.",
    "Missed voice call",
    "Bob left",
];

fn text_lines() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec("[a-zA-Z0-9 ,.!?'éü🙂]{0,30}", 1..4).prop_map(|mut v| {
        // A message's first line is never empty in a real export.
        if v[0].trim().is_empty() {
            v[0] = format!("x{}", v[0]);
        }
        v
    })
}

fn body() -> impl Strategy<Value = Body> {
    prop_oneof![
        6 => text_lines().prop_map(Body::Text),
        1 => text_lines().prop_map(Body::Edited),
        1 => Just(Body::MediaOmitted),
        1 => prop::collection::vec("[a-z ]{1,20}", 0..2).prop_map(Body::Attached),
        1 => Just(Body::Deleted),
        1 => (0..SYSTEM_LINES.len()).prop_map(Body::System),
    ]
}

fn names() -> impl Strategy<Value = Vec<String>> {
    let name = prop_oneof![
        "[A-Z][a-z]{1,8}( [A-Z][a-z]{1,8})?",
        "[A-Z][a-z]{1,6} 🤓",
        "\\+49 1[0-9]{2} [0-9]{6,7}".prop_map(|p| format!("\u{202A}{p}\u{202C}")),
    ];
    prop::collection::vec(name, 1..5)
}

fn message() -> impl Strategy<Value = Gen> {
    (0..5usize, 0..4320i64, 0..60i8, any::<bool>(), body()).prop_map(
        |(sender, step_minutes, second, lrm_prefix, body)| Gen {
            sender,
            step_minutes,
            second,
            lrm_prefix,
            body,
        },
    )
}

fn two(n: i16, pad: bool) -> String {
    if pad {
        format!("{n:02}")
    } else {
        n.to_string()
    }
}

fn stamp(s: &Style, t: DateTime) -> String {
    let (y, m, d) = (t.year(), i16::from(t.month()), i16::from(t.day()));
    let year = if s.year4 {
        y.to_string()
    } else {
        format!("{:02}", y % 100)
    };
    let (m, d) = (two(m, s.pad), two(d, s.pad));
    let sep = s.sep;
    let date = match s.order {
        DateOrder::Dmy => format!("{d}{sep}{m}{sep}{year}"),
        DateOrder::Mdy => format!("{m}{sep}{d}{sep}{year}"),
        DateOrder::Ymd => format!("{year}{sep}{m}{sep}{d}"),
    };
    let h = i16::from(t.hour());
    let (hour, suffix) = match s.twelve {
        None => (h, String::new()),
        Some((am, pm, sp)) => {
            let h12 = if h % 12 == 0 { 12 } else { h % 12 };
            (h12, format!("{sp}{}", if h < 12 { am } else { pm }))
        }
    };
    let ts = s.time_sep;
    let mut time = format!("{}{ts}{:02}", two(hour, s.pad_hour), t.minute());
    if s.seconds {
        time.push_str(&format!("{ts}{:02}", t.second()));
    }
    let comma = if s.comma { "," } else { "" };
    let klo = if s.connector { " klo" } else { "" };
    format!("{date}{comma}{klo} {time}{suffix}")
}

/// Renders an export and the messages the parser must return for it.
fn render(s: &Style, names: &[String], start: DateTime, gens: &[Gen]) -> (Vec<u8>, Vec<Message>) {
    let nl = if s.crlf { "\r\n" } else { "\n" };
    let mut out = String::new();
    let mut want = Vec::new();
    let mut t = start;
    let mut line = 1u64;
    let lrm = "\u{200E}";
    for (i, g) in gens.iter().enumerate() {
        t = t.checked_add(g.step_minutes.minutes()).expect("in range");
        if s.seconds {
            t = t.with().second(g.second).build().expect("valid second");
        }
        let raw_name = &names[g.sender % names.len()];
        let name = raw_name.trim_matches(['\u{202A}', '\u{202C}']).to_owned();
        let mut m = Message {
            index: i as u64,
            source_id: None,
            sender: Some(name),
            sender_id: None,
            time: MessageTime::Civil(t),
            text: String::new(),
            kind: Kind::Message,
            action: None,
            media: vec![],
            edited: false,
            deleted: false,
            locator: Locator::Line {
                line,
                byte_offset: out.len() as u64,
            },
            recipients: Vec::new(),
            direction: None,
            subject: None,
            reactions: Vec::new(),
        };
        let (body, lines): (String, Vec<String>) = match &g.body {
            Body::Text(l) => {
                m.text = l.join("\n");
                (l[0].clone(), l[1..].to_vec())
            }
            Body::Edited(l) => {
                m.text = l.join("\n");
                m.edited = true;
                let mark = if s.ios { " \u{200E}" } else { " " };
                let mut l = l.clone();
                if let Some(last) = l.last_mut() {
                    last.push_str(mark);
                    last.push_str("<This message was edited>");
                }
                (l[0].clone(), l[1..].to_vec())
            }
            Body::MediaOmitted => {
                let p = if s.ios {
                    "image omitted"
                } else {
                    "<Media omitted>"
                };
                m.media.push(MediaRef::Omitted {
                    kind: if s.ios {
                        MediaKind::Photo
                    } else {
                        MediaKind::Other
                    },
                    placeholder: p.into(),
                });
                let body = if s.ios {
                    format!("{lrm}{p}")
                } else {
                    p.to_owned()
                };
                (body, vec![])
            }
            Body::Attached(caption) => {
                let (file, body) = if s.ios {
                    let f = format!("{:08}-PHOTO-2024-02-14-21-08-01.jpg", i);
                    (f.clone(), format!("{lrm}<attached: {f}>"))
                } else {
                    let f = format!("IMG-20240214-WA{:04}.jpg", i);
                    (f.clone(), format!("{f} (file attached)"))
                };
                m.media.push(MediaRef::File {
                    path: file,
                    kind: MediaKind::Photo,
                });
                m.text = caption.join("\n");
                (body, caption.clone())
            }
            Body::Deleted => {
                m.deleted = true;
                if s.ios {
                    m.text = "This message was deleted.".into();
                    (format!("{lrm}{}", m.text), vec![])
                } else {
                    m.text = "This message was deleted".into();
                    (m.text.clone(), vec![])
                }
            }
            Body::System(k) => {
                m.kind = Kind::System;
                m.text = SYSTEM_LINES[*k].to_owned();
                if s.ios {
                    (format!("{lrm}{}", m.text), vec![])
                } else {
                    m.sender = None;
                    (String::new(), vec![])
                }
            }
        };
        let st = stamp(s, t);
        let prefix = if s.ios && g.lrm_prefix { lrm } else { "" };
        let header = if s.ios {
            format!("{prefix}[{st}] ")
        } else {
            format!("{st} - ")
        };
        out.push_str(&header);
        match (&m.sender, m.kind) {
            (None, _) => out.push_str(&m.text),
            (Some(_), _) => {
                out.push_str(raw_name);
                out.push_str(": ");
                out.push_str(&body);
            }
        }
        for l in &lines {
            out.push_str(nl);
            out.push_str(l);
        }
        line += 1 + lines.len() as u64;
        // A trailing empty line with no final newline would be
        // indistinguishable from a final newline: always end such a file
        // with one.
        let empty_last = lines.last().is_some_and(String::is_empty);
        if i + 1 < gens.len() || s.final_newline || empty_last {
            out.push_str(nl);
        }
        want.push(m);
    }
    (out.into_bytes(), want)
}

fn start() -> impl Strategy<Value = DateTime> {
    (2000i16..2099, 1i8..=12, 1i8..=28, 0i8..24, 0i8..60)
        .prop_map(|(y, mo, d, h, mi)| DateTime::new(y, mo, d, h, mi, 0, 0).expect("valid"))
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 400,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn generated_exports_round_trip(
        s in style(),
        names in names(),
        t0 in start(),
        gens in prop::collection::vec(message(), 1..40),
    ) {
        let (data, want) = render(&s, &names, t0, &gens);
        let shown = String::from_utf8_lossy(&data).into_owned();

        // With the generated order given explicitly.
        let got = whatsapp::parse_all(Cursor::new(&data), WhatsAppOptions::with_date_order(s.order));
        let got = got.map_err(|e| TestCaseError::fail(format!("{e}\n{shown}")))?;
        prop_assert_eq!(&got, &want, "export:\n{}", shown);

        // With inference: right, irrelevant, or an explicit request.
        match whatsapp::detect_date_order(&data[..]) {
            Ok(g) if g.basis == OrderBasis::Indifferent => {
                let got = whatsapp::parse_all(Cursor::new(&data), WhatsAppOptions::default())
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(&got, &want);
            }
            Ok(g) => {
                prop_assert_eq!(g.order, s.order, "basis {:?}\n{}", g.basis, shown);
                let got = whatsapp::parse_all(Cursor::new(&data), WhatsAppOptions::default())
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(&got, &want);
            }
            Err(ImportError::AmbiguousDateOrder { .. }) => {
                prop_assert!(s.order != DateOrder::Ymd);
            }
            Err(e) => prop_assert!(false, "{}\n{}", e, shown),
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(
        prefix in prop_oneof![
            Just(&b""[..]),
            Just(&b"14/02/2024, 21:07 - A: "[..]),
            Just("\u{200E}[2/14/24, 9:07:05\u{202F}PM] B: \u{200E}".as_bytes()),
            Just(&b"{\"chats\": {\"list\": [{\"messages\": [{\"date_unixtime\": "[..]),
        ],
        bytes in prop::collection::vec(
            prop_oneof![4 => any::<u8>(), 1 => Just(b'\n'), 1 => Just(b'/'), 1 => Just(b'1')],
            0..600,
        ),
    ) {
        let mut data = prefix.to_vec();
        data.extend_from_slice(&bytes);
        let _ = whatsapp::detect_date_order(&data[..]);
        for order in [DateOrder::Dmy, DateOrder::Mdy, DateOrder::Ymd] {
            for m in whatsapp::Parser::new(&data[..], order, WhatsAppOptions::default()) {
                let _ = m;
            }
        }
        let _ = whatsapp::parse_all(Cursor::new(&data), WhatsAppOptions::default());
        let _ = palisade_import::telegram::parse_all(&data[..]);
    }

    #[test]
    fn corrupted_exports_never_panic(
        s in style(),
        names in names(),
        t0 in start(),
        gens in prop::collection::vec(message(), 1..10),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let (mut data, _) = render(&s, &names, t0, &gens);
        for (at, b) in edits {
            let i = at.index(data.len());
            data[i] = b;
        }
        data.truncate(cut.index(data.len() + 1));
        let _ = whatsapp::parse_all(Cursor::new(&data), WhatsAppOptions::default());
        let _ = whatsapp::parse_all(Cursor::new(&data), WhatsAppOptions::with_date_order(s.order));
    }
}
