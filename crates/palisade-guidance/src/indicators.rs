//! Facts computed from a case's log, as of a given day: how often and how
//! fast contact comes, whether it went on after the patient was asked to
//! stop, by how many routes, in person, with gifts, through other people,
//! out of hours, and what the messages themselves say (triage).

use crate::dates::{self, ActionTime, Local};
use crate::triage::{Label, Triage, classify};
use jiff::civil::Date;
use palisade_core::view::{ActionView, CaseView, EntryView};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// An entry that matters on its own, with why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Flagged {
    pub entry: String,
    pub date: Date,
    pub channel: String,
    /// What the words show (the triage reason that flagged it).
    pub reason: String,
    /// The words themselves.
    pub quote: String,
}

impl Flagged {
    /// "6 March 2026: says they saw or followed the doctor ("saw you")".
    pub fn describe(&self) -> String {
        let what = self
            .reason
            .strip_prefix("surveillance: ")
            .unwrap_or(&self.reason);
        if self.quote.is_empty() {
            format!("{}: {}", crate::dates::medium(self.date), what)
        } else {
            format!(
                "{}: {} (\"{}\")",
                crate::dates::medium(self.date),
                what,
                self.quote
            )
        }
    }
}

/// Everything the rules and the risk assessment read from the log.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Indicators {
    pub today: Option<Date>,
    /// Contacts from the patient or others (not the doctor's own messages),
    /// not retracted, up to `today`.
    pub contacts: usize,
    pub first_contact: Option<Date>,
    pub last_contact: Option<Date>,
    pub last_7_days: usize,
    /// Contacts 8 to 14 days before `today`.
    pub previous_7_days: usize,
    pub last_28_days: usize,
    /// The first request to stop.
    pub asked_to_stop: Option<Date>,
    /// Contacts after that request.
    pub after_request: usize,
    /// Contacts on the same day as a request recorded by day only: their
    /// order is unknown, so they are not counted as after it.
    pub same_day_as_request: usize,
    pub last_after_request: Option<Date>,
    /// The first formal letter from the practice: a `manager_letter` or a
    /// `removal_warning`.
    pub manager_letter: Option<Date>,
    pub after_manager_letter: usize,
    pub channels: BTreeSet<String>,
    pub at_home: Vec<Date>,
    pub in_person_elsewhere: Vec<Date>,
    pub in_person_practice: usize,
    pub gifts: Vec<Date>,
    /// Contacts from family, friends or others, or through a third party.
    pub third_party: usize,
    pub third_party_names: BTreeSet<String>,
    pub out_of_hours: usize,
    /// Triage of each contact's words, by label.
    pub labels: BTreeMap<Label, usize>,
    /// Threat messages not yet acknowledged by a person.
    pub threats: Vec<Flagged>,
    /// Self-harm messages not yet acknowledged by a person.
    pub self_harm: Vec<Flagged>,
    /// Threat messages a person has acknowledged: no longer urgent, still threats.
    pub acknowledged_threats: Vec<Flagged>,
    /// Self-harm messages a person has acknowledged.
    pub acknowledged_self_harm: Vec<Flagged>,
    /// Messages showing knowledge of the doctor's private life.
    pub private_life: Vec<Flagged>,
    /// Messages that read as a fixed belief in a relationship.
    pub fixation: Vec<Flagged>,
    /// The doctor's own replies on personal channels (social media, texts).
    pub replies_on_personal_channels: usize,
    /// Letters and gifts logged without a photo or scan attached.
    pub originals_missing: usize,
}

/// Channels that reach the doctor personally rather than through the practice.
pub const PERSONAL_CHANNELS: &[&str] = &[
    "sms",
    "whatsapp",
    "facebook",
    "instagram",
    "x",
    "linkedin",
    "dating_app",
    "other_social",
];

/// Triage reasons that suggest a fixed belief in a relationship.
const FIXATION_FEATURES: &[&str] = &[
    "says the doctor feels the same",
    "talks of a relationship",
    "says they are meant for each other",
    "says the doctor is the only one who understands them",
    "talks of being together",
    "proposes marriage",
    "describes a special connection",
];

pub(crate) fn is_inbound(e: &EntryView) -> bool {
    e.direction.as_deref() != Some("outbound")
}

/// The words triage reads for an entry: the verbatim content only. A
/// summary is the doctor's own description ("waited by my car"), which the
/// message rules would misread.
pub(crate) fn words(e: &EntryView) -> Option<&str> {
    e.content.as_deref()
}

