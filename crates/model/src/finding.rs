//! What the inspection stage found in a message or attachment.

use crate::ids::MessageId;
use serde::{Deserialize, Serialize};

/// One detected entity. Never holds the raw value: only a masked preview and a
/// keyed hash (so equal values can be correlated without being readable).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub message: MessageId,
    /// Entity name, Presidio-style (`CREDIT_CARD`, `US_SSN`, `AWS_ACCESS_KEY`, …).
    pub entity: String,
    /// The detector that produced it.
    pub detector: String,
    /// Span in Unicode scalar values (as Python string indices), end exclusive.
    pub start: usize,
    pub end: usize,
    /// Confidence in [0, 1].
    pub score: f32,
    /// The value with most characters masked.
    pub preview: String,
    /// Keyed hash (hex) of the normalized value.
    pub value_hash: String,
    /// The attachment's name when found inside one, `None` for the message text.
    pub attachment: Option<String>,
}

/// Masks a detected value for display: keeps at most the last `keep` alphanumeric
/// characters (never more than a quarter of them), replaces other letters and
/// digits with `•`, keeps separators so the shape stays readable.
pub fn mask_preview(value: &str, keep: usize) -> String {
    let alnum = value.chars().filter(|c| c.is_alphanumeric()).count();
    let keep = keep.min(alnum / 4);
    let mut seen = 0usize;
    value
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                seen += 1;
                if seen > alnum - keep { c } else { '•' }
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::mask_preview;

    #[test]
    fn masks_all_but_the_tail() {
        assert_eq!(
            mask_preview("4111 1111 1111 1234", 4),
            "•••• •••• •••• 1234"
        );
    }

    #[test]
    fn short_values_reveal_at_most_a_quarter() {
        assert_eq!(mask_preview("123456", 4), "•••••6");
        assert_eq!(mask_preview("ab", 4), "••");
    }
}
