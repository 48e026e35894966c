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
    Whatsapp,
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
            Format::Whatsapp => Choice::Whatsapp,
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
            Err(ConnectorError::NotRecognized {
                file: label.to_owned(),
                tried: "imessage (HTML without imessage-exporter's message markup: \
                        `div.message` with `sent`/`received` blocks or `sms://open?message-guid=` \
                        links); no other format is HTML"
                    .to_owned(),
            })
        }
        Sniffed::Json(Format::Line) => Ok(Choice::Line),
        Sniffed::Text if crate::line::looks_like_line(&head) => Ok(Choice::Line),
        // A Slack export is a zip, never a bare JSON document.
        Sniffed::Json(Format::Whatsapp)
        | Sniffed::Json(Format::Slack)
        | Sniffed::Json(Format::Imessage)
        | Sniffed::Text => {
            Ok(Choice::Whatsapp)
        }
        Sniffed::Zip if crate::slack::zip_is_slack(input, label, opts).unwrap_or(false) => {
            Ok(Choice::Slack)
        }
        Sniffed::Zip if crate::messenger::zip_is_messenger(input, label, opts).unwrap_or(false) => {
            Ok(Choice::Messenger)
        }
        Sniffed::Zip => Ok(telegram_in_zip(input, label, opts)?.unwrap_or(Choice::Whatsapp)),
        Sniffed::UnknownJson => Err(ConnectorError::NotRecognized {
            file: label.to_owned(),
            tried: "telegram (JSON without `messages` or `chats`), whatsapp-webhook (JSON \
                    without `object: whatsapp_business_account` or `entry`), signal (JSON lines \
                    without a takeout frame or sigexport date/sender/body), discord (JSON \
                    without `guild` and `channel`), teams (JSON without `@odata.context`+`value` \
                    or `messageType`), slack (a zip export, not one JSON file), wechat (JSON \
                    without a `chatlab` header), wecom (JSON without `msgid` and `action`), messenger (JSON without `participants` and \
                    `messages`), line (text, not JSON), imessage (text or HTML, not JSON), whatsapp (JSON, \
                    not chat text)"
                .to_owned(),
        }),
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
        Choice::Whatsapp => {
            // Text that is not JSON: the JSON formats were ruled out by the sniff,
            // and WhatsApp's own error (pinned by its golden test) says why the
            // header probe failed.
            Ok(vec![whatsapp()?])
        }
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
    if matches!(choice, Choice::Whatsapp) {
        // Hand the bytes over without a copy.
        drop(input);
        let bytes = Arc::try_unwrap(bytes).unwrap_or_else(|shared| shared.as_ref().clone());
        let wa = crate::whatsapp::WhatsAppExport::open_bytes(name, bytes, opts)?;
        return Ok(Box::new(wa));
    }
    let wa = || -> Result<Box<dyn ExportSource>, ConnectorError> {
        Err(ConnectorError::NotRecognized {
            file: name.to_owned(),
            tried: "whatsapp".to_owned(),
        })
    };
    first(open_choice(choice, input, name, opts, wa, false)?, name)
}
