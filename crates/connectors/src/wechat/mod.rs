//! WeChat (personal) chats as written by the common export tools (formats.md §9;
//! `docs/formats/wechat.md`). WeChat has no plaintext export of its own, so two
//! tool outputs are read:
//!
//! * the CSV of WeChatMsg / MemoTrace (`<remark>_utf8.csv`, UTF-8 with BOM; columns
//!   `localId, TalkerId, Type, SubType, IsSender, CreateTime, Status, StrContent,
//!   StrTime, Remark, NickName, Sender`, from `app/util/exporter/exporter_csv.py`),
//!   one chat per file ([`csv`]);
//! * the ChatLab interchange format v0.0.2 (WeFlow, EchoTrace and others), as one
//!   JSON document or as JSON lines with `_type` header/member/message rows, one
//!   chat per file ([`chatlab`]).
//!
//! Both are streamed: a first pass collects the participants, a second streams
//! the messages. Nothing is loaded whole.

mod chatlab;
mod csv;

use crate::detect::Input;
use crate::error::ConnectorError;
use crate::options::{ParseOptions, Warning, WarningSink};
use crate::source::{ExportSource, MessageIter};
use chatwarden_model::{Attachment, Conversation, MediaKind, TimeSource};
use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use std::io::Read;
use std::path::Path;

/// Which tool wrote a WeChat file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WechatVariant {
    /// WeChatMsg / MemoTrace CSV.
    Csv,
    /// ChatLab JSON (one document).
    ChatlabJson,
    /// ChatLab JSON lines (`_type` rows).
    ChatlabJsonl,
}

/// Whether the first bytes of a file are a WeChatMsg / MemoTrace CSV header.
pub(crate) fn is_wechat_csv(head: &[u8]) -> bool {
    let body = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let line_end = memchr::memchr(b'\n', body).unwrap_or(body.len());
    let Ok(first) = std::str::from_utf8(body.get(..line_end).unwrap_or_default()) else {
        return false;
    };
    let cols: Vec<&str> = first
        .trim_end_matches('\r')
        .split(',')
        .map(|c| c.trim().trim_matches('"'))
        .collect();
    ["localId", "TalkerId", "Type", "IsSender", "StrContent"]
        .iter()
        .all(|want| cols.contains(want))
}

/// Whether the first object's keys are ChatLab's (`chatlab` header, JSON or JSONL).
pub(crate) fn is_chatlab_keys(keys: &[String]) -> bool {
    keys.iter().any(|k| k == "chatlab")
}

fn variant(input: &Input, file: &str) -> Result<WechatVariant, ConnectorError> {
    let head = input.head(file)?;
    if is_wechat_csv(&head) {
        return Ok(WechatVariant::Csv);
    }
    let body = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&head);
    let text = String::from_utf8_lossy(body);
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .unwrap_or("");
    // JSON lines: the first row is a complete header object naming its `_type`.
    if let Ok(serde_json::Value::Object(m)) = serde_json::from_str::<serde_json::Value>(first)
        && m.contains_key("_type")
    {
        return Ok(WechatVariant::ChatlabJsonl);
    }
    if first.starts_with('{') {
        return Ok(WechatVariant::ChatlabJson);
    }
    // Forced (`--format wechat`) on a CSV lacking a needed column: the CSV reader
    // names the column.
    if first.contains("localId") || first.contains("StrContent") {
        return Ok(WechatVariant::Csv);
    }
    Err(ConnectorError::NotRecognized {
        file: file.to_owned(),
        tried: "wechat (neither a WeChatMsg/MemoTrace CSV header with localId, TalkerId, Type, \
                IsSender, StrContent nor a ChatLab JSON/JSONL document)"
            .to_owned(),
    })
}

/// A wall-clock time read in the operator's zone (`--tz`), or as UTC when none was named.
pub(crate) fn local_to_utc(local: DateTime, tz: Option<&TimeZone>) -> (Timestamp, TimeSource) {
    match tz {
        Some(z) => match z.to_ambiguous_timestamp(local).compatible() {
            Ok(ts) => (ts, TimeSource::AssumedOperatorZone),
            Err(_) => (utc_of(local), TimeSource::AssumedUtc),
        },
        None => (utc_of(local), TimeSource::AssumedUtc),
    }
}

