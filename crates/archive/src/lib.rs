//! chatwarden archive stage.
