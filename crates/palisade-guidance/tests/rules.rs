//! Every rule and every risk factor, each switched on and off by the facts
//! that drive it, including the same-day edge case for a request to stop.

use jiff::civil::{Date, date};
use palisade_guidance::script::CaseScript;
use palisade_guidance::{Advice, Context, Questionnaire, RiskLevel, advise};

const TODAY: Date = date(2026, 3, 20);

fn at(s: &CaseScript, today: Date) -> Advice {
    advise(&s.view().expect("script folds"), &Context::new(today))
}

fn ids(a: &Advice) -> Vec<&'static str> {
    a.steps.iter().map(|s| s.id).collect()
}

fn has(s: &CaseScript, id: &str) -> bool {
    ids(&at(s, TODAY)).contains(&id)
}

fn factor_ids(a: &Advice) -> Vec<&'static str> {
    a.risk.factors.iter().map(|f| f.id).collect()
}

fn amorous() -> CaseScript {
    CaseScript::new("Texts from EF", "amorous", &["EF"]).contact(
        "2026-03-02T12:00:00Z",
        "sms",
        "You looked lovely today x",
    )
}

#[test]
fn an_empty_case_is_standard_with_nothing_to_do() {
    let a = at(&CaseScript::new("Nothing yet", "other", &["XY"]), TODAY);
    assert_eq!(a.risk.level, RiskLevel::Standard);
    assert!(
        a.steps.is_empty() && a.deadlines.is_empty(),
        "{:?}",
        ids(&a)
    );
}

#[test]
fn first_steps_until_they_are_recorded() {
    let s = amorous();
    for id in [
        "ask-to-stop-in-writing",
        "inform-manager",
        "contact-defence-organisation",
        "keep-the-log",
        "chaperone",
    ] {
        assert!(has(&s, id), "{id}");
    }
    let a = at(&s, TODAY);
    let ask = a
        .steps
        .iter()
        .find(|x| x.id == "ask-to-stop-in-writing")
        .unwrap();
    assert!(
        ask.reason.contains("1 contact logged since 2 March 2026"),
        "{}",
        ask.reason
    );
    assert_eq!(ask.source.organisation, "MDU");
    assert!(!ask.reason.contains("only if it is safe"));
    let s = s
        .action("2026-03-03", "asked_to_stop", None, None)
        .action("2026-03-03", "informed_manager", None, None)
        .action("2026-03-03", "defence_org_contacted", Some("MDU"), None)
        .action("2026-03-03", "chaperone_required", None, None);
    for id in [
        "ask-to-stop-in-writing",
        "inform-manager",
        "contact-defence-organisation",
        "chaperone",
    ] {
        assert!(!has(&s, id), "{id}");
    }
}

#[test]
fn actions_after_today_do_not_count() {
    let s = amorous().action("2026-04-01", "asked_to_stop", None, None);
    assert!(has(&s, "ask-to-stop-in-writing"));
}

#[test]
fn same_day_contact_is_not_counted_as_after_a_request_recorded_by_day() {
    let s = amorous()
        .action("2026-03-03", "asked_to_stop", None, None)
        .contact("2026-03-03T20:00:00Z", "sms", "Please don't be like that x");
    let a = at(&s, TODAY);
    assert_eq!(a.indicators.after_request, 0);
    assert_eq!(a.indicators.same_day_as_request, 1);
    assert!(!ids(&a).contains(&"manager-writes-formally"));
    // With the request's time recorded, the order is known.
    let timed = amorous()
        .action("2026-03-03T12:00:00Z", "asked_to_stop", None, None)
        .contact("2026-03-03T11:00:00Z", "sms", "Hope you're ok x")
        .contact("2026-03-03T20:00:00Z", "sms", "Please don't be like that x");
    let a = at(&timed, TODAY);
    assert_eq!(
        (a.indicators.after_request, a.indicators.same_day_as_request),
        (1, 0)
    );
    assert!(ids(&a).contains(&"manager-writes-formally"));
    // The next day is after, whatever the time.
    let next = amorous()
        .action("2026-03-03", "asked_to_stop", None, None)
        .contact("2026-03-03T20:00:00Z", "sms", "x")
        .contact("2026-03-04T00:05:00+01:00", "sms", "x");
    let a = at(&next, TODAY);
    assert_eq!(
        (a.indicators.after_request, a.indicators.same_day_as_request),
        (1, 1)
    );
    let f = a
        .risk
        .factors
        .iter()
        .find(|f| f.id == "contact-after-request")
        .unwrap();
    assert!(
        f.explanation
            .contains("1 contact on the day of the request itself are not counted")
            || f.explanation.contains("on the day of the request itself"),
        "{}",
        f.explanation
    );
}

