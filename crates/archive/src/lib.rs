//! chatwarden archive stage.
pub mod tlog;
