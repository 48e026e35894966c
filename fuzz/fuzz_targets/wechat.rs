//! Feeds arbitrary bytes to the WeChat connector (WeChatMsg CSV, ChatLab JSON and JSON lines),
//! detected and forced: opening and streaming must never panic.
#![no_main]

use chatwarden_connectors::{Format, ParseOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for format in [None, Some(Format::Wechat)] {
        let opts = ParseOptions {
            format,
            ..Default::default()
        };
        if let Ok(mut src) =
            chatwarden_connectors::open_bytes("chat_utf8.csv", data.to_vec(), &opts)
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