#[test]
fn contact_after_the_request_escalates_step_by_step() {
    let asked = amorous().action("2026-03-03", "asked_to_stop", None, None);
    let one = asked.contact("2026-03-05T12:00:00Z", "sms", "Why won't you talk to me");
    assert!(has(&one, "manager-writes-formally"));
    assert!(!has(&one, "consider-police-report"));
    let two = one.contact("2026-03-06T12:00:00Z", "sms", "Please reply");
    assert!(has(&two, "consider-police-report"));
    assert!(has(&two, "minimum-disclosure"));
    let three = two.contact("2026-03-07T12:00:00Z", "sms", "Answer me");
    assert!(has(&three, "consider-transfer-of-care"));
    assert_eq!(at(&three, TODAY).risk.level, RiskLevel::High);
    let letter = three
        .action("2026-03-08", "manager_letter", None, None)
        .contact("2026-03-10T12:00:00Z", "sms", "I will never give up on us");
    let a = at(&letter, TODAY);
    assert!(!ids(&a).contains(&"manager-writes-formally"));
    assert!(
        ids(&a).contains(&"consider-ending-relationship"),
        "{:?}",
        ids(&a)
    );
    assert!(ids(&a).contains(&"warning-before-removal"));
    let t = a
        .steps
        .iter()
        .find(|s| s.id == "consider-transfer-of-care")
        .unwrap();
    assert!(
        t.reason.contains("formal letter of 8 March 2026"),
        "{}",
        t.reason
    );
    let done = letter.action("2026-03-11", "care_transferred", None, None);
    assert!(!has(&done, "consider-transfer-of-care"));
    assert!(!has(&done, "chaperone"));
}

#[test]
fn threats_put_the_police_first_and_lead_the_assessment() {
    let s = CaseScript::new("GH", "grievance", &["GH"]).contact(
        "2026-03-18T23:10:00Z",
        "sms",
        "I'm going to smash your face in",
    );
    let a = at(&s, TODAY);
    assert_eq!(a.risk.level, RiskLevel::Urgent);
    assert!(
        a.risk
            .lead
            .as_deref()
            .unwrap()
            .starts_with("Call the police now (999 in an emergency)")
    );
    assert_eq!(a.steps[0].id, "call-police-now");
    assert_eq!(
        a.steps[0].title,
        "Call the police now (999 in an emergency)"
    );
    assert!(
        a.steps[0].reason.contains("18 March 2026"),
        "{}",
        a.steps[0].reason
    );
    let all = ids(&a);
    for id in [
        "minimum-disclosure",
        "warn-colleagues",
        "tell-medical-director-or-commissioner",
        "immediate-removal-option",
        "consider-ending-relationship",
    ] {
        assert!(all.contains(&id), "{id}: {all:?}");
    }
    let ask = a
        .steps
        .iter()
        .find(|s| s.id == "ask-to-stop-in-writing")
        .unwrap();
    assert!(ask.reason.contains("only if it is safe"));
    // Once a person has acknowledged the message it no longer makes the case urgent.
    let v = s.view().unwrap();
    let mut ctx = Context::new(TODAY);
    ctx.acknowledged.insert(v.entries[0].id.clone());
    let a = advise(&v, &ctx);
    assert!(a.risk.level < RiskLevel::Urgent);
    assert!(a.risk.lead.is_none());
}

#[test]
fn self_harm_reaches_a_clinician() {
    let s = amorous().contact(
        "2026-03-19T02:00:00Z",
        "whatsapp",
        "i dont want to be here anymore",
    );
    let a = at(&s, TODAY);
    assert_eq!(a.risk.level, RiskLevel::Urgent);
    assert!(ids(&a).contains(&"clinician-review-self-harm"));
    assert!(ids(&a).contains(&"consider-psychiatric-opinion"));
    assert!(a.risk.lead.as_deref().unwrap().contains("clinician"));
}

