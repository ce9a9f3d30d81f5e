//! The case pages end to end, through the real router over a real store:
//! quick log with a photo, timeline and chart, filters, corrections,
//! evidence register, flags, audit trail, import and export.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cases_fixture;
mod common;

use cases_fixture::{CONTENT, Fixture, PARTY, TITLE, png};
use common::Client;
use palisade_bundle::{Rfc3161, verify_bundle};

fn saved_id(location: &str) -> String {
    location
        .split("saved=")
        .nth(1)
        .and_then(|s| s.split('#').next())
        .unwrap()
        .to_string()
}

async fn log(
    c: &Client,
    f: &Fixture,
    fields: &[(&str, &str)],
    files: &[(&str, &str, &[u8])],
) -> String {
    c.get(&f.case("/log")).await.assert_status(200);
    let r = c
        .post_multipart(&f.case("/entries"), fields, files)
        .await
        .assert_status(303);
    assert!(
        r.location().starts_with(&f.case("?saved=")),
        "{}",
        r.location()
    );
    saved_id(r.location())
}

#[tokio::test]
async fn quick_log_with_a_photo_shows_on_the_timeline_and_in_the_chart() {
    let f = Fixture::new();
    let c = f.client(&f.owner).await;
    let form = c.get(&f.case("/log")).await.assert_status(200);
    // One screen: every field, the camera input and one button.
    for needle in [
        "name=\"channel\"",
        "name=\"direction\"",
        "type=\"datetime-local\"",
        "name=\"place\"",
        "name=\"party\"",
        "name=\"witnesses\"",
        "name=\"summary\"",
        "name=\"content\"",
        "name=\"attachments\" multiple",
        "capture=\"environment\"",
        "Save contact",
    ] {
        assert!(form.contains(needle), "quick log lacks {needle}");
    }
    let id = log(
        &c,
        &f,
        &[
            ("channel", "in_person_practice"),
            ("direction", "inbound"),
            ("occurred_at", "2026-03-10T08:45"),
            ("place", "Reception"),
            ("party", "Pat"),
            ("witnesses", "Receptionist A\nNurse B"),
            ("summary", "Waited by my car"),
            ("content", "I just want to talk"),
        ],
        &[
            ("attachments", "IMG_0001.png", &png()),
            ("attachments", "scan.pdf", b"%PDF-1.4 tiny"),
        ],
    )
    .await;
    let page = c
        .get(&f.case(&format!("?saved={id}")))
        .await
        .assert_status(200)
        .assert_contains("Contact saved")
        .assert_contains("Waited by my car")
        .assert_contains("Receptionist A, Nurse B")
        .assert_contains("10 Mar 2026, 08:45");
    // The entry is open, with a thumbnail for the photo and a download for both.
    assert!(page.contains(&format!("id=\"entry-{id}\" open")));
    let v = f.app.palisade().case(&f.case_id).unwrap();
    let e = v.entry(&id).unwrap();
    assert_eq!(e.attachments.len(), 2);
    assert_eq!(e.attachments[0].media_type, "image/png");
    assert_eq!(e.attachments[0].name, "IMG_0001.png");
    assert_eq!(e.attachments[1].media_type, "application/pdf");
    assert_eq!(e.occurred_at, "2026-03-10T08:45:00Z");
    // Its leaf hash is shown, as a reader of a bundle would check it.
    assert_eq!(e.leaf_hash.len(), 64);
    assert!(
        page.contains(&e.leaf_hash),
        "the entry's leaf hash is on the page"
    );
    let thumb_url = f.case(&format!("/attachments/{}/thumbnail", e.attachments[0].id));
    assert!(page.contains(&thumb_url));
    assert!(!page.contains(&format!("/attachments/{}/thumbnail", e.attachments[1].id)));
    // The thumbnail is a re-encoded JPEG, not the original bytes.
    let t = c.get(&thumb_url).await.assert_status(200);
    assert_eq!(t.header("content-type"), Some("image/jpeg"));
    assert_ne!(t.bytes, png());
    let img = image::load_from_memory(&t.bytes).unwrap();
    assert!(img.width() <= 240 && img.height() <= 240);
    // The original is downloadable, byte for byte, under a generic name.
    let d = c
        .get(&f.case(&format!("/attachments/{}", e.attachments[0].id)))
        .await
        .assert_status(200);
    assert_eq!(d.bytes, png());
    assert!(
        !d.header("content-disposition")
            .unwrap()
            .contains("IMG_0001")
    );
    // The chart counts both contacts; its SVG is well formed.
    assert!(
        page.contains("2 contacts between 1 Mar 2026 and 10 Mar 2026"),
        "{}",
        page.body
    );
    let svg = &page.body[page.body.find("<svg").unwrap()..page.body.find("</svg>").unwrap()];
    assert_eq!(svg.matches("<line").count(), svg.matches("</line>").count());
    assert!(svg.contains("role=\"img\"") && svg.contains("<desc"));
    assert!(!svg.contains("style="));
    // The photo was sealed from memory: nothing was staged on disk in clear.
    let staged = f.app.palisade().data_dir().join("web-uploads");
    assert!(
        !staged.exists(),
        "a contact's upload was written to {staged:?}"
    );
}

