//! iMessage / SMS as written by ReagentX/imessage-exporter (formats.md §13;
//! `docs/formats/imessage.md`): its text output ([`text`]) and its HTML output
//! ([`html`]), one file per chat.
//!
//! ```text
//! May 17, 2022  5:29:42 PM (Read by you after 1 hour, 49 seconds)
//! Sample Contact
//! Hello world
//! Tapbacks:
//!     Loved by Me
//!     May 17, 2022  5:31:02 PM                (a reply, indented four spaces)
//!     Me
//!     what time?
//!
//! May 17, 2022  5:40:00 PM You named the conversation Falcon   (an announcement)
//! ```
//!
//! The HTML output carries the same content in `div.message > div.sent|received`
//! blocks, with each message's GUID in its timestamp link
//! (`sms://open?message-guid=…`): those GUIDs become native ids; the text output
//! has none, so ids are derived as for WhatsApp. Times are the exporter's local
//! wall clock with no zone: `--tz` applies, else UTC marked assumed.
//!
//! Both outputs print a reply twice: inside its thread (indented, or in
//! `div.replies`) and again at its own place with "This message responded to an
//! earlier message." The thread copy is kept (it says what it replies to); the
//! second copy is skipped when it was seen in a thread.
//!
//! Tapbacks become their own messages from the reacting person, replying to
//! their target (as Messenger reactions do). An edited message keeps its last
//! text and `edited`; each earlier version is stored as its own message, marked
//! deleted and replying to it, so text that was edited away is still inspected.

mod html;
mod text;

use crate::detect::Input;
use crate::error::ConnectorError;
use crate::lines::LineReader;
use crate::options::{ParseOptions, Warning, WarningSink};
use crate::source::{ExportSource, MessageIter};
use chatwarden_model::{
    Attachment, Channel, Conversation, MediaKind, Message, MessageId, MessageKind, Participant,
    SourceRef, TimeSource,
};
use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use std::collections::{HashMap, HashSet, VecDeque};
use std::hash::{Hash, Hasher};
use std::io::{BufReader, Read};
use std::path::{Component, Path, PathBuf};

/// Largest HTML export read (it is parsed whole). A bigger file is refused with
/// an error naming it; the text output of the same chat streams with no cap.
pub const MAX_HTML_BYTES: u64 = 64 << 20;

/// Deepest nesting of replies followed (the exporter writes one level).
const MAX_DEPTH: usize = 8;

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Leading ASCII digits of `s` (at most `max`) as a number, and the rest.
fn digits(s: &str, max: usize) -> Option<(i32, &str)> {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    if end == 0 || end > max {
        return None;
    }
    Some((s.get(..end)?.parse().ok()?, s.get(end..)?))
}

/// A time as imessage-exporter writes it (`%b %d, %Y %l:%M:%S %p`, e.g.
/// `May 17, 2022  5:29:42 PM`, the double space from the padded hour) at the
/// start of `s`, and what follows it.
pub(crate) fn parse_stamp(s: &str) -> Option<(DateTime, &str)> {
    let month = s.get(..3)?;
    let m = MONTHS.iter().position(|x| *x == month)?;
    let rest = s.get(3..)?.strip_prefix(' ')?.trim_start_matches(' ');
    let (day, rest) = digits(rest, 2)?;
    let rest = rest.strip_prefix(',')?.trim_start_matches(' ');
    let (year, rest) = digits(rest, 4)?;
    let rest = rest.strip_prefix(' ')?.trim_start_matches(' ');
    let (hour, rest) = digits(rest, 2)?;
    let (minute, rest) = digits(rest.strip_prefix(':')?, 2)?;
    let (second, rest) = digits(rest.strip_prefix(':')?, 2)?;
    let rest = rest.strip_prefix(' ')?;
    let (pm, rest) = match (rest.get(..2), rest.get(2..)) {
        (Some("PM"), Some(r)) => (true, r),
        (Some("AM"), Some(r)) => (false, r),
        _ => return None,
    };
    if !(1..=12).contains(&hour) || !rest.is_empty() && !rest.starts_with(' ') {
        return None;
    }
    let hour = hour % 12 + if pm { 12 } else { 0 };
    let date = jiff::civil::Date::new(
        i16::try_from(year).ok()?,
        i8::try_from(m + 1).ok()?,
        i8::try_from(day).ok()?,
    )
    .ok()?;
    let time = jiff::civil::Time::new(
        i8::try_from(hour).ok()?,
        i8::try_from(minute).ok()?,
        i8::try_from(second).ok()?,
        0,
    )
    .ok()?;
    Some((date.to_datetime(time), rest))
}

