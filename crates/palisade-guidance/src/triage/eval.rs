//! Measuring triage against a labelled set: per-class precision and recall,
//! macro-F1 and the confusion matrix, and the Markdown report.

use super::{Label, classify};
use serde::Deserialize;

#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("line {line}: {problem}")]
    Line { line: usize, problem: String },
}

/// One labelled message. `split` is `dev` (rules were tuned on it) or
/// `heldout` (never looked at while tuning).
#[derive(Debug, Clone, Deserialize)]
pub struct Example {
    pub text: String,
    pub label: Label,
    #[serde(default)]
    pub split: Option<String>,
}

/// Read JSON Lines of `{"text", "label"[, "split"]}`; blank lines are skipped.
pub fn parse_jsonl(s: &str) -> Result<Vec<Example>, EvalError> {
    s.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|e| EvalError::Line {
                line: i + 1,
                problem: e.to_string(),
            })
        })
        .collect()
}

/// The messages the learned weights are trained on: the `dev` and `heldout`
/// splits of `eval/triage.jsonl` (`main`) and every message of the third
/// author's development set `eval/triage_set4.jsonl` (`set4`). Never a blind
/// set. Shared by `--example triage_train` and the test that checks the
/// committed weights are up to date.
pub fn training_examples(main: Vec<Example>, set4: Vec<Example>) -> Vec<(String, Label)> {
    main.into_iter()
        .filter(|e| matches!(e.split.as_deref(), Some("dev" | "heldout")))
        .chain(set4)
        .map(|e| (e.text, e.label))
        .collect()
}

#[derive(Debug, Clone, PartialEq)]
pub struct ClassMetrics {
    pub label: Label,
    pub support: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

/// A wrong answer, for reading.
#[derive(Debug, Clone)]
pub struct Miss {
    pub text: String,
    pub expected: Label,
    pub got: Label,
    pub reasons: String,
}

#[derive(Debug, Clone)]
pub struct Metrics {
    pub n: usize,
    /// `confusion[expected][got]`, in [`Label::ALL`] order.
    pub confusion: [[usize; 6]; 6],
    pub classes: Vec<ClassMetrics>,
    pub macro_f1: f64,
    pub accuracy: f64,
    pub misses: Vec<Miss>,
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Classify every example and compare with its label.
pub fn evaluate<'a>(examples: impl IntoIterator<Item = &'a Example>) -> Metrics {
    let mut confusion = [[0usize; 6]; 6];
    let mut misses = Vec::new();
    let mut n = 0;
    for ex in examples {
        n += 1;
        let t = classify(&ex.text);
        confusion[ex.label as usize][t.label as usize] += 1;
        if t.label != ex.label {
            misses.push(Miss {
                text: ex.text.clone(),
                expected: ex.label,
                got: t.label,
                reasons: t
                    .reasons
                    .iter()
                    .chain(&t.other)
                    .map(|r| format!("{}={}", r.label, r))
                    .collect::<Vec<_>>()
                    .join("; "),
            });
        }
    }
    let classes: Vec<ClassMetrics> = Label::ALL
        .iter()
        .map(|&l| {
            let i = l as usize;
            let tp = confusion[i][i];
            let support: usize = confusion[i].iter().sum();
            let predicted: usize = confusion.iter().map(|row| row[i]).sum();
            let precision = ratio(tp, predicted);
            let recall = ratio(tp, support);
            let f1 = if precision + recall == 0.0 {
                0.0
            } else {
                2.0 * precision * recall / (precision + recall)
            };
            ClassMetrics {
                label: l,
                support,
                precision,
                recall,
                f1,
            }
        })
        .collect();
    let present: Vec<&ClassMetrics> = classes.iter().filter(|c| c.support > 0).collect();
    let macro_f1 = if present.is_empty() {
        0.0
    } else {
        present.iter().map(|c| c.f1).sum::<f64>() / present.len() as f64
    };
    let correct: usize = (0..6).map(|i| confusion[i][i]).sum();
    Metrics {
        n,
        confusion,
        classes,
        macro_f1,
        accuracy: ratio(correct, n),
        misses,
    }
}

impl Metrics {
    pub fn class(&self, l: Label) -> &ClassMetrics {
        &self.classes[l as usize]
    }

    /// The per-class table and the confusion matrix, in Markdown.
    pub fn to_markdown(&self) -> String {
        let mut s = String::new();
        s.push_str(&format!(
            "{} messages; accuracy {:.3}; **macro-F1 {:.3}**\n\n",
            self.n, self.accuracy, self.macro_f1
        ));
        s.push_str(
            "| class | support | precision | recall | F1 |\n| --- | ---: | ---: | ---: | ---: |\n",
        );
        for c in &self.classes {
            s.push_str(&format!(
                "| {} | {} | {:.3} | {:.3} | {:.3} |\n",
                c.label, c.support, c.precision, c.recall, c.f1
            ));
        }
        s.push_str(
            "\nConfusion matrix (rows: true label, columns: predicted):\n\n| true \\ predicted |",
        );
        for l in Label::ALL {
            s.push_str(&format!(" {l} |"));
        }
        s.push_str("\n| --- |");
        for _ in Label::ALL {
            s.push_str(" ---: |");
        }
        s.push('\n');
        for l in Label::ALL {
            s.push_str(&format!("| **{l}** |"));
            for m in Label::ALL {
                s.push_str(&format!(" {} |", self.confusion[l as usize][m as usize]));
            }
            s.push('\n');
        }
        s
    }
}
