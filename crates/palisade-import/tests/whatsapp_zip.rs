//! WhatsApp export .zip: Android and iOS layouts with media, and hostile
//! archives (path traversal, zip bombs, too many entries, encryption,
//! truncation, not a zip). Every archive is built here with the `zip`
//! crate's writer (patched by hand where the writer refuses to lie).

use std::fs::File;
use std::io::{Cursor, Read, Write};
use std::path::Path;

use palisade_import::whatsapp::{DateOrder, WhatsAppOptions};
use palisade_import::whatsapp_zip::{MediaMatch, WhatsAppZip, ZipLimitKind, ZipLimits};
use palisade_import::{ImportError, Kind, MediaKind, MediaRef, Message, MessageTime, Summary};
use zip::CompressionMethod;
use zip::write::SimpleFileOptions;

fn deflated() -> SimpleFileOptions {
    SimpleFileOptions::default().compression_method(CompressionMethod::Deflated)
}

fn stored() -> SimpleFileOptions {
    SimpleFileOptions::default().compression_method(CompressionMethod::Stored)
}

/// A zip of `(name, bytes)` entries, deflated.
fn build(entries: &[(&str, &[u8])]) -> Vec<u8> {
    build_with(entries, deflated())
}

fn build_with(entries: &[(&str, &[u8])], opts: SimpleFileOptions) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        w.start_file(*name, opts).expect("start entry");
        w.write_all(bytes).expect("write entry");
    }
    w.finish().expect("finish zip").into_inner()
}

fn open(bytes: Vec<u8>) -> Result<WhatsAppZip<Cursor<Vec<u8>>>, ImportError> {
    WhatsAppZip::open(Cursor::new(bytes), ZipLimits::default())
}

fn open_with(
    bytes: Vec<u8>,
    limits: ZipLimits,
) -> Result<WhatsAppZip<Cursor<Vec<u8>>>, ImportError> {
    WhatsAppZip::open(Cursor::new(bytes), limits)
}

fn open_err(bytes: Vec<u8>) -> ImportError {
    open(bytes).expect_err("archive must be refused")
}

/// Replaces every occurrence of `from` with `to` (same length), so names
/// the writer would not produce can be planted in both the local and the
/// central headers.
fn patch(bytes: &mut [u8], from: &[u8], to: &[u8]) {
    assert_eq!(from.len(), to.len(), "patch keeps lengths");
    let mut hits = 0;
    let mut i = 0;
    while i + from.len() <= bytes.len() {
        if &bytes[i..i + from.len()] == from {
            bytes[i..i + from.len()].copy_from_slice(to);
            hits += 1;
            i += from.len();
        } else {
            i += 1;
        }
    }
    assert!(
        hits > 0,
        "pattern {:?} not found",
        String::from_utf8_lossy(from)
    );
}

/// Offsets of the local (`PK\3\4`) and central (`PK\1\2`) headers.
fn headers(bytes: &[u8]) -> (Vec<usize>, Vec<usize>) {
    let find = |sig: &[u8]| -> Vec<usize> {
        (0..bytes.len().saturating_sub(3))
            .filter(|&i| &bytes[i..i + 4] == sig)
            .collect()
    };
    (find(b"PK\x03\x04"), find(b"PK\x01\x02"))
}

fn media_bytes(z: &mut WhatsAppZip<Cursor<Vec<u8>>>, name: &str) -> Vec<u8> {
    let mut out = Vec::new();
    z.open_media(name)
        .expect("media opens")
        .read_to_end(&mut out)
        .expect("media reads");
    out
}

/// The file names a message's media refers to.
fn file_refs(m: &Message) -> Vec<&str> {
    m.media
        .iter()
        .filter_map(|r| match r {
            MediaRef::File { path, .. } => Some(path.as_str()),
            _ => None,
        })
        .collect()
}

/// Some bytes that do not compress, standing in for a JPEG or an Opus file.
fn noise(seed: u8, len: usize) -> Vec<u8> {
    let mut x = u32::from(seed) | 0x9E37_0000;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect()
}

