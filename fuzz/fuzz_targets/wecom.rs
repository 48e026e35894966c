//! Feeds arbitrary bytes to the WeCom session-archive connector (records as JSON lines, arrays or objects), every conversation of a file,
//! detected and forced: opening and streaming must never panic.
#![no_main]

use chatwarden_connectors::{Format, ParseOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for format in [None, Some(Format::Wecom)] {
        let opts = ParseOptions {
            format,
            ..Default::default()
        };
        if let Ok(mut src) = chatwarden_connectors::open_bytes("pull.jsonl", data.to_vec(), &opts)
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
