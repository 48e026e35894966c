//! WhatsApp "Export chat" reader: `.txt` (Android, iOS) and `.zip` (`_chat.txt`
//! or `WhatsApp Chat with X.txt` plus media). See `docs/formats/whatsapp.md`.
//!
//! Three streaming reads of the chat text, memory bounded by the line and
//! message caps: (1a) the first lines vote on the file's header shape; (1b) every
//! header's date feeds the day/month inference and every sender the participant
//! list; (2) [`crate::ExportSource::messages`] yields the messages.

pub mod body;
pub mod dates;
pub mod header;
pub mod normalize;
mod par;
pub mod strings;
pub mod title;

use crate::error::ConnectorError;
use crate::lines::LineReader;
use crate::options::{DateOrder, Limits, ParseOptions, Warning, WarningSink};
use crate::source::{ExportSource, MessageIter};
use crate::zipsafe::{SafeZip, unwrap_io_error};
use body::{Head, MediaInfo};
use chatwarden_model::{
    Channel, Conversation, ConversationId, Message, MessageKind, Participant, ParticipantId,
    SourceRef,
};
use dates::{DateStats, OrderReason, Placement};
use header::Shape;
use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use sha2::{Digest, Sha256};
use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::fs::File;
use std::io::{self, Cursor, Read, Seek};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Non-blank lines read before giving up on finding a header.
const DETECT_LINES: usize = 50;
/// Non-blank lines read to vote on the header shape.
const VOTE_LINES: usize = 400;

trait ReadSeek: Read + Seek + Send {}
impl<T: Read + Seek + Send> ReadSeek for T {}

#[derive(Clone)]
enum Backing {
    Path(PathBuf),
    Bytes(Arc<[u8]>),
}

impl Backing {
    fn reader(&self, label: &str) -> Result<Box<dyn ReadSeek>, ConnectorError> {
        match self {
            Backing::Path(p) => {
                let f = File::open(p).map_err(|e| ConnectorError::io(label, e))?;
                Ok(Box::new(f))
            }
            Backing::Bytes(b) => Ok(Box::new(Cursor::new(Arc::clone(b)))),
        }
    }

    fn len(&self, label: &str) -> Result<u64, ConnectorError> {
        match self {
            Backing::Path(p) => Ok(std::fs::metadata(p)
                .map_err(|e| ConnectorError::io(label, e))?
                .len()),
            Backing::Bytes(b) => Ok(b.len() as u64),
        }
    }
}

/// What pass 2 needs to read messages.
#[derive(Clone)]
struct Ctx {
    /// The chat text's name in messages' `source.file`.
    label: String,
    shape: Shape,
    order: DateOrder,
    tz: Option<TimeZone>,
    limits: Limits,
    /// Title known from the file name or options (not from participants).
    title_hint: Option<String>,
    /// A sender name whose LRM-led lines are system events (iOS attributes group
    /// events to the group's name): the title, unless it also sends plain messages.
    system_sender: Option<String>,
    conversation: ConversationId,
    /// For a `.txt` on disk: its folder, where an unzipped export keeps its media.
    media_dir: Option<PathBuf>,
    /// Hash media files ([`ParseOptions::hash_media`]).
    hash_media: bool,
    /// The chat text is WhatsApp Web / Desktop's `chat.txt` (its zip holds it
    /// beside `chat.md` and `media/`): month-first dates, `[Forwarded]` prefixes.
    web: bool,
}

/// One opened WhatsApp export.
pub struct WhatsAppExport {
    backing: Backing,
    zip: RefCell<Option<SafeZip<Box<dyn ReadSeek>>>>,
    chat_entry: Option<usize>,
    media: HashMap<String, MediaInfo>,
    ctx: Ctx,
    conversation: Conversation,
    warnings: WarningSink,
    size_hint: u64,
    /// Where pass 2 may start parallel parts: (byte offset, lines before), in
    /// file order; empty when the file is read by one thread.
    splits: Vec<(u64, u64)>,
}

/// WhatsApp Web / Desktop names its chat text `chat.txt` (the apps `_chat.txt`
/// or `WhatsApp Chat with ….txt`).
fn is_web_chat_name(name: &str) -> bool {
    name.eq_ignore_ascii_case("chat.txt")
}

fn is_zip(head: &[u8]) -> bool {
    head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06")
}

/// Picks the chat text in a zip: `_chat.txt`, else `*chat*.txt` / `*whatsapp*.txt`,
/// else the only `.txt`.
fn pick_chat_entry(entries: &[crate::zipsafe::EntryInfo]) -> Option<usize> {
    let txt: Vec<_> = entries
        .iter()
        .filter(|e| !e.is_dir && e.file_name().to_lowercase().ends_with(".txt"))
        .collect();
    if let Some(e) = txt.iter().find(|e| e.file_name() == "_chat.txt") {
        return Some(e.index);
    }
    if let Some(e) = txt.iter().find(|e| {
        let n = e.file_name().to_lowercase();
        n.contains("chat") || n.contains("whatsapp")
    }) {
        return Some(e.index);
    }
    match txt.as_slice() {
        [only] => Some(only.index),
        _ => None,
    }
}

fn hash_entry<R: Read + Seek>(
    zip: &mut SafeZip<R>,
    index: usize,
) -> Result<MediaInfo, ConnectorError> {
    let file = zip.file().to_owned();
    let mut reader = zip.open_entry(index)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(unwrap_io_error(&file, e)),
        };
        hasher.update(buf.get(..n).unwrap_or_default());
        size += n as u64;
    }
    Ok(MediaInfo {
        index,
        size,
        sha256: Some(hex::encode(hasher.finalize())),
    })
}

/// Adapts a reader whose errors may carry a [`ConnectorError`] (zip limits) so
/// the line reader reports them.
struct TextReader<'a> {
    inner: Box<dyn Read + 'a>,
}

impl Read for TextReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf)
    }
}

fn map_line_err(label: &str, e: ConnectorError) -> ConnectorError {
    match e {
        ConnectorError::Io { source, .. } => unwrap_io_error(label, source),
        other => other,
    }
}

impl WhatsAppExport {
    /// Opens a `.txt` or `.zip` export from disk.
    pub fn open_path(path: &Path, opts: &ParseOptions) -> Result<Self, ConnectorError> {
        let label = path.display().to_string();
        Self::open_backing(label, Backing::Path(path.to_path_buf()), opts)
    }

