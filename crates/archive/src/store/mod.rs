//! The record store: where sealed rows, the log's leaves and its checkpoints live.
//!
//! [`RecordStore`] is narrow on purpose: the archive computes every row (sealed bytes,
//! leaf hashes, checkpoint) in memory and hands the store one [`WriteBatch`] to apply
//! atomically; reads return rows. SQLite is the embedded backend; the same trait and the
//! shared conformance suite ([`conformance`]) are what a PostgreSQL backend must satisfy.
//! SQL stays in the SQLite/PostgreSQL common subset (`ON CONFLICT`, numbered parameters).

use crate::error::ArchiveError;

pub mod sqlite;

pub mod conformance;

/// A wrapped data key and its state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataKeyRow {
    /// Key scope, e.g. `c/<conv>/meta`, `c/<conv>/s/<sender>/<yyyy-mm>`, `c/<conv>/b/<blob>`.
    pub scope: String,
    pub conversation: Option<String>,
    /// Participant id of the sender the key covers (`-` for system lines), when per sender.
    pub sender: Option<String>,
    /// `meta`, `profile`, `content`, `blob` or `archive`.
    pub kind: String,
    pub kek_version: u32,
    /// `None` once shredded.
    pub wrapped: Option<Vec<u8>>,
    pub shredded_at: Option<i64>,
    pub shred_reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConversationRow {
    pub id: String,
    pub channel: String,
    pub is_group: bool,
    /// Keyed hash of the custodian name (so retention and holds can match it unreadably).
    pub custodian_tag: Option<String>,
    pub key_scope: String,
    pub sealed: Vec<u8>,
    pub leaf_index: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParticipantRow {
    pub conversation: String,
    pub id: String,
    pub key_scope: String,
    pub sealed: Vec<u8>,
    pub leaf_index: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageRow {
    pub id: String,
    pub conversation: String,
    pub seq: i64,
    /// UTC milliseconds since the Unix epoch.
    pub sent_at: i64,
    pub key_scope: String,
    pub sealed: Vec<u8>,
    pub leaf_index: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FindingRow {
    pub id: String,
    pub message: String,
    pub conversation: String,
    pub entity: String,
    pub key_scope: String,
    pub sealed: Vec<u8>,
    pub leaf_index: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlobRow {
    /// Keyed name of the blob file (never the plaintext hash).
    pub name: String,
    pub conversation: String,
    pub key_scope: String,
    pub sealed_size: u64,
    /// Hex SHA-256 of the sealed file.
    pub sealed_sha256: String,
    /// `None` until the next batch logs it.
    pub leaf_index: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttachmentRefRow {
    pub message: String,
    pub blob: String,
}

/// One audit / administrative event (access, ingest, hold, retention, erasure, rotation).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventRow {
    pub seq: u64,
    /// UTC milliseconds.
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub target: String,
    /// Sealed details (JSON) under the archive key.
    pub sealed: Vec<u8>,
    pub leaf_index: u64,
}

/// One alert: a policy rule's hit on one message, in its review item (`group_id`).
/// Plain columns are what queues filter on; the details (rule actions, custodian,
/// department, finding ids — never message text) are sealed under the archive key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlertRow {
    pub id: String,
    pub group_id: String,
    pub conversation: String,
    pub message: String,
    pub rule: String,
    pub severity: String,
    /// The message's time, UTC milliseconds.
    pub sent_at: i64,
    /// When the alert was stored, UTC milliseconds.
    pub created_at: i64,
    pub sealed: Vec<u8>,
    pub leaf_index: u64,
}

/// One review action on a review item (assignment, comment, status change, disposition).
/// The action's details (reason, comment, disposition) are sealed under the archive key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewRow {
    pub seq: u64,
    pub group_id: String,
    /// UTC milliseconds.
    pub at: i64,
    pub actor: String,
    pub action: String,
    /// True for a disposition (evidence of review), false for other actions.
    pub is_review: bool,
    pub sealed: Vec<u8>,
    pub leaf_index: u64,
}

/// Which alerts to list (every field narrows; all `None`: every alert).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AlertQuery {
    pub group: Option<String>,
    pub conversation: Option<String>,
    pub rule: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HoldRow {
    pub id: String,
    /// `custodian` or `conversation`.
    pub kind: String,
    /// Conversation id, or keyed tag of the custodian.
    pub target_tag: String,
    /// Sealed `{target, reason}` under the archive key.
    pub sealed: Vec<u8>,
    pub created_at: i64,
    pub created_by: String,
    pub released_at: Option<i64>,
    pub released_by: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeafRow {
    pub index: u64,
    pub kind: String,
    pub record_id: String,
    pub hash: [u8; 32],
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckpointRow {
    pub size: u64,
    pub root: [u8; 32],
    /// The signed note text.
    pub note: String,
    /// The tree's compact range at this size (concatenated 32-byte hashes).
    pub frontier: Vec<u8>,
    pub created_at: i64,
}

/// A change to an existing data key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyUpdate {
    Rewrap {
        scope: String,
        kek_version: u32,
        wrapped: Vec<u8>,
    },
    Shred {
        scope: String,
        at: i64,
        reason: String,
    },
}

/// Per-conversation counts for listings.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ConversationStats {
    pub participants: u64,
    pub messages: u64,
    pub findings: u64,
    pub first_sent_at: Option<i64>,
    pub last_sent_at: Option<i64>,
}

/// Everything one atomic write changes. Rows are inserted; an existing row with the same
/// key is left alone (callers filter duplicates first, so leaf indexes stay dense).
#[derive(Clone, Debug, Default)]
pub struct WriteBatch {
    /// The log size the batch was computed against (checked when `leaves` is not empty).
    pub expected_log_size: u64,
    pub meta: Vec<(String, String)>,
    pub data_keys: Vec<DataKeyRow>,
    pub key_updates: Vec<KeyUpdate>,
    pub conversations: Vec<ConversationRow>,
    pub participants: Vec<ParticipantRow>,
    pub messages: Vec<MessageRow>,
    pub findings: Vec<FindingRow>,
    pub blobs: Vec<BlobRow>,
    /// (blob name, leaf index) for blobs logged by this batch.
    pub blob_leaves: Vec<(String, u64)>,
    pub attachment_refs: Vec<AttachmentRefRow>,
    pub events: Vec<EventRow>,
    pub holds: Vec<HoldRow>,
    /// (hold id, at, by).
    pub hold_releases: Vec<(String, i64, String)>,
    /// New alerts (an id already stored is left alone).
    pub alerts: Vec<AlertRow>,
    pub reviews: Vec<ReviewRow>,
    pub leaves: Vec<LeafRow>,
    pub checkpoint: Option<CheckpointRow>,
    /// When set, every row in `messages` must be new: an id already stored makes `apply`
    /// fail with [`ArchiveError::AlreadyStored`] and change nothing. Lets the writer skip
    /// looking the ids up before sealing (the insert probes the id index anyway).
    pub messages_must_be_new: bool,
}

/// Which findings to list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FindingQuery {
    pub entity: Option<String>,
    pub conversation: Option<String>,
    pub message: Option<String>,
}

/// One logged record as stored, for the verifier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoredRecord {
    Conversation(ConversationRow),
    Participant(ParticipantRow),
    Message(MessageRow),
    Finding(FindingRow),
    Blob(BlobRow),
    Event(EventRow),
    Alert(AlertRow),
    Review(ReviewRow),
}

