//! One raw Telegram message → one normalized [`Message`].

use super::raw::{Part, RawMessage, Text};
use chatwarden_model::{
    Attachment, Channel, ConversationId, MediaKind, Message, MessageKind, Participant, SourceRef,
    TimeSource,
};
use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;

/// The name shown for a sender whose account was deleted (`"from": null`).
pub const DELETED_ACCOUNT: &str = "Deleted Account";

/// What a message needs from its chat.
pub struct ChatCtx<'a> {
    pub conversation: &'a ConversationId,
    pub chat_id: &'a str,
    pub file: &'a str,
    pub tz: Option<&'a TimeZone>,
}

/// Why a message could not be converted.
#[derive(Debug, PartialEq, Eq)]
pub enum Skip {
    /// `type: unsupported` (only `id` and `type` are written).
    Unsupported,
    /// No id: the message cannot be identified.
    NoId,
    /// No usable time.
    NoTime,
}

/// Flattens `text` (string or entity array) to plain text. A `text_link`'s
/// target follows its text in parentheses, so links hidden behind words are
/// not lost to inspection.
pub fn flatten(text: &Text) -> String {
    match text {
        Text::Plain(s) => s.clone(),
        Text::Other(_) => String::new(),
        Text::Parts(parts) => {
            let mut out = String::new();
            for p in parts {
                match p {
                    Part::Plain(s) => out.push_str(s),
                    Part::Entity(e) => {
                        let t = e.text.as_deref().unwrap_or("");
                        out.push_str(t);
                        if e.kind.as_deref() == Some("text_link")
                            && let Some(href) = e.href.as_deref()
                            && !href.is_empty()
                            && href != t
                        {
                            out.push_str(" (");
                            out.push_str(href);
                            out.push(')');
                        }
                    }
                    Part::Other(_) => {}
                }
            }
            out
        }
    }
}

/// The sender key used for participant ids: `from_id` when present (stable
/// across renames), else the display name.
pub fn sender_of(m: &RawMessage) -> Option<(String, String)> {
    let name = match &m.from {
        Some(Some(n)) => n.clone(),
        Some(None) => DELETED_ACCOUNT.to_owned(),
        None => match (&m.author, &m.from_id) {
            (Some(a), _) => a.clone(),
            (None, Some(_)) => DELETED_ACCOUNT.to_owned(),
            (None, None) => return None,
        },
    };
    let key = match &m.from_id {
        Some(id) => format!("id:{}", id.to_text()),
        None => format!("name:{name}"),
    };
    Some((name, key))
}

/// A participant id from a sender key.
pub fn participant_id(key: &str) -> chatwarden_model::ParticipantId {
    Participant::id_for(Channel::Telegram, key)
}

/// `"(File not included. …)"` and the other sentences written instead of a path.
fn missing_file_sentence(path: &str) -> bool {
    path.starts_with("(File ") || path.starts_with("(Photo ")
}

fn parse_u64(v: Option<&super::raw::NumOrStr>) -> Option<u64> {
    match v? {
        super::raw::NumOrStr::Int(i) => u64::try_from(*i).ok(),
        super::raw::NumOrStr::Float(f) if *f >= 0.0 && f.fract() == 0.0 => Some(*f as u64),
        super::raw::NumOrStr::Float(_) => None,
        super::raw::NumOrStr::Str(s) => s.trim().parse().ok(),
    }
}

fn base_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

fn attachment_for(
    path: &str,
    kind: MediaKind,
    file_name: Option<&str>,
    size: Option<u64>,
) -> Attachment {
    if missing_file_sentence(path) {
        Attachment {
            name: file_name.map(str::to_owned),
            kind,
            included: false,
            size,
            content_hash: None,
            placeholder: Some(path.to_owned()),
        }
    } else {
        Attachment {
            name: Some(path.to_owned()),
            kind,
            included: true,
            size,
            content_hash: None,
            placeholder: None,
        }
    }
}

