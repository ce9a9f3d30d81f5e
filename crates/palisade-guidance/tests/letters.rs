//! The letter drafts: merge fields from the case, specific behaviours with
//! dates, placeholders for what the case does not hold, and nothing clinical
//! in anything that leaves the practice.

use jiff::civil::date;
use palisade_core::compose::NewEntry;
use palisade_core::domain::{Channel, Direction, Source};
use palisade_core::time::Moment;
use palisade_guidance::letters::{LetterDetails, Template, draft};
use palisade_guidance::script::CaseScript;

fn case() -> CaseScript {
    CaseScript::new("Messages from AB", "amorous", &["AB Smith"])
        .contact("2026-01-05T19:40:00Z", "sms", "You have lovely eyes x")
        .contact("2026-01-05T21:00:00Z", "sms", "Goodnight x")
        .event(
            "2026-01-10T09:00:00Z",
            "gift",
            "Card and chocolates at reception",
        )
        .action("2026-01-14", "asked_to_stop", None, None)
        .contact(
            "2026-01-20T22:00:00Z",
            "facebook",
            "Why are you ignoring me",
        )
        .event("2026-01-24T21:30:00Z", "at_home", "At my door with flowers")
}

fn details() -> LetterDetails {
    LetterDetails {
        practice_name: Some("High Street Surgery".into()),
        practice_address: vec!["1 High Street".into(), "Anytown AN1 1AA".into()],
        practice_phone: Some("01234 567890".into()),
        practice_online: Some("the practice website's contact form".into()),
        clinician_name: Some("Dr Jane Jones".into()),
        clinician_role: Some("GP Partner".into()),
        manager_name: Some("Sam Patel".into()),
        manager_role: Some("Practice Manager".into()),
        patient_name: Some("Mr A B Smith".into()),
        patient_address: vec!["2 Low Road".into(), "Anytown AN1 2BB".into()],
        patient_reference: Some("NHS 123 456 7890".into()),
        defence_organisation: Some("MDU".into()),
        defence_reference: Some("MDU 998877".into()),
        police_force: Some("Anyshire Police".into()),
        police_reference: Some("CAD 4412".into()),
        ..LetterDetails::default()
    }
}

#[test]
fn boundary_letter_is_plain_personal_and_dated() {
    let v = case().view().unwrap();
    let l = draft(Template::Boundary, &v, &details(), date(2026, 1, 12));
    let t = l.to_text();
    assert_eq!(l.salutation, "Dear Mr A B Smith");
    assert_eq!(l.date, "Monday 12 January 2026");
    assert_eq!(l.sender[0], "Dr Jane Jones");
    assert!(
        t.contains("On 5 January 2026 you sent 2 text messages."),
        "{t}"
    );
    assert!(
        t.contains("On 10 January 2026 you left or sent a gift."),
        "{t}"
    );
    assert!(t.contains("professional"));
    assert!(t.contains("01234 567890") && t.contains("contact form"));
    // Only what had happened by the letter's date.
    assert!(!t.contains("20 January"));
    assert!(
        !t.contains('['),
        "no placeholders when details are given: {t}"
    );
}

#[test]
fn manager_letter_cites_the_request_and_what_followed() {
    let v = case().view().unwrap();
    let t = draft(Template::ManagerFormal, &v, &details(), date(2026, 1, 26)).to_text();
    assert!(
        t.contains("On 14 January 2026 Dr Jane Jones asked you to stop"),
        "{t}"
    );
    assert!(
        t.contains("On 20 January 2026 you sent a message through Facebook."),
        "{t}"
    );
    assert!(
        t.contains("On 24 January 2026 you came to Dr Jane Jones's home."),
        "{t}"
    );
    assert!(
        !t.contains("5 January"),
        "only contact after the request: {t}"
    );
    assert!(t.contains("Sam Patel") && t.contains("NHS England"));
}

#[test]
fn warning_letter_lists_behaviours_consequences_care_and_reply() {
    let v = case().view().unwrap();
    let l = draft(Template::RemovalWarning, &v, &details(), date(2026, 1, 26));
    let t = l.to_text();
    assert!(t.contains("formal warning"));
    assert!(
        t.contains("On 5 January 2026") && t.contains("On 24 January 2026"),
        "{t}"
    );
    assert!(t.contains("until Tuesday 26 January 2027"), "{t}");
    assert!(t.contains("remain our patient"));
    assert!(t.contains("within 14 days"));
}

