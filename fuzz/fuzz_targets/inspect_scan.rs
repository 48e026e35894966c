//! Feeds arbitrary text to the inspection engine, as message text is hostile.
//! Bytes are read as UTF-8 (lossily); U+001E splits them into the previous
//! messages of the conversation (the context window) and the message scanned;
//! the first byte picks the phone region. Built-in detectors and custom rules
//! (a dictionary and a regex with a validator) run. Beyond never panicking, every
//! detection must hold: a non-empty span inside the message, its value the
//! message's characters at that span, a score in [0, 1].
#![no_main]

use chatwarden_inspect::{CustomRules, Engine, EngineConfig, NO_REGION, ScanContext};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

const RULES: &str = r#"
[[dictionary]]
entity = "PROJECT_CODENAME"
words = ["Falcon", "Blue Heron", "猎鹰计划", "Müller-Werk"]
score = 0.8

[[regex]]
entity = "EMPLOYEE_ID"
pattern = '\bEMP-(\d{7})\b'
group = 1
validator = "luhn"
context = ["employee", "staff"]
score = 0.6
min_score_without_context = 0.7
"#;

fn engine() -> Option<&'static Engine> {
    static E: OnceLock<Option<Engine>> = OnceLock::new();
    E.get_or_init(|| {
        let config = EngineConfig {
            custom_rules: CustomRules::from_toml(RULES).ok(),
            ..Default::default()
        };
        Engine::new(&config).ok()
    })
    .as_ref()
}

fuzz_target!(|data: &[u8]| {
    let Some(engine) = engine() else {
        panic!("the engine does not build");
    };
    let region = match data.first().map(|b| b % 5) {
        Some(0) => None,
        Some(1) => Some("US"),
        Some(2) => Some("GB"),
        Some(3) => Some("CN"),
        _ => Some(NO_REGION),
    };
    let text = String::from_utf8_lossy(data.get(1..).unwrap_or_default());
    let mut parts: Vec<&str> = text.split('\u{1e}').collect();
    let message = parts.pop().unwrap_or_default();
    let participants = vec!["Maria Lopez".to_string(), "李伟".to_string()];
    let ctx = ScanContext {
        participants: &participants,
        previous: &parts,
        region,
    };
    let chars: Vec<char> = message.chars().collect();
    for d in engine.scan(message, &ctx) {
        assert!(d.start < d.end && d.end <= chars.len(), "span {d:?}");
        let at: String = chars
            .get(d.start..d.end)
            .unwrap_or_default()
            .iter()
            .collect();
        assert_eq!(at, d.value, "value and span differ: {d:?}");
        assert!((0.0..=1.0).contains(&d.score), "score {d:?}");
    }
});