    /// Opens an export held in memory; `name` stands for its file name.
    pub fn open_bytes(
        name: &str,
        bytes: Vec<u8>,
        opts: &ParseOptions,
    ) -> Result<Self, ConnectorError> {
        Self::open_backing(name.to_owned(), Backing::Bytes(Arc::from(bytes)), opts)
    }

    fn open_backing(
        label: String,
        backing: Backing,
        opts: &ParseOptions,
    ) -> Result<Self, ConnectorError> {
        let mut warnings = WarningSink::new(opts.limits.max_warnings);
        let mut head = [0u8; 4];
        let head_len = {
            let mut r = backing.reader(&label)?;
            read_up_to(&mut r, &mut head).map_err(|e| ConnectorError::io(&label, e))?
        };
        let zipped = is_zip(head.get(..head_len).unwrap_or_default());
        let mut title_hint = opts.title.clone();
        let mut zip = None;
        let mut chat_entry = None;
        let mut media = HashMap::new();
        let chat_label;
        let size_hint;
        let web;
        if zipped {
            let mut z = SafeZip::open(backing.reader(&label)?, &label, &opts.limits.zip)?;
            let entries = z.entries().to_vec();
            let index = pick_chat_entry(&entries).ok_or_else(|| {
                match entries
                    .iter()
                    .find(|e| !e.is_dir && e.file_name().eq_ignore_ascii_case("chat.md"))
                {
                    // An older WhatsApp Web build zipped `chat.md` and media only.
                    Some(md) => ConnectorError::Malformed {
                        file: format!("{label}!/{}", md.name),
                        line: 1,
                        reason: strings::WEB_MARKDOWN.to_owned(),
                    },
                    None => ConnectorError::NoChatFile {
                        file: label.clone(),
                    },
                }
            })?;
            let chat = entries.iter().find(|e| e.index == index).ok_or_else(|| {
                ConnectorError::NoChatFile {
                    file: label.clone(),
                }
            })?;
            chat_label = format!("{label}!/{}", chat.name);
            size_hint = chat.size;
            web = is_web_chat_name(chat.file_name());
            if title_hint.is_none() {
                title_hint =
                    title::from_file_name(&chat.name).or_else(|| title::from_file_name(&label));
            }
            if title_hint.is_none() && web {
                // WhatsApp Web names the zip after the chat.
                title_hint = title::web_zip_title(&label);
            }
            for e in entries.iter().filter(|e| !e.is_dir && e.index != index) {
                let info = if opts.hash_media {
                    hash_entry(&mut z, e.index)?
                } else {
                    MediaInfo {
                        index: e.index,
                        size: e.size,
                        sha256: None,
                    }
                };
                let key = e.file_name().to_owned();
                match media.entry(key) {
                    std::collections::hash_map::Entry::Occupied(o) => warnings.push(
                        &label,
                        None,
                        format!("two media entries named {:?}; the first is used", o.key()),
                    ),
                    std::collections::hash_map::Entry::Vacant(v) => {
                        v.insert(info);
                    }
                }
            }
            chat_entry = Some(index);
            zip = Some(z);
        } else {
            chat_label = label.clone();
            web = is_web_chat_name(label.rsplit(['/', '\\']).next().unwrap_or(&label));
            size_hint = backing.len(&label)?;
            if title_hint.is_none() {
                title_hint = title::from_file_name(&label);
            }
        }

        let media_dir = match &backing {
            Backing::Path(p) if !zipped => p.parent().map(Path::to_path_buf),
            _ => None,
        };
        let mut export = WhatsAppExport {
            backing,
            zip: RefCell::new(zip),
            chat_entry,
            media,
            ctx: Ctx {
                label: chat_label,
                shape: placeholder_shape(),
                order: DateOrder::Dmy,
                tz: opts.tz.clone(),
                limits: opts.limits.clone(),
                title_hint,
                system_sender: None,
                media_dir,
                hash_media: opts.hash_media,
                web,
                conversation: ConversationId::from(String::new()),
            },
            conversation: Conversation {
                id: ConversationId::from(String::new()),
                channel: Channel::Whatsapp,
                title: String::new(),
                source_key: String::new(),
                custodian: opts.custodian.clone(),
                is_group: false,
                participants: Vec::new(),
            },
            warnings,
            size_hint,
            splits: Vec::new(),
        };
        export.ctx.shape = export.vote_shape()?;
        let scan = export.scan()?;
        export.finish_open(scan, opts)?;
        Ok(export)
    }

