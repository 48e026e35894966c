//! iMessage as exported by imessage-exporter: the text and HTML outputs of a
//! 1:1 chat and a group chat (tapbacks, edits, unsent parts, deleted messages,
//! threads printed twice, attachments copied beside the export or not,
//! announcements), `--tz`, detection against WhatsApp and LINE, bad input.
//! Fixtures are synthetic, written from imessage-exporter's output shapes
//! (formats.md §13, its exporters' tests).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chatwarden_connectors::{ConnectorError, ExportSource, Format, ParseOptions};
use chatwarden_model::{Channel, MediaKind, Message, MessageKind, TimeSource};
use std::io::Read;
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/imessage")
        .join(name)
}

fn read(name: &str, opts: &ParseOptions) -> (Box<dyn ExportSource>, Vec<Message>) {
    let mut src = chatwarden_connectors::open(&fixture(name), opts)
        .unwrap_or_else(|e| panic!("opening {name}: {e}"));
    let msgs = src
        .messages()
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    (src, msgs)
}

fn lisbon() -> ParseOptions {
    ParseOptions {
        tz: Some(jiff::tz::TimeZone::get("Europe/Lisbon").unwrap()),
        ..ParseOptions::default()
    }
}

fn new_york() -> ParseOptions {
    ParseOptions {
        tz: Some(jiff::tz::TimeZone::get("America/New_York").unwrap()),
        ..ParseOptions::default()
    }
}

fn texts(m: &[Message]) -> Vec<&str> {
    m.iter().map(|m| m.text.as_str()).collect()
}

fn write_temp(name: &str, bytes: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    (dir, path)
}

/// The 1:1 chat, text output, read as UTC.
#[test]
fn one_to_one_text() {
    let (src, m) = read("Maria Lopez.txt", &ParseOptions::default());
    let conv = src.conversation();
    assert_eq!(conv.channel, Channel::Imessage);
    assert_eq!(conv.title, "Maria Lopez");
    assert!(!conv.is_group);
    let people: Vec<_> = conv
        .participants
        .iter()
        .map(|p| (p.display_name.as_str(), p.is_self))
        .collect();
    assert_eq!(people, [("Me", true), ("Maria Lopez", false)]);
    assert!(
        src.warnings()
            .iter()
            .any(|w| w.message.contains("read as UTC"))
    );
    assert_eq!(m.len(), 16, "{:#?}", texts(&m));
    for (i, msg) in m.iter().enumerate() {
        assert_eq!(msg.seq, i as u64);
        assert_eq!(msg.time_source, TimeSource::AssumedUtc);
    }

    // A message with a photo copied beside the export: included.
    assert_eq!(m[0].sender.as_deref(), Some("Me"));
    assert_eq!(m[0].text, "Hi Maria, sending the Q1 pricing sheet now");
    assert_eq!(m[0].local_time.to_string(), "2026-03-03T09:14:05");
    assert_eq!(m[0].sent_at.to_string(), "2026-03-03T09:14:05Z");
    assert_eq!(m[0].source.line, 1);
    let a = &m[0].attachments[0];
    assert_eq!(a.name.as_deref(), Some("attachments/3/IMG_0042.jpeg"));
    assert_eq!((a.kind, a.included), (MediaKind::Image, true));
    let mut bytes = Vec::new();
    src.open_attachment("attachments/3/IMG_0042.jpeg")
        .unwrap()
        .expect("the copied photo")
        .read_to_end(&mut bytes)
        .unwrap();
    assert!(bytes.starts_with(b"\xff\xd8"));
    // Paths outside the export folder are never opened.
    assert!(
        src.open_attachment("../imessage/Maria Lopez.txt")
            .unwrap()
            .is_none()
    );

    // A tapback: its own message from the reacting person, replying to the target.
    assert_eq!(m[1].text, "Thanks! Got it.");
    assert_eq!(m[2].sender.as_deref(), Some("Me"));
    assert_eq!(m[2].text, "Liked a message");
    assert_eq!(m[2].reply_to.as_ref(), Some(&m[1].id));
    assert_eq!(m[2].sent_at, m[1].sent_at);

    // A multi-line body with a blank line; two tapbacks (one an emoji); the
    // thread reply, stored once although the export prints it twice.
    assert_eq!(
        m[3].text,
        "For the deposit use card 4111 1111 1111 1111\n\nexp 09/28"
    );
    assert_eq!(m[3].source.line, 12);
    assert_eq!(m[4].text, "Emphasized a message");
    assert_eq!(m[5].sender.as_deref(), Some("Maria Lopez"));
    assert_eq!(m[5].text, "reacted ☕️ to a message");
    assert_eq!(m[6].text, "Please don't send card numbers here");
    assert_eq!(m[6].reply_to.as_ref(), Some(&m[3].id));
    assert_eq!(m[6].local_time.to_string(), "2026-03-03T09:21:30");
    assert_eq!(
        m.iter()
            .filter(|x| x.text == "Please don't send card numbers here")
            .count(),
        1
    );

    // An edit: the last text on the message, earlier versions kept as deleted
    // messages replying to it, at the times the edits tell.
    assert_eq!(m[7].text, "Meeting at 4pm at the Porto office");
    assert!(m[7].edited);
    assert!(!m[7].deleted);
    assert_eq!(m[8].text, "Meeting at 3pm at the Lisbon office");
    assert_eq!(m[9].text, "Meeting at 4pm at the Lisbon office");
    assert_eq!(m[9].local_time.to_string(), "2026-03-03T09:25:45");
    for v in &m[8..10] {
        assert!(v.deleted);
        assert_eq!(v.reply_to.as_ref(), Some(&m[7].id));
        assert_eq!(v.sender.as_deref(), Some("Maria Lopez"));
    }

    // Unsent: a tombstone without text.
    assert!(m[10].deleted);
    assert_eq!(m[10].text, "");
    // An attachment named by its path on the Mac: not included; the effect
    // note is not text.
    assert_eq!(m[11].text, "Here is the contract draft");
    let a = &m[11].attachments[0];
    assert_eq!((a.kind, a.included), (MediaKind::Document, false));
    assert!(
        a.name
            .as_deref()
            .unwrap()
            .ends_with("Contract draft v2.pdf")
    );
    // A missing attachment: a placeholder.
    let a = &m[12].attachments[0];
    assert_eq!(a.name, None);
    assert_eq!(a.placeholder.as_deref(), Some("Attachment missing!"));
    assert_eq!(m[12].text, "");
    // Deleted from the conversation: the text is still in the export.
    assert!(m[13].deleted);
    assert_eq!(m[13].text, "Old invoice number INV-2231");
    assert_eq!(m[13].local_time.to_string(), "2026-03-03T10:02:15");
    // A link preview is text.
    assert!(
        m[14]
            .text
            .starts_with("https://example.com/pricing\nPricing")
    );
    // A sticker.
    let a = &m[15].attachments[0];
    assert_eq!(a.kind, MediaKind::Sticker);
    assert_eq!(a.name.as_deref(), Some("attachments/3/sticker-thumbs.heic"));
    assert!(!a.included);
}

