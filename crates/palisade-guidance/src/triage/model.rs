//! Learned word weights: the backstop behind the phrase rules.
//!
//! Phrase rules catch the wordings someone thought of; a new wording of the
//! same thing ("I sat with the tablets in my hand") slips through. This is a
//! small linear model (one logistic regression per class) over the same
//! canonical tokens the rules see: single words, adjacent pairs of words, and
//! membership of the rule file's word lists (a drug, a family member, a
//! place). It is trained by `cargo run --release -p palisade-guidance
//! --example triage_train` on the development and old held-out splits of
//! `eval/triage.jsonl` and on the third author's `eval/triage_set4.jsonl`
//! (never on the blind sets; see `eval::training_examples`),
//! deterministically, and the
//! weights are committed in `weights.txt` beside this file. `classify` uses
//! it only to raise a message to `self_harm` or `threat` when the rules found
//! no sign of either (never to clear one), and the reasons quote the words
//! that weighed most.

use super::Label;
use super::matcher::Fx;
use super::text::{Token, tokenize};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<Fx>>;

const WEIGHTS: &str = include_str!("weights.txt");

/// Word lists from `rules.txt` whose members share a feature.
const LISTS: &[&str] = &[
    "pills",
    "kin",
    "family",
    "place",
    "insult",
    "body",
    "harmevent",
    "homepart",
    "offduty",
    "clothes",
];

/// Words too common to explain anything on their own.
const FUNCTION_WORDS: &[&str] = &[
    "i", "me", "my", "you", "your", "it", "the", "a", "an", "to", "and", "not", "of", "in", "on",
    "is", "am", "are", "be", "for", "that", "this", "with", "at", "so", "just", "do", "have", "he",
    "she", "they", "we", "if", "or", "but", "was", "will", "been", "can", "get", "got", "what",
    "when", "all", "up", "out", "about", "there", "num", "bignum", "going", "ill", "id",
];

/// A feature found in a message: its key, the tokens it covers, and
/// whether it can explain a decision (not only function words).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Found {
    key: u64,
    pub(crate) first: usize,
    pub(crate) last: usize,
    telling: bool,
}

fn key(parts: &[&str]) -> u64 {
    let mut h = Fx::default();
    for p in parts {
        h.write(p.as_bytes());
        h.write_u32(0xff);
    }
    h.finish()
}

/// Which word lists each canonical word belongs to.
#[derive(Debug, Default)]
pub(crate) struct Lists {
    member: FxMap<Box<str>, Vec<u64>>,
}

impl Lists {
    pub(crate) fn new(lists: &[(&'static str, &'static str)]) -> Self {
        let mut member: FxMap<Box<str>, Vec<u64>> = FxMap::default();
        for (name, words) in lists {
            if !LISTS.contains(name) {
                continue;
            }
            let k = key(&["@", name]);
            for w in words.split('|') {
                let w = super::text::stem(w);
                let v = member.entry(w.into()).or_default();
                if !v.contains(&k) {
                    v.push(k);
                }
            }
        }
        Lists { member }
    }
}

/// Every feature of a message, in token order.
pub(crate) fn features(tokens: &[Token], lists: &Lists, out: &mut Vec<Found>) {
    let telling = |w: &str| !FUNCTION_WORDS.contains(&w);
    for (i, t) in tokens.iter().enumerate() {
        out.push(Found {
            key: key(&[&t.word]),
            first: i,
            last: i,
            telling: telling(&t.word),
        });
        if let Some(next) = tokens.get(i + 1) {
            out.push(Found {
                key: key(&[&t.word, &next.word]),
                first: i,
                last: i + 1,
                telling: telling(&t.word) || telling(&next.word),
            });
        }
        if let Some(ks) = lists.member.get(t.word.as_str()) {
            for &k in ks {
                out.push(Found {
                    key: k,
                    first: i,
                    last: i,
                    telling: true,
                });
            }
        }
    }
}

/// The trained weights: a bias and, per feature, a weight for each class.
#[derive(Debug, Default)]
pub(crate) struct Model {
    bias: [f32; 6],
    weights: FxMap<u64, [f32; 6]>,
    /// Lines of `weights.txt` that did not read (a test keeps this empty).
    pub(crate) errors: Vec<String>,
}

/// The model's view of one message: a probability per class, and the
/// features behind it.
#[derive(Debug, Clone)]
pub(crate) struct Scores {
    pub(crate) prob: [f32; 6],
    found: Vec<(Found, [f32; 6])>,
}

impl Scores {
    /// Whether any feature of the message carries a weight (with none, the
    /// probabilities are only the classes' base rates and say nothing).
    pub(crate) fn informed(&self) -> bool {
        !self.found.is_empty()
    }

    /// The features that pushed hardest towards `label`, strongest first.
    pub(crate) fn top(&self, label: Label, n: usize) -> Vec<Found> {
        let i = label as usize;
        let mut v: Vec<&(Found, [f32; 6])> = self
            .found
            .iter()
            .filter(|(f, w)| f.telling && w[i] > 0.05)
            .collect();
        v.sort_by(|a, b| b.1[i].total_cmp(&a.1[i]));
        let mut out: Vec<Found> = Vec::new();
        for (f, _) in v {
            // One quotation per stretch of the message.
            if out.iter().all(|g| f.last < g.first || g.last < f.first) {
                out.push(*f);
            }
            if out.len() == n {
                break;
            }
        }
        out
    }
}

fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z.clamp(-30.0, 30.0)).exp())
}