    /// Runs `f` over a line reader on the chat text.
    fn with_lines<T>(
        &self,
        f: impl FnOnce(&mut LineReader<TextReader<'_>>) -> Result<T, ConnectorError>,
    ) -> Result<T, ConnectorError> {
        let label = &self.ctx.label;
        let max = self.ctx.limits.max_line_bytes;
        match self.chat_entry {
            Some(index) => {
                let mut guard = self.zip.borrow_mut();
                let z = guard.as_mut().ok_or_else(|| ConnectorError::NoChatFile {
                    file: label.clone(),
                })?;
                let entry = z.open_entry(index)?;
                let mut lines = LineReader::new(
                    TextReader {
                        inner: Box::new(entry),
                    },
                    label,
                    max,
                );
                f(&mut lines).map_err(|e| map_line_err(label, e))
            }
            None => {
                let r = self.backing.reader(label)?;
                let mut lines = LineReader::new(TextReader { inner: r }, label, max);
                f(&mut lines)
            }
        }
    }

    /// Pass 1a: the most frequent header shape among the first lines.
    fn vote_shape(&self) -> Result<Shape, ConnectorError> {
        let label = self.ctx.label.clone();
        let not_recognized = || ConnectorError::NotRecognized {
            file: label.clone(),
            tried: "whatsapp (no message header in the first lines)".to_owned(),
        };
        // No header found: WhatsApp Web's Markdown export, told apart by its title
        // line, is refused with a reason rather than as an unknown file.
        // A line that would be a header but for a day period this reader does not
        // know (`2:22 μ.μ. - Name:` before Greek was added) names it.
        let no_header = |web_markdown: bool, unknown_period: Option<(u64, String)>| {
            if web_markdown {
                ConnectorError::Malformed {
                    file: label.clone(),
                    line: 1,
                    reason: strings::WEB_MARKDOWN.to_owned(),
                }
            } else if let Some((line, word)) = unknown_period {
                ConnectorError::Malformed {
                    file: label.clone(),
                    line,
                    reason: format!(
                        "a WhatsApp message header whose time is followed by {word:?}, which is \
                         not a day period (AM/PM word) chatwarden knows; please report it. \
                         Until then, export the chat again with the phone set to 24-hour time"
                    ),
                }
            } else {
                not_recognized()
            }
        };
        self.with_lines(|lines| {
            let mut tally: Vec<(Shape, u64)> = Vec::new();
            let mut non_blank = 0usize;
            let mut web_markdown = false;
            let mut unknown_period: Option<(u64, String)> = None;
            loop {
                let line = match lines.next_line() {
                    Ok(Some(l)) => l,
                    Ok(None) => break,
                    Err(e) => {
                        if tally.is_empty() {
                            return Err(not_recognized());
                        }
                        return Err(e);
                    }
                };
                if normalize::strip_invisible_cow(line).trim().is_empty() {
                    continue;
                }
                non_blank += 1;
                if non_blank == 1 {
                    web_markdown = strings::is_web_markdown_title(line);
                }
                if let Some(h) = header::parse(line) {
                    match tally.iter_mut().find(|(s, _)| *s == h.shape) {
                        Some((_, n)) => *n += 1,
                        None => tally.push((h.shape, 1)),
                    }
                } else if tally.is_empty() && unknown_period.is_none() {
                    unknown_period =
                        header::unknown_day_period(line).map(|word| (lines.line_no(), word));
                }
                if tally.is_empty() && non_blank >= DETECT_LINES {
                    return Err(no_header(web_markdown, unknown_period));
                }
                if non_blank >= VOTE_LINES {
                    break;
                }
            }
            // Most votes; ties go to the shape seen first.
            let mut best: Option<(Shape, u64)> = None;
            for (s, n) in tally {
                if best.is_none_or(|(_, bn)| n > bn) {
                    best = Some((s, n));
                }
            }
            best.map(|(s, _)| s)
                .ok_or_else(|| no_header(web_markdown, unknown_period))
        })
    }

    /// Pass 1b: date statistics, senders and group events over the whole file
    /// (in parallel parts for a large plain-text file), and the header lines where
    /// pass 2 may start a part.
    fn scan(&self) -> Result<Scan, ConnectorError> {
        let params = ScanParams {
            shape: self.ctx.shape,
            title: self.ctx.title_hint.clone(),
            max_participants: self.ctx.limits.max_participants,
        };
        if let Some(len) = self.parallel_len()
            && let Some(scan) = par::scan_parallel(
                &self.backing,
                &self.ctx.label,
                len,
                self.ctx.limits.max_threads,
                self.ctx.limits.max_line_bytes,
                &params,
            )
        {
            return Ok(scan);
        }
        self.with_lines(|lines| scan_lines(lines, &params))
    }

    /// The size of the chat text when it is read in parallel parts: a plain-text
    /// file (not a zip) of at least [`par::MIN_PARALLEL_BYTES`], with more than one
    /// thread allowed.
    fn parallel_len(&self) -> Option<u64> {
        (self.chat_entry.is_none()
            && self.ctx.limits.max_threads > 1
            && self.size_hint >= par::MIN_PARALLEL_BYTES)
            .then_some(self.size_hint)
    }

    fn finish_open(&mut self, scan: Scan, opts: &ParseOptions) -> Result<(), ConnectorError> {
        let label = self.ctx.label.clone();
        let shape = self.ctx.shape;
        let (order, reason) = match opts.date_order {
            Some(o) => (o, OrderReason::Override),
            None if shape.year_first => (DateOrder::Ymd, OrderReason::YearFirst),
            None if shape.era == header::Era::Short && scan.stats.one_digit_last() => {
                (DateOrder::Ymd, OrderReason::OneDigitLast)
            }
            None if shape.era == header::Era::Short && scan.stats.short_year_first() => {
                (DateOrder::Ymd, OrderReason::ShortYearFirst)
            }
            None => match scan.stats.decide() {
                // WhatsApp Web writes month/day/year whatever the language.
                (_, OrderReason::Ambiguous) if self.ctx.web => (DateOrder::Mdy, OrderReason::Web),
                decided => decided,
            },
        };
        if shape.year_first && opts.date_order.is_some_and(|o| o != DateOrder::Ymd) {
            self.warnings.push(
                &label,
                None,
                "date order override ignored: the dates are written year first",
            );
        }
        if reason == OrderReason::Ambiguous {
            self.warnings.push(
                &label,
                None,
                "date order is ambiguous (no day above 12, no decreasing or faster-changing component): \
                 read as day/month/year; give the date order explicitly (dmy or mdy) if that is wrong",
            );
        }
        if reason == OrderReason::ShortYearFirst {
            self.warnings.push(
                &label,
                None,
                "dates read as year/month/day with a two-digit year first (the first number never \
                 goes back, the last changes like a day); give the date order explicitly if that is \
                 wrong",
            );
        }
        tracing::debug!(file = %label, order = %order, ?reason, "whatsapp date order");
        self.ctx.order = if shape.year_first {
            DateOrder::Ymd
        } else {
            order
        };
        // Headers that all name no real date under the order read (a layout
        // WhatsApp does not write, or a wrong override) would give no message
        // at all: an error naming the first header instead of an empty read.
        if scan.headers > 0 && !scan.valid_under[order_index(self.ctx.order)] {
            return Err(ConnectorError::Malformed {
                file: label,
                line: scan.first_header_line.unwrap_or(1),
                reason: format!(
                    "no message header names a real date when its numbers are read as {}{} \
                     (WhatsApp writes day/month/year, month/day/year or year/month/day); give \
                     the date order explicitly if another one fits",
                    self.ctx.order.as_str(),
                    if opts.date_order.is_some() {
                        ", the order given"
                    } else {
                        ""
                    }
                ),
            });
        }
        // A part may start only at a line a one-thread read also takes as a
        // message start: a header naming a real time under the decided order.
        if self.parallel_len().is_some() {
            let (order, tz) = (self.ctx.order, self.ctx.tz.as_ref());
            self.splits = scan
                .splits
                .iter()
                .filter(|sp| {
                    dates::local_time(&sp.header, order)
                        .and_then(|local| dates::instant(local, tz))
                        .is_some()
                })
                .map(|sp| (sp.offset, sp.lines_before))
                .collect();
        }
        if scan.other_layout > 0 {
            self.warnings.push(
                &label,
                scan.first_other_layout,
                format!(
                    "{} line(s) from here on look like message headers of another layout than \
                     the file's; each was kept as text of the message before it (a quoted message, \
                     or exports of two phones joined into one file)",
                    scan.other_layout
                ),
            );
        }
        if scan.text_before_first > 0 {
            self.warnings.push(
                &label,
                None,
                format!(
                    "{} non-blank line(s) before the first message were skipped",
                    scan.text_before_first
                ),
            );
        }
        if scan.earlier_missing {
            self.warnings.push(
                &label,
                None,
                "the export says some earlier messages may not be available: WhatsApp Web / Desktop \
                 exports at most the latest 100,000 messages of a chat",
            );
        }
        if scan.senders_dropped {
            self.warnings.push(
                &label,
                None,
                format!(
                    "more than {} senders; the participant list is cut short",
                    opts.limits.max_participants
                ),
            );
        }
        if opts.tz.is_none() {
            self.warnings.push(
                &label,
                None,
                "the export's times carry no zone and none was given: read as UTC (time source assumed_utc)",
            );
        }
        self.ctx.system_sender = if scan.title_plain {
            None
        } else {
            self.ctx.title_hint.clone()
        };
        let participants: Vec<Participant> = scan
            .senders
            .iter()
            .map(|name| Participant {
                id: Participant::id_for(Channel::Whatsapp, name),
                display_name: name.clone(),
                phone: phone_of(name),
                is_self: false,
            })
            .collect();
        let title = match &self.ctx.title_hint {
            Some(t) => t.clone(),
            None => scan.senders.iter().cloned().collect::<Vec<_>>().join(", "),
        };
        let source_key = format!(
            "whatsapp:{}:{}",
            opts.custodian.as_deref().unwrap_or(""),
            title
        );
        let id = Conversation::id_for(Channel::Whatsapp, &source_key);
        self.ctx.conversation = id.clone();
        self.conversation = Conversation {
            id,
            channel: Channel::Whatsapp,
            title,
            source_key,
            custodian: opts.custodian.clone(),
            is_group: scan.senders.len() > 2 || scan.group_event,
            participants,
        };
        Ok(())
    }

    /// How many parts [`ExportSource::messages`] reads in parallel (1: one thread).
    pub fn parallel_parts(&self) -> usize {
        if self.parallel_len().is_some() && !self.splits.is_empty() {
            self.splits.len() + 1
        } else {
            1
        }
    }

    /// The header shape this file was read with.
    pub fn shape(&self) -> Shape {
        self.ctx.shape
    }

    /// The date order this file was read with.
    pub fn date_order(&self) -> DateOrder {
        self.ctx.order
    }
}

/// What pass 1b needs to know.
struct ScanParams {
    shape: Shape,
    title: Option<String>,
    max_participants: usize,
}

/// Pass 1b over the lines of a file, or of a part of one that starts at a line
/// start: what [`WhatsAppExport::scan`] gathers, with line numbers relative to
/// the reader's first line.
fn scan_lines<R: Read>(
    lines: &mut LineReader<R>,
    params: &ScanParams,
) -> Result<Scan, ConnectorError> {
    let shape = params.shape;
    let title = params.title.clone();
    let max_participants = params.max_participants;
    let mut next_split = lines.line_start().saturating_add(par::SPLIT_BYTES);
    let first_line = lines.line_no();
    let mut scan = Scan::default();
    let mut names = body::SenderCache::default();
    // The sender of the last header, to skip the set look-up on runs.
    let mut last_sender = String::new();
    while let Some((at, line_no, line)) = lines.next_line_at()? {
        // A line starting with an ASCII byte other than a digit or `[`
        // (most continuation lines) is never a header: the same first-byte
        // rule as the header parser's, checked before calling it.
        if let Some(&b) = line.as_bytes().first()
            && b.is_ascii()
            && !b.is_ascii_digit()
            && b != b'['
        {
            if scan.headers == 0 {
                scan.note_before_first(line);
            }
            continue;
        }
        let start = header::line_start(line, &shape);
        let header::LineStart::Header(h) = start else {
            if scan.headers == 0 {
                scan.note_before_first(line);
            }
            if start == header::LineStart::OtherLayout {
                // A header of another layout: text of the message before it
                // (before the part's first header: counted only if a message
                // comes before the part, see `par::scan_parallel`).
                let (count, first) = if scan.headers == 0 {
                    (
                        &mut scan.lead_other_layout,
                        &mut scan.first_lead_other_layout,
                    )
                } else {
                    (&mut scan.other_layout, &mut scan.first_other_layout)
                };
                *count += 1;
                first.get_or_insert(line_no - first_line);
            }
            continue;
        };
        scan.headers += 1;
        if !shape.year_first {
            scan.stats.add(h.date, h.last_one_digit);
        }
        if scan.first_header_line.is_none() {
            scan.first_header_line = Some(line_no - first_line);
        }
        for (valid, order) in scan.valid_under.iter_mut().zip(ORDERS) {
            if !*valid && dates::local_time(&h, order).is_some() {
                *valid = true;
            }
        }
        if at >= next_split {
            scan.splits.push(par::SplitPoint {
                offset: at,
                lines_before: line_no - 1 - first_line,
                header: h.clone(),
            });
            next_split = at.saturating_add(par::SPLIT_BYTES);
        }
        let rest = line.get(h.rest..).unwrap_or_default();
        // Classified once without the title; the title only changes the
        // answer for a line "title: <LRM>…" (an iOS event attributed to the
        // chat), so only such a line is classified again with it.
        let head = body::classify_after_header(rest, shape.bracket, None, &mut names);
        let head = match (&head, title.as_deref()) {
            (Head::User { sender, body }, Some(t)) if sender == t => {
                if body.trim_start_matches(' ').starts_with('\u{200E}') {
                    body::classify_cached(rest, Some(t), &mut names)
                } else {
                    // The chat's title also sends plain (no leading LRM)
                    // messages: it is a person (1:1 partner), not a group name.
                    scan.title_plain = true;
                    head
                }
            }
            _ => head,
        };
        match head {
            Head::User { sender, .. } => {
                if *sender == *last_sender || scan.senders.contains(sender.as_ref()) {
                } else if scan.senders.len() < max_participants {
                    scan.senders.insert(sender.as_ref().to_owned());
                } else {
                    scan.senders_dropped = true;
                    continue;
                }
                if *sender != *last_sender {
                    last_sender.clear();
                    last_sender.push_str(&sender);
                }
            }
            Head::System { text } => {
                if strings::is_group_event(text) {
                    scan.group_event = true;
                }
            }
        }
    }
    scan.lines = lines.line_no() - first_line;
    Ok(scan)
}

fn placeholder_shape() -> Shape {
    Shape {
        bracket: false,
        time_first: false,
        date_sep: '/',
        year_first: false,
        era: header::Era::Full,
        date_trailing_dot: false,
        between: header::Between::Comma,
        time_sep: ':',
        seconds: false,
        ampm: header::AmPmPos::None,
        terminator: header::Terminator::Dash,
    }
}

fn read_up_to(r: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        let Some(rest) = buf.get_mut(filled..) else {
            break;
        };
        match r.read(rest) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// `+1 (571) 370-4480` → `+15713704480`; names that are not phone numbers → `None`.
fn phone_of(name: &str) -> Option<String> {
    let rest = name.strip_prefix('+')?;
    if !rest
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')' | '.'))
    {
        return None;
    }
    let digits: String = rest.chars().filter(|c| c.is_ascii_digit()).collect();
    if (7..=15).contains(&digits.len()) {
        Some(format!("+{digits}"))
    } else {
        None
    }
}

