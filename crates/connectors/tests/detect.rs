//! Format detection: an input no connector recognises gets one error naming the file and
//! listing every format tried, with why each did not match (issue 5, item 8); a file that
//! really is a broken WhatsApp export keeps the WhatsApp reader's own error.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chatwarden_connectors::{ConnectorError, Format, ParseOptions};
use std::io::{Cursor, Write};

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, data) in entries {
        w.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// The `tried` list of a `NotRecognized` error, after checking that it names `file` and
/// lists every format as `name: reason`.
fn tried_of(err: &ConnectorError, file: &str) -> String {
    let ConnectorError::NotRecognized { file: f, tried } = err else {
        panic!("expected NotRecognized, got {err:?}");
    };
    assert!(f.ends_with(file), "{f}");
    assert!(
        err.to_string()
            .starts_with(&format!("{f}: not a recognized export (tried: ")),
        "{err}"
    );
    for format in Format::all() {
        assert!(
            tried.contains(&format!("{format}: ")),
            "{format} missing from: {tried}"
        );
    }
    // One entry per format, in detection order.
    let names: Vec<&str> = tried
        .split("; ")
        .filter_map(|entry| entry.split_once(": ").map(|(name, _)| name))
        .collect();
    let expected: Vec<&str> = Format::all().iter().map(|f| f.as_str()).collect();
    assert_eq!(names, expected, "{tried}");
    tried.clone()
}

#[test]
fn unrecognised_text_lists_every_format_and_why() {
    let dir = tempfile::tempdir().unwrap();
    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "shopping list\nmilk\neggs\n").unwrap();
    let err = chatwarden_connectors::open(&notes, &ParseOptions::default())
        .err()
        .unwrap();
    let tried = tried_of(&err, "notes.txt");
    // The text formats say what they looked for.
    assert!(
        tried.contains("line: no `[LINE] Chat history` first line"),
        "{tried}"
    );
    assert!(tried.contains("imessage: the first line is not an imessage-exporter message time"));
    assert!(tried.contains("wechat: the first line is not the WeChatMsg/MemoTrace CSV header"));
    assert!(tried.contains("whatsapp: no message header"), "{tried}");
    // The JSON and zip formats say the file is not one.
    assert!(tried.contains("telegram: not JSON"), "{tried}");
    assert!(tried.contains("slack: not a zip"), "{tried}");
    // open_all and open_bytes give the same error.
    let all = chatwarden_connectors::open_all(&notes, &ParseOptions::default())
        .err()
        .unwrap();
    assert_eq!(all.to_string(), err.to_string());
    let bytes = chatwarden_connectors::open_bytes(
        "notes.txt",
        b"shopping list\nmilk\neggs\n".to_vec(),
        &ParseOptions::default(),
    )
    .err()
    .unwrap();
    tried_of(&bytes, "notes.txt");
    // Empty and binary input too.
    for junk in [Vec::new(), vec![0u8, 159, 146, 150, 255, 0, 1]] {
        let err = chatwarden_connectors::open_bytes("junk.bin", junk, &ParseOptions::default())
            .err()
            .unwrap();
        tried_of(&err, "junk.bin");
    }
}

#[test]
fn unrecognised_json_html_and_zip_list_every_format() {
    let err = chatwarden_connectors::open_bytes(
        "other.json",
        br#"{"hello": "world"}"#.to_vec(),
        &ParseOptions::default(),
    )
    .err()
    .unwrap();
    let tried = tried_of(&err, "other.json");
    assert!(
        tried.contains("telegram: JSON without `messages` or `chats`"),
        "{tried}"
    );
    assert!(tried.contains("whatsapp: JSON, not chat text"), "{tried}");

    let err = chatwarden_connectors::open_bytes(
        "page.html",
        b"<!DOCTYPE html><html><body><p>hello</p></body></html>".to_vec(),
        &ParseOptions::default(),
    )
    .err()
    .unwrap();
    let tried = tried_of(&err, "page.html");
    assert!(tried.contains("imessage: HTML without imessage-exporter's message markup"));

    // A zip of photos: no format's entries.
    let photos = zip_of(&[("IMG_0001.jpg", b"\xFF\xD8\xFF"), ("notes.md", b"x")]);
    let err = chatwarden_connectors::open_bytes("photos.zip", photos, &ParseOptions::default())
        .err()
        .unwrap();
    let tried = tried_of(&err, "photos.zip");
    assert!(
        tried.contains("telegram: no `result.json` in the zip"),
        "{tried}"
    );
    assert!(tried.contains("slack: no `channels.json`"), "{tried}");
    assert!(tried.contains("messenger: no `message_N.json`"), "{tried}");
    assert!(tried.contains("whatsapp: no chat text"), "{tried}");
    assert!(tried.contains("line: a zip"), "{tried}");

    // A zip whose only text file is not a chat: the WhatsApp entry names it.
    let readme = zip_of(&[("readme.txt", b"just some notes\nnothing else\n")]);
    let err = chatwarden_connectors::open_bytes("readme.zip", readme, &ParseOptions::default())
        .err()
        .unwrap();
    let tried = tried_of(&err, "readme.zip");
    assert!(
        tried.contains("whatsapp: \"readme.txt\" in the zip has no message header"),
        "{tried}"
    );
}

#[test]
fn a_broken_whatsapp_export_keeps_the_whatsapp_error() {
    // WhatsApp headers, then invalid UTF-8 on line 3: the WhatsApp reader's own error.
    let mut chat =
        b"[3/27/22, 21:42:01] Dmitry S: hi\n[3/27/22, 21:42:02] Elon Musk: hello\n".to_vec();
    chat.extend_from_slice(b"[3/27/22, 21:42:03] Dmitry S: bad \xC3\x28 byte\n");
    let err = chatwarden_connectors::open_bytes("chat.txt", chat.clone(), &ParseOptions::default())
        .err()
        .unwrap();
    assert!(
        matches!(err, ConnectorError::InvalidUtf8 { line: 3, .. }),
        "{err}"
    );
    // The same in a zip: named with the entry and line.
    let z = zip_of(&[("_chat.txt", &chat)]);
    let err = chatwarden_connectors::open_bytes("chat.zip", z, &ParseOptions::default())
        .err()
        .unwrap();
    assert_eq!(err.to_string(), "chat.zip!/_chat.txt:3: invalid UTF-8");
    // An over-long line after real headers.
    let mut long = b"12/03/2024, 09:15 - Ana: hola\n12/03/2024, 09:16 - Ana: ".to_vec();
    long.extend(std::iter::repeat_n(b'x', 4096));
    long.push(b'\n');
    let mut opts = ParseOptions::default();
    opts.limits.max_line_bytes = 1024;
    let err = chatwarden_connectors::open_bytes("long.txt", long, &opts)
        .err()
        .unwrap();
    assert!(
        matches!(err, ConnectorError::LineTooLong { line: 2, .. }),
        "{err}"
    );
}

#[test]
fn forcing_whatsapp_gives_only_the_whatsapp_error() {
    let opts = ParseOptions {
        format: Some(Format::Whatsapp),
        ..ParseOptions::default()
    };
    let err = chatwarden_connectors::open_bytes("notes.txt", b"shopping list\n".to_vec(), &opts)
        .err()
        .unwrap();
    let ConnectorError::NotRecognized { tried, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(tried.starts_with("whatsapp"), "{tried}");
    assert!(!tried.contains("line:"), "{tried}");
}
