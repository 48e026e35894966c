//! Feeds arbitrary bytes to the Signal connector (takeout JSON lines and
//! sigexport `data.json`), detected and forced: opening and streaming must never panic.
#![no_main]

use chatwarden_connectors::{Format, ParseOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for format in [None, Some(Format::Signal)] {
        let opts = ParseOptions {
            format,
            ..Default::default()
        };
        if let Ok(mut src) = chatwarden_connectors::open_bytes("main.jsonl", data.to_vec(), &opts)
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
