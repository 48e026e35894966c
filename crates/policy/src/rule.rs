//! One policy rule, its severity and actions, and how it matches a message.

use crate::directory::{Direction, Employee, Party};
use chatwarden_model::{Channel, ConversationId, Finding, MessageId};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// How serious a rule hit is. Ordered: `Low < Medium < High < Critical`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 4] = [
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// A reviewer's role, for deciding who sees unmasked previews. Ordered from least to
/// most trusted. (The server issue owns sign-in and role assignment; these are the
/// names the policy file uses.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Viewer,
    Reviewer,
    Supervisor,
    ComplianceOfficer,
    Admin,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Viewer,
        Role::Reviewer,
        Role::Supervisor,
        Role::ComplianceOfficer,
        Role::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Reviewer => "reviewer",
            Role::Supervisor => "supervisor",
            Role::ComplianceOfficer => "compliance_officer",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// What to do when a rule hits.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// Raise an alert for review.
    Alert,
    /// Mask the stored copy's content and previews for reviewers below `below`.
    Redact { below: Role },
    /// Hide the message pending review.
    Quarantine,
    /// Send a policy tip back through the channel where one exists, else log it for
    /// the employee report. `text` overrides the default tip.
    Notify { text: Option<String> },
}

impl Action {
    pub fn name(&self) -> &'static str {
        match self {
            Action::Alert => "alert",
            Action::Redact { .. } => "redact",
            Action::Quarantine => "quarantine",
            Action::Notify { .. } => "notify",
        }
    }
}

/// Which conversations a rule applies to, by who is in them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DirectionFilter {
    Any,
    /// Every participant internal.
    Internal,
    /// At least one external participant.
    External,
    /// No external participant, at least one unknown.
    Unknown,
    /// External or unknown participants (not internal only).
    NotInternal,
}

impl DirectionFilter {
    pub(crate) const NAMES: &'static str = "any, internal, external, unknown, not_internal";

    pub(crate) fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "any" => Self::Any,
            "internal" => Self::Internal,
            "external" => Self::External,
            "unknown" => Self::Unknown,
            "not_internal" => Self::NotInternal,
            _ => return None,
        })
    }

    pub fn accepts(self, d: Direction) -> bool {
        match self {
            Self::Any => true,
            Self::Internal => d == Direction::InternalOnly,
            Self::External => d == Direction::ExternalInvolved,
            Self::Unknown => d == Direction::UnknownInvolved,
            Self::NotInternal => d != Direction::InternalOnly,
        }
    }
}

/// Which senders a rule applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SenderFilter {
    Any,
    Internal,
    External,
    Unknown,
    NotInternal,
}

impl SenderFilter {
    pub(crate) const NAMES: &'static str = "any, internal, external, unknown, not_internal";

    pub(crate) fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "any" => Self::Any,
            "internal" => Self::Internal,
            "external" => Self::External,
            "unknown" => Self::Unknown,
            "not_internal" => Self::NotInternal,
            _ => return None,
        })
    }

    pub fn accepts(self, p: &Party<'_>) -> bool {
        match self {
            Self::Any => true,
            Self::Internal => p.is_internal(),
            Self::External => matches!(p, Party::External),
            Self::Unknown => matches!(p, Party::Unknown),
            Self::NotInternal => !p.is_internal(),
        }
    }
}

/// Whether a rule looks at the message text, its attachments, or both.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceFilter {
    Any,
    Message,
    Attachment,
}

impl SourceFilter {
    fn accepts(self, f: &Finding) -> bool {
        match self {
            Self::Any => true,
            Self::Message => f.attachment.is_none(),
            Self::Attachment => f.attachment.is_some(),
        }
    }
}

/// When a rule applies, against the policy's business hours.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeFilter {
    Any,
    BusinessHours,
    OutsideBusinessHours,
}

/// One validated rule.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Rule {
    /// Lowercase letters, digits, `-` and `_`; unique in the policy.
    pub id: String,
    pub description: String,
    pub severity: Severity,
    /// A finding counts when its entity is listed here or its detector in `detectors`.
    pub entities: Vec<String>,
    pub detectors: Vec<String>,
    /// Entities that must all be present (each with a counting finding).
    pub all_of: Vec<String>,
    /// A finding counts only at this score or above.
    pub min_score: f32,
    /// The rule hits when at least this many findings count.
    pub min_count: usize,
    /// Empty: every channel.
    pub channels: Vec<Channel>,
    pub direction: DirectionFilter,
    pub sender: SenderFilter,
    /// Custodians (employee id, email or name as the conversation names them); empty: all.
    pub custodians: Vec<String>,
    /// The responsible employee's department must be one of these (empty: any).
    pub departments: Vec<String>,
    /// …and must not be one of these (an unknown department is not excepted).
    pub except_departments: Vec<String>,
    pub source: SourceFilter,
    pub time: TimeFilter,
    /// The rule applies to messages sent at or after this instant (`None`: no start).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<jiff::Timestamp>,
    /// …and before this one (exclusive; `None`: no end).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<jiff::Timestamp>,
    pub actions: Vec<Action>,
    /// The line of the rule in the policy file.
    pub line: usize,
}

