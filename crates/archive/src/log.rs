//! The store-backed transparency log: what bytes each record contributes as a leaf, and
//! how a batch's leaves and signed checkpoint are computed (the Merkle and note code is
//! in [`crate::tlog`]).
//!
//! A leaf's input is the record's canonical sealed bytes: a length-prefixed encoding of
//! `chatwarden-record/1`, the record kind, and the row's stored columns, content columns
//! as ciphertext. So the log proves the ciphertext and the plain bookkeeping columns
//! (ids, times, key scope); shredding a key leaves every leaf recomputable.

use crate::error::ArchiveError;
use crate::seal::aad;
use crate::store::{
    AlertRow, BlobRow, CheckpointRow, ConversationRow, EventRow, FindingRow, LeafRow, MessageRow,
    ParticipantRow, ReviewRow, StoredRecord,
};
use crate::tlog::{Checkpoint, Hash, NoteSigner, TreeBuilder, leaf_hash};

/// Record kinds as they appear in the leaves table.
pub mod kind {
    pub const CONVERSATION: &str = "conversation";
    pub const PARTICIPANT: &str = "participant";
    pub const MESSAGE: &str = "message";
    pub const FINDING: &str = "finding";
    pub const ATTACHMENT: &str = "attachment";
    pub const EVENT: &str = "event";
    pub const ALERT: &str = "alert";
    pub const REVIEW: &str = "review";
}

/// The leaf hash of `record(kind, fields)`, hashed as it is encoded, without building it.
fn record_leaf_hash(kind: &str, fields: &[&[u8]]) -> Hash {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update([0x00]);
    for f in [b"chatwarden-record/1".as_slice(), kind.as_bytes()]
        .into_iter()
        .chain(fields.iter().copied())
    {
        h.update((f.len() as u64).to_le_bytes());
        h.update(f);
    }
    h.finalize().into()
}

fn record(kind: &str, fields: &[&[u8]]) -> Vec<u8> {
    let mut all: Vec<&[u8]> = Vec::with_capacity(fields.len() + 2);
    all.push(b"chatwarden-record/1");
    all.push(kind.as_bytes());
    all.extend_from_slice(fields);
    aad(&all)
}

/// Kind, record id and leaf input of a stored record.
pub fn leaf_input(rec: &StoredRecord) -> (&'static str, String, Vec<u8>) {
    match rec {
        StoredRecord::Conversation(c) => (kind::CONVERSATION, c.id.clone(), conversation_leaf(c)),
        StoredRecord::Participant(p) => (
            kind::PARTICIPANT,
            participant_record_id(p),
            participant_leaf(p),
        ),
        StoredRecord::Message(m) => (kind::MESSAGE, m.id.clone(), message_leaf(m)),
        StoredRecord::Finding(f) => (kind::FINDING, f.id.clone(), finding_leaf(f)),
        StoredRecord::Blob(b) => (kind::ATTACHMENT, b.name.clone(), blob_leaf(b)),
        StoredRecord::Event(e) => (kind::EVENT, e.seq.to_string(), event_leaf(e)),
        StoredRecord::Alert(a) => (kind::ALERT, a.id.clone(), alert_leaf(a)),
        StoredRecord::Review(r) => (kind::REVIEW, r.seq.to_string(), review_leaf(r)),
    }
}

pub fn conversation_leaf(c: &ConversationRow) -> Vec<u8> {
    record(
        kind::CONVERSATION,
        &[
            c.id.as_bytes(),
            c.channel.as_bytes(),
            &[u8::from(c.is_group)],
            c.custodian_tag.as_deref().unwrap_or("").as_bytes(),
            c.key_scope.as_bytes(),
            &c.sealed,
        ],
    )
}

pub fn participant_record_id(p: &ParticipantRow) -> String {
    format!("{}/{}", p.conversation, p.id)
}

pub fn participant_leaf(p: &ParticipantRow) -> Vec<u8> {
    record(
        kind::PARTICIPANT,
        &[
            p.conversation.as_bytes(),
            p.id.as_bytes(),
            p.key_scope.as_bytes(),
            &p.sealed,
        ],
    )
}

/// A message row's fields in leaf order (`seq` and `sent_at` as little-endian bytes, which
/// `numbers` holds).
fn message_fields<'a>(m: &'a MessageRow, numbers: &'a [[u8; 8]; 2]) -> [&'a [u8]; 6] {
    [
        m.id.as_bytes(),
        m.conversation.as_bytes(),
        &numbers[0],
        &numbers[1],
        m.key_scope.as_bytes(),
        &m.sealed,
    ]
}

pub fn message_leaf(m: &MessageRow) -> Vec<u8> {
    let numbers = [m.seq.to_le_bytes(), m.sent_at.to_le_bytes()];
    record(kind::MESSAGE, &message_fields(m, &numbers))
}

/// `leaf_hash(&message_leaf(m))`, without building the leaf input (the ingest hot path).
pub fn message_leaf_hash(m: &MessageRow) -> Hash {
    let numbers = [m.seq.to_le_bytes(), m.sent_at.to_le_bytes()];
    record_leaf_hash(kind::MESSAGE, &message_fields(m, &numbers))
}

