//! The six letters. Each paragraph is written for the reader it goes to: the
//! patient (boundary, manager, warning, removal), the defence organisation,
//! or the police (only what they need; never clinical information).

use super::behaviour::{Behaviour, behaviours, route, sentences};
use super::{Letter, LetterDetails, or};
use crate::dates::{self, long, medium};
use crate::deadlines::{self, RemovalKind};
use crate::indicators::{self, Indicators};
use crate::risk::{self, RiskLevel};
use jiff::civil::Date;
use palisade_core::view::CaseView;
use std::collections::BTreeSet;

pub(super) struct Ctx<'a> {
    case: &'a CaseView,
    d: &'a LetterDetails,
    today: Date,
    clinician: String,
    patient: String,
    practice: String,
    all: Vec<Behaviour>,
    ind: Indicators,
}

impl<'a> Ctx<'a> {
    pub(super) fn new(case: &'a CaseView, d: &'a LetterDetails, today: Date) -> Self {
        let clinician = d
            .clinician_name
            .clone()
            .or_else(|| case.owner.clone())
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| "[clinician's name]".into());
        let patient = d
            .patient_name
            .clone()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| case.subject.clone());
        Ctx {
            case,
            d,
            today,
            clinician,
            patient,
            practice: or(&d.practice_name, "practice name"),
            all: behaviours(case, today),
            ind: indicators::compute(case, today, &BTreeSet::new()),
        }
    }

    fn date(&self) -> String {
        long(self.today)
    }

    fn practice_block(&self, first: &str, role: Option<&str>) -> Vec<String> {
        let mut v = vec![first.to_string()];
        if let Some(r) = role {
            v.push(r.to_string());
        }
        v.push(self.practice.clone());
        if self.d.practice_address.is_empty() {
            v.push("[practice address]".into());
        } else {
            v.extend(self.d.practice_address.iter().cloned());
        }
        v
    }

    fn patient_block(&self) -> Vec<String> {
        let mut v = vec!["Private and confidential".to_string(), self.patient.clone()];
        if self.d.patient_address.is_empty() {
            v.push("[patient's address]".into());
        } else {
            v.extend(self.d.patient_address.iter().cloned());
        }
        v
    }

    fn clinician_signature(&self) -> Vec<String> {
        vec![
            self.clinician.clone(),
            or(&self.d.clinician_role, "role"),
            self.practice.clone(),
        ]
    }

    fn manager(&self) -> (String, String) {
        (
            or(&self.d.manager_name, "practice manager's name"),
            or(&self.d.manager_role, "Practice Manager"),
        )
    }

    fn how_to_reach_us(&self) -> String {
        format!(
            "For anything about your health, please contact the practice on {} or through {}, and the team will make sure the right person deals with it.",
            or(&self.d.practice_phone, "practice telephone"),
            or(&self.d.practice_online, "the practice's online form")
        )
    }

    /// Behaviours since `from` (all when `None`), written for the patient
    /// (`you`) or about them, with "me" and "my" meaning the clinician
    /// when the practice writes.
    fn listed(
        &self,
        from: Option<Date>,
        limit: usize,
        to_patient: bool,
        practice_voice: bool,
    ) -> String {
        let chosen: Vec<Behaviour> = self
            .all
            .iter()
            .filter(|b| from.is_none_or(|f| b.date > f))
            .cloned()
            .collect();
        let text = sentences(&chosen, limit, to_patient).join(" ");
        if practice_voice {
            text.replace("my home", &format!("{}'s home", self.clinician))
                .replace("approached me", &format!("approached {}", self.clinician))
        } else {
            text
        }
    }

    fn first(&self, kind: &str) -> Option<Date> {
        indicators::actions(self.case, kind)
            .map(|(_, t)| t.date())
            .filter(|d| *d <= self.today)
            .min()
    }

    fn actions_taken(&self) -> Vec<String> {
        let mut v: Vec<(Date, String)> = self
            .case
            .actions
            .iter()
            .filter_map(|a| {
                let d = dates::ActionTime::parse(&a.date)?.date();
                (d <= self.today).then(|| (d, format!("{}: {}", medium(d), action_words(&a.kind))))
            })
            .collect();
        v.sort();
        v.into_iter().map(|(_, s)| s).collect()
    }
}

