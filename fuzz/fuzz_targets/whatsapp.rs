//! WhatsApp "Export chat" .txt: date-order inference, then the streaming
//! parser with the inferred order and with each explicit order, at the
//! default and a tiny message-size limit.
#![no_main]

use libfuzzer_sys::fuzz_target;
use palisade_fuzz::check_messages;
use palisade_import::whatsapp::{self, DateOrder, Parser, WhatsAppOptions};

fn run(data: &[u8], order: DateOrder, options: WhatsAppOptions) {
    let parser = Parser::new(data, order, options);
    assert_eq!(parser.date_order(), order);
    let mut messages = Vec::new();
    let mut ended = false;
    for item in parser {
        assert!(!ended, "the parser stops after its first error");
        match item {
            Ok(m) => {
                assert!(m.text.len() <= options.max_message_bytes);
                messages.push(m);
            }
            Err(e) => {
                assert!(!e.to_string().is_empty());
                ended = true;
            }
        }
    }
    check_messages(&messages, data.len());
}

fuzz_target!(|data: &[u8]| {
    if let Ok(guess) = whatsapp::detect_date_order(data) {
        run(data, guess.order, WhatsAppOptions::default());
    }
    for order in [DateOrder::Dmy, DateOrder::Mdy, DateOrder::Ymd] {
        run(data, order, WhatsAppOptions::default());
        let tiny = WhatsAppOptions {
            date_order: Some(order),
            max_message_bytes: 48,
        };
        run(data, order, tiny);
    }
});