/// `--tz` applies; ids do not depend on it.
#[test]
fn zone_is_applied() {
    let (_, utc) = read("Maria Lopez.txt", &ParseOptions::default());
    let (src, m) = read("Maria Lopez.txt", &new_york());
    assert!(src.warnings().is_empty(), "{:?}", src.warnings());
    assert_eq!(m[0].time_source, TimeSource::AssumedOperatorZone);
    assert_eq!(m[0].local_time.to_string(), "2026-03-03T09:14:05");
    assert_eq!(m[0].sent_at.to_string(), "2026-03-03T14:14:05Z");
    let ids: Vec<_> = m.iter().map(|x| x.id.clone()).collect();
    let ids_utc: Vec<_> = utc.iter().map(|x| x.id.clone()).collect();
    assert_eq!(ids, ids_utc);
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "ids are distinct");
}

/// Re-reading gives the same ids; an edit made after an export keeps the
/// message's id (it is derived from the first version).
#[test]
fn ids_are_stable_across_edits() {
    let before = "Mar 03, 2026  9:25:00 AM\nMaria Lopez\nMeeting at 3pm at the Lisbon office\n";
    let after = "Mar 03, 2026  9:25:00 AM\nMaria Lopez\n\
                 Mar 03, 2026  9:25:00 AM Meeting at 3pm at the Lisbon office\n\
                 Edited 45 seconds later: Meeting at 4pm at the Lisbon office\n";
    let dir = tempfile::tempdir().unwrap();
    let mut ids = Vec::new();
    for (i, text) in [before, after].iter().enumerate() {
        let sub = dir.path().join(i.to_string());
        std::fs::create_dir(&sub).unwrap();
        let p = sub.join("Maria Lopez.txt");
        std::fs::write(&p, text).unwrap();
        let mut src = chatwarden_connectors::open(&p, &ParseOptions::default()).unwrap();
        let m: Vec<_> = src.messages().unwrap().map(Result::unwrap).collect();
        ids.push(m[0].id.clone());
    }
    assert_eq!(ids[0], ids[1]);
}

