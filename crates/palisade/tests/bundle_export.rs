//! `palisade export` and `verify-bundle` end to end: what a bundle holds
//! under each option, the disclosure record, the report PDF read back with
//! poppler, RFC 3161 timestamps from a real local TSA, encryption, and the
//! errors a user can make.

mod common;

use common::Store;
use serde_json::Value;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

const CLINICAL: &str = "Known recurrent depressive disorder, sertraline 100mg";
const PNG: &[u8] = include_bytes!("fixtures/letter-photo.png");

/// A case with contacts on three days, an action, attachments and a clinical note.
struct Case {
    store: Store,
    id: String,
    summaries: Vec<&'static str>,
}

fn case() -> Case {
    let store = Store::init();
    let id = store.open_case("Amorous patient", "amorous");
    let photo = store.write_file("card photo.png", PNG);
    let note = store.write_file("note.txt", b"Handwritten note, transcribed");
    let summaries = vec![
        "Text asking me out for a drink",
        "Card left at reception – “Zoë” signed it",
        "WhatsApp after being asked to stop",
    ];
    store
        .run(&[
            "log",
            "--case",
            &id,
            "--channel",
            "sms",
            "--occurred-at",
            "2026-03-01T21:40:00Z",
            "--summary",
            summaries[0],
            "--content",
            "Fancy a drink sometime? x",
            "--clinical",
            CLINICAL,
        ])
        .success();
    store
        .run(&[
            "log",
            "--case",
            &id,
            "--channel",
            "gift",
            "--occurred-at",
            "2026-03-02T09:15:00+00:00",
            "--summary",
            summaries[1],
            "--place",
            "Reception",
            "--witness",
            "Receptionist J. Patel",
            "--attach",
            photo.to_str().expect("utf-8 path"),
        ])
        .success();
    store
        .run(&[
            "action",
            "--case",
            &id,
            "--kind",
            "asked_to_stop",
            "--date",
            "2026-03-03",
            "--by",
            "Dr A",
            "--attach",
            note.to_str().expect("utf-8 path"),
        ])
        .success();
    store
        .run(&[
            "log",
            "--case",
            &id,
            "--channel",
            "whatsapp",
            "--occurred-at",
            "2026-03-05T10:00:00+00:00",
            "--summary",
            summaries[2],
            "--content",
            "I saw you at Tesco on Saturday",
        ])
        .success();
    Case {
        store,
        id,
        summaries,
    }
}

fn out_path(c: &Case, name: &str) -> PathBuf {
    c.store.tmp.path().join(name)
}

fn export(c: &Case, name: &str, extra: &[&str]) -> (PathBuf, Value) {
    let out = out_path(c, name);
    let mut args = vec![
        "export",
        "--case",
        &c.id,
        "--out",
        out.to_str().expect("utf-8 path"),
        "--by",
        "Dr A",
    ];
    args.extend_from_slice(extra);
    let v = c.store.json(&args);
    (out, v)
}

/// `export --case <case> --out <out> <args…>`, as run.
fn try_export(c: &Case, out: &Path, args: &[&str]) -> common::Run {
    let mut all = vec![
        "export",
        "--case",
        &c.id,
        "--out",
        out.to_str().expect("utf-8 path"),
    ];
    all.extend_from_slice(args);
    c.store.run(&all)
}

fn verify_bundle(c: &Case, path: &Path) -> (i32, Value) {
    let r = c.store.run(&[
        "--json",
        "verify-bundle",
        path.to_str().expect("utf-8 path"),
    ]);
    let v = r.json();
    (r.code, v)
}

fn members(path: &Path) -> Vec<(String, Vec<u8>)> {
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).expect("open bundle")).expect("zip");
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).expect("member");
            let mut b = Vec::new();
            f.read_to_end(&mut b).expect("read member");
            (f.name().expect("member name").to_string(), b)
        })
        .collect()
}

fn member(path: &Path, name: &str) -> Vec<u8> {
    members(path)
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, b)| b)
        .unwrap_or_else(|| panic!("{name} missing from {}", path.display()))
}

