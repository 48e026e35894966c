//! Zipped exports: iOS (`_chat.txt` + media) and Android (`WhatsApp Chat with X.txt` + media).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chatwarden_connectors::{ExportSource, ParseOptions};
use chatwarden_model::MediaKind;
use sha2::{Digest, Sha256};
use std::io::{Cursor, Read, Write};
use zip::write::SimpleFileOptions;

fn build_zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        w.start_file(*name, opts).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn jpeg_bytes() -> Vec<u8> {
    // A JPEG-looking header followed by synthetic data.
    let mut v = vec![
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0,
    ];
    v.extend((0..5000u32).map(|i| (i * 31 % 251) as u8));
    v.extend([0xFF, 0xD9]);
    v
}

const IOS_CHAT: &str = "[3/27/22, 21:41:55] Elon Musk: \u{200E}Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them.\r\n\
[3/27/22, 21:42:01] Dmitry S: Photo of the invoice\r\n\
\u{200E}[3/27/22, 21:43:10] Dmitry S: \u{200E}<attached: 00000035-PHOTO-2022-03-27-21-43-10.jpg>\r\n\
[3/27/22, 21:44:00] Elon Musk: \u{200E}<attached: 00000036-AUDIO-2022-03-27-21-44-00.opus>\r\n\
[3/27/22, 21:45:00] Elon Musk: Resume.pdf \u{200E}\u{2022} \u{200E}2 pages \u{200E}<attached: 00000047-Resume.pdf>\r\n\
[3/27/22, 21:46:00] Elon Musk: \u{200E}Missed voice call\r\n";

