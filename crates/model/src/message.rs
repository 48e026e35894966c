//! Messages and their attachments.

use crate::ids::{ConversationId, IdHasher, MessageId, ParticipantId};
use jiff::Timestamp;
use jiff::civil::DateTime;
use serde::{Deserialize, Serialize};

/// A message written by a person, or an event the app recorded (member added,
/// security code changed, encryption banner).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    Message,
    System,
}

impl MessageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Message => "message",
            MessageKind::System => "system",
        }
    }
}

/// How the UTC instant of a message was known.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeSource {
    /// The source gave a UTC instant (epoch, `Z`).
    NativeUtc,
    /// The source gave a local time with its offset.
    NativeOffset,
    /// The source gave a wall-clock time; the operator named the zone.
    AssumedOperatorZone,
    /// The source gave a wall-clock time and no zone was named: read as UTC.
    AssumedUtc,
}

/// What an attachment is, as far as the source tells.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaKind {
    Image,
    Video,
    Audio,
    Document,
    Sticker,
    Gif,
    Contact,
    Location,
    Other,
}

impl MediaKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MediaKind::Image => "image",
            MediaKind::Video => "video",
            MediaKind::Audio => "audio",
            MediaKind::Document => "document",
            MediaKind::Sticker => "sticker",
            MediaKind::Gif => "gif",
            MediaKind::Contact => "contact",
            MediaKind::Location => "location",
            MediaKind::Other => "other",
        }
    }

    /// Guesses the kind from a file name's extension.
    pub fn from_file_name(name: &str) -> MediaKind {
        let ext = name
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default();
        match ext.as_str() {
            "jpg" | "jpeg" | "png" | "heic" | "heif" | "bmp" | "tif" | "tiff" => MediaKind::Image,
            "webp" => MediaKind::Sticker,
            "gif" => MediaKind::Gif,
            "mp4" | "mov" | "3gp" | "mkv" | "avi" | "webm" => MediaKind::Video,
            "opus" | "ogg" | "mp3" | "m4a" | "aac" | "amr" | "wav" => MediaKind::Audio,
            "vcf" => MediaKind::Contact,
            "" => MediaKind::Other,
            _ => MediaKind::Document,
        }
    }
}

/// A file sent with a message. `included` is false when the export only names it
/// (e.g. WhatsApp's `<Media omitted>`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// The file name, when the export names one.
    pub name: Option<String>,
    pub kind: MediaKind,
    /// Whether the file's bytes came with the export.
    pub included: bool,
    /// Size in bytes, when the bytes are present.
    pub size: Option<u64>,
    /// Lowercase hex SHA-256 of the bytes, when present.
    pub content_hash: Option<String>,
    /// The placeholder text the export wrote, when the file was left out.
    pub placeholder: Option<String>,
}

/// Where a message came from: the file (path inside a zip after `!/`) and the
/// 1-based line (or record number) where it starts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceRef {
    /// The file as the reader names it (shared by a reader's messages: one
    /// allocation per file, not per message).
    pub file: std::sync::Arc<str>,
    pub line: u64,
}

/// One normalized message.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub id: MessageId,
    pub conversation: crate::ids::ConversationId,
    /// Position in the source (0-based); breaks ties between equal times.
    pub seq: u64,
    pub kind: MessageKind,
    /// The sender's name as shown, invisible marks removed; `None` for system lines.
    pub sender: Option<String>,
    pub sender_id: Option<ParticipantId>,
    /// The instant in UTC (RFC 3339 when serialized).
    pub sent_at: Timestamp,
    /// The wall-clock time as written in the source, no offset.
    pub local_time: DateTime,
    pub time_source: TimeSource,
    pub text: String,
    pub attachments: Vec<Attachment>,
    pub deleted: bool,
    pub edited: bool,
    pub source: SourceRef,
    /// The message this one replies to, when the source links replies by id
    /// (Telegram `reply_to_message_id`, Cloud API `context.id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<MessageId>,
    /// Who a forwarded message was first sent by, as the source names them
    /// (Telegram `forwarded_from`; "" when only "forwarded" is known).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forwarded_from: Option<String>,
}

