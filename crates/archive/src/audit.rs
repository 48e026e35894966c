//! The audit trail: every look and every change is an event record in the same log as the
//! content (actor, UTC time, action, target, sealed details).

use crate::archive::{ARCHIVE_SCOPE, Archive, now_ms, ts_of_ms};
use crate::error::ArchiveError;
use crate::log::{self, PendingLeaves, kind};
use crate::store::{EventRow, WriteBatch};

/// One audit record as read back.
#[derive(Clone, Debug, PartialEq)]
pub struct AuditEntry {
    pub seq: u64,
    pub at: jiff::Timestamp,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub details: serde_json::Value,
    pub leaf_index: u64,
}

impl Archive {
    /// Adds an event by this handle's actor to `batch` (one leaf).
    pub(crate) fn push_event(
        &mut self,
        batch: &mut WriteBatch,
        pending: &mut PendingLeaves,
        action: &str,
        target: &str,
        details: serde_json::Value,
    ) -> Result<(), ArchiveError> {
        let actor = self.actor.clone();
        self.push_event_as(batch, pending, &actor, action, target, details)
    }

    pub(crate) fn push_event_as(
        &mut self,
        batch: &mut WriteBatch,
        pending: &mut PendingLeaves,
        actor: &str,
        action: &str,
        target: &str,
        details: serde_json::Value,
    ) -> Result<(), ArchiveError> {
        let seq = self.store.next_event_seq()? + batch.events.len() as u64;
        let id = seq.to_string();
        let sealed = Self::seal_with(
            &self.archive_key,
            kind::EVENT,
            &id,
            ARCHIVE_SCOPE,
            &serde_json::to_vec(&details)?,
        )?;
        let mut row = EventRow {
            seq,
            at: now_ms(),
            actor: actor.to_string(),
            action: action.to_string(),
            target: target.to_string(),
            sealed,
            leaf_index: 0,
        };
        row.leaf_index = pending.push(kind::EVENT, &id, &log::event_leaf(&row));
        batch.events.push(row);
        Ok(())
    }

    /// Commits one event on its own (with a checkpoint).
    pub(crate) fn record_event(
        &mut self,
        action: &str,
        target: &str,
        details: serde_json::Value,
    ) -> Result<(), ArchiveError> {
        let mut batch = WriteBatch::default();
        let mut pending = PendingLeaves::new(self.log.tree.size());
        self.push_event(&mut batch, &mut pending, action, target, details)?;
        self.commit(batch, pending)?;
        Ok(())
    }

    /// Appends an audit record for an access made outside this crate (search, export,
    /// review action …) by `actor`.
    pub fn record_access(
        &mut self,
        actor: &str,
        action: &str,
        target: &str,
    ) -> Result<(), ArchiveError> {
        if actor.trim().is_empty() || action.trim().is_empty() {
            return Err(ArchiveError::Invalid(
                "actor and action are required".into(),
            ));
        }
        let mut batch = WriteBatch::default();
        let mut pending = PendingLeaves::new(self.log.tree.size());
        self.push_event_as(
            &mut batch,
            &mut pending,
            actor,
            action,
            target,
            serde_json::json!({}),
        )?;
        self.commit(batch, pending)?;
        Ok(())
    }

    /// Like [`Archive::record_access`], with details (JSON; never put content in them).
    pub fn record_access_with(
        &mut self,
        actor: &str,
        action: &str,
        target: &str,
        details: serde_json::Value,
    ) -> Result<(), ArchiveError> {
        let mut batch = WriteBatch::default();
        let mut pending = PendingLeaves::new(self.log.tree.size());
        self.push_event_as(&mut batch, &mut pending, actor, action, target, details)?;
        self.commit(batch, pending)?;
        Ok(())
    }

    /// Audit records at or after `since` (all when `None`), oldest first. Reading the audit
    /// trail is itself recorded.
    pub fn audit_log(
        &mut self,
        since: Option<jiff::Timestamp>,
    ) -> Result<Vec<AuditEntry>, ArchiveError> {
        let rows = self
            .store
            .events_since(since.map_or(i64::MIN, |t| t.as_millisecond()))?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let id = r.seq.to_string();
            let details = match self.open_record(kind::EVENT, &id, ARCHIVE_SCOPE, &r.sealed)? {
                Some(bytes) => {
                    serde_json::from_slice(&bytes).map_err(|e| ArchiveError::Corrupt {
                        kind: kind::EVENT.into(),
                        id: id.clone(),
                        reason: e.to_string(),
                    })?
                }
                None => serde_json::Value::Null,
            };
            out.push(AuditEntry {
                seq: r.seq,
                at: ts_of_ms(r.at),
                actor: r.actor,
                action: r.action,
                target: r.target,
                details,
                leaf_index: r.leaf_index,
            });
        }
        self.record_event(
            "read.audit",
            "audit",
            serde_json::json!({ "count": out.len() }),
        )?;
        Ok(out)
    }
}
