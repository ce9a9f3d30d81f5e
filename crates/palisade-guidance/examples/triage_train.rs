//! Train the learned word weights behind the triage rules and write
//! `src/triage/weights.txt`:
//! `cargo run --release -p palisade-guidance --example triage_train`.
//!
//! Only the `dev` and `heldout` splits of `eval/triage.jsonl` are used; the
//! blind sets (`eval/triage_blind*.jsonl`) are never read here.

use palisade_guidance::triage::eval::parse_jsonl;
use palisade_guidance::triage::model::train;
use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = match std::fs::read_to_string(root.join("eval/triage.jsonl")) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read eval/triage.jsonl: {e}");
            return ExitCode::from(1);
        }
    };
    let all = match parse_jsonl(&text) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: eval/triage.jsonl {e}");
            return ExitCode::from(1);
        }
    };
    let examples: Vec<(String, _)> = all
        .into_iter()
        .filter(|e| matches!(e.split.as_deref(), Some("dev" | "heldout")))
        .map(|e| (e.text, e.label))
        .collect();
    let weights = train(&examples);
    let out = root.join("src/triage/weights.txt");
    if let Err(e) = std::fs::write(&out, &weights) {
        eprintln!("error: cannot write {}: {e}", out.display());
        return ExitCode::from(1);
    }
    println!(
        "trained on {} messages; {} weighted features written to src/triage/weights.txt",
        examples.len(),
        weights.lines().filter(|l| !l.starts_with('#')).count() - 1
    );
    ExitCode::SUCCESS
}
