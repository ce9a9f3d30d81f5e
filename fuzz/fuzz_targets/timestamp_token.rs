//! RFC 3161 timestamp tokens (DER CMS SignedData): the first 32 bytes are
//! the digest the token should cover, the rest is the token.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    palisade_timestamp::fuzz_verify_token(data);
});
