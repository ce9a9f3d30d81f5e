//! Guidance pages through the real router and a real data directory:
//! prevention (every role), letters (edit, preview, issue, download, the
//! ledger and the audit trail), the risk questionnaire, and who may reach
//! them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Client, TestApp, TestResponse, TestUser};
use palisade_core::access::Role;
use palisade_core::compose::{NewCase, NewEntry};
use palisade_core::domain::{CaseKind, Channel, Direction, Source};
use palisade_core::time::Moment;
use sha2::{Digest, Sha256};
use std::process::Command;

/// Open a case owned by `owner` with a few messages from the patient.
fn case_of(app: &TestApp, owner: &TestUser, threat: bool) -> String {
    let p = app.palisade();
    let case = p
        .open_case(&NewCase {
            title: "Unwanted messages".into(),
            subject: "Mr Patient Example".into(),
            kind: CaseKind::Amorous,
            parties: vec![],
            owner: Some(owner.id.clone()),
        })
        .unwrap()
        .id;
    let days_ago = |d: i64| {
        let t = app.now() - jiff::SignedDuration::from_hours(24 * d);
        Moment::parse(&t.to_string()).unwrap()
    };
    let mut words = vec![
        (9, Channel::Sms, "You looked lovely today x"),
        (
            6,
            Channel::Facebook,
            "Can we meet for a drink? <script>alert(1)</script>",
        ),
    ];
    if threat {
        words.push((1, Channel::Sms, "If you ignore me again I will hurt you"));
    }
    for (d, channel, text) in words {
        p.log_entry(
            &case,
            &NewEntry {
                occurred_at: days_ago(d),
                channel,
                direction: Direction::Inbound,
                party: None,
                place: None,
                witnesses: vec![],
                summary: None,
                content: Some(text.into()),
                clinical: None,
                source: Source::Manual,
            },
            &[],
        )
        .unwrap();
    }
    case
}

fn share(app: &TestApp, case: &str, with: &TestUser, by: &TestUser) {
    app.palisade()
        .share_case(case, &with.id, &with.username, &by.id, None)
        .unwrap();
}

/// Undo the HTML escaping maud applies to text and attribute values.
fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The named fields of the letter editor in `body`, in page order
/// (text inputs and textareas; `_csrf` left out).
fn editor_fields(body: &str) -> Vec<(String, String)> {
    let form = &body[body.find("/preview\"").expect("the editor form")..];
    let form = &form[..form.find("</form>").unwrap()];
    let mut out = Vec::new();
    let mut rest = form;
    while let Some(at) = rest.find('<') {
        rest = &rest[at..];
        let tag_end = rest.find('>').unwrap();
        let tag = &rest[..tag_end];
        let name = tag
            .split("name=\"")
            .nth(1)
            .map(|s| s[..s.find('"').unwrap()].to_string());
        match name {
            Some(n) if tag.starts_with("<textarea") => {
                let content = &rest[tag_end + 1..];
                let content = &content[..content.find("</textarea>").unwrap()];
                out.push((n, unescape(content)));
            }
            Some(n) if tag.starts_with("<input") && n != "_csrf" => {
                let v = tag
                    .split("value=\"")
                    .nth(1)
                    .map(|s| unescape(&s[..s.find('"').unwrap()]))
                    .unwrap_or_default();
                out.push((n, v));
            }
            _ => {}
        }
        rest = &rest[tag_end..];
    }
    out
}

/// Every `[gap]` in `text` replaced by a made-up fact.
fn fill_gaps(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find('[') {
        match rest[i..].find(']') {
            Some(j) => {
                out.push_str(&rest[..i]);
                out.push_str("Filled-in detail");
                rest = &rest[i + j + 1..];
            }
            None => break,
        }
    }
    out.push_str(rest);
    out
}

async fn post(client: &Client, path: &str, fields: &[(String, String)]) -> TestResponse {
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    client.post_form(path, &borrowed).await
}

fn between<'a>(body: &'a str, start: &str, end: &str) -> &'a str {
    let at = body
        .find(start)
        .unwrap_or_else(|| panic!("{start:?} not in:\n{body}"))
        + start.len();
    let rest = &body[at..];
    &rest[..rest.find(end).unwrap()]
}

