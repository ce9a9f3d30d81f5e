//! The engine reading the ledger's own records for the removal process
//! (`removal_warning`, `removal_notice` with its mode, `nhs_england_notified`),
//! acknowledgements of flagged messages and recorded questionnaire answers,
//! with the older notes conventions still understood.

use jiff::civil::{Date, date};
use palisade_guidance::script::CaseScript;
use palisade_guidance::{Advice, Context, DeadlineStatus, Questionnaire, RiskLevel, advise};

fn base() -> CaseScript {
    CaseScript::new("Letters from CD", "grievance", &["CD"]).contact(
        "2025-02-20T10:00:00Z",
        "letter",
        "You are useless and I want a new doctor",
    )
}

/// Advice with the context the ledger gives (acknowledgements, answers).
fn at(s: &CaseScript, today: Date) -> Advice {
    let v = s.view().expect("script folds");
    advise(&v, &Context::for_case(&v, today))
}

fn due(s: &CaseScript, today: Date, id: &str) -> Option<(Date, DeadlineStatus)> {
    at(s, today)
        .deadlines
        .into_iter()
        .find(|d| d.id == id)
        .map(|d| (d.due, d.status))
}

fn steps(s: &CaseScript, today: Date) -> Vec<&'static str> {
    at(s, today).steps.iter().map(|s| s.id).collect()
}

fn factors(a: &Advice) -> Vec<&'static str> {
    a.risk.factors.iter().map(|f| f.id).collect()
}

#[test]
fn removal_warning_kind_is_a_warning_without_any_notes() {
    let s = base().action("2025-03-01", "removal_warning", None, None);
    assert_eq!(
        due(&s, date(2026, 2, 28), "warning-valid-until"),
        Some((date(2026, 3, 1), DeadlineStatus::Open))
    );
    // 366 days later it has lapsed, exactly as a warning recorded by notes.
    assert!(due(&s, date(2026, 3, 2), "warning-valid-until").is_none());
    assert!(steps(&s, date(2026, 3, 2)).contains(&"fresh-warning-needed"));
    // An `other` action is a warning only if its notes say so (the fallback).
    let plain = base().action("2025-03-01", "other", Some("Phoned the patient"), None);
    assert!(due(&plain, date(2025, 3, 2), "warning-valid-until").is_none());
    let legacy = base().action("2025-03-01", "other", Some("Warning letter sent"), None);
    assert!(due(&legacy, date(2025, 3, 2), "warning-valid-until").is_some());
}

#[test]
fn a_removal_warning_counts_as_the_formal_letter() {
    let s = base()
        .action("2025-02-21", "asked_to_stop", None, None)
        .contact("2025-02-25T10:00:00Z", "letter", "You are useless")
        .action("2025-02-27", "removal_warning", None, None);
    let a = at(&s, date(2025, 2, 28));
    assert_eq!(a.indicators.manager_letter, Some(date(2025, 2, 27)));
    assert!(!steps(&s, date(2025, 2, 28)).contains(&"manager-writes-formally"));
    assert!(!steps(&s, date(2025, 2, 28)).contains(&"warning-before-removal"));
}

#[test]
fn standard_removal_notice_takes_effect_on_the_eighth_day() {
    // Notice on Friday 6 March 2026 → Saturday 14 March, not moved.
    let s = base()
        .removal_warning_on("2026-01-05")
        .removal_notice("2026-03-06", false, None);
    assert_eq!(
        due(&s, date(2026, 3, 9), "removal-takes-effect"),
        Some((date(2026, 3, 14), DeadlineStatus::Open))
    );
    // No NHS England deadlines for a standard removal.
    assert!(due(&s, date(2026, 3, 9), "nhse-written-notice").is_none());
    let ids = steps(&s, date(2026, 3, 9));
    assert!(!ids.contains(&"removal-without-valid-warning"), "{ids:?}");
    assert!(!ids.contains(&"consider-ending-relationship"), "{ids:?}");
    // Without a warning in the 12 months before, the removal is questioned.
    let unwarned = base().removal_notice("2026-03-06", false, None);
    assert!(steps(&unwarned, date(2026, 3, 7)).contains(&"removal-without-valid-warning"));
}

#[test]
fn immediate_removal_notice_and_nhs_england_notified() {
    let s = base().removal_notice("2026-03-06", true, None);
    assert_eq!(
        due(&s, date(2026, 3, 9), "nhse-written-notice"),
        Some((date(2026, 3, 13), DeadlineStatus::Open))
    );
    assert!(due(&s, date(2026, 3, 9), "police-incident-number").is_some());
    assert_eq!(
        due(&s, date(2026, 3, 9), "sas-review").map(|d| d.0),
        Some(date(2027, 3, 6))
    );
    assert!(due(&s, date(2026, 3, 9), "removal-takes-effect").is_none());
    // The written notice closes its deadline; notice before the removal does not.
    let early = s.clone_with(|s| s.action("2026-03-05", "nhs_england_notified", None, None));
    assert!(due(&early, date(2026, 3, 9), "nhse-written-notice").is_some());
    let done = s
        .clone_with(|s| s.action("2026-03-06", "police_reported", None, Some("CAD 77")))
        .action("2026-03-10", "nhs_england_notified", None, None);
    assert!(due(&done, date(2026, 3, 11), "nhse-written-notice").is_none());
    assert!(due(&done, date(2026, 3, 11), "police-incident-number").is_none());
    // A removal notice also stops the engine suggesting ending the relationship.
    assert!(!steps(&done, date(2026, 3, 11)).contains(&"consider-ending-relationship"));
}

