//! The ledger as a whole through the real binary: signed checkpoints that
//! match `verify`, closed cases refusing records, and several writer
//! processes at once.

mod common;

use common::{Store, log_sms, png_bytes};
use serde_json::Value;

#[test]
fn checkpoint_is_a_signed_note_for_the_whole_ledger() {
    let s = Store::init();
    let case = s.open_case("Checkpoint", "other");
    log_sms(&s, &case, "2026-03-01T09:30:00Z", "one");
    s.json(&[
        "action",
        "--case",
        &case,
        "--kind",
        "asked_to_stop",
        "--date",
        "2026-03-02",
    ]);
    let report = s.verify_ok();
    assert_eq!(report["records"], 4);
    assert_eq!(report["checkpoints"], 4);
    assert_eq!(report["tree_size"], 4);
    let note = s.run(&["checkpoint"]).success().stdout;
    assert!(note.ends_with('\n'), "{note:?}");
    let lines: Vec<&str> = note.lines().collect();
    assert_eq!(lines.len(), 5, "{note}");
    let origin = report["origin"].as_str().unwrap();
    assert_eq!(lines[0], origin);
    assert_eq!(lines[1], report["records"].to_string());
    assert_eq!(lines[2], report["root"].as_str().unwrap());
    assert_eq!(lines[2].len(), 44, "base64 of 32 bytes");
    assert_eq!(lines[3], "");
    assert!(
        lines[4].starts_with(&format!("\u{2014} {origin} ")),
        "{note}"
    );
    let cp = s.json(&["checkpoint"]);
    assert_eq!(cp["checkpoint"], note.as_str());
    assert_eq!(cp["origin"], origin);
    let text = s.run(&["verify"]).success().stdout;
    assert!(
        text.starts_with("OK: 4 records, 4 checkpoints and 0 attachments"),
        "{text}"
    );
}

#[test]
fn a_closed_case_takes_no_more_records() {
    let s = Store::init();
    let case = s.open_case("Closed", "other");
    s.json(&["case", "close", &case, "--reason", "resolved"]);
    let before = s.verify_ok()["records"].clone();
    let file = s.write_file("late.png", &png_bytes());
    s.run(&[
        "log",
        "--case",
        &case,
        "--channel",
        "sms",
        "--occurred-at",
        "2026-03-01T10:00:00Z",
        "--attach",
        file.to_str().unwrap(),
    ])
    .error_mentioning(&[&case, "closed"]);
    s.run(&[
        "action",
        "--case",
        &case,
        "--kind",
        "other",
        "--date",
        "2026-03-01",
    ])
    .error_mentioning(&[&case, "closed"]);
    assert_eq!(s.verify_ok()["records"], before);
    assert!(s.blob_files().is_empty(), "no blob for a refused entry");
}

#[test]
fn concurrent_writers_in_separate_processes_all_land() {
    let s = Store::init();
    let case = s.open_case("Busy", "other");
    let file = s.write_file("same.txt", b"the same attachment from every writer\n");
    let children: Vec<_> = (0..8)
        .map(|i| {
            let mut c = s.command();
            c.args([
                "--json",
                "log",
                "--case",
                &case,
                "--channel",
                "sms",
                "--occurred-at",
                "2026-03-01T10:00:00Z",
                "--summary",
                &format!("writer {i}"),
                "--attach",
                file.to_str().unwrap(),
            ]);
            c.stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut positions = Vec::new();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        positions.push(v["leaf_index"].as_u64().unwrap());
    }
    positions.sort_unstable();
    assert_eq!(positions, (0..8).map(|i| 2 + 2 * i).collect::<Vec<u64>>());
    let v = s.verify_ok();
    assert_eq!(v["records"], 2 + 8 * 2);
    assert_eq!(v["attachments"], 8);
    assert_eq!(
        s.blob_files().len(),
        1,
        "equal files in a case are kept once"
    );
    assert_eq!(
        s.json(&["timeline", "--case", &case])
            .as_array()
            .unwrap()
            .len(),
        8
    );
}
