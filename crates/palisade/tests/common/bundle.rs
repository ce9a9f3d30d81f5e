//! Evidence bundles in tests: read and rewrite a bundle's zip, run both
//! verifiers on it (`palisade verify-bundle` and the independent
//! `tools/verify_bundle.py`), and rebuild Merkle inclusion proofs from a
//! store's leaf hashes so a tampered bundle can carry a *valid* proof.

use super::{Run, bare_command, run_command};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The independent Python verifier.
pub const PYTHON_VERIFIER: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../tools/verify_bundle.py");

/// Set (CI does) to make a missing `python3` a failure instead of a skip.
pub const REQUIRE_PYTHON_ENV: &str = "PALISADE_REQUIRE_PYTHON";

/// The members of a bundle, in order, decompressed.
#[derive(Clone, Debug)]
pub struct Members(pub Vec<(String, Vec<u8>)>);

impl Members {
    /// Read every member of the zip at `path`.
    pub fn read(path: &Path) -> Self {
        let file = std::fs::File::open(path).expect("open the bundle");
        let mut zip = zip::ZipArchive::new(file).expect("the bundle is a zip");
        let mut out = Vec::with_capacity(zip.len());
        for i in 0..zip.len() {
            let mut f = zip.by_index(i).expect("read a zip member");
            let name = f.name().expect("zip member name").to_string();
            let mut bytes = Vec::new();
            f.read_to_end(&mut bytes).expect("decompress a zip member");
            out.push((name, bytes));
        }
        Members(out)
    }

    /// Write the members to a new zip at `path` (documents deflated,
    /// attachments stored, as Palisade writes them). A name that appears
    /// twice is written twice: the zip crate refuses that, so the second is
    /// written under a placeholder of the same length and renamed in the
    /// finished file's headers.
    pub fn write(&self, path: &Path) {
        let mut seen = std::collections::BTreeSet::new();
        let mut renames: Vec<(String, String)> = Vec::new();
        let file = std::fs::File::create(path).expect("create the tampered bundle");
        let mut zip = zip::ZipWriter::new(file);
        for (name, bytes) in &self.0 {
            let mut written = name.clone();
            if !seen.insert(name.clone()) {
                let n = written.len();
                written.replace_range(n - 2.., &format!("~{}", renames.len() % 10));
                assert!(!seen.contains(&written), "placeholder {written} clashes");
                renames.push((written.clone(), name.clone()));
            }
            let method = if name.starts_with("attachments/") {
                zip::CompressionMethod::Stored
            } else {
                zip::CompressionMethod::Deflated
            };
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(method)
                .unix_permissions(0o644);
            zip.start_file(written.as_str(), options)
                .expect("start a zip member");
            zip.write_all(bytes).expect("write a zip member");
        }
        zip.finish().expect("finish the zip");
        if !renames.is_empty() {
            let mut b = std::fs::read(path).expect("read the tampered bundle");
            for (from, to) in &renames {
                let (from, to) = (from.as_bytes(), to.as_bytes());
                let mut hits = 0;
                for i in 0..=b.len() - from.len() {
                    if &b[i..i + from.len()] == from {
                        b[i..i + from.len()].copy_from_slice(to);
                        hits += 1;
                    }
                }
                // The local header and the central directory.
                assert_eq!(
                    hits,
                    2,
                    "placeholder {:?} found {hits} times",
                    String::from_utf8_lossy(from)
                );
            }
            std::fs::write(path, b).expect("write the tampered bundle");
        }
    }

