//! carderne/signal-export `data.json`: one JSON object per line,
//! `{date, sender, body, quote, sticker, reactions, attachments, deleted, call, missed}`
//! (`sigexport/models.py`, `Message.dict`). `date` is Python's `isoformat()` of a
//! naive *local* time; there are no message or sender ids, so ids are derived.

use super::{malformed, open_lines};
use crate::detect::{Input, ReadSeek};
use crate::error::ConnectorError;
use crate::lines::LineReader;
use crate::options::{ParseOptions, WarningSink};
use chatwarden_model::{
    Attachment, Channel, Conversation, MediaKind, Message, MessageId, MessageKind, Participant,
    SourceRef, TimeSource,
};
use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::io::BufReader;
use std::path::{Component, Path, PathBuf};

/// The name sigexport writes for the exporting account.
const ME: &str = "Me";
/// The name sigexport writes when a message has no sender.
const NO_SENDER: &str = "No-Sender";

#[derive(Deserialize)]
struct RawAttachment {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    path: Option<String>,
}

#[derive(Deserialize)]
struct RawSticker {
    #[serde(default)]
    emoji: Option<String>,
}

#[derive(Deserialize)]
struct RawMessage {
    date: String,
    #[serde(default)]
    sender: Option<String>,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    sticker: Option<RawSticker>,
    #[serde(default)]
    attachments: Vec<RawAttachment>,
    #[serde(default)]
    deleted: bool,
    #[serde(default)]
    call: bool,
}

fn parse_line(file: &str, no: u64, line: &str) -> Result<RawMessage, ConnectorError> {
    serde_json::from_str(line)
        .map_err(|e| malformed(file, no, format!("signal sigexport message: {e}")))
}

fn parse_date(file: &str, no: u64, s: &str) -> Result<DateTime, ConnectorError> {
    let norm = s.trim().replacen(' ', "T", 1);
    norm.parse::<DateTime>()
        .map_err(|e| malformed(file, no, format!("signal sigexport date {s:?}: {e}")))
}

/// The chat's title: the folder sigexport named after the chat, else the file stem.
fn title_for(file: &str, opts: &ParseOptions) -> String {
    if let Some(t) = &opts.title {
        return t.clone();
    }
    let p = Path::new(file);
    let stem = p.file_stem().and_then(|s| s.to_str()).unwrap_or("signal");
    match p
        .parent()
        .and_then(|d| d.file_name())
        .and_then(|s| s.to_str())
    {
        Some(dir) if stem == "data" && !dir.is_empty() => dir.to_owned(),
        _ => stem.to_owned(),
    }
}

/// First pass: the senders, for participants.
pub(super) fn scan(
    input: &Input,
    file: &str,
    opts: &ParseOptions,
) -> Result<(Conversation, WarningSink), ConnectorError> {
    let mut warnings = WarningSink::new(opts.limits.max_warnings);
    let mut lines = open_lines(input, file, opts)?;
    let mut senders: BTreeMap<String, ()> = BTreeMap::new();
    let mut capped = false;
    loop {
        let no = lines.line_no() + 1;
        let Some(line) = lines.next_line()? else {
            break;
        };
        let line = line.trim_start_matches('\u{feff}').trim();
        if line.is_empty() {
            continue;
        }
        let m = parse_line(file, no, line)?;
        parse_date(file, no, &m.date)?;
        if let Some(s) = m.sender.filter(|s| s != NO_SENDER && !s.is_empty()) {
            if senders.len() < opts.limits.max_participants {
                senders.insert(s, ());
            } else {
                capped = true;
            }
        }
    }
    if capped {
        warnings.push(
            file,
            None,
            format!(
                "more than {} senders; the rest are not listed as participants",
                opts.limits.max_participants
            ),
        );
    }
    if opts.tz.is_none() {
        warnings.push(
            file,
            None,
            "sigexport writes naive local times; no zone given, read as UTC",
        );
    }
    let title = title_for(file, opts);
    let source_key = format!(
        "signal:sigexport:{}:{}",
        opts.custodian.as_deref().unwrap_or(""),
        title
    );
    let participants: Vec<Participant> = senders
        .into_keys()
        .map(|name| Participant {
            id: Participant::id_for(Channel::Signal, &name),
            is_self: name == ME,
            display_name: name,
            phone: None,
        })
        .collect();
    let conversation = Conversation {
        id: Conversation::id_for(Channel::Signal, &source_key),
        channel: Channel::Signal,
        title,
        source_key,
        custodian: opts.custodian.clone(),
        is_group: participants.iter().filter(|p| !p.is_self).count() > 1,
        participants,
    };
    Ok((conversation, warnings))
}

/// Where a media path named in `data.json` sits, if it stays inside the chat
/// folder and the file is there.
pub(super) fn media_path(data_json: &Path, rel: &str) -> Option<PathBuf> {
    let rel = rel.strip_prefix("./").unwrap_or(rel);
    let relp = Path::new(rel);
    if rel.is_empty()
        || relp.is_absolute()
        || relp
            .components()
            .any(|c| !matches!(c, Component::Normal(_)))
    {
        return None;
    }
    let full = data_json.parent()?.join(relp);
    full.is_file().then_some(full)
}