fn utc_of(local: DateTime) -> Timestamp {
    TimeZone::UTC
        .to_ambiguous_timestamp(local)
        .compatible()
        .unwrap_or(Timestamp::UNIX_EPOCH)
}

/// The wall clock of a UTC instant in the operator's zone (UTC when none).
pub(crate) fn wall_clock(ts: Timestamp, tz: Option<&TimeZone>) -> DateTime {
    ts.to_zoned(tz.cloned().unwrap_or(TimeZone::UTC)).datetime()
}

/// A media attachment the export only names (WeChat exports never carry the bytes).
pub(crate) fn named(kind: MediaKind, name: Option<String>, placeholder: &str) -> Attachment {
    Attachment {
        name: name.filter(|n| !n.is_empty()),
        kind,
        included: false,
        size: None,
        content_hash: None,
        placeholder: (!placeholder.is_empty()).then(|| placeholder.to_owned()),
    }
}

pub(crate) fn malformed(file: &str, line: u64, reason: impl Into<String>) -> ConnectorError {
    ConnectorError::Malformed {
        file: file.to_owned(),
        line,
        reason: reason.into(),
    }
}

/// The chat title a file name tells: `张三_utf8.csv` → `张三`.
fn title_from_file(file: &str) -> Option<String> {
    let name = Path::new(file).file_stem()?.to_str()?;
    let name = name.strip_suffix("_utf8").unwrap_or(name).trim();
    (!name.is_empty()).then(|| name.to_owned())
}

enum Inner {
    Csv(csv::CsvChat),
    Chatlab(chatlab::ChatlabChat),
}

/// One WeChat conversation read from a tool's export file.
pub struct WechatExport {
    input: Input,
    file: String,
    conversation: Conversation,
    warnings: WarningSink,
    size_hint: u64,
    opts: ParseOptions,
    inner: Inner,
}

impl WechatExport {
    /// Which tool's format this file has.
    pub fn variant(&self) -> WechatVariant {
        match &self.inner {
            Inner::Csv(_) => WechatVariant::Csv,
            Inner::Chatlab(c) => c.variant(),
        }
    }

    /// Opens a WeChat export file (one chat).
    pub(crate) fn open_input(
        input: Input,
        file: &str,
        opts: &ParseOptions,
    ) -> Result<WechatExport, ConnectorError> {
        let size_hint = input.len(file)?;
        let mut warnings = WarningSink::new(opts.limits.max_warnings);
        let (conversation, inner) = match variant(&input, file)? {
            WechatVariant::Csv => {
                let (c, chat) = csv::scan(&input, file, opts, &mut warnings)?;
                (c, Inner::Csv(chat))
            }
            v => {
                let jsonl = v == WechatVariant::ChatlabJsonl;
                let (c, chat) = chatlab::scan(&input, file, jsonl, opts, &mut warnings)?;
                (c, Inner::Chatlab(chat))
            }
        };
        Ok(WechatExport {
            input,
            file: file.to_owned(),
            conversation,
            warnings,
            size_hint,
            opts: opts.clone(),
            inner,
        })
    }
}

/// Opens a WeChat export file on disk.
pub fn open_path(path: &Path, opts: &ParseOptions) -> Result<WechatExport, ConnectorError> {
    WechatExport::open_input(
        Input::Path(path.to_path_buf()),
        &path.display().to_string(),
        opts,
    )
}

impl ExportSource for WechatExport {
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
        match &self.inner {
            Inner::Csv(chat) => Ok(Box::new(csv::Messages::new(
                &self.input,
                &self.file,
                &self.conversation,
                chat,
                &self.opts,
                &mut self.warnings,
            )?)),
            Inner::Chatlab(chat) => Ok(Box::new(chatlab::Messages::new(
                &self.input,
                &self.file,
                &self.conversation,
                chat,
                &self.opts,
                &mut self.warnings,
            )?)),
        }
    }

    fn open_attachment(&self, _name: &str) -> Result<Option<Box<dyn Read + '_>>, ConnectorError> {
        // Neither format carries media bytes: attachments are named only.
        Ok(None)
    }
}

