//! The JSON API through the real router: token scopes, every route, JSON
//! errors, and the OpenAPI document against the routes actually served.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cases_fixture;
mod common;

use axum::body::Body;
use axum::http::{Method, Request, header};
use cases_fixture::{Fixture, TITLE};
use common::TestResponse;
use palisade_service::Scope;
use serde_json::{Value, json};

async fn call(
    f: &Fixture,
    token: Option<&str>,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> TestResponse {
    let mut req = Request::builder()
        .method(method)
        .uri(format!("/api/v1{path}"));
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let req = match body {
        Some(b) => req
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(b.to_string())),
        None => req.body(Body::empty()),
    }
    .unwrap();
    f.app.client().send(req).await
}

fn json_of(r: &TestResponse) -> Value {
    serde_json::from_slice(&r.bytes).unwrap_or_else(|e| panic!("not JSON ({e}): {}", r.body))
}

#[tokio::test]
async fn read_tokens_read_and_write_tokens_write() {
    let f = Fixture::new();
    let read = f.token(&f.owner, Scope::Read);
    let write = f.token(&f.owner, Scope::Write);
    let me = call(&f, Some(&read), Method::GET, "/me", None)
        .await
        .assert_status(200);
    assert_eq!(json_of(&me)["id"], f.owner.id);
    let entry = json!({ "occurred_at": "2026-03-07T10:00:00Z", "channel": "sms", "content": "from the API" });
    let r = call(
        &f,
        Some(&read),
        Method::POST,
        &format!("/cases/{}/entries", f.case_id),
        Some(entry.clone()),
    )
    .await
    .assert_status(403);
    assert!(
        json_of(&r)["error"]
            .as_str()
            .unwrap()
            .contains("read scope only")
    );
    call(
        &f,
        Some(&write),
        Method::POST,
        &format!("/cases/{}/entries", f.case_id),
        Some(entry),
    )
    .await
    .assert_status(201);
    // No token, a made-up one, a revoked one.
    let r = call(&f, None, Method::GET, "/cases", None)
        .await
        .assert_status(401);
    assert_eq!(r.header("www-authenticate"), Some("Bearer"));
    call(&f, Some("pal_made_up"), Method::GET, "/cases", None)
        .await
        .assert_status(401);
    let (info, revoked) = f
        .app
        .accounts()
        .create_api_token(&f.owner.id, "old", &[Scope::Write])
        .unwrap();
    assert!(
        f.app
            .accounts()
            .revoke_api_token(&f.owner.id, &info.id)
            .unwrap()
    );
    call(&f, Some(&revoked), Method::GET, "/cases", None)
        .await
        .assert_status(401);
}