/// What follows a message's time on its first line: nothing, or a read receipt
/// (`(Read by you after 1 hour, 49 seconds)`). Anything else makes the line an
/// announcement.
fn is_receipt(rest: &str) -> bool {
    let r = rest.trim();
    r.is_empty() || (r.starts_with("(Read by ") && r.ends_with(')'))
}

/// A message's first line: its time, and whether the receipt says "them" (the
/// message was sent by the person who exported).
pub(crate) fn parse_header(line: &str) -> Option<(DateTime, bool)> {
    let (t, rest) = parse_stamp(line)?;
    is_receipt(rest).then(|| (t, rest.trim().starts_with("(Read by them ")))
}

/// Seconds in the exporter's readable time differences (`1 hour, 49 seconds`,
/// `2 days, 3 minutes`).
pub(crate) fn parse_diff(s: &str) -> Option<i64> {
    let mut total = 0i64;
    for piece in s.split(',') {
        let mut words = piece.split_whitespace();
        let n: i64 = words.next()?.parse().ok()?;
        let unit = match words.next()?.trim_end_matches('s') {
            "day" => 86_400,
            "hour" => 3_600,
            "minute" => 60,
            "second" => 1,
            _ => return None,
        };
        if words.next().is_some() {
            return None;
        }
        total = total.checked_add(n.checked_mul(unit)?)?;
    }
    Some(total)
}

/// `t` moved on by `secs` (left as is when that leaves the calendar).
fn later(t: DateTime, secs: Option<i64>) -> DateTime {
    secs.and_then(|s| t.checked_add(jiff::SignedDuration::from_secs(s)).ok())
        .unwrap_or(t)
}

/// A tapback as written (`Loved by Me`, `☕️ by Sample Contact`,
/// `Sticker from Me: path`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Tapback {
    pub who: String,
    /// `Loved`, `Liked`, …, an emoji, or `sticker`.
    pub what: String,
    /// The sticker file, for a sticker tapback.
    pub sticker: Option<String>,
}

const TAPBACK_WORDS: [&str; 6] = [
    "Loved",
    "Liked",
    "Disliked",
    "Laughed",
    "Emphasized",
    "Questioned",
];

pub(crate) fn parse_tapback(s: &str) -> Option<Tapback> {
    let s = s.trim();
    if let Some((who, path)) = sticker_line(s) {
        return Some(Tapback {
            who,
            what: "sticker".to_owned(),
            sticker: path,
        });
    }
    let (what, who) = s.split_once(" by ")?;
    let who = who.trim();
    let classic = TAPBACK_WORDS.contains(&what);
    let emoji = !what.is_empty()
        && what.chars().count() <= 8
        && !what
            .chars()
            .any(|c| c.is_alphanumeric() || c.is_whitespace());
    (!who.is_empty() && (classic || emoji)).then(|| Tapback {
        who: who.to_owned(),
        what: what.to_owned(),
        sticker: None,
    })
}

/// `[Effect ]Sticker from WHO: PATH[ (App: …)]` or `Sticker from WHO not found!`:
/// who sent it, and the file when named.
pub(crate) fn sticker_line(s: &str) -> Option<(String, Option<String>)> {
    let at = s.find("Sticker from ")?;
    let before = s.get(..at)?;
    if before.split_whitespace().count() > 2 {
        return None;
    }
    let rest = s.get(at + "Sticker from ".len()..)?;
    if let Some(who) = rest.strip_suffix(" not found!") {
        return Some((who.to_owned(), None));
    }
    let (who, path) = rest.split_once(": ")?;
    let path = match path.find(" (") {
        Some(i) if path.ends_with(')') || path.contains(") from ") => path.get(..i)?,
        _ => path,
    };
    Some((who.trim().to_owned(), Some(path.trim().to_owned())))
}