#[tokio::test]
async fn a_bad_quick_log_keeps_what_was_typed_and_says_what_is_wrong() {
    let f = Fixture::new();
    let c = f.client(&f.owner).await;
    c.get(&f.case("/log")).await;
    let before = f.app.palisade().case(&f.case_id).unwrap().records;
    let r = c
        .post_multipart(
            &f.case("/entries"),
            &[
                ("channel", ""),
                ("occurred_at", "2099-01-01T10:00"),
                ("place", "Car park level 2"),
                ("summary", ""),
            ],
            &[],
        )
        .await
        .assert_status(400)
        .assert_contains("There is a problem")
        .assert_contains("Choose how the contact happened")
        .assert_contains("in the future")
        .assert_contains("value=\"Car park level 2\"")
        .assert_contains("href=\"#f-channel\"");
    assert!(r.contains("<title>Error: Log a contact"));
    assert_eq!(
        f.app.palisade().case(&f.case_id).unwrap().records,
        before,
        "nothing was written"
    );
    // Without the CSRF token the upload is refused before anything is read.
    c.post_multipart_raw(
        &f.case("/entries"),
        &[
            ("channel", "sms"),
            ("occurred_at", "2026-03-01T10:00"),
            ("content", "x"),
        ],
        &[],
    )
    .await
    .assert_status(403);
    assert_eq!(f.app.palisade().case(&f.case_id).unwrap().records, before);
}

#[tokio::test]
async fn timeline_filters_by_channel_person_and_dates() {
    let f = Fixture::new();
    let c = f.client(&f.owner).await;
    log(
        &c,
        &f,
        &[
            ("channel", "email"),
            ("occurred_at", "2026-04-02T10:00"),
            ("party", "Mother of AB"),
            ("content", "EMAIL-ONE"),
        ],
        &[],
    )
    .await;
    log(
        &c,
        &f,
        &[
            ("channel", "sms"),
            ("occurred_at", "2026-05-02T10:00"),
            ("party", PARTY),
            ("content", "SMS-TWO"),
        ],
        &[],
    )
    .await;
    let all = c.get(&f.case("")).await.assert_status(200);
    assert!(all.contains("EMAIL-ONE") && all.contains("SMS-TWO") && all.contains(CONTENT));
    let email = c.get(&f.case("?channel=email")).await.assert_status(200);
    assert!(email.contains("EMAIL-ONE") && !email.contains("SMS-TWO") && !email.contains(CONTENT));
    // People are chosen by position: 0 is the case's party, 1 the next name seen.
    let person = c.get(&f.case("?party=1")).await.assert_status(200);
    assert!(person.contains("EMAIL-ONE") && !person.contains("SMS-TWO"));
    let dates = c
        .get(&f.case("?from=2026-05-01&to=2026-05-31"))
        .await
        .assert_status(200);
    assert!(dates.contains("SMS-TWO") && !dates.contains("EMAIL-ONE") && !dates.contains(CONTENT));
    assert!(dates.contains("Showing 1 of 3 entries (filtered)"));
    let bad = c
        .get(&f.case("?from=2026-13-01&party=9"))
        .await
        .assert_status(200);
    assert!(bad.contains("Enter a real date") && bad.contains("Choose a person from the list"));
}

