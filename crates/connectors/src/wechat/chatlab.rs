//! The ChatLab interchange format v0.0.2 (formats.md §9; ChatLab's
//! `docs/chatlab-format.md`), written by WeFlow, EchoTrace and other WeChat
//! export tools: `{chatlab, meta, members[], messages[]}` as one JSON document
//! (streamed with `struson`), or JSON lines whose `_type` is `header`, `member` or
//! `message` (`#` lines are comments). Times are Unix seconds.

use super::{Occurrences, WechatVariant, malformed, named, wall_clock};
use crate::detect::{Input, ReadSeek};
use crate::error::ConnectorError;
use crate::lines::LineReader;
use crate::options::{ParseOptions, WarningSink};
use chatwarden_model::{
    Channel, Conversation, MediaKind, Message, MessageKind, Participant, SourceRef, TimeSource,
};
use jiff::Timestamp;
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashMap;
use std::io::BufReader;
use struson::reader::{JsonReader, JsonStreamReader};

type JsonIn = JsonStreamReader<BufReader<Box<dyn ReadSeek>>>;
type LinesIn = LineReader<BufReader<Box<dyn ReadSeek>>>;

#[derive(Deserialize, Default, Clone)]
#[serde(rename_all = "camelCase", default)]
struct Meta {
    name: Option<String>,
    platform: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    group_id: Option<Value>,
    owner_id: Option<Value>,
}

/// A member, a message, or a JSON-lines row (which may be either, or the header).
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Row {
    #[serde(rename = "_type")]
    row_type: Option<String>,
    meta: Option<Meta>,
    chatlab: Option<Value>,
    platform_id: Option<Value>,
    account_name: Option<String>,
    group_nickname: Option<String>,
    sender: Option<Value>,
    timestamp: Option<Value>,
    #[serde(rename = "type")]
    kind: Option<Value>,
    content: Option<String>,
    platform_message_id: Option<Value>,
    reply_to_message_id: Option<Value>,
}

/// An id that a writer may give as a string or a number.
fn id_text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// ChatLab types read as system events: poke, call, system, recall.
const SYSTEM_TYPES: [i64; 4] = [22, 23, 80, 81];

impl Row {
    /// The message type number (0, text, when absent; 99, other, when unreadable).
    fn type_no(&self) -> i64 {
        match &self.kind {
            Some(Value::Number(n)) => n.as_i64().unwrap_or(99),
            Some(Value::String(s)) => s.trim().parse().unwrap_or(99),
            _ => 0,
        }
    }

    fn display(&self) -> Option<String> {
        [self.account_name.as_deref(), self.group_nickname.as_deref()]
            .into_iter()
            .flatten()
            .find(|s| !s.is_empty())
            .map(str::to_owned)
    }

    fn time(&self, file: &str, line: u64) -> Result<Timestamp, ConnectorError> {
        let bad = |what: String| malformed(file, line, format!("ChatLab message: {what}"));
        let n = match &self.timestamp {
            Some(Value::Number(n)) => n
                .as_i64()
                .or_else(|| n.as_f64().map(|f| f as i64))
                .ok_or_else(|| bad(format!("timestamp {n} out of range")))?,
            Some(Value::String(s)) => s
                .trim()
                .parse()
                .map_err(|_| bad(format!("timestamp {s:?} is not a number")))?,
            Some(other) => return Err(bad(format!("timestamp {other} is not a number"))),
            None => return Err(bad("no timestamp".to_owned())),
        };
        // ChatLab says seconds; a few writers put milliseconds.
        if n.abs() >= 100_000_000_000 {
            Timestamp::from_millisecond(n)
        } else {
            Timestamp::from_second(n)
        }
        .map_err(|e| bad(format!("timestamp {n}: {e}")))
    }
}

/// What streaming one ChatLab chat needs from the scan.
pub(super) struct ChatlabChat {
    jsonl: bool,
}

