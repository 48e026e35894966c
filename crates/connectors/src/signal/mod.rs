//! Signal chat exports, two shapes (formats.md §5; `docs/formats/signal.md`):
//!
//! * the app's own "export chat" / takeout JSON lines (`main.jsonl`): libsignal's
//!   backup `Frame`s as proto3 JSON — a `BackupInfo` line, then `account`,
//!   `recipient`, `chat` and `chatItem` frames (shape from
//!   `signalapp/libsignal` `rust/message-backup/src/proto/backup.proto` and
//!   `tests/res/canonical-backup.takeout-export.expected.jsonl`); one source per chat;
//! * carderne/signal-export (`sigexport`) `data.json`: JSON lines of
//!   `{date, sender, body, quote, sticker, reactions, attachments, deleted, call, missed}`
//!   (shape from `sigexport/models.py`, `Message.dict`); one source per file.
//!
//! Both are read line by line with a capped line length; nothing is loaded whole.

mod sigexport;
mod takeout;

use crate::detect::Input;
use crate::error::ConnectorError;
use crate::lines::LineReader;
use crate::options::{ParseOptions, Warning, WarningSink};
use crate::source::{ExportSource, MessageIter};
use chatwarden_model::Conversation;
use std::io::{BufReader, Read};
use std::path::Path;

/// Which of the two Signal shapes a file has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignalVariant {
    /// Signal's own takeout export (`main.jsonl`).
    Takeout,
    /// carderne/signal-export `data.json`.
    Sigexport,
}

/// The variant told from the first JSON object's keys, if either matches.
pub(crate) fn variant_from_keys(keys: &[String]) -> Option<SignalVariant> {
    let has = |k: &str| keys.iter().any(|x| x == k);
    if (has("version") && has("backupTimeMs"))
        || has("chatItem")
        || (has("recipient") && keys.len() == 1)
    {
        return Some(SignalVariant::Takeout);
    }
    if has("date") && has("sender") && has("body") && (has("reactions") || has("attachments")) {
        return Some(SignalVariant::Sigexport);
    }
    None
}

pub(crate) fn open_lines(
    input: &Input,
    file: &str,
    opts: &ParseOptions,
) -> Result<LineReader<BufReader<Box<dyn crate::detect::ReadSeek>>>, ConnectorError> {
    Ok(LineReader::new(
        BufReader::new(input.reader(file)?),
        file,
        opts.limits.max_line_bytes,
    ))
}

pub(crate) fn malformed(file: &str, line: u64, reason: impl Into<String>) -> ConnectorError {
    ConnectorError::Malformed {
        file: file.to_owned(),
        line,
        reason: reason.into(),
    }
}

/// Reads the first non-blank line and tells the variant.
fn detect_variant(
    input: &Input,
    file: &str,
    opts: &ParseOptions,
) -> Result<SignalVariant, ConnectorError> {
    let mut lines = open_lines(input, file, opts)?;
    loop {
        let no = lines.line_no() + 1;
        let Some(line) = lines.next_line()? else {
            break;
        };
        let line = line.trim_start_matches('\u{feff}').trim();
        if line.is_empty() {
            continue;
        }
        let v: serde_json::Map<String, serde_json::Value> = serde_json::from_str(line)
            .map_err(|e| malformed(file, no, format!("signal: not a JSON object line: {e}")))?;
        let keys: Vec<String> = v.keys().cloned().collect();
        return variant_from_keys(&keys).ok_or_else(|| ConnectorError::NotRecognized {
            file: file.to_owned(),
            tried: "signal (first line is neither a takeout BackupInfo/frame nor a sigexport \
                    message with date, sender, body)"
                .to_owned(),
        });
    }
    Err(ConnectorError::NotRecognized {
        file: file.to_owned(),
        tried: "signal (empty file)".to_owned(),
    })
}

enum Inner {
    Takeout(takeout::TakeoutChat),
    Sigexport,
}

/// One Signal conversation.
pub struct SignalExport {
    input: Input,
    file: String,
    conversation: Conversation,
    warnings: WarningSink,
    size_hint: u64,
    opts: ParseOptions,
    inner: Inner,
}

impl SignalExport {
    /// Which shape this conversation was read from.
    pub fn variant(&self) -> SignalVariant {
        match self.inner {
            Inner::Takeout(_) => SignalVariant::Takeout,
            Inner::Sigexport => SignalVariant::Sigexport,
        }
    }

    /// Opens every conversation of a Signal export file.
    pub(crate) fn open_input_all(
        input: Input,
        file: &str,
        opts: &ParseOptions,
    ) -> Result<Vec<SignalExport>, ConnectorError> {
        let size_hint = input.len(file)?;
        match detect_variant(&input, file, opts)? {
            SignalVariant::Sigexport => {
                let (conversation, warnings) = sigexport::scan(&input, file, opts)?;
                Ok(vec![SignalExport {
                    input,
                    file: file.to_owned(),
                    conversation,
                    warnings,
                    size_hint,
                    opts: opts.clone(),
                    inner: Inner::Sigexport,
                }])
            }
            SignalVariant::Takeout => {
                let (chats, shared) = takeout::scan(&input, file, opts)?;
                Ok(chats
                    .into_iter()
                    .map(|(conversation, chat)| {
                        let mut w = WarningSink::new(opts.limits.max_warnings);
                        for x in &shared {
                            w.push(&x.file, x.line, x.message.clone());
                        }
                        SignalExport {
                            input: input.clone(),
                            file: file.to_owned(),
                            conversation,
                            warnings: w,
                            size_hint,
                            opts: opts.clone(),
                            inner: Inner::Takeout(chat),
                        }
                    })
                    .collect())
            }
        }
    }

    /// Opens the first conversation of a Signal export file.
    pub(crate) fn open_input(
        input: Input,
        file: &str,
        opts: &ParseOptions,
    ) -> Result<SignalExport, ConnectorError> {
        let all = Self::open_input_all(input, file, opts)?;
        crate::options::first_conversation(
            all,
            file,
            "signal (no chat with messages in the export)",
            "file holds",
            "chats",
            |e| &mut e.warnings,
        )
    }
}

/// Opens every chat of a Signal export file on disk.
pub fn open_all(path: &Path, opts: &ParseOptions) -> Result<Vec<SignalExport>, ConnectorError> {
    SignalExport::open_input_all(
        Input::Path(path.to_path_buf()),
        &path.display().to_string(),
        opts,
    )
}

impl ExportSource for SignalExport {
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
        match &self.inner {
            Inner::Takeout(chat) => Ok(Box::new(takeout::Messages::new(
                lines,
                &self.file,
                &self.conversation,
                chat,
                &self.opts,
            ))),
            Inner::Sigexport => Ok(Box::new(sigexport::Messages::new(
                lines,
                &self.file,
                &self.conversation,
                &self.opts,
            ))),
        }
    }

    fn open_attachment(&self, name: &str) -> Result<Option<Box<dyn Read + '_>>, ConnectorError> {
        // sigexport writes media beside data.json under `media/`; the takeout
        // export's `files/` are not linked from its lines, so none is opened.
        if !matches!(self.inner, Inner::Sigexport) {
            return Ok(None);
        }
        let Input::Path(p) = &self.input else {
            return Ok(None);
        };
        let Some(full) = sigexport::media_path(p, name) else {
            return Ok(None);
        };
        let label = full.display().to_string();
        let f = std::fs::File::open(&full).map_err(|e| ConnectorError::io(&label, e))?;
        Ok(Some(Box::new(f)))
    }
}
