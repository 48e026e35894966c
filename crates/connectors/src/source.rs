//! The trait every opened export implements, and format detection.

use crate::detect::{self, Format, Input, Sniffed};
use crate::discord::DiscordExport;
use crate::error::ConnectorError;
use crate::messenger::MessengerExport;
use crate::options::{ParseOptions, Warning};
use crate::signal::SignalExport;
use crate::slack::SlackExport;
use crate::teams::TeamsExport;
use crate::telegram::TelegramExport;
use crate::wechat::WechatExport;
use crate::wecom::WecomExport;
use crate::whatsapp_webhook::WebhookExport;
use crate::zipsafe::SafeZip;
use chatwarden_model::{Conversation, Message};
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

/// The messages of one export, streamed in file order.
pub type MessageIter<'a> = Box<dyn Iterator<Item = Result<Message, ConnectorError>> + 'a>;

/// One opened export. The conversation (with participants from a first pass) is
/// known before messages are read. `Send`, so a caller may hand it to another thread.
pub trait ExportSource: Send {
    fn conversation(&self) -> &Conversation;
    /// What the reader assumed or skipped. Grows while [`ExportSource::messages`] runs.
    fn warnings(&self) -> &[Warning];
    /// Total bytes of the chat text, for progress bars.
    fn size_hint(&self) -> u64;
    /// Streams the messages in file order. Each item is a message or an error
    /// naming file and line; after an error the stream ends.
    fn messages(&mut self) -> Result<MessageIter<'_>, ConnectorError>;
    /// Opens an included attachment's bytes by the name used in `Attachment::name`
    /// (`None` if the bundle does not hold it).
    fn open_attachment(&self, name: &str) -> Result<Option<Box<dyn Read + '_>>, ConnectorError>;
}

/// What detection (or `--format`) chose for an input.
enum Choice {
    /// WhatsApp: forced (`None`), or the last format tried on text or a zip that no
    /// other format took (`Some`: what the input looked like, for the error that lists
    /// every format tried when WhatsApp does not take it either).
    Whatsapp(Option<Seen>),
    Telegram,
    /// A Telegram `result.json` inside a zip, copied out to a temporary file.
    TelegramInZip(Input, String),
    Webhook,
    Slack,
    Teams,
    Signal,
    Discord,
    Messenger,
    Line,
    Wechat,
    Wecom,
    /// imessage-exporter output: `true` for HTML, `false` for text.
    Imessage(bool),
}

