//! Retention: rules by channel, custodian or conversation with a period ("6y", "18m",
//! "90d"); the most specific matching rule wins (conversation, then custodian, then channel,
//! then the default). `apply_retention` crypto-shreds expired content: it destroys the data
//! keys whose content is all past its period, except under legal hold. Shredded records
//! stay in the log; `verify` counts them as shredded.
//!
//! Granularity: a content key covers one sender's messages in one UTC month of one
//! conversation, so a month expires when its newest message is past the period. A
//! participant's details expire with the last of their months; the conversation's title
//! with the last month of the conversation; an attachment with the last message that
//! refers to it.
//!
//! TOML form:
//! ```toml
//! default = "6y"
//! [[rule]]
//! channel = "whatsapp"
//! period = "5y"
//! [[rule]]
//! custodian = "dana.desk"
//! period = "7y"
//! ```

use crate::archive::{Archive, now_ms, ts_of_ms};
use crate::error::ArchiveError;
use crate::log::PendingLeaves;
use crate::store::{ConversationRow, DataKeyRow, KeyUpdate, WriteBatch};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap, HashSet};

/// A retention period: a number of days, months or years.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetentionPeriod {
    Days(u32),
    Months(u32),
    Years(u32),
}

impl std::str::FromStr for RetentionPeriod {
    type Err = ArchiveError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let bad = || {
            ArchiveError::Invalid(format!(
                "retention period {s:?} is not like \"6y\", \"18m\" or \"90d\""
            ))
        };
        let unit = s.chars().last().ok_or_else(bad)?;
        let number: u32 = s
            .get(..s.len() - unit.len_utf8())
            .ok_or_else(bad)?
            .parse()
            .map_err(|_| bad())?;
        if number == 0 || number > 1000 {
            return Err(bad());
        }
        match unit {
            'd' | 'D' => Ok(RetentionPeriod::Days(number)),
            'm' | 'M' => Ok(RetentionPeriod::Months(number)),
            'y' | 'Y' => Ok(RetentionPeriod::Years(number)),
            _ => Err(bad()),
        }
    }
}

impl std::fmt::Display for RetentionPeriod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RetentionPeriod::Days(n) => write!(f, "{n}d"),
            RetentionPeriod::Months(n) => write!(f, "{n}m"),
            RetentionPeriod::Years(n) => write!(f, "{n}y"),
        }
    }
}

impl Serialize for RetentionPeriod {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for RetentionPeriod {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl RetentionPeriod {
    /// When content last touched at `from` expires.
    pub fn expires(&self, from: jiff::Timestamp) -> jiff::Timestamp {
        let span = match *self {
            RetentionPeriod::Days(n) => jiff::Span::new().days(i64::from(n)),
            RetentionPeriod::Months(n) => jiff::Span::new().months(i64::from(n)),
            RetentionPeriod::Years(n) => jiff::Span::new().years(i64::from(n)),
        };
        from.to_zoned(jiff::tz::TimeZone::UTC)
            .checked_add(span)
            .map(|z| z.timestamp())
            .unwrap_or(jiff::Timestamp::MAX)
    }

    fn rank(&self) -> (u32, u32) {
        match *self {
            RetentionPeriod::Years(n) => (n.saturating_mul(366), 2),
            RetentionPeriod::Months(n) => (n.saturating_mul(31), 1),
            RetentionPeriod::Days(n) => (n, 0),
        }
    }
}

/// One rule: exactly one selector and a period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionRule {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custodian: Option<String>,
    /// A conversation id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation: Option<String>,
    pub period: RetentionPeriod,
}

/// The retention schedule.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionRules {
    /// Applies where no rule matches; `None` keeps unmatched content forever.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<RetentionPeriod>,
    #[serde(default, rename = "rule", skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<RetentionRule>,
}

