//! Load benchmark with wrk (a plain binary, not a timed test):
//!
//! ```text
//! cargo bench -p palisade-web --bench wrk_load
//! ```
//!
//! Serves the real application (`palisade_web::serve_until`: the router,
//! middleware and embedded SQLite store `palisade serve` uses) on loopback
//! from a fresh store, signs in `SESSIONS` sessions spread over `USERS`
//! clinicians, opens a case of `ENTRIES` entries (logged through the quick-log
//! form) shared with all of them plus one case per clinician, and drives it
//! with `wrk` (Debian package `wrk`), each request under the next session in
//! turn:
//!
//! 1. **case page, closed loop**: every connection sends its next `GET
//!    /cases/{id}` (the `ENTRIES`-entry case) as soon as the last is
//!    answered: the throughput ceiling. Latency here is mostly queueing
//!    (about connections / throughput).
//! 2. **case page, paced**: the same connections, each pausing so the
//!    offered load is about `READ_RATE` requests/s: the latency a person sees
//!    at that load (the p99 target applies here).
//! 3. **quick log, closed loop** and 4. **paced** (`WRITE_RATE`): `POST
//!    /cases/{id}/entries`, the multipart quick-log form with `_csrf`, each
//!    session into its own clinician's case.
//!
//! Then it stops the server, checks the audit chain, reopens the store from
//! disk, runs the verification `palisade verify` runs, and checks that every
//! write wrk saw acknowledged (303, whose `Location` names the entry) is in
//! the ledger.
//!
//! | variable                   | default | meaning                                  |
//! |----------------------------|---------|------------------------------------------|
//! | `PALISADE_LOAD_SESSIONS`   | 200     | signed-in sessions (= wrk connections)   |
//! | `PALISADE_LOAD_USERS`      | 20      | clinicians the sessions belong to        |
//! | `PALISADE_LOAD_ENTRIES`    | 1000    | entries in the case page that is read    |
//! | `PALISADE_LOAD_SECONDS`    | 20      | length of each wrk run                   |
//! | `PALISADE_LOAD_THREADS`    | 2       | wrk threads                              |
//! | `PALISADE_LOAD_READ_RATE`  | 100     | paced case-page requests per second      |
//! | `PALISADE_LOAD_WRITE_RATE` | 100     | paced quick-log posts per second         |
//! | `PALISADE_BENCH_DIR`       | target/tmp | where the scratch store goes          |
//!
//! Without `--bench` (as `cargo test --all-targets` runs benches) it does a
//! tiny smoke run, and passes with a note when wrk is not installed.

#[path = "wrk_load/http.rs"]
mod http;
#[path = "wrk_load/wrk.rs"]
mod wrk;

use http::{Answer, Session, multipart, multipart_type, request, urlencoded};
use palisade_core::access::Role;
use palisade_service::{KeyOptions, Palisade, Password};
use palisade_web::{AppState, WebConfig};
use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use wrk::{Measured, Shape};

const PASSWORD: &str = "load benchmark password 2026";

struct Config {
    sessions: u64,
    users: u64,
    entries: u64,
    seconds: u64,
    threads: u64,
    read_rate: u64,
    write_rate: u64,
    smoke: bool,
}

fn env_u64(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) => v
            .trim()
            .replace('_', "")
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v} is not a whole number")),
        Err(_) => default,
    }
}

impl Config {
    fn from_env() -> Config {
        let smoke = !std::env::args().any(|a| a == "--bench");
        let (sessions, users, entries, seconds) = if smoke {
            (8, 2, 20, 1)
        } else {
            (200, 20, 1000, 20)
        };
        let c = Config {
            sessions: env_u64("PALISADE_LOAD_SESSIONS", sessions),
            users: env_u64("PALISADE_LOAD_USERS", users),
            entries: env_u64("PALISADE_LOAD_ENTRIES", entries),
            seconds: env_u64("PALISADE_LOAD_SECONDS", seconds),
            threads: env_u64("PALISADE_LOAD_THREADS", 2),
            read_rate: env_u64("PALISADE_LOAD_READ_RATE", 100),
            write_rate: env_u64("PALISADE_LOAD_WRITE_RATE", 100),
            smoke,
        };
        assert!(
            c.users >= 1 && c.sessions >= c.users,
            "PALISADE_LOAD_USERS must be at least 1 and at most PALISADE_LOAD_SESSIONS"
        );
        assert!(
            c.threads >= 1 && c.sessions >= c.threads,
            "wrk needs at least one connection per thread (PALISADE_LOAD_THREADS)"
        );
        c
    }

    fn shape(&self, rate: Option<u64>) -> Shape {
        Shape {
            threads: self.threads,
            connections: self.sessions,
            seconds: self.seconds,
            rate,
        }
    }
}