#[tokio::test]
async fn every_api_route_works_for_the_owner() {
    let f = Fixture::new();
    let t = f.token(&f.owner, Scope::Write);
    let t = Some(t.as_str());
    let list = call(&f, t, Method::GET, "/cases", None)
        .await
        .assert_status(200);
    assert_eq!(json_of(&list)[0]["title"], TITLE);
    let opened = call(&f, t, Method::POST, "/cases", Some(json!({ "title": "API case", "subject": "CD", "kind": "grievance", "parties": ["family:Mother of CD"] })))
        .await
        .assert_status(201);
    let new_case = json_of(&opened)["id"].as_str().unwrap().to_string();
    assert_eq!(json_of(&opened)["owner"], f.owner.id);
    call(
        &f,
        t,
        Method::POST,
        "/cases",
        Some(json!({ "title": "x", "subject": "y", "kind": "nonsense" })),
    )
    .await
    .assert_status(400);
    let case = call(&f, t, Method::GET, &format!("/cases/{}", f.case_id), None)
        .await
        .assert_status(200);
    let v = json_of(&case);
    assert_eq!(v["title"], TITLE);
    assert_eq!(v["entries"][0]["id"], f.entry_id);
    let logged = call(&f, t, Method::POST, &format!("/cases/{new_case}/entries"), Some(json!({
        "occurred_at": "2026-03-07T22:00:00+00:00", "channel": "sms", "content": "I'm gonna kill u"
    })))
    .await
    .assert_status(201);
    let logged = json_of(&logged);
    assert_eq!(logged["triage"]["label"], "threat");
    let eid = logged["id"].as_str().unwrap().to_string();
    let bad = call(
        &f,
        t,
        Method::POST,
        &format!("/cases/{new_case}/entries"),
        Some(json!({ "occurred_at": "yesterday", "channel": "sms", "content": "x" })),
    )
    .await
    .assert_status(400);
    assert!(
        json_of(&bad)["error"]
            .as_str()
            .unwrap()
            .starts_with("occurred_at")
    );
    call(
        &f,
        t,
        Method::POST,
        &format!("/cases/{new_case}/entries"),
        Some(json!({ "occurred_at": "2026-03-07T22:00:00Z", "channel": "sms", "colour": "red" })),
    )
    .await
    .assert_status(400);
    call(
        &f,
        t,
        Method::POST,
        &format!("/cases/{new_case}/actions"),
        Some(json!({ "kind": "police_reported", "date": "2026-03-08", "reference": "CAD 123" })),
    )
    .await
    .assert_status(201);
    call(
        &f,
        t,
        Method::POST,
        &format!("/entries/{eid}/corrections"),
        Some(json!({ "reason": "Wrong time", "occurred_at": "2026-03-07T21:00:00Z" })),
    )
    .await
    .assert_status(201);
    let next = call(&f, t, Method::GET, &format!("/cases/{new_case}/next"), None)
        .await
        .assert_status(200);
    assert!(json_of(&next)["risk"]["level"].is_string());
    call(
        &f,
        t,
        Method::POST,
        &format!("/entries/{eid}/retraction"),
        Some(json!({ "reason": "Duplicate" })),
    )
    .await
    .assert_status(201);
    let v = f.app.palisade().case(&new_case).unwrap();
    assert_eq!(
        v.entries[0].state,
        palisade_core::view::EntryState::Retracted
    );
    call(
        &f,
        t,
        Method::POST,
        &format!("/cases/{new_case}/shares"),
        Some(json!({ "user": f.unshared_manager.id, "reason": "manager" })),
    )
    .await
    .assert_status(201);
    assert!(
        f.app
            .palisade()
            .case(&new_case)
            .unwrap()
            .shared_with(&f.unshared_manager.id)
    );
    call(
        &f,
        t,
        Method::POST,
        &format!("/cases/{new_case}/shares"),
        Some(json!({ "user": f.colleague.id })),
    )
    .await
    .assert_status(400);
    call(
        &f,
        t,
        Method::DELETE,
        &format!("/cases/{new_case}/shares/{}", f.unshared_manager.id),
        None,
    )
    .await
    .assert_status(200);
    assert!(
        !f.app
            .palisade()
            .case(&new_case)
            .unwrap()
            .shared_with(&f.unshared_manager.id)
    );
    call(
        &f,
        t,
        Method::DELETE,
        &format!("/cases/{new_case}/shares/{}", f.unshared_manager.id),
        None,
    )
    .await
    .assert_status(404);
    call(
        &f,
        t,
        Method::POST,
        &format!("/cases/{new_case}/flags"),
        Some(json!({ "patient": "CD", "text": "Do not give out rota" })),
    )
    .await
    .assert_status(201);
    let flags = call(&f, t, Method::GET, "/flags", None)
        .await
        .assert_status(200);
    assert_eq!(json_of(&flags)[0]["patient"], "CD");
    let found = call(
        &f,
        t,
        Method::POST,
        "/search",
        Some(json!({ "q": "please meet" })),
    )
    .await
    .assert_status(200);
    assert_eq!(json_of(&found)[0]["case_id"], f.case_id);
    let audit = call(
        &f,
        t,
        Method::GET,
        &format!("/cases/{}/audit", f.case_id),
        None,
    )
    .await
    .assert_status(200);
    let actions: Vec<String> = json_of(&audit)
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["action"].as_str().unwrap().to_string())
        .collect();
    assert!(
        actions.contains(&"case_viewed".to_string()) && actions.contains(&"search_hit".to_string())
    );
    // An unknown case is a JSON 404.
    let r = call(&f, t, Method::GET, "/cases/case_0000000000000000", None)
        .await
        .assert_status(404);
    assert_eq!(json_of(&r), json!({ "error": "not found" }));
}

