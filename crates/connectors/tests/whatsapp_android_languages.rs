//! One Android chat exported in ten UI languages must come out the same: media
//! left out, an attached file by name, both deleted markers, the edited marker
//! (where the language's is known), a multi-line message with lines that look
//! like ` - ` and `Name: `, and the date order (day first, month first, or the
//! Korean two-digit year first with one-digit days).
//!
//! The fixtures (`fixtures/whatsapp/android_languages/CODE.txt`) are our own chat
//! written with each language's Android strings as docs/formats/whatsapp.md
//! ("Bodies: placeholders, deleted, edited") records them with their sources: Turkish, Polish,
//! Korean, Hebrew, Czech, Indonesian, Russian, Chinese and Finnish, beside
//! English; U+200E before the file name as Android writes it, CRLF line ends.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chatwarden_model::{MediaKind, MessageKind};
use common::*;

/// Language, and whether its edited marker is known (and so in the fixture).
const LANGUAGES: [(&str, bool); 10] = [
    ("en", true),
    ("tr", true),
    ("pl", false),
    ("ko", false),
    ("he", true),
    ("cs", false),
    ("id", true),
    ("ru", true),
    ("zh", true),
    ("fi", false),
];

#[test]
fn every_language_reads_as_the_same_chat() {
    for (code, has_edited) in LANGUAGES {
        let (src, m) = read(&format!("android_languages/{code}.txt"));
        assert_eq!(m.len(), 7, "{code}");
        for (i, msg) in m.iter().enumerate() {
            let day = if i == 6 { 18 } else { 8 };
            assert_eq!(
                local(msg),
                format!("2024-03-{day:02}T09:{i:02}:00"),
                "{code} {i}"
            );
            assert_eq!(msg.kind, MessageKind::Message, "{code} {i}");
        }
        assert_eq!(m[0].text, "Morning, sending the files now", "{code}");
        assert_eq!(sender(&m[0]), Some("Nora Quist"), "{code}");

        // Media left out of the export: an attachment, no text.
        assert_eq!(m[1].text, "", "{code}: placeholder left as text");
        assert_eq!(m[1].attachments.len(), 1, "{code}");
        assert!(!m[1].attachments[0].included, "{code}");

        // `NAME (file attached)` in the language: the file by name, no text.
        assert_eq!(m[2].text, "", "{code}: attached marker left as text");
        assert_eq!(
            m[2].attachments[0].name.as_deref(),
            Some("IMG-20240308-WA0001.jpg"),
            "{code}"
        );
        assert_eq!(m[2].attachments[0].kind, MediaKind::Image, "{code}");

        // "This message was deleted" and "You deleted this message".
        for msg in &m[3..5] {
            assert!(msg.deleted, "{code}: deleted marker {:?}", msg.text);
            assert_eq!(msg.text, "", "{code}");
        }

        // The edited marker becomes the flag, out of the text.
        assert_eq!(m[5].text, "Thanks, received", "{code}");
        assert_eq!(m[5].edited, has_edited, "{code}");

        // Continuation lines that look like a dash and a sender stay text.
        assert_eq!(
            m[6].text, "Totals:\n12.5k - final\nNora Quist: see above",
            "{code}"
        );
        assert_eq!(sender(&m[6]), Some("Helix Desk"), "{code}");

        // The date order is told without a doubt in every language.
        for w in src.warnings() {
            assert!(!w.to_string().contains("order"), "{code}: {w}");
        }
    }
}