/// Sealed SQL records, leaves and checkpoints.
pub trait RecordStore {
    /// Applies a batch atomically and durably (all or nothing).
    fn apply(&mut self, batch: &WriteBatch) -> Result<(), ArchiveError>;
    fn meta(&mut self, key: &str) -> Result<Option<String>, ArchiveError>;

    fn data_key(&mut self, scope: &str) -> Result<Option<DataKeyRow>, ArchiveError>;
    fn data_keys(&mut self) -> Result<Vec<DataKeyRow>, ArchiveError>;

    fn conversation(&mut self, id: &str) -> Result<Option<ConversationRow>, ArchiveError>;
    fn conversations(&mut self) -> Result<Vec<ConversationRow>, ArchiveError>;
    fn conversation_stats(&mut self, id: &str) -> Result<ConversationStats, ArchiveError>;
    fn participants(&mut self, conversation: &str) -> Result<Vec<ParticipantRow>, ArchiveError>;
    /// Which of `ids` are already stored.
    fn existing_messages(
        &mut self,
        ids: &[&str],
    ) -> Result<std::collections::HashSet<String>, ArchiveError>;
    /// A conversation's messages in (sent_at, seq) order.
    fn messages(&mut self, conversation: &str) -> Result<Vec<MessageRow>, ArchiveError>;
    fn message(&mut self, id: &str) -> Result<Option<MessageRow>, ArchiveError>;
    /// (message id, key scope, sent_at) of a conversation's messages, without content.
    fn message_scopes(
        &mut self,
        conversation: &str,
    ) -> Result<Vec<(String, String, i64)>, ArchiveError>;
    fn message_count(&mut self) -> Result<u64, ArchiveError>;
    fn findings(&mut self, query: &FindingQuery) -> Result<Vec<FindingRow>, ArchiveError>;
    fn finding_ids(
        &mut self,
        ids: &[&str],
    ) -> Result<std::collections::HashSet<String>, ArchiveError>;
    fn blob(&mut self, name: &str) -> Result<Option<BlobRow>, ArchiveError>;
    fn blobs(&mut self, conversation: &str) -> Result<Vec<BlobRow>, ArchiveError>;
    fn attachment_refs(
        &mut self,
        conversation: &str,
    ) -> Result<Vec<AttachmentRefRow>, ArchiveError>;

    fn events_since(&mut self, since_ms: i64) -> Result<Vec<EventRow>, ArchiveError>;
    fn next_event_seq(&mut self) -> Result<u64, ArchiveError>;
    fn holds(&mut self) -> Result<Vec<HoldRow>, ArchiveError>;

    /// Alerts matching `query`, in (sent_at, id) order.
    fn alerts(&mut self, query: &AlertQuery) -> Result<Vec<AlertRow>, ArchiveError>;
    /// Which of `ids` are stored alerts.
    fn alert_ids(
        &mut self,
        ids: &[&str],
    ) -> Result<std::collections::HashSet<String>, ArchiveError>;
    /// Review actions of one item (all items when `None`), in order.
    fn reviews(&mut self, group: Option<&str>) -> Result<Vec<ReviewRow>, ArchiveError>;
    fn next_review_seq(&mut self) -> Result<u64, ArchiveError>;

    fn log_size(&mut self) -> Result<u64, ArchiveError>;
    /// Every leaf in index order, streamed.
    fn for_each_leaf(
        &mut self,
        f: &mut dyn FnMut(LeafRow) -> Result<(), ArchiveError>,
    ) -> Result<(), ArchiveError>;
    fn leaf(&mut self, index: u64) -> Result<Option<LeafRow>, ArchiveError>;
    fn checkpoints(&mut self) -> Result<Vec<CheckpointRow>, ArchiveError>;
    fn latest_checkpoint(&mut self) -> Result<Option<CheckpointRow>, ArchiveError>;
    /// Every logged record with the bytes its leaf is computed from, streamed table by table.
    fn for_each_record(
        &mut self,
        f: &mut dyn FnMut(StoredRecord) -> Result<(), ArchiveError>,
    ) -> Result<(), ArchiveError>;
}
