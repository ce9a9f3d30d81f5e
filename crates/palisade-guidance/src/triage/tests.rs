use super::*;
use proptest::prelude::*;

fn label(s: &str) -> Label {
    classify(s).label
}

#[test]
fn rules_compile() {
    assert!(COMPILED.errors.is_empty(), "{:#?}", COMPILED.errors);
}

#[test]
fn self_harm_wins_over_everything_else() {
    // Threat, abuse and a personal approach in the same message: the risk to
    // the sender decides.
    let t = classify("I'll kill you, you useless cow, then I'll kill myself x");
    assert_eq!(t.label, Label::SelfHarm);
    assert!(t.other.iter().any(|r| r.label == Label::Threat), "{t:#?}");
    assert!(t.other.iter().any(|r| r.label == Label::Abusive), "{t:#?}");
}

#[test]
fn threat_wins_over_abuse_and_romance() {
    assert_eq!(
        label("I love you but if you ignore me I'll stab you"),
        Label::Threat
    );
    assert_eq!(
        label("fucking useless bitch, I know where you live"),
        Label::Threat
    );
}

#[test]
fn denials_are_still_flagged() {
    for s in [
        "I'm not going to hurt myself, I just feel really low",
        "Im not suicidal dont worry",
        "I wont do anything stupid",
    ] {
        let t = classify(s);
        assert_eq!(t.label, Label::SelfHarm, "{s}: {t:#?}");
        assert!(t.reasons.iter().any(|r| r.negated), "{s}: {t:#?}");
        assert!(
            t.reasons[0].to_string().contains("still flagged")
                || t.reasons
                    .iter()
                    .any(|r| r.to_string().contains("still flagged"))
        );
    }
    assert_eq!(label("I'm not going to hurt you. Yet."), Label::Threat);
}

#[test]
fn text_speak_typos_capitals_and_emoji() {
    assert_eq!(label("im gonna kill u"), Label::Threat);
    assert_eq!(label("I WILL KILL YOU"), Label::Threat);
    assert_eq!(label("wanna kms"), Label::SelfHarm);
    assert_eq!(label("sucidal again"), Label::SelfHarm);
    assert_eq!(label("luv u doc xxx"), Label::Personal);
    assert_eq!(label("u looked gorgeous 2day 😘"), Label::Personal);
    assert_eq!(label("🔪🔪"), Label::Threat);
    assert_eq!(label("dont wanna be here no more"), Label::SelfHarm);
    assert_eq!(label("f**k off"), Label::Abusive);
}

#[test]
fn surveillance_of_private_life_is_a_threat() {
    for s in [
        "I saw your car outside your house",
        "nice dress at Tesco on Saturday",
        "Saw you at the gym on Sunday morning",
        "Your daughter has your smile. Saw her at the park.",
        "I know what school your kids go to",
    ] {
        let t = classify(s);
        assert_eq!(t.label, Label::Threat, "{s}: {t:#?}");
    }
    // At work, or a question, or good wishes: not surveillance.
    assert_eq!(label("You looked lovely in clinic today"), Label::Personal);
    assert_eq!(label("Do you have kids?"), Label::Personal);
    assert_eq!(
        label("Hope you and your family have a lovely Christmas x"),
        Label::Personal
    );
}

#[test]
fn veiled_warnings_about_complaints_are_abuse_not_threats() {
    assert_eq!(label("You'll regret this"), Label::Threat);
    let t = classify("I'm reporting you to the GMC, you won't get away with this");
    assert_eq!(t.label, Label::Abusive, "{t:#?}");
    assert!(t.reasons.iter().any(|r| r.feature.contains("complaint")));
}

#[test]
fn idioms_about_pain_are_not_threats() {
    assert_eq!(
        label("my back is killing me, can you help?"),
        Label::Clinical
    );
    assert_eq!(label("I have a stabbing pain in my side"), Label::Clinical);
}

#[test]
fn everyday_messages() {
    assert_eq!(
        label("Can I book an appointment for Tuesday?"),
        Label::Admin
    );
    assert_eq!(
        label("Is my repeat prescription ready to collect?"),
        Label::Admin
    );
    assert_eq!(
        label("The rash has spread and I've got a fever"),
        Label::Clinical
    );
    assert_eq!(label("You're a disgrace to medicine"), Label::Abusive);
    assert_eq!(label("Fancy a drink after work?"), Label::Personal);
}

#[test]
fn reasons_quote_the_message() {
    let text = "Honestly mate I'm gonna KILL you";
    let t = classify(text);
    assert_eq!(t.label, Label::Threat);
    assert!(!t.reasons.is_empty());
    for r in &t.reasons {
        assert!(text.contains(&r.matched), "{r:?}");
        assert_eq!(r.label, Label::Threat);
    }
    assert!(
        t.reasons.iter().any(|r| r.matched.contains("KILL you")),
        "{t:#?}"
    );
}

