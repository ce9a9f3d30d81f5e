//! Evidence bundles as a recipient receives them: any bytes, read as a zip
//! and checked end to end (documents, records, proofs, attachments, tokens).
#![no_main]

use libfuzzer_sys::fuzz_target;
use palisade_bundle::{Rfc3161, verify_bundle};

fuzz_target!(|data: &[u8]| {
    let report = verify_bundle(std::io::Cursor::new(data), &Rfc3161);
    // A report is intact exactly when it lists no problem.
    assert_eq!(report.ok, report.errors.is_empty());
});
