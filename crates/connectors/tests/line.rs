//! LINE text exports: English group (12-hour times, quoted multi-line message,
//! file/sticker/photo placeholders, system line, unsend notice, identical
//! messages), zh-TW 1:1 (下午/上午, 週二, BOM), Japanese (午前, (金)), a
//! header-less export with `Tue, 06/01/2026` day lines and CRLF, `--tz`,
//! detection, bad input. Fixtures are synthetic, from formats.md §11.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chatwarden_connectors::{ConnectorError, ExportSource, Format, ParseOptions};
use chatwarden_model::{Channel, MediaKind, Message, MessageKind, TimeSource};
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/line")
        .join(name)
}

fn read(name: &str, opts: &ParseOptions) -> (Box<dyn ExportSource>, Vec<Message>) {
    let mut src = chatwarden_connectors::open(&fixture(name), opts).unwrap();
    let msgs = src
        .messages()
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    (src, msgs)
}

fn taipei() -> ParseOptions {
    ParseOptions {
        tz: Some(jiff::tz::TimeZone::get("Asia/Taipei").unwrap()),
        ..ParseOptions::default()
    }
}

#[test]
fn english_group() {
    let (src, m) = read("[LINE] Sales Team.txt", &ParseOptions::default());
    let conv = src.conversation();
    assert_eq!(conv.channel, Channel::Line);
    assert_eq!(conv.title, "Sales Team");
    assert!(conv.is_group, "\"Chat history in\" names a group");
    let names: Vec<_> = conv
        .participants
        .iter()
        .map(|p| p.display_name.as_str())
        .collect();
    assert_eq!(names, ["Aiko Tanaka", "Ben Carter", "Chloe Lin"]);
    assert!(
        src.warnings()
            .iter()
            .any(|w| w.message.contains("read as UTC"))
    );

    assert_eq!(m.len(), 9);
    assert_eq!(m[0].text, "Morning! Quote for Hotel Sunrise below");
    assert_eq!(m[0].sender.as_deref(), Some("Aiko Tanaka"));
    assert_eq!(m[0].local_time.to_string(), "2024-01-02T09:05:00");
    assert_eq!(m[0].sent_at.to_string(), "2024-01-02T09:05:00Z");
    assert_eq!(m[0].time_source, TimeSource::AssumedUtc);
    assert_eq!(m[0].source.line, 5);
    // `[File] name`: an attachment not in the export, with its name.
    let a = &m[1].attachments[0];
    assert_eq!((a.kind, a.included), (MediaKind::Document, false));
    assert_eq!(a.name.as_deref(), Some("quote_sunrise.pdf"));
    assert_eq!(a.placeholder.as_deref(), Some("[File] quote_sunrise.pdf"));
    assert_eq!(m[1].text, "");
    // The quoted multi-line message, quotes removed.
    assert_eq!(
        m[2].text,
        "Thanks Aiko,\nthe numbers look right.\nCard for the deposit: 4111 1111 1111 1111"
    );
    assert_eq!(m[2].source.line, 7);
    // System line (empty sender).
    assert_eq!(m[3].kind, MessageKind::System);
    assert_eq!(m[3].sender, None);
    assert_eq!(m[3].text, "Ben Carter invited Chloe Lin to the group.");
    assert_eq!(m[4].attachments[0].kind, MediaKind::Sticker);
    // Unsend notice: a tombstone, 12:30pm is 12:30.
    assert!(m[5].deleted);
    assert_eq!(m[5].local_time.to_string(), "2024-01-02T12:30:00");
    // 12:05am on the next day line is just after midnight.
    assert_eq!(m[6].local_time.to_string(), "2024-01-03T00:05:00");
    assert_eq!(m[6].attachments[0].kind, MediaKind::Image);
    // Two identical messages in one minute stay two, with distinct ids.
    assert_eq!((m[7].text.as_str(), m[8].text.as_str()), ("ok", "ok"));
    assert_ne!(m[7].id, m[8].id);
    assert_eq!(
        m[7].id,
        Message::derived_id(&conv.id, &m[7].local_time, Some("Aiko Tanaka"), "ok", 0)
    );
}

