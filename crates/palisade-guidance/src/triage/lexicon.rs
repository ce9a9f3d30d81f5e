//! The triage rules live in `rules.txt` beside this file (compiled into the
//! binary): each names what it shows, which class (or building-block
//! feature) it supports, how strongly, and the words that show it, in the
//! pattern language described in [`super::matcher`]. This module reads that
//! file; a malformed line is reported in [`Rules::errors`] (a test keeps the
//! list empty) and otherwise skipped.

use super::Label;

/// Building blocks that only count in combination (see `Evidence::combine`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Feature {
    /// Watching, following, photographing, passing by.
    Observe,
    /// A place in the doctor's private life (home, shops, gym, school).
    PrivatePlace,
    /// A time outside work (weekend, evening).
    OffDuty,
    /// The doctor's family or household.
    Family,
    /// The doctor's clothes or looks.
    Appearance,
    /// The doctor's home, garden or car.
    Home,
    /// A statement (not a question) about the doctor's family.
    FamilyFact,
    /// Good wishes (which make a family mention friendly, not watchful).
    Wish,
    /// A friendly invitation or congratulation ("we should go together",
    /// "well done on your time"): a sighting at a place or time outside work
    /// that comes with one is a personal approach, not surveillance (unless
    /// it also names the doctor's home or family).
    Invite,
    /// Says they know or found out something ("wasn't hard to find", "I
    /// already know"): surveillance with a place, the home or the family.
    Knows,
    /// A means of self-harm (tablets, a named drug, rope, a height).
    Means,
    /// A plan or preparation (stockpiling, lined up, all at once): self-harm
    /// together with a means.
    Plan,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    Class(Label),
    Feature(Feature),
    /// A veiled warning: a threat unless it is about a complaint or legal action.
    Vague,
    /// Complaints, regulators, courts, the press.
    Legal,
    /// An explicit clinical denial of suicidal thoughts ("not suicidal", "no
    /// thoughts of harming myself"): see `Evidence::decide`.
    Denial,
}

#[derive(Debug)]
pub(crate) struct Rule {
    pub(crate) target: Target,
    pub(crate) weight: f32,
    pub(crate) why: &'static str,
    pub(crate) pattern: &'static str,
}

/// The rule file, parsed.
#[derive(Debug, Default)]
pub(crate) struct Rules {
    pub(crate) rules: Vec<Rule>,
    /// Named word lists, used in patterns as `@name`.
    pub(crate) lists: Vec<(&'static str, &'static str)>,
    pub(crate) errors: Vec<String>,
}

/// The rule files, read in order (a later file may use the word lists of an
/// earlier one): the phrase rules written round by round, then the general
/// mechanisms (lexicons of slang, veiled-threat templates, final acts,
/// insulting comparisons) written for phrasings by new authors.
const FILES: [(&str, &str); 2] = [
    ("rules.txt", include_str!("rules.txt")),
    ("rules_general.txt", include_str!("rules_general.txt")),
];

fn target(s: &str) -> Option<Target> {
    Some(match s {
        "vague" => Target::Vague,
        "legal" => Target::Legal,
        "denial" => Target::Denial,
        "feature:knows" => Target::Feature(Feature::Knows),
        "feature:means" => Target::Feature(Feature::Means),
        "feature:plan" => Target::Feature(Feature::Plan),
        "feature:observe" => Target::Feature(Feature::Observe),
        "feature:private_place" => Target::Feature(Feature::PrivatePlace),
        "feature:off_duty" => Target::Feature(Feature::OffDuty),
        "feature:family" => Target::Feature(Feature::Family),
        "feature:appearance" => Target::Feature(Feature::Appearance),
        "feature:home" => Target::Feature(Feature::Home),
        "feature:family_fact" => Target::Feature(Feature::FamilyFact),
        "feature:wish" => Target::Feature(Feature::Wish),
        "feature:invite" => Target::Feature(Feature::Invite),
        other => Target::Class(other.parse().ok()?),
    })
}

pub(crate) fn parse() -> Rules {
    let mut out = Rules::default();
    for (file, i, line) in FILES
        .iter()
        .flat_map(|(f, t)| t.lines().enumerate().map(move |(i, l)| (*f, i, l)))
    {
        let n = i + 1;
        let line = line.trim_end();
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(def) = line.strip_prefix('@') {
            match def.split_once(" = ") {
                Some((name, words)) if !name.is_empty() && !words.is_empty() => {
                    out.lists.push((name.trim(), words.trim()));
                }
                _ => out
                    .errors
                    .push(format!("{file} line {n}: bad list definition")),
            }
            continue;
        }
        let fields: Vec<&'static str> = line.split('\t').collect();
        let [t, w, why, pattern] = fields[..] else {
            out.errors
                .push(format!("{file} line {n}: expected 4 tab-separated fields"));
            continue;
        };
        let (Some(target), Ok(weight)) = (target(t), w.parse::<f32>()) else {
            out.errors
                .push(format!("{file} line {n}: bad target '{t}' or weight '{w}'"));
            continue;
        };
        out.rules.push(Rule {
            target,
            weight,
            why,
            pattern,
        });
    }
    out
}
