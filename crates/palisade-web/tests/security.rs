//! The security layers: headers on every response, CSRF and origin checks
//! on every form this platform owns, cookie attributes, no inline script or
//! style, administrator-only pages, API token authentication, body limit.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::body::Body;
use axum::http::{Request, header};
use axum::routing::get;
use common::{HOST, TestApp, TestResponse};
use palisade_core::access::Role;
use palisade_service::Scope;
use palisade_web::api_auth::ApiCaller;
use palisade_web::headers::CONTENT_SECURITY_POLICY;
use palisade_web::{AppState, WebConfig};
use tower::ServiceExt;

#[track_caller]
fn assert_security_headers(r: &TestResponse, what: &str) {
    assert_eq!(
        r.header("content-security-policy"),
        Some(CONTENT_SECURITY_POLICY),
        "{what}"
    );
    let csp = r.header("content-security-policy").unwrap();
    for part in [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'none'",
    ] {
        assert!(csp.contains(part), "{what}: CSP lacks {part}");
    }
    assert!(!csp.contains("unsafe-inline"), "{what}");
    assert_eq!(
        r.header("x-content-type-options"),
        Some("nosniff"),
        "{what}"
    );
    assert_eq!(r.header("referrer-policy"), Some("no-referrer"), "{what}");
    assert_eq!(r.header("x-frame-options"), Some("DENY"), "{what}");
    assert!(r.header("strict-transport-security").is_some(), "{what}");
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::new();
    let alice = app.create_user(Role::Clinician);
    let anon = app.client();
    let signed_in = app.sign_in(&alice).await;
    let responses = [
        ("login page", anon.get("/login").await.assert_status(200)),
        (
            "not found",
            anon.get("/no/such/page").await.assert_status(404),
        ),
        ("redirect", anon.get("/account").await.assert_status(303)),
        (
            "account page",
            signed_in.get("/account").await.assert_status(200),
        ),
        (
            "forbidden",
            signed_in.get("/settings").await.assert_status(403),
        ),
        (
            "csrf refusal",
            signed_in
                .post_form_without_csrf("/logout", &[])
                .await
                .assert_status(403),
        ),
        (
            "stylesheet",
            anon.get("/static/palisade.css").await.assert_status(200),
        ),
        (
            "missing asset",
            anon.get("/static/nope.css").await.assert_status(404),
        ),
    ];
    for (what, r) in &responses {
        assert_security_headers(r, what);
        let cache = r.header("cache-control").unwrap();
        if *what == "stylesheet" {
            assert!(cache.contains("max-age=31536000"), "{what}: {cache}");
        } else {
            assert_eq!(cache, "no-store", "{what}");
        }
    }
    let css = &responses[6].1;
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
    assert!(css.body.contains(".error-summary"));
    let js = anon.get("/static/app.js").await.assert_status(200);
    assert_eq!(
        js.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
}

#[tokio::test]
async fn session_cookies_are_host_only_secure_httponly_and_strict() {
    let app = TestApp::new();
    let alice = app.create_user(Role::Clinician);
    let client = app.client();
    client.get("/login").await;
    let r = client
        .post_form(
            "/login",
            &[("username", &alice.username), ("password", &alice.password)],
        )
        .await
        .assert_status(303);
    let cookie = r.header("set-cookie").unwrap();
    assert!(cookie.starts_with("__Host-palisade="), "{cookie}");
    for attr in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(attr), "{cookie} lacks {attr}");
    }
    assert!(!cookie.contains("Domain"), "{cookie}");
    assert!(
        !cookie.contains("Expires") && !cookie.contains("Max-Age"),
        "a session cookie: {cookie}"
    );
}

#[tokio::test]
async fn insecure_http_mode_drops_only_the_secure_flag() {
    let app = TestApp::with_config(WebConfig {
        insecure_http: true,
        ..WebConfig::default()
    });
    let alice = app.create_user(Role::Clinician);
    let client = app.client();
    client.get("/login").await;
    let r = client
        .post_form(
            "/login",
            &[("username", &alice.username), ("password", &alice.password)],
        )
        .await
        .assert_status(303);
    let cookie = r.header("set-cookie").unwrap();
    assert!(cookie.starts_with("palisade="), "{cookie}");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    assert!(!cookie.contains("Secure"), "{cookie}");
    assert!(r.header("strict-transport-security").is_none());
    client.get("/account").await.assert_status(200);
}