/// A line that is only an attachment's path: an absolute or home path, a path
/// under `attachments/` (copied by the exporter), or an iOS backup's hashed
/// file (`33/33c81d…`).
pub(crate) fn is_attachment_path(s: &str) -> bool {
    let s = s.trim();
    if s.is_empty() || s.contains("://") || s.ends_with('/') {
        return false;
    }
    if let Some((dir, hash)) = s.split_once('/')
        && dir.len() == 2
        && hash.len() == 40
        && s.chars().all(|c| c == '/' || c.is_ascii_hexdigit())
    {
        return true;
    }
    let rooted = s.starts_with('/')
        || s.starts_with("~/")
        || s.to_ascii_lowercase().starts_with("attachments/")
        || s.contains("/Attachments/");
    let has_ext = s
        .rsplit('/')
        .next()
        .and_then(|n| n.rsplit_once('.'))
        .is_some_and(|(stem, ext)| {
            !stem.is_empty()
                && (1..=5).contains(&ext.len())
                && ext.chars().all(char::is_alphanumeric)
        });
    rooted && has_ext
}

/// `<who> unsent this message part!` / `… part 3 seconds after sending!`.
pub(crate) fn is_unsent_line(s: &str) -> bool {
    let s = s.trim();
    s.ends_with(" unsent this message part!")
        || (s.contains(" unsent this message part ") && s.ends_with(" after sending!"))
}

/// Send effects the exporter notes under a message (`Sent with Confetti`).
pub(crate) fn is_expressive(s: &str) -> bool {
    const EFFECTS: [&str; 14] = [
        "Confetti",
        "Echo",
        "Fireworks",
        "Balloons",
        "Heart",
        "Lasers",
        "Shooting Star",
        "Shooting Start",
        "Sparkles",
        "Spotlight",
        "Slam",
        "Loud",
        "Gentle",
        "Invisible Ink",
    ];
    s.trim()
        .strip_prefix("Sent with ")
        .is_some_and(|e| EFFECTS.contains(&e))
}

/// Announcement wordings that only a group chat has.
fn is_group_announcement(text: &str) -> bool {
    [
        " named the conversation",
        " renamed the conversation",
        " to the conversation.",
        " from the conversation.",
        " left the conversation.",
        " the group photo.",
    ]
    .iter()
    .any(|p| text.contains(p))
}

/// One part of a message's body.
#[derive(Clone, Debug)]
pub(crate) enum Part {
    Text(String),
    /// An edited part: every version with the time it was written, oldest first.
    Edited(Vec<(DateTime, String)>),
}

/// An attachment as named in the export.
#[derive(Clone, Debug, Default)]
pub(crate) struct Att {
    pub path: Option<String>,
    pub placeholder: Option<String>,
    pub sticker: bool,
}

/// A message (or announcement) as read from either output, before ids and UTC.
#[derive(Clone, Debug)]
pub(crate) struct Item {
    pub line: u64,
    pub local: DateTime,
    pub announcement: bool,
    pub sender: Option<String>,
    pub from_me: bool,
    pub guid: Option<String>,
    pub parts: Vec<Part>,
    pub attachments: Vec<Att>,
    /// "This message was deleted from the conversation!", or every part unsent.
    pub deleted: bool,
    /// Some part was unsent.
    pub unsent: bool,
    /// "This message responded to an earlier message."
    pub is_reply: bool,
    pub tapbacks: Vec<Tapback>,
    pub replies: Vec<Item>,
}

impl Item {
    pub(crate) fn new(line: u64, local: DateTime) -> Item {
        Item {
            line,
            local,
            announcement: false,
            sender: None,
            from_me: false,
            guid: None,
            parts: Vec::new(),
            attachments: Vec::new(),
            deleted: false,
            unsent: false,
            is_reply: false,
            tapbacks: Vec::new(),
            replies: Vec::new(),
        }
    }

    /// The text as it reads now (last version of edited parts).
    fn final_text(&self) -> String {
        self.join(|v| v.last())
    }

    /// The text as first sent (first version of edited parts): the id's basis,
    /// so an edit made between two exports does not change the id.
    fn original_text(&self) -> String {
        self.join(|v| v.first())
    }

    fn join(&self, pick: impl Fn(&[(DateTime, String)]) -> Option<&(DateTime, String)>) -> String {
        let mut out = String::new();
        for p in &self.parts {
            let t = match p {
                Part::Text(t) => t.as_str(),
                Part::Edited(v) => pick(v).map_or("", |(_, t)| t.as_str()),
            };
            if t.is_empty() {
                continue;
            }
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(t);
        }
        out
    }

