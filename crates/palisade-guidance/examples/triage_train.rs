//! Train the learned word weights behind the triage rules and write
//! `src/triage/weights.txt`:
//! `cargo run --release -p palisade-guidance --example triage_train`.
//!
//! Trained on the `dev` and `heldout` splits of `eval/triage.jsonl` and on
//! the third author's development set `eval/triage_set4.jsonl` (see
//! `triage::eval::training_examples`); the blind sets
//! (`eval/triage_blind*.jsonl`) are never read here. With `--without-set4`
//! it leaves set 4 out and writes nothing, printing the weights' file to
//! `--out FILE` instead (for measuring set 4 with weights that never saw it).

use palisade_guidance::triage::eval::{parse_jsonl, training_examples};
use palisade_guidance::triage::model::train;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn read(root: &Path, file: &str) -> Result<Vec<palisade_guidance::triage::eval::Example>, String> {
    let text =
        std::fs::read_to_string(root.join(file)).map_err(|e| format!("cannot read {file}: {e}"))?;
    parse_jsonl(&text).map_err(|e| format!("{file} {e}"))
}

fn main() -> ExitCode {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let args: Vec<String> = std::env::args().skip(1).collect();
    let without_set4 = args.iter().any(|a| a == "--without-set4");
    let out: PathBuf = match args.iter().position(|a| a == "--out") {
        Some(i) => match args.get(i + 1) {
            Some(p) => PathBuf::from(p),
            None => {
                eprintln!("error: --out needs a file");
                return ExitCode::from(2);
            }
        },
        None if without_set4 => {
            eprintln!("error: --without-set4 needs --out FILE (weights.txt is trained on set 4)");
            return ExitCode::from(2);
        }
        None => root.join("src/triage/weights.txt"),
    };
    let loaded = (|| -> Result<_, String> {
        let main = read(root, "eval/triage.jsonl")?;
        let set4 = if without_set4 {
            Vec::new()
        } else {
            read(root, "eval/triage_set4.jsonl")?
        };
        Ok(training_examples(main, set4))
    })();
    let examples = match loaded {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    let weights = train(&examples);
    if let Err(e) = std::fs::write(&out, &weights) {
        eprintln!("error: cannot write {}: {e}", out.display());
        return ExitCode::from(1);
    }
    println!(
        "trained on {} messages; {} weighted features written to {}",
        examples.len(),
        weights.lines().filter(|l| !l.starts_with('#')).count() - 1,
        out.display()
    );
    ExitCode::SUCCESS
}
