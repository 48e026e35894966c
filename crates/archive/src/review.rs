//! Alerts and the review workflow, kept in the archive.
//!
//! An alert (one policy rule hitting one message, see `chatwarden_policy::Alert`) and
//! every review action on a review item are records of the same tamper-evident log as the
//! content: each is a leaf, recomputed by [`Archive::verify`]. Their plain columns are
//! what queues filter on (ids, rule, severity, times, actor, action name); everything else
//! is sealed under the archive key. An alert names its rule, severity, message and finding
//! ids — never message text nor a detected value (the findings stay in their own table,
//! sealed with their message, and go when the message's key is shredded).
//!
//! A review item's state (status, assignee, disposition, comments) is not stored: it is
//! derived by replaying the item's review actions, in order, through the policy crate's
//! state machine ([`AlertGroup::apply`]), so the history is the only source of truth and
//! a stored action that the state machine would refuse is reported as corrupt.
//!
//! Opening an item ([`Archive::alert`]) and listing the queue ([`Archive::list_alerts`])
//! are audit events; only a review action is a review record, and only a close (a
//! disposition) has `is_review` set (FINRA Rule 3110.07: reviewer, item, date, action).

use crate::archive::{ARCHIVE_SCOPE, Archive, finding_id, now_ms, ts_of_ms};
use crate::error::ArchiveError;
use crate::log::{self, PendingLeaves, kind};
use crate::store::{AlertQuery, AlertRow, ReviewRow, WriteBatch};
use chatwarden_model::{ConversationId, MessageId};
use chatwarden_policy::{
    Action, Alert, AlertGroup, Comment, Disposition, ReviewAction, ReviewRecord, RuleHit, Severity,
    Status,
};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// The rule id of sampled review items (`chatwarden_policy`'s reserved id).
pub const SAMPLE_RULE: &str = "random-sample";

/// A finding an alert rests on, by id (the finding itself stays in the findings table).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlertFinding {
    /// The finding's id (`finding_id`), to load it with its message.
    pub id: String,
    pub entity: String,
    pub detector: String,
    pub score: f32,
    /// True when the finding is inside an attachment.
    pub in_attachment: bool,
}

/// The sealed part of an alert record.
#[derive(Serialize, Deserialize)]
struct AlertDetails {
    actions: Vec<Action>,
    custodian: Option<String>,
    department: Option<String>,
    /// Absent in alerts stored before supervisors were recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    supervisor: Option<String>,
    findings: Vec<AlertFinding>,
    /// What raised it: `ingest`, `policy-apply`, `sample`, …
    source: String,
}

/// An alert as stored.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StoredAlert {
    pub id: String,
    /// The review item it belongs to.
    pub group: String,
    pub rule: String,
    pub severity: Severity,
    pub actions: Vec<Action>,
    pub conversation: ConversationId,
    pub message: MessageId,
    pub sent_at: Timestamp,
    pub created_at: Timestamp,
    pub custodian: Option<String>,
    pub department: Option<String>,
    pub supervisor: Option<String>,
    pub findings: Vec<AlertFinding>,
    pub source: String,
    pub leaf_index: u64,
}

/// A review item: its alerts, and its state replayed from its review actions.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AlertItem {
    pub id: String,
    pub conversation: ConversationId,
    pub rule: String,
    /// The highest severity among its alerts.
    pub severity: Severity,
    pub custodian: Option<String>,
    pub department: Option<String>,
    pub supervisor: Option<String>,
    pub first_at: Timestamp,
    pub last_at: Timestamp,
    pub status: Status,
    pub disposition: Option<Disposition>,
    pub assignee: Option<String>,
    pub comments: Vec<Comment>,
    /// Review actions recorded on it.
    pub actions: usize,
    pub alerts: Vec<StoredAlert>,
}

impl AlertItem {
    /// A sampled item (rule `random-sample`), not a rule hit.
    pub fn is_sample(&self) -> bool {
        self.rule == SAMPLE_RULE
    }

