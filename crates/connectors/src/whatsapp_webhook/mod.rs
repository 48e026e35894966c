//! WhatsApp Business Platform (Cloud API) webhook payloads, as a library: the
//! HTTP endpoint (verification GET, signed POST) belongs to the server; this
//! module reads a body ([`parse_webhook`]), checks its signature
//! ([`verify_signature`]), and turns its messages into the normalized model
//! ([`WebhookBatch::messages`]). [`WebhookExport`] replays captured bodies from
//! a file (one body, a JSON array of bodies, or JSON lines).
//!
//! Shapes: formats.md §14 (Meta's webhook reference). See
//! `docs/formats/whatsapp-webhooks.md`.
//!
//! Identity: a message is identified by its `wamid` —
//! `Message::native_id(conversation, wamid)` — so a redelivered or out-of-order
//! body gives the same id and the archive stores it once. Edits, revokes and
//! reactions are events with their own wamid; their ids add the event type
//! (`edit:`, `revoke:`, `reaction:`) so they never collide with a message.

mod events;
mod file;
pub mod payload;
mod signature;

pub use events::{
    ApiError, Direction, HistoryProgress, Origin, WaContact, WaMessage, WaStatus, WebhookBatch,
    WebhookChange, WebhookEvent,
};
pub use file::WebhookExport;
pub use signature::{sign, verify_signature};

use crate::error::ConnectorError;

/// Parses one webhook body (the raw POST bytes).
pub fn parse_webhook(body: &[u8]) -> Result<WebhookBatch, ConnectorError> {
    parse_named("webhook", body)
}

pub(crate) fn parse_named(label: &str, body: &[u8]) -> Result<WebhookBatch, ConnectorError> {
    let raw: payload::Body =
        serde_json::from_slice(body).map_err(|e| ConnectorError::Malformed {
            file: label.to_owned(),
            line: e.line() as u64,
            reason: format!("webhook body: {e}"),
        })?;
    match raw.object.as_deref() {
        Some("whatsapp_business_account") => {}
        other => {
            return Err(ConnectorError::NotRecognized {
                file: label.to_owned(),
                tried: format!(
                    "whatsapp-webhook (`object` is {}, not \"whatsapp_business_account\")",
                    other.map_or("missing".to_owned(), |o| format!("{o:?}"))
                ),
            });
        }
    }
    Ok(events::batch_from(raw))
}
