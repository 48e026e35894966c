//! LINE "Export chat history" text (formats.md §11; `docs/formats/line.md`).
//!
//! ```text
//! [LINE] Chat history with Alice          (or: … in <group>, 與Alice的聊天記錄, Aliceとのトーク履歴)
//! Saved on: 2024/01/03 09:00              (儲存日期：…, 保存日時：…)
//!
//! 2024.01.02 Tuesday                      (2024/1/2週二, 2024/1/2(火), Tue, 01/02/2024)
//! 03:05pm<TAB>Alice<TAB>Hello             (15:05, 下午03:05, 午後3:05, 3:05 PM)
//! 03:06pm<TAB>Alice<TAB>"first line       (a multi-line message is quoted)
//! second line"
//! 03:07pm<TAB><TAB>Alice joined the group (system line: empty sender)
//! ```
//!
//! The year and date come only from the last day line, so the reader is a state
//! machine over lines, streamed twice (participants first, then messages) with
//! a capped line length. Times are wall-clock without a zone: `--tz` applies as
//! for WhatsApp. LINE writes no message ids: ids are derived like WhatsApp's.

use crate::detect::Input;
use crate::error::ConnectorError;
use crate::lines::LineReader;
use crate::options::{DateOrder, ParseOptions, Warning, WarningSink};
use crate::source::{ExportSource, MessageIter};
use chatwarden_model::{
    Attachment, Channel, Conversation, MediaKind, Message, MessageKind, Participant, SourceRef,
};
use jiff::civil::{Date, DateTime, Weekday};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::io::{BufReader, Read};

type Lines = LineReader<BufReader<Box<dyn crate::detect::ReadSeek>>>;

/// Whether the first bytes look like a LINE export: a first line starting with
/// `[LINE]`, or a day line followed by tab-separated `time<TAB>sender<TAB>text` lines.
pub(crate) fn looks_like_line(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(head);
    let text = text.trim_start_matches('\u{feff}');
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let Some(first) = lines.next() else {
        return false;
    };
    if first.starts_with("[LINE]") {
        return true;
    }
    if parse_day(first.trim(), None).is_none() {
        return false;
    }
    lines.take(3).any(|l| {
        l.split('\t').count() >= 3 && parse_time(l.split('\t').next().unwrap_or("")).is_some()
    })
}

fn weekday_names(w: Weekday) -> &'static [&'static str] {
    match w {
        Weekday::Monday => &["mon", "monday", "月", "週一", "周一", "星期一"],
        Weekday::Tuesday => &["tue", "tues", "tuesday", "火", "週二", "周二", "星期二"],
        Weekday::Wednesday => &["wed", "wednesday", "水", "週三", "周三", "星期三"],
        Weekday::Thursday => &[
            "thu",
            "thur",
            "thurs",
            "thursday",
            "木",
            "週四",
            "周四",
            "星期四",
        ],
        Weekday::Friday => &["fri", "friday", "金", "週五", "周五", "星期五"],
        Weekday::Saturday => &["sat", "saturday", "土", "週六", "周六", "星期六"],
        Weekday::Sunday => &[
            "sun",
            "sunday",
            "日",
            "週日",
            "周日",
            "星期日",
            "週天",
            "星期天",
        ],
    }
}

/// The weekday a day line names, if any (`Tuesday`, `(火)`, `週二`, `Tue,`).
fn weekday_in(s: &str) -> Option<Weekday> {
    let cleaned: String = s
        .chars()
        .map(|c| if "()（）,、 ".contains(c) { ' ' } else { c })
        .collect();
    let lower = cleaned.trim().to_lowercase();
    if lower.is_empty() {
        return None;
    }
    [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
        Weekday::Saturday,
        Weekday::Sunday,
    ]
    .into_iter()
    .find(|w| weekday_names(*w).contains(&lower.as_str()))
}

/// Leading digits of `s` as a number, and the rest.
fn number(s: &str) -> Option<(i32, &str)> {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    if end == 0 || end > 4 {
        return None;
    }
    Some((s.get(..end)?.parse().ok()?, s.get(end..)?))
}

/// A day line: `2024.01.02 Tuesday`, `2024/1/2週二`, `2024/1/2(火)`,
/// `Tue, 01/02/2024` (day/month order told by the weekday, else `order`).
fn parse_day(line: &str, order: Option<DateOrder>) -> Option<Date> {
    parse_day_order(line, order).map(|(d, _)| d)
}