    /// Settles `deleted` once every part is known: a message whose parts were
    /// all unsent is a tombstone.
    pub(crate) fn finish(&mut self) {
        if self.unsent && self.final_text().is_empty() && self.attachments.is_empty() {
            self.deleted = true;
        }
    }

    /// Who appears in this item and its thread: (name, is self).
    fn people(&self, out: &mut Vec<(String, bool)>) {
        if let Some(s) = &self.sender {
            out.push((s.clone(), self.from_me || s == "Me"));
        }
        for t in &self.tapbacks {
            out.push((t.who.clone(), t.who == "Me"));
        }
        for r in &self.replies {
            r.people(out);
        }
    }

    fn is_group_hint(&self) -> bool {
        self.announcement
            && self
                .parts
                .iter()
                .any(|p| matches!(p, Part::Text(t) if is_group_announcement(t)))
    }

    /// Attachment paths named, for the included-file check.
    fn paths(&self, out: &mut Vec<String>) {
        out.extend(self.attachments.iter().filter_map(|a| a.path.clone()));
        out.extend(self.tapbacks.iter().filter_map(|t| t.sticker.clone()));
        for r in &self.replies {
            r.paths(out);
        }
    }
}

/// A path named in the export as a safe relative path (no `..`, not absolute).
fn safe_rel(path: &str) -> Option<PathBuf> {
    let trimmed = path.trim_start_matches("./");
    if trimmed.is_empty() || trimmed.contains("://") {
        return None;
    }
    let p = Path::new(trimmed);
    if p.is_absolute() || p.components().any(|c| !matches!(c, Component::Normal(_))) {
        return None;
    }
    Some(p.to_path_buf())
}

/// The file an attachment path names, when it is a relative path to a regular
/// file inside `base` (the export's folder; symlinks leading out are refused).
fn resolve(base: &Path, path: &str) -> Option<PathBuf> {
    let full = base.join(safe_rel(path)?);
    let real = full.canonicalize().ok()?;
    let root = base.canonicalize().ok()?;
    (real.starts_with(&root) && real.is_file()).then_some(real)
}

/// Turns items into messages: ids, UTC times, tapbacks, edit versions, threads.
struct Converter {
    conv: Conversation,
    file: String,
    tz: Option<TimeZone>,
    included: HashSet<String>,
    seq: u64,
    occurrences: HashMap<u64, u64>,
    /// Replies already stored from a thread (their second copy is skipped).
    threaded: HashSet<u64>,
}

fn key_hash(parts: &[&str]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for p in parts {
        p.hash(&mut h);
    }
    h.finish()
}

impl Converter {
    fn instant(
        &self,
        local: DateTime,
        line: u64,
    ) -> Result<(Timestamp, TimeSource), ConnectorError> {
        match crate::whatsapp::dates::instant(local, self.tz.as_ref()) {
            Some((t, s, _)) => Ok((t, s)),
            None => Err(ConnectorError::Malformed {
                file: self.file.clone(),
                line,
                reason: "iMessage: time out of range".to_owned(),
            }),
        }
    }