fn action_words(kind: &str) -> &'static str {
    match kind {
        "asked_to_stop" => "asked the patient to stop",
        "informed_manager" => "told the practice manager",
        "manager_letter" => "formal letter from the practice manager or a partner",
        "defence_org_contacted" => "contacted my defence organisation",
        "care_transferred" => "care transferred to a colleague",
        "relationship_ended" => "professional relationship ended",
        "chaperone_required" => "chaperone required for consultations",
        "police_reported" => "reported to the police",
        "colleagues_warned" => "colleagues warned",
        "psychiatric_referral" => "referred for a psychiatric opinion",
        "security_measure" => "security measures taken",
        "removal_warning" => "formal warning that removal from the list may follow",
        "removal_notice" => "notice of removal from the practice list",
        "nhs_england_notified" => "NHS England notified in writing",
        _ => "other action",
    }
}

pub(super) fn boundary(c: &Ctx) -> Letter {
    let mut p = Vec::new();
    if c.all.is_empty() {
        p.push("I am writing about the personal contact I have had from you outside your appointments.".into());
    } else {
        p.push(format!(
            "I am writing about the personal contact I have had from you outside your appointments. {}",
            c.listed(None, 6, true, false)
        ));
    }
    p.push("As your doctor, my relationship with you is a professional one, and it can only ever be professional. This kind of contact is not appropriate and it is not welcome, so I am asking you to stop.".into());
    p.push("Please do not contact me by my personal phone, email or social media, do not send me gifts, and do not approach me outside your appointments. I will not reply to messages sent in those ways.".into());
    p.push(format!(
        "{} Your care from the practice carries on as before.",
        c.how_to_reach_us()
    ));
    p.push("I have told the practice manager about this letter.".into());
    Letter {
        sender: c.practice_block(&c.clinician, c.d.clinician_role.as_deref()),
        recipient: c.patient_block(),
        date: c.date(),
        reference: c.d.patient_reference.clone(),
        subject: "Our professional relationship".into(),
        salutation: format!("Dear {}", c.patient),
        paragraphs: p,
        closing: "Yours sincerely".into(),
        signature: c.clinician_signature(),
        footer: Some("A copy of this letter is kept by the practice.".into()),
    }
}

pub(super) fn manager_formal(c: &Ctx) -> Letter {
    let (name, role) = c.manager();
    let asked = c.first("asked_to_stop");
    let mut p = vec![match asked {
        Some(d) => format!(
            "I am the {role} at {}. On {} {} asked you to stop contacting them outside the proper routes. I am writing because the contact has carried on.",
            c.practice,
            medium(d),
            c.clinician
        ),
        None => format!(
            "I am the {role} at {}. I am writing about your contact with {}, which has gone beyond what is appropriate between a patient and their doctor.",
            c.practice, c.clinician
        ),
    }];
    let since = c.listed(asked, 8, true, true);
    if !since.is_empty() {
        p.push(since);
    }
    p.push(format!(
        "This must stop now. {}'s relationship with you is a professional one only. Please do not contact them by personal phone, email, social media or letters to their home, do not send gifts, and do not approach them outside appointments.",
        c.clinician
    ));
    p.push(format!(
        "The practice will go on providing your care. {} The practice will decide which clinician sees you.",
        c.how_to_reach_us()
    ));
    p.push("If this behaviour continues, the practice may have to consider ending its professional relationship with you, which can mean asking NHS England to remove you from the practice list. We would much rather not have to do that.".into());
    p.push("If you would like to talk about this letter, please write to me at the practice, or ask reception for an appointment with me.".into());
    Letter {
        sender: c.practice_block(&name, Some(&role)),
        recipient: c.patient_block(),
        date: c.date(),
        reference: c.d.patient_reference.clone(),
        subject: format!("Your contact with {}", c.clinician),
        salutation: format!("Dear {}", c.patient),
        paragraphs: p,
        closing: "Yours sincerely".into(),
        signature: vec![name, role, c.practice.clone()],
        footer: Some("A copy of this letter is kept by the practice.".into()),
    }
}