    /// The item as the policy crate's [`AlertGroup`], with its replayed state, so a
    /// `Grouper` can continue from stored items. Its alerts carry no findings (the
    /// stored alert names them by id).
    pub fn to_group(&self) -> AlertGroup {
        AlertGroup {
            id: self.id.clone(),
            conversation: self.conversation.clone(),
            rule: self.rule.clone(),
            severity: self.severity,
            custodian: self.custodian.clone(),
            department: self.department.clone(),
            supervisor: self.supervisor.clone(),
            first_at: self.first_at,
            last_at: self.last_at,
            alerts: self.alerts.iter().map(StoredAlert::to_alert).collect(),
            status: self.status,
            disposition: self.disposition.clone(),
            assignee: self.assignee.clone(),
            comments: self.comments.clone(),
        }
    }
}

impl StoredAlert {
    fn to_alert(&self) -> Alert {
        Alert {
            id: self.id.clone(),
            hit: RuleHit {
                rule: self.rule.clone(),
                severity: self.severity,
                actions: self.actions.clone(),
                conversation: self.conversation.clone(),
                message: self.message.clone(),
                sent_at: self.sent_at,
                custodian: self.custodian.clone(),
                department: self.department.clone(),
                supervisor: self.supervisor.clone(),
                findings: Vec::new(),
            },
        }
    }
}

/// One review action as stored.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReviewEntry {
    pub seq: u64,
    pub leaf_index: u64,
    #[serde(flatten)]
    pub record: ReviewRecord,
}

/// What [`Archive::put_alerts`] stored.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PutAlertsReport {
    /// Alerts stored now.
    pub new_alerts: u64,
    /// Alerts already stored (same rule, same message), left as they were.
    pub existing: u64,
    /// Review items that had no stored alert before.
    pub new_items: u64,
}

/// The plain columns of a stored alert (no decryption, no audit record).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlertKey {
    pub id: String,
    pub group: String,
    pub conversation: String,
    pub message: String,
    pub rule: String,
}

fn corrupt(kind: &str, id: &str, reason: impl Into<String>) -> ArchiveError {
    ArchiveError::Corrupt {
        kind: kind.into(),
        id: id.into(),
        reason: reason.into(),
    }
}

impl Archive {
    /// The seed for random review sampling (`chatwarden_policy::Sampler`), derived from
    /// the archive secret with HKDF: stable across master-key rotation, unknown to anyone
    /// without the key, and the same for an auditor who recomputes a sample.
    pub fn sampling_seed(&self) -> [u8; 32] {
        *crate::keys::derive(&self.archive_key, b"review-sample-seed")
    }

    /// Stores alerts, each with the id of its review item (as a `Grouper` assigned it).
    /// Idempotent by alert id: an alert already stored is left alone (and so is its item
    /// and history). One transaction, one leaf per new alert, one signed checkpoint.
    pub fn put_alerts(
        &mut self,
        alerts: &[(String, Alert)],
        source: &str,
    ) -> Result<PutAlertsReport, ArchiveError> {
        let mut report = PutAlertsReport::default();
        if alerts.is_empty() {
            return Ok(report);
        }
        let ids: Vec<&str> = alerts.iter().map(|(_, a)| a.id.as_str()).collect();
        let stored = self.store.alert_ids(&ids)?;
        let messages: Vec<&str> = alerts.iter().map(|(_, a)| a.hit.message.as_str()).collect();
        let known_messages = self.store.existing_messages(&messages)?;
        let mut batch = WriteBatch::default();
        let mut pending = PendingLeaves::new(self.log.tree.size());
        let now = now_ms();
        let mut seen = HashSet::new();
        let mut groups: BTreeSet<&str> = BTreeSet::new();
        for (group, alert) in alerts {
            if group.trim().is_empty() || alert.id.trim().is_empty() {
                return Err(ArchiveError::Invalid(
                    "an alert needs an id and a review item id".into(),
                ));
            }
            if stored.contains(&alert.id) || !seen.insert(alert.id.as_str()) {
                report.existing += 1;
                continue;
            }
            let hit = &alert.hit;
            if !known_messages.contains(hit.message.as_str()) {
                return Err(ArchiveError::Invalid(format!(
                    "alert {} refers to message {}, which is not stored",
                    alert.id, hit.message
                )));
            }
            let details = AlertDetails {
                actions: hit.actions.clone(),
                custodian: hit.custodian.clone(),
                department: hit.department.clone(),
                supervisor: hit.supervisor.clone(),
                findings: hit
                    .findings
                    .iter()
                    .map(|f| AlertFinding {
                        id: finding_id(f),
                        entity: f.entity.clone(),
                        detector: f.detector.clone(),
                        score: f.score,
                        in_attachment: f.attachment.is_some(),
                    })
                    .collect(),
                source: source.to_string(),
            };
            let sealed = Self::seal_with(
                &self.archive_key,
                kind::ALERT,
                &alert.id,
                ARCHIVE_SCOPE,
                &serde_json::to_vec(&details)?,
            )?;
            let mut row = AlertRow {
                id: alert.id.clone(),
                group_id: group.clone(),
                conversation: hit.conversation.as_str().to_string(),
                message: hit.message.as_str().to_string(),
                rule: hit.rule.clone(),
                severity: hit.severity.as_str().to_string(),
                sent_at: hit.sent_at.as_millisecond(),
                created_at: now,
                sealed,
                leaf_index: 0,
            };
            row.leaf_index = pending.push(kind::ALERT, &row.id, &log::alert_leaf(&row));
            batch.alerts.push(row);
            groups.insert(group.as_str());
            report.new_alerts += 1;
        }
        for group in &groups {
            let known = self.store.alerts(&AlertQuery {
                group: Some((*group).to_string()),
                ..AlertQuery::default()
            })?;
            if known.is_empty() {
                report.new_items += 1;
            }
        }
        if !batch.alerts.is_empty() {
            self.commit(batch, pending)?;
            tracing::info!(
                alerts = report.new_alerts,
                items = report.new_items,
                source,
                "alerts stored"
            );
        }
        Ok(report)
    }