fn poppler(tool: &str) -> bool {
    let present = Command::new(tool).arg("-v").output().is_ok();
    if !present && std::env::var_os("PALISADE_REQUIRE_POPPLER").is_none() {
        eprintln!("skipping: {tool} (poppler-utils) is not installed");
    }
    assert!(
        present || std::env::var_os("PALISADE_REQUIRE_POPPLER").is_none(),
        "{tool} is required"
    );
    present
}

fn pdf_text(pdf: &[u8], dir: &Path) -> String {
    let p = dir.join("report-under-test.pdf");
    std::fs::write(&p, pdf).expect("write pdf");
    let out = Command::new("pdftotext")
        .arg(&p)
        .arg("-")
        .output()
        .expect("pdftotext");
    assert!(
        out.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn police_bundle_verifies_withholds_clinical_notes_and_records_the_disclosure() {
    let c = case();
    let (path, r) = export(
        &c,
        "police.zip",
        &["--profile", "police", "--recipient", "PC Smith, ref 42"],
    );
    assert_eq!(r["profile"], "police");
    assert_eq!(r["withheld_fields"], 1, "{r:#}");
    let (code, v) = verify_bundle(&c, &path);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["ok"], true);
    assert_eq!(v["clinical_withheld_records"], 1);
    assert_eq!(v["attachment_files_verified"], 2);
    assert_eq!(v["withheld_fields"], 1);

    // The clinical note is nowhere in the zip, decompressed member by member.
    for (name, bytes) in members(&path) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("sertraline"),
            "{name} leaks the clinical note"
        );
    }
    if poppler("pdftotext") {
        let text = pdf_text(&member(&path, "report.pdf"), c.store.tmp.path());
        assert!(!text.contains("sertraline"));
        assert!(text.contains("withheld under profile police"), "{text}");
    }

    // The disclosure record is in the ledger (and the store still verifies) …
    let view = c.store.json(&["case", "show", &c.id]);
    let disclosures = view["disclosures"].as_array().expect("disclosures listed");
    assert_eq!(disclosures.len(), 1, "{view:#}");
    assert_eq!(disclosures[0]["profile"], "police");
    assert_eq!(disclosures[0]["recipient"], "PC Smith, ref 42");
    assert_eq!(disclosures[0]["id"], r["disclosure_record"]);
    c.store.verify_ok();
    // … and in the bundle, fully disclosed.
    let records = String::from_utf8(member(&path, "records.jsonl")).expect("utf-8");
    let last: Value =
        serde_json::from_str(records.lines().last().expect("a record")).expect("json");
    assert!(
        last["envelope"]
            .as_str()
            .expect("envelope")
            .contains(r["disclosure_record"].as_str().expect("id"))
    );
    assert_eq!(last["withheld"], Value::Array(vec![]));
}

#[test]
fn include_clinical_needs_a_reason_and_then_discloses() {
    let c = case();
    let out = out_path(&c, "x.zip");
    let r = try_export(&c, &out, &["--profile", "police", "--include-clinical"]);
    assert_eq!(
        r.code, 2,
        "clap refuses --include-clinical without --reason: {}",
        r.stderr
    );
    assert!(r.stderr.contains("--reason"), "{}", r.stderr);
    let r = try_export(
        &c,
        &out,
        &[
            "--profile",
            "defence",
            "--include-clinical",
            "--reason",
            "x",
            "--by",
            "Dr A",
        ],
    );
    r.error_mentioning(&["--include-clinical", "defence"]);
    assert!(!out.exists());

    let (path, _) = export(
        &c,
        "police-clinical.zip",
        &[
            "--profile",
            "police",
            "--include-clinical",
            "--reason",
            "Court order 2026/113",
        ],
    );
    let (code, v) = verify_bundle(&c, &path);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["clinical_withheld_records"], 0);
    let records = String::from_utf8(member(&path, "records.jsonl")).expect("utf-8");
    assert!(records.contains("sertraline"));
    let manifest: Value = serde_json::from_slice(&member(&path, "manifest.json")).expect("json");
    assert_eq!(manifest["reason"], "Court order 2026/113");
    assert_eq!(manifest["include_clinical"], true);
}