#[tokio::test]
async fn prevention_pages_render_for_every_role_and_need_a_sign_in() {
    let app = TestApp::new();
    for role in Role::ALL {
        let user = app.create_user(*role);
        let c = app.sign_in(&user).await;
        c.get("/prevention")
            .await
            .assert_status(200)
            .assert_contains("href=\"/prevention/boundary-statement\"")
            .assert_contains("href=\"/prevention/privacy-checklist\"");
        c.get("/prevention/boundary-statement")
            .await
            .assert_status(200)
            .assert_contains("value=\"Test Practice\"")
            .assert_contains("name=\"_csrf\"");
        let list = c
            .get("/prevention/privacy-checklist")
            .await
            .assert_status(200);
        for area in palisade_guidance::prevention::Area::ALL {
            assert!(
                list.contains(&format!("id=\"area-{}\"", area.as_str())),
                "{role}"
            );
        }
        assert!(list.contains("<details"));
        assert!(list.contains("Opt out of the open register"));
        assert!(list.contains("(Source: GOV.UK"));
        c.get("/prevention/privacy-checklist/print")
            .await
            .assert_status(200)
            .assert_not_contains("<details")
            .assert_contains("Companies House");
    }
    let anonymous = app.client();
    for path in [
        "/prevention",
        "/prevention/boundary-statement",
        "/prevention/privacy-checklist",
    ] {
        anonymous.get(path).await.assert_redirect("/login");
    }
}

#[tokio::test]
async fn the_boundary_statement_reflects_the_inputs_escaped_and_says_what_is_wrong() {
    let app = TestApp::new();
    let user = app.create_user(Role::Colleague);
    let c = app.sign_in(&user).await;
    c.get("/prevention/boundary-statement").await;
    let r = c
        .post_form(
            "/prevention/boundary-statement",
            &[
                ("profile", "practice_website"),
                (
                    "organisation",
                    "Riverside <script>alert(1)</script> Surgery",
                ),
                ("clinician", ""),
                ("role", ""),
                ("phone", "01632 960 123"),
                ("online", "the form at www.riverside.example"),
                ("nhs_app", "on"),
                ("email", "reception@riverside.example"),
                ("hours", "Monday to Friday, 8am to 6.30pm"),
                ("out_of_hours", ""),
            ],
        )
        .await
        .assert_status(200)
        .assert_not_contains("<script>alert(1)")
        .assert_contains("Riverside &lt;script&gt;alert(1)&lt;/script&gt; Surgery")
        .assert_contains("readonly")
        .assert_contains("(Source: MDU");
    let short = unescape(between(&r.body, "id=\"short_statement\"", "</textarea>"));
    assert!(short.contains("by telephone on 01632 960 123"), "{short}");
    assert!(short.contains("through the NHS App"), "{short}");
    let long = unescape(between(&r.body, "id=\"long_statement\"", "</textarea>"));
    assert!(long.contains("The practice is open Monday to Friday, 8am to 6.30pm."));
    assert!(long.contains("call 999"));

    // Mistakes come back with the form, each linked to its field.
    let bad = c
        .post_form(
            "/prevention/boundary-statement",
            &[
                ("profile", "practice_website"),
                ("organisation", ""),
                ("email", "reception at riverside"),
            ],
        )
        .await
        .assert_status(400)
        .assert_contains("There is a problem")
        .assert_contains("href=\"#organisation\"")
        .assert_contains("href=\"#email\"")
        .assert_contains("<title>Error: ");
    assert!(
        bad.contains("value=\"reception at riverside\""),
        "values are kept"
    );

    // The personal note names nothing of the practice.
    let personal = c
        .post_form(
            "/prevention/boundary-statement",
            &[
                ("profile", "personal_profile"),
                ("organisation", "Riverside Surgery"),
            ],
        )
        .await
        .assert_status(200);
    let long = between(&personal.body, "id=\"long_statement\"", "</textarea>");
    assert!(!long.contains("Riverside"), "{long}");

    // Without the form's token nothing is generated.
    c.post_form_without_csrf(
        "/prevention/boundary-statement",
        &[("profile", "personal_profile")],
    )
    .await
    .assert_status(403);
}

