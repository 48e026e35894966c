//! Content-based format detection, and the `--format` names.
//!
//! [`sniff`] looks at the first bytes of a file (at most [`HEAD_BYTES`]): a zip
//! signature means a zip export (its entry names decide which); a JSON object or
//! array is told apart by its first keys (`messages` with `type`/`name`: a
//! Telegram chat; `chats`/`personal_information`: a Telegram account export;
//! `object: whatsapp_business_account` or `entry`: a Cloud API webhook body);
//! anything else is tried as WhatsApp text (whose own header probe decides).
//!
//! An input that no format takes gets one `NotRecognized` error naming the file and
//! listing every format in [`Format::all`] order with why it did not match (``line: no
//! `[LINE] Chat history` first line …; …; whatsapp: no message header …``). A file that
//! has WhatsApp headers but is broken keeps the WhatsApp reader's own error (file and
//! line); `--format whatsapp` gives only WhatsApp's error.

use crate::error::ConnectorError;
use std::fmt;
use std::fs::File;
use std::io::{Cursor, Read, Seek};
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;

/// Bytes read from the start of a file to detect its format.
pub const HEAD_BYTES: usize = 64 * 1024;

/// An export format chatwarden reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// WhatsApp "Export chat" `.txt` or `.zip`.
    Whatsapp,
    /// Telegram Desktop `result.json` (one chat, or the whole account).
    Telegram,
    /// WhatsApp Business Platform (Cloud API) webhook bodies: one, a JSON array, or JSON lines.
    WhatsappWebhook,
    /// Slack workspace export zip (channels, DMs, day files).
    Slack,
    /// Microsoft Teams messages as Microsoft Graph `chatMessage` JSON.
    Teams,
    /// Facebook Messenger / Instagram "Download Your Information" JSON (zip, folder or
    /// `message_N.json`), and the end-to-end-encrypted Messenger download.
    Messenger,
    /// LINE "Export chat history" text (`[LINE] Chat history with …`).
    Line,
    /// Signal: the app's takeout JSON lines (`main.jsonl`) or sigexport `data.json`.
    Signal,
    /// DiscordChatExporter JSON (one channel per file).
    Discord,
    /// WeChat: WeChatMsg/MemoTrace CSV or ChatLab JSON/JSONL (one chat per file).
    Wechat,
    /// WeCom session-archive records (decrypted SDK JSON: lines, array or object).
    Wecom,
    /// iMessage / SMS as exported by imessage-exporter (its `.txt` or `.html` output).
    Imessage,
}

impl Format {
    /// Every format, in the order detection tries them.
    pub fn all() -> &'static [Format] {
        &[
            Format::Telegram,
            Format::WhatsappWebhook,
            Format::Slack,
            Format::Teams,
            Format::Messenger,
            Format::Line,
            Format::Signal,
            Format::Discord,
            Format::Wechat,
            Format::Wecom,
            Format::Imessage,
            Format::Whatsapp,
        ]
    }

    /// The name used by `--format`.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Whatsapp => "whatsapp",
            Format::Telegram => "telegram",
            Format::WhatsappWebhook => "whatsapp-webhook",
            Format::Slack => "slack",
            Format::Teams => "teams",
            Format::Messenger => "messenger",
            Format::Line => "line",
            Format::Signal => "signal",
            Format::Discord => "discord",
            Format::Wechat => "wechat",
            Format::Wecom => "wecom",
            Format::Imessage => "imessage",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `--format` name that names no format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown format {0:?} (expected one of: {names})", names = Format::all().iter().map(|f| f.as_str()).collect::<Vec<_>>().join(", "))]
pub struct ParseFormatError(pub String);

impl FromStr for Format {
    type Err = ParseFormatError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let norm = s.trim().to_ascii_lowercase().replace('_', "-");
        match norm.as_str() {
            "whatsapp" | "whatsapp-txt" | "whatsapp-zip" => Ok(Format::Whatsapp),
            "telegram" | "telegram-json" => Ok(Format::Telegram),
            "whatsapp-webhook" | "whatsapp-cloud" | "webhook" => Ok(Format::WhatsappWebhook),
            "signal" | "signal-jsonl" | "sigexport" => Ok(Format::Signal),
            "discord" | "discord-json" | "discordchatexporter" => Ok(Format::Discord),
            "slack" | "slack-export" => Ok(Format::Slack),
            "teams" | "teams-graph" | "msteams" => Ok(Format::Teams),
            "messenger" | "facebook" | "instagram" | "messenger-e2ee" => Ok(Format::Messenger),
            "line" | "line-txt" => Ok(Format::Line),
            "wechat" | "wechat-csv" | "chatlab" | "weixin" => Ok(Format::Wechat),
            "wecom" | "wework" | "wecom-archive" => Ok(Format::Wecom),
            "imessage" | "imessage-txt" | "imessage-html" | "imessage-exporter" | "sms" => {
                Ok(Format::Imessage)
            }
            _ => Err(ParseFormatError(s.to_owned())),
        }
    }
}

