//! Message triage: sort one message into `clinical`, `admin`, `personal`,
//! `abusive`, `threat` or `self_harm`, and say which words decided it.
//!
//! First a transparent rule set: patient messages are canonicalised
//! (text-speak, common misspellings, apostrophes, emphasis, emoji, masked
//! swearing, light stemming, single typing slips) and matched against phrase
//! rules in `rules.txt` (read by `lexicon`), some of which only count in
//! combination (a means of self-harm with a plan; knowing where the doctor
//! lives with their home or family). Safety comes first: any sign of risk to
//! the sender makes the message `self_harm` (it must reach a clinician at
//! once, whatever else it says), then any threat or sign of surveillance
//! makes it `threat`. Denials ("I'm not going to hurt myself") do not clear
//! either, except an explicit denial of suicidal thoughts in a message about
//! the sender's health, which is clinical with the denial reported. Then,
//! where the rules found no sign of risk, learned word weights (`model`) may
//! still raise a message to `self_harm` or `threat`, quoting the words they
//! leaned on; they never clear a sign the rules found. Otherwise the
//! strongest evidence among abuse, personal approaches, clinical and
//! administrative content wins.

pub mod eval;
mod lexicon;
mod matcher;
pub mod model;
mod text;

use lexicon::{Feature, Target};
use matcher::{Compiled, Hit};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

/// What a message is, for the person reading the case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Label {
    /// About the sender's health or treatment.
    Clinical,
    /// Appointments, prescriptions to collect, forms, records.
    Admin,
    /// Romantic or social approaches, compliments, gifts, questions about the
    /// doctor's private life, pestering for a reply.
    Personal,
    /// Insults, swearing at the doctor, wishing them harm.
    Abusive,
    /// A threat to the doctor, their family, staff or property, or signs the
    /// sender is watching the doctor's private life.
    Threat,
    /// Risk to the sender: a safeguarding matter for a clinician at once.
    SelfHarm,
}

impl Label {
    pub const ALL: [Label; 6] = [
        Label::Clinical,
        Label::Admin,
        Label::Personal,
        Label::Abusive,
        Label::Threat,
        Label::SelfHarm,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Label::Clinical => "clinical",
            Label::Admin => "admin",
            Label::Personal => "personal",
            Label::Abusive => "abusive",
            Label::Threat => "threat",
            Label::SelfHarm => "self_harm",
        }
    }

    /// Whether a message with this label needs a person to see it now.
    pub fn is_urgent(self) -> bool {
        matches!(self, Label::Threat | Label::SelfHarm)
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown triage label '{0}' (expected clinical, admin, personal, abusive, threat or self_harm)"
)]
pub struct UnknownLabel(pub String);

impl FromStr for Label {
    type Err = UnknownLabel;
    fn from_str(s: &str) -> Result<Self, UnknownLabel> {
        Label::ALL
            .into_iter()
            .find(|l| l.as_str() == s)
            .ok_or_else(|| UnknownLabel(s.to_string()))
    }
}

/// One piece of evidence: what was found, the words that showed it, and the
/// class it points to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reason {
    pub label: Label,
    /// What the words show, e.g. "threatens violence".
    pub feature: &'static str,
    /// The words in the message (empty for a whole-message feature).
    pub matched: String,
    /// A denial came just before ("not", "never"): still counted, because a
    /// denial of harm is itself something a person should read.
    pub negated: bool,
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.feature)?;
        if !self.matched.is_empty() {
            write!(f, ": \"{}\"", self.matched.replace(['\n', '\r', '\t'], " "))?;
        }
        if self.negated {
            f.write_str(" (denied, still flagged)")?;
        }
        Ok(())
    }
}

/// The result for one message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Triage {
    pub label: Label,
    /// The evidence that decided the label (never empty).
    pub reasons: Vec<Reason>,
    /// Other evidence found, pointing elsewhere (e.g. the insults in a threat).
    pub other: Vec<Reason>,
}

static COMPILED: LazyLock<Compiled> = LazyLock::new(Compiled::build);
static MODEL: LazyLock<(model::Model, model::Lists)> =
    LazyLock::new(|| (model::Model::load(), model::Lists::new(&COMPILED.lists)));

/// How sure the learned weights must be to raise a message to `self_harm`
/// or `threat` on their own (see `model`); the class must also be the one
/// they find most likely.
const LEARNED: f32 = 0.4;

