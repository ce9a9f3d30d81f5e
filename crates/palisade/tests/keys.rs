//! The master key: where it is kept, how it is protected, what happens when
//! it is missing, wrong or garbage; passphrase-protected stores; and that the
//! data directory alone holds no plaintext of anything recorded.

mod common;

use common::{Store, all_files, contains_bytes};
use serde_json::Value;
use std::os::unix::fs::PermissionsExt;

fn mode(p: &std::path::Path) -> u32 {
    std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777
}

#[test]
fn missing_key_file_is_named_in_the_error() {
    let mut s = Store::init();
    let missing = s.tmp.path().join("elsewhere").join("gone.key");
    s.key_file = Some(missing.clone());
    s.run(&["case", "list"])
        .error_mentioning(&["no key file", &missing.display().to_string()]);
    s.run(&["verify"])
        .error_mentioning(&[&missing.display().to_string()]);
}

#[test]
fn missing_default_key_file_is_named_in_the_error() {
    let mut s = Store::new();
    s.key_file = None;
    let r = s.json(&["init"]);
    let key = std::path::PathBuf::from(r["key_file"].as_str().unwrap());
    std::fs::remove_file(&key).unwrap();
    s.run(&["case", "list"]).error_mentioning(&[
        "no key file",
        &key.display().to_string(),
        "--key-file",
    ]);
}

#[test]
fn another_stores_key_is_a_wrong_key() {
    let mut a = Store::new();
    let a_init = a.json(&["init"]);
    let b = Store::init();
    a.key_file = b.key_file.clone();
    let line = a.run(&["case", "list"]).error_mentioning(&["wrong key"]);
    // It says which key the store expects.
    let expected = a_init["master_key_fingerprint"].as_str().unwrap();
    assert!(line.contains(expected), "{line}");
    let r = a.run(&["--json", "verify"]);
    r.error_mentioning(&["wrong key"]);
    assert_eq!(r.json()["ok"], false);
}

#[test]
fn garbage_key_files_are_refused_clearly() {
    let mut s = Store::init();
    let cases: [(&str, &[u8]); 4] = [
        ("words.key", b"this is not a key\n"),
        ("empty.key", b""),
        (
            "bad-base64.key",
            b"palisade-master-key-v1 !!!not base64!!!\n",
        ),
        ("short.key", b"palisade-master-key-v1 AAAA\n"),
    ];
    for (name, bytes) in cases {
        let p = s.write_file(name, bytes);
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
        s.key_file = Some(p.clone());
        s.run(&["case", "list"])
            .error_mentioning(&[&p.display().to_string(), "not a Palisade key file"]);
    }
}

#[test]
fn key_files_are_private() {
    // An explicit --key-file, in a folder that does not exist yet.
    let s = Store::init();
    let key = s.key_file.clone().unwrap();
    assert_eq!(mode(&key), 0o600, "key file mode");
    assert_eq!(mode(key.parent().unwrap()), 0o700, "key folder mode");
    let text = std::fs::read_to_string(&key).unwrap();
    assert!(
        text.lines()
            .any(|l| l.starts_with("palisade-master-key-v1 ")),
        "{text}"
    );

    // The default location under the config folder.
    let mut d = Store::new();
    d.key_file = None;
    let r = d.json(&["init"]);
    let key = std::path::PathBuf::from(r["key_file"].as_str().unwrap());
    assert!(
        key.starts_with(d.home().join("config").join("keys")),
        "{key:?}"
    );
    assert_eq!(mode(&key), 0o600, "default key file mode");
    assert_eq!(
        mode(key.parent().unwrap()),
        0o700,
        "default key folder mode"
    );
}

#[test]
fn a_readable_key_file_works_but_draws_a_warning() {
    let s = Store::init();
    let key = s.key_file.clone().unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let r = s.run(&["case", "list"]).success();
    assert!(
        r.stderr.contains("can be read by other users") && r.stderr.contains("chmod 600"),
        "{}",
        r.stderr
    );
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    assert_eq!(s.run(&["case", "list"]).success().stderr, "");
}

/// Every file under `dir` with its bytes.
fn read_all(dir: &std::path::Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    all_files(dir)
        .into_iter()
        .map(|p| {
            let b = std::fs::read(&p).expect("read data file");
            (p, b)
        })
        .collect()
}

