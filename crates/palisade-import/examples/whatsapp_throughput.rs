//! Rough parse throughput on a generated Android WhatsApp export.
//!
//! `cargo run --release -p palisade-import --example whatsapp_throughput [MESSAGES] [PATH]`
//!
//! Writes a day-first, 24-hour Android export of MESSAGES messages (default
//! 1,000,000: about 96 MB; some multi-line, some media placeholders, a few
//! system lines) to PATH (default: the temp dir), then times both passes
//! (date-order detection, then parsing every message) from the file.
//! With `REUSE=1` and an existing PATH, only the timing runs.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::time::Instant;

use jiff::ToSpan;
use jiff::civil::date;
use palisade_import::Summary;
use palisade_import::whatsapp::{self, WhatsAppOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let n: u64 = args.next().map_or(Ok(1_000_000), |a| a.parse())?;
    let path = args.next().map_or_else(
        || std::env::temp_dir().join("palisade-wa-throughput.txt"),
        Into::into,
    );
    let names = [
        "Dr. Anna Weber",
        "\u{202A}+49 170 1234567\u{202C}",
        "Max Mustermann",
        "Lea",
    ];
    let words = [
        "please",
        "stop",
        "contacting",
        "me",
        "I",
        "know",
        "where",
        "you",
        "work",
        "tomorrow",
        "appointment",
        "why",
        "ignore",
        "answer",
        "now",
    ];
    if std::env::var_os("REUSE").is_some() && path.exists() {
        return time(&path);
    }
    let mut out = BufWriter::new(File::create(&path)?);
    let mut t = date(2019, 1, 1).at(8, 0, 0, 0);
    for i in 0..n {
        t = t.checked_add((((i * 7919) % 97) as i64).minutes())?;
        let name = names[(i % 4) as usize];
        write!(
            out,
            "{:02}/{:02}/{}, {:02}:{:02} - ",
            t.day(),
            t.month(),
            t.year(),
            t.hour(),
            t.minute()
        )?;
        match i % 50 {
            0 => writeln!(out, "You blocked this contact. Tap to unblock.")?,
            1 | 2 => writeln!(out, "{name}: <Media omitted>")?,
            _ => {
                write!(out, "{name}: ")?;
                let len = 8 + (i % 5) as usize;
                for k in 0..len {
                    let w = words[((i as usize) * 31 + k * 7) % words.len()];
                    if k > 0 {
                        out.write_all(if k == 6 && i % 10 == 3 { b"\n" } else { b" " })?;
                    }
                    out.write_all(w.as_bytes())?;
                }
                writeln!(out)?;
            }
        }
    }
    out.flush()?;
    drop(out);
    println!("generated {n} messages at {}", path.display());
    time(&path)
}

fn time(path: &std::path::Path) -> Result<(), Box<dyn std::error::Error>> {
    let bytes = std::fs::metadata(path)?.len();
    println!("{:.1} MB", bytes as f64 / 1e6);

    for run in 1..=3 {
        let t0 = Instant::now();
        let parser = whatsapp::parse_seekable(File::open(path)?, WhatsAppOptions::default())?;
        let mut n = 0u64;
        for m in parser {
            n += u64::from(!m?.text.is_empty());
        }
        let parse = t0.elapsed();
        let t1 = Instant::now();
        let parser = whatsapp::parse_seekable(File::open(path)?, WhatsAppOptions::default())?;
        let mut summary = Summary::new();
        for m in parser {
            summary.add(&m?);
        }
        let with_summary = t1.elapsed();
        println!(
            "run {run}: parse {:.3} s ({:.0} MB/s, {n} with text); parse + Summary {:.3} s \
             ({} messages, {} system, {} senders)",
            parse.as_secs_f64(),
            bytes as f64 / 1e6 / parse.as_secs_f64(),
            with_summary.as_secs_f64(),
            summary.messages,
            summary.system,
            summary.authors(),
        );
    }
    Ok(())
}
