//! WeChatMsg / MemoTrace CSV (`<remark>_utf8.csv`): one row per message, columns
//! named in the header row (formats.md §9; the tool's `exporter_csv.py`). Quoted
//! fields may hold newlines; the `csv` crate reads them. A row is capped in size
//! (the message limit plus the line limit) before it is buffered whole.

use super::{
    Occurrences, local_to_utc, malformed, named, strip_markup, wall_clock, xml_attr, xml_tag,
};
use crate::detect::{Input, ReadSeek};
use crate::error::ConnectorError;
use crate::options::{ParseOptions, WarningSink};
use chatwarden_model::{
    Attachment, Channel, Conversation, MediaKind, Message, MessageKind, Participant, ParticipantId,
    SourceRef, TimeSource,
};
use jiff::Timestamp;
use jiff::civil::DateTime;
use std::collections::HashMap;
use std::io::{self, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// The io error raised when one row runs past the cap.
#[derive(Debug)]
struct RowTooLong;

impl std::fmt::Display for RowTooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CSV row too long")
    }
}

impl std::error::Error for RowTooLong {}

/// A reader that fails once more than `cap` bytes were pulled since the counter
/// was last reset (at each row), so a giant quoted field cannot fill memory.
struct Capped {
    inner: Box<dyn ReadSeek>,
    used: Arc<AtomicU64>,
    cap: u64,
}

impl Read for Capped {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let used = self.used.fetch_add(n as u64, Ordering::Relaxed) + n as u64;
        if used > self.cap {
            return Err(io::Error::other(RowTooLong));
        }
        Ok(n)
    }
}

/// Column positions, found by name in the header row.
#[derive(Clone, Debug, Default)]
struct Cols {
    local_id: Option<usize>,
    talker: Option<usize>,
    ty: usize,
    sub: Option<usize>,
    is_sender: usize,
    create_time: Option<usize>,
    content: usize,
    str_time: Option<usize>,
    remark: Option<usize>,
    nickname: Option<usize>,
    sender: Option<usize>,
}

/// What streaming one CSV chat needs from the scan.
pub(super) struct CsvChat {
    cols: Cols,
}

struct Rows {
    reader: ::csv::Reader<Capped>,
    used: Arc<AtomicU64>,
    record: ::csv::StringRecord,
    file: String,
    limit: usize,
    /// Line of the last row read (for errors past it).
    last_line: u64,
    /// Added to the `csv` crate's line numbers: with CRLF row ends it counts a
    /// row's line before consuming the previous row's `\n`, one short.
    line_fix: u64,
}

impl Rows {
    fn open(
        input: &Input,
        file: &str,
        opts: &ParseOptions,
    ) -> Result<(Rows, Cols), ConnectorError> {
        let head = input.head(file)?;
        let crlf =
            memchr::memchr(b'\n', &head).is_some_and(|i| i > 0 && head.get(i - 1) == Some(&b'\r'));
        let used = Arc::new(AtomicU64::new(0));
        let limit = opts.limits.max_message_bytes;
        let capped = Capped {
            inner: input.reader(file)?,
            used: Arc::clone(&used),
            cap: (opts.limits.max_message_bytes + opts.limits.max_line_bytes) as u64,
        };
        let reader = ::csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(true)
            .from_reader(capped);
        let mut rows = Rows {
            reader,
            used,
            record: ::csv::StringRecord::new(),
            file: file.to_owned(),
            limit,
            last_line: 1,
            line_fix: u64::from(crlf),
        };
        let headers = match rows.reader.headers() {
            Ok(h) => h.clone(),
            Err(e) => return Err(rows.error(e)),
        };
        let find = |name: &str| {
            headers
                .iter()
                .position(|h| h.trim_start_matches('\u{feff}').trim() == name)
        };
        let need = |name: &str| {
            find(name).ok_or_else(|| {
                malformed(
                    file,
                    1,
                    format!("WeChat CSV: the header row has no `{name}` column"),
                )
            })
        };
        let cols = Cols {
            local_id: find("localId"),
            talker: find("TalkerId"),
            ty: need("Type")?,
            sub: find("SubType"),
            is_sender: need("IsSender")?,
            create_time: find("CreateTime"),
            content: need("StrContent")?,
            str_time: find("StrTime"),
            remark: find("Remark"),
            nickname: find("NickName"),
            sender: find("Sender"),
        };
        if cols.create_time.is_none() && cols.str_time.is_none() {
            return Err(malformed(
                file,
                1,
                "WeChat CSV: the header row has neither `CreateTime` nor `StrTime`",
            ));
        }
        Ok((rows, cols))
    }

