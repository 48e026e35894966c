//! DiscordChatExporter JSON (`Tyrrrz/DiscordChatExporter`,
//! `DiscordChatExporter.Core/Exporting/JsonMessageWriter.cs`; formats.md §8;
//! `docs/formats/discord.md`): `{guild, channel, dateRange, exportedAt,
//! messages[…], messageCount}`, one channel per file.
//!
//! Streamed with `struson`: the scan deserializes one message at a time to
//! collect authors, then [`ExportSource::messages`] streams them again. Ids are
//! Discord's snowflakes (globally unique), so the conversation key is
//! `discord:<channel id>` and a message's id is `native_id(conv, snowflake)`.

use crate::detect::{Input, ReadSeek};
use crate::error::ConnectorError;
use crate::options::{ParseOptions, Warning, WarningSink};
use crate::source::{ExportSource, MessageIter};
use chatwarden_model::{
    Attachment, Channel, Conversation, MediaKind, Message, MessageKind, Participant, SourceRef,
    TimeSource,
};
use jiff::Timestamp;
use jiff::civil::DateTime;
use serde::Deserialize;
use std::collections::{HashMap, VecDeque};
use std::io::{BufReader, Read};
use std::path::{Component, Path, PathBuf};
use struson::reader::{JsonReader, JsonStreamReader};

type Reader = JsonStreamReader<BufReader<Box<dyn ReadSeek>>>;

/// Message types that a person wrote; every other type is a system event.
const USER_TYPES: &[&str] = &[
    "Default",
    "Reply",
    "ThreadStarterMessage",
    "ChatInputCommand",
    "ContextMenuCommand",
];

#[derive(Deserialize, Default, Clone)]
#[serde(rename_all = "camelCase", default)]
struct Guild {
    id: Option<String>,
    name: Option<String>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(rename_all = "camelCase", default)]