#[test]
fn zh_tw_with_tz() {
    let (src, m) = read("[LINE] 王小明.txt", &taipei());
    assert_eq!(src.conversation().title, "王小明");
    assert!(!src.conversation().is_group);
    assert_eq!(m.len(), 4);
    assert_eq!(m[0].local_time.to_string(), "2024-01-02T15:04:00");
    assert_eq!(m[0].sent_at.to_string(), "2024-01-02T07:04:00Z");
    assert_eq!(m[0].time_source, TimeSource::AssumedOperatorZone);
    assert_eq!(m[0].text, "明天下午開會，帶合約");
    assert_eq!(m[2].attachments[0].kind, MediaKind::Image);
    assert_eq!(m[3].local_time.to_string(), "2024-01-03T09:15:00");
    assert!(m[3].deleted);
    assert!(src.warnings().is_empty());
}

#[test]
fn japanese() {
    let (src, m) = read("[LINE] 森川 陽介.txt", &ParseOptions::default());
    assert_eq!(src.conversation().title, "森川 陽介");
    assert_eq!(m.len(), 4);
    assert_eq!(
        m[1].text,
        "場所は駅前の会議室です。\n地図はあとで送ります。"
    );
    assert_eq!(m[2].attachments[0].kind, MediaKind::Sticker);
    assert_eq!(m[3].local_time.to_string(), "2026-09-26T08:15:00");
    assert_eq!(m[3].attachments[0].placeholder.as_deref(), Some("[写真]"));
}

#[test]
fn headerless_day_month_order_from_the_weekday() {
    let (src, m) = read("Chat export.txt", &ParseOptions::default());
    assert_eq!(src.conversation().title, "Chat export");
    assert_eq!(m.len(), 3);
    // "Tue, 06/01/2026": 6 January (1 June 2026 is a Monday).
    assert_eq!(m[0].local_time.to_string(), "2026-01-06T14:00:00");
    assert_eq!(m[2].local_time.to_string(), "2026-01-07T08:30:00");
    assert_eq!(m[2].attachments[0].kind, MediaKind::Audio);
    assert_eq!(m[1].text, "Great");
}

#[test]
fn reimport_gives_the_same_ids_and_format_names() {
    let (_, a) = read("[LINE] Sales Team.txt", &ParseOptions::default());
    let (_, b) = read("[LINE] Sales Team.txt", &taipei());
    let ids = |v: &[Message]| v.iter().map(|m| m.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&a), ids(&b), "the zone changes instants, not ids");
    assert_eq!("line".parse::<Format>(), Ok(Format::Line));
    // Forced, and in memory.
    let bytes = std::fs::read(fixture("[LINE] 森川 陽介.txt")).unwrap();
    let forced = ParseOptions {
        format: Some(Format::Line),
        ..ParseOptions::default()
    };
    let mut src = chatwarden_connectors::open_bytes("chat.txt", bytes, &forced).unwrap();
    assert_eq!(src.messages().unwrap().count(), 4);
}

#[test]
fn bad_input() {
    let err = chatwarden_connectors::open(&fixture("bad_no_day.txt"), &ParseOptions::default())
        .err()
        .unwrap();
    assert!(matches!(err, ConnectorError::Malformed { .. }), "{err}");
    assert!(
        err.to_string()
            .ends_with("bad_no_day.txt:4: LINE message line before any day line"),
        "{err}"
    );
    // Not a LINE export, forced: an error naming the file, no panic.
    let err = chatwarden_connectors::open_bytes(
        "x.txt",
        b"hello\nworld\n".to_vec(),
        &ParseOptions {
            format: Some(Format::Line),
            ..ParseOptions::default()
        },
    )
    .err()
    .unwrap();
    assert!(
        err.to_string()
            .starts_with("x.txt: not a recognized export"),
        "{err}"
    );
    // Invalid UTF-8 is named with its line.
    let err = chatwarden_connectors::open_bytes(
        "y.txt",
        b"[LINE] Chat history with A\n\n2024.01.02 Tuesday\n09:00\tA\t\xff\xfe\n".to_vec(),
        &ParseOptions::default(),
    )
    .err()
    .unwrap();
    assert_eq!(err.to_string(), "y.txt:4: invalid UTF-8");
}
