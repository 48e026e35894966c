//! Telegram Desktop JSON export reader (`result.json`): one chat, or the whole
//! account (`chats.list[]`, `left_chats.list[]`). See `docs/formats/telegram.md`
//! and formats.md §3 (shape from tdesktop's `export_output_json.cpp`).
//!
//! The file is never loaded whole: a streaming JSON reader (`struson`) walks it,
//! and each element of a `messages` array is deserialized on its own. Two passes:
//! [`open_path`]/[`open_all`] scan for chats and senders (participants); then
//! [`ExportSource::messages`] streams one chat's messages. For an account export
//! the scan records where each chat starts in the file, so reading one chat
//! seeks there instead of re-reading the chats before it. Telegram Desktop's
//! invalid `\xHH` escapes are repaired on the fly ([`escapes`]).

pub mod convert;
pub mod escapes;
pub mod raw;

use crate::detect::{Input, ReadSeek};
use crate::error::ConnectorError;
use crate::options::{Limits, ParseOptions, Warning, WarningSink};
use crate::source::{ExportSource, MessageIter};
use chatwarden_model::{Channel, Conversation, ConversationId, Message, Participant};
use convert::{ChatCtx, Skip};
use escapes::FixEscapes;
use jiff::tz::TimeZone;
use serde::Deserialize;
use std::collections::{HashMap, VecDeque};
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::Arc;
use struson::reader::{JsonReader, JsonStreamReader, ValueType};

type Reader = JsonStreamReader<FixEscapes<BufReader<Box<dyn ReadSeek>>>>;

/// Chat types whose message ids are shared by every member (supergroups and
/// channels). In private chats and basic groups each account numbers messages
/// itself, so the account is part of the conversation key.
const SHARED_ID_TYPES: &[&str] = &[
    "private_supergroup",
    "public_supergroup",
    "private_channel",
    "public_channel",
];

const GROUP_TYPES: &[&str] = &[
    "private_group",
    "private_supergroup",
    "public_supergroup",
    "private_channel",
    "public_channel",
];

/// Where a chat's object starts, to reopen it.
#[derive(Clone, Copy, Debug)]
enum Start {
    /// The file is one chat: `messages` is a top-level key.
    TopLevel,
    /// An account export's chat: its object starts at this input byte and 0-based line.
    At { pos: u64, line: u64 },
}

/// What the scan learns about one chat.
#[derive(Debug)]
struct ChatScan {
    name: Option<String>,
    kind: Option<String>,
    id: Option<String>,
    start: Start,
    bytes: u64,
    senders: Vec<(String, String)>,
    sender_index: HashMap<String, usize>,
    messages: u64,
}

impl ChatScan {
    fn new(start: Start) -> Self {
        ChatScan {
            name: None,
            kind: None,
            id: None,
            start,
            bytes: 0,
            senders: Vec::new(),
            sender_index: HashMap::new(),
            messages: 0,
        }
    }
}

#[derive(Deserialize)]
struct PersonalInfo {
    #[serde(default)]
    user_id: Option<raw::NumOrStr>,
}

/// The light view of a message the scan reads (senders only).
#[derive(Deserialize)]
struct ScanMessage {
    #[serde(default, deserialize_with = "nullable")]
    from: Option<Option<String>>,
    #[serde(default)]
    from_id: Option<raw::NumOrStr>,
    #[serde(default)]
    author: Option<String>,
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    reactions: Vec<ScanReaction>,
}

/// The light view of a reaction the scan reads (reactors only).
#[derive(Deserialize)]
struct ScanReaction {
    #[serde(default)]
    recent: Vec<ScanReactor>,
}

#[derive(Deserialize)]
struct ScanReactor {
    #[serde(default, deserialize_with = "nullable")]
    from: Option<Option<String>>,
    #[serde(default)]
    from_id: Option<raw::NumOrStr>,
}

fn nullable<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

use crate::json_stream::settings;

fn line_of(r: &Reader) -> u64 {
    r.current_position(false)
        .line_pos
        .map(|l| l.line)
        .unwrap_or(0)
}

fn malformed(file: &str, line: u64, e: impl std::fmt::Display) -> ConnectorError {
    ConnectorError::Malformed {
        file: file.to_owned(),
        line: line + 1,
        reason: format!("Telegram JSON: {e}"),
    }
}