/// Every POST route of the platform, signed in as an administrator, with ids filled in.
async fn platform_post_routes(app: &TestApp) -> (common::Client, Vec<String>) {
    let admin = app.setup_admin();
    let client = app.sign_in(&admin).await;
    let alice = app.create_user(Role::Clinician);
    let (token, _) = app
        .accounts()
        .create_api_token(&admin.id, "t", &[Scope::Read])
        .unwrap();
    let other = app.sign_in(&admin).await;
    let other_sid = app
        .accounts()
        .session(&other.cookie("__Host-palisade").unwrap())
        .unwrap()
        .unwrap()
        .1
        .id;
    let routes = vec![
        "/logout".to_string(),
        "/account/password".to_string(),
        "/account/two-factor".to_string(),
        "/account/recovery-codes".to_string(),
        "/account/sessions/end-others".to_string(),
        format!("/account/sessions/{other_sid}/end"),
        "/account/tokens".to_string(),
        format!("/account/tokens/{}/revoke", token.id),
        "/settings".to_string(),
        "/settings/users".to_string(),
        format!("/settings/users/{}", alice.id),
    ];
    (client, routes)
}

#[tokio::test]
async fn every_platform_form_refuses_a_missing_or_wrong_csrf_token() {
    let app = TestApp::new();
    let (client, routes) = platform_post_routes(&app).await;
    let before = app
        .accounts()
        .api_tokens_of(&client_user(&app))
        .unwrap()
        .len();
    for path in &routes {
        client
            .post_form_without_csrf(path, &[("name", "x"), ("scope", "read")])
            .await
            .assert_status(403)
            .assert_contains("This form could not be accepted");
        client
            .post_form_without_csrf(
                path,
                &[("_csrf", "not-the-token"), ("name", "x"), ("scope", "read")],
            )
            .await
            .assert_status(403);
        // A token of the right length but wrong value.
        let wrong: String = client
            .csrf()
            .chars()
            .map(|c| if c == 'A' { 'B' } else { 'A' })
            .collect();
        client
            .post_form_without_csrf(path, &[("_csrf", &wrong), ("name", "x"), ("scope", "read")])
            .await
            .assert_status(403);
    }
    // Nothing happened: still signed in, no token created, none revoked.
    client.get("/account").await.assert_status(200);
    let after = app.accounts().api_tokens_of(&client_user(&app)).unwrap();
    assert_eq!(after.len(), before);
    assert!(after.iter().all(|t| !t.revoked));
    assert_eq!(
        app.accounts()
            .sessions_of(&client_user(&app))
            .unwrap()
            .len(),
        2
    );
}

fn client_user(app: &TestApp) -> String {
    app.accounts()
        .user_by_username("admin")
        .unwrap()
        .unwrap()
        .id
}

#[tokio::test]
async fn sign_in_and_setup_forms_refuse_a_missing_token() {
    let app = TestApp::new();
    let token = app.accounts().issue_setup_token().unwrap().unwrap();
    let client = app.client();
    client.get("/login").await.assert_status(200);
    let fields = [
        ("org_name", "X"),
        ("username", "eve"),
        ("display_name", "Eve"),
        ("password", "a long enough password"),
        ("password_confirm", "a long enough password"),
    ];
    client
        .post_form_without_csrf(&format!("/setup/{token}"), &fields)
        .await
        .assert_status(403);
    assert!(app.accounts().setup_needed().unwrap());
    client
        .post_form_without_csrf("/login", &[("username", "eve"), ("password", "x")])
        .await
        .assert_status(403);
    // Without the pre-session cookie, the token in the form alone is not enough.
    let token_seen = client.csrf();
    let fresh = app.client();
    fresh
        .post_form_without_csrf(
            "/login",
            &[
                ("_csrf", &token_seen),
                ("username", "eve"),
                ("password", "x"),
            ],
        )
        .await
        .assert_status(403);
}

