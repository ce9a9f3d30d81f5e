//! What to do next: each step follows from what the case records (and what
//! it does not), says why in terms of the case's own dates and counts, and
//! names the published guidance it comes from.

use crate::dates::{self, medium};
use crate::deadlines::{self, RemovalKind};
use crate::indicators::{Indicators, PERSONAL_CHANNELS};
use crate::questionnaire::Questionnaire;
use crate::risk::{CALL_POLICE_NOW, RiskAssessment, RiskLevel};
use crate::sources::*;
use crate::triage::Label;
use jiff::civil::Date;
use palisade_core::view::CaseView;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    /// Stable kebab-case id.
    pub id: &'static str,
    pub title: String,
    /// Why, from the case's own facts.
    pub reason: String,
    pub source: Source,
}

fn step(id: &'static str, title: &str, reason: String, source: Source) -> Step {
    Step {
        id,
        title: title.to_string(),
        reason,
        source,
    }
}

fn n(count: usize, one: &str, many: &str) -> String {
    if count == 1 {
        format!("1 {one}")
    } else {
        format!("{count} {many}")
    }
}

/// The first action of `kind` on or before `today`.
fn done(case: &CaseView, kind: &str, today: Date) -> Option<Date> {
    crate::indicators::actions(case, kind)
        .map(|(_, t)| t.date())
        .filter(|d| *d <= today)
        .min()
}

fn since(ind: &Indicators) -> String {
    match ind.first_contact {
        Some(d) => format!(
            "{} logged since {}",
            n(ind.contacts, "contact", "contacts"),
            medium(d)
        ),
        None => "no contacts logged yet".into(),
    }
}

/// The inputs every rule may read.
pub struct Facts<'a> {
    pub case: &'a CaseView,
    pub ind: &'a Indicators,
    pub risk: &'a RiskAssessment,
    pub answers: Option<&'a Questionnaire>,
    pub today: Date,
}

impl Facts<'_> {
    fn done(&self, kind: &str) -> Option<Date> {
        done(self.case, kind, self.today)
    }
    fn yes(&self, id: &str) -> bool {
        self.answers.is_some_and(|q| q.yes(id))
    }
    fn urgent(&self) -> bool {
        self.risk.level == RiskLevel::Urgent
    }
    fn high(&self) -> bool {
        self.risk.level >= RiskLevel::High
    }
    fn violence_or_threats(&self) -> bool {
        !self.ind.threats.is_empty()
            || !self.ind.acknowledged_threats.is_empty()
            || self.yes("violence")
            || self.yes("threatened_violence")
    }
    fn personal_channels(&self) -> Vec<&str> {
        self.ind
            .channels
            .iter()
            .map(String::as_str)
            .filter(|c| PERSONAL_CHANNELS.contains(c))
            .collect()
    }
}

fn police(f: &Facts, out: &mut Vec<Step>) {
    if f.urgent() {
        let why: Vec<String> = f
            .risk
            .factors
            .iter()
            .filter(|x| x.level == RiskLevel::Urgent)
            .map(|x| format!("{}: {}", x.title, x.explanation))
            .collect();
        out.push(step(
            "call-police-now",
            CALL_POLICE_NOW,
            format!(
                "The risk is urgent. {} If you, your staff or your family may be harmed, the police come before anything else.",
                why.join(" ")
            ),
            MDU_UNWANTED,
        ));
    }
    if let Some(last) = f.ind.self_harm.last() {
        out.push(step(
            "clinician-review-self-harm",
            "Make sure a clinician reads the self-harm messages today",
            format!(
                "{} the patient may harm themselves (the latest on {}). This is a safeguarding matter for the patient, whatever else they have done; if you should not deal with it yourself, hand it to a colleague now.",
                n(f.ind.self_harm.len(), "message suggests", "messages suggest"),
                medium(last.date)
            ),
            GMC_GMP,
        ));
    }
    let course = f.ind.after_request >= 2;
    let reported = f.done("police_reported");
    if !f.urgent() && course && reported.is_none() {
        out.push(step(
            "consider-police-report",
            "Consider reporting the harassment to the police",
            format!(
                "The patient has contacted you {} since you asked them to stop on {}. Harassment (a course of conduct on at least two occasions) is a crime; ask your defence organisation before you disclose anything.",
                n(f.ind.after_request, "time", "times"),
                f.ind.asked_to_stop.map(medium).unwrap_or_default()
            ),
            HARASSMENT_ACT,
        ));
    }
    let involved = f.urgent() || reported.is_some() || course;
    if involved {
        out.push(step(
            "minimum-disclosure",
            "Tell the police only the minimum necessary about the patient",
            "Your duty of confidentiality continues: disclose what is needed to prevent serious harm (who, what happened, when) and withhold clinical details that are not needed. Palisade keeps clinical notes apart so they can be withheld.".into(),
            GMC_CONFIDENTIALITY,
        ));
    }
    let four = f.answers.is_some_and(|q| q.four() == 4)
        || (f.ind.after_request >= 2
            && (!f.ind.at_home.is_empty() || !f.ind.private_life.is_empty()));
    if involved && four {
        out.push(step(
            "stalking-protection-order",
            "Ask the police about a Stalking Protection Order",
            format!(
                "The behaviour looks fixated, obsessive, unwanted and repeated ({}), the pattern the police treat as stalking. A Stalking Protection Order is a civil order the police can apply for early, before a prosecution.",
                since(f.ind)
            ),
            STALKING_PROTECTION_ACT,
        ));
    }
}

