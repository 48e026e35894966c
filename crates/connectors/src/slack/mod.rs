//! Slack workspace export reader (the zip from "Export data"). See
//! `docs/formats/slack.md` and formats.md §6.
//!
//! Layout (Slack help "How to read Slack data exports"): `users.json`,
//! `channels.json`, `groups.json` (private channels), `dms.json`, `mpims.json`
//! at the root, and one folder per conversation holding `YYYY-MM-DD.json` day
//! files, each a JSON array of messages. Public channels' folders are named by
//! channel name, DMs' by id, group DMs' by their `mpdm-…` name.
//!
//! Opening reads the metadata files (users, channel lists) and the zip's
//! directory; [`ExportSource::messages`] then reads one day file at a time
//! (each is small) and streams its array with a JSON reader that knows lines.

pub mod text;

use crate::detect::Input;
use crate::error::ConnectorError;
use crate::options::{Limits, ParseOptions, Warning, WarningSink};
use crate::source::{ExportSource, MessageIter};
use crate::zipsafe::{EntryInfo, SafeZip};
use chatwarden_model::{
    Attachment, Channel, Conversation, ConversationId, MediaKind, Message, MessageKind,
    Participant, ParticipantId, SourceRef, TimeSource,
};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Deserialize;
use serde_json::Value;
use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, BufReader, Cursor, Read, Seek};
use std::path::Path;
use std::sync::Arc;
use struson::reader::{JsonReader, JsonStreamReader, ValueType};

/// Metadata files at the export's root.
const META_FILES: &[&str] = &[
    "users.json",
    "channels.json",
    "groups.json",
    "dms.json",
    "mpims.json",
];

/// Subtypes that are events, not things a person wrote.
const SYSTEM_SUBTYPES: &[&str] = &[
    "channel_join",
    "channel_leave",
    "channel_topic",
    "channel_purpose",
    "channel_name",
    "channel_archive",
    "channel_unarchive",
    "channel_convert_to_private",
    "channel_convert_to_public",
    "group_join",
    "group_leave",
    "group_topic",
    "group_purpose",
    "group_name",
    "group_archive",
    "group_unarchive",
    "pinned_item",
    "unpinned_item",
    "bot_add",
    "bot_remove",
    "bot_enable",
    "bot_disable",
    "reminder_add",
    "sh_room_created",
    "huddle_thread",
];

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawProfile {
    display_name: Option<String>,
    real_name: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawUser {
    id: Option<String>,
    name: Option<String>,
    real_name: Option<String>,
    profile: Option<RawProfile>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawChannel {
    id: Option<String>,
    name: Option<String>,
    members: Option<Vec<String>>,
}

fn nonempty(s: Option<&String>) -> Option<&str> {
    s.map(|s| s.trim()).filter(|s| !s.is_empty())
}

impl RawUser {
    fn display(&self) -> Option<String> {
        let p = self.profile.as_ref();
        nonempty(p.and_then(|p| p.display_name.as_ref()))
            .or_else(|| nonempty(p.and_then(|p| p.real_name.as_ref())))
            .or_else(|| nonempty(self.real_name.as_ref()))
            .or_else(|| nonempty(self.name.as_ref()))
            .map(str::to_owned)
    }
}

/// Which list a conversation came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Channel,
    Private,
    Dm,
    Mpim,
    Unlisted,
}

/// The export's root folder (`""` or `"name/"`) and whether the entries look
/// like a Slack export: a root metadata file and day files one folder below.
fn root_of(entries: &[EntryInfo]) -> Option<String> {
    let meta = entries
        .iter()
        .filter(|e| !e.is_dir && META_FILES.contains(&e.file_name()))
        .min_by_key(|e| e.name.len())?;
    let root = meta
        .name
        .strip_suffix(meta.file_name())
        .unwrap_or_default()
        .to_owned();
    let has = |n: &str| entries.iter().any(|e| e.name == format!("{root}{n}"));
    let days = entries.iter().any(|e| day_file(&root, &e.name).is_some());
    (days || (has("users.json") && has("channels.json"))).then_some(root)
}

/// `(folder, day)` when `name` is `<root><folder>/YYYY-MM-DD.json`.
fn day_file<'a>(root: &str, name: &'a str) -> Option<(&'a str, &'a str)> {
    let rel = name.strip_prefix(root)?;
    let (folder, file) = rel.split_once('/')?;
    let day = file.strip_suffix(".json")?;
    let b = day.as_bytes();
    let digits = |r: std::ops::Range<usize>| {
        b.get(r)
            .is_some_and(|s| s.iter().all(|c| c.is_ascii_digit()))
    };
    let shape = b.len() == 10
        && digits(0..4)
        && b.get(4) == Some(&b'-')
        && digits(5..7)
        && b.get(7) == Some(&b'-')
        && digits(8..10);
    (shape && !folder.is_empty()).then_some((folder, day))
}