/// Reads a scalar (string or number) as text; `None` for null or containers.
fn scalar(r: &mut Reader) -> Result<Option<String>, struson::reader::ReaderError> {
    Ok(match r.peek()? {
        ValueType::String => Some(r.next_string()?),
        ValueType::Number => Some(r.next_number_as_string()?),
        ValueType::Null => {
            r.next_null()?;
            None
        }
        _ => {
            r.skip_value()?;
            None
        }
    })
}

struct Scanner<'a> {
    input: &'a Input,
    file: &'a str,
    limits: &'a Limits,
}

enum ScanResult {
    Single(ChatScan),
    Account {
        chats: Vec<ChatScan>,
        self_id: Option<String>,
    },
}

impl Scanner<'_> {
    fn reader_at(&self, pos: u64) -> Result<Reader, ConnectorError> {
        let mut raw = self.input.reader(self.file)?;
        if pos > 0 {
            raw.seek(SeekFrom::Start(pos))
                .map_err(|e| ConnectorError::io(self.file, e))?;
        }
        let fixed = FixEscapes::new(BufReader::with_capacity(64 * 1024, raw), pos);
        Ok(JsonStreamReader::new_custom(fixed, settings()))
    }

    fn scan(&self) -> Result<ScanResult, ConnectorError> {
        let mut r = self.reader_at(0)?;
        let file = self.file;
        let fail = |r: &Reader, e: &dyn std::fmt::Display| malformed(file, line_of(r), e);
        let mut single = ChatScan::new(Start::TopLevel);
        let mut is_single = false;
        let mut chats = Vec::new();
        let mut self_id = None;
        let mut go = |r: &mut Reader| -> Result<(), ConnectorError> {
            r.begin_object().map_err(|e| fail(r, &e))?;
            while r.has_next().map_err(|e| fail(r, &e))? {
                let name = r.next_name_owned().map_err(|e| fail(r, &e))?;
                match name.as_str() {
                    "name" => single.name = scalar(r).map_err(|e| fail(r, &e))?,
                    "type" => single.kind = scalar(r).map_err(|e| fail(r, &e))?,
                    "id" => single.id = scalar(r).map_err(|e| fail(r, &e))?,
                    "messages" => {
                        is_single = true;
                        self.scan_messages(r, &mut single)?;
                    }
                    "personal_information" => {
                        let p: PersonalInfo = r.deserialize_next().map_err(|e| fail(r, &e))?;
                        self_id = p.user_id.map(|u| u.to_text());
                    }
                    "chats" | "left_chats" => self.scan_chat_list(r, &mut chats)?,
                    _ => r.skip_value().map_err(|e| fail(r, &e))?,
                }
            }
            r.end_object().map_err(|e| fail(r, &e))?;
            Ok(())
        };
        go(&mut r)?;
        if is_single {
            single.bytes = self.input.len(file)?;
            Ok(ScanResult::Single(single))
        } else if !chats.is_empty() || self_id.is_some() {
            Ok(ScanResult::Account { chats, self_id })
        } else {
            Err(ConnectorError::NotRecognized {
                file: file.to_owned(),
                tried: "telegram (no `messages` or `chats` in the JSON object)".to_owned(),
            })
        }
    }

    fn scan_chat_list(
        &self,
        r: &mut Reader,
        out: &mut Vec<ChatScan>,
    ) -> Result<(), ConnectorError> {
        let file = self.file;
        let fail = |r: &Reader, e: &dyn std::fmt::Display| malformed(file, line_of(r), e);
        if r.peek().map_err(|e| fail(r, &e))? != ValueType::Object {
            return r.skip_value().map_err(|e| fail(r, &e));
        }
        r.begin_object().map_err(|e| fail(r, &e))?;
        while r.has_next().map_err(|e| fail(r, &e))? {
            let name = r.next_name_owned().map_err(|e| fail(r, &e))?;
            if name != "list" || r.peek().map_err(|e| fail(r, &e))? != ValueType::Array {
                r.skip_value().map_err(|e| fail(r, &e))?;
                continue;
            }
            r.begin_array().map_err(|e| fail(r, &e))?;
            while r.has_next().map_err(|e| fail(r, &e))? {
                if r.peek().map_err(|e| fail(r, &e))? != ValueType::Object {
                    r.skip_value().map_err(|e| fail(r, &e))?;
                    continue;
                }
                let pos = r.current_position(false);
                let out_pos = pos.data_pos.unwrap_or(0);
                let line = pos.line_pos.map(|l| l.line).unwrap_or(0);
                let start = r.reader_input_pos(out_pos);
                let mut chat = ChatScan::new(Start::At { pos: start, line });
                r.begin_object().map_err(|e| fail(r, &e))?;
                while r.has_next().map_err(|e| fail(r, &e))? {
                    let key = r.next_name_owned().map_err(|e| fail(r, &e))?;
                    match key.as_str() {
                        "name" => chat.name = scalar(r).map_err(|e| fail(r, &e))?,
                        "type" => chat.kind = scalar(r).map_err(|e| fail(r, &e))?,
                        "id" => chat.id = scalar(r).map_err(|e| fail(r, &e))?,
                        "messages" => self.scan_messages(r, &mut chat)?,
                        _ => r.skip_value().map_err(|e| fail(r, &e))?,
                    }
                }
                r.end_object().map_err(|e| fail(r, &e))?;
                let end = r.current_position(false).data_pos.unwrap_or(out_pos);
                chat.bytes = end.saturating_sub(out_pos);
                out.push(chat);
            }
            r.end_array().map_err(|e| fail(r, &e))?;
        }
        r.end_object().map_err(|e| fail(r, &e))
    }

    fn scan_messages(&self, r: &mut Reader, chat: &mut ChatScan) -> Result<(), ConnectorError> {
        let file = self.file;
        let fail = |r: &Reader, e: &dyn std::fmt::Display| malformed(file, line_of(r), e);
        if r.peek().map_err(|e| fail(r, &e))? != ValueType::Array {
            return Err(fail(r, &"`messages` is not an array"));
        }
        r.begin_array().map_err(|e| fail(r, &e))?;
        while r.has_next().map_err(|e| fail(r, &e))? {
            let m: ScanMessage = r.deserialize_next().map_err(|e| fail(r, &e))?;
            chat.messages += 1;
            let mut probes = Vec::new();
            if m.kind.as_deref() != Some("service") {
                probes.push(raw::RawMessage {
                    from: m.from,
                    from_id: m.from_id,
                    author: m.author,
                    ..Default::default()
                });
            }
            // People who reacted are participants too.
            for who in m.reactions.into_iter().flat_map(|r| r.recent) {
                probes.push(raw::RawMessage {
                    from: who.from,
                    from_id: who.from_id,
                    ..Default::default()
                });
            }
            for probe in probes {
                if let Some((name, key)) = convert::sender_of(&probe)
                    && !chat.sender_index.contains_key(&key)
                    && chat.senders.len() < self.limits.max_participants
                {
                    chat.sender_index.insert(key.clone(), chat.senders.len());
                    chat.senders.push((key, name));
                }
            }
        }
        r.end_array().map_err(|e| fail(r, &e))
    }
}

