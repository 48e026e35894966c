//! Signal's takeout export (`main.jsonl`): libsignal backup `Frame`s rendered as
//! proto3 JSON, one per line (`rust/message-backup/src/proto/backup.proto`).
//! uint64 values are strings, bytes are base64. `recipient` and `chat` frames
//! come before the `chatItem`s that use them, so one pass collects them.
//! A message has no id of its own: it is keyed by (chat, author, `dateSent`)
//! (formats.md §5.2, §15).

use super::{malformed, open_lines};
use crate::detect::{Input, ReadSeek};
use crate::error::ConnectorError;
use crate::lines::LineReader;
use crate::options::{ParseOptions, Warning, WarningSink};
use chatwarden_model::{
    Attachment, Channel, Conversation, MediaKind, Message, MessageKind, Participant, SourceRef,
    TimeSource,
};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::{BTreeSet, HashMap};
use std::io::BufReader;
use std::sync::Arc;

/// A proto3 JSON uint64 (a string, or a number from lenient writers) as text.
fn id_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::String(s)) => Some(s),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    })
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Frame {
    account: Option<Account>,
    recipient: Option<RawRecipient>,
    chat: Option<RawChat>,
    chat_item: Option<ChatItem>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Account {
    given_name: Option<String>,
    family_name: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Name {
    given: Option<String>,
    family: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Contact {
    aci: Option<String>,
    #[serde(default, deserialize_with = "id_text")]
    e164: Option<String>,
    profile_given_name: Option<String>,
    profile_family_name: Option<String>,
    system_given_name: Option<String>,
    system_family_name: Option<String>,
    nickname: Option<Name>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Group {
    master_key: Option<String>,
    snapshot: Option<Value>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct RawRecipient {
    #[serde(default, deserialize_with = "id_text")]
    id: Option<String>,
    contact: Option<Contact>,
    group: Option<Group>,
    #[serde(rename = "self")]
    self_: Option<Value>,
    release_notes: Option<Value>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct RawChat {
    #[serde(default, deserialize_with = "id_text")]
    id: Option<String>,
    #[serde(default, deserialize_with = "id_text")]
    recipient_id: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Pointer {
    content_type: Option<String>,
    file_name: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct RawAttachment {
    pointer: Option<Pointer>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Text {
    body: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Quote {
    #[serde(default, deserialize_with = "id_text")]
    target_sent_timestamp: Option<String>,
    #[serde(default, deserialize_with = "id_text")]
    author_id: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Standard {
    text: Option<Text>,
    #[serde(default)]
    attachments: Vec<RawAttachment>,
    quote: Option<Quote>,
    long_text: Option<RawAttachment>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct ChatItem {
    #[serde(default, deserialize_with = "id_text")]
    chat_id: Option<String>,
    #[serde(default, deserialize_with = "id_text")]
    author_id: Option<String>,
    #[serde(default, deserialize_with = "id_text")]
    date_sent: Option<String>,
    #[serde(default)]
    revisions: Vec<Value>,
    standard_message: Option<Standard>,
    remote_deleted_message: Option<Value>,
    admin_deleted_message: Option<Value>,
    update_message: Option<serde_json::Map<String, Value>>,
    sticker_message: Option<Value>,
    contact_message: Option<Value>,
    view_once_message: Option<Value>,
    payment_notification: Option<Value>,
    gift_badge: Option<Value>,
    poll: Option<Value>,
}

/// What is known of one recipient.
#[derive(Clone, Debug)]
struct Who {
    /// Stable across exports: `aci:…`, `e164:…`, `group:<hash>`, `self`.
    key: String,
    name: String,
    phone: Option<String>,
    is_self: bool,
    is_group: bool,
}

/// The recipient table, shared by every chat of one export.
type Recipients = Arc<HashMap<String, Who>>;

/// What one chat's source needs to stream its messages.
pub(super) struct TakeoutChat {
    chat_id: String,
    recipients: Recipients,
}

fn join_name(a: Option<&str>, b: Option<&str>) -> Option<String> {
    let n = [a.unwrap_or(""), b.unwrap_or("")]
        .iter()
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.trim())
        .collect::<Vec<_>>()
        .join(" ");
    (!n.is_empty()).then_some(n)
}

fn group_title(snapshot: Option<&Value>) -> Option<String> {
    let t = snapshot?.get("title")?;
    match t {
        Value::String(s) => Some(s.clone()),
        other => other.get("title")?.as_str().map(str::to_owned),
    }
    .filter(|s| !s.is_empty())
}

fn who(r: RawRecipient, id: &str, self_name: &str) -> Option<Who> {
    if r.self_.is_some() {
        return Some(Who {
            key: "self".to_owned(),
            name: self_name.to_owned(),
            phone: None,
            is_self: true,
            is_group: false,
        });
    }
    if let Some(c) = r.contact {
        let phone = c.e164.clone().map(|n| format!("+{n}"));
        let key = match (&c.aci, &c.e164) {
            (Some(a), _) if !a.is_empty() => format!("aci:{a}"),
            (_, Some(n)) => format!("e164:{n}"),
            _ => format!("recipient:{id}"),
        };
        let name = c
            .nickname
            .as_ref()
            .and_then(|n| join_name(n.given.as_deref(), n.family.as_deref()))
            .or_else(|| {
                join_name(
                    c.system_given_name.as_deref(),
                    c.system_family_name.as_deref(),
                )
            })
            .or_else(|| {
                join_name(
                    c.profile_given_name.as_deref(),
                    c.profile_family_name.as_deref(),
                )
            })
            .or_else(|| phone.clone())
            .unwrap_or_else(|| format!("Signal user {id}"));
        return Some(Who {
            key,
            name,
            phone,
            is_self: false,
            is_group: false,
        });
    }
    if let Some(g) = r.group {
        // The master key is a secret: only a digest of it goes into the key.
        let key = match g.master_key.as_deref() {
            Some(k) if !k.is_empty() => {
                let d = Sha256::digest(k.as_bytes());
                format!("group:{}", hex::encode(d.get(..16).unwrap_or_default()))
            }
            _ => format!("recipient:{id}"),
        };
        return Some(Who {
            key,
            name: group_title(g.snapshot.as_ref()).unwrap_or_else(|| "Signal group".to_owned()),
            phone: None,
            is_self: false,
            is_group: true,
        });
    }
    if r.release_notes.is_some() {
        return Some(Who {
            key: "release-notes".to_owned(),
            name: "Signal".to_owned(),
            phone: None,
            is_self: false,
            is_group: false,
        });
    }
    None
}

fn parse_frame(file: &str, no: u64, line: &str) -> Result<Frame, ConnectorError> {
    serde_json::from_str(line)
        .map_err(|e| malformed(file, no, format!("signal takeout frame: {e}")))
}

/// One chat found by the scan: its conversation and what streaming it needs.
pub(super) type ChatSource = (Conversation, TakeoutChat);

struct ChatScan {
    chat_id: String,
    recipient_id: String,
    authors: BTreeSet<String>,
    items: u64,
}

/// One pass: account, recipients, chats, and each chat's authors.
pub(super) fn scan(
    input: &Input,
    file: &str,
    opts: &ParseOptions,
) -> Result<(Vec<ChatSource>, Vec<Warning>), ConnectorError> {
    let mut warnings = WarningSink::new(opts.limits.max_warnings);
    let mut lines = open_lines(input, file, opts)?;
    let mut self_name = "Me".to_owned();
    let mut recipients: HashMap<String, Who> = HashMap::new();
    let mut chats: Vec<ChatScan> = Vec::new();
    let mut chat_index: HashMap<String, usize> = HashMap::new();
    let mut orphans = 0u64;
    loop {
        let no = lines.line_no() + 1;
        let Some(line) = lines.next_line()? else {
            break;
        };
        let line = line.trim_start_matches('\u{feff}').trim();
        if line.is_empty() {
            continue;
        }
        let f = parse_frame(file, no, line)?;
        if let Some(a) = f.account {
            if let Some(n) = join_name(a.given_name.as_deref(), a.family_name.as_deref()) {
                self_name = n;
            }
        } else if let Some(r) = f.recipient {
            let Some(id) = r.id.clone() else {
                return Err(malformed(file, no, "signal takeout recipient without id"));
            };
            if let Some(w) = who(r, &id, &self_name) {
                recipients.insert(id, w);
            }
        } else if let Some(c) = f.chat {
            let (Some(id), Some(rid)) = (c.id, c.recipient_id) else {
                return Err(malformed(
                    file,
                    no,
                    "signal takeout chat without id or recipientId",
                ));
            };
            chat_index.insert(id.clone(), chats.len());
            chats.push(ChatScan {
                chat_id: id,
                recipient_id: rid,
                authors: BTreeSet::new(),
                items: 0,
            });
        } else if let Some(item) = f.chat_item {
            let Some(i) = item.chat_id.as_ref().and_then(|c| chat_index.get(c)) else {
                orphans += 1;
                continue;
            };
            if let Some(chat) = chats.get_mut(*i) {
                chat.items += 1;
                if let Some(a) = item.author_id
                    && chat.authors.len() < opts.limits.max_participants
                {
                    chat.authors.insert(a);
                }
            }
        }
    }
    if orphans > 0 {
        warnings.push(
            file,
            None,
            format!("{orphans} chat items name a chat the export does not define; skipped"),
        );
    }
    let recipients: Recipients = Arc::new(recipients);
    let mut out = Vec::new();
    for chat in chats.into_iter().filter(|c| c.items > 0) {
        let Some(peer) = recipients.get(&chat.recipient_id) else {
            warnings.push(
                file,
                None,
                format!("chat {} names an unknown recipient; skipped", chat.chat_id),
            );
            continue;
        };
        let custodian = opts.custodian.as_deref().unwrap_or("");
        let source_key = if peer.is_group {
            format!("signal:{}", peer.key)
        } else {
            format!("signal:{custodian}:{}", peer.key)
        };
        let participants = chat
            .authors
            .iter()
            .filter_map(|a| recipients.get(a))
            .map(|w| Participant {
                id: Participant::id_for(Channel::Signal, &w.key),
                display_name: w.name.clone(),
                phone: w.phone.clone(),
                is_self: w.is_self,
            })
            .collect();
        let conversation = Conversation {
            id: Conversation::id_for(Channel::Signal, &source_key),
            channel: Channel::Signal,
            title: opts.title.clone().unwrap_or_else(|| peer.name.clone()),
            source_key,
            custodian: opts.custodian.clone(),
            is_group: peer.is_group,
            participants,
        };
        out.push((
            conversation,
            TakeoutChat {
                chat_id: chat.chat_id,
                recipients: Arc::clone(&recipients),
            },
        ));
    }
    Ok((out, warnings.list))
}

fn attachment(a: &RawAttachment) -> Attachment {
    let p = a.pointer.as_ref();
    let name = p
        .and_then(|p| p.file_name.clone())
        .filter(|n| !n.is_empty());
    let ctype = p.and_then(|p| p.content_type.as_deref()).unwrap_or("");
    let kind = match ctype.split('/').next().unwrap_or("") {
        _ if ctype == "image/webp" => MediaKind::Sticker,
        _ if ctype == "image/gif" => MediaKind::Gif,
        "image" => MediaKind::Image,
        "video" => MediaKind::Video,
        "audio" => MediaKind::Audio,
        "text" if ctype == "text/x-vcard" || ctype == "text/vcard" => MediaKind::Contact,
        "" => name
            .as_deref()
            .map_or(MediaKind::Other, MediaKind::from_file_name),
        _ => MediaKind::Document,
    };
    Attachment {
        name,
        kind,
        included: false,
        size: None,
        content_hash: None,
        placeholder: None,
    }
}

fn simple(kind: MediaKind, placeholder: &str) -> Attachment {
    Attachment {
        name: None,
        kind,
        included: false,
        size: None,
        content_hash: None,
        placeholder: Some(placeholder.to_owned()),
    }
}

/// A short, content-free description of a chat update (`simpleUpdate: IDENTITY_UPDATE`).
fn update_text(u: &serde_json::Map<String, Value>) -> String {
    let Some((k, v)) = u.iter().next() else {
        return "update".to_owned();
    };
    match v.get("type").and_then(Value::as_str) {
        Some(t) => format!("{k}: {t}"),
        None => k.clone(),
    }
}

pub(super) struct Messages<'a> {
    lines: LineReader<BufReader<Box<dyn ReadSeek>>>,
    file: &'a str,
    conversation: &'a Conversation,
    chat: &'a TakeoutChat,
    opts: &'a ParseOptions,
    seq: u64,
    failed: bool,
}

impl<'a> Messages<'a> {
    pub(super) fn new(
        lines: LineReader<BufReader<Box<dyn ReadSeek>>>,
        file: &'a str,
        conversation: &'a Conversation,
        chat: &'a TakeoutChat,
        opts: &'a ParseOptions,
    ) -> Self {
        Messages {
            lines,
            file,
            conversation,
            chat,
            opts,
            seq: 0,
            failed: false,
        }
    }

    fn author_key(&self, id: Option<&str>) -> String {
        match id.and_then(|a| self.chat.recipients.get(a)) {
            Some(w) => w.key.clone(),
            None => format!("recipient:{}", id.unwrap_or("")),
        }
    }

    fn convert(&mut self, no: u64, item: ChatItem) -> Result<Message, ConnectorError> {
        let date = item
            .date_sent
            .as_deref()
            .ok_or_else(|| malformed(self.file, no, "signal chat item without dateSent"))?;
        let ms: i64 = date.parse().map_err(|_| {
            malformed(
                self.file,
                no,
                format!("signal dateSent {date:?} is not a number"),
            )
        })?;
        let sent_at = Timestamp::from_millisecond(ms)
            .map_err(|e| malformed(self.file, no, format!("signal dateSent {date:?}: {e}")))?;
        let zone = self.opts.tz.clone().unwrap_or(TimeZone::UTC);
        let author = item.author_id.as_deref();
        let who = author.and_then(|a| self.chat.recipients.get(a));
        let author_key = self.author_key(author);
        let id = Message::native_id(&self.conversation.id, &format!("{author_key}:{date}"));
        let reply_to = item
            .standard_message
            .as_ref()
            .and_then(|s| s.quote.as_ref())
            .and_then(|q| {
                let ts = q.target_sent_timestamp.as_deref()?;
                let key = self.author_key(q.author_id.as_deref());
                Some(Message::native_id(
                    &self.conversation.id,
                    &format!("{key}:{ts}"),
                ))
            });
        let mut kind = MessageKind::Message;
        let mut text = String::new();
        let mut attachments = Vec::new();
        let mut deleted = false;
        if let Some(s) = item.standard_message {
            text = s.text.and_then(|t| t.body).unwrap_or_default();
            attachments.extend(s.attachments.iter().map(attachment));
            if s.long_text.is_some() {
                attachments.push(simple(MediaKind::Document, "long text (body in files/)"));
            }
        } else if item.remote_deleted_message.is_some() || item.admin_deleted_message.is_some() {
            deleted = true;
        } else if let Some(u) = &item.update_message {
            kind = MessageKind::System;
            text = update_text(u);
        } else if let Some(st) = &item.sticker_message {
            let emoji = st
                .get("sticker")
                .and_then(|s| s.get("emoji"))
                .and_then(Value::as_str)
                .filter(|e| !e.is_empty())
                .unwrap_or("sticker");
            attachments.push(simple(MediaKind::Sticker, emoji));
        } else if item.contact_message.is_some() {
            attachments.push(simple(MediaKind::Contact, "shared contact"));
        } else if let Some(v) = &item.view_once_message {
            match v
                .get("attachment")
                .and_then(|a| serde_json::from_value::<RawAttachment>(a.clone()).ok())
            {
                Some(a) => attachments.push(attachment(&a)),
                None => attachments.push(simple(MediaKind::Other, "view-once media (cleared)")),
            }
        } else if item.payment_notification.is_some() {
            kind = MessageKind::System;
            text = "payment".to_owned();
        } else if item.gift_badge.is_some() {
            kind = MessageKind::System;
            text = "gift badge".to_owned();
        } else if let Some(p) = &item.poll {
            text = p
                .get("question")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
        }
        let sender = match kind {
            MessageKind::System => None,
            MessageKind::Message => who.map(|w| w.name.clone()),
        };
        let m = Message {
            id,
            conversation: self.conversation.id.clone(),
            seq: self.seq,
            kind,
            sender_id: match kind {
                MessageKind::System => None,
                MessageKind::Message => who.map(|w| Participant::id_for(Channel::Signal, &w.key)),
            },
            sender,
            sent_at,
            local_time: sent_at.to_zoned(zone).datetime(),
            time_source: TimeSource::NativeUtc,
            text,
            attachments,
            deleted,
            edited: !item.revisions.is_empty(),
            source: SourceRef {
                file: self.file.into(),
                line: no,
            },
            reply_to,
            forwarded_from: None,
        };
        self.seq += 1;
        Ok(m)
    }
}

impl Iterator for Messages<'_> {
    type Item = Result<Message, ConnectorError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        loop {
            let r = match (self.lines.line_no() + 1, self.lines.next_line()) {
                (_, Ok(None)) => return None,
                (no, Ok(Some(line))) => {
                    let line = line.trim_start_matches('\u{feff}').trim();
                    // Only chat items are parsed in full on this pass.
                    if line.is_empty() || !line.contains("\"chatItem\"") {
                        continue;
                    }
                    match parse_frame(self.file, no, line) {
                        Ok(f) => match f.chat_item {
                            Some(item) if item.chat_id.as_deref() == Some(&self.chat.chat_id) => {
                                self.convert(no, item)
                            }
                            _ => continue,
                        },
                        Err(e) => Err(e),
                    }
                }
                (_, Err(e)) => Err(e),
            };
            if r.is_err() {
                self.failed = true;
            }
            return Some(r);
        }
    }
}
