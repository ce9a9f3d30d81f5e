//! Media-type sniffing of uploaded files: the first input byte picks a file
//! name, the rest is the file's head.
#![no_main]

use libfuzzer_sys::fuzz_target;
use palisade_core::media::{SNIFF_LEN, sniff};

const NAMES: [&str; 12] = [
    "",
    "note",
    "result.json",
    "messages.xml",
    "mail.eml",
    "mail.MBOX",
    "page.html",
    "list.csv",
    "IMG_0001.HEIC",
    "chat.zip",
    "ımage.JSON",
    "ﬁle.\u{212a}",
];

/// Types that a browser may render or interpret as text.
fn textual(t: &str) -> bool {
    t.starts_with("text/") || t.contains("json") || t.contains("xml") || t == "message/rfc822"
}

fuzz_target!(|data: &[u8]| {
    let (name, head) = match data.split_first() {
        Some((&b, rest)) => (NAMES[usize::from(b) % NAMES.len()], rest),
        None => ("", data),
    };
    for head in [head, &head[..head.len().min(SNIFF_LEN)]] {
        let t = sniff(head, name);
        assert!(!t.is_empty());
        if head.contains(&0) {
            assert!(!textual(t), "{t} for a head with NUL");
        }
        if textual(t) {
            // UTF-8, but for a character cut off at the end of the sample.
            let utf8 = std::str::from_utf8(head).map_or_else(|e| e.error_len().is_none(), |_| true);
            assert!(utf8, "{t} for bytes that are not UTF-8");
        }
    }
});