/// [`parse_day`], and the day/month order the weekday decided, if it did.
fn parse_day_order(line: &str, order: Option<DateOrder>) -> Option<(Date, Option<DateOrder>)> {
    let line = line.trim();
    // Year first.
    if let Some((y, rest)) = number(line)
        && y >= 1000
    {
        let sep = rest.chars().next()?;
        if !matches!(sep, '.' | '/' | '-') {
            return None;
        }
        let (m, rest) = number(rest.get(1..)?)?;
        let rest = rest.strip_prefix(sep)?;
        let (d, rest) = number(rest)?;
        if rest.chars().next().is_some_and(|c| c.is_ascii_digit()) {
            return None;
        }
        let date = Date::new(
            i16::try_from(y).ok()?,
            i8::try_from(m).ok()?,
            i8::try_from(d).ok()?,
        )
        .ok()?;
        let rest = rest.trim();
        if !rest.is_empty() && weekday_in(rest).is_none() {
            return None;
        }
        return Some((date, None));
    }
    // Weekday first: `Tue, 01/02/2024`.
    let (wd, rest) = line.split_once(',')?;
    let weekday = weekday_in(wd)?;
    let rest = rest.trim();
    let (a, r) = number(rest)?;
    let r = r.strip_prefix('/')?;
    let (b, r) = number(r)?;
    let r = r.strip_prefix('/')?;
    let (y, r) = number(r)?;
    if !r.trim().is_empty() || y < 1000 {
        return None;
    }
    let y = i16::try_from(y).ok()?;
    let mdy = Date::new(y, i8::try_from(a).ok()?, i8::try_from(b).ok()?).ok();
    let dmy = Date::new(y, i8::try_from(b).ok()?, i8::try_from(a).ok()?).ok();
    match (mdy, dmy) {
        (Some(m), Some(d)) if m == d => Some((m, None)),
        (Some(m), Some(d)) => match (m.weekday() == weekday, d.weekday() == weekday) {
            (true, false) => Some((m, Some(DateOrder::Mdy))),
            (false, true) => Some((d, Some(DateOrder::Dmy))),
            _ => match order {
                Some(DateOrder::Dmy) => Some((d, None)),
                _ => Some((m, None)),
            },
        },
        (Some(m), None) => Some((m, Some(DateOrder::Mdy))),
        (None, Some(d)) => Some((d, Some(DateOrder::Dmy))),
        (None, None) => None,
    }
}

/// A message time: `15:05`, `3:05`, `03:05pm`, `3:05 PM`, `下午03:05`,
/// `上午9:05`, `午後3:05`, `午前9:05`.
fn parse_time(s: &str) -> Option<(i8, i8)> {
    let s = s.trim();
    let (pm, s) = if let Some(r) = s.strip_prefix("下午").or_else(|| s.strip_prefix("午後")) {
        (Some(true), r)
    } else if let Some(r) = s.strip_prefix("上午").or_else(|| s.strip_prefix("午前")) {
        (Some(false), r)
    } else {
        (None, s)
    };
    let (h, rest) = number(s)?;
    let rest = rest.strip_prefix(':')?;
    let (m, rest) = number(rest)?;
    let suffix = rest.trim().to_ascii_lowercase();
    let pm = match (pm, suffix.as_str()) {
        (p, "") => p,
        (None, "pm" | "p.m.") => Some(true),
        (None, "am" | "a.m.") => Some(false),
        _ => return None,
    };
    if !(0..60).contains(&m) {
        return None;
    }
    let h = match pm {
        None if (0..24).contains(&h) => h,
        Some(p) if (1..=12).contains(&h) => (h % 12) + if p { 12 } else { 0 },
        Some(_) if h == 0 => 0,
        _ => return None,
    };
    Some((i8::try_from(h).ok()?, i8::try_from(m).ok()?))
}