/// Maps the JSON reader's output position to an input byte.
trait InputPos {
    fn reader_input_pos(&mut self, out: u64) -> u64;
}

impl InputPos for Reader {
    fn reader_input_pos(&mut self, out: u64) -> u64 {
        self.reader_mut().input_pos(out)
    }
}

/// One Telegram chat, opened from a single-chat or an account export.
pub struct TelegramExport {
    input: Input,
    file: String,
    start: Start,
    chat_id: String,
    conversation: Conversation,
    warnings: WarningSink,
    size_hint: u64,
    tz: Option<TimeZone>,
    limits: Limits,
}

fn title_for(chat: &ChatScan) -> String {
    match (&chat.name, chat.kind.as_deref()) {
        (Some(n), _) if !n.is_empty() => n.clone(),
        (_, Some("saved_messages")) => "Saved Messages".to_owned(),
        (_, Some("replies")) => "Replies".to_owned(),
        _ => format!("Telegram chat {}", chat.id.as_deref().unwrap_or("(no id)")),
    }
}

impl TelegramExport {
    fn build(
        input: Input,
        file: &str,
        chat: ChatScan,
        self_id: Option<&str>,
        opts: &ParseOptions,
        title_override: bool,
    ) -> Self {
        let mut warnings = WarningSink::new(opts.limits.max_warnings);
        let chat_id = chat.id.clone().unwrap_or_default();
        if chat.id.is_none() {
            warnings.push(
                file,
                None,
                "chat has no id; messages are keyed by their id only",
            );
        }
        let kind = chat.kind.as_deref().unwrap_or("");
        let shared = SHARED_ID_TYPES.contains(&kind);
        let account = opts
            .custodian
            .clone()
            .or_else(|| self_id.map(|s| format!("user{s}")));
        let source_key = if shared {
            format!("telegram:{chat_id}")
        } else {
            if account.is_none() {
                warnings.push(
                    file,
                    None,
                    "no custodian given: this chat's message ids are per account, so exports \
                     of it by different people cannot be told apart",
                );
            }
            format!("telegram:{}:{chat_id}", account.unwrap_or_default())
        };
        let id = Conversation::id_for(Channel::Telegram, &source_key);
        let self_key = self_id.map(|s| format!("id:user{s}"));
        let self_key_bare = self_id.map(|s| format!("id:{s}"));
        let participants = chat
            .senders
            .iter()
            .map(|(key, name)| Participant {
                id: convert::participant_id(key),
                display_name: name.clone(),
                phone: None,
                is_self: self_key.as_deref() == Some(key.as_str())
                    || self_key_bare.as_deref() == Some(key.as_str()),
            })
            .collect();
        let title = match (&opts.title, title_override) {
            (Some(t), true) => t.clone(),
            _ => title_for(&chat),
        };
        TelegramExport {
            input,
            file: file.to_owned(),
            start: chat.start,
            chat_id,
            conversation: Conversation {
                id,
                channel: Channel::Telegram,
                title,
                source_key,
                custodian: opts.custodian.clone(),
                is_group: GROUP_TYPES.contains(&kind),
                participants,
            },
            warnings,
            size_hint: chat.bytes,
            tz: opts.tz.clone(),
            limits: opts.limits.clone(),
        }
    }

