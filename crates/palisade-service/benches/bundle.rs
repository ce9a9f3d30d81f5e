//! Evidence bundle benchmark (a plain binary, not a timed test):
//!
//! ```text
//! cargo bench -p palisade-service --bench bundle
//! ```
//!
//! Builds a case of 10,000 entries with 500 MiB of attachments (JPEG photos,
//! which get thumbnails in the report, and larger opaque files), then:
//!
//! 1. times `export` under the police profile, report.pdf included;
//!    target < 10 s;
//! 2. times `verify_bundle` on the result against the system `sha256sum`
//!    over the same attachment bytes; target <= 1.5x.
//!
//! | variable                     | default | meaning                          |
//! |------------------------------|---------|----------------------------------|
//! | `PALISADE_BENCH_ENTRIES`     | 10000   | entries in the case              |
//! | `PALISADE_BENCH_ATTACH_MIB`  | 500     | MiB of attachments in all        |
//! | `PALISADE_BENCH_PHOTOS`      | 60      | of which JPEG photos (about 1 MiB each) |
//! | `PALISADE_BENCH_RUNS`        | 3       | timed runs of each measurement   |
//! | `PALISADE_BENCH_DIR`         | target/tmp | where the scratch folder goes |
//!
//! Without `--bench` (as `cargo test --all-targets` runs it) it uses a tiny
//! smoke configuration.

mod common;

use common::{MIB, Rng, describe_fs, env_u64, new_case, pending, secs, verdict};
use palisade_bundle::{Profile, TokenVerifier, verify_bundle};
use palisade_service::{ExportOptions, ExportRange, KeyOptions, Palisade};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// A photo-like JPEG: smooth gradients with some noise, `w`×`h`.
fn photo(rng: &mut Rng, w: u32, h: u32) -> Vec<u8> {
    let shift = rng.below(256) as u32;
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        let n = (rng.next() & 0x1f) as u32;
        image::Rgb([
            ((x * 255 / w + shift + n) % 256) as u8,
            ((y * 255 / h + n) % 256) as u8,
            (((x + y) / 8 + shift) % 256) as u8,
        ])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(&img)
        .expect("encode jpeg");
    out.into_inner()
}

/// Tokens are not part of this benchmark.
struct NoTokens;

impl TokenVerifier for NoTokens {
    fn verify(&self, _: &[u8], _: &[u8; 32]) -> Result<(String, String, String), String> {
        Err("no timestamp tokens expected".into())
    }
}

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

fn best(v: &[Duration]) -> Duration {
    v.iter().min().copied().unwrap_or_default()
}

