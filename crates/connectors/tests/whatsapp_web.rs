//! WhatsApp Web / Desktop "Export chat": a zip named after the chat holding
//! `chat.txt`, `chat.md` and `media/` (docs/formats/whatsapp.md, "WhatsApp Web").
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chatwarden_connectors::{DateOrder, ExportSource, ParseOptions};
use chatwarden_model::{MediaKind, Message, MessageKind};
use common::*;
use std::io::{Cursor, Read, Write};
use zip::write::SimpleFileOptions;

/// The fixture folder zipped as WhatsApp Web names and lays it out.
fn web_zip() -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for name in [
        "chat.txt",
        "chat.md",
        "media/IMG-20250105-WA0001.jpg",
        "media/Q1-model.xlsx",
    ] {
        w.start_file(name, opts).unwrap();
        w.write_all(&std::fs::read(fixture("web").join(name)).unwrap())
            .unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn open_zip(opts: &ParseOptions) -> (Box<dyn ExportSource>, Vec<Message>) {
    let dir = tempfile::tempdir().unwrap();
    // WhatsApp Web replaces `:` in the chat title with `_` in the zip's name.
    let path = dir.path().join("Deal Desk_ Q1.zip");
    std::fs::write(&path, web_zip()).unwrap();
    let mut src = chatwarden_connectors::open(&path, opts).unwrap();
    let m = messages(&mut src);
    (src, m)
}

fn by_time<'a>(m: &'a [Message], local_time: &str) -> &'a Message {
    m.iter()
        .find(|m| local(m) == local_time)
        .unwrap_or_else(|| panic!("no message at {local_time}"))
}

#[test]
fn web_zip_reads_every_body_form() {
    let opts = ParseOptions {
        hash_media: true,
        ..ParseOptions::default()
    };
    let (src, m) = open_zip(&opts);
    let conv = src.conversation();
    assert_eq!(conv.title, "Deal Desk_ Q1");
    assert!(conv.is_group);
    assert_eq!(m.len(), 19);

    // The header-less banner and limit note above the first message are not
    // skipped text; the limit note is a warning of its own.
    let warnings: Vec<&str> = src.warnings().iter().map(|w| w.message.as_str()).collect();
    assert!(
        !warnings
            .iter()
            .any(|w| w.contains("before the first message"))
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("some earlier messages may not be available"))
    );
    // No day above 12: WhatsApp Web always writes month first, so no ambiguity warning.
    assert!(!warnings.iter().any(|w| w.contains("ambiguous")));

    // `[date] - text` is an event with no sender, even with ": " in it.
    assert_eq!(m[0].kind, MessageKind::System);
    assert_eq!(m[0].sender, None);
    assert_eq!(m[0].text, "Alice Smith created group \"Deal Desk: Q1\"");
    assert_eq!(local(&m[0]), "2025-01-05T09:07:03");
    assert_eq!(m[0].source.line, 3);
    assert_eq!(sender(&m[1]), Some("You"));

    // `<image omitted> caption`: an attachment left out, the caption as text.
    let photo = by_time(&m, "2025-01-05T09:08:41");
    assert_eq!(photo.text, "the term sheet draft");
    assert_eq!(photo.attachments.len(), 1);
    assert_eq!(photo.attachments[0].kind, MediaKind::Image);
    assert!(!photo.attachments[0].included);
    assert_eq!(
        photo.attachments[0].placeholder.as_deref(),
        Some("<image omitted>")
    );

    // `NAME (file attached) caption`: linked to media/NAME in the zip.
    let signed = by_time(&m, "2025-01-05T09:09:00");
    assert_eq!(signed.text, "signed copy");
    let a = &signed.attachments[0];
    assert_eq!(a.name.as_deref(), Some("IMG-20250105-WA0001.jpg"));
    assert!(a.included);
    assert_eq!(a.size, Some(29));
    assert_eq!(a.content_hash.as_ref().map(String::len), Some(64));
    let sheet = by_time(&m, "2025-01-05T09:09:30");
    assert_eq!(sheet.text, "");
    assert_eq!(sheet.attachments[0].kind, MediaKind::Document);
    assert!(sheet.attachments[0].included);

    // `[Forwarded] ` becomes the forwarded mark ("" = forwarded, origin unknown).
    let fwd = by_time(&m, "2025-01-05T09:10:00");
    assert_eq!(fwd.text, "Call me before the market opens");
    assert_eq!(fwd.forwarded_from.as_deref(), Some(""));
    let many = by_time(&m, "2025-01-05T09:10:30");
    assert_eq!(many.text, "Rates are moving: read this");
    assert_eq!(many.forwarded_from.as_deref(), Some(""));
    assert_eq!(m[1].forwarded_from, None);

    // Deleted by an admin, named or as admin.
    for t in ["2025-01-05T09:11:00", "2025-01-05T09:11:30"] {
        let d = by_time(&m, t);
        assert!(d.deleted, "{t}");
        assert_eq!(d.text, "");
    }

    // Undecrypted: the text stays what the export says, and a warning names the line.
    let waiting = by_time(&m, "2025-01-05T09:12:00");
    assert!(waiting.text.starts_with("Waiting for this message"));
    assert!(
        src.warnings()
            .iter()
            .any(|w| w.line == Some(waiting.source.line) && w.message.contains("not decrypted"))
    );

    // A location is text; a poll keeps its option lines.
    assert!(
        by_time(&m, "2025-01-05T09:13:00")
            .text
            .contains("maps.google.com")
    );
    assert_eq!(
        by_time(&m, "2025-01-05T09:14:00").text,
        "Poll: Lunch?\n    - Pizza\n    - Sushi"
    );

    // 12 h clock with an ASCII space before PM.
    let kinds: Vec<(MediaKind, &str)> = [
        "2025-01-05T12:00:00",
        "2025-01-05T12:01:00",
        "2025-01-05T12:02:00",
        "2025-01-05T12:03:00",
        "2025-01-05T12:04:00",
        "2025-01-06T08:01:00",
    ]
    .iter()
    .map(|t| {
        let msg = by_time(&m, t);
        assert_eq!(msg.text, "", "{t}");
        assert!(!msg.attachments[0].included, "{t}");
        (
            msg.attachments[0].kind,
            msg.attachments[0].placeholder.as_deref().unwrap(),
        )
    })
    .collect();
    assert_eq!(
        kinds,
        [
            (MediaKind::Gif, "GIF attached"),
            (MediaKind::Gif, "<GIF omitted>"),
            (MediaKind::Audio, "<voice message omitted>"),
            (MediaKind::Contact, "<Contact card omitted>"),
            (MediaKind::Location, "<Live location omitted>"),
            (MediaKind::Other, "<media omitted>"),
        ]
    );
    let added = by_time(&m, "2025-01-06T08:00:00");
    assert_eq!(added.kind, MessageKind::System);
    assert_eq!(added.text, "Bob Jones added Carol");
}

