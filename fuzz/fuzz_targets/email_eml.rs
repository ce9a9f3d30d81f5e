//! One email message (.eml), with the default limits and with tiny ones.
#![no_main]

use libfuzzer_sys::fuzz_target;
use palisade_fuzz::check_message;
use palisade_import::email::{self, EmailOptions};
use palisade_import::{Locator, MediaRef};

fn run(data: &[u8], options: EmailOptions) {
    if let Ok(m) = email::parse_eml_bytes(data, options) {
        check_message(&m, data.len());
        assert_eq!(m.index, 0);
        assert_eq!(
            m.locator,
            Locator::Line {
                line: 1,
                byte_offset: 0
            }
        );
        for media in &m.media {
            if let MediaRef::Inline { bytes, .. } = media {
                assert!(bytes.len() <= options.max_attachment_bytes);
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    run(data, EmailOptions::default());
    let tiny = EmailOptions {
        max_message_bytes: 256,
        max_attachment_bytes: 16,
        ..EmailOptions::default()
    };
    run(data, tiny);
    // The reader form applies the message cap before parsing.
    let from_reader = email::parse_eml(data, tiny);
    if data.len() > tiny.max_message_bytes {
        assert!(from_reader.is_err());
    }
});
