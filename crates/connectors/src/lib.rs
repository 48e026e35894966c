//! chatwarden connectors stage: reads chat exports into the normalized model.
//!
//! [`open`] detects the format of a file and returns an [`ExportSource`] that
//! knows the conversation up front and streams its messages with bounded memory.
//! Today: WhatsApp "Export chat" `.txt` and `.zip` ([`whatsapp`]).

mod error;
mod lines;
mod options;
mod source;
pub mod whatsapp;
pub mod zipsafe;

pub use error::ConnectorError;
pub use options::{DateOrder, Limits, ParseDateOrderError, ParseOptions, Warning};
pub use source::{ExportSource, MessageIter, open, open_bytes};
pub use zipsafe::ZipLimits;
