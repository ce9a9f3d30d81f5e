//! Palisade's own risk questions, asked of the doctor. They rest on the
//! indicators that public guidance on stalking and harassment names (fear,
//! earlier harassment, damage to property, visits to home or work,
//! loitering, threats of violence, other people drawn in, violence, drink or
//! drugs) and on the College of Policing's FOUR (Fixated, Obsessive,
//! Unwanted, Repeated). The wording is our own; no licensed screening
//! instrument is reproduced.

use serde::{Deserialize, Serialize};

/// One question, its stable id, and a note on what it is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Question {
    pub id: &'static str,
    pub text: &'static str,
    pub why: &'static str,
}

/// The questions, in the order to ask them.
pub const QUESTIONS: &[Question] = &[
    Question {
        id: "afraid",
        text: "Are you frightened of what this person might do to you or to people close to you?",
        why: "Your own sense of danger is one of the strongest warning signs; trust it.",
    },
    Question {
        id: "previous_harassment",
        text: "As far as you know, has this person pestered, harassed or stalked you or anyone else before?",
        why: "Past behaviour of this kind makes it more likely to continue.",
    },
    Question {
        id: "property_damaged",
        text: "Has anything of yours, or of the practice's, been damaged or interfered with?",
        why: "Damage to property often comes before harm to people.",
    },
    Question {
        id: "visits_home_or_work",
        text: "Has this person turned up, unasked, at your home or your workplace more than once?",
        why: "Repeated visits show the person is willing to act in person.",
    },
    Question {
        id: "loitering",
        text: "Have they been seen waiting or hanging about near your home, your car or the practice?",
        why: "Loitering is a form of watching and can precede an approach.",
    },
    Question {
        id: "threatened_violence",
        text: "Have they threatened physical or sexual violence, to you or anyone else?",
        why: "Threats are a direct warning and should go to the police.",
    },
    Question {
        id: "third_parties",
        text: "Have they targeted, or tried to recruit, your family, children, friends or colleagues?",
        why: "Drawing others in widens who is at risk.",
    },
    Question {
        id: "violence",
        text: "Have they been violent, in these events or at any time before, as far as you know?",
        why: "Any history of violence raises the level straight away.",
    },
    Question {
        id: "substance_misuse",
        text: "Do you know of any heavy drinking or drug use?",
        why: "Drink and drugs make behaviour less predictable.",
    },
    Question {
        id: "fixated",
        text: "Does their attention keep coming back to you, whatever you do or say? (Fixated)",
        why: "The first of the police's FOUR signs of stalking.",
    },
    Question {
        id: "obsessive",
        text: "Does it seem to take over their life: many messages, many routes, at all hours? (Obsessive)",
        why: "The second of the FOUR.",
    },
    Question {
        id: "unwanted",
        text: "Have you made it clear, or would any reasonable person know, that the contact is unwelcome? (Unwanted)",
        why: "The third of the FOUR.",
    },
    Question {
        id: "repeated",
        text: "Has it happened on more than one occasion? (Repeated)",
        why: "The fourth of the FOUR; two occasions are enough for a course of conduct in law.",
    },
];

/// The doctor's answers: `Some(true)` yes, `Some(false)` no, `None` not
/// answered or not known.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Questionnaire {
    pub afraid: Option<bool>,
    pub previous_harassment: Option<bool>,
    pub property_damaged: Option<bool>,
    pub visits_home_or_work: Option<bool>,
    pub loitering: Option<bool>,
    pub threatened_violence: Option<bool>,
    pub third_parties: Option<bool>,
    pub violence: Option<bool>,
    pub substance_misuse: Option<bool>,
    pub fixated: Option<bool>,
    pub obsessive: Option<bool>,
    pub unwanted: Option<bool>,
    pub repeated: Option<bool>,
}

impl Questionnaire {
    /// The answer to the question with this id.
    pub fn answer(&self, id: &str) -> Option<bool> {
        match id {
            "afraid" => self.afraid,
            "previous_harassment" => self.previous_harassment,
            "property_damaged" => self.property_damaged,
            "visits_home_or_work" => self.visits_home_or_work,
            "loitering" => self.loitering,
            "threatened_violence" => self.threatened_violence,
            "third_parties" => self.third_parties,
            "violence" => self.violence,
            "substance_misuse" => self.substance_misuse,
            "fixated" => self.fixated,
            "obsessive" => self.obsessive,
            "unwanted" => self.unwanted,
            "repeated" => self.repeated,
            _ => None,
        }
    }

    /// How many of the FOUR were answered yes.
    pub fn four(&self) -> usize {
        [self.fixated, self.obsessive, self.unwanted, self.repeated]
            .iter()
            .filter(|a| **a == Some(true))
            .count()
    }

    pub fn yes(&self, id: &str) -> bool {
        self.answer(id) == Some(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_question_has_an_answer_slot_and_round_trips() {
        let mut q = Questionnaire::default();
        assert!(QUESTIONS.iter().all(|x| q.answer(x.id).is_none()));
        q.fixated = Some(true);
        q.repeated = Some(true);
        assert_eq!(q.four(), 2);
        let v = serde_json::to_string(&q).unwrap();
        assert_eq!(serde_json::from_str::<Questionnaire>(&v).unwrap(), q);
        let all: Questionnaire = serde_json::from_value(serde_json::json!(
            QUESTIONS
                .iter()
                .map(|x| (x.id, true))
                .collect::<std::collections::BTreeMap<_, _>>()
        ))
        .unwrap();
        assert!(QUESTIONS.iter().all(|x| all.yes(x.id)));
        assert!(serde_json::from_str::<Questionnaire>(r#"{"sdash": true}"#).is_err());
    }
}
