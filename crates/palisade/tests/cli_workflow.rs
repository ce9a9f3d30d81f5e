//! The everyday workflow through the real binary: init, cases, entries with
//! attachments, actions, corrections, retractions and the timeline.

mod common;

use common::{Store, log_sms, png_bytes, sha256_hex};
use serde_json::Value;

fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The value after `label` on the line of `text` that starts with it.
fn field<'a>(text: &'a str, label: &str) -> &'a str {
    text.lines()
        .find_map(|l| l.trim().strip_prefix(label))
        .unwrap_or_else(|| panic!("no line {label:?} in:\n{text}"))
        .trim()
}

#[test]
fn init_prints_the_key_file_and_fingerprints() {
    let s = Store::new();
    let out = s.run(&["init"]).success().stdout;
    let key = s.key_file.clone().unwrap();
    assert!(
        out.contains(&format!(
            "Created a Palisade store in {}",
            s.data_dir.display()
        )),
        "{out}"
    );
    assert_eq!(field(&out, "master key file:"), key.display().to_string());
    assert!(key.is_file(), "the key file is written");
    assert!(is_hex(field(&out, "master key fingerprint:"), 16), "{out}");
    let signing = field(&out, "signing key fingerprint:");
    assert!(is_hex(signing, 64), "{out}");
    let public_key = field(&out, "public key:");
    assert!(public_key.starts_with("palisade/inst_"), "{out}");

    let report = s.verify_ok();
    assert_eq!(report["public_key_fingerprint"], signing);
    assert_eq!(
        (report["records"].as_u64(), report["checkpoints"].as_u64()),
        (Some(1), Some(1))
    );
    let cp = s.json(&["checkpoint"]);
    assert_eq!(cp["public_key"], public_key);
    assert_eq!(cp["public_key_fingerprint"], signing);
}

#[test]
fn init_json_keeps_the_key_in_the_config_dir_and_later_commands_find_it() {
    let mut s = Store::new();
    s.key_file = None; // use the default location under PALISADE_CONFIG_DIR
    let r = s.json(&["init"]);
    let inst = r["installation_id"].as_str().unwrap();
    let expected_key = s
        .home()
        .join("config")
        .join("keys")
        .join(format!("{inst}.key"));
    assert_eq!(r["key_mode"], "file");
    assert_eq!(r["key_file"], expected_key.display().to_string());
    assert!(expected_key.is_file());
    assert_eq!(r["origin"], format!("palisade/{inst}"));
    assert!(
        is_hex(r["master_key_fingerprint"].as_str().unwrap(), 16),
        "{r:#}"
    );
    assert!(
        is_hex(r["public_key_fingerprint"].as_str().unwrap(), 64),
        "{r:#}"
    );
    assert!(
        r["public_key"]
            .as_str()
            .unwrap()
            .starts_with(&format!("palisade/{inst}+")),
        "{r:#}"
    );
    let note = r["checkpoint"].as_str().unwrap();
    assert!(note.starts_with(&format!("palisade/{inst}\n1\n")), "{note}");

    // No --key-file: the default key is found again.
    let id = s.open_case("Found by default key", "other");
    let report = s.verify_ok();
    assert_eq!(report["records"], 2);
    assert_eq!(report["origin"], r["origin"]);
    assert_eq!(
        report["public_key_fingerprint"],
        r["public_key_fingerprint"]
    );
    assert_eq!(s.json(&["case", "list"])[0]["id"], id);
}

#[test]
fn cases_open_list_show_and_close() {
    let s = Store::init();
    let a = s.json(&[
        "case",
        "open",
        "--title",
        "Gifts at reception",
        "--subject",
        "JS 0042",
        "--kind",
        "amorous",
        "--party",
        "J. Smith",
        "--party",
        "family:Mother of JS",
        "--owner",
        "Dr Patel",
    ]);
    let a_id = a["id"].as_str().unwrap().to_string();
    assert!(a_id.starts_with("case_"), "{a:#}");
    assert_eq!(a["status"], "open");
    assert_eq!(a["owner"], "Dr Patel");
    assert_eq!(
        a["parties"],
        serde_json::json!([
            {"name": "J. Smith", "role": "patient"},
            {"name": "Mother of JS", "role": "family"}
        ])
    );
    let b_id = s.open_case("Online reviews", "grievance");

    let list = s.json(&["case", "list"]);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(
        (list[0]["id"].as_str(), list[1]["id"].as_str()),
        (Some(a_id.as_str()), Some(b_id.as_str()))
    );
    assert_eq!(list[0]["kind"], "amorous");
    assert_eq!(list[1]["kind"], "grievance");
    assert!(list.iter().all(|c| c["status"] == "open"));
    let text = s.run(&["case", "list"]).success().stdout;
    assert!(text.contains(&a_id) && text.contains(&b_id), "{text}");
    assert!(text.contains("Gifts at reception"), "{text}");

    let shown = s.json(&["case", "show", &a_id]);
    assert_eq!(shown["title"], "Gifts at reception");
    assert_eq!(shown["subject"], "JS 0042");
    let text = s.run(&["case", "show", &a_id]).success().stdout;
    assert!(text.contains("owner: Dr Patel"), "{text}");
    assert!(text.contains("Mother of JS (family)"), "{text}");

    let closed = s.json(&[
        "case",
        "close",
        &b_id,
        "--reason",
        "patient left the practice",
    ]);
    assert!(
        closed["id"].as_str().unwrap().starts_with("close_"),
        "{closed:#}"
    );
    let shown = s.json(&["case", "show", &b_id]);
    assert_eq!(shown["status"], "closed");
    assert_eq!(shown["close_reason"], "patient left the practice");
    assert!(shown["closed_at"].is_string());
    let list = s.json(&["case", "list"]);
    assert_eq!(list[0]["status"], "open");
    assert_eq!(list[1]["status"], "closed");
    s.run(&["case", "close", &b_id, "--reason", "again"])
        .error_mentioning(&[&b_id, "closed"]);
    assert_eq!(s.verify_ok()["records"], 4);
}

