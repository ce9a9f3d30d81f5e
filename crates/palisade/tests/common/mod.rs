//! Helpers shared by the end-to-end tests: run the real `palisade` binary
//! against a store in a temporary directory, parse what it prints, build a
//! populated store, and look at the files it leaves on disk.
//!
//! Every command runs with a scrubbed environment: no inherited PALISADE_*
//! variables, and HOME, XDG_CONFIG_HOME and PALISADE_CONFIG_DIR pointing into
//! the test's own temporary directory, so nothing ever touches the real $HOME.
#![allow(dead_code)] // each test crate uses a different subset

use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use tempfile::TempDir;

pub mod bundle;
pub mod bundle_world;
pub mod fixture;
pub mod tamper;

pub use fixture::Fixture;

pub const BIN: &str = env!("CARGO_BIN_EXE_palisade");

/// The first bytes of a PNG file.
pub const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";

/// What one run of the binary did.
#[derive(Debug)]
pub struct Run {
    pub args: Vec<String>,
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Assert the command succeeded; returns itself for chaining.
    #[track_caller]
    pub fn success(self) -> Self {
        assert_eq!(
            self.code, 0,
            "palisade {:?} failed (exit {}):\nstdout: {}\nstderr: {}",
            self.args, self.code, self.stdout, self.stderr
        );
        self
    }

    /// stdout parsed as one JSON document.
    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "palisade {:?} did not print JSON ({e}):\n{}\nstderr: {}",
                self.args, self.stdout, self.stderr
            )
        })
    }

    /// Assert the command failed with exit 1 and exactly one `error: ` line on
    /// stderr; returns that line.
    #[track_caller]
    pub fn error_line(&self) -> String {
        assert_eq!(
            self.code, 1,
            "palisade {:?} should fail with exit 1:\nstdout: {}\nstderr: {}",
            self.args, self.stdout, self.stderr
        );
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert_eq!(
            lines.len(),
            1,
            "palisade {:?} should print exactly one line on stderr, got: {:?}",
            self.args,
            self.stderr
        );
        assert!(
            lines[0].starts_with("error: "),
            "stderr line should start with 'error: ': {:?}",
            lines[0]
        );
        lines[0].to_string()
    }

    /// [`Run::error_line`], also asserting the line contains every one of `needles`.
    #[track_caller]
    pub fn error_mentioning(&self, needles: &[&str]) -> String {
        let line = self.error_line();
        for n in needles {
            assert!(line.contains(n), "error should mention {n:?}: {line}");
        }
        line
    }
}

/// A `palisade` command with a scrubbed environment rooted at `home`.
pub fn bare_command(home: &Path) -> Command {
    let mut c = Command::new(BIN);
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("PALISADE_") {
            c.env_remove(&k);
        }
    }
    c.env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("xdg"))
        .env("PALISADE_CONFIG_DIR", home.join("config"))
        .env("NO_COLOR", "1");
    c
}