    fn error(&self, e: ::csv::Error) -> ConnectorError {
        let line = e
            .position()
            .map_or(self.last_line, |p| p.line() + self.line_fix);
        match e.into_kind() {
            ::csv::ErrorKind::Utf8 { pos, .. } => ConnectorError::InvalidUtf8 {
                file: self.file.clone(),
                line: pos.map_or(line, |p| p.line() + self.line_fix),
            },
            ::csv::ErrorKind::Io(io) => {
                if io.get_ref().is_some_and(|i| i.is::<RowTooLong>()) {
                    ConnectorError::MessageTooLong {
                        file: self.file.clone(),
                        line: self.last_line + 1,
                        limit: self.limit,
                    }
                } else {
                    ConnectorError::io(&self.file, io)
                }
            }
            other => malformed(&self.file, line, format!("WeChat CSV: {other:?}")),
        }
    }

    /// The next row and the line it starts on; `None` at the end.
    fn next(&mut self) -> Result<Option<u64>, ConnectorError> {
        self.used.store(0, Ordering::Relaxed);
        let more = self
            .reader
            .read_record(&mut self.record)
            .map_err(|e| self.error(e))?;
        if !more {
            return Ok(None);
        }
        let line = self
            .record
            .position()
            .map_or(self.last_line + 1, |p| p.line() + self.line_fix);
        self.last_line = line;
        Ok(Some(line))
    }
}

/// One row's fields, borrowed from the record.
struct Row<'r> {
    local_id: &'r str,
    talker: &'r str,
    ty: i64,
    sub: i64,
    is_sender: bool,
    create_time: &'r str,
    content: &'r str,
    str_time: &'r str,
    remark: &'r str,
    nickname: &'r str,
    sender: &'r str,
}

const SYSTEM_TYPES: [i64; 2] = [10000, 10002];

fn row<'r>(
    rec: &'r ::csv::StringRecord,
    cols: &Cols,
    file: &str,
    line: u64,
) -> Result<Row<'r>, ConnectorError> {
    let get = |i: Option<usize>| i.and_then(|i| rec.get(i)).unwrap_or("").trim();
    let num = |name: &str, v: &str| -> Result<i64, ConnectorError> {
        if v.is_empty() {
            return Ok(0);
        }
        v.parse().map_err(|_| {
            malformed(
                file,
                line,
                format!("WeChat CSV: `{name}` {v:?} is not a number"),
            )
        })
    };
    let ty_text = get(Some(cols.ty));
    if ty_text.is_empty() {
        return Err(malformed(file, line, "WeChat CSV: row without a `Type`"));
    }
    Ok(Row {
        local_id: get(cols.local_id),
        talker: get(cols.talker),
        ty: num("Type", ty_text)?,
        sub: num("SubType", get(cols.sub))?,
        is_sender: get(Some(cols.is_sender)) == "1",
        create_time: get(cols.create_time),
        // Message text keeps its own leading and trailing spaces.
        content: cols.content_get(rec),
        str_time: get(cols.str_time),
        remark: get(cols.remark),
        nickname: get(cols.nickname),
        sender: get(cols.sender),
    })
}

impl Cols {
    fn content_get<'r>(&self, rec: &'r ::csv::StringRecord) -> &'r str {
        rec.get(self.content).unwrap_or("")
    }
}

const STR_TIME_FORMAT: &str = "%Y-%m-%d %H:%M:%S";