/// Whether pdftotext is installed (required when PALISADE_REQUIRE_POPPLER is set).
fn poppler() -> bool {
    let present = Command::new("pdftotext").arg("-v").output().is_ok();
    if !present {
        assert!(
            std::env::var_os("PALISADE_REQUIRE_POPPLER").is_none(),
            "PALISADE_REQUIRE_POPPLER is set but pdftotext (poppler-utils) is missing"
        );
        eprintln!("SKIPPING the pdftotext check: poppler-utils is not installed");
    }
    present
}

fn pdf_text(app: &TestApp, pdf: &[u8]) -> String {
    let path = app.dir.path().join("downloaded.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success(), "pdftotext failed");
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[tokio::test]
async fn a_letter_is_edited_previewed_issued_recorded_and_downloaded_as_sent() {
    let app = TestApp::new();
    let owner = app.create_user(Role::Clinician);
    let case = case_of(&app, &owner, false);
    let c = app.sign_in(&owner).await;

    c.get(&format!("/cases/{case}/letters"))
        .await
        .assert_status(200)
        .assert_contains("Asking the patient to stop")
        .assert_contains("Summary for the police")
        .assert_contains("None yet.");
    let edit = c
        .get(&format!("/cases/{case}/letters/boundary"))
        .await
        .assert_status(200)
        .assert_contains("There is a problem")
        .assert_contains("Issue the letter")
        .assert_not_contains("<script>alert(1)");
    assert!(
        !edit.body.contains("Mr Patient Example</title>"),
        "no patient data in the title"
    );
    let fields = editor_fields(&edit.body);
    let names: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
    for n in [
        "sender",
        "recipient",
        "reference",
        "subject",
        "salutation",
        "paragraph_1",
        "closing",
        "signature",
    ] {
        assert!(names.contains(&n), "{n} missing from {names:?}");
    }
    let recipient = &fields.iter().find(|(k, _)| k == "recipient").unwrap().1;
    assert!(
        recipient.contains("Mr Patient Example"),
        "addressee from the case: {recipient}"
    );
    assert!(
        fields.iter().any(|(_, v)| v.contains("[")),
        "the draft has gaps to fill"
    );

    // Issuing with gaps left is refused, with each gap linked to its field.
    let base = format!("/cases/{case}/letters/boundary");
    let refused = post(&c, &base, &fields).await.assert_status(400);
    assert!(refused.contains("replace ["), "{}", refused.body);
    assert!(
        app.palisade().case(&case).unwrap().actions.is_empty(),
        "nothing recorded"
    );

    // Fill the gaps and rewrite the first paragraph.
    const EDITED: &str = "We wrote this sentence in the editor 4821.";
    let edited: Vec<(String, String)> = fields
        .iter()
        .map(|(k, v)| {
            if k == "paragraph_1" {
                (k.clone(), EDITED.to_string())
            } else {
                (k.clone(), fill_gaps(v))
            }
        })
        .collect();
    let preview = post(&c, &format!("{base}/preview"), &edited)
        .await
        .assert_status(200)
        .assert_contains("id=\"preview\"")
        .assert_contains(EDITED)
        .assert_not_contains("<mark>")
        .assert_not_contains("There is a problem");
    assert!(preview.contains("Issue the letter"));

    let issued = post(&c, &base, &edited).await.assert_status(303);
    let location = issued.location().to_string();
    assert!(
        location.starts_with(&format!("/cases/{case}/letters/issued/act_")),
        "{location}"
    );
    // The same form sent again (a double click, a reload) issues nothing more.
    post(&c, &base, &edited)
        .await
        .assert_status(409)
        .assert_contains(&location);
    let view = app.palisade().case(&case).unwrap();
    assert_eq!(view.actions.len(), 1);
    let action = &view.actions[0];
    assert_eq!(action.kind, "asked_to_stop");
    assert_eq!(action.by.as_deref(), Some("Clinician 1"));
    let attachment = &action.attachments[0];
    assert_eq!(attachment.media_type, "application/pdf");

    let page = c.get(&location).await.assert_status(200);
    assert!(
        page.contains(&attachment.sha256),
        "the page shows the recorded hash"
    );
    let download = format!("/cases/{case}/attachments/{}", attachment.id);
    assert!(page.contains(&format!("href=\"{download}\"")));
    let pdf = c.get(&download).await.assert_status(200);
    assert!(
        pdf.header("content-disposition")
            .unwrap_or_default()
            .starts_with("attachment"),
        "{:?}",
        pdf.headers
    );
    assert_eq!(hex::encode(Sha256::digest(&pdf.bytes)), attachment.sha256);
    assert!(pdf.bytes.starts_with(b"%PDF-"));
    if poppler() {
        let text = pdf_text(&app, &pdf.bytes);
        assert!(text.contains(EDITED), "{text}");
        assert!(!text.contains('['), "no gaps left in what was sent: {text}");
    }

    let audit = app.accounts().audit_of_case(&case).unwrap();
    let issued_row = audit
        .iter()
        .find(|e| e.action == "letter_issued")
        .expect("letter_issued in the audit trail");
    assert_eq!(issued_row.target.as_deref(), Some(action.id.as_str()));
    c.get(&format!("/cases/{case}/letters"))
        .await
        .assert_status(200)
        .assert_contains(&location);
    assert!(app.palisade().verify().unwrap().ok);
}

#[tokio::test]
async fn only_those_who_may_disclose_issue_and_strangers_see_nothing() {
    let app = TestApp::new();
    let owner = app.create_user(Role::Clinician);
    let admin = app.create_user(Role::Admin);
    let colleague = app.create_user(Role::Colleague);
    let stranger = app.create_user(Role::Clinician);
    let shared_clinician = app.create_user(Role::Clinician);
    let shared_manager = app.create_user(Role::Manager);
    let case = case_of(&app, &owner, false);
    share(&app, &case, &shared_clinician, &owner);
    share(&app, &case, &shared_manager, &owner);

    let owner_client = app.sign_in(&owner).await;
    let fields = editor_fields(
        &owner_client
            .get(&format!("/cases/{case}/letters/manager_formal"))
            .await
            .assert_status(200)
            .body,
    );
    let filled: Vec<(String, String)> = fields
        .iter()
        .map(|(k, v)| (k.clone(), fill_gaps(v)))
        .collect();
    let letters = format!("/cases/{case}/letters");
    let edit = format!("{letters}/manager_formal");

    for user in [&admin, &colleague, &stranger] {
        let c = app.sign_in(user).await;
        c.get("/prevention").await.assert_status(200);
        for path in [&letters, &edit, &format!("/cases/{case}/risk")] {
            c.get(path)
                .await
                .assert_status(404)
                .assert_not_contains("Mr Patient");
        }
        c.get("/prevention").await; // a fresh CSRF token
        post(&c, &edit, &filled).await.assert_status(404);
        post(&c, &format!("{edit}/preview"), &filled)
            .await
            .assert_status(404);
        post(&c, &format!("/cases/{case}/risk"), &[])
            .await
            .assert_status(404);
    }

    // A shared clinician reads and previews but may not issue.
    let sc = app.sign_in(&shared_clinician).await;
    sc.get(&edit)
        .await
        .assert_status(200)
        .assert_not_contains("formaction")
        .assert_contains("Only the case's owner, or a manager");
    post(&sc, &format!("{edit}/preview"), &filled)
        .await
        .assert_status(200);
    post(&sc, &edit, &filled).await.assert_status(404);
    assert!(app.palisade().case(&case).unwrap().actions.is_empty());

    // A shared manager may issue.
    let sm = app.sign_in(&shared_manager).await;
    sm.get(&edit)
        .await
        .assert_status(200)
        .assert_contains("Issue the letter");
    post(&sm, &edit, &filled).await.assert_status(303);
    assert_eq!(
        app.palisade().case(&case).unwrap().actions[0].kind,
        "manager_letter"
    );

    // Revoking the share takes effect on the next request.
    app.palisade()
        .revoke_share(&case, &shared_manager.id, &owner.id, None)
        .unwrap();
    sm.get(&edit).await.assert_status(404);
    post(&sm, &edit, &filled).await.assert_status(404);
    assert_eq!(app.palisade().case(&case).unwrap().actions.len(), 1);

    // Unknown templates and ids answer like unknown cases.
    owner_client
        .get(&format!("{letters}/no_such_letter"))
        .await
        .assert_status(404);
    owner_client
        .get("/cases/case_0000000000000000000000/letters")
        .await
        .assert_status(404);
}

fn answers(overrides: &[(&str, &str)]) -> Vec<(String, String)> {
    palisade_guidance::QUESTIONS
        .iter()
        .map(|q| {
            let v = overrides
                .iter()
                .find(|(id, _)| *id == q.id)
                .map_or("unknown", |(_, v)| v);
            (format!("q_{}", q.id), v.to_string())
        })
        .collect()
}

#[tokio::test]
async fn questionnaire_answers_are_recorded_and_urgent_cases_lead_with_what_to_do() {
    let app = TestApp::new();
    let owner = app.create_user(Role::Clinician);
    let case = case_of(&app, &owner, false);
    let c = app.sign_in(&owner).await;
    let path = format!("/cases/{case}/risk");
    let page = c.get(&path).await.assert_status(200);
    for q in palisade_guidance::QUESTIONS {
        assert!(page.contains(&format!("name=\"q_{}\"", q.id)), "{}", q.id);
    }
    assert!(page.contains("College of Policing"));

    post(&c, &path, &answers(&[("afraid", "maybe")]))
        .await
        .assert_status(400)
        .assert_contains("Are you frightened");
    assert!(app.palisade().case(&case).unwrap().assessments.is_empty());

    post(
        &c,
        &path,
        &answers(&[("threatened_violence", "yes"), ("fixated", "no")]),
    )
    .await
    .assert_redirect(&format!("{path}?done=recorded"));
    let view = app.palisade().case(&case).unwrap();
    let a = view.latest_assessment().expect("an assessment is recorded");
    assert_eq!(a.trigger, "questionnaire");
    assert_eq!(a.by.as_deref(), Some("Clinician 1"));
    let recorded = a.answers.clone().unwrap();
    assert_eq!(recorded["threatened_violence"], true);
    assert_eq!(recorded["fixated"], false);
    assert!(
        recorded.get("afraid").is_none(),
        "not known is not recorded as an answer"
    );

    let shown = c
        .get(&format!("{path}?done=recorded"))
        .await
        .assert_status(200)
        .assert_contains("Your answers are recorded");
    // The form shows the answers given.
    assert!(shown.contains(
        "id=\"q_threatened_violence\" name=\"q_threatened_violence\" value=\"yes\" checked"
    ));
    assert!(
        app.accounts()
            .audit_of_case(&case)
            .unwrap()
            .iter()
            .any(|e| e.detail.as_deref() == Some("risk questionnaire"))
    );

    // A threatening message makes the case urgent: the page leads with what to do now.
    let urgent = case_of(&app, &owner, true);
    let page = c
        .get(&format!("/cases/{urgent}/risk"))
        .await
        .assert_status(200);
    let lead = page.body.find("Do this now").expect("the urgent lead");
    let level = page.body.find("Risk: ").unwrap();
    assert!(lead < level, "urgent guidance comes first");
    assert!(page.contains("Call the police now"));

    c.post_form_without_csrf(&path, &[])
        .await
        .assert_status(403);

    // A closed case can be read, but nothing more is recorded from these pages.
    app.palisade().close_case(&case, "Resolved").unwrap();
    c.get(&path)
        .await
        .assert_status(200)
        .assert_contains("This case is closed")
        .assert_not_contains("name=\"q_afraid\"");
    c.get(&format!("/cases/{case}/letters/boundary"))
        .await
        .assert_status(200)
        .assert_contains("This case is closed")
        .assert_not_contains("formaction");
}