const ANDROID_CHAT: &str = "\
14/02/2024, 21:05 - Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them. Tap to learn more.
14/02/2024, 21:07 - Patient X: Why won't you answer me
14/02/2024, 21:08 - Patient X: IMG-20240214-WA0003.jpg (file attached)
I know which car is yours
14/02/2024, 21:09 - Patient X: PTT-20240214-WA0001.opus (file attached)
14/02/2024, 21:10 - Dr. Weber: Please stop contacting me on this number.
15/02/2024, 07:30 - Patient X: <Media omitted>
15/02/2024, 07:31 - Patient X: DOC-20240215-WA0004.pdf (file attached)
";

#[test]
fn android_export_with_media() {
    let jpg = noise(1, 40_000);
    let opus = noise(2, 12_345);
    let bytes = build(&[
        ("WhatsApp Chat with Patient X.txt", ANDROID_CHAT.as_bytes()),
        ("IMG-20240214-WA0003.jpg", &jpg),
        ("PTT-20240214-WA0001.opus", &opus),
    ]);
    let mut z = open(bytes).expect("opens");
    assert_eq!(z.chat_entry_name(), "WhatsApp Chat with Patient X.txt");
    assert_eq!(
        z.media_names().collect::<Vec<_>>(),
        ["IMG-20240214-WA0003.jpg", "PTT-20240214-WA0001.opus"]
    );
    assert_eq!(z.entry_size("IMG-20240214-WA0003.jpg"), Some(40_000));

    let guess = z.detect_date_order().expect("14/02 decides");
    assert_eq!(guess.order, DateOrder::Dmy);
    let ms = z.parse_all(WhatsAppOptions::default()).expect("parses");
    let s = Summary::of(&ms);
    assert_eq!((s.messages, s.system), (6, 1));
    assert_eq!(
        s.senders
            .iter()
            .map(|(k, v)| (k.as_str(), *v))
            .collect::<Vec<_>>(),
        [("Dr. Weber", 1), ("Patient X", 5)]
    );
    assert_eq!(ms[0].kind, Kind::System);
    assert_eq!(ms[2].text, "I know which car is yours");
    assert_eq!(file_refs(&ms[2]), ["IMG-20240214-WA0003.jpg"]);
    assert_eq!(ms[2].media[0].kind(), MediaKind::Photo);
    assert_eq!(file_refs(&ms[3]), ["PTT-20240214-WA0001.opus"]);
    assert_eq!(ms[3].media[0].kind(), MediaKind::Voice);
    assert!(matches!(ms[5].media[0], MediaRef::Omitted { .. }));

    // Every named file resolves to its entry, except the PDF the phone
    // never had; omitted media has nothing to resolve.
    let resolved: Vec<Option<MediaMatch<'_>>> = ms
        .iter()
        .flat_map(|m| &m.media)
        .map(|r| z.resolve_ref(r))
        .collect();
    assert_eq!(
        resolved,
        [
            Some(MediaMatch::Exact("IMG-20240214-WA0003.jpg")),
            Some(MediaMatch::Exact("PTT-20240214-WA0001.opus")),
            None,
            Some(MediaMatch::Missing),
        ]
    );
    assert_eq!(media_bytes(&mut z, "IMG-20240214-WA0003.jpg"), jpg);
    assert_eq!(media_bytes(&mut z, "PTT-20240214-WA0001.opus"), opus);
    // Reading again gives the same bytes (limits count an entry once).
    assert_eq!(media_bytes(&mut z, "IMG-20240214-WA0003.jpg"), jpg);
    let err = z
        .open_media("DOC-20240215-WA0004.pdf")
        .expect_err("not in the zip");
    assert!(matches!(err, ImportError::ZipEntryNotFound { .. }), "{err}");
    // The chat is not media.
    assert!(z.open_media("WhatsApp Chat with Patient X.txt").is_err());
}

const IOS_CHAT: &str = "\
[14/02/2024, 21:05:12] Patient X: \u{200E}Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them.\r
[14/02/2024, 21:07:55] Patient X: Why won't you answer me\r
[14/02/2024, 21:08:01] Patient X: \u{200E}<attached: 00000012-PHOTO-2024-02-14-21-08-01.jpg>\r
[14/02/2024, 21:09:10] Patient X: \u{200E}<attached: 00000013-AUDIO-2024-02-14-21-09-10.opus>\r
[14/02/2024, 21:10:00] Dr. Weber: Please stop.\r
[14/02/2024, 21:11:30] Patient X: \u{200E}<attached: 00000014-Patient X.vcf>\r
[15/02/2024, 07:30:00] Patient X: \u{200E}image omitted\r
";

