//! WeCom (企业微信) session-archive records (会话内容存档; formats.md §10;
//! `docs/formats/wecom.md`): the decrypted JSON that the official Finance SDK's
//! `DecryptData` returns, one object per message, saved by the puller as JSON
//! lines, as a JSON array, or one object per file (all three read here, also
//! mixed: every top-level value is a record or an array of records).
//!
//! Records of many chats are interleaved in pull order. A first pass groups them
//! into conversations — by `roomid` for groups, by the set of `from` and `tolist`
//! for 1:1 chats (and the room-less `meeting_voice_call`), by `user` for `switch`
//! records — and remembers where each conversation's first and last records are
//! and which messages were recalled. Each conversation then streams the file again
//! between those two records. Memory: the conversation table, and the set of
//! recalled `msgid`s (capped); nothing per message.
//!
//! A message's id is its `msgid` (globally unique, so re-pulled or overlapping
//! files store each record once). A `recall` marks the original deleted and is
//! itself kept as a system event naming it, so a recall pulled in a later batch
//! than its original is still recorded.

use crate::detect::{Input, ReadSeek};
use crate::error::ConnectorError;
use crate::options::{ParseOptions, Warning, WarningSink};
use crate::source::{ExportSource, MessageIter};
use chatwarden_model::{
    Attachment, Channel, Conversation, MediaKind, Message, MessageKind, Participant, SourceRef,
    TimeSource,
};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::io::{BufReader, Read};
use std::path::Path;
use std::sync::Arc;
use struson::reader::{JsonReader, JsonStreamReader, ValueType};

type Reader = JsonStreamReader<BufReader<Box<dyn ReadSeek>>>;

/// Most recalled message ids remembered per file (a recall beyond it is still
/// recorded as an event; only the original is not marked deleted).
const MAX_RECALLS: usize = 1_000_000;

/// Whether the first object's keys are a WeCom archive record's.
pub(crate) fn is_wecom_keys(keys: &[String]) -> bool {
    let has = |k: &str| keys.iter().any(|x| x == k);
    has("msgid") && has("action") && (has("msgtime") || has("msgtype") || has("user"))
}

/// One decrypted record. The body object sits under a key named by the type
/// (not always the type's own name), kept in `rest`.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Record {
    msgid: Option<String>,
    action: Option<String>,
    from: Option<String>,
    tolist: Option<Vec<String>>,
    roomid: Option<String>,
    msgtime: Option<Value>,
    msgtype: Option<String>,
    /// `switch` records: when and who.
    time: Option<Value>,
    user: Option<String>,
    #[serde(flatten)]
    rest: Map<String, Value>,
}

fn millis(v: Option<&Value>) -> Option<i64> {
    match v? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// What a record belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum ChatKey {
    Room(String),
    /// The sorted people of a room-less chat (two for 1:1).
    People(Vec<String>),
    /// A user's enterprise switches.
    Switch(String),
}

impl Record {
    fn key(&self) -> Option<ChatKey> {
        if self.action.as_deref() == Some("switch") {
            return Some(ChatKey::Switch(self.user.clone().unwrap_or_default()));
        }
        if let Some(room) = self.roomid.as_deref().filter(|r| !r.is_empty()) {
            return Some(ChatKey::Room(room.to_owned()));
        }
        let mut people: BTreeSet<String> = self.tolist.iter().flatten().cloned().collect();
        if let Some(f) = &self.from {
            people.insert(f.clone());
        }
        people.retain(|p| !p.is_empty());
        (!people.is_empty()).then(|| ChatKey::People(people.into_iter().collect()))
    }

    fn time(&self, file: &str, line: u64) -> Result<Option<Timestamp>, ConnectorError> {
        let raw = if self.action.as_deref() == Some("switch") {
            &self.time
        } else {
            &self.msgtime
        };
        let Some(v) = raw else {
            return Err(malformed(file, line, "WeCom record without msgtime"));
        };
        let ms = millis(Some(v))
            .ok_or_else(|| malformed(file, line, format!("WeCom msgtime {v} is not a number")))?;
        if ms == 0 {
            return Ok(None);
        }
        Timestamp::from_millisecond(ms)
            .map(Some)
            .map_err(|e| malformed(file, line, format!("WeCom msgtime {ms}: {e}")))
    }
}

