//! The crate's error type.

/// Errors from reading a policy file, a directory or an employee list.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// The policy file is not valid: the message names the line.
    #[error("{file}: line {line}: {message}")]
    Policy {
        file: String,
        line: usize,
        message: String,
    },
    /// The employee list is not valid: the message names the line.
    #[error("{file}: line {line}: {message}")]
    Employees {
        file: String,
        line: u64,
        message: String,
    },
    /// The directory settings are not valid.
    #[error("directory: {0}")]
    Directory(String),
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// 1-based line number of a byte offset in `src`.
pub(crate) fn line_of(src: &str, offset: usize) -> usize {
    let end = offset.min(src.len());
    src.as_bytes()
        .get(..end)
        .map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count())
        + 1
}
