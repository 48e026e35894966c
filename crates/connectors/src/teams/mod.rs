//! Microsoft Teams messages as Microsoft Graph `chatMessage` JSON. See
//! `docs/formats/teams.md` and formats.md §7.
//!
//! Input: a Graph list response (`{"@odata.context": …, "value": [chatMessage…]}`,
//! as `/chats/{id}/messages`, `/teams/{id}/channels/{id}/messages` or the
//! `getAllMessages` export APIs return it) or a bare JSON array of `chatMessage`
//! objects. Records may belong to several chats and channels (`chatId`,
//! `channelIdentity`); each becomes its own conversation.
//!
//! The file is never loaded whole: a first pass (struson) finds the
//! conversations and their senders; [`ExportSource::messages`] streams the file
//! again and yields one conversation's records.

pub mod html;

use crate::detect::{Input, ReadSeek};
use crate::error::ConnectorError;
use crate::options::{Limits, ParseOptions, Warning, WarningSink};
use crate::source::{ExportSource, MessageIter};
use chatwarden_model::{
    Attachment, Channel, Conversation, ConversationId, MediaKind, Message, MessageKind,
    Participant, ParticipantId, SourceRef, TimeSource,
};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde_json::Value;
use std::collections::HashMap;
use std::io::{BufReader, Read};
use std::path::Path;
use std::sync::Arc;
use struson::reader::{JsonReader, JsonStreamReader, ValueType};

type Reader = JsonStreamReader<BufReader<Box<dyn ReadSeek>>>;

use crate::json_stream::{line as line_of, settings};

fn malformed(file: &str, line: u64, e: impl std::fmt::Display) -> ConnectorError {
    ConnectorError::Malformed {
        file: file.to_owned(),
        line,
        reason: format!("Teams Graph JSON: {e}"),
    }
}

fn str_of<'v>(v: &'v Value, k: &str) -> Option<&'v str> {
    v.get(k).and_then(Value::as_str)
}

/// Opens a reader positioned inside the records array.
fn open_records(input: &Input, file: &str) -> Result<Reader, ConnectorError> {
    let raw = input.reader(file)?;
    let mut r = JsonStreamReader::new_custom(BufReader::with_capacity(64 * 1024, raw), settings());
    let fail = |r: &Reader, e: &dyn std::fmt::Display| malformed(file, line_of(r), e);
    match r.peek().map_err(|e| fail(&r, &e))? {
        ValueType::Array => {
            r.begin_array().map_err(|e| fail(&r, &e))?;
            Ok(r)
        }
        ValueType::Object => {
            r.begin_object().map_err(|e| fail(&r, &e))?;
            while r.has_next().map_err(|e| fail(&r, &e))? {
                let name = r.next_name_owned().map_err(|e| fail(&r, &e))?;
                if name == "value" && r.peek().map_err(|e| fail(&r, &e))? == ValueType::Array {
                    r.begin_array().map_err(|e| fail(&r, &e))?;
                    return Ok(r);
                }
                r.skip_value().map_err(|e| fail(&r, &e))?;
            }
            Err(ConnectorError::NotRecognized {
                file: file.to_owned(),
                tried: "teams (JSON object without a `value` array of chatMessage)".to_owned(),
            })
        }
        other => Err(fail(
            &r,
            &format!("expected an array or object, found {other:?}"),
        )),
    }
}

/// The conversation a record belongs to: its source key and a title.
fn conversation_of(v: &Value) -> Option<(String, String, bool)> {
    if let Some(ci) = v.get("channelIdentity").filter(|c| c.is_object()) {
        let team = str_of(ci, "teamId").unwrap_or_default();
        let channel = str_of(ci, "channelId").unwrap_or_default();
        if !channel.is_empty() {
            return Some((
                format!("teams:channel:{team}:{channel}"),
                format!("Teams channel {channel}"),
                true,
            ));
        }
    }
    let chat = str_of(v, "chatId").filter(|c| !c.is_empty())?;
    Some((
        format!("teams:chat:{chat}"),
        format!("Teams chat {chat}"),
        false,
    ))
}