/// Media placeholders LINE writes instead of the file, localized.
const PLACEHOLDERS: &[(&str, MediaKind)] = &[
    ("[Photo]", MediaKind::Image),
    ("[Photos]", MediaKind::Image),
    ("[照片]", MediaKind::Image),
    ("[写真]", MediaKind::Image),
    ("[Video]", MediaKind::Video),
    ("[影片]", MediaKind::Video),
    ("[動画]", MediaKind::Video),
    ("[Sticker]", MediaKind::Sticker),
    ("[貼圖]", MediaKind::Sticker),
    ("[スタンプ]", MediaKind::Sticker),
    ("[Voice message]", MediaKind::Audio),
    ("[語音訊息]", MediaKind::Audio),
    ("[ボイスメッセージ]", MediaKind::Audio),
    ("[File]", MediaKind::Document),
    ("[檔案]", MediaKind::Document),
    ("[ファイル]", MediaKind::Document),
    ("[Location]", MediaKind::Location),
    ("[位置資訊]", MediaKind::Location),
    ("[位置情報]", MediaKind::Location),
    ("[Contact]", MediaKind::Contact),
    ("[聯絡資訊]", MediaKind::Contact),
    ("[連絡先]", MediaKind::Contact),
    ("[Notes]", MediaKind::Other),
    ("[記事本]", MediaKind::Other),
    ("[ノート]", MediaKind::Other),
];

/// Unsend notices (the message itself is gone).
const UNSENT: &[&str] = &[
    "unsent a message.",
    "メッセージの送信を取り消しました",
    "已收回訊息",
    "收回了訊息",
    "已收回讯息",
];

/// The conversation name from the header line, and whether it names a group.
fn title_from_header(line: &str) -> (String, Option<bool>) {
    let rest = line.trim_start_matches("[LINE]").trim();
    for (prefix, group) in [("Chat history with ", false), ("Chat history in ", true)] {
        if let Some(n) = rest.strip_prefix(prefix) {
            return (n.trim().to_owned(), Some(group));
        }
    }
    if let Some(n) = rest
        .strip_prefix('與')
        .and_then(|r| r.strip_suffix("的聊天記錄"))
    {
        return (n.to_owned(), None);
    }
    if let Some(n) = rest
        .strip_prefix('与')
        .and_then(|r| r.strip_suffix("的聊天记录"))
    {
        return (n.to_owned(), None);
    }
    if let Some(n) = rest.strip_suffix("とのトーク履歴") {
        return (n.to_owned(), None);
    }
    if let Some(n) = rest.strip_suffix("のトーク履歴") {
        return (n.to_owned(), Some(true));
    }
    (rest.to_owned(), None)
}

/// One message being gathered.
struct Pending {
    line: u64,
    local: DateTime,
    sender: Option<String>,
    text: String,
    /// Inside a `"…` block that has not closed yet.
    open_quote: bool,
}

/// The line-by-line state machine shared by both passes.
struct Parser {
    day: Option<Date>,
    pending: Option<Pending>,
    order: Option<DateOrder>,
    /// `--date-order` was given.
    forced: bool,
    header_done: bool,
    max_message: usize,
}

enum Fed {
    Nothing,
    Done(Pending),
}

impl Parser {
    fn new(opts: &ParseOptions) -> Parser {
        Parser {
            day: None,
            pending: None,
            order: opts.date_order,
            forced: opts.date_order.is_some(),
            header_done: false,
            max_message: opts.limits.max_message_bytes,
        }
    }

