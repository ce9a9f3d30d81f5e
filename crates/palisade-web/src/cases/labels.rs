//! Human labels for the closed lists of the ledger (channels, actions,
//! directions, triage labels, risk levels). Unknown values are shown as they
//! are, so nothing recorded is ever hidden by a missing label.

use palisade_core::domain::{ActionKind, Channel};

pub fn channel(c: &str) -> String {
    let l = match c {
        "phone_call" => "Phone call",
        "voicemail" => "Voicemail",
        "sms" => "Text message (SMS)",
        "whatsapp" => "WhatsApp",
        "email" => "Email",
        "facebook" => "Facebook",
        "instagram" => "Instagram",
        "x" => "X (Twitter)",
        "linkedin" => "LinkedIn",
        "dating_app" => "Dating app",
        "other_social" => "Other social media",
        "letter" => "Letter or card",
        "gift" => "Gift",
        "in_person_practice" => "In person, at the practice",
        "in_person_elsewhere" => "In person, elsewhere",
        "at_home" => "At or near my home",
        "online_review" => "Online review",
        "third_party" => "Through someone else",
        "other" => "Other",
        other => other,
    };
    l.to_string()
}

pub fn channels() -> impl Iterator<Item = (&'static str, String)> {
    Channel::ALL
        .iter()
        .map(|c| (c.as_str(), channel(c.as_str())))
}

pub fn action_kind(k: &str) -> String {
    let l = match k {
        "asked_to_stop" => "Asked to stop",
        "informed_manager" => "Told the practice manager",
        "manager_letter" => "Formal letter from the practice",
        "defence_org_contacted" => "Contacted defence organisation",
        "care_transferred" => "Care transferred",
        "relationship_ended" => "Professional relationship ended",
        "chaperone_required" => "Chaperone required",
        "police_reported" => "Reported to police",
        "colleagues_warned" => "Colleagues warned",
        "psychiatric_referral" => "Psychiatric referral",
        "security_measure" => "Security measure",
        "removal_warning" => "Removal warning",
        "removal_notice" => "Removal notice",
        "nhs_england_notified" => "NHS England notified",
        "other" => "Other action",
        other => other,
    };
    l.to_string()
}

pub fn action_kinds() -> impl Iterator<Item = (&'static str, String)> {
    ActionKind::ALL
        .iter()
        .map(|k| (k.as_str(), action_kind(k.as_str())))
}

pub fn direction(d: Option<&str>) -> &'static str {
    match d {
        Some("outbound") => "From me",
        Some("inbound") => "To me",
        _ => "Not recorded",
    }
}

pub fn triage(label: &str) -> &'static str {
    match label {
        "clinical" => "Clinical",
        "admin" => "Administrative",
        "personal" => "Personal",
        "abusive" => "Abusive",
        "threat" => "Threat",
        "self_harm" => "Risk of self-harm",
        _ => "Unclassified",
    }
}

/// The tag colour class of a triage label.
pub fn triage_tag(label: &str) -> &'static str {
    match label {
        "threat" | "self_harm" => "tag tag--red",
        "abusive" => "tag tag--orange",
        "personal" => "tag tag--yellow",
        _ => "tag tag--grey",
    }
}

pub fn risk_tag(level: &str) -> &'static str {
    match level {
        "urgent" => "tag tag--red",
        "high" => "tag tag--orange",
        "elevated" => "tag tag--yellow",
        _ => "tag tag--green",
    }
}

pub fn risk(level: &str) -> String {
    match level {
        "urgent" => "Urgent".into(),
        "high" => "High".into(),
        "elevated" => "Elevated".into(),
        "standard" => "Standard".into(),
        other => other.to_string(),
    }
}

pub fn case_kind(k: &str) -> String {
    match k {
        "amorous" => "Amorous attention".into(),
        "grievance" => "Grievance".into(),
        "abuse" => "Abuse".into(),
        "stalking" => "Stalking".into(),
        "other" => "Other".into(),
        other => other.to_string(),
    }
}

pub fn status_tag(status: &str) -> &'static str {
    if status == "closed" {
        "tag tag--grey"
    } else {
        "tag tag--blue"
    }
}

/// A time for people: "3 Mar 2026, 21:40" in the organisation's zone.
pub fn when(s: &str) -> String {
    if let Ok(m) = palisade_core::time::Moment::parse(s) {
        let z = m.instant().to_zoned(super::chart::org_tz());
        return z.strftime("%-d %b %Y, %H:%M").to_string();
    }
    match super::chart::local_day(s) {
        Some(d) => super::chart::short_date(d),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_channel_and_action_has_a_label() {
        for (v, l) in channels() {
            assert_ne!(v, l, "channel {v} has no label");
        }
        for (v, l) in action_kinds() {
            assert_ne!(v, l, "action {v} has no label");
        }
        assert_eq!(when("2026-03-03T21:40:00Z"), "3 Mar 2026, 21:40");
        assert_eq!(when("2026-07-03T21:40:00Z"), "3 Jul 2026, 22:40");
    }
}
