//! A detection (in memory, with the raw value) and its conversion to a stored
//! finding (masked preview and keyed hash only).

use chatwarden_model::{Finding, MessageId, mask_preview};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// One detected entity in a text. `value` is the raw value: keep it in memory
/// only; never log or store it (see [`to_finding`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Detection {
    pub entity: String,
    pub detector: String,
    /// Span in Unicode scalar values (Python string indices), end exclusive.
    pub start: usize,
    pub end: usize,
    /// Confidence in [0, 1].
    pub score: f32,
    pub value: String,
}

/// The value as hashed: separators dropped for identifiers, case folded where
/// case carries no meaning, so "4111-1111…" and "4111 1111…" hash the same.
pub fn normalize_value(entity: &str, value: &str) -> String {
    match entity {
        "EMAIL_ADDRESS" | "URL" | "PERSON" | "LOCATION" | "CONFIDENTIAL_MARKER" => {
            value.trim().to_lowercase()
        }
        // bech32 and hex addresses are case-insensitive; base58 is not.
        "CRYPTO" => {
            let lower = value.trim().to_ascii_lowercase();
            if lower.starts_with("bc1") || lower.starts_with("tb1") || lower.starts_with("0x") {
                lower
            } else {
                value.trim().to_string()
            }
        }
        "PASSWORD"
        | "GENERIC_SECRET"
        | "PRIVATE_KEY"
        | "JWT"
        | "DB_CONNECTION_STRING"
        | "AWS_SECRET_KEY" => value.trim().to_string(),
        _ if value.len() <= 64 => value
            .chars()
            .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '.' | '(' | ')' | '/'))
            .flat_map(char::to_uppercase)
            .collect(),
        _ => value.trim().to_string(),
    }
}

/// Keyed hash (HMAC-SHA256, hex) of an entity's normalized value. The entity
/// name is part of the message so equal digits of different kinds differ.
pub fn value_hash(entity: &str, value: &str, hash_key: &[u8; 32]) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(hash_key) {
        Ok(m) => m,
        // HMAC accepts keys of any length; this branch cannot be taken.
        Err(_) => return String::new(),
    };
    mac.update(entity.as_bytes());
    mac.update(b"\0");
    mac.update(normalize_value(entity, value).as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Turns a detection into a stored finding: masked preview and keyed hash of the
/// normalized value; the raw value is not kept.
pub fn to_finding(
    d: &Detection,
    message: &MessageId,
    hash_key: &[u8; 32],
    attachment: Option<&str>,
) -> Finding {
    Finding {
        message: message.clone(),
        entity: d.entity.clone(),
        detector: d.detector.clone(),
        start: d.start,
        end: d.end,
        score: d.score,
        preview: mask_preview(&d.value, 4),
        value_hash: value_hash(&d.entity, &d.value, hash_key),
        attachment: attachment.map(str::to_string),
    }
}
