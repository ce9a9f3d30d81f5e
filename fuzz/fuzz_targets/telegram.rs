//! Telegram Desktop result.json (single chat or full export).
#![no_main]

use libfuzzer_sys::fuzz_target;
use palisade_fuzz::check_messages;
use palisade_import::telegram;

fuzz_target!(|data: &[u8]| {
    let mut messages = Vec::new();
    let result = telegram::parse(data, |chat, m| {
        assert!(chat.path.starts_with('$'), "chat path {:?}", chat.path);
        messages.push(m);
        Ok(())
    });
    check_messages(&messages, data.len());
    if let Ok(export) = result {
        assert_eq!(export.messages, messages.len() as u64);
        let per_chat: u64 = export.chats.iter().map(|c| c.messages).sum();
        assert_eq!(per_chat, export.messages);
        // The in-memory form groups the same messages by chat.
        let chats = telegram::parse_all(data).expect("parse_all agrees with parse");
        let grouped: usize = chats.iter().map(|c| c.messages.len()).sum();
        assert_eq!(grouped, messages.len());
    }
});