/// True when a zip holds a Slack workspace export (used by detection).
pub(crate) fn zip_is_slack(
    input: &Input,
    label: &str,
    opts: &ParseOptions,
) -> Result<bool, ConnectorError> {
    let z = SafeZip::open(input.reader(label)?, label, &opts.limits.zip)?;
    Ok(root_of(z.entries()).is_some())
}

type Zip = SafeZip<Box<dyn crate::detect::ReadSeek>>;

fn read_entry(z: &mut Zip, e: &EntryInfo) -> Result<Vec<u8>, ConnectorError> {
    let mut buf = Vec::with_capacity(usize::try_from(e.size.min(1 << 24)).unwrap_or(0));
    let file = z.file().to_owned();
    let mut r = z.open_entry(e.index)?;
    r.read_to_end(&mut buf)
        .map_err(|err| crate::zipsafe::unwrap_io_error(&file, err))?;
    Ok(buf)
}

/// Reads a root metadata list (`users.json`, `channels.json`, …) one element at
/// a time, straight from the zip entry: only the parsed fields are kept, never the
/// file's bytes or a JSON tree of it (an enterprise `users.json` can be large).
fn meta_list<T: for<'de> Deserialize<'de>>(
    z: &mut Zip,
    root: &str,
    name: &str,
) -> Result<Vec<T>, ConnectorError> {
    let full = format!("{root}{name}");
    let Some(e) = z.entries().iter().find(|e| e.name == full).cloned() else {
        return Ok(Vec::new());
    };
    let label = format!("{}!/{full}", z.file());
    let entry = z.open_entry(e.index)?;
    let mut buf = BufReader::new(entry);
    // A byte-order mark is skipped, as Slack's own viewer does.
    if buf
        .fill_buf()
        .map_err(|err| crate::zipsafe::unwrap_io_error(&label, err))?
        .starts_with(b"\xEF\xBB\xBF")
    {
        buf.consume(3);
    }
    let mut r = JsonStreamReader::new_custom(buf, day_settings());
    let bad = |r: &JsonStreamReader<_>, err: &dyn std::fmt::Display| ConnectorError::Malformed {
        file: label.clone(),
        line: line_of(r),
        reason: format!("Slack {name}: {err}"),
    };
    let mut out = Vec::new();
    r.begin_array().map_err(|err| bad(&r, &err))?;
    while r.has_next().map_err(|err| bad(&r, &err))? {
        let item: T = r.deserialize_next().map_err(|err| bad(&r, &err))?;
        out.push(item);
    }
    r.end_array().map_err(|err| bad(&r, &err))?;
    Ok(out)
}

/// One Slack conversation (channel, private channel, DM or group DM).
pub struct SlackExport {
    input: Input,
    file: String,
    /// Zip entry names of the day files, in date order.
    days: Vec<String>,
    users: Arc<HashMap<String, String>>,
    conversation: Conversation,
    channel_id: String,
    warnings: WarningSink,
    size_hint: u64,
    tz: Option<TimeZone>,
    limits: Limits,
}

fn participant_key(user: &str) -> String {
    format!("id:{user}")
}

/// The participant id of a Slack user or bot id.
pub fn participant_id(user: &str) -> ParticipantId {
    Participant::id_for(Channel::Slack, &participant_key(user))
}

