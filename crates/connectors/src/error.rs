//! The connectors' error type. Every variant's message names the file, and the
//! line (or zip entry) when it is known.

use std::io;

/// What went wrong while reading an export.
#[derive(Debug, thiserror::Error)]
pub enum ConnectorError {
    /// The file could not be read.
    #[error("{file}: {source}")]
    Io {
        file: String,
        #[source]
        source: io::Error,
    },
    /// The file is not in any format this crate reads.
    #[error("{file}: not a recognized export (tried: {tried})")]
    NotRecognized { file: String, tried: String },
    /// A line is not valid UTF-8.
    #[error("{file}:{line}: invalid UTF-8")]
    InvalidUtf8 { file: String, line: u64 },
    /// A single line is longer than the configured cap.
    #[error("{file}:{line}: line longer than {limit} bytes")]
    LineTooLong {
        file: String,
        line: u64,
        limit: usize,
    },
    /// A message's text (all its lines) is longer than the configured cap.
    #[error("{file}:{line}: message longer than {limit} bytes")]
    MessageTooLong {
        file: String,
        line: u64,
        limit: usize,
    },
    /// The zip archive is truncated or corrupt.
    #[error("{file}: corrupt or truncated zip archive: {reason}")]
    CorruptZip { file: String, reason: String },
    /// A zip entry has a path that could escape the extraction folder.
    #[error("{file}: unsafe zip entry {entry:?}: {reason}")]
    UnsafeEntry {
        file: String,
        entry: String,
        reason: String,
    },
    /// A zip archive or entry exceeds a configured limit (zip bomb protection).
    #[error("{file}: zip limit exceeded{}: {reason}", entry.as_ref().map(|e| format!(" in entry {e:?}")).unwrap_or_default())]
    ZipLimit {
        file: String,
        entry: Option<String>,
        reason: String,
    },
    /// A JSON export is malformed, or not in the shape its format has.
    #[error("{file}:{line}: {reason}")]
    Malformed {
        file: String,
        line: u64,
        reason: String,
    },
    /// A zip archive holds no chat text file.
    #[error("{file}: zip archive holds no WhatsApp chat text (_chat.txt or *chat*.txt)")]
    NoChatFile { file: String },
}

impl ConnectorError {
    pub(crate) fn io(file: &str, source: io::Error) -> Self {
        ConnectorError::Io {
            file: file.to_owned(),
            source,
        }
    }
}