pub(super) struct Messages<'a> {
    lines: LineReader<BufReader<Box<dyn ReadSeek>>>,
    file: &'a str,
    conversation: &'a Conversation,
    opts: &'a ParseOptions,
    seq: u64,
    occurrences: HashMap<MessageId, u64>,
    failed: bool,
}

impl<'a> Messages<'a> {
    pub(super) fn new(
        lines: LineReader<BufReader<Box<dyn ReadSeek>>>,
        file: &'a str,
        conversation: &'a Conversation,
        opts: &'a ParseOptions,
    ) -> Self {
        Messages {
            lines,
            file,
            conversation,
            opts,
            seq: 0,
            occurrences: HashMap::new(),
            failed: false,
        }
    }

    fn attachment(&self, a: RawAttachment) -> Attachment {
        let path = a.path.filter(|p| !p.is_empty());
        let name = path.clone().or(a.name.clone());
        let kind = name
            .as_deref()
            .map_or(MediaKind::Other, MediaKind::from_file_name);
        // Media sit beside data.json only when the export is a file on disk.
        let data_json = Path::new(self.file);
        let full = path
            .as_deref()
            .filter(|_| data_json.is_file())
            .and_then(|p| media_path(data_json, p));
        let (mut size, mut content_hash) = (None, None);
        if let Some(full) = &full {
            size = std::fs::metadata(full).ok().map(|m| m.len());
            if self.opts.hash_media
                && let Ok(mut f) = std::fs::File::open(full)
            {
                let mut h = Sha256::new();
                if std::io::copy(&mut f, &mut h).is_ok() {
                    content_hash = Some(hex::encode(h.finalize()));
                }
            }
        }
        Attachment {
            name,
            kind,
            included: full.is_some(),
            size,
            content_hash,
            placeholder: if full.is_none() { a.name } else { None },
        }
    }

    fn convert(&mut self, no: u64, raw: RawMessage) -> Result<Message, ConnectorError> {
        let local = parse_date(self.file, no, &raw.date)?;
        let (sent_at, time_source) = match &self.opts.tz {
            Some(tz) => (
                local
                    .to_zoned(tz.clone())
                    .map_err(|e| malformed(self.file, no, format!("signal sigexport date: {e}")))?
                    .timestamp(),
                TimeSource::AssumedOperatorZone,
            ),
            None => (
                local
                    .to_zoned(TimeZone::UTC)
                    .map_err(|e| malformed(self.file, no, format!("signal sigexport date: {e}")))?
                    .timestamp(),
                TimeSource::AssumedUtc,
            ),
        };
        let body = raw.body.unwrap_or_default();
        let sender_raw = raw.sender.filter(|s| s != NO_SENDER && !s.is_empty());
        let kind = if raw.call {
            MessageKind::System
        } else {
            MessageKind::Message
        };
        let first = Message::derived_id(
            &self.conversation.id,
            &local,
            sender_raw.as_deref(),
            &body,
            0,
        );
        let occ = self.occurrences.entry(first.clone()).or_insert(0);
        let id = if *occ == 0 {
            first
        } else {
            Message::derived_id(
                &self.conversation.id,
                &local,
                sender_raw.as_deref(),
                &body,
                *occ,
            )
        };
        *occ += 1;
        let mut attachments: Vec<Attachment> = Vec::new();
        if let Some(st) = raw.sticker {
            attachments.push(Attachment {
                name: None,
                kind: MediaKind::Sticker,
                included: false,
                size: None,
                content_hash: None,
                placeholder: Some(
                    st.emoji
                        .filter(|e| !e.is_empty())
                        .unwrap_or_else(|| "sticker".to_owned()),
                ),
            });
        }
        for a in raw.attachments {
            attachments.push(self.attachment(a));
        }
        let sender = match kind {
            MessageKind::System => None,
            MessageKind::Message => sender_raw,
        };
        let m = Message {
            id,
            conversation: self.conversation.id.clone(),
            seq: self.seq,
            kind,
            sender_id: sender
                .as_deref()
                .map(|s| Participant::id_for(Channel::Signal, s)),
            sender,
            sent_at,
            local_time: local,
            time_source,
            text: if raw.deleted { String::new() } else { body },
            attachments,
            deleted: raw.deleted,
            edited: false,
            source: SourceRef {
                file: self.file.into(),
                line: no,
            },
            reply_to: None,
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
            let (no, raw) = match (self.lines.line_no() + 1, self.lines.next_line()) {
                (_, Ok(None)) => return None,
                (no, Ok(Some(line))) => {
                    let line = line.trim_start_matches('\u{feff}').trim();
                    if line.is_empty() {
                        continue;
                    }
                    (no, parse_line(self.file, no, line))
                }
                (_, Err(e)) => {
                    self.failed = true;
                    return Some(Err(e));
                }
            };
            let r = raw.and_then(|raw| self.convert(no, raw));
            if r.is_err() {
                self.failed = true;
            }
            return Some(r);
        }
    }
}