    fn attachment(&self, a: &Att) -> Attachment {
        let kind = match (&a.path, a.sticker) {
            (_, true) => MediaKind::Sticker,
            (Some(p), false) => MediaKind::from_file_name(p),
            (None, false) => MediaKind::Other,
        };
        Attachment {
            name: a.path.clone(),
            kind,
            included: a.path.as_ref().is_some_and(|p| self.included.contains(p)),
            size: None,
            content_hash: None,
            placeholder: a.placeholder.clone(),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        out: &mut VecDeque<Message>,
        id: MessageId,
        kind: MessageKind,
        sender: Option<String>,
        local: DateTime,
        line: u64,
        text: String,
        attachments: Vec<Attachment>,
        flags: (bool, bool),
        reply_to: Option<MessageId>,
    ) -> Result<(), ConnectorError> {
        let (sent_at, time_source) = self.instant(local, line)?;
        out.push_back(Message {
            id,
            conversation: self.conv.id.clone(),
            seq: self.seq,
            kind,
            sender_id: sender
                .as_deref()
                .map(|s| Participant::id_for(Channel::Imessage, s)),
            sender,
            sent_at,
            local_time: local,
            time_source,
            text,
            attachments,
            deleted: flags.0,
            edited: flags.1,
            source: SourceRef {
                file: self.file.as_str().into(),
                line,
            },
            reply_to,
            forwarded_from: None,
        });
        self.seq += 1;
        Ok(())
    }

    /// Appends the messages of `item` (and its thread) to `out`.
    fn emit(
        &mut self,
        item: Item,
        parent: Option<&MessageId>,
        out: &mut VecDeque<Message>,
    ) -> Result<(), ConnectorError> {
        let original = item.original_text();
        let names: Vec<&str> = item
            .attachments
            .iter()
            .map(|a| a.path.as_deref().or(a.placeholder.as_deref()).unwrap_or(""))
            .collect();
        let mut id_body = original.clone();
        for n in &names {
            id_body.push('\n');
            id_body.push_str(n);
        }
        let local_text = item.local.to_string();
        let sender = if item.announcement {
            None
        } else {
            item.sender.clone()
        };
        let dedup = match &item.guid {
            Some(g) => key_hash(&["guid", g]),
            None => key_hash(&[&local_text, sender.as_deref().unwrap_or(""), &id_body]),
        };
        if parent.is_some() {
            self.threaded.insert(dedup);
        } else if item.is_reply && self.threaded.contains(&dedup) {
            return Ok(());
        }
        let id = match &item.guid {
            Some(g) => Message::native_id(&self.conv.id, g),
            None => {
                let occ = self.occurrences.entry(dedup).or_insert(0);
                let id = Message::derived_id(
                    &self.conv.id,
                    &item.local,
                    sender.as_deref(),
                    &id_body,
                    *occ,
                );
                *occ += 1;
                id
            }
        };
        let kind = if item.announcement {
            MessageKind::System
        } else {
            MessageKind::Message
        };
        let edited = item.parts.iter().any(|p| matches!(p, Part::Edited(_)));
        let attachments = item
            .attachments
            .iter()
            .map(|a| self.attachment(a))
            .collect();
        self.push(
            out,
            id.clone(),
            kind,
            sender.clone(),
            item.local,
            item.line,
            item.final_text(),
            attachments,
            (item.deleted, edited),
            parent.cloned(),
        )?;
        // Earlier versions of edited parts: their text is evidence too.
        for (p, part) in item.parts.iter().enumerate() {
            let Part::Edited(versions) = part else {
                continue;
            };
            for (i, (at, text)) in versions
                .iter()
                .enumerate()
                .take(versions.len().saturating_sub(1))
            {
                self.push(
                    out,
                    Message::native_id(&self.conv.id, &format!("edit:{}:{p}:{i}", id.as_str())),
                    MessageKind::Message,
                    sender.clone(),
                    *at,
                    item.line,
                    text.clone(),
                    Vec::new(),
                    (true, false),
                    Some(id.clone()),
                )?;
            }
        }
        let mut seen = HashSet::new();
        for t in &item.tapbacks {
            if !seen.insert((t.who.clone(), t.what.clone())) {
                continue;
            }
            let text = match (t.what.as_str(), TAPBACK_WORDS.contains(&t.what.as_str())) {
                ("sticker", _) => "reacted with a sticker".to_owned(),
                (w, true) => format!("{w} a message"),
                (w, false) => format!("reacted {w} to a message"),
            };
            let attachments = t
                .sticker
                .iter()
                .map(|p| {
                    self.attachment(&Att {
                        path: Some(p.clone()),
                        placeholder: None,
                        sticker: true,
                    })
                })
                .collect();
            self.push(
                out,
                Message::native_id(
                    &self.conv.id,
                    &format!("tapback:{}:{}:{}", id.as_str(), t.who, t.what),
                ),
                MessageKind::Message,
                Some(t.who.clone()),
                item.local,
                item.line,
                text,
                attachments,
                (false, false),
                Some(id.clone()),
            )?;
        }
        for r in item.replies {
            self.emit(r, Some(&id), out)?;
        }
        Ok(())
    }
}

/// Whether the first bytes look like imessage-exporter's text output: the first
/// line is a message time (then a sender line) or a timed announcement.
pub(crate) fn looks_like_text(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(head);
    let text = text.trim_start_matches('\u{feff}');
    let mut lines = text.lines().skip_while(|l| l.trim().is_empty());
    let Some(first) = lines.next() else {
        return false;
    };
    let Some((_, rest)) = parse_stamp(first.trim_end_matches('\r')) else {
        return false;
    };
    if is_receipt(rest) {
        // A sender line must follow.
        lines
            .next()
            .is_some_and(|l| !l.trim().is_empty() && !l.starts_with(' '))
    } else {
        rest.split_whitespace().count() >= 2
    }
}

/// Whether the first bytes are an HTML document.
pub(crate) fn looks_like_any_html(head: &[u8]) -> bool {
    let start = String::from_utf8_lossy(head.get(..head.len().min(1024)).unwrap_or_default())
        .trim_start_matches('\u{feff}')
        .trim_start()
        .to_ascii_lowercase();
    start.starts_with("<html") || start.starts_with("<!doctype html")
}

/// Whether the first bytes are imessage-exporter's HTML output.
pub(crate) fn looks_like_html(head: &[u8]) -> bool {
    if !looks_like_any_html(head) {
        return false;
    }
    let text = String::from_utf8_lossy(head);
    text.contains("sms://open?message-guid=")
        || text.contains("class =\"announcement\"")
        || (text.contains("<div class=\"message\"")
            && (text.contains("<div class=\"sent") || text.contains("<div class=\"received\"")))
        || (text.contains(".message .sent") && text.contains(".message .received"))
}

/// Which output a file is.
enum Body {
    Text,
    /// The HTML, parsed once at open.
    Html(Vec<Item>),
}

/// One chat exported by imessage-exporter, as text or HTML.
pub struct ImessageExport {
    input: Input,
    file: String,
    conversation: Conversation,
    warnings: WarningSink,
    size_hint: u64,
    opts: ParseOptions,
    body: Body,
    /// The export's folder, for attachments copied beside it.
    base: Option<PathBuf>,
    /// Attachment paths whose files are present.
    included: HashSet<String>,
}

type Lines = LineReader<BufReader<Box<dyn crate::detect::ReadSeek>>>;

fn open_lines(input: &Input, file: &str, opts: &ParseOptions) -> Result<Lines, ConnectorError> {
    Ok(LineReader::new(
        BufReader::new(input.reader(file)?),
        file,
        opts.limits.max_line_bytes,
    ))
}

impl ImessageExport {
    /// Opens an export; `html` picks the output (else the text output).
    pub(crate) fn open_input(
        input: Input,
        file: &str,
        opts: &ParseOptions,
        html: bool,
    ) -> Result<ImessageExport, ConnectorError> {
        let mut warnings = WarningSink::new(opts.limits.max_warnings);
        let size = input.len(file)?;
        let mut people: Vec<(String, bool)> = Vec::new();
        let mut paths: Vec<String> = Vec::new();
        let mut group = false;
        let mut count = 0u64;
        let body = if html {
            let too_big = |size: u64| ConnectorError::Malformed {
                file: file.to_owned(),
                line: 1,
                reason: format!(
                    "iMessage HTML export of {size} bytes is larger than the {MAX_HTML_BYTES}-byte \
                     cap for HTML (export the chat as text instead: it is streamed)"
                ),
            };
            if size > MAX_HTML_BYTES {
                return Err(too_big(size));
            }
            let mut bytes = Vec::new();
            input
                .reader(file)?
                .take(MAX_HTML_BYTES + 1)
                .read_to_end(&mut bytes)
                .map_err(|e| ConnectorError::io(file, e))?;
            if bytes.len() as u64 > MAX_HTML_BYTES {
                // The file grew after its size was read.
                return Err(too_big(bytes.len() as u64));
            }
            let doc = match String::from_utf8(bytes) {
                Ok(s) => s,
                Err(e) => {
                    let good = e.utf8_error().valid_up_to();
                    let line = e
                        .as_bytes()
                        .get(..good)
                        .map_or(0, |b| memchr::memchr_iter(b'\n', b).count() as u64)
                        + 1;
                    return Err(ConnectorError::InvalidUtf8 {
                        file: file.to_owned(),
                        line,
                    });
                }
            };
            let items = html::parse(&doc, file, &mut warnings)?;
            for it in &items {
                count += 1;
                it.people(&mut people);
                it.paths(&mut paths);
                group |= it.is_group_hint();
            }
            Body::Html(items)
        } else {
            let mut records = text::Records::new(open_lines(&input, file, opts)?, file, opts);
            while let Some(rec) = records.next_record()? {
                let Some(it) = text::parse_record(&rec, 0, file, &mut warnings)? else {
                    continue;
                };
                count += 1;
                it.people(&mut people);
                it.paths(&mut paths);
                group |= it.is_group_hint();
            }
            Body::Text
        };
        if count == 0 {
            return Err(ConnectorError::NotRecognized {
                file: file.to_owned(),
                tried: "imessage (no message: a time line such as `May 17, 2022  5:29:42 PM` \
                        followed by a sender)"
                    .to_owned(),
            });
        }
        let base = match &input {
            Input::Path(p) => p.parent().map(|d| {
                if d.as_os_str().is_empty() {
                    PathBuf::from(".")
                } else {
                    d.to_path_buf()
                }
            }),
            _ => None,
        };
        let included: HashSet<String> = match &base {
            Some(b) => paths
                .into_iter()
                .filter(|p| resolve(b, p).is_some())
                .collect(),
            None => HashSet::new(),
        };
        // Participants in order of appearance; "Me" (or a sent message's name) is self.
        let mut participants: Vec<Participant> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        for (name, is_self) in people {
            if let Some(&i) = index.get(&name) {
                if let Some(p) = participants.get_mut(i) {
                    p.is_self |= is_self;
                }
                continue;
            }
            if participants.len() >= opts.limits.max_participants {
                continue;
            }
            index.insert(name.clone(), participants.len());
            participants.push(Participant {
                id: Participant::id_for(Channel::Imessage, &name),
                phone: name.starts_with('+').then(|| {
                    name.chars()
                        .filter(|c| *c == '+' || c.is_ascii_digit())
                        .collect()
                }),
                display_name: name,
                is_self,
            });
        }
        let others = participants.iter().filter(|p| !p.is_self).count();
        let from_name = file
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or(file)
            .trim_end_matches(".txt")
            .trim_end_matches(".html")
            .to_owned();
        let title = opts.title.clone().unwrap_or(from_name);
        if opts.tz.is_none() {
            warnings.push(
                file,
                None,
                "iMessage times carry no zone and none was given: read as UTC (time source assumed_utc)",
            );
        }
        let custodian = opts.custodian.clone().unwrap_or_default();
        let source_key = format!("imessage:{custodian}:{title}");
        let conversation = Conversation {
            id: Conversation::id_for(Channel::Imessage, &source_key),
            channel: Channel::Imessage,
            title,
            source_key,
            custodian: opts.custodian.clone(),
            is_group: group || others > 1,
            participants,
        };
        Ok(ImessageExport {
            input,
            file: file.to_owned(),
            conversation,
            warnings,
            size_hint: size,
            opts: opts.clone(),
            body,
            base,
            included,
        })
    }