#[tokio::test]
async fn corrections_keep_the_original_and_retractions_stay_visible() {
    let f = Fixture::new();
    let c = f.client(&f.owner).await;
    let url = f.case(&format!("/entries/{}/correct", f.entry_id));
    let form = c.get(&url).await.assert_status(200);
    assert!(form.contains(CONTENT), "the form is prefilled");
    c.post_form(
        &url,
        &[
            ("channel", "sms"),
            ("occurred_at", "2026-03-01T21:00"),
            ("content", "CORRECTED words"),
        ],
    )
    .await
    .assert_status(400)
    .assert_contains("Say why the entry is being corrected");
    c.post_form(
        &url,
        &[
            ("reason", "Typed the wrong words"),
            ("channel", "sms"),
            ("direction", "inbound"),
            ("occurred_at", "2026-03-01T21:00"),
            ("party", PARTY),
            ("summary", "Texted again"),
            ("content", "CORRECTED words"),
        ],
    )
    .await
    .assert_status(303);
    let v = f.app.palisade().case(&f.case_id).unwrap();
    let e = v.entry(&f.entry_id).unwrap();
    assert_eq!(e.content.as_deref(), Some("CORRECTED words"));
    // Only what changed was recorded.
    assert_eq!(e.history[0].changed.keys().collect::<Vec<_>>(), ["content"]);
    let page = c.get(&f.case("")).await.assert_status(200);
    assert!(page.contains("CORRECTED words"));
    assert!(
        page.contains("As first recorded") && page.contains(CONTENT),
        "original not shown"
    );
    assert!(page.contains("Typed the wrong words"));
    c.post_form(
        &f.case(&format!("/entries/{}/retract", f.entry_id)),
        &[("retract_reason", "Wrong case")],
    )
    .await
    .assert_status(303);
    let page = c.get(&f.case("")).await.assert_status(200);
    assert!(page.contains("Retracted") && page.contains("Wrong case"));
    // A retracted entry cannot be corrected again.
    c.get(&url).await.assert_status(404);
}

#[tokio::test]
async fn a_threat_is_flagged_and_can_be_acknowledged() {
    let f = Fixture::new();
    let c = f.client(&f.owner).await;
    let id = log(
        &c,
        &f,
        &[
            ("channel", "sms"),
            ("occurred_at", "2026-03-11T22:00"),
            ("content", "I'm gonna kill u"),
        ],
        &[],
    )
    .await;
    let page = c
        .get(&f.case(&format!("?saved={id}")))
        .await
        .assert_status(200);
    assert!(page.contains("This message reads as a threat"));
    assert!(page.contains("call 999"));
    c.post_form(
        &f.case(&format!("/entries/{id}/acknowledge")),
        &[("note", "Police called, ref 123")],
    )
    .await
    .assert_status(303);
    let page = c.get(&f.case("")).await.assert_status(200);
    assert!(page.contains("Police called, ref 123"));
}