#[test]
fn nothing_recognised_is_personal_with_a_reason() {
    for s in ["", "   ", "hello?", "!!!"] {
        let t = classify(s);
        assert_eq!(t.label, Label::Personal, "{s:?}");
        assert_eq!(t.reasons.len(), 1);
        assert!(t.reasons[0].feature.contains("no clinical"));
    }
}

#[test]
fn labels_round_trip() {
    for l in Label::ALL {
        assert_eq!(l.as_str().parse::<Label>(), Ok(l));
        assert_eq!(
            serde_json::to_value(l).unwrap(),
            serde_json::json!(l.as_str())
        );
    }
    assert!("danger".parse::<Label>().is_err());
    assert!(Label::SelfHarm.is_urgent() && Label::Threat.is_urgent());
    assert!(!Label::Abusive.is_urgent());
}

#[test]
fn learned_weights_read_cleanly_and_match_the_committed_data() {
    assert!(MODEL.0.errors.is_empty(), "{:#?}", MODEL.0.errors);
    // Retraining on the development and old held-out splits and set 4
    // gives exactly the committed file: the weights are not edited by hand,
    // and a change to the data or the tokeniser without retraining fails here.
    let all = eval::parse_jsonl(include_str!("../../eval/triage.jsonl")).expect("eval set");
    let set4 = eval::parse_jsonl(include_str!("../../eval/triage_set4.jsonl")).expect("set 4");
    let examples = eval::training_examples(all, set4);
    assert!(
        model::train(&examples) == include_str!("weights.txt"),
        "weights.txt is stale: run `cargo run --release -p palisade-guidance --example triage_train`"
    );
}

#[test]
fn idioms_and_clinical_talk_named_in_the_issue_are_not_flagged() {
    for s in [
        "this job is killing me",
        "I could murder a cuppa",
        "dying to see the new baby",
        "shoot me an email",
        "how much paracetamol can I take in a day",
        "I accidentally took my blood pressure tablet twice this morning",
        "my gran took an overdose of her heart tablets by mistake",
        "I burnt my hand on the kettle",
        "my partner will murder me if I miss this appointment",
        "I feel like I'm dying with this flu",
    ] {
        let t = classify(s);
        assert!(!t.label.is_urgent(), "{s}: {t:#?}");
    }
}

#[test]
fn indirect_risk_named_in_the_issue_is_flagged() {
    for s in [
        "I have a plan and the means",
        "you won't see me at my next appointment, or ever",
        "I've written letters to my kids",
        "been stockpiling my tablets",
        "kil myslef",
        "wanna die",
        "kms",
        "thinking of unaliving myself",
        "I just want to end it all",
        "no point going on",
        "everyone would be better off without me",
        "💊💊💊",
    ] {
        assert_eq!(label(s), Label::SelfHarm, "{s}: {:#?}", classify(s));
    }
    for s in [
        "your address wasn't hard to find",
        "nice car, shame if something happened to it",
        "I know which school your kids go to",
        "watch your back",
        "I'll be waiting outside",
        "🔪🩸",
        "💀",
        "⚰️",
    ] {
        assert_eq!(label(s), Label::Threat, "{s}: {:#?}", classify(s));
    }
}

#[test]
fn a_clinical_denial_of_suicidal_thoughts_is_clinical_but_reported() {
    let t = classify("I'm not suicidal but my meds aren't working");
    assert_eq!(t.label, Label::Clinical, "{t:#?}");
    assert!(
        t.other
            .iter()
            .any(|r| r.label == Label::SelfHarm && r.feature.contains("denies")),
        "{t:#?}"
    );
    // Any other sign of risk, and the denial clears nothing.
    assert_eq!(
        label("I'm not suicidal but I can't go on like this"),
        Label::SelfHarm
    );
    assert_eq!(
        label("not suicidal but i've been stockpiling my tablets"),
        Label::SelfHarm
    );
}

#[test]
fn every_safety_flag_quotes_the_words_behind_it() {
    let sets = [
        include_str!("../../eval/triage.jsonl"),
        include_str!("../../eval/triage_blind.jsonl"),
        include_str!("../../eval/triage_blind2.jsonl"),
        include_str!("../../eval/triage_blind3.jsonl"),
    ];
    for set in sets {
        for e in eval::parse_jsonl(set).expect("eval set") {
            let t = classify(&e.text);
            if t.label.is_urgent() {
                assert!(
                    t.reasons.iter().any(|r| !r.matched.is_empty()),
                    "{}: {t:#?}",
                    e.text
                );
            }
        }
    }
}