pub(crate) trait ReadSeek: Read + Seek + Send {}
impl<T: Read + Seek + Send> ReadSeek for T {}

/// Where an export's bytes are: a file, or memory.
#[derive(Clone, Debug)]
pub(crate) enum Input {
    Path(PathBuf),
    Bytes(Arc<Vec<u8>>),
    /// A file copied out of a zip; removed when the last holder drops it.
    Temp(Arc<tempfile::TempPath>),
}

/// Shared bytes as a cursor's buffer.
struct SharedBytes(Arc<Vec<u8>>);

impl AsRef<[u8]> for SharedBytes {
    fn as_ref(&self) -> &[u8] {
        self.0.as_slice()
    }
}

impl Input {
    pub(crate) fn reader(&self, label: &str) -> Result<Box<dyn ReadSeek>, ConnectorError> {
        match self {
            Input::Path(p) => {
                let f = File::open(p).map_err(|e| ConnectorError::io(label, e))?;
                Ok(Box::new(f))
            }
            Input::Bytes(b) => Ok(Box::new(Cursor::new(SharedBytes(Arc::clone(b))))),
            Input::Temp(t) => {
                let f = File::open(t.as_ref() as &std::path::Path)
                    .map_err(|e| ConnectorError::io(label, e))?;
                Ok(Box::new(f))
            }
        }
    }

    pub(crate) fn len(&self, label: &str) -> Result<u64, ConnectorError> {
        match self {
            Input::Path(p) => Ok(std::fs::metadata(p)
                .map_err(|e| ConnectorError::io(label, e))?
                .len()),
            Input::Bytes(b) => Ok(b.len() as u64),
            Input::Temp(t) => Ok(std::fs::metadata(t.as_ref() as &std::path::Path)
                .map_err(|e| ConnectorError::io(label, e))?
                .len()),
        }
    }

    /// The first `HEAD_BYTES` bytes (fewer for a short file).
    pub(crate) fn head(&self, label: &str) -> Result<Vec<u8>, ConnectorError> {
        let mut r = self.reader(label)?.take(HEAD_BYTES as u64);
        let mut out = Vec::with_capacity(4096);
        r.read_to_end(&mut out)
            .map_err(|e| ConnectorError::io(label, e))?;
        Ok(out)
    }
}

/// What the first bytes look like.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sniffed {
    /// A zip archive (entry names decide the format).
    Zip,
    /// A JSON document that is one of the known formats.
    Json(Format),
    /// JSON, but no known shape.
    UnknownJson,
    /// Not JSON and not zip: maybe a text export.
    Text,
}

pub(crate) fn is_zip(head: &[u8]) -> bool {
    head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06")
}

/// Looks at a file's first bytes.
pub fn sniff(head: &[u8]) -> Sniffed {
    if is_zip(head) {
        return Sniffed::Zip;
    }
    let body = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let Some(first) = body.iter().position(|b| !b.is_ascii_whitespace()) else {
        return Sniffed::Text;
    };
    let rest = body.get(first..).unwrap_or_default();
    let after_bracket = rest
        .get(1..)
        .unwrap_or_default()
        .iter()
        .find(|b| !b.is_ascii_whitespace());
    let json = match rest.first() {
        Some(b'{') => true,
        // `[` also opens iOS WhatsApp lines (`[3/27/22, …]`): JSON only if an
        // object or the end of the array follows.
        Some(b'[') => matches!(after_bracket, Some(b'{') | Some(b']')),
        _ => false,
    };
    match json.then_some(()) {
        Some(()) => match json_shape(rest) {
            Some(f) => Sniffed::Json(f),
            None => Sniffed::UnknownJson,
        },
        _ => Sniffed::Text,
    }
}

