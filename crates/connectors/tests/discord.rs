//! DiscordChatExporter JSON: guild channel (offsets, replies, edits, pins,
//! joins, local media, stickers, forwards), DM in UTC, detection, bad input.
//! Fixtures are synthetic, written from DCE's JsonMessageWriter shape.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chatwarden_connectors::{ConnectorError, ExportSource, Format, ParseOptions};
use chatwarden_model::{Channel, MediaKind, Message, MessageKind, TimeSource};
use std::io::Read;
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/discord")
        .join(name)
}

fn read_all(src: &mut Box<dyn ExportSource>) -> Vec<Message> {
    src.messages()
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
}

#[test]
fn guild_channel() {
    let mut src =
        chatwarden_connectors::open(&fixture("Acme - ops [111].json"), &ParseOptions::default())
            .unwrap();
    let conv = src.conversation().clone();
    assert_eq!(conv.channel, Channel::Discord);
    assert_eq!(conv.title, "Acme Logistics / Operations / ops");
    assert_eq!(conv.source_key, "discord:1100220033004400550");
    assert!(conv.is_group);
    let names: Vec<_> = conv
        .participants
        .iter()
        .map(|p| p.display_name.as_str())
        .collect();
    assert_eq!(names, ["Mira Kovac", "tomas_r", "Sam Okafor"]);

    let all = read_all(&mut src);
    assert_eq!(all.len(), 7);
    // The first message's 👍 (count 1, `users` empty) is a note replying to it.
    let note_id = Message::native_id(&conv.id, "reaction:1200000000000000001:unlisted:👍");
    assert_eq!(all[1].id, note_id);
    assert_eq!(all[1].kind, MessageKind::System);
    assert_eq!(
        all[1].text,
        "1 reaction(s) 👍 to a message; the export does not list who"
    );
    assert_eq!(all[1].reply_to.as_ref(), Some(&all[0].id));
    assert_eq!(all[1].sent_at, all[0].sent_at);
    let msgs: Vec<Message> = all.into_iter().filter(|m| m.id != note_id).collect();
    let m = &msgs[0];
    assert_eq!(m.id, Message::native_id(&conv.id, "1200000000000000001"));
    assert_eq!(m.sender.as_deref(), Some("Mira Kovac"));
    assert_eq!(m.text, "Truck 7 is delayed, new ETA 14:00");
    assert_eq!(m.sent_at.to_string(), "2026-02-01T08:30:00.123Z");
    assert_eq!(m.local_time.to_string(), "2026-02-01T09:30:00.123");
    assert_eq!(m.time_source, TimeSource::NativeOffset);
    assert!(!m.edited && !m.deleted);
    // Reply, edited.
    assert!(msgs[1].edited);
    assert_eq!(msgs[1].reply_to.as_ref(), Some(&m.id));
    // Lines name where each message object opens.
    assert_eq!(m.source.line, 21);
    assert_eq!(msgs[1].source.line, 46);
    // Attachments: one downloaded beside the JSON, one CDN link (URL never stored), a sticker.
    let a = &msgs[2].attachments;
    assert_eq!(a.len(), 3);
    assert!(a[0].included);
    assert_eq!(a[0].kind, MediaKind::Image);
    assert_eq!(a[0].size, Some(20));
    assert!(!a[1].included);
    assert_eq!(a[1].name.as_deref(), Some("manifest.pdf"));
    assert_eq!(a[1].kind, MediaKind::Document);
    assert_eq!(a[2].kind, MediaKind::Sticker);
    assert_eq!(a[2].name.as_deref(), Some("Wumpus Wave"));
    let mut bytes = String::new();
    src.open_attachment(a[0].name.as_deref().unwrap())
        .unwrap()
        .unwrap()
        .read_to_string(&mut bytes)
        .unwrap();
    assert_eq!(bytes, "synthetic png bytes\n");
    assert!(src.open_attachment("../discord.rs").unwrap().is_none());
    // Pin and join: system events without a sender.
    assert_eq!(msgs[3].kind, MessageKind::System);
    assert_eq!(msgs[3].text, "Pinned a message.");
    assert_eq!(msgs[3].sender, None);
    assert_eq!(msgs[4].kind, MessageKind::System);
    assert_eq!(msgs[4].text, "GuildMemberJoin");
    // Forward: the forwarded content is the text.
    assert_eq!(msgs[5].forwarded_from.as_deref(), Some(""));
    assert_eq!(msgs[5].text, "Customs cleared for order 5512");
    assert!(msgs.iter().all(|m| !m.deleted));
}