fn choose(input: &Input, label: &str, opts: &ParseOptions) -> Result<Choice, ConnectorError> {
    if let Some(f) = opts.format {
        return Ok(match f {
            Format::Whatsapp => Choice::Whatsapp(None),
            Format::Telegram => match telegram_in_zip(input, label, opts)? {
                Some(c) => c,
                None => Choice::Telegram,
            },
            Format::WhatsappWebhook => Choice::Webhook,
            Format::Slack => Choice::Slack,
            Format::Teams => Choice::Teams,
            Format::Messenger => Choice::Messenger,
            Format::Line => Choice::Line,
            Format::Signal => Choice::Signal,
            Format::Discord => Choice::Discord,
            Format::Wechat => Choice::Wechat,
            Format::Wecom => Choice::Wecom,
            Format::Imessage => {
                Choice::Imessage(crate::imessage::looks_like_any_html(&input.head(label)?))
            }
        });
    }
    let head = input.head(label)?;
    match detect::sniff(&head) {
        Sniffed::Json(Format::Telegram) => Ok(Choice::Telegram),
        Sniffed::Json(Format::WhatsappWebhook) => Ok(Choice::Webhook),
        Sniffed::Json(Format::Signal) => Ok(Choice::Signal),
        Sniffed::Json(Format::Discord) => Ok(Choice::Discord),
        Sniffed::Json(Format::Teams) => Ok(Choice::Teams),
        Sniffed::Json(Format::Messenger) => Ok(Choice::Messenger),
        Sniffed::Json(Format::Wechat) => Ok(Choice::Wechat),
        Sniffed::Json(Format::Wecom) => Ok(Choice::Wecom),
        Sniffed::Text if crate::wechat::is_wechat_csv(&head) => Ok(Choice::Wechat),
        Sniffed::Text if crate::imessage::looks_like_html(&head) => Ok(Choice::Imessage(true)),
        Sniffed::Text if crate::imessage::looks_like_text(&head) => Ok(Choice::Imessage(false)),
        Sniffed::Text if crate::imessage::looks_like_any_html(&head) => {
            Err(not_recognized(label, Seen::Html, None))
        }
        Sniffed::Json(Format::Line) => Ok(Choice::Line),
        Sniffed::Text if crate::line::looks_like_line(&head) => Ok(Choice::Line),
        // A Slack export is a zip, never a bare JSON document.
        Sniffed::Json(Format::Whatsapp)
        | Sniffed::Json(Format::Slack)
        | Sniffed::Json(Format::Imessage)
        | Sniffed::Text => Ok(Choice::Whatsapp(Some(Seen::Text))),
        Sniffed::Zip if crate::slack::zip_is_slack(input, label, opts).unwrap_or(false) => {
            Ok(Choice::Slack)
        }
        Sniffed::Zip if crate::messenger::zip_is_messenger(input, label, opts).unwrap_or(false) => {
            Ok(Choice::Messenger)
        }
        Sniffed::Zip => {
            Ok(telegram_in_zip(input, label, opts)?.unwrap_or(Choice::Whatsapp(Some(Seen::Zip))))
        }
        Sniffed::UnknownJson => Err(not_recognized(label, Seen::Json, None)),
    }
}

/// What an input looked like to detection, for the error that lists what was tried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Seen {
    /// Neither JSON nor a zip nor HTML.
    Text,
    /// An HTML document.
    Html,
    /// A JSON document of no known shape.
    Json,
    /// A zip archive.
    Zip,
}

/// Why a format did not take an input that looked like `seen`. `whatsapp`: the WhatsApp
/// reader's own reason, when it was run.
fn why_not(format: Format, seen: Seen, whatsapp: Option<&str>) -> String {
    use Seen::{Html, Json, Text, Zip};
    let s = match (format, seen) {
        (Format::Whatsapp, _) if whatsapp.is_some() => whatsapp.unwrap_or_default(),
        (Format::Telegram, Json) => "JSON without `messages` or `chats`",
        (Format::Telegram, Zip) => "no `result.json` in the zip",
        (Format::Telegram, _) => "not JSON (Telegram Desktop writes `result.json`)",
        (Format::WhatsappWebhook, Json) => {
            "JSON without `object: whatsapp_business_account` or `entry`"
        }
        (Format::WhatsappWebhook, _) => "not JSON (captured Cloud API webhook bodies)",
        (Format::Slack, Zip) => {
            "no `channels.json` and `users.json`, nor channel folders of `YYYY-MM-DD.json` day files"
        }
        (Format::Slack, _) => "not a zip (a Slack workspace export is a zip)",
        (Format::Teams, Json) => "JSON without `@odata.context`+`value` or `messageType`",
        (Format::Teams, _) => "not JSON (Microsoft Graph `chatMessage` records)",
        (Format::Messenger, Json) => "JSON without `participants` and `messages`",
        (Format::Messenger, Zip) => {
            "no `message_N.json`, nor an end-to-end-encrypted thread file, in a `messages` folder"
        }
        (Format::Messenger, _) => "neither JSON nor a zip (`message_N.json` files)",
        (Format::Line, Text) => {
            "no `[LINE] Chat history` first line, nor a day line followed by \
             `time<TAB>sender<TAB>text` lines"
        }
        (Format::Line, Html) => "HTML, not LINE's text export",
        (Format::Line, Json) => "JSON, not LINE's text export",
        (Format::Line, Zip) => "a zip, not LINE's text export",
        (Format::Signal, Json) => {
            "JSON lines without a takeout frame, nor sigexport date/sender/body"
        }
        (Format::Signal, _) => "not JSON lines (the app's `main.jsonl` or sigexport `data.json`)",
        (Format::Discord, Json) => "JSON without `guild` and `channel`",
        (Format::Discord, _) => "not JSON (DiscordChatExporter JSON)",
        (Format::Wechat, Text) => {
            "the first line is not the WeChatMsg/MemoTrace CSV header \
             (localId, TalkerId, Type, IsSender, StrContent), and the file is not ChatLab JSON"
        }
        (Format::Wechat, Json) => "JSON without a `chatlab` header",
        (Format::Wechat, _) => "neither the WeChatMsg/MemoTrace CSV nor ChatLab JSON",
        (Format::Wecom, Json) => "JSON without `msgid` and `action`",
        (Format::Wecom, _) => "not JSON (session-archive records)",
        (Format::Imessage, Text) => {
            "the first line is not an imessage-exporter message time \
             (`May 17, 2022  5:29:42 PM`), and the file is not HTML"
        }
        (Format::Imessage, Html) => {
            "HTML without imessage-exporter's message markup (`div.message` with \
             `sent`/`received` blocks, or `sms://open?message-guid=` links)"
        }
        (Format::Imessage, _) => "neither imessage-exporter's text nor its HTML",
        (Format::Whatsapp, Text) => "no message header in the first lines",
        (Format::Whatsapp, Html) => "HTML, not chat text",
        (Format::Whatsapp, Json) => "JSON, not chat text",
        (Format::Whatsapp, Zip) => {
            "no chat text (`_chat.txt`, `*chat*.txt`, or a single `.txt`) in the zip"
        }
    };
    s.to_owned()
}

