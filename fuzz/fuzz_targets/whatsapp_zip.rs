//! Feeds arbitrary bytes to the WhatsApp reader as a `.zip` export (bytes that do
//! not start with a zip signature get one prepended, so the zip path is reached).
#![no_main]

use chatwarden_connectors::{ParseOptions, open_bytes};
use libfuzzer_sys::fuzz_target;
use std::io::Read;

fuzz_target!(|data: &[u8]| {
    let mut bytes = Vec::with_capacity(data.len() + 4);
    if !data.starts_with(b"PK") {
        bytes.extend_from_slice(b"PK\x03\x04");
    }
    bytes.extend_from_slice(data);
    let mut opts = ParseOptions::default();
    opts.limits.max_line_bytes = 4096;
    opts.limits.max_message_bytes = 16 * 1024;
    opts.limits.zip.max_entries = 64;
    opts.limits.zip.max_entry_bytes = 1 << 20;
    opts.limits.zip.max_total_bytes = 4 << 20;
    if let Ok(mut src) = open_bytes("WhatsApp Chat - Fuzz.zip", bytes, &opts) {
        let mut names = Vec::new();
        if let Ok(msgs) = src.messages() {
            for m in msgs {
                match m {
                    Ok(m) => names.extend(m.attachments.into_iter().filter_map(|a| a.name)),
                    Err(_) => break,
                }
            }
        }
        for name in names.iter().take(4) {
            if let Ok(Some(mut r)) = src.open_attachment(name) {
                let mut sink = Vec::new();
                let _ = r.read_to_end(&mut sink);
            }
        }
    }
});
