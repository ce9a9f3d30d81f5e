//! Signed checkpoint notes, verified with a fixed key, and verifier keys
//! (`name+keyid+base64`).
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use palisade_core::checkpoint::{LogSigner, NoteVerifier};

/// The key the seed corpus's notes are signed with (seed: 32 × 0x07).
static SIGNER: LazyLock<LogSigner> =
    LazyLock::new(|| LogSigner::from_seed("palisade/fuzz", &[7u8; 32]));
static VERIFIER: LazyLock<NoteVerifier> = LazyLock::new(|| SIGNER.verifier());

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(body) = VERIFIER.verify(&text) {
        // A note that verifies re-signs to one that verifies to the same body.
        assert_eq!(VERIFIER.verify(&SIGNER.sign(&body)), Ok(body));
    }
    if let Ok(v) = NoteVerifier::from_vkey(&text) {
        assert_eq!(NoteVerifier::from_vkey(&v.to_vkey()), Ok(v.clone()));
        let _ = v.verify(&text);
    }
});
