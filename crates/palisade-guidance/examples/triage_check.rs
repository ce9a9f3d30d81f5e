//! Score triage on any labelled JSON Lines file and print the mistakes:
//! `cargo run --release -p palisade-guidance --example triage_check -- FILE [--split NAME] [--quiet]`.
//! Used while tuning on the development and old held-out sets; the report
//! itself comes from the `triage_eval` example.

use palisade_guidance::triage::eval::{evaluate, parse_jsonl};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!("usage: triage_check FILE [--split NAME] [--quiet]");
        return ExitCode::from(2);
    };
    let split = args
        .iter()
        .position(|a| a == "--split")
        .and_then(|i| args.get(i + 1));
    let quiet = args.iter().any(|a| a == "--quiet");
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read {path}: {e}");
            return ExitCode::from(1);
        }
    };
    let all = match parse_jsonl(&text) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {path} {e}");
            return ExitCode::from(1);
        }
    };
    let m = evaluate(
        all.iter()
            .filter(|e| split.is_none_or(|s| e.split.as_deref() == Some(s.as_str()))),
    );
    if !quiet {
        for miss in &m.misses {
            println!(
                "expected {} got {}: {}\n    {}",
                miss.expected, miss.got, miss.text, miss.reasons
            );
        }
    }
    print!("{}", m.to_markdown());
    ExitCode::SUCCESS
}
