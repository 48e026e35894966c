//! Attachment text extraction (filled in below).

/// Entity reported when an attachment cannot be parsed.
pub const UNSCANNABLE: &str = "UNSCANNABLE_ATTACHMENT";