#[test]
fn ios_export_with_media() {
    let jpg = noise(3, 70_000);
    let opus = noise(4, 9_000);
    let vcf = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Patient X\r\nTEL:+49 170 0000000\r\nEND:VCARD\r\n";
    // iOS stores media uncompressed and deflates the text; mix both.
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    w.start_file("_chat.txt", deflated()).expect("entry");
    w.write_all(IOS_CHAT.as_bytes()).expect("write");
    for (name, bytes) in [
        ("00000012-PHOTO-2024-02-14-21-08-01.jpg", &jpg[..]),
        ("00000013-AUDIO-2024-02-14-21-09-10.opus", &opus[..]),
        ("00000014-Patient X.vcf", &vcf[..]),
    ] {
        w.start_file(name, stored()).expect("entry");
        w.write_all(bytes).expect("write");
    }
    let bytes = w.finish().expect("finish").into_inner();

    let mut z = open(bytes).expect("opens");
    assert_eq!(z.chat_entry_name(), "_chat.txt");
    assert_eq!(z.media_names().count(), 3);
    let ms = z.parse_all(WhatsAppOptions::default()).expect("parses");
    let s = Summary::of(&ms);
    assert_eq!((s.messages, s.system), (6, 1));
    assert_eq!(s.senders.get("Patient X"), Some(&5));
    assert_eq!(s.senders.get("Dr. Weber"), Some(&1));
    assert_eq!(ms[1].text, "Why won't you answer me");

    let mut seen = Vec::new();
    for m in &ms {
        for r in &m.media {
            if let MediaRef::File { path, kind } = r {
                let entry = z.resolve_media(path).entry().map(str::to_owned);
                seen.push((path.clone(), *kind, entry));
            }
        }
    }
    assert_eq!(
        seen,
        [
            (
                "00000012-PHOTO-2024-02-14-21-08-01.jpg".to_owned(),
                MediaKind::Photo,
                Some("00000012-PHOTO-2024-02-14-21-08-01.jpg".to_owned())
            ),
            (
                "00000013-AUDIO-2024-02-14-21-09-10.opus".to_owned(),
                MediaKind::Audio,
                Some("00000013-AUDIO-2024-02-14-21-09-10.opus".to_owned())
            ),
            (
                "00000014-Patient X.vcf".to_owned(),
                MediaKind::Contact,
                Some("00000014-Patient X.vcf".to_owned())
            ),
        ]
    );
    assert_eq!(
        media_bytes(&mut z, "00000012-PHOTO-2024-02-14-21-08-01.jpg"),
        jpg
    );
    assert_eq!(
        media_bytes(&mut z, "00000013-AUDIO-2024-02-14-21-09-10.opus"),
        opus
    );
    assert_eq!(media_bytes(&mut z, "00000014-Patient X.vcf"), vcf);
    assert!(matches!(
        ms[6].media[0],
        MediaRef::Omitted {
            kind: MediaKind::Photo,
            ..
        }
    ));
}

#[test]
fn export_without_media_and_explicit_order() {
    let chat = "03/04/2024, 10:00 - A: one\n03/04/2024, 10:01 - B: two\n";
    let mut z = open(build(&[("WhatsApp Chat with A.txt", chat.as_bytes())])).expect("opens");
    assert_eq!(z.media_names().count(), 0);
    let err = z
        .parse_all(WhatsAppOptions::default())
        .expect_err("03/04 is undecidable");
    assert!(
        matches!(err, ImportError::AmbiguousDateOrder { .. }),
        "{err}"
    );
    let mut it = z
        .messages(WhatsAppOptions::with_date_order(DateOrder::Mdy))
        .expect("explicit order needs no first pass");
    assert_eq!(it.date_order(), DateOrder::Mdy);
    let first = it.next().expect("one").expect("ok");
    let march = "2024-03-04T10:00".parse().expect("date-time literal");
    assert_eq!(first.time, MessageTime::Civil(march));
    assert_eq!(it.count(), 1);
}

