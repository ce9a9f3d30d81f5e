//! A populated store for tests that need realistic contents: two cases,
//! three entries (one with two attachments, later corrected), an action with
//! an attachment, and a closed case.

use super::{Store, png_bytes};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// A store with several cases, entries, an action, a correction and
/// attachments, recording the ids and blob files of what it holds.
pub struct Fixture {
    pub store: Store,
    pub case_a: String,
    pub case_b: String,
    /// SMS in case A with two attachments, later corrected.
    pub e1: String,
    pub att_png: String,
    pub att_txt: String,
    /// Phone call in case A, no attachment.
    pub e2: String,
    /// Letter in case B with one attachment.
    pub e3: String,
    pub att_letter: String,
    /// Action in case A with one attachment.
    pub action: String,
    pub att_action: String,
    pub correction: String,
    pub close_b: String,
    /// Attachment record id → its sealed blob file.
    pub blobs: Vec<(String, PathBuf)>,
    pub records: u64,
    pub png: Vec<u8>,
    pub txt: Vec<u8>,
}

fn new_blobs(before: &BTreeSet<PathBuf>, after: &BTreeSet<PathBuf>) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = after.difference(before).cloned().collect();
    // Order by size: the tests' attachments have distinct, known sizes.
    v.sort_by_key(|p| std::fs::metadata(p).expect("blob metadata").len());
    v
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("id in output").to_string()
}

impl Fixture {
    pub fn build() -> Self {
        let store = Store::init();
        let case_a = store.open_case("Repeated messages", "amorous");
        let case_b = store.open_case("Complaint letters", "grievance");

        let png = png_bytes();
        let txt = "Screenshot transcript: see you tonight at the car park.\n".repeat(40);
        let txt = txt.into_bytes();
        let png_path = store.write_file("screenshot.png", &png);
        let txt_path = store.write_file("transcript.txt", &txt);
        let before = store.blob_files();
        let e1v = store.json(&[
            "log",
            "--case",
            &case_a,
            "--channel",
            "sms",
            "--occurred-at",
            "2026-03-01T21:40:00+01:00",
            "--summary",
            "Texted late at night",
            "--content",
            "I know where you park",
            "--clinical",
            "Known anxiety disorder",
            "--attach",
            png_path.to_str().expect("utf-8 path"),
            "--attach",
            txt_path.to_str().expect("utf-8 path"),
        ]);
        let e1_blobs = new_blobs(&before, &store.blob_files());
        assert_eq!(e1_blobs.len(), 2, "two attachments make two blobs");
        let e1 = id(&e1v);
        let atts = e1v["attachments"].as_array().expect("attachments");
        let att_png = id(&atts[0]);
        let att_txt = id(&atts[1]);

        let e2 = id(&store.json(&[
            "log",
            "--case",
            &case_a,
            "--channel",
            "phone_call",
            "--occurred-at",
            "2026-03-02T08:00:00Z",
            "--summary",
            "Called the surgery twice",
        ]));

        let letter = store.write_file("letter.txt", b"Dear Doctor, I will not stop writing.\n");
        let before = store.blob_files();
        let e3v = store.json(&[
            "log",
            "--case",
            &case_b,
            "--channel",
            "letter",
            "--occurred-at",
            "2026-02-20T12:00:00Z",
            "--summary",
            "Angry letter",
            "--attach",
            letter.to_str().expect("utf-8 path"),
        ]);
        let letter_blob = new_blobs(&before, &store.blob_files());
        assert_eq!(letter_blob.len(), 1);
        let e3 = id(&e3v);
        let att_letter = id(&e3v["attachments"][0]);

        let sent = store.write_file("sent.pdf", b"%PDF-1.4\nletter asking the patient to stop\n");
        let before = store.blob_files();
        let action = id(&store.json(&[
            "action",
            "--case",
            &case_a,
            "--kind",
            "asked_to_stop",
            "--date",
            "2026-03-03",
            "--reference",
            "REF-1",
            "--attach",
            sent.to_str().expect("utf-8 path"),
        ]));
        let action_blob = new_blobs(&before, &store.blob_files());
        assert_eq!(action_blob.len(), 1);
        let shown = store.json(&["case", "show", &case_a]);
        let att_action = id(&shown["actions"][0]["attachments"][0]);

        let correction = id(&store.json(&[
            "correct",
            "--entry",
            &e1,
            "--reason",
            "typo in summary",
            "--summary",
            "Texted late at night (3 messages)",
        ]));
        let close_b = id(&store.json(&["case", "close", &case_b, "--reason", "resolved"]));

        let report = store.verify_ok();
        let records = report["records"].as_u64().expect("records");
        assert_eq!(records, 13, "fixture layout changed: {report:#}");
        assert_eq!(report["attachments"], 4);
        let blobs = vec![
            (att_png.clone(), e1_blobs[0].clone()),
            (att_txt.clone(), e1_blobs[1].clone()),
            (att_letter.clone(), letter_blob[0].clone()),
            (att_action.clone(), action_blob[0].clone()),
        ];
        Fixture {
            store,
            case_a,
            case_b,
            e1,
            att_png,
            att_txt,
            e2,
            e3,
            att_letter,
            action,
            att_action,
            correction,
            close_b,
            blobs,
            records,
            png,
            txt,
        }
    }

    pub fn blob_of(&self, attachment: &str) -> &Path {
        &self
            .blobs
            .iter()
            .find(|(a, _)| a == attachment)
            .expect("known attachment")
            .1
    }

    /// The leaf index of a record, read from the database.
    pub fn leaf_of(&self, record_id: &str) -> i64 {
        self.store
            .db()
            .query_row(
                "SELECT leaf_index FROM records WHERE id = ?1",
                [record_id],
                |r| r.get(0),
            )
            .expect("record in the database")
    }
}