const UNKNOWN_KEY: &str = "teams:unknown";

fn key_of(v: &Value) -> String {
    conversation_of(v)
        .map(|c| c.0)
        .unwrap_or_else(|| UNKNOWN_KEY.to_owned())
}

/// `(id, display name)` of the record's sender: user, application or device.
fn sender_of(v: &Value) -> Option<(String, Option<String>)> {
    let from = v.get("from").filter(|f| f.is_object())?;
    for who in ["user", "application", "device"] {
        if let Some(s) = from.get(who).filter(|s| s.is_object()) {
            let id = str_of(s, "id").unwrap_or_default();
            let name = str_of(s, "displayName").filter(|n| !n.is_empty());
            if id.is_empty() && name.is_none() {
                continue;
            }
            let key = if id.is_empty() {
                format!("name:{}", name.unwrap_or_default())
            } else {
                format!("id:{id}")
            };
            return Some((key, name.map(str::to_owned)));
        }
    }
    None
}

/// The participant id of a Graph user/application id.
pub fn participant_id(graph_id: &str) -> ParticipantId {
    Participant::id_for(Channel::Teams, &format!("id:{graph_id}"))
}

#[derive(Default)]
struct ConvScan {
    key: String,
    title: String,
    is_channel: bool,
    senders: Vec<(String, String)>,
    seen: HashMap<String, usize>,
    records: u64,
}

/// One Teams chat or channel found in a Graph JSON file.
pub struct TeamsExport {
    input: Input,
    file: String,
    key: String,
    conversation: Conversation,
    warnings: WarningSink,
    size_hint: u64,
    tz: Option<TimeZone>,
    limits: Limits,
}

impl TeamsExport {
    pub(crate) fn open_input_all(
        input: Input,
        file: &str,
        opts: &ParseOptions,
    ) -> Result<Vec<TeamsExport>, ConnectorError> {
        let mut r = open_records(&input, file)?;
        let mut convs: Vec<ConvScan> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        let fail = |r: &Reader, e: &dyn std::fmt::Display| malformed(file, line_of(r), e);
        while r.has_next().map_err(|e| fail(&r, &e))? {
            let v: Value = r.deserialize_next().map_err(|e| fail(&r, &e))?;
            if !v.is_object() {
                continue;
            }
            let (key, title, is_channel) = conversation_of(&v)
                .unwrap_or_else(|| (UNKNOWN_KEY.to_owned(), "Teams messages".to_owned(), false));
            let i = match index.get(&key) {
                Some(i) => *i,
                None => {
                    index.insert(key.clone(), convs.len());
                    convs.push(ConvScan {
                        key,
                        title,
                        is_channel,
                        ..Default::default()
                    });
                    convs.len() - 1
                }
            };
            let Some(c) = convs.get_mut(i) else {
                continue;
            };
            c.records += 1;
            if let Some((skey, name)) = sender_of(&v)
                && c.senders.len() < opts.limits.max_participants
            {
                match c.seen.get(&skey) {
                    Some(&j) => {
                        // A later record may carry the name an earlier one lacked.
                        if let (Some(slot), Some(n)) = (c.senders.get_mut(j), name)
                            && slot.1.is_empty()
                        {
                            slot.1 = n;
                        }
                    }
                    None => {
                        c.seen.insert(skey.clone(), c.senders.len());
                        c.senders.push((skey, name.unwrap_or_default()));
                    }
                }
            }
        }
        let total = input.len(file)?;
        let single = convs.len() == 1;
        let all_records: u64 = convs.iter().map(|c| c.records).sum::<u64>().max(1);
        Ok(convs
            .into_iter()
            .map(|c| {
                let mut warnings = WarningSink::new(opts.limits.max_warnings);
                if c.key == UNKNOWN_KEY {
                    warnings.push(
                        file,
                        None,
                        "records without chatId or channelIdentity are grouped as one conversation",
                    );
                }
                let participants: Vec<Participant> = c
                    .senders
                    .iter()
                    .map(|(k, n)| Participant {
                        id: Participant::id_for(Channel::Teams, k),
                        display_name: if n.is_empty() {
                            k.trim_start_matches("id:").to_owned()
                        } else {
                            n.clone()
                        },
                        phone: None,
                        is_self: false,
                    })
                    .collect();
                let title = match (&opts.title, single) {
                    (Some(t), true) => t.clone(),
                    _ => c.title,
                };
                TeamsExport {
                    input: input.clone(),
                    file: file.to_owned(),
                    conversation: Conversation {
                        id: Conversation::id_for(Channel::Teams, &c.key),
                        channel: Channel::Teams,
                        title,
                        source_key: c.key.clone(),
                        custodian: opts.custodian.clone(),
                        is_group: c.is_channel || participants.len() > 2,
                        participants,
                    },
                    key: c.key,
                    warnings,
                    size_hint: total.saturating_mul(c.records) / all_records,
                    tz: opts.tz.clone(),
                    limits: opts.limits.clone(),
                }
            })
            .collect())
    }

