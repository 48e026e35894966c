//! Offline-verifiable inclusion proofs in the `c2sp.org/tlog-proof@v1` text format.
//!
//! Layout (c2sp.org/tlog-proof):
//!
//! ```text
//! c2sp.org/tlog-proof@v1
//! extra <base64(record)>          (omitted when the record is empty)
//! index <decimal leaf index>
//! <base64 proof hash>             (zero or more, leaf's sibling first)
//!
//! <checkpoint signed note, verbatim>
//! ```
//!
//! chatwarden puts the logged record itself (the leaf input: the sealed canonical bytes) in
//! the spec's optional `extra` line, so the verifier recomputes the leaf hash as
//! `SHA-256(0x00 || record)` and needs nothing else. The spec says extra data is not
//! authenticated by itself; here it is authenticated by the inclusion proof, because its
//! hash must lead to the signed root.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;

use super::merkle::{leaf_hash, verify_inclusion};
use super::{Checkpoint, Hash, NoteVerifier, TlogError};

const HEADER: &str = "c2sp.org/tlog-proof@v1";
/// A proof in a tree of at most 2^64 leaves has at most 64 hashes.
const MAX_PROOF_HASHES: usize = 64;
/// Upper bound on the size of a proof text accepted by [`ProofBundle::parse`].
const MAX_PROOF_BYTES: usize = 64 << 20;

/// An inclusion proof of one record, with the signed checkpoint it leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofBundle {
    /// Zero-based index of the leaf in the log.
    pub index: u64,
    /// The leaf input (the logged bytes); its leaf hash is `SHA-256(0x00 || record)`.
    pub record: Vec<u8>,
    /// Inclusion proof, from the leaf's sibling up to the root's child.
    pub proof: Vec<Hash>,
    /// The checkpoint signed note, verbatim (may carry several signatures).
    pub checkpoint_note: String,
}

impl ProofBundle {
    /// Render the `c2sp.org/tlog-proof@v1` text.
    #[must_use]
    pub fn to_text(&self) -> String {
        let mut s = String::with_capacity(
            64 + self.record.len() * 4 / 3 + self.proof.len() * 45 + self.checkpoint_note.len(),
        );
        s.push_str(HEADER);
        s.push('\n');
        if !self.record.is_empty() {
            s.push_str("extra ");
            s.push_str(&B64.encode(&self.record));
            s.push('\n');
        }
        s.push_str("index ");
        s.push_str(&self.index.to_string());
        s.push('\n');
        for h in &self.proof {
            s.push_str(&B64.encode(h));
            s.push('\n');
        }
        s.push('\n');
        s.push_str(&self.checkpoint_note);
        s
    }

    /// Parse a `c2sp.org/tlog-proof@v1` text. Does not verify anything.
    pub fn parse(text: &str) -> Result<Self, TlogError> {
        if text.len() > MAX_PROOF_BYTES {
            return Err(TlogError::MalformedProof("proof too large"));
        }
        let mut rest = text;
        let mut next_line = || -> Result<&str, TlogError> {
            let (line, tail) = rest
                .split_once('\n')
                .ok_or(TlogError::MalformedProof("unexpected end of proof"))?;
            rest = tail;
            Ok(line)
        };
        if next_line()? != HEADER {
            return Err(TlogError::MalformedProof(
                "first line must be c2sp.org/tlog-proof@v1",
            ));
        }
        let mut line = next_line()?;
        let mut record = Vec::new();
        if let Some(b64) = line.strip_prefix("extra ") {
            record = B64
                .decode(b64)
                .map_err(|_| TlogError::MalformedProof("extra data is not valid base64"))?;
            line = next_line()?;
        }
        let idx = line
            .strip_prefix("index ")
            .ok_or(TlogError::MalformedProof("missing index line"))?;
        if idx.is_empty()
            || !idx.bytes().all(|b| b.is_ascii_digit())
            || (idx.len() > 1 && idx.starts_with('0'))
        {
            return Err(TlogError::MalformedProof(
                "index must be a decimal without leading zeroes",
            ));
        }
        let index: u64 = idx
            .parse()
            .map_err(|_| TlogError::MalformedProof("index out of range"))?;
        let mut proof = Vec::new();
        loop {
            let line = next_line()?;
            if line.is_empty() {
                break;
            }
            if proof.len() >= MAX_PROOF_HASHES {
                return Err(TlogError::MalformedProof("too many proof hashes"));
            }
            let h: Hash = B64
                .decode(line)
                .ok()
                .and_then(|v| v.try_into().ok())
                .ok_or(TlogError::MalformedProof(
                    "proof line must be base64 of 32 bytes",
                ))?;
            proof.push(h);
        }
        if rest.is_empty() {
            return Err(TlogError::MalformedProof("missing checkpoint"));
        }
        Ok(Self {
            index,
            record,
            proof,
            checkpoint_note: rest.to_owned(),
        })
    }

    /// Verify the checkpoint's signature with `verifier`, then that `record` is the leaf at
    /// `index` of the checkpointed tree. Returns the verified checkpoint.
    pub fn verify(&self, verifier: &NoteVerifier) -> Result<Checkpoint, TlogError> {
        self.verify_leaf(&leaf_hash(&self.record), verifier)
    }

    /// Like [`ProofBundle::verify`], for a caller that has the leaf hash but not the record
    /// (e.g. the record was crypto-shredded); `record` is ignored.
    pub fn verify_leaf(
        &self,
        leaf: &Hash,
        verifier: &NoteVerifier,
    ) -> Result<Checkpoint, TlogError> {
        let cp = Checkpoint::open(&self.checkpoint_note, verifier)?;
        verify_inclusion(leaf, self.index, cp.size, &self.proof, &cp.root)?;
        Ok(cp)
    }
}