fn organisation(f: &Facts, out: &mut Vec<Step>) {
    let in_person =
        f.ind.in_person_practice + f.ind.at_home.len() + f.ind.in_person_elsewhere.len();
    let at_practice = in_person > 0;
    if (f.high() && (f.violence_or_threats() || at_practice))
        && f.done("colleagues_warned").is_none()
    {
        out.push(step(
            "warn-colleagues",
            "Warn colleagues who may be at risk",
            format!(
                "The risk is {} and {}; reception staff and colleagues who may meet the patient should know what to do.",
                f.risk.level,
                if f.violence_or_threats() {
                    "there have been threats".to_string()
                } else {
                    format!("the patient has approached you in person {}", n(in_person, "time", "times"))
                }
            ),
            MDU_UNWANTED,
        ));
    }
    if f.high() {
        out.push(step(
            "tell-medical-director-or-commissioner",
            "Tell the medical director and legal department (in a trust) or the commissioning body (in general practice)",
            format!(
                "The risk is {}. In a trust these people can improve security and follow the trust's protocols; a GP practice can ask its commissioning body for practical help.",
                f.risk.level
            ),
            MDU_UNWANTED,
        ));
    }
    if (!f.ind.at_home.is_empty() || !f.ind.private_life.is_empty() || f.yes("loitering"))
        && f.done("security_measure").is_none()
    {
        out.push(step(
            "review-security",
            "Review security at home, at work and online",
            format!(
                "{}{}. Consider how you travel to and from work, who answers the door, and what about you can be found online.",
                if f.ind.at_home.is_empty() {
                    String::new()
                } else {
                    format!("The patient has come to your home {}", n(f.ind.at_home.len(), "time", "times"))
                },
                if f.ind.private_life.is_empty() {
                    String::new()
                } else {
                    format!(
                        "{}{} knowledge of your private life",
                        if f.ind.at_home.is_empty() { "" } else { "; " },
                        n(f.ind.private_life.len(), "message shows", "messages show")
                    )
                }
            ),
            MDU_UNWANTED,
        ));
    }
}

