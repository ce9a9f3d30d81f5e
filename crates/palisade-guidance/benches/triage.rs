//! Triage throughput on one core: every labelled message (development,
//! old held-out, set 4 and the three blind sets), classified over and over. Run with
//! `cargo bench -p palisade-guidance --bench triage`
//! (`PALISADE_BENCH_TRIAGE=N` sets how many messages to classify; default 1,000,000).

use palisade_guidance::triage::classify;
use palisade_guidance::triage::eval::parse_jsonl;
use std::hint::black_box;
use std::time::Instant;

fn main() {
    let mut set = Vec::new();
    for (name, text) in [
        ("triage.jsonl", include_str!("../eval/triage.jsonl")),
        (
            "triage_set4.jsonl",
            include_str!("../eval/triage_set4.jsonl"),
        ),
        (
            "triage_blind.jsonl",
            include_str!("../eval/triage_blind.jsonl"),
        ),
        (
            "triage_blind2.jsonl",
            include_str!("../eval/triage_blind2.jsonl"),
        ),
        (
            "triage_blind3.jsonl",
            include_str!("../eval/triage_blind3.jsonl"),
        ),
    ] {
        match parse_jsonl(text) {
            Ok(s) => set.extend(s),
            Err(e) => {
                eprintln!("error: eval/{name} {e}");
                std::process::exit(1);
            }
        }
    }
    let texts: Vec<&str> = set.iter().map(|e| e.text.as_str()).collect();
    let n: usize = std::env::var("PALISADE_BENCH_TRIAGE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let bytes: usize = texts.iter().map(|t| t.len()).sum();
    // Warm up (compiles the rules once).
    for t in &texts {
        black_box(classify(t));
    }
    let start = Instant::now();
    let mut urgent = 0usize;
    for i in 0..n {
        let t = classify(black_box(texts[i % texts.len()]));
        urgent += usize::from(t.label.is_urgent());
    }
    let secs = start.elapsed().as_secs_f64();
    let rate = n as f64 / secs;
    println!(
        "triage: {n} messages (mean {:.0} bytes) in {secs:.2} s on one thread: {:.0} messages/s ({:.2} µs each; {urgent} flagged urgent)",
        bytes as f64 / texts.len() as f64,
        rate,
        1e6 / rate
    );
    if rate < 50_000.0 {
        println!("below the 50,000 messages/s target");
    }
}
