//! Signal: the app's takeout JSON lines (`main.jsonl`, libsignal backup frames)
//! and carderne/signal-export `data.json`. Fixtures are synthetic, written from
//! libsignal's backup.proto / canonical takeout file and sigexport's models.py.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chatwarden_connectors::{ConnectorError, ExportSource, Format, ParseOptions};
use chatwarden_model::{Channel, MediaKind, Message, MessageKind, TimeSource};
use std::io::Read;
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/signal")
        .join(name)
}

fn read_all(src: &mut Box<dyn ExportSource>) -> Vec<Message> {
    src.messages()
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
}

#[test]
fn takeout_export_one_source_per_chat() {
    let opts = ParseOptions {
        custodian: Some("dana@acme.example".into()),
        ..Default::default()
    };
    let mut all = chatwarden_connectors::open_all(&fixture("main.jsonl"), &opts).unwrap();
    // Chat 12 has no items: no source.
    assert_eq!(all.len(), 2);
    let titles: Vec<_> = all.iter().map(|s| s.conversation().title.clone()).collect();
    assert_eq!(titles, ["Priya Natarajan", "Q3 Procurement"]);

    let dm = &mut all[0];
    let conv = dm.conversation().clone();
    assert_eq!(conv.channel, Channel::Signal);
    assert!(!conv.is_group);
    assert_eq!(
        conv.source_key,
        "signal:dana@acme.example:aci:3q2+7wAAAAAAAAAAAAAAAA=="
    );
    let mut names: Vec<_> = conv
        .participants
        .iter()
        .map(|p| (p.display_name.as_str(), p.is_self, p.phone.as_deref()))
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            ("Dana Ortiz", true, None),
            ("Priya Natarajan", false, Some("+15550100123"))
        ]
    );
    let msgs = read_all(dm);
    assert_eq!(msgs.len(), 5);
    assert_eq!(msgs[0].sender.as_deref(), Some("Priya Natarajan"));
    assert_eq!(msgs[0].text, "Can you send the signed contract today?");
    assert_eq!(msgs[0].sent_at.to_string(), "2026-01-01T09:00:00Z");
    assert_eq!(msgs[0].time_source, TimeSource::NativeUtc);
    assert_eq!(msgs[0].source.line, 11);
    assert_eq!(
        msgs[0].id,
        Message::native_id(&conv.id, "aci:3q2+7wAAAAAAAAAAAAAAAA==:1767258000000")
    );
    // Edited (a revision exists), replying to the first message.
    assert!(msgs[1].edited && !msgs[0].edited);
    assert_eq!(msgs[1].text, "Sending it tomorrow");
    assert_eq!(msgs[1].sender.as_deref(), Some("Dana Ortiz"));
    assert_eq!(msgs[1].reply_to.as_ref(), Some(&msgs[0].id));
    // Attachment named but bytes not linked.
    let a = &msgs[2].attachments;
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].name.as_deref(), Some("contract-v2.pdf"));
    assert_eq!(a[0].kind, MediaKind::Document);
    assert!(!a[0].included);
    // Remote delete.
    assert!(msgs[3].deleted && msgs[3].text.is_empty());
    // Safety-number change: a system event, no sender.
    assert_eq!(msgs[4].kind, MessageKind::System);
    assert_eq!(msgs[4].sender, None);
    assert_eq!(msgs[4].text, "simpleUpdate: IDENTITY_UPDATE");
    let ids: std::collections::HashSet<_> = msgs.iter().map(|m| &m.id).collect();
    assert_eq!(ids.len(), 5);

    let group = &mut all[1];
    let g = group.conversation().clone();
    assert!(g.is_group);
    assert!(g.source_key.starts_with("signal:group:"));
    // The group master key never appears in the key.
    assert!(!g.source_key.contains("AAECAwQF"));
    let msgs = read_all(group);
    assert_eq!(msgs.len(), 3);
    assert_eq!(msgs[0].sender.as_deref(), Some("Lars Berg (Supplier)"));
    assert_eq!(msgs[1].attachments[0].kind, MediaKind::Sticker);
    assert_eq!(msgs[1].attachments[0].placeholder.as_deref(), Some("👍"));
    assert_eq!(msgs[2].kind, MessageKind::System);
    assert_eq!(msgs[2].text, "groupChange");
}

#[test]
fn takeout_ids_are_stable_across_reads_and_custodian_keys_dm() {
    let a = chatwarden_connectors::open(&fixture("main.jsonl"), &ParseOptions::default());
    let mut a = a.unwrap();
    let first: Vec<_> = read_all(&mut a).into_iter().map(|m| m.id).collect();
    let again: Vec<_> = read_all(&mut a).into_iter().map(|m| m.id).collect();
    assert_eq!(first, again);
    assert_eq!(
        a.conversation().source_key,
        "signal::aci:3q2+7wAAAAAAAAAAAAAAAA=="
    );
    // open() on a multi-chat file says so.
    assert!(a.warnings().iter().any(|w| w.message.contains("2 chats")));
}