/// The error for an input no format takes: every format, in detection order, with why it
/// did not match.
fn not_recognized(file: &str, seen: Seen, whatsapp: Option<&str>) -> ConnectorError {
    let tried = Format::all()
        .iter()
        .map(|f| format!("{f}: {}", why_not(*f, seen, whatsapp)))
        .collect::<Vec<_>>()
        .join("; ");
    ConnectorError::NotRecognized {
        file: file.to_owned(),
        tried,
    }
}

/// WhatsApp is tried last, on text or a zip that no other format took. When it finds no
/// WhatsApp chat either (no message header in the first lines, no chat text in the zip),
/// the error lists every format tried; any other error (a line number, invalid UTF-8 in
/// an export that has WhatsApp headers, a zip limit) is the WhatsApp reader's own.
fn whatsapp_or_not_recognized(
    result: Result<Box<dyn ExportSource>, ConnectorError>,
    seen: Option<Seen>,
    label: &str,
) -> Result<Box<dyn ExportSource>, ConnectorError> {
    let Some(seen) = seen else {
        return result;
    };
    match result {
        Err(ConnectorError::NotRecognized { file, .. }) => {
            let why = match file.strip_prefix(label).and_then(|r| r.strip_prefix("!/")) {
                Some(entry) => {
                    format!("{entry:?} in the zip has no message header in the first lines")
                }
                None if seen == Seen::Zip => {
                    "the zip's chat text has no message header in the first lines".to_owned()
                }
                None => "no message header (`27/03/2022, 21:42 - Name:` or \
                         `[27/03/2022, 21:42:01] Name:`) in the first lines"
                    .to_owned(),
            };
            Err(not_recognized(label, seen, Some(&why)))
        }
        Err(ConnectorError::NoChatFile { .. }) => Err(not_recognized(label, seen, None)),
        other => other,
    }
}

