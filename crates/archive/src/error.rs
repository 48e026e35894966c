//! The archive's error type. Every message names the path, record or key it is about,
//! and none ever carries message content or a detected value.

use std::path::PathBuf;

/// Everything that can go wrong opening, writing, reading or checking an archive.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// A file or folder could not be read or written.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The record store (SQLite) failed.
    #[error("record store: {0}")]
    Store(#[from] rusqlite::Error),
    /// The key file is not where the caller said.
    #[error("key file {path} not found: the archive cannot be opened without its master key")]
    MissingKey { path: PathBuf },
    /// The key file exists but is not the key of this archive (or a data key fails to unwrap).
    #[error("wrong key: {0}")]
    WrongKey(String),
    /// The key file is malformed or has unsafe permissions.
    #[error("key file {path}: {reason}")]
    BadKeyFile { path: PathBuf, reason: String },
    /// `init` refused: something already exists, or the key would live in the data folder.
    #[error("cannot initialise: {0}")]
    InitRefused(String),
    /// The data folder holds no archive (or a newer/unknown format).
    #[error("{path} is not a chatwarden archive: {reason}")]
    NotAnArchive { path: PathBuf, reason: String },
    /// A stored record failed to decrypt or decode: it was altered or its key is wrong.
    #[error("record {kind} {id} cannot be opened: {reason}")]
    Corrupt {
        kind: String,
        id: String,
        reason: String,
    },
    /// The content's data key was destroyed (retention or erasure): it is no longer readable.
    #[error("{kind} {id} has been shredded")]
    Shredded { kind: String, id: String },
    /// Nothing matches.
    #[error("{kind} not found: {query}")]
    NotFound { kind: &'static str, query: String },
    /// More than one thing matches a prefix or title.
    #[error("{query} is ambiguous: {count} {kind}s match ({examples})")]
    Ambiguous {
        kind: &'static str,
        query: String,
        count: usize,
        examples: String,
    },
    /// An erasure or expiry was refused (legal hold, unexpired retention).
    #[error("refused: {0}")]
    Refused(String),
    /// The caller passed something invalid (a retention period, an empty reason …).
    #[error("invalid input: {0}")]
    Invalid(String),
    /// Another writer appended to the log in between: the batch was not applied.
    #[error("log conflict: expected the log to hold {expected} leaves, it holds {found}")]
    LogConflict { expected: u64, found: u64 },
    /// A batch marked `messages_must_be_new` held a message that is already stored: the
    /// batch was not applied.
    #[error("{kind} {id} is already stored")]
    AlreadyStored { kind: &'static str, id: String },
    /// Transparency-log code refused something (proofs, notes, checkpoints).
    #[error("transparency log: {0}")]
    Tlog(#[from] crate::tlog::TlogError),
    /// Encoding or decoding a record's JSON failed.
    #[error("encoding: {0}")]
    Json(#[from] serde_json::Error),
}

impl ArchiveError {
    /// An I/O error about `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        ArchiveError::Io {
            path: path.into(),
            source,
        }
    }
}