#[test]
fn media_in_a_folder_resolves_by_base_name() {
    let jpg = noise(5, 1000);
    let chat = "14/02/2024, 21:08 - X: IMG-20240214-WA0003.jpg (file attached)\n\
                14/02/2024, 21:09 - X: IMG-20240214-WA0009.jpg (file attached)\n";
    let bytes = build(&[
        ("Chat/WhatsApp Chat with X.txt", chat.as_bytes()),
        ("Chat/IMG-20240214-WA0003.jpg", &jpg),
        ("a/IMG-20240214-WA0009.jpg", b"one"),
        ("b/IMG-20240214-WA0009.jpg", b"two"),
    ]);
    let mut z = open(bytes).expect("opens");
    assert_eq!(z.chat_entry_name(), "Chat/WhatsApp Chat with X.txt");
    let ms = z.parse_all(WhatsAppOptions::default()).expect("parses");
    assert_eq!(
        z.resolve_ref(&ms[0].media[0]),
        Some(MediaMatch::BaseName("Chat/IMG-20240214-WA0003.jpg"))
    );
    // Two entries share the name: neither is chosen for the evidence.
    assert_eq!(
        z.resolve_ref(&ms[1].media[0]),
        Some(MediaMatch::Ambiguous(vec![
            "a/IMG-20240214-WA0009.jpg",
            "b/IMG-20240214-WA0009.jpg"
        ]))
    );
    assert_eq!(media_bytes(&mut z, "Chat/IMG-20240214-WA0003.jpg"), jpg);
}

#[test]
fn choosing_the_chat_text() {
    let chat = b"14/02/2024, 21:07 - A: hi\n".as_slice();
    // A document someone sent (`notes.txt`) next to the chat.
    let z = open(build(&[("notes.txt", b"shopping"), ("_chat.txt", chat)])).expect("opens");
    assert_eq!(z.chat_entry_name(), "_chat.txt");
    assert_eq!(z.media_names().collect::<Vec<_>>(), ["notes.txt"]);
    let z = open(build(&[
        ("WhatsApp Chat with A.txt", chat),
        ("notes.txt", b"x"),
        ("__MACOSX/._WhatsApp Chat with A.txt", b"\0\x05\x16\x07"),
    ]))
    .expect("opens");
    assert_eq!(z.chat_entry_name(), "WhatsApp Chat with A.txt");

    let err = open_err(build(&[("a.txt", chat), ("b.TXT", chat)]));
    match &err {
        ImportError::AmbiguousWhatsAppChat { candidates } => {
            assert_eq!(candidates, &["a.txt", "b.TXT"]);
        }
        other => panic!("{other}"),
    }
    let err = open_err(build(&[
        ("WhatsApp Chat with A.txt", chat),
        ("WhatsApp Chat with B.txt", chat),
    ]));
    assert!(
        matches!(err, ImportError::AmbiguousWhatsAppChat { .. }),
        "{err}"
    );

    let err = open_err(build(&[("IMG-20240214-WA0003.jpg", b"jpeg")]));
    assert!(
        matches!(err, ImportError::NoWhatsAppChat { entries: 1 }),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("not a WhatsApp export: no chat text file"),
        "{err}"
    );
    let err = open_err(build(&[]));
    assert!(
        matches!(err, ImportError::NoWhatsAppChat { entries: 0 }),
        "{err}"
    );
}

#[test]
fn traversal_and_unsafe_names_are_refused() {
    let chat = b"14/02/2024, 21:07 - A: hi\n".as_slice();
    for evil in [
        "../../../../etc/cron.d/x",
        "/etc/passwd",
        "media\\..\\..\\x.jpg",
        "C:/Windows/x.jpg",
        "C:x.jpg",
        "ok/../../up.jpg",
        "..",
    ] {
        // Plant the name over a placeholder of the same length.
        let placeholder: String = "p".repeat(evil.len());
        let mut bytes = build(&[("_chat.txt", chat), (&placeholder, b"payload")]);
        patch(&mut bytes, placeholder.as_bytes(), evil.as_bytes());
        let err = open_err(bytes);
        match &err {
            ImportError::UnsafeZipEntry { entry, .. } => assert_eq!(entry, evil),
            other => panic!("{evil:?}: {other}"),
        }
        assert!(err.to_string().contains(&format!("{evil:?}")), "{err}");
    }
    // The chat text itself with a climbing name.
    let mut bytes = build(&[("xx/_chat.txt", chat)]);
    patch(&mut bytes, b"xx/_chat.txt", b"../_chat.txt");
    assert!(matches!(
        open_err(bytes),
        ImportError::UnsafeZipEntry { .. }
    ));
}