/// A zip holding a Telegram `result.json` and no `.txt`: copies the JSON out
/// (within the zip limits) so it can be streamed with seeks.
fn telegram_in_zip(
    input: &Input,
    label: &str,
    opts: &ParseOptions,
) -> Result<Option<Choice>, ConnectorError> {
    let head = input.head(label)?;
    if !detect::is_zip(&head) {
        return Ok(None);
    }
    let mut z = SafeZip::open(input.reader(label)?, label, &opts.limits.zip)?;
    let entries = z.entries().to_vec();
    let has_txt = entries
        .iter()
        .any(|e| !e.is_dir && e.name.to_ascii_lowercase().ends_with(".txt"));
    let json = entries
        .iter()
        .filter(|e| !e.is_dir && e.file_name() == "result.json")
        .min_by_key(|e| e.name.len());
    let Some(json) = json else {
        return Ok(None);
    };
    if has_txt && opts.format != Some(Format::Telegram) {
        return Ok(None);
    }
    let mut tmp = tempfile::NamedTempFile::new().map_err(|e| ConnectorError::io(label, e))?;
    let mut entry = z.open_entry(json.index)?;
    std::io::copy(&mut entry, tmp.as_file_mut())
        .map_err(|e| crate::zipsafe::unwrap_io_error(label, e))?;
    drop(entry);
    let path = tmp.into_temp_path();
    let inner = format!("{label}!/{}", json.name);
    Ok(Some(Choice::TelegramInZip(
        Input::Temp(Arc::new(path)),
        inner,
    )))
}

fn open_choice(
    choice: Choice,
    input: Input,
    label: &str,
    opts: &ParseOptions,
    whatsapp: impl FnOnce() -> Result<Box<dyn ExportSource>, ConnectorError>,
    all: bool,
) -> Result<Vec<Box<dyn ExportSource>>, ConnectorError> {
    fn boxed<T: ExportSource + 'static>(v: Vec<T>) -> Vec<Box<dyn ExportSource>> {
        v.into_iter()
            .map(|s| Box::new(s) as Box<dyn ExportSource>)
            .collect()
    }
    match choice {
        Choice::Whatsapp(seen) => Ok(vec![whatsapp_or_not_recognized(whatsapp(), seen, label)?]),
        Choice::Telegram if all => Ok(boxed(TelegramExport::open_input_all(input, label, opts)?)),
        Choice::Telegram => Ok(boxed(vec![TelegramExport::open_input(input, label, opts)?])),
        Choice::TelegramInZip(tmp, inner) if all => {
            Ok(boxed(TelegramExport::open_input_all(tmp, &inner, opts)?))
        }
        Choice::TelegramInZip(tmp, inner) => {
            Ok(boxed(vec![TelegramExport::open_input(tmp, &inner, opts)?]))
        }
        Choice::Webhook if all => Ok(boxed(WebhookExport::open_input_all(input, label, opts)?)),
        Choice::Webhook => Ok(boxed(vec![WebhookExport::open_input(input, label, opts)?])),
        Choice::Slack if all => Ok(boxed(SlackExport::open_input_all(input, label, opts)?)),
        Choice::Slack => Ok(boxed(vec![SlackExport::open_input(input, label, opts)?])),
        Choice::Teams if all => Ok(boxed(TeamsExport::open_input_all(input, label, opts)?)),
        Choice::Teams => Ok(boxed(vec![TeamsExport::open_input(input, label, opts)?])),
        Choice::Signal if all => Ok(boxed(SignalExport::open_input_all(input, label, opts)?)),
        Choice::Signal => Ok(boxed(vec![SignalExport::open_input(input, label, opts)?])),
        Choice::Discord => Ok(boxed(vec![DiscordExport::open_input(input, label, opts)?])),
        Choice::Messenger if all => Ok(boxed(MessengerExport::open_input_all(input, label, opts)?)),
        Choice::Messenger => Ok(boxed(MessengerExport::open_input_all(input, label, opts)?)
            .into_iter()
            .take(1)
            .collect()),
        Choice::Line => Ok(boxed(vec![crate::line::LineExport::open_input(
            input, label, opts,
        )?])),
        Choice::Wechat => Ok(boxed(vec![WechatExport::open_input(input, label, opts)?])),
        Choice::Wecom if all => Ok(boxed(WecomExport::open_input_all(input, label, opts)?)),
        Choice::Wecom => Ok(boxed(vec![WecomExport::open_input(input, label, opts)?])),
        Choice::Imessage(html) => Ok(boxed(vec![crate::imessage::ImessageExport::open_input(
            input, label, opts, html,
        )?])),
    }
}