fn malformed(file: &str, line: u64, reason: impl Into<String>) -> ConnectorError {
    ConnectorError::Malformed {
        file: file.to_owned(),
        line,
        reason: reason.into(),
    }
}

use crate::json_stream::settings_multiple as settings;

/// Every record of a file in order: each top-level value is a record, or an
/// array of records.
struct Records {
    reader: Reader,
    file: String,
    in_array: bool,
    /// The first top-level value was peeked at.
    started: bool,
    /// 0-based index of the next record.
    index: u64,
}

impl Records {
    fn open(input: &Input, file: &str) -> Result<Records, ConnectorError> {
        Ok(Records {
            reader: JsonStreamReader::new_custom(BufReader::new(input.reader(file)?), settings()),
            file: file.to_owned(),
            in_array: false,
            started: false,
            index: 0,
        })
    }

    fn line(&self) -> u64 {
        crate::json_stream::line(&self.reader)
    }

    fn fail(&self, e: impl std::fmt::Display) -> ConnectorError {
        malformed(&self.file, self.line(), format!("WeCom archive JSON: {e}"))
    }

    /// Moves to the next record; `None` at the end. Returns its index and line.
    fn advance(&mut self) -> Result<Option<(u64, u64)>, ConnectorError> {
        loop {
            if self.in_array {
                if self.reader.has_next().map_err(|e| self.fail(e))? {
                    break;
                }
                self.reader.end_array().map_err(|e| self.fail(e))?;
                self.in_array = false;
            }
            if !self.started {
                // struson's `has_next` is for after the first top-level value.
                match self.reader.peek() {
                    Ok(_) => self.started = true,
                    Err(struson::reader::ReaderError::SyntaxError(e))
                        if e.kind == struson::reader::SyntaxErrorKind::IncompleteDocument =>
                    {
                        return Ok(None);
                    }
                    Err(e) => return Err(self.fail(e)),
                }
            } else if !self.reader.has_next().map_err(|e| self.fail(e))? {
                return Ok(None);
            }
            match self.reader.peek().map_err(|e| self.fail(e))? {
                ValueType::Array => {
                    self.reader.begin_array().map_err(|e| self.fail(e))?;
                    self.in_array = true;
                }
                ValueType::Object => break,
                other => {
                    return Err(self.fail(format!("expected a record object, found {other:?}")));
                }
            }
        }
        if self.reader.peek().map_err(|e| self.fail(e))? != ValueType::Object {
            return Err(self.fail("expected a record object"));
        }
        let at = (self.index, self.line());
        self.index += 1;
        Ok(Some(at))
    }

    fn read(&mut self) -> Result<Record, ConnectorError> {
        self.reader.deserialize_next().map_err(|e| self.fail(e))
    }

    fn skip(&mut self) -> Result<(), ConnectorError> {
        self.reader.skip_value().map_err(|e| self.fail(e))
    }
}

/// A conversation as the scan found it.
struct ChatScan {
    key: ChatKey,
    first: u64,
    last: u64,
    people: Vec<String>,
    capped: bool,
}

/// What the conversations of one file share.
struct Shared {
    /// `pre_msgid`s of every recall in the file.
    recalled: HashSet<String>,
}

/// One WeCom conversation of an archive file.
pub struct WecomExport {
    input: Input,
    file: String,
    conversation: Conversation,
    key: ChatKey,
    first: u64,
    last: u64,
    shared: Arc<Shared>,
    warnings: WarningSink,
    size_hint: u64,
    opts: ParseOptions,
}

fn source_key(key: &ChatKey) -> String {
    match key {
        ChatKey::Room(r) => format!("wecom:room:{r}"),
        ChatKey::People(p) => format!("wecom:chat:{}", p.join("|")),
        ChatKey::Switch(u) => format!("wecom:switch:{u}"),
    }
}

fn title(key: &ChatKey) -> String {
    match key {
        ChatKey::Room(r) => r.clone(),
        ChatKey::People(p) => p.join(" ↔ "),
        ChatKey::Switch(u) => format!("{u} (enterprise switches)"),
    }
}

