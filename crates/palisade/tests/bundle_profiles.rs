//! Evidence bundles of every profile, untampered: both verifiers accept
//! them, they agree on what is withheld, and the police, manager and gmc
//! bundles never carry clinical text (every member and the report's text).

mod common;

use common::bundle::*;
use common::bundle_world::*;
use std::io::Write as _;
use std::path::Path;

#[test]
fn untampered_bundles_of_every_profile_pass_both_verifiers() {
    let w = world();
    for (label, path) in &w.bundles {
        let verdicts = assert_both_intact(&w.home(), path);
        // Both verifiers count the same things.
        if let [rust, py] = verdicts.as_slice() {
            for k in [
                "case",
                "profile",
                "records",
                "attachments",
                "attachment_files_verified",
                "attachments_withheld",
                "withheld_fields",
                "clinical_withheld_records",
                "key_fingerprint",
                "checkpoint_origin",
                "checkpoint_size",
                "checkpoint_root",
            ] {
                assert_eq!(
                    rust.report[k], py.report[k],
                    "{label}: the verifiers disagree on {k}"
                );
            }
        }
        // With `cryptography` when it is installed, and the human summary.
        if let Some(run) = python_run(path, &[], false) {
            assert_eq!(run.code, 0, "{label}: {}\n{}", run.stdout, run.stderr);
            assert!(
                run.stdout.starts_with("Bundle intact: "),
                "{label}: {}",
                run.stdout
            );
            assert!(
                run.stdout.contains("Key fingerprint: "),
                "{label}: {}",
                run.stdout
            );
        }
        let human = w
            .store
            .run(&["verify-bundle", path.to_str().expect("UTF-8 path")]);
        assert_eq!(human.code, 0, "{label}: {}", human.stdout);
        assert!(
            human.stdout.starts_with("Bundle intact: "),
            "{label}: {}",
            human.stdout
        );
    }

    // What each profile withholds, as both verifiers count it.
    let police = rust_verify(&w.home(), w.bundle("police")).report;
    // e1, e2 and the correction withhold `clinical`; the psychiatric referral
    // (clinical in itself) is left out altogether, with its letter.
    assert_eq!(police["clinical_withheld_records"], 3, "{police:#}");
    // The import's original file.
    assert_eq!(police["attachments_withheld"], 1, "{police:#}");
    for label in ["defence", "full", "police-clinical"] {
        let r = rust_verify(&w.home(), w.bundle(label)).report;
        assert_eq!(r["clinical_withheld_records"], 0, "{label}: {r:#}");
    }
    let manifest = w.members("police").json("manifest.json");
    assert_eq!(manifest["case"], w.case_a.as_str());
    let withheld_bytes: Vec<&str> = manifest["attachments"]
        .as_array()
        .expect("attachments")
        .iter()
        .filter(|a| a.get("file").is_none())
        .map(|a| a["record"].as_str().expect("record id"))
        .collect();
    assert_eq!(withheld_bytes, [w.att_import.as_str()], "{manifest:#}");
    let ids: Vec<&str> = manifest["records"]
        .as_array()
        .expect("records")
        .iter()
        .map(|r| r["id"].as_str().expect("id"))
        .collect();
    assert!(
        !ids.contains(&w.referral.as_str()),
        "the referral must not be in the police bundle"
    );
    assert!(!ids.contains(&w.att_referral.as_str()), "nor its letter");
    let clinical = rust_verify(&w.home(), w.bundle("police-clinical")).report;
    assert!(
        clinical["records"].as_u64() > police["records"].as_u64(),
        "with --include-clinical the referral is disclosed"
    );
    let with_clinical = rust_verify(&w.home(), w.bundle("police-clinical")).report;
    assert_eq!(
        with_clinical["attachments_withheld"], 1,
        "only the import original: {with_clinical:#}"
    );
}

/// Every text form of a bundle: the file, each member decompressed, and the
/// text of report.pdf (when pdftotext is installed).
fn bundle_texts(path: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = vec![(
        "the zip file".to_string(),
        std::fs::read(path).expect("read the bundle"),
    )];
    let m = Members::read(path);
    out.extend(m.0.iter().cloned());
    let dir = tempfile::tempdir().expect("create a temporary folder");
    let pdf = dir.path().join("report.pdf");
    std::fs::write(&pdf, m.get("report.pdf")).expect("write the report");
    match std::process::Command::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output()
    {
        Ok(o) if o.status.success() => {
            // Lines wrap in the PDF: compare with white space collapsed.
            let text = String::from_utf8_lossy(&o.stdout);
            let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
            out.push(("report.pdf text".to_string(), flat.into_bytes()));
        }
        Ok(o) => panic!("pdftotext failed: {}", String::from_utf8_lossy(&o.stderr)),
        Err(_) => {
            // Straight to stderr, past the test harness's capture.
            let _ = writeln!(
                std::io::stderr(),
                "pdftotext is not installed: the PDF text of {} is not searched",
                path.display()
            );
        }
    }
    out
}

#[test]
fn police_manager_and_gmc_bundles_never_carry_clinical_text() {
    let w = world();
    for label in ["police", "manager", "gmc"] {
        for (what, bytes) in bundle_texts(w.bundle(label)) {
            for secret in CLINICAL_SECRETS.iter().chain(CLINICAL_WORDS) {
                assert!(
                    !common::contains_bytes(&bytes, secret.as_bytes()),
                    "the {label} bundle leaks {secret:?} in {what}"
                );
            }
        }
    }

    // The same search finds them when clinical information is included, so
    // the absence above means something.
    let texts = bundle_texts(w.bundle("police-clinical"));
    for secret in CLINICAL_SECRETS {
        assert!(
            texts
                .iter()
                .any(|(_, b)| common::contains_bytes(b, secret.as_bytes())),
            "the police bundle with --include-clinical should hold {secret:?}"
        );
    }
    if let Some((_, pdf)) = texts.iter().find(|(w, _)| w == "report.pdf text") {
        // The report shows each entry as corrected: e1's clinical note is the
        // correction's.
        for word in ["ClinSecretBravo", "ClinSecretCharlie", "RefNotesDelta"] {
            assert!(
                common::contains_bytes(pdf, word.as_bytes()),
                "the report of the bundle with --include-clinical should show {word}"
            );
        }
    }
}
