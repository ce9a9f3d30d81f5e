//! The guidance engine of Palisade, pure and deterministic: nothing here
//! reads files, clocks or the network. It reads a case as
//! [`palisade_core::view::CaseView`] and a date, and says what the published
//! guidance suggests doing next ([`rules`]), which deadlines are open
//! ([`deadlines`]), how serious the risk looks and why ([`risk`]); it sorts
//! incoming messages ([`triage`]); and it drafts the letters the guidance
//! describes ([`letters`]). For before anything happens, it writes boundary
//! statements and a privacy checklist ([`prevention`]).
//!
//! Every recommendation names the organisation and document it comes from
//! ([`sources`]). The wording is Palisade's own.
#![forbid(unsafe_code)]

pub mod dates;
pub mod deadlines;
pub mod indicators;
pub mod letters;
pub mod prevention;
pub mod questionnaire;
pub mod risk;
pub mod rules;
pub mod script;
pub mod sources;
pub mod triage;

pub use deadlines::{Deadline, DeadlineStatus};
pub use indicators::Indicators;
pub use prevention::{BoundaryInput, BoundaryStatement, ProfileKind, boundary_statement};
pub use questionnaire::{QUESTIONS, Question, Questionnaire};
pub use risk::{Factor, RiskAssessment, RiskLevel};
pub use rules::Step;
pub use triage::{Label, Reason, Triage, classify};

use jiff::civil::Date;
use palisade_core::view::{CaseView, EntryTriage};
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// Which engine produced a triage label or a risk assessment: the crate
/// version and a digest of its source (rules, weights and code), so that a
/// recorded label or level can be traced to the rules that gave it.
pub const ENGINE: &str = concat!(
    "palisade-guidance/",
    env!("CARGO_PKG_VERSION"),
    "+",
    env!("PALISADE_GUIDANCE_DIGEST")
);

/// The triage of an entry's words, for people reading the case: `None` for
/// the doctor's own messages and for entries without verbatim content.
pub fn entry_triage(e: &palisade_core::view::EntryView) -> Option<EntryTriage> {
    if !indicators::is_inbound(e) {
        return None;
    }
    let t = classify(indicators::words(e)?);
    Some(EntryTriage {
        label: t.label.as_str().to_string(),
        reasons: serde_json::to_value(&t.reasons).unwrap_or(Value::Array(Vec::new())),
        engine: ENGINE.to_string(),
        acknowledged: e
            .acknowledgements
            .iter()
            .any(|a| a.label == t.label.as_str()),
    })
}

/// Attach [`entry_triage`] to every entry of the case. Triage is a pure
/// function of an entry's content and the engine, so it is computed when the
/// case is read rather than stored.
pub fn annotate(case: &mut CaseView) {
    for e in &mut case.entries {
        e.triage = entry_triage(e);
    }
}

/// Entries whose current triage label someone has acknowledged. An
/// acknowledgement covers the label it names: if the words are corrected (or
/// the rules change) so that the entry reads differently, the new flag is
/// open again.
pub fn acknowledged(case: &CaseView) -> BTreeSet<String> {
    case.entries
        .iter()
        .filter(|e| !e.acknowledgements.is_empty())
        .filter(|e| {
            let label =
                e.triage.as_ref().map(|t| t.label.clone()).or_else(|| {
                    indicators::words(e).map(|w| classify(w).label.as_str().to_string())
                });
            label.is_some_and(|l| e.acknowledgements.iter().any(|a| a.label == l))
        })
        .map(|e| e.id.clone())
        .collect()
}

/// The answers given, as recorded: question id → boolean, unanswered
/// questions left out.
pub fn answers_json(q: &Questionnaire) -> Value {
    Value::Object(
        QUESTIONS
            .iter()
            .filter_map(|x| q.answer(x.id).map(|a| (x.id.to_string(), Value::Bool(a))))
            .collect(),
    )
}

