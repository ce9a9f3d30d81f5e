//! The store every bundle tamper test starts from: two interleaved cases
//! (entries with clinical notes, a correction, actions including a
//! psychiatric referral, image and text attachments, a WhatsApp import),
//! built once per test binary through the real `palisade`, and exported once
//! per profile; plus the helpers that tamper with copies of the bundles.

use super::bundle::*;
use super::{Store, png_bytes};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use tempfile::TempDir;

/// Clinical text that police, manager and gmc bundles must never carry.
pub const CLINICAL_E1: &str = "Known depression, on sertraline ClinSecretAlpha";
pub const CLINICAL_E2: &str = "Presented anxious at the last review ClinSecretBravo";
pub const CLINICAL_CORRECTION: &str = "Corrected history ClinSecretCharlie";
pub const REFERRAL_NOTES: &str = "Referred to the community mental health team RefNotesDelta";
pub const REFERRAL_FILE: &str = "Referral letter to CMHT: working diagnosis RefFileEcho\n";

pub const CONTENT_E1: &str =
    "Would you come for a drink? x\nCafé ☕ 😀 \"quoted\" back\\slash\ttab";
pub const CHAT: &[u8] = b"05/03/2026, 21:40 - John X: Are you free tonight?\n05/03/2026, 21:45 - Dr A: Please stop contacting me.\n";
pub const POLICE_RECIPIENT: &str = "PC Smith, Anytown Police, ref 123";

/// Every clinical secret, as text that must not leak.
pub const CLINICAL_SECRETS: &[&str] = &[
    CLINICAL_E1,
    CLINICAL_E2,
    CLINICAL_CORRECTION,
    REFERRAL_NOTES,
    REFERRAL_FILE,
];
/// One distinctive word of each secret (for PDF text, where lines wrap).
pub const CLINICAL_WORDS: &[&str] = &[
    "ClinSecretAlpha",
    "ClinSecretBravo",
    "ClinSecretCharlie",
    "RefNotesDelta",
    "RefFileEcho",
];

/// The store and its bundles, built once for the whole file.
pub struct World {
    pub store: Store,
    pub case_a: String,
    pub e1: String,
    pub e2: String,
    pub correction: String,
    pub referral: String,
    pub att_png: String,
    pub att_txt: String,
    pub att_referral: String,
    pub att_import: String,
    pub b_entry: String,
    pub png_sha: String,
    /// Profile label → bundle file.
    pub bundles: BTreeMap<&'static str, PathBuf>,
}

pub fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(World::build)
}

pub fn id(v: &Value) -> String {
    v["id"].as_str().expect("an id in the output").to_string()
}