    /// The plain columns of every stored alert: no decryption and no audit record (for
    /// re-evaluation and sampling, which compare ids).
    pub fn alert_keys(&mut self) -> Result<Vec<AlertKey>, ArchiveError> {
        Ok(self
            .store
            .alerts(&AlertQuery::default())?
            .into_iter()
            .map(|r| AlertKey {
                id: r.id,
                group: r.group_id,
                conversation: r.conversation,
                message: r.message,
                rule: r.rule,
            })
            .collect())
    }

    /// A conversation's review items as policy groups with their replayed state, for a
    /// `Grouper` that adds new hits (ingest, re-evaluation). Not an audit event: nothing
    /// is shown to anyone.
    pub fn review_groups(
        &mut self,
        conversation: &ConversationId,
    ) -> Result<Vec<AlertGroup>, ArchiveError> {
        let items = self.load_items(&AlertQuery {
            conversation: Some(conversation.as_str().to_string()),
            ..AlertQuery::default()
        })?;
        Ok(items.iter().map(AlertItem::to_group).collect())
    }

    /// Review items matching `query`, with their state, in stored order (callers sort
    /// with `chatwarden_policy::queue`-like rules). Records a `list.alerts` audit event.
    pub fn list_alerts(&mut self, query: &AlertQuery) -> Result<Vec<AlertItem>, ArchiveError> {
        let items = self.load_items(query)?;
        self.record_event(
            "list.alerts",
            query.conversation.as_deref().unwrap_or("*"),
            serde_json::json!({ "rule": query.rule, "count": items.len() }),
        )?;
        Ok(items)
    }

    /// One review item by id or unique id prefix, with its history. Opening an item is an
    /// access (an audit event `read.alert`), not a review.
    pub fn alert(&mut self, id: &str) -> Result<(AlertItem, Vec<ReviewEntry>), ArchiveError> {
        let group = self.resolve_item(id)?;
        let (item, history) = self.load_item(&group)?;
        self.record_event("read.alert", &group, serde_json::json!({}))?;
        Ok((item, history))
    }