#[derive(Default)]
struct Scan {
    /// Lines read (of the file, or of the part scanned).
    lines: u64,
    /// Header lines about every [`par::SPLIT_BYTES`] where pass 2 may start a part
    /// (`lines_before` relative to the part scanned).
    splits: Vec<par::SplitPoint>,
    headers: u64,
    text_before_first: u64,
    /// WhatsApp Web's "Some earlier messages may not be available." stood
    /// above the first message: the export was cut at its message limit.
    earlier_missing: bool,
    stats: DateStats,
    senders: BTreeSet<String>,
    senders_dropped: bool,
    group_event: bool,
    title_plain: bool,
    /// The first header's line (in the part scanned, until merged).
    first_header_line: Option<u64>,
    /// Lines after the first message that read as a header of another layout
    /// than the file's (kept as text), and the first of them.
    other_layout: u64,
    first_other_layout: Option<u64>,
    /// The same, before the first header of the part scanned.
    lead_other_layout: u64,
    first_lead_other_layout: Option<u64>,
    /// Whether some header names a real date read day/month/year,
    /// month/day/year and year/month/day (see [`order_index`]).
    valid_under: [bool; 3],
}

/// The date orders in the order of [`Scan::valid_under`].
const ORDERS: [DateOrder; 3] = [DateOrder::Dmy, DateOrder::Mdy, DateOrder::Ymd];