fn escalation(f: &Facts, out: &mut Vec<Step>) {
    let ind = f.ind;
    if ind.contacts > 0 && ind.asked_to_stop.is_none() {
        let safe = if f.urgent() || f.violence_or_threats() {
            " Do this only if it is safe: after threats or violence, let the police and your manager decide whether and how the patient is told."
        } else {
            ""
        };
        out.push(step(
            "ask-to-stop-in-writing",
            "Ask the patient, politely but firmly and in writing, to stop; tell them how to raise clinical matters with the practice instead",
            format!(
                "{}, and no request to stop is recorded. Dealt with early, it often ends here.{safe}",
                since(ind)
            ),
            MDU_UNWANTED,
        ));
    }
    if ind.contacts > 0 && f.done("informed_manager").is_none() {
        out.push(step(
            "inform-manager",
            "Tell your practice manager, a partner or your clinical director",
            format!(
                "{}; nobody in management is recorded as told. Keep them informed from the start.",
                since(ind)
            ),
            MDU_UNWANTED,
        ));
    }
    if ind.contacts > 0 && f.done("defence_org_contacted").is_none() {
        out.push(step(
            "contact-defence-organisation",
            "Call your defence organisation for advice",
            format!(
                "{}; no call to a defence organisation is recorded. They advise on letters, disclosure to the police and ending the relationship (the MDU's line is open 24 hours).",
                since(ind)
            ),
            MDU_UNWANTED,
        ));
    }
    if let (Some(asked), true) = (ind.asked_to_stop, ind.after_request > 0)
        && ind.manager_letter.is_none()
    {
        out.push(step(
            "manager-writes-formally",
            "Ask your manager or a partner to write formally to the patient",
            format!(
                "You asked the patient to stop on {}, and {} followed (the latest on {}).",
                medium(asked),
                n(ind.after_request, "contact has", "contacts have"),
                ind.last_after_request.map(medium).unwrap_or_default()
            ),
            MDU_UNWANTED,
        ));
    }
    let persisting = ind.after_manager_letter > 0 || ind.after_request >= 3;
    let transferred = f.done("care_transferred");
    if (persisting || f.high()) && transferred.is_none() {
        out.push(step(
            "consider-transfer-of-care",
            "Consider transferring the patient's care to a colleague",
            if ind.after_manager_letter > 0 {
                format!(
                    "Contact continued after the formal letter of {}: {} since.",
                    ind.manager_letter.map(medium).unwrap_or_default(),
                    n(ind.after_manager_letter, "contact", "contacts")
                )
            } else if persisting {
                format!(
                    "{} after the request to stop.",
                    n(ind.after_request, "contact", "contacts")
                )
            } else {
                format!("The risk is {}.", f.risk.level)
            },
            MDU_AMOROUS,
        ));
    }
    let amorous =
        f.case.kind == "amorous" || ind.count(Label::Personal) > 0 || !ind.fixation.is_empty();
    if amorous
        && transferred.is_none()
        && f.done("chaperone_required").is_none()
        && ind.contacts > 0
    {
        out.push(step(
            "chaperone",
            "If you keep seeing the patient, have a chaperone, especially for intimate examinations and home visits",
            format!(
                "{} of a personal kind; patients who believe in a relationship with their doctor are more likely to make false allegations.",
                n(ind.count(Label::Personal) + ind.fixation.len(), "message is", "messages are")
            ),
            MDU_UNWANTED,
        ));
    }
}

