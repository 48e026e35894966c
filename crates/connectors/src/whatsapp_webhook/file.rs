//! Replays captured webhook bodies from a file: one body, a JSON array of
//! bodies, or JSON lines (one body per line). One source per conversation
//! (business number × customer); the file is streamed body by body.

use super::events::{WebhookBatch, batch_from};
use super::payload;
use crate::detect::{Input, ReadSeek};
use crate::error::ConnectorError;
use crate::options::{ParseOptions, Warning, WarningSink};
use crate::source::{ExportSource, MessageIter};
use chatwarden_model::{Conversation, Message, SourceRef};
use std::collections::HashMap;
use std::io::{BufReader, Read};
use struson::reader::{JsonReader, JsonStreamReader, ValueType};

type Reader = JsonStreamReader<BufReader<Box<dyn ReadSeek>>>;

/// Walks the bodies of a capture file.
struct Bodies {
    reader: Reader,
    file: String,
    in_array: bool,
    started: bool,
    done: bool,
}

impl Bodies {
    fn open(input: &Input, file: &str) -> Result<Self, ConnectorError> {
        let raw = input.reader(file)?;
        let settings = crate::json_stream::settings_multiple();
        Ok(Bodies {
            reader: JsonStreamReader::new_custom(BufReader::new(raw), settings),
            file: file.to_owned(),
            in_array: false,
            started: false,
            done: false,
        })
    }

    fn line(&self) -> u64 {
        crate::json_stream::line(&self.reader)
    }

    fn fail(&mut self, e: impl std::fmt::Display) -> ConnectorError {
        self.done = true;
        ConnectorError::Malformed {
            file: self.file.clone(),
            line: self.line(),
            reason: format!("webhook capture: {e}"),
        }
    }

    /// The next body and the line it starts on; `None` at the end.
    fn next_body(&mut self) -> Option<Result<(u64, payload::Body), ConnectorError>> {
        if self.done {
            return None;
        }
        // The JSON reader may not be asked `has_next` at the top level before
        // the first value has been started, so the first value is only peeked.
        let mut first_top_level = false;
        if !self.started {
            self.started = true;
            match self.reader.peek() {
                Ok(ValueType::Array) => {
                    if let Err(e) = self.reader.begin_array() {
                        return Some(Err(self.fail(e)));
                    }
                    self.in_array = true;
                }
                Ok(_) => first_top_level = true,
                Err(e) => return Some(Err(self.fail(e))),
            }
        }
        if !first_top_level {
            match self.reader.has_next() {
                Ok(true) => {}
                Ok(false) => {
                    self.done = true;
                    return None;
                }
                Err(e) => return Some(Err(self.fail(e))),
            }
        }
        if let Err(e) = self.reader.peek() {
            return Some(Err(self.fail(e)));
        }
        let line = self.line();
        match self.reader.deserialize_next::<payload::Body>() {
            Ok(b) => Some(Ok((line, b))),
            Err(e) => Some(Err(self.fail(e))),
        }
    }
}

/// One conversation replayed from a file of captured webhook bodies.
pub struct WebhookExport {
    input: Input,
    file: String,
    conversation: Conversation,
    warnings: WarningSink,
    size_hint: u64,
    opts: ParseOptions,
}

fn is_whatsapp(b: &payload::Body) -> bool {
    b.object.as_deref() == Some("whatsapp_business_account")
}