impl ChatlabChat {
    pub(super) fn variant(&self) -> WechatVariant {
        if self.jsonl {
            WechatVariant::ChatlabJsonl
        } else {
            WechatVariant::ChatlabJson
        }
    }
}

use crate::json_stream::{line as json_line, settings};

fn json_fail(file: &str, r: &JsonIn, e: impl std::fmt::Display) -> ConnectorError {
    malformed(file, json_line(r), format!("ChatLab JSON: {e}"))
}

fn open_json(input: &Input, file: &str) -> Result<JsonIn, ConnectorError> {
    Ok(JsonStreamReader::new_custom(
        BufReader::new(input.reader(file)?),
        settings(),
    ))
}

fn open_lines(input: &Input, file: &str, opts: &ParseOptions) -> Result<LinesIn, ConnectorError> {
    Ok(LineReader::new(
        BufReader::new(input.reader(file)?),
        file,
        opts.limits.max_line_bytes,
    ))
}

/// The next JSON-lines row that is not blank or a comment, with its line.
fn next_row(lines: &mut LinesIn, file: &str) -> Result<Option<(u64, Row)>, ConnectorError> {
    loop {
        let no = lines.line_no() + 1;
        let Some(line) = lines.next_line()? else {
            return Ok(None);
        };
        let line = line.trim_start_matches('\u{feff}').trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let row: Row = serde_json::from_str(line)
            .map_err(|e| malformed(file, no, format!("ChatLab JSON lines: {e}")))?;
        return Ok(Some((no, row)));
    }
}

/// The next element of the `messages` (or `members`) array, with its line.
fn next_element(r: &mut JsonIn, file: &str) -> Result<Option<(u64, Row)>, ConnectorError> {
    if !r.has_next().map_err(|e| json_fail(file, r, e))? {
        return Ok(None);
    }
    r.peek().map_err(|e| json_fail(file, r, e))?;
    let line = json_line(r);
    let row: Row = r.deserialize_next().map_err(|e| json_fail(file, r, e))?;
    Ok(Some((line, row)))
}

/// The channel a ChatLab `meta.platform` names (WeChat when it names none chatwarden has).
fn channel_of(platform: &str) -> Option<Channel> {
    match platform.to_ascii_lowercase().as_str() {
        "wechat" | "weixin" | "" => Some(Channel::Wechat),
        "wecom" | "wework" => Some(Channel::Wecom),
        other => Channel::parse(other),
    }
}

struct People {
    list: Vec<Participant>,
    seen: HashMap<String, ()>,
    capped: bool,
    max: usize,
    channel: Channel,
    owner: Option<String>,
}

impl People {
    fn add(&mut self, key: Option<String>, name: Option<String>) {
        let Some(key) = key else { return };
        if self.seen.contains_key(&key) {
            return;
        }
        if self.list.len() >= self.max {
            self.capped = true;
            return;
        }
        self.list.push(Participant {
            id: Participant::id_for(self.channel, &key),
            display_name: name.unwrap_or_else(|| key.clone()),
            phone: None,
            is_self: self.owner.as_deref() == Some(key.as_str()),
        });
        self.seen.insert(key, ());
    }
}

fn people_for(meta: &Meta, opts: &ParseOptions) -> People {
    let platform = meta.platform.clone().unwrap_or_default();
    People {
        list: Vec::new(),
        seen: HashMap::new(),
        capped: false,
        max: opts.limits.max_participants,
        channel: channel_of(&platform).unwrap_or(Channel::Wechat),
        owner: id_text(meta.owner_id.as_ref()),
    }
}

/// What the scan has gathered so far.
struct ScanState {
    /// Members and senders seen before `meta` (a writer's odd key order), capped.
    early: Vec<(Option<String>, Option<String>)>,
    count: u64,
    people: Option<People>,
    max: usize,
}

