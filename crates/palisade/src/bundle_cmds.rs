//! `export`, `verify-bundle` and `checkpoint --timestamp`: evidence bundles.

use crate::args::{ExportArgs, VerifyBundleArgs};
use crate::render::print_json;
use anyhow::{Context, Result, bail};
use palisade_bundle::sealed::{self, Opener};
use palisade_bundle::{BundleReport, Profile, Rfc3161, verify_bundle};
use palisade_service::{BundleEncryption, ExportOptions, ExportRange, Palisade};
use std::io::{Read, Seek, SeekFrom};
use std::process::ExitCode;
use zeroize::Zeroizing;

/// The environment variable holding a bundle passphrase (never a flag: flags
/// end up in shell history and process lists).
const BUNDLE_PASSPHRASE: &str = "PALISADE_BUNDLE_PASSPHRASE";

fn date(flag: &str, s: &Option<String>) -> Result<Option<jiff::civil::Date>> {
    s.as_deref()
        .map(|d| {
            d.trim()
                .parse::<jiff::civil::Date>()
                .with_context(|| format!("{flag} '{d}' is not a date like 2026-03-01"))
        })
        .transpose()
}

fn who(by: &Option<String>) -> Result<String> {
    by.clone()
        .or_else(|| std::env::var("USER").ok())
        .or_else(|| std::env::var("USERNAME").ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .context("say who is making the export with --by NAME")
}

pub fn export(p: &Palisade, a: &ExportArgs, json: bool) -> Result<ExitCode> {
    let encryption = if a.encrypt_passphrase {
        let pw = std::env::var(BUNDLE_PASSPHRASE)
            .ok()
            .filter(|p| !p.is_empty())
            .with_context(|| {
                format!("--encrypt-passphrase takes the passphrase from {BUNDLE_PASSPHRASE}; set it (at least 12 characters)")
            })?;
        if pw.chars().count() < 12 {
            bail!("the bundle passphrase in {BUNDLE_PASSPHRASE} must be at least 12 characters");
        }
        Some(BundleEncryption::Passphrase(Zeroizing::new(pw)))
    } else {
        a.encrypt_to.clone().map(BundleEncryption::Recipient)
    };
    let options = ExportOptions {
        case_id: a.case.clone(),
        profile: a.profile.parse::<Profile>()?,
        range: ExportRange {
            from: date("--from", &a.from)?,
            to: date("--to", &a.to)?,
        },
        include_clinical: a.include_clinical,
        reason: a.reason.clone().filter(|r| !r.trim().is_empty()),
        recipient: a.recipient.clone().filter(|r| !r.trim().is_empty()),
        by: who(&a.by)?,
        out: a.out.clone(),
        encryption,
    };
    let r = p.export(&options)?;
    if json {
        return print_json(&r);
    }
    say!("Wrote evidence bundle {} ({} bytes)", r.path, r.bytes);
    say!("  SHA-256 of the file:   {}", r.sha256);
    say!("  profile:               {}", r.profile);
    say!(
        "  records:               {} ({} fields withheld)",
        r.records,
        r.withheld_fields
    );
    say!(
        "  attachments:           {} ({} files included, {} withheld)",
        r.attachments,
        r.attachment_files,
        r.attachments_withheld
    );
    say!("  disclosure record:     {}", r.disclosure_record);
    say!("  signed tree size:      {}", r.checkpoint_size);
    say!("  key fingerprint:       {}", r.key_fingerprint);
    if r.timestamps > 0 {
        say!("  RFC 3161 timestamps:   {}", r.timestamps);
    }
    match r.encrypted.as_deref() {
        Some("passphrase") => say!(
            "Encrypted with age and the passphrase from {BUNDLE_PASSPHRASE}: send the passphrase by another route."
        ),
        Some(_) => say!("Encrypted with age to the recipient's key."),
        None => {}
    }
    Ok(ExitCode::SUCCESS)
}

pub fn verify_bundle_cmd(a: &VerifyBundleArgs, json: bool) -> Result<ExitCode> {
    let mut file = std::fs::File::open(&a.file)
        .with_context(|| format!("cannot open {}", a.file.display()))?;
    let mut head = [0u8; 32];
    let n = file
        .read(&mut head)
        .with_context(|| format!("cannot read {}", a.file.display()))?;
    file.seek(SeekFrom::Start(0))?;
    let report = if sealed::is_age(&head[..n]) {
        let opener = match &a.identity {
            Some(path) => Opener::Identities(
                std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read identity file {}", path.display()))?,
            ),
            None => Opener::Passphrase(
                std::env::var(BUNDLE_PASSPHRASE)
                    .ok()
                    .filter(|p| !p.is_empty())
                    .with_context(|| {
                        format!(
                            "{} is encrypted: set {BUNDLE_PASSPHRASE} to its passphrase, or give --identity FILE",
                            a.file.display()
                        )
                    })?,
            ),
        };
        let mut plain = tempfile::tempfile().context("cannot create a temporary file")?;
        sealed::decrypt(std::io::BufReader::new(file), &mut plain, &opener)?;
        plain.seek(SeekFrom::Start(0))?;
        verify_bundle(std::io::BufReader::new(plain), &Rfc3161)
    } else {
        verify_bundle(std::io::BufReader::new(file), &Rfc3161)
    };
    if !report.readable {
        // Not a bundle at all: an error (exit 1), not a failed check (exit 3).
        let message = format!(
            "{}: {}",
            a.file.display(),
            report.errors.first().map_or("unreadable", String::as_str)
        );
        if json {
            print_json(&report)?;
        }
        eprintln!("error: {message}");
        return Ok(ExitCode::from(1));
    }
    if json {
        print_json(&report)?;
    } else {
        print_report(&report);
    }
    Ok(if report.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(3)
    })
}

