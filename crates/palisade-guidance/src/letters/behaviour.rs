//! The behaviours a letter lists: each contact in plain words with its date
//! ("On 5 January 2026 you sent a text message to my personal phone").

use crate::dates::{self, medium};
use crate::indicators::is_inbound;
use jiff::civil::Date;
use palisade_core::view::CaseView;

/// One logged contact, described for a letter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Behaviour {
    pub date: Date,
    pub channel: String,
    /// Who it came from, when not the patient.
    pub party: Option<String>,
    /// "sent a text message", "came to my home".
    pub what: String,
}

/// A contact by `channel` in words: the verb, the object for one contact,
/// and the object for several ("sent", "a text message", "text messages").
/// Verbs without an object ("telephoned") take a count instead.
pub fn words(channel: &str) -> (&'static str, &'static str, &'static str) {
    match channel {
        "phone_call" => ("telephoned", "", ""),
        "voicemail" => ("left", "a voicemail message", "voicemail messages"),
        "sms" => ("sent", "a text message", "text messages"),
        "whatsapp" => ("sent", "a WhatsApp message", "WhatsApp messages"),
        "email" => ("sent", "an email", "emails"),
        "facebook" => (
            "sent",
            "a message through Facebook",
            "messages through Facebook",
        ),
        "instagram" => (
            "sent",
            "a message through Instagram",
            "messages through Instagram",
        ),
        "x" => (
            "sent",
            "a message through X (Twitter)",
            "messages through X (Twitter)",
        ),
        "linkedin" => (
            "sent",
            "a message through LinkedIn",
            "messages through LinkedIn",
        ),
        "dating_app" => ("made contact through a dating app", "", ""),
        "other_social" => ("made contact through social media", "", ""),
        "letter" => ("sent", "a letter", "letters"),
        "gift" => ("left or sent", "a gift", "gifts"),
        "in_person_practice" => ("came to the practice outside an appointment", "", ""),
        "in_person_elsewhere" => ("approached me away from the practice", "", ""),
        "at_home" => ("came to my home", "", ""),
        "online_review" => ("posted", "an online review", "online reviews"),
        "third_party" => ("made contact through another person", "", ""),
        _ => ("made contact", "", ""),
    }
}

/// The route itself, as a noun for lists ("text messages", "visits to my home").
pub fn route(channel: &str) -> &'static str {
    match channel {
        "phone_call" => "telephone calls",
        "voicemail" => "voicemail",
        "sms" => "text messages",
        "whatsapp" => "WhatsApp",
        "email" => "email",
        "facebook" => "Facebook",
        "instagram" => "Instagram",
        "x" => "X (Twitter)",
        "linkedin" => "LinkedIn",
        "dating_app" => "a dating app",
        "other_social" => "other social media",
        "letter" => "letters",
        "gift" => "gifts",
        "in_person_practice" => "visits to the practice",
        "in_person_elsewhere" => "approaches away from the practice",
        "at_home" => "visits to my home",
        "online_review" => "online reviews",
        "third_party" => "other people",
        _ => "other means",
    }
}

/// One contact by `channel`, in words ("sent a text message").
pub fn describe(channel: &str) -> String {
    match words(channel) {
        (verb, "", _) => verb.to_string(),
        (verb, one, _) => format!("{verb} {one}"),
    }
}

/// `n` contacts by `channel` on one day ("sent 3 text messages", "telephoned twice").
pub fn describe_n(channel: &str, n: usize) -> String {
    match (words(channel), n) {
        (_, 1) => describe(channel),
        ((verb, "", _), 2) => format!("{verb} twice"),
        ((verb, "", _), n) => format!("{verb} {n} times"),
        ((verb, _, many), n) => format!("{verb} {n} {many}"),
    }
}

/// The inbound contacts up to `today`, oldest first.
pub fn behaviours(case: &CaseView, today: Date) -> Vec<Behaviour> {
    let patient_names: Vec<String> = case
        .parties
        .as_array()
        .map(|ps| {
            ps.iter()
                .filter(|p| p.get("role").and_then(|r| r.as_str()) == Some("patient"))
                .filter_map(|p| p.get("name").and_then(|n| n.as_str()))
                .map(|n| n.trim().to_lowercase())
                .collect()
        })
        .unwrap_or_default();
    let mut out: Vec<Behaviour> = case
        .live_entries()
        .filter(|e| is_inbound(e))
        .filter_map(|e| {
            let day = dates::local(&e.occurred_at)?.date();
            (day <= today).then(|| Behaviour {
                date: day,
                channel: e.channel.clone(),
                party: e
                    .party
                    .clone()
                    .filter(|p| !patient_names.contains(&p.trim().to_lowercase())),
                what: describe(&e.channel),
            })
        })
        .collect();
    out.sort_by_key(|b| b.date);
    out
}

/// Behaviours as sentences addressed to the patient, grouping contacts of
/// the same kind on the same day, most recent `limit` kept and the rest
/// summarised.
pub fn sentences(list: &[Behaviour], limit: usize, second_person: bool) -> Vec<String> {
    let mut grouped: Vec<(Date, &str, Option<&str>, usize)> = Vec::new();
    for b in list {
        match grouped.last_mut() {
            Some((d, c, p, n)) if *d == b.date && *c == b.channel && *p == b.party.as_deref() => {
                *n += 1
            }
            _ => grouped.push((b.date, &b.channel, b.party.as_deref(), 1)),
        }
    }
    let who = |party: Option<&str>| match (party, second_person) {
        (Some(p), _) => p.to_string(),
        (None, true) => "you".to_string(),
        (None, false) => "the patient".to_string(),
    };
    let mut out = Vec::new();
    let skip = grouped.len().saturating_sub(limit);
    if skip > 0 {
        let first = grouped[0].0;
        let last = grouped[skip - 1].0;
        let count: usize = grouped[..skip].iter().map(|g| g.3).sum();
        out.push(format!(
            "Between {} and {} there were {} other contacts.",
            medium(first),
            medium(last),
            count
        ));
    }
    for (d, channel, party, n) in &grouped[skip..] {
        out.push(format!(
            "On {} {} {}.",
            medium(*d),
            who(*party),
            describe_n(channel, *n)
        ));
    }
    out
}
