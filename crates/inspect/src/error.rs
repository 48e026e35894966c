//! Errors of the inspection stage.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum InspectError {
    /// A built-in or custom pattern failed to compile.
    #[error("pattern {name} does not compile: {message}")]
    Pattern { name: String, message: String },
    /// The custom rules file is not valid.
    #[error("custom rules: {0}")]
    Rules(String),
    /// A configuration value is not valid (unknown region, validator, entity).
    #[error("configuration: {0}")]
    Config(String),
    /// An input line could not be read as JSON with an `id` and a `text`.
    #[error("line {line}: {message}")]
    Line { line: u64, message: String },
    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),
    #[error("JSON: {0}")]
    Json(#[from] serde_json::Error),
}