impl WecomExport {
    /// Opens every conversation of a WeCom archive file.
    pub(crate) fn open_input_all(
        input: Input,
        file: &str,
        opts: &ParseOptions,
    ) -> Result<Vec<WecomExport>, ConnectorError> {
        let size_hint = input.len(file)?;
        let mut warnings = WarningSink::new(opts.limits.max_warnings);
        let mut recs = Records::open(&input, file)?;
        let mut chats: Vec<ChatScan> = Vec::new();
        let mut index: HashMap<ChatKey, usize> = HashMap::new();
        let mut recalled: HashSet<String> = HashSet::new();
        let mut zero_times = 0u64;
        let mut keyless = 0u64;
        let mut recalls_capped = false;
        while let Some((i, line)) = recs.advance()? {
            let rec = recs.read()?;
            if rec.msgid.as_deref().is_none_or(str::is_empty) {
                return Err(malformed(file, line, "WeCom record without msgid"));
            }
            if rec.time(file, line)?.is_none() {
                zero_times += 1;
            }
            if rec.action.as_deref() == Some("recall") || rec.msgtype.as_deref() == Some("revoke") {
                let pre = rec
                    .rest
                    .get("revoke")
                    .and_then(|r| r.get("pre_msgid"))
                    .and_then(Value::as_str);
                match pre {
                    Some(p) if recalled.len() < MAX_RECALLS => {
                        recalled.insert(p.to_owned());
                    }
                    Some(_) => recalls_capped = true,
                    None => {}
                }
            }
            let Some(key) = rec.key() else {
                keyless += 1;
                continue;
            };
            let slot = match index.get(&key) {
                Some(&s) => s,
                None => {
                    index.insert(key.clone(), chats.len());
                    chats.push(ChatScan {
                        key: key.clone(),
                        first: i,
                        last: i,
                        people: Vec::new(),
                        capped: false,
                    });
                    chats.len() - 1
                }
            };
            if let Some(c) = chats.get_mut(slot) {
                c.last = i;
                let who = rec.from.iter().chain(rec.tolist.iter().flatten());
                let who = who.chain(rec.user.iter());
                for p in who {
                    if p.is_empty() || c.people.contains(p) {
                        continue;
                    }
                    if c.people.len() >= opts.limits.max_participants {
                        c.capped = true;
                        continue;
                    }
                    c.people.push(p.clone());
                }
            }
        }
        if chats.is_empty() {
            return Err(ConnectorError::NotRecognized {
                file: file.to_owned(),
                tried: "wecom (no archive record with a roomid, from/tolist or user)".to_owned(),
            });
        }
        if zero_times > 0 {
            warnings.push(
                file,
                None,
                format!("{zero_times} record(s) with msgtime 0: dated 1970-01-01T00:00:00Z"),
            );
        }
        if keyless > 0 {
            warnings.push(
                file,
                None,
                format!("{keyless} record(s) name no room and no people; skipped"),
            );
        }
        if recalls_capped {
            warnings.push(
                file,
                None,
                format!(
                    "more than {MAX_RECALLS} recalls; later recalled originals are not marked deleted"
                ),
            );
        }
        let shared = Arc::new(Shared { recalled });
        let shared_warnings = warnings.list;
        Ok(chats
            .into_iter()
            .map(|c| {
                let mut w = WarningSink::new(opts.limits.max_warnings);
                for x in &shared_warnings {
                    w.push(&x.file, x.line, x.message.clone());
                }
                if c.capped {
                    w.push(
                        file,
                        None,
                        format!(
                            "more than {} people; the rest are not listed as participants",
                            opts.limits.max_participants
                        ),
                    );
                }
                let sk = source_key(&c.key);
                let conversation = Conversation {
                    id: Conversation::id_for(Channel::Wecom, &sk),
                    channel: Channel::Wecom,
                    title: opts.title.clone().unwrap_or_else(|| title(&c.key)),
                    source_key: sk,
                    custodian: opts.custodian.clone(),
                    is_group: matches!(&c.key, ChatKey::Room(_))
                        || matches!(&c.key, ChatKey::People(p) if p.len() > 2),
                    participants: c
                        .people
                        .iter()
                        .map(|p| Participant {
                            id: Participant::id_for(Channel::Wecom, p),
                            display_name: p.clone(),
                            phone: None,
                            is_self: false,
                        })
                        .collect(),
                };
                WecomExport {
                    input: input.clone(),
                    file: file.to_owned(),
                    conversation,
                    key: c.key,
                    first: c.first,
                    last: c.last,
                    shared: Arc::clone(&shared),
                    warnings: w,
                    size_hint,
                    opts: opts.clone(),
                }
            })
            .collect())
    }

