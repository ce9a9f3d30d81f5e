//! X (Twitter) archive direct-messages.js / direct-messages-group.js, with
//! and without the owner's account id.
#![no_main]

use libfuzzer_sys::fuzz_target;
use palisade_fuzz::check_messages;
use palisade_import::x_dm::{self, XDmOptions};

fn run(data: &[u8], options: &XDmOptions) {
    let mut messages = Vec::new();
    let result = x_dm::parse(data, options, |c, m| {
        assert!(c.path.starts_with('$'), "conversation path {:?}", c.path);
        messages.push(m);
        Ok(())
    });
    check_messages(&messages, data.len());
    if let Ok(export) = result {
        assert_eq!(export.messages, messages.len() as u64);
        if options.account_id.is_none() {
            assert!(messages.iter().all(|m| m.direction.is_none()));
        }
    }
}

fuzz_target!(|data: &[u8]| {
    run(data, &XDmOptions::default());
    run(
        data,
        &XDmOptions {
            account_id: Some("1001".into()),
        },
    );
});