pub(super) fn removal_warning(c: &Ctx) -> Letter {
    let (name, role) = c.manager();
    let until = deadlines::warning_valid_until(c.today);
    let mut p = vec![format!(
        "This letter is a formal warning. The practice is concerned about the following behaviour towards {} and the practice team:",
        c.clinician
    )];
    let listed = c.listed(None, 12, true, true);
    p.push(if listed.is_empty() {
        "[the specific behaviours, with their dates]".into()
    } else {
        listed
    });
    p.push(match &c.d.reasons {
        Some(r) if !r.trim().is_empty() => format!("{} Behaviour like this damages the trust that good care depends on.", r.trim()),
        _ => "Behaviour like this is not acceptable, and it damages the trust that good care depends on.".into(),
    });
    p.push(format!(
        "If it happens again, the practice may ask NHS England to remove you from our list of patients. This warning remains in force for 12 months, until {}.",
        long(until)
    ));
    p.push(format!(
        "You remain our patient and we will go on providing your care. {}",
        c.how_to_reach_us()
    ));
    p.push("If you think anything in this letter is wrong, or you would like to talk about it, please write to me or ask for a meeting with me within 14 days of the date of this letter. Your reply will be kept with this letter.".into());
    Letter {
        sender: c.practice_block(&name, Some(&role)),
        recipient: c.patient_block(),
        date: c.date(),
        reference: c.d.patient_reference.clone(),
        subject: format!("Formal warning about your registration at {}", c.practice),
        salutation: format!("Dear {}", c.patient),
        paragraphs: p,
        closing: "Yours sincerely".into(),
        signature: vec![name, role, c.practice.clone()],
        footer: Some("A copy of this warning is kept by the practice.".into()),
    }
}

pub(super) fn removal_notice(c: &Ctx) -> Letter {
    let (name, role) = c.manager();
    let recorded = deadlines::last_removal(c.case, c.today);
    let immediate = c.d.immediate || matches!(recorded, Some((_, RemovalKind::Immediate, _)));
    let notice = recorded.map_or(c.today, |(d, _, _)| d);
    let effective = c.d.removal_effective.unwrap_or(if immediate {
        notice
    } else {
        dates::plus_days(notice, 8)
    });
    let mut p = Vec::new();
    if immediate {
        p.push(format!(
            "After the incident reported to the police, the practice has asked NHS England to remove you from its list of patients with immediate effect, from {}.",
            long(effective)
        ));
    } else {
        let warned = deadlines::last_warning(c.case, c.today);
        p.push(match warned {
            Some(w) => format!(
                "We wrote to you on {} to warn you that the practice might ask for you to be removed from its list if the behaviour described in that letter continued. It has continued, and the practice has now asked NHS England to remove you from its list of patients. The removal takes effect on {}.",
                medium(w),
                long(effective)
            ),
            None => format!(
                "The practice has asked NHS England to remove you from its list of patients. The removal takes effect on {}.",
                long(effective)
            ),
        });
    }
    p.push(match &c.d.reasons {
        Some(r) if !r.trim().is_empty() => format!("The reason for this decision: {}", r.trim()),
        _ => "The decision was made because trust between you and the practice has broken down so far that we cannot give you good care. [Give the reasons here where it is appropriate and safe to do so.]".into(),
    });
    if immediate {
        p.push("NHS England will arrange for you to be looked after by a practice in the Special Allocation Scheme and will write to you about it. In the meantime, call NHS 111 for urgent advice, or 999 in an emergency.".into());
    } else {
        p.push(format!(
            "Until {} you can still use the practice for your care. Please register with another GP practice near you; NHS England can help you find one. If you need urgent care in the meantime, call NHS 111, or 999 in an emergency.",
            medium(effective)
        ));
    }
    p.push("Your medical records will be passed to your new practice without delay; you do not need to do anything for that to happen.".into());
    p.push("If you think this decision is wrong, please write to me; you can also contact NHS England.".into());
    Letter {
        sender: c.practice_block(&name, Some(&role)),
        recipient: c.patient_block(),
        date: c.date(),
        reference: c.d.patient_reference.clone(),
        subject: format!("Removal from the list of patients at {}", c.practice),
        salutation: format!("Dear {}", c.patient),
        paragraphs: p,
        closing: "Yours sincerely".into(),
        signature: vec![name, role, c.practice.clone()],
        footer: Some("NHS England has been told of this removal. A copy of this letter is kept by the practice.".into()),
    }
}

