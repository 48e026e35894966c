//! Telegram Desktop JSON: single chats (new and 2018 shapes), account exports,
//! media, service messages, edits, replies, forwards, the `\x0B` escape.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chatwarden_connectors::{ConnectorError, ExportSource, Format, ParseOptions};
use chatwarden_model::{
    Channel, Conversation, MediaKind, Message, MessageKind, Participant, TimeSource,
};
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/telegram")
        .join(name)
}

fn read_all(src: &mut Box<dyn ExportSource>) -> Vec<Message> {
    src.messages()
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
}

fn by_native<'a>(conv: &Conversation, msgs: &'a [Message], native: &str) -> &'a Message {
    let id = Message::native_id(&conv.id, native);
    msgs.iter()
        .find(|m| m.id == id)
        .unwrap_or_else(|| panic!("no message {native}"))
}

#[test]
fn single_chat_new_shape() {
    let mut src =
        chatwarden_connectors::open(&fixture("single_chat.json"), &ParseOptions::default())
            .unwrap();
    let conv = src.conversation().clone();
    assert_eq!(conv.channel, Channel::Telegram);
    assert_eq!(conv.title, "Falcon Deal Room");
    // A supergroup: message ids are shared by all members, so no account in the key.
    assert_eq!(conv.source_key, "telegram:1987654321");
    assert_eq!(
        conv.id,
        Conversation::id_for(Channel::Telegram, "telegram:1987654321")
    );
    assert!(conv.is_group);
    let names: Vec<&str> = conv
        .participants
        .iter()
        .map(|p| p.display_name.as_str())
        .collect();
    assert_eq!(names, ["Mei Chen", "Ravi Patel", "Deleted Account"]);
    assert_eq!(
        conv.participants[0].id,
        Participant::id_for(Channel::Telegram, "id:user1001")
    );

    let msgs = read_all(&mut src);
    // 15 elements, one `unsupported` skipped with a warning.
    assert_eq!(msgs.len(), 14);
    assert_eq!(
        msgs.iter().map(|m| m.seq).collect::<Vec<_>>(),
        (0..14).collect::<Vec<_>>()
    );
    assert!(msgs.windows(2).all(|w| w[0].source.line < w[1].source.line));
    assert!(
        msgs.iter()
            .all(|m| m.source.file.ends_with("single_chat.json"))
    );
    assert!(msgs.iter().all(|m| m.time_source == TimeSource::NativeUtc));
    let warnings: Vec<String> = src.warnings().iter().map(|w| w.to_string()).collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("unsupported"), "{warnings:?}");
    let system: Vec<&str> = msgs
        .iter()
        .filter(|m| m.kind == MessageKind::System)
        .map(|m| m.text.as_str())
        .collect();
    assert_eq!(
        system,
        [
            "Mei Chen added Ravi Patel, Deleted Account",
            "Ravi Patel pinned message 3",
            "Mei Chen started a group call (95 s)",
        ]
    );
    assert!(
        msgs.iter()
            .filter(|m| m.kind == MessageKind::System)
            .all(|m| m.sender.is_none())
    );

    let m2 = by_native(&conv, &msgs, "1987654321:2");
    assert_eq!(m2.sender.as_deref(), Some("Mei Chen"));
    assert_eq!(m2.sent_at.to_string(), "2024-06-03T11:01:00Z");
    // `date` is the exporting PC's wall clock (here Berlin, UTC+2).
    assert_eq!(m2.local_time.to_string(), "2024-06-03T13:01:00");
    assert!(!m2.edited && !m2.deleted);

    let m3 = by_native(&conv, &msgs, "1987654321:3");
    assert_eq!(
        m3.text,
        "Deadline: Friday. Details at the portal (https://deals.example.test/falcon)."
    );
    assert!(m3.edited);

    let m4 = by_native(&conv, &msgs, "1987654321:4");
    assert_eq!(m4.reply_to, Some(m3.id.clone()));
    assert_eq!(m3.reply_to, None);

    let m5 = by_native(&conv, &msgs, "1987654321:5");
    assert_eq!(m5.forwarded_from.as_deref(), Some("Acme Support"));
    assert_eq!(m5.text, "Your ticket #4471 has been resolved.");
    assert_eq!(
        msgs.iter().filter(|m| m.forwarded_from.is_some()).count(),
        1
    );

    let m6 = by_native(&conv, &msgs, "1987654321:6");
    assert_eq!(m6.text, "whiteboard");
    assert_eq!(m6.attachments.len(), 1);
    let a = &m6.attachments[0];
    assert_eq!((a.kind, a.included), (MediaKind::Image, false));
    assert!(
        a.placeholder
            .as_deref()
            .unwrap()
            .starts_with("(File not included.")
    );

    let m7 = by_native(&conv, &msgs, "1987654321:7");
    let a = &m7.attachments[0];
    assert_eq!(a.name.as_deref(), Some("files/Q3 contract.pdf"));
    assert_eq!(
        (a.kind, a.included, a.size),
        (MediaKind::Document, true, Some(48213))
    );

    let m8 = by_native(&conv, &msgs, "1987654321:8");
    let a = &m8.attachments[0];
    assert_eq!((a.kind, a.included), (MediaKind::Audio, false));
    assert!(
        a.placeholder
            .as_deref()
            .unwrap()
            .starts_with("(File exceeds maximum size.")
    );

    let m9 = by_native(&conv, &msgs, "1987654321:9");
    assert_eq!(m9.sender.as_deref(), Some("Deleted Account"));
    assert_eq!(
        m9.sender_id,
        Some(Participant::id_for(Channel::Telegram, "id:user1003"))
    );

    // `\x0B` (invalid JSON that tdesktop writes) and `\u2028` decode; `\\x41` stays text.
    let m10 = by_native(&conv, &msgs, "1987654321:10");
    assert_eq!(m10.text, "col A\u{b}col B\u{2028}next \\x41 stays");

    let m13 = by_native(&conv, &msgs, "1987654321:13");
    let a = &m13.attachments[0];
    assert_eq!(a.kind, MediaKind::Contact);
    assert_eq!(a.name.as_deref(), Some("Lena Voss"));
    assert_eq!(a.placeholder.as_deref(), Some("+49 30 5550 1234"));

    let m14 = by_native(&conv, &msgs, "1987654321:14");
    let a = &m14.attachments[0];
    assert_eq!(a.kind, MediaKind::Location);
    assert_eq!(a.name.as_deref(), Some("Acme Berlin Office"));
    assert_eq!(a.placeholder.as_deref(), Some("52.520008, 13.404954"));

    // Reading again gives the same messages (ids are stable).
    let again = read_all(&mut src);
    assert_eq!(again, msgs);
}