#[tokio::test]
async fn requests_from_another_site_are_refused_even_with_a_token() {
    let app = TestApp::new();
    let alice = app.create_user(Role::Clinician);
    let client = app.sign_in(&alice).await;
    let form = format!("_csrf={}&name=evil&scope=write", client.csrf());
    for (name, value) in [
        ("origin", "https://evil.example"),
        ("origin", "null"),
        ("sec-fetch-site", "cross-site"),
        ("sec-fetch-site", "same-site"),
    ] {
        let req = Request::post("/account/tokens")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(name, value)
            .body(Body::from(form.clone()))
            .unwrap();
        client.send(req).await.assert_status(403);
    }
    assert!(app.accounts().api_tokens_of(&alice.id).unwrap().is_empty());
    // Behind a reverse proxy that rewrites Host: the browser's Sec-Fetch-Site,
    // or the proxy's X-Forwarded-Host, vouches for the origin.
    for (name, value) in [
        ("sec-fetch-site", "same-origin"),
        ("x-forwarded-host", HOST),
    ] {
        let req = Request::post("/account/tokens")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::HOST, "127.0.0.1:8080")
            .header(header::ORIGIN, format!("https://{HOST}"))
            .header(name, value)
            .body(Body::from(form.clone()))
            .unwrap();
        client.send(req).await.assert_status(200);
    }
    assert_eq!(app.accounts().api_tokens_of(&alice.id).unwrap().len(), 2);
    // Same origin, with the token: accepted.
    let req = Request::post("/account/tokens")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ORIGIN, format!("https://{HOST}"))
        .body(Body::from(form))
        .unwrap();
    client
        .send(req)
        .await
        .assert_status(200)
        .assert_contains("Your new API token");
}

/// No inline script, event handler attribute or inline style in a page.
#[track_caller]
fn assert_no_inline_code(path: &str, body: &str) {
    let lower = body.to_ascii_lowercase();
    let mut rest = lower.as_str();
    while let Some(at) = rest.find("<script") {
        let tag = &rest[at..at + rest[at..].find('>').unwrap()];
        assert!(tag.contains(" src="), "{path}: inline <script>: {tag}");
        let after = &rest[at + tag.len() + 1..];
        assert!(after.starts_with("</script>"), "{path}: script with a body");
        rest = after;
    }
    assert!(!lower.contains("<style"), "{path}: <style> element");
    assert!(!lower.contains(" style="), "{path}: style attribute");
    assert!(!lower.contains("javascript:"), "{path}: javascript: URL");
    for word in lower.split(|c: char| c.is_whitespace()) {
        if let Some(name) = word.split('=').next().filter(|_| word.contains('=')) {
            assert!(
                !(name.starts_with("on")
                    && name.len() > 2
                    && name.chars().all(|c| c.is_ascii_lowercase())),
                "{path}: event handler attribute {word}"
            );
        }
    }
}

#[tokio::test]
async fn no_page_has_inline_script_or_style() {
    let app = TestApp::new();
    let token = app.accounts().issue_setup_token().unwrap().unwrap();
    let anon = app.client();
    for path in [
        "/login".to_string(),
        format!("/setup/{token}"),
        "/nowhere".to_string(),
    ] {
        let r = anon.get(&path).await;
        assert_no_inline_code(&path, &r.body);
    }
    let admin = app.setup_admin();
    let alice = app.create_user(Role::Clinician);
    let client = app.sign_in(&admin).await;
    for path in [
        "/account".to_string(),
        "/account/two-factor".to_string(),
        "/account/sessions".to_string(),
        "/account/tokens".to_string(),
        "/settings".to_string(),
        "/settings/users".to_string(),
        format!("/settings/users/{}", alice.id),
    ] {
        let r = client.get(&path).await.assert_status(200);
        assert_no_inline_code(&path, &r.body);
        assert!(
            r.body.contains("name=\"_csrf\""),
            "{path}: sign-out form carries the token"
        );
    }
    // Pages after a POST: form errors, a token shown once.
    let r = client
        .post_form("/account/tokens", &[("name", ""), ("scope", "read")])
        .await
        .assert_status(422);
    assert_no_inline_code("token form errors", &r.body);
    let r = client
        .post_form("/account/tokens", &[("name", "x"), ("scope", "read")])
        .await
        .assert_status(200);
    assert_no_inline_code("new token", &r.body);
}

