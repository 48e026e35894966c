//! chatwarden inspect stage: finds personal, payment, health, secret and
//! confidential data in message text and attachments.
//!
//! One [`Engine`] is built once from an [`EngineConfig`] and shared; each call
//! to [`Engine::scan`] runs a keyword automaton and (when the message could hold
//! a candidate) one multi-pattern regex pass, validates candidates in code
//! (checksums, ranges), scores them with nearby context words, and returns
//! [`Detection`]s with spans in Unicode scalar values. [`to_finding`] turns a
//! detection into a stored [`chatwarden_model::Finding`] without the raw value.

pub mod attachments;
mod checksum;
mod context;
pub mod custom;
mod detection;
mod detectors;
mod engine;
mod error;
mod jsonl;
mod names;
mod pattern;
pub mod region;

pub use custom::CustomRules;
pub use detection::{Detection, normalize_value, to_finding, value_hash};
pub use engine::{ConversationContext, Engine, EngineConfig, ScanContext};
pub use error::InspectError;
pub use jsonl::{ScanStats, scan_jsonl, scan_text};
pub use region::{NO_REGION, PhoneRegion, RegionBasis, choose_region, parse_region};