    /// Opens every chat of an export held at `input` (one for a single-chat export).
    pub(crate) fn open_input_all(
        input: Input,
        file: &str,
        opts: &ParseOptions,
    ) -> Result<Vec<TelegramExport>, ConnectorError> {
        let scanner = Scanner {
            input: &input,
            file,
            limits: &opts.limits,
        };
        match scanner.scan()? {
            ScanResult::Single(chat) => Ok(vec![Self::build(
                input.clone(),
                file,
                chat,
                None,
                opts,
                true,
            )]),
            ScanResult::Account { chats, self_id } => {
                let one = chats.len() == 1;
                Ok(chats
                    .into_iter()
                    .map(|c| Self::build(input.clone(), file, c, self_id.as_deref(), opts, one))
                    .collect())
            }
        }
    }

    /// Opens a single-chat export (or the first chat of an account export).
    pub(crate) fn open_input(
        input: Input,
        file: &str,
        opts: &ParseOptions,
    ) -> Result<TelegramExport, ConnectorError> {
        let all = Self::open_input_all(input, file, opts)?;
        crate::options::first_conversation(
            all,
            file,
            "telegram (account export with no chats)",
            "account export holds",
            "chats",
            |e| &mut e.warnings,
        )
    }

    /// The chat's Telegram id as written in the export.
    pub fn chat_id(&self) -> &str {
        &self.chat_id
    }
}

/// Opens every chat in a Telegram export on disk: one source per chat.
pub fn open_all(path: &Path, opts: &ParseOptions) -> Result<Vec<TelegramExport>, ConnectorError> {
    let file = path.display().to_string();
    TelegramExport::open_input_all(Input::Path(path.to_path_buf()), &file, opts)
}

/// Opens every chat in a Telegram export held in memory.
pub fn open_all_bytes(
    name: &str,
    bytes: Vec<u8>,
    opts: &ParseOptions,
) -> Result<Vec<TelegramExport>, ConnectorError> {
    TelegramExport::open_input_all(Input::Bytes(Arc::new(bytes)), name, opts)
}

/// Opens a Telegram single-chat export on disk (an account export gives its first chat).
pub fn open_path(path: &Path, opts: &ParseOptions) -> Result<TelegramExport, ConnectorError> {
    let file = path.display().to_string();
    TelegramExport::open_input(Input::Path(path.to_path_buf()), &file, opts)
}

struct Messages<'a> {
    reader: Reader,
    file: &'a str,
    chat_id: &'a str,
    conversation: &'a ConversationId,
    tz: Option<&'a TimeZone>,
    max_message_bytes: usize,
    warnings: &'a mut WarningSink,
    line_base: u64,
    seq: u64,
    /// Reaction messages of the last message read, still to be returned.
    pending: VecDeque<Message>,
    done: bool,
}