    /// Applies a review action by this handle's actor to an item (id or unique prefix):
    /// checked by the review state machine against the item's replayed state, then stored
    /// as a review record (one leaf, one signed checkpoint). Returns the stored entry.
    pub fn review_alert(
        &mut self,
        id: &str,
        action: ReviewAction,
    ) -> Result<ReviewEntry, ArchiveError> {
        let group_id = self.resolve_item(id)?;
        let (item, _) = self.load_item(&group_id)?;
        let mut group = item.to_group();
        let at = ts_of_ms(now_ms());
        let actor = self.actor.clone();
        let record = group
            .apply(&actor, at, action)
            .map_err(|e| ArchiveError::Refused(format!("alert {group_id}: {e}")))?;
        let mut batch = WriteBatch::default();
        let mut pending = PendingLeaves::new(self.log.tree.size());
        let seq = self.store.next_review_seq()?;
        let id = seq.to_string();
        let sealed = Self::seal_with(
            &self.archive_key,
            kind::REVIEW,
            &id,
            ARCHIVE_SCOPE,
            &serde_json::to_vec(&record)?,
        )?;
        let mut row = ReviewRow {
            seq,
            group_id: group_id.clone(),
            at: at.as_millisecond(),
            actor,
            action: record.action.name().to_string(),
            is_review: record.is_review,
            sealed,
            leaf_index: 0,
        };
        row.leaf_index = pending.push(kind::REVIEW, &id, &log::review_leaf(&row));
        let leaf_index = row.leaf_index;
        batch.reviews.push(row);
        self.commit(batch, pending)?;
        tracing::info!(item = %group_id, action = record.action.name(), "review action stored");
        Ok(ReviewEntry {
            seq,
            leaf_index,
            record,
        })
    }