#[tokio::test]
async fn actions_and_the_evidence_register() {
    let f = Fixture::new();
    let c = f.client(&f.owner).await;
    let form = c.get(&f.case("/actions/new")).await.assert_status(200);
    assert!(
        form.contains("Asked to stop") && form.contains("Clinician 1"),
        "labels and default by"
    );
    c.post_form(
        &f.case("/actions"),
        &[("kind", "removal_notice"), ("date", "2026-03-12")],
    )
    .await
    .assert_status(400)
    .assert_contains("standard or immediate");
    c.post_form(
        &f.case("/actions"),
        &[
            ("kind", "asked_to_stop"),
            ("date", "2026-03-12"),
            ("by", "Dr A"),
            ("notes", "Told in clinic"),
        ],
    )
    .await
    .assert_status(303);
    let page = c.get(&f.case("")).await.assert_status(200);
    assert!(
        page.contains("Asked to stop, 12 Mar"),
        "action marked on the chart"
    );
    c.get(&f.case("/exhibits/new")).await.assert_status(200);
    c.post_form(
        &f.case("/exhibits"),
        &[
            ("description", "Perfume"),
            ("item_kind", "gift"),
            ("received_at", "2026-03-12"),
        ],
    )
    .await
    .assert_status(400)
    .assert_contains("Enter where it is kept");
    c.post_form(
        &f.case("/exhibits"),
        &[
            ("description", "Perfume"),
            ("item_kind", "gift"),
            ("received_at", "2026-03-12"),
            ("handled_by", "Reception"),
            ("stored_at", "Practice safe"),
            ("bag_number", "EV-1"),
        ],
    )
    .await
    .assert_status(303);
    let v = f.app.palisade().case(&f.case_id).unwrap();
    let x = v
        .exhibits
        .iter()
        .find(|x| x.description == "Perfume")
        .unwrap()
        .id
        .clone();
    c.get(&f.case(&format!("/exhibits/{x}/custody")))
        .await
        .assert_status(200);
    c.post_form(
        &f.case(&format!("/exhibits/{x}/custody")),
        &[
            ("to", "PC 1234 Smith"),
            ("by", "Practice manager"),
            ("at", "2026-03-13"),
            ("purpose", "Evidence"),
            ("bag_number", "TVP-9"),
        ],
    )
    .await
    .assert_status(303);
    let page = c.get(&f.case("")).await.assert_status(200);
    assert!(
        page.contains("Item 2: Perfume")
            && page.contains("PC 1234 Smith")
            && page.contains("TVP-9")
    );
    let v = f.app.palisade().case(&f.case_id).unwrap();
    assert_eq!(v.exhibit(&x).unwrap().custody.len(), 1);
}

#[tokio::test]
async fn flags_reach_colleagues_and_nothing_else_does() {
    let f = Fixture::new();
    let owner = f.client(&f.owner).await;
    owner.get(&f.case("")).await;
    owner
        .post_form(
            &f.case("/flags"),
            &[("patient", "AB ref 40213"), ("text", "Chaperone required")],
        )
        .await
        .assert_status(303);
    let colleague = f.client(&f.colleague).await;
    for path in ["/", "/flags"] {
        let r = colleague.get(path).await.assert_status(200);
        assert!(r.contains("AB ref 40213") && r.contains("Chaperone required"));
        assert!(
            !r.contains(TITLE) && !r.contains(&f.case_id),
            "{path} shows the case"
        );
    }
    let v = f.app.palisade().case(&f.case_id).unwrap();
    let flag = v.active_flags().next().unwrap().id.clone();
    owner
        .post_form(&f.case(&format!("/flags/{flag}/withdraw")), &[])
        .await
        .assert_status(303);
    colleague
        .get("/flags")
        .await
        .assert_status(200)
        .assert_not_contains("AB ref 40213");
}

#[tokio::test]
async fn sharing_from_the_page_lists_only_eligible_people() {
    let f = Fixture::new();
    let owner = f.client(&f.owner).await;
    let page = owner.get(&f.case("/sharing")).await.assert_status(200);
    assert!(
        page.contains(&f.unshared_manager.id),
        "an eligible manager is offered"
    );
    assert!(
        !page.contains(&format!("value=\"{}\"", f.colleague.id)),
        "a colleague is offered"
    );
    owner
        .post_form(&f.case("/shares"), &[("user", &f.colleague.id)])
        .await
        .assert_status(400);
    owner
        .post_form(
            &f.case("/shares"),
            &[
                ("user", &f.unshared_manager.id),
                ("reason", "Practice manager"),
            ],
        )
        .await
        .assert_status(303);
    let m = f.client(&f.unshared_manager).await;
    m.get(&f.case(""))
        .await
        .assert_status(200)
        .assert_contains(TITLE);
    let v = f.app.palisade().case(&f.case_id).unwrap();
    let s = v.active_share(&f.unshared_manager.id).unwrap();
    assert_eq!(s.reason.as_deref(), Some("Practice manager"));
}