impl RetentionRules {
    /// Checks every rule has exactly one selector.
    pub fn validate(&self) -> Result<(), ArchiveError> {
        for (i, r) in self.rules.iter().enumerate() {
            let n = usize::from(r.channel.is_some())
                + usize::from(r.custodian.is_some())
                + usize::from(r.conversation.is_some());
            if n != 1 {
                return Err(ArchiveError::Invalid(format!(
                    "retention rule {} must name exactly one of channel, custodian, conversation",
                    i + 1
                )));
            }
        }
        Ok(())
    }

    /// The period for a conversation: most specific selector wins; among equally specific
    /// matches the longest period wins.
    pub fn period_for(
        &self,
        channel: &str,
        custodian: Option<&str>,
        conversation: &str,
    ) -> Option<RetentionPeriod> {
        let pick = |f: &dyn Fn(&RetentionRule) -> bool| {
            self.rules
                .iter()
                .filter(|r| f(r))
                .map(|r| r.period)
                .max_by_key(RetentionPeriod::rank)
        };
        pick(&|r| r.conversation.as_deref() == Some(conversation))
            .or_else(|| pick(&|r| custodian.is_some() && r.custodian.as_deref() == custodian))
            .or_else(|| pick(&|r| r.channel.as_deref() == Some(channel)))
            .or(self.default)
    }
}

/// What `apply_retention` did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RetentionReport {
    /// Data keys destroyed.
    pub keys_shredded: u64,
    /// Messages made unreadable by this run.
    pub messages_shredded: u64,
    /// Conversations with at least one key destroyed.
    pub conversations_touched: u64,
    /// Conversations with expired content kept because of a legal hold.
    pub held: u64,
}

/// A conversation's keys and what depends on them.
pub(crate) struct ConvKeys {
    pub row: ConversationRow,
    pub keys: Vec<DataKeyRow>,
    /// Newest message time (ms) and message count per content scope.
    pub newest: HashMap<String, (i64, u64)>,
    /// (blob scope, message scope) per attachment reference.
    pub blob_refs: Vec<(String, String)>,
}

impl ConvKeys {
    pub(crate) fn is_shredded(&self, scope: &str) -> bool {
        self.keys
            .iter()
            .any(|k| k.scope == scope && k.wrapped.is_none())
    }

    /// Given content scopes being shredded, the profile, blob (and with `with_meta`, meta)
    /// scopes that have nothing readable left to protect.
    pub(crate) fn dependents(
        &self,
        shredding: &BTreeSet<String>,
        with_meta: bool,
    ) -> BTreeSet<String> {
        let gone = |s: &str| shredding.contains(s) || self.is_shredded(s);
        let content: Vec<&DataKeyRow> = self.keys.iter().filter(|k| k.kind == "content").collect();
        let all_content_gone = !content.is_empty() && content.iter().all(|k| gone(&k.scope));
        let mut out = BTreeSet::new();
        for k in &self.keys {
            if k.wrapped.is_none() || shredding.contains(&k.scope) {
                continue;
            }
            let expire = match k.kind.as_str() {
                "profile" => {
                    let mine: Vec<&&DataKeyRow> =
                        content.iter().filter(|c| c.sender == k.sender).collect();
                    if mine.is_empty() {
                        with_meta && all_content_gone
                    } else {
                        mine.iter().all(|c| gone(&c.scope))
                    }
                }
                "blob" => {
                    let refs: Vec<&(String, String)> = self
                        .blob_refs
                        .iter()
                        .filter(|(b, _)| *b == k.scope)
                        .collect();
                    if refs.is_empty() {
                        with_meta && all_content_gone
                    } else {
                        refs.iter().all(|(_, m)| gone(m))
                    }
                }
                "meta" => with_meta && all_content_gone,
                _ => false,
            };
            if expire {
                out.insert(k.scope.clone());
            }
        }
        out
    }

