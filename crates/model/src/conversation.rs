//! Conversations and the people in them.

use crate::ids::{ConversationId, IdHasher, ParticipantId};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The app a conversation was held on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Whatsapp,
    Telegram,
    Messenger,
    Instagram,
    Signal,
    Slack,
    Teams,
    Discord,
    Wechat,
    Wecom,
    Line,
    Imessage,
}

impl Channel {
    /// The channel's name as stored and shown (`whatsapp`, `telegram`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Whatsapp => "whatsapp",
            Channel::Telegram => "telegram",
            Channel::Messenger => "messenger",
            Channel::Instagram => "instagram",
            Channel::Signal => "signal",
            Channel::Slack => "slack",
            Channel::Teams => "teams",
            Channel::Discord => "discord",
            Channel::Wechat => "wechat",
            Channel::Wecom => "wecom",
            Channel::Line => "line",
            Channel::Imessage => "imessage",
        }
    }

    /// Parses a stored channel name.
    pub fn parse(name: &str) -> Option<Channel> {
        let all = [
            Channel::Whatsapp,
            Channel::Telegram,
            Channel::Messenger,
            Channel::Instagram,
            Channel::Signal,
            Channel::Slack,
            Channel::Teams,
            Channel::Discord,
            Channel::Wechat,
            Channel::Wecom,
            Channel::Line,
            Channel::Imessage,
        ];
        all.into_iter().find(|c| c.as_str() == name)
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One person (or phone number) seen in a conversation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    pub id: ParticipantId,
    /// The name as the export shows it, invisible marks removed.
    pub display_name: String,
    /// E.164-like phone number when the export shows one instead of a name.
    pub phone: Option<String>,
    /// True for the person who made the export, where the format tells.
    pub is_self: bool,
}

impl Participant {
    /// The participant id for a display name on a channel: stable across exports.
    pub fn id_for(channel: Channel, display_name: &str) -> ParticipantId {
        let mut h = IdHasher::new("participant");
        h.str(channel.as_str()).str(display_name);
        ParticipantId(h.finish_id())
    }
}

/// One chat (direct or group) as captured from a source.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conversation {
    pub id: ConversationId,
    pub channel: Channel,
    /// The chat's name as the export tells it (file name, title field).
    pub title: String,
    /// The source identity the id is derived from (e.g. `whatsapp:<custodian>:<title>`).
    pub source_key: String,
    /// The custodian (employee) whose device or account the export came from.
    pub custodian: Option<String>,
    pub is_group: bool,
    pub participants: Vec<Participant>,
}

impl Conversation {
    /// The conversation id for a source key on a channel.
    pub fn id_for(channel: Channel, source_key: &str) -> ConversationId {
        let mut h = IdHasher::new("conversation");
        h.str(channel.as_str()).str(source_key);
        ConversationId(h.finish_id())
    }
}
