//! The guidance engine wired into the ledger, through the real binary:
//! triage labels on read and on `log`, acknowledgements, recorded risk
//! assessments (questionnaire and level changes) and letters issued as
//! actions with their PDF attached; `verify` and evidence bundles keep
//! working with the new record types.
//!
//! Contacts are dated a few days before the real today, because `next`
//! records assessments only when evaluating today and letters are dated today.

mod common;

use common::bundle::{Members, assert_both_intact, envelope};
use common::{Store, sha256_hex};
use jiff::ToSpan;
use jiff::civil::Date;
use palisade_guidance::dates::{long, medium};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

const THREAT: &str = "I'm gonna kill u";
const SELF_HARM: &str = "i dont want to be here anymore";

fn today() -> Date {
    jiff::Zoned::now().date()
}

/// `days` before today.
fn day(days: i64) -> Date {
    today() - days.days()
}

/// 10:00 UTC, `days` before today.
fn at(days: i64) -> String {
    format!("{}T10:00:00+00:00", day(days))
}

fn open_case(s: &Store, kind: &str) -> String {
    let v = s.json(&[
        "case",
        "open",
        "--title",
        "Messages from AB",
        "--subject",
        "AB, ref 40213",
        "--kind",
        kind,
        "--party",
        "AB",
        "--owner",
        "Dr Jane Smith",
    ]);
    v["id"].as_str().expect("case id").to_string()
}

fn log_words(s: &Store, case: &str, days: i64, channel: &str, words: &str) -> Value {
    s.json(&[
        "log",
        "--case",
        case,
        "--channel",
        channel,
        "--occurred-at",
        &at(days),
        "--content",
        words,
    ])
}

fn next(s: &Store, case: &str) -> Value {
    s.json(&["next", "--case", case])
}