/// The attachments a message carries (photo, file, contact, location, poll).
pub fn attachments(m: &RawMessage) -> Vec<Attachment> {
    let mut out = Vec::new();
    if let Some(photo) = m.photo.as_deref() {
        out.push(attachment_for(
            photo,
            MediaKind::Image,
            None,
            parse_u64(m.photo_file_size.as_ref()),
        ));
    }
    if let Some(file) = m.file.as_deref() {
        let name_hint = m.file_name.as_deref().unwrap_or_else(|| base_name(file));
        let kind = match m.media_type.as_deref() {
            Some("sticker") => MediaKind::Sticker,
            Some("animation") => MediaKind::Gif,
            Some("video_file" | "video_message") => MediaKind::Video,
            Some("voice_message" | "audio_file") => MediaKind::Audio,
            _ => match m.mime_type.as_deref() {
                Some(mt) if mt.starts_with("image/") => MediaKind::Image,
                Some(mt) if mt.starts_with("video/") => MediaKind::Video,
                Some(mt) if mt.starts_with("audio/") => MediaKind::Audio,
                _ => MediaKind::from_file_name(name_hint),
            },
        };
        out.push(attachment_for(
            file,
            kind,
            m.file_name.as_deref(),
            parse_u64(m.file_size.as_ref()),
        ));
    }
    if let Some(c) = &m.contact_information {
        let name = [c.first_name.as_deref(), c.last_name.as_deref()]
            .into_iter()
            .flatten()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        out.push(Attachment {
            name: (!name.is_empty()).then_some(name),
            kind: MediaKind::Contact,
            included: false,
            size: None,
            content_hash: None,
            placeholder: c.phone_number.clone(),
        });
    }
    if let Some(loc) = &m.location_information {
        let at = match (loc.latitude, loc.longitude) {
            (Some(la), Some(lo)) => Some(format!("{la}, {lo}")),
            _ => None,
        };
        out.push(Attachment {
            name: m.place_name.clone().or_else(|| m.address.clone()),
            kind: MediaKind::Location,
            included: false,
            size: None,
            content_hash: None,
            placeholder: at,
        });
    }
    out
}