/// The ledger record of an assessment: its level, every factor (`id`,
/// `level`, `title`, `explanation`), the answers it used, the day it was
/// made for and this engine.
pub fn assessment_record(
    risk: &RiskAssessment,
    answers: Option<&Questionnaire>,
    as_of: Date,
    trigger: palisade_core::domain::AssessmentTrigger,
    by: Option<String>,
) -> palisade_core::compose::NewRiskAssessment {
    use palisade_core::domain::RiskLevel as Recorded;
    palisade_core::compose::NewRiskAssessment {
        level: match risk.level {
            RiskLevel::Standard => Recorded::Standard,
            RiskLevel::Elevated => Recorded::Elevated,
            RiskLevel::High => Recorded::High,
            RiskLevel::Urgent => Recorded::Urgent,
        },
        factors: Value::Array(
            risk.factors
                .iter()
                .map(|f| {
                    json!({
                        "id": f.id,
                        "level": f.level,
                        "title": f.title,
                        "explanation": f.explanation,
                    })
                })
                .collect(),
        ),
        answers: answers
            .map(answers_json)
            .filter(|v| v.as_object().is_some_and(|o| !o.is_empty())),
        as_of,
        engine: ENGINE.to_string(),
        trigger,
        by,
    }
}

/// The questionnaire answers recorded last on the case, if any (answers
/// that no longer parse, e.g. from a later version with more questions, are
/// skipped).
pub fn recorded_answers(case: &CaseView) -> Option<Questionnaire> {
    case.assessments
        .iter()
        .rev()
        .filter_map(|a| a.answers.as_ref())
        .find_map(|v| serde_json::from_value(v.clone()).ok())
}

/// What the engine needs besides the case: the day to evaluate on (passed
/// in, so results are reproducible), the doctor's answers to the risk
/// questions if any, and the threat or self-harm entries a person has already
/// acknowledged.
#[derive(Debug, Clone)]
pub struct Context {
    pub today: Date,
    pub answers: Option<Questionnaire>,
    pub acknowledged: BTreeSet<String>,
}

impl Context {
    pub fn new(today: Date) -> Self {
        Context {
            today,
            answers: None,
            acknowledged: BTreeSet::new(),
        }
    }

    pub fn with_answers(mut self, answers: Questionnaire) -> Self {
        self.answers = Some(answers);
        self
    }

    /// The context the ledger gives a case: the answers of its latest
    /// recorded questionnaire and the flags people have acknowledged.
    pub fn for_case(case: &CaseView, today: Date) -> Self {
        Context {
            today,
            answers: recorded_answers(case),
            acknowledged: acknowledged(case),
        }
    }
}

/// Everything `palisade next` shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Advice {
    pub steps: Vec<Step>,
    pub deadlines: Vec<Deadline>,
    pub risk: RiskAssessment,
    pub indicators: Indicators,
}

/// Steps, deadlines and risk for `case` as of `ctx.today`.
pub fn advise(case: &CaseView, ctx: &Context) -> Advice {
    let indicators = indicators::compute(case, ctx.today, &ctx.acknowledged);
    let risk = risk::assess(&indicators, ctx.answers.as_ref());
    let facts = rules::Facts {
        case,
        ind: &indicators,
        risk: &risk,
        answers: ctx.answers.as_ref(),
        today: ctx.today,
    };
    let steps = rules::steps(&facts);
    let deadlines = deadlines::deadlines(case, ctx.today);
    Advice {
        steps,
        deadlines,
        risk,
        indicators,
    }
}

impl Advice {
    /// One JSON object: `steps` (`id`, `title`, `reason`, `source`),
    /// `deadlines` (`id`, `what`, `due`, `status`, `basis`, `source`) and
    /// `risk` (`level`, `lead` when urgent, `factors`).
    pub fn to_json(&self) -> Value {
        json!({
            "steps": self.steps.iter().map(|s| json!({
                "id": s.id,
                "title": s.title,
                "reason": s.reason,
                "source": s.source.to_string(),
            })).collect::<Vec<_>>(),
            "deadlines": self.deadlines.iter().map(|d| json!({
                "id": d.id,
                "what": d.what,
                "due": d.due.to_string(),
                "status": d.status,
                "basis": d.basis,
                "source": d.source.to_string(),
            })).collect::<Vec<_>>(),
            "risk": self.risk,
            "indicators": self.indicators,
        })
    }
}
