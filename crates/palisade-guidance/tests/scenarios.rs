//! Five case histories, each checked at several points: the steps offered,
//! the risk level and the open deadlines as the history unfolds.

use jiff::civil::{Date, date};
use palisade_guidance::script::CaseScript;
use palisade_guidance::{Advice, Context, Questionnaire, RiskLevel, advise};

fn at(s: &CaseScript, today: Date) -> Advice {
    advise(&s.view().expect("script folds"), &Context::new(today))
}

fn ids(a: &Advice) -> Vec<&'static str> {
    a.steps.iter().map(|s| s.id).collect()
}

fn deadline_ids(a: &Advice) -> Vec<&'static str> {
    a.deadlines.iter().map(|d| d.id).collect()
}

#[track_caller]
fn expect(a: &Advice, level: RiskLevel, present: &[&str], absent: &[&str]) {
    let got = ids(a);
    assert_eq!(a.risk.level, level, "factors: {:#?}", a.risk.factors);
    for id in present {
        assert!(got.contains(id), "missing {id} in {got:?}");
    }
    for id in absent {
        assert!(!got.contains(id), "unexpected {id} in {got:?}");
    }
}

/// 1. An amorous patient who stops after a letter.
#[test]
fn amorous_patient_who_stops_after_a_letter() {
    let s = CaseScript::new("Messages from AB", "amorous", &["AB"])
        .contact(
            "2026-01-05T19:40:00Z",
            "sms",
            "Thank you for today, you have lovely eyes x",
        )
        .contact(
            "2026-01-08T21:15:00Z",
            "facebook",
            "Sent you a friend request, hope that's ok x",
        )
        .event(
            "2026-01-10T09:00:00Z",
            "gift",
            "Card and chocolates left at reception",
        )
        .contact(
            "2026-01-12T20:05:00Z",
            "sms",
            "Would you like to go for a coffee sometime? xx",
        );
    // After the first week: early, amorous, no action yet.
    let a = at(&s, date(2026, 1, 13));
    expect(
        &a,
        RiskLevel::Elevated,
        &[
            "ask-to-stop-in-writing",
            "inform-manager",
            "contact-defence-organisation",
            "chaperone",
            "keep-originals",
            "privacy-settings",
            "state-boundaries",
        ],
        &[
            "call-police-now",
            "manager-writes-formally",
            "consider-ending-relationship",
        ],
    );
    assert!(a.deadlines.is_empty());
    let why: Vec<&str> = a.risk.factors.iter().map(|f| f.id).collect();
    assert!(
        why.contains(&"gifts") && why.contains(&"many-channels") && why.contains(&"out-of-hours"),
        "{why:?}"
    );

    // The letter goes; the manager and the MDU are told; nothing follows.
    let s = s
        .action(
            "2026-01-14",
            "asked_to_stop",
            Some("Letter: the relationship must stay professional"),
            None,
        )
        .action("2026-01-14", "informed_manager", None, None)
        .action(
            "2026-01-15",
            "defence_org_contacted",
            Some("MDU advice line"),
            Some("MDU 123456"),
        );
    let a = at(&s, date(2026, 2, 1));
    expect(
        &a,
        RiskLevel::Elevated,
        &["chaperone", "keep-the-log"],
        &[
            "ask-to-stop-in-writing",
            "inform-manager",
            "contact-defence-organisation",
            "manager-writes-formally",
            "consider-police-report",
        ],
    );
    assert_eq!(a.indicators.after_request, 0);

    // Two months of quiet: back to standard, with the reason given.
    let a = at(&s, date(2026, 3, 20));
    assert_eq!(a.risk.level, RiskLevel::Standard);
    assert_eq!(a.risk.factors[0].id, "quiet-period");
    assert!(
        a.risk.factors[0]
            .explanation
            .contains("since 12 January 2026")
    );
}