#[tokio::test]
async fn administration_is_refused_to_every_other_role() {
    let app = TestApp::new();
    let admin = app.setup_admin();
    for role in [Role::Clinician, Role::Manager, Role::Colleague] {
        let user = app.create_user(role);
        let client = app.sign_in(&user).await;
        for path in [
            "/settings".to_string(),
            "/settings/users".to_string(),
            format!("/settings/users/{}", admin.id),
        ] {
            client
                .get(&path)
                .await
                .assert_status(403)
                .assert_not_contains("Ada Admin");
        }
        client
            .post_form(
                "/settings",
                &[
                    ("org_name", "Taken over"),
                    ("idle_timeout_minutes", "30"),
                    ("absolute_timeout_hours", "12"),
                ],
            )
            .await
            .assert_status(403);
        client
            .post_form(
                "/settings/users",
                &[
                    ("username", "sneaky"),
                    ("display_name", "S"),
                    ("role", "admin"),
                    ("password", "a long enough password"),
                ],
            )
            .await
            .assert_status(403);
        client
            .post_form(
                &format!("/settings/users/{}", user.id),
                &[("role", "admin")],
            )
            .await
            .assert_status(403);
        // The navigation does not offer Settings.
        client
            .get("/account")
            .await
            .assert_not_contains("href=\"/settings\"");
    }
    assert_eq!(app.accounts().org().unwrap().name, "Test Practice");
    assert!(app.accounts().user_by_username("sneaky").unwrap().is_none());
    assert!(
        app.accounts()
            .users()
            .unwrap()
            .iter()
            .filter(|u| u.role == Role::Admin)
            .count()
            == 1
    );
    let admin_client = app.sign_in(&admin).await;
    admin_client
        .get("/settings")
        .await
        .assert_status(200)
        .assert_contains("Settings");
    admin_client
        .get("/account")
        .await
        .assert_contains("href=\"/settings\"");
}

async fn whoami(caller: ApiCaller) -> Result<String, palisade_web::WebError> {
    caller.require(Scope::Read)?;
    Ok(caller.user.username)
}

async fn write_something(caller: ApiCaller) -> Result<String, palisade_web::WebError> {
    caller.require(Scope::Write)?;
    Ok("written".into())
}

async fn api_call(
    state: &AppState,
    path: &str,
    token: Option<&str>,
) -> (u16, String, Option<String>) {
    let router = axum::Router::new()
        .route("/api/v1/test/me", get(whoami))
        .route("/api/v1/test/write", get(write_something))
        .with_state(state.clone());
    let mut req = Request::get(path);
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let res = router
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status().as_u16();
    let www = res
        .headers()
        .get(header::WWW_AUTHENTICATE)
        .map(|v| v.to_str().unwrap().to_string());
    let body = http_body_util::BodyExt::collect(res.into_body())
        .await
        .unwrap()
        .to_bytes();
    (status, String::from_utf8(body.to_vec()).unwrap(), www)
}

#[tokio::test]
async fn api_tokens_made_on_the_page_authenticate_until_revoked() {
    let app = TestApp::new();
    let alice = app.create_user(Role::Clinician);
    let client = app.sign_in(&alice).await;
    let page = client
        .post_form(
            "/account/tokens",
            &[("name", "Reporting script"), ("scope", "read")],
        )
        .await
        .assert_status(200)
        .assert_contains("This is the only time the token is shown");
    let at = page.body.find("id=\"api-token\">").unwrap() + "id=\"api-token\">".len();
    let token = &page.body[at..at + page.body[at..].find('<').unwrap()];
    assert!(token.starts_with("pal_"), "{token}");
    // The list never shows it again.
    client
        .get("/account/tokens")
        .await
        .assert_contains("Reporting script")
        .assert_not_contains(token);

    let state = app.state();
    let (status, body, _) = api_call(state, "/api/v1/test/me", Some(token)).await;
    assert_eq!((status, body.as_str()), (200, alice.username.as_str()));
    let (status, body, _) = api_call(state, "/api/v1/test/write", Some(token)).await;
    assert_eq!(status, 403);
    assert!(body.contains("\"error\""), "{body}");
    let (status, body, www) = api_call(state, "/api/v1/test/me", None).await;
    assert_eq!(status, 401);
    assert!(body.starts_with("{\"error\":"), "{body}");
    assert_eq!(www.as_deref(), Some("Bearer"));
    let (status, _, _) = api_call(state, "/api/v1/test/me", Some("pal_not-a-real-token")).await;
    assert_eq!(status, 401);

    // Revoke on the page: refused at once.
    let tid = app.accounts().api_tokens_of(&alice.id).unwrap()[0]
        .id
        .clone();
    client
        .post_form(&format!("/account/tokens/{tid}/revoke"), &[])
        .await
        .assert_redirect("/account/tokens?done=revoked");
    let (status, _, _) = api_call(state, "/api/v1/test/me", Some(token)).await;
    assert_eq!(status, 401);
    // Someone else cannot revoke (or learn of) a token.
    let bob = app.create_user(Role::Clinician);
    app.sign_in(&bob)
        .await
        .post_form(&format!("/account/tokens/{tid}/revoke"), &[])
        .await
        .assert_status(404);
}

