//! chatwarden connectors stage.