/// The index of a date order in [`Scan::valid_under`] and [`ORDERS`].
fn order_index(order: DateOrder) -> usize {
    match order {
        DateOrder::Dmy => 0,
        DateOrder::Mdy => 1,
        DateOrder::Ymd => 2,
    }
}

impl Scan {
    /// Counts a non-blank line above the first message, unless it is one of the
    /// lines WhatsApp Web writes there (noting when it says messages are missing).
    fn note_before_first(&mut self, line: &str) {
        let visible = normalize::strip_invisible_cow(line);
        let visible = visible.trim();
        if visible.is_empty() {
            return;
        }
        match strings::preamble(visible) {
            Some(strings::Preamble::EarlierMissing) => self.earlier_missing = true,
            Some(strings::Preamble::Banner) => {}
            None => self.text_before_first += 1,
        }
    }
}

/// Counts earlier messages with the same (local time, sender, raw body), within a
/// sliding window of wall-clock time so memory stays bounded on huge exports.
/// Identical messages are only ever that close (repeats in one minute, a DST
/// fall-back hour); a key whose time is more than [`OCCURRENCE_WINDOW_HOURS`]
/// behind the latest time seen is forgotten.
///
/// Keys are 64-bit foldhash digests of the three fields under a seed drawn at
/// random for each read (`foldhash::quality::RandomState`): the counts only ever
/// compare messages of one read, and a random seed keeps input from being crafted
/// offline to make two different messages share a count (foldhash is built to
/// resist that with a hidden seed, though it makes no cryptographic claim; an
/// accidental collision has odds of about 2⁻⁶⁴ per pair). A shared count would
/// only change which occurrence number a message's id carries, never merge two
/// messages.
///
/// The counts live in a list in the order keys were first seen, which a chat's mostly
/// rising times keep cheap: a message timed after every earlier one has no earlier twin,
/// and one timed like the latest messages is looked for among those few at the end. Only
/// a step back in time (a DST fall-back hour, a phone's clock reset) or a long burst in
/// one minute builds a hash index of the list, dropped again at the next prune. The
/// counts are those of a map from key to (count, first time) pruned every 4096 messages
/// of entries first seen more than the window before the latest time (a test compares
/// the two on sequences with steps back and bursts).
#[derive(Default)]
struct Occurrences {
    keys: foldhash::quality::RandomState,
    /// (key, count, first time), in the order first seen.
    seen: Vec<(u64, u64, DateTime)>,
    /// Where the entries timed `latest` start in `seen`, while they are all at its end.
    latest_run: Option<usize>,
    /// Key → position in `seen`, built when the cheap paths cannot answer.
    index: Option<HashMap<u64, usize, std::hash::BuildHasherDefault<KeyHasher>>>,
    latest: Option<DateTime>,
    since_prune: u32,
}

/// Entries timed like the latest message searched one by one before the index is built.
const LATEST_RUN_SCAN: usize = 32;

const OCCURRENCE_WINDOW_HOURS: i64 = 3;

/// Hashes [`Occurrences`] keys, which are already keyed random-looking digests,
/// by taking them as they are.
#[derive(Default)]
struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

impl Occurrences {
    /// Counts with the key seed of another reader of the same file (parts read in
    /// parallel must give equal messages equal keys).
    fn with_keys(keys: foldhash::quality::RandomState) -> Self {
        Occurrences {
            keys,
            ..Default::default()
        }
    }

    /// Forgets every count, keeping the key seed and the list's room (a reader
    /// thread reuses one for each part it reads).
    fn reset(&mut self) {
        self.seen.clear();
        self.latest_run = None;
        self.index = None;
        self.latest = None;
        self.since_prune = 0;
    }