#[test]
fn old_2018_shape_uses_the_operator_zone() {
    let berlin = jiff::tz::TimeZone::get("Europe/Berlin").unwrap();
    let opts = ParseOptions {
        tz: Some(berlin),
        custodian: Some("jonas@corp.test".into()),
        ..Default::default()
    };
    let mut src = chatwarden_connectors::open(&fixture("old_2018.json"), &opts).unwrap();
    let conv = src.conversation().clone();
    // A personal chat: ids are per account, so the custodian is in the key.
    assert_eq!(conv.source_key, "telegram:jonas@corp.test:5551234");
    assert!(!conv.is_group);
    assert_eq!(conv.custodian.as_deref(), Some("jonas@corp.test"));
    assert_eq!(
        conv.participants[0].id,
        Participant::id_for(Channel::Telegram, "id:5551234")
    );
    assert!(src.warnings().is_empty(), "{:?}", src.warnings());
    let msgs = read_all(&mut src);
    assert_eq!(msgs.len(), 4);
    assert!(
        msgs.iter()
            .all(|m| m.time_source == TimeSource::AssumedOperatorZone)
    );
    // 2018-03-25 is the spring-forward day in Berlin: 01:30 is CET, 03:30 CEST.
    assert_eq!(msgs[0].sent_at.to_string(), "2018-03-25T00:30:00Z");
    assert_eq!(msgs[1].sent_at.to_string(), "2018-03-25T01:30:00Z");
    assert_eq!(msgs[0].local_time.to_string(), "2018-03-25T01:30:00");
    // An edit time at the epoch means "not edited".
    assert!(msgs.iter().all(|m| !m.edited));
    assert_eq!(msgs[1].text, "Ja, siehe https://files.example.test/a1");
    assert_eq!(msgs[1].reply_to, Some(msgs[0].id.clone()));
    assert_eq!(msgs[1].sender.as_deref(), Some("Jonas Weber"));
    assert_eq!(msgs[2].kind, MessageKind::System);
    assert_eq!(
        msgs[2].text,
        "Jonas Weber started a call (300 s), ended: hangup"
    );
    let a = &msgs[3].attachments[0];
    assert_eq!(
        a.name.as_deref(),
        Some("photos/photo_1@25-03-2018_04-10-00.jpg")
    );
    assert!(a.included);

    // No zone named: read as UTC and say so; no custodian: a warning.
    let mut src =
        chatwarden_connectors::open(&fixture("old_2018.json"), &ParseOptions::default()).unwrap();
    assert_eq!(src.conversation().source_key, "telegram::5551234");
    assert_eq!(src.warnings().len(), 1);
    let msgs = read_all(&mut src);
    assert!(msgs.iter().all(|m| m.time_source == TimeSource::AssumedUtc));
    assert_eq!(msgs[0].sent_at.to_string(), "2018-03-25T01:30:00Z");
}

