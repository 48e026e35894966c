#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The `chatwarden scan` library functions and finding conversion.

use chatwarden_inspect::{
    Engine, EngineConfig, InspectError, ScanContext, scan_jsonl, scan_text, to_finding,
};
use chatwarden_model::MessageId;

#[test]
fn jsonl_echoes_ids_and_reports_char_offsets() {
    let engine = Engine::new(&EngineConfig::default()).unwrap();
    let input = "{\"id\": 7, \"text\": \"ok\"}\n\n{\"id\": \"m-2\", \"text\": \"😀 card 4111 1111 1111 1111\"}\n";
    let mut out = Vec::new();
    let stats = scan_jsonl(&engine, input.as_bytes(), &mut out).unwrap();
    assert_eq!(
        (stats.messages, stats.detections, stats.blank_lines),
        (2, 1, 1)
    );
    let line: serde_json::Value =
        serde_json::from_slice(out.split(|&b| b == b'\n').next().unwrap()).unwrap();
    assert_eq!(line["id"], "m-2");
    assert_eq!(line["entity"], "CREDIT_CARD");
    assert_eq!(
        (line["start"].as_u64(), line["end"].as_u64()),
        (Some(7), Some(26))
    );
}

#[test]
fn bad_json_line_is_an_error_naming_the_line() {
    let engine = Engine::new(&EngineConfig::default()).unwrap();
    let input = "{\"id\": 1, \"text\": \"hi\"}\nnot json\n";
    let err = scan_jsonl(&engine, input.as_bytes(), Vec::new()).unwrap_err();
    assert!(matches!(err, InspectError::Line { line: 2, .. }), "{err}");
}

#[test]
fn text_mode_numbers_lines() {
    let engine = Engine::new(&EngineConfig::default()).unwrap();
    let mut out = Vec::new();
    let stats = scan_text(&engine, "hello\nmail a@example.com\n".as_bytes(), &mut out).unwrap();
    assert_eq!(stats.messages, 2);
    let line: serde_json::Value =
        serde_json::from_slice(out.split(|&b| b == b'\n').next().unwrap()).unwrap();
    assert_eq!(line["id"], 2);
    assert_eq!(line["entity"], "EMAIL_ADDRESS");
}

#[test]
fn findings_hold_no_raw_value() {
    let engine = Engine::new(&EngineConfig::default()).unwrap();
    let d = engine
        .scan("card 4111-1111-1111-1111", &ScanContext::default())
        .into_iter()
        .next()
        .unwrap();
    let key = [7u8; 32];
    let f = to_finding(&d, &MessageId::from("m1"), &key, None);
    assert_eq!(f.preview, "••••-••••-••••-1111");
    let json = serde_json::to_string(&f).unwrap();
    assert!(!json.contains("4111-1111-1111-1111") && !json.contains("4111111111111111"));
    // Same number written differently hashes the same; another key differs.
    let d2 = engine
        .scan("card 4111 1111 1111 1111", &ScanContext::default())
        .into_iter()
        .next()
        .unwrap();
    assert_eq!(
        to_finding(&d2, &MessageId::from("m2"), &key, None).value_hash,
        f.value_hash
    );
    assert_ne!(
        to_finding(&d, &MessageId::from("m1"), &[8u8; 32], None).value_hash,
        f.value_hash
    );
}