#[test]
fn direct_messages_in_utc() {
    let mut src =
        chatwarden_connectors::open(&fixture("dm_utc.json"), &ParseOptions::default()).unwrap();
    let conv = src.conversation().clone();
    assert!(!conv.is_group);
    assert_eq!(conv.title, "mira.k");
    let msgs = read_all(&mut src);
    assert_eq!(msgs.len(), 2);
    assert_eq!(msgs[0].time_source, TimeSource::NativeUtc);
    assert_eq!(msgs[0].sent_at.to_string(), "2026-02-01T08:00:00Z");
    assert_eq!(msgs[1].kind, MessageKind::System);
    assert_eq!(msgs[1].text, "Started a call that lasted 4 minutes.");
    assert_eq!(msgs[0].source.line, 2);
}

#[test]
fn detection_and_forced_format() {
    let head = std::fs::read(fixture("dm_utc.json")).unwrap();
    assert_eq!(
        chatwarden_connectors::detect::sniff(&head),
        chatwarden_connectors::detect::Sniffed::Json(Format::Discord)
    );
    assert_eq!("discord".parse::<Format>(), Ok(Format::Discord));
    let opts = ParseOptions {
        format: Some(Format::Discord),
        ..Default::default()
    };
    let err = chatwarden_connectors::open_bytes("x.json", br#"{"messages": []}"#.to_vec(), &opts)
        .err()
        .unwrap();
    assert!(matches!(err, ConnectorError::NotRecognized { .. }), "{err}");
    assert!(err.to_string().starts_with("x.json: "), "{err}");
}

#[test]
fn truncated_export_names_file_and_line() {
    // The scan at open reads every message, so the truncation is found there.
    let err = chatwarden_connectors::open(&fixture("truncated.json"), &ParseOptions::default())
        .err()
        .unwrap();
    let text = err.to_string();
    assert!(matches!(err, ConnectorError::Malformed { .. }), "{text}");
    assert!(
        text.starts_with(&format!("{}:", fixture("truncated.json").display())),
        "{text}"
    );
}

#[test]
fn reactions_become_messages_replying_to_their_target() {
    let mut src =
        chatwarden_connectors::open(&fixture("reactions.json"), &ParseOptions::default()).unwrap();
    let conv = src.conversation().clone();
    // People who reacted are participants too.
    let names: Vec<_> = conv
        .participants
        .iter()
        .map(|p| p.display_name.as_str())
        .collect();
    assert_eq!(names, ["Mira Kovac", "tomas_r", "Sam Okafor"]);
    let msgs = read_all(&mut src);
    let got: Vec<(u64, Option<&str>, &str)> = msgs
        .iter()
        .map(|m| (m.seq, m.sender.as_deref(), m.text.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (0, Some("Mira Kovac"), "Truck 9 loaded"),
            (1, Some("tomas_r"), "reacted 👍 to a message"),
            (2, Some("Sam Okafor"), "reacted 👍 to a message"),
            (
                3,
                None,
                "1 more reaction(s) 👍 to a message; the export does not list who"
            ),
            (
                4,
                None,
                "2 reaction(s) :shipit: to a message; the export does not list who"
            ),
            (5, Some("tomas_r"), "No reactions here"),
        ]
    );
    let target = &msgs[0];
    let sam = &msgs[2];
    assert_eq!(
        sam.id,
        Message::native_id(
            &conv.id,
            "reaction:1200000000000000501:300000000000000033:👍"
        )
    );
    assert_eq!(
        sam.sender_id,
        Some(chatwarden_model::Participant::id_for(
            Channel::Discord,
            "300000000000000033"
        ))
    );
    assert_eq!(sam.kind, MessageKind::Message);
    assert_eq!(sam.reply_to.as_ref(), Some(&target.id));
    // No reaction time in the export: the message's own time, said in a warning.
    assert_eq!(sam.sent_at, target.sent_at);
    assert_eq!(sam.local_time, target.local_time);
    assert_eq!(sam.time_source, TimeSource::NativeOffset);
    assert_eq!(sam.source, target.source);
    // A custom emoji is keyed by its id.
    assert_eq!(
        msgs[4].id,
        Message::native_id(
            &conv.id,
            "reaction:1200000000000000501:unlisted:880000000000000001"
        )
    );
    assert!(src.warnings().iter().any(|w| w.message
        == "4 reaction message(s) dated at the message they react to: \
            DiscordChatExporter records no reaction time"));
    // Stable ids on a second read.
    let again = read_all(&mut src);
    assert_eq!(
        msgs.iter().map(|m| &m.id).collect::<Vec<_>>(),
        again.iter().map(|m| &m.id).collect::<Vec<_>>()
    );
}