impl Message {
    /// The id of a message with no native id: derived from the conversation, the
    /// local time as written, the sender, the text, and the occurrence index among
    /// messages identical in all of those (so "ok", "ok" in one minute stay two).
    pub fn derived_id(
        conversation: &ConversationId,
        local_time: &DateTime,
        sender: Option<&str>,
        raw_body: &str,
        occurrence: u64,
    ) -> MessageId {
        Self::derived_id_parts(
            conversation,
            local_time,
            sender,
            &[raw_body.as_bytes()],
            occurrence,
        )
    }

    /// [`Message::derived_id`] with the raw body given in pieces (e.g. a first
    /// line, `"\n"`, the continuation lines): the same id as for their
    /// concatenation, without building it.
    pub fn derived_id_parts(
        conversation: &ConversationId,
        local_time: &DateTime,
        sender: Option<&str>,
        raw_body: &[&[u8]],
        occurrence: u64,
    ) -> MessageId {
        Self::derived_id_prefix(conversation, local_time, sender, raw_body).finish(occurrence)
    }

    /// The hash state of [`Message::derived_id_parts`] before the occurrence
    /// number, for a reader that learns the number later (a parallel reader
    /// whose chunk may follow an identical message in an earlier chunk).
    pub fn derived_id_prefix(
        conversation: &ConversationId,
        local_time: &DateTime,
        sender: Option<&str>,
        raw_body: &[&[u8]],
    ) -> DerivedIdPrefix {
        let mut buf = [0u8; 19];
        let mut h = IdHasher::new("message");
        h.str(conversation.as_str());
        match local_time_text(local_time, &mut buf) {
            Some(text) => h.field(text),
            None => h.str(&local_time.to_string()),
        };
        h.str(sender.unwrap_or("")).field_parts(raw_body);
        DerivedIdPrefix(h)
    }

    /// A message reacting to this one (an emoji reaction, or a note about reactions the
    /// export does not attribute): in the same conversation, replying to it, dated at it
    /// and pointing at its source position (exports that record no reaction time).
    pub fn reaction_to(
        &self,
        id: MessageId,
        seq: u64,
        kind: MessageKind,
        sender: Option<String>,
        sender_id: Option<ParticipantId>,
        text: String,
    ) -> Message {
        Message {
            id,
            conversation: self.conversation.clone(),
            seq,
            kind,
            sender,
            sender_id,
            sent_at: self.sent_at,
            local_time: self.local_time,
            time_source: self.time_source,
            text,
            attachments: Vec::new(),
            deleted: false,
            edited: false,
            source: self.source.clone(),
            reply_to: Some(self.id.clone()),
            forwarded_from: None,
        }
    }

    /// The id of a message whose source has its own id (Telegram, Slack, wamid …).
    pub fn native_id(conversation: &ConversationId, native: &str) -> MessageId {
        let mut h = IdHasher::new("message-native");
        h.str(conversation.as_str()).str(native);
        MessageId(h.finish_id())
    }
}

/// A derived message id without its occurrence number ([`Message::derived_id_prefix`]).
#[derive(Clone)]
pub struct DerivedIdPrefix(IdHasher);

impl DerivedIdPrefix {
    /// The id for the `occurrence`-th identical message (0 for the first).
    pub fn finish(mut self, occurrence: u64) -> MessageId {
        self.0.u64(occurrence);
        MessageId(self.0.finish_id())
    }
}

/// Derives message ids ([`Message::derived_id_prefix`]) for one conversation,
/// many at a time: the hash state after the fields every message of a day
/// shares (domain, conversation, and the date part of the local time) is kept,
/// so a message's id compresses one SHA-256 block fewer. The ids are the same
/// bytes hashed, so the same ids.
#[derive(Clone)]
pub struct MessageIds {
    conversation: ConversationId,
    /// The date (`YYYY-MM-DD`) last seen and the hash state just after it.
    day: Option<([u8; DATE_LEN], IdHasher)>,
}