/// The group chat, text output: announcements are system messages, the
/// thread's replies are stored once, handles are participants.
#[test]
fn group_text() {
    let (src, m) = read("Project Falcon.txt", &lisbon());
    let conv = src.conversation();
    assert!(conv.is_group);
    assert_eq!(conv.title, "Project Falcon");
    let names: Vec<_> = conv
        .participants
        .iter()
        .map(|p| p.display_name.as_str())
        .collect();
    assert_eq!(names, ["Me", "+15551234567", "jonas.weber@example.com"]);
    assert_eq!(conv.participants[1].phone.as_deref(), Some("+15551234567"));
    assert_eq!(m.len(), 14, "{:#?}", texts(&m));

    assert_eq!(m[0].kind, MessageKind::System);
    assert_eq!(m[0].sender, None);
    assert_eq!(m[0].text, "You named the conversation Project Falcon");
    assert_eq!(m[0].sent_at.to_string(), "2026-02-10T08:00:00Z");
    assert_eq!(
        m[2].text,
        "You added jonas.weber@example.com to the conversation."
    );

    assert_eq!(m[3].text, "Welcome both. Falcon kickoff notes below.");
    assert_eq!(m[4].text, "Loved a message");
    assert_eq!(m[4].sender.as_deref(), Some("+15551234567"));
    assert_eq!(m[5].sender.as_deref(), Some("jonas.weber@example.com"));
    // The first reply, its own tapback, the second reply.
    assert_eq!(m[6].text, "Can you share the data room password?");
    assert_eq!(m[6].reply_to.as_ref(), Some(&m[3].id));
    assert_eq!(m[6].source.line, 14);
    assert_eq!(m[7].text, "Questioned a message");
    assert_eq!(m[7].reply_to.as_ref(), Some(&m[6].id));
    assert_eq!(m[8].text, "It's Falcon#2026 until Friday");
    assert_eq!(m[8].reply_to.as_ref(), Some(&m[3].id));

    // Part of a message unsent: the rest stays.
    assert_eq!(m[9].text, "Sorry, wrong chat");
    assert!(!m[9].deleted);
    // A message unsent whole: the announcement is a tombstone.
    assert_eq!(m[10].kind, MessageKind::System);
    assert!(m[10].deleted);
    // A file that was not copied with the export.
    let a = &m[11].attachments[0];
    assert_eq!(
        a.name.as_deref(),
        Some("attachments/7/falcon-term-sheet.pdf")
    );
    assert!(!a.included);
    assert_eq!(m[12].text, "jonas.weber@example.com left the conversation.");
    assert_eq!(m[13].text, "You changed the group photo.");
}