#[test]
fn log_keeps_two_attachments_with_media_types_and_hashes() {
    let s = Store::init();
    let case = s.open_case("Photos", "stalking");
    let png = png_bytes();
    let txt = b"Voicemail transcript: I saw you at the station.\n".to_vec();
    let png_path = s.write_file("photo.png", &png);
    let txt_path = s.write_file("transcript.txt", &txt);
    let r = s.json(&[
        "log",
        "--case",
        &case,
        "--channel",
        "at_home",
        "--occurred-at",
        "2026-04-01T18:15:00+01:00",
        "--witness",
        "Neighbour",
        "--summary",
        "Waiting outside",
        "--attach",
        png_path.to_str().unwrap(),
        "--attach",
        txt_path.to_str().unwrap(),
    ]);
    let entry = r["id"].as_str().unwrap();
    assert_eq!(r["leaf_index"], 2);
    let atts = r["attachments"].as_array().unwrap();
    assert_eq!(atts.len(), 2);
    assert_eq!(atts[0]["media_type"], "image/png");
    assert_eq!(atts[0]["name"], "photo.png");
    assert_eq!(atts[0]["sha256"], sha256_hex(&png));
    assert_eq!(atts[0]["size"], png.len());
    assert_eq!(atts[0]["leaf_index"], 3);
    assert_eq!(atts[1]["media_type"], "text/plain; charset=utf-8");
    assert_eq!(atts[1]["name"], "transcript.txt");
    assert_eq!(atts[1]["sha256"], sha256_hex(&txt));
    assert_eq!(atts[1]["size"], txt.len());
    assert_eq!(atts[1]["leaf_index"], 4);
    assert_eq!(
        s.blob_files().len(),
        2,
        "each attachment is one sealed blob"
    );

    let tl = s.json(&["timeline", "--case", &case]);
    assert_eq!(tl[0]["id"], entry);
    assert_eq!(tl[0]["witnesses"], serde_json::json!(["Neighbour"]));
    assert_eq!(tl[0]["attachments"][0]["sha256"], sha256_hex(&png));
    assert_eq!(
        tl[0]["attachments"][1]["media_type"],
        "text/plain; charset=utf-8"
    );
    let text = s.run(&["timeline", "--case", &case]).success().stdout;
    assert!(
        text.contains(&format!("sha256 {}", sha256_hex(&png))),
        "{text}"
    );

    let v = s.verify_ok();
    assert_eq!(v["records"], 5);
    assert_eq!(v["attachments"], 2);
    assert_eq!(v["attachment_bytes"], png.len() + txt.len());
}

#[test]
fn actions_are_recorded_on_the_case() {
    let s = Store::init();
    let case = s.open_case("Threats", "abuse");
    let r = s.json(&[
        "action",
        "--case",
        &case,
        "--kind",
        "police_reported",
        "--date",
        "2026-03-03",
        "--reference",
        "CAD-1234",
        "--notes",
        "Reported at the front desk",
        "--by",
        "Dr Patel",
    ]);
    let id = r["id"].as_str().unwrap();
    assert!(id.starts_with("act_"), "{r:#}");
    let shown = s.json(&["case", "show", &case]);
    let a = &shown["actions"][0];
    assert_eq!(a["id"], id);
    assert_eq!(a["kind"], "police_reported");
    assert_eq!(a["date"], "2026-03-03");
    assert_eq!(a["reference"], "CAD-1234");
    assert_eq!(a["notes"], "Reported at the front desk");
    assert_eq!(a["by"], "Dr Patel");
    let text = s.run(&["case", "show", &case]).success().stdout;
    assert!(text.contains("police_reported ref CAD-1234"), "{text}");
    assert_eq!(s.json(&["case", "list"])[0]["actions"], 1);
}