/// Bytes of `YYYY-MM-DD` at the start of [`local_time_text`].
const DATE_LEN: usize = 10;

impl MessageIds {
    /// A deriver for the messages of `conversation`.
    pub fn new(conversation: &ConversationId) -> Self {
        MessageIds {
            conversation: conversation.clone(),
            day: None,
        }
    }

    /// The conversation whose ids these are.
    pub fn conversation(&self) -> &ConversationId {
        &self.conversation
    }

    /// [`Message::derived_id_prefix`] for this conversation.
    pub fn prefix(
        &mut self,
        local_time: &DateTime,
        sender: Option<&str>,
        raw_body: &[&[u8]],
    ) -> DerivedIdPrefix {
        let mut buf = [0u8; 19];
        let Some(text) = local_time_text(local_time, &mut buf) else {
            return Message::derived_id_prefix(&self.conversation, local_time, sender, raw_body);
        };
        let (date, clock) = text.split_at(DATE_LEN.min(text.len()));
        let mut h = match &self.day {
            Some((d, state)) if d[..] == *date => state.clone(),
            _ => {
                // The time field's length prefix, then its date part: hashed
                // in two updates exactly as `field(text)` hashes it in one.
                let mut h = IdHasher::new("message");
                h.str(self.conversation.as_str());
                h.raw(&(text.len() as u64).to_le_bytes()).raw(date);
                if let Ok(d) = <[u8; DATE_LEN]>::try_from(date) {
                    self.day = Some((d, h.clone()));
                }
                h
            }
        };
        h.raw(clock);
        h.str(sender.unwrap_or("")).field_parts(raw_body);
        DerivedIdPrefix(h)
    }
}

