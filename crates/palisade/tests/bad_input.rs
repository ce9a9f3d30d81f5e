//! Bad input is refused with one clear `error: ` line naming what is wrong,
//! exit 1, and nothing written: the same records, the same checkpoints and
//! no new blob files. Also: what `init` refuses, and data directories that
//! are not Palisade stores.

mod common;

use common::{Store, png_bytes};
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

/// A store with one case and one entry, and a readable attachment to hand.
struct Small {
    s: Store,
    case: String,
    entry: String,
    good: PathBuf,
}

fn small() -> Small {
    let s = Store::init();
    let case = s.open_case("Bad input", "other");
    let entry = s.json(&[
        "log",
        "--case",
        &case,
        "--channel",
        "sms",
        "--occurred-at",
        "2026-03-01T10:00:00Z",
        "--summary",
        "first",
    ])["id"]
        .as_str()
        .expect("entry id")
        .to_string();
    let good = s.write_file("good.png", &png_bytes());
    Small {
        s,
        case,
        entry,
        good,
    }
}

impl Small {
    fn good(&self) -> &str {
        self.good.to_str().expect("utf-8 path")
    }

    /// Run `args`; it must fail with one error line mentioning every one of
    /// `mentions`, and change nothing in the store.
    #[track_caller]
    fn rejected(&self, args: &[&str], mentions: &[&str]) -> String {
        let before = self.s.verify_ok();
        let rows = self.s.row_counts();
        let blobs = self.s.all_blob_paths();
        let line = self.s.run(args).error_mentioning(mentions);
        let after = self.s.verify_ok();
        assert_eq!(after["records"], before["records"], "a record was written");
        assert_eq!(after["checkpoints"], before["checkpoints"]);
        assert_eq!(self.s.row_counts(), rows);
        assert_eq!(self.s.all_blob_paths(), blobs, "a blob file was written");
        line
    }

