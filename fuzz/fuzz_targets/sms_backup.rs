//! SMS Backup & Restore XML (sms, mms, calls), with the default limits and
//! with tiny ones.
#![no_main]

use libfuzzer_sys::fuzz_target;
use palisade_fuzz::check_messages;
use palisade_import::MediaRef;
use palisade_import::sms_backup::{Parser, SmsBackupOptions};

fn run(data: &[u8], options: SmsBackupOptions) {
    let mut parser = Parser::new(data, options);
    let mut messages = Vec::new();
    for item in parser.by_ref() {
        match item {
            Ok(m) => messages.push(m),
            Err(e) => assert!(!e.to_string().is_empty()),
        }
    }
    if !messages.is_empty() {
        assert!(parser.info().is_some(), "messages come after the root");
    }
    check_messages(&messages, data.len());
    for m in &messages {
        let media: usize = m
            .media
            .iter()
            .map(|r| match r {
                MediaRef::Inline { bytes, .. } => {
                    assert!(bytes.len() <= options.max_part_bytes);
                    bytes.len()
                }
                _ => 0,
            })
            .sum();
        assert!(media <= options.max_message_media_bytes);
    }
}

fuzz_target!(|data: &[u8]| {
    run(data, SmsBackupOptions::default());
    run(
        data,
        SmsBackupOptions {
            max_part_bytes: 24,
            max_message_media_bytes: 40,
            max_text_bytes: 64,
        },
    );
});