fn print_report(r: &BundleReport) {
    if r.ok {
        let clinical = if r.clinical_withheld_records > 0 {
            format!(
                ", clinical notes withheld in {} record{}",
                r.clinical_withheld_records,
                if r.clinical_withheld_records == 1 {
                    ""
                } else {
                    "s"
                }
            )
        } else {
            String::new()
        };
        say!(
            "Bundle intact: {} records, {} attachments ({} files checked, {} withheld){clinical}.",
            r.records,
            r.attachments,
            r.attachment_files_verified,
            r.attachments_withheld
        );
    } else {
        say!("Bundle FAILED verification: {} problem(s):", r.errors.len());
        for e in &r.errors {
            say!("  - {e}");
        }
    }
    if let (Some(case), Some(profile)) = (&r.case, &r.profile) {
        say!("Case {case}, profile {profile}.");
    }
    if let (Some(by), Some(at)) = (&r.exported_by, &r.exported_at) {
        let to = r
            .recipient
            .as_deref()
            .map(|t| format!(" for {t}"))
            .unwrap_or_default();
        say!("Exported by {by} at {at}{to}.");
    }
    if let (Some(origin), Some(size), Some(root)) =
        (&r.checkpoint_origin, r.checkpoint_size, &r.checkpoint_root)
    {
        say!("Signed checkpoint: {origin}, {size} records, root {root}");
    }
    if let Some(fp) = &r.key_fingerprint {
        say!("Key fingerprint: {fp}");
        say!("  Compare it with the fingerprint the practice gives you by another route.");
    }
    for t in &r.timestamps {
        say!(
            "RFC 3161 timestamp: checkpoint {} existed by {} (signed by {}, certificate SHA-256 {})",
            t.checkpoint_size,
            t.time,
            t.signer,
            t.signer_certificate_sha256
        );
    }
}

pub fn timestamp(p: &Palisade, url: &str, json: bool) -> Result<ExitCode> {
    let r = p.timestamp_checkpoint(url)?;
    if json {
        return print_json(&r);
    }
    say!("Timestamped checkpoint {} at {}", r.tree_size, r.time);
    say!("  authority: {} ({})", r.authority, r.signer);
    say!(
        "  authority certificate SHA-256: {}",
        r.signer_certificate_sha256
    );
    Ok(ExitCode::SUCCESS)
}
