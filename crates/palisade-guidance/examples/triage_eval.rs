//! Evaluate triage on the project's labelled sets and write the report.
//!
//! `cargo run --release -p palisade-guidance --example triage_eval` writes
//! `crates/palisade-guidance/eval/REPORT.md`. With `--misses SET` (`dev`,
//! `heldout`, `blind`, `blind2` or `blind3`) it also prints that set's
//! mistakes with every reason.

use palisade_guidance::Label;
use palisade_guidance::triage::eval::{Example, Metrics, evaluate, parse_jsonl};
use std::path::Path;
use std::process::ExitCode;

/// The blind sets: never used to train the learned weights or to write rules
/// before they were first scored (see `eval/FIRST_SCORES.md`).
const BLIND: [(&str, &str); 3] = [
    ("blind", "triage_blind.jsonl"),
    ("blind2", "triage_blind2.jsonl"),
    ("blind3", "triage_blind3.jsonl"),
];

fn read(dir: &Path, file: &str) -> Result<Vec<Example>, String> {
    let text = std::fs::read_to_string(dir.join(file))
        .map_err(|e| format!("cannot read eval/{file}: {e}"))?;
    parse_jsonl(&text).map_err(|e| format!("eval/{file} {e}"))
}

fn main() -> ExitCode {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("eval");
    let loaded = (|| -> Result<_, String> {
        let main = read(&dir, "triage.jsonl")?;
        let mut blind = Vec::new();
        for (name, file) in BLIND {
            blind.push((name, read(&dir, file)?));
        }
        let first = std::fs::read_to_string(dir.join("FIRST_SCORES.md"))
            .map_err(|e| format!("cannot read eval/FIRST_SCORES.md: {e}"))?;
        Ok((main, blind, first))
    })();
    let (main, blind, first) = match loaded {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    let show: Option<String> = {
        let args: Vec<String> = std::env::args().collect();
        args.iter()
            .position(|a| a == "--misses")
            .and_then(|i| args.get(i + 1).cloned())
    };
    let split = |name: &str| evaluate(main.iter().filter(|e| e.split.as_deref() == Some(name)));
    let mut sets: Vec<(&str, Metrics)> = vec![("dev", split("dev")), ("heldout", split("heldout"))];
    for (name, set) in &blind {
        sets.push((name, evaluate(set.iter())));
    }
    let union = evaluate(blind.iter().flat_map(|(_, s)| s.iter()));
    for (name, m) in &sets {
        if show.as_deref() == Some(*name) {
            for miss in &m.misses {
                println!(
                    "[{name}] expected {} got {}: {}\n    {}",
                    miss.expected, miss.got, miss.text, miss.reasons
                );
            }
        }
    }
    let report = report(&sets, &union, &first);
    print!("{report}");
    if let Err(e) = std::fs::write(dir.join("REPORT.md"), &report) {
        eprintln!("error: cannot write eval/REPORT.md: {e}");
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}

const DATA: &str = "## The sets\n\n\
- `eval/triage.jsonl`, split `dev` (1,402): the 813 development messages of the first round, \
and five batches written in the second (176, 140, 138, 115 and 20 messages). Each batch was \
scored untouched before any rule was written for it (`eval/FIRST_SCORES.md`). One first-round \
label was changed: \"feeling really low since I lost my job, not suicidal just low\" from \
`self_harm` to `clinical`, because the issue names \"I'm not suicidal but my meds aren't \
working\" as a message that should not be flagged.\n\
- Split `heldout` (300): written before the first round of rules; since the second round it \
is tuned on like the development set.\n\
- `eval/triage_blind.jsonl` (319), `triage_blind2.jsonl` (240), `triage_blind3.jsonl` (240): \
never used to train the weights. Blind 1 was written before any rule changed and measured the \
baseline; blind 2 after tuning; blind 3 after the faults blind 2 showed were fixed. Messages \
that came within a Jaccard word overlap of 0.67 of an earlier message were rewritten before \
scoring. After blind 2 was first scored, its \
misses led to fixes in general mechanisms and to rules for the idioms it contained (\"up in \
flames\", \"with your name on it\", \"get my hands on you\"); nothing was changed after \
blind 3.\n\n";

const WEAKNESSES: &str = "## Remaining weaknesses\n\n\
- **Recall on unseen phrasing is 0.85 to 0.92, not 0.95.** Misses on blind 3 are new idioms of \
violence (\"you'll get a doing\", \"I'll have your kneecaps\", \"spark you out\"), veiled \
warnings with no alarming word (\"don't go to sleep tonight\", \"I could get to you anytime\"), \
self-injury described without its usual words (\"dig my nails into my skin until it breaks\"), \
and plans stated abstractly (\"I've got the means and I've picked a date\"). More development \
messages of each kind, then a fresh blind set, is the way on.\n\
- **The learned weights raise false alarms and explain them weakly.** On everyday messages \
(\"I'm shattered all the time, could it be my thyroid?\", \"new address is 14 Elm Road\") they \
can lean to `self_harm` or `threat`, and their quoted words are sometimes generic (\"time\", \
\"one\", \"dont\"). Tightening which words may raise a flag trades recall for precision and \
needs a fresh blind set to judge.\n\
- **A second-person safety statement can read as self-harm**: \"you'll never feel safe again\" \
is flagged as `self_harm` (it is urgent either way, but the wrong kind).\n\
- **Abuse without insult words** falls to `personal` or `admin` (blind 3 abuse recall 0.633: \
\"eff off\", \"kiss my arse\", \"what a bunch of wasters\", \"take a running jump\"), which is \
also why `personal` precision is low there.\n\
- **Every message was written inside the project** (two authors). A set written by someone \
else will use phrasings neither thought of, so treat the blind-3 figures as an upper estimate.\n\
- Labelling choices that a reader may not share: a clinical denial of suicidal thoughts is \
`clinical` (reported, not flagged); someone else's accidental overdose is `clinical`; waiting \
for the doctor \"after your shift\" is `personal`, waiting \"outside\" or \"by your car\" is a \
`threat`.\n\n";

fn misses(m: &Metrics) -> String {
    let mut s = String::from("| expected | predicted | message |\n| --- | --- | --- |\n");
    for miss in &m.misses {
        s.push_str(&format!(
            "| {} | {} | {} |\n",
            miss.expected,
            miss.got,
            miss.text.replace('|', "\\|")
        ));
    }
    s
}

fn row(name: &str, what: &str, m: &Metrics) -> String {
    let c = |l| m.class(l);
    format!(
        "| {name} | {what} | {} | {:.3} / {:.3} | {:.3} / {:.3} | {:.3} |\n",
        m.n,
        c(Label::Threat).precision,
        c(Label::Threat).recall,
        c(Label::SelfHarm).precision,
        c(Label::SelfHarm).recall,
        m.macro_f1
    )
}

fn describe(name: &str) -> (&'static str, &'static str) {
    match name {
        "dev" => ("Development set", "rules written and weights trained on it"),
        "heldout" => (
            "Old held-out set",
            "written before the first round of rules; tuned on since",
        ),
        "blind" => (
            "Blind set 1",
            "baseline measured on it first; read afterwards (optimistic)",
        ),
        "blind2" => (
            "Blind set 2",
            "first score 0.850 / 0.917 recall; read and acted on since (optimistic)",
        ),
        _ => (
            "Blind set 3",
            "scored once with the committed classifier; the honest estimate",
        ),
    }
}

fn report(sets: &[(&str, Metrics)], union: &Metrics, first: &str) -> String {
    let mut s = String::from(
        "# Message triage: evaluation report\n\n\
Generated by `cargo run --release -p palisade-guidance --example triage_eval` from the \
project's own labelled messages (British English as patients write it: typos, text-speak, \
emoji, dialect, indirect phrasing; every message written for Palisade). Targets: recall at \
least 0.95 for `threat` and `self_harm`; macro-F1 at least 0.85.\n\n\
## How triage decides\n\n\
1. **Phrase rules** (`src/triage/rules.txt`) over canonical tokens: text-speak, common \
misspellings (\"kil myslef\", \"sucidal\"), emoji classes, stems, one typing slip. Self-harm \
comes first, then threats; a moderate sign (0.6) is enough for either. Building blocks are \
combined: a means of self-harm with a plan or preparation; saying they found out or already \
know, with the doctor's home, family, car or haunts; watching with a place or time outside \
work. Rules that recognise an innocent reading (idioms such as \"could murder a cuppa\", \
accidents, illness, a question about a safe dose) correct the alarming words. An explicit \
denial of suicidal thoughts in a message about the sender's health (\"I'm not suicidal but \
my meds aren't working\") is clinical, with the denial reported; any other sign of risk, or \
no clinical content, and it is flagged.\n\
2. **Learned word weights** (`src/triage/weights.txt`, one logistic regression per class over \
the same tokens, adjacent word pairs and the rule file's word lists; trained by \
`--example triage_train` on the development and old held-out sets only). When the rules found \
no sign of risk, the weights may raise a message to `self_harm` or `threat` if that class is \
their first choice with probability at least 0.4 (0.7 when the rules found decisive evidence \
of another class), never where a rule recognised an innocent reading, and only with words to \
quote. They never clear a flag the rules raised. Among clinical, admin and personal, a class \
the weights lean to (0.5 or more) adds its probability to the rules' evidence.\n\n\
Every result lists the phrases that decided it (\"reads like the self-harm messages it learned \
from: …\" for the weights).\n\n\
Throughput: `cargo bench -p palisade-guidance --bench triage` (one thread; every labelled \
message cycled to 1,000,000) measured 136,000 to 191,000 messages/s across runs on the project's shared \
2-core build machine (5 to 7 µs each), against a target of 50,000 (the rules alone ran at 200,000 to 350,000).\n\n\
## Summary (the committed classifier)\n\n\
| set | status | messages | threat P / R | self_harm P / R | macro-F1 |\n\
| --- | --- | ---: | ---: | ---: | ---: |\n",
    );
    for (name, m) in sets {
        s.push_str(&row(name, describe(name).1, m));
    }
    s.push_str(&row("blind 1+2+3", "union of the blind sets", union));
    let b3 = &sets.iter().find(|(n, _)| *n == "blind3").map(|(_, m)| m);
    if let Some(b3) = b3 {
        let t = b3.class(Label::Threat).recall;
        let h = b3.class(Label::SelfHarm).recall;
        s.push_str(&format!(
            "\n**Verdict.** On the development set and on the union of the blind sets the targets \
are met, but that union contains two sets that were read after their first score. On the one \
set scored only once with the committed classifier (blind 3) recall is {t:.3} for `threat` and \
{h:.3} for `self_harm`, **below the 0.95 target**, and macro-F1 is {:.3} ({}). Judged on \
messages it has never seen, expect roughly 0.85 to 0.92 recall on the two safety classes (see \
the first scores below), up from 0.65 to 0.72 for the classifier as it was found. The tests \
in `tests/triage_eval.rs` assert the targets on the development set and the union, and guard \
blind set 3 at what it achieved less a small margin.\n\n",
            b3.macro_f1,
            if b3.macro_f1 >= 0.85 {
                "target met"
            } else {
                "just below the 0.85 target"
            }
        ));
    }
    s.push_str(DATA);
    s.push_str(WEAKNESSES);
    for (name, m) in sets {
        s.push_str(&format!(
            "## {} ({})\n\n{}\n",
            describe(name).0,
            describe(name).1,
            m.to_markdown()
        ));
    }
    s.push_str(&format!(
        "## Union of the blind sets\n\n{}\n",
        union.to_markdown()
    ));
    for (name, m) in sets.iter().filter(|(n, _)| n.starts_with("blind")) {
        s.push_str(&format!(
            "## {} mistakes (committed classifier)\n\n{}\n",
            describe(name).0,
            misses(m)
        ));
    }
    s.push_str("---\n\n");
    s.push_str(first);
    s
}
