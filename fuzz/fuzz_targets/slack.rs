//! Feeds arbitrary bytes to the Slack workspace export reader (a zip): opening
//! every conversation and streaming every message must never panic, hang or
//! grow memory without bound. Seeds: a zip of
//! crates/connectors/tests/fixtures/slack/workspace.
#![no_main]

use chatwarden_connectors::{ExportSource, Format, ParseOptions, slack};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut opts = ParseOptions {
        format: Some(Format::Slack),
        ..Default::default()
    };
    opts.limits.max_message_bytes = 16 * 1024;
    opts.limits.max_participants = 64;
    opts.limits.zip.max_entries = 256;
    opts.limits.zip.max_entry_bytes = 1 << 20;
    opts.limits.zip.max_total_bytes = 4 << 20;
    if data.first().is_some_and(|b| b & 1 == 1) {
        opts.tz = jiff::tz::TimeZone::get("Asia/Singapore").ok();
    }
    if let Ok(convs) = slack::open_all_bytes("export.zip", data.to_vec(), &opts) {
        for mut conv in convs {
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
});
