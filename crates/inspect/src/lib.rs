//! chatwarden inspect stage.
