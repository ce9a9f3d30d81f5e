//! Messenger "Download your information" message_N.json: one file, and a
//! two-file thread (the same bytes twice) through the merge.
#![no_main]

use libfuzzer_sys::fuzz_target;
use palisade_fuzz::{check_message, check_messages};
use palisade_import::{Locator, messenger};

fuzz_target!(|data: &[u8]| {
    if let Ok(file) = messenger::parse_file(data, "message_1.json") {
        assert_eq!(file.info.messages, file.messages.len() as u64);
        for m in &file.messages {
            check_message(m, data.len());
            assert!(
                matches!(&m.locator, Locator::FileJsonPath { file, .. } if file == "message_1.json")
            );
        }
    }
    let names = ["message_1.json", "message_2.json"];
    if let Ok(thread) = messenger::parse_thread(&names, |_| Ok(data)) {
        check_messages(&thread.messages, data.len());
        let total: u64 = thread.files.iter().map(|f| f.messages).sum();
        assert_eq!(total, thread.messages.len() as u64);
    }
});