    fn feed(&mut self, file: &str, no: u64, raw: &str) -> Result<Fed, ConnectorError> {
        let line = if no == 1 {
            raw.trim_start_matches('\u{feff}')
        } else {
            raw
        };
        let line = line.strip_suffix('\r').unwrap_or(line);
        // Inside a quoted block, every line belongs to it until one ends with `"`.
        if let Some(p) = self.pending.as_mut()
            && p.open_quote
            && !is_message_line(line)
        {
            p.text.push('\n');
            if let Some(t) = line.strip_suffix('"') {
                p.text.push_str(t);
                p.open_quote = false;
            } else {
                p.text.push_str(line);
            }
            if p.text.len() > self.max_message {
                return Err(ConnectorError::MessageTooLong {
                    file: file.to_owned(),
                    line: p.line,
                    limit: self.max_message,
                });
            }
            return Ok(Fed::Nothing);
        }
        if self.day.is_none() && !self.header_done {
            if line.starts_with("[LINE]") || line.trim().is_empty() {
                return Ok(Fed::Nothing);
            }
            if parse_day(line, self.order).is_none()
                && !is_message_line(line)
                && (line.contains(':') || line.contains('：'))
            {
                // "Saved on: …" and its translations.
                self.header_done = true;
                return Ok(Fed::Nothing);
            }
        }
        if let Some((d, decided)) = parse_day_order(line, self.order) {
            // A weekday that settles day/month order settles it for the next
            // day lines whose weekday fits both (7/1 and 1/7 of 2026).
            if !self.forced && decided.is_some() {
                self.order = decided;
            }
            self.day = Some(d);
            self.header_done = true;
            return Ok(self.take());
        }
        let mut parts = line.splitn(3, '\t');
        let (t, second, third) = (parts.next(), parts.next(), parts.next());
        if let (Some(t), Some(second)) = (t, second)
            && let Some((h, m)) = parse_time(t)
        {
            let Some(day) = self.day else {
                return Err(ConnectorError::Malformed {
                    file: file.to_owned(),
                    line: no,
                    reason: "LINE message line before any day line".to_owned(),
                });
            };
            let done = self.take();
            let (sender, body) = match third {
                Some(text) => (Some(second.to_owned()).filter(|s| !s.is_empty()), text),
                None => (None, second),
            };
            let (text, open_quote) = match body.strip_prefix('"') {
                Some(inner) if !inner.ends_with('"') || inner.is_empty() => {
                    (inner.to_owned(), true)
                }
                Some(inner) => (inner.strip_suffix('"').unwrap_or(inner).to_owned(), false),
                None => (body.to_owned(), false),
            };
            self.pending = Some(Pending {
                line: no,
                local: day.at(h, m, 0, 0),
                sender,
                text,
                open_quote,
            });
            return Ok(done);
        }
        if line.trim().is_empty() {
            return Ok(Fed::Nothing);
        }
        match self.pending.as_mut() {
            // A line that is none of the above: more text of the last message.
            Some(p) => {
                p.text.push('\n');
                p.text.push_str(line);
                if p.text.len() > self.max_message {
                    return Err(ConnectorError::MessageTooLong {
                        file: file.to_owned(),
                        line: p.line,
                        limit: self.max_message,
                    });
                }
                Ok(Fed::Nothing)
            }
            None if self.day.is_none() => Err(ConnectorError::NotRecognized {
                file: file.to_owned(),
                tried: format!("line (line {no} is neither a header, a day line nor a message)"),
            }),
            None => Err(ConnectorError::Malformed {
                file: file.to_owned(),
                line: no,
                reason: "LINE: text before the first message of the day".to_owned(),
            }),
        }
    }

    fn take(&mut self) -> Fed {
        match self.pending.take() {
            Some(p) => Fed::Done(p),
            None => Fed::Nothing,
        }
    }
}

fn is_message_line(line: &str) -> bool {
    let mut parts = line.splitn(3, '\t');
    matches!((parts.next(), parts.next(), parts.next()), (Some(t), Some(_), Some(_)) if parse_time(t).is_some())
}

/// One LINE chat export.
pub struct LineExport {
    input: Input,
    file: String,
    conversation: Conversation,
    warnings: WarningSink,
    size_hint: u64,
    opts: ParseOptions,
}

fn open_lines(input: &Input, file: &str, opts: &ParseOptions) -> Result<Lines, ConnectorError> {
    Ok(LineReader::new(
        BufReader::new(input.reader(file)?),
        file,
        opts.limits.max_line_bytes,
    ))
}