/// The text inside the first `<tag>…</tag>` of an XML fragment, CDATA unwrapped
/// and entities decoded (WeChat's `appmsg` XML in `StrContent`).
pub(crate) fn xml_tag(xml: &str, tag: &str) -> Option<String> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let start = xml.find(&open)? + open.len();
    let len = xml.get(start..)?.find(&close)?;
    let inner = xml.get(start..start + len)?.trim();
    let text = match inner
        .strip_prefix("<![CDATA[")
        .and_then(|s| s.strip_suffix("]]>"))
    {
        Some(cdata) => cdata.to_owned(),
        None => html_escape::decode_html_entities(inner).into_owned(),
    };
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// The value of the first `name="…"` attribute in an XML fragment (`<location
/// label="…" poiname="…"/>`), entities decoded.
pub(crate) fn xml_attr(xml: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let start = xml.find(&key)? + key.len();
    let len = xml.get(start..)?.find('"')?;
    let v = html_escape::decode_html_entities(xml.get(start..start + len)?.trim()).into_owned();
    (!v.is_empty()).then_some(v)
}

/// Occurrence indexes for messages without an id of their own: identical
/// (time, sender, text) messages count up. Only the current timestamp's
/// messages are remembered, so memory stays bounded (exports are in time order).
#[derive(Default)]
pub(crate) struct Occurrences {
    at: Option<Timestamp>,
    seen: std::collections::HashMap<(Option<String>, u64), u64>,
}

impl Occurrences {
    pub(crate) fn next(&mut self, at: Timestamp, sender: Option<&str>, body: &str) -> u64 {
        use std::hash::{BuildHasher, BuildHasherDefault};
        if self.at != Some(at) {
            self.at = Some(at);
            self.seen.clear();
        }
        let h = BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default()
            .hash_one(body);
        let n = self.seen.entry((sender.map(str::to_owned), h)).or_insert(0);
        let occ = *n;
        *n += 1;
        occ
    }
}

/// Text with markup tags and CDATA markers removed (system lines such as
/// `"张三" 撤回了一条消息 <a href="weixin://revoke_edit_click">重新编辑</a>`).
pub(crate) fn strip_markup(s: &str) -> String {
    let mut s = s.replace("<![CDATA[", "").replace("]]>", "");
    // Links (`重新编辑`, "re-edit") are app controls, not what was said.
    while let Some(a) = s.find("<a ") {
        let Some(end) = s.get(a..).and_then(|t| t.find("</a>")) else {
            break;
        };
        s.replace_range(a..a + end + "</a>".len(), "");
    }
    let mut out = String::with_capacity(s.len());
    let mut depth = 0usize;
    for c in s.chars() {
        match c {
            '<' => depth += 1,
            '>' if depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    html_escape::decode_html_entities(out.trim()).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_header_is_told_with_or_without_bom_and_quotes() {
        assert!(is_wechat_csv(
            b"\xEF\xBB\xBFlocalId,TalkerId,Type,SubType,IsSender,CreateTime,Status,StrContent,StrTime,Remark,NickName,Sender\r\n1,"
        ));
        assert!(is_wechat_csv(
            b"\"localId\",\"TalkerId\",\"Type\",\"SubType\",\"IsSender\",\"CreateTime\",\"Status\",\"StrContent\"\n"
        ));
        assert!(!is_wechat_csv(b"id,name,Type\n"));
        assert!(!is_wechat_csv(b"12/03/2024, 10:00 - A: localId,TalkerId"));
    }

    #[test]
    fn xml_tags_and_markup() {
        let xml = "<msg><appmsg><title><![CDATA[Q3 报价单.xlsx]]></title><des>a &amp; b</des><url>https://x.test/?a=1&amp;b=2</url></appmsg></msg>";
        assert_eq!(xml_tag(xml, "title").as_deref(), Some("Q3 报价单.xlsx"));
        assert_eq!(xml_tag(xml, "des").as_deref(), Some("a & b"));
        assert_eq!(
            xml_tag(xml, "url").as_deref(),
            Some("https://x.test/?a=1&b=2")
        );
        assert_eq!(xml_tag(xml, "nope"), None);
        assert_eq!(xml_tag("<title>", "title"), None);
        assert_eq!(
            strip_markup(
                "\"张三\" 撤回了一条消息 <a href=\"weixin://revoke_edit_click\">重新编辑</a>"
            ),
            "\"张三\" 撤回了一条消息"
        );
        assert_eq!(title_from_file("/x/张三_utf8.csv").as_deref(), Some("张三"));
    }
}