/// What is known about a message when rules are matched against it.
pub(crate) struct MessageFacts<'a, 'd> {
    pub sender: Party<'d>,
    /// The sender when an internal employee, else the custodian.
    pub responsible: Option<&'d Employee>,
    pub in_business_hours: bool,
    pub sent_at: jiff::Timestamp,
    pub findings: &'a [Finding],
}

impl Rule {
    /// Whether the conversation-level conditions hold (checked once per conversation).
    pub(crate) fn accepts_conversation(
        &self,
        channel: Channel,
        direction: Direction,
        custodian: Option<&str>,
        custodian_employee: Option<&Employee>,
    ) -> bool {
        if !self.channels.is_empty() && !self.channels.contains(&channel) {
            return false;
        }
        if !self.direction.accepts(direction) {
            return false;
        }
        if !self.custodians.is_empty() {
            let hit = self.custodians.iter().any(|c| {
                custodian.is_some_and(|x| x.eq_ignore_ascii_case(c))
                    || custodian_employee.is_some_and(|e| {
                        e.id == *c
                            || e.name.eq_ignore_ascii_case(c)
                            || e.emails.iter().any(|m| m.eq_ignore_ascii_case(c))
                    })
            });
            if !hit {
                return false;
            }
        }
        true
    }

    /// Whether a finding counts for this rule (entity or detector, score, source).
    pub(crate) fn counts(&self, f: &Finding) -> bool {
        let named = self.entities.contains(&f.entity)
            || self.all_of.contains(&f.entity)
            || self.detectors.contains(&f.detector);
        named && f.score >= self.min_score && self.source.accepts(f)
    }

    /// The indices of the findings this rule hits with, or `None` when it does not hit.
    /// `used[i]` marks findings already taken by an earlier rule.
    pub(crate) fn matches(
        &self,
        facts: &MessageFacts<'_, '_>,
        used: &[bool],
    ) -> Option<Vec<usize>> {
        if !self.sender.accepts(&facts.sender) {
            return None;
        }
        let dept = facts.responsible.and_then(|e| e.department.as_deref());
        if !self.departments.is_empty()
            && !dept.is_some_and(|d| self.departments.iter().any(|x| x.eq_ignore_ascii_case(d)))
        {
            return None;
        }
        if dept.is_some_and(|d| {
            self.except_departments
                .iter()
                .any(|x| x.eq_ignore_ascii_case(d))
        }) {
            return None;
        }
        if self.from.is_some_and(|f| facts.sent_at < f)
            || self.until.is_some_and(|u| facts.sent_at >= u)
        {
            return None;
        }
        match self.time {
            TimeFilter::Any => {}
            TimeFilter::BusinessHours if !facts.in_business_hours => return None,
            TimeFilter::OutsideBusinessHours if facts.in_business_hours => return None,
            _ => {}
        }
        let hits: Vec<usize> = facts
            .findings
            .iter()
            .enumerate()
            .filter(|(i, f)| !used.get(*i).copied().unwrap_or(false) && self.counts(f))
            .map(|(i, _)| i)
            .collect();
        if hits.len() < self.min_count {
            return None;
        }
        let all_present = self.all_of.iter().all(|e| {
            hits.iter()
                .any(|&i| facts.findings.get(i).is_some_and(|f| f.entity == *e))
        });
        if !all_present {
            return None;
        }
        Some(hits)
    }

    /// Whether a reviewer with `role` must see this rule's hits masked.
    pub fn masks_for(&self, role: Role) -> bool {
        self.actions
            .iter()
            .any(|a| matches!(a, Action::Redact { below } if role < *below))
    }
}

/// One rule hitting one message.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RuleHit {
    pub rule: String,
    pub severity: Severity,
    pub actions: Vec<Action>,
    pub conversation: ConversationId,
    pub message: MessageId,
    pub sent_at: Timestamp,
    /// The conversation's custodian, as the conversation names them.
    pub custodian: Option<String>,
    /// The responsible employee's department (the sender when internal, else the custodian).
    pub department: Option<String>,
    /// The responsible employee's supervisor (employee id, from the directory): whose
    /// queue the hit belongs to under FINRA 3110's supervision of each representative.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supervisor: Option<String>,
    /// The findings the rule hit with (masked previews only).
    pub findings: Vec<Finding>,
}

impl RuleHit {
    pub fn has_action(&self, name: &str) -> bool {
        self.actions.iter().any(|a| a.name() == name)
    }

    /// Whether a reviewer with `role` must see this hit's content masked.
    pub fn masks_for(&self, role: Role) -> bool {
        self.actions
            .iter()
            .any(|a| matches!(a, Action::Redact { below } if role < *below))
    }
}
