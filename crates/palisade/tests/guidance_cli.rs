//! `palisade triage` and `palisade next` through the real binary.

mod common;

use common::{Store, bare_command};
use serde_json::Value;
use std::io::Write;
use std::process::Stdio;

/// Run `palisade ARGS` with `input` on stdin; (exit code, stdout, stderr).
fn with_stdin(args: &[&str], input: &[u8]) -> (i32, String, String) {
    let home = tempfile::tempdir().expect("temporary home");
    let mut c = bare_command(home.path());
    c.args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().expect("run palisade");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input)
        .expect("write stdin");
    let out = child.wait_with_output().expect("wait for palisade");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn triage_reads_lines_and_json_lines_and_explains_each() {
    let input = "I'm gonna kill u\nCan I book an appointment please?\n{\"id\": 7, \"text\": \"i dont want to be here anymore\"}\n";
    let (code, out, err) = with_stdin(&["triage"], input.as_bytes());
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    let (label, reasons) = lines[0].split_once('\t').expect("label<TAB>reasons");
    assert_eq!(label, "threat");
    assert!(reasons.contains("kill u"), "{reasons}");
    assert!(lines[1].starts_with("admin\t"));
    assert!(lines[2].starts_with("self_harm\t"));

    let (code, out, _) = with_stdin(&["triage", "--json"], input.as_bytes());
    assert_eq!(code, 0);
    let rows: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert_eq!(rows[0]["label"], "threat");
    assert!(!rows[0]["reasons"].as_array().unwrap().is_empty());
    assert_eq!(rows[0]["text"], "I'm gonna kill u");
    assert_eq!(rows[2]["label"], "self_harm");
    assert_eq!(rows[2]["id"], 7);
}

#[test]
fn triage_names_the_line_that_cannot_be_read_and_keeps_going() {
    let input = b"hello doctor x\n\xff\xfe broken\n{\"no_text\": 1}\nyou are useless\n";
    let (code, out, err) = with_stdin(&["triage"], input);
    assert_eq!(code, 1);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "one result per input line: {out}");
    assert!(
        lines[1].starts_with("error\tline 2: not valid UTF-8"),
        "{out}"
    );
    assert!(
        lines[2].starts_with("error\tline 3: JSON object without"),
        "{out}"
    );
    assert!(lines[3].starts_with("abusive\t"), "{out}");
    let errs: Vec<&str> = err.lines().collect();
    assert_eq!(errs.len(), 1, "{err}");
    assert!(
        errs[0].starts_with("error: line 2: not valid UTF-8"),
        "{err}"
    );
    assert!(errs[0].contains("2 lines could not be read"));
    // Empty input: no output, success.
    assert_eq!(with_stdin(&["triage"], b"").0, 0);
}

#[test]
fn next_prints_steps_deadlines_and_risk() {
    let s = Store::init();
    let case = s.open_case("Texts from AB", "amorous");
    for (at, content) in [
        ("2026-03-01T21:40:00+00:00", "You looked lovely today x"),
        ("2026-03-04T22:10:00+00:00", "I know where you live"),
    ] {
        s.json(&[
            "log",
            "--case",
            &case,
            "--channel",
            "sms",
            "--occurred-at",
            at,
            "--content",
            content,
        ]);
    }
    s.json(&[
        "action",
        "--case",
        &case,
        "--kind",
        "relationship_ended",
        "--date",
        "2026-03-06",
        "--notes",
        "Immediate removal after threats",
    ]);
    let v = s.json(&["next", "--case", &case, "--today", "2026-03-09"]);
    assert_eq!(v["risk"]["level"], "urgent");
    assert!(
        v["risk"]["lead"]
            .as_str()
            .unwrap()
            .starts_with("Call the police now (999 in an emergency)")
    );
    assert!(!v["risk"]["factors"].as_array().unwrap().is_empty());
    let steps = v["steps"].as_array().unwrap();
    assert_eq!(steps[0]["id"], "call-police-now");
    for st in steps {
        for k in ["id", "title", "reason", "source"] {
            assert!(st[k].is_string(), "{k}: {st}");
        }
    }
    let deadlines = v["deadlines"].as_array().unwrap();
    let notice = deadlines
        .iter()
        .find(|d| d["id"] == "nhse-written-notice")
        .expect("written notice deadline");
    assert_eq!(notice["due"], "2026-03-13");
    assert!(notice["what"].is_string());

    let text = s
        .run(&["next", "--case", &case, "--today", "2026-03-09"])
        .success()
        .stdout;
    assert!(text.contains("risk urgent"), "{text}");
    assert!(
        text.contains("URGENT: Call the police now (999 in an emergency)"),
        "{text}"
    );
    assert!(
        text.contains("Deadlines:") && text.contains("2026-03-13"),
        "{text}"
    );
}

#[test]
fn next_refuses_a_bad_date_or_case() {
    let s = Store::init();
    let case = s.open_case("X", "other");
    s.run(&["next", "--case", &case, "--today", "9 March"])
        .error_mentioning(&["--today", "YYYY-MM-DD"]);
    s.run(&["next", "--case", "case_0000000000000000"])
        .error_line();
}