fn names(members: &[Option<String>]) -> String {
    members
        .iter()
        .map(|m| m.as_deref().unwrap_or(DELETED_ACCOUNT))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A readable sentence for a service message (`action`, `actor`, `members`, …).
pub fn service_text(m: &RawMessage) -> String {
    let actor = match &m.actor {
        Some(Some(a)) => a.as_str(),
        Some(None) => DELETED_ACCOUNT,
        None => "Someone",
    };
    let action = m.action.as_deref().unwrap_or("unknown");
    let title = m.title.as_deref().unwrap_or("");
    let members = names(&m.members);
    let mut s = match action {
        "create_group" | "create_channel" => {
            let mut s = format!("{actor} created the group «{title}»");
            if action == "create_channel" {
                s = format!("{actor} created the channel «{title}»");
            }
            if !members.is_empty() {
                s.push_str(&format!(" with {members}"));
            }
            s
        }
        "invite_members" => format!("{actor} added {members}"),
        "remove_members" => format!("{actor} removed {members}"),
        "join_group_by_link" => match m.inviter.as_deref() {
            Some(i) => format!("{actor} joined the group via an invite link from {i}"),
            None => format!("{actor} joined the group via an invite link"),
        },
        "join_group_by_request" => format!("{actor} joined the group (request approved)"),
        "edit_group_title" => format!("{actor} changed the group title to «{title}»"),
        "edit_group_photo" => format!("{actor} changed the group photo"),
        "delete_group_photo" => format!("{actor} removed the group photo"),
        "migrate_to_supergroup" => format!("{actor} converted this group to a supergroup"),
        "migrate_from_group" => format!("{actor} converted the group «{title}» to this supergroup"),
        "pin_message" => match &m.message_id {
            Some(id) => format!("{actor} pinned message {}", id.to_text()),
            None => format!("{actor} pinned a message"),
        },
        "clear_history" => format!("{actor} cleared the history"),
        "joined_telegram" => format!("{actor} joined Telegram"),
        "take_screenshot" => format!("{actor} took a screenshot"),
        "phone_call" | "group_call" => {
            let what = if action == "phone_call" {
                "call"
            } else {
                "group call"
            };
            let mut s = format!("{actor} started a {what}");
            if let Some(d) = parse_u64(m.duration_seconds.as_ref()) {
                s.push_str(&format!(" ({d} s)"));
            }
            if let Some(r) = m.discard_reason.as_deref() {
                s.push_str(&format!(", ended: {r}"));
            }
            s
        }
        "set_messages_ttl" => format!("{actor} changed the auto-delete timer"),
        "custom_action" => m
            .information_text
            .clone()
            .unwrap_or_else(|| format!("{actor}: custom action")),
        other => {
            let mut s = format!("{actor}: {}", other.replace('_', " "));
            if !members.is_empty() {
                s.push_str(&format!(" ({members})"));
            }
            s
        }
    };
    if let Some(t) = m.text.as_ref().map(flatten).filter(|t| !t.is_empty()) {
        s.push_str(": ");
        s.push_str(&t);
    }
    s
}

fn unix(v: Option<&super::raw::NumOrStr>) -> Option<Timestamp> {
    let secs: i64 = match v? {
        super::raw::NumOrStr::Int(i) => *i,
        super::raw::NumOrStr::Float(f) => {
            if f.is_finite() && f.fract() == 0.0 {
                *f as i64
            } else {
                return None;
            }
        }
        super::raw::NumOrStr::Str(s) => s.trim().parse().ok()?,
    };
    Timestamp::from_second(secs).ok()
}

/// The instant, the wall-clock time as written, and how the instant was known.
pub fn times(m: &RawMessage, tz: Option<&TimeZone>) -> Option<(Timestamp, DateTime, TimeSource)> {
    let local: Option<DateTime> = m.date.as_deref().and_then(|d| d.trim().parse().ok());
    if let Some(ts) = unix(m.date_unixtime.as_ref()) {
        let local =
            local.unwrap_or_else(|| ts.to_zoned(tz.cloned().unwrap_or(TimeZone::UTC)).datetime());
        return Some((ts, local, TimeSource::NativeUtc));
    }
    let local = local?;
    match tz {
        Some(z) => {
            let ts = z.to_ambiguous_zoned(local).compatible().ok()?.timestamp();
            Some((ts, local, TimeSource::AssumedOperatorZone))
        }
        None => {
            let ts = local.to_zoned(TimeZone::UTC).ok()?.timestamp();
            Some((ts, local, TimeSource::AssumedUtc))
        }
    }
}

/// True when `edited`/`edited_unixtime` name a real edit time. An edit time at
/// the epoch (`1970-01-01T00:00:00`, `"0"`) is treated as "not edited": a
/// defensive reading of exports that write a zero time for unedited messages.
fn was_edited(m: &RawMessage) -> bool {
    if let Some(ts) = unix(m.edited_unixtime.as_ref()) {
        return ts.as_second() != 0;
    }
    m.edited
        .as_deref()
        .is_some_and(|e| !e.trim().is_empty() && !e.starts_with("1970-01-01T00:00:00"))
}

/// The message's native id within its chat (`<chat id>:<id>`).
pub fn native_key(chat_id: &str, id: &str) -> String {
    format!("{chat_id}:{id}")
}

/// Converts one raw message. `seq` is its position in the chat, `line` the
/// 1-based line where it starts.
pub fn convert(ctx: &ChatCtx<'_>, m: &RawMessage, seq: u64, line: u64) -> Result<Message, Skip> {
    if m.kind.as_deref() == Some("unsupported") {
        return Err(Skip::Unsupported);
    }
    let id = m.id.as_ref().map(|i| i.to_text()).ok_or(Skip::NoId)?;
    let (sent_at, local_time, time_source) = times(m, ctx.tz).ok_or(Skip::NoTime)?;
    let is_service = m.kind.as_deref() == Some("service");
    let (kind, sender, sender_id, text) = if is_service {
        (MessageKind::System, None, None, service_text(m))
    } else {
        let (sender, sender_id) = match sender_of(m) {
            Some((name, key)) => (Some(name), Some(participant_id(&key))),
            None => (None, None),
        };
        let text = m.text.as_ref().map(flatten).unwrap_or_default();
        (MessageKind::Message, sender, sender_id, text)
    };
    let reply_to = m
        .reply_to_message_id
        .as_ref()
        .filter(|_| m.reply_to_peer_id.is_none())
        .map(|r| Message::native_id(ctx.conversation, &native_key(ctx.chat_id, &r.to_text())));
    let forwarded_from = match &m.forwarded_from {
        Some(Some(f)) => Some(f.clone()),
        Some(None) => Some(DELETED_ACCOUNT.to_owned()),
        None => None,
    };
    let msg = Message {
        id: Message::native_id(ctx.conversation, &native_key(ctx.chat_id, &id)),
        conversation: ctx.conversation.clone(),
        seq,
        kind,
        sender,
        sender_id,
        sent_at,
        local_time,
        time_source,
        text,
        attachments: if is_service {
            Vec::new()
        } else {
            attachments(m)
        },
        deleted: false,
        edited: was_edited(m),
        source: SourceRef {
            file: ctx.file.into(),
            line,
        },
        reply_to,
        forwarded_from,
    };
    Ok(msg)
}

/// How a reaction is named in text: the emoji, `custom emoji <document id>`
/// or `paid ⭐`.
fn reaction_label(r: &super::raw::Reaction) -> String {
    match (r.kind.as_deref(), &r.emoji, &r.document_id) {
        (_, Some(e), _) if !e.is_empty() => e.clone(),
        (Some("custom_emoji"), _, Some(d)) => format!("custom emoji {}", d.to_text()),
        (Some("paid"), _, _) => "paid ⭐".to_owned(),
        (Some(k), _, _) if !k.is_empty() => k.to_owned(),
        _ => "?".to_owned(),
    }
}

/// The reactions carried by `target` (converted from `m`), each as its own
/// message replying to it, numbered from `seq`:
/// * one message per `recent` entry, from that person, at that entry's `date`
///   (the target's time when the entry has none readable, counted in the
///   returned number so the caller can warn);
/// * when `count` exceeds the listed entries (channels and large groups list
///   few or no reactors), one system note with the unlisted count, at the
///   target's time.
///
/// Ids are stable: `reaction:<chat>:<message>:<reactor key>:<label>`, and
/// `reaction:<chat>:<message>:unlisted:<label>` for the note.
pub fn reactions(
    ctx: &ChatCtx<'_>,
    m: &RawMessage,
    target: &Message,
    mut seq: u64,
) -> (Vec<Message>, usize) {
    let mut out = Vec::new();
    let mut undated = 0;
    let msg_id = m.id.as_ref().map(|i| i.to_text()).unwrap_or_default();
    let base = |seq: u64| {
        target.reaction_to(
            target.id.clone(),
            seq,
            MessageKind::Message,
            None,
            None,
            String::new(),
        )
    };
    for r in &m.reactions {
        let label = reaction_label(r);
        for who in &r.recent {
            let probe = RawMessage {
                from: who.from.clone(),
                from_id: who.from_id.clone(),
                date: who.date.clone(),
                date_unixtime: who.date_unixtime.clone(),
                ..Default::default()
            };
            let (name, key) = sender_of(&probe)
                .unwrap_or_else(|| (DELETED_ACCOUNT.to_owned(), "unknown".to_owned()));
            let mut msg = base(seq);
            match times(&probe, ctx.tz) {
                Some((at, local, source)) => {
                    msg.sent_at = at;
                    msg.local_time = local;
                    msg.time_source = source;
                }
                None => undated += 1,
            }
            msg.id = Message::native_id(
                ctx.conversation,
                &format!("reaction:{}:{msg_id}:{key}:{label}", ctx.chat_id),
            );
            msg.sender_id = Some(participant_id(&key));
            msg.sender = Some(name);
            msg.text = format!("reacted {label} to a message");
            out.push(msg);
            seq += 1;
        }
        let count = parse_u64(r.count.as_ref()).unwrap_or(0);
        let listed = r.recent.len() as u64;
        if count > listed {
            let n = count - listed;
            let mut msg = base(seq);
            msg.kind = MessageKind::System;
            msg.id = Message::native_id(
                ctx.conversation,
                &format!("reaction:{}:{msg_id}:unlisted:{label}", ctx.chat_id),
            );
            msg.text = if listed == 0 {
                format!("{n} reaction(s) {label} to a message; the export does not list who")
            } else {
                format!("{n} more reaction(s) {label} to a message; the export does not list who")
            };
            out.push(msg);
            seq += 1;
        }
    }
    (out, undated)
}
