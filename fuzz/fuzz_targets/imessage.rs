//! Feeds arbitrary bytes to the iMessage connector (imessage-exporter's text
//! and HTML outputs), detected and forced: opening and streaming must never panic.
#![no_main]

use chatwarden_connectors::{Format, ParseOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for format in [None, Some(Format::Imessage)] {
        let opts = ParseOptions {
            format,
            ..Default::default()
        };
        if let Ok(mut src) = chatwarden_connectors::open_bytes("chat.txt", data.to_vec(), &opts)
            && let Ok(msgs) = src.messages()
        {
            for m in msgs {
                if m.is_err() {
                    break;
                }
            }
        }
    }
});