    /// Opens the first conversation of a WeCom archive file.
    pub(crate) fn open_input(
        input: Input,
        file: &str,
        opts: &ParseOptions,
    ) -> Result<WecomExport, ConnectorError> {
        let all = Self::open_input_all(input, file, opts)?;
        crate::options::first_conversation(
            all,
            file,
            "wecom (no conversation in the archive file)",
            "file holds",
            "conversations",
            |e| &mut e.warnings,
        )
    }
}

/// Opens every conversation of a WeCom archive file on disk.
pub fn open_all(path: &Path, opts: &ParseOptions) -> Result<Vec<WecomExport>, ConnectorError> {
    WecomExport::open_input_all(
        Input::Path(path.to_path_buf()),
        &path.display().to_string(),
        opts,
    )
}

fn s<'v>(v: &'v Value, k: &str) -> Option<&'v str> {
    v.get(k).and_then(Value::as_str).filter(|x| !x.is_empty())
}

/// A number field, written as a JSON number or a numeric string.
fn num(v: &Value, k: &str) -> Option<i64> {
    millis(v.get(k))
}

fn join(parts: &[Option<&str>]) -> String {
    parts
        .iter()
        .flatten()
        .copied()
        .collect::<Vec<_>>()
        .join("\n")
}

fn join_lines(parts: Vec<Option<String>>) -> String {
    parts
        .into_iter()
        .flatten()
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// A time given in **seconds** (meeting, calendar and call bodies), as UTC.
fn when(v: &Value, k: &str) -> Option<String> {
    num(v, k)
        .filter(|t| *t > 0)
        .and_then(|t| Timestamp::from_second(t).ok())
        .map(|t| t.to_string())
}

/// `start – end` from two second fields.
fn span(v: &Value, start: &str, end: &str) -> Option<String> {
    match (when(v, start), when(v, end)) {
        (Some(a), Some(b)) => Some(format!("{a} – {b}")),
        (Some(a), None) => Some(format!("from {a}")),
        (None, Some(b)) => Some(format!("until {b}")),
        (None, None) => None,
    }
}

/// The elements of an array field (none when the field is absent or not an array).
fn array<'a>(v: &'a Value, k: &str) -> impl Iterator<Item = &'a Value> {
    v.get(k).and_then(Value::as_array).into_iter().flatten()
}

