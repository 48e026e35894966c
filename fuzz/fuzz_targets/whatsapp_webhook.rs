//! Feeds arbitrary bytes to the WhatsApp Cloud API webhook library: parsing a
//! body, normalizing its messages, checking a signature, and replaying a
//! capture file must never panic.
#![no_main]

use chatwarden_connectors::whatsapp_webhook::{parse_webhook, verify_signature};
use chatwarden_connectors::{Format, ParseOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let opts = ParseOptions::default();
    if let Ok(batch) = parse_webhook(data) {
        let _ = batch.messages("fuzz", &opts);
    }
    // The first line as a signature header over the rest.
    let (head, body) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (&data[..0], data),
    };
    let _ = verify_signature(b"app-secret", body, &String::from_utf8_lossy(head));
    let forced = ParseOptions {
        format: Some(Format::WhatsappWebhook),
        ..Default::default()
    };
    if let Ok(mut src) = chatwarden_connectors::open_bytes("capture.jsonl", data.to_vec(), &forced)
        && let Ok(msgs) = src.messages()
    {
        for m in msgs {
            if m.is_err() {
                break;
            }
        }
    }
});