#[tokio::test]
async fn a_write_token_can_write() {
    let app = TestApp::new();
    let alice = app.create_user(Role::Clinician);
    let client = app.sign_in(&alice).await;
    let page = client
        .post_form("/account/tokens", &[("name", "Logger"), ("scope", "write")])
        .await
        .assert_status(200);
    let at = page.body.find("id=\"api-token\">").unwrap() + "id=\"api-token\">".len();
    let token = &page.body[at..at + page.body[at..].find('<').unwrap()];
    let (status, body, _) = api_call(app.state(), "/api/v1/test/write", Some(token)).await;
    assert_eq!((status, body.as_str()), (200, "written"));
}

#[tokio::test]
async fn request_bodies_over_the_limit_are_refused() {
    let app = TestApp::with_config(WebConfig {
        max_upload_bytes: 4096,
        ..WebConfig::default()
    });
    let alice = app.create_user(Role::Clinician);
    let client = app.sign_in(&alice).await;
    let big = "x".repeat(10_000);
    client
        .post_form("/account/tokens", &[("name", &big), ("scope", "read")])
        .await
        .assert_status(413);
    assert!(app.accounts().api_tokens_of(&alice.id).unwrap().is_empty());
}

#[tokio::test]
async fn the_navigation_marks_the_current_page_and_offers_sign_out_as_a_form() {
    let app = TestApp::new();
    let alice = app.create_user(Role::Clinician);
    let client = app.sign_in(&alice).await;
    let page = client.get("/account/sessions").await.assert_status(200);
    assert!(
        page.contains("<a href=\"/account\" aria-current=\"page\">Account</a>"),
        "{}",
        page.body
    );
    assert_eq!(page.body.matches("aria-current").count(), 1);
    assert!(page.contains("<form method=\"post\" action=\"/logout\">"));
    assert!(page.contains("class=\"skip-link\" href=\"#main-content\""));
    assert!(page.contains("id=\"main-content\""));
    // Error pages keep the navigation for a signed-in user.
    client
        .get("/settings")
        .await
        .assert_status(403)
        .assert_contains("action=\"/logout\"")
        .assert_contains("Clinician 1");
    client
        .get("/no/such/page")
        .await
        .assert_status(404)
        .assert_contains("Page not found")
        .assert_contains("action=\"/logout\"");
}

async fn upload(
    me: palisade_web::session::SignedIn,
    multipart: axum::extract::Multipart,
) -> Result<String, palisade_web::WebError> {
    let form = palisade_web::csrf::read_multipart(&me, multipart, Default::default()).await?;
    let files: Vec<String> = form
        .files
        .iter()
        .map(|f| format!("{}:{}:{}", f.field, f.file_name, f.bytes.len()))
        .collect();
    Ok(format!(
        "{}|{}",
        form.text("summary").unwrap_or(""),
        files.join(",")
    ))
}

