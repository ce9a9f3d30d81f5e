//! Every deadline, with the edge cases: a warning exactly 12 months and
//! 366 days old, removal notices over a weekend, immediate removal.

use jiff::civil::{Date, date};
use palisade_guidance::script::CaseScript;
use palisade_guidance::{Context, DeadlineStatus, advise};

fn base() -> CaseScript {
    CaseScript::new("Letters from CD", "grievance", &["CD"]).contact(
        "2025-02-20T10:00:00Z",
        "letter",
        "You are useless and I want a new doctor",
    )
}

fn due(s: &CaseScript, today: Date, id: &str) -> Option<(Date, DeadlineStatus, String)> {
    let v = s.view().expect("script folds");
    advise(&v, &Context::new(today))
        .deadlines
        .into_iter()
        .find(|d| d.id == id)
        .map(|d| (d.due, d.status, d.basis))
}

fn step_ids(s: &CaseScript, today: Date) -> Vec<&'static str> {
    let v = s.view().expect("script folds");
    advise(&v, &Context::new(today))
        .steps
        .iter()
        .map(|s| s.id)
        .collect()
}

#[test]
fn warning_supports_removal_for_exactly_twelve_months() {
    let s = base().action(
        "2025-03-01",
        "other",
        Some("Written warning: removal may follow"),
        None,
    );
    // 2025-03-01 + 12 months = 2026-03-01.
    let (d, st, basis) = due(&s, date(2026, 2, 28), "warning-valid-until").expect("open");
    assert_eq!((d, st), (date(2026, 3, 1), DeadlineStatus::Open));
    assert!(basis.contains("Sunday 1 March 2026"), "{basis}");
    assert_eq!(
        due(&s, date(2026, 3, 1), "warning-valid-until").map(|x| x.1),
        Some(DeadlineStatus::DueToday)
    );
    // 366 days after the warning it has lapsed: no deadline, and a fresh
    // warning is asked for before any non-violent removal.
    assert_eq!(
        date(2025, 3, 1).until(date(2026, 3, 2)).unwrap().get_days(),
        366
    );
    assert!(due(&s, date(2026, 3, 2), "warning-valid-until").is_none());
    let steps = step_ids(&s, date(2026, 3, 2));
    assert!(steps.contains(&"fresh-warning-needed"), "{steps:?}");
    assert!(!steps.contains(&"warning-before-removal"), "{steps:?}");
    // 365 days: still valid, no fresh warning asked for.
    assert!(!step_ids(&s, date(2026, 3, 1)).contains(&"fresh-warning-needed"));
}

#[test]
fn a_warning_on_29_february_lasts_to_28_february() {
    let s = base().action(
        "2024-02-29",
        "manager_letter",
        Some("Formal warning letter"),
        None,
    );
    let (d, _, _) = due(&s, date(2025, 1, 1), "warning-valid-until").expect("open");
    assert_eq!(d, date(2025, 2, 28));
}

#[test]
fn notes_without_a_warning_are_not_a_warning() {
    let s = base().action(
        "2026-01-10",
        "manager_letter",
        Some("Asked to use the practice email"),
        None,
    );
    assert!(due(&s, date(2026, 1, 20), "warning-valid-until").is_none());
}