    pub fn names(&self) -> Vec<&str> {
        self.0.iter().map(|(n, _)| n.as_str()).collect()
    }

    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(n, _)| n == name)
    }

    #[track_caller]
    pub fn get(&self, name: &str) -> &[u8] {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, b)| b.as_slice())
            .unwrap_or_else(|| panic!("the bundle has no member {name}"))
    }

    #[track_caller]
    pub fn text(&self, name: &str) -> String {
        String::from_utf8(self.get(name).to_vec()).expect("a UTF-8 member")
    }

    /// Replace member `name`, or append it when absent.
    pub fn set(&mut self, name: &str, bytes: Vec<u8>) {
        match self.0.iter_mut().find(|(n, _)| n == name) {
            Some(m) => m.1 = bytes,
            None => self.0.push((name.to_string(), bytes)),
        }
    }

    /// Insert a member (even one whose name is already taken) just before
    /// member `before`.
    #[track_caller]
    pub fn insert_before(&mut self, before: &str, name: &str, bytes: Vec<u8>) {
        let i = self
            .0
            .iter()
            .position(|(n, _)| n == before)
            .unwrap_or_else(|| panic!("the bundle has no member {before}"));
        self.0.insert(i, (name.to_string(), bytes));
    }

    #[track_caller]
    pub fn remove(&mut self, name: &str) {
        let before = self.0.len();
        self.0.retain(|(n, _)| n != name);
        assert_eq!(self.0.len() + 1, before, "the bundle has no member {name}");
    }

    /// Edit the bytes of member `name`.
    #[track_caller]
    pub fn edit(&mut self, name: &str, f: impl FnOnce(&mut Vec<u8>)) {
        let mut b = self.get(name).to_vec();
        f(&mut b);
        self.set(name, b);
    }

    #[track_caller]
    pub fn json(&self, name: &str) -> Value {
        serde_json::from_slice(self.get(name)).expect("a JSON member")
    }

    pub fn set_json(&mut self, name: &str, v: &Value) {
        let mut b = serde_json::to_vec_pretty(v).expect("serialise JSON");
        b.push(b'\n');
        self.set(name, b);
    }

    /// Edit a JSON member as a value.
    #[track_caller]
    pub fn edit_json(&mut self, name: &str, f: impl FnOnce(&mut Value)) {
        let mut v = self.json(name);
        f(&mut v);
        self.set_json(name, &v);
    }

    /// The lines of `records.jsonl`, parsed.
    pub fn records(&self) -> Vec<Value> {
        self.text("records.jsonl")
            .lines()
            .map(|l| serde_json::from_str(l).expect("a JSON record line"))
            .collect()
    }

    pub fn set_records(&mut self, lines: &[Value]) {
        let mut out = Vec::new();
        for l in lines {
            serde_json::to_writer(&mut out, l).expect("serialise a record line");
            out.push(b'\n');
        }
        self.set("records.jsonl", out);
    }

    /// Edit the parsed record lines.
    pub fn edit_records(&mut self, f: impl FnOnce(&mut Vec<Value>)) {
        let mut lines = self.records();
        f(&mut lines);
        self.set_records(&lines);
    }
}

/// The record line whose envelope has id `id`.
#[track_caller]
pub fn line_of<'a>(lines: &'a [Value], id: &str) -> &'a Value {
    lines
        .iter()
        .find(|l| envelope(l)["id"] == id)
        .unwrap_or_else(|| panic!("no record line for {id}"))
}

/// Position of the record line whose envelope has id `id`.
#[track_caller]
pub fn position_of(lines: &[Value], id: &str) -> usize {
    lines
        .iter()
        .position(|l| envelope(l)["id"] == id)
        .unwrap_or_else(|| panic!("no record line for {id}"))
}

/// A record line's envelope, parsed.
pub fn envelope(line: &Value) -> Value {
    serde_json::from_str(line["envelope"].as_str().expect("envelope string"))
        .expect("envelope JSON")
}

/// Position of the disclosure string of field `name` in a record line.
#[track_caller]
pub fn disclosure_index(line: &Value, name: &str) -> usize {
    line["disclosures"]
        .as_array()
        .expect("disclosures")
        .iter()
        .position(|d| {
            let d: Value = serde_json::from_str(d.as_str().expect("disclosure string"))
                .expect("disclosure JSON");
            d[1] == name
        })
        .unwrap_or_else(|| panic!("no disclosure of {name} in {line}"))
}

/// What one verifier said about a bundle.
#[derive(Debug)]
pub struct Verdict {
    pub verifier: &'static str,
    pub code: i32,
    pub report: Value,
    pub stdout: String,
    pub stderr: String,
}

