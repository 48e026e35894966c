//! Facebook Messenger and Instagram "Download Your Information" (DYI) JSON, and
//! the separate end-to-end-encrypted Messenger download (formats.md §4;
//! `docs/formats/messenger.md`).
//!
//! * DYI: one folder per thread (`…/messages/{inbox,archived_threads,
//!   filtered_threads,message_requests,e2ee_cutover}/<slug>_<id>/`) holding
//!   `message_1.json … message_N.json`, `message_1` the newest and each file
//!   newest first; the root is `messages/` (before 2024),
//!   `your_activity_across_facebook/messages/` (2024),
//!   `your_facebook_activity/messages/` (2025+) or
//!   `your_instagram_activity/messages/` (Instagram).
//! * E2EE "secure storage" download: flat `<Name>_<N>.json` files in a
//!   `messages` folder with camelCase fields and a shared `media/` folder.
//!
//! Read from a zip of the download, from its unpacked folder ([`open_dir`]), or
//! from one JSON file. Every string is run through the mojibake repair
//! ([`raw::repair`]). Messages are emitted oldest first (numeric file order,
//! then a stable sort on the timestamp); a thread is held in memory while it is
//! read (DYI files hold at most 10,000 messages each). Meta's exports carry no
//! message ids: ids are derived from the UTC time in milliseconds, the sender,
//! the text and attachment paths, and the occurrence index.

pub mod raw;

use crate::detect::Input;
use crate::error::ConnectorError;
use crate::options::{ParseOptions, Warning, WarningSink};
use crate::source::{ExportSource, MessageIter};
use crate::zipsafe::SafeZip;
use chatwarden_model::{
    Attachment, Channel, Conversation, MediaKind, Message, MessageKind, Participant, SourceRef,
    TimeSource,
};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use raw::{DyiMessage, DyiThread, E2eeThread};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{Cursor, Read};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

type Zip = SafeZip<Box<dyn crate::detect::ReadSeek>>;

/// Most folder levels walked below a directory given to [`open_dir`].
const MAX_DEPTH: usize = 12;

/// Which of Meta's two message exports a thread came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessengerVariant {
    /// "Download Your Information" `message_N.json` (Facebook or Instagram).
    Dyi,
    /// The end-to-end-encrypted Messenger download (`<Name>_<N>.json`, camelCase).
    E2ee,
}

/// Where the export's files are.
#[derive(Clone)]
enum Store {
    /// An unpacked folder (or the folder around a single JSON file).
    Dir,
    /// A zip of the download.
    Zip(Input, String, Arc<HashMap<String, usize>>),
    /// JSON bytes held in memory (no media reachable).
    Bytes,
}

#[derive(Clone)]
enum FileRef {
    Path(PathBuf),
    Zip(usize),
    Bytes(Arc<Vec<u8>>),
}

#[derive(Clone)]
struct ThreadFile {
    label: String,
    file: FileRef,
    /// The folder holding the file (zip entry prefix or path), for media.
    dir: String,
}

/// `message_N.json` → N.
fn message_number(file_name: &str) -> Option<u64> {
    let n = file_name.strip_prefix("message_")?.strip_suffix(".json")?;
    if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    n.parse().ok()
}

fn malformed(file: &str, line: u64, reason: impl Into<String>) -> ConnectorError {
    ConnectorError::Malformed {
        file: file.to_owned(),
        line,
        reason: reason.into(),
    }
}

fn json_err(file: &str, e: &serde_json::Error) -> ConnectorError {
    malformed(file, e.line() as u64, format!("messenger JSON: {e}"))
}

/// The first keys of a thread file, to tell the variants apart.
#[derive(Deserialize)]
struct Probe {
    #[serde(default)]
    participants: serde_json::Value,
    #[serde(default, rename = "threadName")]
    thread_name: Option<serde::de::IgnoredAny>,
    #[serde(default, rename = "timestamp_ms")]
    _ts: Option<serde::de::IgnoredAny>,
    messages: Option<serde::de::IgnoredAny>,
}

/// The variant of a thread file's bytes; `None` when it is not a thread.
fn classify(bytes: &[u8]) -> Option<MessengerVariant> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let p: Probe = serde_json::from_slice(body).ok()?;
    p.messages?;
    let strings = p
        .participants
        .as_array()
        .and_then(|a| a.first())
        .is_some_and(|v| v.is_string());
    if p.thread_name.is_some() || strings {
        Some(MessengerVariant::E2ee)
    } else {
        Some(MessengerVariant::Dyi)
    }
}