    /// Messages in the given content scopes.
    pub(crate) fn messages_in(&self, scopes: &BTreeSet<String>) -> u64 {
        scopes
            .iter()
            .filter_map(|s| self.newest.get(s))
            .map(|(_, n)| *n)
            .sum()
    }
}

impl Archive {
    /// Every conversation with its keys, newest times and attachment references.
    pub(crate) fn all_conv_keys(&mut self) -> Result<Vec<ConvKeys>, ArchiveError> {
        let mut by_conv: HashMap<String, Vec<DataKeyRow>> = HashMap::new();
        for k in self.store.data_keys()? {
            if let Some(c) = k.conversation.clone() {
                by_conv.entry(c).or_default().push(k);
            }
        }
        let mut out = Vec::new();
        for row in self.store.conversations()? {
            let keys = by_conv.remove(&row.id).unwrap_or_default();
            let mut newest: HashMap<String, (i64, u64)> = HashMap::new();
            let mut message_scope: HashMap<String, String> = HashMap::new();
            for (id, scope, sent_at) in self.store.message_scopes(&row.id)? {
                let e = newest.entry(scope.clone()).or_insert((i64::MIN, 0));
                e.0 = e.0.max(sent_at);
                e.1 += 1;
                message_scope.insert(id, scope);
            }
            let blob_scope: HashMap<String, String> = self
                .store
                .blobs(&row.id)?
                .into_iter()
                .map(|b| (b.name, b.key_scope))
                .collect();
            let blob_refs = self
                .store
                .attachment_refs(&row.id)?
                .into_iter()
                .filter_map(|r| {
                    Some((
                        blob_scope.get(&r.blob)?.clone(),
                        message_scope.get(&r.message)?.clone(),
                    ))
                })
                .collect();
            out.push(ConvKeys {
                row,
                keys,
                newest,
                blob_refs,
            });
        }
        Ok(out)
    }

    /// The retention period for a conversation under `rules`.
    pub(crate) fn period_of(
        &self,
        rules: &RetentionRules,
        row: &ConversationRow,
    ) -> Option<RetentionPeriod> {
        let custodian_rule = rules
            .rules
            .iter()
            .filter_map(|r| r.custodian.as_deref())
            .find(|c| row.custodian_tag.as_deref() == Some(self.custodian_tag(c).as_str()));
        rules.period_for(&row.channel, custodian_rule, &row.id)
    }

    /// Content scopes of `ck` whose content is past its period at `now`.
    pub(crate) fn expired_scopes(
        &self,
        ck: &ConvKeys,
        period: Option<RetentionPeriod>,
        now: jiff::Timestamp,
    ) -> BTreeSet<String> {
        let Some(period) = period else {
            return BTreeSet::new();
        };
        ck.keys
            .iter()
            .filter(|k| k.kind == "content" && k.wrapped.is_some())
            .filter(|k| {
                ck.newest
                    .get(&k.scope)
                    .is_some_and(|(newest, _)| period.expires(ts_of_ms(*newest)) <= now)
            })
            .map(|k| k.scope.clone())
            .collect()
    }