#[test]
fn symlinks_and_duplicates_are_refused() {
    let chat = b"14/02/2024, 21:07 - A: hi\n".as_slice();
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    w.start_file("_chat.txt", deflated()).expect("entry");
    w.write_all(chat).expect("write");
    w.add_symlink("IMG-20240214-WA0003.jpg", "/etc/shadow", deflated())
        .expect("symlink");
    let err = open_err(w.finish().expect("finish").into_inner());
    assert!(
        matches!(&err, ImportError::UnsafeZipEntry { entry, .. } if entry == "IMG-20240214-WA0003.jpg"),
        "{err}"
    );

    let mut bytes = build(&[
        ("_chat.txt", chat),
        ("_chat.txq", b"14/02/2024, 21:07 - A: other\n"),
    ]);
    patch(&mut bytes, b"_chat.txq", b"_chat.txt");
    let err = open_err(bytes);
    assert!(
        matches!(&err, ImportError::NotZip { reason } if reason.contains("more than once")),
        "{err}"
    );
}

#[test]
fn compression_bomb_is_refused_on_open() {
    let chat = b"14/02/2024, 21:07 - A: hi\n".as_slice();
    let zeros = vec![0u8; 16 << 20];
    let bytes = build(&[("_chat.txt", chat), ("IMG-20240214-WA0003.jpg", &zeros)]);
    assert!(
        bytes.len() < 100_000,
        "16 MiB of zeros deflates to {} bytes",
        bytes.len()
    );
    let err = open_err(bytes);
    match &err {
        ImportError::ZipLimitExceeded { limit, entry, .. } => {
            assert_eq!(*limit, ZipLimitKind::Ratio);
            assert_eq!(entry.as_deref(), Some("IMG-20240214-WA0003.jpg"));
        }
        other => panic!("{other}"),
    }
    assert!(err.to_string().contains("zip bomb"), "{err}");

    // A bomb as the chat text itself.
    let mut text = b"14/02/2024, 21:07 - A: ".to_vec();
    text.resize(8 << 20, b'a');
    let err = open_err(build(&[("_chat.txt", &text)]));
    assert!(
        matches!(
            err,
            ImportError::ZipLimitExceeded {
                limit: ZipLimitKind::Ratio,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn size_limits_are_configurable() {
    let chat = b"14/02/2024, 21:07 - A: hi\n".as_slice();
    let big = noise(6, 300_000);
    let bytes = || {
        build_with(
            &[("_chat.txt", chat), ("a.jpg", &big), ("b.jpg", &big)],
            stored(),
        )
    };
    let per_entry = ZipLimits {
        max_entry_bytes: 200_000,
        ..ZipLimits::default()
    };
    let err = open_with(bytes(), per_entry).expect_err("entry too large");
    assert!(
        matches!(&err, ImportError::ZipLimitExceeded { limit: ZipLimitKind::EntryBytes, entry: Some(e), .. } if e == "a.jpg"),
        "{err}"
    );
    let total = ZipLimits {
        max_total_bytes: 500_000,
        ..ZipLimits::default()
    };
    let err = open_with(bytes(), total).expect_err("total too large");
    assert!(
        matches!(&err, ImportError::ZipLimitExceeded { limit: ZipLimitKind::TotalBytes, entry: Some(e), .. } if e == "b.jpg"),
        "{err}"
    );
    assert!(open_with(bytes(), ZipLimits::default()).is_ok());
}

/// Sets an entry's declared uncompressed size in both of its headers (the
/// first entry with local header `local` and central header `central`).
fn understate(bytes: &mut [u8], local: usize, central: usize, size: u32) {
    bytes[local + 22..local + 26].copy_from_slice(&size.to_le_bytes());
    bytes[central + 24..central + 28].copy_from_slice(&size.to_le_bytes());
}

#[test]
fn header_that_understates_the_size_is_caught_while_reading() {
    let chat = b"14/02/2024, 21:07 - A: hi\n".as_slice();
    let zeros = vec![0u8; 64 << 20];
    let mut bytes = build(&[("_chat.txt", chat), ("IMG-20240214-WA0003.jpg", &zeros)]);
    let (local, central) = headers(&bytes);
    // The header now says 1,000 bytes (ratio under 200:1); the data
    // inflates to 64 MiB.
    understate(&mut bytes, local[1], central[1], 1_000);
    let mut z = open(bytes).expect("the declared sizes look harmless");
    assert_eq!(z.entry_size("IMG-20240214-WA0003.jpg"), Some(1_000));
    let mut r = z.open_media("IMG-20240214-WA0003.jpg").expect("opens");
    let mut out = Vec::new();
    let err = r.read_to_end(&mut out).expect_err("reading stops");
    assert!(
        out.len() <= 1_000 + (64 << 10),
        "stopped after {} bytes",
        out.len()
    );
    let inner = err
        .into_inner()
        .and_then(|e| e.downcast::<ImportError>().ok())
        .expect("the io::Error carries an ImportError");
    match *inner {
        ImportError::ZipEntry { ref entry, .. }
        | ImportError::ZipLimitExceeded {
            entry: Some(ref entry),
            ..
        } => {
            assert_eq!(entry, "IMG-20240214-WA0003.jpg", "{inner}");
        }
        ref other => panic!("{other}"),
    }

    // The same lie on the chat text surfaces from the parser as the zip
    // error, not as a bare read error.
    let mut text = b"14/02/2024, 21:07 - A: ".to_vec();
    text.resize(32 << 20, b'a');
    text.push(b'\n');
    let mut bytes = build(&[("_chat.txt", &text)]);
    let (local, central) = headers(&bytes);
    understate(&mut bytes, local[0], central[0], 100_000);
    let mut z = open(bytes).expect("opens");
    let err = z
        .parse_all(WhatsAppOptions::with_date_order(DateOrder::Dmy))
        .expect_err("refused");
    assert!(
        matches!(&err, ImportError::ZipEntry { entry, .. } if entry == "_chat.txt")
            || matches!(&err, ImportError::ZipLimitExceeded { .. }),
        "{err}"
    );
}

#[test]
fn damaged_data_fails_its_checksum() {
    let chat = b"14/02/2024, 21:07 - A: hi\n".as_slice();
    let photo = noise(7, 5_000);
    let mut bytes = build_with(
        &[("_chat.txt", chat), ("IMG-20240214-WA0003.jpg", &photo)],
        stored(),
    );
    // Flip a byte inside the stored photo.
    let at = bytes
        .windows(16)
        .position(|w| w == &photo[100..116])
        .expect("photo bytes are stored as-is");
    bytes[at] ^= 0xFF;
    let mut z = open(bytes).expect("opens");
    let mut out = Vec::new();
    let err = z
        .open_media("IMG-20240214-WA0003.jpg")
        .expect("opens")
        .read_to_end(&mut out)
        .expect_err("CRC mismatch");
    assert!(err.to_string().contains("IMG-20240214-WA0003.jpg"), "{err}");
}

#[test]
fn too_many_entries_are_refused() {
    let chat = b"14/02/2024, 21:07 - A: hi\n".as_slice();
    let names: Vec<String> = (0..50).map(|i| format!("f{i}.jpg")).collect();
    let mut entries: Vec<(&str, &[u8])> = vec![("_chat.txt", chat)];
    entries.extend(names.iter().map(|n| (n.as_str(), b"x".as_slice())));
    let limits = ZipLimits {
        max_entries: 10,
        ..ZipLimits::default()
    };
    let err = open_with(build(&entries), limits).expect_err("51 > 10");
    assert!(
        matches!(
            err,
            ImportError::ZipLimitExceeded {
                limit: ZipLimitKind::Entries,
                entry: None,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("51 entries"), "{err}");
    assert!(open(build(&entries)).is_ok());
}

#[test]
fn zip64_entry_count_above_the_default_is_refused() {
    // 100,001 empty entries need a ZIP64 directory; the count is checked
    // before the directory is parsed.
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    w.start_file("_chat.txt", stored()).expect("entry");
    w.write_all(b"14/02/2024, 21:07 - A: hi\n").expect("write");
    for i in 0..100_000 {
        w.start_file(format!("{i}"), stored()).expect("entry");
    }
    let bytes = w.finish().expect("finish").into_inner();
    let err = open_err(bytes);
    assert!(
        matches!(
            err,
            ImportError::ZipLimitExceeded {
                limit: ZipLimitKind::Entries,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("100001 entries"), "{err}");
}

#[test]
fn encrypted_entry_is_refused() {
    use zip::unstable::write::FileOptionsExt;
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    w.start_file("_chat.txt", deflated()).expect("entry");
    w.write_all(b"14/02/2024, 21:07 - A: hi\n").expect("write");
    let locked = deflated()
        .with_deprecated_encryption(b"hunter2")
        .expect("ZipCrypto options");
    w.start_file("IMG-20240214-WA0003.jpg", locked)
        .expect("entry");
    w.write_all(&noise(8, 2_000)).expect("write");
    let err = open_err(w.finish().expect("finish").into_inner());
    assert!(
        matches!(&err, ImportError::EncryptedZipEntry { entry } if entry == "IMG-20240214-WA0003.jpg"),
        "{err}"
    );
    assert!(err.to_string().contains("encrypted"), "{err}");
}

#[test]
fn unsupported_compression_is_refused() {
    let chat = b"14/02/2024, 21:07 - A: hi\n".as_slice();
    let mut bytes = build(&[("_chat.txt", chat)]);
    let (local, central) = headers(&bytes);
    // Method 12 (bzip2), which this reader does not decode.
    bytes[local[0] + 8..local[0] + 10].copy_from_slice(&12u16.to_le_bytes());
    bytes[central[0] + 10..central[0] + 12].copy_from_slice(&12u16.to_le_bytes());
    let err = open_err(bytes);
    assert!(
        matches!(&err, ImportError::ZipEntry { entry, reason } if entry == "_chat.txt" && reason.contains("compression")),
        "{err}"
    );
}

#[test]
fn truncated_and_non_zip_inputs_are_refused() {
    let chat = ANDROID_CHAT.as_bytes();
    let full = build(&[
        ("WhatsApp Chat with Patient X.txt", chat),
        ("IMG-1.jpg", &noise(9, 4_000)),
    ]);
    for cut in [full.len() / 2, full.len() - 10, 30] {
        let err = open_err(full[..cut].to_vec());
        assert!(
            matches!(err, ImportError::NotZip { .. }),
            "cut at {cut}: {err}"
        );
        assert!(
            err.to_string().contains("not a readable zip archive"),
            "{err}"
        );
    }
    for junk in [
        b"".as_slice(),
        b"PK",
        b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<<>>\nendobj\n",
        ANDROID_CHAT.as_bytes(),
    ] {
        let err = open_err(junk.to_vec());
        assert!(matches!(err, ImportError::NotZip { .. }), "{err}");
    }
}

fn peer_zip() -> Option<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/peer-fixtures/chat-analytics/tests/samples/whatsapp");
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("note: {} is absent; peer zip check skipped", dir.display());
        None
    }
}

/// chat-analytics `4A_11M.zip`: `_chat.txt` (CRLF), no media. Every date is
/// 12/9/20, so the order must be given (see PEER_DIFFERENCES.md).
#[test]
fn chat_analytics_4a_11m_zip() {
    let Some(dir) = peer_zip() else { return };
    let file = File::open(dir.join("4A_11M.zip")).expect("open");
    let mut z = WhatsAppZip::open(file, ZipLimits::default()).expect("opens");
    assert_eq!(z.chat_entry_name(), "_chat.txt");
    assert_eq!(z.media_names().count(), 0);
    let err = z
        .parse_all(WhatsAppOptions::default())
        .expect_err("12/9/20 is undecidable");
    assert!(
        matches!(err, ImportError::AmbiguousDateOrder { line: 1, .. }),
        "{err}"
    );
    let ms = z
        .parse_all(WhatsAppOptions::with_date_order(DateOrder::Mdy))
        .expect("parses with an explicit order");
    let s = Summary::of(&ms);
    assert_eq!((s.messages, s.system), (11, 3));
    assert_eq!(
        s.senders.keys().map(String::as_str).collect::<Vec<_>>(),
        ["Alice", "Bob", "Eve", "Mallory", "Trent"]
    );
    // Same reading as the loose .txt next to it.
    let txt = palisade_import::whatsapp::parse_all(
        File::open(dir.join("4A_11M.txt")).expect("open"),
        WhatsAppOptions::with_date_order(DateOrder::Mdy),
    )
    .expect("txt parses");
    let key = |m: &Message| (m.time, m.sender.clone(), m.text.clone(), m.kind);
    assert_eq!(
        ms.iter().map(key).collect::<Vec<_>>(),
        txt.iter().map(key).collect::<Vec<_>>()
    );
}