#[test]
fn sigexport_data_json() {
    let tz = jiff::tz::TimeZone::get("Europe/Berlin").unwrap();
    let opts = ParseOptions {
        tz: Some(tz),
        ..Default::default()
    };
    let path = fixture("Acme Supplies/data.json");
    let mut src = chatwarden_connectors::open(&path, &opts).unwrap();
    let conv = src.conversation().clone();
    assert_eq!(conv.title, "Acme Supplies");
    assert_eq!(conv.source_key, "signal:sigexport::Acme Supplies");
    assert!(!conv.is_group);
    let names: Vec<_> = conv
        .participants
        .iter()
        .map(|p| (p.display_name.as_str(), p.is_self))
        .collect();
    assert_eq!(names, [("Jordan Lee", false), ("Me", true)]);
    let msgs = read_all(&mut src);
    assert_eq!(msgs.len(), 7);
    // Naive local time read in the operator's zone (CET, UTC+1 in November).
    assert_eq!(msgs[0].local_time.to_string(), "2025-11-03T09:15:02");
    assert_eq!(msgs[0].sent_at.to_string(), "2025-11-03T08:15:02Z");
    assert_eq!(msgs[0].time_source, TimeSource::AssumedOperatorZone);
    assert_eq!(msgs[1].local_time.to_string(), "2025-11-03T09:16:40.25");
    // The included invoice is hashed; the photo is named but missing.
    let inv = &msgs[0].attachments[0];
    assert!(inv.included);
    assert_eq!(inv.kind, MediaKind::Document);
    assert_eq!(inv.size, Some(32));
    assert_eq!(
        inv.content_hash.as_deref(),
        Some("928f8e15b78d521faea47edb470c081ad0a870dd7f9f2778633c15e0fc0065ed")
    );
    let mut bytes = Vec::new();
    src.open_attachment(inv.name.as_deref().unwrap())
        .unwrap()
        .unwrap()
        .read_to_end(&mut bytes)
        .unwrap();
    assert!(bytes.starts_with(b"%PDF"));
    assert!(src.open_attachment("../main.jsonl").unwrap().is_none());
    let photo = &msgs[2].attachments[0];
    assert!(!photo.included);
    assert_eq!(photo.kind, MediaKind::Image);
    assert_eq!(photo.placeholder.as_deref(), Some("photo.jpg"));
    // Deletion, call event.
    assert!(msgs[3].deleted && msgs[3].text.is_empty());
    assert_eq!(msgs[4].kind, MessageKind::System);
    assert_eq!(msgs[4].sender, None);
    // Two identical "ok" lines in one second stay two messages.
    assert_eq!(msgs[5].text, msgs[6].text);
    assert_ne!(msgs[5].id, msgs[6].id);
    assert_eq!(msgs[6].attachments[0].kind, MediaKind::Sticker);
    assert!(msgs.iter().all(|m| !m.edited));
}

#[test]
fn sigexport_without_zone_is_assumed_utc_and_warned() {
    let mut src = chatwarden_connectors::open(
        &fixture("Acme Supplies/data.json"),
        &ParseOptions::default(),
    )
    .unwrap();
    assert!(
        src.warnings()
            .iter()
            .any(|w| w.message.contains("naive local"))
    );
    let msgs = read_all(&mut src);
    assert_eq!(msgs[0].sent_at.to_string(), "2025-11-03T09:15:02Z");
    assert_eq!(msgs[0].time_source, TimeSource::AssumedUtc);
}

#[test]
fn detection_and_forced_format() {
    let head = std::fs::read(fixture("main.jsonl")).unwrap();
    assert_eq!(
        chatwarden_connectors::detect::sniff(&head),
        chatwarden_connectors::detect::Sniffed::Json(Format::Signal)
    );
    let head = std::fs::read(fixture("Acme Supplies/data.json")).unwrap();
    assert_eq!(
        chatwarden_connectors::detect::sniff(&head),
        chatwarden_connectors::detect::Sniffed::Json(Format::Signal)
    );
    assert_eq!("sigexport".parse::<Format>(), Ok(Format::Signal));
    let opts = ParseOptions {
        format: Some(Format::Signal),
        ..Default::default()
    };
    let err = chatwarden_connectors::open_bytes("notes.json", br#"{"a": 1}"#.to_vec(), &opts)
        .err()
        .unwrap();
    assert!(matches!(err, ConnectorError::NotRecognized { .. }));
    assert!(
        err.to_string()
            .starts_with("notes.json: not a recognized export")
    );
}

#[test]
fn bad_input_names_file_and_line() {
    let path = fixture("truncated.jsonl");
    let err = chatwarden_connectors::open(&path, &ParseOptions::default())
        .err()
        .unwrap();
    let text = err.to_string();
    assert!(
        matches!(err, ConnectorError::Malformed { line: 3, .. }),
        "{text}"
    );
    assert!(text.contains("truncated.jsonl:3:"), "{text}");

    let path = fixture("bad_date.jsonl");
    let err = chatwarden_connectors::open(&path, &ParseOptions::default())
        .err()
        .unwrap();
    let text = err.to_string();
    assert!(
        text.contains("bad_date.jsonl:2:") && text.contains("date"),
        "{text}"
    );
}
