//! The access-control matrix: every case route (HTML and API, GET and POST)
//! for every kind of user, through the real router over a real store.
//!
//! Allowed: the route's own success status. Refused: exactly the answer an
//! unknown case gets (404, same body), and never any of the case's content
//! (each piece carries a unique marker). Signed out: to `/login` (HTML) or
//! 401 (API).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cases_fixture;
mod common;

use axum::body::Body;
use axum::http::{Method, Request, header};
use cases_fixture::{Fixture, leaks, png};
use common::{Client, TestResponse, TestUser};
use palisade_core::access::{Capability, Relation, allowed};
use palisade_service::Scope;
use serde_json::{Value, json};

/// What a route needs and how to call it for user number `u`.
enum Call {
    Get(String),
    Form(String, Vec<(String, String)>),
    Multipart(
        String,
        Vec<(String, String)>,
        Vec<(String, String, Vec<u8>)>,
    ),
    Api(Method, String, Option<Value>),
}

/// How to call a route for user number `u` (with one flag id per user).
type MakeCall = Box<dyn Fn(&Fixture, &[String], usize) -> Call>;

struct Route {
    name: &'static str,
    need: Capability,
    ok: u16,
    call: MakeCall,
}

fn s(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

fn routes() -> Vec<Route> {
    use Capability::*;
    let r = |name, need, ok, call: MakeCall| Route {
        name,
        need,
        ok,
        call,
    };
    vec![
        r(
            "case page",
            Read,
            200,
            Box::new(|f, _, _| Call::Get(f.case(""))),
        ),
        r(
            "case page filtered",
            Read,
            200,
            Box::new(|f, _, _| Call::Get(f.case("?channel=sms&party=0&from=2026-01-01"))),
        ),
        r(
            "guidance",
            Read,
            200,
            Box::new(|f, _, _| Call::Get(f.case("/next"))),
        ),
        r(
            "download",
            Read,
            200,
            Box::new(|f, _, _| Call::Get(f.case(&format!("/attachments/{}", f.attachment_id)))),
        ),
        r(
            "thumbnail",
            Read,
            200,
            Box::new(|f, _, _| {
                Call::Get(f.case(&format!("/attachments/{}/thumbnail", f.attachment_id)))
            }),
        ),
        r(
            "quick log form",
            Record,
            200,
            Box::new(|f, _, _| Call::Get(f.case("/log"))),
        ),
        r(
            "quick log",
            Record,
            303,
            Box::new(|f, _, _| {
                Call::Multipart(
                    f.case("/entries"),
                    s(&[
                        ("channel", "sms"),
                        ("direction", "inbound"),
                        ("occurred_at", "2026-03-05T10:00"),
                        ("content", "hello"),
                    ]),
                    vec![("attachments".into(), "p.png".into(), png())],
                )
            }),
        ),
        r(
            "correct form",
            Record,
            200,
            Box::new(|f, _, _| Call::Get(f.case(&format!("/entries/{}/correct", f.entry_id)))),
        ),
        r(
            "correct without reason",
            Record,
            400,
            Box::new(|f, _, _| {
                Call::Form(
                    f.case(&format!("/entries/{}/correct", f.entry_id)),
                    s(&[("reason", ""), ("channel", "sms")]),
                )
            }),
        ),
        r(
            "retract without reason",
            Record,
            400,
            Box::new(|f, _, _| {
                Call::Form(
                    f.case(&format!("/entries/{}/retract", f.entry_id)),
                    s(&[("retract_reason", "")]),
                )
            }),
        ),
        r(
            "acknowledge unflagged",
            Record,
            400,
            Box::new(|f, _, _| {
                Call::Form(
                    f.case(&format!("/entries/{}/acknowledge", f.entry_id)),
                    s(&[("note", "x")]),
                )
            }),
        ),
        r(
            "action form",
            Record,
            200,
            Box::new(|f, _, _| Call::Get(f.case("/actions/new"))),
        ),
        r(
            "action",
            Record,
            303,
            Box::new(|f, _, _| {
                Call::Form(
                    f.case("/actions"),
                    s(&[
                        ("kind", "asked_to_stop"),
                        ("date", "2026-03-03"),
                        ("by", "Dr A"),
                    ]),
                )
            }),
        ),
        r(
            "exhibit form",
            Record,
            200,
            Box::new(|f, _, _| Call::Get(f.case("/exhibits/new"))),
        ),
        r(
            "exhibit",
            Record,
            303,
            Box::new(|f, _, _| {
                Call::Form(
                    f.case("/exhibits"),
                    s(&[
                        ("description", "Letter"),
                        ("item_kind", "letter"),
                        ("received_at", "2026-03-03"),
                        ("handled_by", "Reception"),
                        ("stored_at", "Safe"),
                    ]),
                )
            }),
        ),
        r(
            "custody form",
            Record,
            200,
            Box::new(|f, _, _| Call::Get(f.case(&format!("/exhibits/{}/custody", f.exhibit_id)))),
        ),
        r(
            "custody",
            Record,
            303,
            Box::new(|f, _, _| {
                Call::Form(
                    f.case(&format!("/exhibits/{}/custody", f.exhibit_id)),
                    s(&[("to", "PC 1"), ("by", "Reception"), ("at", "2026-03-04")]),
                )
            }),
        ),
        r(
            "flag",
            PublishFlag,
            303,
            Box::new(|f, _, _| {
                Call::Form(
                    f.case("/flags"),
                    s(&[("patient", "AB"), ("text", "Chaperone")]),
                )
            }),
        ),
        r(
            "withdraw flag",
            PublishFlag,
            303,
            Box::new(|f, flags, u| {
                Call::Form(f.case(&format!("/flags/{}/withdraw", flags[u])), vec![])
            }),
        ),
        r(
            "import form",
            Disclose,
            200,
            Box::new(|f, _, _| Call::Get(f.case("/import"))),
        ),
        r(
            "import without file",
            Disclose,
            400,
            Box::new(|f, _, _| {
                Call::Multipart(
                    f.case("/import"),
                    s(&[("format", "whatsapp"), ("tz", "Europe/London")]),
                    vec![],
                )
            }),
        ),
        r(
            "import confirm unknown",
            Disclose,
            400,
            Box::new(|f, _, _| {
                Call::Form(
                    f.case("/import/confirm"),
                    s(&[
                        ("upload", "upl_0000000000000000"),
                        ("format", "whatsapp"),
                        ("tz", "Europe/London"),
                    ]),
                )
            }),
        ),
        r(
            "export form",
            Disclose,
            200,
            Box::new(|f, _, _| Call::Get(f.case("/export"))),
        ),
        r(
            "export",
            Disclose,
            200,
            Box::new(|f, _, _| Call::Form(f.case("/export"), s(&[("profile", "police")]))),
        ),
        r(
            "sharing",
            Govern,
            200,
            Box::new(|f, _, _| Call::Get(f.case("/sharing"))),
        ),
        r(
            "share with nobody",
            Govern,
            400,
            Box::new(|f, _, _| Call::Form(f.case("/shares"), s(&[("user", "usr_nobody")]))),
        ),
        r(
            "revoke",
            Govern,
            303,
            Box::new(|f, _, _| {
                Call::Form(f.case(&format!("/shares/{}/revoke", f.spare.id)), vec![])
            }),
        ),
        r(
            "audit",
            Govern,
            200,
            Box::new(|f, _, _| Call::Get(f.case("/audit"))),
        ),
        // The API.
        r(
            "api case",
            Read,
            200,
            Box::new(|f, _, _| {
                Call::Api(Method::GET, format!("/api/v1/cases/{}", f.case_id), None)
            }),
        ),
        r(
            "api next",
            Read,
            200,
            Box::new(|f, _, _| {
                Call::Api(
                    Method::GET,
                    format!("/api/v1/cases/{}/next", f.case_id),
                    None,
                )
            }),
        ),
        r(
            "api log",
            Record,
            201,
            Box::new(|f, _, _| {
                Call::Api(
                    Method::POST,
                    format!("/api/v1/cases/{}/entries", f.case_id),
                    Some(
                        json!({ "occurred_at": "2026-03-06T10:00:00Z", "channel": "email", "content": "hi" }),
                    ),
                )
            }),
        ),
        r(
            "api action",
            Record,
            201,
            Box::new(|f, _, _| {
                Call::Api(
                    Method::POST,
                    format!("/api/v1/cases/{}/actions", f.case_id),
                    Some(json!({ "kind": "informed_manager", "date": "2026-03-06" })),
                )
            }),
        ),
        r(
            "api correction without reason",
            Record,
            400,
            Box::new(|f, _, _| {
                Call::Api(
                    Method::POST,
                    format!("/api/v1/entries/{}/corrections", f.entry_id),
                    Some(json!({ "reason": " " })),
                )
            }),
        ),
        r(
            "api retraction without reason",
            Record,
            400,
            Box::new(|f, _, _| {
                Call::Api(
                    Method::POST,
                    format!("/api/v1/entries/{}/retraction", f.entry_id),
                    Some(json!({ "reason": "" })),
                )
            }),
        ),
        r(
            "api flag",
            PublishFlag,
            201,
            Box::new(|f, _, _| {
                Call::Api(
                    Method::POST,
                    format!("/api/v1/cases/{}/flags", f.case_id),
                    Some(json!({ "patient": "AB", "text": "Chaperone" })),
                )
            }),
        ),
        r(
            "api audit",
            Govern,
            200,
            Box::new(|f, _, _| {
                Call::Api(
                    Method::GET,
                    format!("/api/v1/cases/{}/audit", f.case_id),
                    None,
                )
            }),
        ),
        r(
            "api share with nobody",
            Govern,
            400,
            Box::new(|f, _, _| {
                Call::Api(
                    Method::POST,
                    format!("/api/v1/cases/{}/shares", f.case_id),
                    Some(json!({ "user": "usr_nobody" })),
                )
            }),
        ),
        r(
            "api revoke",
            Govern,
            200,
            Box::new(|f, _, _| {
                Call::Api(
                    Method::DELETE,
                    format!("/api/v1/cases/{}/shares/{}", f.case_id, f.spare2.id),
                    None,
                )
            }),
        ),
    ]
}

struct Who<'a> {
    name: &'static str,
    user: Option<&'a TestUser>,
    relation: Relation,
}

