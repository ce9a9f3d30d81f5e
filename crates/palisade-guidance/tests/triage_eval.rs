//! The labelled evaluation sets: per-class precision and recall and
//! macro-F1 on the development set (rules written and weights trained on
//! it), the old held-out set (tuned on since), the third author's set 4
//! (development since its first score), and the three blind sets (never
//! used for training; see `eval/REPORT.md` and `eval/FIRST_SCORES.md` for
//! what was looked at and when).

use palisade_guidance::Label;
use palisade_guidance::triage::eval::{Example, Metrics, evaluate, parse_jsonl};

fn main_set() -> Vec<Example> {
    parse_jsonl(include_str!("../eval/triage.jsonl")).expect("eval set parses")
}

fn set4() -> Vec<Example> {
    parse_jsonl(include_str!("../eval/triage_set4.jsonl")).expect("set 4 parses")
}

fn blind_sets() -> [(&'static str, Vec<Example>); 3] {
    let p = |s| parse_jsonl(s).expect("blind set parses");
    [
        ("blind1", p(include_str!("../eval/triage_blind.jsonl"))),
        ("blind2", p(include_str!("../eval/triage_blind2.jsonl"))),
        ("blind3", p(include_str!("../eval/triage_blind3.jsonl"))),
    ]
}

fn split(name: &str) -> Metrics {
    let all = main_set();
    let chosen: Vec<&Example> = all
        .iter()
        .filter(|e| e.split.as_deref() == Some(name))
        .collect();
    assert!(chosen.len() >= 300, "{name} has {} messages", chosen.len());
    evaluate(chosen)
}

fn at_least(m: &Metrics, threat: f64, self_harm: f64, macro_f1: f64) {
    let r = |l| m.class(l).recall;
    assert!(r(Label::Threat) >= threat, "{}", m.to_markdown());
    assert!(r(Label::SelfHarm) >= self_harm, "{}", m.to_markdown());
    assert!(m.macro_f1 >= macro_f1, "{}", m.to_markdown());
}

#[test]
fn eval_sets_are_large_balanced_and_separate() {
    let all = main_set();
    assert!(all.len() >= 1500);
    for l in Label::ALL {
        let n = all
            .iter()
            .filter(|e| e.label == l && e.split.as_deref() == Some("heldout"))
            .count();
        assert!(n >= 50, "held-out {l}: {n}");
    }
    let trained: std::collections::HashSet<String> = all
        .iter()
        .chain(set4().iter())
        .map(|e| e.text.to_lowercase())
        .collect();
    for (name, set) in blind_sets() {
        assert!(set.len() >= 200, "{name}: {}", set.len());
        for l in [Label::Threat, Label::SelfHarm] {
            let n = set.iter().filter(|e| e.label == l).count();
            assert!(n >= 60, "{name} {l}: {n}");
        }
        for l in Label::ALL {
            assert!(set.iter().any(|e| e.label == l), "{name} has no {l}");
        }
        // A blind message is never also a development message.
        for e in &set {
            assert!(
                !trained.contains(&e.text.to_lowercase()),
                "{name}: {}",
                e.text
            );
        }
    }
}

/// The targets, met on the set the rules and weights were developed on.
#[test]
fn development_set_meets_the_targets() {
    let m = split("dev");
    eprintln!("{}", m.to_markdown());
    at_least(&m, 0.95, 0.95, 0.85);
}

/// Set 4 was written by a third author who saw neither the rules nor any
/// earlier set; it first scored macro-F1 0.839 (recall 0.829 `threat`, 0.943
/// `self_harm`, 0.657 `abusive`). It has been developed on since (general
/// mechanisms written from its misses, and the weights trained on it), so
/// it now only guards against regressions.
#[test]
fn set_4_meets_the_targets() {
    let set = set4();
    assert_eq!(set.len(), 420);
    let m = evaluate(set.iter());
    eprintln!("{}", m.to_markdown());
    at_least(&m, 0.95, 0.95, 0.85);
    assert!(
        m.class(Label::Abusive).recall >= 0.90,
        "{}",
        m.to_markdown()
    );
}

/// The old held-out set has been tuned on since it was first scored
/// (0.90 recall on both safety classes then); it now meets the targets.
#[test]
fn old_held_out_set_meets_the_targets() {
    let m = split("heldout");
    at_least(&m, 0.95, 0.95, 0.85);
}

/// The union of the three blind sets meets the targets, but note: blind sets
/// 1 and 2 were read after their first score (blind 1 then measured 0.716 /
/// 0.652 recall for the classifier as found; blind 2 first scored 0.850 /
/// 0.917 with the classifier then declared final), so the union is
/// optimistic. Blind set 3, below, is the honest measure.
#[test]
fn union_of_blind_sets_meets_the_targets() {
    let sets = blind_sets();
    let m = evaluate(sets.iter().flat_map(|(_, s)| s.iter()));
    eprintln!("{}", m.to_markdown());
    at_least(&m, 0.95, 0.95, 0.85);
    assert!(
        m.class(Label::Threat).precision >= 0.90,
        "{}",
        m.to_markdown()
    );
    assert!(
        m.class(Label::SelfHarm).precision >= 0.90,
        "{}",
        m.to_markdown()
    );
}

/// Blind set 3 was scored once, with the classifier as committed then: it
/// fell short of the targets (recall 0.883 `threat`, 0.867 `self_harm`,
/// macro-F1 0.848). Its misses were then published in `eval/REPORT.md`, and
/// session 3 generalised families of phrasing that include some of them
/// (slang for a beating, abstract plans), so it no longer measures unseen
/// phrasing. These assertions guard its first score, less a small margin,
/// so that any regression fails; they are not the targets.
#[test]
fn blind_set_3_is_guarded_at_what_it_achieved() {
    let [_, _, (_, set)] = blind_sets();
    let m = evaluate(set.iter());
    eprintln!("{}", m.to_markdown());
    at_least(&m, 0.85, 0.83, 0.82);
    assert!(
        m.class(Label::Threat).precision >= 0.95,
        "{}",
        m.to_markdown()
    );
    assert!(
        m.class(Label::SelfHarm).precision >= 0.85,
        "{}",
        m.to_markdown()
    );
}

/// Blind sets 1 and 2 are guarded too (they were read after their first
/// score, so they guard against regressions rather than measure).
#[test]
fn blind_sets_1_and_2_do_not_regress() {
    let [(_, b1), (_, b2), _] = blind_sets();
    at_least(&evaluate(b1.iter()), 0.97, 0.97, 0.90);
    at_least(&evaluate(b2.iter()), 0.97, 0.97, 0.95);
}

/// Blind set 4 (a third author, held back while session 3 tuned, scored once
/// at its end: threat recall 0.800, self_harm 0.940, macro-F1 0.827) is
/// guarded at that score less a small margin, so later changes cannot make
/// the honest estimate worse unnoticed. The targets are not met on it.
#[test]
fn blind_set_4_does_not_fall_below_its_one_honest_score() {
    let set = parse_jsonl(include_str!("../eval/triage_blind4.jsonl")).expect("blind 4 parses");
    assert_eq!(set.len(), 300);
    let m = evaluate(set.iter());
    at_least(&m, 0.78, 0.92, 0.80);
}