impl LineExport {
    /// Opens a LINE `.txt` export: reads it once for the header and participants.
    pub(crate) fn open_input(
        input: Input,
        file: &str,
        opts: &ParseOptions,
    ) -> Result<LineExport, ConnectorError> {
        let mut warnings = WarningSink::new(opts.limits.max_warnings);
        let mut lines = open_lines(&input, file, opts)?;
        let mut parser = Parser::new(opts);
        let mut header: Option<String> = None;
        let mut names: Vec<String> = Vec::new();
        let mut seen: HashMap<String, ()> = HashMap::new();
        let mut count = 0u64;
        let mut note = |p: Pending, names: &mut Vec<String>| {
            count += 1;
            if let Some(s) = p.sender
                && !seen.contains_key(&s)
                && names.len() < opts.limits.max_participants
            {
                seen.insert(s.clone(), ());
                names.push(s);
            }
        };
        loop {
            let no = lines.line_no() + 1;
            let Some(line) = lines.next_line()? else {
                break;
            };
            if no == 1 {
                let l = line.trim_start_matches('\u{feff}');
                if l.starts_with("[LINE]") {
                    header = Some(l.trim_end_matches('\r').to_owned());
                }
            }
            if let Fed::Done(p) = parser.feed(file, no, line)? {
                note(p, &mut names);
            }
        }
        if let Some(p) = parser.pending.take() {
            note(p, &mut names);
        }
        if count == 0 {
            return Err(ConnectorError::NotRecognized {
                file: file.to_owned(),
                tried: "line (no `time<TAB>sender<TAB>text` message after a day line)".to_owned(),
            });
        }
        let (from_header, group) = header.as_deref().map(title_from_header).unwrap_or_default();
        let from_name = file
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or(file)
            .trim_end_matches(".txt")
            .trim_start_matches("[LINE]")
            .trim()
            .to_owned();
        let title = opts.title.clone().unwrap_or({
            if from_header.is_empty() {
                from_name
            } else {
                from_header
            }
        });
        if opts.tz.is_none() {
            warnings.push(
                file,
                None,
                "LINE times carry no zone and none was given: read as UTC (time source assumed_utc)",
            );
        }
        let custodian = opts.custodian.clone().unwrap_or_default();
        let source_key = format!("line:{custodian}:{title}");
        let conversation = Conversation {
            id: Conversation::id_for(Channel::Line, &source_key),
            channel: Channel::Line,
            title,
            source_key,
            custodian: opts.custodian.clone(),
            is_group: group.unwrap_or(names.len() > 2),
            participants: names
                .into_iter()
                .map(|n| Participant {
                    id: Participant::id_for(Channel::Line, &n),
                    display_name: n,
                    phone: None,
                    is_self: false,
                })
                .collect(),
        };
        Ok(LineExport {
            size_hint: input.len(file)?,
            input,
            file: file.to_owned(),
            conversation,
            warnings,
            opts: opts.clone(),
        })
    }
}

struct Messages<'a> {
    lines: Lines,
    parser: Parser,
    file: &'a str,
    conversation: &'a Conversation,
    opts: &'a ParseOptions,
    warnings: &'a mut WarningSink,
    occurrences: HashMap<(DateTime, Option<String>, u64), u64>,
    seq: u64,
    done: bool,
}

impl Messages<'_> {
    fn convert(&mut self, p: Pending) -> Result<Message, ConnectorError> {
        let Some((sent_at, time_source, _)) =
            crate::whatsapp::dates::instant(p.local, self.opts.tz.as_ref())
        else {
            return Err(ConnectorError::Malformed {
                file: self.file.to_owned(),
                line: p.line,
                reason: "LINE: time out of range".to_owned(),
            });
        };
        let mut h = std::collections::hash_map::DefaultHasher::new();
        p.text.hash(&mut h);
        let key = (p.local, p.sender.clone(), h.finish());
        let occ = self.occurrences.entry(key).or_insert(0);
        let conv = self.conversation;
        let id = Message::derived_id(&conv.id, &p.local, p.sender.as_deref(), &p.text, *occ);
        *occ += 1;
        let trimmed = p.text.trim();
        let mut attachments = Vec::new();
        let mut text = p.text.clone();
        for (ph, kind) in PLACEHOLDERS {
            if let Some(rest) = trimmed.strip_prefix(ph)
                && (rest.is_empty() || rest.starts_with(' '))
            {
                let name = rest.trim();
                attachments.push(Attachment {
                    name: (!name.is_empty()).then(|| name.to_owned()),
                    kind: *kind,
                    included: false,
                    size: None,
                    content_hash: None,
                    placeholder: Some(trimmed.to_owned()),
                });
                text = String::new();
                break;
            }
        }
        let deleted = UNSENT.iter().any(|u| trimmed.ends_with(u));
        let kind = if p.sender.is_none() {
            MessageKind::System
        } else {
            MessageKind::Message
        };
        let msg = Message {
            id,
            conversation: conv.id.clone(),
            seq: self.seq,
            kind,
            sender_id: p
                .sender
                .as_deref()
                .map(|s| Participant::id_for(Channel::Line, s)),
            sender: p.sender,
            sent_at,
            local_time: p.local,
            time_source,
            text,
            attachments,
            deleted,
            edited: false,
            source: SourceRef {
                file: self.file.into(),
                line: p.line,
            },
            reply_to: None,
            forwarded_from: None,
        };
        self.seq += 1;
        Ok(msg)
    }

    fn step(&mut self) -> Result<Option<Message>, ConnectorError> {
        loop {
            let no = self.lines.line_no() + 1;
            let fed = match self.lines.next_line()? {
                Some(line) => self.parser.feed(self.file, no, line)?,
                None => {
                    self.done = true;
                    match self.parser.pending.take() {
                        Some(p) => {
                            if p.open_quote {
                                self.warnings.push(
                                    self.file,
                                    Some(p.line),
                                    "quoted message not closed before the end of the file",
                                );
                            }
                            Fed::Done(p)
                        }
                        None => return Ok(None),
                    }
                }
            };
            if let Fed::Done(p) = fed {
                return self.convert(p).map(Some);
            }
        }
    }
}