#[test]
fn legacy_relationship_ended_is_still_read_as_a_removal() {
    let s = base().action(
        "2026-03-06",
        "relationship_ended",
        Some("Immediate removal after violence"),
        None,
    );
    assert!(due(&s, date(2026, 3, 9), "nhse-written-notice").is_some());
    let legacy_notice = s.action(
        "2026-03-09",
        "other",
        Some("Written notice to NHS England"),
        None,
    );
    assert!(due(&legacy_notice, date(2026, 3, 10), "nhse-written-notice").is_none());
}

#[test]
fn acknowledging_a_threat_ends_urgency_but_the_threat_still_counts() {
    let s = CaseScript::new("EF", "grievance", &["EF"]).contact(
        "2026-03-01T21:00:00Z",
        "sms",
        "I am going to kill you",
    );
    let a = at(&s, date(2026, 3, 2));
    assert_eq!(a.risk.level, RiskLevel::Urgent, "{:#?}", a.risk.factors);
    assert!(factors(&a).contains(&"threat-message"));
    let label = palisade_guidance::classify("I am going to kill you").label;
    let acked = s.acknowledge_last(label.as_str(), "Dr A");
    let a = at(&acked, date(2026, 3, 2));
    assert!(a.risk.level < RiskLevel::Urgent, "{:#?}", a.risk.factors);
    assert_eq!(a.risk.level, RiskLevel::High);
    assert!(a.risk.lead.is_none());
    assert!(!factors(&a).contains(&"threat-message"));
    assert!(factors(&a).contains(&"threat-message-acknowledged"));
    // Threats still shape the steps: ending the relationship, immediate removal.
    assert!(steps(&acked, date(2026, 3, 2)).contains(&"immediate-removal-option"));
    // A new threat after the acknowledgement is urgent again.
    let again = acked.contact("2026-03-03T09:00:00Z", "sms", "I am going to kill you");
    assert_eq!(at(&again, date(2026, 3, 3)).risk.level, RiskLevel::Urgent);
}

#[test]
fn an_acknowledgement_covers_only_the_label_it_names() {
    let s = CaseScript::new("EF", "grievance", &["EF"])
        .contact("2026-03-01T21:00:00Z", "sms", "I am going to kill you")
        .acknowledge_last("abusive", "Dr A");
    let v = s.view().unwrap();
    assert!(palisade_guidance::acknowledged(&v).is_empty());
    assert_eq!(at(&s, date(2026, 3, 2)).risk.level, RiskLevel::Urgent);
}

#[test]
fn recorded_answers_feed_the_assessment_and_the_latest_wins() {
    let s = base();
    assert_eq!(at(&s, date(2025, 2, 21)).risk.level, RiskLevel::Elevated);
    let violent = Questionnaire {
        violence: Some(true),
        ..Questionnaire::default()
    };
    let s = s.answered("2025-02-21", &violent);
    let v = s.view().unwrap();
    assert_eq!(v.assessments.len(), 1);
    assert_eq!(v.assessments[0].level, "urgent");
    assert_eq!(v.assessments[0].trigger, "questionnaire");
    assert_eq!(
        v.assessments[0].answers,
        Some(serde_json::json!({"violence": true}))
    );
    assert_eq!(palisade_guidance::recorded_answers(&v), Some(violent));
    let a = at(&s, date(2025, 2, 21));
    assert_eq!(a.risk.level, RiskLevel::Urgent);
    assert!(factors(&a).contains(&"answer-violence"));
    // Answered again, without violence: the later answers are the ones used.
    let s = s.answered(
        "2025-02-22",
        &Questionnaire {
            violence: Some(false),
            ..Questionnaire::default()
        },
    );
    assert!(at(&s, date(2025, 2, 22)).risk.level < RiskLevel::Urgent);
}

#[test]
fn engine_names_version_and_digest() {
    let e = palisade_guidance::ENGINE;
    assert!(e.starts_with("palisade-guidance/"), "{e}");
    let digest = e.rsplit('+').next().unwrap();
    assert_eq!(digest.len(), 16);
    assert!(digest.bytes().all(|b| b.is_ascii_hexdigit()));
}

/// Small helpers for the scripts above.
trait ScriptExt: Sized {
    fn removal_warning_on(self, day: &str) -> Self;
    fn clone_with(&self, f: impl FnOnce(CaseScript) -> CaseScript) -> CaseScript;
}

impl ScriptExt for CaseScript {
    fn removal_warning_on(self, day: &str) -> Self {
        self.action(day, "removal_warning", None, None)
    }

    fn clone_with(&self, f: impl FnOnce(CaseScript) -> CaseScript) -> CaseScript {
        f(self.clone())
    }
}