/// Run a prepared command with `args` appended.
pub fn run_command(mut c: Command, args: &[&str]) -> Run {
    c.args(args);
    let out = c.output().expect("run the palisade binary");
    Run {
        args: args.iter().map(|s| s.to_string()).collect(),
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A data directory (possibly not yet initialised) inside its own temporary folder.
pub struct Store {
    pub tmp: TempDir,
    pub data_dir: PathBuf,
    /// Passed as --key-file when set.
    pub key_file: Option<PathBuf>,
    /// Set as PALISADE_PASSPHRASE when set.
    pub passphrase: Option<String>,
}

impl Store {
    /// Paths for a key-file store; nothing is created yet.
    pub fn new() -> Self {
        let tmp = tempfile::tempdir().expect("create a temporary directory");
        let data_dir = tmp.path().join("data");
        let key_file = Some(tmp.path().join("secret").join("master.key"));
        Self {
            tmp,
            data_dir,
            key_file,
            passphrase: None,
        }
    }

    /// A new key-file store, initialised.
    pub fn init() -> Self {
        let s = Self::new();
        s.run(&["init"]).success();
        s
    }

    pub fn home(&self) -> PathBuf {
        self.tmp.path().join("home")
    }

    pub fn db_path(&self) -> PathBuf {
        self.data_dir.join("palisade.sqlite3")
    }

    /// A command for this store: --data-dir, --key-file and the passphrase as configured.
    pub fn command(&self) -> Command {
        let mut c = bare_command(&self.home());
        c.arg("--data-dir").arg(&self.data_dir);
        if let Some(k) = &self.key_file {
            c.arg("--key-file").arg(k);
        }
        if let Some(p) = &self.passphrase {
            c.env("PALISADE_PASSPHRASE", p);
        }
        c
    }

    pub fn run(&self, args: &[&str]) -> Run {
        run_command(self.command(), args)
    }

    /// Run with --json, assert success, return the parsed output.
    #[track_caller]
    pub fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        self.run(&all).success().json()
    }

    /// `verify --json`: its exit code and report.
    pub fn verify(&self) -> (i32, Value) {
        let r = self.run(&["--json", "verify"]);
        let v = r.json();
        (r.code, v)
    }

    /// Assert `verify` passes and return its report.
    #[track_caller]
    pub fn verify_ok(&self) -> Value {
        let (code, v) = self.verify();
        assert_eq!(code, 0, "verify should pass: {v:#}");
        assert_eq!(v["ok"], true, "{v:#}");
        assert_eq!(v["errors"], Value::Array(vec![]), "{v:#}");
        v
    }

    /// Open a case and return its id.
    #[track_caller]
    pub fn open_case(&self, title: &str, kind: &str) -> String {
        let v = self.json(&[
            "case",
            "open",
            "--title",
            title,
            "--subject",
            "AB 1234",
            "--kind",
            kind,
        ]);
        v["id"].as_str().expect("case id").to_string()
    }

    /// Write `bytes` to a file in the test folder (outside the data directory).
    pub fn write_file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let dir = self.tmp.path().join("files");
        std::fs::create_dir_all(&dir).expect("create files folder");
        let p = dir.join(name);
        std::fs::write(&p, bytes).expect("write test file");
        p
    }

    /// Every sealed blob file (`blobs/xx/<hex>`), not counting `blobs/tmp`.
    pub fn blob_files(&self) -> BTreeSet<PathBuf> {
        let mut out = BTreeSet::new();
        let root = self.data_dir.join("blobs");
        let Ok(dirs) = std::fs::read_dir(&root) else {
            return out;
        };
        for d in dirs {
            let d = d.expect("read blobs folder").path();
            if !d.is_dir() || d.file_name().is_some_and(|n| n == "tmp") {
                continue;
            }
            for f in std::fs::read_dir(&d).expect("read fan-out folder") {
                out.insert(f.expect("read blob entry").path());
            }
        }
        out
    }

    /// Everything under `blobs/` (including `tmp/`), for "nothing was written" checks.
    pub fn all_blob_paths(&self) -> BTreeSet<PathBuf> {
        all_files(&self.data_dir.join("blobs"))
    }

    /// A connection to the store's database for inspecting or tampering.
    pub fn db(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(self.db_path()).expect("open the store database")
    }

    /// Row counts of records and checkpoints, read directly.
    pub fn row_counts(&self) -> (i64, i64) {
        let db = self.db();
        let n = |t: &str| -> i64 {
            db.query_row(&format!("SELECT COUNT(*) FROM {t}"), [], |r| r.get(0))
                .expect("count rows")
        };
        (n("records"), n("checkpoints"))
    }
}

/// Every regular file under `dir`, recursively.
pub fn all_files(dir: &Path) -> BTreeSet<PathBuf> {
    let mut out = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd {
            let p = e.expect("read directory entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(p);
            }
        }
    }
    out
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether `needle` occurs anywhere in `hay`.
pub fn contains_bytes(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

/// A small PNG-looking file: the PNG signature then some distinctive bytes.
pub fn png_bytes() -> Vec<u8> {
    let mut b = PNG_MAGIC.to_vec();
    b.extend_from_slice(b"\0\0\0\rIHDR");
    b.extend((0u8..=200).map(|i| i.wrapping_mul(37)));
    b
}

/// Log an SMS with a summary; returns the receipt.
#[track_caller]
pub fn log_sms(s: &Store, case: &str, at: &str, summary: &str) -> Value {
    s.json(&[
        "log",
        "--case",
        case,
        "--channel",
        "sms",
        "--occurred-at",
        at,
        "--summary",
        summary,
    ])
}
