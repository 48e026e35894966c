//! C2SP transparency-log checkpoints (c2sp.org/tlog-checkpoint).
//!
//! The note text is at least three non-empty lines: the origin (non-empty), the tree size
//! (ASCII decimal, no leading zeroes unless `0`), the base64 RFC 6962 root hash; then
//! optional non-empty extension lines. It is carried inside a signed note.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;

use super::note::{NoteSigner, NoteVerifier, open_note, sign_note};
use super::{Hash, TlogError};

/// A log's signed tree head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// Unique identifier of the log (by convention a schema-less URL, also the key name).
    pub origin: String,
    /// Number of leaves in the tree.
    pub size: u64,
    /// RFC 6962 Merkle tree hash at `size`.
    pub root: Hash,
    /// Optional opaque extension lines (each non-empty, no newline).
    pub extensions: Vec<String>,
}

fn check_line(line: &str, what: &'static str) -> Result<(), TlogError> {
    if line.is_empty() || line.contains('\n') {
        return Err(TlogError::MalformedCheckpoint(what));
    }
    Ok(())
}

impl Checkpoint {
    /// The checkpoint note text: `origin\nsize\nbase64(root)\n[extension\n]*`.
    #[must_use]
    pub fn body(&self) -> String {
        let mut s = format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            B64.encode(self.root)
        );
        for e in &self.extensions {
            s.push_str(e);
            s.push('\n');
        }
        s
    }

    /// Check that [`Checkpoint::body`] yields a text that [`Checkpoint::parse_body`] reads
    /// back unchanged.
    fn validate(&self) -> Result<(), TlogError> {
        check_line(&self.origin, "origin must be one non-empty line")?;
        for e in &self.extensions {
            check_line(e, "extension lines must be non-empty single lines")?;
        }
        Ok(())
    }

    /// Parse a checkpoint note text (the part before the signatures, with its final newline).
    pub fn parse_body(text: &str) -> Result<Self, TlogError> {
        let body = text
            .strip_suffix('\n')
            .ok_or(TlogError::MalformedCheckpoint(
                "text must end with a newline",
            ))?;
        let mut lines = body.split('\n');
        let (Some(origin), Some(size), Some(root)) = (lines.next(), lines.next(), lines.next())
        else {
            return Err(TlogError::MalformedCheckpoint("fewer than three lines"));
        };
        if origin.is_empty() {
            return Err(TlogError::MalformedCheckpoint("empty origin"));
        }
        if size.is_empty()
            || !size.bytes().all(|b| b.is_ascii_digit())
            || (size.len() > 1 && size.starts_with('0'))
        {
            return Err(TlogError::MalformedCheckpoint(
                "tree size must be a decimal without leading zeroes",
            ));
        }
        let size: u64 = size
            .parse()
            .map_err(|_| TlogError::MalformedCheckpoint("tree size out of range"))?;
        let root: Hash = B64
            .decode(root)
            .ok()
            .and_then(|v| v.try_into().ok())
            .ok_or(TlogError::MalformedCheckpoint(
                "root hash must be base64 of 32 bytes",
            ))?;
        let mut extensions = Vec::new();
        for e in lines {
            if e.is_empty() {
                return Err(TlogError::MalformedCheckpoint("empty extension line"));
            }
            extensions.push(e.to_owned());
        }
        Ok(Self {
            origin: origin.to_owned(),
            size,
            root,
            extensions,
        })
    }

    /// Sign the checkpoint: a signed note whose text is [`Checkpoint::body`].
    ///
    /// The spec says the key name SHOULD match the origin; this is not enforced here.
    pub fn sign(&self, signer: &NoteSigner) -> Result<String, TlogError> {
        self.validate()?;
        sign_note(&self.body(), signer)
    }

    /// Verify a signed checkpoint note with `verifier` and parse it.
    ///
    /// Callers should still check that `origin` is the log they expect.
    pub fn open(note: &str, verifier: &NoteVerifier) -> Result<Self, TlogError> {
        Self::parse_body(&open_note(note, verifier)?)
    }
}