/// The 1:1 chat, HTML output: native ids from the message GUIDs.
#[test]
fn one_to_one_html() {
    let (src, m) = read("Maria Lopez.html", &ParseOptions::default());
    let conv = src.conversation();
    assert_eq!(conv.title, "Maria Lopez");
    assert!(!conv.is_group);
    assert_eq!(m.len(), 14, "{:#?}", texts(&m));

    assert_eq!(m[0].text, "Hi Maria, sending the Q1 pricing sheet now");
    assert_eq!(m[0].sender.as_deref(), Some("Me"));
    assert_eq!(
        m[0].id,
        Message::native_id(&conv.id, "3F0C2A1E-7B55-4D21-9C0E-5A1B2C3D4E01")
    );
    assert_eq!(m[0].source.line, 23);
    assert_eq!(m[0].sent_at.to_string(), "2026-03-03T09:14:05Z");
    let a = &m[0].attachments[0];
    assert_eq!((a.kind, a.included), (MediaKind::Image, true));
    assert!(
        src.open_attachment("attachments/3/IMG_0042.jpeg")
            .unwrap()
            .is_some()
    );

    assert_eq!(m[2].text, "Liked a message");
    assert_eq!(m[2].reply_to.as_ref(), Some(&m[1].id));
    // Entities decoded, line breaks kept.
    assert_eq!(
        m[3].text,
        "For the deposit use card 4111 1111 1111 1111\n\nexp 09/28 & CVV on request"
    );
    assert_eq!(m[4].text, "Emphasized a message");
    assert_eq!(m[5].text, "Please don't send card numbers here");
    assert_eq!(m[5].reply_to.as_ref(), Some(&m[3].id));
    assert_eq!(
        m[5].id,
        Message::native_id(&conv.id, "3F0C2A1E-7B55-4D21-9C0E-5A1B2C3D4E04")
    );
    // Edited: final text, two earlier versions at their times.
    assert_eq!(m[6].text, "Meeting at 4pm at the Porto office");
    assert!(m[6].edited);
    assert_eq!(m[7].text, "Meeting at 3pm at the Lisbon office");
    assert_eq!(m[7].local_time.to_string(), "2026-03-03T09:25:00");
    assert_eq!(m[8].local_time.to_string(), "2026-03-03T09:25:45");
    assert!(m[7].deleted && m[8].deleted);
    // Unsent.
    assert!(m[9].deleted);
    assert_eq!(m[9].text, "");
    // A download link to a file left on the Mac; rich text flattened.
    assert_eq!(m[10].text, "Here is the contract draft");
    assert!(!m[10].attachments[0].included);
    assert_eq!(m[10].attachments[0].kind, MediaKind::Document);
    // Attachment error: a placeholder.
    assert_eq!(
        m[11].attachments[0].placeholder.as_deref(),
        Some("Attachment does not exist!")
    );
    // Deleted from the conversation.
    assert!(m[12].deleted);
    assert_eq!(m[12].text, "Old invoice number INV-2231");
    // Link preview: URL and captions.
    assert!(m[13].text.starts_with("https://example.com/pricing\n"));
    assert!(m[13].text.contains("Plans and prices"));
}

/// The group chat, HTML output.
#[test]
fn group_html() {
    let (src, m) = read("Project Falcon.html", &lisbon());
    let conv = src.conversation();
    assert!(conv.is_group);
    assert_eq!(m.len(), 10, "{:#?}", texts(&m));
    assert_eq!(m[0].kind, MessageKind::System);
    assert_eq!(m[0].text, "You named the conversation Project Falcon");
    assert_eq!(m[0].source.line, 12);
    assert_eq!(m[2].text, "Welcome both. Falcon kickoff notes below.");
    assert_eq!(m[3].text, "Loved a message");
    // A sticker tapback.
    assert_eq!(m[4].sender.as_deref(), Some("jonas.weber@example.com"));
    assert_eq!(m[4].text, "reacted with a sticker");
    assert_eq!(m[4].attachments[0].kind, MediaKind::Sticker);
    // Thread replies once each.
    assert_eq!(m[5].text, "Can you share the data room password?");
    assert_eq!(m[6].text, "It's Falcon#2026 until Friday");
    assert_eq!(m[6].reply_to.as_ref(), Some(&m[2].id));
    // A video copied beside the export.
    let a = &m[7].attachments[0];
    assert_eq!(m[7].attachments.len(), 1, "two <source>s of one file");
    assert_eq!((a.kind, a.included), (MediaKind::Video, true));
    assert!(m[8].deleted);
    assert_eq!(m[9].text, "jonas.weber@example.com left the conversation.");
}

/// Text and HTML of one chat are one conversation.
#[test]
fn text_and_html_share_the_conversation() {
    let (a, _) = read("Maria Lopez.txt", &ParseOptions::default());
    let (b, _) = read("Maria Lopez.html", &ParseOptions::default());
    assert_eq!(a.conversation().id, b.conversation().id);
}