fn strings(v: &Value, k: &str) -> Vec<String> {
    array(v, k)
        .filter_map(Value::as_str)
        .filter(|x| !x.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A medium the archive names; its bytes are fetched separately (`GetMediaData`
/// with `sdkfileid`), so never included. The md5 and size go in the placeholder
/// to check a later download against.
fn media(kind: MediaKind, label: &str, body: Option<&Value>, name: Option<&str>) -> Attachment {
    let md5 = body.and_then(|b| s(b, "md5sum"));
    let size = body.and_then(|b| {
        ["filesize", "voice_size", "imagesize"]
            .iter()
            .find_map(|k| num(b, k))
    });
    let mut placeholder = format!("[{label}]");
    if let Some(m) = md5 {
        placeholder.push_str(&format!(" md5 {m}"));
    }
    if let Some(n) = size {
        placeholder.push_str(&format!(", {n} bytes"));
    }
    Attachment {
        name: name.map(str::to_owned),
        kind,
        included: false,
        size: None,
        content_hash: None,
        placeholder: Some(placeholder),
    }
}

/// A nested `content` that is itself JSON inside a string (`mixed`, `chatrecord`).
fn inner_value(content: Option<&Value>) -> Option<Value> {
    match content? {
        Value::String(txt) => match serde_json::from_str::<Value>(txt) {
            Ok(v @ Value::Object(_)) => Some(v),
            _ => Some(Value::String(txt.clone())),
        },
        v @ Value::Object(_) => Some(v.clone()),
        _ => None,
    }
}

/// The text of a nested `content`.
fn inner_content(content: Option<&Value>) -> Option<String> {
    match inner_value(content)? {
        Value::String(txt) => Some(txt),
        v => inner_text(&v),
    }
}

fn inner_text(v: &Value) -> Option<String> {
    ["content", "title", "filename", "address", "description"]
        .iter()
        .find_map(|k| s(v, k))
        .map(str::to_owned)
}

/// Body key for a type, where it is not the type's own name.
fn body_key(msgtype: &str) -> &str {
    match msgtype {
        "docmsg" => "doc",
        "markdown" | "news" | "voiptext" | "qydiskfile" | "meeting_notification" => "info",
        "external_redpacket" => "redpacket",
        other => other,
    }
}

/// The reply to a meeting invitation (`meeting.status` of a `meetingtype` 102 record).
fn meeting_reply(status: Option<i64>) -> String {
    let what = match status {
        Some(1) => "attending".to_owned(),
        Some(2) => "declined".to_owned(),
        Some(3) => "tentative".to_owned(),
        Some(4) => "not invited".to_owned(),
        Some(5) => "meeting cancelled".to_owned(),
        Some(6) => "meeting expired".to_owned(),
        Some(7) => "not in the room".to_owned(),
        Some(n) => format!("status {n}"),
        None => "no status".to_owned(),
    };
    format!("reply: {what}")
}

/// `voiptext.invitetype`: who could see whom.
fn call_kind(invitetype: Option<i64>) -> &'static str {
    match invitetype {
        Some(1) => "video call",
        Some(2) => "voice call",
        Some(3) => "group video call",
        Some(4) => "group voice call",
        _ => "call",
    }
}

/// `redpacket.totalamount` is in fen (1/100 CNY).
fn red_packet(b: &Value) -> String {
    let mut text = "red packet".to_owned();
    if let Some(w) = s(b, "wish") {
        text.push_str(&format!(": {w}"));
    }
    let count = num(b, "totalcnt");
    let amount = num(b, "totalamount").filter(|a| *a >= 0);
    let mut facts = Vec::new();
    if let Some(n) = count {
        facts.push(format!("{n} packet{}", if n == 1 { "" } else { "s" }));
    }
    if let Some(a) = amount {
        facts.push(format!("{}.{:02} CNY in total", a / 100, a % 100));
    }
    if !facts.is_empty() {
        text.push_str(&format!(" ({})", facts.join(", ")));
    }
    text
}

/// Types a record names a `sdkfileid` medium for, inside `mixed`.
fn mixed_media(kind: &str) -> Option<MediaKind> {
    match kind {
        "image" => Some(MediaKind::Image),
        "emotion" => Some(MediaKind::Sticker),
        "voice" => Some(MediaKind::Audio),
        "video" => Some(MediaKind::Video),
        "file" => Some(MediaKind::Document),
        _ => None,
    }
}

struct Converted {
    kind: MessageKind,
    text: String,
    attachments: Vec<Attachment>,
    forwarded: bool,
}

fn convert_body(msgtype: &str, body: Option<&Value>, rec: &Record) -> (Converted, bool) {
    let mut c = Converted {
        kind: MessageKind::Message,
        text: String::new(),
        attachments: Vec::new(),
        forwarded: false,
    };
    let b = body.unwrap_or(&Value::Null);
    let from = rec.from.as_deref().unwrap_or("someone");
    let mut known = true;
    match msgtype {
        "text" => c.text = s(b, "content").unwrap_or("").to_owned(),
        "markdown" => {
            c.text = s(b, "content")
                .or(s(b, "markdown"))
                .unwrap_or("")
                .to_owned()
        }
        "image" => c
            .attachments
            .push(media(MediaKind::Image, "image", body, None)),
        "voice" => c
            .attachments
            .push(media(MediaKind::Audio, "voice", body, None)),
        "video" => c
            .attachments
            .push(media(MediaKind::Video, "video", body, None)),
        "emotion" => c
            .attachments
            .push(media(MediaKind::Sticker, "emotion", body, None)),
        "file" => c
            .attachments
            .push(media(MediaKind::Document, "file", body, s(b, "filename"))),
        // A WeDrive (微盘) file: only its name.
        "qydiskfile" => c.attachments.push(media(
            MediaKind::Document,
            "qydiskfile",
            body,
            s(b, "filename"),
        )),
        "link" => {
            c.text = join(&[s(b, "title"), s(b, "description"), s(b, "link_url")]);
        }
        "weapp" => c.text = join(&[s(b, "title"), s(b, "description"), s(b, "displayname")]),
        "card" => {
            c.text = join(&[s(b, "corpname"), s(b, "userid")]);
            c.attachments
                .push(media(MediaKind::Contact, "card", None, None));
        }
        "location" => {
            c.text = join(&[s(b, "title"), s(b, "address")]);
            let mut a = media(MediaKind::Location, "location", None, None);
            if let (Some(lat), Some(lon)) = (b.get("latitude"), b.get("longitude"))
                && lat.is_number()
                && lon.is_number()
            {
                a.placeholder = Some(format!("[location] {lat}, {lon}"));
            }
            c.attachments.push(a);
        }
        "agree" | "disagree" => {
            c.kind = MessageKind::System;
            let who = s(b, "userid").or(rec.from.as_deref()).unwrap_or("");
            c.text = if msgtype == "agree" {
                format!("{who} agreed to session archiving")
            } else {
                format!("{who} disagreed with session archiving")
            };
        }
        "chatrecord" => {
            c.forwarded = true;
            let items = b.get("item").and_then(Value::as_array);
            let mut lines: Vec<String> = s(b, "title").map(str::to_owned).into_iter().collect();
            for it in items.into_iter().flatten() {
                match inner_content(it.get("content")) {
                    Some(t) => lines.push(t),
                    None => {
                        // An item without text (an image, a voice note): its kind.
                        let kind = s(it, "type")
                            .map(|t| t.trim_start_matches("ChatRecord").to_ascii_lowercase())
                            .filter(|t| !t.is_empty());
                        if let Some(k) = kind {
                            lines.push(format!("[{k}]"));
                        }
                    }
                }
            }
            c.text = lines.join("\n");
        }
        "mixed" => {
            let items = b.get("item").and_then(Value::as_array);
            let mut lines = Vec::new();
            for it in items.into_iter().flatten() {
                let t = it.get("type").and_then(Value::as_str).unwrap_or("");
                match mixed_media(t) {
                    Some(kind) => {
                        let inner = inner_value(it.get("content"));
                        let name = inner.as_ref().and_then(|v| s(v, "filename"));
                        c.attachments.push(media(kind, t, inner.as_ref(), name));
                    }
                    None => lines.extend(inner_content(it.get("content"))),
                }
            }
            c.text = lines.join("\n");
        }
        "meeting" => {
            // meetingtype 101 is an invitation, 102 a reply to one (`status`).
            let mut lines = vec![
                s(b, "topic").map(str::to_owned),
                span(b, "starttime", "endtime"),
                s(b, "address").map(str::to_owned),
                s(b, "remarks").map(str::to_owned),
            ];
            if num(b, "meetingtype") == Some(102) {
                lines.push(Some(meeting_reply(num(b, "status"))));
            }
            c.text = join_lines(lines);
        }
        "docmsg" => c.text = join(&[s(b, "title"), s(b, "link_url")]),
        "news" => {
            let items = b.get("item").and_then(Value::as_array);
            let lines: Vec<String> = items
                .into_iter()
                .flatten()
                .map(|i| join(&[s(i, "title"), s(i, "description"), s(i, "url")]))
                .collect();
            c.text = lines.join("\n");
        }
        "calendar" => {
            let attendees = strings(b, "attendeename");
            c.text = join_lines(vec![
                s(b, "title").map(str::to_owned),
                s(b, "creatorname").map(|n| format!("by {n}")),
                span(b, "starttime", "endtime"),
                s(b, "place").map(str::to_owned),
                (!attendees.is_empty()).then(|| format!("attendees: {}", attendees.join(", "))),
                s(b, "remarks").map(str::to_owned),
            ]);
        }
        "redpacket" | "external_redpacket" => c.text = red_packet(b),
        "sphfeed" => c.text = join(&[s(b, "sph_name"), s(b, "feed_desc")]),
        "todo" => c.text = join(&[s(b, "title"), s(b, "content")]),
        "vote" => {
            // The fields under `vote`, or (as some reproductions of the doc example
            // write them) at the top level of the record.
            let top;
            let v = if b.is_object() {
                b
            } else {
                top = Value::Object(rec.rest.clone());
                &top
            };
            let title = s(v, "votetitle").unwrap_or("");
            let head = match num(v, "votetype") {
                Some(102) => format!("voted: {title}"),
                _ => format!("vote: {title}"),
            };
            let mut lines = vec![Some(head)];
            lines.extend(
                strings(v, "voteitem")
                    .into_iter()
                    .map(|i| Some(format!("- {i}"))),
            );
            c.text = join_lines(lines);
        }
        "collect" => {
            // 填表 (a form to fill in): its title, who made it where, its questions.
            let mut meta = Vec::new();
            if let Some(n) = s(b, "creator") {
                meta.push(format!("by {n}"));
            }
            if let Some(r) = s(b, "room_name") {
                meta.push(format!("in {r}"));
            }
            if let Some(t) = s(b, "create_time") {
                meta.push(format!("at {t}"));
            }
            let mut lines = vec![
                Some(format!("form: {}", s(b, "title").unwrap_or(""))),
                (!meta.is_empty()).then(|| meta.join(" ")),
            ];
            for d in array(b, "details") {
                if let Some(q) = s(d, "ques") {
                    lines.push(Some(match s(d, "type") {
                        Some(t) => format!("- {q} ({t})"),
                        None => format!("- {q}"),
                    }));
                }
            }
            c.text = join_lines(lines);
        }
        "voiptext" => {
            c.kind = MessageKind::System;
            let kind = call_kind(num(b, "invitetype"));
            c.text = match num(b, "callduration") {
                Some(d) => format!("{kind} from {from}, {d} s"),
                None => format!("{kind} from {from}"),
            };
        }
        "voip_doc_share" => {
            c.text = "shared in a call".to_owned();
            c.attachments.push(media(
                MediaKind::Document,
                "voip_doc_share",
                body,
                s(b, "filename"),
            ));
        }
        "meeting_voice_call" => {
            c.kind = MessageKind::System;
            let mut lines = vec![Some(match when(b, "endtime") {
                Some(t) => format!("meeting voice call from {from}, ended {t}"),
                None => format!("meeting voice call from {from}"),
            })];
            // The recording (`sdkfileid`), then the documents and screens shown.
            c.attachments
                .push(media(MediaKind::Audio, "meeting_voice_call", body, None));
            for d in array(b, "demofiledata") {
                if let Some(name) = s(d, "filename") {
                    let by = s(d, "demooperator").unwrap_or("someone");
                    lines.push(Some(format!("{by} showed {name}")));
                    c.attachments.push(media(
                        MediaKind::Document,
                        "demofiledata",
                        None,
                        Some(name),
                    ));
                }
            }
            for d in array(b, "sharescreendata") {
                if let Some(who) = s(d, "share") {
                    lines.push(Some(format!("{who} shared the screen")));
                }
            }
            c.text = join_lines(lines);
        }
        "meeting_notification" => {
            c.kind = MessageKind::System;
            let id = num(b, "meeting_id");
            c.text = match (s(b, "content"), id) {
                (Some(t), Some(id)) => format!("{t} (meeting {id})"),
                (Some(t), None) => t.to_owned(),
                (None, Some(id)) => format!("meeting notification (meeting {id})"),
                (None, None) => "meeting notification".to_owned(),
            };
        }
        _ => {
            known = false;
            c.text = ["title", "content", "desc", "description", "filename"]
                .iter()
                .filter_map(|k| s(b, k))
                .collect::<Vec<_>>()
                .join("\n");
        }
    }
    (c, known)
}

/// What streaming one conversation reads of its export.
struct Ctx<'a> {
    file: &'a str,
    conversation: &'a Conversation,
    key: &'a ChatKey,
    first: u64,
    last: u64,
    shared: &'a Shared,
    opts: &'a ParseOptions,
}

struct Messages<'a> {
    recs: Records,
    export: Ctx<'a>,
    warnings: &'a mut WarningSink,
    /// Recalled originals seen so far in this conversation.
    seen_recalled: HashSet<String>,
    unknown: Vec<String>,
    seq: u64,
    done: bool,
}