#[test]
fn the_data_directory_holds_no_plaintext() {
    let s = Store::init();
    // Keep a connection open so the writers' WAL is not folded back and removed
    // when they exit: the WAL is inspected too.
    let holder = s.db();
    let _: i64 = holder
        .query_row("SELECT COUNT(*) FROM records", [], |r| r.get(0))
        .unwrap();

    let secrets = [
        "Title-q7Wz unwanted attention",
        "Subject-K3p9 initials XY",
        "Party-Mv2r Jane Roe",
        "Owner-Dr Hx4t Moreau",
        "Summary-b8Jd waited beside my car",
        "Content-n5Ls je t'aime, café ❤ call me",
        "Clinical-G6yq bipolar disorder, lithium",
        "Place-T1cv Tesco car park",
        "Witness-Rr0a Nurse Okafor",
        "Reference-P2ej CAD/5512/26",
        "Notes-W9ku letter hand-delivered",
        "By-Zp3m practice manager",
        "Reason-Vd8n corrected after CCTV review",
        "Corrected-Hq5w waited beside my car twice",
        "Closed-Ln6b moved to another practice",
        "letter-Ey7c.txt",
    ];
    let [
        title,
        subject,
        party,
        owner,
        summary,
        content,
        clinical,
        place,
        witness,
        reference,
        notes,
        by,
        reason,
        corrected,
        closed,
        name,
    ] = secrets;
    let attachment: Vec<u8> = format!(
        "Attachment-Fj2x: I will be outside your house at 9pm. {}",
        "Every night until you answer. ".repeat(60)
    )
    .into_bytes();
    let att_path = s.write_file(name, &attachment);

    let case = s.json(&[
        "case",
        "open",
        "--title",
        title,
        "--subject",
        subject,
        "--kind",
        "stalking",
        "--party",
        party,
        "--owner",
        owner,
    ])["id"]
        .as_str()
        .unwrap()
        .to_string();
    let entry = s.json(&[
        "log",
        "--case",
        &case,
        "--channel",
        "in_person_elsewhere",
        "--occurred-at",
        "2026-03-01T21:40:00+01:00",
        "--summary",
        summary,
        "--content",
        content,
        "--clinical",
        clinical,
        "--place",
        place,
        "--witness",
        witness,
        "--attach",
        att_path.to_str().unwrap(),
    ])["id"]
        .as_str()
        .unwrap()
        .to_string();
    s.json(&[
        "action",
        "--case",
        &case,
        "--kind",
        "police_reported",
        "--date",
        "2026-03-02",
        "--reference",
        reference,
        "--notes",
        notes,
        "--by",
        by,
    ]);
    s.json(&[
        "correct",
        "--entry",
        &entry,
        "--reason",
        reason,
        "--summary",
        corrected,
    ]);
    s.json(&["case", "close", &case, "--reason", closed]);

    // Positive control: with the key, everything reads back.
    let shown = s.json(&["case", "show", &case]).to_string();
    for needle in [
        title, party, corrected, content, clinical, place, witness, reference, closed,
    ] {
        let escaped = serde_json::to_string(needle).unwrap();
        assert!(
            shown.contains(escaped.trim_matches('"')),
            "{needle} missing from: {shown}"
        );
    }

    let files = read_all(&s.data_dir);
    let names: Vec<String> = files
        .iter()
        .map(|(p, _)| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    let wal = files
        .iter()
        .find(|(p, _)| p.ends_with("palisade.sqlite3-wal"))
        .unwrap_or_else(|| panic!("no WAL to inspect among {names:?}"));
    assert!(!wal.1.is_empty(), "the WAL holds the writes");
    assert_eq!(s.blob_files().len(), 1);
    // The scan can see what is meant to be in clear: ids and times.
    assert!(
        files
            .iter()
            .any(|(_, b)| contains_bytes(b, entry.as_bytes()))
    );
    assert!(
        files
            .iter()
            .any(|(_, b)| contains_bytes(b, b"2026-03-01T21:40:00+01:00"))
    );

    for (path, bytes) in &files {
        for needle in secrets {
            assert!(
                !contains_bytes(bytes, needle.as_bytes()),
                "{needle:?} appears in clear in {}",
                path.display()
            );
        }
        assert!(
            !contains_bytes(bytes, &attachment),
            "attachment in {}",
            path.display()
        );
        for chunk in attachment.chunks(16) {
            assert!(
                !contains_bytes(bytes, chunk),
                "attachment bytes {:?} appear in {}",
                String::from_utf8_lossy(chunk),
                path.display()
            );
        }
    }
    drop(holder);
}

#[test]
fn passphrase_store_works_and_needs_the_right_passphrase() {
    let mut s = Store::new();
    s.key_file = None;
    s.passphrase = Some("correct horse battery staple".into());
    let r = s.json(&["init"]);
    assert_eq!(r["key_mode"], "passphrase");
    assert_eq!(r["key_file"], Value::Null);
    assert!(
        !s.home().join("config").join("keys").exists(),
        "no key file is written"
    );
    let case = s.open_case("Passphrase", "other");
    let v = s.verify_ok();
    assert_eq!(v["records"], 2);
    assert_eq!(s.json(&["case", "list"])[0]["id"], case.as_str());

    s.passphrase = None;
    s.run(&["case", "list"])
        .error_mentioning(&["protected by a passphrase", "PALISADE_PASSPHRASE"]);
    s.passphrase = Some("incorrect horse battery staple".into());
    s.run(&["verify"])
        .error_mentioning(&["wrong key", "PALISADE_PASSPHRASE"]);
}

#[test]
fn a_short_passphrase_is_refused_at_init() {
    let mut s = Store::new();
    s.key_file = None;
    s.passphrase = Some("short pass".into());
    s.run(&["init"])
        .error_mentioning(&["at least 12 characters"]);
    assert!(!s.data_dir.exists(), "nothing is created");
}
