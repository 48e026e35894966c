//! Erasure (GDPR Art. 17): crypto-shred everything of a custodian or one participant.
//!
//! Refused while a legal hold covers any affected conversation (release the hold first),
//! and refused while any affected content is inside its retention period (Art. 17(3)(b):
//! a legal obligation to keep it) unless the caller overrides with a reason, which is
//! recorded in the audit trail. Records stay in the log; their keys are destroyed.
//!
//! A participant's erasure destroys their details and the messages they wrote (and
//! attachments only they sent); it cannot reach their name inside other people's messages
//! or system lines.

use crate::archive::{Archive, now_ms, ts_of_ms};
use crate::error::ArchiveError;
use crate::log::PendingLeaves;
use crate::retention::RetentionRules;
use crate::store::{KeyUpdate, WriteBatch};
use chatwarden_model::ParticipantId;
use std::collections::BTreeSet;

/// Whose content to erase.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EraseTarget {
    /// Every conversation captured from this custodian.
    Custodian(String),
    /// Everything this participant wrote, and their details, in every conversation.
    Participant(ParticipantId),
}

/// What `erase` destroyed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EraseReport {
    pub conversations: u64,
    pub keys_shredded: u64,
    pub messages_shredded: u64,
}

impl Archive {
    /// Erases by custodian or participant. `override_reason` lets erasure go ahead inside
    /// the retention period (never under legal hold).
    pub fn erase(
        &mut self,
        target: &EraseTarget,
        rules: &RetentionRules,
        now: jiff::Timestamp,
        override_reason: Option<&str>,
    ) -> Result<EraseReport, ArchiveError> {
        rules.validate()?;
        if override_reason.is_some_and(|r| r.trim().is_empty()) {
            return Err(ArchiveError::Invalid("an override needs a reason".into()));
        }
        let custodian_tag = match target {
            EraseTarget::Custodian(c) => Some(self.custodian_tag(c)),
            EraseTarget::Participant(_) => None,
        };
        let holds = self.active_holds()?;
        let mut report = EraseReport::default();
        let mut shred: BTreeSet<String> = BTreeSet::new();
        let mut unexpired: Vec<String> = Vec::new();
        let mut conversations = Vec::new();
        for ck in self.all_conv_keys()? {
            let selected: BTreeSet<String> = match target {
                EraseTarget::Custodian(_) => {
                    if ck.row.custodian_tag.is_none() || ck.row.custodian_tag != custodian_tag {
                        continue;
                    }
                    ck.keys
                        .iter()
                        .filter(|k| k.wrapped.is_some())
                        .map(|k| k.scope.clone())
                        .collect()
                }
                EraseTarget::Participant(pid) => {
                    let content: BTreeSet<String> = ck
                        .keys
                        .iter()
                        .filter(|k| {
                            k.wrapped.is_some() && k.sender.as_deref() == Some(pid.as_str())
                        })
                        .map(|k| k.scope.clone())
                        .collect();
                    if content.is_empty() {
                        continue;
                    }
                    let mut all = content.clone();
                    all.extend(ck.dependents(&content, false));
                    all
                }
            };
            if selected.is_empty() {
                continue;
            }
            if let Some(hold) = holds.covering(&ck.row) {
                return Err(ArchiveError::Refused(format!(
                    "conversation {} is under legal hold {hold}; release the hold first",
                    ck.row.id
                )));
            }
            let period = self.period_of(rules, &ck.row);
            if let Some(period) = period {
                let expired = self.expired_scopes(&ck, Some(period), now);
                for s in &selected {
                    if let Some((newest, _)) = ck.newest.get(s)
                        && !expired.contains(s)
                    {
                        unexpired.push(format!(
                            "{} (retained until {})",
                            ck.row.id,
                            period.expires(ts_of_ms(*newest))
                        ));
                        break;
                    }
                }
            }
            report.messages_shredded += ck.messages_in(&selected);
            report.conversations += 1;
            conversations.push(ck.row.id.clone());
            shred.extend(selected);
        }
        if report.conversations == 0 {
            return Err(ArchiveError::NotFound {
                kind: "content to erase for",
                query: match target {
                    EraseTarget::Custodian(_) => "the custodian".into(),
                    EraseTarget::Participant(p) => format!("participant {p}"),
                },
            });
        }
        if !unexpired.is_empty() && override_reason.is_none() {
            unexpired.dedup();
            return Err(ArchiveError::Refused(format!(
                "content is inside its retention period: {}; erasing it needs an override with a reason",
                unexpired.join(", ")
            )));
        }
        let at = now_ms();
        let mut batch = WriteBatch::default();
        for scope in &shred {
            batch.key_updates.push(KeyUpdate::Shred {
                scope: scope.clone(),
                at,
                reason: "erasure".into(),
            });
        }
        report.keys_shredded = shred.len() as u64;
        let (target_text, kind) = match target {
            EraseTarget::Custodian(_) => (
                format!("custodian:{}", custodian_tag.unwrap_or_default()),
                "custodian",
            ),
            EraseTarget::Participant(p) => (format!("participant:{p}"), "participant"),
        };
        let mut pending = PendingLeaves::new(self.log.tree.size());
        self.push_event(
            &mut batch,
            &mut pending,
            "erase",
            &target_text,
            serde_json::json!({
                "kind": kind,
                "conversations": conversations,
                "keys_shredded": report.keys_shredded,
                "messages_shredded": report.messages_shredded,
                "override": override_reason,
                "inside_retention": !unexpired.is_empty(),
            }),
        )?;
        self.commit(batch, pending)?;
        for s in &shred {
            self.dek_cache.remove(s);
        }
        tracing::info!(keys = report.keys_shredded, "erasure done");
        Ok(report)
    }
}
