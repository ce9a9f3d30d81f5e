//! The other parsers, run on the same file: the npm `whatsapp-chat-parser`
//! under Node and the `wc-parser` crate.

use crate::Measure;
use std::path::Path;
use std::process::Command;

const NODE_PARSER: &str = "whatsapp-chat-parser@4.0.2";
const WC_PARSER: &str = "0.1.2";

/// `whatsapp-chat-parser` (npm) under Node, `TZ=UTC`.
pub fn run_node(root: &Path, export: &Path) -> Result<Measure, String> {
    let dir = root.join("bench-node");
    let module = dir.join("node_modules/whatsapp-chat-parser");
    if !module.exists() {
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        println!("installing {NODE_PARSER} into {} …", dir.display());
        let out = Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--prefix"])
            .arg(&dir)
            .arg(NODE_PARSER)
            .output()
            .map_err(|e| format!("npm: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "npm install failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
    }
    let script = "const fs = require('fs');\
        const { parseString } = require('whatsapp-chat-parser');\
        const t0 = process.hrtime.bigint();\
        const text = fs.readFileSync(process.argv[1], 'utf8');\
        const messages = parseString(text);\
        const secs = Number(process.hrtime.bigint() - t0) / 1e9;\
        console.log('RESULT ' + JSON.stringify({ messages: messages.length, secs, \
            peak_kib: process.resourceUsage().maxRSS, note: '' }));";
    let time = Path::new("/usr/bin/time");
    let mut cmd = if time.exists() {
        let mut c = Command::new(time);
        c.arg("-v").arg("node");
        c
    } else {
        Command::new("node")
    };
    let out = cmd
        .arg("-e")
        .arg(script)
        .arg(export)
        .current_dir(&dir)
        .env("TZ", "UTC")
        .output()
        .map_err(|e| format!("node: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(format!("node failed: {}", stderr.trim()));
    }
    let mut m = Measure::parse(&stdout).ok_or("node printed no result")?;
    let version = std::fs::read_to_string(module.join("package.json"))
        .ok()
        .and_then(|s| serde_json::from_str::<serde_json::Value>(&s).ok())
        .and_then(|v| v["version"].as_str().map(str::to_string))
        .unwrap_or_default();
    let node = Command::new("node")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    let from_time = stderr
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Maximum resident set size (kbytes): ")
        })
        .and_then(|v| v.trim().parse::<u64>().ok());
    let wall = stderr
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Elapsed (wall clock) time (h:mm:ss or m:ss): ")
        })
        .map(str::to_string);
    if let Some(kib) = from_time {
        m.peak_kib = kib;
    }
    m.note = format!(
        "v{version} on Node {node}; read + parseString; peak from {}{}",
        if from_time.is_some() {
            "/usr/bin/time -v"
        } else {
            "process.resourceUsage()"
        },
        wall.map(|w| format!("; process wall {w}"))
            .unwrap_or_default()
    );
    Ok(m)
}

/// `wc-parser` in a separate Cargo project (its own workspace and target folder).
pub fn run_wc(root: &Path, export: &Path) -> Result<Measure, String> {
    let dir = root.join("bench-wc");
    std::fs::create_dir_all(dir.join("src")).map_err(|e| e.to_string())?;
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"bench-wc\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
             [dependencies]\nwc-parser = \"={WC_PARSER}\"\n\n[profile.release]\ndebug = false\n\n\
             # Not part of the Palisade workspace.\n[workspace]\n"
        ),
    )
    .map_err(|e| e.to_string())?;
    std::fs::write(
        dir.join("src/main.rs"),
        r#"fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

fn main() {
    let path = std::env::args().nth(1).expect("export path");
    let t = std::time::Instant::now();
    let messages = wc_parser::parse_file(&path, None).expect("parse");
    let secs = t.elapsed().as_secs_f64();
    println!(
        "RESULT {{\"messages\":{},\"secs\":{},\"peak_kib\":{},\"note\":\"\"}}",
        messages.len(),
        secs,
        peak_rss_kib()
    );
}
"#,
    )
    .map_err(|e| e.to_string())?;
    println!("building wc-parser {WC_PARSER} in {} …", dir.display());
    let build = Command::new("cargo")
        .args(["build", "--release", "--quiet", "--manifest-path"])
        .arg(dir.join("Cargo.toml"))
        .env_remove("CARGO_TARGET_DIR")
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .output()
        .map_err(|e| format!("cargo: {e}"))?;
    if !build.status.success() {
        return Err(format!(
            "wc-parser {WC_PARSER} did not build: {}",
            String::from_utf8_lossy(&build.stderr)
                .lines()
                .filter(|l| l.starts_with("error"))
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    let out = Command::new(dir.join("target/release/bench-wc"))
        .arg(export)
        .output()
        .map_err(|e| format!("bench-wc: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "wc-parser failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let mut m = Measure::parse(&String::from_utf8_lossy(&out.stdout))
        .ok_or("bench-wc printed no result")?;
    m.note = format!(
        "v{WC_PARSER}, parse_file (mmap, rayon on {} threads)",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    Ok(m)
}