/// Actions of `kind`, with their parsed times, in date order.
pub(crate) fn actions<'a>(
    case: &'a CaseView,
    kind: &'a str,
) -> impl Iterator<Item = (&'a ActionView, ActionTime)> + 'a {
    case.actions
        .iter()
        .filter(move |a| a.kind == kind)
        .filter_map(|a| ActionTime::parse(&a.date).map(|t| (a, t)))
}

fn non_patient_parties(case: &CaseView) -> BTreeSet<String> {
    case.parties
        .as_array()
        .map(|ps| {
            ps.iter()
                .filter(|p| p.get("role").and_then(|r| r.as_str()) != Some("patient"))
                .filter_map(|p| p.get("name").and_then(|n| n.as_str()))
                .map(|n| n.trim().to_lowercase())
                .collect()
        })
        .unwrap_or_default()
}

fn flag(e: &EntryView, when: &Local, r: Option<&crate::triage::Reason>) -> Flagged {
    Flagged {
        entry: e.id.clone(),
        date: when.date(),
        channel: e.channel.clone(),
        reason: r.map(|r| r.feature.to_string()).unwrap_or_default(),
        quote: r.map(|r| r.matched.clone()).unwrap_or_default(),
    }
}

fn first_reason(t: &Triage) -> Option<&crate::triage::Reason> {
    t.reasons.first()
}

/// Compute the indicators as of `today` (entries after it are ignored).
/// `acknowledged` lists entry ids whose threat or self-harm flag a person has
/// already dealt with.
pub fn compute(case: &CaseView, today: Date, acknowledged: &BTreeSet<String>) -> Indicators {
    let mut ind = Indicators {
        today: Some(today),
        ..Indicators::default()
    };
    let first = |kind| {
        actions(case, kind)
            .map(|(_, t)| t)
            .filter(|t| t.date() <= today)
            .min_by_key(ActionTime::date)
    };
    let request = first("asked_to_stop");
    // A formal warning before removal is a formal letter too.
    let letter = [first("manager_letter"), first("removal_warning")]
        .into_iter()
        .flatten()
        .min_by_key(ActionTime::date);
    ind.asked_to_stop = request.map(|t| t.date());
    ind.manager_letter = letter.map(|t| t.date());
    let others = non_patient_parties(case);
    for e in case.live_entries() {
        let Some(when) = dates::local(&e.occurred_at) else {
            continue;
        };
        let day = when.date();
        if day > today {
            continue;
        }
        if !is_inbound(e) {
            if PERSONAL_CHANNELS.contains(&e.channel.as_str()) {
                ind.replies_on_personal_channels += 1;
            }
            continue;
        }
        ind.contacts += 1;
        ind.first_contact = Some(ind.first_contact.map_or(day, |d| d.min(day)));
        ind.last_contact = Some(ind.last_contact.map_or(day, |d| d.max(day)));
        let ago = dates::days_between(day, today);
        if ago < 7 {
            ind.last_7_days += 1;
        } else if ago < 14 {
            ind.previous_7_days += 1;
        }
        if ago < 28 {
            ind.last_28_days += 1;
        }
        if let Some(r) = &request {
            match r.is_before(&when) {
                Some(true) => {
                    ind.after_request += 1;
                    ind.last_after_request =
                        Some(ind.last_after_request.map_or(day, |d| d.max(day)));
                }
                None => ind.same_day_as_request += 1,
                Some(false) => {}
            }
        }
        if let Some(l) = &letter
            && l.is_before(&when) == Some(true)
        {
            ind.after_manager_letter += 1;
        }
        ind.channels.insert(e.channel.clone());
        match e.channel.as_str() {
            "at_home" => ind.at_home.push(day),
            "in_person_elsewhere" => ind.in_person_elsewhere.push(day),
            "in_person_practice" => ind.in_person_practice += 1,
            "gift" => ind.gifts.push(day),
            _ => {}
        }
        if matches!(e.channel.as_str(), "letter" | "gift") && e.attachments.is_empty() {
            ind.originals_missing += 1;
        }
        let party = e.party.as_deref().map(|p| p.trim().to_lowercase());
        let via_other =
            e.channel == "third_party" || party.as_ref().is_some_and(|p| others.contains(p));
        if via_other {
            ind.third_party += 1;
            if let Some(p) = &e.party {
                ind.third_party_names.insert(p.trim().to_string());
            }
        }
        if dates::out_of_hours(&when.datetime) {
            ind.out_of_hours += 1;
        }
        let Some(text) = words(e) else { continue };
        let t = classify(text);
        *ind.labels.entry(t.label).or_default() += 1;
        let open = !acknowledged.contains(&e.id);
        match t.label {
            Label::SelfHarm if open => ind.self_harm.push(flag(e, &when, first_reason(&t))),
            Label::Threat if open => ind.threats.push(flag(e, &when, first_reason(&t))),
            Label::SelfHarm => ind
                .acknowledged_self_harm
                .push(flag(e, &when, first_reason(&t))),
            Label::Threat => ind
                .acknowledged_threats
                .push(flag(e, &when, first_reason(&t))),
            _ => {}
        }
        if let Some(r) = t
            .reasons
            .iter()
            .chain(&t.other)
            .find(|r| r.feature.starts_with("surveillance") || r.feature.starts_with("knows"))
        {
            ind.private_life.push(flag(e, &when, Some(r)));
        }
        if let Some(r) = t
            .reasons
            .iter()
            .chain(&t.other)
            .find(|r| FIXATION_FEATURES.contains(&r.feature))
        {
            ind.fixation.push(flag(e, &when, Some(r)));
        }
    }
    ind.at_home.sort();
    ind.in_person_elsewhere.sort();
    ind.gifts.sort();
    ind
}

impl Indicators {
    pub fn count(&self, l: Label) -> usize {
        self.labels.get(&l).copied().unwrap_or(0)
    }

    /// Average contacts a week over the last 28 days.
    pub fn weekly_rate(&self) -> f64 {
        self.last_28_days as f64 / 4.0
    }

    /// This week's contacts at least double last week's, and at least three.
    pub fn accelerating(&self) -> bool {
        self.last_7_days >= 3 && self.last_7_days >= 2 * self.previous_7_days.max(1)
    }
}