#[test]
fn home_approaches_are_urgent_then_high() {
    let s = amorous().event(
        "2026-03-15T21:30:00Z",
        "at_home",
        "Rang the doorbell at my home with flowers",
    );
    let a = at(&s, TODAY);
    assert_eq!(a.risk.level, RiskLevel::Urgent);
    assert!(ids(&a).contains(&"review-security"));
    let later = at(&s, date(2026, 5, 1));
    assert_eq!(later.risk.level, RiskLevel::High);
    let secured = s.action(
        "2026-03-16",
        "security_measure",
        Some("Camera doorbell"),
        None,
    );
    assert!(!has(&secured, "review-security"));
}

#[test]
fn mental_disorder_and_chaperone_for_fixed_beliefs() {
    let s = amorous().contact(
        "2026-03-04T12:00:00Z",
        "sms",
        "I know you feel the same way, we are meant to be together",
    );
    let a = at(&s, TODAY);
    assert!(factor_ids(&a).contains(&"fixation"));
    let p = a
        .steps
        .iter()
        .find(|x| x.id == "consider-psychiatric-opinion")
        .unwrap();
    assert!(p.reason.contains("erotomania"), "{}", p.reason);
    let referred = s.action("2026-03-05", "psychiatric_referral", None, None);
    assert!(!has(&referred, "consider-psychiatric-opinion"));
}

#[test]
fn originals_replies_and_privacy() {
    let s = amorous().event(
        "2026-03-05T09:00:00Z",
        "gift",
        "Chocolates left at reception",
    );
    assert!(has(&s, "keep-originals"));
    assert!(has(&s, "privacy-settings") && has(&s, "state-boundaries"));
    let replied = s.reply(
        "2026-03-05T19:00:00Z",
        "facebook",
        "Please contact the practice instead",
    );
    assert!(has(&replied, "stop-replying-personally"));
    let letters_only = CaseScript::new("Letters", "grievance", &["CD"]).contact(
        "2026-03-02T10:00:00Z",
        "email",
        "Why was my referral late?",
    );
    assert!(!has(&letters_only, "privacy-settings"));
}

#[test]
fn risk_factors_from_the_log_are_explained() {
    let s = CaseScript::new("Family", "grievance", &["JK", "family:JK's son"])
        .contact("2026-03-14T19:30:00Z", "email", "You are useless")
        .from("JK's son")
        .contact("2026-03-15T21:00:00Z", "facebook", "Leave my dad alone")
        .from_patient()
        .contact("2026-03-16T22:00:00Z", "sms", "Call me")
        .event(
            "2026-03-17T10:00:00Z",
            "in_person_elsewhere",
            "Approached me in the supermarket",
        )
        .event("2026-03-18T10:00:00Z", "gift", "Card at reception");
    let a = at(&s, TODAY);
    let f = factor_ids(&a);
    for id in [
        "approach-elsewhere",
        "third-parties",
        "out-of-hours",
        "many-channels",
        "gifts",
        "abusive-messages",
        "acceleration",
    ] {
        assert!(f.contains(&id), "{id}: {f:?}");
    }
    assert_eq!(a.risk.level, RiskLevel::High);
    let tp = a
        .risk
        .factors
        .iter()
        .find(|x| x.id == "third-parties")
        .unwrap();
    assert!(tp.explanation.contains("JK's son"), "{}", tp.explanation);
    let acc = a
        .risk
        .factors
        .iter()
        .find(|x| x.id == "acceleration")
        .unwrap();
    assert!(
        acc.explanation
            .contains("5 contacts in the last 7 days against 0"),
        "{}",
        acc.explanation
    );
    // Every factor carries an explanation; the level is the highest factor.
    assert!(a.risk.factors.iter().all(|x| !x.explanation.is_empty()));
    assert_eq!(
        a.risk.level,
        a.risk.factors.iter().map(|x| x.level).max().unwrap()
    );
}

#[test]
fn frequent_contact_raises_the_level_with_its_rate() {
    let mut s = CaseScript::new("Many", "amorous", &["EF"]);
    for day in 1..=28 {
        s = s.contact(
            &format!("2026-02-{day:02}T12:00:00Z"),
            "email",
            "hello again",
        );
    }
    let a = at(&s, date(2026, 2, 28));
    let f = a
        .risk
        .factors
        .iter()
        .find(|f| f.id == "contact-rate")
        .expect("rate factor");
    assert_eq!(f.level, RiskLevel::Elevated);
    assert!(
        f.explanation
            .contains("28 contacts in the last 28 days, about 7 a week"),
        "{}",
        f.explanation
    );
    for day in 1..=28 {
        for h in 10..13 {
            s = s.contact(
                &format!("2026-02-{day:02}T{h}:00:00Z"),
                "email",
                "hello again",
            );
        }
    }
    let a = at(&s, date(2026, 2, 28));
    assert_eq!(
        a.risk
            .factors
            .iter()
            .find(|f| f.id == "contact-rate")
            .unwrap()
            .level,
        RiskLevel::High
    );
}