#[test]
fn web_date_order_is_month_first_unless_overridden() {
    let (src, m) = open_zip(&ParseOptions::default());
    let _ = src;
    assert_eq!(local(&m[0]), "2025-01-05T09:07:03");
    let opts = ParseOptions {
        date_order: Some(DateOrder::Dmy),
        ..ParseOptions::default()
    };
    let (_, m) = open_zip(&opts);
    assert_eq!(local(&m[0]), "2025-05-01T09:07:03");
}

#[test]
fn unzipped_web_export_finds_media_in_its_media_folder() {
    let (src, m) = read("web/chat.txt");
    // A loose chat.txt has no title: the participants name the chat.
    assert!(src.conversation().title.contains("Alice Smith"));
    assert_eq!(m.len(), 19);
    let signed = by_time(&m, "2025-01-05T09:09:00");
    assert!(signed.attachments[0].included);
    assert_eq!(signed.attachments[0].size, Some(29));
    // The archive reads the bytes through the source.
    let mut bytes = Vec::new();
    src.open_attachment("IMG-20250105-WA0001.jpg")
        .unwrap()
        .expect("the photo in media/")
        .read_to_end(&mut bytes)
        .unwrap();
    assert_eq!(bytes.len(), 29);
    assert!(src.open_attachment("../chat.txt").unwrap().is_none());
}

#[test]
fn forwarded_prefix_is_text_outside_web_exports() {
    // Only WhatsApp Web writes the prefix; in a phone export it is what someone typed.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("WhatsApp Chat with Bob.txt");
    std::fs::write(
        &path,
        "13/01/2025, 09:10 - Bob: [Forwarded] not a marker here\n\
         13/01/2025, 09:11 - Bob: <image omitted> a caption on the same line\n",
    )
    .unwrap();
    let mut src = chatwarden_connectors::open(&path, &ParseOptions::default()).unwrap();
    let m = messages(&mut src);
    assert_eq!(m[0].text, "[Forwarded] not a marker here");
    assert_eq!(m[0].forwarded_from, None);
    // The same-line caption form is read wherever it appears.
    assert_eq!(m[1].text, "a caption on the same line");
    assert_eq!(m[1].attachments[0].kind, MediaKind::Image);
}

/// An older WhatsApp Web build wrote only Markdown (`chat.md` with media, or a lone
/// `TITLE.md`): refused with the reason and what to do, naming the file and line.
#[test]
fn web_markdown_exports_are_refused_with_a_reason() {
    let md = "# WhatsApp Chat Export: Deal Desk\nExport date: January 7, 2025 at 10:00 AM\n\n\
              ---\n\n## January 5, 2025\n\n[9:07 AM] **You:** Morning all\n\n\
              [9:08 AM] **Alice Smith:** [Image](media/IMG-1.jpg) the draft\n\n";
    let dir = tempfile::tempdir().unwrap();
    let lone = dir.path().join("Deal Desk.md");
    std::fs::write(&lone, md).unwrap();
    let zipped = dir.path().join("Deal Desk.zip");
    let mut w = zip::ZipWriter::new(std::fs::File::create(&zipped).unwrap());
    w.start_file("chat.md", SimpleFileOptions::default())
        .unwrap();
    w.write_all(md.as_bytes()).unwrap();
    w.start_file("media/IMG-1.jpg", SimpleFileOptions::default())
        .unwrap();
    w.write_all(b"\xFF\xD8\xFF\xD9").unwrap();
    w.finish().unwrap();
    for (path, file) in [
        (&lone, lone.display().to_string()),
        (&zipped, format!("{}!/chat.md", zipped.display())),
    ] {
        let err = chatwarden_connectors::open(path, &ParseOptions::default())
            .err()
            .expect("refused");
        match err {
            chatwarden_connectors::ConnectorError::Malformed {
                file: f,
                line,
                reason,
            } => {
                assert_eq!(f, file);
                assert_eq!(line, 1);
                assert!(reason.contains("Markdown export"), "{reason}");
                assert!(reason.contains("chat.txt"), "{reason}");
            }
            other => panic!("{}: {other}", path.display()),
        }
    }
    // Other Markdown is still simply not an export.
    let notes = dir.path().join("notes.md");
    std::fs::write(&notes, "# Meeting notes\n\n- budget\n- hiring\n").unwrap();
    let err = chatwarden_connectors::open(&notes, &ParseOptions::default())
        .err()
        .expect("refused");
    assert!(
        matches!(
            err,
            chatwarden_connectors::ConnectorError::NotRecognized { .. }
        ),
        "{err}"
    );
}