#[test]
fn removal_notice_gives_the_eighth_day_and_continuing_care() {
    let s = case()
        .action("2026-01-26", "other", Some("Removal warning letter"), None)
        .contact("2026-02-02T20:00:00Z", "sms", "I love you")
        .action(
            "2026-02-06",
            "relationship_ended",
            Some("Removal requested"),
            None,
        );
    let v = s.view().unwrap();
    let t = draft(Template::RemovalNotice, &v, &details(), date(2026, 2, 6)).to_text();
    assert!(t.contains("We wrote to you on 26 January 2026"), "{t}");
    assert!(
        t.contains("takes effect on Saturday 14 February 2026"),
        "{t}"
    );
    assert!(t.contains("register with another GP practice"));
    assert!(t.contains("records will be passed"));
    let mut d = details();
    d.immediate = true;
    d.reasons = Some("You came to the doctor's home at night after being told not to.".into());
    let t = draft(Template::RemovalNotice, &v, &d, date(2026, 2, 6)).to_text();
    assert!(t.contains("immediate effect"));
    assert!(t.contains("Special Allocation Scheme"));
    assert!(t.contains("You came to the doctor's home at night"));
}

#[test]
fn missing_details_become_visible_placeholders() {
    let v = case().view().unwrap();
    let l = draft(
        Template::Boundary,
        &v,
        &LetterDetails::default(),
        date(2026, 1, 12),
    );
    let t = l.to_text();
    for p in [
        "[practice name]",
        "[practice address]",
        "[practice telephone]",
        "[patient's address]",
    ] {
        assert!(t.contains(p), "{p}: {t}");
    }
    // The patient is named as the case records them; the clinician as its owner.
    assert_eq!(l.salutation, format!("Dear {}", v.subject));
    assert_eq!(l.sender[0], "Dr A. Example");
}

#[test]
fn defence_referral_summarises_log_actions_and_risk() {
    let v = case().view().unwrap();
    let l = draft(Template::DefenceReferral, &v, &details(), date(2026, 1, 26));
    let t = l.to_text();
    assert_eq!(l.reference.as_deref(), Some("MDU 998877"));
    assert!(
        t.contains("5 contacts from Mr A B Smith between 5 January 2026 and 24 January 2026"),
        "{t}"
    );
    assert!(
        t.contains("14 January 2026: asked the patient to stop"),
        "{t}"
    );
    assert!(t.contains("assesses the risk as urgent"), "{t}");
}

/// The police summary and the defence referral never carry clinical notes.
#[test]
fn nothing_clinical_leaves_the_practice() {
    let s = case().add_entry(NewEntry {
        occurred_at: Moment::parse("2026-01-25T10:00:00Z").unwrap(),
        channel: Channel::InPersonPractice,
        direction: Direction::Inbound,
        party: None,
        place: Some("Reception".into()),
        witnesses: vec![],
        summary: Some("Came to reception".into()),
        content: Some("I know where you live".into()),
        clinical: Some("SECRET-CLINICAL: diagnosed bipolar disorder, on lithium".into()),
        source: Source::Manual,
    });
    let v = s.view().unwrap();
    assert!(v.entries.iter().any(|e| e.clinical.is_some()));
    for t in Template::ALL {
        let text = draft(t, &v, &details(), date(2026, 1, 26)).to_text();
        assert!(!text.contains("SECRET-CLINICAL"), "{t}: {text}");
        assert!(!text.contains("lithium"), "{t}");
    }
    let police = draft(Template::PoliceSummary, &v, &details(), date(2026, 1, 26));
    let text = police.to_text();
    assert!(text.contains("no clinical information"));
    assert!(
        text.contains("I know where you live"),
        "threats are quoted: {text}"
    );
    assert_eq!(police.reference.as_deref(), Some("CAD 4412"));
    assert_eq!(police.closing, "Yours faithfully");
}

#[test]
fn templates_parse_and_every_one_drafts() {
    let v = case().view().unwrap();
    for t in Template::ALL {
        assert_eq!(t.as_str().parse::<Template>(), Ok(t));
        let l = draft(t, &v, &details(), date(2026, 1, 26));
        assert!(!l.subject.is_empty() && !l.paragraphs.is_empty() && !l.signature.is_empty());
        assert!(l.paragraphs.iter().all(|p| !p.trim().is_empty()), "{t}");
    }
    assert!("love_letter".parse::<Template>().is_err());
}
