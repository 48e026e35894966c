//! chatwarden archive stage: an embedded, encrypted, tamper-evident archive.
//!
//! * records (conversations, participants, messages, findings, attachments, audit events,
//!   alerts and review actions)
//!   live sealed (XChaCha20-Poly1305) in a [`store::RecordStore`] (SQLite by default);
//! * attachment bytes live sealed in a [`blob::BlobStore`] (a local folder by default),
//!   named by a keyed hash;
//! * every record is a leaf of an RFC 6962 Merkle log ([`tlog`]) with a signed checkpoint
//!   after every batch; [`Archive::verify`] recomputes it all;
//! * data keys are wrapped by a master key kept outside the data folder; retention and
//!   erasure destroy data keys (crypto-shredding), legal holds block both.

mod archive;
mod audit;
pub mod blob;
mod erase;
mod error;
mod hold;
pub mod keys;
mod log;
mod retention;
mod review;
pub mod seal;
pub mod store;
pub mod tlog;
mod verify;

pub use archive::{
    Archive, BatchReport, BlobRef, ConversationSummary, FindingFilter, InitInfo, StoredMessage,
    finding_id,
};
pub use audit::AuditEntry;
pub use erase::{EraseReport, EraseTarget};
pub use error::ArchiveError;
pub use hold::{Hold, HoldTarget};
pub use keys::RotateReport;
pub use retention::{RetentionPeriod, RetentionReport, RetentionRule, RetentionRules};
pub use review::{
    AlertFinding, AlertItem, AlertKey, PutAlertsReport, ReviewEntry, SAMPLE_RULE, StoredAlert,
};
pub use store::AlertQuery;
pub use verify::{Problem, VerifyReport};
