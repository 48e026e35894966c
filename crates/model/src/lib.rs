//! chatwarden's normalized model.
//!
//! Every connector turns its source format into these types; every later stage
//! (inspect, policy, archive, search, export) works on them only. No I/O here.

mod conversation;
mod finding;
mod ids;
mod message;

pub use conversation::{Channel, Conversation, Participant};
pub use finding::{Finding, mask_preview};
pub use ids::{ConversationId, IdHasher, IdText, MessageId, ParticipantId};
pub use message::{
    Attachment, DerivedIdPrefix, MediaKind, Message, MessageIds, MessageKind, SourceRef, TimeSource,
};