#[tokio::test]
async fn multipart_forms_need_the_token_as_their_first_field() {
    let app = TestApp::new();
    let alice = app.create_user(Role::Clinician);
    let client = app.sign_in(&alice).await;
    let token = client.csrf();
    // A client over a router with one extra upload route and the real layers.
    let router = axum::Router::new()
        .route("/test/upload", axum::routing::post(upload))
        .with_state(app.state().clone());
    let send = |fields: Vec<(&'static str, String)>,
                files: Vec<(&'static str, &'static str, Vec<u8>)>| {
        let router = router.clone();
        let cookie = format!(
            "__Host-palisade={}",
            client.cookie("__Host-palisade").unwrap()
        );
        async move {
            let boundary = "XyZ";
            let mut body = Vec::new();
            for (n, v) in &fields {
                body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{n}\"\r\n\r\n{v}\r\n").as_bytes());
            }
            for (n, f, b) in &files {
                body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{n}\"; filename=\"{f}\"\r\n\r\n").as_bytes());
                body.extend_from_slice(b);
                body.extend_from_slice(b"\r\n");
            }
            body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
            let req = Request::post("/test/upload")
                .header(
                    header::CONTENT_TYPE,
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .header(header::COOKIE, cookie)
                .body(Body::from(body))
                .unwrap();
            let res = router.oneshot(req).await.unwrap();
            let status = res.status().as_u16();
            let body = http_body_util::BodyExt::collect(res.into_body())
                .await
                .unwrap()
                .to_bytes();
            (status, String::from_utf8_lossy(&body).into_owned())
        }
    };
    let (status, body) = send(
        vec![("_csrf", token.clone()), ("summary", "called twice".into())],
        vec![
            ("attachments", "a.png", vec![1, 2, 3]),
            ("attachments", "", vec![]),
        ],
    )
    .await;
    assert_eq!(
        (status, body.as_str()),
        (200, "called twice|attachments:a.png:3")
    );
    let (status, _) = send(
        vec![("summary", "x".into()), ("_csrf", token.clone())],
        vec![],
    )
    .await;
    assert_eq!(status, 403, "the token must come first");
    let (status, _) = send(vec![("summary", "x".into())], vec![]).await;
    assert_eq!(status, 403, "no token");
    let (status, _) = send(
        vec![("_csrf", "wrong".into()), ("summary", "x".into())],
        vec![],
    )
    .await;
    assert_eq!(status, 403, "wrong token");
    let (status, _) = send(
        vec![("_csrf", token.clone()), ("_csrf", token.clone())],
        vec![],
    )
    .await;
    assert_eq!(status, 403, "a second token");
}

/// Behind a reverse proxy on the same machine (`--behind-proxy`), the
/// client's address comes from the proxy's `X-Forwarded-For`, so throttling
/// and the audit trail see the real client; the header is ignored when the
/// flag is off or the connection does not come from loopback.
#[tokio::test]
async fn the_client_address_behind_a_proxy_comes_from_x_forwarded_for() {
    async fn failed_sign_in_from(app: &TestApp, peer: &str, forwarded: &str) -> String {
        let client = app.client_from(peer.parse().expect("ip"));
        client.get("/login").await.assert_status(200);
        let body = serde_urlencoded::to_string([
            ("_csrf", client.csrf().as_str()),
            ("username", "admin"),
            ("password", "not the password at all"),
        ])
        .expect("form");
        let req = Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("x-forwarded-for", forwarded)
            .body(Body::from(body))
            .expect("request");
        let res = client.send(req).await;
        assert_eq!(res.status, 401, "a wrong password: {}", res.body);
        let recent = app.accounts().audit_recent(1).expect("audit");
        assert_eq!(recent[0].action, "sign_in_failed");
        recent[0].client.clone().unwrap_or_default()
    }

    let proxied = TestApp::with_config(WebConfig {
        behind_proxy: true,
        ..WebConfig::default()
    });
    proxied.setup_admin();
    assert_eq!(
        failed_sign_in_from(&proxied, "127.0.0.1", "6.6.6.6, 203.0.113.9").await,
        "203.0.113.9",
        "the proxy's own entry (the last) is the client"
    );
    assert_eq!(
        failed_sign_in_from(&proxied, "198.51.100.4", "203.0.113.9").await,
        "198.51.100.4",
        "a header from a non-loopback peer is not trusted"
    );

    let direct = TestApp::new();
    direct.setup_admin();
    assert_eq!(
        failed_sign_in_from(&direct, "127.0.0.1", "203.0.113.9").await,
        "127.0.0.1",
        "without --behind-proxy the header is ignored"
    );
}