impl Iterator for Messages<'_> {
    type Item = Result<Message, ConnectorError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done && self.parser.pending.is_none() {
            return None;
        }
        match self.step() {
            Ok(Some(m)) => Some(Ok(m)),
            Ok(None) => None,
            Err(e) => {
                self.done = true;
                self.parser.pending = None;
                Some(Err(e))
            }
        }
    }
}

impl ExportSource for LineExport {
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
        let lines = open_lines(&self.input, &self.file, &self.opts)?;
        Ok(Box::new(Messages {
            lines,
            parser: Parser::new(&self.opts),
            file: &self.file,
            conversation: &self.conversation,
            opts: &self.opts,
            warnings: &mut self.warnings,
            occurrences: HashMap::new(),
            seq: 0,
            done: false,
        }))
    }

    fn open_attachment(&self, _name: &str) -> Result<Option<Box<dyn Read + '_>>, ConnectorError> {
        // LINE's text export never holds the files.
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn day_lines_in_every_locale() {
        assert_eq!(
            parse_day("2024.01.02 Tuesday", None),
            Some(date(2024, 1, 2))
        );
        assert_eq!(parse_day("2024/1/2週二", None), Some(date(2024, 1, 2)));
        assert_eq!(parse_day("2024/1/2(火)", None), Some(date(2024, 1, 2)));
        assert_eq!(parse_day("2026/09/26(土)", None), Some(date(2026, 9, 26)));
        assert_eq!(parse_day("Tue, 01/02/2024", None), Some(date(2024, 1, 2)));
        // 06/01/2026 is a Tuesday only as 6 January.
        assert_eq!(parse_day("Tue, 06/01/2026", None), Some(date(2026, 1, 6)));
        assert_eq!(parse_day("Fri, 9/25/2026", None), Some(date(2026, 9, 25)));
        assert_eq!(parse_day("2024/13/40", None), None);
        assert_eq!(parse_day("Saved on: 2024/01/03 09:00", None), None);
        assert_eq!(parse_day("hello, 1/2/2024", None), None);
    }

    #[test]
    fn times_in_every_locale() {
        assert_eq!(parse_time("15:05"), Some((15, 5)));
        assert_eq!(parse_time("03:05pm"), Some((15, 5)));
        assert_eq!(parse_time("9:30 PM"), Some((21, 30)));
        assert_eq!(parse_time("12:10am"), Some((0, 10)));
        assert_eq!(parse_time("下午03:04"), Some((15, 4)));
        assert_eq!(parse_time("午後3:04"), Some((15, 4)));
        assert_eq!(parse_time("午前12:30"), Some((0, 30)));
        assert_eq!(parse_time("25:00"), None);
        assert_eq!(parse_time("Alice"), None);
    }

    #[test]
    fn headers_give_titles() {
        assert_eq!(
            title_from_header("[LINE] Chat history with Alice"),
            ("Alice".to_owned(), Some(false))
        );
        assert_eq!(
            title_from_header("[LINE] Chat history in Sales TW"),
            ("Sales TW".to_owned(), Some(true))
        );
        assert_eq!(title_from_header("[LINE] 與Alice的聊天記錄").0, "Alice");
        assert_eq!(
            title_from_header("[LINE] 森川 陽介とのトーク履歴").0,
            "森川 陽介"
        );
    }
}