fn overview(c: &Ctx) -> String {
    match (c.ind.first_contact, c.ind.last_contact) {
        (Some(a), Some(b)) => format!(
            "My log holds {} from {} between {} and {}, by these routes: {}.",
            if c.ind.contacts == 1 {
                "1 contact".to_string()
            } else {
                format!("{} contacts", c.ind.contacts)
            },
            c.patient,
            medium(a),
            medium(b),
            c.ind
                .channels
                .iter()
                .map(|ch| route(ch).to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        _ => format!("My log holds no contacts from {} yet.", c.patient),
    }
}

pub(super) fn defence_referral(c: &Ctx) -> Letter {
    let risk = risk::assess(&c.ind, None);
    let mut p = vec![format!(
        "I would like advice about unwanted contact from a patient of {}, recorded in my log as {} (case {}). {}",
        c.practice,
        c.patient,
        c.case.id,
        overview(c)
    )];
    let recent = c.listed(None, 10, false, false);
    if !recent.is_empty() {
        p.push(format!("The most recent contacts: {recent}"));
    }
    if !c.ind.threats.is_empty() || !c.ind.self_harm.is_empty() {
        let flagged: Vec<String> = c
            .ind
            .threats
            .iter()
            .chain(&c.ind.self_harm)
            .map(|f| f.describe())
            .collect();
        p.push(format!(
            "Messages I am particularly concerned about: {}.",
            flagged.join("; ")
        ));
    }
    let done = c.actions_taken();
    p.push(if done.is_empty() {
        "I have not yet taken any formal steps.".into()
    } else {
        format!("What I have done so far: {}.", done.join("; "))
    });
    let why: Vec<String> = risk
        .factors
        .iter()
        .take(5)
        .map(|f| format!("{} ({})", f.title.to_lowercase(), f.level))
        .collect();
    p.push(format!(
        "Palisade assesses the risk as {}{}.",
        risk.level,
        if why.is_empty() {
            String::new()
        } else {
            format!(", because of: {}", why.join("; "))
        }
    ));
    let open = deadlines::deadlines(c.case, c.today);
    if !open.is_empty() {
        let list: Vec<String> = open
            .iter()
            .map(|d| format!("{} by {}", d.what, medium(d.due)))
            .collect();
        p.push(format!("Open deadlines: {}.", list.join("; ")));
    }
    p.push("I would be grateful for advice on how to respond to the patient, whether to involve the police and what I may disclose to them, and whether the professional relationship should end.".into());
    p.push("I can provide the full log, with the original messages and attachments, as a verifiable export.".into());
    Letter {
        sender: c.practice_block(&c.clinician, c.d.clinician_role.as_deref()),
        recipient: vec![
            or(&c.d.defence_organisation, "defence organisation"),
            "Medico-legal advisory service".into(),
        ],
        date: c.date(),
        reference: c.d.defence_reference.clone(),
        subject: "Request for advice: unwanted contact from a patient".into(),
        salutation: "Dear Adviser".into(),
        paragraphs: p,
        closing: "Yours sincerely".into(),
        signature: c.clinician_signature(),
        footer: Some("Confidential: contains information that identifies a patient. Please send and store securely.".into()),
    }
}

pub(super) fn police_summary(c: &Ctx) -> Letter {
    let risk = risk::assess(&c.ind, None);
    let mut p = vec![format!(
        "I am a doctor at {}. I am reporting unwanted contact from a patient of the practice, {}. Because of my duty of confidentiality I am giving only the information needed to deal with this report; no clinical information about the patient is included.",
        c.practice, c.patient
    )];
    let mut summary = overview(c);
    if let Some(a) = c.ind.asked_to_stop {
        summary.push_str(&format!(
            " I asked the patient to stop on {}; there have been {} contacts since.",
            medium(a),
            c.ind.after_request
        ));
    }
    p.push(summary);
    let events = c.listed(None, 12, false, false);
    if !events.is_empty() {
        p.push(format!("Events, most recent last: {events}"));
    }
    if !c.ind.threats.is_empty() {
        let quotes: Vec<String> = c
            .ind
            .threats
            .iter()
            .map(
                |f| match c.case.entry(&f.entry).and_then(|e| e.content.as_deref()) {
                    Some(words) => format!(
                        "on {} by {}: \"{}\"",
                        medium(f.date),
                        route(&f.channel),
                        words.trim()
                    ),
                    None => f.describe(),
                },
            )
            .collect();
        p.push(format!(
            "Messages that contain threats or show the sender has been watching me: {}.",
            quotes.join("; ")
        ));
    }
    let done = c.actions_taken();
    if !done.is_empty() {
        p.push(format!("Steps already taken: {}.", done.join("; ")));
    }
    if risk.level >= RiskLevel::High {
        p.push("I am concerned for my safety and would like to discuss what protection is available, including a Stalking Protection Order.".into());
    }
    p.push("The original messages and records are kept in a tamper-evident log and can be provided as a verifiable export.".into());
    Letter {
        sender: c.practice_block(&c.clinician, c.d.clinician_role.as_deref()),
        recipient: vec![or(&c.d.police_force, "police force")],
        date: c.date(),
        reference: c.d.police_reference.clone(),
        subject: format!("Harassment of {}: summary of events", c.clinician),
        salutation: "Dear Officer".into(),
        paragraphs: p,
        closing: "Yours faithfully".into(),
        signature: c.clinician_signature(),
        footer: Some("Disclosed under the GMC's confidentiality guidance: only the minimum necessary, and no clinical information.".into()),
    }
}
