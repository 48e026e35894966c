//! Feeds arbitrary bytes to the Microsoft Teams (Graph `chatMessage` JSON)
//! reader, forced: opening every chat/channel and streaming every message must
//! never panic, hang or grow memory without bound. Then through detection.
//! Seeds: crates/connectors/tests/fixtures/teams/*.json.
#![no_main]

use chatwarden_connectors::{ExportSource, Format, ParseOptions, teams};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut opts = ParseOptions {
        format: Some(Format::Teams),
        ..Default::default()
    };
    opts.limits.max_message_bytes = 16 * 1024;
    opts.limits.max_participants = 64;
    if data.first().is_some_and(|b| b & 1 == 1) {
        opts.tz = jiff::tz::TimeZone::get("Europe/Berlin").ok();
    }
    if let Ok(convs) = teams::open_all_bytes("messages.json", data.to_vec(), &opts) {
        for mut conv in convs.into_iter().take(64) {
            let _ = conv.conversation();
            if let Ok(msgs) = conv.messages() {
                for m in msgs.take(10_000) {
                    if m.is_err() {
                        break;
                    }
                }
            }
        }
    }
    let detected = ParseOptions::default();
    if let Ok(mut src) =
        chatwarden_connectors::open_bytes("messages.json", data.to_vec(), &detected)
        && let Ok(msgs) = src.messages()
    {
        for m in msgs.take(10_000) {
            if m.is_err() {
                break;
            }
        }
    }
});