    fn converter(&self) -> Converter {
        Converter {
            conv: self.conversation.clone(),
            file: self.file.clone(),
            tz: self.opts.tz.clone(),
            included: self.included.clone(),
            seq: 0,
            occurrences: HashMap::new(),
            threaded: HashSet::new(),
        }
    }
}

/// Where the items come from while messages stream.
enum Feed<'a> {
    Text(Box<text::Records<BufReader<Box<dyn crate::detect::ReadSeek>>>>),
    Html(std::slice::Iter<'a, Item>),
}

struct Messages<'a> {
    feed: Feed<'a>,
    conv: Converter,
    queue: VecDeque<Message>,
    file: &'a str,
    warnings: &'a mut WarningSink,
    done: bool,
}

impl Messages<'_> {
    fn fill(&mut self) -> Result<(), ConnectorError> {
        while self.queue.is_empty() {
            let item = match &mut self.feed {
                Feed::Text(records) => match records.next_record()? {
                    Some(rec) => text::parse_record(&rec, 0, self.file, self.warnings)?,
                    None => {
                        self.done = true;
                        return Ok(());
                    }
                },
                Feed::Html(items) => match items.next() {
                    Some(it) => Some(it.clone()),
                    None => {
                        self.done = true;
                        return Ok(());
                    }
                },
            };
            if let Some(it) = item {
                self.conv.emit(it, None, &mut self.queue)?;
            }
        }
        Ok(())
    }
}

