//! chatwarden connectors stage: reads chat exports into the normalized model.
//!
//! [`open`] detects the format of a file and returns an [`ExportSource`] that
//! knows the conversation up front and streams its messages with bounded memory.
//! Today: WhatsApp "Export chat" `.txt` and `.zip` ([`whatsapp`]), Telegram
//! Desktop JSON ([`telegram`]), and WhatsApp Business Platform webhook bodies
//! ([`whatsapp_webhook`]). [`open_all`] opens every conversation of an export
//! that holds several (a Telegram account export, a webhook capture).

pub mod detect;
pub mod discord;
mod error;
pub mod imessage;
mod json_stream;
pub mod line;
mod lines;
pub mod messenger;
mod options;
pub mod signal;
pub mod slack;
mod source;
pub mod teams;
pub mod telegram;
pub mod wechat;
pub mod wecom;
pub mod whatsapp;
pub mod whatsapp_webhook;
pub mod zipsafe;

pub use detect::{Format, ParseFormatError};
pub use error::ConnectorError;
pub use options::{DateOrder, Limits, ParseDateOrderError, ParseOptions, Warning};
pub use source::{ExportSource, MessageIter, open, open_all, open_bytes};
pub use zipsafe::ZipLimits;

/// Whether a `.csv` file's first bytes are a chat export's header (WeChatMsg/MemoTrace):
/// folders hold other CSV files too (contacts, CRM extracts), which are not exports.
pub fn is_chat_csv(head: &[u8]) -> bool {
    wechat::is_wechat_csv(head)
}