/// A store whose temporary folder lives under the target directory: the
/// fixture is a static and is never dropped, so old ones are swept instead.
pub fn fixture_store() -> Store {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR"));
    std::fs::create_dir_all(root).expect("create the target tmp folder");
    if let Ok(entries) = std::fs::read_dir(root) {
        for e in entries.flatten() {
            let old = e
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age.as_secs() > 3600);
            if old
                && e.file_name()
                    .to_string_lossy()
                    .starts_with("bundle-tamper-")
            {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }
    let tmp = tempfile::Builder::new()
        .prefix("bundle-tamper-")
        .tempdir_in(root)
        .expect("create the fixture folder");
    let data_dir = tmp.path().join("data");
    let key_file = Some(tmp.path().join("secret").join("master.key"));
    let s = Store {
        tmp,
        data_dir,
        key_file,
        passphrase: None,
    };
    s.run(&["init"]).success();
    s
}

impl World {
    pub fn build() -> Self {
        let s = fixture_store();
        let case_a = id(&s.json(&[
            "case",
            "open",
            "--title",
            "Mr X",
            "--subject",
            "X, ref 12",
            "--kind",
            "amorous",
            "--party",
            "John X",
        ]));
        let case_b = id(&s.json(&[
            "case",
            "open",
            "--title",
            "Mrs Y",
            "--subject",
            "Y, ref 7",
            "--kind",
            "grievance",
        ]));
        let path = |p: &PathBuf| p.to_str().expect("UTF-8 path").to_string();

        let png = png_bytes();
        let png_sha = super::sha256_hex(&png);
        let png_path = path(&s.write_file("screenshot.png", &png));
        let txt_path = path(&s.write_file(
            "transcript.txt",
            b"Screenshot transcript: see you tonight.\n",
        ));
        let e1v = s.json(&[
            "log",
            "--case",
            &case_a,
            "--channel",
            "sms",
            "--occurred-at",
            "2026-03-01T21:40:00+01:00",
            "--summary",
            "Text asking me out",
            "--content",
            CONTENT_E1,
            "--clinical",
            CLINICAL_E1,
            "--party",
            "John X",
            "--attach",
            &png_path,
            "--attach",
            &txt_path,
        ]);
        let e1 = id(&e1v);
        let att_png = id(&e1v["attachments"][0]);
        let att_txt = id(&e1v["attachments"][1]);

        // Case B's records sit between case A's in the log.
        let letter = path(&s.write_file("letter.txt", b"Dear Doctor, I will complain.\n"));
        let b_entry = id(&s.json(&[
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
            &letter,
        ]));

        let sent =
            path(&s.write_file("sent.pdf", b"%PDF-1.4\nletter asking the patient to stop\n"));
        s.json(&[
            "action",
            "--case",
            &case_a,
            "--kind",
            "asked_to_stop",
            "--date",
            "2026-03-02",
            "--by",
            "Dr A",
            "--notes",
            "Letter handed over at reception",
            "--attach",
            &sent,
        ]);
        let e2 = id(&s.json(&[
            "log",
            "--case",
            &case_a,
            "--channel",
            "phone_call",
            "--occurred-at",
            "2026-03-03T08:00:00Z",
            "--summary",
            "Called the surgery twice",
            "--clinical",
            CLINICAL_E2,
        ]));
        let correction = id(&s.json(&[
            "correct",
            "--entry",
            &e1,
            "--reason",
            "typo in summary",
            "--summary",
            "Texted late at night (3 messages)",
            "--clinical",
            CLINICAL_CORRECTION,
        ]));
        let referral_file = path(&s.write_file("referral.txt", REFERRAL_FILE.as_bytes()));
        let referral = id(&s.json(&[
            "action",
            "--case",
            &case_a,
            "--kind",
            "psychiatric_referral",
            "--date",
            "2026-03-04",
            "--by",
            "Dr A",
            "--notes",
            REFERRAL_NOTES,
            "--attach",
            &referral_file,
        ]));
        let chat = path(&s.write_file("chat.txt", CHAT));
        let import = s.json(&[
            "import",
            "--case",
            &case_a,
            "--tz",
            "Europe/London",
            "--date-order",
            "dmy",
            "--me",
            "Dr A",
            "whatsapp",
            &chat,
        ]);
        let import_id = import["import_id"].as_str().expect("import id").to_string();

        s.verify_ok();
        let shown = s.json(&["case", "show", &case_a]);
        let att_referral = attachment_of(&shown, &referral);
        let att_import = find_record_targeting(&s, &import_id);

        let exports: &[(&'static str, &str, &[&str])] = &[
            ("b-police", &case_b, &["--profile", "police"]),
            ("defence", &case_a, &["--profile", "defence"]),
            ("full", &case_a, &["--profile", "full"]),
            ("manager", &case_a, &["--profile", "manager"]),
            (
                "gmc",
                &case_a,
                &["--profile", "gmc", "--recipient", "GMC Fitness to Practise"],
            ),
            (
                "police-clinical",
                &case_a,
                &[
                    "--profile",
                    "police",
                    "--include-clinical",
                    "--reason",
                    "Court order 2026/123",
                    "--recipient",
                    POLICE_RECIPIENT,
                ],
            ),
            // Last, so that earlier disclosure records of case A precede it.
            (
                "police",
                &case_a,
                &["--profile", "police", "--recipient", POLICE_RECIPIENT],
            ),
        ];
        let dir = s.tmp.path().join("bundles");
        std::fs::create_dir_all(&dir).expect("create the bundles folder");
        let mut bundles = BTreeMap::new();
        for (label, case, extra) in exports {
            let out = dir.join(format!("{label}.zip"));
            let out_s = path(&out);
            let mut args = vec!["export", "--case", case, "--out", &out_s, "--by", "Dr A"];
            args.extend_from_slice(extra);
            s.json(&args);
            bundles.insert(*label, out);
        }
        World {
            store: s,
            case_a,
            e1,
            e2,
            correction,
            referral,
            att_png,
            att_txt,
            att_referral,
            att_import,
            b_entry,
            png_sha,
            bundles,
        }
    }

    pub fn home(&self) -> PathBuf {
        self.store.home()
    }

    pub fn bundle(&self, label: &str) -> &Path {
        self.bundles.get(label).expect("a bundle of that profile")
    }

    pub fn members(&self, label: &str) -> Members {
        Members::read(self.bundle(label))
    }

    /// Every leaf hash of the store, in leaf order.
    pub fn leaf_hashes(&self) -> Vec<Hash> {
        let db = self.store.db();
        let mut st = db
            .prepare("SELECT leaf_hash FROM records ORDER BY leaf_index")
            .expect("query leaf hashes");
        st.query_map([], |r| r.get::<_, Vec<u8>>(0))
            .expect("query leaf hashes")
            .map(|h| h.expect("a leaf hash").try_into().expect("32 bytes"))
            .collect()
    }
}

/// The first attachment of the action `action` in a `case show` document.
pub fn attachment_of(shown: &Value, action: &str) -> String {
    shown["actions"]
        .as_array()
        .expect("actions")
        .iter()
        .find(|a| a["id"] == action)
        .map(|a| id(&a["attachments"][0]))
        .expect("the action and its attachment")
}

/// The id of the attachment record whose target is `target`, read from the store.
pub fn find_record_targeting(s: &Store, target: &str) -> String {
    s.db()
        .query_row(
            "SELECT id FROM records WHERE target = ?1 AND kind = 'attachment'",
            [target],
            |r| r.get(0),
        )
        .expect("an attachment of the import")
}

/// A copy of bundle `label` rewritten by `f`, in a folder removed when the
/// returned guard drops.
pub fn tampered(label: &str, f: impl FnOnce(&mut Members)) -> (TempDir, PathBuf) {
    let mut m = world().members(label);
    f(&mut m);
    let dir = tempfile::tempdir().expect("create a temporary folder");
    let out = dir.path().join(format!("{label}-tampered.zip"));
    m.write(&out);
    (dir, out)
}

/// Tamper with a copy of the police bundle and assert both verifiers reject
/// it, each reporting errors containing every one of `needles`.
#[track_caller]
pub fn police_tamper_fails(needles: &[&str], f: impl FnOnce(&mut Members)) -> Vec<Verdict> {
    let (_dir, path) = tampered("police", f);
    assert_both_fail(&world().home(), &path, needles)
}

/// Replace the first occurrence of `from` in a string value.
#[track_caller]
pub fn replace_in(v: &mut Value, from: &str, to: &str) {
    let s = v.as_str().expect("a string").to_string();
    assert!(s.contains(from), "{from:?} is not in {s:?}");
    *v = Value::String(s.replacen(from, to, 1));
}

/// Remove the element of array `v` whose `key` equals `value`, returning it.
#[track_caller]
pub fn take_where(v: &mut Value, key: &str, value: &str) -> Value {
    let a = v.as_array_mut().expect("an array");
    let i = a
        .iter()
        .position(|x| x[key] == value)
        .unwrap_or_else(|| panic!("no element with {key} = {value}"));
    a.remove(i)
}

// ----- untampered bundles ---------------------------------------------------