#[test]
fn a_long_quiet_spell_brings_elevated_back_to_standard() {
    let s = amorous().event("2026-03-05T09:00:00Z", "gift", "Flowers");
    assert_eq!(at(&s, TODAY).risk.level, RiskLevel::Elevated);
    let later = at(&s, date(2026, 5, 1));
    assert_eq!(later.risk.level, RiskLevel::Standard);
    assert_eq!(later.risk.factors[0].id, "quiet-period");
    assert!(later.risk.factors.iter().any(|f| f.id == "gifts"));
}

#[test]
fn questionnaire_answers_raise_the_level() {
    let s = amorous();
    let v = s.view().unwrap();
    let q = Questionnaire {
        afraid: Some(true),
        threatened_violence: Some(true),
        ..Questionnaire::default()
    };
    let a = advise(&v, &Context::new(TODAY).with_answers(q));
    assert_eq!(a.risk.level, RiskLevel::Urgent);
    assert_eq!(a.risk.factors[0].id, "answer-afraid-after-threats");
    let four = Questionnaire {
        fixated: Some(true),
        obsessive: Some(true),
        unwanted: Some(true),
        repeated: Some(true),
        ..Questionnaire::default()
    };
    let a = advise(&v, &Context::new(TODAY).with_answers(four));
    assert_eq!(a.risk.level, RiskLevel::High);
    assert!(factor_ids(&a).contains(&"four"));
    let no = Questionnaire {
        afraid: Some(false),
        violence: Some(false),
        ..Questionnaire::default()
    };
    let a = advise(&v, &Context::new(TODAY).with_answers(no));
    assert_eq!(a.risk.level, RiskLevel::Standard);
    let violent = Questionnaire {
        violence: Some(true),
        ..Questionnaire::default()
    };
    let a = advise(&v, &Context::new(TODAY).with_answers(violent));
    assert_eq!(a.risk.level, RiskLevel::Urgent);
    assert!(ids(&a).contains(&"immediate-removal-option"));
}

#[test]
fn stalking_protection_order_when_the_four_signs_are_present_and_police_involved() {
    let s = amorous()
        .action("2026-03-03", "asked_to_stop", None, None)
        .contact("2026-03-05T12:00:00Z", "sms", "x")
        .contact("2026-03-06T12:00:00Z", "sms", "x");
    let v = s.view().unwrap();
    let four = Questionnaire {
        fixated: Some(true),
        obsessive: Some(true),
        unwanted: Some(true),
        repeated: Some(true),
        ..Questionnaire::default()
    };
    let a = advise(&v, &Context::new(TODAY).with_answers(four));
    assert!(
        ids(&a).contains(&"stalking-protection-order"),
        "{:?}",
        ids(&a)
    );
    assert!(!has(&s, "stalking-protection-order"));
}

#[test]
fn json_has_the_documented_shape() {
    let j = at(&amorous(), TODAY).to_json();
    for s in j["steps"].as_array().unwrap() {
        for k in ["id", "title", "reason", "source"] {
            assert!(s[k].is_string(), "{k}: {s}");
        }
    }
    assert!(j["deadlines"].is_array());
    assert_eq!(j["risk"]["level"], "standard");
    assert!(j["risk"]["factors"].is_array());
}

#[test]
fn step_ids_are_stable_kebab_case_and_unique() {
    let s = CaseScript::new("All", "amorous", &["EF", "family:EF's brother"])
        .contact("2026-03-02T12:00:00Z", "facebook", "I know where you live")
        .action("2026-03-03", "asked_to_stop", None, None)
        .contact("2026-03-04T12:00:00Z", "sms", "we are meant to be together")
        .contact("2026-03-05T12:00:00Z", "sms", "i want to die")
        .event("2026-03-06T12:00:00Z", "at_home", "At my door");
    let a = at(&s, TODAY);
    let all = ids(&a);
    let mut unique = all.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), all.len(), "{all:?}");
    for id in all {
        assert!(
            id.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
            "{id}"
        );
    }
}