    /// The key of (local time, sender, raw body given in pieces).
    fn key(&self, at: DateTime, sender: &str, body: &[&str]) -> u64 {
        use std::hash::{BuildHasher, Hash, Hasher};
        let mut h = self.keys.build_hasher();
        at.hash(&mut h);
        sender.hash(&mut h);
        h.write_usize(body.iter().map(|p| p.len()).sum());
        for p in body {
            h.write(p.as_bytes());
        }
        h.finish()
    }

    /// How many earlier messages had this key (0 for the first), counting this one.
    fn next(&mut self, key: u64, at: DateTime) -> u64 {
        let rising = self.latest.is_none_or(|l| at > l);
        if rising {
            self.latest = Some(at);
        }
        self.since_prune += 1;
        if self.since_prune >= 4096 {
            self.since_prune = 0;
            self.prune();
        }
        if rising {
            // Timed after every earlier message: nothing earlier has this key.
            self.latest_run = Some(self.seen.len());
            return self.push(key, at);
        }
        if self.latest == Some(at)
            && let Some(start) = self.latest_run
            && self.seen.len().saturating_sub(start) <= LATEST_RUN_SCAN
        {
            // Every entry timed `at` is in `seen[start..]`.
            if let Some(e) = self
                .seen
                .get_mut(start..)
                .and_then(|run| run.iter_mut().find(|e| e.0 == key))
            {
                e.1 += 1;
                return e.1 - 1;
            }
            return self.push(key, at);
        }
        let seen = &self.seen;
        let index = self
            .index
            .get_or_insert_with(|| seen.iter().enumerate().map(|(i, e)| (e.0, i)).collect());
        if let Some(e) = index.get(&key).and_then(|&i| self.seen.get_mut(i)) {
            e.1 += 1;
            return e.1 - 1;
        }
        self.push(key, at)
    }

    /// Adds a key seen for the first time; its occurrence number is 0.
    fn push(&mut self, key: u64, at: DateTime) -> u64 {
        if self.latest != Some(at) {
            // An entry timed before the latest ends the run of latest entries at the end.
            self.latest_run = None;
        }
        if let Some(index) = &mut self.index {
            index.insert(key, self.seen.len());
        }
        self.seen.push((key, 1, at));
        0
    }

    /// Forgets entries first seen more than the window before the latest time.
    fn prune(&mut self) {
        let Some(cutoff) = self.latest.and_then(|l| {
            l.checked_sub(jiff::Span::new().hours(OCCURRENCE_WINDOW_HOURS))
                .ok()
        }) else {
            return;
        };
        // The latest run is at or after the cutoff, so it stays whole at the end.
        let run_len = self
            .latest_run
            .and_then(|start| self.seen.len().checked_sub(start));
        let before = self.seen.len();
        self.seen.retain(|e| e.2 >= cutoff);
        if self.seen.len() != before {
            self.index = None;
        }
        self.latest_run = run_len.and_then(|n| self.seen.len().checked_sub(n));
    }
}

/// A message being gathered: its header line and continuation lines.
struct Pending {
    line: u64,
    local: DateTime,
    sent_at: Timestamp,
    time_source: chatwarden_model::TimeSource,
    rest: String,
    /// Continuation lines joined with `\n`; meaningful when `has_cont`.
    cont: String,
    has_cont: bool,
}

impl Pending {
    fn cont(&self) -> Option<&str> {
        self.has_cont.then_some(self.cont.as_str())
    }
}

/// Participant ids remembered at most (the cache is emptied when full).
const SENDER_ID_CACHE: usize = 4096;

struct Messages<'a, R> {
    lines: LineReader<R>,
    ctx: &'a Ctx,
    media: &'a HashMap<String, MediaInfo>,
    warnings: &'a mut WarningSink,
    pending: Option<Pending>,
    seq: u64,
    occurrences: Occurrences,
    done: bool,
    /// Buffers of the last finished message, reused for the next one.
    spare: (String, String),
    sender_ids: foldhash::HashMap<String, ParticipantId>,
    /// System-phrase answers per raw sender text.
    names: body::SenderCache,
    /// Keep what a parallel reader needs to renumber a message's occurrence.
    keep_prefix: bool,
    /// Message ids of the conversation, with the hash state of the current day.
    ids: chatwarden_model::MessageIds,
    /// The chat text's name for `source.file`, one allocation per reader (a
    /// part's own, so reader threads never share its count).
    label: std::sync::Arc<str>,
}

/// What a parallel part's reader keeps beside a message so that the merging
/// thread can give it the occurrence number of a one-thread read.
pub(crate) struct IdExtra {
    /// The [`Occurrences`] key of (local time, sender, raw body).
    key: u64,
    /// The occurrence number counted within the part (used in the id).
    occurrence: u64,
    prefix: chatwarden_model::DerivedIdPrefix,
}

/// A message and, from a parallel part's reader, its [`IdExtra`].
type Built = (Message, Option<IdExtra>);

