//! Shared test helpers: a sample report and poppler as the judge.
#![allow(dead_code)]

use palisade_report::{
    Field, Report, ReportAction, ReportAttachment, ReportCustody, ReportEntry, ReportExhibit,
    make_thumbnail,
};
use std::process::Command;

pub const SECRET: &str = "Ꙭ clinical: hypothyroidism, query 7f3a9c";
pub const LONG_WORD: &str = "https://example.org/a-very-long-address-that-cannot-be-broken-at-spaces/0123456789abcdef0123456789abcdef";

/// Whether poppler is installed; panics if it is required (CI) but missing.
pub fn poppler() -> bool {
    let found = Command::new("pdftoppm").arg("-v").output().is_ok()
        && Command::new("pdftotext").arg("-v").output().is_ok();
    if !found {
        assert!(
            std::env::var_os("PALISADE_REQUIRE_POPPLER").is_none(),
            "PALISADE_REQUIRE_POPPLER is set but pdftoppm/pdftotext are missing: apt-get install poppler-utils"
        );
        eprintln!("SKIPPED: pdftoppm not found (apt-get install poppler-utils to run this test)");
    }
    found
}

fn run(cmd: &str, args: &[&str]) -> (Vec<u8>, String) {
    let out = Command::new(cmd).args(args).output().expect("run poppler");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{cmd} failed: {stderr}");
    assert!(stderr.trim().is_empty(), "{cmd} wrote to stderr: {stderr}");
    (out.stdout, stderr)
}

/// Rasterise every page at 50 dpi; asserts success and silence. Returns
/// the number of page images.
pub fn rasterise(pdf: &[u8]) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("doc.pdf");
    std::fs::write(&file, pdf).unwrap();
    let prefix = dir.path().join("page");
    run(
        "pdftoppm",
        &[
            "-r",
            "50",
            "-png",
            file.to_str().unwrap(),
            prefix.to_str().unwrap(),
        ],
    );
    std::fs::read_dir(dir.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "png")
        })
        .count()
}

/// `pdftotext` output with the given mode flag (`-layout` or `-raw`).
pub fn text(pdf: &[u8], mode: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("doc.pdf");
    std::fs::write(&file, pdf).unwrap();
    let (out, _) = run(
        "pdftotext",
        &[mode, "-enc", "UTF-8", file.to_str().unwrap(), "-"],
    );
    String::from_utf8(out).unwrap()
}

/// Collapse runs of whitespace to one space.
pub fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every stream of the PDF, inflated when it is Flate-compressed.
pub fn streams(pdf: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(i) = find(&pdf[at..], b"stream\n") {
        let start = at + i + b"stream\n".len();
        let Some(len) = find(&pdf[start..], b"\nendstream") else {
            break;
        };
        let raw = &pdf[start..start + len];
        out.push(
            miniz_oxide::inflate::decompress_to_vec_zlib(raw).unwrap_or_else(|_| raw.to_vec()),
        );
        at = start + len + b"\nendstream".len();
    }
    out
}

pub fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

pub fn png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([
            (x * 255 / width.max(1)) as u8,
            (y * 255 / height.max(1)) as u8,
            128,
        ])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

pub fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, 60, (y % 256) as u8])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

fn d(s: &str) -> Field {
    Field::Disclosed(s.to_string())
}

pub fn entry(id: &str, leaf: u64, at: &str, channel: &str, summary: &str) -> ReportEntry {
    ReportEntry {
        id: id.into(),
        leaf_index: leaf,
        occurred_at: at.into(),
        recorded_at: "2026-03-05T10:00:00.123Z".into(),
        channel: channel.into(),
        direction: d("inbound"),
        party: d("AB"),
        summary: d(summary),
        ..ReportEntry::default()
    }
}

/// Summaries of the sample report's entries, each short enough for one line.
pub const SUMMARIES: [&str; 7] = [
    "Text asking to meet for a drink",
    "Card and flowers at reception",
    "Zażółć gęślą jaźń, list polecony",
    "Γράμμα στο ιατρείο",
    "Voicemail from Zoë Ó'Brien",
    "Emoji message 😀🚀",
    "Very long email",
];

