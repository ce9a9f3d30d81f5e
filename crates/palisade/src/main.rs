//! The `palisade` command: parse arguments, call the service, print the
//! result as text or JSON. Exit codes: 0 success, 1 error, 2 usage error,
//! 3 `verify` found a discrepancy.
#![forbid(unsafe_code)]

/// `println!` that ignores a closed stdout (`palisade timeline | head` must not panic).
macro_rules! say {
    (@raw $($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout(), $($arg)*);
    }};
    () => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout());
    }};
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

mod args;
mod bundle_cmds;
mod commands;
mod guidance_cmds;
mod render;
mod serve_cmd;
mod sharing_cmds;
mod user_cmds;

use args::Cli;
use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = cli.json;
    match commands::run(cli) {
        Ok(code) => code,
        Err(e) => {
            let message = one_line(&e);
            eprintln!("error: {message}");
            if json {
                say!("{}", serde_json::json!({ "ok": false, "error": message }));
            }
            ExitCode::from(1)
        }
    }
}

/// The error and its causes on one line.
fn one_line(e: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in e.chain() {
        let s = cause.to_string();
        if !parts.iter().any(|p| p.contains(&s)) {
            parts.push(s);
        }
    }
    parts.join(": ").replace('\n', " ")
}