/// 2. A grievance that escalates to threats, then immediate removal.
#[test]
fn grievance_escalating_to_threats() {
    let s = CaseScript::new("Complaints from CD", "grievance", &["CD"])
        .event(
            "2026-02-02T11:00:00Z",
            "letter",
            "Letter blaming the doctor for a late diagnosis of his father's cancer",
        )
        .contact(
            "2026-02-09T10:30:00Z",
            "email",
            "You are a disgrace and an incompetent doctor",
        )
        .event(
            "2026-02-11T12:00:00Z",
            "phone_call",
            "Shouted at the receptionist and demanded a call back",
        );
    let a = at(&s, date(2026, 2, 12));
    expect(
        &a,
        RiskLevel::Elevated,
        &[
            "ask-to-stop-in-writing",
            "inform-manager",
            "contact-defence-organisation",
            "consider-ending-relationship",
            "warning-before-removal",
        ],
        &["call-police-now", "immediate-removal-option"],
    );
    assert!(a.risk.factors.iter().any(|f| f.id == "abusive-messages"));

    let s = s
        .action(
            "2026-02-13",
            "asked_to_stop",
            Some("Letter: contact the practice manager only"),
            None,
        )
        .action("2026-02-13", "informed_manager", None, None)
        .action("2026-02-14", "defence_org_contacted", None, None)
        .contact(
            "2026-02-16T09:00:00Z",
            "email",
            "I'm reporting you to the GMC, you won't get away with this",
        )
        .contact(
            "2026-02-18T23:30:00Z",
            "email",
            "You'll regret this. I know where you live.",
        );
    let a = at(&s, date(2026, 2, 19));
    expect(
        &a,
        RiskLevel::Urgent,
        &[
            "call-police-now",
            "minimum-disclosure",
            "warn-colleagues",
            "tell-medical-director-or-commissioner",
            "immediate-removal-option",
            "manager-writes-formally",
            "review-security",
        ],
        &["ask-to-stop-in-writing"],
    );
    assert_eq!(a.steps[0].id, "call-police-now");
    assert!(
        a.risk
            .lead
            .as_deref()
            .unwrap()
            .starts_with("Call the police now (999 in an emergency)")
    );
    assert!(
        a.steps[0].reason.contains("18 March") || a.steps[0].reason.contains("18 February 2026"),
        "{}",
        a.steps[0].reason
    );

    // Police told; removed at once for the threats.
    let s = s
        .action(
            "2026-02-19",
            "police_reported",
            None,
            Some("CAD 4412 19/02/26"),
        )
        .action(
            "2026-02-20",
            "relationship_ended",
            Some("Immediate removal: threats of violence"),
            None,
        );
    let a = at(&s, date(2026, 2, 23));
    assert_eq!(deadline_ids(&a), ["nhse-written-notice", "sas-review"]);
    assert_eq!(a.deadlines[0].due, date(2026, 2, 27));
    assert_eq!(a.deadlines[1].due, date(2027, 2, 20));
    assert!(!ids(&a).contains(&"consider-ending-relationship"));
    // Still urgent until a person acknowledges the threat.
    assert_eq!(a.risk.level, RiskLevel::Urgent);
    let v = s.view().unwrap();
    let threat = v
        .entries
        .iter()
        .find(|e| e.content.as_deref().is_some_and(|c| c.contains("regret")))
        .unwrap();
    let mut ctx = Context::new(date(2026, 2, 23));
    ctx.acknowledged.insert(threat.id.clone());
    let a = advise(&v, &ctx);
    assert_eq!(a.risk.level, RiskLevel::High, "{:#?}", a.risk.factors);

    // Written notice sent: that deadline closes; the review remains.
    let s = s.action(
        "2026-02-24",
        "other",
        Some("Written notice of removal sent to NHS England"),
        None,
    );
    let a = at(&s, date(2026, 3, 2));
    assert_eq!(deadline_ids(&a), ["sas-review"]);
}

/// 3. A grievance where family members join in.
#[test]
fn family_members_joining_in() {
    let s = CaseScript::new(
        "GH and family",
        "grievance",
        &["GH", "family:GH's son", "family:GH's wife"],
    )
    .event(
        "2026-04-01T11:00:00Z",
        "phone_call",
        "Angry about waiting times; called the receptionist useless",
    )
    .from("GH's son")
    .contact(
        "2026-04-03T20:00:00Z",
        "email",
        "My dad has been let down by you, you useless lot",
    )
    .from("GH's wife")
    .event(
        "2026-04-04T10:00:00Z",
        "in_person_practice",
        "Came to reception with her son and shouted at staff",
    );
    let a = at(&s, date(2026, 4, 5));
    expect(
        &a,
        RiskLevel::Elevated,
        &[
            "ask-to-stop-in-writing",
            "inform-manager",
            "contact-defence-organisation",
        ],
        &["call-police-now"],
    );
    let tp = a
        .risk
        .factors
        .iter()
        .find(|f| f.id == "third-parties")
        .expect("third parties");
    assert!(
        tp.explanation.contains("GH's son") && tp.explanation.contains("GH's wife"),
        "{}",
        tp.explanation
    );

    let s = s
        .action(
            "2026-04-06",
            "asked_to_stop",
            Some("Letter to the patient and family"),
            None,
        )
        .action("2026-04-06", "informed_manager", None, None)
        .action("2026-04-06", "defence_org_contacted", None, None)
        .from("GH's son")
        .contact(
            "2026-04-08T22:00:00Z",
            "facebook",
            "Everyone on the community page will know what you did",
        )
        .from("GH's wife")
        .contact(
            "2026-04-09T07:30:00Z",
            "sms",
            "You should be ashamed of yourself",
        );
    let a = at(&s, date(2026, 4, 10));
    expect(
        &a,
        RiskLevel::Elevated,
        &[
            "manager-writes-formally",
            "consider-police-report",
            "minimum-disclosure",
        ],
        &["ask-to-stop-in-writing", "consider-transfer-of-care"],
    );

    let s = s
        .action(
            "2026-04-11",
            "manager_letter",
            Some("Practice manager's formal letter"),
            None,
        )
        .from_patient()
        .event(
            "2026-04-14T18:45:00Z",
            "in_person_practice",
            "Waited by the doctor's car in the practice car park and shouted",
        );
    let a = at(&s, date(2026, 4, 15));
    expect(
        &a,
        RiskLevel::High,
        &[
            "consider-transfer-of-care",
            "consider-ending-relationship",
            "warning-before-removal",
            "warn-colleagues",
            "tell-medical-director-or-commissioner",
        ],
        &["manager-writes-formally"],
    );
    // A warning is given: its 12-month window becomes a deadline.
    let s = s.action("2026-04-16", "other", Some("Removal warning letter"), None);
    let a = at(&s, date(2026, 4, 17));
    assert_eq!(deadline_ids(&a), ["warning-valid-until"]);
    assert_eq!(a.deadlines[0].due, date(2027, 4, 16));
    assert!(!ids(&a).contains(&"warning-before-removal"));
}