    fn log(&self, channel: &str, at: &str, extra: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = [
            "log",
            "--case",
            &self.case,
            "--channel",
            channel,
            "--occurred-at",
            at,
            "--attach",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        v.push(self.good().to_string());
        v.extend(extra.iter().map(|s| s.to_string()));
        v
    }
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

#[test]
fn unknown_channel() {
    let t = small();
    let args = t.log("carrier_pigeon", "2026-03-01T10:00:00Z", &[]);
    t.rejected(
        &strs(&args),
        &["unknown channel 'carrier_pigeon'", "whatsapp"],
    );
}

#[test]
fn unknown_direction() {
    let t = small();
    let args = t.log("sms", "2026-03-01T10:00:00Z", &["--direction", "sideways"]);
    t.rejected(&strs(&args), &["'sideways'", "direction"]);
}

#[test]
fn unparseable_occurred_at() {
    let t = small();
    let args = t.log("sms", "yesterday", &[]);
    t.rejected(&strs(&args), &["--occurred-at", "'yesterday'"]);
}

#[test]
fn occurred_at_without_an_offset() {
    let t = small();
    let args = t.log("sms", "2026-03-01T21:40:00", &[]);
    t.rejected(&strs(&args), &["'2026-03-01T21:40:00'", "offset"]);
}

#[test]
fn occurred_at_far_in_the_future() {
    let t = small();
    let args = t.log("sms", "2999-01-01T00:00:00Z", &[]);
    t.rejected(&strs(&args), &["2999-01-01T00:00:00Z", "future"]);
    t.rejected(
        &[
            "correct",
            "--entry",
            &t.entry,
            "--reason",
            "r",
            "--occurred-at",
            "2999-01-01T00:00:00Z",
        ],
        &["2999-01-01T00:00:00Z", "future"],
    );
}

#[test]
fn log_to_a_case_that_does_not_exist() {
    let t = small();
    let args = [
        "log",
        "--case",
        "case_doesnotexist00",
        "--channel",
        "sms",
        "--occurred-at",
        "2026-03-01T10:00:00Z",
        "--attach",
        t.good(),
    ];
    t.rejected(&args, &["case_doesnotexist00"]);
}

#[test]
fn attachment_that_does_not_exist() {
    let t = small();
    let missing = t.s.tmp.path().join("files").join("no-such-photo.jpg");
    let m = missing.to_str().unwrap();
    let args = t.log("sms", "2026-03-01T10:00:00Z", &["--attach", m]);
    t.rejected(&strs(&args), &["cannot read attachment", m]);
}

#[test]
fn attachment_that_is_a_directory() {
    let t = small();
    let dir = t.s.tmp.path().join("files");
    let d = dir.to_str().unwrap();
    let args = t.log("sms", "2026-03-01T10:00:00Z", &["--attach", d]);
    t.rejected(&strs(&args), &[d, "not a regular file"]);
}

#[test]
fn empty_witness_name() {
    let t = small();
    let args = t.log("sms", "2026-03-01T10:00:00Z", &["--witness", "  "]);
    t.rejected(&strs(&args), &["witness must not be empty"]);
}

#[test]
fn unknown_action_kind() {
    let t = small();
    t.rejected(
        &[
            "action",
            "--case",
            &t.case,
            "--kind",
            "sent_flowers",
            "--date",
            "2026-03-01",
            "--attach",
            t.good(),
        ],
        &["unknown action kind 'sent_flowers'"],
    );
}

#[test]
fn bad_action_date() {
    let t = small();
    t.rejected(
        &[
            "action",
            "--case",
            &t.case,
            "--kind",
            "other",
            "--date",
            "3rd March",
            "--attach",
            t.good(),
        ],
        &["--date", "'3rd March'"],
    );
    t.rejected(
        &[
            "action",
            "--case",
            &t.case,
            "--kind",
            "other",
            "--date",
            "2026-13-03",
        ],
        &["'2026-13-03'"],
    );
}

#[test]
fn unknown_case_kind() {
    let t = small();
    t.rejected(
        &[
            "case",
            "open",
            "--title",
            "T",
            "--subject",
            "S",
            "--kind",
            "romantic",
        ],
        &["unknown case kind 'romantic'"],
    );
}

#[test]
fn empty_case_title() {
    let t = small();
    t.rejected(
        &[
            "case",
            "open",
            "--title",
            "   ",
            "--subject",
            "S",
            "--kind",
            "other",
        ],
        &["title must not be empty"],
    );
}

#[test]
fn correction_that_changes_nothing() {
    let t = small();
    t.rejected(
        &["correct", "--entry", &t.entry, "--reason", "no change"],
        &["must change at least one field"],
    );
    // Blank values count as not given.
    t.rejected(
        &[
            "correct",
            "--entry",
            &t.entry,
            "--reason",
            "blank",
            "--summary",
            "  ",
        ],
        &["must change at least one field"],
    );
}

#[test]
fn correct_or_retract_an_unknown_entry() {
    let t = small();
    t.rejected(
        &[
            "correct",
            "--entry",
            "ent_unknownunknown",
            "--reason",
            "r",
            "--summary",
            "x",
        ],
        &["no entry with id 'ent_unknownunknown'"],
    );
    t.rejected(
        &["retract", "--entry", "ent_unknownunknown", "--reason", "r"],
        &["no entry with id 'ent_unknownunknown'"],
    );
    // A case id is not an entry id.
    t.rejected(
        &["retract", "--entry", &t.case, "--reason", "r"],
        &[&format!("no entry with id '{}'", t.case)],
    );
}

#[test]
fn json_errors_are_reported_on_stdout_too() {
    let t = small();
    let args = t.log("carrier_pigeon", "2026-03-01T10:00:00Z", &[]);
    let mut all = vec!["--json"];
    all.extend(strs(&args));
    let r = t.s.run(&all);
    let line = r.error_mentioning(&["carrier_pigeon"]);
    let v = r.json();
    assert_eq!(v["ok"], false);
    assert_eq!(v["error"], line.trim_start_matches("error: "));
}

#[test]
fn usage_errors_exit_2() {
    let t = small();
    let r = t.s.run(&["log", "--channel", "sms"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("--case"), "{}", r.stderr);
    assert_eq!(t.s.verify_ok()["records"], 3);
}

// ----- data directories that are not stores ---------------------------------

#[test]
fn a_data_dir_that_does_not_exist() {
    let s = Store::new();
    let d = s.data_dir.display().to_string();
    s.run(&["case", "list"])
        .error_mentioning(&[&d, "does not exist"]);
    assert!(!s.data_dir.exists(), "nothing is created");
}

#[test]
fn an_empty_data_dir() {
    let s = Store::new();
    std::fs::create_dir_all(&s.data_dir).unwrap();
    let d = s.data_dir.display().to_string();
    s.run(&["case", "list"])
        .error_mentioning(&[&d, "not a Palisade data directory"]);
    let r = s.run(&["--json", "verify"]);
    r.error_mentioning(&["not a Palisade data directory"]);
    assert_eq!(r.json()["ok"], false);
    assert_eq!(
        std::fs::read_dir(&s.data_dir).unwrap().count(),
        0,
        "nothing is created"
    );
}

#[test]
fn a_random_file_named_like_the_database() {
    let s = Store::new();
    std::fs::create_dir_all(&s.data_dir).unwrap();
    let junk: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(s.db_path(), &junk).unwrap();
    s.run(&["case", "list"])
        .error_mentioning(&["palisade.sqlite3", "not a Palisade database"]);
    s.run(&["verify"])
        .error_mentioning(&["not a Palisade database"]);
    assert_eq!(
        std::fs::read(s.db_path()).unwrap(),
        junk,
        "the file is left alone"
    );
    assert_eq!(std::fs::read_dir(&s.data_dir).unwrap().count(), 1);
}

#[test]
fn another_applications_sqlite_database() {
    let s = Store::new();
    std::fs::create_dir_all(&s.data_dir).unwrap();
    {
        let c = rusqlite::Connection::open(s.db_path()).unwrap();
        c.execute_batch("CREATE TABLE notes (x TEXT); INSERT INTO notes VALUES ('keep');")
            .unwrap();
    }
    let before = std::fs::read(s.db_path()).unwrap();
    s.run(&["case", "list"])
        .error_mentioning(&["not a Palisade database"]);
    assert_eq!(
        std::fs::read(s.db_path()).unwrap(),
        before,
        "the file is left alone"
    );
    assert_eq!(std::fs::read_dir(&s.data_dir).unwrap().count(), 1);
}

// ----- init refusals --------------------------------------------------------

#[test]
fn init_refuses_to_overwrite_a_store() {
    let s = Store::init();
    s.open_case("Keep me", "other");
    let key = s.key_file.clone().unwrap();
    let key_before = std::fs::read(&key).unwrap();
    let mut again = Store::new();
    again.data_dir = s.data_dir.clone(); // same data dir, a fresh key path
    again.run(&["init"]).error_mentioning(&[
        &s.data_dir.display().to_string(),
        "already holds a Palisade store",
    ]);
    assert!(
        !again.key_file.as_ref().unwrap().exists(),
        "no new key is written"
    );
    assert_eq!(std::fs::read(&key).unwrap(), key_before);
    assert_eq!(s.verify_ok()["records"], 2);
}

#[test]
fn init_refuses_a_non_empty_folder_but_takes_an_empty_one() {
    let s = Store::new();
    std::fs::create_dir_all(&s.data_dir).unwrap();
    std::fs::write(s.data_dir.join("notes.txt"), b"mine").unwrap();
    s.run(&["init"])
        .error_mentioning(&[&s.data_dir.display().to_string(), "exists and is not empty"]);
    assert!(!s.db_path().exists());
    assert!(!s.key_file.as_ref().unwrap().exists());
    assert_eq!(
        std::fs::read(s.data_dir.join("notes.txt")).unwrap(),
        b"mine"
    );

    std::fs::remove_file(s.data_dir.join("notes.txt")).unwrap();
    s.run(&["init"]).success();
    assert_eq!(s.verify_ok()["records"], 1);
}

#[test]
fn init_refuses_an_existing_key_file() {
    let s = Store::new();
    let key = s.key_file.clone().unwrap();
    std::fs::create_dir_all(key.parent().unwrap()).unwrap();
    std::fs::write(&key, b"someone else's key\n").unwrap();
    // Private, like a real key file (a readable one draws an extra warning line).
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    s.run(&["init"])
        .error_mentioning(&[&key.display().to_string(), "already exists"]);
    assert_eq!(std::fs::read(&key).unwrap(), b"someone else's key\n");
    assert!(!s.data_dir.exists(), "no data directory is made");
}

#[test]
fn init_refuses_a_key_file_inside_the_data_dir() {
    let mut s = Store::new();
    let inside = s.data_dir.join("master.key");
    s.key_file = Some(inside.clone());
    s.run(&["init"])
        .error_mentioning(&[&inside.display().to_string(), "inside the data directory"]);
    assert!(!s.data_dir.exists(), "nothing is created");
    // Also when the folder already exists (empty).
    std::fs::create_dir_all(&s.data_dir).unwrap();
    s.run(&["init"])
        .error_mentioning(&["inside the data directory"]);
    assert_eq!(std::fs::read_dir(&s.data_dir).unwrap().count(), 0);
}