/// The server on a runtime of its own; stopped (gracefully) on drop.
struct Server {
    addr: SocketAddr,
    state: AppState,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    fn start(state: AppState) -> Server {
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let serving = state.clone();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .expect("tokio runtime");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("bind a loopback port");
                addr_tx
                    .send(listener.local_addr().expect("local address"))
                    .expect("send the address");
                palisade_web::serve_until(listener, serving, async {
                    let _ = stop_rx.await;
                })
                .await
                .expect("serve");
            });
        });
        let addr = addr_rx
            .recv_timeout(Duration::from_secs(30))
            .expect("the server did not start");
        Server {
            addr,
            state,
            stop: Some(stop_tx),
            thread: Some(thread),
        }
    }

    fn stop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// One clinician: their sessions and their own case.
struct Clinician {
    user_id: String,
    sessions: Vec<Session>,
    own_case: String,
}

fn expect_status(what: &str, a: &Answer, want: u16) {
    assert!(
        a.status == want,
        "{what}: expected {want}, got {}: {}",
        a.status,
        a.text().chars().take(600).collect::<String>()
    );
}

/// The case id in a `Location: /cases/{id}…` answer.
fn case_id_from(a: &Answer) -> String {
    let loc = a
        .header("location")
        .expect("a Location after opening a case");
    let rest = loc
        .strip_prefix("/cases/")
        .unwrap_or_else(|| panic!("opening a case led to {loc}"));
    rest.split(['/', '?', '#'])
        .next()
        .unwrap_or(rest)
        .to_string()
}

fn post_form(addr: SocketAddr, s: &Session, path: &str, fields: &[(&str, &str)]) -> Answer {
    let body = urlencoded(s, fields);
    request(
        addr,
        "POST",
        path,
        Some(s),
        Some("application/x-www-form-urlencoded"),
        &body,
    )
    .unwrap_or_else(|e| panic!("POST {path}: {e}"))
}

fn open_case(addr: SocketAddr, s: &Session, title: &str) -> String {
    let a = post_form(
        addr,
        s,
        "/cases",
        &[
            ("title", title),
            ("subject", "Load test patient"),
            ("kind", "amorous"),
            ("parties", "Load test patient"),
        ],
    );
    expect_status("opening a case", &a, 303);
    case_id_from(&a)
}

fn log_entry(addr: SocketAddr, s: &Session, case: &str, occurred_at: &str, summary: &str) {
    let body = multipart(
        s,
        &[
            ("channel", "sms"),
            ("direction", "inbound"),
            ("occurred_at", occurred_at),
            ("summary", summary),
            ("content", "Seed entry for the load benchmark."),
        ],
    );
    let a = request(
        addr,
        "POST",
        &format!("/cases/{case}/entries"),
        Some(s),
        Some(&multipart_type()),
        &body,
    )
    .expect("POST entries");
    expect_status("logging an entry", &a, 303);
}

/// A `datetime-local` value `days` days and `minutes` minutes (plus an
/// hour, to stay in the past in any zone) before now.
fn local_time_ago(days: i64, minutes: i64) -> String {
    let t = jiff::Timestamp::now()
        - jiff::SignedDuration::from_secs(days * 86_400 + minutes * 60 + 3600);
    t.strftime("%Y-%m-%dT%H:%M").to_string()
}

