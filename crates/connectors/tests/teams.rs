//! Microsoft Teams (Graph `chatMessage` JSON): a channel list response with a
//! root message, reply, edit, soft delete, `<at>` mention, reference file,
//! reaction (not an edit), `unknownFutureValue` membersAdded event, a typing
//! record, a malformed timestamp and a bot card; a bare array across two chats
//! with an emoji, hostedContents image, quoted reply and chatRenamed event.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chatwarden_connectors::{ConnectorError, ExportSource, Format, ParseOptions, teams};
use chatwarden_model::{Channel, Conversation, MediaKind, Message, MessageKind, TimeSource};
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/teams")
        .join(name)
}

fn read_all(src: &mut Box<dyn ExportSource>) -> Vec<Message> {
    src.messages()
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
}

fn by_id<'a>(conv: &Conversation, msgs: &'a [Message], id: &str) -> &'a Message {
    let id = Message::native_id(&conv.id, id);
    msgs.iter()
        .find(|m| m.id == id)
        .unwrap_or_else(|| panic!("no message {id:?}"))
}

const CHANNEL_KEY: &str = "teams:channel:4d2a1f3e-8c6b-4a57-9b0e-2f1c3d4e5a6b:\
                           19:7f3c2a1b9d8e4f60a1b2c3d4e5f60718@thread.tacv2";

#[test]
fn channel_list_response() {
    let mut src =
        chatwarden_connectors::open(&fixture("channel_messages.json"), &ParseOptions::default())
            .unwrap();
    let conv = src.conversation().clone();
    assert_eq!(conv.channel, Channel::Teams);
    assert_eq!(conv.source_key, CHANNEL_KEY);
    assert_eq!(conv.id, Conversation::id_for(Channel::Teams, CHANNEL_KEY));
    assert!(conv.is_group);
    let names: Vec<&str> = conv
        .participants
        .iter()
        .map(|p| p.display_name.as_str())
        .collect();
    assert_eq!(names, ["Mei Chen", "Ravi Patel", "Deploy Bot"]);
    assert_eq!(
        conv.participants[0].id,
        teams::participant_id("8ea0e38b-efb3-4757-924a-5f94061cf8c2")
    );

    let msgs = read_all(&mut src);
    // 7 records: the typing indicator is dropped, the malformed time skipped.
    assert_eq!(msgs.len(), 5);
    assert_eq!(
        msgs.iter().map(|m| m.seq).collect::<Vec<_>>(),
        [0, 1, 2, 3, 4]
    );
    let w = src.warnings();
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].message.contains("malformed createdDateTime"));
    assert!(w[0].line.is_some_and(|l| l > 100));

    let root = by_id(&conv, &msgs, "1709542800000");
    assert_eq!(root.kind, MessageKind::Message);
    assert_eq!(root.sender.as_deref(), Some("Mei Chen"));
    assert_eq!(
        root.text,
        "@Ravi Patel\u{a0}please review the pipeline before Friday & send comments."
    );
    assert_eq!(root.sent_at.to_string(), "2024-03-04T09:00:00Z");
    assert_eq!(root.time_source, TimeSource::NativeUtc);
    // A reaction moved lastModifiedDateTime; that is not an edit.
    assert!(!root.edited);
    assert_eq!(root.attachments.len(), 1);
    assert_eq!(
        root.attachments[0].name.as_deref(),
        Some("Q1 pipeline.xlsx")
    );
    assert_eq!(root.attachments[0].kind, MediaKind::Document);
    assert!(!root.attachments[0].included);
    assert_eq!(root.source.line, 5);
    assert!(root.source.file.ends_with("channel_messages.json"));

    let reply = by_id(&conv, &msgs, "1709543400000");
    assert!(reply.edited);
    assert_eq!(reply.reply_to, Some(root.id.clone()));
    assert_eq!(reply.text, "Done, two comments on row 14.");

    let gone = by_id(&conv, &msgs, "1709546400000");
    assert!(gone.deleted);
    assert!(gone.text.is_empty());
    assert_eq!(gone.reply_to, Some(root.id.clone()));

    let event = by_id(&conv, &msgs, "1709550000000");
    assert_eq!(event.kind, MessageKind::System);
    assert_eq!(event.text, "membersAdded: Sofia Alves (by Mei Chen)");
    assert_eq!(event.sender, None);

    let bot = by_id(&conv, &msgs, "1709560800000");
    assert_eq!(bot.sender.as_deref(), Some("Deploy Bot"));
    assert_eq!(bot.attachments.len(), 1);
    assert_eq!(
        bot.attachments[0].placeholder.as_deref(),
        Some("card (application/vnd.microsoft.card.adaptive)")
    );
}

#[test]
fn bare_array_across_two_chats() {
    let all =
        chatwarden_connectors::open_all(&fixture("chat_messages.json"), &ParseOptions::default())
            .unwrap();
    assert_eq!(all.len(), 2);
    let keys: Vec<&str> = all
        .iter()
        .map(|s| s.conversation().source_key.as_str())
        .collect();
    assert_eq!(
        keys,
        [
            "teams:chat:19:2da4c29f6d7041eca70b638b43d45437@thread.v2",
            "teams:chat:19:8b0e2c1d3f4a5b6c7d8e9f0a1b2c3d4e_f4a3b2c1-1d2e-4f5a-8b9c-0d1e2f3a4b5c@unq.gbl.spaces",
        ]
    );
    let mut all = all;
    let mut one_to_one = all.pop().unwrap();
    let mut group = all.pop().unwrap();
    assert!(!group.conversation().is_group);

    let conv = group.conversation().clone();
    let msgs = read_all(&mut group);
    assert_eq!(msgs.len(), 3);
    let first = by_id(&conv, &msgs, "1709715600000");
    assert_eq!(first.text, "Signed copy attached 👍\nimage");
    assert_eq!(first.attachments.len(), 1);
    assert_eq!(first.attachments[0].kind, MediaKind::Image);
    let quote = by_id(&conv, &msgs, "1709715660000");
    assert_eq!(quote.reply_to, Some(first.id.clone()));
    assert_eq!(quote.text, "Thanks, filing it now.");
    assert!(quote.attachments.is_empty());
    let renamed = by_id(&conv, &msgs, "1709719200000");
    assert_eq!(renamed.kind, MessageKind::System);
    assert_eq!(renamed.text, "chatRenamed: Acme NDA");

    let msgs = read_all(&mut one_to_one);
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0].text, "1:1 chat: lunch at 12?");
    assert_eq!(msgs[0].sent_at.to_string(), "2024-03-07T10:00:00Z");
}

#[test]
fn truncated_file_is_an_error_naming_the_file() {
    let full = std::fs::read(fixture("channel_messages.json")).unwrap();
    let cut = full[..full.len() * 2 / 3].to_vec();
    let opts = ParseOptions {
        format: Some(Format::Teams),
        ..Default::default()
    };
    // The scan reads the whole file, so a truncated one fails at open.
    let err = teams::open_all_bytes("teams-export.json", cut, &opts)
        .err()
        .unwrap();
    match &err {
        ConnectorError::Malformed { file, line, .. } => {
            assert_eq!(file, "teams-export.json");
            assert!(*line > 100);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.to_string().starts_with("teams-export.json:"));

    let err = teams::open_all_bytes("odd.json", br#"{"@odata.context": "x"}"#.to_vec(), &opts)
        .err()
        .unwrap();
    assert!(matches!(err, ConnectorError::NotRecognized { .. }));
}
