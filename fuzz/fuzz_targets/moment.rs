//! RFC 3339 moments and days: parsing, and Display round trips.
#![no_main]

use libfuzzer_sys::fuzz_target;
use palisade_core::time::{Moment, When};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(m) = Moment::parse(s) {
        let shown = m.to_string();
        assert_eq!(Moment::parse(&shown), Ok(m), "{s:?} shown as {shown:?}");
    }
    if let Ok(w) = When::parse(s) {
        let shown = w.to_string();
        assert_eq!(When::parse(&shown), Ok(w), "{s:?} shown as {shown:?}");
        let _ = w.instant();
    }
});