fn ending(f: &Facts, out: &mut Vec<Step>) {
    let ind = f.ind;
    let removal = deadlines::last_removal(f.case, f.today);
    let breakdown = f.violence_or_threats()
        || ind.count(Label::Abusive) > 0
        || (f.case.kind == "amorous" && ind.after_request > 0);
    let persisting = ind.after_manager_letter > 0;
    if removal.is_none()
        && f.done("relationship_ended").is_none()
        && f.done("removal_notice").is_none()
        && (persisting || breakdown)
    {
        out.push(step(
            "consider-ending-relationship",
            "Consider ending the professional relationship (in general practice, asking for removal from the list)",
            format!(
                "{}. End it only if trust has broken down so that you cannot give good care: violence, threats, abuse and sexual advances are examples. Arrange continuing care and pass the records on promptly; the reason must be fair and never only that the patient complained.",
                if persisting {
                    format!("Contact continued after the formal letter ({} since)", n(ind.after_manager_letter, "contact", "contacts"))
                } else if f.violence_or_threats() {
                    "There have been threats or violence".to_string()
                } else if ind.count(Label::Abusive) > 0 {
                    format!("{} read as abusive", n(ind.count(Label::Abusive), "message", "messages"))
                } else {
                    "The advances continued after the request to stop".to_string()
                }
            ),
            GMC_ENDING,
        ));
        if f.violence_or_threats() {
            out.push(step(
                "immediate-removal-option",
                "For violence or fear for anyone's safety, a GP practice may ask for immediate removal: report to the police first",
                "Immediate removal needs a police incident number; tell NHS England (by any means) and confirm in writing within 7 days. No warning is needed.".into(),
                NHSE_REMOVAL,
            ));
        }
        match deadlines::last_warning(f.case, f.today) {
            Some(w) if deadlines::warning_valid_until(w) < f.today => out.push(step(
                "fresh-warning-needed",
                "Give a fresh written warning before asking for a non-violent removal",
                format!(
                    "The warning of {} lapsed after {} ({} days ago it was given): a non-violent removal needs a warning within the previous 12 months.",
                    medium(w),
                    medium(deadlines::warning_valid_until(w)),
                    dates::days_between(w, f.today)
                ),
                NHSE_REMOVAL,
            )),
            Some(_) => {}
            None => out.push(step(
                "warning-before-removal",
                "Warn the patient in writing before any non-violent removal",
                "No warning is recorded. Unless a warning would be unsafe or harmful, removal for a non-violent reason needs a warning, with reasons, in the 12 months before the request (record it as a removal_warning action, or issue it with `palisade letter --template removal_warning`).".into(),
                NHSE_REMOVAL,
            )),
        }
    }
    if let Some((notice, RemovalKind::Standard, _)) = removal {
        match deadlines::last_warning(f.case, notice) {
            Some(w) if deadlines::warning_valid_until(w) >= notice => {}
            other => out.push(step(
                "removal-without-valid-warning",
                "Check the removal: no warning within the 12 months before it is recorded",
                match other {
                    Some(w) => format!(
                        "Notice was given on {}, but the last warning, of {}, had lapsed after {}. Unless a warning would have been unsafe, record why, or warn again.",
                        medium(notice),
                        medium(w),
                        medium(deadlines::warning_valid_until(w))
                    ),
                    None => format!(
                        "Notice was given on {} with no warning recorded. Unless a warning would have been unsafe, record why.",
                        medium(notice)
                    ),
                },
                NHSE_REMOVAL,
            )),
        }
    }
    let mental = !ind.fixation.is_empty() || !ind.self_harm.is_empty() || ind.contacts >= 50;
    if mental && f.done("psychiatric_referral").is_none() {
        out.push(step(
            "consider-psychiatric-opinion",
            "Consider whether a mental disorder lies behind this, and a psychiatric opinion",
            if !ind.fixation.is_empty() {
                format!(
                    "{} as if a relationship exists (the latest on {}); the doctor can become part of a delusion such as erotomania.",
                    n(ind.fixation.len(), "message is written", "messages are written"),
                    ind.fixation.last().map(|x| medium(x.date)).unwrap_or_default()
                )
            } else if !ind.self_harm.is_empty() {
                format!("{} a risk of self-harm.", n(ind.self_harm.len(), "message suggests", "messages suggest"))
            } else {
                format!("{}: contact on this scale can reflect illness.", since(ind))
            },
            MDU_UNWANTED,
        ));
    }
}

fn housekeeping(f: &Facts, out: &mut Vec<Step>) {
    let ind = f.ind;
    if ind.originals_missing > 0 {
        out.push(step(
            "keep-originals",
            "Keep the originals of letters and gifts, and attach photographs or scans",
            format!(
                "{} logged without an attachment. Pass any suspicious package unopened to the police.",
                n(ind.originals_missing, "letter or gift is", "letters or gifts are")
            ),
            MDU_UNWANTED,
        ));
    }
    let personal = f.personal_channels();
    if ind.replies_on_personal_channels > 0 {
        out.push(step(
            "stop-replying-personally",
            "Do not reply on social media or personal numbers",
            format!(
                "{} from you on personal channels are logged; any reply there, even a refusal, steps outside the professional relationship.",
                n(ind.replies_on_personal_channels, "reply", "replies")
            ),
            MDU_SOCIAL,
        ));
    }
    if !personal.is_empty() {
        out.push(step(
            "privacy-settings",
            "Check privacy settings; consider withholding or changing your personal number",
            format!(
                "The patient has reached you personally by {}. Make personal posts private and think twice before accepting requests.",
                personal.join(", ")
            ),
            MDU_AMOROUS,
        ));
        out.push(step(
            "state-boundaries",
            "Say on your profiles how patients should contact you, and give them a professional channel",
            "Patients should not have to guess that personal messages go unanswered; a secure, recorded route through the practice gives them somewhere proper to go.".into(),
            PREVENTION_BLOG,
        ));
    }
    if ind.contacts > 0 {
        out.push(step(
            "keep-the-log",
            "Keep logging every contact: date, time, place, witnesses, and screenshots",
            format!(
                "{}. A complete log is what the police and your defence organisation will need.",
                since(ind)
            ),
            MDDUS_BOUNDARIES,
        ));
    }
}

/// All the steps, most pressing first.
pub fn steps(f: &Facts) -> Vec<Step> {
    let mut out = Vec::new();
    police(f, &mut out);
    organisation(f, &mut out);
    escalation(f, &mut out);
    ending(f, &mut out);
    housekeeping(f, &mut out);
    out
}
