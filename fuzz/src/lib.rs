//! Invariants shared by the fuzz targets: cheap checks on what a
//! successful parse returns, beyond "did not panic".

use palisade_import::{Locator, MediaRef, Message};

/// Every message's locator names a real place: a 1-based line at a byte
/// offset inside the input, or a non-empty JSON path rooted at `$`.
pub fn check_locator(m: &Message, input_len: usize) {
    match &m.locator {
        Locator::Line { line, byte_offset } => {
            assert!(*line >= 1, "line locator is 1-based: {:?}", m.locator);
            assert!(
                *byte_offset <= input_len as u64,
                "locator {:?} beyond the input ({input_len} bytes)",
                m.locator
            );
        }
        Locator::JsonPath(p) => assert!(p.starts_with('$'), "json path {p:?}"),
        Locator::FileJsonPath { file, path } => {
            assert!(!file.is_empty(), "file json path without a file");
            assert!(path.starts_with('$'), "json path {path:?}");
        }
    }
    assert!(!m.locator.to_string().is_empty());
}

/// Locators are valid, inline media types are lower case (as documented;
/// an SMS backup part without `ct` has an empty one), and `index` counts
/// messages from 0 in the order they were returned.
pub fn check_messages<'a>(messages: impl IntoIterator<Item = &'a Message>, input_len: usize) {
    for (i, m) in messages.into_iter().enumerate() {
        assert_eq!(m.index, i as u64, "indices count from 0 in order");
        check_message(m, input_len);
    }
}

/// The per-message part of [`check_messages`].
pub fn check_message(m: &Message, input_len: usize) {
    check_locator(m, input_len);
    for media in &m.media {
        match media {
            MediaRef::Inline { media_type, .. } => {
                assert_eq!(*media_type, media_type.to_ascii_lowercase());
            }
            MediaRef::File { .. } | MediaRef::Omitted { .. } | MediaRef::Link { .. } => {}
        }
    }
}
