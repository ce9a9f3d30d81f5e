//! `palisade share`, `unshare`, `flag` and `exhibit` through the real
//! binary, and evidence bundles of a case with a physical evidence register
//! and shares, checked by both verifiers.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use common::Store;
use common::bundle::{
    Members, assert_both_fail, assert_both_intact, disclosure_index, position_of,
};
use serde_json::Value;

fn ids_of_type(records: &[Value], t: &str) -> Vec<String> {
    records
        .iter()
        .filter(|r| common::bundle::envelope(r)["type"] == t)
        .map(|r| {
            common::bundle::envelope(r)["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

#[test]
fn share_unshare_and_flags_from_the_command_line() {
    let s = Store::init();
    let case = s.open_case("Patient AB", "amorous");
    let r = s.json(&[
        "share",
        "--case",
        &case,
        "--user",
        "usr_manager01",
        "--name",
        "Pat Manager",
        "--by",
        "Dr Owner",
        "--reason",
        "drafting the practice letter",
    ]);
    assert!(r["id"].as_str().unwrap().starts_with("shr_"), "{r}");
    // Shared twice: refused with one clear line.
    s.run(&[
        "share",
        "--case",
        &case,
        "--user",
        "usr_manager01",
        "--name",
        "Pat Manager",
        "--by",
        "Dr Owner",
    ])
    .error_mentioning(&["already shared with Pat Manager", "revoke"]);
    // A user id with a space is not an id.
    s.run(&[
        "share",
        "--case",
        &case,
        "--user",
        "Pat Manager",
        "--name",
        "Pat",
        "--by",
        "Dr Owner",
    ])
    .error_mentioning(&["'Pat Manager' is not a user id"]);

    let shown = s.json(&["case", "show", &case]);
    assert_eq!(shown["shares"][0]["user"], "usr_manager01");
    assert_eq!(shown["shares"][0]["user_name"], "Pat Manager");
    assert_eq!(shown["shares"][0]["revoked"], Value::Null);

    let text = s.run(&["case", "show", &case]).success().stdout;
    assert!(text.contains("Shared with (1):"), "{text}");
    assert!(text.contains("Pat Manager (usr_manager01)"), "{text}");

    s.json(&[
        "unshare",
        "--case",
        &case,
        "--user",
        "usr_manager01",
        "--by",
        "Dr Owner",
    ]);
    let shown = s.json(&["case", "show", &case]);
    assert_eq!(shown["shares"][0]["revoked"]["by"], "Dr Owner");
    s.run(&[
        "unshare",
        "--case",
        &case,
        "--user",
        "usr_manager01",
        "--by",
        "Dr Owner",
    ])
    .error_mentioning(&["no active share for user", "usr_manager01"]);

    // Flags.
    let f = s.json(&[
        "flag",
        "publish",
        "--case",
        &case,
        "--patient",
        "AB, ref 40213",
        "--text",
        "Chaperone required for this patient",
        "--by",
        "Dr Owner",
    ]);
    let flag_id = f["id"].as_str().unwrap().to_string();
    let other = s.open_case("Patient CD", "grievance");
    s.json(&[
        "flag",
        "publish",
        "--case",
        &other,
        "--patient",
        "CD",
        "--text",
        "Do not disclose Dr X's rota or whereabouts to callers",
        "--by",
        "Dr X",
    ]);
    let list = s.json(&["flag", "list"]);
    let texts: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        [
            "Do not disclose Dr X's rota or whereabouts to callers",
            "Chaperone required for this patient"
        ]
    );
    let plain = s.run(&["flag", "list"]).success().stdout;
    assert!(
        plain.contains("AB, ref 40213  Chaperone required for this patient"),
        "{plain}"
    );
    let timeline = s.run(&["timeline", "--case", &case]).success().stdout;
    assert!(
        timeline.contains("Flags for colleagues in force (1):"),
        "{timeline}"
    );

    s.json(&[
        "flag",
        "withdraw",
        "--case",
        &case,
        "--flag",
        &flag_id,
        "--by",
        "Dr Owner",
        "--reason",
        "care transferred",
    ]);
    assert_eq!(s.json(&["flag", "list"]).as_array().unwrap().len(), 1);
    s.run(&[
        "flag", "withdraw", "--case", &other, "--flag", &flag_id, "--by", "Dr X",
    ])
    .error_mentioning(&["no flag", &flag_id]);
    s.verify_ok();
}

#[test]
fn the_evidence_register_from_the_command_line() {
    let s = Store::init();
    let case = s.open_case("Patient AB", "stalking");
    let photo = s.write_file("card.png", &common::png_bytes());
    let photo = photo.to_str().unwrap();
    let x = s.json(&[
        "exhibit",
        "add",
        "--case",
        &case,
        "--description",
        "Handwritten card, red envelope",
        "--kind",
        "card",
        "--received",
        "2026-03-02",
        "--received-by",
        "Reception (J Bloggs)",
        "--stored-at",
        "Practice safe",
        "--bag",
        "EB-0001",
        "--attach",
        photo,
    ]);
    let xid = x["id"].as_str().unwrap().to_string();
    assert!(xid.starts_with("exh_"));
    assert_eq!(x["attachments"][0]["media_type"], "image/png");
    s.json(&[
        "exhibit",
        "custody",
        "--case",
        &case,
        "--exhibit",
        &xid,
        "--at",
        "2026-03-05T10:30:00+00:00",
        "--from",
        "Practice manager",
        "--to",
        "PC 1234 Smith, Thames Valley Police",
        "--purpose",
        "investigation",
        "--bag",
        "TVP-77",
    ]);
    let shown = s.json(&["case", "show", &case]);
    let e = &shown["exhibits"][0];
    assert_eq!(e["number"], 1);
    assert_eq!(e["item_kind"], "card");
    assert_eq!(e["custody"][0]["to"], "PC 1234 Smith, Thames Valley Police");
    let timeline = s.run(&["timeline", "--case", &case]).success().stdout;
    assert!(
        timeline.contains("Physical evidence register (1):"),
        "{timeline}"
    );
    assert!(
        timeline.contains("now: PC 1234 Smith, Thames Valley Police, bag TVP-77"),
        "{timeline}"
    );
    assert!(timeline.contains("photo: card.png"), "{timeline}");

    // Bad input: each refused with one line saying what and where.
    s.run(&[
        "exhibit",
        "add",
        "--case",
        &case,
        "--description",
        "x",
        "--kind",
        "sword",
        "--received",
        "2026-03-02",
        "--received-by",
        "R",
        "--stored-at",
        "Safe",
    ])
    .error_mentioning(&["unknown item kind 'sword'", "digital_media"]);
    s.run(&[
        "exhibit",
        "add",
        "--case",
        &case,
        "--description",
        "x",
        "--kind",
        "gift",
        "--received",
        "yesterday",
        "--received-by",
        "R",
        "--stored-at",
        "Safe",
    ])
    .error_mentioning(&["--received", "'yesterday'"]);
    s.run(&[
        "exhibit",
        "add",
        "--case",
        &case,
        "--description",
        "x",
        "--kind",
        "gift",
        "--received",
        "2099-01-01",
        "--received-by",
        "R",
        "--stored-at",
        "Safe",
    ])
    .error_mentioning(&["in the future"]);
    s.run(&[
        "exhibit",
        "custody",
        "--case",
        &case,
        "--exhibit",
        "exh_0000000000000000",
        "--at",
        "2026-03-05",
        "--from",
        "A",
        "--to",
        "B",
    ])
    .error_mentioning(&["no exhibit", "exh_0000000000000000"]);
    s.run(&[
        "exhibit",
        "custody",
        "--case",
        &case,
        "--exhibit",
        &xid,
        "--at",
        "2026-03-01",
        "--from",
        "A",
        "--to",
        "B",
    ])
    .error_mentioning(&["before exhibit 1 was received"]);
    // Nothing more in a closed case.
    s.run(&["case", "close", &case, "--reason", "resolved"])
        .success();
    s.run(&[
        "exhibit",
        "custody",
        "--case",
        &case,
        "--exhibit",
        &xid,
        "--at",
        "2026-03-06",
        "--from",
        "A",
        "--to",
        "B",
    ])
    .error_mentioning(&["is closed"]);
    s.verify_ok();
}

#[test]
fn bundles_carry_the_register_everywhere_and_administration_only_to_the_adviser() {
    let s = Store::init();
    let case = s.open_case("Patient AB", "stalking");
    common::log_sms(&s, &case, "2026-03-01T21:40:00+00:00", "first message");
    let photo = s.write_file("parcel.png", &common::png_bytes());
    let x = s.json(&[
        "exhibit",
        "add",
        "--case",
        &case,
        "--description",
        "Parcel with a USB stick",
        "--kind",
        "parcel",
        "--received",
        "2026-03-03",
        "--received-by",
        "Reception",
        "--stored-at",
        "Practice safe",
        "--attach",
        photo.to_str().unwrap(),
    ]);
    let xid = x["id"].as_str().unwrap().to_string();
    s.json(&[
        "exhibit",
        "custody",
        "--case",
        &case,
        "--exhibit",
        &xid,
        "--at",
        "2026-03-04",
        "--from",
        "Practice manager",
        "--to",
        "PC 1234 Smith",
    ]);
    s.json(&[
        "share",
        "--case",
        &case,
        "--user",
        "usr_manager01",
        "--name",
        "Pat Manager",
        "--by",
        "Dr Owner",
    ]);
    s.json(&[
        "unshare",
        "--case",
        &case,
        "--user",
        "usr_manager01",
        "--by",
        "Dr Owner",
    ]);
    s.json(&[
        "flag",
        "publish",
        "--case",
        &case,
        "--patient",
        "AB",
        "--text",
        "Chaperone required",
        "--by",
        "Dr Owner",
    ]);

    let mut police = None;
    for (profile, administration) in [("police", false), ("defence", true), ("full", true)] {
        let out = s.tmp.path().join(format!("{profile}.zip"));
        s.json(&[
            "export",
            "--case",
            &case,
            "--profile",
            profile,
            "--out",
            out.to_str().unwrap(),
            "--by",
            "Dr Owner",
            "--recipient",
            "test",
        ]);
        assert_both_intact(&s.home(), &out);
        let records = Members::read(&out).records();
        assert_eq!(
            ids_of_type(&records, "exhibit"),
            std::slice::from_ref(&xid),
            "{profile}"
        );
        assert_eq!(ids_of_type(&records, "custody").len(), 1, "{profile}");
        // The photograph travels with the exhibit.
        let atts = ids_of_type(&records, "attachment");
        assert!(
            records.iter().any(|r| {
                let e = common::bundle::envelope(r);
                e["type"] == "attachment" && e["target"] == xid.as_str()
            }),
            "{profile}: {atts:?}"
        );
        for kind in ["share", "share_revoked", "flag"] {
            assert_eq!(
                ids_of_type(&records, kind).len(),
                usize::from(administration),
                "{profile}: {kind}"
            );
        }
        if profile == "police" {
            police = Some(out);
        }
    }

    // Tampering with the chain of custody in the police bundle: who received
    // the item is changed, or the hand-over is dropped. Both verifiers object.
    let police = police.unwrap();
    let mut m = Members::read(&police);
    let custody_id = ids_of_type(&m.records(), "custody")[0].clone();
    let mut changed = m.clone();
    changed.edit_records(|lines| {
        let i = position_of(lines, &custody_id);
        let d = disclosure_index(&lines[i], "to");
        let v = lines[i]["disclosures"][d].as_str().unwrap().to_string();
        assert!(v.contains("PC 1234 Smith"), "{v}");
        lines[i]["disclosures"][d] = Value::String(v.replace("PC 1234 Smith", "PC 9999 Jones"));
    });
    let path = s.tmp.path().join("police-changed.zip");
    changed.write(&path);
    assert_both_fail(
        &s.home(),
        &path,
        &["does not match its digest", &custody_id],
    );
    m.edit_records(|lines| {
        let i = position_of(lines, &custody_id);
        lines.remove(i);
    });
    let path = s.tmp.path().join("police-dropped.zip");
    m.write(&path);
    assert_both_fail(&s.home(), &path, &[&custody_id]);
}