#[tokio::test]
async fn views_downloads_searches_and_exports_are_audited_for_the_owner() {
    let f = Fixture::new();
    let reader = f.client(&f.shared_manager).await;
    reader.get(&f.case("")).await.assert_status(200);
    reader
        .get(&f.case(&format!("/attachments/{}", f.attachment_id)))
        .await
        .assert_status(200);
    reader.get("/search").await.assert_status(200);
    let found = reader
        .post_form("/search", &[("q", "please MEET")])
        .await
        .assert_status(200);
    assert!(found.contains("<mark>please meet</mark>"), "{}", found.body);
    reader.get(&f.case("/export")).await.assert_status(200);
    reader
        .post_form(&f.case("/export"), &[("profile", "manager")])
        .await
        .assert_status(200);
    let rows = f.app.accounts().audit_of_case(&f.case_id).unwrap();
    let mine: Vec<&str> = rows
        .iter()
        .filter(|r| r.actor_id.as_deref() == Some(&f.shared_manager.id))
        .map(|r| r.action.as_str())
        .collect();
    for a in [
        "case_viewed",
        "attachment_downloaded",
        "search_hit",
        "export",
    ] {
        assert!(mine.contains(&a), "{a} not audited: {mine:?}");
    }
    let hit = rows.iter().find(|r| r.action == "search_hit").unwrap();
    assert!(
        !hit.detail.as_deref().unwrap_or("").contains("meet"),
        "the query was stored"
    );
    // The owner reads the trail; the manager may not.
    let owner = f.client(&f.owner).await;
    let page = owner.get(&f.case("/audit")).await.assert_status(200);
    assert!(
        page.contains("Downloaded an attachment") && page.contains("Found the case in a search")
    );
    assert!(page.contains("Exported an evidence bundle"));
    reader.get(&f.case("/audit")).await.assert_status(404);
}

#[tokio::test]
async fn an_exported_bundle_downloads_and_verifies() {
    let f = Fixture::new();
    let c = f.client(&f.owner).await;
    let form = c.get(&f.case("/export")).await.assert_status(200);
    assert!(
        form.contains("clinical notes and psychiatric referral notes are withheld"),
        "what is withheld is shown"
    );
    c.post_form(
        &f.case("/export"),
        &[("profile", "police"), ("include_clinical", "yes")],
    )
    .await
    .assert_status(400)
    .assert_contains("Say why clinical information must be disclosed");
    let r = c
        .post_form(
            &f.case("/export"),
            &[("profile", "defence"), ("recipient", "MDU adviser")],
        )
        .await
        .assert_status(200);
    assert_eq!(r.header("content-type"), Some("application/zip"));
    assert!(
        r.header("content-disposition")
            .unwrap()
            .starts_with("attachment; filename=\"palisade-bundle-defence-")
    );
    let report = verify_bundle(std::io::Cursor::new(r.bytes.clone()), &Rfc3161);
    assert!(report.ok, "{:?}", report.errors);
    assert_eq!(report.recipient.as_deref(), Some("MDU adviser"));
    let v = f.app.palisade().case(&f.case_id).unwrap();
    assert_eq!(v.disclosures.len(), 1);
}