fn first(
    mut v: Vec<Box<dyn ExportSource>>,
    label: &str,
) -> Result<Box<dyn ExportSource>, ConnectorError> {
    if v.is_empty() {
        return Err(ConnectorError::NotRecognized {
            file: label.to_owned(),
            tried: "no conversation in the export".to_owned(),
        });
    }
    Ok(v.swap_remove(0))
}

/// Detects the format of a file from its content (or takes `opts.format`) and
/// opens it. For an export that holds several chats (a Telegram account
/// export), this opens the first; use [`open_all`] for every chat.
pub fn open(path: &Path, opts: &ParseOptions) -> Result<Box<dyn ExportSource>, ConnectorError> {
    if path.is_dir() {
        // Only Meta's downloads are read as a folder.
        let all = crate::messenger::open_dir(path, opts)?;
        return first(
            all.into_iter()
                .map(|s| Box::new(s) as Box<dyn ExportSource>)
                .collect(),
            &path.display().to_string(),
        );
    }
    let label = path.display().to_string();
    let input = Input::Path(path.to_path_buf());
    let choice = choose(&input, &label, opts)?;
    let wa = || {
        crate::whatsapp::WhatsAppExport::open_path(path, opts)
            .map(|e| Box::new(e) as Box<dyn ExportSource>)
    };
    first(open_choice(choice, input, &label, opts, wa, false)?, &label)
}

/// Opens every conversation in a file: one source per chat of a Telegram
/// account export, one source for formats that hold a single conversation.
pub fn open_all(
    path: &Path,
    opts: &ParseOptions,
) -> Result<Vec<Box<dyn ExportSource>>, ConnectorError> {
    if path.is_dir() {
        // Only Meta's downloads are read as a folder.
        let all = crate::messenger::open_dir(path, opts)?;
        return Ok(all
            .into_iter()
            .map(|s| Box::new(s) as Box<dyn ExportSource>)
            .collect());
    }
    let label = path.display().to_string();
    let input = Input::Path(path.to_path_buf());
    let choice = choose(&input, &label, opts)?;
    let wa = || {
        crate::whatsapp::WhatsAppExport::open_path(path, opts)
            .map(|e| Box::new(e) as Box<dyn ExportSource>)
    };
    open_choice(choice, input, &label, opts, wa, true)
}

/// Opens an export held in memory (`name` is used for messages' source and for
/// the chat title, like a file name). Meant for fuzzing and for uploads.
pub fn open_bytes(
    name: &str,
    bytes: Vec<u8>,
    opts: &ParseOptions,
) -> Result<Box<dyn ExportSource>, ConnectorError> {
    let bytes = Arc::new(bytes);
    let input = Input::Bytes(Arc::clone(&bytes));
    let choice = choose(&input, name, opts)?;
    if let Choice::Whatsapp(seen) = choice {
        // Hand the bytes over without a copy.
        drop(input);
        let bytes = Arc::try_unwrap(bytes).unwrap_or_else(|shared| shared.as_ref().clone());
        let wa = crate::whatsapp::WhatsAppExport::open_bytes(name, bytes, opts)
            .map(|e| Box::new(e) as Box<dyn ExportSource>);
        return whatsapp_or_not_recognized(wa, seen, name);
    }
    let wa = || -> Result<Box<dyn ExportSource>, ConnectorError> {
        Err(ConnectorError::NotRecognized {
            file: name.to_owned(),
            tried: "whatsapp".to_owned(),
        })
    };
    first(open_choice(choice, input, name, opts, wa, false)?, name)
}