/// A report exercising the awkward cases.
pub fn sample(clinical: Field) -> Report {
    let long: String = (0..120)
        .map(|i| format!("sentence {i} of a very long message that keeps going;"))
        .collect::<Vec<_>>()
        .join(" ");
    let mut entries = vec![
        entry("ent_1", 3, "2026-03-01T21:40:00+00:00", "sms", SUMMARIES[0]),
        entry(
            "ent_2",
            5,
            "2026-03-02T09:10:00+00:00",
            "gift",
            SUMMARIES[1],
        ),
        entry(
            "ent_3",
            9,
            "2026-03-04T08:00:00+01:00",
            "letter",
            SUMMARIES[2],
        ),
        entry(
            "ent_4",
            10,
            "2026-03-10T18:30:00+02:00",
            "letter",
            SUMMARIES[3],
        ),
        entry(
            "ent_5",
            11,
            "2026-03-12T07:05:00-05:00",
            "voicemail",
            SUMMARIES[4],
        ),
        entry(
            "ent_6",
            12,
            "2026-04-01T12:00:00Z",
            "whatsapp",
            SUMMARIES[5],
        ),
        entry(
            "ent_7",
            13,
            "2026-04-20T23:59:59+00:00",
            "email",
            SUMMARIES[6],
        ),
    ];
    entries[0].content = d("Can we meet after your clinic? You looked lovely today x");
    entries[0].attachments = vec!["a".repeat(64)];
    entries[1].place = d("Reception, High St Surgery");
    entries[1].witnesses = d("J. Smith (receptionist)");
    entries[1].direction = Field::Withheld;
    entries[1].attachments = vec!["b".repeat(64)];
    entries[2].content = d("Szanowna Pani Doktor, proszę o spotkanie. Łódź, Kraków.");
    entries[3].content = d("Αγαπητή γιατρέ, θέλω να σας δω ξανά. Ευχαριστώ!");
    entries[4].party = d("Zoë Ó'Brien");
    entries[4].content = Field::Withheld;
    entries[4].clinical = clinical;
    entries[5].content = d("See you soon 😀🚀 ❤️ 中文");
    entries[5].retracted = true;
    entries[6].content = d(&format!("{long} {LONG_WORD}"));
    entries[6].corrected = true;
    // Out of order on purpose: the report sorts them.
    entries.reverse();

    let attachments = vec![
        ReportAttachment {
            record_id: "att_1".into(),
            belongs_to: "ent_1".into(),
            name: d("screenshot.png"),
            media_type: "image/png".into(),
            size: 48_213,
            sha256: "a".repeat(64),
            bytes_included: true,
            thumbnail: make_thumbnail(&png(400, 300), "image/png"),
        },
        ReportAttachment {
            record_id: "att_2".into(),
            belongs_to: "ent_2".into(),
            name: Field::Withheld,
            media_type: "image/jpeg".into(),
            size: 1_048_576,
            sha256: "b".repeat(64),
            bytes_included: false,
            thumbnail: make_thumbnail(&jpeg(300, 500), "image/jpeg"),
        },
        ReportAttachment {
            record_id: "att_3".into(),
            belongs_to: "act_1".into(),
            name: d("letter-to-patient.pdf"),
            media_type: "application/pdf".into(),
            size: 912,
            sha256: "c".repeat(64),
            bytes_included: true,
            thumbnail: None,
        },
    ];
    Report {
        case_id: "case_7m2k9q4xw1ba3hce".into(),
        case_title: d("Messages from patient AB"),
        case_subject: d("AB, ref 40213"),
        case_kind: "amorous".into(),
        case_status: "open".into(),
        opened_at: "2026-03-01T20:00:00Z".into(),
        parties: vec!["AB (patient)".into(), "AB's mother (family)".into()],
        profile: "police".into(),
        profile_description: "Clinical notes withheld; message content of some entries withheld."
            .into(),
        exported_by: "Dr Jane Doe".into(),
        exported_at: "2026-05-01T09:30:00+01:00".into(),
        recipient: Some("PC 1234 Smith, Metropolitan Police".into()),
        purpose: Some("Harassment complaint, crime reference CR/123/26".into()),
        checkpoint_origin: "palisade.example/ledger/1".into(),
        checkpoint_size: 42,
        checkpoint_root: "q0lC0kTbf5w6Xyz9D0uVb2nGQ2x9lC9K3y3m2n1o4pA=".into(),
        key_fingerprint: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".into(),
        timestamps: vec![
            "RFC 3161 token from CN=Example TSA at 2026-05-01T08:30:05Z over checkpoint 42".into(),
        ],
        entries,
        actions: vec![
            ReportAction {
                id: "act_1".into(),
                date: "2026-03-03".into(),
                kind: "asked_to_stop".into(),
                by: d("Dr Jane Doe"),
                reference: Field::Absent,
                notes: d("Letter explaining the relationship must stay professional"),
            },
            ReportAction {
                id: "act_2".into(),
                date: "2026-03-03".into(),
                kind: "defence_org_contacted".into(),
                by: d("Dr Jane Doe"),
                reference: d("MDU 123456"),
                notes: Field::Withheld,
            },
            ReportAction {
                id: "act_3".into(),
                date: "2026-04-02T10:00:00+01:00".into(),
                kind: "police_reported".into(),
                by: Field::Absent,
                reference: d("CR/123/26"),
                notes: Field::Absent,
            },
        ],
        exhibits: vec![ReportExhibit {
            id: "exh_1".into(),
            number: 1,
            item_kind: "digital_media".into(),
            description: d("USB stick in a padded envelope"),
            received_at: "2026-03-04".into(),
            received_by: d("Reception (J Bloggs)"),
            stored_at: d("Practice safe"),
            bag_number: d("EB-0001"),
            notes: Field::Absent,
            photos: 1,
            custody: vec![ReportCustody {
                at: "2026-04-02T10:30:00+01:00".into(),
                from: d("Practice manager"),
                to: d("PC 1234 Smith, Metropolitan Police"),
                purpose: d("Forensic examination"),
                bag_number: d("MET-77"),
            }],
        }],
        attachments,
        verification: vec![
            "Run palisade verify-bundle on the bundle folder.".into(),
            "The checkpoint root above must match the signed checkpoint in the bundle.".into(),
        ],
    }
}