#[test]
fn detection_and_format_names() {
    assert_eq!("imessage".parse::<Format>(), Ok(Format::Imessage));
    assert_eq!("iMessage-HTML".parse::<Format>(), Ok(Format::Imessage));
    // Forced, from bytes, either output.
    for name in ["Maria Lopez.txt", "Maria Lopez.html"] {
        let bytes = std::fs::read(fixture(name)).unwrap();
        let opts = ParseOptions {
            format: Some(Format::Imessage),
            ..ParseOptions::default()
        };
        let mut src = chatwarden_connectors::open_bytes(name, bytes, &opts).unwrap();
        let n = src.messages().unwrap().count();
        assert!(n >= 14, "{name}: {n}");
        // From bytes there is no folder: nothing is included.
        let m: Vec<_> = src.messages().unwrap().map(Result::unwrap).collect();
        assert!(m.iter().flat_map(|x| &x.attachments).all(|a| !a.included));
    }
    // Whatsapp and LINE exports are not taken for iMessage, and iMessage is not
    // taken for them.
    let wa = b"[3/27/22, 21:42:01] Maria: hello\n[3/27/22, 21:43:00] Ben: hi\n";
    let mut src =
        chatwarden_connectors::open_bytes("chat.txt", wa.to_vec(), &ParseOptions::default())
            .unwrap();
    assert_eq!(src.conversation().channel, Channel::Whatsapp);
    assert_eq!(src.messages().unwrap().count(), 2);
    let line = std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/line/[LINE] Sales Team.txt"),
    )
    .unwrap();
    let src =
        chatwarden_connectors::open_bytes("line.txt", line, &ParseOptions::default()).unwrap();
    assert_eq!(src.conversation().channel, Channel::Line);
    let im = std::fs::read(fixture("Project Falcon.txt")).unwrap();
    let src = chatwarden_connectors::open_bytes("Project Falcon.txt", im, &ParseOptions::default())
        .unwrap();
    assert_eq!(src.conversation().channel, Channel::Imessage);
    let wa_android = b"27/03/2022, 21:42 - Maria: hello\n";
    let src =
        chatwarden_connectors::open_bytes("c.txt", wa_android.to_vec(), &ParseOptions::default())
            .unwrap();
    assert_eq!(src.conversation().channel, Channel::Whatsapp);
}

/// Any other HTML is refused with a clear "not recognized".
#[test]
fn other_html_is_not_recognized() {
    let page = b"<!DOCTYPE html>\n<html><head><title>Invoice</title></head><body><p>Hello</p></body></html>\n";
    let err =
        chatwarden_connectors::open_bytes("invoice.html", page.to_vec(), &ParseOptions::default())
            .err()
            .expect("refused");
    assert!(matches!(err, ConnectorError::NotRecognized { .. }), "{err}");
    let text = err.to_string();
    assert!(
        text.starts_with("invoice.html: not a recognized export"),
        "{text}"
    );
    assert!(text.contains("imessage"), "{text}");
}

#[test]
fn bad_text_input_names_file_and_line() {
    // Text before the first time line.
    let (_d, p) = write_temp(
        "x.txt",
        b"May 17, 2022  5:29:42 PM\nMe\nhi\n\nnot a time\n\nMay 17, 2022  5:29:43 PM\nMe\nok\n",
    );
    let (_, m) = {
        let mut src = chatwarden_connectors::open(&p, &ParseOptions::default()).unwrap();
        let m: Vec<_> = src.messages().unwrap().map(Result::unwrap).collect();
        (src, m)
    };
    // A stray line after a blank line is body text of the message before it.
    assert_eq!(m[0].text, "hi\n\nnot a time");

    // A forced read of something else: the first line is named.
    let opts = ParseOptions {
        format: Some(Format::Imessage),
        ..ParseOptions::default()
    };
    let (_d, p) = write_temp(
        "y.txt",
        b"\nhello there\nMay 17, 2022  5:29:42 PM\nMe\nhi\n",
    );
    let err = chatwarden_connectors::open(&p, &opts)
        .err()
        .expect("refused");
    assert!(err.to_string().ends_with("y.txt:2: iMessage text: expected a message time such as `May 17, 2022  5:29:42 PM` at the start of a record"), "{err}");

    // The sender line missing.
    let (_d, p) = write_temp(
        "z.txt",
        b"May 17, 2022  5:29:42 PM\n\nMay 17, 2022  5:29:43 PM\nMe\nok\n",
    );
    // (Detection already declines it: no sender line under the first time.)
    let err = chatwarden_connectors::open(&p, &ParseOptions::default())
        .err()
        .expect("refused");
    assert!(matches!(err, ConnectorError::NotRecognized { .. }), "{err}");
    let err = chatwarden_connectors::open(&p, &opts)
        .err()
        .expect("refused");
    assert!(
        err.to_string()
            .contains("z.txt:2: iMessage text: the sender's line is missing"),
        "{err}"
    );

    // Invalid UTF-8.
    let (_d, p) = write_temp("u.txt", b"May 17, 2022  5:29:42 PM\nMe\nbad \xff byte\n");
    let err = chatwarden_connectors::open(&p, &ParseOptions::default())
        .err()
        .expect("refused");
    assert!(err.to_string().ends_with("u.txt:3: invalid UTF-8"), "{err}");

    // A record over the message cap.
    let mut big = b"May 17, 2022  5:29:42 PM\nMe\n".to_vec();
    for _ in 0..200 {
        big.extend_from_slice(b"0123456789012345678901234567890123456789\n");
    }
    let (_d, p) = write_temp("big.txt", &big);
    let mut opts = ParseOptions::default();
    opts.limits.max_message_bytes = 1000;
    let err = chatwarden_connectors::open(&p, &opts)
        .err()
        .expect("refused");
    assert!(
        matches!(err, ConnectorError::MessageTooLong { line: 1, .. }),
        "{err}"
    );

    // An empty file.
    let (_d, p) = write_temp("t.txt", b"");
    let opts = ParseOptions {
        format: Some(Format::Imessage),
        ..ParseOptions::default()
    };
    let err = chatwarden_connectors::open(&p, &opts)
        .err()
        .expect("refused");
    assert!(matches!(err, ConnectorError::NotRecognized { .. }), "{err}");
}

