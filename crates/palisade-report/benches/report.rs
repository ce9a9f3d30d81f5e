//! Times a large report: 10,000 entries (summary ~80 characters, content
//! ~300) and 200 thumbnails. Run with
//! `cargo bench -p palisade-report --bench report`. Set
//! `PALISADE_BENCH_OUT=path.pdf` to keep the PDF for inspection.

use palisade_report::{
    Field, Report, ReportAction, ReportAttachment, ReportEntry, make_thumbnail, render_report,
};
use std::time::{Duration, Instant};

const ENTRIES: usize = 10_000;
const THUMBNAILS: usize = 200;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn text(&mut self, chars: usize) -> String {
        const WORDS: &[&str] = &[
            "please",
            "call",
            "me",
            "back",
            "doctor",
            "I",
            "saw",
            "you",
            "at",
            "the",
            "surgery",
            "today",
            "why",
            "won't",
            "answer",
            "flowers",
            "card",
            "meet",
            "Łódź",
            "Zoë",
            "γιατρέ",
            "tomorrow",
            "again",
            "outside",
            "your",
            "house",
            "message",
            "waiting",
            "x",
        ];
        let mut s = String::with_capacity(chars + 16);
        while s.len() < chars {
            if !s.is_empty() {
                s.push(' ');
            }
            s.push_str(WORDS[(self.next() % WORDS.len() as u64) as usize]);
        }
        s
    }
}

fn picture(i: usize) -> Vec<u8> {
    let img = image::RgbImage::from_fn(640, 480, |x, y| {
        image::Rgb([
            ((x + i as u32 * 7) % 256) as u8,
            ((y * 3 + i as u32) % 256) as u8,
            ((x ^ y) % 256) as u8,
        ])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .expect("encode picture");
    out.into_inner()
}

fn report(rng: &mut Rng) -> Report {
    let start = jiff::Timestamp::from_second(1_767_225_600).expect("start"); // 2026-01-01
    let entries: Vec<ReportEntry> = (0..ENTRIES)
        .map(|i| {
            let at = start + jiff::SignedDuration::from_secs((i as i64) * 2_700);
            ReportEntry {
                id: format!("ent_{i:08}"),
                leaf_index: i as u64 + 1,
                occurred_at: at.to_string(),
                recorded_at: (at + jiff::SignedDuration::from_secs(60)).to_string(),
                channel: ["sms", "whatsapp", "email", "phone_call"][i % 4].into(),
                direction: Field::Disclosed(if i % 9 == 0 { "outbound" } else { "inbound" }.into()),
                party: Field::Disclosed("AB".into()),
                place: Field::Absent,
                witnesses: Field::Absent,
                summary: Field::Disclosed(rng.text(80)),
                content: Field::Disclosed(rng.text(300)),
                clinical: Field::Withheld,
                retracted: i % 500 == 0,
                corrected: i % 300 == 0,
                attachments: if i % 50 == 0 {
                    vec![format!("{:064x}", i)]
                } else {
                    Vec::new()
                },
            }
        })
        .collect();
    let t = Instant::now();
    let attachments: Vec<ReportAttachment> = (0..THUMBNAILS)
        .map(|i| ReportAttachment {
            record_id: format!("att_{i}"),
            belongs_to: format!("ent_{:08}", i * 50),
            name: Field::Disclosed(format!("screenshot-{i}.png")),
            media_type: "image/png".into(),
            size: 100_000 + i as u64,
            sha256: format!("{:064x}", i * 50),
            bytes_included: true,
            thumbnail: make_thumbnail(&picture(i), "image/png"),
        })
        .collect();
    println!(
        "make_thumbnail: {THUMBNAILS} PNGs of 640x480 in {} ms ({:.1} ms each)",
        t.elapsed().as_millis(),
        t.elapsed().as_secs_f64() * 1000.0 / THUMBNAILS as f64
    );
    Report {
        case_id: "case_bench".into(),
        case_title: Field::Disclosed("Benchmark".into()),
        profile: "police".into(),
        checkpoint_root: "q0lC0kTbf5w6Xyz9D0uVb2nGQ2x9lC9K3y3m2n1o4pA=".into(),
        entries,
        actions: vec![ReportAction {
            id: "act_1".into(),
            date: "2026-03-03".into(),
            kind: "asked_to_stop".into(),
            ..ReportAction::default()
        }],
        attachments,
        verification: vec!["Run palisade verify.".into()],
        ..Report::default()
    }
}

fn main() {
    let mut rng = Rng(0x5eed);
    let r = report(&mut rng);
    let mut times = Vec::new();
    let mut pdf = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        pdf = render_report(&r).expect("render");
        times.push(t.elapsed());
    }
    let size = pdf.len();
    if let Some(path) = std::env::var_os("PALISADE_BENCH_OUT") {
        std::fs::write(path, &pdf).expect("write PDF");
    }
    times.sort();
    let median: Duration = times[times.len() / 2];
    println!(
        "render_report: {ENTRIES} entries, {THUMBNAILS} thumbnails: median {} ms (min {}, max {}), {:.1} MB",
        median.as_millis(),
        times[0].as_millis(),
        times[times.len() - 1].as_millis(),
        size as f64 / 1e6
    );
}