impl ScanState {
    fn take(
        &mut self,
        file: &str,
        line: u64,
        row: Row,
        is_message: bool,
    ) -> Result<(), ConnectorError> {
        if is_message {
            self.count += 1;
            row.time(file, line)?;
            if SYSTEM_TYPES.contains(&row.type_no()) {
                return Ok(());
            }
        }
        let key = id_text(if is_message {
            row.sender.as_ref()
        } else {
            row.platform_id.as_ref()
        });
        match &mut self.people {
            Some(p) => p.add(key, row.display()),
            None if self.early.len() < self.max => self.early.push((key, row.display())),
            None => {}
        }
        Ok(())
    }
}

/// First pass: header, members, every message's sender and time.
pub(super) fn scan(
    input: &Input,
    file: &str,
    jsonl: bool,
    opts: &ParseOptions,
    warnings: &mut WarningSink,
) -> Result<(Conversation, ChatlabChat), ConnectorError> {
    let mut meta: Option<Meta> = None;
    let mut header = false;
    let mut st = ScanState {
        early: Vec::new(),
        count: 0,
        people: None,
        max: opts.limits.max_participants,
    };
    if jsonl {
        let mut lines = open_lines(input, file, opts)?;
        while let Some((no, row)) = next_row(&mut lines, file)? {
            match row.row_type.as_deref() {
                Some("header") => {
                    if header {
                        return Err(malformed(
                            file,
                            no,
                            "ChatLab JSON lines: a second header row",
                        ));
                    }
                    header = true;
                    let m = row.meta.unwrap_or_default();
                    st.people = Some(people_for(&m, opts));
                    meta = Some(m);
                }
                Some("member") => st.take(file, no, row, false)?,
                Some("message") => {
                    if !header {
                        return Err(malformed(
                            file,
                            no,
                            "ChatLab JSON lines: a message row before the header row",
                        ));
                    }
                    st.take(file, no, row, true)?;
                }
                other => {
                    warnings.push(
                        file,
                        Some(no),
                        format!(
                            "ChatLab row of type {:?} skipped",
                            other.unwrap_or("(none)")
                        ),
                    );
                }
            }
        }
    } else {
        let mut r = open_json(input, file)?;
        r.begin_object().map_err(|e| json_fail(file, &r, e))?;
        let mut deferred_members = false;
        while r.has_next().map_err(|e| json_fail(file, &r, e))? {
            let name = r.next_name_owned().map_err(|e| json_fail(file, &r, e))?;
            match name.as_str() {
                "chatlab" => {
                    header = true;
                    r.skip_value().map_err(|e| json_fail(file, &r, e))?;
                }
                "meta" => {
                    let m: Meta = r.deserialize_next().map_err(|e| json_fail(file, &r, e))?;
                    let mut p = people_for(&m, opts);
                    for (key, name) in st.early.drain(..) {
                        p.add(key, name);
                    }
                    st.people = Some(p);
                    meta = Some(m);
                }
                "members" | "messages" => {
                    let is_message = name == "messages";
                    if st.people.is_none() {
                        deferred_members = true;
                    }
                    r.begin_array().map_err(|e| json_fail(file, &r, e))?;
                    while let Some((line, row)) = next_element(&mut r, file)? {
                        st.take(file, line, row, is_message)?;
                    }
                    r.end_array().map_err(|e| json_fail(file, &r, e))?;
                }
                _ => r.skip_value().map_err(|e| json_fail(file, &r, e))?,
            }
        }
        if deferred_members {
            warnings.push(
                file,
                None,
                "ChatLab `meta` comes after the members or messages; senders past the \
                 participant cap are not listed",
            );
        }
    }
    let (Some(meta), true) = (meta, header) else {
        return Err(ConnectorError::NotRecognized {
            file: file.to_owned(),
            tried: "wechat (ChatLab without a `chatlab` header and `meta`)".to_owned(),
        });
    };
    if st.count == 0 {
        warnings.push(file, None, "ChatLab file holds no messages");
    }
    let platform = meta.platform.clone().unwrap_or_else(|| "wechat".to_owned());
    let channel = match channel_of(&platform) {
        Some(c) => c,
        None => {
            warnings.push(
                file,
                None,
                format!(
                    "ChatLab platform {platform:?} has no channel of its own; stored as wechat"
                ),
            );
            Channel::Wechat
        }
    };
    let mut people = st.people.take().unwrap_or_else(|| people_for(&meta, opts));
    for (key, name) in st.early.drain(..) {
        people.add(key, name);
    }
    if people.capped {
        warnings.push(
            file,
            None,
            format!(
                "more than {} members; the rest are not listed as participants",
                opts.limits.max_participants
            ),
        );
    }
    let name = meta
        .name
        .clone()
        .filter(|n| !n.is_empty())
        .or_else(|| super::title_from_file(file))
        .unwrap_or_else(|| "ChatLab chat".to_owned());
    let chat_key = id_text(meta.group_id.as_ref()).unwrap_or_else(|| name.clone());
    let source_key = format!(
        "chatlab:{}:{}:{chat_key}",
        platform.to_ascii_lowercase(),
        opts.custodian.as_deref().unwrap_or("")
    );
    let conversation = Conversation {
        id: Conversation::id_for(channel, &source_key),
        channel,
        title: opts.title.clone().unwrap_or(name),
        source_key,
        custodian: opts.custodian.clone(),
        is_group: meta.kind.as_deref() == Some("group"),
        participants: std::mem::take(&mut people.list),
    };
    Ok((conversation, ChatlabChat { jsonl }))
}