impl<R: Read> Messages<'_, R> {
    fn step(&mut self) -> Option<Result<Built, ConnectorError>> {
        loop {
            if self.done {
                return self.pending.take().map(|p| Ok(self.finish(p)));
            }
            let line_no = self.lines.line_no() + 1;
            let line = match self.lines.next_line() {
                Ok(Some(line)) => line,
                Ok(None) => {
                    self.done = true;
                    continue;
                }
                Err(e) => {
                    self.done = true;
                    self.pending = None;
                    return Some(Err(map_line_err(&self.ctx.label, e)));
                }
            };
            if let Some(h) = header::parse_for(line, &self.ctx.shape) {
                let placed = dates::local_time(&h, self.ctx.order).and_then(|local| {
                    dates::instant(local, self.ctx.tz.as_ref()).map(|i| (local, i))
                });
                match placed {
                    Some((local, (sent_at, time_source, placement))) => {
                        let (mut rest, mut cont) = std::mem::take(&mut self.spare);
                        rest.clear();
                        cont.clear();
                        rest.push_str(line.get(h.rest..).unwrap_or_default());
                        match placement {
                            Placement::Exact => {}
                            Placement::Gap => self.warnings.push(
                                &self.ctx.label,
                                Some(line_no),
                                "local time falls in a daylight-saving gap: moved forward by the gap",
                            ),
                            Placement::Fold => self.warnings.push(
                                &self.ctx.label,
                                Some(line_no),
                                "local time occurs twice (daylight-saving fall-back): the earlier instant is used",
                            ),
                        }
                        let next = Pending {
                            line: line_no,
                            local,
                            sent_at,
                            time_source,
                            rest,
                            cont,
                            has_cont: false,
                        };
                        if let Some(prev) = self.pending.replace(next) {
                            return Some(Ok(self.finish(prev)));
                        }
                        continue;
                    }
                    None => {
                        self.warnings.push(
                            &self.ctx.label,
                            Some(line_no),
                            if self.pending.is_some() {
                                "header names no valid date or time; kept as text of the previous message"
                            } else {
                                "header names no valid date or time and no message comes before it: \
                                 skipped, with the lines after it up to the next message"
                            },
                        );
                    }
                }
            }
            // A continuation line.
            let max = self.ctx.limits.max_message_bytes;
            match self.pending.as_mut() {
                // Text before the first header: counted and warned about in pass 1.
                None => {}
                Some(p) => {
                    let used = p.rest.len() + p.cont.len();
                    if used + line.len() + 1 > max {
                        let start = p.line;
                        self.done = true;
                        self.pending = None;
                        return Some(Err(ConnectorError::MessageTooLong {
                            file: self.ctx.label.clone(),
                            line: start,
                            limit: max,
                        }));
                    }
                    if p.has_cont {
                        p.cont.push('\n');
                    }
                    p.cont.push_str(line);
                    p.has_cont = true;
                }
            }
        }
    }

    fn finish(&mut self, p: Pending) -> Built {
        let built = self.build(&p);
        self.spare = (p.rest, p.cont);
        built
    }

    fn build(&mut self, p: &Pending) -> Built {
        let media = self.media;
        let dir = self.ctx.media_dir.as_deref();
        let hash = self.ctx.hash_media;
        let web = self.ctx.web;
        let lookup = |name: &str| {
            media
                .get(name)
                .cloned()
                .or_else(|| media_beside(&local_media_path(dir?, name, web)?, hash))
        };
        let cont = p.cont();
        // Blank lines after a message's last line are the file's, not the
        // message's (WhatsApp trims what is sent): left out of its text, kept in
        // the raw body its id hashes.
        let shown_cont = cont
            .map(|c| c.trim_end_matches(['\n', '\r']))
            .filter(|c| !c.is_empty());
        let mut forwarded = false;
        let head = body::classify_after_header(
            &p.rest,
            self.ctx.shape.bracket,
            self.ctx.system_sender.as_deref(),
            &mut self.names,
        );
        let (kind, sender, first, body) = match head {
            Head::System { text } => {
                let mut text = text.to_owned();
                if let Some(c) = shown_cont {
                    text.push('\n');
                    text.push_str(c);
                }
                (
                    MessageKind::System,
                    None,
                    p.rest.as_str(),
                    body::Body {
                        text,
                        ..Default::default()
                    },
                )
            }
            Head::User {
                sender,
                body: first,
            } => {
                // WhatsApp Web marks forwarded messages in the text; the id
                // still hashes the body as written.
                let shown = match self.ctx.web {
                    true => strings::strip_forwarded(normalize::trim_start_invisible(first)),
                    false => None,
                };
                forwarded = shown.is_some();
                let b = body::user_body(shown.unwrap_or(first), shown_cont, &lookup);
                (MessageKind::Message, Some(sender), first, b)
            }
        };
        if body.undecrypted {
            self.warnings.push(
                &self.ctx.label,
                Some(p.line),
                "\"Waiting for this message\": WhatsApp had not decrypted this message when the chat \
                 was exported; its content is not in the export",
            );
        }
        // The raw body: the first line and the continuation lines, joined by `\n`.
        let raw: [&str; 3] = match cont {
            Some(c) => [first, "\n", c],
            None => [first, "", ""],
        };
        let sender_str = sender.as_deref();
        let key = self
            .occurrences
            .key(p.local, sender_str.unwrap_or(""), &raw);
        let occurrence = self.occurrences.next(key, p.local);
        let prefix = self
            .ids
            .prefix(&p.local, sender_str, &raw.map(str::as_bytes));
        let (id, extra) = if self.keep_prefix {
            let extra = IdExtra {
                key,
                occurrence,
                prefix: prefix.clone(),
            };
            (prefix.finish(occurrence), Some(extra))
        } else {
            (prefix.finish(occurrence), None)
        };
        let sender_id = sender_str.map(|s| self.sender_id(s));
        let seq = self.seq;
        self.seq += 1;
        let message = Message {
            id,
            conversation: self.ctx.conversation.clone(),
            seq,
            kind,
            sender_id,
            sender: sender.map(std::borrow::Cow::into_owned),
            sent_at: p.sent_at,
            local_time: p.local,
            time_source: p.time_source,
            text: body.text,
            attachments: body.attachments,
            deleted: body.deleted,
            edited: body.edited,
            source: SourceRef {
                file: std::sync::Arc::clone(&self.label),
                line: p.line,
            },
            reply_to: None,
            forwarded_from: forwarded.then(String::new),
        };
        (message, extra)
    }

    /// The participant id of a sender, from a small cache.
    fn sender_id(&mut self, sender: &str) -> ParticipantId {
        if let Some(id) = self.sender_ids.get(sender) {
            return id.clone();
        }
        if self.sender_ids.len() >= SENDER_ID_CACHE {
            self.sender_ids.clear();
        }
        let id = Participant::id_for(Channel::Whatsapp, sender);
        self.sender_ids.insert(sender.to_owned(), id.clone());
        id
    }
}

/// The path of a media file named in the chat, in the chat file's folder: a plain
/// file name (no folders, no `..`), a regular file (not a symlink).
fn beside_path(dir: &Path, name: &str) -> Option<PathBuf> {
    if name.is_empty()
        || name.contains(['/', '\\', '\0'])
        || name == ".."
        || name == "."
        || crate::zipsafe::unsafe_name_reason(name).is_some()
    {
        return None;
    }
    let path = dir.join(name);
    let meta = std::fs::symlink_metadata(&path).ok()?;
    meta.file_type().is_file().then_some(path)
}

/// A media file of an unzipped export: beside the chat text, or in `media/` for
/// an unzipped WhatsApp Web export.
fn local_media_path(dir: &Path, name: &str, web: bool) -> Option<PathBuf> {
    beside_path(dir, name).or_else(|| web.then(|| beside_path(&dir.join("media"), name)).flatten())
}