#[test]
fn account_export_gives_one_source_per_chat() {
    let mut all =
        chatwarden_connectors::open_all(&fixture("account_export.json"), &ParseOptions::default())
            .unwrap();
    let titles: Vec<String> = all.iter().map(|s| s.conversation().title.clone()).collect();
    assert_eq!(
        titles,
        [
            "Sara Lind",
            "Acme Sales EMEA",
            "Saved Messages",
            "Crypto Deals Private"
        ]
    );
    let keys: Vec<String> = all
        .iter()
        .map(|s| s.conversation().source_key.clone())
        .collect();
    assert_eq!(
        keys,
        [
            "telegram:user2001:2002",
            "telegram:1700000001",
            "telegram:user2001:2001",
            "telegram:1600000009"
        ]
    );
    // Read out of order: each chat seeks to its own place in the file.
    let saved = read_all(&mut all[2]);
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].text, "note to self: renew VPN certificate");
    let left = read_all(&mut all[3]);
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].sender.as_deref(), Some("Crypto Deals Private"));
    assert_eq!(left[0].sent_at.to_string(), "2024-12-31T10:00:00Z");
    let group = read_all(&mut all[1]);
    assert_eq!(group.len(), 4);
    assert_eq!(
        group[0].text,
        "Daniel Kim created the group «Acme Sales EMEA» with Sara Lind, Tom Berg"
    );
    assert_eq!(group[1].sender.as_deref(), Some("Tom Berg"));
    let dm = read_all(&mut all[0]);
    assert_eq!(dm.len(), 3);
    // The `\x0B` in the first chat does not shift where later chats start.
    assert_eq!(dm[1].text, "Sent it by email\u{b}just now");
    assert!(dm[1].source.line > 1);

    // The exporter (personal_information.user_id) is the self participant.
    let conv = all[0].conversation();
    let me: Vec<&str> = conv
        .participants
        .iter()
        .filter(|p| p.is_self)
        .map(|p| p.display_name.as_str())
        .collect();
    assert_eq!(me, ["Daniel Kim"]);
    assert_eq!(conv.participants.len(), 2);

    // Lines point into the file at each message.
    let text = std::fs::read_to_string(fixture("account_export.json")).unwrap();
    let line = text.lines().nth(group[1].source.line as usize - 1).unwrap();
    assert_eq!(line.trim(), "{");
    let next = text.lines().nth(group[1].source.line as usize).unwrap();
    assert!(next.contains("\"id\": 11"), "{next}");

    // `open` gives the first chat and says there are more.
    let first =
        chatwarden_connectors::open(&fixture("account_export.json"), &ParseOptions::default())
            .unwrap();
    assert_eq!(first.conversation().title, "Sara Lind");
    assert!(
        first
            .warnings()
            .iter()
            .any(|w| w.message.contains("4 chats"))
    );
}