#[tokio::test]
async fn a_whatsapp_export_is_previewed_then_imported() {
    let f = Fixture::new();
    let c = f.client(&f.owner).await;
    c.get(&f.case("/import")).await.assert_status(200);
    let chat = "25/03/2026, 10:15 - Pat: hello doctor\n26/03/2026, 11:00 - Pat: are you there\n26/03/2026, 11:05 - Me: Please stop messaging me\n";
    let before = f.app.palisade().case(&f.case_id).unwrap().entries.len();
    let preview = c
        .post_multipart(
            &f.case("/import"),
            &[
                ("format", "whatsapp"),
                ("tz", "Europe/London"),
                ("me", "Me"),
            ],
            &[("file", "WhatsApp Chat with Pat.txt", chat.as_bytes())],
        )
        .await
        .assert_status(200)
        .assert_contains("Check the import")
        .assert_contains("Pat: 2");
    assert_eq!(
        f.app.palisade().case(&f.case_id).unwrap().entries.len(),
        before,
        "a preview writes nothing"
    );
    let upload = preview
        .body
        .split("name=\"upload\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    // Someone else cannot confirm it.
    let other = f.client(&f.shared_manager).await;
    other
        .post_form(
            &f.case("/import/confirm"),
            &[
                ("upload", &upload),
                ("format", "whatsapp"),
                ("tz", "Europe/London"),
            ],
        )
        .await
        .assert_status(400);
    c.post_form(
        &f.case("/import/confirm"),
        &[
            ("upload", &upload),
            ("format", "whatsapp"),
            ("tz", "Europe/London"),
            ("me", "Me"),
        ],
    )
    .await
    .assert_status(200)
    .assert_contains("3 new entries added");
    let v = f.app.palisade().case(&f.case_id).unwrap();
    assert_eq!(v.entries.len(), before + 3);
    assert_eq!(v.imports.len(), 1);
    // The upload is gone; confirming again is refused.
    c.post_form(
        &f.case("/import/confirm"),
        &[
            ("upload", &upload),
            ("format", "whatsapp"),
            ("tz", "Europe/London"),
        ],
    )
    .await
    .assert_status(400);
    let rows = f.app.accounts().audit_of_case(&f.case_id).unwrap();
    assert!(rows.iter().any(|r| r.action == "import"));
}

#[tokio::test]
async fn the_dashboard_summarises_each_case() {
    let f = Fixture::new();
    let c = f.client(&f.owner).await;
    let now = palisade_service::Clock::now(f.app.clock())
        .to_zoned(jiff::tz::TimeZone::get("Europe/London").unwrap());
    let yesterday = now.checked_sub(jiff::Span::new().days(1)).unwrap();
    let when = yesterday.strftime("%Y-%m-%dT%H:%M").to_string();
    log(
        &c,
        &f,
        &[
            ("channel", "sms"),
            ("occurred_at", &when),
            ("content", "again"),
        ],
        &[],
    )
    .await;
    let d = c.get("/").await.assert_status(200);
    assert!(d.contains(TITLE) && d.contains("Contacts in the last 7 days"));
    assert!(
        d.contains("<dd>1</dd>"),
        "one contact this week: {}",
        d.body
    );
    assert!(d.contains(&format!("href=\"{}\"", f.case("/log"))));
    assert!(d.contains("Open a case"));
    assert!(!d.body[..d.body.find("</title>").unwrap()].contains(TITLE));
    // A shared admin sees the case but cannot log in it.
    let a = f.client(&f.shared_admin).await;
    let d = a.get("/").await.assert_status(200);
    assert!(d.contains(TITLE) && !d.contains(&f.case("/log")) && !d.contains("Open a case"));
}

#[tokio::test]
async fn a_long_case_is_charted_per_week() {
    let f = Fixture::new();
    let p = f.app.palisade();
    for at in [
        "2025-01-06T10:00:00Z",
        "2025-01-07T10:00:00Z",
        "2025-09-01T10:00:00Z",
    ] {
        p.log_entry(&f.case_id, &cases_fixture::entry(at, "weekly"), &[])
            .unwrap();
    }
    let c = f.client(&f.owner).await;
    let page = c.get(&f.case("")).await.assert_status(200);
    assert!(page.contains("Contacts per week"), "{}", page.body);
    assert!(
        page.contains("Busiest week: 6 Jan 2025 (2)"),
        "{}",
        page.body
    );
}