impl Row<'_> {
    /// The instant, the wall clock as written, and how the instant was known.
    fn time(
        &self,
        file: &str,
        line: u64,
        opts: &ParseOptions,
    ) -> Result<(Timestamp, DateTime, TimeSource), ConnectorError> {
        let written = (!self.str_time.is_empty())
            .then(|| DateTime::strptime(STR_TIME_FORMAT, self.str_time).ok())
            .flatten();
        if !self.create_time.is_empty() {
            let n: i64 = self.create_time.parse().map_err(|_| {
                malformed(
                    file,
                    line,
                    format!(
                        "WeChat CSV: `CreateTime` {:?} is not a number",
                        self.create_time
                    ),
                )
            })?;
            // WeChat writes seconds; a few forks write milliseconds.
            let ts = if n.abs() >= 100_000_000_000 {
                Timestamp::from_millisecond(n)
            } else {
                Timestamp::from_second(n)
            }
            .map_err(|e| malformed(file, line, format!("WeChat CSV: `CreateTime` {n}: {e}")))?;
            let local = written.unwrap_or_else(|| wall_clock(ts, opts.tz.as_ref()));
            return Ok((ts, local, TimeSource::NativeUtc));
        }
        match written {
            Some(local) => {
                let (ts, src) = local_to_utc(local, opts.tz.as_ref());
                Ok((ts, local, src))
            }
            None => Err(malformed(
                file,
                line,
                format!(
                    "WeChat CSV: no `CreateTime` and `StrTime` {:?} is not YYYY-MM-DD HH:MM:SS",
                    self.str_time
                ),
            )),
        }
    }

    fn is_system(&self) -> bool {
        SYSTEM_TYPES.contains(&self.ty)
    }

    /// The participant key: the sender's wxid, else the peer (1:1) or `self`.
    fn sender_key(&self) -> String {
        let own_row_naming_peer = self.is_sender && self.sender == self.talker;
        if !self.sender.is_empty() && !own_row_naming_peer {
            return self.sender.to_owned();
        }
        if self.is_sender {
            "self".to_owned()
        } else {
            self.talker.to_owned()
        }
    }

    fn display_name(&self, opts: &ParseOptions) -> String {
        let shown = [self.remark, self.nickname]
            .into_iter()
            .find(|s| !s.is_empty());
        if self.is_sender {
            // A sent row's Remark/NickName can be the peer's in 1:1 exports: trust
            // them only when the row names a sender other than the peer.
            if !self.sender.is_empty()
                && self.sender != self.talker
                && let Some(n) = shown
            {
                return n.to_owned();
            }
            return opts.custodian.clone().unwrap_or_else(|| "Me".to_owned());
        }
        shown.map_or_else(|| self.sender_key(), str::to_owned)
    }
}

/// First pass: the peer, the participants, and that every row reads.
pub(super) fn scan(
    input: &Input,
    file: &str,
    opts: &ParseOptions,
    warnings: &mut WarningSink,
) -> Result<(Conversation, CsvChat), ConnectorError> {
    let (mut rows, cols) = Rows::open(input, file, opts)?;
    let mut talker = String::new();
    let mut people: Vec<Participant> = Vec::new();
    let mut seen: HashMap<String, ()> = HashMap::new();
    let mut capped = false;
    let mut count = 0u64;
    while let Some(line) = rows.next()? {
        let r = row(&rows.record, &cols, file, line)?;
        r.time(file, line, opts)?;
        count += 1;
        if talker.is_empty() && !r.talker.is_empty() {
            talker = r.talker.to_owned();
        }
        if r.is_system() {
            continue;
        }
        let key = r.sender_key();
        if key.is_empty() || seen.contains_key(&key) {
            continue;
        }
        if people.len() >= opts.limits.max_participants {
            capped = true;
            continue;
        }
        people.push(Participant {
            id: Participant::id_for(Channel::Wechat, &key),
            display_name: r.display_name(opts),
            phone: None,
            is_self: r.is_sender,
        });
        seen.insert(key, ());
    }
    if count == 0 {
        return Err(ConnectorError::NotRecognized {
            file: file.to_owned(),
            tried: "wechat (a WeChatMsg CSV header but no message rows)".to_owned(),
        });
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
    let title = opts
        .title
        .clone()
        .or_else(|| super::title_from_file(file))
        .unwrap_or_else(|| talker.clone());
    let peer = if talker.is_empty() {
        title.clone()
    } else {
        talker.clone()
    };
    // localId is a row number of the exporting device's database: ids are only
    // stable per custodian, so the conversation is too.
    let source_key = format!("wechat:{}:{peer}", opts.custodian.as_deref().unwrap_or(""));
    let conversation = Conversation {
        id: Conversation::id_for(Channel::Wechat, &source_key),
        channel: Channel::Wechat,
        title,
        source_key,
        custodian: opts.custodian.clone(),
        is_group: talker.ends_with("@chatroom"),
        participants: people,
    };
    Ok((conversation, CsvChat { cols }))
}

pub(super) struct Messages<'a> {
    rows: Rows,
    file: &'a str,
    conversation: &'a Conversation,
    chat: &'a CsvChat,
    opts: &'a ParseOptions,
    warnings: &'a mut WarningSink,
    occurrences: Occurrences,
    unknown_types: Vec<i64>,
    seq: u64,
    done: bool,
}

impl<'a> Messages<'a> {
    pub(super) fn new(
        input: &Input,
        file: &'a str,
        conversation: &'a Conversation,
        chat: &'a CsvChat,
        opts: &'a ParseOptions,
        warnings: &'a mut WarningSink,
    ) -> Result<Self, ConnectorError> {
        let (rows, _) = Rows::open(input, file, opts)?;
        Ok(Messages {
            rows,
            file,
            conversation,
            chat,
            opts,
            warnings,
            occurrences: Occurrences::default(),
            unknown_types: Vec::new(),
            seq: 0,
            done: false,
        })
    }

