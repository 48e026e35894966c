//! The policy's `quarantine` and `redact` actions on every CLI read that shows message
//! content (`show`, `alerts show`, `findings`).
//!
//! A [`Gate`] loads the stored review items of the conversations a command reads (their
//! alerts with the rule's actions, status and assignee, replayed from the archive), decides
//! per message what the reader's declared `--role` may see
//! ([`chatwarden_policy::visibility`]), and writes one audit record per command
//! (`read.policy`): the actor, the role, and the ids of what was withheld or masked — never
//! content. The role is declared by whoever holds the master key; see docs/security.md.

use super::ingest::short;
use crate::context::Context;
use anyhow::Result;
use chatwarden_archive::Archive;
use chatwarden_model::{ConversationId, Finding, Message, MessageId};
use chatwarden_policy::{AlertGroup, Role, Visibility, mask_preview_fully, mask_text, visibility};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap, HashSet};

/// The audit action of the record each gated read leaves.
pub const AUDIT_ACTION: &str = "read.policy";

/// What a reader may see, decided per message, and what was held back.
pub struct Gate {
    role: Role,
    actor: String,
    /// Conversations whose review items are loaded.
    loaded: HashSet<ConversationId>,
    groups: Vec<AlertGroup>,
    /// message id → indices in `groups` of the items with an alert on it.
    by_message: HashMap<String, Vec<usize>>,
    /// message id → the review item that withheld it.
    withheld: BTreeMap<String, String>,
    /// message id → the review items whose redact rules masked it.
    masked: BTreeMap<String, Vec<String>>,
}

impl Gate {
    pub fn new(ctx: &Context) -> Gate {
        Gate {
            role: ctx.role,
            actor: ctx.actor.clone(),
            loaded: HashSet::new(),
            groups: Vec::new(),
            by_message: HashMap::new(),
            withheld: BTreeMap::new(),
            masked: BTreeMap::new(),
        }
    }

    /// Loads one conversation's review items (no audit record: nothing is shown yet).
    pub fn load(&mut self, archive: &mut Archive, conversation: &ConversationId) -> Result<()> {
        if self.loaded.insert(conversation.clone()) {
            for group in archive.review_groups(conversation)? {
                let index = self.groups.len();
                for alert in &group.alerts {
                    let slot = self
                        .by_message
                        .entry(alert.hit.message.as_str().to_string())
                        .or_default();
                    if !slot.contains(&index) {
                        slot.push(index);
                    }
                }
                self.groups.push(group);
            }
        }
        Ok(())
    }

    /// Loads the review items of every conversation that holds an alert on one of
    /// `messages` (for reads, like `findings`, that span conversations).
    pub fn load_for_messages(
        &mut self,
        archive: &mut Archive,
        messages: &HashSet<&str>,
    ) -> Result<()> {
        let mut conversations: Vec<String> = archive
            .alert_keys()?
            .into_iter()
            .filter(|k| messages.contains(k.message.as_str()))
            .map(|k| k.conversation)
            .collect();
        conversations.sort();
        conversations.dedup();
        for c in conversations {
            self.load(archive, &ConversationId::from(c))?;
        }
        Ok(())
    }

    /// How `message` may be shown, and notes it for the audit record. Messages of a
    /// conversation not loaded are under no alert loaded here: only call this after
    /// [`Gate::load`] for the message's conversation (or [`Gate::load_for_messages`]).
    pub fn decide(&mut self, message: &MessageId) -> Visibility {
        let v = self.peek(message);
        match &v {
            Visibility::Clear => {}
            Visibility::Withheld { item } => {
                self.withheld
                    .insert(message.as_str().to_string(), item.clone());
            }
            Visibility::Masked { items } => {
                self.masked
                    .insert(message.as_str().to_string(), items.clone());
            }
        }
        v
    }

    /// How `message` may be shown, without noting it (for choosing what to show; call
    /// [`Gate::decide`] for what is shown).
    pub fn peek(&self, message: &MessageId) -> Visibility {
        let groups = self
            .by_message
            .get(message.as_str())
            .into_iter()
            .flatten()
            .filter_map(|&i| self.groups.get(i));
        visibility(self.role, &self.actor, message, groups)
    }

    /// Writes the audit record of this read: actor, role, what was withheld or masked (ids).
    pub fn record(self, archive: &mut Archive, command: &str, target: &str) -> Result<()> {
        let withheld: Vec<Value> = self
            .withheld
            .iter()
            .map(|(m, i)| json!({ "message": m, "item": i }))
            .collect();
        let masked: Vec<Value> = self
            .masked
            .iter()
            .map(|(m, i)| json!({ "message": m, "items": i }))
            .collect();
        archive.record_access_with(
            &self.actor,
            AUDIT_ACTION,
            target,
            json!({
                "command": command,
                "role": self.role.as_str(),
                "withheld": withheld,
                "masked": masked,
            }),
        )?;
        Ok(())
    }
}

/// What is shown in place of a quarantined message.
pub fn notice(item: &str) -> String {
    format!("[quarantined pending review: alert {}]", short(item))
}

/// The message as a reader below a redact rule's role sees it: the detected values in its
/// text masked. When a finding's span does not fit the text, the whole text is withheld.
pub fn masked_message(message: &Message, findings: &[Finding]) -> Message {
    let mut out = message.clone();
    out.text = mask_text(&message.text, findings)
        .unwrap_or_else(|| "[redacted: the detected values could not be located]".to_string());
    out
}

/// Findings with nothing of their values left in the previews.
pub fn masked_findings(findings: &[Finding]) -> Vec<Finding> {
    findings
        .iter()
        .map(|f| Finding {
            preview: mask_preview_fully(&f.preview),
            ..f.clone()
        })
        .collect()
}

/// Adds the marker of a withheld (`"withheld"`) or masked (`"masked"`) message to a JSON
/// object; nothing for a message shown as stored.
pub fn annotate(value: &mut Value, v: &Visibility) {
    let key = match v {
        Visibility::Clear => return,
        Visibility::Withheld { .. } => "withheld",
        Visibility::Masked { .. } => "masked",
    };
    if let (Some(mark), Some(obj)) = (marker(v), value.as_object_mut()) {
        obj.insert(key.to_string(), mark);
    }
}

/// The JSON marker of a withheld or masked message (`None` when shown as stored).
pub fn marker(v: &Visibility) -> Option<Value> {
    match v {
        Visibility::Clear => None,
        Visibility::Withheld { item } => Some(json!({
            "action": "quarantine", "item": item, "notice": notice(item),
        })),
        Visibility::Masked { items } => Some(json!({ "action": "redact", "items": items })),
    }
}
