//! Legal holds: a hold on a custodian or a conversation blocks expiry and erasure of
//! everything it covers until released. Adding and releasing are audit events.

use crate::archive::{ARCHIVE_SCOPE, Archive, now_ms, ts_of_ms};
use crate::error::ArchiveError;
use crate::keys::fill_random;
use crate::log::PendingLeaves;
use crate::store::{ConversationRow, HoldRow, WriteBatch};
use chatwarden_model::ConversationId;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// What a hold covers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HoldTarget {
    /// Every conversation exported from this custodian's device or account.
    Custodian(String),
    Conversation(ConversationId),
}

impl std::fmt::Display for HoldTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HoldTarget::Custodian(c) => write!(f, "custodian {c}"),
            HoldTarget::Conversation(c) => write!(f, "conversation {c}"),
        }
    }
}

/// A legal hold as listed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hold {
    pub id: String,
    pub target: HoldTarget,
    pub reason: String,
    pub created_at: jiff::Timestamp,
    pub created_by: String,
    pub released_at: Option<jiff::Timestamp>,
    pub released_by: Option<String>,
}

impl Hold {
    pub fn is_active(&self) -> bool {
        self.released_at.is_none()
    }
}

#[derive(Serialize, Deserialize)]
struct HoldSealed {
    target: HoldTarget,
    reason: String,
}

/// Active holds, as matchable keys.
pub(crate) struct ActiveHolds {
    conversations: HashSet<String>,
    custodian_tags: HashSet<String>,
    /// (hold id, kind, tag) for messages.
    all: Vec<(String, String, String)>,
}

impl ActiveHolds {
    /// The id of an active hold covering the conversation, if any.
    pub(crate) fn covering(&self, conv: &ConversationRow) -> Option<&str> {
        if !self.conversations.contains(&conv.id)
            && !conv
                .custodian_tag
                .as_ref()
                .is_some_and(|t| self.custodian_tags.contains(t))
        {
            return None;
        }
        self.all
            .iter()
            .find(|(_, kind, tag)| {
                (kind == "conversation" && *tag == conv.id)
                    || (kind == "custodian" && conv.custodian_tag.as_deref() == Some(tag.as_str()))
            })
            .map(|(id, _, _)| id.as_str())
    }
}

impl Archive {
    /// Places a legal hold. The reason is required (it is kept sealed and in the audit trail).
    pub fn hold_add(&mut self, target: HoldTarget, reason: &str) -> Result<Hold, ArchiveError> {
        if reason.trim().is_empty() {
            return Err(ArchiveError::Invalid("a legal hold needs a reason".into()));
        }
        let (kind, tag) = match &target {
            HoldTarget::Custodian(c) => {
                if c.trim().is_empty() {
                    return Err(ArchiveError::Invalid("empty custodian".into()));
                }
                ("custodian", self.custodian_tag(c))
            }
            HoldTarget::Conversation(c) => {
                if self.store.conversation(c.as_str())?.is_none() {
                    return Err(ArchiveError::NotFound {
                        kind: "conversation",
                        query: c.to_string(),
                    });
                }
                ("conversation", c.as_str().to_string())
            }
        };
        let mut raw = [0u8; 8];
        fill_random(&mut raw)?;
        let id = format!("hold-{}", hex::encode(raw));
        let sealed = Self::seal_with(
            &self.archive_key,
            "hold",
            &id,
            ARCHIVE_SCOPE,
            &serde_json::to_vec(&HoldSealed {
                target: target.clone(),
                reason: reason.to_string(),
            })?,
        )?;
        let now = now_ms();
        let row = HoldRow {
            id: id.clone(),
            kind: kind.into(),
            target_tag: tag.clone(),
            sealed,
            created_at: now,
            created_by: self.actor.clone(),
            released_at: None,
            released_by: None,
        };
        let mut batch = WriteBatch {
            holds: vec![row],
            ..WriteBatch::default()
        };
        let mut pending = PendingLeaves::new(self.log.tree.size());
        self.push_event(
            &mut batch,
            &mut pending,
            "hold.add",
            &id,
            serde_json::json!({ "kind": kind, "target": tag, "reason": reason }),
        )?;
        self.commit(batch, pending)?;
        Ok(Hold {
            id,
            target,
            reason: reason.to_string(),
            created_at: ts_of_ms(now),
            created_by: self.actor.clone(),
            released_at: None,
            released_by: None,
        })
    }

    /// Every hold, active and released, oldest first.
    pub fn hold_list(&mut self) -> Result<Vec<Hold>, ArchiveError> {
        let rows = self.store.holds()?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let bytes = self
                .open_record("hold", &r.id, ARCHIVE_SCOPE, &r.sealed)?
                .ok_or_else(|| ArchiveError::Shredded {
                    kind: "hold".into(),
                    id: r.id.clone(),
                })?;
            let sealed: HoldSealed =
                serde_json::from_slice(&bytes).map_err(|e| ArchiveError::Corrupt {
                    kind: "hold".into(),
                    id: r.id.clone(),
                    reason: e.to_string(),
                })?;
            out.push(Hold {
                id: r.id,
                target: sealed.target,
                reason: sealed.reason,
                created_at: ts_of_ms(r.created_at),
                created_by: r.created_by,
                released_at: r.released_at.map(ts_of_ms),
                released_by: r.released_by,
            });
        }
        self.record_event(
            "read.holds",
            "holds",
            serde_json::json!({ "count": out.len() }),
        )?;
        Ok(out)
    }

    /// Releases an active hold (by id or unique id prefix), with a reason.
    pub fn hold_release(&mut self, id: &str, reason: &str) -> Result<(), ArchiveError> {
        if reason.trim().is_empty() {
            return Err(ArchiveError::Invalid(
                "releasing a legal hold needs a reason".into(),
            ));
        }
        let active: Vec<HoldRow> = self
            .store
            .holds()?
            .into_iter()
            .filter(|h| h.released_at.is_none() && h.id.starts_with(id))
            .collect();
        let hold = match active.as_slice() {
            [] => {
                return Err(ArchiveError::NotFound {
                    kind: "active hold",
                    query: id.to_string(),
                });
            }
            [one] => one.clone(),
            many => {
                return Err(ArchiveError::Ambiguous {
                    kind: "hold",
                    query: id.to_string(),
                    count: many.len(),
                    examples: many
                        .iter()
                        .take(3)
                        .map(|h| h.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            }
        };
        let mut batch = WriteBatch {
            hold_releases: vec![(hold.id.clone(), now_ms(), self.actor.clone())],
            ..WriteBatch::default()
        };
        let mut pending = PendingLeaves::new(self.log.tree.size());
        self.push_event(
            &mut batch,
            &mut pending,
            "hold.release",
            &hold.id,
            serde_json::json!({ "reason": reason }),
        )?;
        self.commit(batch, pending)?;
        Ok(())
    }

    pub(crate) fn active_holds(&mut self) -> Result<ActiveHolds, ArchiveError> {
        let mut h = ActiveHolds {
            conversations: HashSet::new(),
            custodian_tags: HashSet::new(),
            all: Vec::new(),
        };
        for r in self.store.holds()? {
            if r.released_at.is_some() {
                continue;
            }
            match r.kind.as_str() {
                "conversation" => {
                    h.conversations.insert(r.target_tag.clone());
                }
                _ => {
                    h.custodian_tags.insert(r.target_tag.clone());
                }
            }
            h.all.push((r.id, r.kind, r.target_tag));
        }
        Ok(h)
    }
}
