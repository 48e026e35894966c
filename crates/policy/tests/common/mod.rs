//! Builders for synthetic conversations, messages and findings.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use chatwarden_model::{
    Channel, Conversation, ConversationId, Finding, Message, MessageId, MessageKind, Participant,
    SourceRef, TimeSource,
};
use chatwarden_policy::Directory;
use std::path::Path;

pub fn directory() -> Directory {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/directory.toml");
    Directory::from_toml_file(&p).unwrap()
}

pub fn participant(name: &str, phone: Option<&str>, is_self: bool) -> Participant {
    Participant {
        id: Participant::id_for(Channel::Whatsapp, name),
        display_name: name.to_owned(),
        phone: phone.map(str::to_owned),
        is_self,
    }
}

/// A WhatsApp chat exported by `custodian` (who is `self_name` in it) with `others`.
pub fn conversation(custodian: &str, self_name: &str, others: &[Participant]) -> Conversation {
    let key = format!("whatsapp:{custodian}:{self_name}");
    let mut participants = vec![participant(self_name, None, true)];
    participants.extend(others.iter().cloned());
    Conversation {
        id: Conversation::id_for(Channel::Whatsapp, &key),
        channel: Channel::Whatsapp,
        title: "chat".into(),
        source_key: key,
        custodian: Some(custodian.to_owned()),
        is_group: others.len() > 1,
        participants,
    }
}

/// A message at `2024-03-<day> <hour>:<minute>` (UTC, local time the same).
pub fn message(
    conv: &Conversation,
    seq: u64,
    sender: &str,
    day: i8,
    hour: i8,
    minute: i8,
    text: &str,
) -> Message {
    let local = jiff::civil::date(2024, 3, day).at(hour, minute, 0, 0);
    let sent_at = local.to_zoned(jiff::tz::TimeZone::UTC).unwrap().timestamp();
    let sender_id = conv
        .participants
        .iter()
        .find(|p| p.display_name == sender)
        .map(|p| p.id.clone());
    Message {
        id: Message::derived_id(&conv.id, &local, Some(sender), text, 0),
        conversation: conv.id.clone(),
        seq,
        kind: MessageKind::Message,
        sender: Some(sender.to_owned()),
        sender_id,
        sent_at,
        local_time: local,
        time_source: TimeSource::AssumedUtc,
        text: text.to_owned(),
        attachments: Vec::new(),
        deleted: false,
        edited: false,
        source: SourceRef {
            file: "chat.txt".into(),
            line: seq + 1,
        },
        reply_to: None,
        forwarded_from: None,
    }
}

pub fn finding(
    msg: &MessageId,
    entity: &str,
    detector: &str,
    score: f32,
    attachment: Option<&str>,
) -> Finding {
    Finding {
        message: msg.clone(),
        entity: entity.to_owned(),
        detector: detector.to_owned(),
        start: 0,
        end: 4,
        score,
        preview: "••••".into(),
        value_hash: format!("{entity}-{detector}-hash"),
        attachment: attachment.map(str::to_owned),
    }
}

pub fn conv_id(s: &str) -> ConversationId {
    ConversationId::from(s.to_owned())
}
