//! The WhatsApp Business Platform (Cloud API) webhook body, as serde reads it.
//!
//! Shapes from Meta's webhook reference (`messages`, `statuses`,
//! `smb_message_echoes`, `history`), summarized in formats.md §14. Every field
//! is optional unless the whole event is meaningless without it; unknown fields
//! are ignored, so new Graph API versions keep parsing.

use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Body {
    #[serde(default)]
    pub object: Option<String>,
    #[serde(default)]
    pub entry: Vec<Entry>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Entry {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub changes: Vec<Change>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Change {
    #[serde(default)]
    pub field: Option<String>,
    #[serde(default)]
    pub value: Value,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Metadata {
    #[serde(default)]
    pub display_phone_number: Option<String>,
    #[serde(default)]
    pub phone_number_id: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Profile {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub username: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Contact {
    #[serde(default)]
    pub profile: Profile,
    #[serde(default)]
    pub wa_id: Option<String>,
    #[serde(default)]
    pub user_id: Option<String>,
    #[serde(default)]
    pub identity_key_hash: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Value {
    #[serde(default)]
    pub messaging_product: Option<String>,
    #[serde(default)]
    pub metadata: Metadata,
    #[serde(default)]
    pub contacts: Vec<Contact>,
    #[serde(default)]
    pub messages: Vec<RawMessage>,
    #[serde(default)]
    pub message_echoes: Vec<RawMessage>,
    #[serde(default)]
    pub statuses: Vec<RawStatus>,
    #[serde(default)]
    pub errors: Vec<RawError>,
    #[serde(default)]
    pub history: Vec<HistoryChunk>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct HistoryMeta {
    #[serde(default)]
    pub phase: Option<Num>,
    #[serde(default)]
    pub chunk_order: Option<Num>,
    #[serde(default)]
    pub progress: Option<Num>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct HistoryThread {
    /// The customer's WhatsApp id (the chat).
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub messages: Vec<RawMessage>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct HistoryChunk {
    #[serde(default)]
    pub metadata: HistoryMeta,
    #[serde(default)]
    pub threads: Vec<HistoryThread>,
    #[serde(default)]
    pub errors: Vec<RawError>,
}

/// A number Meta may send as a JSON number or a string.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum Num {
    Int(i64),
    Float(f64),
    Str(String),
}

impl Num {
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Num::Int(i) => Some(*i),
            Num::Float(f) if f.is_finite() && f.fract() == 0.0 => Some(*f as i64),
            Num::Float(_) => None,
            Num::Str(s) => s.trim().parse().ok(),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RawError {
    #[serde(default)]
    pub code: Option<Num>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RawStatus {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub timestamp: Option<Num>,
    #[serde(default)]
    pub recipient_id: Option<String>,
    #[serde(default)]
    pub errors: Vec<RawError>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Text {
    #[serde(default)]
    pub body: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Media {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub mime_type: Option<String>,
    #[serde(default)]
    pub sha256: Option<String>,
    #[serde(default)]
    pub caption: Option<String>,
    #[serde(default)]
    pub filename: Option<String>,
    #[serde(default)]
    pub voice: Option<bool>,
    #[serde(default)]
    pub animated: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Location {
    #[serde(default)]
    pub latitude: Option<f64>,
    #[serde(default)]
    pub longitude: Option<f64>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ContactName {
    #[serde(default)]
    pub formatted_name: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ContactPhone {
    #[serde(default)]
    pub phone: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct SharedContact {
    #[serde(default)]
    pub name: ContactName,
    #[serde(default)]
    pub phones: Vec<ContactPhone>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Reply {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default)]
    pub response_json: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Interactive {
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub button_reply: Option<Reply>,
    #[serde(default)]
    pub list_reply: Option<Reply>,
    #[serde(default)]
    pub nfm_reply: Option<Reply>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Button {
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub payload: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Reaction {
    #[serde(default)]
    pub message_id: Option<String>,
    #[serde(default)]
    pub emoji: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Context {
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub forwarded: Option<bool>,
    #[serde(default)]
    pub frequently_forwarded: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct System {
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default)]
    pub wa_id: Option<String>,
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct OrderItem {
    #[serde(default)]
    pub product_retailer_id: Option<String>,
    #[serde(default)]
    pub quantity: Option<Num>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Order {
    #[serde(default)]
    pub catalog_id: Option<String>,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub product_items: Vec<OrderItem>,
}

/// The typed content of a message (shared by messages and an edit's new content).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Content {
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub text: Option<Text>,
    #[serde(default)]
    pub image: Option<Media>,
    #[serde(default)]
    pub video: Option<Media>,
    #[serde(default)]
    pub audio: Option<Media>,
    #[serde(default)]
    pub document: Option<Media>,
    #[serde(default)]
    pub sticker: Option<Media>,
    #[serde(default)]
    pub location: Option<Location>,
    #[serde(default)]
    pub contacts: Vec<SharedContact>,
    #[serde(default)]
    pub interactive: Option<Interactive>,
    #[serde(default)]
    pub button: Option<Button>,
    #[serde(default)]
    pub order: Option<Order>,
    #[serde(default)]
    pub system: Option<System>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Edit {
    #[serde(default)]
    pub original_message_id: Option<String>,
    #[serde(default)]
    pub message: Content,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Revoke {
    #[serde(default)]
    pub original_message_id: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RawMessage {
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub timestamp: Option<Num>,
    #[serde(default)]
    pub group_id: Option<String>,
    #[serde(flatten)]
    pub content: Content,
    #[serde(default)]
    pub context: Option<Context>,
    #[serde(default)]
    pub reaction: Option<Reaction>,
    #[serde(default)]
    pub edit: Option<Edit>,
    #[serde(default)]
    pub revoke: Option<Revoke>,
    #[serde(default)]
    pub errors: Vec<RawError>,
}