/// The top-level keys of the first JSON object in `head` (an array's first
/// element when the document is an array), and the value of `object` when it is
/// a string. Reads only as far as `head` goes.
fn first_object_keys(head: &[u8]) -> (Vec<String>, Option<String>) {
    use struson::reader::{JsonReader, JsonStreamReader, ValueType};
    let fixed = crate::telegram::escapes::FixEscapes::new(head, 0);
    let mut r = JsonStreamReader::new(fixed);
    let mut keys = Vec::new();
    let mut object = None;
    let mut go = || -> Result<(), struson::reader::ReaderError> {
        if r.peek()? == ValueType::Array {
            r.begin_array()?;
            if !r.has_next()? || r.peek()? != ValueType::Object {
                return Ok(());
            }
        }
        r.begin_object()?;
        while r.has_next()? && keys.len() < 64 {
            let name = r.next_name_owned()?;
            // Kept before the value is read: a long `messages` array runs past the head.
            keys.push(name.clone());
            if name == "object" && r.peek()? == ValueType::String {
                object = Some(r.next_string()?);
            } else {
                r.skip_value()?;
            }
        }
        Ok(())
    };
    let _ = go();
    (keys, object)
}

fn json_shape(head: &[u8]) -> Option<Format> {
    let (keys, object) = first_object_keys(head);
    let has = |k: &str| keys.iter().any(|x| x == k);
    if crate::wechat::is_chatlab_keys(&keys) {
        return Some(Format::Wechat);
    }
    if crate::wecom::is_wecom_keys(&keys) {
        return Some(Format::Wecom);
    }
    if object.as_deref() == Some("whatsapp_business_account") || (has("entry") && !has("messages"))
    {
        return Some(Format::WhatsappWebhook);
    }
    if has("chats") || has("personal_information") || has("left_chats") {
        return Some(Format::Telegram);
    }
    if has("messages") && (has("type") || has("name") || has("id")) {
        return Some(Format::Telegram);
    }
    if has("participants") && has("messages") {
        return Some(Format::Messenger);
    }
    if has("guild") && has("channel") {
        return Some(Format::Discord);
    }
    // Microsoft Graph: a list response (`@odata.context` + `value`) or a bare
    // array of chatMessage records.
    if (has("@odata.context") && has("value"))
        || has("messageType")
        || (has("createdDateTime") && has("body") && (has("chatId") || has("channelIdentity")))
    {
        return Some(Format::Teams);
    }
    if crate::signal::variant_from_keys(&keys).is_some() {
        return Some(Format::Signal);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_round_trip_through_their_names() {
        for f in Format::all() {
            assert_eq!(f.to_string().parse::<Format>(), Ok(*f));
        }
        assert_eq!(
            "Whatsapp_Webhook".parse::<Format>(),
            Ok(Format::WhatsappWebhook)
        );
        let err = "myspace".parse::<Format>().unwrap_err();
        assert!(
            err.to_string()
                .starts_with("unknown format \"myspace\" (expected one of: telegram, ")
        );
        assert!(err.to_string().contains(", slack"));
    }

    #[test]
    fn sniffs_json_shapes_from_a_prefix() {
        assert_eq!(
            sniff(br#"{"name": "Ops", "type": "private_group", "id": 4, "messages": [{"id": 1"#),
            Sniffed::Json(Format::Telegram)
        );
        assert_eq!(
            sniff(b"\xEF\xBB\xBF {\"about\": \"x\", \"personal_information\": {}, \"chats\": {"),
            Sniffed::Json(Format::Telegram)
        );
        assert_eq!(
            sniff(br#"{"object":"whatsapp_business_account","entry":[{"id":"1""#),
            Sniffed::Json(Format::WhatsappWebhook)
        );
        assert_eq!(
            sniff(br#"[{"object":"whatsapp_business_account"}]"#),
            Sniffed::Json(Format::WhatsappWebhook)
        );
        assert_eq!(sniff(br#"{"a": 1}"#), Sniffed::UnknownJson);
        // A chat whose messages run past the head is still told from its keys.
        let mut long =
            br#"{"name": "Ops", "type": "private_group", "id": 4, "messages": ["#.to_vec();
        long.extend(std::iter::repeat_n(b' ', HEAD_BYTES));
        assert_eq!(sniff(&long[..HEAD_BYTES]), Sniffed::Json(Format::Telegram));
        assert_eq!(sniff(b"PK\x03\x04rest"), Sniffed::Zip);
        assert_eq!(sniff(b"[3/27/22, 21:42:01] A: hi"), Sniffed::Text);
        assert_eq!(sniff(b""), Sniffed::Text);
    }
}
