//! The export generator: a deterministic Android WhatsApp export (day-first,
//! 24-hour) that looks like a real harassment chat.

use crate::ME;
use crate::common::Rng;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::Instant;

/// Senders, weighted by repetition: mostly the patient, then the doctor, then others.
const SENDERS: &[&str] = &[
    "Amelia Brooks",
    "Amelia Brooks",
    "Amelia Brooks",
    "Amelia Brooks",
    "Amelia Brooks",
    ME,
    ME,
    "\u{202a}+44 7700 900123\u{202c}",
    "Mum (Amelia)",
    "Zoë Ó Briain",
    "Tomasz Wiśniewski",
];

const WORDS: &[&str] = &[
    "I",
    "you",
    "the",
    "to",
    "and",
    "a",
    "know",
    "please",
    "just",
    "why",
    "don't",
    "can't",
    "stop",
    "doctor",
    "appointment",
    "tomorrow",
    "tonight",
    "today",
    "morning",
    "clinic",
    "surgery",
    "waiting",
    "outside",
    "again",
    "really",
    "need",
    "talk",
    "see",
    "meet",
    "coffee",
    "answer",
    "phone",
    "call",
    "message",
    "me",
    "it",
    "was",
    "is",
    "not",
    "fair",
    "sorry",
    "love",
    "thinking",
    "about",
    "what",
    "said",
    "last",
    "week",
    "car",
    "park",
    "reception",
    "home",
    "address",
    "found",
    "where",
    "live",
    "run",
    "Sunday",
    "flowers",
    "card",
    "gift",
    "okay",
    "never",
    "always",
    "ignore",
    "please!!",
    "x",
    "xx",
    "😊",
    "❤️",
    "🙏",
    "😢",
    "?",
    "...",
    "prescription",
    "results",
    "blood",
    "test",
    "nurse",
    "receptionist",
    "manager",
    "complaint",
    "promise",
    "understand",
    "anyone",
    "else",
    "feel",
    "better",
    "worse",
    "tired",
    "scared",
];

const SYSTEM: &[&str] = &[
    "You blocked this contact. Tap to unblock.",
    "You unblocked this contact.",
    "Missed voice call",
];

fn write_words(out: &mut Vec<u8>, rng: &mut Rng, n: u64) {
    for k in 0..n {
        if k > 0 {
            out.push(b' ');
        }
        out.extend_from_slice(rng.pick(WORDS).as_bytes());
    }
}

/// Write an export of `messages` messages (or, with `min_bytes`, at least that
/// many bytes) to `path`; returns the number of messages.
fn generate(path: &Path, messages: u64, min_bytes: u64) -> u64 {
    let tmp = path.with_extension("partial");
    let mut out = BufWriter::with_capacity(1 << 20, File::create(&tmp).expect("create export"));
    let mut rng = Rng(0x00C0_FFEE);
    let mut t = jiff::civil::date(2019, 3, 4).at(8, 0, 0, 0);
    let mut buf = Vec::with_capacity(4096);
    let mut written = 0u64;
    let mut n = 0u64;
    let header = |buf: &mut Vec<u8>, t: &jiff::civil::DateTime| {
        write!(
            buf,
            "{:02}/{:02}/{}, {:02}:{:02} - ",
            t.day(),
            t.month(),
            t.year(),
            t.hour(),
            t.minute()
        )
        .expect("write to memory");
    };
    header(&mut buf, &t);
    buf.extend_from_slice(
        b"Messages and calls are end-to-end encrypted. No one outside of this chat, not even \
          WhatsApp, can read or listen to them. Tap to learn more.\n",
    );
    n += 1;
    while if min_bytes > 0 {
        written + (buf.len() as u64) < min_bytes
    } else {
        n < messages
    } {
        // Bursts of quick replies, then gaps of hours.
        let gap = if rng.below(10) == 0 {
            60 + rng.below(600)
        } else {
            rng.below(4)
        };
        t = t
            .checked_add(jiff::SignedDuration::from_mins(gap as i64))
            .expect("date in range");
        header(&mut buf, &t);
        let r = rng.below(1000);
        if r < 4 {
            buf.extend_from_slice(rng.pick(SYSTEM).as_bytes());
        } else {
            buf.extend_from_slice(rng.pick(SENDERS).as_bytes());
            buf.extend_from_slice(b": ");
            match r {
                4..=33 => buf.extend_from_slice(b"<Media omitted>"),
                34..=38 => buf.extend_from_slice(b"This message was deleted"),
                39..=88 => {
                    // Multi-line: 2 to 5 lines.
                    for line in 0..2 + rng.below(4) {
                        if line > 0 {
                            buf.push(b'\n');
                        }
                        let words = 1 + rng.below(10);
                        write_words(&mut buf, &mut rng, words);
                    }
                }
                89..=188 => {
                    let words = 20 + rng.below(46);
                    write_words(&mut buf, &mut rng, words);
                }
                _ => {
                    let words = 1 + rng.below(11);
                    write_words(&mut buf, &mut rng, words);
                }
            }
        }
        buf.push(b'\n');
        n += 1;
        if buf.len() > 1 << 20 {
            out.write_all(&buf).expect("write export");
            written += buf.len() as u64;
            buf.clear();
        }
    }
    out.write_all(&buf).expect("write export");
    out.flush().expect("flush export");
    drop(out);
    std::fs::rename(&tmp, path).expect("rename export");
    n
}

/// The export at `path`, generated unless a complete one is there already
/// (a `.count` file beside it records how many messages it holds).
pub fn ensure_export(path: &Path, messages: u64, min_bytes: u64) -> u64 {
    let count = path.with_extension("count");
    if path.exists()
        && let Some(n) = std::fs::read_to_string(&count)
            .ok()
            .and_then(|s| s.trim().parse().ok())
    {
        return n;
    }
    print!("generating {} … ", path.display());
    std::io::stdout().flush().ok();
    let t = Instant::now();
    let n = generate(path, messages, min_bytes);
    std::fs::write(&count, n.to_string()).expect("write count");
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    println!(
        "{n} messages, {:.1} MB, {:.1} s",
        size as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
    n
}
