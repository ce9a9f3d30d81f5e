//! WhatsApp "Export chat" .zip: the archive's directory and entry checks,
//! the chat parsed from inside it, media matched and every entry read back
//! through the limited reader.
#![no_main]

use std::io::{Cursor, Read};

use libfuzzer_sys::fuzz_target;
use palisade_fuzz::check_messages;
use palisade_import::whatsapp::{DateOrder, WhatsAppOptions};
use palisade_import::whatsapp_zip::{WhatsAppZip, ZipLimits};

/// Small limits, so a hostile archive cannot make a run slow or large.
const LIMITS: ZipLimits = ZipLimits {
    max_entries: 64,
    max_entry_bytes: 1 << 20,
    max_total_bytes: 4 << 20,
    max_ratio: 200,
    ratio_threshold_bytes: 64 << 10,
};

fuzz_target!(|data: &[u8]| {
    let Ok(mut zip) = WhatsAppZip::open(Cursor::new(data), LIMITS) else {
        return;
    };
    assert!(!zip.chat_entry_name().is_empty());
    let options = [
        WhatsAppOptions::default(),
        WhatsAppOptions::with_date_order(DateOrder::Mdy),
    ];
    for options in options {
        if let Ok(messages) = zip.parse_all(options) {
            // Line locators point into the chat entry, not the archive.
            let chat_len = zip.entry_size(zip.chat_entry_name()).unwrap_or(0);
            check_messages(&messages, usize::try_from(chat_len).unwrap_or(usize::MAX));
            for media in messages.iter().flat_map(|m| &m.media) {
                if let Some(found) = zip.resolve_ref(media).and_then(|m| m.entry()) {
                    assert!(zip.entry_size(found).is_some(), "{found} is an entry");
                }
            }
        }
    }
    let names: Vec<String> = zip.media_names().map(str::to_owned).collect();
    for name in names {
        let declared = zip.entry_size(&name).expect("listed entries have a size");
        let Ok(mut entry) = zip.open_media(&name) else {
            continue;
        };
        let mut bytes = Vec::new();
        if entry.read_to_end(&mut bytes).is_ok() {
            assert!(bytes.len() as u64 <= declared, "{name}: more than declared");
        }
    }
});