struct RawChannel {
    id: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    name: Option<String>,
    category: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Author {
    id: Option<String>,
    name: Option<String>,
    nickname: Option<String>,
}

impl Author {
    fn display(&self) -> Option<String> {
        self.nickname
            .as_deref()
            .filter(|n| !n.is_empty())
            .or(self.name.as_deref())
            .map(str::to_owned)
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct RawAttachment {
    url: Option<String>,
    file_name: Option<String>,
    file_size_bytes: Option<u64>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Sticker {
    name: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Reference {
    message_id: Option<String>,
    channel_id: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Forwarded {
    content: Option<String>,
    attachments: Vec<RawAttachment>,
}

/// `reactions[].emoji`: `{id, name, code, isAnimated, imageUrl}` (`id` empty or
/// null for a Unicode emoji, whose `name` is the emoji itself).
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Emoji {
    id: Option<String>,
    name: Option<String>,
    code: Option<String>,
}

impl Emoji {
    /// The emoji as shown in text: the character, or `:name:` for a custom emoji.
    fn label(&self) -> String {
        let custom = self.id.as_deref().is_some_and(|i| !i.is_empty());
        let name = self
            .name
            .as_deref()
            .filter(|n| !n.is_empty())
            .or(self.code.as_deref())
            .unwrap_or("?");
        if custom {
            format!(":{name}:")
        } else {
            name.to_owned()
        }
    }

    /// The key used in ids: the custom emoji's id, else the emoji itself.
    fn key(&self) -> String {
        match self.id.as_deref().filter(|i| !i.is_empty()) {
            Some(id) => id.to_owned(),
            None => self.label(),
        }
    }
}

/// One element of `reactions` (`{emoji, count, users[]?}`).
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct RawReaction {
    emoji: Emoji,
    count: Option<u64>,
    users: Option<Vec<Author>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct RawMessage {
    id: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    timestamp: Option<String>,
    timestamp_edited: Option<String>,
    content: Option<String>,
    author: Option<Author>,
    attachments: Vec<RawAttachment>,
    stickers: Vec<Sticker>,
    reference: Option<Reference>,
    forwarded_message: Option<Forwarded>,
    reactions: Vec<RawReaction>,
}

use crate::json_stream::{line as line_of, settings};

fn malformed(file: &str, line: u64, e: impl std::fmt::Display) -> ConnectorError {
    ConnectorError::Malformed {
        file: file.to_owned(),
        line,
        reason: format!("DiscordChatExporter JSON: {e}"),
    }
}

fn open_reader(input: &Input, file: &str) -> Result<Reader, ConnectorError> {
    Ok(JsonStreamReader::new_custom(
        BufReader::new(input.reader(file)?),
        settings(),
    ))
}

/// Moves `r` into the `messages` array, deserializing `guild` and `channel` on the way.
fn enter_messages(
    r: &mut Reader,
    file: &str,
) -> Result<(Option<Guild>, Option<RawChannel>), ConnectorError> {
    let fail = |r: &Reader, e: &dyn std::fmt::Display| malformed(file, line_of(r), e);
    let (mut guild, mut channel) = (None, None);
    r.begin_object().map_err(|e| fail(r, &e))?;
    while r.has_next().map_err(|e| fail(r, &e))? {
        let name = r.next_name_owned().map_err(|e| fail(r, &e))?;
        match name.as_str() {
            "guild" => guild = Some(r.deserialize_next().map_err(|e| fail(r, &e))?),
            "channel" => channel = Some(r.deserialize_next().map_err(|e| fail(r, &e))?),
            "messages" => {
                r.begin_array().map_err(|e| fail(r, &e))?;
                return Ok((guild, channel));
            }
            _ => r.skip_value().map_err(|e| fail(r, &e))?,
        }
    }
    Err(fail(r, &"no `messages` array"))
}

/// The next message of the array, with the line it starts on; `None` at its end.
fn next_message(r: &mut Reader, file: &str) -> Result<Option<(u64, RawMessage)>, ConnectorError> {
    let fail = |r: &Reader, e: &dyn std::fmt::Display| malformed(file, line_of(r), e);
    if !r.has_next().map_err(|e| fail(r, &e))? {
        return Ok(None);
    }
    r.peek().map_err(|e| fail(r, &e))?;
    let line = line_of(r);
    let m = r.deserialize_next().map_err(|e| fail(r, &e))?;
    Ok(Some((line, m)))
}

/// One channel exported by DiscordChatExporter.
pub struct DiscordExport {
    input: Input,
    file: String,
    conversation: Conversation,
    channel_id: String,
    warnings: WarningSink,
    size_hint: u64,
    opts: ParseOptions,
}

impl DiscordExport {
    /// Opens a DiscordChatExporter JSON file (one channel).
    pub(crate) fn open_input(
        input: Input,
        file: &str,
        opts: &ParseOptions,
    ) -> Result<DiscordExport, ConnectorError> {
        let mut warnings = WarningSink::new(opts.limits.max_warnings);
        let mut r = open_reader(&input, file)?;
        let (guild, channel) = enter_messages(&mut r, file)?;
        let channel = channel.ok_or_else(|| ConnectorError::NotRecognized {
            file: file.to_owned(),
            tried: "discord (no `channel` object before `messages`)".to_owned(),
        })?;
        let channel_id = channel
            .id
            .clone()
            .filter(|i| !i.is_empty())
            .ok_or_else(|| malformed(file, 1, "channel without an id"))?;
        let mut authors: Vec<(String, Participant)> = Vec::new();
        let mut seen: HashMap<String, ()> = HashMap::new();
        let mut capped = false;
        while let Some((_, m)) = next_message(&mut r, file)? {
            // Authors, then the people who reacted, in the order first met.
            let reactors = m
                .reactions
                .into_iter()
                .flat_map(|r| r.users.unwrap_or_default());
            for a in m.author.into_iter().chain(reactors) {
                let (Some(id), Some(name)) = (a.id.clone(), a.display()) else {
                    continue;
                };
                if seen.contains_key(&id) {
                    continue;
                }
                if authors.len() >= opts.limits.max_participants {
                    capped = true;
                    continue;
                }
                seen.insert(id.clone(), ());
                authors.push((
                    id.clone(),
                    Participant {
                        id: Participant::id_for(Channel::Discord, &id),
                        display_name: name,
                        phone: None,
                        is_self: false,
                    },
                ));
            }
        }
        if capped {
            warnings.push(
                file,
                None,
                format!(
                    "more than {} authors; the rest are not listed as participants",
                    opts.limits.max_participants
                ),
            );
        }
        let guild = guild.unwrap_or_default();
        let chan_name = channel.name.clone().unwrap_or_else(|| channel_id.clone());
        let in_guild = guild.id.as_deref().is_some_and(|g| g != "0");
        let title = opts
            .title
            .clone()
            .unwrap_or_else(|| match (&guild.name, in_guild) {
                (Some(g), true) => match &channel.category {
                    Some(c) if !c.is_empty() => format!("{g} / {c} / {chan_name}"),
                    _ => format!("{g} / {chan_name}"),
                },
                _ => chan_name.clone(),
            });
        let source_key = format!("discord:{channel_id}");
        let conversation = Conversation {
            id: Conversation::id_for(Channel::Discord, &source_key),
            channel: Channel::Discord,
            title,
            source_key,
            custodian: opts.custodian.clone(),
            is_group: channel.kind.as_deref() != Some("DirectTextChat"),
            participants: authors.into_iter().map(|(_, p)| p).collect(),
        };
        Ok(DiscordExport {
            size_hint: input.len(file)?,
            input,
            file: file.to_owned(),
            conversation,
            channel_id,
            warnings,
            opts: opts.clone(),
        })
    }

    /// The Discord channel id (snowflake).
    pub fn channel_id(&self) -> &str {
        &self.channel_id
    }
}

/// Opens a DiscordChatExporter JSON file on disk.
pub fn open_path(path: &Path, opts: &ParseOptions) -> Result<DiscordExport, ConnectorError> {
    DiscordExport::open_input(
        Input::Path(path.to_path_buf()),
        &path.display().to_string(),
        opts,
    )
}

/// Where an attachment downloaded with `--media` sits: a relative path beside
/// the JSON file that stays inside its folder.
fn local_media(json: &Path, url: &str) -> Option<PathBuf> {
    if url.contains("://") || url.is_empty() {
        return None;
    }
    let rel = Path::new(url);
    if rel.is_absolute() || rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return None;
    }
    let full = json.parent()?.join(rel);
    full.is_file().then_some(full)
}

/// The length of an RFC 3339 time's wall-clock part (before `Z` or its offset).
fn wall_clock_len(ts: &str) -> usize {
    ts.char_indices()
        .skip(19)
        .find(|&(_, c)| matches!(c, 'Z' | 'z' | '+' | '-'))
        .map_or(ts.len(), |(i, _)| i)
}

struct Messages<'a> {
    reader: Reader,
    input: &'a Input,
    file: &'a str,
    conversation: &'a Conversation,
    channel_id: &'a str,
    opts: &'a ParseOptions,
    warnings: &'a mut WarningSink,
    seq: u64,
    /// Reaction messages of the last message read, still to be returned.
    pending: VecDeque<Message>,
    /// Reaction messages made so far (all dated at their message).
    reactions: u64,
    done: bool,
}

impl Messages<'_> {
    fn attachment(&self, a: &RawAttachment) -> Attachment {
        let name = a.file_name.clone().filter(|n| !n.is_empty());
        let kind = name
            .as_deref()
            .map_or(MediaKind::Other, MediaKind::from_file_name);
        let local = match self.input {
            Input::Path(p) => a.url.as_deref().and_then(|u| local_media(p, u)),
            _ => None,
        };
        let included = local.is_some();
        Attachment {
            // The URL (CDN links carry signed query tokens) is never stored.
            name: if included { a.url.clone() } else { name },
            kind,
            included,
            size: if included { a.file_size_bytes } else { None },
            content_hash: None,
            placeholder: None,
        }
    }

    /// The reactions on `target`, each as its own message replying to it,
    /// numbered after it: one per listed user (DiscordChatExporter writes
    /// `users` only in some versions and modes), and one system note with the
    /// count when it exceeds the listed users (all of it when none are listed).
    /// DiscordChatExporter records no reaction time: each is dated at `target`.
    /// Ids: `reaction:<message>:<user id>:<emoji>`, `reaction:<message>:unlisted:<emoji>`.
    fn reactions_of(
        &self,
        native: &str,
        reactions: Vec<RawReaction>,
        target: &Message,
    ) -> Vec<Message> {
        let conv = &self.conversation.id;
        let mut out = Vec::new();
        let mut seq = target.seq + 1;
        let mut push =
            |key: String, kind, sender: Option<(Option<String>, String)>, text: String| {
                let (sender, sender_id) = match sender {
                    Some((name, id)) => (name, Some(Participant::id_for(Channel::Discord, &id))),
                    None => (None, None),
                };
                out.push(target.reaction_to(
                    Message::native_id(conv, &key),
                    seq,
                    kind,
                    sender,
                    sender_id,
                    text,
                ));
                seq += 1;
            };
        for r in reactions {
            let label = r.emoji.label();
            let key = r.emoji.key();
            let users = r.users.unwrap_or_default();
            let mut listed = 0u64;
            for u in &users {
                let Some(id) = u.id.as_deref().filter(|i| !i.is_empty()) else {
                    continue;
                };
                listed += 1;
                push(
                    format!("reaction:{native}:{id}:{key}"),
                    MessageKind::Message,
                    Some((u.display(), id.to_owned())),
                    format!("reacted {label} to a message"),
                );
            }
            let count = r.count.unwrap_or(0);
            if count > listed {
                let n = count - listed;
                let more = if listed == 0 { "" } else { " more" };
                push(
                    format!("reaction:{native}:unlisted:{key}"),
                    MessageKind::System,
                    None,
                    format!(
                        "{n}{more} reaction(s) {label} to a message; the export does not list who"
                    ),
                );
            }
        }
        out
    }

    fn convert(&mut self, line: u64, mut m: RawMessage) -> Result<Option<Message>, ConnectorError> {
        let file = self.file;
        let Some(native) = m.id.filter(|i| !i.is_empty()) else {
            self.warnings
                .push(file, Some(line), "message without an id skipped");
            return Ok(None);
        };
        let ts_text = m.timestamp.as_deref().unwrap_or("");
        let sent_at: Timestamp = ts_text
            .parse()
            .map_err(|e| malformed(file, line, format!("timestamp {ts_text:?}: {e}")))?;
        // The wall clock as written: the text before its offset.
        let local_time: DateTime = ts_text
            .get(..wall_clock_len(ts_text))
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| sent_at.to_zoned(jiff::tz::TimeZone::UTC).datetime());
        let utc = ts_text.ends_with('Z') || ts_text.ends_with("+00:00");
        let kind_name = m.kind.as_deref().unwrap_or("Default");
        let kind = if USER_TYPES.contains(&kind_name) {
            MessageKind::Message
        } else {
            MessageKind::System
        };
        let mut text = m.content.unwrap_or_default();
        let mut attachments: Vec<Attachment> =
            m.attachments.iter().map(|a| self.attachment(a)).collect();
        let mut forwarded_from = None;
        if let Some(f) = m.forwarded_message {
            forwarded_from = Some(String::new());
            if text.is_empty() {
                text = f.content.unwrap_or_default();
            }
            attachments.extend(f.attachments.iter().map(|a| self.attachment(a)));
        }
        for s in &m.stickers {
            attachments.push(Attachment {
                name: s.name.clone(),
                kind: MediaKind::Sticker,
                included: false,
                size: None,
                content_hash: None,
                placeholder: None,
            });
        }
        if kind == MessageKind::System && text.is_empty() {
            text = kind_name.to_owned();
        }
        if text.len() > self.opts.limits.max_message_bytes {
            return Err(ConnectorError::MessageTooLong {
                file: file.to_owned(),
                line,
                limit: self.opts.limits.max_message_bytes,
            });
        }
        let conv = self.conversation;
        let reply_to = m.reference.and_then(|r| {
            let same = r.channel_id.as_deref().is_none_or(|c| c == self.channel_id);
            let id = r.message_id.filter(|i| !i.is_empty())?;
            same.then(|| Message::native_id(&conv.id, &id))
        });
        let (sender, sender_id) = match (kind, &m.author) {
            (MessageKind::Message, Some(a)) => (
                a.display(),
                a.id.as_deref()
                    .map(|id| Participant::id_for(Channel::Discord, id)),
            ),
            _ => (None, None),
        };
        let reactions = std::mem::take(&mut m.reactions);
        let msg = Message {
            id: Message::native_id(&conv.id, &native),
            conversation: conv.id.clone(),
            seq: self.seq,
            kind,
            sender,
            sender_id,
            sent_at,
            local_time,
            time_source: if utc {
                TimeSource::NativeUtc
            } else {
                TimeSource::NativeOffset
            },
            text,
            attachments,
            deleted: false,
            edited: m.timestamp_edited.as_deref().is_some_and(|t| !t.is_empty()),
            source: SourceRef {
                file: file.into(),
                line,
            },
            reply_to,
            forwarded_from,
        };
        let reactions = self.reactions_of(&native, reactions, &msg);
        self.reactions += reactions.len() as u64;
        self.seq += 1 + reactions.len() as u64;
        self.pending.extend(reactions);
        Ok(Some(msg))
    }
}

impl Iterator for Messages<'_> {
    type Item = Result<Message, ConnectorError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(m) = self.pending.pop_front() {
            return Some(Ok(m));
        }
        loop {
            if self.done {
                return None;
            }
            let r = match next_message(&mut self.reader, self.file) {
                Ok(None) => {
                    self.done = true;
                    if self.reactions > 0 {
                        let n = self.reactions;
                        self.warnings.push(
                            self.file,
                            None,
                            format!(
                                "{n} reaction message(s) dated at the message they react to: \
                                 DiscordChatExporter records no reaction time"
                            ),
                        );
                    }
                    return None;
                }
                Ok(Some((line, m))) => match self.convert(line, m) {
                    Ok(Some(msg)) => Ok(msg),
                    Ok(None) => continue,
                    Err(e) => Err(e),
                },
                Err(e) => Err(e),
            };
            if r.is_err() {
                self.done = true;
            }
            return Some(r);
        }
    }
}

impl ExportSource for DiscordExport {
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
        let mut reader = open_reader(&self.input, &self.file)?;
        enter_messages(&mut reader, &self.file)?;
        Ok(Box::new(Messages {
            reader,
            input: &self.input,
            file: &self.file,
            conversation: &self.conversation,
            channel_id: &self.channel_id,
            opts: &self.opts,
            warnings: &mut self.warnings,
            seq: 0,
            pending: VecDeque::new(),
            reactions: 0,
            done: false,
        }))
    }

    fn open_attachment(&self, name: &str) -> Result<Option<Box<dyn Read + '_>>, ConnectorError> {
        let Input::Path(p) = &self.input else {
            return Ok(None);
        };
        let Some(full) = local_media(p, name) else {
            return Ok(None);
        };
        let label = full.display().to_string();
        let f = std::fs::File::open(&full).map_err(|e| ConnectorError::io(&label, e))?;
        Ok(Some(Box::new(f)))
    }
}
