//! Slack workspace export: channels, private channels, DMs, group DMs, day
//! files, threads, edits, tombstones, files (new `files[]` and legacy `file{}`),
//! bot messages, blocks-only text, system subtypes, token stripping, bad input.
//! The fixture folder `tests/fixtures/slack/workspace` is zipped at test time.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chatwarden_connectors::{ConnectorError, ExportSource, Format, ParseOptions, slack};
use chatwarden_model::{
    Channel, Conversation, MediaKind, Message, MessageKind, Participant, TimeSource,
};
use std::io::Write;
use std::path::{Path, PathBuf};

fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/slack/workspace")
}

fn collect(dir: &Path, rel: &str, out: &mut Vec<(String, Vec<u8>)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = format!("{rel}{}", e.file_name().to_string_lossy());
        if e.file_type().unwrap().is_dir() {
            collect(&e.path(), &format!("{name}/"), out);
        } else {
            out.push((name, std::fs::read(e.path()).unwrap()));
        }
    }
}

/// The fixture export as zip bytes, with `edit` applied to the file list.
fn export_zip(edit: impl FnOnce(&mut Vec<(String, Vec<u8>)>)) -> Vec<u8> {
    let mut files = Vec::new();
    collect(&fixture_dir(), "", &mut files);
    edit(&mut files);
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    for (name, bytes) in files {
        w.start_file(name, opts).unwrap();
        w.write_all(&bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn write_zip(bytes: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir
        .path()
        .join("Acme Trading Slack export Mar 4 2024 - Mar 7 2024.zip");
    std::fs::write(&path, bytes).unwrap();
    (dir, path)
}

fn read_all(src: &mut Box<dyn ExportSource>) -> Vec<Message> {
    src.messages()
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
}

fn by_ts<'a>(conv: &Conversation, msgs: &'a [Message], ts: &str) -> &'a Message {
    let id = Message::native_id(&conv.id, ts);
    msgs.iter()
        .find(|m| m.id == id)
        .unwrap_or_else(|| panic!("no message {ts}"))
}

fn open_all_detected() -> (tempfile::TempDir, Vec<Box<dyn ExportSource>>) {
    let (dir, path) = write_zip(&export_zip(|_| {}));
    let all = chatwarden_connectors::open_all(&path, &ParseOptions::default()).unwrap();
    (dir, all)
}

#[test]
fn detects_the_zip_and_opens_every_conversation() {
    let (_dir, all) = open_all_detected();
    let summary: Vec<(&str, &str, bool)> = all
        .iter()
        .map(|s| {
            let c = s.conversation();
            (c.title.as_str(), c.source_key.as_str(), c.is_group)
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("DM: Mei, Ravi Patel", "slack:D01", false),
            ("#deals", "slack:C02", true),
            ("#general", "slack:C01", true),
            ("#legal-private", "slack:G01", true),
            ("mpdm-mei--ravi--sofia-1", "slack:G02", true),
        ]
    );
    for s in &all {
        assert_eq!(s.conversation().channel, Channel::Slack);
        assert_eq!(
            s.conversation().id,
            Conversation::id_for(Channel::Slack, &s.conversation().source_key)
        );
    }
    let general = &all[2];
    let names: Vec<&str> = general
        .conversation()
        .participants
        .iter()
        .map(|p| p.display_name.as_str())
        .collect();
    assert_eq!(names, ["Mei", "Ravi Patel", "Sofia A."]);
    assert_eq!(
        general.conversation().participants[0].id,
        Participant::id_for(Channel::Slack, "id:U01")
    );
    assert!(general.size_hint() > 1000);
}

#[test]
fn general_channel_messages() {
    let (_dir, mut all) = open_all_detected();
    let mut general = all.swap_remove(2);
    let conv = general.conversation().clone();
    let msgs = read_all(&mut general);
    // 11 elements over two day files; one without `ts` is skipped with a warning;
    // the thread parent's two reactions follow it as messages.
    assert_eq!(msgs.len(), 12);
    assert_eq!(
        msgs.iter().map(|m| m.seq).collect::<Vec<_>>(),
        (0..12).collect::<Vec<_>>()
    );
    let w = general.warnings();
    assert!(
        w.iter()
            .any(|w| w.file.ends_with("!/general/2024-03-05.json")
                && w.line.is_some()
                && w.message.contains("without a `ts`")),
        "{w:?}"
    );
    assert!(
        w.iter()
            .any(|w| w.message == "1 Slack access token(s) removed from file URLs")
    );

    let join = &msgs[0];
    assert_eq!(join.kind, MessageKind::System);
    assert_eq!(join.sender.as_deref(), Some("Mei"));
    assert_eq!(join.text, "@Mei has joined the channel");
    assert_eq!(join.sent_at.to_string(), "2024-03-04T09:00:00.0001Z");
    assert_eq!(join.time_source, TimeSource::NativeUtc);
    assert_eq!(join.local_time.to_string(), "2024-03-04T09:00:00.0001");
    assert!(join.source.file.ends_with("!/general/2024-03-04.json"));
    assert_eq!(join.source.line, 2);

    let parent = by_ts(&conv, &msgs, "1709542860.000200");
    assert_eq!(parent.kind, MessageKind::Message);
    assert_eq!(
        parent.text,
        "Welcome @Ravi Patel! Rates sheet: rates (https://example.com/rates?a=1&b=2)"
    );
    assert_eq!(parent.reply_to, None);
    assert!(!parent.edited);
    assert_eq!(parent.sender_id, Some(slack::participant_id("U01")));
    let wave = by_ts(&conv, &msgs, "reaction:1709542860.000200:U02:wave");
    assert_eq!(wave.sender.as_deref(), Some("Ravi Patel"));
    assert_eq!(wave.text, "reacted :wave: to a message");
    assert_eq!(wave.reply_to, Some(parent.id.clone()));
    assert_eq!(wave.seq, parent.seq + 1);

    let reply = by_ts(&conv, &msgs, "1709543000.000300");
    assert_eq!(reply.text, "Thanks & noted");
    assert!(reply.edited);
    assert_eq!(reply.reply_to, Some(parent.id.clone()));
    assert_eq!(reply.sender.as_deref(), Some("Ravi Patel"));
    assert_eq!(reply.sent_at.to_string(), "2024-03-04T09:03:20.0003Z");

    let bot = by_ts(&conv, &msgs, "1709546400.000400");
    assert_eq!(bot.sender.as_deref(), Some("deploybot"));
    assert_eq!(bot.sender_id, Some(slack::participant_id("B01")));
    assert_eq!(bot.text, "Deploy finished: build 42 <green>");

    let share = by_ts(&conv, &msgs, "1709550000.000500");
    assert_eq!(share.sender.as_deref(), Some("Sofia A."));
    assert!(!share.text.contains("xoxe"), "token must be stripped");
    assert_eq!(
        share.text,
        "Q1 forecast q1-forecast.xlsx (https://files.slack.com/files-pri/T01-F01/\
         q1-forecast.xlsx?t=[redacted-slack-token])"
    );
    assert_eq!(share.attachments.len(), 2);
    let a = &share.attachments[0];
    assert_eq!(a.name.as_deref(), Some("q1-forecast.xlsx"));
    assert_eq!(a.kind, MediaKind::Document);
    assert_eq!(a.size, Some(48213));
    assert!(!a.included);
    assert_eq!(share.attachments[1].kind, MediaKind::Image);

    let tomb = by_ts(&conv, &msgs, "1709629100.000100");
    assert!(tomb.deleted);
    assert!(tomb.text.is_empty());
    let under_tomb = by_ts(&conv, &msgs, "1709629150.000200");
    assert_eq!(under_tomb.reply_to, Some(tomb.id.clone()));

    let topic = by_ts(&conv, &msgs, "1709629200.000300");
    assert_eq!(topic.kind, MessageKind::System);
    assert_eq!(topic.text, "@Mei set the channel topic: Q1 deals");

    let blocks = by_ts(&conv, &msgs, "1709632800.000400");
    assert_eq!(blocks.text, "Ping @Mei about the contract :memo:");

    let legacy = by_ts(&conv, &msgs, "1709636400.000500");
    assert_eq!(legacy.attachments.len(), 1);
    assert_eq!(legacy.attachments[0].name.as_deref(), Some("contract.pdf"));
    assert_eq!(legacy.attachments[0].size, Some(1200));
    assert_eq!(
        legacy.text,
        "@Mei uploaded a file: contract.pdf (https://acme-trading.slack.com/files/mei/F02/contract.pdf)"
    );

    let system = msgs
        .iter()
        .filter(|m| m.kind == MessageKind::System)
        .count();
    assert_eq!(system, 2);
    assert_eq!(msgs.iter().filter(|m| m.edited).count(), 1);
    assert_eq!(msgs.iter().filter(|m| m.deleted).count(), 1);
}

#[test]
fn dm_private_and_group_dm() {
    let (_dir, mut all) = open_all_detected();
    let mut take = |key: &str| {
        let i = all
            .iter()
            .position(|s| s.conversation().source_key == key)
            .unwrap();
        all.remove(i)
    };
    let mut dm = take("slack:D01");
    let msgs = read_all(&mut dm);
    assert_eq!(msgs.len(), 2);
    assert_eq!(msgs[0].sender.as_deref(), Some("Ravi Patel"));
    assert_eq!(msgs[0].sent_at.to_string(), "2024-03-06T09:00:00.0001Z");
    assert_eq!(
        msgs[1].kind,
        MessageKind::Message,
        "me_message is written text"
    );

    let mut mpim = take("slack:G02");
    assert_eq!(read_all(&mut mpim)[0].text, "Lunch at 12?");

    let mut private = take("slack:G01");
    let msgs = read_all(&mut private);
    assert_eq!(msgs[0].kind, MessageKind::System);
    assert_eq!(msgs[1].text, "NDA countersigned");
}

#[test]
fn ids_are_stable_across_reimports_and_local_time_follows_tz() {
    let bytes = export_zip(|_| {});
    let first: Vec<_> = {
        let mut s = slack::open_all_bytes("a.zip", bytes.clone(), &ParseOptions::default())
            .unwrap()
            .swap_remove(2);
        ExportSource::messages(&mut s)
            .unwrap()
            .map(|m| m.unwrap().id)
            .collect()
    };
    let opts = ParseOptions {
        tz: jiff::tz::TimeZone::get("Asia/Singapore").ok(),
        ..Default::default()
    };
    let mut s = slack::open_all_bytes("b.zip", bytes, &opts)
        .unwrap()
        .swap_remove(2);
    let msgs: Vec<Message> = ExportSource::messages(&mut s)
        .unwrap()
        .map(|m| m.unwrap())
        .collect();
    assert_eq!(msgs.iter().map(|m| m.id.clone()).collect::<Vec<_>>(), first);
    assert_eq!(msgs[0].local_time.to_string(), "2024-03-04T17:00:00.0001");
    assert_eq!(msgs[0].sent_at.to_string(), "2024-03-04T09:00:00.0001Z");
}

#[test]
fn truncated_day_file_is_an_error_naming_the_file() {
    let bytes = export_zip(|files| {
        for (name, body) in files.iter_mut() {
            if name == "general/2024-03-05.json" {
                body.truncate(body.len() / 2);
            }
        }
    });
    let (_dir, path) = write_zip(&bytes);
    let opts = ParseOptions {
        format: Some(Format::Slack),
        ..Default::default()
    };
    let mut all = chatwarden_connectors::open_all(&path, &opts).unwrap();
    let mut general = all.swap_remove(2);
    let results: Vec<_> = general.messages().unwrap().collect();
    // The first day file reads whole, then the broken one stops the stream.
    // (5 messages plus 2 reactions, then 3 messages).
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 7 + 3);
    let err = results.last().unwrap().as_ref().unwrap_err();
    match err {
        ConnectorError::Malformed { file, line, .. } => {
            assert!(file.ends_with(".zip!/general/2024-03-05.json"), "{file}");
            assert!(*line > 1);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.to_string().contains("general/2024-03-05.json"));
}

#[test]
fn bad_metadata_and_non_slack_zip_are_clear_errors() {
    let bytes = export_zip(|files| {
        for (name, body) in files.iter_mut() {
            if name == "users.json" {
                *body = b"[{\"id\": \"U01\", \"profile\": ".to_vec();
            }
        }
    });
    let err = slack::open_all_bytes("broken.zip", bytes, &ParseOptions::default())
        .err()
        .unwrap();
    assert!(
        err.to_string().starts_with("broken.zip!/users.json:"),
        "{err}"
    );

    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    w.start_file(
        "notes/readme.json",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    w.write_all(b"[]").unwrap();
    let other = w.finish().unwrap().into_inner();
    let err = slack::open_all_bytes("other.zip", other, &ParseOptions::default())
        .err()
        .unwrap();
    assert!(matches!(err, ConnectorError::NotRecognized { .. }));
    assert!(
        err.to_string()
            .starts_with("other.zip: not a recognized export")
    );
}

#[test]
fn reactions_become_messages_replying_to_their_target_at_its_time() {
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/slack/reactions/2024-03-08.json");
    let bytes = export_zip(|files| {
        files.push((
            "deals/2024-03-08.json".to_owned(),
            std::fs::read(&fixture).unwrap(),
        ));
    });
    let mut all = slack::open_all_bytes("r.zip", bytes, &ParseOptions::default()).unwrap();
    let deals = all
        .iter_mut()
        .find(|s| s.conversation().title == "#deals")
        .unwrap();
    let conv = deals.conversation().clone();
    let msgs: Vec<Message> = deals.messages().unwrap().map(|m| m.unwrap()).collect();
    let texts: Vec<(u64, Option<&str>, &str)> = msgs
        .iter()
        .map(|m| (m.seq, m.sender.as_deref(), m.text.as_str()))
        .collect();
    let ravi = by_ts(&conv, &msgs, "1709550600.000100")
        .sender
        .clone()
        .unwrap();
    assert_eq!(
        texts,
        [
            (0, Some(ravi.as_str()), "Draft term sheet goes out tomorrow"),
            (1, Some("Mei"), "Signed copy is in the folder"),
            (2, Some(ravi.as_str()), "reacted :thumbsup: to a message"),
            (3, Some("Sofia A."), "reacted :thumbsup: to a message"),
            (4, Some(ravi.as_str()), "reacted :tada: to a message"),
            (
                5,
                None,
                "3 more reaction(s) :tada: to a message; the export does not list who"
            ),
            (
                6,
                None,
                "1 reaction(s) :eyes: to a message; the export does not list who"
            ),
            (7, Some(ravi.as_str()), "Thanks"),
            // A user missing from users.json is named by id.
            (8, Some("U09"), "reacted :heart: to a message"),
            (9, Some("Mei"), "No reactions"),
        ]
    );
    let target = by_ts(&conv, &msgs, "1709888400.000100");
    let r = by_ts(&conv, &msgs, "reaction:1709888400.000100:U03:thumbsup");
    assert_eq!(r.kind, MessageKind::Message);
    assert_eq!(r.sender_id, Some(slack::participant_id("U03")));
    assert_eq!(r.reply_to.as_ref(), Some(&target.id));
    // No reaction time in Slack exports: the message's own time, said in a warning.
    assert_eq!(r.sent_at, target.sent_at);
    assert_eq!(r.time_source, TimeSource::NativeUtc);
    assert_eq!(r.source, target.source);
    let note = by_ts(&conv, &msgs, "reaction:1709888400.000100:unlisted:tada");
    assert_eq!(note.kind, MessageKind::System);
    assert_eq!(note.reply_to.as_ref(), Some(&target.id));
    // A reaction to a thread reply replies to the reply, not to the thread parent.
    let heart = by_ts(&conv, &msgs, "reaction:1709888460.000200:U09:heart");
    assert_eq!(
        heart.reply_to,
        Some(Message::native_id(&conv.id, "1709888460.000200"))
    );
    assert!(deals.warnings().iter().any(|w| w.message
        == "6 reaction message(s) dated at the message they react to: \
            Slack exports carry no reaction time"));
}
