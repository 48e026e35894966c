//! The blob store: sealed attachment files, write-once, named by a keyed hash.
//!
//! [`BlobStore`] is what a backend provides (local folder now; S3 with Object Lock later):
//! stage bytes, publish them durably under a name exactly once, read them back. The shared
//! conformance suite in [`conformance`] runs on every backend.

use crate::error::ArchiveError;
use std::io::{Read, Write};

pub mod local;

pub mod conformance;

/// A blob being written. Dropping it without [`BlobWriter::publish`] discards it.
pub trait BlobWriter: Write {
    /// Makes the staged bytes durable and visible under `name`. Write-once: when `name`
    /// already exists the staged bytes are discarded and `Ok(false)` is returned.
    fn publish(self: Box<Self>, name: &str) -> Result<bool, ArchiveError>;
}

/// Sealed blob storage.
pub trait BlobStore {
    /// Starts staging a new blob.
    fn begin(&mut self) -> Result<Box<dyn BlobWriter>, ArchiveError>;
    /// Reads a published blob. Missing blobs give [`ArchiveError::NotFound`].
    fn open(&self, name: &str) -> Result<Box<dyn Read>, ArchiveError>;
    fn exists(&self, name: &str) -> Result<bool, ArchiveError>;
    /// Every published blob's name.
    fn list(&self) -> Result<Vec<String>, ArchiveError>;
    /// Removes a blob that no record refers to (an orphan left by a write interrupted
    /// before its record was committed). Never called for a referenced blob; a WORM backend
    /// may refuse with an error.
    fn remove_orphan(&mut self, name: &str) -> Result<(), ArchiveError>;
}

/// Checks a blob name is a plain lowercase hex token (no path tricks).
pub fn valid_name(name: &str) -> bool {
    name.len() >= 4
        && name.len() <= 128
        && name
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}