/// Users, sessions and cases; returns the clinicians and the big case's id.
fn populate(addr: SocketAddr, state: &AppState, c: &Config) -> (Vec<Clinician>, String) {
    let accounts = state.accounts();
    let token = accounts
        .issue_setup_token()
        .expect("issue the setup token")
        .expect("a new store needs setting up");
    let admin = accounts
        .complete_setup(
            &token,
            "Load Test Practice",
            "admin",
            "Load Admin",
            &Password::from(PASSWORD),
        )
        .expect("first-run setup");
    let t0 = Instant::now();
    let mut clinicians = Vec::new();
    for u in 0..c.users {
        let user = accounts
            .create_user(
                &admin,
                &format!("clinician{u:03}"),
                &format!("Dr Load {u:03}"),
                Role::Clinician,
                &Password::from(PASSWORD),
            )
            .expect("create a clinician");
        clinicians.push(Clinician {
            user_id: user.id,
            sessions: Vec::new(),
            own_case: String::new(),
        });
    }
    for i in 0..c.sessions {
        let k = usize::try_from(i % c.users).expect("index");
        let cl = &mut clinicians[k];
        let s = accounts
            .start_session(&cl.user_id, true, "127.0.0.1", "palisade-load-bench")
            .expect("start a session");
        cl.sessions.push(Session {
            cookie: s.cookie_value.clone(),
            csrf: s.info.csrf_token.clone(),
        });
    }
    println!(
        "  {} clinicians and {} sessions in {:.1} s",
        c.users,
        c.sessions,
        t0.elapsed().as_secs_f64()
    );

    let owner = clinicians[0].sessions[0].clone();
    let big = open_case(addr, &owner, "Load test: the case page");
    for cl in clinicians.iter().skip(1) {
        let a = post_form(
            addr,
            &owner,
            &format!("/cases/{big}/shares"),
            &[("user", &cl.user_id)],
        );
        expect_status("sharing the case", &a, 303);
    }
    for (i, cl) in clinicians.iter_mut().enumerate() {
        cl.own_case = open_case(addr, &cl.sessions[0], &format!("Load test: writes {i}"));
    }
    // Seed one entry at a time, timing each tenth: whether a write costs
    // more as the case grows shows here.
    let t0 = Instant::now();
    let tenth = (c.entries / 10).max(1);
    let mut rates = Vec::new();
    let mut lap = Instant::now();
    for n in 0..c.entries {
        let days = i64::try_from(n / 8).expect("days");
        let minutes = i64::try_from(n % 8).expect("minutes") * 90;
        let at = local_time_ago(days, minutes);
        log_entry(addr, &owner, &big, &at, &format!("Seed message {n:04}"));
        if (n + 1) % tenth == 0 {
            rates.push(format!(
                "{:.0}",
                tenth as f64 / lap.elapsed().as_secs_f64().max(1e-9)
            ));
            lap = Instant::now();
        }
    }
    let secs = t0.elapsed().as_secs_f64();
    println!(
        "  seeded {} entries through the quick-log form in {secs:.1} s ({:.0}/s, one connection at a time; per tenth of the case: {}/s)",
        c.entries,
        c.entries as f64 / secs.max(1e-9),
        rates.join(", ")
    );
    (clinicians, big)
}

fn write_sessions(path: &Path, rows: impl Iterator<Item = (Session, String)>) {
    let mut text = String::new();
    for (s, case) in rows {
        text.push_str(&format!("{} {} {}\n", s.cookie, s.csrf, case));
    }
    std::fs::write(path, text).expect("write the sessions file");
}

fn scratch_dir() -> tempfile::TempDir {
    let base = std::env::var_os("PALISADE_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/tmp"));
    std::fs::create_dir_all(&base).expect("create the scratch folder");
    tempfile::Builder::new()
        .prefix("palisade-load-")
        .tempdir_in(base)
        .expect("create a scratch directory")
}