#[test]
fn custodian_keys_private_chats_and_ids_survive_reexport() {
    let opts = ParseOptions {
        custodian: Some("daniel.kim".into()),
        ..Default::default()
    };
    let mut a = chatwarden_connectors::open_all(&fixture("account_export.json"), &opts).unwrap();
    assert_eq!(a[0].conversation().source_key, "telegram:daniel.kim:2002");
    // The same chat from a single-chat export of the same account gives the same ids.
    let text = std::fs::read_to_string(fixture("account_export.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text.replace("\\x0B", "\\u000B")).unwrap();
    let chat = serde_json::to_vec(&v["chats"]["list"][0]).unwrap();
    let mut single = chatwarden_connectors::open_bytes("result.json", chat, &opts).unwrap();
    assert_eq!(single.conversation().id, a[0].conversation().id);
    let x = read_all(&mut a[0]);
    let y = read_all(&mut single);
    assert_eq!(
        x.iter().map(|m| &m.id).collect::<Vec<_>>(),
        y.iter().map(|m| &m.id).collect::<Vec<_>>()
    );
}

#[test]
fn truncated_and_hostile_json_give_errors_not_panics() {
    let text = std::fs::read(fixture("single_chat.json")).unwrap();
    // Truncated inside the messages array: open's scan fails with file and line.
    let cut = text[..text.len() / 2].to_vec();
    let err = chatwarden_connectors::open_bytes("cut.json", cut, &ParseOptions::default())
        .err()
        .unwrap();
    match &err {
        ConnectorError::Malformed { file, line, .. } => {
            assert_eq!(file, "cut.json");
            assert!(*line > 1);
        }
        other => panic!("unexpected {other}"),
    }
    // `messages` that is not an array.
    let err = chatwarden_connectors::open_bytes(
        "bad.json",
        br#"{"name": "x", "type": "personal_chat", "id": 1, "messages": 5}"#.to_vec(),
        &ParseOptions::default(),
    )
    .err()
    .unwrap();
    assert!(err.to_string().starts_with("bad.json:1: "), "{err}");
    // Deep nesting is refused, not recursed into.
    let mut deep = br#"{"type":"personal_chat","id":1,"messages":[{"id":1,"text":"#.to_vec();
    deep.extend(std::iter::repeat_n(b'[', 100_000));
    assert!(
        chatwarden_connectors::open_bytes("deep.json", deep, &ParseOptions::default()).is_err()
    );
    // JSON that is no known shape lists what was tried.
    let err = chatwarden_connectors::open_bytes(
        "other.json",
        br#"{"hello": "world"}"#.to_vec(),
        &ParseOptions::default(),
    )
    .err()
    .unwrap();
    match err {
        ConnectorError::NotRecognized { tried, .. } => {
            for f in Format::all() {
                assert!(tried.contains(f.as_str()), "{tried}");
            }
        }
        other => panic!("unexpected {other}"),
    }
}

#[test]
fn format_can_be_forced() {
    // A Telegram export whose first key is unusual still opens when forced.
    let body = br#"{"zzz": 1, "messages": [{"id": 1, "type": "message", "date": "2024-01-01T10:00:00", "date_unixtime": "1704103200", "from": "A", "from_id": "user1", "text": "hi"}], "id": 9, "type": "public_channel"}"#;
    let opts = ParseOptions {
        format: Some("telegram".parse().unwrap()),
        ..Default::default()
    };
    let mut src = chatwarden_connectors::open_bytes("x.json", body.to_vec(), &opts).unwrap();
    assert_eq!(src.conversation().source_key, "telegram:9");
    let msgs = read_all(&mut src);
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0].sent_at.to_string(), "2024-01-01T10:00:00Z");
    // Forcing WhatsApp on the same bytes: WhatsApp's own error.
    let opts = ParseOptions {
        format: Some(Format::Whatsapp),
        ..Default::default()
    };
    let err = chatwarden_connectors::open_bytes("x.json", body.to_vec(), &opts)
        .err()
        .unwrap();
    assert!(matches!(err, ConnectorError::NotRecognized { .. }), "{err}");
}

