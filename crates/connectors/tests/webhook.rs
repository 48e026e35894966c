//! WhatsApp Business Platform (Cloud API) webhook bodies: messages of every
//! kind, edits, revokes, reactions, statuses, coexistence echoes and history,
//! signatures, idempotent ids, and replay from a capture file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chatwarden_connectors::whatsapp_webhook::{
    Direction, Origin, WebhookBatch, WebhookEvent, parse_webhook, sign, verify_signature,
};
use chatwarden_connectors::{ConnectorError, ParseOptions};
use chatwarden_model::{Channel, Conversation, MediaKind, Message, MessageKind, Participant};
use std::path::PathBuf;

const IN1: &str = "wamid.HBgMNDQ3NzAwOTAwNDU2FQIAEhggQTFCMkMzRDRFNUY2QTdCOEM5RDBFMUYyQTNCNEM1RDYA";
const IN2: &str = "wamid.HBgMNDQ3NzAwOTAwNDU2FQIAEhggQjJDM0Q0RTVGNkE3QjhDOUQwRTFGMkEzQjRDNUQ2RTcA";
const OUT1: &str = "wamid.HBgMNDQ3NzAwOTAwNDU2FQIAERgSOTg3NjU0MzIxMEFCQ0RFRjAxAA==";
const KEY: &str = "whatsapp-cloud:106540352242922:447700900456";

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/webhook")
        .join(name)
}

fn batch(name: &str) -> WebhookBatch {
    parse_webhook(&std::fs::read(fixture(name)).unwrap()).unwrap()
}

fn messages(name: &str) -> Vec<(Conversation, Message)> {
    batch(name).messages(name, &ParseOptions::default())
}

fn conv_id() -> chatwarden_model::ConversationId {
    Conversation::id_for(Channel::Whatsapp, KEY)
}

#[test]
fn text_message_with_contact_and_reply_context() {
    let b = batch("text.json");
    assert_eq!(b.changes.len(), 1);
    let c = &b.changes[0];
    assert_eq!(c.field, "messages");
    assert_eq!(c.waba_id.as_deref(), Some("102290129340398"));
    assert_eq!(c.contacts[0].name.as_deref(), Some("Priya Shah"));
    assert_eq!(c.events.len(), 1);
    let WebhookEvent::Message(m) = &c.events[0] else {
        panic!("{:?}", c.events[0])
    };
    assert_eq!(m.wamid, IN1);
    assert_eq!(m.reply_to.as_deref(), Some(OUT1));
    assert_eq!((m.direction, m.origin), (Direction::Inbound, Origin::Live));
    assert_eq!(m.customer, "447700900456");

    let msgs = messages("text.json");
    assert_eq!(msgs.len(), 1);
    let (conv, msg) = &msgs[0];
    assert_eq!(conv.source_key, KEY);
    assert_eq!(conv.id, conv_id());
    assert_eq!(conv.title, "Priya Shah");
    assert_eq!(conv.channel, Channel::Whatsapp);
    let me: Vec<_> = conv.participants.iter().filter(|p| p.is_self).collect();
    assert_eq!(me.len(), 1);
    assert_eq!(me[0].phone.as_deref(), Some("+15550100001"));
    assert_eq!(msg.id, Message::native_id(&conv.id, IN1));
    assert_eq!(msg.sender.as_deref(), Some("Priya Shah"));
    assert_eq!(
        msg.sender_id,
        Some(Participant::id_for(Channel::Whatsapp, "wa:447700900456"))
    );
    assert_eq!(msg.sent_at.to_string(), "2025-06-08T20:59:43Z");
    assert_eq!(
        msg.text,
        "Hi, can you resend the quote for 40 units? My card ends 4242."
    );
    assert!(!msg.edited && !msg.deleted);
    assert_eq!(msg.reply_to, Some(Message::native_id(&conv.id, OUT1)));
    assert_eq!(msg.forwarded_from, None);
}

#[test]
fn image_is_an_attachment_not_included() {
    let msgs = messages("image.json");
    let (_, m) = &msgs[0];
    assert_eq!(m.id, Message::native_id(&conv_id(), IN2));
    assert_eq!(m.text, "photo of the damaged pallet");
    assert_eq!(m.attachments.len(), 1);
    let a = &m.attachments[0];
    assert_eq!((a.kind, a.included), (MediaKind::Image, false));
    assert_eq!(a.name.as_deref(), Some("1477612259783212"));
    assert!(a.placeholder.as_deref().unwrap().contains("image/jpeg"));
}