    pub(crate) fn open_input(
        input: Input,
        file: &str,
        opts: &ParseOptions,
    ) -> Result<TeamsExport, ConnectorError> {
        let all = Self::open_input_all(input, file, opts)?;
        crate::options::first_conversation(
            all,
            file,
            "teams (no chatMessage records)",
            "file holds",
            "chats or channels",
            |e| &mut e.warnings,
        )
    }
}

/// Opens every chat and channel in a Graph `chatMessage` JSON file on disk.
pub fn open_all(path: &Path, opts: &ParseOptions) -> Result<Vec<TeamsExport>, ConnectorError> {
    let file = path.display().to_string();
    TeamsExport::open_input_all(Input::Path(path.to_path_buf()), &file, opts)
}

/// Opens every chat and channel in Graph `chatMessage` JSON held in memory.
pub fn open_all_bytes(
    name: &str,
    bytes: Vec<u8>,
    opts: &ParseOptions,
) -> Result<Vec<TeamsExport>, ConnectorError> {
    TeamsExport::open_input_all(Input::Bytes(Arc::new(bytes)), name, opts)
}

/// A Graph ISO-8601 UTC time; `None` when absent, null or malformed.
fn graph_time(v: &Value, k: &str) -> Option<Timestamp> {
    str_of(v, k).and_then(|s| s.parse::<Timestamp>().ok())
}

fn present(v: &Value, k: &str) -> bool {
    v.get(k).is_some_and(|x| !x.is_null())
}

/// `#microsoft.graph.membersAddedEventMessageDetail` → `membersAdded`.
fn event_name(detail: &Value) -> String {
    let t = str_of(detail, "@odata.type").unwrap_or("systemEvent");
    let t = t.rsplit('.').next().unwrap_or(t);
    t.strip_suffix("EventMessageDetail").unwrap_or(t).to_owned()
}

fn names_in(list: Option<&Value>) -> Vec<String> {
    list.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|m| str_of(m, "displayName").or_else(|| str_of(m, "id")))
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// A line describing a system event from its `eventDetail`.
fn event_text(detail: &Value) -> String {
    let mut text = event_name(detail);
    let members = names_in(detail.get("members"));
    if !members.is_empty() {
        text.push_str(": ");
        text.push_str(&members.join(", "));
    }
    if let Some(name) = str_of(detail, "chatDisplayName")
        .or_else(|| str_of(detail, "channelDisplayName"))
        .or_else(|| str_of(detail, "teamDisplayName"))
    {
        text.push_str(": ");
        text.push_str(name);
    }
    if let Some(by) = detail
        .get("initiator")
        .and_then(|i| sender_of(&serde_json::json!({ "from": i })))
        .and_then(|(_, n)| n)
    {
        text.push_str(" (by ");
        text.push_str(&by);
        text.push(')');
    }
    text
}