    /// Crypto-shreds content past its retention period at `now`, except under legal hold.
    /// One transaction; the run is an audit event.
    pub fn apply_retention(
        &mut self,
        rules: &RetentionRules,
        now: jiff::Timestamp,
    ) -> Result<RetentionReport, ArchiveError> {
        rules.validate()?;
        let holds = self.active_holds()?;
        let mut report = RetentionReport::default();
        let mut batch = WriteBatch::default();
        let at = now_ms();
        let mut touched = Vec::new();
        for ck in self.all_conv_keys()? {
            let period = self.period_of(rules, &ck.row);
            let expired = self.expired_scopes(&ck, period, now);
            if expired.is_empty() {
                continue;
            }
            if holds.covering(&ck.row).is_some() {
                report.held += 1;
                continue;
            }
            let dependents = ck.dependents(&expired, true);
            report.messages_shredded += ck.messages_in(&expired);
            let reason = format!(
                "retention {}",
                period.map(|p| p.to_string()).unwrap_or_default()
            );
            for scope in expired.iter().chain(dependents.iter()) {
                batch.key_updates.push(KeyUpdate::Shred {
                    scope: scope.clone(),
                    at,
                    reason: reason.clone(),
                });
                report.keys_shredded += 1;
            }
            report.conversations_touched += 1;
            touched.push(ck.row.id.clone());
        }
        let mut pending = PendingLeaves::new(self.log.tree.size());
        self.push_event(
            &mut batch,
            &mut pending,
            "retention.apply",
            "archive",
            serde_json::json!({
                "as_of": now.to_string(),
                "keys_shredded": report.keys_shredded,
                "messages_shredded": report.messages_shredded,
                "conversations": touched,
                "held": report.held,
            }),
        )?;
        let scopes: HashSet<String> = batch
            .key_updates
            .iter()
            .filter_map(|u| match u {
                KeyUpdate::Shred { scope, .. } => Some(scope.clone()),
                KeyUpdate::Rewrap { .. } => None,
            })
            .collect();
        self.commit(batch, pending)?;
        for s in scopes {
            self.dek_cache.remove(&s);
        }
        tracing::info!(
            keys = report.keys_shredded,
            held = report.held,
            "retention applied"
        );
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_parse_and_print() {
        assert_eq!(
            "6y".parse::<RetentionPeriod>().unwrap(),
            RetentionPeriod::Years(6)
        );
        assert_eq!(
            "90d".parse::<RetentionPeriod>().unwrap(),
            RetentionPeriod::Days(90)
        );
        assert_eq!(
            "18m".parse::<RetentionPeriod>().unwrap(),
            RetentionPeriod::Months(18)
        );
        for bad in ["", "y", "0y", "6w", "-1d", "6 y", "1001y"] {
            assert!(bad.parse::<RetentionPeriod>().is_err(), "{bad}");
        }
        assert_eq!(RetentionPeriod::Years(5).to_string(), "5y");
        let from: jiff::Timestamp = "2020-02-29T12:00:00Z".parse().unwrap();
        assert_eq!(
            RetentionPeriod::Years(1).expires(from).to_string(),
            "2021-02-28T12:00:00Z"
        );
        assert_eq!(
            RetentionPeriod::Days(90).expires(from).to_string(),
            "2020-05-29T12:00:00Z"
        );
    }

    #[test]
    fn most_specific_rule_wins() {
        let rules: RetentionRules = toml::from_str(
            r#"
            default = "6y"
            [[rule]]
            channel = "whatsapp"
            period = "5y"
            [[rule]]
            custodian = "dana.desk"
            period = "90d"
            [[rule]]
            conversation = "abc"
            period = "7y"
            "#,
        )
        .unwrap();
        rules.validate().unwrap();
        assert_eq!(
            rules.period_for("telegram", None, "x"),
            Some(RetentionPeriod::Years(6))
        );
        assert_eq!(
            rules.period_for("whatsapp", None, "x"),
            Some(RetentionPeriod::Years(5))
        );
        assert_eq!(
            rules.period_for("whatsapp", Some("dana.desk"), "x"),
            Some(RetentionPeriod::Days(90))
        );
        assert_eq!(
            rules.period_for("whatsapp", Some("dana.desk"), "abc"),
            Some(RetentionPeriod::Years(7))
        );
        let none = RetentionRules::default();
        assert_eq!(none.period_for("whatsapp", None, "x"), None);
        // Unknown fields and rules with two selectors are refused.
        assert!(toml::from_str::<RetentionRules>("defaults = \"6y\"").is_err());
        let two: RetentionRules =
            toml::from_str("[[rule]]\nchannel = \"slack\"\ncustodian = \"x\"\nperiod = \"1y\"")
                .unwrap();
        assert!(two.validate().is_err());
    }
}