    fn convert(&mut self, line: u64) -> Result<Message, ConnectorError> {
        let file = self.file;
        let r = row(&self.rows.record, &self.chat.cols, file, line)?;
        let (sent_at, local_time, time_source) = r.time(file, line, self.opts)?;
        let mut kind = MessageKind::Message;
        let mut text = String::new();
        let mut attachments: Vec<Attachment> = Vec::new();
        let mut forwarded_from = None;
        let content = r.content;
        let xmlish = content.trim_start().starts_with('<');
        match r.ty {
            1 => text = content.to_owned(),
            3 => attachments.push(named(MediaKind::Image, None, "[图片]")),
            34 => attachments.push(named(MediaKind::Audio, None, "[语音]")),
            43 => attachments.push(named(MediaKind::Video, None, "[视频]")),
            47 => attachments.push(named(MediaKind::Sticker, None, "[表情]")),
            42 => attachments.push(named(
                MediaKind::Contact,
                xml_attr(content, "nickname"),
                "[名片]",
            )),
            48 => {
                text = [xml_attr(content, "poiname"), xml_attr(content, "label")]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join("\n");
                attachments.push(named(MediaKind::Location, None, "[位置]"));
            }
            50 => {
                kind = MessageKind::System;
                text = "call (VoIP)".to_owned();
            }
            49 => {
                let title = xml_tag(content, "title");
                let des = xml_tag(content, "des");
                let url = xml_tag(content, "url");
                match r.sub {
                    6 => attachments.push(named(MediaKind::Document, title, "[文件]")),
                    19 => {
                        forwarded_from = Some(String::new());
                        text = join([title, des]);
                    }
                    57 => text = title.unwrap_or_default(),
                    3..=5 => text = join([title, des, url]),
                    _ => text = join([title, des]),
                }
                if text.is_empty() && attachments.is_empty() && !xmlish {
                    text = content.to_owned();
                }
            }
            10000 => {
                kind = MessageKind::System;
                text = strip_markup(content);
            }
            10002 => {
                kind = MessageKind::System;
                text = xml_tag(content, "replacemsg").unwrap_or_else(|| strip_markup(content));
            }
            other => {
                if !self.unknown_types.contains(&other) && self.unknown_types.len() < 32 {
                    self.unknown_types.push(other);
                    self.warnings.push(
                        file,
                        Some(line),
                        format!(
                            "WeChat message type {other} is not known; its text is kept as written"
                        ),
                    );
                }
                text = if xmlish {
                    strip_markup(content)
                } else {
                    content.to_owned()
                };
            }
        }
        if text.len() > self.opts.limits.max_message_bytes {
            return Err(ConnectorError::MessageTooLong {
                file: file.to_owned(),
                line,
                limit: self.opts.limits.max_message_bytes,
            });
        }
        let (sender, sender_id): (Option<String>, Option<ParticipantId>) = match kind {
            MessageKind::System => (None, None),
            MessageKind::Message => {
                let key = r.sender_key();
                (
                    Some(r.display_name(self.opts)),
                    Some(Participant::id_for(Channel::Wechat, &key)),
                )
            }
        };
        let conv = &self.conversation.id;
        let id = if r.local_id.is_empty() {
            let occ = self.occurrences.next(sent_at, sender.as_deref(), content);
            Message::derived_id(conv, &local_time, sender.as_deref(), content, occ)
        } else {
            Message::native_id(conv, &format!("{}:{}", r.local_id, r.create_time))
        };
        let m = Message {
            id,
            conversation: conv.clone(),
            seq: self.seq,
            kind,
            sender,
            sender_id,
            sent_at,
            local_time,
            time_source,
            text,
            attachments,
            deleted: false,
            edited: false,
            source: SourceRef {
                file: file.into(),
                line,
            },
            reply_to: None,
            forwarded_from,
        };
        self.seq += 1;
        Ok(m)
    }
}

fn join<const N: usize>(parts: [Option<String>; N]) -> String {
    parts.into_iter().flatten().collect::<Vec<_>>().join("\n")
}

impl Iterator for Messages<'_> {
    type Item = Result<Message, ConnectorError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let r = match self.rows.next() {
            Ok(None) => {
                self.done = true;
                return None;
            }
            Ok(Some(line)) => self.convert(line),
            Err(e) => Err(e),
        };
        if r.is_err() {
            self.done = true;
        }
        Some(r)
    }
}