#[test]
fn reactions_edits_and_revokes_reference_the_original() {
    let b = batch("reaction.json");
    let evs: Vec<_> = b.events().map(|(_, e)| e.clone()).collect();
    match &evs[..] {
        [
            WebhookEvent::Reaction {
                target: t1,
                emoji: Some(e1),
                ..
            },
            WebhookEvent::Reaction {
                target: t2,
                emoji: None,
                ..
            },
        ] => {
            assert_eq!((t1.as_str(), e1.as_str(), t2.as_str()), (OUT1, "👍", OUT1));
        }
        other => panic!("{other:?}"),
    }
    let msgs = messages("reaction.json");
    assert_eq!(msgs[0].1.text, format!("reacted 👍 to message {OUT1}"));
    assert_eq!(
        msgs[1].1.text,
        format!("removed a reaction to message {OUT1}")
    );
    assert_eq!(
        msgs[0].1.id,
        Message::native_id(&conv_id(), "reaction:wamid.REACT1.synthetic")
    );

    let b = batch("edit.json");
    let (_, WebhookEvent::Edit { event, original }) = b.events().next().unwrap() else {
        panic!()
    };
    assert_eq!(original, IN1);
    assert_eq!(event.text, "Hi, can you resend the quote for 45 units?");
    let (_, m) = &messages("edit.json")[0];
    assert!(m.edited && !m.deleted);
    assert_eq!(m.kind, MessageKind::Message);
    assert_eq!(m.text, "Hi, can you resend the quote for 45 units?");
    // The edit has its own id: it never replaces (or is deduplicated against) the original.
    assert_ne!(m.id, Message::native_id(&conv_id(), IN1));
    assert_eq!(
        m.id,
        Message::native_id(&conv_id(), "edit:wamid.EDIT1.synthetic")
    );

    let b = batch("revoke.json");
    let (_, WebhookEvent::Revoke { original, .. }) = b.events().next().unwrap() else {
        panic!()
    };
    assert_eq!(original, IN2);
    let (_, m) = &messages("revoke.json")[0];
    assert!(m.deleted);
    assert_eq!(m.kind, MessageKind::System);
    assert!(m.text.contains(IN2));
    assert_eq!(m.sent_at.to_string(), "2025-06-08T21:04:40Z");
}

