//! Feeds arbitrary bytes to the WhatsApp reader as a `.txt` export: opening and
//! streaming every message must never panic, hang or grow memory without bound.
#![no_main]

use chatwarden_connectors::{ParseOptions, open_bytes};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut opts = ParseOptions::default();
    opts.limits.max_line_bytes = 4096;
    opts.limits.max_message_bytes = 16 * 1024;
    // A leading byte picks a date order override and a zone, to reach those paths too.
    if let Some(first) = data.first() {
        opts.date_order = match first % 4 {
            0 => None,
            1 => Some(chatwarden_connectors::DateOrder::Dmy),
            2 => Some(chatwarden_connectors::DateOrder::Mdy),
            _ => Some(chatwarden_connectors::DateOrder::Ymd),
        };
        if first & 0x10 != 0 {
            opts.tz = jiff::tz::TimeZone::get("Europe/Berlin").ok();
        }
    }
    if let Ok(mut src) = open_bytes("WhatsApp Chat with Fuzz.txt", data.to_vec(), &opts) {
        let _ = src.conversation();
        if let Ok(msgs) = src.messages() {
            for m in msgs {
                if m.is_err() {
                    break;
                }
            }
        }
        let _ = src.warnings();
    }
});