#[test]
fn every_profile_round_trips_and_the_report_lists_every_disclosed_summary() {
    let c = case();
    for profile in ["defence", "police", "manager", "gmc", "full"] {
        let (path, r) = export(&c, &format!("{profile}.zip"), &["--profile", profile]);
        let (code, v) = verify_bundle(&c, &path);
        assert_eq!(code, 0, "{profile}: {v:#}");
        assert_eq!(v["records"], r["records"], "{profile}");
        let names: Vec<String> = members(&path).into_iter().map(|(n, _)| n).collect();
        for required in [
            "VERIFY.md",
            "manifest.json",
            "records.jsonl",
            "proofs.json",
            "checkpoint.txt",
            "public-key.txt",
            "report.pdf",
        ] {
            assert!(
                names.iter().any(|n| n == required),
                "{profile}: {required} missing"
            );
        }
        if poppler("pdftoppm") {
            let pdf = c.store.tmp.path().join(format!("{profile}.pdf"));
            std::fs::write(&pdf, member(&path, "report.pdf")).expect("write pdf");
            let out = Command::new("pdftoppm")
                .args(["-r", "40", "-png"])
                .arg(&pdf)
                .arg(c.store.tmp.path().join(profile))
                .output()
                .expect("pdftoppm");
            assert!(out.status.success(), "pdftoppm failed for {profile}");
            assert!(
                out.stderr.is_empty(),
                "pdftoppm warned for {profile}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let text = pdf_text(&member(&path, "report.pdf"), c.store.tmp.path());
            let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
            for s in &c.summaries {
                assert!(flat.contains(s), "{profile}: report lacks {s:?}");
            }
            assert!(
                flat.contains(v["key_fingerprint"].as_str().expect("fingerprint")),
                "{profile}: report lacks the key fingerprint"
            );
        }
    }
    // Five exports, five disclosure records, and the ledger still verifies.
    let view = c.store.json(&["case", "show", &c.id]);
    assert_eq!(view["disclosures"].as_array().map(Vec::len), Some(5));
    c.store.verify_ok();
}

#[test]
fn a_date_range_keeps_only_the_contacts_and_actions_inside_it() {
    let c = case();
    let (path, _) = export(
        &c,
        "range.zip",
        &[
            "--profile",
            "defence",
            "--from",
            "2026-03-02",
            "--to",
            "2026-03-03",
        ],
    );
    assert_eq!(verify_bundle(&c, &path).0, 0);
    let manifest: Value = serde_json::from_slice(&member(&path, "manifest.json")).expect("json");
    let kinds: Vec<&str> = manifest["records"]
        .as_array()
        .expect("records")
        .iter()
        .map(|r| r["type"].as_str().expect("type"))
        .collect();
    // case_opened, the gift entry + its photo, the action + its note, the disclosure.
    assert_eq!(
        kinds,
        [
            "case_opened",
            "entry",
            "attachment",
            "action",
            "attachment",
            "disclosure"
        ],
        "{manifest:#}"
    );
    let records = String::from_utf8(member(&path, "records.jsonl")).expect("utf-8");
    assert!(!records.contains("Tesco") && !records.contains("Fancy a drink"));

    let out = out_path(&c, "bad.zip");
    try_export(
        &c,
        &out,
        &[
            "--profile",
            "police",
            "--from",
            "2026-03-05",
            "--to",
            "2026-03-01",
            "--by",
            "A",
        ],
    )
    .error_mentioning(&["--from 2026-03-05 is after --to 2026-03-01"]);
    try_export(
        &c,
        &out,
        &["--profile", "police", "--from", "5 March", "--by", "A"],
    )
    .error_mentioning(&["--from", "5 March"]);
}

#[test]
fn mistakes_write_neither_a_bundle_nor_a_disclosure_record() {
    let c = case();
    let out = out_path(&c, "m.zip");
    let o = out.to_str().expect("path");
    try_export(&c, &out, &["--profile", "press", "--by", "A"])
        .error_mentioning(&["unknown profile 'press'"]);
    c.store
        .run(&[
            "export",
            "--case",
            "case_0000000000000000",
            "--profile",
            "police",
            "--out",
            o,
            "--by",
            "A",
        ])
        .error_mentioning(&["case_0000000000000000"]);
    let missing_dir = c.store.tmp.path().join("nowhere").join("b.zip");
    try_export(&c, &missing_dir, &["--profile", "police", "--by", "A"])
        .error_mentioning(&["does not exist"]);
    std::fs::write(&out, b"precious").expect("write");
    try_export(&c, &out, &["--profile", "police", "--by", "A"])
        .error_mentioning(&["already exists"]);
    assert_eq!(
        std::fs::read(&out).expect("read"),
        b"precious",
        "an existing file is never overwritten"
    );
    let view = c.store.json(&["case", "show", &c.id]);
    assert_eq!(
        view["disclosures"],
        Value::Array(vec![]),
        "no disclosure record for a refused export"
    );

    // verify-bundle on things that are not bundles.
    let (code, v) = verify_bundle(&c, &out);
    assert_eq!(
        code, 1,
        "a file that is not a zip is unreadable, not a failed check"
    );
    assert_eq!(v["readable"], false);
    assert!(
        v["errors"][0]
            .as_str()
            .expect("error")
            .contains("not a readable zip"),
        "{v:#}"
    );
    let r = c.store.run(&[
        "verify-bundle",
        c.store
            .tmp
            .path()
            .join("absent.zip")
            .to_str()
            .expect("path"),
    ]);
    r.error_mentioning(&["absent.zip"]);
}

#[test]
fn verify_bundle_needs_no_store_and_no_key() {
    let c = case();
    let (path, _) = export(&c, "portable.zip", &["--profile", "manager"]);
    let elsewhere = tempfile::tempdir().expect("tmp");
    let r = common::run_command(
        common::bare_command(elsewhere.path()),
        &["verify-bundle", path.to_str().expect("path")],
    );
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("Bundle intact"), "{}", r.stdout);
    assert!(
        r.stdout.contains("clinical notes withheld in 1 record"),
        "{}",
        r.stdout
    );
    assert!(
        !elsewhere.path().join("palisade-data").exists(),
        "verify-bundle must not create a data directory"
    );
}