impl WebhookExport {
    /// Opens a capture file: one source per conversation, in order of first appearance.
    pub(crate) fn open_input_all(
        input: Input,
        file: &str,
        opts: &ParseOptions,
    ) -> Result<Vec<WebhookExport>, ConnectorError> {
        let mut bodies = Bodies::open(&input, file)?;
        let mut convs: Vec<Conversation> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut warnings = WarningSink::new(opts.limits.max_warnings);
        let (mut n_bodies, mut not_messages) = (0u64, 0u64);
        while let Some(item) = bodies.next_body() {
            let (line, body) = item?;
            n_bodies += 1;
            if !is_whatsapp(&body) {
                warnings.push(
                    file,
                    Some(line),
                    "body is not a whatsapp_business_account webhook; skipped",
                );
                continue;
            }
            let batch = batch_from(body);
            for s in &batch.skipped {
                warnings.push(file, Some(line), s.clone());
            }
            for (change, event) in batch.events() {
                let Some(c) = event.carrier() else {
                    not_messages += 1;
                    continue;
                };
                let conv = change.conversation(&c.customer, opts);
                if !index.contains_key(&conv.source_key) {
                    index.insert(conv.source_key.clone(), convs.len());
                    convs.push(conv);
                }
            }
        }
        if n_bodies == 0 {
            return Err(ConnectorError::NotRecognized {
                file: file.to_owned(),
                tried: "whatsapp-webhook (no webhook body in the file)".to_owned(),
            });
        }
        if not_messages > 0 {
            warnings.push(
                file,
                None,
                format!(
                    "{not_messages} status, error or history-progress events are not messages \
                     and are not stored here (read them with parse_webhook)"
                ),
            );
        }
        let size_hint = input.len(file)?;
        let shared = warnings.list;
        Ok(convs
            .into_iter()
            .map(|conversation| {
                let mut w = WarningSink::new(opts.limits.max_warnings);
                for x in &shared {
                    w.push(&x.file, x.line, x.message.clone());
                }
                WebhookExport {
                    input: input.clone(),
                    file: file.to_owned(),
                    conversation,
                    warnings: w,
                    size_hint,
                    opts: opts.clone(),
                }
            })
            .collect())
    }

    /// Opens a capture file's first conversation.
    pub(crate) fn open_input(
        input: Input,
        file: &str,
        opts: &ParseOptions,
    ) -> Result<WebhookExport, ConnectorError> {
        let all = Self::open_input_all(input, file, opts)?;
        crate::options::first_conversation(
            all,
            file,
            "whatsapp-webhook (no message events in the file)",
            "file holds",
            "conversations",
            |e| &mut e.warnings,
        )
    }
}

struct Messages<'a> {
    bodies: Bodies,
    export: &'a WebhookExport,
    pending: std::collections::VecDeque<Message>,
    seq: u64,
}

impl Messages<'_> {
    fn fill(&mut self, line: u64, batch: &WebhookBatch) {
        let key = &self.export.conversation.source_key;
        for (change, event) in batch.events() {
            let Some(c) = event.carrier() else {
                continue;
            };
            if &super::events::source_key(change, &c.customer) != key {
                continue;
            }
            let source = SourceRef {
                file: self.export.file.as_str().into(),
                line,
            };
            if let Some(m) = change.message(
                &self.export.conversation,
                event,
                self.seq,
                source,
                self.export.opts.tz.as_ref(),
            ) {
                self.seq += 1;
                self.pending.push_back(m);
            }
        }
    }
}

impl Iterator for Messages<'_> {
    type Item = Result<Message, ConnectorError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(m) = self.pending.pop_front() {
                return Some(Ok(m));
            }
            let (line, body) = match self.bodies.next_body()? {
                Ok(x) => x,
                Err(e) => return Some(Err(e)),
            };
            if is_whatsapp(&body) {
                let batch = batch_from(body);
                self.fill(line, &batch);
            }
        }
    }
}

impl ExportSource for WebhookExport {
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
        let bodies = Bodies::open(&self.input, &self.file)?;
        Ok(Box::new(Messages {
            bodies,
            export: self,
            pending: std::collections::VecDeque::new(),
            seq: 0,
        }))
    }

    fn open_attachment(&self, _name: &str) -> Result<Option<Box<dyn Read + '_>>, ConnectorError> {
        // Webhooks carry media ids only; the media are fetched from the Graph API.
        Ok(None)
    }
}