/// Whether a zip looks like a Meta messages download (any `message_N.json` in
/// a `messages` tree, or an E2EE thread file in a `messages` folder).
pub(crate) fn zip_is_messenger(
    input: &Input,
    label: &str,
    opts: &ParseOptions,
) -> Result<bool, ConnectorError> {
    let mut z: Zip = SafeZip::open(input.reader(label)?, label, &opts.limits.zip)?;
    let entries = z.entries().to_vec();
    if entries
        .iter()
        .any(|e| !e.is_dir && message_number(e.file_name()).is_some())
    {
        return Ok(true);
    }
    for e in entries
        .iter()
        .filter(|e| is_e2ee_candidate(&e.name))
        .take(4)
    {
        let bytes = read_entry(&mut z, e.index, label)?;
        if classify(&bytes) == Some(MessengerVariant::E2ee) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// A `.json` file directly in a folder named `messages` that is not `message_N.json`.
fn is_e2ee_candidate(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let Some((dir, file)) = lower.rsplit_once('/') else {
        return false;
    };
    file.ends_with(".json")
        && message_number(file).is_none()
        && (dir == "messages" || dir.ends_with("/messages"))
}

fn read_entry(z: &mut Zip, index: usize, label: &str) -> Result<Vec<u8>, ConnectorError> {
    let mut buf = Vec::new();
    let mut r = z.open_entry(index)?;
    r.read_to_end(&mut buf)
        .map_err(|err| crate::zipsafe::unwrap_io_error(label, err))?;
    Ok(buf)
}

fn parent_of(name: &str) -> &str {
    name.rsplit_once('/').map_or("", |(d, _)| d)
}

/// One Messenger or Instagram thread.
pub struct MessengerExport {
    store: Store,
    files: Vec<ThreadFile>,
    variant: MessengerVariant,
    conversation: Conversation,
    warnings: WarningSink,
    size_hint: u64,
    opts: ParseOptions,
    /// Attachment name → where its bytes are (zip entry or path).
    media: HashMap<String, FileRef>,
}

/// What a thread's files say, read once at open.
struct Parsed {
    items: Vec<Item>,
    participants: Vec<String>,
    title: Option<String>,
    thread_path: Option<String>,
    is_group_hint: Option<bool>,
    instagram: bool,
}

/// A message of either variant before it becomes a [`Message`].
struct Item {
    ts_ms: i64,
    sender: Option<String>,
    text: String,
    kind: MessageKind,
    deleted: bool,
    edited: bool,
    media: Vec<(String, MediaKind)>,
    reactions: Vec<(String, String, Option<i64>)>,
    /// Order of the file (oldest file first) and 1-based record in it.
    file_order: usize,
    record: u64,
    label: String,
}

/// Group events Messenger writes as ordinary messages (English exports).
const EVENT_PHRASES: &[&str] = &[
    " named the group ",
    " changed the group photo",
    " removed the group name",
    " created the group",
    " set the nickname for ",
    " set your nickname to ",
    " set his own nickname to ",
    " set her own nickname to ",
    " set their own nickname to ",
    " cleared the nickname for ",
    " changed the chat theme",
    " changed the theme to ",
    " set the quick reaction to ",
    " started a call",
    " started a video chat",
    " joined the call",
    " joined the video chat",
    " left the group",
    " to the group.",
    " from the group.",
    " as an admin.",
    " pinned a message",
];

fn is_group_event(sender: Option<&str>, text: &str) -> bool {
    let Some(s) = sender else { return false };
    let rest = if let Some(r) = text.strip_prefix(s) {
        r
    } else if let Some(r) = text.strip_prefix("You") {
        r
    } else {
        return false;
    };
    rest.starts_with(' ') && EVENT_PHRASES.iter().any(|p| rest.contains(p))
}

fn dyi_item(m: DyiMessage, instagram: bool, file_order: usize, record: u64, label: &str) -> Item {
    let kind_name = m.kind.as_deref().unwrap_or("Generic");
    let sender = m.sender_name.filter(|s| !s.is_empty());
    let mut text = m.content.unwrap_or_default();
    let mut kind = MessageKind::Message;
    let mut edited = false;
    match kind_name {
        "Call" => {
            kind = MessageKind::System;
            if text.is_empty() {
                text = format!("{} called", sender.as_deref().unwrap_or("someone"));
            }
            if m.missed == Some(true) {
                text.push_str(" (missed call)");
            } else if let Some(d) = m.call_duration.filter(|d| *d > 0) {
                text.push_str(&format!(" (call, {d} s)"));
            }
        }
        "Subscribe" | "Unsubscribe" => {
            kind = MessageKind::System;
            if text.is_empty() {
                let users: Vec<&str> = m
                    .users
                    .iter()
                    .filter_map(|u| u.name.as_deref())
                    .filter(|n| !n.is_empty())
                    .collect();
                let who = sender.as_deref().unwrap_or("someone");
                text = match (kind_name == "Subscribe", users.is_empty()) {
                    (true, false) => format!("{who} added {} to the group", users.join(", ")),
                    (true, true) => format!("{who} added someone to the group"),
                    // Without `users`, the one who left is the sender.
                    (false, true) => format!("{who} left the group"),
                    (false, false) => format!("{} left the group", users.join(", ")),
                };
            }
        }
        _ => {
            if is_group_event(sender.as_deref(), &text) {
                kind = MessageKind::System;
            }
        }
    }
    if let Some(share) = &m.share {
        for extra in [&share.link, &share.share_text].into_iter().flatten() {
            if !extra.is_empty() && !text.contains(extra.as_str()) {
                if !text.is_empty() {
                    text.push('\n');
                }
                text.push_str(extra);
            }
        }
    }
    // Instagram marks an edit with a suffix; the earlier version stays as its
    // own, earlier message.
    if instagram && let Some(t) = text.strip_suffix(" (edited)") {
        text = t.to_owned();
        edited = true;
    }
    let mut media = Vec::new();
    for (list, fallback) in [
        (&m.photos, MediaKind::Image),
        (&m.videos, MediaKind::Video),
        (&m.audio_files, MediaKind::Audio),
        (&m.files, MediaKind::Document),
        (&m.gifs, MediaKind::Gif),
    ] {
        for a in list {
            if let Some(uri) = a.uri.as_ref().filter(|u| !u.is_empty()) {
                let kind = match MediaKind::from_file_name(uri) {
                    MediaKind::Other | MediaKind::Document => fallback,
                    k if fallback == MediaKind::Document => k,
                    _ => fallback,
                };
                media.push((uri.clone(), kind));
            }
        }
    }
    if let Some(uri) = m.sticker.and_then(|s| s.uri).filter(|u| !u.is_empty()) {
        media.push((uri, MediaKind::Sticker));
    }
    let reactions = m
        .reactions
        .into_iter()
        .filter_map(|r| Some((r.actor?, r.reaction?, r.timestamp)))
        .collect();
    Item {
        ts_ms: m.timestamp_ms.unwrap_or(i64::MIN),
        sender,
        text,
        kind,
        deleted: m.is_unsent == Some(true),
        edited,
        media,
        reactions,
        file_order,
        record,
        label: label.to_owned(),
    }
}

fn e2ee_items(t: &mut E2eeThread, file_order: usize, label: &str) -> Vec<Item> {
    std::mem::take(&mut t.messages)
        .into_iter()
        .enumerate()
        .map(|(i, m)| {
            let sender = m.sender_name.filter(|s| !s.is_empty());
            let text = m.text.unwrap_or_default();
            let kind = if is_group_event(sender.as_deref(), &text) {
                MessageKind::System
            } else {
                MessageKind::Message
            };
            let media = m
                .media
                .into_iter()
                .filter_map(|a| a.uri.filter(|u| !u.is_empty()))
                .map(|u| {
                    let k = MediaKind::from_file_name(&u);
                    (u, k)
                })
                .collect();
            Item {
                ts_ms: m.timestamp.unwrap_or(i64::MIN),
                sender,
                text,
                kind,
                deleted: m.is_unsent == Some(true),
                edited: false,
                media,
                reactions: m
                    .reactions
                    .into_iter()
                    .filter_map(|r| Some((r.actor?, r.reaction?, None)))
                    .collect(),
                file_order,
                record: i as u64 + 1,
                label: label.to_owned(),
            }
        })
        .collect()
}

fn file_bytes(
    store: &Store,
    f: &ThreadFile,
    opts: &ParseOptions,
) -> Result<Vec<u8>, ConnectorError> {
    let limit = opts.limits.zip.max_entry_bytes;
    match (&f.file, store) {
        (FileRef::Bytes(b), _) => Ok(b.as_ref().clone()),
        (FileRef::Path(p), _) => {
            let len = std::fs::metadata(p)
                .map_err(|e| ConnectorError::io(&f.label, e))?
                .len();
            if len > limit {
                return Err(malformed(
                    &f.label,
                    1,
                    format!("messenger thread file of {len} bytes, over the limit of {limit}"),
                ));
            }
            std::fs::read(p).map_err(|e| ConnectorError::io(&f.label, e))
        }
        (FileRef::Zip(i), Store::Zip(input, label, _)) => {
            let mut z: Zip = SafeZip::open(input.reader(label)?, label, &opts.limits.zip)?;
            read_entry(&mut z, *i, label)
        }
        (FileRef::Zip(_), _) => Err(malformed(&f.label, 1, "zip entry outside a zip")),
    }
}

/// Reads every file of a thread (oldest file first) into items, sorted oldest first.
fn parse_thread(
    store: &Store,
    files: &[ThreadFile],
    variant: MessengerVariant,
    opts: &ParseOptions,
    warnings: &mut WarningSink,
    instagram_path: bool,
) -> Result<Parsed, ConnectorError> {
    let mut out = Parsed {
        items: Vec::new(),
        participants: Vec::new(),
        title: None,
        thread_path: None,
        is_group_hint: None,
        instagram: instagram_path,
    };
    let facebook_path = files.iter().any(|f| {
        [f.dir.as_str(), f.label.as_str()].iter().any(|p| {
            p.contains("your_activity_across_facebook") || p.contains("your_facebook_activity")
        })
    });
    for (order, f) in files.iter().enumerate() {
        let bytes = file_bytes(store, f, opts)?;
        let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
        match variant {
            MessengerVariant::Dyi => {
                let mut t: DyiThread =
                    serde_json::from_slice(body).map_err(|e| json_err(&f.label, &e))?;
                t.repair();
                if out.participants.is_empty() {
                    out.participants = t
                        .participants
                        .iter()
                        .filter_map(|p| p.name.clone())
                        .collect();
                }
                out.title = out.title.take().or(t.title.clone());
                out.thread_path = out.thread_path.take().or(t.thread_path.clone());
                if let Some(tt) = &t.thread_type {
                    out.is_group_hint = Some(tt == "RegularGroup");
                }
                let msgs = std::mem::take(&mut t.messages);
                // Instagram-only fields: `is_geoblocked_for_viewer`, and (outside a
                // Facebook root folder) the owner of a shared post
                // (`share.original_content_owner`), which Instagram's earlier
                // downloads (`messages/inbox/…` at the root) already wrote.
                out.instagram |= msgs.iter().any(|m| {
                    m.is_geoblocked_for_viewer.is_some()
                        || (!facebook_path
                            && m.share
                                .as_ref()
                                .is_some_and(|s| s.original_content_owner.is_some()))
                }) || msgs.iter().any(|m| {
                    m.photos.iter().chain(&m.videos).any(|p| {
                        p.uri
                            .as_deref()
                            .is_some_and(|u| u.starts_with("your_instagram_activity/"))
                    })
                });
                // Newest first in the file: reverse, keeping the record number.
                let mut items: Vec<Item> = msgs
                    .into_iter()
                    .enumerate()
                    .map(|(i, m)| dyi_item(m, out.instagram, order, i as u64 + 1, &f.label))
                    .collect();
                items.reverse();
                out.items.extend(items);
            }
            MessengerVariant::E2ee => {
                let mut t: E2eeThread =
                    serde_json::from_slice(body).map_err(|e| json_err(&f.label, &e))?;
                t.repair();
                if out.participants.is_empty() {
                    out.participants = t.participants.clone();
                }
                out.title = out.title.take().or(t.thread_name.clone());
                out.items.extend(e2ee_items(&mut t, order, &f.label));
            }
        }
    }
    if let Some(bad) = out.items.iter().find(|i| i.ts_ms == i64::MIN) {
        return Err(malformed(
            &bad.label,
            bad.record,
            format!(
                "messenger message {} has no {}",
                bad.record,
                if variant == MessengerVariant::Dyi {
                    "timestamp_ms"
                } else {
                    "timestamp"
                }
            ),
        ));
    }
    out.items.sort_by_key(|i| i.ts_ms);
    // Duplicates can straddle two files: drop an exact repeat from another file.
    let before = out.items.len();
    let mut kept: Vec<Item> = Vec::with_capacity(before);
    for item in std::mem::take(&mut out.items) {
        let dup = kept
            .iter()
            .rev()
            .take_while(|k| k.ts_ms == item.ts_ms)
            .any(|k| {
                k.file_order != item.file_order
                    && k.sender == item.sender
                    && k.text == item.text
                    && k.media == item.media
                    && k.deleted == item.deleted
            });
        if !dup {
            kept.push(item);
        }
    }
    if kept.len() < before {
        warnings.push(
            files.first().map_or("", |f| f.label.as_str()),
            None,
            format!(
                "{} message(s) repeated across message_N.json files read once",
                before - kept.len()
            ),
        );
    }
    out.items = kept;
    Ok(out)
}

/// A safe relative path (no `..`, not absolute) from an export's `uri`.
fn safe_rel(uri: &str) -> Option<PathBuf> {
    let trimmed = uri.trim_start_matches("./");
    if trimmed.is_empty() || trimmed.contains("://") {
        return None;
    }
    let p = Path::new(trimmed);
    if p.is_absolute() || p.components().any(|c| !matches!(c, Component::Normal(_))) {
        return None;
    }
    Some(p.to_path_buf())
}

/// The sections a download files a thread under. A thread keeps its `<slug>_<id>`
/// folder when it moves between them (a message request accepted into the inbox, a
/// chat archived or filtered), so its identity leaves the section out: two downloads
/// taken before and after the move hold one conversation, stored once.
const THREAD_SECTIONS: [&str; 5] = [
    "inbox",
    "archived_threads",
    "filtered_threads",
    "message_requests",
    "e2ee_cutover",
];

/// A DYI thread's identity from its `thread_path` (or folder): `inbox/benchen_3007`
/// and `message_requests/benchen_3007` are both `benchen_3007`.
fn thread_key(path: &str) -> String {
    let path = path.replace('\\', "/");
    let path = path.trim_matches('/');
    match path.split_once('/') {
        Some((section, rest)) if THREAD_SECTIONS.contains(&section) => rest.to_owned(),
        _ => path.to_owned(),
    }
}

/// Finds an attachment's bytes: in a folder, under the thread's folder or one of
/// its ancestors (DYI `uri`s are relative to the download's root); in a zip, an
/// entry that is the `uri` or ends with `/uri`.
fn locate(store: &Store, dir: &str, uri: &str) -> Option<FileRef> {
    let rel = safe_rel(uri)?;
    match store {
        Store::Dir => {
            let mut base = Some(Path::new(dir));
            for _ in 0..MAX_DEPTH {
                let b = base?;
                let full = b.join(&rel);
                if full.is_file() {
                    return Some(FileRef::Path(full));
                }
                base = b.parent();
            }
            None
        }
        Store::Zip(_, _, index) => {
            let rel = rel.to_string_lossy().replace('\\', "/");
            // The thread's folder, then each of its ancestors, then the zip's root.
            let mut base = Some(dir);
            while let Some(b) = base {
                let full = if b.is_empty() {
                    rel.clone()
                } else {
                    format!("{b}/{rel}")
                };
                if let Some(i) = index.get(&full) {
                    return Some(FileRef::Zip(*i));
                }
                base = if b.is_empty() {
                    None
                } else {
                    Some(parent_of(b))
                };
            }
            None
        }
        Store::Bytes => None,
    }
}

impl MessengerExport {
    fn build(
        store: Store,
        files: Vec<ThreadFile>,
        variant: MessengerVariant,
        opts: &ParseOptions,
        instagram_path: bool,
        size_hint: u64,
    ) -> Result<MessengerExport, ConnectorError> {
        let mut warnings = WarningSink::new(opts.limits.max_warnings);
        let parsed = parse_thread(&store, &files, variant, opts, &mut warnings, instagram_path)?;
        let channel = if parsed.instagram {
            Channel::Instagram
        } else {
            Channel::Messenger
        };
        let first = files.first().map(|f| f.label.clone()).unwrap_or_default();
        let mut names: Vec<String> = Vec::new();
        let mut seen = HashSet::new();
        // Export-time participants, then every sender and every reacting person
        // (people who left are missing from Meta's list, but their messages and
        // reactions remain).
        for n in parsed
            .participants
            .iter()
            .cloned()
            .chain(parsed.items.iter().flat_map(|i| {
                i.sender
                    .iter()
                    .cloned()
                    .chain(i.reactions.iter().map(|r| r.0.clone()))
            }))
        {
            if names.len() >= opts.limits.max_participants {
                warnings.push(
                    &first,
                    None,
                    "too many participants; the rest are not listed",
                );
                break;
            }
            if !n.is_empty() && seen.insert(n.clone()) {
                names.push(n);
            }
        }
        let folder_key = files.first().map(|f| {
            let d = f.dir.replace('\\', "/");
            let mut parts: Vec<&str> = d.rsplit('/').take(2).collect();
            parts.reverse();
            parts.join("/")
        });
        let key = match variant {
            MessengerVariant::Dyi => thread_key(
                parsed
                    .thread_path
                    .as_deref()
                    .or(folder_key.as_deref())
                    .unwrap_or_default(),
            ),
            MessengerVariant::E2ee => files
                .first()
                .and_then(|f| f.label.rsplit(['/', '\\']).next())
                .map(|n| n.trim_end_matches(".json").to_owned())
                .unwrap_or_default(),
        };
        let custodian = opts.custodian.clone().unwrap_or_default();
        let prefix = match variant {
            MessengerVariant::Dyi => channel.as_str().to_owned(),
            MessengerVariant::E2ee => "messenger-e2ee".to_owned(),
        };
        let source_key = format!("{prefix}:{custodian}:{key}");
        let title = opts.title.clone().unwrap_or_else(|| {
            parsed
                .title
                .clone()
                .filter(|t| !t.is_empty())
                .unwrap_or_else(|| names.join(", "))
        });
        let is_group = parsed
            .is_group_hint
            .unwrap_or(parsed.participants.len() > 2);
        let conversation = Conversation {
            id: Conversation::id_for(channel, &source_key),
            channel,
            title,
            source_key,
            custodian: opts.custodian.clone(),
            is_group,
            participants: names
                .into_iter()
                .map(|n| Participant {
                    id: Participant::id_for(channel, &n),
                    display_name: n,
                    phone: None,
                    is_self: false,
                })
                .collect(),
        };
        let mut media = HashMap::new();
        for item in &parsed.items {
            let dir = files
                .get(item.file_order)
                .map(|f| f.dir.as_str())
                .unwrap_or("");
            for (uri, _) in &item.media {
                if let Some(loc) = locate(&store, dir, uri) {
                    media.insert(uri.clone(), loc);
                }
            }
        }
        Ok(MessengerExport {
            store,
            files,
            variant,
            conversation,
            warnings,
            size_hint,
            opts: opts.clone(),
            media,
        })
    }

    /// Which export the thread came from.
    pub fn variant(&self) -> MessengerVariant {
        self.variant
    }

    /// Opens every thread of a zip download, or the thread of one JSON file.
    pub(crate) fn open_input_all(
        input: Input,
        label: &str,
        opts: &ParseOptions,
    ) -> Result<Vec<MessengerExport>, ConnectorError> {
        let head = input.head(label)?;
        if crate::detect::is_zip(&head) {
            return Self::open_zip(input, label, opts);
        }
        let len = input.len(label)?;
        if len > opts.limits.zip.max_entry_bytes {
            return Err(malformed(
                label,
                1,
                format!("messenger thread file of {len} bytes, over the limit"),
            ));
        }
        let mut bytes = Vec::new();
        input
            .reader(label)?
            .read_to_end(&mut bytes)
            .map_err(|e| ConnectorError::io(label, e))?;
        let variant = match classify(&bytes) {
            Some(v) => v,
            None => {
                let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
                if let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(body) {
                    return Err(json_err(label, &e));
                }
                return Err(ConnectorError::NotRecognized {
                    file: label.to_owned(),
                    tried: "messenger (JSON without `participants` and `messages`)".to_owned(),
                });
            }
        };
        let (store, file, dir) = match &input {
            Input::Path(p) => (
                Store::Dir,
                FileRef::Path(p.clone()),
                p.parent()
                    .map(|d| d.display().to_string())
                    .unwrap_or_default(),
            ),
            _ => (Store::Bytes, FileRef::Bytes(Arc::new(bytes)), String::new()),
        };
        let files = vec![ThreadFile {
            label: label.to_owned(),
            file,
            dir,
        }];
        let instagram = label.contains("your_instagram_activity");
        Ok(vec![Self::build(
            store, files, variant, opts, instagram, len,
        )?])
    }

    fn open_zip(
        input: Input,
        label: &str,
        opts: &ParseOptions,
    ) -> Result<Vec<MessengerExport>, ConnectorError> {
        let mut z: Zip = SafeZip::open(input.reader(label)?, label, &opts.limits.zip)?;
        let entries = z.entries().to_vec();
        let mut index = HashMap::new();
        for e in entries.iter().filter(|e| !e.is_dir) {
            index.insert(e.name.clone(), e.index);
        }
        let mut threads: BTreeMap<String, Vec<(u64, usize, u64)>> = BTreeMap::new();
        let mut e2ee = Vec::new();
        for e in entries.iter().filter(|e| !e.is_dir) {
            if let Some(n) = message_number(e.file_name()) {
                threads
                    .entry(parent_of(&e.name).to_owned())
                    .or_default()
                    .push((n, e.index, e.size));
            } else if is_e2ee_candidate(&e.name) {
                let bytes = read_entry(&mut z, e.index, label)?;
                if classify(&bytes) == Some(MessengerVariant::E2ee) {
                    e2ee.push((e.name.clone(), e.index, e.size));
                }
            }
        }
        drop(z);
        let store = Store::Zip(input, label.to_owned(), Arc::new(index));
        let mut out = Vec::new();
        for (dir, mut files) in threads {
            // Oldest file first: the highest N.
            files.sort_by_key(|f| std::cmp::Reverse(f.0));
            let size: u64 = files.iter().map(|f| f.2).sum();
            let files: Vec<ThreadFile> = files
                .into_iter()
                .map(|(n, i, _)| ThreadFile {
                    label: format!("{label}!/{dir}/message_{n}.json"),
                    file: FileRef::Zip(i),
                    dir: dir.clone(),
                })
                .collect();
            let instagram = dir.contains("your_instagram_activity");
            out.push(Self::build(
                store.clone(),
                files,
                MessengerVariant::Dyi,
                opts,
                instagram,
                size,
            )?);
        }
        for (name, i, size) in e2ee {
            let files = vec![ThreadFile {
                label: format!("{label}!/{name}"),
                file: FileRef::Zip(i),
                dir: parent_of(&name).to_owned(),
            }];
            out.push(Self::build(
                store.clone(),
                files,
                MessengerVariant::E2ee,
                opts,
                false,
                size,
            )?);
        }
        mark_self(&mut out);
        Ok(out)
    }

    fn convert(&mut self, parsed: Parsed) -> Vec<Message> {
        let conv = &self.conversation;
        let channel = conv.channel;
        let zone = self.opts.tz.clone().unwrap_or(TimeZone::UTC);
        let mut occurrences: HashMap<(i64, Option<String>, String), u64> = HashMap::new();
        let mut out = Vec::with_capacity(parsed.items.len());
        let mut seq = 0u64;
        for item in parsed.items {
            let Ok(sent_at) = Timestamp::from_millisecond(item.ts_ms) else {
                self.warnings.push(
                    &item.label,
                    Some(item.record),
                    "timestamp out of range; message skipped",
                );
                continue;
            };
            let utc_civil = sent_at.to_zoned(TimeZone::UTC).datetime();
            let mut id_body = item.text.clone();
            for (uri, _) in &item.media {
                id_body.push('\n');
                id_body.push_str(uri);
            }
            if item.deleted {
                id_body.push_str("\n<unsent>");
            }
            let occ_key = (item.ts_ms, item.sender.clone(), id_body.clone());
            let occ = occurrences.entry(occ_key).or_insert(0);
            let id =
                Message::derived_id(&conv.id, &utc_civil, item.sender.as_deref(), &id_body, *occ);
            *occ += 1;
            let attachments = item
                .media
                .iter()
                .map(|(uri, kind)| {
                    let included = self.media.contains_key(uri);
                    Attachment {
                        name: Some(uri.clone()),
                        kind: *kind,
                        included,
                        size: None,
                        content_hash: None,
                        placeholder: None,
                    }
                })
                .collect();
            let system = item.kind == MessageKind::System;
            let sender = if system { None } else { item.sender.clone() };
            let source = SourceRef {
                file: item.label.into(),
                line: item.record,
            };
            out.push(Message {
                id: id.clone(),
                conversation: conv.id.clone(),
                seq,
                kind: item.kind,
                sender_id: sender.as_deref().map(|s| Participant::id_for(channel, s)),
                sender,
                sent_at,
                local_time: sent_at.to_zoned(zone.clone()).datetime(),
                time_source: TimeSource::NativeUtc,
                text: item.text,
                attachments,
                deleted: item.deleted,
                edited: item.edited,
                source: source.clone(),
                reply_to: None,
                forwarded_from: None,
            });
            seq += 1;
            // Reactions: one message each from the reacting person, replying to the target.
            for (actor, reaction, ts) in item.reactions {
                let at = ts
                    .and_then(|s| Timestamp::from_second(s).ok())
                    .unwrap_or(sent_at);
                out.push(Message {
                    id: Message::native_id(
                        &conv.id,
                        &format!("reaction:{}:{actor}:{reaction}", id.as_str()),
                    ),
                    conversation: conv.id.clone(),
                    seq,
                    kind: MessageKind::Message,
                    sender_id: Some(Participant::id_for(channel, &actor)),
                    sender: Some(actor),
                    sent_at: at,
                    local_time: at.to_zoned(zone.clone()).datetime(),
                    time_source: TimeSource::NativeUtc,
                    text: format!("reacted {reaction} to a message"),
                    attachments: Vec::new(),
                    deleted: false,
                    edited: false,
                    source: source.clone(),
                    reply_to: Some(id.clone()),
                    forwarded_from: None,
                });
                seq += 1;
            }
        }
        out
    }
}

/// Marks as self the one name present in every thread (the person who made the
/// download), when there are at least two threads.
fn mark_self(threads: &mut [MessengerExport]) {
    if threads.len() < 2 {
        return;
    }
    let mut common: Option<HashSet<String>> = None;
    for t in threads.iter() {
        let names: HashSet<String> = t
            .conversation
            .participants
            .iter()
            .map(|p| p.display_name.clone())
            .collect();
        common = Some(match common {
            None => names,
            Some(c) => c.intersection(&names).cloned().collect(),
        });
    }
    let Some(common) = common else { return };
    if common.len() != 1 {
        return;
    }
    for t in threads.iter_mut() {
        for p in &mut t.conversation.participants {
            if common.contains(&p.display_name) {
                p.is_self = true;
            }
        }
    }
}

/// Opens every thread of an unpacked download folder (any of the layouts; DYI
/// threads and E2EE files).
pub fn open_dir(dir: &Path, opts: &ParseOptions) -> Result<Vec<MessengerExport>, ConnectorError> {
    let label = dir.display().to_string();
    let mut threads: BTreeMap<PathBuf, Vec<(u64, PathBuf, u64)>> = BTreeMap::new();
    let mut e2ee: Vec<(PathBuf, u64)> = Vec::new();
    let mut stack = vec![(dir.to_path_buf(), 0usize)];
    let mut seen_entries = 0usize;
    while let Some((d, depth)) = stack.pop() {
        let rd =
            std::fs::read_dir(&d).map_err(|e| ConnectorError::io(&d.display().to_string(), e))?;
        for entry in rd {
            let entry = entry.map_err(|e| ConnectorError::io(&d.display().to_string(), e))?;
            seen_entries += 1;
            if seen_entries > opts.limits.zip.max_entries {
                return Err(ConnectorError::ZipLimit {
                    file: label.clone(),
                    entry: None,
                    reason: format!(
                        "more than {} files and folders",
                        opts.limits.zip.max_entries
                    ),
                });
            }
            let ft = entry
                .file_type()
                .map_err(|e| ConnectorError::io(&entry.path().display().to_string(), e))?;
            let path = entry.path();
            if ft.is_dir() {
                if depth < MAX_DEPTH {
                    stack.push((path, depth + 1));
                }
                continue;
            }
            if !ft.is_file() {
                continue;
            }
            let name = entry.file_name().to_string_lossy().into_owned();
            let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
            if let Some(n) = message_number(&name) {
                threads.entry(d.clone()).or_default().push((n, path, size));
            } else {
                let rel = path
                    .strip_prefix(dir)
                    .map(|p| p.to_string_lossy().replace('\\', "/"))
                    .unwrap_or_default();
                let candidate = is_e2ee_candidate(&rel)
                    || (rel == name.to_ascii_lowercase()
                        && name.ends_with(".json")
                        && dir
                            .file_name()
                            .is_some_and(|f| f.eq_ignore_ascii_case("messages")));
                if candidate && size <= opts.limits.zip.max_entry_bytes {
                    let bytes = std::fs::read(&path)
                        .map_err(|e| ConnectorError::io(&path.display().to_string(), e))?;
                    if classify(&bytes) == Some(MessengerVariant::E2ee) {
                        e2ee.push((path, size));
                    }
                }
            }
        }
    }
    let mut out = Vec::new();
    for (d, mut files) in threads {
        files.sort_by_key(|f| std::cmp::Reverse(f.0));
        let size = files.iter().map(|f| f.2).sum();
        let files: Vec<ThreadFile> = files
            .into_iter()
            .map(|(_, p, _)| ThreadFile {
                label: p.display().to_string(),
                file: FileRef::Path(p),
                dir: d.display().to_string(),
            })
            .collect();
        let instagram = d.to_string_lossy().contains("your_instagram_activity");
        out.push(MessengerExport::build(
            Store::Dir,
            files,
            MessengerVariant::Dyi,
            opts,
            instagram,
            size,
        )?);
    }
    e2ee.sort();
    for (p, size) in e2ee {
        let files = vec![ThreadFile {
            label: p.display().to_string(),
            dir: p
                .parent()
                .map(|d| d.display().to_string())
                .unwrap_or_default(),
            file: FileRef::Path(p),
        }];
        out.push(MessengerExport::build(
            Store::Dir,
            files,
            MessengerVariant::E2ee,
            opts,
            false,
            size,
        )?);
    }
    if out.is_empty() {
        return Err(ConnectorError::NotRecognized {
            file: label,
            tried: "messenger (a folder without message_N.json or E2EE thread files)".to_owned(),
        });
    }
    mark_self(&mut out);
    Ok(out)
}

/// Opens a Messenger/Instagram zip, thread folder or JSON file on disk.
pub fn open_path(path: &Path, opts: &ParseOptions) -> Result<Vec<MessengerExport>, ConnectorError> {
    if path.is_dir() {
        return open_dir(path, opts);
    }
    MessengerExport::open_input_all(
        Input::Path(path.to_path_buf()),
        &path.display().to_string(),
        opts,
    )
}

impl ExportSource for MessengerExport {
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
        let mut scratch = WarningSink::new(0);
        let parsed = parse_thread(
            &self.store,
            &self.files,
            self.variant,
            &self.opts,
            &mut scratch,
            self.conversation.channel == Channel::Instagram,
        )?;
        let msgs = self.convert(parsed);
        Ok(Box::new(msgs.into_iter().map(Ok)))
    }

    fn open_attachment(&self, name: &str) -> Result<Option<Box<dyn Read + '_>>, ConnectorError> {
        match (self.media.get(name), &self.store) {
            (Some(FileRef::Path(p)), _) => {
                let f = std::fs::File::open(p)
                    .map_err(|e| ConnectorError::io(&p.display().to_string(), e))?;
                Ok(Some(Box::new(f)))
            }
            (Some(FileRef::Zip(i)), Store::Zip(input, label, _)) => {
                let mut z: Zip = SafeZip::open(input.reader(label)?, label, &self.opts.limits.zip)?;
                let bytes = read_entry(&mut z, *i, label)?;
                Ok(Some(Box::new(Cursor::new(bytes))))
            }
            _ => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_numbers_and_candidates() {
        assert_eq!(message_number("message_10.json"), Some(10));
        assert_eq!(message_number("message_.json"), None);
        assert_eq!(message_number("message_1.html"), None);
        assert!(is_e2ee_candidate(
            "your_activity_across_facebook/messages/alice_1.json"
        ));
        assert!(is_e2ee_candidate("messages/Bob_2.json"));
        assert!(!is_e2ee_candidate("messages/inbox/a/message_1.json"));
        assert!(!is_e2ee_candidate("other/alice_1.json"));
    }

    #[test]
    fn group_events_need_the_sender_first() {
        assert!(is_group_event(Some("Ana"), "Ana named the group Crew."));
        assert!(is_group_event(Some("Ana"), "You named the group Crew."));
        assert!(!is_group_event(Some("Ana"), "Bob named the group Crew."));
        assert!(!is_group_event(Some("Ana"), "Ana thinks we should go"));
    }
}