#[test]
fn ios_zip_links_included_media() {
    let photo = jpeg_bytes();
    let pdf = b"%PDF-1.4 synthetic resume".to_vec();
    let bytes = build_zip(&[
        ("_chat.txt", IOS_CHAT.as_bytes()),
        ("00000035-PHOTO-2022-03-27-21-43-10.jpg", &photo),
        ("00000047-Resume.pdf", &pdf),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("WhatsApp Chat - Elon Musk.zip");
    std::fs::write(&path, &bytes).unwrap();

    let mut src = chatwarden_connectors::open(&path, &ParseOptions::default()).unwrap();
    assert_eq!(src.conversation().title, "Elon Musk");
    assert_eq!(src.size_hint(), IOS_CHAT.len() as u64);
    let msgs = common::messages(&mut src);
    assert_eq!(msgs.len(), 6);
    // The chat's title is a person here (it sends plain messages), so its
    // LRM-led lines that are no known system text stay its messages.
    assert_eq!(msgs[5].kind, chatwarden_model::MessageKind::Message);
    assert_eq!(msgs[5].sender.as_deref(), Some("Elon Musk"));
    assert_eq!(msgs[5].text, "Missed voice call");
    let expected_file = format!("{}!/_chat.txt", path.display());
    assert!(msgs.iter().all(|m| *m.source.file == *expected_file));
    assert_eq!(msgs[0].sender, None);

    let photo_att = &msgs[2].attachments[0];
    assert_eq!(
        photo_att.name.as_deref(),
        Some("00000035-PHOTO-2022-03-27-21-43-10.jpg")
    );
    assert!(photo_att.included);
    assert_eq!(photo_att.kind, MediaKind::Image);
    assert_eq!(photo_att.size, Some(photo.len() as u64));
    assert_eq!(
        photo_att.content_hash.as_deref(),
        Some(hex::encode(Sha256::digest(&photo)).as_str())
    );
    assert_eq!(photo_att.placeholder, None);
    assert_eq!(msgs[2].text, "");

    // Named but not shipped: not included, placeholder kept.
    let audio = &msgs[3].attachments[0];
    assert!(!audio.included);
    assert_eq!(audio.kind, MediaKind::Audio);
    assert!(
        audio
            .placeholder
            .as_deref()
            .unwrap()
            .contains("<attached: 00000036-AUDIO")
    );

    let doc = &msgs[4].attachments[0];
    assert!(doc.included);
    assert_eq!(doc.kind, MediaKind::Document);
    assert_eq!(doc.size, Some(pdf.len() as u64));

    // The bytes come back by name.
    let mut r = src
        .open_attachment("00000035-PHOTO-2022-03-27-21-43-10.jpg")
        .unwrap()
        .unwrap();
    let mut got = Vec::new();
    r.read_to_end(&mut got).unwrap();
    drop(r);
    assert_eq!(got, photo);
    assert!(src.open_attachment("missing.jpg").unwrap().is_none());
    // A second pass over the messages gives the same ids.
    let again = common::messages(&mut src);
    assert_eq!(
        again.iter().map(|m| &m.id).collect::<Vec<_>>(),
        msgs.iter().map(|m| &m.id).collect::<Vec<_>>()
    );
}

#[test]
fn android_zip_with_named_txt_and_media() {
    let chat = "1/4/23, 9:16\u{202F}AM - Jordan Miles: Site visit photos\n\
1/4/23, 9:17\u{202F}AM - Jordan Miles: IMG-20230104-WA0001.jpg (file attached)\n\
the north wall\n\
1/4/23, 9:18\u{202F}AM - Sam Ortiz: PTT-20230104-WA0002.opus (file attached)\n\
1/14/23, 9:18\u{202F}AM - Sam Ortiz: ok\n";
    let photo = jpeg_bytes();
    let voice = b"OggS synthetic voice note".to_vec();
    let bytes = build_zip(&[
        ("WhatsApp Chat with Jordan Miles.txt", chat.as_bytes()),
        ("IMG-20230104-WA0001.jpg", &photo),
        ("PTT-20230104-WA0002.opus", &voice),
    ]);
    let mut src =
        chatwarden_connectors::open_bytes("export.zip", bytes, &ParseOptions::default()).unwrap();
    assert_eq!(src.conversation().title, "Jordan Miles");
    let msgs = common::messages(&mut src);
    assert_eq!(msgs.len(), 4);
    assert_eq!(
        &*msgs[0].source.file,
        "export.zip!/WhatsApp Chat with Jordan Miles.txt"
    );
    let a = &msgs[1].attachments[0];
    assert!(a.included);
    assert_eq!(a.kind, MediaKind::Image);
    assert_eq!(msgs[1].text, "the north wall");
    let v = &msgs[2].attachments[0];
    assert!(v.included);
    assert_eq!(v.kind, MediaKind::Audio);
    assert_eq!(v.size, Some(voice.len() as u64));
    assert_eq!(msgs[3].local_time.to_string(), "2023-01-14T09:18:00");
}

#[test]
fn ios_group_zip_title_from_zip_name() {
    let chat = std::fs::read(common::fixture("WhatsApp Chat - Field Team.txt")).unwrap();
    let bytes = build_zip(&[("_chat.txt", &chat)]);
    let src: Box<dyn ExportSource> = chatwarden_connectors::open_bytes(
        "WhatsApp Chat - Field Team.zip",
        bytes,
        &ParseOptions::default(),
    )
    .unwrap();
    assert_eq!(src.conversation().title, "Field Team");
    assert!(src.conversation().is_group);
}

#[test]
fn chat_file_fallbacks_in_zip() {
    let chat = b"[3/27/22, 21:42:01] Dmitry S: hi\n";
    // *chat*.txt
    let z = build_zip(&[("notes.md", b"x"), ("my chat.txt", chat)]);
    let mut s = chatwarden_connectors::open_bytes("a.zip", z, &ParseOptions::default()).unwrap();
    assert_eq!(common::messages(&mut s).len(), 1);
    // the only .txt
    let z = build_zip(&[("export.txt", chat)]);
    let mut s = chatwarden_connectors::open_bytes("b.zip", z, &ParseOptions::default()).unwrap();
    assert_eq!(
        &*common::messages(&mut s)[0].source.file,
        "b.zip!/export.txt"
    );
    // no chat text: detected (not forced), the error lists every format tried
    let z = build_zip(&[("a.txt", chat), ("b.txt", chat)]);
    let err = chatwarden_connectors::open_bytes("c.zip", z.clone(), &ParseOptions::default())
        .err()
        .unwrap();
    assert!(
        matches!(
            err,
            chatwarden_connectors::ConnectorError::NotRecognized { .. }
        ),
        "{err}"
    );
    assert!(err.to_string().starts_with("c.zip:"));
    assert!(err.to_string().contains("_chat.txt"), "{err}");
    // forced, WhatsApp's own error
    let forced = ParseOptions {
        format: Some(chatwarden_connectors::Format::Whatsapp),
        ..ParseOptions::default()
    };
    let err = chatwarden_connectors::open_bytes("c.zip", z, &forced)
        .err()
        .unwrap();
    assert!(
        matches!(
            err,
            chatwarden_connectors::ConnectorError::NoChatFile { .. }
        ),
        "{err}"
    );
}

#[test]
fn unzipped_export_finds_media_beside_the_chat_text() {
    let dir = tempfile::tempdir().unwrap();
    let photo = jpeg_bytes();
    std::fs::write(dir.path().join("_chat.txt"), IOS_CHAT).unwrap();
    std::fs::write(
        dir.path().join("00000035-PHOTO-2022-03-27-21-43-10.jpg"),
        &photo,
    )
    .unwrap();
    let mut src =
        chatwarden_connectors::open(&dir.path().join("_chat.txt"), &ParseOptions::default())
            .unwrap();
    let msgs = common::messages(&mut src);
    let a = &msgs[2].attachments[0];
    assert!(a.included);
    assert_eq!(a.size, Some(photo.len() as u64));
    assert_eq!(
        a.content_hash.as_deref(),
        Some(hex::encode(Sha256::digest(&photo)).as_str())
    );
    assert!(!msgs[4].attachments[0].included, "the PDF is not beside it");
    let mut got = Vec::new();
    src.open_attachment("00000035-PHOTO-2022-03-27-21-43-10.jpg")
        .unwrap()
        .unwrap()
        .read_to_end(&mut got)
        .unwrap();
    assert_eq!(got, photo);
    // Names that would leave the folder are never opened.
    assert!(src.open_attachment("../_chat.txt").unwrap().is_none());
    assert!(src.open_attachment("/etc/passwd").unwrap().is_none());
}

/// `hash_media: false` links the same media (size from the archive's directory)
/// without hashing it, and the bytes still open.
#[test]
fn media_hashing_can_be_skipped() {
    let chat = "1/4/23, 9:17\u{202F}AM - Jordan Miles: IMG-20230104-WA0001.jpg (file attached)\n\
1/4/23, 9:18\u{202F}AM - Sam Ortiz: ok\n";
    let photo = jpeg_bytes();
    let bytes = build_zip(&[
        ("WhatsApp Chat with Jordan Miles.txt", chat.as_bytes()),
        ("IMG-20230104-WA0001.jpg", &photo),
    ]);
    let hashed =
        chatwarden_connectors::open_bytes("e.zip", bytes.clone(), &ParseOptions::default())
            .map(|mut s| common::messages(&mut s))
            .unwrap();
    let opts = ParseOptions {
        hash_media: false,
        ..ParseOptions::default()
    };
    let mut src = chatwarden_connectors::open_bytes("e.zip", bytes, &opts).unwrap();
    let plain = common::messages(&mut src);
    let (a, b) = (&hashed[0].attachments[0], &plain[0].attachments[0]);
    assert_eq!(
        a.content_hash.as_deref(),
        Some(hex::encode(Sha256::digest(&photo)).as_str())
    );
    assert_eq!(b.content_hash, None);
    assert!(b.included);
    assert_eq!(
        (a.size, b.size),
        (Some(photo.len() as u64), Some(photo.len() as u64))
    );
    assert_eq!((a.name.as_deref(), a.kind), (b.name.as_deref(), b.kind));
    assert_eq!(hashed[0].id, plain[0].id);
    let mut got = Vec::new();
    src.open_attachment("IMG-20230104-WA0001.jpg")
        .unwrap()
        .unwrap()
        .read_to_end(&mut got)
        .unwrap();
    assert_eq!(got, photo);
}
