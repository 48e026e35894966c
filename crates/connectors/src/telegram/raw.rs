//! The shape of one Telegram Desktop export message, as serde reads it.
//!
//! Field names and types follow tdesktop's `export_output_json.cpp`
//! (`SerializeMessage`), as summarized in formats.md §3. Every field is optional:
//! each is written only when non-empty, and old exports lack many of them.
//! Unknown fields are ignored.

use serde::Deserialize;

/// A number or a string (old exports write `from_id` and ids as bare numbers).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum NumOrStr {
    Int(i64),
    Float(f64),
    Str(String),
}

impl NumOrStr {
    pub fn to_text(&self) -> String {
        match self {
            NumOrStr::Int(i) => i.to_string(),
            NumOrStr::Float(f) => f.to_string(),
            NumOrStr::Str(s) => s.clone(),
        }
    }
}

/// `text`: a plain string, or an array mixing strings and entity objects.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Text {
    Plain(String),
    Parts(Vec<Part>),
    Other(serde::de::IgnoredAny),
}

/// One part of an array `text`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Part {
    Plain(String),
    Entity(Entity),
    Other(serde::de::IgnoredAny),
}

/// A formatted run (`{type, text, href?, user_id?, …}`).
#[derive(Debug, Clone, Deserialize)]
pub struct Entity {
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub href: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ContactInfo {
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub phone_number: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct LocationInfo {
    #[serde(default)]
    pub latitude: Option<f64>,
    #[serde(default)]
    pub longitude: Option<f64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct PollAnswer {
    #[serde(default)]
    pub text: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Poll {
    #[serde(default)]
    pub question: Option<String>,
    #[serde(default)]
    pub answers: Vec<PollAnswer>,
}

/// One element of a chat's `messages` array.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RawMessage {
    #[serde(default)]
    pub id: Option<NumOrStr>,
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub date: Option<String>,
    #[serde(default)]
    pub date_unixtime: Option<NumOrStr>,
    #[serde(default)]
    pub edited: Option<String>,
    #[serde(default)]
    pub edited_unixtime: Option<NumOrStr>,
    /// `None` when absent; `Some(None)` when JSON `null` (deleted account).
    #[serde(default, deserialize_with = "present")]
    pub from: Option<Option<String>>,
    #[serde(default)]
    pub from_id: Option<NumOrStr>,
    #[serde(default)]
    pub author: Option<String>,
    #[serde(default, deserialize_with = "present")]
    pub actor: Option<Option<String>>,
    #[serde(default)]
    pub actor_id: Option<NumOrStr>,
    #[serde(default)]
    pub action: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub members: Vec<Option<String>>,
    #[serde(default)]
    pub inviter: Option<String>,
    #[serde(default)]
    pub message_id: Option<NumOrStr>,
    #[serde(default)]
    pub information_text: Option<String>,
    #[serde(default)]
    pub duration_seconds: Option<NumOrStr>,
    #[serde(default)]
    pub discard_reason: Option<String>,
    #[serde(default, deserialize_with = "present")]
    pub forwarded_from: Option<Option<String>>,
    #[serde(default)]
    pub saved_from: Option<String>,
    #[serde(default)]
    pub reply_to_message_id: Option<NumOrStr>,
    #[serde(default)]
    pub reply_to_peer_id: Option<NumOrStr>,
    #[serde(default)]
    pub via_bot: Option<String>,
    #[serde(default)]
    pub text: Option<Text>,
    #[serde(default)]
    pub photo: Option<String>,
    #[serde(default)]
    pub photo_file_size: Option<NumOrStr>,
    #[serde(default)]
    pub file: Option<String>,
    #[serde(default)]
    pub file_name: Option<String>,
    #[serde(default)]
    pub file_size: Option<NumOrStr>,
    #[serde(default)]
    pub media_type: Option<String>,
    #[serde(default)]
    pub mime_type: Option<String>,
    #[serde(default)]
    pub sticker_emoji: Option<String>,
    #[serde(default)]
    pub contact_information: Option<ContactInfo>,
    #[serde(default)]
    pub location_information: Option<LocationInfo>,
    #[serde(default)]
    pub place_name: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub poll: Option<Poll>,
    #[serde(default)]
    pub reactions: Vec<Reaction>,
}

/// Reads a field that may be `null`, telling `null` apart from absent.
fn present<'de, D>(d: D) -> Result<Option<Option<String>>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    Option::<String>::deserialize(d).map(Some)
}

/// One person in a reaction's `recent` list (`{from, from_id, date}`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RecentReactor {
    /// `None` when absent; `Some(None)` when JSON `null` (deleted account).
    #[serde(default, deserialize_with = "present")]
    pub from: Option<Option<String>>,
    #[serde(default)]
    pub from_id: Option<NumOrStr>,
    #[serde(default)]
    pub date: Option<String>,
    #[serde(default)]
    pub date_unixtime: Option<NumOrStr>,
}

/// One element of `reactions` (`{type, count, emoji | document_id, recent[]}`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Reaction {
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub count: Option<NumOrStr>,
    #[serde(default)]
    pub emoji: Option<String>,
    #[serde(default)]
    pub document_id: Option<NumOrStr>,
    #[serde(default)]
    pub recent: Vec<RecentReactor>,
}