pub fn finding_leaf(f: &FindingRow) -> Vec<u8> {
    record(
        kind::FINDING,
        &[
            f.id.as_bytes(),
            f.message.as_bytes(),
            f.conversation.as_bytes(),
            f.entity.as_bytes(),
            f.key_scope.as_bytes(),
            &f.sealed,
        ],
    )
}

/// An attachment's leaf covers the SHA-256 of its sealed file (checked against the file).
pub fn blob_leaf(b: &BlobRow) -> Vec<u8> {
    record(
        kind::ATTACHMENT,
        &[
            b.name.as_bytes(),
            b.conversation.as_bytes(),
            b.key_scope.as_bytes(),
            &b.sealed_size.to_le_bytes(),
            b.sealed_sha256.as_bytes(),
        ],
    )
}

pub fn event_leaf(e: &EventRow) -> Vec<u8> {
    record(
        kind::EVENT,
        &[
            &e.seq.to_le_bytes(),
            &e.at.to_le_bytes(),
            e.actor.as_bytes(),
            e.action.as_bytes(),
            e.target.as_bytes(),
            &e.sealed,
        ],
    )
}

pub fn alert_leaf(a: &AlertRow) -> Vec<u8> {
    record(
        kind::ALERT,
        &[
            a.id.as_bytes(),
            a.group_id.as_bytes(),
            a.conversation.as_bytes(),
            a.message.as_bytes(),
            a.rule.as_bytes(),
            a.severity.as_bytes(),
            &a.sent_at.to_le_bytes(),
            &a.created_at.to_le_bytes(),
            &a.sealed,
        ],
    )
}

pub fn review_leaf(r: &ReviewRow) -> Vec<u8> {
    record(
        kind::REVIEW,
        &[
            &r.seq.to_le_bytes(),
            r.group_id.as_bytes(),
            &r.at.to_le_bytes(),
            r.actor.as_bytes(),
            r.action.as_bytes(),
            &[u8::from(r.is_review)],
            &r.sealed,
        ],
    )
}

/// The log's in-memory state: the tree's compact range, for appending.
pub struct LogState {
    pub tree: TreeBuilder,
}

/// Leaves being added by one batch, on top of the current tree.
pub struct PendingLeaves {
    pub start: u64,
    pub leaves: Vec<LeafRow>,
}

impl PendingLeaves {
    pub fn new(start: u64) -> Self {
        PendingLeaves {
            start,
            leaves: Vec::new(),
        }
    }

    /// Reserves the next leaf index for a record and records its hash.
    pub fn push(&mut self, kind: &str, record_id: &str, input: &[u8]) -> u64 {
        let index = self.start + self.leaves.len() as u64;
        self.leaves.push(LeafRow {
            index,
            kind: kind.to_string(),
            record_id: record_id.to_string(),
            hash: leaf_hash(input),
        });
        index
    }

    /// [`PendingLeaves::push`] with the leaf hash already computed.
    pub fn push_hash(&mut self, kind: &str, record_id: &str, hash: Hash) -> u64 {
        let index = self.start + self.leaves.len() as u64;
        self.leaves.push(LeafRow {
            index,
            kind: kind.to_string(),
            record_id: record_id.to_string(),
            hash,
        });
        index
    }

    /// The index the next pushed leaf will get.
    pub fn next_index(&self) -> u64 {
        self.start + self.leaves.len() as u64
    }
}

/// Serializes a compact range for the checkpoints table.
pub fn frontier_bytes(tree: &TreeBuilder) -> Vec<u8> {
    tree.frontier()
        .iter()
        .flat_map(|h| h.iter().copied())
        .collect()
}

/// Parses a stored compact range.
pub fn frontier_from_bytes(bytes: &[u8]) -> Option<Vec<Hash>> {
    if !bytes.len().is_multiple_of(32) {
        return None;
    }
    Some(
        bytes
            .chunks_exact(32)
            .map(|c| {
                let mut h = [0u8; 32];
                h.copy_from_slice(c);
                h
            })
            .collect(),
    )
}

impl LogState {
    /// The tree after `pending`, and its signed checkpoint.
    pub fn extend(
        &self,
        pending: &PendingLeaves,
        origin: &str,
        signer: &NoteSigner,
        now_ms: i64,
    ) -> Result<(TreeBuilder, CheckpointRow), ArchiveError> {
        let mut tree = self.tree.clone();
        for l in &pending.leaves {
            tree.push(l.hash);
        }
        let root = tree.root();
        let cp = Checkpoint {
            origin: origin.to_string(),
            size: tree.size(),
            root,
            extensions: Vec::new(),
        };
        let note = cp.sign(signer)?;
        let row = CheckpointRow {
            size: tree.size(),
            root,
            note,
            frontier: frontier_bytes(&tree),
            created_at: now_ms,
        };
        Ok((tree, row))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streamed_message_leaf_hash_equals_hash_of_leaf_input() {
        for (scope, sealed) in [("", Vec::new()), ("c/a/s/b/2024-01", vec![7u8; 700])] {
            let m = MessageRow {
                id: "0123456789abcdef0123456789abcdef".into(),
                conversation: "fedcba9876543210fedcba9876543210".into(),
                seq: 42,
                sent_at: 1_700_000_000_000,
                key_scope: scope.into(),
                sealed,
                leaf_index: 9,
            };
            assert_eq!(message_leaf_hash(&m), leaf_hash(&message_leaf(&m)));
        }
    }
}