impl Messages<'_> {
    fn convert(&mut self, line: u64, rec: Record) -> Result<Message, ConnectorError> {
        let ex = &self.export;
        let file = ex.file;
        let conv = ex.conversation;
        let msgid = rec.msgid.clone().unwrap_or_default();
        let sent_at = rec.time(file, line)?.unwrap_or(Timestamp::UNIX_EPOCH);
        let zone = ex.opts.tz.clone().unwrap_or(TimeZone::UTC);
        let action = rec.action.as_deref().unwrap_or("send");
        let msgtype = rec.msgtype.clone().unwrap_or_default();
        let mut reply_to = None;
        let mut sender = rec.from.clone().filter(|f| !f.is_empty());
        let (c, deleted) = if action == "switch" {
            sender = None;
            let user = rec.user.as_deref().unwrap_or("");
            (
                Converted {
                    kind: MessageKind::System,
                    text: format!("{user} switched enterprise"),
                    attachments: Vec::new(),
                    forwarded: false,
                },
                false,
            )
        } else if action == "recall" || msgtype == "revoke" {
            let pre = rec
                .rest
                .get("revoke")
                .and_then(|r| s(r, "pre_msgid"))
                .unwrap_or("")
                .to_owned();
            let who = sender.take().unwrap_or_default();
            let text = if self.seen_recalled.contains(&pre) {
                format!("{who} recalled a message")
            } else {
                format!("{who} recalled message {pre} (the original is not in this file)")
            };
            if !pre.is_empty() {
                reply_to = Some(Message::native_id(&conv.id, &pre));
            }
            (
                Converted {
                    kind: MessageKind::System,
                    text,
                    attachments: Vec::new(),
                    forwarded: false,
                },
                false,
            )
        } else {
            // The body key is not always the type's name; some pullers write it
            // under the type's name all the same.
            let body = rec
                .rest
                .get(body_key(&msgtype))
                .or_else(|| rec.rest.get(msgtype.as_str()));
            let (c, known) = convert_body(&msgtype, body, &rec);
            if !known && !self.unknown.contains(&msgtype) && self.unknown.len() < 32 {
                self.unknown.push(msgtype.clone());
                self.warnings.push(
                    file,
                    Some(line),
                    format!("WeCom msgtype {msgtype:?} is not known; its text fields are kept"),
                );
            }
            let recalled = ex.shared.recalled.contains(&msgid);
            if recalled {
                self.seen_recalled.insert(msgid.clone());
            }
            if c.kind == MessageKind::System {
                sender = None;
            }
            (c, recalled)
        };
        if c.text.len() > ex.opts.limits.max_message_bytes {
            return Err(ConnectorError::MessageTooLong {
                file: file.to_owned(),
                line,
                limit: ex.opts.limits.max_message_bytes,
            });
        }
        let m = Message {
            id: Message::native_id(&conv.id, &msgid),
            conversation: conv.id.clone(),
            seq: self.seq,
            kind: c.kind,
            sender_id: sender
                .as_deref()
                .map(|f| Participant::id_for(Channel::Wecom, f)),
            sender,
            sent_at,
            local_time: sent_at.to_zoned(zone).datetime(),
            time_source: TimeSource::NativeUtc,
            text: c.text,
            attachments: c.attachments,
            deleted,
            edited: false,
            source: SourceRef {
                file: file.into(),
                line,
            },
            reply_to,
            forwarded_from: c.forwarded.then(String::new),
        };
        self.seq += 1;
        Ok(m)
    }

    fn step(&mut self) -> Result<Option<Message>, ConnectorError> {
        loop {
            let Some((i, line)) = self.recs.advance()? else {
                return Ok(None);
            };
            if i < self.export.first {
                self.recs.skip()?;
                continue;
            }
            if i > self.export.last {
                return Ok(None);
            }
            let rec = self.recs.read()?;
            if rec.key().as_ref() != Some(self.export.key) {
                continue;
            }
            return self.convert(line, rec).map(Some);
        }
    }
}

impl Iterator for Messages<'_> {
    type Item = Result<Message, ConnectorError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.step() {
            Ok(Some(m)) => Some(Ok(m)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

impl ExportSource for WecomExport {
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
        let recs = Records::open(&self.input, &self.file)?;
        Ok(Box::new(Messages {
            recs,
            export: Ctx {
                file: &self.file,
                conversation: &self.conversation,
                key: &self.key,
                first: self.first,
                last: self.last,
                shared: &self.shared,
                opts: &self.opts,
            },
            warnings: &mut self.warnings,
            seen_recalled: HashSet::new(),
            unknown: Vec::new(),
            seq: 0,
            done: false,
        }))
    }

    fn open_attachment(&self, _name: &str) -> Result<Option<Box<dyn Read + '_>>, ConnectorError> {
        // Media are fetched from Tencent with `sdkfileid`, never part of the records.
        Ok(None)
    }
}