#[test]
fn bad_html_input_names_file_and_line() {
    // A message block without its sent/received div.
    let doc = b"<html>\n<body>\n<div class=\"message\">\n<p><span class=\"timestamp\"><a href=\"sms://open?message-guid=X\">May 17, 2022  5:29:42 PM</a></span></p>\n</div>\n</body></html>\n";
    let (_d, p) = write_temp("bad.html", doc);
    let err = chatwarden_connectors::open(&p, &ParseOptions::default())
        .err()
        .expect("refused");
    assert!(
        err.to_string().starts_with(&format!(
            "{}:3: iMessage HTML: a message without",
            p.display()
        )),
        "{err}"
    );

    // A timestamp in another form.
    let doc = b"<html>\n<body>\n<div class=\"message\">\n<div class=\"received\">\n<p><span class=\"timestamp\"><a href=\"sms://open?message-guid=X\">2022-05-17 17:29</a></span><span class=\"sender\">A</span></p>\n</div></div>\n</body></html>\n";
    let (_d, p) = write_temp("bad2.html", doc);
    let err = chatwarden_connectors::open(&p, &ParseOptions::default())
        .err()
        .expect("refused");
    assert!(
        err.to_string()
            .contains("bad2.html:3: iMessage HTML: a timestamp not in the form"),
        "{err}"
    );

    // Invalid UTF-8, with its line.
    let doc = b"<html>\n<body>\n<div class=\"message\">\n\xff\n</div>\n</body></html>\n";
    let (_d, p) = write_temp("bad3.html", doc);
    let opts = ParseOptions {
        format: Some(Format::Imessage),
        ..ParseOptions::default()
    };
    let err = chatwarden_connectors::open(&p, &opts)
        .err()
        .expect("refused");
    assert!(
        err.to_string().ends_with("bad3.html:4: invalid UTF-8"),
        "{err}"
    );

    // Above the HTML cap: refused before reading (a sparse file).
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("huge.html");
    let mut f = std::fs::File::create(&p).unwrap();
    std::io::Write::write_all(
        &mut f,
        b"<html>\n<body>\n<div class=\"message\">\n<div class=\"sent iMessage\">",
    )
    .unwrap();
    f.set_len(chatwarden_connectors::imessage::MAX_HTML_BYTES + 1)
        .unwrap();
    drop(f);
    let err = chatwarden_connectors::open(&p, &ParseOptions::default())
        .err()
        .expect("refused");
    assert!(
        err.to_string()
            .contains("larger than the 67108864-byte cap"),
        "{err}"
    );
}

/// Hostile input never panics: every prefix of each fixture either opens and
/// streams or fails with an error.
#[test]
fn truncated_fixtures_do_not_panic() {
    for name in ["Maria Lopez.txt", "Project Falcon.html", "Maria Lopez.html"] {
        let bytes = std::fs::read(fixture(name)).unwrap();
        for cut in (0..bytes.len()).step_by(37) {
            let opts = ParseOptions {
                format: Some(Format::Imessage),
                ..ParseOptions::default()
            };
            if let Ok(mut src) =
                chatwarden_connectors::open_bytes(name, bytes[..cut].to_vec(), &opts)
            {
                for m in src.messages().unwrap() {
                    if m.is_err() {
                        break;
                    }
                }
            }
        }
    }
}