fn step(what: &str) {
    print!("{what} … ");
    std::io::stdout().flush().ok();
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--list") {
        return;
    }
    let full = args.iter().any(|a| a == "--bench");
    let scale = |full_size: u64, smoke: u64| if full { full_size } else { smoke };
    let entries = env_u64("PALISADE_BENCH_ENTRIES", scale(10_000, 200));
    let attach_mib = env_u64("PALISADE_BENCH_ATTACH_MIB", scale(500, 4));
    let photos = env_u64("PALISADE_BENCH_PHOTOS", scale(60, 2));
    let runs = env_u64("PALISADE_BENCH_RUNS", scale(3, 1)).max(1);

    let scratch = common::scratch_dir("palisade-bundle-bench-");
    let root = scratch.path().to_path_buf();
    println!(
        "palisade bundle benchmark{}",
        if full {
            ""
        } else {
            " (smoke run: not started by `cargo bench`)"
        }
    );
    println!("  scratch   {} ({})", root.display(), describe_fs(&root));
    println!();

    let keys = KeyOptions {
        key_file: Some(root.join("master.key")),
        passphrase: None,
    };
    let (p, _) = Palisade::init(&root.join("data"), &keys).expect("init");
    let case = new_case(&p, "Benchmark: bundle");

    step(&format!("writing {entries} entries"));
    let t = Instant::now();
    let mut i = 0;
    while i < entries {
        let n = 1_000.min(entries - i);
        p.commit((i..i + n).map(|k| pending(&case, k)).collect())
            .expect("commit");
        i += n;
    }
    println!("{:.2} s", secs(t.elapsed()));

    // Attachment files: photos first, the rest as 16 MiB opaque files.
    step(&format!(
        "making {attach_mib} MiB of attachments ({photos} photos)"
    ));
    let t = Instant::now();
    let files_dir = root.join("plain");
    std::fs::create_dir_all(&files_dir).expect("plain dir");
    let mut rng = Rng(0xB0_0D1E);
    let mut files: Vec<PathBuf> = Vec::new();
    let mut total = 0u64;
    for k in 0..photos {
        let bytes = photo(
            &mut rng,
            if full { 2048 } else { 320 },
            if full { 1536 } else { 240 },
        );
        total += bytes.len() as u64;
        let path = files_dir.join(format!("photo-{k:03}.jpg"));
        std::fs::write(&path, bytes).expect("write photo");
        files.push(path);
    }
    let mut k = 0;
    while total < attach_mib * MIB {
        let size = (16 * MIB).min(attach_mib * MIB - total);
        let mut buf = vec![0u8; size as usize];
        rng.fill(&mut buf);
        let path = files_dir.join(format!("recording-{k:03}.bin"));
        std::fs::write(&path, &buf).expect("write file");
        files.push(path);
        total += size;
        k += 1;
    }
    for (n, f) in files.iter().enumerate() {
        p.log_entry(
            &case,
            &common::entry(entries + n as u64),
            std::slice::from_ref(f),
        )
        .expect("log entry with attachment");
    }
    println!(
        "{:.2} s ({} files, {:.0} MiB)",
        secs(t.elapsed()),
        files.len(),
        total as f64 / MIB as f64
    );
    drop(p);

    let p = Palisade::open(&root.join("data"), &keys).expect("reopen");
    let mut export_times = Vec::new();
    let mut last = None;
    for run in 0..runs {
        let out = root.join(format!("bundle-{run}.zip"));
        step(&format!(
            "run {}: export (police profile, with report.pdf)",
            run + 1
        ));
        let t = Instant::now();
        let r = p
            .export(&ExportOptions {
                case_id: case.clone(),
                profile: Profile::Police,
                range: ExportRange::default(),
                include_clinical: false,
                reason: None,
                recipient: Some("Benchmark Constabulary".into()),
                by: "bench".into(),
                out: out.clone(),
                encryption: None,
            })
            .expect("export");
        let d = t.elapsed();
        println!(
            "{:.3} s ({:.0} MiB, {} records)",
            secs(d),
            r.bytes as f64 / MIB as f64,
            r.records
        );
        export_times.push(d);
        last = Some((out, r));
    }
    let (bundle, export_report) = last.expect("an export");
    let export_peak = peak_rss_mib();

    let mut verify_times = Vec::new();
    let mut sha_times = Vec::new();
    for run in 0..runs {
        step(&format!(
            "run {}: sha256sum over the {} attachment files",
            run + 1,
            files.len()
        ));
        let t = Instant::now();
        let ok = Command::new("sha256sum")
            .args(&files)
            .output()
            .expect("sha256sum")
            .status
            .success();
        assert!(ok, "sha256sum failed");
        let d = t.elapsed();
        println!("{:.3} s", secs(d));
        sha_times.push(d);

        step(&format!("run {}: verify_bundle", run + 1));
        let t = Instant::now();
        let f = std::io::BufReader::new(std::fs::File::open(&bundle).expect("open bundle"));
        let report = verify_bundle(f, &NoTokens);
        let d = t.elapsed();
        assert!(report.ok, "bundle does not verify: {:?}", report.errors);
        assert_eq!(report.attachment_files_verified as u64, files.len() as u64);
        println!("{:.3} s", secs(d));
        verify_times.push(d);
    }
    let (e, v, s) = (best(&export_times), best(&verify_times), best(&sha_times));
    let ratio = secs(v) / secs(s);
    println!();
    println!("| measure | time | note |");
    println!("| --- | --- | --- |");
    println!(
        "| export: {} records, {} attachments ({:.0} MiB), report.pdf | {:.2} s | best of {runs}; target < 10 s: {}; peak RSS {:.0} MiB |",
        export_report.records,
        export_report.attachments,
        total as f64 / MIB as f64,
        secs(e),
        verdict(full, secs(e) < 10.0),
        export_peak
    );
    println!("| verify-bundle | {:.2} s | best of {runs} |", secs(v));
    println!(
        "| sha256sum, same attachment bytes | {:.2} s | best of {runs} |",
        secs(s)
    );
    println!(
        "| verify-bundle / sha256sum | {ratio:.2}x | target <= 1.5x: {} |",
        verdict(full, ratio <= 1.5)
    );
    keep_or_clean(scratch, &root);
}

fn keep_or_clean(scratch: tempfile::TempDir, root: &Path) {
    if std::env::var_os("PALISADE_BENCH_KEEP").is_some() {
        println!("kept {}", root.display());
        std::mem::forget(scratch);
    }
}
