//! Print the label, its reasons and the learned probabilities for each line of
//! stdin: `cargo run --release -p palisade-guidance --example triage_probe`.

use palisade_guidance::Label;
use palisade_guidance::triage::{classify, learned_probabilities};
use std::io::BufRead;

fn main() {
    for line in std::io::stdin().lock().lines().map_while(Result::ok) {
        let t = classify(&line);
        let p = learned_probabilities(&line);
        let probs: Vec<String> = Label::ALL
            .iter()
            .zip(p)
            .map(|(l, p)| format!("{l}={p:.2}"))
            .collect();
        let reasons: Vec<String> = t.reasons.iter().map(|r| r.to_string()).collect();
        println!(
            "{} | {}\n    {}\n    {}",
            t.label,
            line,
            reasons.join("; "),
            probs.join(" ")
        );
    }
}