async fn send(f: &Fixture, client: &Client, token: Option<&str>, call: Call) -> TestResponse {
    match call {
        Call::Get(p) => client.get(&p).await,
        Call::Form(p, fields) => {
            let v: Vec<(&str, &str)> = fields
                .iter()
                .map(|(a, b)| (a.as_str(), b.as_str()))
                .collect();
            client.post_form(&p, &v).await
        }
        Call::Multipart(p, fields, files) => {
            let v: Vec<(&str, &str)> = fields
                .iter()
                .map(|(a, b)| (a.as_str(), b.as_str()))
                .collect();
            let fl: Vec<(&str, &str, &[u8])> = files
                .iter()
                .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_slice()))
                .collect();
            client.post_multipart(&p, &v, &fl).await
        }
        Call::Api(m, p, body) => {
            let mut req = Request::builder().method(m).uri(p);
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
            // A fresh client: the API takes no cookies.
            f.app.client().send(req).await
        }
    }
}

#[tokio::test]
async fn every_case_route_for_every_user() {
    let f = Fixture::new();
    let whos = [
        Who {
            name: "shared clinician",
            user: Some(&f.shared_clinician),
            relation: Relation::Shared,
        },
        Who {
            name: "shared manager",
            user: Some(&f.shared_manager),
            relation: Relation::Shared,
        },
        Who {
            name: "unshared manager",
            user: Some(&f.unshared_manager),
            relation: Relation::None,
        },
        Who {
            name: "admin (not shared)",
            user: Some(&f.admin),
            relation: Relation::None,
        },
        Who {
            name: "admin (shared)",
            user: Some(&f.shared_admin),
            relation: Relation::Shared,
        },
        Who {
            name: "colleague",
            user: Some(&f.colleague),
            relation: Relation::None,
        },
        Who {
            name: "signed out",
            user: None,
            relation: Relation::None,
        },
        Who {
            name: "owner",
            user: Some(&f.owner),
            relation: Relation::Owner,
        },
    ];
    // One flag per user, so each allowed user withdraws their own.
    let flags: Vec<String> = whos
        .iter()
        .map(|_| {
            f.app
                .palisade()
                .publish_flag(&f.case_id, "AB", "Chaperone", "owner")
                .unwrap()
                .id
        })
        .collect();
    let mut checked = 0;
    for (u, who) in whos.iter().enumerate() {
        let (client, token) = match who.user {
            Some(user) => (f.client(user).await, Some(f.token(user, Scope::Write))),
            None => (f.app.client(), None),
        };
        let unknown_html = client.get("/cases/case_0000000000000000").await;
        for route in routes() {
            let call = (route.call)(&f, &flags, u);
            let api = matches!(call, Call::Api(..));
            let res = send(&f, &client, token.as_deref(), call).await;
            let role = who.user.map(|x| x.role);
            let may = role.is_some_and(|r| allowed(r, who.relation, route.need));
            let what = format!("{} as {}", route.name, who.name);
            if may {
                assert_eq!(res.status.as_u16(), route.ok, "{what}: {}", res.body);
            } else {
                match (who.user.is_some(), api) {
                    (false, false) => {
                        assert_eq!(res.status.as_u16(), 303, "{what}");
                        assert_eq!(res.location(), "/login", "{what}");
                    }
                    (false, true) => assert_eq!(res.status.as_u16(), 401, "{what}"),
                    (true, false) => {
                        assert_eq!(res.status.as_u16(), 404, "{what}: {}", res.body);
                        assert_eq!(
                            res.body, unknown_html.body,
                            "{what}: a refusal must look like an unknown case"
                        );
                    }
                    (true, true) => {
                        assert_eq!(res.status.as_u16(), 404, "{what}: {}", res.body);
                        assert_eq!(res.body, r#"{"error":"not found"}"#, "{what}");
                    }
                }
                assert_eq!(leaks(&res.bytes), None, "{what} leaked case content");
            }
            checked += 1;
        }
    }
    assert_eq!(checked, whos.len() * routes().len());
}

#[tokio::test]
async fn a_revoked_share_ends_on_the_very_next_request() {
    let f = Fixture::new();
    let reader = f.client(&f.shared_clinician).await;
    let token = f.token(&f.shared_clinician, Scope::Read);
    reader
        .get(&f.case(""))
        .await
        .assert_status(200)
        .assert_contains(cases_fixture::TITLE);
    let api = |t: &str| {
        Request::get(format!("/api/v1/cases/{}", f.case_id))
            .header(header::AUTHORIZATION, format!("Bearer {t}"))
            .body(Body::empty())
            .unwrap()
    };
    assert_eq!(f.app.client().send(api(&token)).await.status.as_u16(), 200);
    // The owner revokes through the page.
    let owner = f.client(&f.owner).await;
    owner
        .post_form(
            &f.case(&format!("/shares/{}/revoke", f.shared_clinician.id)),
            &[],
        )
        .await
        .assert_status(303);
    let page = reader.get(&f.case("")).await.assert_status(404);
    assert_eq!(leaks(&page.bytes), None);
    reader
        .get(&f.case(&format!("/attachments/{}", f.attachment_id)))
        .await
        .assert_status(404);
    assert_eq!(f.app.client().send(api(&token)).await.status.as_u16(), 404);
    let dash = reader.get("/").await.assert_status(200);
    assert_eq!(
        leaks(&dash.bytes),
        None,
        "the dashboard still lists the case"
    );
    // And the revocation is in the ledger.
    let v = f.app.palisade().case(&f.case_id).unwrap();
    assert!(
        v.shares
            .iter()
            .any(|s| s.user == f.shared_clinician.id && s.revoked.is_some())
    );
}

#[tokio::test]
async fn colleagues_and_unshared_admins_receive_no_case_content_anywhere() {
    let f = Fixture::new();
    f.app
        .palisade()
        .publish_flag(&f.case_id, "AB ref 40213", "Chaperone required", "owner")
        .unwrap();
    for user in [&f.colleague, &f.admin, &f.unshared_manager] {
        let c = f.client(user).await;
        for path in ["/", "/flags", "/search"] {
            let r = c.get(path).await.assert_status(200);
            assert_eq!(leaks(&r.bytes), None, "{path} as {}", user.username);
        }
        let r = c
            .post_form("/search", &[("q", "MARKER")])
            .await
            .assert_status(200);
        assert_eq!(leaks(&r.bytes), None, "search as {}", user.username);
        assert!(r.contains("Nothing found"), "{}", r.body);
        let token = f.token(user, Scope::Read);
        for (m, p, body) in [
            (Method::GET, "/api/v1/cases".to_string(), None),
            (Method::GET, "/api/v1/flags".to_string(), None),
            (
                Method::POST,
                "/api/v1/search".to_string(),
                Some(json!({ "q": "MARKER" })),
            ),
        ] {
            let mut req = Request::builder()
                .method(m)
                .uri(&p)
                .header(header::AUTHORIZATION, format!("Bearer {token}"));
            if body.is_some() {
                req = req.header(header::CONTENT_TYPE, "application/json");
            }
            let req = req
                .body(body.map_or(Body::empty(), |b| Body::from(b.to_string())))
                .unwrap();
            let r = f.app.client().send(req).await.assert_status(200);
            assert_eq!(leaks(&r.bytes), None, "{p} as {}", user.username);
        }
    }
    // The colleague's dashboard is the flags list.
    let c = f.client(&f.colleague).await;
    c.get("/")
        .await
        .assert_contains("Chaperone required")
        .assert_contains("AB ref 40213");
    // The audit trail records no search hit for them.
    let rows = f.app.accounts().audit_of_case(&f.case_id).unwrap();
    assert!(!rows.iter().any(|r| r.action == "search_hit"));
}