#[test]
fn learned_weights_reason_in_their_own_words() {
    // No rule covers this wording; the learned weights raise it and say so.
    let s = "im so tired of all of it, ready to let go now";
    let t = classify(s);
    assert_eq!(t.label, Label::SelfHarm, "{t:#?}");
    assert!(
        t.reasons
            .iter()
            .all(|r| r.feature.starts_with("reads like") && s.contains(&r.matched)),
        "{t:#?}"
    );
    let p = learned_probabilities(s);
    assert!(p.iter().all(|x| (0.0..=1.0).contains(x)));
    assert!(p[Label::SelfHarm as usize] > 0.5);
    // They never clear a flag the rules raised.
    assert_eq!(label("I'll kill you x"), Label::Threat);
}

proptest! {
    #[test]
    fn never_panics_and_always_explains(s in "\\PC{0,200}") {
        let t = classify(&s);
        prop_assert!(!t.reasons.is_empty());
        for r in t.reasons.iter().chain(&t.other) {
            prop_assert!(s.contains(&r.matched));
        }
    }

    #[test]
    fn never_panics_on_odd_bytes(b in proptest::collection::vec(any::<u8>(), 0..300)) {
        let s = String::from_utf8_lossy(&b);
        let _ = classify(&s);
    }
}

/// The label is `want`, and a rule (not only the learned weights) decided it,
/// quoting words from the message.
fn decided_by_rule(s: &str, want: Label) {
    let t = classify(s);
    assert_eq!(t.label, want, "{s}: {t:#?}");
    assert!(
        t.reasons.iter().any(|r| !r.matched.is_empty()
            && s.contains(r.matched.as_str())
            && !r.feature.starts_with("reads like")),
        "{s}: {t:#?}"
    );
}

#[test]
fn slang_for_violence_and_injury_outcomes_are_threats() {
    for s in [
        "you're due a right kicking pal",
        "ye'll be getting battered when ye come out",
        "one of these days someone will spark you out",
        "i'll have your teeth for this",
        "yer heid's getting stamped in",
        "you'll be going home on a stretcher",
        "you'll end up in one of your own hospital beds",
        "been sharpening something special for you",
    ] {
        decided_by_rule(s, Label::Threat);
    }
}

#[test]
fn veiled_warnings_and_second_person_surveillance_are_threats() {
    for s in [
        "sleep well tonight doctor, while you can",
        "be a shame if your windows got smashed",
        "after friday this gets personal",
        "god help whoever is on reception monday",
        "i'm not the violent type but my cousin is",
        "consider this your warning",
        "you leave by the back door at six every wednesday, don't you",
        "i know where yours go to school",
    ] {
        decided_by_rule(s, Label::Threat);
    }
}

#[test]
fn self_harm_without_the_usual_words_is_flagged() {
    for s in [
        "im at the top of the multi storey on the ring road",
        "been letting my sugars drop on purpose",
        "been stockpiling my pregabalin for weeks",
        "i hope you feel bad when they find me",
        "going to be with my nan again soon",
        "my brother says he wants to kill himself and he's not answering",
        "i've chosen the night and i've got what i need",
        "rehomed the dog and said my goodbyes. thank you for everything",
    ] {
        decided_by_rule(s, Label::SelfHarm);
    }
}

#[test]
fn abuse_without_swear_words_is_abusive() {
    for s in [
        "you've got the personality of a damp dishcloth",
        "thick as two short planks, the lot of you",
        "thanks for nothing as usual",
        "well done einstein 🙄",
        "your receptionist is a miserable jobsworth",
        "did you buy your degree off ebay",
        "you treat us like dirt",
        "bunch of clowns up at that surgery",
    ] {
        decided_by_rule(s, Label::Abusive);
    }
}

#[test]
fn innocent_readings_of_the_new_patterns_stay_innocent() {
    for (s, want) in [
        (
            "can i have enough inhalers to cover six weeks in canada",
            Label::Admin,
        ),
        (
            "I hope this message finds you well, I need a copy of my records",
            Label::Admin,
        ),
        ("is there a car park at the surgery", Label::Admin),
        (
            "feels like someone is stabbing me in the side when i breathe",
            Label::Clinical,
        ),
        (
            "my hypo last night was an accident, should i lower my dose",
            Label::Clinical,
        ),
        (
            "these tablets knock me out, can i take them earlier",
            Label::Clinical,
        ),
        (
            "this sciatica makes me want to curl up and die, anything stronger?",
            Label::Clinical,
        ),
        ("is that a wedding ring? congratulations!", Label::Personal),
        (
            "saw you at the food festival on saturday, we should go together next year!",
            Label::Personal,
        ),
        (
            "spotted you at the lido with your little boy, so sweet!",
            Label::Personal,
        ),
        ("can you call me back about my tablets please", Label::Admin),
        (
            "i forgot my insulin last night, not on purpose, is that dangerous",
            Label::Clinical,
        ),
        (
            "goodbye and good luck in the new job, we'll all miss you",
            Label::Personal,
        ),
    ] {
        let t = classify(s);
        assert_eq!(t.label, want, "{s}: {t:#?}");
    }
}