impl SlackExport {
    /// Opens every conversation of a Slack export held at `input`.
    pub(crate) fn open_input_all(
        input: Input,
        file: &str,
        opts: &ParseOptions,
    ) -> Result<Vec<SlackExport>, ConnectorError> {
        let mut z: Zip = SafeZip::open(input.reader(file)?, file, &opts.limits.zip)?;
        let root = root_of(z.entries()).ok_or_else(|| ConnectorError::NotRecognized {
            file: file.to_owned(),
            tried: "slack (no users.json/channels.json with YYYY-MM-DD.json day folders)"
                .to_owned(),
        })?;
        let users: Vec<RawUser> = meta_list(&mut z, &root, "users.json")?;
        let mut names = HashMap::new();
        for u in &users {
            if let (Some(id), Some(d)) = (u.id.as_ref(), u.display()) {
                names.insert(id.clone(), d);
            }
        }
        let users = Arc::new(names);
        // Folder name → (kind, channel record).
        let mut by_folder: HashMap<String, (Kind, RawChannel)> = HashMap::new();
        for (list, kind) in [
            ("channels.json", Kind::Channel),
            ("groups.json", Kind::Private),
            ("mpims.json", Kind::Mpim),
            ("dms.json", Kind::Dm),
        ] {
            for c in meta_list::<RawChannel>(&mut z, &root, list)? {
                // DMs' folders are named by id, the others by name.
                let folder = match kind {
                    Kind::Dm => c.id.clone(),
                    _ => c.name.clone().or_else(|| c.id.clone()),
                };
                if let Some(folder) = folder {
                    by_folder.entry(folder).or_insert((kind, c));
                }
            }
        }
        let mut folders: HashMap<String, (Vec<String>, u64)> = HashMap::new();
        for e in z.entries() {
            if let Some((folder, _)) = day_file(&root, &e.name) {
                let slot = folders.entry(folder.to_owned()).or_default();
                slot.0.push(e.name.clone());
                slot.1 = slot.1.saturating_add(e.size);
            }
        }
        let mut order: Vec<String> = folders.keys().cloned().collect();
        order.sort();
        let single = order.len() == 1;
        let mut out = Vec::with_capacity(order.len());
        for folder in order {
            let Some((mut days, bytes)) = folders.remove(&folder) else {
                continue;
            };
            days.sort();
            let mut warnings = WarningSink::new(opts.limits.max_warnings);
            let (kind, meta) = match by_folder.remove(&folder) {
                Some(x) => x,
                None => {
                    warnings.push(
                        file,
                        None,
                        format!(
                            "folder {folder:?} is in no channel list; keyed by its folder name"
                        ),
                    );
                    (Kind::Unlisted, RawChannel::default())
                }
            };
            let channel_id = meta.id.clone().unwrap_or_else(|| folder.clone());
            let source_key = match kind {
                Kind::Unlisted => format!("slack:folder:{folder}"),
                _ => format!("slack:{channel_id}"),
            };
            let members = meta.members.unwrap_or_default();
            let member_name = |m: &String| users.get(m).cloned().unwrap_or_else(|| m.clone());
            let title = match (&opts.title, single) {
                (Some(t), true) => t.clone(),
                _ => match kind {
                    Kind::Channel | Kind::Private => format!("#{folder}"),
                    Kind::Dm => format!(
                        "DM: {}",
                        members
                            .iter()
                            .map(member_name)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    Kind::Mpim | Kind::Unlisted => folder.clone(),
                },
            };
            let participants = members
                .iter()
                .take(opts.limits.max_participants)
                .map(|m| Participant {
                    id: participant_id(m),
                    display_name: member_name(m),
                    phone: None,
                    is_self: false,
                })
                .collect();
            out.push(SlackExport {
                input: input.clone(),
                file: file.to_owned(),
                days,
                users: Arc::clone(&users),
                conversation: Conversation {
                    id: Conversation::id_for(Channel::Slack, &source_key),
                    channel: Channel::Slack,
                    title,
                    source_key,
                    custodian: opts.custodian.clone(),
                    is_group: kind != Kind::Dm,
                    participants,
                },
                channel_id,
                warnings,
                size_hint: bytes,
                tz: opts.tz.clone(),
                limits: opts.limits.clone(),
            });
        }
        Ok(out)
    }

    /// Opens the first conversation (by folder name) of an export.
    pub(crate) fn open_input(
        input: Input,
        file: &str,
        opts: &ParseOptions,
    ) -> Result<SlackExport, ConnectorError> {
        let all = Self::open_input_all(input, file, opts)?;
        crate::options::first_conversation(
            all,
            file,
            "slack (export with no conversation folders)",
            "workspace export holds",
            "conversations",
            |e| &mut e.warnings,
        )
    }

    /// The Slack channel id (`C…`, `G…`, `D…`), or the folder name when unlisted.
    pub fn channel_id(&self) -> &str {
        &self.channel_id
    }
}

/// Opens every conversation in a Slack export zip on disk.
pub fn open_all(path: &Path, opts: &ParseOptions) -> Result<Vec<SlackExport>, ConnectorError> {
    let file = path.display().to_string();
    SlackExport::open_input_all(Input::Path(path.to_path_buf()), &file, opts)
}

/// Opens every conversation in a Slack export zip held in memory.
pub fn open_all_bytes(
    name: &str,
    bytes: Vec<u8>,
    opts: &ParseOptions,
) -> Result<Vec<SlackExport>, ConnectorError> {
    SlackExport::open_input_all(Input::Bytes(Arc::new(bytes)), name, opts)
}

/// `"1459052866.000002"` → the instant (microsecond precision).
pub fn parse_ts(ts: &str) -> Option<Timestamp> {
    let (secs, frac) = ts.trim().split_once('.').unwrap_or((ts.trim(), ""));
    let secs: i64 = secs.parse().ok()?;
    if frac.len() > 9 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut nanos: i32 = 0;
    for b in frac.bytes().chain(std::iter::repeat(b'0')).take(9) {
        nanos = nanos * 10 + i32::from(b - b'0');
    }
    Timestamp::new(secs, nanos).ok()
}

/// Day files up to this size are read into memory; larger ones (a busy
/// channel's day can be tens of MB) are copied to an unnamed temporary file and
/// streamed from it, so memory stays bounded whatever a day holds.
const DAY_IN_MEMORY: u64 = 4 << 20;

/// A day file's bytes: in memory, or spooled to a temporary file.
type DayBytes = Box<dyn std::io::BufRead + Send>;
type DayReader = JsonStreamReader<DayBytes>;

use crate::json_stream::settings as day_settings;

struct Messages<'a> {
    zip: Zip,
    days: &'a [String],
    next_day: usize,
    current: Option<(DayReader, String)>,
    export: &'a str,
    users: &'a HashMap<String, String>,
    conversation: &'a ConversationId,
    tz: Option<&'a TimeZone>,
    max_message_bytes: usize,
    warnings: &'a mut WarningSink,
    tokens: usize,
    /// Reaction messages dated at their target (all of them: Slack gives no reaction time).
    reactions: u64,
    /// Reaction messages of the last message read, still to be returned.
    pending: VecDeque<Message>,
    seq: u64,
    done: bool,
}