enum Source {
    Json(Box<JsonIn>),
    Lines(LinesIn),
}

pub(super) struct Messages<'a> {
    source: Source,
    file: &'a str,
    conversation: &'a Conversation,
    opts: &'a ParseOptions,
    warnings: &'a mut WarningSink,
    occurrences: Occurrences,
    seq: u64,
    done: bool,
}

/// Moves a reader into the top-level `messages` array; `false` when there is none.
fn enter_messages(r: &mut JsonIn, file: &str) -> Result<bool, ConnectorError> {
    r.begin_object().map_err(|e| json_fail(file, r, e))?;
    while r.has_next().map_err(|e| json_fail(file, r, e))? {
        let name = r.next_name_owned().map_err(|e| json_fail(file, r, e))?;
        if name == "messages" {
            r.begin_array().map_err(|e| json_fail(file, r, e))?;
            return Ok(true);
        }
        r.skip_value().map_err(|e| json_fail(file, r, e))?;
    }
    Ok(false)
}

impl<'a> Messages<'a> {
    pub(super) fn new(
        input: &Input,
        file: &'a str,
        conversation: &'a Conversation,
        chat: &'a ChatlabChat,
        opts: &'a ParseOptions,
        warnings: &'a mut WarningSink,
    ) -> Result<Self, ConnectorError> {
        let mut done = false;
        let source = if chat.jsonl {
            Source::Lines(open_lines(input, file, opts)?)
        } else {
            let mut r = open_json(input, file)?;
            done = !enter_messages(&mut r, file)?;
            Source::Json(Box::new(r))
        };
        Ok(Messages {
            source,
            file,
            conversation,
            opts,
            warnings,
            occurrences: Occurrences::default(),
            seq: 0,
            done,
        })
    }

    fn next_message(&mut self) -> Result<Option<(u64, Row)>, ConnectorError> {
        match &mut self.source {
            Source::Json(r) => next_element(r, self.file),
            Source::Lines(lines) => loop {
                match next_row(lines, self.file)? {
                    None => return Ok(None),
                    Some((no, row)) if row.row_type.as_deref() == Some("message") => {
                        return Ok(Some((no, row)));
                    }
                    Some(_) => continue,
                }
            },
        }
    }

