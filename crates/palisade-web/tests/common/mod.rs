//! The test harness: a real data directory in a temp dir, the real router,
//! real HTTP requests through `tower::ServiceExt::oneshot`, a cookie jar and
//! the CSRF token picked up from the pages, and a clock the test moves.
//!
//! ```ignore
//! let app = TestApp::new();
//! let admin = app.setup_admin();
//! let alice = app.create_user(Role::Clinician);
//! let client = app.sign_in(&alice).await;
//! client.get("/account").await.assert_status(200).assert_contains("Your account");
//! client.post_form("/account/tokens", &[("name", "x"), ("scope", "read")]).await;
//! app.clock().advance(Duration::from_secs(31 * 60));
//! ```
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use palisade_core::access::Role;
use palisade_service::{Accounts, KeyOptions, ManualClock, Palisade, Password, User};
use palisade_web::{AppState, WebConfig};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tempfile::TempDir;
use tower::ServiceExt;

/// The host the test client talks to (sent as `Host`, and in `Origin`).
pub const HOST: &str = "palisade.test";
/// The passwords the harness gives accounts.
pub const PASSWORD: &str = "correct horse battery staple";

/// One application over a fresh data directory.
pub struct TestApp {
    pub dir: TempDir,
    state: AppState,
    clock: Arc<ManualClock>,
    next_user: AtomicUsize,
    admin: Mutex<Option<User>>,
}

/// An account made by the harness, with its password.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub id: String,
    pub username: String,
    pub password: String,
    pub role: Role,
}

impl TestApp {
    /// Default settings (`insecure_http: false`, so cookies are `__Host-palisade`).
    pub fn new() -> Self {
        Self::with_config(WebConfig::default())
    }

    pub fn with_config(config: WebConfig) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let keys = KeyOptions {
            key_file: Some(dir.path().join("master.key")),
            passphrase: None,
        };
        let (palisade, _) = Palisade::init(&dir.path().join("data"), &keys).unwrap();
        let clock = Arc::new(ManualClock::new(jiff::Timestamp::now()));
        let accounts = palisade.open_accounts(clock.clone()).unwrap();
        let state = AppState::new(
            Arc::new(palisade),
            Arc::new(accounts),
            clock.clone(),
            config,
        );
        TestApp {
            dir,
            state,
            clock,
            next_user: AtomicUsize::new(1),
            admin: Mutex::new(None),
        }
    }

    /// The real router over this app's state.
    pub fn router(&self) -> Router {
        palisade_web::router(self.state.clone())
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    pub fn palisade(&self) -> &Arc<Palisade> {
        self.state.palisade()
    }

    pub fn accounts(&self) -> &Arc<Accounts> {
        self.state.accounts()
    }

    /// The clock sessions, throttling and the audit trail read.
    pub fn clock(&self) -> &ManualClock {
        &self.clock
    }

    /// The clock's time now.
    pub fn now(&self) -> jiff::Timestamp {
        palisade_service::Clock::now(&*self.clock)
    }

    /// Complete first-run setup (organisation "Test Practice") with an
    /// administrator, through the account service. Once per app.
    pub fn setup_admin(&self) -> TestUser {
        let token = self
            .accounts()
            .issue_setup_token()
            .unwrap()
            .expect("setup already done: call setup_admin once");
        let user = self
            .accounts()
            .complete_setup(
                &token,
                "Test Practice",
                "admin",
                "Ada Admin",
                &Password::new(PASSWORD),
            )
            .unwrap();
        *self.admin.lock().unwrap() = Some(user.clone());
        TestUser {
            id: user.id,
            username: user.username,
            password: PASSWORD.to_string(),
            role: Role::Admin,
        }
    }

    /// A new active account with `role` (sets up the organisation first if needed).
    pub fn create_user(&self, role: Role) -> TestUser {
        if self.admin.lock().unwrap().is_none() {
            self.setup_admin();
        }
        let admin = self.admin.lock().unwrap().clone().unwrap();
        let n = self.next_user.fetch_add(1, Ordering::SeqCst);
        let username = format!("{}{n}", role.as_str());
        let display = format!("{} {n}", role.label());
        let user = self
            .accounts()
            .create_user(&admin, &username, &display, role, &Password::new(PASSWORD))
            .unwrap();
        TestUser {
            id: user.id,
            username: user.username,
            password: PASSWORD.to_string(),
            role,
        }
    }

    /// A client with no cookies, from a fixed address.
    pub fn client(&self) -> Client {
        self.client_from(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 10)))
    }

    /// A client with no cookies, from `ip` (per-address throttling).
    pub fn client_from(&self, ip: IpAddr) -> Client {
        Client {
            router: self.router(),
            jar: Mutex::new(Vec::new()),
            csrf: Mutex::new(None),
            addr: SocketAddr::new(ip, 50000),
        }
    }

    /// Sign `user` in through the real `/login` form, and load `/account`
    /// so the client knows its session's CSRF token. For an account with
    /// TOTP the client stops at `/login/two-factor` (see `Client::post_form`).
    pub async fn sign_in(&self, user: &TestUser) -> Client {
        let client = self.client();
        client.sign_in(user).await;
        client
    }
}

