//! chatwarden's decide stage.
//!
//! * [`directory`]: who is internal — the organisation's domains, phone ranges and
//!   employee list; every participant is classified internal, external or unknown.
//! * [`policy`] and [`rule`]: the policy file (TOML) and its rules, evaluated per
//!   message over the inspection findings.
//! * [`lexicon`]: word lists with proximity and exclusions, run like detectors;
//!   [`language`]: which language a message is in, for lexicons that name languages.
//! * [`alerts`]: one alert per rule hit per message, grouped into review items,
//!   with the review state machine (open → in review → escalated → closed).
//! * [`sampling`]: deterministic random sampling of unflagged messages per custodian.
//! * [`access`]: what a reader of a given role sees of a flagged message (quarantine,
//!   redact).
//!
//! Nothing here does I/O beyond reading the files it is pointed at, and nothing logs
//! message content or a detected value.

pub mod access;
pub mod alerts;
pub mod directory;
mod error;
pub mod language;
pub mod lexicon;
pub mod policy;
pub mod rule;
pub mod sampling;

pub use access::{
    SEES_QUARANTINED, Visibility, mask_preview_fully, mask_text, tip_text, visibility,
};
pub use alerts::{
    Alert, AlertGroup, Comment, Disposition, Grouper, QueueFilter, ReviewAction, ReviewError,
    ReviewRecord, Status, queue,
};
pub use directory::{Basis, Classification, Counterparty, Direction, Directory, Employee, Party};
pub use error::PolicyError;
pub use language::{TextLanguage, detect_language};
pub use lexicon::{Lexicon, LexiconHit, Lexicons};
pub use policy::{DEFAULT_POLICY, Policy, PreparedConversation, evaluate};
pub use rule::{Action, Role, Rule, RuleHit, Severity};
pub use sampling::{Sampler, SamplingConfig};
