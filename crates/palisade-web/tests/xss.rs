//! Hostile patient content is shown inert: scripts, `javascript:` links,
//! attribute break-outs and SVG with script, entered through the real quick
//! log, appear escaped on every page, and an SVG attachment is never served
//! as an image.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cases_fixture;
mod common;

use cases_fixture::Fixture;

const SCRIPT: &str = "<script>alert(1)</script>";
const JS_LINK: &str = "<a href=\"javascript:alert(1)\">x</a>";
const BREAKOUT: &str = "\"><img src=x onerror=alert(1)>";
const SVG: &[u8] =
    b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script><circle r=\"5\"/></svg>";

/// No live markup from the hostile strings anywhere in `body`.
#[track_caller]
fn assert_inert(body: &str, page: &str) {
    for bad in [
        "<script>alert",
        "href=\"javascript:",
        "href='javascript:",
        "<img src=x",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>",
    ] {
        assert!(!body.contains(bad), "{page} contains live {bad:?}:\n{body}");
    }
    // Script tags may only be the application's own (none inline).
    for (i, _) in body.match_indices("<script") {
        let tag = &body[i..body[i..].find('>').map_or(body.len(), |j| i + j + 1)];
        assert!(
            tag.contains("src=\"/static/"),
            "{page}: inline script {tag}"
        );
    }
}

#[tokio::test]
async fn hostile_content_is_shown_escaped_everywhere() {
    let f = Fixture::new();
    let owner = f.client(&f.owner).await;
    owner.get(&f.case("/log")).await.assert_status(200);
    let r = owner
        .post_multipart(
            &f.case("/entries"),
            &[
                ("channel", "whatsapp"),
                ("direction", "inbound"),
                ("occurred_at", "2026-03-04T09:30"),
                ("party", BREAKOUT),
                ("place", BREAKOUT),
                ("summary", BREAKOUT),
                ("witnesses", SCRIPT),
                ("content", &format!("{SCRIPT} {JS_LINK}")),
            ],
            &[("attachments", "evil.svg", SVG)],
        )
        .await
        .assert_status(303);
    let location = r.location().to_string();
    let entry_id = location
        .split("saved=")
        .nth(1)
        .and_then(|s| s.split('#').next())
        .unwrap()
        .to_string();
    owner
        .post_form(
            &f.case("/actions"),
            &[
                ("kind", "other"),
                ("date", "2026-03-04"),
                ("by", SCRIPT),
                ("notes", JS_LINK),
                ("reference", BREAKOUT),
            ],
        )
        .await
        .assert_status(303);

    // The case page, with the entry open and its history.
    let page = owner.get(&location).await.assert_status(200);
    assert_inert(&page.body, "case page");
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "content not shown escaped"
    );
    assert!(
        page.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;")
            || page.contains("\"&gt;&lt;img src=x onerror=alert(1)&gt;")
    );

    // The correction form is prefilled with the hostile values, escaped.
    let form = owner
        .get(&f.case(&format!("/entries/{entry_id}/correct")))
        .await
        .assert_status(200);
    assert_inert(&form.body, "correction form");
    // A correction keeps both, still escaped.
    owner
        .post_form(
            &f.case(&format!("/entries/{entry_id}/correct")),
            &[
                ("reason", SCRIPT),
                ("channel", "whatsapp"),
                ("direction", "inbound"),
                ("occurred_at", "2026-03-04T09:30"),
                ("summary", JS_LINK),
                ("content", SCRIPT),
            ],
        )
        .await
        .assert_status(303);
    let page = owner.get(&f.case("")).await.assert_status(200);
    assert_inert(&page.body, "case page after correction");

    // Search results show snippets escaped.
    let found = owner
        .post_form("/search", &[("q", "alert(1)")])
        .await
        .assert_status(200);
    assert_inert(&found.body, "search");
    assert!(found.contains("<mark>alert(1)</mark>"), "{}", found.body);
    for path in [
        "/",
        "/flags",
        &f.case("/next"),
        &f.case("/audit"),
        &f.case("/sharing"),
    ] {
        let r = owner.get(path).await.assert_status(200);
        assert_inert(&r.body, path);
    }

    // The SVG: sniffed as text, downloaded as an opaque attachment, never thumbnailed.
    let v = f.app.palisade().case(&f.case_id).unwrap();
    let svg = v
        .entry(&entry_id)
        .unwrap()
        .attachments
        .first()
        .unwrap()
        .clone();
    assert_ne!(svg.media_type, "image/svg+xml");
    let d = owner
        .get(&f.case(&format!("/attachments/{}", svg.id)))
        .await
        .assert_status(200);
    assert_eq!(
        d.bytes, SVG,
        "the original bytes are kept and served unchanged"
    );
    assert_eq!(d.header("content-type"), Some("application/octet-stream"));
    assert!(
        d.header("content-disposition")
            .unwrap()
            .starts_with("attachment; filename=\"attachment-")
    );
    assert!(!d.header("content-disposition").unwrap().contains("evil"));
    assert_eq!(d.header("x-content-type-options"), Some("nosniff"));
    owner
        .get(&f.case(&format!("/attachments/{}/thumbnail", svg.id)))
        .await
        .assert_status(404);
    // The page offers no thumbnail for it.
    assert!(!page.contains(&format!("/attachments/{}/thumbnail", svg.id)));
}

#[tokio::test]
async fn hostile_case_titles_are_escaped_and_never_in_the_page_title() {
    let f = Fixture::new();
    let owner = f.client(&f.owner).await;
    owner.get("/cases/new").await.assert_status(200);
    let r = owner
        .post_form(
            "/cases",
            &[
                ("title", SCRIPT),
                ("subject", BREAKOUT),
                ("kind", "stalking"),
                ("parties", JS_LINK),
            ],
        )
        .await
        .assert_status(303);
    let case_page = owner.get(r.location()).await.assert_status(200);
    assert_inert(&case_page.body, "new case page");
    let title = &case_page.body
        [case_page.body.find("<title>").unwrap()..case_page.body.find("</title>").unwrap()];
    assert!(!title.contains("alert"), "case data in <title>: {title}");
    let dash = owner.get("/").await.assert_status(200);
    assert_inert(&dash.body, "dashboard");
    assert!(dash.contains("&lt;script&gt;"));
}