#[test]
fn statuses_are_events_not_messages() {
    let b = batch("status.json");
    let statuses: Vec<_> = b
        .events()
        .filter_map(|(_, e)| match e {
            WebhookEvent::Status(s) => Some(s.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        statuses
            .iter()
            .map(|s| s.status.as_str())
            .collect::<Vec<_>>(),
        ["sent", "read", "delivered", "failed"]
    );
    assert!(statuses[..3].iter().all(|s| s.wamid == OUT1));
    assert_eq!(statuses[3].errors[0].code, Some(131047));
    assert_eq!(
        statuses[3].errors[0].title.as_deref(),
        Some("Re-engagement message")
    );
    assert_eq!(statuses[1].at.unwrap().to_string(), "2025-06-08T20:58:30Z");
    assert!(messages("status.json").is_empty());
}

#[test]
fn coexistence_echoes_and_history() {
    let (conv, m) = &messages("echo.json")[0];
    assert_eq!(conv.source_key, KEY);
    assert_eq!(m.sender.as_deref(), Some("+15550100001"));
    assert_eq!(
        m.sender_id,
        Some(Participant::id_for(Channel::Whatsapp, "wa:15550100001"))
    );
    let b = batch("echo.json");
    let (c, WebhookEvent::Message(e)) = b.events().next().unwrap() else {
        panic!()
    };
    assert_eq!(c.field, "smb_message_echoes");
    assert_eq!((e.direction, e.origin), (Direction::Outbound, Origin::Echo));

    let b = batch("history.json");
    let evs: Vec<_> = b.events().map(|(_, e)| e.clone()).collect();
    assert_eq!(evs.len(), 3);
    let WebhookEvent::History(p) = &evs[0] else {
        panic!()
    };
    assert_eq!(
        (p.phase, p.chunk_order, p.progress),
        (Some(0), Some(1), Some(55))
    );
    let dirs: Vec<_> = evs
        .iter()
        .filter_map(|e| e.carrier())
        .map(|m| (m.direction, m.origin))
        .collect();
    assert_eq!(
        dirs,
        [
            (Direction::Inbound, Origin::History),
            (Direction::Outbound, Origin::History)
        ]
    );
    let msgs = messages("history.json");
    assert_eq!(msgs.len(), 2);
    // History threads land in the same conversation as live messages.
    assert!(msgs.iter().all(|(c, _)| c.source_key == KEY));
    assert_eq!(msgs[0].1.sent_at.to_string(), "2024-12-01T10:46:40Z");
    assert_eq!(msgs[1].1.sender.as_deref(), Some("+15550100001"));
}

#[test]
fn every_message_kind_has_text_or_attachments() {
    let msgs = messages("kinds.json");
    assert_eq!(msgs.len(), 8);
    let conv = &msgs[0].0;
    assert_eq!(conv.title, "Marco Rossi");
    let m = |i: usize| &msgs[i].1;
    assert_eq!(m(0).text, "signed NDA");
    assert_eq!(m(0).attachments[0].name.as_deref(), Some("NDA_signed.pdf"));
    assert_eq!(m(0).attachments[0].kind, MediaKind::Document);
    assert_eq!(m(1).text, "Magazzino Nord, Via Roma 1, Milano");
    assert_eq!(m(1).attachments[0].kind, MediaKind::Location);
    assert_eq!(
        m(1).attachments[0].placeholder.as_deref(),
        Some("45.4642, 9.19")
    );
    assert_eq!(m(2).attachments[0].kind, MediaKind::Contact);
    assert_eq!(m(2).attachments[0].name.as_deref(), Some("Giulia Bianchi"));
    assert_eq!(
        m(2).attachments[0].placeholder.as_deref(),
        Some("+39 02 5550 1234")
    );
    assert_eq!(m(3).text, "Confirm order");
    assert_eq!(m(4).text, "Stop promotions");
    assert_eq!(m(5).text, "see below");
    assert_eq!(m(5).forwarded_from.as_deref(), Some(""));
    assert_eq!(
        m(4).reply_to,
        Some(Message::native_id(&conv.id, "wamid.TEMPLATE1.synthetic"))
    );
    assert_eq!(m(6).kind, MessageKind::System);
    assert!(m(6).text.contains("changed their phone number"));
    assert_eq!(m(7).text, "");
    let b = batch("kinds.json");
    let carriers: Vec<_> = b.events().filter_map(|(_, e)| e.carrier()).collect();
    assert!(carriers[5].forwarded);
    assert_eq!(
        carriers[4].reply_to.as_deref(),
        Some("wamid.TEMPLATE1.synthetic")
    );
    assert_eq!(carriers[7].errors[0].code, Some(131051));
    assert_eq!(
        b.changes[0].contacts[0].identity_key_hash.as_deref(),
        Some("DF2lS5v2W6x=")
    );
}

#[test]
fn same_wamid_twice_gives_the_same_id() {
    let a = messages("text.json");
    let b = messages("text.json");
    assert_eq!(a[0].1.id, b[0].1.id);
    // Replaying the capture: the redelivered text has the original's id, and the
    // edit that arrived first still has an id of its own.
    let mut all =
        chatwarden_connectors::open_all(&fixture("capture.jsonl"), &ParseOptions::default())
            .unwrap();
    assert_eq!(all.len(), 2, "Priya and Marco");
    let src = &mut all[0];
    assert_eq!(src.conversation().source_key, KEY);
    let msgs: Vec<Message> = src.messages().unwrap().map(|m| m.unwrap()).collect();
    let ids: Vec<_> = msgs.iter().map(|m| m.id.clone()).collect();
    let text_id = Message::native_id(&conv_id(), IN1);
    assert_eq!(ids.iter().filter(|i| **i == text_id).count(), 2);
    assert_eq!(msgs.len(), 4, "edit, text, text again, image");
    assert!(msgs[0].edited);
    assert_eq!(msgs[0].source.line, 1);
    assert_eq!(msgs[3].source.line, 5);
    assert!(
        src.warnings()
            .iter()
            .any(|w| w.message.contains("not messages"))
    );
    let marco: Vec<Message> = all[1].messages().unwrap().map(|m| m.unwrap()).collect();
    assert_eq!(marco.len(), 8);
}

#[test]
fn capture_as_a_json_array_and_single_body_are_detected() {
    let bodies: Vec<serde_json::Value> = ["text.json", "image.json"]
        .iter()
        .map(|n| serde_json::from_slice(&std::fs::read(fixture(n)).unwrap()).unwrap())
        .collect();
    let arr = serde_json::to_vec_pretty(&bodies).unwrap();
    let mut src =
        chatwarden_connectors::open_bytes("capture.json", arr, &ParseOptions::default()).unwrap();
    assert_eq!(src.conversation().title, "Priya Shah");
    let n = src.messages().unwrap().filter(|m| m.is_ok()).count();
    assert_eq!(n, 2);
    let mut one =
        chatwarden_connectors::open(&fixture("image.json"), &ParseOptions::default()).unwrap();
    assert_eq!(one.messages().unwrap().count(), 1);
    // A capture with statuses only holds no conversation.
    let err = chatwarden_connectors::open(&fixture("status.json"), &ParseOptions::default())
        .err()
        .unwrap();
    assert!(matches!(err, ConnectorError::NotRecognized { .. }), "{err}");
}

#[test]
fn signatures_are_checked_over_the_raw_body() {
    let body = std::fs::read(fixture("text.json")).unwrap();
    let secret = b"6f1d2c7e0a9b8c3d4e5f6a7b8c9d0e1f";
    let header = sign(secret, &body);
    assert!(verify_signature(secret, &body, &header));
    assert!(!verify_signature(b"wrong secret", &body, &header));
    // Re-serialized JSON (same data, other bytes) does not verify.
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let reser = serde_json::to_vec(&v).unwrap();
    assert_ne!(reser, body);
    assert!(!verify_signature(secret, &reser, &header));
    assert!(!verify_signature(secret, &body, ""));
    assert!(!verify_signature(secret, &body, "sha1=abc"));
}

#[test]
fn bad_bodies_give_errors() {
    let err = parse_webhook(br#"{"object": "page", "entry": []}"#).unwrap_err();
    assert!(matches!(err, ConnectorError::NotRecognized { .. }), "{err}");
    let err =
        parse_webhook(b"{\"object\": \"whatsapp_business_account\", \"entry\": [").unwrap_err();
    assert!(matches!(err, ConnectorError::Malformed { .. }), "{err}");
    // Missing wamid: skipped and reported, no content in the report.
    let b = parse_webhook(
        br#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messages":[{"from":"1","timestamp":"1","type":"text","text":{"body":"secret 123"}}]}}]}]}"#,
    )
    .unwrap();
    assert_eq!(b.skipped, ["message without a wamid"]);
    assert!(b.messages("x", &ParseOptions::default()).is_empty());
}

#[test]
fn top_level_errors_are_events_never_messages() {
    // `value.errors[]` with no messages or statuses: Meta reports a problem with the
    // app or account (here a send failure whose details quote a card number, and a rate
    // limit).
    let b = batch("errors.json");
    assert_eq!(b.changes.len(), 1);
    assert_eq!(b.changes[0].field, "messages");
    assert_eq!(
        b.changes[0].phone_number_id.as_deref(),
        Some("106540352242922")
    );
    let errors: Vec<_> = b
        .events()
        .map(|(_, e)| match e {
            WebhookEvent::Error(err) => (err.code, err.title.clone()),
            other => panic!("not an error event: {other:?}"),
        })
        .collect();
    assert_eq!(
        errors,
        [
            (Some(131000), Some("Something went wrong".to_owned())),
            (Some(130429), Some("Rate limit hit".to_owned())),
        ]
    );
    assert!(b.events().all(|(_, e)| e.carrier().is_none()));
    assert!(b.skipped.is_empty(), "{:?}", b.skipped);
    // Never a message, and the error details (which may quote content) are not kept.
    assert!(messages("errors.json").is_empty());
    let kept = format!("{b:?}");
    assert!(!kept.contains("4111"), "{kept}");
    assert!(!kept.contains("throughput"), "{kept}");
    // A capture of errors only holds no conversation.
    let err = chatwarden_connectors::open(&fixture("errors.json"), &ParseOptions::default())
        .err()
        .unwrap();
    assert!(matches!(err, ConnectorError::NotRecognized { .. }), "{err}");
    assert!(err.to_string().contains("no message events"), "{err}");
    // In a capture with messages, the errors are counted in a warning (no content) and
    // the messages are read as without them.
    let compact = |name: &str| {
        let v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(fixture(name)).unwrap()).unwrap();
        serde_json::to_string(&v).unwrap()
    };
    let capture = format!(
        "{}\n{}\n{}\n",
        compact("text.json"),
        compact("errors.json"),
        compact("image.json")
    );
    let mut src = chatwarden_connectors::open_bytes(
        "capture.jsonl",
        capture.into_bytes(),
        &ParseOptions::default(),
    )
    .unwrap();
    let msgs: Vec<Message> = src.messages().unwrap().map(|m| m.unwrap()).collect();
    assert_eq!(msgs.len(), 2);
    assert_eq!(msgs[0].id, Message::native_id(&conv_id(), IN1));
    assert_eq!(msgs[1].id, Message::native_id(&conv_id(), IN2));
    let warnings: Vec<String> = src.warnings().iter().map(|w| w.to_string()).collect();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("2 status, error or history-progress events are not messages")),
        "{warnings:?}"
    );
    assert!(warnings.iter().all(|w| !w.contains("4111")));
}