#[test]
fn corrections_keep_the_original_and_the_reason() {
    let s = Store::init();
    let case = s.open_case("Calls", "amorous");
    let e = s.json(&[
        "log",
        "--case",
        &case,
        "--channel",
        "phone_call",
        "--occurred-at",
        "2026-03-01T10:00:00Z",
        "--summary",
        "Called twice",
        "--content",
        "Please call me back",
    ]);
    let id = e["id"].as_str().unwrap();
    let c = s.json(&[
        "correct",
        "--entry",
        id,
        "--reason",
        "it was three calls, by WhatsApp",
        "--summary",
        "Called three times",
        "--channel",
        "whatsapp",
    ]);
    assert!(c["id"].as_str().unwrap().starts_with("cor_"), "{c:#}");
    let tl = s.json(&["timeline", "--case", &case]);
    let entry = &tl[0];
    assert_eq!(entry["summary"], "Called three times");
    assert_eq!(entry["channel"], "whatsapp");
    assert_eq!(
        entry["content"], "Please call me back",
        "untouched fields stay"
    );
    assert_eq!(entry["state"], "corrected");
    assert_eq!(entry["original"]["summary"], "Called twice");
    assert_eq!(entry["original"]["channel"], "phone_call");
    let h = entry["history"].as_array().unwrap();
    assert_eq!(h.len(), 1);
    assert_eq!(h[0]["type"], "correction");
    assert_eq!(h[0]["reason"], "it was three calls, by WhatsApp");
    assert_eq!(h[0]["changed"]["summary"], "Called three times");
    let text = s.run(&["timeline", "--case", &case]).success().stdout;
    assert!(text.contains("[corrected]"), "{text}");
    assert!(text.contains("it was three calls, by WhatsApp"), "{text}");
    assert_eq!(
        s.verify_ok()["records"],
        4,
        "the correction is a new record"
    );
}

#[test]
fn retractions_mark_the_entry_and_stop_further_changes() {
    let s = Store::init();
    let case = s.open_case("Messages", "amorous");
    let keep = log_sms(&s, &case, "2026-03-01T10:00:00Z", "Kept");
    let gone = log_sms(&s, &case, "2026-03-02T10:00:00Z", "Wrong patient");
    let gone = gone["id"].as_str().unwrap();
    assert_eq!(s.json(&["case", "list"])[0]["entries"], 2);
    let r = s.json(&[
        "retract",
        "--entry",
        gone,
        "--reason",
        "logged against the wrong case",
    ]);
    assert!(r["id"].as_str().unwrap().starts_with("ret_"), "{r:#}");
    let tl = s.json(&["timeline", "--case", &case]);
    assert_eq!(tl[0]["id"], keep["id"]);
    assert_eq!(tl[0]["state"], "original");
    assert_eq!(tl[1]["id"], gone);
    assert_eq!(tl[1]["state"], "retracted");
    assert_eq!(
        tl[1]["summary"], "Wrong patient",
        "the retracted entry is kept"
    );
    assert_eq!(tl[1]["history"][0]["type"], "retraction");
    assert_eq!(
        tl[1]["history"][0]["reason"],
        "logged against the wrong case"
    );
    assert_eq!(s.json(&["case", "list"])[0]["entries"], 1);
    s.run(&["retract", "--entry", gone, "--reason", "again"])
        .error_mentioning(&[gone, "retracted"]);
    s.run(&[
        "correct",
        "--entry",
        gone,
        "--reason",
        "r",
        "--summary",
        "x",
    ])
    .error_mentioning(&[gone, "retracted"]);
    assert_eq!(s.verify_ok()["records"], 5);
}

#[test]
fn timeline_orders_by_instant_across_offsets() {
    let s = Store::init();
    let case = s.open_case("Order", "other");
    // Logged out of order; 10:00+02:00 is 08:00Z, before 09:30Z.
    let late = log_sms(
        &s,
        &case,
        "2026-03-01T23:30:00-05:00",
        "third (04:30Z next day)",
    );
    let mid = log_sms(&s, &case, "2026-03-01T09:30:00Z", "second (09:30Z)");
    let early = log_sms(&s, &case, "2026-03-01T10:00:00+02:00", "first (08:00Z)");
    let tl = s.json(&["timeline", "--case", &case]);
    let ids: Vec<&Value> = tl.as_array().unwrap().iter().map(|e| &e["id"]).collect();
    assert_eq!(ids, [&early["id"], &mid["id"], &late["id"]]);
    let times: Vec<&str> = tl
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["occurred_at"].as_str().unwrap())
        .collect();
    assert_eq!(
        times,
        [
            "2026-03-01T10:00:00+02:00",
            "2026-03-01T09:30:00Z",
            "2026-03-01T23:30:00-05:00"
        ],
        "times keep the offset they were given in"
    );
    for e in tl.as_array().unwrap() {
        assert!(e["recorded_at"].as_str().unwrap().ends_with('Z'), "{e:#}");
        assert_eq!(e["direction"], "inbound");
    }
    let text = s.run(&["timeline", "--case", &case]).success().stdout;
    let pos = |t: &str| text.find(t).unwrap_or_else(|| panic!("{t} not in {text}"));
    assert!(pos("first (08:00Z)") < pos("second (09:30Z)"));
    assert!(pos("second (09:30Z)") < pos("third (04:30Z next day)"));
    assert_eq!(
        s.json(&["case", "list"])[0]["last_contact"],
        "2026-03-01T23:30:00-05:00"
    );
}
