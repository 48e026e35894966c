//! Synthetic fixtures: a small WhatsApp-like group chat between made-up people.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use chatwarden_archive::Archive;
use chatwarden_model::{
    Attachment, Channel, Conversation, Finding, MediaKind, Message, MessageKind, Participant,
    SourceRef, TimeSource,
};
use sha2::{Digest, Sha256};
use std::path::PathBuf;

pub struct Env {
    pub tmp: tempfile::TempDir,
    pub data: PathBuf,
    pub key: PathBuf,
}

impl Env {
    pub fn new() -> Env {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("data");
        let key = tmp.path().join("keys").join("master.key");
        std::fs::create_dir_all(key.parent().unwrap()).unwrap();
        Archive::init(&data, &key).unwrap();
        Env { tmp, data, key }
    }

    pub fn open(&self) -> Archive {
        Archive::open(&self.data, &self.key, "alice.compliance").unwrap()
    }
}

pub fn conversation(title: &str, custodian: &str, people: &[&str]) -> Conversation {
    let source_key = format!("whatsapp:{custodian}:{title}");
    Conversation {
        id: Conversation::id_for(Channel::Whatsapp, &source_key),
        channel: Channel::Whatsapp,
        title: title.to_string(),
        source_key,
        custodian: Some(custodian.to_string()),
        is_group: people.len() > 2,
        participants: people
            .iter()
            .enumerate()
            .map(|(i, p)| Participant {
                id: Participant::id_for(Channel::Whatsapp, p),
                display_name: p.to_string(),
                phone: None,
                is_self: i == 0,
            })
            .collect(),
    }
}

/// A message at `2026-03-<day> 09:<minute>` UTC.
pub fn message(
    conv: &Conversation,
    seq: u64,
    sender: &str,
    text: &str,
    day: u8,
    minute: u8,
) -> Message {
    message_at(
        conv,
        seq,
        sender,
        text,
        &format!("2026-03-{day:02}T09:{minute:02}:00"),
    )
}

pub fn message_at(conv: &Conversation, seq: u64, sender: &str, text: &str, local: &str) -> Message {
    let local_time: jiff::civil::DateTime = local.parse().unwrap();
    let sent_at = local_time
        .to_zoned(jiff::tz::TimeZone::UTC)
        .unwrap()
        .timestamp();
    Message {
        id: Message::derived_id(&conv.id, &local_time, Some(sender), text, 0),
        conversation: conv.id.clone(),
        seq,
        kind: MessageKind::Message,
        sender: Some(sender.to_string()),
        sender_id: Some(Participant::id_for(Channel::Whatsapp, sender)),
        sent_at,
        local_time,
        time_source: TimeSource::AssumedUtc,
        text: text.to_string(),
        attachments: Vec::new(),
        deleted: false,
        edited: false,
        source: SourceRef {
            file: "_chat.txt".into(),
            line: seq + 1,
        },
        reply_to: None,
        forwarded_from: None,
    }
}

pub fn with_attachment(mut m: Message, name: &str, bytes: &[u8]) -> Message {
    m.attachments.push(Attachment {
        name: Some(name.to_string()),
        kind: MediaKind::from_file_name(name),
        included: true,
        size: Some(bytes.len() as u64),
        content_hash: Some(hex::encode(Sha256::digest(bytes))),
        placeholder: None,
    });
    m
}

pub fn card_finding(m: &Message, start: usize, end: usize) -> Finding {
    Finding {
        message: m.id.clone(),
        entity: "CREDIT_CARD".into(),
        detector: "payment.luhn".into(),
        start,
        end,
        score: 0.95,
        preview: "•••• •••• •••• 1111".into(),
        value_hash: "9f2c0a".repeat(10),
        attachment: None,
    }
}

/// The standard chat: three people, five messages, one card number finding.
pub fn sample() -> (Conversation, Vec<Message>, Vec<Finding>) {
    let conv = conversation(
        "Desk – rates",
        "dana.desk",
        &["Dana Desk", "Omar Trader", "Lia Sales"],
    );
    let msgs = vec![
        message(
            &conv,
            0,
            "Dana Desk",
            "Morning all, rates sheet coming",
            2,
            1,
        ),
        message(&conv, 1, "Omar Trader", "Client wants 5y swap quote", 2, 3),
        message(
            &conv,
            2,
            "Lia Sales",
            "Pay with card 4111 1111 1111 1111 ok?",
            2,
            5,
        ),
        message(&conv, 3, "Dana Desk", "No cards in chat please", 2, 6),
        message(&conv, 4, "Omar Trader", "ok", 3, 0),
    ];
    let findings = vec![card_finding(&msgs[2], 14, 33)];
    (conv, msgs, findings)
}

/// Every file under `dir`, recursively.
pub fn all_files(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