/// The same, when the rules already found evidence of another class (a
/// symptom, an errand, "my soulmate"; at least [`SOME`]): the learned
/// weights must be surer to overrule them.
const LEARNED_OVER_RULES: f32 = 0.7;

/// What counts as evidence of another class for that: half a decisive rule.
/// (Set 4 showed the weights raising false alarms on messages with a symptom
/// or an errand in them: "night sweats", "can my husband pick up my meds".)
const SOME: f32 = 0.5;

/// Among clinical, admin and personal, the learned probability of a class
/// the model leans to (0.5 or more) is added to the rules' evidence with this
/// weight (a confident model counts as much as one decisive rule). Abuse
/// needs the words themselves (insults, swearing), so it is left to the rules.
const MIX: f32 = 1.0;

/// What it takes for a class to win on its own.
const DECISIVE: f32 = 1.0;

/// Self-harm and threats win on less: a moderate sign is enough, because a
/// missed one costs far more than a person reading a false alarm.
const SAFETY: f32 = 0.6;

const NEGATORS: &[&str] = &[
    "not", "no", "never", "dont", "wont", "cant", "didnt", "aint", "isnt", "wouldnt", "couldnt",
    "shouldnt", "nt", "nothing", "neither", "nor",
];

#[derive(Default)]
struct Evidence {
    scores: [f32; 6],
    reasons: Vec<Reason>,
    features: Vec<(Feature, Reason)>,
    vague: Vec<Reason>,
    legal: bool,
    /// Self-harm evidence inside an explicit denial of suicidal thoughts,
    /// held back until `decide` knows whether anything else is at risk.
    denied: Vec<(f32, Reason)>,
    /// The denial itself ("not suicidal"), reported whatever the label.
    denial: Option<Reason>,
    /// A rule recognised an innocent reading of alarming words (an idiom,
    /// an accident, illness, a denial): the learned weights may not override it.
    explained: [bool; 6],
    /// The learned weights' view, when the rules found no sign of risk.
    learned: Option<model::Scores>,
}

impl Evidence {
    fn add(&mut self, label: Label, weight: f32, reason: Reason) {
        self.scores[label.index()] += weight;
        // Negative weights only correct a false lead; they are not evidence.
        if weight > 0.0 {
            self.reasons.push(reason);
        }
    }

    fn has(&self, f: Feature) -> bool {
        self.features.iter().any(|(g, _)| *g == f)
    }

    /// Says they found out or already know something about the doctor.
    fn knows(&self) -> bool {
        self.has(Feature::Knows)
    }

    fn take(&self, fs: &[Feature]) -> Vec<Reason> {
        self.features
            .iter()
            .filter(|(g, _)| fs.contains(g))
            .map(|(_, r)| Reason {
                label: Label::Threat,
                ..r.clone()
            })
            .collect()
    }