impl Default for TestApp {
    fn default() -> Self {
        Self::new()
    }
}

/// A browser: a cookie jar, the last CSRF token seen, same-origin headers.
pub struct Client {
    router: Router,
    jar: Mutex<Vec<(String, String)>>,
    csrf: Mutex<Option<String>>,
    pub addr: SocketAddr,
}

impl Client {
    /// Sign in through the form: `GET /login`, `POST /login`, then `GET /account`.
    pub async fn sign_in(&self, user: &TestUser) -> TestResponse {
        self.get("/login").await.assert_status(200);
        let r = self
            .post_form(
                "/login",
                &[("username", &user.username), ("password", &user.password)],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "sign-in failed: {}",
            r.body
        );
        if r.location() == "/" {
            self.get("/account").await.assert_status(200);
        } else {
            self.get(r.location()).await;
        }
        r
    }

    /// The CSRF token last seen in a page (`name="_csrf" value="…"`).
    pub fn csrf(&self) -> String {
        self.csrf.lock().unwrap().clone().unwrap_or_default()
    }

    /// Override the CSRF token the client sends.
    pub fn set_csrf(&self, token: &str) {
        *self.csrf.lock().unwrap() = Some(token.to_string());
    }

    /// The value of a cookie in the jar.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.jar
            .lock()
            .unwrap()
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }

    /// Put a cookie in the jar (e.g. to replay an old session).
    pub fn set_cookie(&self, name: &str, value: &str) {
        let mut jar = self.jar.lock().unwrap();
        jar.retain(|(k, _)| k != name);
        jar.push((name.to_string(), value.to_string()));
    }

    /// Forget every cookie.
    pub fn clear_cookies(&self) {
        self.jar.lock().unwrap().clear();
    }

    pub async fn get(&self, path: &str) -> TestResponse {
        let req = Request::get(path).body(Body::empty()).unwrap();
        self.send(req).await
    }

    /// POST a urlencoded form with the CSRF token added (first).
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> TestResponse {
        let token = self.csrf();
        let mut all = vec![("_csrf", token.as_str())];
        all.extend_from_slice(fields);
        self.post_form_without_csrf(path, &all).await
    }

    /// POST a urlencoded form exactly as given (no `_csrf` added).
    pub async fn post_form_without_csrf(
        &self,
        path: &str,
        fields: &[(&str, &str)],
    ) -> TestResponse {
        let body = serde_urlencoded::to_string(fields).unwrap();
        let req = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    /// POST a multipart form: `_csrf` first, then `fields`, then `files`
    /// as `(field, file_name, bytes)`.
    pub async fn post_multipart(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &[u8])],
    ) -> TestResponse {
        let token = self.csrf();
        let mut all = vec![("_csrf", token.as_str())];
        all.extend_from_slice(fields);
        self.post_multipart_raw(path, &all, files).await
    }

    /// [`Client::post_multipart`] without the automatic `_csrf` field.
    pub async fn post_multipart_raw(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &[u8])],
    ) -> TestResponse {
        let boundary = "----palisade-test-boundary-7MA4YWxkTrZu0gW";
        let mut body: Vec<u8> = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        for (name, file_name, bytes) in files {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let req = Request::post(path)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    /// Send any request with this client's cookies, address and same-origin
    /// headers (headers already set on `req` are kept).
    pub async fn send(&self, mut req: Request<Body>) -> TestResponse {
        let h = req.headers_mut();
        h.entry(header::HOST).or_insert(HOST.parse().unwrap());
        let h = req.headers_mut();
        // A browser's same-origin form post, unless the test set either header.
        if !h.contains_key(header::ORIGIN) && !h.contains_key("sec-fetch-site") {
            h.insert(header::ORIGIN, format!("https://{HOST}").parse().unwrap());
            h.insert("sec-fetch-site", "same-origin".parse().unwrap());
        }
        let cookies = {
            let jar = self.jar.lock().unwrap();
            jar.iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ")
        };
        if !cookies.is_empty() && !req.headers().contains_key(header::COOKIE) {
            req.headers_mut()
                .insert(header::COOKIE, cookies.parse().unwrap());
        }
        req.extensions_mut().insert(ConnectInfo(self.addr));
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let body = String::from_utf8_lossy(&bytes).into_owned();
        self.remember(&headers, &body);
        TestResponse {
            status,
            headers,
            body,
            bytes: bytes.to_vec(),
        }
    }

    fn remember(&self, headers: &HeaderMap, body: &str) {
        let mut jar = self.jar.lock().unwrap();
        for v in headers.get_all(header::SET_COOKIE) {
            let v = v.to_str().unwrap();
            let first = v.split(';').next().unwrap();
            let (name, value) = first.split_once('=').unwrap();
            jar.retain(|(k, _)| k != name);
            if !value.is_empty() && !v.contains("Max-Age=0") {
                jar.push((name.to_string(), value.to_string()));
            }
        }
        if let Some(token) = csrf_in(body) {
            *self.csrf.lock().unwrap() = Some(token);
        }
    }
}

/// The first `_csrf` hidden field's value in a page.
pub fn csrf_in(body: &str) -> Option<String> {
    let at = body.find("name=\"_csrf\" value=\"")?;
    let rest = &body[at + "name=\"_csrf\" value=\"".len()..];
    Some(rest[..rest.find('"')?].to_string())
}

/// An HTTP response, read whole.
#[derive(Debug, Clone)]
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    /// The body as text (lossy for binary bodies; see `bytes`).
    pub body: String,
    pub bytes: Vec<u8>,
}