#[tokio::test]
async fn the_openapi_document_describes_exactly_the_routes_served() {
    let f = Fixture::new();
    let doc = call(&f, None, Method::GET, "/openapi.json", None)
        .await
        .assert_status(200);
    let doc = json_of(&doc);
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    let mut documented = Vec::new();
    for (path, ops) in paths {
        for (method, op) in ops.as_object().unwrap() {
            assert!(
                op["responses"].is_object() && op["summary"].is_string(),
                "{method} {path}"
            );
            documented.push((method.to_uppercase(), path.clone()));
        }
    }
    let served: Vec<(String, String)> = palisade_web::api::ROUTES
        .iter()
        .map(|(m, p, _)| (m.to_string(), p.to_string()))
        .collect();
    let mut a = documented.clone();
    let mut b = served.clone();
    a.sort();
    b.sort();
    assert_eq!(a, b, "document and router disagree");
    // Every documented route is really served: not the fallback, not 405.
    let t = f.token(&f.owner, Scope::Read);
    for (method, path) in &documented {
        let concrete = path
            .replace("{id}", &f.case_id)
            .replace("{eid}", &f.entry_id)
            .replace("{uid}", &f.spare.id);
        let m: Method = method.parse().unwrap();
        let r = call(&f, Some(&t), m, &concrete, None).await;
        assert_ne!(r.status.as_u16(), 405, "{method} {path}");
        assert!(
            r.header("content-type")
                .is_some_and(|c| c.starts_with("application/json")),
            "{method} {path} did not answer JSON (not routed?): {} {}",
            r.status,
            r.body
        );
    }
    // Referenced schemas exist.
    let text = doc.to_string();
    for name in text.split("#/components/schemas/").skip(1) {
        let name = name.split('"').next().unwrap();
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "missing schema {name}"
        );
    }
}

#[tokio::test]
async fn entries_carry_attachments_as_base64() {
    use base64::Engine;
    let f = Fixture::new();
    let t = f.token(&f.owner, Scope::Write);
    let png = cases_fixture::png();
    let data = base64::engine::general_purpose::STANDARD.encode(&png);
    let path = format!("/cases/{}/entries", f.case_id);
    let bad = call(
        &f,
        Some(&t),
        Method::POST,
        &path,
        Some(json!({
            "occurred_at": "2026-03-09T10:00:00Z", "channel": "letter", "summary": "Card",
            "attachments": [{ "name": "card.png", "data_base64": "not base64!" }]
        })),
    )
    .await
    .assert_status(400);
    assert!(
        json_of(&bad)["error"]
            .as_str()
            .unwrap()
            .starts_with("attachments[0].data_base64")
    );
    let r = call(
        &f,
        Some(&t),
        Method::POST,
        &path,
        Some(json!({
            "occurred_at": "2026-03-09T10:00:00Z", "channel": "letter", "summary": "Card",
            "attachments": [{ "name": "card.png", "data_base64": data }]
        })),
    )
    .await
    .assert_status(201);
    let r = json_of(&r);
    assert_eq!(r["attachments"][0]["media_type"], "image/png");
    let att = r["attachments"][0]["id"].as_str().unwrap().to_string();
    let owner = f.client(&f.owner).await;
    let d = owner
        .get(&f.case(&format!("/attachments/{att}")))
        .await
        .assert_status(200);
    assert_eq!(d.bytes, png);
}
