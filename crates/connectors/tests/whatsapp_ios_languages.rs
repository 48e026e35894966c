//! One iOS chat exported in nine UI languages must come out the same: the same
//! kinds, senders, attachment kinds and deleted flags in every language.
//!
//! The fixtures (`fixtures/whatsapp/ios_languages/CODE.txt`) are our own chat
//! written with WhatsApp's own localized iOS strings and header layouts as real
//! exports show them (the public whats_json test corpus, read as facts: Czech,
//! Indonesian, Japanese, Thai, Ukrainian, Vietnamese, Hindi, Arabic, English),
//! with LRM marks where iOS writes them and CRLF line ends.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chatwarden_model::{MediaKind, Message, MessageKind};
use common::*;

const LANGUAGES: [&str; 9] = ["en", "cs", "id", "ja", "th", "uk", "vi", "hi", "ar"];

/// Languages whose export has the "security code changed" line (the others'
/// source exports had none, so their fixture has one line fewer).
const WITH_SECURITY_CODE: [&str; 6] = ["en", "cs", "id", "th", "vi", "hi"];

fn read_lang(code: &str) -> Vec<Message> {
    read(&format!("ios_languages/{code}.txt")).1
}

#[test]
fn every_language_reads_as_the_same_chat() {
    for code in LANGUAGES {
        let m = read_lang(code);
        let security = WITH_SECURITY_CODE.contains(&code);
        assert_eq!(m.len(), if security { 14 } else { 13 }, "{code}");

        // The encryption banner, attributed to the chat partner after an LRM.
        assert_eq!(m[0].kind, MessageKind::System, "{code}: banner");
        assert_eq!(m[0].sender, None, "{code}");
        assert_eq!(m[1].text, "Morning, sending the files now", "{code}");
        assert_eq!(sender(&m[1]), Some("Nora Quist"), "{code}");
        // Month first, times as written (the Arabic export writes day first
        // with Arabic-Indic digits, the Vietnamese one puts the time first).
        for (i, msg) in m.iter().enumerate() {
            assert_eq!(local(msg), format!("2024-03-18T09:{i:02}:00"), "{code} {i}");
        }

        // Omitted media: an attachment of the kind the placeholder names, no text.
        let kinds = [
            MediaKind::Image,
            MediaKind::Video,
            MediaKind::Audio,
            MediaKind::Contact,
            MediaKind::Sticker,
            MediaKind::Gif,
        ];
        for (msg, kind) in m[2..8].iter().zip(kinds) {
            assert_eq!(msg.kind, MessageKind::Message, "{code}");
            assert_eq!(msg.text, "", "{code}: {kind:?} placeholder left as text");
            assert_eq!(msg.attachments.len(), 1, "{code}: {kind:?}");
            assert_eq!(msg.attachments[0].kind, kind, "{code}");
            assert!(!msg.attachments[0].included, "{code}");
        }

        // A document left out, named: `NAME document omitted` and
        // `NAME • 2 pages document omitted`.
        for (msg, name) in m[8..10].iter().zip(["Q3-forecast.xlsx", "Term sheet.pdf"]) {
            assert_eq!(msg.text, "", "{code}: {name}");
            assert_eq!(msg.attachments.len(), 1, "{code}: {name}");
            let a = &msg.attachments[0];
            assert_eq!(a.kind, MediaKind::Document, "{code}");
            assert_eq!(a.name.as_deref(), Some(name), "{code}");
            assert!(!a.included, "{code}");
            // The placeholder keeps the whole line as written (without marks).
            assert!(
                a.placeholder.as_deref().unwrap().starts_with(name),
                "{code}"
            );
        }

        // "You deleted this message." and "This message was deleted."
        for msg in &m[10..12] {
            assert!(msg.deleted, "{code}: deleted marker {:?}", msg.text);
            assert_eq!(msg.text, "", "{code}");
            assert_eq!(msg.kind, MessageKind::Message, "{code}");
        }
        assert_eq!(sender(&m[11]), Some("Helix Desk"), "{code}");

        if security {
            assert_eq!(m[12].kind, MessageKind::System, "{code}: security code");
            assert_eq!(m[12].sender, None, "{code}");
        }
        let last = m.last().unwrap();
        assert_eq!(last.text, "Thanks, received", "{code}");
        assert_eq!(last.kind, MessageKind::Message, "{code}");
    }
}

#[test]
fn a_document_placeholder_needs_a_file_name_or_a_page_count() {
    use chatwarden_connectors::ParseOptions;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("_chat.txt");
    std::fs::write(
        &path,
        "[3/18/24, 09:00:00] Nora Quist: the signed document omitted\n\
         [3/18/24, 09:01:00] Nora Quist: Board pack.pdf document omitted\n\
         [3/18/24, 09:02:00] Nora Quist: Minutes \u{200E}\u{2022} \u{200E}3 pages \u{200E}document omitted\n\
         [3/18/24, 09:03:00] Nora Quist: document omitted\n",
    )
    .unwrap();
    let mut src = chatwarden_connectors::open(&path, &ParseOptions::default()).unwrap();
    let m = messages(&mut src);
    // Ordinary words before the phrase: text, not an attachment.
    assert_eq!(m[0].text, "the signed document omitted");
    assert!(m[0].attachments.is_empty());
    assert_eq!(m[1].attachments[0].name.as_deref(), Some("Board pack.pdf"));
    assert_eq!(m[1].text, "");
    // A page count tells it is WhatsApp's, even without an extension.
    assert_eq!(m[2].attachments[0].name.as_deref(), Some("Minutes"));
    assert_eq!(
        m[2].attachments[0].placeholder.as_deref(),
        Some("Minutes • 3 pages document omitted")
    );
    // The bare placeholder names no file.
    assert_eq!(m[3].attachments[0].name, None);
    assert_eq!(m[3].attachments[0].kind, MediaKind::Document);
}