#[test]
fn encrypted_bundles_open_with_the_passphrase_or_the_identity() {
    let c = case();
    let out = out_path(&c, "sealed.zip.age");
    let mut cmd = c.store.command();
    cmd.env("PALISADE_BUNDLE_PASSPHRASE", "correct horse battery staple");
    let r = common::run_command(
        cmd,
        &[
            "export",
            "--case",
            &c.id,
            "--profile",
            "police",
            "--out",
            out.to_str().expect("path"),
            "--by",
            "A",
            "--encrypt-passphrase",
        ],
    )
    .success();
    assert!(r.stdout.contains("Encrypted"), "{}", r.stdout);
    let bytes = std::fs::read(&out).expect("read");
    assert!(bytes.starts_with(b"age-encryption.org/v1\n"));
    assert!(!String::from_utf8_lossy(&bytes).contains("Tesco"));

    let run_verify = |pass: Option<&str>, extra: &[&str]| {
        let mut cmd = c.store.command();
        if let Some(p) = pass {
            cmd.env("PALISADE_BUNDLE_PASSPHRASE", p);
        }
        let mut args = vec!["verify-bundle", out.to_str().expect("path")];
        args.extend_from_slice(extra);
        common::run_command(cmd, &args)
    };
    assert_eq!(
        run_verify(Some("correct horse battery staple"), &[]).code,
        0
    );
    run_verify(Some("wrong passphrase entirely"), &[]).error_mentioning(&["passphrase"]);
    run_verify(None, &[]).error_mentioning(&["encrypted", "PALISADE_BUNDLE_PASSPHRASE"]);

    // To an age recipient.
    let identity = age::x25519::Identity::generate();
    let recipient = identity.to_public().to_string();
    let id_file = c.store.write_file(
        "me.agekey",
        {
            use age::secrecy::ExposeSecret;
            format!(
                "# test identity\n{}\n",
                identity.to_string().expose_secret()
            )
        }
        .as_bytes(),
    );
    let out2 = out_path(&c, "to-recipient.age");
    try_export(
        &c,
        &out2,
        &[
            "--profile",
            "defence",
            "--by",
            "A",
            "--encrypt-to",
            &recipient,
        ],
    )
    .success();
    let r = c.store.run(&[
        "verify-bundle",
        out2.to_str().expect("path"),
        "--identity",
        id_file.to_str().expect("path"),
    ]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    try_export(
        &c,
        &out_path(&c, "n.age"),
        &[
            "--profile",
            "defence",
            "--by",
            "A",
            "--encrypt-to",
            "not-a-key",
        ],
    )
    .error_mentioning(&["not-a-key"]);
}

#[test]
fn rfc3161_timestamps_from_a_local_openssl_tsa_travel_with_the_bundle() {
    let c = case();
    let tsa_dir = c.store.tmp.path().join("tsa");
    std::fs::create_dir_all(&tsa_dir).expect("tsa dir");
    let Some(tsa) = palisade_timestamp::local_tsa::LocalTsa::start_or_skip(&tsa_dir)
        .expect("start the local TSA")
    else {
        return;
    };
    let t = c.store.json(&["checkpoint", "--timestamp", &tsa.url]);
    let size = t["tree_size"].as_u64().expect("size");
    assert!(t["time"].as_str().expect("time").starts_with("20"), "{t:#}");
    // Later writes; the token still covers an earlier checkpoint of the same log.
    c.store
        .run(&[
            "log",
            "--case",
            &c.id,
            "--channel",
            "sms",
            "--occurred-at",
            "2026-03-06T08:00:00Z",
            "--summary",
            "Another text",
        ])
        .success();
    let v = c.store.verify_ok();
    assert_eq!(v["timestamps"], 1);

    let (path, r) = export(&c, "stamped.zip", &["--profile", "police"]);
    assert_eq!(r["timestamps"], 1);
    let (code, v) = verify_bundle(&c, &path);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["timestamps"][0]["checkpoint_size"], size);
    // The independent verifier agrees, token signature included.
    if let Some(py) = common::bundle::python_verify(&path, true) {
        py.assert_intact();
    }
    let token_name = format!("timestamps/{size}-1.tsr");
    let token = member(&path, &token_name);

    // openssl agrees the token covers that checkpoint's note.
    let proofs: Value = serde_json::from_slice(&member(&path, "proofs.json")).expect("json");
    let note = proofs["timestamps"][0]["checkpoint"]
        .as_str()
        .expect("note");
    use sha2::Digest as _;
    let digest = hex(&sha2::Sha256::digest(note.as_bytes()));
    let token_file = c.store.tmp.path().join("token.tsr");
    std::fs::write(&token_file, &token).expect("write token");
    let ok = Command::new("openssl")
        .args(["ts", "-verify", "-digest", &digest, "-token_in", "-in"])
        .arg(&token_file)
        .arg("-CAfile")
        .arg(&tsa.ca_cert_pem)
        .arg("-untrusted")
        .arg(&tsa.tsa_cert_pem)
        .output()
        .expect("openssl");
    assert!(
        ok.status.success(),
        "openssl ts -verify: {}",
        String::from_utf8_lossy(&ok.stderr)
    );

    // A flipped byte in the token is caught by verify-bundle.
    let tampered = c.store.tmp.path().join("stamped-tampered.zip");
    rewrite(&path, &tampered, |name, bytes| {
        if name == token_name {
            let i = bytes.len() - 20;
            bytes[i] ^= 0x01;
        }
    });
    let (code, v) = verify_bundle(&c, &tampered);
    assert_eq!(code, 3);
    assert!(
        v["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .any(|e| e.as_str().is_some_and(|e| e.contains(&token_name))),
        "{v:#}"
    );

    // An unreachable authority is a clear error, and nothing is stored.
    c.store
        .run(&["checkpoint", "--timestamp", "http://127.0.0.1:9/tsa"])
        .error_mentioning(&["127.0.0.1:9"]);
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Copy a zip, letting `edit` change members' bytes.
fn rewrite(from: &Path, to: &Path, mut edit: impl FnMut(&str, &mut Vec<u8>)) {
    let mut w = zip::ZipWriter::new(std::fs::File::create(to).expect("create"));
    for (name, mut bytes) in members(from) {
        edit(&name, &mut bytes);
        w.start_file(name, zip::write::SimpleFileOptions::default())
            .expect("start");
        std::io::Write::write_all(&mut w, &bytes).expect("write");
    }
    w.finish().expect("finish");
}
