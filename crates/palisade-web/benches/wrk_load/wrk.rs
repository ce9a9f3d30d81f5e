//! Running wrk with `load.lua` and reading back what it measured.

use serde_json::Value;
use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;

const LUA: &str = include_str!("load.lua");

/// How one wrk run is shaped.
pub struct Shape {
    pub threads: u64,
    pub connections: u64,
    pub seconds: u64,
    /// Pace the connections to about this many requests/s; `None`: closed loop.
    pub rate: Option<u64>,
}

/// What one wrk run measured.
pub struct Measured {
    pub name: String,
    pub connections: u64,
    pub offered: Option<u64>,
    pub summary: Value,
    /// The `Location` of every acknowledged (303) write.
    pub acked: Vec<String>,
}

impl Measured {
    pub fn requests(&self) -> u64 {
        self.summary["requests"].as_u64().unwrap_or(0)
    }

    pub fn seconds(&self) -> f64 {
        self.summary["duration_us"].as_f64().unwrap_or(0.0) / 1e6
    }

    pub fn per_second(&self) -> f64 {
        self.requests() as f64 / self.seconds().max(1e-9)
    }

    /// A latency figure in milliseconds: `p50`, `p90`, `p99`, `p999`, `max`, `mean`.
    pub fn ms(&self, p: &str) -> f64 {
        self.summary["latency_us"][p].as_f64().unwrap_or(f64::NAN) / 1000.0
    }

    /// How many answers had HTTP status `code`.
    pub fn status(&self, code: &str) -> u64 {
        self.summary["statuses"][code].as_u64().unwrap_or(0)
    }

    /// Answers that were neither 2xx nor 3xx.
    pub fn not_ok(&self) -> u64 {
        self.summary["statuses"]
            .as_object()
            .map(|o| {
                o.iter()
                    .filter(|(k, _)| !(k.starts_with('2') || k.starts_with('3')))
                    .map(|(_, v)| v.as_u64().unwrap_or(0))
                    .sum()
            })
            .unwrap_or(0)
    }

    /// Socket errors: connect, read, write, timeout.
    pub fn socket_errors(&self) -> u64 {
        let e = &self.summary["errors"];
        ["connect", "read", "write", "timeout"]
            .iter()
            .map(|k| e[*k].as_u64().unwrap_or(0))
            .sum()
    }
}

/// Whether wrk is on PATH.
pub fn available() -> bool {
    Command::new("wrk").arg("--version").output().is_ok()
}

/// Run wrk once against `addr`: `mode` is `read` or `write` (see load.lua).
pub fn run(
    name: &str,
    mode: &str,
    addr: SocketAddr,
    sessions_file: &Path,
    work: &Path,
    shape: &Shape,
    occurred_at: &str,
) -> Measured {
    let script = work.join("load.lua");
    std::fs::write(&script, LUA).expect("write load.lua");
    let out = work.join(format!("wrk-{}.json", name.replace([' ', ','], "-")));
    let mut cmd = Command::new("wrk");
    cmd.arg(format!("-t{}", shape.threads))
        .arg(format!("-c{}", shape.connections))
        .arg(format!("-d{}s", shape.seconds))
        .args(["--timeout", "30s", "-s"])
        .arg(&script)
        .arg(format!("http://{addr}"))
        .arg("--")
        .arg(mode)
        .arg(sessions_file)
        .arg(occurred_at)
        .env("PALISADE_LOAD_OUT", &out);
    match shape.rate {
        // Each connection waits this long on average before each request: about
        // `connections × 1000 / delay` requests/s offered while answers are fast.
        Some(r) => cmd.env(
            "PALISADE_LOAD_DELAY_MS",
            (shape.connections * 1000 / r.max(1)).to_string(),
        ),
        None => cmd.env_remove("PALISADE_LOAD_DELAY_MS"),
    };
    let run = cmd.output().expect("run wrk");
    assert!(
        run.status.success(),
        "wrk failed: {}\n{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    let text = std::fs::read_to_string(&out)
        .unwrap_or_else(|e| panic!("wrk wrote no summary to {}: {e}", out.display()));
    let summary: Value = serde_json::from_str(&text).expect("wrk summary JSON");
    let acked = std::fs::read_to_string(out.with_extension("json.acked"))
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect();
    let m = Measured {
        name: name.to_string(),
        connections: shape.connections,
        offered: shape.rate,
        summary,
        acked,
    };
    println!(
        "  {name}: {} requests in {:.1} s = {:.0}/s; p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; statuses {}; socket errors {}",
        m.requests(),
        m.seconds(),
        m.per_second(),
        m.ms("p50"),
        m.ms("p99"),
        m.ms("max"),
        m.summary["statuses"],
        m.socket_errors()
    );
    m
}

/// The results as a markdown table.
pub fn table(sessions: u64, runs: &[Measured]) -> String {
    let mut t = String::new();
    t.push_str(&format!(
        "| run ({sessions} signed-in sessions, loopback; wrk and the server share 2 cores) | offered load | throughput | p50 | p99 | max | errors |\n"
    ));
    t.push_str("|---|---|---|---|---|---|---|\n");
    for m in runs {
        let offered = match m.offered {
            Some(r) => format!("~{r} req/s over {} connections", m.connections),
            None => format!("closed loop, {} connections", m.connections),
        };
        t.push_str(&format!(
            "| {} | {offered} | {:.0} req/s | {:.1} ms | {:.1} ms | {:.1} ms | {} |\n",
            m.name,
            m.per_second(),
            m.ms("p50"),
            m.ms("p99"),
            m.ms("max"),
            m.not_ok() + m.socket_errors()
        ));
    }
    t
}