fn factor_ids(v: &Value) -> Vec<String> {
    v["risk"]["factors"]
        .as_array()
        .expect("factors")
        .iter()
        .map(|f| f["id"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn show(s: &Store, case: &str) -> Value {
    s.json(&["case", "show", case])
}

fn records(s: &Store) -> u64 {
    s.verify_ok()["records"].as_u64().expect("record count")
}

#[test]
fn a_threat_is_flagged_on_log_and_keeps_the_case_urgent_until_acknowledged() {
    let s = Store::init();
    let case = open_case(&s, "grievance");
    log_words(&s, &case, 4, "sms", "Can I book an appointment please?");

    // Logging a threat: a prominent warning (text) and a `triage` member (JSON).
    let r = s
        .run(&[
            "log",
            "--case",
            &case,
            "--channel",
            "sms",
            "--occurred-at",
            &at(3),
            "--content",
            THREAT,
        ])
        .success();
    assert!(r.stdout.contains("WARNING"), "{}", r.stdout);
    assert!(r.stdout.contains("THREAT"), "{}", r.stdout);
    assert!(r.stdout.contains("999"), "{}", r.stdout);
    assert!(r.stdout.contains("palisade acknowledge --entry ent_"));
    let threat_id = r
        .stdout
        .split_whitespace()
        .find(|w| w.starts_with("ent_"))
        .expect("entry id")
        .to_string();
    let j = s.run(&[
        "--json",
        "log",
        "--case",
        &case,
        "--channel",
        "whatsapp",
        "--occurred-at",
        &at(2),
        "--content",
        SELF_HARM,
    ]);
    let j = j.success();
    let v = j.json();
    assert_eq!(v["triage"]["label"], "self_harm");
    assert!(!v["triage"]["reasons"].as_array().unwrap().is_empty());
    assert!(
        v["triage"]["engine"]
            .as_str()
            .unwrap()
            .starts_with("palisade-guidance/")
    );
    assert!(j.stderr.contains("SELF-HARM"), "{}", j.stderr);
    let self_harm_id = v["id"].as_str().unwrap().to_string();
    // A message of no concern carries its label and no warning; the
    // doctor's own messages are not triaged.
    let calm = s
        .run(&[
            "log",
            "--case",
            &case,
            "--channel",
            "sms",
            "--occurred-at",
            &at(2),
            "--content",
            "Thanks, see you Tuesday",
        ])
        .success();
    assert!(!calm.stdout.contains("WARNING"));
    let mine = s.json(&[
        "log",
        "--case",
        &case,
        "--channel",
        "sms",
        "--direction",
        "outbound",
        "--occurred-at",
        &at(2),
        "--content",
        "Please contact the practice instead",
    ]);
    assert!(mine.get("triage").is_none(), "{mine:#}");

    // Read back: every inbound entry with words carries {label, reasons, engine}.
    let t = s.json(&["timeline", "--case", &case]);
    let entries = t.as_array().unwrap();
    let of = |id: &str| entries.iter().find(|e| e["id"] == id).unwrap().clone();
    assert_eq!(of(&threat_id)["triage"]["label"], "threat");
    assert_eq!(of(&threat_id)["triage"]["acknowledged"], false);
    assert!(of(&threat_id)["triage"]["reasons"][0]["feature"].is_string());
    assert_eq!(of(&self_harm_id)["triage"]["label"], "self_harm");
    assert!(of(mine["id"].as_str().unwrap()).get("triage").is_none());
    let shown = show(&s, &case);
    assert_eq!(shown["entries"][1]["triage"]["label"], "threat");
    let human = s.run(&["timeline", "--case", &case]).success().stdout;
    assert!(human.contains("[THREAT]"), "{human}");
    assert!(human.contains("[SELF-HARM]"), "{human}");
    assert!(human.contains("!! THREAT"), "{human}");

    // `next`: urgent because of both flags, each listed with its entry.
    let n = next(&s, &case);
    assert_eq!(n["risk"]["level"], "urgent");
    let f = factor_ids(&n);
    assert!(f.contains(&"threat-message".to_string()), "{f:?}");
    assert!(f.contains(&"self-harm-message".to_string()), "{f:?}");
    let flagged: Vec<&str> = n["flagged"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["entry"].as_str().unwrap())
        .collect();
    assert_eq!(flagged, [threat_id.as_str(), self_harm_id.as_str()]);

    // Acknowledge the threat: it no longer makes the case urgent; the
    // self-harm message still does.
    let ack = s.json(&[
        "acknowledge",
        "--entry",
        &threat_id,
        "--by",
        "Dr Jane Smith",
        "--note",
        "Reported to police, ref 41/2026",
    ]);
    assert_eq!(ack["label"], "threat");
    assert_eq!(ack["entry"], threat_id.as_str());
    assert!(ack["id"].as_str().unwrap().starts_with("ack_"));
    let n = next(&s, &case);
    let f = factor_ids(&n);
    assert!(!f.contains(&"threat-message".to_string()), "{f:?}");
    assert!(
        f.contains(&"threat-message-acknowledged".to_string()),
        "{f:?}"
    );
    assert_eq!(n["risk"]["level"], "urgent", "self-harm is still open");
    s.run(&["acknowledge", "--entry", &self_harm_id, "--by", "Dr B"])
        .success();
    let n = next(&s, &case);
    assert_ne!(n["risk"]["level"], "urgent", "{:#}", n["risk"]);
    assert!(n["risk"].get("lead").is_none());
    assert_eq!(n["flagged"], Value::Array(vec![]));
    assert!(
        !n["steps"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["id"] == "call-police-now")
    );

    // The acknowledgement is part of the entry's record.
    let shown = show(&s, &case);
    let e = shown["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == threat_id.as_str())
        .unwrap();
    assert_eq!(e["acknowledgements"][0]["by"], "Dr Jane Smith");
    assert_eq!(
        e["acknowledgements"][0]["note"],
        "Reported to police, ref 41/2026"
    );
    assert_eq!(e["acknowledgements"][0]["label"], "threat");
    assert_eq!(e["triage"]["acknowledged"], true);
    let human = s.run(&["timeline", "--case", &case]).success().stdout;
    assert!(human.contains("[THREAT, acknowledged]"), "{human}");
    assert!(human.contains("acknowledged by Dr Jane Smith"), "{human}");
    s.verify_ok();
}

#[test]
fn acknowledge_refuses_what_is_not_an_open_flag() {
    let s = Store::init();
    let case = open_case(&s, "grievance");
    let calm = log_words(&s, &case, 3, "sms", "Can I book an appointment please?");
    let threat = log_words(&s, &case, 2, "sms", THREAT);
    let before = records(&s);
    let r = s.run(&[
        "acknowledge",
        "--entry",
        calm["id"].as_str().unwrap(),
        "--by",
        "Dr A",
    ]);
    r.error_mentioning(&["not threat or self_harm", "no flag to acknowledge"]);
    s.run(&[
        "acknowledge",
        "--entry",
        "ent_0000000000000000",
        "--by",
        "Dr A",
    ])
    .error_mentioning(&["no entry with id"]);
    let id = threat["id"].as_str().unwrap();
    s.run(&["acknowledge", "--entry", id, "--by", "Dr A"])
        .success();
    s.run(&["acknowledge", "--entry", id, "--by", "Dr A"])
        .error_mentioning(&["already acknowledged by Dr A"]);
    assert_eq!(records(&s), before + 1);
}

#[test]
fn risk_questionnaire_is_recorded_and_used_by_next() {
    let s = Store::init();
    let case = open_case(&s, "stalking");
    log_words(&s, &case, 3, "sms", "Hope you had a nice weekend");

    // Without answers: the questions, nothing recorded.
    let before = records(&s);
    let q = s.json(&["risk", "--case", &case]);
    assert_eq!(q["questions"].as_array().unwrap().len(), 13);
    assert_eq!(q["assessment"]["recorded"], Value::Null);
    assert_eq!(records(&s), before);

    let v = s.json(&[
        "risk",
        "--case",
        &case,
        "--answer",
        "violence=yes",
        "--answer",
        "afraid=no",
        "--by",
        "Dr Jane Smith",
    ]);
    assert_eq!(v["risk"]["level"], "urgent");
    assert!(factor_ids(&v).contains(&"answer-violence".to_string()));
    assert!(
        v["assessment"]["recorded"]
            .as_str()
            .unwrap()
            .starts_with("risk_")
    );
    let shown = show(&s, &case);
    let a = &shown["assessments"][0];
    assert_eq!(a["trigger"], "questionnaire");
    assert_eq!(a["level"], "urgent");
    assert_eq!(a["by"], "Dr Jane Smith");
    assert_eq!(a["as_of"], today().to_string().as_str());
    assert_eq!(
        a["answers"],
        serde_json::json!({"violence": true, "afraid": false})
    );
    assert!(
        a["factors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["id"] == "answer-violence" && f["title"].is_string())
    );
    assert!(
        a["engine"]
            .as_str()
            .unwrap()
            .starts_with("palisade-guidance/")
    );

    // `next` uses the recorded answers; same level, so nothing new is recorded.
    let n = next(&s, &case);
    assert_eq!(n["risk"]["level"], "urgent");
    assert!(factor_ids(&n).contains(&"answer-violence".to_string()));
    assert_eq!(n["assessment"]["recorded"], Value::Null);
    assert_eq!(
        n["assessment"]["answers"],
        serde_json::json!({"violence": true, "afraid": false})
    );

    // A later answer updates the earlier ones; `unknown` clears one.
    let v = s.json(&[
        "risk",
        "--case",
        &case,
        "--answer",
        "violence=unknown",
        "--answer",
        "loitering=yes",
    ]);
    assert_eq!(
        show(&s, &case)["assessments"][1]["answers"],
        serde_json::json!({"afraid": false, "loitering": true})
    );
    assert_ne!(v["risk"]["level"], "urgent");
    let human = s.run(&["risk", "--case", &case]).success().stdout;
    assert!(human.contains("loitering"), "{human}");

    s.run(&["risk", "--case", &case, "--answer", "sdash=yes"])
        .error_mentioning(&["unknown risk question 'sdash'"]);
    s.run(&["risk", "--case", &case, "--answer", "afraid=perhaps"])
        .error_mentioning(&["not yes, no or unknown"]);
    s.verify_ok();
}

#[test]
fn a_level_change_is_recorded_once_not_on_every_next() {
    let s = Store::init();
    let case = open_case(&s, "grievance");
    log_words(&s, &case, 5, "sms", "Can I book an appointment please?");
    let assessments = |s: &Store| show(s, &case)["assessments"].as_array().unwrap().clone();

    // The first assessment is recorded; asking again changes nothing.
    let n = next(&s, &case);
    let first = n["assessment"]["recorded"]
        .as_str()
        .expect("recorded")
        .to_string();
    assert_eq!(n["assessment"]["previous_level"], Value::Null);
    let n = next(&s, &case);
    assert_eq!(n["assessment"]["recorded"], Value::Null);
    s.run(&["next", "--case", &case]).success();
    assert_eq!(assessments(&s).len(), 1);
    assert_eq!(assessments(&s)[0]["id"], first.as_str());
    assert_eq!(assessments(&s)[0]["trigger"], "level_changed");

    // A threat raises it to urgent: recorded once.
    let threat = log_words(&s, &case, 1, "sms", THREAT);
    let n = next(&s, &case);
    assert_eq!(n["risk"]["level"], "urgent");
    assert!(n["assessment"]["recorded"].is_string());
    assert_eq!(
        n["assessment"]["previous_level"],
        assessments(&s)[0]["level"]
    );
    next(&s, &case);
    let human = s.run(&["next", "--case", &case]).success().stdout;
    assert!(!human.contains("Risk assessment recorded"), "{human}");
    assert_eq!(assessments(&s).len(), 2);
    assert_eq!(assessments(&s)[1]["level"], "urgent");

    // A what-if date and --no-record write nothing.
    let past = day(30).to_string();
    let n = s.json(&["next", "--case", &case, "--today", &past]);
    assert_eq!(n["assessment"]["recorded"], Value::Null);
    s.run(&[
        "acknowledge",
        "--entry",
        threat["id"].as_str().unwrap(),
        "--by",
        "Dr A",
    ])
    .success();
    let n = s.json(&["next", "--case", &case, "--no-record"]);
    assert_eq!(n["assessment"]["recorded"], Value::Null);
    assert_ne!(n["risk"]["level"], "urgent");
    assert_eq!(assessments(&s).len(), 2);

    // Acknowledged: the level drops, and that change is recorded once.
    let human = s.run(&["next", "--case", &case]).success().stdout;
    assert!(human.contains("Risk assessment recorded"), "{human}");
    assert!(human.contains("(was urgent)"), "{human}");
    next(&s, &case);
    let all = assessments(&s);
    assert_eq!(all.len(), 3);
    assert_ne!(all[2]["level"], "urgent");
    s.verify_ok();

    // A closed case is assessed but nothing more is recorded in it.
    s.run(&["case", "close", &case, "--reason", "Moved away"])
        .success();
    log_words(&s, &open_case(&s, "other"), 1, "sms", THREAT);
    let n = next(&s, &case);
    assert_eq!(n["assessment"]["recorded"], Value::Null);
    s.verify_ok();
}

#[test]
fn removal_actions_carry_their_mode() {
    let s = Store::init();
    let case = open_case(&s, "abuse");
    let yesterday = day(1).to_string();
    s.json(&[
        "action",
        "--case",
        &case,
        "--kind",
        "removal_notice",
        "--mode",
        "immediate",
        "--date",
        &yesterday,
    ]);
    s.json(&[
        "action",
        "--case",
        &case,
        "--kind",
        "removal_warning",
        "--date",
        &yesterday,
    ]);
    s.run(&[
        "action",
        "--case",
        &case,
        "--kind",
        "asked_to_stop",
        "--mode",
        "immediate",
        "--date",
        &yesterday,
    ])
    .error_mentioning(&["only with a removal_notice action"]);
    s.run(&[
        "action",
        "--case",
        &case,
        "--kind",
        "removal_notice",
        "--mode",
        "soon",
        "--date",
        &yesterday,
    ])
    .error_mentioning(&["unknown removal mode 'soon'"]);
    let v = show(&s, &case);
    assert_eq!(v["actions"][0]["kind"], "removal_notice");
    assert_eq!(v["actions"][0]["mode"], "immediate");
    assert!(v["actions"][1].get("mode").is_none());
    // The immediate removal opens its NHS England deadlines until notified.
    let n = next(&s, &case);
    let deadlines: Vec<&str> = n["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert!(deadlines.contains(&"nhse-written-notice"), "{deadlines:?}");
    s.json(&[
        "action",
        "--case",
        &case,
        "--kind",
        "nhs_england_notified",
        "--date",
        &today().to_string(),
    ]);
    let n = next(&s, &case);
    assert!(
        !n["deadlines"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["id"] == "nhse-written-notice")
    );
    let human = s.run(&["case", "show", &case]).success().stdout;
    assert!(human.contains("removal_notice (immediate)"), "{human}");
    s.verify_ok();
}

/// Whether a poppler tool is installed (a missing one fails the test when
/// PALISADE_REQUIRE_POPPLER is set, and is skipped with a message otherwise).
fn poppler(tool: &str) -> bool {
    let present = Command::new(tool).arg("-v").output().is_ok();
    if !present {
        assert!(
            std::env::var_os("PALISADE_REQUIRE_POPPLER").is_none(),
            "PALISADE_REQUIRE_POPPLER is set but {tool} (poppler-utils) is missing"
        );
        eprintln!("SKIPPING the {tool} checks: poppler-utils is not installed");
    }
    present
}

/// The PDF's text with all whitespace runs as single spaces.
fn pdf_text(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("run pdftotext");
    assert!(
        out.status.success(),
        "pdftotext failed on {}",
        pdf.display()
    );
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn render_cleanly(pdf: &Path, dir: &Path) {
    let out = Command::new("pdftoppm")
        .args(["-r", "40", "-png"])
        .arg(pdf)
        .arg(dir.join("page"))
        .output()
        .expect("run pdftoppm");
    assert!(out.status.success(), "pdftoppm failed on {}", pdf.display());
    assert!(
        out.stderr.is_empty(),
        "pdftoppm warned on {}: {}",
        pdf.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn every_letter_renders_is_recorded_with_its_hash_and_verifies() {
    let s = Store::init();
    let case = open_case(&s, "amorous");
    log_words(&s, &case, 9, "sms", "You looked lovely today x");
    log_words(&s, &case, 6, "sms", "Can we meet for a drink?");
    s.json(&[
        "log",
        "--case",
        &case,
        "--channel",
        "at_home",
        "--occurred-at",
        &at(4),
        "--summary",
        "Rang the doorbell at my home with flowers",
    ]);
    let details = s.write_file(
        "details.json",
        br#"{"practice_name": "High Street Surgery", "practice_address": ["1 High Street", "Anytown AN1 1AA"],
            "practice_phone": "01234 567890", "practice_online": "the practice website",
            "clinician_role": "General Practitioner", "manager_name": "Pat Jones",
            "manager_role": "Practice Manager", "police_force": "Northshire Police",
            "police_reference": "CAD 77/2026", "defence_organisation": "MDU", "defence_reference": "MDU 123456"}"#,
    );
    let details = details.to_str().unwrap().to_string();
    let poppler = poppler("pdftotext") && poppler("pdftoppm");
    let (d9, d6, d4) = (medium(day(9)), medium(day(6)), medium(day(4)));
    // (template, action kind, what the PDF must say). Order matters: the
    // formal letter lists contacts since the request to stop, so it comes
    // before the boundary letter records that request today.
    let today_long = long(today());
    let effective = long(today() + 8.days());
    let warning_until = long(today() + 12.months());
    let cases: [(&str, &str, Vec<&str>); 6] = [
        (
            "manager_formal",
            "manager_letter",
            vec![
                &d9,
                &d6,
                &d4,
                "sent a text message",
                "came to Dr Jane Smith's home",
                "Pat Jones",
            ],
        ),
        (
            "boundary",
            "asked_to_stop",
            vec![
                &d9,
                &d4,
                "you sent a text message",
                "you came to my home",
                "01234 567890",
            ],
        ),
        (
            "removal_warning",
            "removal_warning",
            vec![&d9, &d6, &d4, "sent a text message", &warning_until],
        ),
        (
            "removal_notice",
            "removal_notice",
            vec![&effective, "NHS England"],
        ),
        (
            "defence_referral",
            "defence_org_contacted",
            vec![&d9, &d4, "text messages", "visits to my home", "MDU 123456"],
        ),
        (
            "police_summary",
            "police_reported",
            vec![
                &d9,
                &d4,
                "sent a text message",
                "came to my home",
                "Northshire Police",
            ],
        ),
    ];
    let dir = s.tmp.path().join("letters");
    std::fs::create_dir_all(&dir).unwrap();
    for (i, (template, kind, needles)) in cases.iter().enumerate() {
        let out = dir.join(format!("{template}.pdf"));
        let to_patient = !matches!(*template, "defence_referral" | "police_summary");
        let mut args = vec![
            "--json",
            "letter",
            "--case",
            &case,
            "--template",
            template,
            "--out",
            out.to_str().unwrap(),
            "--by",
            "Dr Jane Smith",
            "--details",
            &details,
        ];
        if to_patient {
            args.extend(["--to", "AB, 2 Low Road, Anytown"]);
        }
        let r = s.run(&args);
        let v = r.success().json();
        let bytes = std::fs::read(&out).expect("the PDF was written");
        assert!(bytes.starts_with(b"%PDF-"), "{template}");
        assert_eq!(v["sha256"], sha256_hex(&bytes).as_str(), "{template}");
        assert_eq!(v["action_kind"], *kind);
        assert_eq!(v["template"], *template);
        assert!(!v["dry_run"].as_bool().unwrap());

        // The action and the PDF's hash are in the ledger.
        let shown = show(&s, &case);
        let act = shown["actions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["id"] == v["action"]["id"])
            .unwrap_or_else(|| panic!("{template}: action not in the case"))
            .clone();
        assert_eq!(act["kind"], *kind);
        assert_eq!(act["date"], today().to_string().as_str());
        assert_eq!(act["by"], "Dr Jane Smith");
        assert!(
            act["notes"].as_str().unwrap().contains(template),
            "{template}: {act:#}"
        );
        assert_eq!(act["attachments"][0]["sha256"], sha256_hex(&bytes).as_str());
        assert_eq!(act["attachments"][0]["media_type"], "application/pdf");
        assert_eq!(act["attachments"][0]["name"], format!("{template}.pdf"));
        assert_eq!(shown["actions"].as_array().unwrap().len(), i + 1);
        if *template == "removal_notice" {
            assert_eq!(act["mode"], "standard");
        }
        if *template == "police_summary" {
            assert_eq!(act["reference"], "CAD 77/2026");
        }

        if poppler {
            let text = pdf_text(&out);
            for n in needles
                .iter()
                .chain([&today_long.as_str(), &"High Street Surgery"])
            {
                assert!(text.contains(n), "{template}: the PDF lacks {n:?}:\n{text}");
            }
            if to_patient {
                assert!(
                    text.contains("Private and confidential AB 2 Low Road Anytown"),
                    "{template}: {text}"
                );
            }
            render_cleanly(&out, &dir);
        }
    }
    let v = s.verify_ok();
    assert_eq!(v["attachments"], 6);

    // The letters' bundle: every PDF travels with its action, intact.
    let zip = s.tmp.path().join("letters.zip");
    s.run(&[
        "export",
        "--case",
        &case,
        "--profile",
        "police",
        "--by",
        "Dr Jane Smith",
        "--out",
        zip.to_str().unwrap(),
    ])
    .success();
    assert_both_intact(&s.home(), &zip);
}

#[test]
fn letter_dry_run_records_nothing_and_never_overwrites() {
    let s = Store::init();
    let case = open_case(&s, "amorous");
    log_words(&s, &case, 3, "sms", "You looked lovely today x");
    let before = records(&s);
    let out = s.tmp.path().join("draft.pdf");
    let v = s.json(&[
        "letter",
        "--case",
        &case,
        "--template",
        "boundary",
        "--out",
        out.to_str().unwrap(),
        "--dry-run",
    ]);
    assert_eq!(v["dry_run"], true);
    assert!(v.get("action").is_none());
    // Facts the case does not hold are left as visible placeholders.
    assert!(
        v["placeholders"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p == "[practice telephone]")
    );
    let bytes = std::fs::read(&out).expect("dry run writes the PDF");
    assert_eq!(v["sha256"], sha256_hex(&bytes).as_str());
    assert_eq!(records(&s), before);

    // An existing file is never replaced, and nothing is recorded.
    let r = s.run(&[
        "letter",
        "--case",
        &case,
        "--template",
        "boundary",
        "--out",
        out.to_str().unwrap(),
    ]);
    r.error_mentioning(&["already exists"]);
    assert_eq!(std::fs::read(&out).unwrap(), bytes);
    assert_eq!(records(&s), before);

    s.run(&[
        "letter",
        "--case",
        &case,
        "--template",
        "thank_you",
        "--out",
        s.tmp.path().join("x.pdf").to_str().unwrap(),
    ])
    .error_mentioning(&["unknown letter template 'thank_you'"]);
    s.run(&[
        "letter",
        "--case",
        &case,
        "--template",
        "boundary",
        "--immediate",
        "--out",
        s.tmp.path().join("y.pdf").to_str().unwrap(),
    ])
    .error_mentioning(&["--immediate applies only to the removal_notice template"]);

    // A closed case: refused before any file is written.
    s.run(&["case", "close", &case, "--reason", "Resolved"])
        .success();
    let closed = s.tmp.path().join("closed.pdf");
    s.run(&[
        "letter",
        "--case",
        &case,
        "--template",
        "boundary",
        "--out",
        closed.to_str().unwrap(),
    ])
    .error_mentioning(&["is closed"]);
    assert!(!closed.exists());
    s.verify_ok();
}

#[test]
fn bundles_carry_acknowledgements_and_assessments_only_for_defence_and_full() {
    let s = Store::init();
    let case = open_case(&s, "grievance");
    let threat = log_words(&s, &case, 3, "sms", THREAT);
    s.json(&[
        "acknowledge",
        "--entry",
        threat["id"].as_str().unwrap(),
        "--by",
        "Dr A",
    ]);
    s.json(&["risk", "--case", &case, "--answer", "afraid=yes"]);
    next(&s, &case);
    s.verify_ok();
    for (profile, carried) in [
        ("defence", true),
        ("full", true),
        ("police", false),
        ("manager", false),
        ("gmc", false),
    ] {
        let zip = s.tmp.path().join(format!("{profile}.zip"));
        s.run(&[
            "export",
            "--case",
            &case,
            "--profile",
            profile,
            "--by",
            "Dr A",
            "--out",
            zip.to_str().unwrap(),
        ])
        .success();
        let types: Vec<String> = Members::read(&zip)
            .records()
            .iter()
            .map(|l| envelope(l)["type"].as_str().unwrap().to_string())
            .collect();
        let count = |t: &str| types.iter().filter(|x| *x == t).count();
        assert_eq!(count("entry"), 1, "{profile}: {types:?}");
        if carried {
            assert_eq!(count("acknowledgement"), 1, "{profile}: {types:?}");
            assert!(count("risk_assessment") >= 1, "{profile}: {types:?}");
        } else {
            assert_eq!(count("acknowledgement"), 0, "{profile}: {types:?}");
            assert_eq!(count("risk_assessment"), 0, "{profile}: {types:?}");
        }
        assert_both_intact(&s.home(), &zip);
    }
    // A date range leaves out acknowledgements of entries outside it.
    let zip = s.tmp.path().join("range.zip");
    let from = day(1).to_string();
    s.run(&[
        "export",
        "--case",
        &case,
        "--profile",
        "defence",
        "--from",
        &from,
        "--by",
        "Dr A",
        "--out",
        zip.to_str().unwrap(),
    ])
    .success();
    let types: Vec<String> = Members::read(&zip)
        .records()
        .iter()
        .map(|l| envelope(l)["type"].as_str().unwrap().to_string())
        .collect();
    assert!(
        !types.iter().any(|t| t == "acknowledgement" || t == "entry"),
        "{types:?}"
    );
    assert!(types.iter().any(|t| t == "risk_assessment"), "{types:?}");
    assert_both_intact(&s.home(), &zip);
}
