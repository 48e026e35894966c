//! The trait every opened export implements, and format detection.

use crate::error::ConnectorError;
use crate::options::{ParseOptions, Warning};
use chatwarden_model::{Conversation, Message};
use std::io::Read;
use std::path::Path;

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

/// Detects the format of a file (.txt or .zip) from its content and opens it.
pub fn open(path: &Path, opts: &ParseOptions) -> Result<Box<dyn ExportSource>, ConnectorError> {
    let export = crate::whatsapp::WhatsAppExport::open_path(path, opts)?;
    Ok(Box::new(export))
}

/// Opens an export held in memory (`name` is used for messages' source and for
/// the chat title, like a file name). Meant for fuzzing and for uploads.
pub fn open_bytes(
    name: &str,
    bytes: Vec<u8>,
    opts: &ParseOptions,
) -> Result<Box<dyn ExportSource>, ConnectorError> {
    let export = crate::whatsapp::WhatsAppExport::open_bytes(name, bytes, opts)?;
    Ok(Box::new(export))
}