/// Size and (when `hash`) SHA-256 of a media file of an unzipped export.
fn media_beside(path: &Path, hash: bool) -> Option<MediaInfo> {
    if !hash {
        return Some(MediaInfo {
            index: usize::MAX,
            size: std::fs::metadata(path).ok()?.len(),
            sha256: None,
        });
    }
    let mut f = File::open(path).ok()?;
    let mut hasher = Sha256::new();
    let size = io::copy(&mut f, &mut hasher).ok()?;
    Some(MediaInfo {
        index: usize::MAX,
        size,
        sha256: Some(hex::encode(hasher.finalize())),
    })
}

impl<R: Read> Iterator for Messages<'_, R> {
    type Item = Result<Message, ConnectorError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.step().map(|r| r.map(|(message, _)| message))
    }
}

impl ExportSource for WhatsAppExport {
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
        if let Some(len) = self.parallel_len()
            && !self.splits.is_empty()
        {
            return Ok(Box::new(par::ParMessages::start(
                par::Shared {
                    backing: self.backing.clone(),
                    ctx: Arc::new(self.ctx.clone()),
                    media: Arc::new(self.media.clone()),
                    keys: foldhash::quality::RandomState::default(),
                },
                &self.splits,
                len,
                &mut self.warnings,
            )));
        }
        let label = self.ctx.label.clone();
        let max = self.ctx.limits.max_line_bytes;
        let reader: Box<dyn Read + '_> = match self.chat_entry {
            Some(index) => {
                let z = self
                    .zip
                    .get_mut()
                    .as_mut()
                    .ok_or_else(|| ConnectorError::NoChatFile {
                        file: label.clone(),
                    })?;
                let entry = z.open_entry(index)?;
                Box::new(entry)
            }
            None => Box::new(self.backing.reader(&label)?),
        };
        Ok(Box::new(Messages {
            lines: LineReader::new(reader, &label, max),
            ctx: &self.ctx,
            media: &self.media,
            warnings: &mut self.warnings,
            pending: None,
            seq: 0,
            occurrences: Occurrences::default(),
            done: false,
            spare: (String::new(), String::new()),
            sender_ids: foldhash::HashMap::default(),
            names: body::SenderCache::default(),
            keep_prefix: false,
            ids: chatwarden_model::MessageIds::new(&self.ctx.conversation),
            label: label.as_str().into(),
        }))
    }

    fn open_attachment(&self, name: &str) -> Result<Option<Box<dyn Read + '_>>, ConnectorError> {
        let Some(info) = self.media.get(name) else {
            if let Some(path) = self
                .ctx
                .media_dir
                .as_deref()
                .and_then(|d| local_media_path(d, name, self.ctx.web))
            {
                let label = path.display().to_string();
                let f = File::open(&path).map_err(|e| ConnectorError::io(&label, e))?;
                return Ok(Some(Box::new(f)));
            }
            return Ok(None);
        };
        let mut guard = self.zip.borrow_mut();
        let Some(z) = guard.as_mut() else {
            return Ok(None);
        };
        let file = z.file().to_owned();
        let mut entry = z.open_entry(info.index)?;
        // Copy out (to memory when small, else to an anonymous temporary file) so
        // the reader does not hold the archive borrowed.
        if info.size <= 8 << 20 {
            let mut buf = Vec::with_capacity(usize::try_from(info.size).unwrap_or(0));
            entry
                .read_to_end(&mut buf)
                .map_err(|e| unwrap_io_error(&file, e))?;
            return Ok(Some(Box::new(Cursor::new(buf))));
        }
        let mut tmp = tempfile::tempfile().map_err(|e| ConnectorError::io(&file, e))?;
        io::copy(&mut entry, &mut tmp).map_err(|e| unwrap_io_error(&file, e))?;
        tmp.rewind().map_err(|e| ConnectorError::io(&file, e))?;
        Ok(Some(Box::new(tmp)))
    }
}

#[cfg(test)]
mod occurrence_tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// The counts as a map from key to (count, first time), pruned every 4096 messages.
    #[derive(Default)]
    struct Reference {
        counts: HashMap<u64, (u64, DateTime)>,
        latest: Option<DateTime>,
        since_prune: u32,
    }

    impl Reference {
        fn next(&mut self, key: u64, at: DateTime) -> u64 {
            if self.latest.is_none_or(|l| at > l) {
                self.latest = Some(at);
            }
            self.since_prune += 1;
            if self.since_prune >= 4096 {
                self.since_prune = 0;
                if let Some(cutoff) = self.latest.and_then(|l| {
                    l.checked_sub(jiff::Span::new().hours(OCCURRENCE_WINDOW_HOURS))
                        .ok()
                }) {
                    self.counts.retain(|_, (_, t)| *t >= cutoff);
                }
            }
            let entry = self.counts.entry(key).or_insert((0, at));
            entry.0 += 1;
            entry.0 - 1
        }
    }

    /// Also checks that a list emptied by `reset` (as a reader thread reuses
    /// one for each part) counts like a new one: every seed reuses it.
    #[test]
    fn counts_match_a_pruned_map_with_steps_back_and_bursts() {
        let base: DateTime = "2024-10-27T00:00".parse().unwrap();
        let mut checked = 0u64;
        let mut ours = Occurrences::with_keys(Default::default());
        for seed in 1..=8u64 {
            ours.reset();
            let mut rng = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
            let mut roll = move || {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                rng
            };
            let mut reference = Reference::default();
            let mut minute: i64 = 0;
            let mut burst = 0u32;
            for _ in 0..20_000 {
                let r = roll();
                if burst > 0 {
                    burst -= 1;
                } else {
                    match r % 1000 {
                        // A DST fall-back hour, or a clock set back by up to 6 hours.
                        0..=4 => minute -= 60 + (r >> 20) as i64 % 300,
                        5..=30 => minute -= (r >> 20) as i64 % 5,
                        // A burst of up to 120 messages in one minute.
                        31..=36 => burst = 20 + (r >> 20) as u32 % 100,
                        37..=40 => minute += 600,
                        41..=500 => {}
                        _ => minute += 1 + (r >> 20) as i64 % 3,
                    }
                }
                let at = base.checked_add(jiff::Span::new().minutes(minute)).unwrap();
                // Keys are tied to their time, as real keys are (they hash it).
                let id = (r >> 40) % if burst > 0 { 80 } else { 4 };
                let key = ((minute + 1_000_000) as u64) << 16 | id;
                assert_eq!(ours.next(key, at), reference.next(key, at), "seed {seed}");
                checked += 1;
            }
        }
        assert_eq!(checked, 8 * 20_000);
    }
}