impl Iterator for Messages<'_> {
    type Item = Result<Message, ConnectorError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(m) = self.queue.pop_front() {
            return Some(Ok(m));
        }
        if self.done {
            return None;
        }
        match self.fill() {
            Ok(()) => self.queue.pop_front().map(Ok),
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

impl ExportSource for ImessageExport {
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
        let conv = self.converter();
        let feed = match &self.body {
            Body::Text => Feed::Text(Box::new(text::Records::new(
                open_lines(&self.input, &self.file, &self.opts)?,
                &self.file,
                &self.opts,
            ))),
            Body::Html(items) => Feed::Html(items.iter()),
        };
        Ok(Box::new(Messages {
            feed,
            conv,
            queue: VecDeque::new(),
            file: &self.file,
            warnings: &mut self.warnings,
            done: false,
        }))
    }

    fn open_attachment(&self, name: &str) -> Result<Option<Box<dyn Read + '_>>, ConnectorError> {
        let Some(base) = &self.base else {
            return Ok(None);
        };
        if !self.included.contains(name) {
            return Ok(None);
        }
        let Some(path) = resolve(base, name) else {
            return Ok(None);
        };
        let f = std::fs::File::open(&path).map_err(|e| ConnectorError::io(&self.file, e))?;
        Ok(Some(Box::new(f)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn stamps_as_the_exporter_writes_them() {
        let (t, rest) = parse_stamp("May 17, 2022  5:29:42 PM").unwrap();
        assert_eq!(t, date(2022, 5, 17).at(17, 29, 42, 0));
        assert_eq!(rest, "");
        let (t, rest) = parse_stamp("Dec 31, 2000 12:00:00 AM You left the conversation.").unwrap();
        assert_eq!(t, date(2000, 12, 31).at(0, 0, 0, 0));
        assert_eq!(rest, " You left the conversation.");
        assert_eq!(
            parse_header("May 17, 2022  5:29:42 PM (Read by them after 1 hour, 49 seconds)"),
            Some((date(2022, 5, 17).at(17, 29, 42, 0), true))
        );
        assert!(parse_header("May 17, 2022  5:29:42 PM You named it").is_none());
        assert!(parse_stamp("May 17, 2022  13:29:42 PM").is_none());
        assert!(parse_stamp("Foo 17, 2022  1:29:42 PM").is_none());
        assert!(parse_stamp("Feb 30, 2022  1:29:42 PM").is_none());
        assert!(parse_stamp("May 17, 2022  5:29:42 PMx").is_none());
        assert!(parse_stamp("May").is_none());
    }

    #[test]
    fn diffs_and_tapbacks() {
        assert_eq!(parse_diff("1 hour, 49 seconds"), Some(3649));
        assert_eq!(parse_diff("30 seconds"), Some(30));
        assert_eq!(parse_diff("2 days, 1 minute"), Some(172_860));
        assert_eq!(parse_diff("soon"), None);
        assert_eq!(
            parse_tapback("Loved by Sample Contact"),
            Some(Tapback {
                who: "Sample Contact".into(),
                what: "Loved".into(),
                sticker: None
            })
        );
        assert_eq!(parse_tapback("☕️ by Me").unwrap().what, "☕️");
        assert_eq!(parse_tapback("Sent by courier"), None);
        let s = parse_tapback("Sticker from Me: attachments/7/sticker.heic (App: Memoji)").unwrap();
        assert_eq!(s.sticker.as_deref(), Some("attachments/7/sticker.heic"));
        assert_eq!(
            sticker_line("Sticker from Sample Contact not found!"),
            Some(("Sample Contact".into(), None))
        );
    }

    #[test]
    fn attachment_paths() {
        assert!(is_attachment_path(
            "/Users/dk/Library/Messages/Attachments/ab/11/AB12/IMG_0042.HEIC"
        ));
        assert!(is_attachment_path("attachments/12/Audio Message.caf"));
        assert!(is_attachment_path(
            "33/33c81da8ae3194fc5a0ea993ef6ffe0b048baedb"
        ));
        assert!(!is_attachment_path("https://example.com/a.pdf"));
        assert!(!is_attachment_path("see /etc for details"));
        assert!(!is_attachment_path("and/or maybe"));
        assert!(is_unsent_line(
            "You unsent this message part 3 seconds after sending!"
        ));
        assert!(is_unsent_line("Sample Contact unsent this message part!"));
        assert!(is_expressive("Sent with Invisible Ink"));
        assert!(!is_expressive("Sent with love"));
    }
}