    fn convert(&mut self, line: u64, row: Row) -> Result<Message, ConnectorError> {
        let file = self.file;
        let sent_at = row.time(file, line)?;
        let local_time = wall_clock(sent_at, self.opts.tz.as_ref());
        let type_no = row.type_no();
        let content = row.content.clone().unwrap_or_default();
        let mut kind = MessageKind::Message;
        let mut text = String::new();
        let mut attachments = Vec::new();
        let mut forwarded_from = None;
        let placeholder = content.as_str();
        match type_no {
            1 => attachments.push(named(MediaKind::Image, None, placeholder)),
            2 => attachments.push(named(MediaKind::Audio, None, placeholder)),
            3 => attachments.push(named(MediaKind::Video, None, placeholder)),
            4 => {
                // The content of a file message is its name (or a `[文件] name` placeholder).
                let name = content
                    .strip_prefix("[文件]")
                    .unwrap_or(&content)
                    .trim()
                    .to_owned();
                attachments.push(named(MediaKind::Document, Some(name), placeholder));
            }
            5 => attachments.push(named(MediaKind::Sticker, None, placeholder)),
            8 => {
                text = content.clone();
                attachments.push(named(MediaKind::Location, None, ""));
            }
            n if SYSTEM_TYPES.contains(&n) => {
                kind = MessageKind::System;
                text = if content.is_empty() {
                    match type_no {
                        22 => "poke",
                        23 => "call",
                        81 => "message recalled",
                        _ => "system message",
                    }
                    .to_owned()
                } else {
                    content.clone()
                };
            }
            26 => {
                forwarded_from = Some(String::new());
                text = content.clone();
            }
            27 => attachments.push(named(MediaKind::Contact, None, placeholder)),
            _ => text = content.clone(),
        }
        if text.len() > self.opts.limits.max_message_bytes {
            return Err(ConnectorError::MessageTooLong {
                file: file.to_owned(),
                line,
                limit: self.opts.limits.max_message_bytes,
            });
        }
        let channel = self.conversation.channel;
        let sender_key = id_text(row.sender.as_ref());
        let (sender, sender_id) = match kind {
            MessageKind::System => (None, None),
            MessageKind::Message => (
                row.display().or_else(|| sender_key.clone()),
                sender_key
                    .as_deref()
                    .map(|k| Participant::id_for(channel, k)),
            ),
        };
        if kind == MessageKind::Message && sender.is_none() {
            self.warnings
                .push(file, Some(line), "ChatLab message without a sender");
        }
        let conv = &self.conversation.id;
        let id = match id_text(row.platform_message_id.as_ref()) {
            Some(native) => Message::native_id(conv, &native),
            None => {
                let occ = self
                    .occurrences
                    .next(sent_at, sender_key.as_deref(), &content);
                // The UTC wall clock, so the id does not depend on `--tz`.
                let utc = wall_clock(sent_at, None);
                Message::derived_id(conv, &utc, sender_key.as_deref(), &content, occ)
            }
        };
        let reply_to =
            id_text(row.reply_to_message_id.as_ref()).map(|r| Message::native_id(conv, &r));
        let m = Message {
            id,
            conversation: conv.clone(),
            seq: self.seq,
            kind,
            sender,
            sender_id,
            sent_at,
            local_time,
            time_source: TimeSource::NativeUtc,
            text,
            attachments,
            deleted: false,
            edited: false,
            source: SourceRef {
                file: file.into(),
                line,
            },
            reply_to,
            forwarded_from,
        };
        self.seq += 1;
        Ok(m)
    }
}

impl Iterator for Messages<'_> {
    type Item = Result<Message, ConnectorError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let r = match self.next_message() {
            Ok(None) => {
                self.done = true;
                return None;
            }
            Ok(Some((line, row))) => self.convert(line, row),
            Err(e) => Err(e),
        };
        if r.is_err() {
            self.done = true;
        }
        Some(r)
    }
}