impl TestResponse {
    /// Assert the status (as a number), showing the body on failure.
    #[track_caller]
    pub fn assert_status(self, status: u16) -> Self {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body:\n{}",
            self.body
        );
        self
    }

    /// The `Location` header ("" if none).
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// Assert a redirect (303) to `to`.
    #[track_caller]
    pub fn assert_redirect(self, to: &str) -> Self {
        assert_eq!(self.status, StatusCode::SEE_OTHER, "body:\n{}", self.body);
        assert_eq!(self.location(), to);
        self
    }

    pub fn contains(&self, text: &str) -> bool {
        self.body.contains(text)
    }

    #[track_caller]
    pub fn assert_contains(self, text: &str) -> Self {
        assert!(self.contains(text), "expected {text:?} in:\n{}", self.body);
        self
    }

    #[track_caller]
    pub fn assert_not_contains(self, text: &str) -> Self {
        assert!(
            !self.contains(text),
            "did not expect {text:?} in:\n{}",
            self.body
        );
        self
    }

    /// A header's value as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// The current TOTP code (RFC 6238: SHA-1, 6 digits, 30 s) for a base32
/// secret at `at`.
pub fn totp_code(secret_base32: &str, at: jiff::Timestamp) -> String {
    let secret: String = secret_base32
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let totp = totp_rs::Builder::new()
        .with_secret(totp_rs::Secret::try_from_base32(secret).unwrap())
        .build()
        .unwrap();
    totp.generate(u64::try_from(at.as_second()).unwrap())
        .to_string()
}
