//! Evidence bundles (docs/bundle.md): a zip that discloses part of a case
//! under a profile, with the proofs that tie every disclosed field to the
//! signed ledger, checkable offline with nothing but the bundle.
//!
//! - [`profile`]: which fields and attachment bytes each profile withholds;
//! - [`format`]: the JSON documents inside a bundle;
//! - [`zipfile`]: writing the zip deterministically;
//! - [`verify`]: checking a bundle.
#![forbid(unsafe_code)]

pub mod format;
pub mod howto;
pub mod profile;
pub mod sealed;
pub mod verify;
pub mod zipfile;

pub use profile::Profile;
pub use verify::{BundleReport, Rfc3161, TimestampCheck, TokenVerifier, verify_bundle};

/// `manifest.json` `format` member.
pub const FORMAT: &str = "palisade-bundle";
/// The bundle format version this build writes and reads.
pub const VERSION: u64 = 1;

/// File names inside a bundle.
pub mod names {
    pub const MANIFEST: &str = "manifest.json";
    pub const RECORDS: &str = "records.jsonl";
    pub const PROOFS: &str = "proofs.json";
    pub const CHECKPOINT: &str = "checkpoint.txt";
    pub const PUBLIC_KEY: &str = "public-key.txt";
    pub const REPORT: &str = "report.pdf";
    pub const VERIFY: &str = "VERIFY.md";
    pub const ATTACHMENTS: &str = "attachments/";
    pub const TIMESTAMPS: &str = "timestamps/";

    /// Where an attachment's bytes go: named by their SHA-256.
    pub fn attachment(sha256_hex: &str) -> String {
        format!("{ATTACHMENTS}{sha256_hex}")
    }

    /// Where the `n`th timestamp token over the checkpoint of `size` goes.
    pub fn timestamp(size: u64, n: usize) -> String {
        format!("{TIMESTAMPS}{size}-{n}.tsr")
    }
}