impl Messages<'_> {
    fn fail(&mut self, e: impl std::fmt::Display) -> Option<Result<Message, ConnectorError>> {
        self.done = true;
        Some(Err(malformed(
            self.file,
            self.line_base + line_of(&self.reader),
            e,
        )))
    }

    fn step(&mut self) -> Option<Result<Message, ConnectorError>> {
        if let Some(m) = self.pending.pop_front() {
            return Some(Ok(m));
        }
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
                Err(e) => return self.fail(e),
            }
            if let Err(e) = self.reader.peek() {
                return self.fail(e);
            }
            let line = self.line_base + line_of(&self.reader) + 1;
            let raw: raw::RawMessage = match self.reader.deserialize_next() {
                Ok(m) => m,
                Err(e) => return self.fail(e),
            };

            let ctx = ChatCtx {
                conversation: self.conversation,
                chat_id: self.chat_id,
                file: self.file,
                tz: self.tz,
            };
            match convert::convert(&ctx, &raw, self.seq, line) {
                Ok(m) => {
                    if m.text.len() > self.max_message_bytes {
                        self.done = true;
                        return Some(Err(ConnectorError::MessageTooLong {
                            file: self.file.to_owned(),
                            line,
                            limit: self.max_message_bytes,
                        }));
                    }
                    let (reactions, undated) = convert::reactions(&ctx, &raw, &m, self.seq + 1);
                    if undated > 0 {
                        self.warnings.push(
                            self.file,
                            Some(line),
                            format!(
                                "{undated} reaction(s) without a readable date; dated at \
                                 the message they react to"
                            ),
                        );
                    }
                    self.seq += 1 + reactions.len() as u64;
                    self.pending.extend(reactions);
                    return Some(Ok(m));
                }
                Err(skip) => {
                    let why = match skip {
                        Skip::Unsupported => "message of an unsupported type skipped",
                        Skip::NoId => "message without an id skipped",
                        Skip::NoTime => "message without a readable date skipped",
                    };
                    self.warnings.push(self.file, Some(line), why);
                }
            }
        }
    }
}

impl Iterator for Messages<'_> {
    type Item = Result<Message, ConnectorError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.step()
    }
}

impl TelegramExport {
    /// Opens the reader positioned inside this chat's `messages` array.
    fn open_messages(&self) -> Result<(Reader, u64), ConnectorError> {
        let (pos, line_base) = match self.start {
            Start::TopLevel => (0, 0),
            Start::At { pos, line } => (pos, line),
        };
        let scanner = Scanner {
            input: &self.input,
            file: &self.file,
            limits: &self.limits,
        };
        let mut r = scanner.reader_at(pos)?;
        let file = self.file.as_str();
        let fail =
            |r: &Reader, e: &dyn std::fmt::Display| malformed(file, line_base + line_of(r), e);
        r.begin_object().map_err(|e| fail(&r, &e))?;
        while r.has_next().map_err(|e| fail(&r, &e))? {
            let name = r.next_name_owned().map_err(|e| fail(&r, &e))?;
            if name == "messages" {
                r.begin_array().map_err(|e| fail(&r, &e))?;
                return Ok((r, line_base));
            }
            r.skip_value().map_err(|e| fail(&r, &e))?;
        }
        Err(fail(&r, &"chat has no `messages` array"))
    }
}

impl ExportSource for TelegramExport {
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
        let (reader, line_base) = self.open_messages()?;
        Ok(Box::new(Messages {
            reader,
            file: &self.file,
            chat_id: &self.chat_id,
            conversation: &self.conversation.id,
            tz: self.tz.as_ref(),
            max_message_bytes: self.limits.max_message_bytes,
            warnings: &mut self.warnings,
            line_base,
            seq: 0,
            pending: VecDeque::new(),

            done: false,
        }))
    }

    fn open_attachment(&self, name: &str) -> Result<Option<Box<dyn Read + '_>>, ConnectorError> {
        // Media sit beside result.json, under the paths the export names.
        let Input::Path(p) = &self.input else {
            return Ok(None);
        };
        let Some(dir) = p.parent() else {
            return Ok(None);
        };
        let rel = Path::new(name);
        if rel.is_absolute()
            || rel
                .components()
                .any(|c| !matches!(c, std::path::Component::Normal(_)))
        {
            return Ok(None);
        }
        let full = dir.join(rel);
        if !full.is_file() {
            return Ok(None);
        }
        let label = full.display().to_string();
        let f = std::fs::File::open(&full).map_err(|e| ConnectorError::io(&label, e))?;
        Ok(Some(Box::new(f)))
    }
}
