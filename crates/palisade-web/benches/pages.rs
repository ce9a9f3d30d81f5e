//! Page benchmark: the real server on loopback, many concurrent clients
//! (the issue's load benchmark, with wrk and 200 sessions, is `wrk_load`).
//!
//! `cargo bench -p palisade-web --bench pages [-- SECONDS CONCURRENCY]`
//!
//! Measures, each for SECONDS (default 5) with CONCURRENCY (default 16)
//! clients, one request per TCP connection (the worst case: no keep-alive):
//! the stylesheet (routing, headers), the sign-in page (pre-session token),
//! a signed-in page (session lookup in `accounts.db`, render), the dashboard,
//! and sign-ins (Argon2id on the blocking pool). Prints requests per second
//! and latency percentiles.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use palisade_core::access::Role;
use palisade_service::{KeyOptions, Palisade, Password};
use palisade_web::{AppState, WebConfig};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const PASSWORD: &str = "correct horse battery staple";

async fn request(addr: SocketAddr, raw: &str) -> String {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(raw.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).await.unwrap();
    String::from_utf8_lossy(&out).into_owned()
}

fn get(addr: SocketAddr, path: &str, cookie: &str) -> String {
    let cookie = if cookie.is_empty() {
        String::new()
    } else {
        format!("Cookie: {cookie}\r\n")
    };
    format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n{cookie}Connection: close\r\n\r\n")
}

fn cookie_of(response: &str, name: &str) -> String {
    let at = response
        .find(&format!("set-cookie: {name}="))
        .expect("cookie")
        + "set-cookie: ".len();
    response[at..].split(';').next().unwrap().to_string()
}

fn csrf_of(response: &str) -> String {
    let key = "name=\"_csrf\" value=\"";
    let at = response.find(key).unwrap() + key.len();
    response[at..at + response[at..].find('"').unwrap()].to_string()
}

/// A sign-in through the real form: GET /login, then POST it.
async fn sign_in(addr: SocketAddr, username: &str) -> String {
    let page = request(addr, &get(addr, "/login", "")).await;
    let pre = cookie_of(&page, "palisade-pre");
    let body = serde_urlencoded::to_string([
        ("_csrf", csrf_of(&page).as_str()),
        ("username", username),
        ("password", PASSWORD),
    ])
    .unwrap();
    let raw = format!(
        "POST /login HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\nCookie: {pre}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
    let res = request(addr, &raw).await;
    assert!(res.starts_with("HTTP/1.1 303"), "{res}");
    cookie_of(&res, "palisade")
}

struct Stats {
    name: &'static str,
    latencies: Vec<Duration>,
    elapsed: Duration,
}

impl Stats {
    fn print(&mut self) {
        self.latencies.sort();
        let n = self.latencies.len();
        let pct = |p: f64| {
            let i = ((n as f64 * p) as usize).min(n.saturating_sub(1));
            self.latencies
                .get(i)
                .copied()
                .unwrap_or_default()
                .as_secs_f64()
                * 1000.0
        };
        println!(
            "{:<28} {:>8} req {:>9.0} req/s   p50 {:>7.2} ms   p95 {:>7.2} ms   p99 {:>7.2} ms",
            self.name,
            n,
            n as f64 / self.elapsed.as_secs_f64(),
            pct(0.50),
            pct(0.95),
            pct(0.99)
        );
    }
}

/// Run `make` from `concurrency` tasks for `seconds`; every response must
/// start with `expect`.
async fn run<F, Fut>(
    name: &'static str,
    seconds: u64,
    concurrency: usize,
    expect: &'static str,
    make: F,
) -> Stats
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = String> + Send,
{
    let make = Arc::new(make);
    let start = Instant::now();
    let until = start + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let make = make.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            while Instant::now() < until {
                let t = Instant::now();
                let res = make().await;
                assert!(
                    res.starts_with(expect),
                    "{name}: {}",
                    &res[..res.len().min(300)]
                );
                lat.push(t.elapsed());
            }
            lat
        }));
    }
    let mut latencies = Vec::new();
    for t in tasks {
        latencies.extend(t.await.unwrap());
    }
    Stats {
        name,
        latencies,
        elapsed: start.elapsed(),
    }
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let seconds: u64 = args.first().and_then(|s| s.parse().ok()).unwrap_or(5);
    let concurrency: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(16);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let dir = tempfile::tempdir().unwrap();
        let keys = KeyOptions { key_file: Some(dir.path().join("master.key")), passphrase: None };
        let (palisade, _) = Palisade::init(&dir.path().join("data"), &keys).unwrap();
        let config = WebConfig { insecure_http: true, ..WebConfig::default() };
        let state = AppState::open(Arc::new(palisade), config).unwrap();
        let accounts = state.accounts().clone();
        let token = accounts.issue_setup_token().unwrap().unwrap();
        let admin = accounts
            .complete_setup(&token, "Bench Practice", "admin", "Admin", &Password::new(PASSWORD))
            .unwrap();
        accounts
            .create_user(&admin, "clinician", "Dr Bench", Role::Clinician, &Password::new(PASSWORD))
            .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(palisade_web::serve_until(listener, state, async move {
            let _ = stopped.await;
        }));
        let session = sign_in(addr, "clinician").await;
        println!("palisade-web load: {seconds} s per scenario, {concurrency} concurrent clients, new connection per request");

        let scenarios = [
            ("GET /static/palisade.css", get(addr, "/static/palisade.css", "")),
            ("GET /login", get(addr, "/login", "")),
            ("GET /account (signed in)", get(addr, "/account", &session)),
            ("GET / (dashboard)", get(addr, "/", &session)),
        ];
        for (name, raw) in scenarios {
            let make = move || {
                let raw = raw.clone();
                async move { request(addr, &raw).await }
            };
            run(name, seconds, concurrency, "HTTP/1.1 200", make).await.print();
        }
        // Sign-ins: Argon2id bound; fewer clients (the blocking pool does the work).
        let signin = move || async move { sign_in(addr, "clinician").await };
        let mut s = run("sign-in (GET+POST /login)", seconds, concurrency.min(4), "", signin).await;
        s.print();

        stop.send(()).unwrap();
        server.await.unwrap().unwrap();
    });
}