    /// The item id `query` names: an exact id, else a unique prefix.
    fn resolve_item(&mut self, query: &str) -> Result<String, ArchiveError> {
        let query = query.trim();
        if query.is_empty() {
            return Err(ArchiveError::Invalid("empty alert id".into()));
        }
        let mut groups: Vec<String> = self
            .store
            .alerts(&AlertQuery::default())?
            .into_iter()
            .map(|r| r.group_id)
            .filter(|g| g.starts_with(query))
            .collect();
        groups.sort();
        groups.dedup();
        if groups.iter().any(|g| g == query) {
            return Ok(query.to_string());
        }
        match groups.as_slice() {
            [] => Err(ArchiveError::NotFound {
                kind: "alert",
                query: query.to_string(),
            }),
            [one] => Ok(one.clone()),
            many => Err(ArchiveError::Ambiguous {
                kind: "alert",
                query: query.to_string(),
                count: many.len(),
                examples: many
                    .iter()
                    .take(3)
                    .map(String::as_str)
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
        }
    }

    fn load_item(&mut self, group: &str) -> Result<(AlertItem, Vec<ReviewEntry>), ArchiveError> {
        let rows = self.store.alerts(&AlertQuery {
            group: Some(group.to_string()),
            ..AlertQuery::default()
        })?;
        let reviews = self.store.reviews(Some(group))?;
        let mut items = self.assemble(rows, reviews)?;
        match items.pop() {
            Some((item, history)) if items.is_empty() => Ok((item, history)),
            _ => Err(ArchiveError::NotFound {
                kind: "alert",
                query: group.to_string(),
            }),
        }
    }

    fn load_items(&mut self, query: &AlertQuery) -> Result<Vec<AlertItem>, ArchiveError> {
        let rows = self.store.alerts(query)?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let wanted: HashSet<&str> = rows.iter().map(|r| r.group_id.as_str()).collect();
        let reviews: Vec<ReviewRow> = if wanted.len() == 1 {
            let only = rows.first().map(|r| r.group_id.clone()).unwrap_or_default();
            self.store.reviews(Some(&only))?
        } else {
            self.store
                .reviews(None)?
                .into_iter()
                .filter(|r| wanted.contains(r.group_id.as_str()))
                .collect()
        };
        Ok(self
            .assemble(rows, reviews)?
            .into_iter()
            .map(|(item, _)| item)
            .collect())
    }

    fn decode_alert(&mut self, row: AlertRow) -> Result<StoredAlert, ArchiveError> {
        let bytes = self
            .open_record(kind::ALERT, &row.id, ARCHIVE_SCOPE, &row.sealed)?
            .ok_or_else(|| corrupt(kind::ALERT, &row.id, "the archive key is destroyed"))?;
        let details: AlertDetails = serde_json::from_slice(&bytes)
            .map_err(|e| corrupt(kind::ALERT, &row.id, e.to_string()))?;
        let severity = Severity::parse(&row.severity).ok_or_else(|| {
            corrupt(
                kind::ALERT,
                &row.id,
                format!("unknown severity {:?}", row.severity),
            )
        })?;
        Ok(StoredAlert {
            id: row.id,
            group: row.group_id,
            rule: row.rule,
            severity,
            actions: details.actions,
            conversation: ConversationId::from(row.conversation),
            message: MessageId::from(row.message),
            sent_at: ts_of_ms(row.sent_at),
            created_at: ts_of_ms(row.created_at),
            custodian: details.custodian,
            department: details.department,
            supervisor: details.supervisor,
            findings: details.findings,
            source: details.source,
            leaf_index: row.leaf_index,
        })
    }

    fn decode_review(&mut self, row: &ReviewRow) -> Result<ReviewRecord, ArchiveError> {
        let id = row.seq.to_string();
        let bytes = self
            .open_record(kind::REVIEW, &id, ARCHIVE_SCOPE, &row.sealed)?
            .ok_or_else(|| corrupt(kind::REVIEW, &id, "the archive key is destroyed"))?;
        let record: ReviewRecord = serde_json::from_slice(&bytes)
            .map_err(|e| corrupt(kind::REVIEW, &id, e.to_string()))?;
        if record.group != row.group_id
            || record.actor != row.actor
            || record.action.name() != row.action
            || record.is_review != row.is_review
            || record.at.as_millisecond() != row.at
        {
            return Err(corrupt(
                kind::REVIEW,
                &id,
                "sealed details do not match the row",
            ));
        }
        Ok(record)
    }

    /// Groups alert rows into items (first appearance order) and replays each item's
    /// review actions through the state machine.
    fn assemble(
        &mut self,
        rows: Vec<AlertRow>,
        reviews: Vec<ReviewRow>,
    ) -> Result<Vec<(AlertItem, Vec<ReviewEntry>)>, ArchiveError> {
        let mut order: Vec<String> = Vec::new();
        let mut by_group: BTreeMap<String, Vec<StoredAlert>> = BTreeMap::new();
        for row in rows {
            let alert = self.decode_alert(row)?;
            let slot = by_group.entry(alert.group.clone()).or_insert_with(|| {
                order.push(alert.group.clone());
                Vec::new()
            });
            slot.push(alert);
        }
        let mut history: BTreeMap<String, Vec<ReviewEntry>> = BTreeMap::new();
        for row in &reviews {
            let record = self.decode_review(row)?;
            history
                .entry(row.group_id.clone())
                .or_default()
                .push(ReviewEntry {
                    seq: row.seq,
                    leaf_index: row.leaf_index,
                    record,
                });
        }
        let mut out = Vec::with_capacity(order.len());
        for group_id in order {
            let alerts = by_group.remove(&group_id).unwrap_or_default();
            let Some(first) = alerts.first() else {
                continue;
            };
            let mut item = AlertItem {
                id: group_id.clone(),
                conversation: first.conversation.clone(),
                rule: first.rule.clone(),
                severity: first.severity,
                custodian: first.custodian.clone(),
                department: first.department.clone(),
                supervisor: first.supervisor.clone(),
                first_at: first.sent_at,
                last_at: first.sent_at,
                status: Status::Open,
                disposition: None,
                assignee: None,
                comments: Vec::new(),
                actions: 0,
                alerts: Vec::new(),
            };
            for a in &alerts {
                item.severity = item.severity.max(a.severity);
                item.first_at = item.first_at.min(a.sent_at);
                item.last_at = item.last_at.max(a.sent_at);
            }
            item.alerts = alerts;
            let entries = history.remove(&group_id).unwrap_or_default();
            let mut group = item.to_group();
            for e in &entries {
                let replayed = group
                    .apply(&e.record.actor, e.record.at, e.record.action.clone())
                    .map_err(|err| {
                        corrupt(
                            kind::REVIEW,
                            &e.seq.to_string(),
                            format!("does not replay: {err}"),
                        )
                    })?;
                if replayed.from != e.record.from || replayed.to != e.record.to {
                    return Err(corrupt(
                        kind::REVIEW,
                        &e.seq.to_string(),
                        "its recorded status change does not follow from the item's history",
                    ));
                }
            }
            item.status = group.status;
            item.disposition = group.disposition;
            item.assignee = group.assignee;
            item.comments = group.comments;
            item.actions = entries.len();
            out.push((item, entries));
        }
        Ok(out)
    }
}