/// Every acknowledged write is in the ledger: by the entry id its `Location`
/// names, and in number. Returns (acknowledged, entries in the write cases,
/// acknowledgements checked by id).
fn check_acknowledged(
    palisade: &Palisade,
    clinicians: &[Clinician],
    runs: &[Measured],
) -> (u64, usize, usize) {
    let mut entry_ids = BTreeSet::new();
    for cl in clinicians {
        let view = palisade.case(&cl.own_case).expect("read a write case");
        entry_ids.extend(view.entries.iter().map(|e| e.id.clone()));
    }
    let acked: u64 = runs.iter().map(|m| m.status("303")).sum();
    let mut by_id = 0;
    let mut missing = Vec::new();
    for loc in runs.iter().flat_map(|m| m.acked.iter()) {
        let named: Vec<&str> = loc
            .split(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'))
            .filter(|t| t.starts_with("ent_"))
            .collect();
        match named.as_slice() {
            [] => {}
            ids if ids.iter().all(|id| entry_ids.contains(*id)) => by_id += 1,
            _ => missing.push(loc.clone()),
        }
    }
    assert!(
        missing.is_empty(),
        "{} acknowledged entries are missing from the ledger, e.g. {:?}",
        missing.len(),
        &missing[..missing.len().min(5)]
    );
    assert!(
        entry_ids.len() as u64 >= acked,
        "{acked} writes were acknowledged but the ledger holds {} entries in the write cases",
        entry_ids.len()
    );
    (acked, entry_ids.len(), by_id)
}

fn main() {
    let c = Config::from_env();
    if !wrk::available() {
        if c.smoke {
            println!(
                "load benchmark: wrk is not installed (apt-get install wrk); smoke run skipped"
            );
            return;
        }
        eprintln!("error: the load benchmark needs wrk on PATH (apt-get install wrk)");
        std::process::exit(1);
    }
    let tmp = scratch_dir();
    let data = tmp.path().join("data");
    let keys = KeyOptions {
        key_file: Some(tmp.path().join("master.key")),
        passphrase: None,
    };
    let (palisade, _) = Palisade::init(&data, &keys).expect("palisade init");
    let config = WebConfig {
        insecure_http: true,
        ..WebConfig::default()
    };
    let state = AppState::open(Arc::new(palisade), config).expect("open the accounts");
    let mut server = Server::start(state);
    let addr = server.addr;
    println!(
        "load benchmark{}: {} sessions of {} clinicians, a case of {} entries, {} s per run, wrk -t{} on {addr}",
        if c.smoke { " (smoke)" } else { "" },
        c.sessions,
        c.users,
        c.entries,
        c.seconds,
        c.threads
    );
    let (clinicians, big) = populate(addr, &server.state, &c);

    let read_file = tmp.path().join("read-sessions.txt");
    let write_file = tmp.path().join("write-sessions.txt");
    let all = || {
        clinicians.iter().flat_map(|cl| {
            cl.sessions
                .iter()
                .map(move |s| (s.clone(), cl.own_case.clone()))
        })
    };
    write_sessions(&read_file, all().map(|(s, _)| (s, big.clone())));
    write_sessions(&write_file, all());

    // The case page answers, with every entry, before it is measured.
    let first = &clinicians[0].sessions[0];
    let page = request(
        addr,
        "GET",
        &format!("/cases/{big}"),
        Some(first),
        None,
        b"",
    )
    .expect("GET the case page");
    expect_status("the case page", &page, 200);
    // The newest entry is on it, and it counts them all (it may list only
    // the latest few hundred: see `cases::timeline::MAX_SHOWN`).
    let text = page.text();
    assert!(
        text.contains("Seed message 0000"),
        "the case page does not show the newest entry"
    );
    let count = format!(" of {} entries", c.entries);
    let shown = text
        .find(&count)
        .map(|at| {
            text[..at]
                .rsplit("Showing ")
                .next()
                .unwrap_or("?")
                .to_string()
        })
        .unwrap_or_else(|| panic!("the case page does not say it holds{count}"));
    println!(
        "  the case page is {} KiB and lists {shown}{count}",
        page.body.len() / 1024
    );

    let at = local_time_ago(0, 0);
    let work = tmp.path();
    let runs = vec![
        wrk::run(
            "case page, closed loop",
            "read",
            addr,
            &read_file,
            work,
            &c.shape(None),
            &at,
        ),
        wrk::run(
            "case page, paced",
            "read",
            addr,
            &read_file,
            work,
            &c.shape(Some(c.read_rate)),
            &at,
        ),
        wrk::run(
            "quick log, closed loop",
            "write",
            addr,
            &write_file,
            work,
            &c.shape(None),
            &at,
        ),
        wrk::run(
            "quick log, paced",
            "write",
            addr,
            &write_file,
            work,
            &c.shape(Some(c.write_rate)),
            &at,
        ),
    ];

    server.stop();
    let audit_problems = server
        .state
        .accounts()
        .verify_audit()
        .expect("check the audit chain");
    assert!(
        audit_problems.is_empty(),
        "the audit chain is broken: {audit_problems:?}"
    );
    drop(server);

    // Reopen from disk: what a later `palisade verify` finds.
    let t0 = Instant::now();
    let palisade = Palisade::open(&data, &keys).expect("reopen the store");
    let report = palisade.verify().expect("verify");
    let verify_secs = t0.elapsed().as_secs_f64();
    assert!(
        report.ok,
        "verify failed after the load: {:?}",
        report.errors
    );
    let (acked, stored, by_id) = check_acknowledged(&palisade, &clinicians, &runs);
    println!(
        "  verify after the load: ok ({} records, {} checkpoints, {verify_secs:.1} s); audit chain intact",
        report.records, report.checkpoints
    );
    println!(
        "  acknowledged writes: {acked}; entries in the write cases: {stored}; {by_id} acknowledgements named their entry and each is in the ledger"
    );
    println!();
    print!("{}", wrk::table(c.sessions, &runs));
    println!();
    if !c.smoke {
        judge(&c, &runs);
    }
}

/// Each target's verdict (the benchmark reports; it does not fail on a miss).
fn judge(c: &Config, runs: &[Measured]) {
    let find = |n: &str| runs.iter().find(|m| m.name == n);
    if let Some(m) = find("case page, paced") {
        let p99 = m.ms("p99");
        println!(
            "target: case page ({} entries) p99 under 50 ms at ~{} req/s: {p99:.1} ms: {}",
            c.entries,
            c.read_rate,
            if p99 < 50.0 { "met" } else { "MISSED" }
        );
    }
    if let Some(m) = find("quick log, closed loop") {
        let rate = m.status("303") as f64 / m.seconds().max(1e-9);
        println!(
            "target: at least 500 logged contacts per second: {rate:.0}/s: {}",
            if rate >= 500.0 { "met" } else { "MISSED" }
        );
    }
}