/// `local_time` as its `Display` writes it (`2024-01-02T03:04:05`) for the common
/// case (years 0–9999, no fraction of a second), into `buf`; `None` otherwise.
fn local_time_text<'b>(t: &DateTime, buf: &'b mut [u8; 19]) -> Option<&'b [u8]> {
    if t.subsec_nanosecond() != 0 || !(0..=9999).contains(&t.year()) {
        return None;
    }
    let year = u32::try_from(t.year()).ok()?;
    let fields: [(u32, usize, usize); 6] = [
        (year, 0, 4),
        (u32::try_from(t.month()).ok()?, 5, 2),
        (u32::try_from(t.day()).ok()?, 8, 2),
        (u32::try_from(t.hour()).ok()?, 11, 2),
        (u32::try_from(t.minute()).ok()?, 14, 2),
        (u32::try_from(t.second()).ok()?, 17, 2),
    ];
    *buf = *b"0000-00-00T00:00:00";
    for (mut value, start, width) in fields {
        for i in (start..start + width).rev() {
            *buf.get_mut(i)? = b'0' + (value % 10) as u8;
            value /= 10;
        }
    }
    Some(&buf[..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conversation::{Channel, Conversation, Participant};

    /// Ids recorded before `derived_id` was optimized: they must never change, or
    /// re-imports would store every message again.
    #[test]
    fn local_time_text_matches_display() {
        let mut buf = [0u8; 19];
        for t in [
            jiff::civil::date(2024, 1, 2).at(3, 4, 5, 0),
            jiff::civil::date(0, 1, 1).at(0, 0, 0, 0),
            jiff::civil::date(7, 12, 31).at(23, 59, 59, 0),
            jiff::civil::date(9999, 12, 31).at(23, 59, 59, 0),
            jiff::civil::date(1970, 6, 15).at(12, 30, 0, 0),
        ] {
            let text = local_time_text(&t, &mut buf).unwrap();
            assert_eq!(std::str::from_utf8(text).unwrap(), t.to_string());
        }
        let fraction = jiff::civil::date(2024, 1, 2).at(3, 4, 5, 1);
        assert!(local_time_text(&fraction, &mut buf).is_none());
        let negative = jiff::civil::date(-1, 1, 1).at(0, 0, 0, 0);
        assert!(local_time_text(&negative, &mut buf).is_none());
    }

    #[test]
    fn derived_ids_are_pinned() {
        let conv = ConversationId::from("0123456789abcdef0123456789abcdef");
        let cases: [(DateTime, Option<&str>, &str, u64, &str); 5] = [
            (
                jiff::civil::date(2024, 1, 2).at(3, 4, 5, 0),
                Some("Mei Chen"),
                "ok",
                0,
                "84fb37ee2b4528be3ee962c3eb8f6317",
            ),
            (
                jiff::civil::date(2024, 1, 2).at(3, 4, 5, 0),
                Some("Mei Chen"),
                "ok",
                1,
                "169e41b9bc5e8f1d49007f34a4c602e8",
            ),
            (
                jiff::civil::date(1999, 12, 31).at(23, 59, 0, 0),
                None,
                "Ravi left",
                0,
                "f9d93f5185ac5d53670b015c1b9619f8",
            ),
            (
                jiff::civil::date(5, 6, 7).at(0, 0, 0, 0),
                Some("Émile"),
                "ligne 1\nligne 2 📞",
                3,
                "813c8112506253f702e0ca32888217d9",
            ),
            (
                jiff::civil::date(2020, 2, 29).at(12, 0, 59, 0),
                Some(""),
                "",
                0,
                "00dc373542f7f180043816fd47e35351",
            ),
        ];
        for (local, sender, body, occ, want) in cases {
            let got = Message::derived_id(&conv, &local, sender, body, occ);
            assert_eq!(got.as_str(), want);
            let (a, b) = body.as_bytes().split_at(body.len() / 2);
            let parts = Message::derived_id_parts(&conv, &local, sender, &[a, b], occ);
            assert_eq!(parts.as_str(), want);
        }
        // The same ids from a deriver that keeps the state of a day, whatever
        // order the days come in.
        let mut ids = MessageIds::new(&conv);
        for (local, sender, body, occ, want) in cases.iter().chain(cases.iter().rev()) {
            let got = ids.prefix(local, *sender, &[body.as_bytes()]).finish(*occ);
            assert_eq!(got.as_str(), *want);
        }
        let p = Participant::id_for(Channel::Whatsapp, "Mei Chen");
        assert_eq!(p.as_str(), "58aedbf3a2980d94662c673ec530a241");
        let c = Conversation::id_for(Channel::Whatsapp, "whatsapp::Ops");
        assert_eq!(c.as_str(), "f60991535ed01eca1e78c867d173c05c");
    }

    /// A deriver gives `derived_id`'s ids for days in any order, times with a
    /// fraction of a second or outside years 0–9999, and any conversation id.
    #[test]
    fn message_ids_match_derived_id() {
        let times = [
            jiff::civil::date(2024, 1, 2).at(3, 4, 5, 0),
            jiff::civil::date(2024, 1, 2).at(23, 59, 0, 0),
            jiff::civil::date(2024, 1, 3).at(0, 0, 0, 0),
            jiff::civil::date(2024, 1, 2).at(3, 4, 5, 0),
            jiff::civil::date(2024, 1, 2).at(3, 4, 5, 500),
            jiff::civil::date(-3, 1, 2).at(3, 4, 5, 0),
            jiff::civil::date(9999, 12, 31).at(23, 59, 59, 0),
        ];
        for conv in [
            "",
            "c",
            "0123456789abcdef0123456789abcdef",
            &"x".repeat(200),
        ] {
            let conv = ConversationId::from(conv);
            let mut ids = MessageIds::new(&conv);
            assert_eq!(ids.conversation(), &conv);
            for (i, t) in times.iter().enumerate() {
                let body = "é".repeat(i * 17);
                for sender in [None, Some("Ana"), Some(&*"long name ".repeat(9))] {
                    let want = Message::derived_id(&conv, t, sender, &body, i as u64);
                    let got = ids.prefix(t, sender, &[body.as_bytes()]).finish(i as u64);
                    assert_eq!(got, want, "{conv} {t} {sender:?}");
                }
            }
        }
    }
}