/// 4. A patient who turns up at the doctor's home.
#[test]
fn turning_up_at_the_doctors_home() {
    let s = CaseScript::new("IJ", "stalking", &["IJ"])
        .contact(
            "2026-05-02T18:00:00Z",
            "sms",
            "Hi doctor, hope you don't mind me texting",
        )
        .contact(
            "2026-05-04T21:00:00Z",
            "instagram",
            "Are you on Instagram? I followed you x",
        );
    let a = at(&s, date(2026, 5, 5));
    expect(
        &a,
        RiskLevel::Standard,
        &["ask-to-stop-in-writing", "privacy-settings"],
        &["call-police-now"],
    );

    let s = s.action("2026-05-06", "asked_to_stop", None, None).event(
        "2026-05-09T21:30:00Z",
        "at_home",
        "Rang the doorbell at my home with flowers; left when asked",
    );
    let a = at(&s, date(2026, 5, 10));
    expect(
        &a,
        RiskLevel::Urgent,
        &[
            "call-police-now",
            "review-security",
            "manager-writes-formally",
            "warn-colleagues",
        ],
        &["ask-to-stop-in-writing"],
    );
    assert_eq!(a.risk.factors[0].id, "approach-at-home");
    assert!(a.risk.factors[0].explanation.contains("9 May 2026"));

    let s = s
        .action(
            "2026-05-10",
            "police_reported",
            None,
            Some("Crime ref 5510"),
        )
        .action(
            "2026-05-11",
            "security_measure",
            Some("Camera doorbell; neighbours told"),
            None,
        );
    // Two months later with nothing further: still high (a home visit), no longer urgent.
    let a = at(&s, date(2026, 7, 15));
    expect(
        &a,
        RiskLevel::High,
        &["minimum-disclosure"],
        &["call-police-now", "review-security"],
    );
}

/// 5. A patient with a suspected erotomanic delusion.
#[test]
fn suspected_erotomanic_delusion() {
    let lines = [
        "I know you feel the same way, you told me with your eyes",
        "We are meant to be together, you know it",
        "When you smiled at me I knew you loved me",
        "Why do you pretend you don't know me? Our love is real",
        "I'll wait for you forever, my soulmate",
    ];
    let mut s = CaseScript::new("KL", "amorous", &["KL"]);
    for (i, l) in lines.iter().enumerate() {
        s = s.contact(
            &format!("2026-06-0{}T23:{:02}:00+01:00", i + 1, 10 + i),
            "whatsapp",
            l,
        );
    }
    let s = s.action("2026-06-05", "asked_to_stop", None, None);
    let a = at(&s, date(2026, 6, 7));
    expect(
        &a,
        RiskLevel::Elevated,
        &[
            "consider-psychiatric-opinion",
            "chaperone",
            "inform-manager",
        ],
        &["ask-to-stop-in-writing", "call-police-now"],
    );
    let p = a
        .steps
        .iter()
        .find(|s| s.id == "consider-psychiatric-opinion")
        .unwrap();
    assert!(p.reason.contains("erotomania"));
    assert!(a.risk.factors.iter().any(|f| f.id == "fixation"));

    let mut s = s;
    for d in 8..=20 {
        s = s.contact(
            &format!("2026-06-{d:02}T23:30:00+01:00"),
            "whatsapp",
            "You are my soulmate, we are meant to be together",
        );
    }
    let a = at(&s, date(2026, 6, 21));
    expect(
        &a,
        RiskLevel::High,
        &[
            "manager-writes-formally",
            "consider-police-report",
            "consider-transfer-of-care",
            "consider-psychiatric-opinion",
        ],
        &[],
    );
    // With the doctor's answers (FOUR and fear), police involvement and a
    // Stalking Protection Order come into view.
    let q = Questionnaire {
        afraid: Some(true),
        fixated: Some(true),
        obsessive: Some(true),
        unwanted: Some(true),
        repeated: Some(true),
        ..Questionnaire::default()
    };
    let a = advise(
        &s.view().unwrap(),
        &Context::new(date(2026, 6, 21)).with_answers(q),
    );
    assert_eq!(a.risk.level, RiskLevel::High);
    assert!(
        ids(&a).contains(&"stalking-protection-order"),
        "{:?}",
        ids(&a)
    );
}