fn str_of<'v>(v: &'v Value, k: &str) -> Option<&'v str> {
    v.get(k).and_then(Value::as_str)
}

use crate::json_stream::line as line_of;

fn file_attachment(f: &Value) -> Option<Attachment> {
    if !f.is_object() {
        return None;
    }
    let name = str_of(f, "name")
        .or_else(|| str_of(f, "title"))
        .or_else(|| str_of(f, "id"))
        .map(str::to_owned);
    let mime = str_of(f, "mimetype").unwrap_or_default();
    let kind = if mime.starts_with("image/") {
        MediaKind::Image
    } else if mime.starts_with("video/") {
        MediaKind::Video
    } else if mime.starts_with("audio/") {
        MediaKind::Audio
    } else {
        name.as_deref()
            .map(MediaKind::from_file_name)
            .unwrap_or(MediaKind::Other)
    };
    let placeholder = match str_of(f, "mode") {
        Some("tombstone") => Some("file deleted".to_owned()),
        Some("hidden_by_limit") => Some("file hidden by the plan's history limit".to_owned()),
        _ => None,
    };
    Some(Attachment {
        name,
        kind,
        included: false,
        size: f.get("size").and_then(Value::as_u64),
        content_hash: None,
        placeholder,
    })
}

impl Messages<'_> {
    fn fail(&mut self, e: ConnectorError) -> Option<Result<Message, ConnectorError>> {
        self.done = true;
        Some(Err(e))
    }

    /// Opens the next day file; `false` when none is left.
    fn open_next_day(&mut self) -> Result<bool, ConnectorError> {
        let Some(name) = self.days.get(self.next_day) else {
            return Ok(false);
        };
        self.next_day += 1;
        let label = format!("{}!/{name}", self.export);
        let entry = self
            .zip
            .entries()
            .iter()
            .find(|e| &e.name == name)
            .cloned()
            .ok_or_else(|| ConnectorError::CorruptZip {
                file: self.export.to_owned(),
                reason: format!("entry {name:?} vanished"),
            })?;
        let mut bytes: DayBytes = if entry.size <= DAY_IN_MEMORY {
            Box::new(Cursor::new(read_entry(&mut self.zip, &entry)?))
        } else {
            let mut spool = tempfile::tempfile().map_err(|e| ConnectorError::io(&label, e))?;
            let file = self.zip.file().to_owned();
            let mut r = self.zip.open_entry(entry.index)?;
            std::io::copy(&mut r, &mut spool)
                .map_err(|err| crate::zipsafe::unwrap_io_error(&file, err))?;
            drop(r);
            spool
                .seek(std::io::SeekFrom::Start(0))
                .map_err(|e| ConnectorError::io(&label, e))?;
            Box::new(BufReader::new(spool))
        };
        if bytes
            .fill_buf()
            .map_err(|e| ConnectorError::io(&label, e))?
            .starts_with(b"\xEF\xBB\xBF")
        {
            bytes.consume(3);
        }
        let mut r = JsonStreamReader::new_custom(bytes, day_settings());
        let bad = |r: &DayReader, e: &dyn std::fmt::Display| ConnectorError::Malformed {
            file: label.clone(),
            line: line_of(r),
            reason: format!("Slack day file: {e}"),
        };
        match r.peek() {
            Ok(ValueType::Array) => {}
            Ok(other) => return Err(bad(&r, &format!("expected an array, found {other:?}"))),
            Err(e) => return Err(bad(&r, &e)),
        }
        r.begin_array().map_err(|e| bad(&r, &e))?;
        self.current = Some((r, label));
        Ok(true)
    }

    fn step(&mut self) -> Option<Result<Message, ConnectorError>> {
        if let Some(m) = self.pending.pop_front() {
            return Some(Ok(m));
        }
        loop {
            if self.done {
                return None;
            }
            let Some((r, label)) = self.current.as_mut() else {
                match self.open_next_day() {
                    Ok(true) => continue,
                    Ok(false) => {
                        self.done = true;
                        if self.reactions > 0 {
                            let n = self.reactions;
                            self.warnings.push(
                                self.export,
                                None,
                                format!(
                                    "{n} reaction message(s) dated at the message they react \
                                     to: Slack exports carry no reaction time"
                                ),
                            );
                        }
                        if self.tokens > 0 {
                            let n = self.tokens;
                            self.warnings.push(
                                self.export,
                                None,
                                format!("{n} Slack access token(s) removed from file URLs"),
                            );
                        }
                        return None;
                    }
                    Err(e) => return self.fail(e),
                }
            };
            let label = label.clone();
            let bad = |r: &DayReader, e: &dyn std::fmt::Display| ConnectorError::Malformed {
                file: label.clone(),
                line: line_of(r),
                reason: format!("Slack day file: {e}"),
            };
            match r.has_next() {
                Ok(true) => {}
                Ok(false) => {
                    self.current = None;
                    continue;
                }
                Err(e) => {
                    let err = bad(r, &e);
                    return self.fail(err);
                }
            }
            if let Err(e) = r.peek() {
                let err = bad(r, &e);
                return self.fail(err);
            }
            let line = line_of(r);
            let v: Value = match r.deserialize_next() {
                Ok(v) => v,
                Err(e) => {
                    let err = bad(r, &e);
                    return self.fail(err);
                }
            };
            match self.convert(&v, &label, line) {
                Ok(m) if m.text.len() > self.max_message_bytes => {
                    return self.fail(ConnectorError::MessageTooLong {
                        file: label,
                        line,
                        limit: self.max_message_bytes,
                    });
                }
                Ok(m) => {
                    let reactions = self.reactions_of(&v, &m);
                    self.reactions += reactions.len() as u64;
                    self.seq += 1 + reactions.len() as u64;
                    self.pending.extend(reactions);
                    return Some(Ok(m));
                }
                Err(why) => self.warnings.push(&label, Some(line), why),
            }
        }
    }

    /// The reactions on `target` (read from `v`), each as its own message
    /// replying to it, numbered after it. `reactions[{name, users[], count}]`:
    /// one message per listed user, sent by that user; when `count` exceeds the
    /// listed users, one system note with the unlisted count. Slack records no
    /// reaction time: every one is dated at `target` (the caller warns once).
    /// Ids: `reaction:<ts>:<user>:<name>`, `reaction:<ts>:unlisted:<name>`.
    fn reactions_of(&self, v: &Value, target: &Message) -> Vec<Message> {
        let Some(list) = v.get("reactions").and_then(Value::as_array) else {
            return Vec::new();
        };
        let ts = str_of(v, "ts").unwrap_or_default();
        let mut out = Vec::new();
        let mut seq = target.seq + 1;
        let mut push = |id: String,
                        kind: MessageKind,
                        sender: Option<(String, ParticipantId)>,
                        text: String| {
            let (sender, sender_id) = sender.unzip();
            out.push(target.reaction_to(
                Message::native_id(self.conversation, &id),
                seq,
                kind,
                sender,
                sender_id,
                text,
            ));
            seq += 1;
        };
        for r in list {
            let Some(name) = str_of(r, "name").filter(|n| !n.is_empty()) else {
                continue;
            };
            let users: Vec<&str> = r
                .get("users")
                .and_then(Value::as_array)
                .map(|u| u.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            for u in &users {
                let display = self
                    .users
                    .get(*u)
                    .cloned()
                    .unwrap_or_else(|| (*u).to_owned());
                push(
                    format!("reaction:{ts}:{u}:{name}"),
                    MessageKind::Message,
                    Some((display, participant_id(u))),
                    format!("reacted :{name}: to a message"),
                );
            }
            let count = r.get("count").and_then(Value::as_u64).unwrap_or(0);
            let listed = users.len() as u64;
            if count > listed {
                let n = count - listed;
                let more = if listed == 0 { "" } else { " more" };
                push(
                    format!("reaction:{ts}:unlisted:{name}"),
                    MessageKind::System,
                    None,
                    format!(
                        "{n}{more} reaction(s) :{name}: to a message; the export does not list who"
                    ),
                );
            }
        }
        out
    }

    fn convert(&mut self, v: &Value, file: &str, line: u64) -> Result<Message, &'static str> {
        if !v.is_object() {
            return Err("array element that is not an object skipped");
        }
        if str_of(v, "type").is_some_and(|t| t != "message") {
            return Err("element that is not a message skipped");
        }
        let ts = str_of(v, "ts").ok_or("message without a `ts` skipped")?;
        let sent_at = parse_ts(ts).ok_or("message with an unreadable `ts` skipped")?;
        let subtype = str_of(v, "subtype");
        let user = str_of(v, "user").filter(|u| !u.is_empty());
        let bot = str_of(v, "bot_id").filter(|u| !u.is_empty());
        let profile_name = v
            .get("user_profile")
            .and_then(|p| {
                str_of(p, "display_name")
                    .filter(|s| !s.is_empty())
                    .or_else(|| str_of(p, "real_name"))
            })
            .filter(|s| !s.is_empty());
        let bot_name = str_of(v, "username")
            .or_else(|| v.get("bot_profile").and_then(|p| str_of(p, "name")))
            .filter(|s| !s.is_empty());
        let (sender, sender_id) = match (user, bot) {
            (Some(u), _) => (
                Some(
                    self.users
                        .get(u)
                        .cloned()
                        .or_else(|| profile_name.map(str::to_owned))
                        .unwrap_or_else(|| u.to_owned()),
                ),
                Some(participant_id(u)),
            ),
            (None, Some(b)) => (
                Some(bot_name.unwrap_or(b).to_owned()),
                Some(participant_id(b)),
            ),
            (None, None) => (bot_name.map(str::to_owned), None),
        };
        let raw_text = str_of(v, "text").unwrap_or_default();
        let (mut text, tokens) = text::to_plain(raw_text, self.users);
        self.tokens += tokens;
        if text.trim().is_empty()
            && let Some(blocks) = v.get("blocks").and_then(Value::as_array)
        {
            text = text::blocks_text(blocks, self.users).trim_end().to_owned();
        }
        if text.trim().is_empty()
            && let Some(atts) = v.get("attachments").and_then(Value::as_array)
        {
            let parts: Vec<String> = atts
                .iter()
                .filter_map(|a| {
                    str_of(a, "text")
                        .filter(|s| !s.is_empty())
                        .or_else(|| str_of(a, "fallback"))
                })
                .map(|s| {
                    let (t, n) = text::to_plain(s, self.users);
                    self.tokens += n;
                    t
                })
                .collect();
            text = parts.join("\n");
        }
        if let Some(c) = v.get("comment").and_then(|c| str_of(c, "comment")) {
            let (t, n) = text::to_plain(c, self.users);
            self.tokens += n;
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str(&t);
        }
        let mut attachments: Vec<Attachment> = v
            .get("files")
            .and_then(Value::as_array)
            .map(|fs| fs.iter().filter_map(file_attachment).collect())
            .unwrap_or_default();
        if let Some(a) = v.get("file").and_then(file_attachment) {
            attachments.push(a);
        }
        let deleted = subtype == Some("tombstone");
        if deleted {
            text.clear();
        }
        let kind = if subtype.is_some_and(|s| SYSTEM_SUBTYPES.contains(&s)) {
            MessageKind::System
        } else {
            MessageKind::Message
        };
        let reply_to = str_of(v, "thread_ts")
            .filter(|t| *t != ts)
            .map(|t| Message::native_id(self.conversation, t));
        let local_time = sent_at
            .to_zoned(self.tz.cloned().unwrap_or(TimeZone::UTC))
            .datetime();
        Ok(Message {
            id: Message::native_id(self.conversation, ts),
            conversation: self.conversation.clone(),
            seq: self.seq,
            kind,
            sender,
            sender_id,
            sent_at,
            local_time,
            time_source: TimeSource::NativeUtc,
            text,
            attachments,
            deleted,
            edited: v.get("edited").is_some_and(Value::is_object),
            source: SourceRef {
                file: file.into(),
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

impl ExportSource for SlackExport {
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
        let zip = SafeZip::open(self.input.reader(&self.file)?, &self.file, &self.limits.zip)?;
        Ok(Box::new(Messages {
            zip,
            days: &self.days,
            next_day: 0,
            current: None,
            export: &self.file,
            users: &self.users,
            conversation: &self.conversation.id,
            tz: self.tz.as_ref(),
            max_message_bytes: self.limits.max_message_bytes,
            warnings: &mut self.warnings,
            tokens: 0,
            reactions: 0,
            pending: VecDeque::new(),
            seq: 0,
            done: false,
        }))
    }

    fn open_attachment(&self, _name: &str) -> Result<Option<Box<dyn Read + '_>>, ConnectorError> {
        // Slack's export holds file URLs, never the files.
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ts_parses_to_microseconds() {
        let t = parse_ts("1459052866.000002").unwrap();
        assert_eq!(t.as_second(), 1_459_052_866);
        assert_eq!(t.subsec_microsecond(), 2);
        assert!(parse_ts("12.x").is_none());
        assert!(parse_ts("").is_none());
    }

    #[test]
    fn day_files_are_told_from_other_entries() {
        assert_eq!(
            day_file("", "general/2016-03-27.json"),
            Some(("general", "2016-03-27"))
        );
        assert_eq!(day_file("", "users.json"), None);
        assert_eq!(day_file("", "general/notes.json"), None);
        assert_eq!(
            day_file("x/", "x/D01/2020-01-02.json"),
            Some(("D01", "2020-01-02"))
        );
    }
}
