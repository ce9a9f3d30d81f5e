//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::fs::File;
use std::path::PathBuf;

use palisade_import::whatsapp::{self, DateOrder, WhatsAppOptions};
use palisade_import::{ImportError, Message, MessageTime, telegram};

pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

pub fn wa(name: &str) -> Vec<Message> {
    wa_try(name, None).unwrap_or_else(|e| panic!("{name}: {e}"))
}

pub fn wa_try(name: &str, order: Option<DateOrder>) -> Result<Vec<Message>, ImportError> {
    let f = File::open(fixture(name)).expect("fixture exists");
    let opts = WhatsAppOptions {
        date_order: order,
        ..WhatsAppOptions::default()
    };
    whatsapp::parse_all(f, opts)
}

pub fn tg(name: &str) -> Result<Vec<telegram::TelegramChat>, ImportError> {
    telegram::parse_all(File::open(fixture(name)).expect("fixture exists"))
}

pub fn civil(s: &str) -> MessageTime {
    MessageTime::Civil(s.parse().expect("civil date-time literal"))
}

pub fn instant(s: &str) -> MessageTime {
    MessageTime::Instant(s.parse().expect("timestamp literal"))
}

pub fn texts(ms: &[Message]) -> Vec<&str> {
    ms.iter().map(|m| m.text.as_str()).collect()
}

pub fn senders(pairs: &[(&str, u64)]) -> std::collections::BTreeMap<String, u64> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
}
