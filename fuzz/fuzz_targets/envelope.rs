//! Record encodings: envelopes (Merkle leaf bytes), where only the canonical
//! form parses, and disclosures (`[salt, name, value]`). The ledger writes
//! RFC 8785 (JCS) bytes with its own writer; every envelope or disclosure
//! that deserialises must encode to exactly what `serde_json_canonicalizer`
//! writes for it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use palisade_core::record::{Disclosure, Envelope};

fuzz_target!(|data: &[u8]| {
    if let Ok(env) = Envelope::parse(data) {
        assert_eq!(env.to_bytes(), data, "a parsed envelope is canonical");
        let _ = env.leaf_hash();
    }
    if let Ok(env) = serde_json::from_slice::<Envelope>(data) {
        let reference = serde_json_canonicalizer::to_vec(&env).expect("reference JCS");
        assert_eq!(
            String::from_utf8_lossy(&env.to_bytes()),
            String::from_utf8_lossy(&reference),
            "envelope JCS differs from the reference"
        );
        if env.v == 1 {
            assert_eq!(Envelope::parse(&reference).as_ref(), Ok(&env));
        }
    }
    if let Ok(d) = serde_json::from_slice::<Disclosure>(data) {
        let reference =
            serde_json_canonicalizer::to_vec(&(&d.salt, &d.name, &d.value)).expect("reference JCS");
        assert_eq!(
            String::from_utf8_lossy(&d.to_bytes()),
            String::from_utf8_lossy(&reference),
            "disclosure JCS differs from the reference"
        );
    }
});