fn attachment_of(a: &Value) -> Option<(Attachment, Option<&str>)> {
    let ct = str_of(a, "contentType").unwrap_or_default();
    if ct == "messageReference" {
        // A quoted message in a chat: a reply, not a file.
        return Some((
            Attachment {
                name: None,
                kind: MediaKind::Other,
                included: false,
                size: None,
                content_hash: None,
                placeholder: None,
            },
            str_of(a, "id"),
        ));
    }
    let name = str_of(a, "name")
        .filter(|n| !n.is_empty())
        .map(str::to_owned);
    let (kind, placeholder) = if ct.starts_with("application/vnd.microsoft.card") {
        (MediaKind::Other, Some(format!("card ({ct})")))
    } else if ct.starts_with("image/") {
        (MediaKind::Image, None)
    } else {
        (
            name.as_deref()
                .map(MediaKind::from_file_name)
                .unwrap_or(MediaKind::Other),
            None,
        )
    };
    Some((
        Attachment {
            name,
            kind,
            included: false,
            size: None,
            content_hash: None,
            placeholder,
        },
        None,
    ))
}

struct Messages<'a> {
    reader: Reader,
    file: &'a str,
    key: &'a str,
    conversation: &'a ConversationId,
    tz: Option<&'a TimeZone>,
    max_message_bytes: usize,
    warnings: &'a mut WarningSink,
    seq: u64,
    done: bool,
}

impl Messages<'_> {
    fn fail(&mut self, e: ConnectorError) -> Option<Result<Message, ConnectorError>> {
        self.done = true;
        Some(Err(e))
    }

    fn step(&mut self) -> Option<Result<Message, ConnectorError>> {
        loop {
            if self.done {
                return None;
            }
            match self.reader.has_next() {
                Ok(true) => {}
                Ok(false) => {
                    self.done = true;
                    return None;
                }
                Err(e) => {
                    let err = malformed(self.file, line_of(&self.reader), e);
                    return self.fail(err);
                }
            }
            if let Err(e) = self.reader.peek() {
                let err = malformed(self.file, line_of(&self.reader), e);
                return self.fail(err);
            }
            let line = line_of(&self.reader);
            let v: Value = match self.reader.deserialize_next() {
                Ok(v) => v,
                Err(e) => {
                    let err = malformed(self.file, line_of(&self.reader), e);
                    return self.fail(err);
                }
            };
            if !v.is_object() || key_of(&v) != self.key {
                continue;
            }
            match self.convert(&v, line) {
                Ok(m) if m.text.len() > self.max_message_bytes => {
                    return self.fail(ConnectorError::MessageTooLong {
                        file: self.file.to_owned(),
                        line,
                        limit: self.max_message_bytes,
                    });
                }
                Ok(m) => {
                    self.seq += 1;
                    return Some(Ok(m));
                }
                Err(Some(why)) => self.warnings.push(self.file, Some(line), why),
                Err(None) => {}
            }
        }
    }

    /// `Err(None)`: skipped silently (typing indicators); `Err(Some(why))`: with a warning.
    fn convert(&mut self, v: &Value, line: u64) -> Result<Message, Option<&'static str>> {
        let kind_raw = str_of(v, "messageType").unwrap_or("message");
        if kind_raw == "typing" {
            return Err(None);
        }
        let id = str_of(v, "id")
            .filter(|s| !s.is_empty())
            .ok_or(Some("record without an id skipped"))?;
        let sent_at = graph_time(v, "createdDateTime").ok_or(Some(
            "record with a missing or malformed createdDateTime skipped",
        ))?;
        let body = v.get("body");
        let content = body.and_then(|b| str_of(b, "content")).unwrap_or_default();
        let is_html = body
            .and_then(|b| str_of(b, "contentType"))
            .is_some_and(|t| t.eq_ignore_ascii_case("html"));
        let detail = v.get("eventDetail").filter(|d| d.is_object());
        // Trap 1: without `Prefer: include-unknown-enum-members` system events
        // arrive as `unknownFutureValue`.
        let system = detail.is_some()
            || matches!(kind_raw, "systemEventMessage" | "chatEvent")
            || content.trim() == "<systemEventMessage/>";
        let (mut text, images) = if is_html {
            html::to_text(content)
        } else {
            (content.to_owned(), 0)
        };
        if system && let Some(d) = detail {
            text = event_text(d);
        }
        if text.is_empty()
            && let Some(s) = str_of(v, "subject").filter(|s| !s.is_empty())
        {
            text = s.to_owned();
        }
        let mut attachments = Vec::new();
        let mut quoted = None;
        for a in v
            .get("attachments")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            match attachment_of(a) {
                Some((_, Some(q))) => quoted = Some(q.to_owned()),
                Some((att, None)) => attachments.push(att),
                None => {}
            }
        }
        for _ in 0..images {
            attachments.push(Attachment {
                name: None,
                kind: MediaKind::Image,
                included: false,
                size: None,
                content_hash: None,
                placeholder: Some("inline image (hostedContents)".to_owned()),
            });
        }
        let deleted = present(v, "deletedDateTime");
        if deleted {
            text.clear();
        }
        let (sender, sender_id) = match sender_of(v) {
            Some((key, name)) => (
                Some(name.unwrap_or_else(|| key.trim_start_matches("id:").to_owned())),
                Some(Participant::id_for(Channel::Teams, &key)),
            ),
            None => (None, None),
        };
        let reply_to = str_of(v, "replyToId")
            .filter(|r| !r.is_empty() && *r != id)
            .or(quoted.as_deref())
            .map(|r| Message::native_id(self.conversation, r));
        Ok(Message {
            id: Message::native_id(self.conversation, id),
            conversation: self.conversation.clone(),
            seq: self.seq,
            kind: if system {
                MessageKind::System
            } else {
                MessageKind::Message
            },
            sender,
            sender_id,
            sent_at,
            local_time: sent_at
                .to_zoned(self.tz.cloned().unwrap_or(TimeZone::UTC))
                .datetime(),
            time_source: TimeSource::NativeUtc,
            text,
            attachments,
            deleted,
            // Trap 3: `lastModifiedDateTime` also moves on reactions; only
            // `lastEditedDateTime` is an edit.
            edited: present(v, "lastEditedDateTime"),
            source: SourceRef {
                file: self.file.into(),
                line,
            },
            reply_to,
            forwarded_from: None,
        })
    }
}

