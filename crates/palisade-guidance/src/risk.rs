//! The risk level of a case and every reason for it. A level is never given
//! without its factors, and each factor says what in the log (or in the
//! doctor's answers) raised it. The level is the highest any factor reaches.

use crate::dates::{self, medium};
use crate::indicators::Indicators;
use crate::questionnaire::Questionnaire;
use serde::Serialize;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskLevel {
    Standard,
    Elevated,
    High,
    Urgent,
}

impl RiskLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            RiskLevel::Standard => "standard",
            RiskLevel::Elevated => "elevated",
            RiskLevel::High => "high",
            RiskLevel::Urgent => "urgent",
        }
    }
}

impl fmt::Display for RiskLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One reason for the level.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Factor {
    /// Stable kebab-case id.
    pub id: &'static str,
    /// The level this factor alone calls for.
    pub level: RiskLevel,
    pub title: String,
    /// What in the case shows it (dates and counts).
    pub explanation: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RiskAssessment {
    pub level: RiskLevel,
    /// For `urgent`: what to do now, always starting with the police.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lead: Option<String>,
    /// Highest first.
    pub factors: Vec<Factor>,
}

/// Days without contact after which an elevated case returns to standard.
pub const QUIET_DAYS: i64 = 56;

/// What to do at once when the level is urgent.
pub const CALL_POLICE_NOW: &str = "Call the police now (999 in an emergency)";

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

fn factor(id: &'static str, level: RiskLevel, title: &str, explanation: String) -> Factor {
    Factor {
        id,
        level,
        title: title.to_string(),
        explanation,
    }
}

fn from_log(ind: &Indicators, out: &mut Vec<Factor>) {
    use RiskLevel::*;
    if let Some(last) = ind.threats.last() {
        out.push(factor(
            "threat-message",
            Urgent,
            "Threatening messages",
            format!(
                "{} read as a threat and not yet acknowledged by anyone; the latest {}.",
                plural(ind.threats.len(), "message", "messages"),
                last.describe()
            ),
        ));
    }
    if let Some(last) = ind.self_harm.last() {
        out.push(factor(
            "self-harm-message",
            Urgent,
            "Risk of self-harm",
            format!(
                "{} the patient may harm themselves, not yet acknowledged by anyone; the latest {}. A clinician must see this today.",
                plural(ind.self_harm.len(), "message suggests", "messages suggest"),
                last.describe()
            ),
        ));
    }
    if let Some(last) = ind.acknowledged_threats.last() {
        out.push(factor(
            "threat-message-acknowledged",
            High,
            "Threatening messages (acknowledged)",
            format!(
                "{} read as a threat {} acknowledged by a person, so {} no longer urgent on {} own; a threat still raises the risk. The latest {}.",
                plural(ind.acknowledged_threats.len(), "message", "messages"),
                if ind.acknowledged_threats.len() == 1 { "was" } else { "were" },
                if ind.acknowledged_threats.len() == 1 { "it is" } else { "they are" },
                if ind.acknowledged_threats.len() == 1 { "its" } else { "their" },
                last.describe()
            ),
        ));
    }
    if let Some(last) = ind.acknowledged_self_harm.last() {
        out.push(factor(
            "self-harm-message-acknowledged",
            Elevated,
            "Earlier risk of self-harm (acknowledged)",
            format!(
                "{} the patient might harm themselves, acknowledged by a person; the latest {}.",
                plural(
                    ind.acknowledged_self_harm.len(),
                    "message suggested",
                    "messages suggested"
                ),
                last.describe()
            ),
        ));
    }
    if let (Some(&last), Some(today)) = (ind.at_home.last(), ind.today) {
        let recent = dates::days_between(last, today) <= 28;
        out.push(factor(
            "approach-at-home",
            if recent { Urgent } else { High },
            "Approaches at your home",
            format!(
                "{} at your home, the latest on {}{}.",
                plural(ind.at_home.len(), "approach", "approaches"),
                medium(last),
                if recent {
                    ", within the last four weeks"
                } else {
                    ""
                }
            ),
        ));
    }
    if let Some(last) = ind.private_life.last() {
        out.push(factor(
            "private-life",
            High,
            "Knowledge of your private life",
            format!(
                "{} the sender knows about your life outside work; the latest {}.",
                plural(ind.private_life.len(), "message shows", "messages show"),
                last.describe()
            ),
        ));
    }
    if let Some(&last) = ind.in_person_elsewhere.last() {
        out.push(factor(
            "approach-elsewhere",
            High,
            "Approaches away from the practice",
            format!(
                "{} outside the practice and your home, the latest on {}.",
                plural(ind.in_person_elsewhere.len(), "approach", "approaches"),
                medium(last)
            ),
        ));
    }
    if let (Some(asked), true) = (ind.asked_to_stop, ind.after_request > 0) {
        let level = if ind.after_request >= 3 {
            High
        } else {
            Elevated
        };
        let same_day = if ind.same_day_as_request > 0 {
            format!(
                " ({} on the day of the request itself are not counted, because the request was recorded without a time)",
                plural(ind.same_day_as_request, "contact", "contacts")
            )
        } else {
            String::new()
        };
        out.push(factor(
            "contact-after-request",
            level,
            "Contact went on after the request to stop",
            format!(
                "{} since you asked the patient to stop on {}{}; contact on two or more occasions can be a course of conduct under the Protection from Harassment Act 1997.",
                plural(ind.after_request, "contact", "contacts"),
                medium(asked),
                same_day
            ),
        ));
    }
    let rate = ind.weekly_rate();
    if rate >= 5.0 {
        out.push(factor(
            "contact-rate",
            if rate >= 20.0 { High } else { Elevated },
            "Frequent contact",
            format!(
                "{} in the last 28 days, about {:.0} a week.",
                plural(ind.last_28_days, "contact", "contacts"),
                rate
            ),
        ));
    }
    if ind.accelerating() {
        out.push(factor(
            "acceleration",
            Elevated,
            "Contact is speeding up",
            format!(
                "{} in the last 7 days against {} in the 7 days before.",
                plural(ind.last_7_days, "contact", "contacts"),
                ind.previous_7_days
            ),
        ));
    }
    if ind.channels.len() >= 3 {
        out.push(factor(
            "many-channels",
            Elevated,
            "Many routes of contact",
            format!(
                "Contact has come by {} different routes: {}.",
                ind.channels.len(),
                ind.channels.iter().cloned().collect::<Vec<_>>().join(", ")
            ),
        ));
    }
    if let Some(&last) = ind.gifts.last() {
        out.push(factor(
            "gifts",
            Elevated,
            "Gifts",
            format!(
                "{}, the latest on {}.",
                plural(ind.gifts.len(), "gift", "gifts"),
                medium(last)
            ),
        ));
    }
    if ind.third_party > 0 {
        let names = if ind.third_party_names.is_empty() {
            String::new()
        } else {
            format!(
                " ({})",
                ind.third_party_names
                    .iter()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        out.push(factor(
            "third-parties",
            Elevated,
            "Other people are involved",
            format!(
                "{} from or through family, friends or others{}.",
                plural(ind.third_party, "contact came", "contacts came"),
                names
            ),
        ));
    }
    if ind.out_of_hours >= 3 {
        out.push(factor(
            "out-of-hours",
            Elevated,
            "Contact out of hours",
            format!(
                "{} in the evening, at night or at the weekend.",
                plural(ind.out_of_hours, "contact came", "contacts came")
            ),
        ));
    }
    let abusive = ind.count(crate::Label::Abusive);
    if abusive > 0 {
        out.push(factor(
            "abusive-messages",
            Elevated,
            "Abusive messages",
            format!(
                "{} read as abusive.",
                plural(abusive, "message", "messages")
            ),
        ));
    }
    if let Some(last) = ind.fixation.last() {
        out.push(factor(
            "fixation",
            Elevated,
            "Signs of a fixed belief in a relationship",
            format!(
                "{} as if a relationship exists; the latest {}.",
                plural(
                    ind.fixation.len(),
                    "message is written",
                    "messages are written"
                ),
                last.describe()
            ),
        ));
    }
}

fn from_answers(q: &Questionnaire, ind: &Indicators, out: &mut Vec<Factor>) {
    use RiskLevel::*;
    let threatened = q.yes("threatened_violence")
        || !ind.threats.is_empty()
        || !ind.acknowledged_threats.is_empty();
    let both = q.yes("afraid") && threatened;
    // (question, factor id, level, title, explanation)
    let table: [(&str, &'static str, RiskLevel, &str, &str); 9] = [
        (
            "violence",
            "answer-violence",
            Urgent,
            "Violence",
            "You answered that this person has been violent, now or before.",
        ),
        (
            "afraid",
            "answer-afraid",
            High,
            "You are frightened",
            "You answered that you are frightened of what this person might do.",
        ),
        (
            "threatened_violence",
            "answer-threats",
            High,
            "Threats of violence",
            "You answered that this person has threatened physical or sexual violence.",
        ),
        (
            "property_damaged",
            "answer-property-damaged",
            High,
            "Damage to property",
            "You answered that property has been damaged or interfered with.",
        ),
        (
            "visits_home_or_work",
            "answer-visits",
            High,
            "Visits to home or work",
            "You answered that this person has turned up at your home or workplace more than once.",
        ),
        (
            "loitering",
            "answer-loitering",
            High,
            "Loitering",
            "You answered that this person has been seen waiting or hanging about near you.",
        ),
        (
            "third_parties",
            "answer-third-parties",
            Elevated,
            "Others targeted or recruited",
            "You answered that family, friends or colleagues have been targeted or drawn in.",
        ),
        (
            "previous_harassment",
            "answer-previous-harassment",
            Elevated,
            "Harassment before",
            "You answered that this person has harassed you or others before.",
        ),
        (
            "substance_misuse",
            "answer-substance-misuse",
            Elevated,
            "Drink or drugs",
            "You answered that you know of heavy drinking or drug use.",
        ),
    ];
    if both {
        out.push(factor(
            "answer-afraid-after-threats",
            Urgent,
            "Fear after threats",
            "You are frightened of this person and there have been threats of violence.".into(),
        ));
    }
    for (question, id, level, title, explanation) in table {
        let covered = both && matches!(question, "afraid" | "threatened_violence");
        if q.yes(question) && !covered {
            out.push(factor(id, level, title, explanation.to_string()));
        }
    }
    match q.four() {
        4 => out.push(factor(
            "four",
            High,
            "Fixated, obsessive, unwanted and repeated",
            "You answered yes to all four of the signs the police use to recognise stalking (FOUR).".into(),
        )),
        n @ 2..=3 => out.push(factor(
            "four",
            Elevated,
            "Some of the FOUR signs of stalking",
            format!("You answered yes to {n} of the four signs (fixated, obsessive, unwanted, repeated)."),
        )),
        _ => {}
    }
}

/// Assess the case from its indicators and, if given, the doctor's answers.
pub fn assess(ind: &Indicators, answers: Option<&Questionnaire>) -> RiskAssessment {
    let mut factors = Vec::new();
    from_log(ind, &mut factors);
    if let Some(q) = answers {
        from_answers(q, ind, &mut factors);
    }
    // Highest first; the order within a level is the order above.
    factors.sort_by_key(|f| std::cmp::Reverse(f.level));
    let mut level = factors.first().map_or(RiskLevel::Standard, |f| f.level);
    // A long quiet spell brings an elevated case back to standard; the
    // earlier factors stay listed for the record. High and urgent are never
    // lowered this way.
    if let (RiskLevel::Elevated, Some(last), Some(today)) = (level, ind.last_contact, ind.today) {
        let days = dates::days_between(last, today);
        if days >= QUIET_DAYS {
            level = RiskLevel::Standard;
            factors.insert(
                0,
                factor(
                    "quiet-period",
                    RiskLevel::Standard,
                    "No contact for some time",
                    format!(
                        "No contact for {} weeks, since {}; the factors below are earlier and no longer raise the level on their own.",
                        days / 7,
                        medium(last)
                    ),
                ),
            );
        }
    }
    let lead = (level == RiskLevel::Urgent).then(|| {
        let mut s = format!("{CALL_POLICE_NOW}.");
        if !ind.self_harm.is_empty() {
            s.push_str(" If the patient may be about to harm themselves, 999 is also the number for them; make sure a clinician reviews the messages today.");
        }
        s.push_str(" Give the police only the patient information they need.");
        s
    });
    RiskAssessment {
        level,
        lead,
        factors,
    }
}