impl Verdict {
    pub fn errors(&self) -> Vec<String> {
        self.report["errors"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| e.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Assert the bundle was reported intact.
    #[track_caller]
    pub fn assert_intact(&self) {
        assert_eq!(
            (self.code, &self.report["ok"]),
            (0, &Value::Bool(true)),
            "{} should find the bundle intact:\n{:#}\nstderr: {}",
            self.verifier,
            self.report,
            self.stderr
        );
        assert!(
            self.errors().is_empty(),
            "{}: {:#}",
            self.verifier,
            self.report
        );
    }

    /// Assert exit 3 and, for each needle, some error containing it.
    #[track_caller]
    pub fn assert_fails_with(&self, needles: &[&str]) {
        assert_eq!(
            self.code, 3,
            "{} should exit 3 on a tampered bundle:\n{:#}\nstderr: {}",
            self.verifier, self.report, self.stderr
        );
        assert_eq!(
            self.report["ok"], false,
            "{}: {:#}",
            self.verifier, self.report
        );
        let errors = self.errors();
        for n in needles {
            assert!(
                errors.iter().any(|e| e.contains(n)),
                "{} should report a problem mentioning {n:?}; it reported:\n  - {}",
                self.verifier,
                errors.join("\n  - ")
            );
        }
    }

    /// Assert no error contains `needle`.
    #[track_caller]
    pub fn assert_no_error_mentioning(&self, needle: &str) {
        let errors = self.errors();
        assert!(
            !errors.iter().any(|e| e.contains(needle)),
            "{} should not report anything mentioning {needle:?}; it reported:\n  - {}",
            self.verifier,
            errors.join("\n  - ")
        );
    }
}

fn verdict(verifier: &'static str, run: Run) -> Verdict {
    let report = serde_json::from_str(&run.stdout).unwrap_or_else(|e| {
        panic!(
            "{verifier} did not print a JSON report ({e}), exit {}:\nstdout: {}\nstderr: {}",
            run.code, run.stdout, run.stderr
        )
    });
    Verdict {
        verifier,
        code: run.code,
        report,
        stdout: run.stdout,
        stderr: run.stderr,
    }
}

/// `palisade --json verify-bundle FILE`, with a scrubbed environment under `home`.
pub fn rust_verify(home: &Path, bundle: &Path) -> Verdict {
    let path = bundle.to_str().expect("UTF-8 path");
    verdict(
        "palisade verify-bundle",
        run_command(bare_command(home), &["--json", "verify-bundle", path]),
    )
}

/// `python3` on PATH, if any.
pub fn python3() -> Option<PathBuf> {
    static FOUND: OnceLock<Option<PathBuf>> = OnceLock::new();
    FOUND
        .get_or_init(|| {
            let path = std::env::var_os("PATH")?;
            let found = std::env::split_paths(&path)
                .map(|d| d.join("python3"))
                .find(|p| p.is_file());
            if found.is_none() {
                assert!(
                    std::env::var_os(REQUIRE_PYTHON_ENV).is_none(),
                    "python3 is not on PATH and {REQUIRE_PYTHON_ENV} is set"
                );
                // Straight to stderr, past the test harness's capture, so the
                // skip is seen even when every test passes.
                let _ = writeln!(
                    std::io::stderr(),
                    "SKIPPING the tools/verify_bundle.py half of the bundle tests: python3 is not on PATH \
                     (set {REQUIRE_PYTHON_ENV}=1 to make this a failure)"
                );
            }
            found
        })
        .clone()
}

/// Run the Python verifier with `args` before the bundle path; `None` when
/// python3 is missing (and not required).
pub fn python_run(bundle: &Path, args: &[&str], pure: bool) -> Option<Run> {
    let python = python3()?;
    let mut c = Command::new(python);
    c.arg(PYTHON_VERIFIER).args(args).arg(bundle);
    c.env_remove("PALISADE_VERIFY_PURE_PYTHON");
    if pure {
        c.env("PALISADE_VERIFY_PURE_PYTHON", "1");
    }
    let out = c.output().expect("run python3");
    Some(Run {
        args: args.iter().map(|s| s.to_string()).collect(),
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    })
}

/// `python3 tools/verify_bundle.py --json FILE` with the pure-Python
/// cryptography (or with `cryptography` when installed, if `pure` is false).
pub fn python_verify(bundle: &Path, pure: bool) -> Option<Verdict> {
    python_run(bundle, &["--json"], pure).map(|r| verdict("tools/verify_bundle.py", r))
}

/// Both verifiers' verdicts (the Python one when python3 is available).
pub fn verify_both(home: &Path, bundle: &Path) -> Vec<Verdict> {
    let mut out = vec![rust_verify(home, bundle)];
    out.extend(python_verify(bundle, true));
    out
}

/// Assert both verifiers find `bundle` intact.
#[track_caller]
pub fn assert_both_intact(home: &Path, bundle: &Path) -> Vec<Verdict> {
    let v = verify_both(home, bundle);
    for x in &v {
        x.assert_intact();
    }
    v
}

/// Assert both verifiers exit 3, each reporting something that contains
/// every one of `needles`.
#[track_caller]
pub fn assert_both_fail(home: &Path, bundle: &Path, needles: &[&str]) -> Vec<Verdict> {
    let v = verify_both(home, bundle);
    for x in &v {
        x.assert_fails_with(needles);
    }
    v
}

pub type Hash = [u8; 32];

fn node(l: &Hash, r: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(l);
    h.update(r);
    h.finalize().into()
}

/// RFC 6962 Merkle tree hash of `leaves` (leaf hashes).
pub fn tree_root(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => Sha256::digest([]).into(),
        1 => leaves[0],
        n => {
            let k = split(n);
            node(&tree_root(&leaves[..k]), &tree_root(&leaves[k..]))
        }
    }
}

fn split(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

/// RFC 6962 audit path of leaf `m` in the tree of `leaves`, leaf side first.
pub fn audit_path(m: usize, leaves: &[Hash]) -> Vec<Hash> {
    let n = leaves.len();
    if n <= 1 {
        return Vec::new();
    }
    let k = split(n);
    if m < k {
        let mut p = audit_path(m, &leaves[..k]);
        p.push(tree_root(&leaves[k..]));
        p
    } else {
        let mut p = audit_path(m - k, &leaves[k..]);
        p.push(tree_root(&leaves[..k]));
        p
    }
}

/// Standard base64 with padding, as bundles write tree hashes.
pub fn b64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}
