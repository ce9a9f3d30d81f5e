//! An mbox file, streamed message by message, with both quoting modes and
//! with tiny limits.
#![no_main]

use libfuzzer_sys::fuzz_target;
use palisade_fuzz::check_message;
use palisade_import::Locator;
use palisade_import::email::{self, EmailOptions, MboxQuoting};

fn run(data: &[u8], options: EmailOptions) {
    let mut index = 0u64;
    let mut last_offset: Option<u64> = None;
    for item in email::parse_mbox(data, options) {
        let Ok(m) = item else { continue };
        check_message(&m, data.len());
        assert_eq!(m.index, index, "indices count the messages returned");
        index += 1;
        let Locator::Line { byte_offset, .. } = m.locator else {
            panic!("mbox locators are lines: {:?}", m.locator);
        };
        assert!(
            last_offset.is_none_or(|o| o < byte_offset),
            "messages start further on"
        );
        last_offset = Some(byte_offset);
    }
}

fuzz_target!(|data: &[u8]| {
    run(data, EmailOptions::default());
    run(
        data,
        EmailOptions {
            quoting: MboxQuoting::Verbatim,
            ..EmailOptions::default()
        },
    );
    run(
        data,
        EmailOptions {
            max_message_bytes: 200,
            max_attachment_bytes: 16,
            quoting: MboxQuoting::Mboxrd,
        },
    );
});