    /// Move the building blocks in `fs` into the reasons for `label`, each
    /// worded by `word`.
    fn promote(
        &mut self,
        label: Label,
        weight: f32,
        fs: &[Feature],
        word: fn(&'static str) -> &'static str,
    ) {
        self.scores[label.index()] += weight;
        let rs = self.take(fs);
        self.reasons.extend(rs.into_iter().map(|r| Reason {
            label,
            feature: word(r.feature),
            ..r
        }));
    }

    /// Combinations that only mean something together: watching plus a
    /// place or time in the doctor's private life is surveillance; saying
    /// they found out or already know, with the doctor's home, family or
    /// haunts, is surveillance; a means of self-harm with a plan or
    /// preparation is self-harm; veiled warnings are threats unless they are
    /// about a complaint or legal action.
    fn combine(&mut self, asked: bool, exclaimed: bool) {
        use Feature::*;
        if self.has(Means) && self.has(Plan) {
            self.promote(Label::SelfHarm, DECISIVE, &[Means, Plan], |f| {
                if f.starts_with("names a means") {
                    "means of self-harm, with a plan or preparation"
                } else {
                    "plan or preparation, with a means of self-harm"
                }
            });
        }
        let place = self.has(PrivatePlace) || self.has(OffDuty);
        if self.has(Knows) && (place || self.has(Family) || self.has(Home) || self.has(Observe)) {
            self.promote(
                Label::Threat,
                DECISIVE,
                &[Knows, PrivatePlace, OffDuty, Family, Home],
                |f| {
                    if f.starts_with("says they know") {
                        "surveillance: says they found out about the doctor's private life"
                    } else {
                        surveillance(f)
                    }
                },
            );
        }
        // A sighting in a friendly tone is a personal approach, not
        // surveillance: with an invitation or congratulation and no home or
        // family in it ("saw you at the gig, we should go together"), or
        // exclaimed and naming no home ("saw you at the fireworks with your
        // kids, they're gorgeous!"; no threat in the labelled sets has an
        // exclamation mark).
        let friendly = !self.has(Home)
            && ((self.has(Invite) && !self.has(Family)) || (exclaimed && !self.knows()));
        if friendly && (self.has(Observe) || self.has(Appearance)) {
            let rs = self.take(&[Invite, Observe, Appearance]);
            self.reasons.extend(rs.into_iter().map(|r| Reason {
                label: Label::Personal,
                feature: "a friendly sighting (an invitation or an exclamation), not surveillance",
                ..r
            }));
            self.scores[Label::Personal.index()] += DECISIVE;
            self.explained[Label::Threat.index()] = true;
        } else if self.has(Observe) && (place || self.has(Family) || self.has(Home)) {
            self.scores[Label::Threat.index()] += DECISIVE;
            let rs = self.take(&[Observe, PrivatePlace, OffDuty, Family, Home]);
            self.reasons.extend(rs.into_iter().map(|r| Reason {
                feature: surveillance(r.feature),
                ..r
            }));
        } else if self.has(Appearance) && (place || self.has(Home) || self.has(Family)) {
            self.scores[Label::Threat.index()] += DECISIVE;
            let rs = self.take(&[Appearance, PrivatePlace, OffDuty, Home, Family]);
            self.reasons.extend(rs.into_iter().map(|r| Reason {
                feature: surveillance(r.feature),
                ..r
            }));
        }
        // Facts about the doctor's family, stated rather than asked and not
        // part of good wishes, show knowledge of their private life.
        if self.has(Wish) {
            self.explained[Label::Threat.index()] = true;
        }
        let family_out = self.has(Family) && place;
        if (self.has(FamilyFact) || family_out) && !self.has(Wish) && !asked {
            self.scores[Label::Threat.index()] += SAFETY;
            let rs = self.take(&[FamilyFact, Family, PrivatePlace, OffDuty]);
            self.reasons.extend(rs.into_iter().map(|r| Reason {
                feature: "surveillance: states facts about the doctor's family",
                ..r
            }));
        }
        let vague = std::mem::take(&mut self.vague);
        let to = if self.legal {
            Label::Abusive
        } else {
            Label::Threat
        };
        for r in vague {
            self.scores[to.index()] += DECISIVE;
            self.reasons.push(Reason {
                label: to,
                feature: if self.legal {
                    "veiled warning tied to a complaint or legal action"
                } else {
                    r.feature
                },
                ..r
            });
        }
    }

    /// An explicit denial of suicidal thoughts in a message about the
    /// sender's health ("I'm not suicidal but my meds aren't working") is
    /// clinical: the denied words do not count, and the denial is reported
    /// among the other evidence. It never clears anything else: any other
    /// sign of risk, or no clinical content at all ("I'm not suicidal, don't
    /// worry"), and the denied words count again and the message is flagged.
    fn settle_denial(&mut self) {
        let held: f32 = self.denied.iter().map(|(w, _)| w).sum();
        let clinical = self.scores[Label::Clinical.index()] > 0.0;
        let at_risk = self.scores[Label::SelfHarm.index()] >= SAFETY;
        let denied = std::mem::take(&mut self.denied);
        if at_risk || !clinical || held <= 0.0 {
            for (w, r) in denied {
                self.add(Label::SelfHarm, w, r);
            }
        } else if let Some(d) = self.denial.take() {
            self.explained[Label::SelfHarm.index()] = true;
            self.reasons.push(d);
        }
    }

    /// When the rules found no sign of risk, the learned weights may still
    /// recognise one; they never clear a sign the rules found.
    fn learned(&mut self, tokens: &[text::Token], text: &str) {
        let s = |l: Label| self.scores[l.index()];
        if s(Label::SelfHarm) >= SAFETY || s(Label::Threat) >= SAFETY {
            return;
        }
        let (m, lists) = &*MODEL;
        let mut found = Vec::with_capacity(tokens.len() * 3);
        model::features(tokens, lists, &mut found);
        let scores = m.score(&found);
        if !scores.informed() {
            return;
        }
        self.learned = Some(scores.clone());
        // The more the rules found for another class, the surer the
        // weights must be to overrule them.
        let other = [
            Label::Clinical,
            Label::Admin,
            Label::Personal,
            Label::Abusive,
        ]
        .into_iter()
        .map(s)
        .fold(0.0f32, f32::max);
        let bar = if other >= SOME {
            LEARNED_OVER_RULES
        } else {
            LEARNED
        };
        let blocked = |l: Label| self.explained[l.index()] || (l == Label::Threat && self.legal);
        let Some(label) = [Label::SelfHarm, Label::Threat].into_iter().find(|&l| {
            let p = scores.prob[l.index()];
            // The class must be the model's first choice, not merely likely.
            p >= bar && scores.prob.iter().all(|&q| q <= p) && !blocked(l)
        }) else {
            return;
        };
        // No telling words to quote, no alarm: every flag must be explained.
        let rs = learned_reasons(&scores, label, tokens, text);
        if !rs.is_empty() {
            self.scores[label.index()] += DECISIVE;
            self.reasons.extend(rs);
        }
    }

    fn decide(&self) -> Label {
        let s = |l: Label| self.scores[l.index()];
        if s(Label::SelfHarm) >= SAFETY {
            return Label::SelfHarm;
        }
        if s(Label::Threat) >= SAFETY {
            return Label::Threat;
        }
        if s(Label::Abusive) >= DECISIVE {
            return Label::Abusive;
        }
        // With nothing clinical or administrative in it, a message to a
        // doctor's personal channel is personal contact. The learned weights
        // add their probability to the rules' evidence.
        let s = |l: Label| {
            let learned = self
                .learned
                .as_ref()
                .filter(|_| l != Label::Abusive)
                .map(|m| m.prob[l.index()])
                .filter(|p| *p >= 0.5);
            s(l) + learned.map_or(0.0, |p| MIX * p)
        };
        let mut best = (Label::Personal, 0.0f32);
        // Ties go to the earlier class in this order.
        for l in [
            Label::Abusive,
            Label::Personal,
            Label::Clinical,
            Label::Admin,
        ] {
            if s(l) > best.1 {
                best = (l, s(l));
            }
        }
        best.0
    }
}

/// The words the learned weights leaned on most for `label`, as reasons.
fn learned_reasons(
    scores: &model::Scores,
    label: Label,
    tokens: &[text::Token],
    text: &str,
) -> Vec<Reason> {
    let feature = match label {
        Label::SelfHarm => "reads like the self-harm messages it learned from",
        Label::Threat => "reads like the threats it learned from",
        Label::Abusive => "reads like the abusive messages it learned from",
        Label::Personal => "reads like the personal approaches it learned from",
        Label::Clinical => "reads like the clinical messages it learned from",
        Label::Admin => "reads like the administrative messages it learned from",
    };
    scores
        .top(label, 3)
        .into_iter()
        .filter_map(|f| {
            let (a, b) = (tokens.get(f.first)?, tokens.get(f.last)?);
            Some(Reason {
                label,
                feature,
                matched: text.get(a.start..b.end)?.to_string(),
                negated: false,
            })
        })
        .collect()
}

/// The wording a building block takes when it is part of surveillance.
fn surveillance(feature: &'static str) -> &'static str {
    match feature {
        "names a place in the doctor's private life" => {
            "surveillance: places the doctor somewhere in their private life"
        }
        "names a time outside work" => "surveillance: places the doctor outside working hours",
        "mentions the doctor's family" => "surveillance: refers to the doctor's family",
        "mentions the doctor's home" => "surveillance: refers to the doctor's home or car",
        "comments on the doctor's clothes" | "comments on how the doctor looked" => {
            "surveillance: describes how the doctor looked outside work"
        }
        _ => "surveillance: says they saw or followed the doctor",
    }
}

/// A message of nothing but emoji: weapons or death say threat, pills say
/// self-harm.
fn emoji_only(tokens: &[text::Token], text: &str, ev: &mut Evidence) {
    for t in tokens {
        let (label, feature) = match t.word.as_str() {
            "emopill" | "emorope" => (Label::SelfHarm, "sends only pill or rope emoji"),
            "emoknife" | "emogun" | "emobomb" | "emoaxe" | "emoskull" | "emocoffin"
            | "emoblood" | "emofist" => (Label::Threat, "sends only weapon, blood or death emoji"),
            _ => continue,
        };
        ev.add(
            label,
            DECISIVE,
            Reason {
                label,
                feature,
                matched: text.get(t.start..t.end).unwrap_or_default().to_string(),
                negated: false,
            },
        );
    }
}

fn negated(tokens: &[text::Token], first: usize) -> bool {
    tokens[first.saturating_sub(3)..first]
        .iter()
        .any(|t| NEGATORS.contains(&t.word.as_str()))
}

/// Classify one message. Never fails and never panics; a message with no
/// recognised words is `personal`, with a reason saying so.
pub fn classify(text: &str) -> Triage {
    let compiled = &*COMPILED;
    let mut tokens = Vec::with_capacity(32);
    let shape = text::tokenize(text, &mut tokens);
    let mut hits: Vec<Hit> = Vec::with_capacity(16);
    compiled.find(&tokens, &mut hits);
    let mut ev = Evidence::default();
    // Spans of explicit denials of suicidal thoughts, found first so that
    // the self-harm words inside them can be held back.
    let denials: Vec<(usize, usize)> = hits
        .iter()
        .filter(|h| {
            compiled
                .rules
                .get(h.rule)
                .is_some_and(|r| r.target == Target::Denial)
        })
        .map(|h| (h.first, h.last))
        .collect();
    for h in &hits {
        let Some(rule) = compiled.rules.get(h.rule) else {
            continue;
        };
        let (Some(a), Some(b)) = (tokens.get(h.first), tokens.get(h.last)) else {
            continue;
        };
        let matched = text.get(a.start..b.end).unwrap_or_default().to_string();
        let neg = negated(&tokens, h.first);
        let reason = |label| Reason {
            label,
            feature: rule.why,
            matched: matched.clone(),
            negated: neg && label.is_urgent(),
        };
        let in_denial = || denials.iter().any(|&(a, b)| h.first <= b && a <= h.last);
        match rule.target {
            Target::Class(Label::SelfHarm) if rule.weight > 0.0 && in_denial() => {
                ev.denied.push((rule.weight, reason(Label::SelfHarm)));
            }
            Target::Class(l) => {
                if rule.weight < 0.0 {
                    ev.explained[l.index()] = true;
                }
                ev.add(l, rule.weight, reason(l));
            }
            Target::Feature(f @ (Feature::Means | Feature::Plan)) => {
                ev.features.push((f, reason(Label::SelfHarm)));
            }
            Target::Feature(f) => ev.features.push((f, reason(Label::Threat))),
            Target::Vague => ev.vague.push(reason(Label::Threat)),
            Target::Legal => ev.legal = true,
            Target::Denial => {
                ev.denial.get_or_insert(Reason {
                    label: Label::SelfHarm,
                    feature: rule.why,
                    matched: matched.clone(),
                    negated: false,
                });
            }
        }
    }
    if shape.emoji_only() {
        emoji_only(&tokens, text, &mut ev);
    }
    if shape.shouting() {
        ev.add(
            Label::Abusive,
            0.4,
            Reason {
                label: Label::Abusive,
                feature: "written in capitals (shouting)",
                matched: String::new(),
                negated: false,
            },
        );
    }
    ev.combine(shape.questions > 0, shape.exclamations > 0);
    ev.settle_denial();
    ev.learned(&tokens, text);
    let label = ev.decide();
    let (mut reasons, other): (Vec<Reason>, Vec<Reason>) =
        ev.reasons.into_iter().partition(|r| r.label == label);
    if reasons.is_empty()
        && let Some(m) = &ev.learned
    {
        reasons = learned_reasons(m, label, &tokens, text);
    }
    if reasons.is_empty() {
        reasons.push(Reason {
            label,
            feature: if label == Label::Personal {
                "no clinical, administrative or risk words found; treated as personal contact"
            } else {
                "no decisive words; closest to the messages of this kind it learned from"
            },
            matched: String::new(),
            negated: false,
        });
    }
    Triage {
        label,
        reasons,
        other,
    }
}

/// The learned weights' probability for each class (in [`Label::ALL`]
/// order), for diagnostics and the evaluation report; `classify` uses them
/// as described in [`model`].
pub fn learned_probabilities(text: &str) -> [f32; 6] {
    let (m, lists) = &*MODEL;
    let mut tokens = Vec::with_capacity(32);
    text::tokenize(text, &mut tokens);
    let mut found = Vec::with_capacity(tokens.len() * 3);
    model::features(&tokens, lists, &mut found);
    m.score(&found).prob
}

#[cfg(test)]
mod tests;