fn parse_row(s: &str) -> Option<[f32; 6]> {
    let mut w = [0.0f32; 6];
    let mut it = s.split(' ');
    for x in &mut w {
        *x = it.next()?.parse().ok()?;
    }
    it.next().is_none().then_some(w)
}

impl Model {
    pub(crate) fn load() -> Self {
        Self::parse(WEIGHTS)
    }

    pub(crate) fn parse(text: &str) -> Self {
        let mut m = Model::default();
        for (n, line) in text.lines().enumerate() {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut f = line.splitn(3, '\t');
            let (kind, a, b) = (f.next(), f.next(), f.next());
            let ok = match (kind, a, b) {
                (Some("bias"), Some(w), None) => parse_row(w).map(|w| m.bias = w).is_some(),
                (Some("w" | "b" | "l"), Some(name), Some(w)) => match parse_row(w) {
                    Some(w) => {
                        let parts: Vec<&str> = match kind {
                            Some("l") => vec!["@", name],
                            _ => name.split(' ').collect(),
                        };
                        m.weights.insert(key(&parts), w);
                        true
                    }
                    None => false,
                },
                _ => false,
            };
            if !ok {
                m.errors
                    .push(format!("weights.txt line {}: unreadable", n + 1));
            }
        }
        m
    }

    pub(crate) fn score(&self, found: &[Found]) -> Scores {
        let mut z = self.bias;
        let mut hits = Vec::with_capacity(found.len());
        for f in found {
            if let Some(w) = self.weights.get(&f.key) {
                for (zi, wi) in z.iter_mut().zip(w) {
                    *zi += wi;
                }
                hits.push((*f, *w));
            }
        }
        Scores {
            prob: z.map(sigmoid),
            found: hits,
        }
    }
}

/// A tiny deterministic generator, so that training is reproducible.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
}

/// The feature names of a message, as written in `weights.txt`.
fn named(text: &str, lists: &[(&'static str, &'static str)]) -> Vec<(char, String)> {
    let mut tokens = Vec::new();
    tokenize(text, &mut tokens);
    let mut out = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        out.push(('w', t.word.clone()));
        if let Some(n) = tokens.get(i + 1) {
            out.push(('b', format!("{} {}", t.word, n.word)));
        }
        for (name, words) in lists {
            if LISTS.contains(name)
                && words
                    .split('|')
                    .any(|w| super::text::stem(w) == t.word.as_str())
            {
                out.push(('l', (*name).to_string()));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Train the weights on labelled messages and return the text of
/// `weights.txt`. Features seen in fewer than two messages are dropped;
/// training is plain stochastic gradient descent with L2 regularisation, in
/// an order fixed by a seeded generator, so the same data gives the same file.
pub fn train(examples: &[(String, Label)]) -> String {
    let lists = super::lexicon::parse().lists;
    let docs: Vec<Vec<(char, String)>> = examples.iter().map(|(t, _)| named(t, &lists)).collect();
    let mut count: HashMap<&(char, String), usize> = HashMap::new();
    for d in &docs {
        for f in d {
            *count.entry(f).or_default() += 1;
        }
    }
    let mut vocab: Vec<&(char, String)> = count
        .iter()
        .filter(|(_, n)| **n >= 2)
        .map(|(f, _)| *f)
        .collect();
    vocab.sort();
    let index: HashMap<&(char, String), usize> =
        vocab.iter().enumerate().map(|(i, f)| (*f, i)).collect();
    let rows: Vec<(Vec<usize>, usize)> = docs
        .iter()
        .zip(examples)
        .map(|(d, (_, l))| {
            (
                d.iter().filter_map(|f| index.get(f).copied()).collect(),
                *l as usize,
            )
        })
        .collect();
    let mut w = vec![[0.0f32; 6]; vocab.len()];
    let mut bias = [0.0f32; 6];
    let mut order: Vec<usize> = (0..rows.len()).collect();
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    const EPOCHS: usize = 40;
    const L2: f32 = 2e-3;
    for epoch in 0..EPOCHS {
        for i in (1..order.len()).rev() {
            let j = (rng.next() % (i as u64 + 1)) as usize;
            order.swap(i, j);
        }
        let rate = 0.2 / (1.0 + epoch as f32 * 0.2);
        for &r in &order {
            let (fs, label) = &rows[r];
            for c in 0..6 {
                let z = bias[c] + fs.iter().map(|&f| w[f][c]).sum::<f32>();
                let g = sigmoid(z) - if c == *label { 1.0 } else { 0.0 };
                bias[c] -= rate * g;
                for &f in fs {
                    w[f][c] -= rate * (g + L2 * w[f][c]);
                }
            }
        }
    }
    let row = |w: &[f32; 6]| {
        w.iter()
            .map(|x| format!("{x:.3}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut out = String::from(
        "# Palisade triage: learned word weights (see model.rs). Generated by\n\
         # `cargo run --release -p palisade-guidance --example triage_train`; do not edit.\n\
         # Columns: clinical admin personal abusive threat self_harm.\n",
    );
    out.push_str(&format!("# trained on {} messages\n", examples.len()));
    out.push_str(&format!("bias\t{}\n", row(&bias)));
    for (f, wf) in vocab.iter().zip(&w) {
        if wf.iter().all(|x| x.abs() < 0.02) {
            continue;
        }
        out.push_str(&format!("{}\t{}\t{}\n", f.0, f.1, row(wf)));
    }
    out
}
