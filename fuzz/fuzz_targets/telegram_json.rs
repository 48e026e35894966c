//! Feeds arbitrary bytes to the Telegram Desktop JSON reader (forced, so the
//! sniff never turns the input away): opening every chat and streaming every
//! message must never panic, hang or grow memory without bound.
#![no_main]

use chatwarden_connectors::{Format, ParseOptions, telegram};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut opts = ParseOptions {
        format: Some(Format::Telegram),
        ..Default::default()
    };
    opts.limits.max_message_bytes = 16 * 1024;
    opts.limits.max_participants = 64;
    if data.first().is_some_and(|b| b & 1 == 1) {
        opts.tz = jiff::tz::TimeZone::get("Europe/Moscow").ok();
    }
    if let Ok(chats) = telegram::open_all_bytes("result.json", data.to_vec(), &opts) {
        for mut chat in chats {
            let _ = chatwarden_connectors::ExportSource::conversation(&chat);
            if let Ok(msgs) = chatwarden_connectors::ExportSource::messages(&mut chat) {
                for m in msgs {
                    if m.is_err() {
                        break;
                    }
                }
            }
        }
    }
    // And through detection, as `chatwarden ingest` would.
    let detected = ParseOptions::default();
    if let Ok(mut src) = chatwarden_connectors::open_bytes("result.json", data.to_vec(), &detected)
        && let Ok(msgs) = src.messages()
    {
        for m in msgs.take(10_000) {
            if m.is_err() {
                break;
            }
        }
    }
});