impl Iterator for Messages<'_> {
    type Item = Result<Message, ConnectorError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.step()
    }
}

impl ExportSource for TeamsExport {
    fn conversation(&self) -> &Conversation {
        &self.conversation
    }

    fn warnings(&self) -> &[Warning] {
        &self.warnings.list
    }

    fn size_hint(&self) -> u64 {
        self.size_hint
    }

    fn messages(&mut self) -> Result<MessageIter<'_>, ConnectorError> {
        let reader = open_records(&self.input, &self.file)?;
        Ok(Box::new(Messages {
            reader,
            file: &self.file,
            key: &self.key,
            conversation: &self.conversation.id,
            tz: self.tz.as_ref(),
            max_message_bytes: self.limits.max_message_bytes,
            warnings: &mut self.warnings,
            seq: 0,
            done: false,
        }))
    }

    fn open_attachment(&self, _name: &str) -> Result<Option<Box<dyn Read + '_>>, ConnectorError> {
        // Graph JSON references files (SharePoint/OneDrive URLs); it holds no bytes.
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_names_and_text() {
        let d = serde_json::json!({
            "@odata.type": "#microsoft.graph.membersAddedEventMessageDetail",
            "members": [{"id": "u1", "displayName": "Lee Gu"}],
            "initiator": {"user": {"id": "u2", "displayName": "Megan Bowen"}}
        });
        assert_eq!(event_text(&d), "membersAdded: Lee Gu (by Megan Bowen)");
        let r = serde_json::json!({
            "@odata.type": "#microsoft.graph.chatRenamedEventMessageDetail",
            "chatDisplayName": "Q3 deal room"
        });
        assert_eq!(event_text(&r), "chatRenamed: Q3 deal room");
    }

    #[test]
    fn malformed_times_are_refused() {
        let v =
            serde_json::json!({"a": "2021-03-1706:47:05.123Z", "b": "2021-03-17T06:47:05.123Z"});
        assert!(graph_time(&v, "a").is_none());
        assert_eq!(
            graph_time(&v, "b").map(|t| t.to_string()),
            Some("2021-03-17T06:47:05.123Z".to_owned())
        );
    }
}