#[test]
fn zipped_telegram_export_is_detected() {
    use std::io::Write;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    w.start_file("ChatExport_2024-06-03/result.json", opts)
        .unwrap();
    w.write_all(&std::fs::read(fixture("single_chat.json")).unwrap())
        .unwrap();
    w.start_file("ChatExport_2024-06-03/files/Q3 contract.pdf", opts)
        .unwrap();
    w.write_all(b"%PDF-1.4 synthetic").unwrap();
    let bytes = w.finish().unwrap().into_inner();
    let mut src =
        chatwarden_connectors::open_bytes("export.zip", bytes, &ParseOptions::default()).unwrap();
    assert_eq!(src.conversation().title, "Falcon Deal Room");
    let msgs = read_all(&mut src);
    assert_eq!(msgs.len(), 14);
    assert_eq!(
        &*msgs[0].source.file,
        "export.zip!/ChatExport_2024-06-03/result.json"
    );
}

#[test]
fn reactions_become_messages_replying_to_their_target() {
    let mut src =
        chatwarden_connectors::open(&fixture("reactions.json"), &ParseOptions::default()).unwrap();
    let conv = src.conversation().clone();
    // Reactors are participants, in the order first met.
    let names: Vec<&str> = conv
        .participants
        .iter()
        .map(|p| p.display_name.as_str())
        .collect();
    assert_eq!(
        names,
        ["Mei Chen", "Ravi Patel", "Deleted Account", "Ana Ruiz"]
    );
    let msgs = read_all(&mut src);
    let texts: Vec<(u64, &str)> = msgs.iter().map(|m| (m.seq, m.text.as_str())).collect();
    assert_eq!(
        texts,
        [
            (0, "Signed copy is uploaded."),
            (1, "reacted 👍 to a message"),
            (2, "reacted 👍 to a message"),
            (3, "reacted custom emoji 5368324170671202286 to a message"),
            (
                4,
                "4 more reaction(s) custom emoji 5368324170671202286 to a message; \
                 the export does not list who"
            ),
            (5, "Thanks!"),
            (
                6,
                "3 reaction(s) paid ⭐ to a message; the export does not list who"
            ),
            (7, "reacted ❤ to a message"),
            (8, "No reactions here."),
        ]
    );
    let target = by_native(&conv, &msgs, "1987650000:10");
    let ravi = by_native(&conv, &msgs, "reaction:1987650000:10:id:user1002:👍");
    assert_eq!(ravi.kind, MessageKind::Message);
    assert_eq!(ravi.sender.as_deref(), Some("Ravi Patel"));
    assert_eq!(
        ravi.sender_id,
        Some(Participant::id_for(Channel::Telegram, "id:user1002"))
    );
    assert_eq!(ravi.reply_to.as_ref(), Some(&target.id));
    // The reaction's own time (`date`, local with no offset: read as UTC here).
    assert_eq!(ravi.sent_at.to_string(), "2024-06-03T13:05:00Z");
    assert_eq!(ravi.time_source, TimeSource::AssumedUtc);
    let gone = by_native(&conv, &msgs, "reaction:1987650000:10:id:user1009:👍");
    assert_eq!(gone.sender.as_deref(), Some("Deleted Account"));
    let note = by_native(
        &conv,
        &msgs,
        "reaction:1987650000:10:unlisted:custom emoji 5368324170671202286",
    );
    assert_eq!(note.kind, MessageKind::System);
    assert_eq!(note.sender, None);
    assert_eq!(note.reply_to.as_ref(), Some(&target.id));
    assert_eq!(note.sent_at, target.sent_at);
    // An unreadable reaction date: dated at its message, with a warning.
    let thanks = by_native(&conv, &msgs, "1987650000:11");
    let heart = by_native(&conv, &msgs, "reaction:1987650000:11:id:user1001:❤");
    assert_eq!(heart.sent_at, thanks.sent_at);
    assert!(
        src.warnings()
            .iter()
            .any(|w| w.message.contains("reaction(s) without a readable date"))
    );
    // Reading twice gives the same ids.
    let again = read_all(&mut src);
    assert_eq!(
        msgs.iter().map(|m| &m.id).collect::<Vec<_>>(),
        again.iter().map(|m| &m.id).collect::<Vec<_>>()
    );
}