#[test]
fn removal_takes_effect_on_the_eighth_day_even_over_a_weekend() {
    // Notice on Friday 6 March 2026: the eighth day after is Saturday 14
    // March, and it stays a Saturday.
    let s = base()
        .action("2026-01-05", "other", Some("Warning letter sent"), None)
        .action(
            "2026-03-06",
            "relationship_ended",
            Some("Removal requested from NHS England"),
            None,
        );
    let (d, st, basis) = due(&s, date(2026, 3, 9), "removal-takes-effect").expect("open");
    assert_eq!(d, date(2026, 3, 14));
    assert_eq!(d.weekday(), jiff::civil::Weekday::Saturday);
    assert_eq!(st, DeadlineStatus::Open);
    assert!(
        basis.contains("weekends and bank holidays count"),
        "{basis}"
    );
    // Notice given on a Saturday counts from the Saturday.
    let s2 = base()
        .action("2026-01-05", "other", Some("Warning letter sent"), None)
        .action("2026-03-07", "relationship_ended", None, None);
    assert_eq!(
        due(&s2, date(2026, 3, 7), "removal-takes-effect").map(|x| x.0),
        Some(date(2026, 3, 15))
    );
    // Once in effect, it is no longer an open deadline.
    assert!(due(&s, date(2026, 3, 15), "removal-takes-effect").is_none());
    // The warning it relied on is no longer shown as a deadline either.
    assert!(due(&s, date(2026, 3, 9), "warning-valid-until").is_none());
    // The warning was in time: no complaint about it.
    assert!(!step_ids(&s, date(2026, 3, 9)).contains(&"removal-without-valid-warning"));
}

#[test]
fn removal_without_a_warning_in_the_last_twelve_months_is_flagged() {
    let late = base()
        .action("2025-01-10", "other", Some("Warning given"), None)
        .action("2026-03-06", "relationship_ended", None, None);
    assert!(step_ids(&late, date(2026, 3, 7)).contains(&"removal-without-valid-warning"));
    let none = base().action("2026-03-06", "relationship_ended", None, None);
    assert!(step_ids(&none, date(2026, 3, 7)).contains(&"removal-without-valid-warning"));
}

#[test]
fn immediate_removal_needs_police_number_and_written_notice_within_seven_days() {
    let s = base().action(
        "2026-03-06",
        "relationship_ended",
        Some("Immediate removal after violence at reception"),
        None,
    );
    // Friday 6 March + 7 days = Friday 13 March; the weekend in between does
    // not extend it.
    let (d, st, _) = due(&s, date(2026, 3, 9), "nhse-written-notice").expect("open");
    assert_eq!((d, st), (date(2026, 3, 13), DeadlineStatus::Open));
    assert_eq!(
        due(&s, date(2026, 3, 14), "nhse-written-notice").map(|x| x.1),
        Some(DeadlineStatus::Overdue)
    );
    let (d, st, _) = due(&s, date(2026, 3, 9), "police-incident-number").expect("missing number");
    assert_eq!((d, st), (date(2026, 3, 6), DeadlineStatus::Overdue));
    let (d, _, _) = due(&s, date(2026, 3, 9), "sas-review").expect("review");
    assert_eq!(d, date(2027, 3, 6));
    // Report with a reference and written notice: both close.
    let done = s
        .action(
            "2026-03-06",
            "police_reported",
            None,
            Some("CAD 1234 06/03"),
        )
        .action(
            "2026-03-10",
            "other",
            Some("Written notice sent to NHS England"),
            None,
        );
    assert!(due(&done, date(2026, 3, 11), "police-incident-number").is_none());
    assert!(due(&done, date(2026, 3, 11), "nhse-written-notice").is_none());
    assert!(due(&done, date(2026, 3, 11), "sas-review").is_some());
    // A police report without a reference does not count.
    let noref = base()
        .action("2026-03-06", "police_reported", None, None)
        .action("2026-03-06", "relationship_ended", Some("immediate"), None);
    assert!(due(&noref, date(2026, 3, 7), "police-incident-number").is_some());
}

#[test]
fn deadlines_are_sorted_and_serialised_with_what_and_due() {
    let s = base().action(
        "2026-03-06",
        "relationship_ended",
        Some("Immediate removal"),
        None,
    );
    let v = s.view().unwrap();
    let a = advise(&v, &Context::new(date(2026, 3, 7)));
    let dues: Vec<Date> = a.deadlines.iter().map(|d| d.due).collect();
    let mut sorted = dues.clone();
    sorted.sort();
    assert_eq!(dues, sorted);
    let j = a.to_json();
    for d in j["deadlines"].as_array().unwrap() {
        assert!(d["what"].is_string() && d["due"].is_string() && d["source"].is_string());
    }
}
