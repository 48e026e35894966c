//! Alerts, alert groups and the review workflow.
//!
//! Every rule hit on a message is one [`Alert`]. Alerts of one rule in one
//! conversation whose times lie within the policy's group window of each other form
//! one [`AlertGroup`], so a burst of messages becomes one review item. A group moves
//! through the review states
//!
//! ```text
//!   open ──start_review──▶ in_review ──escalate──▶ escalated
//!    ▲  ◀──────release────────┘  │                    │
//!    │                         close                 close
//!    └────────reopen────────── closed ◀───────────────┘
//! ```
//!
//! and every move is a [`ReviewRecord`] for the archive's log. Only closing with a
//! disposition is evidence of review (FINRA Rule 3110.07 asks for the reviewer, the
//! item, the date and the action; merely opening a communication is not review).
//! Sampled messages (see [`crate::sampling`]) enter the same queue as groups of the
//! reserved rule `random-sample`.

use crate::policy::SAMPLE_RULE_ID;
use crate::rule::{Action, RuleHit, Severity};
use crate::sampling::SampledMessage;
use chatwarden_model::{ConversationId, IdHasher, MessageId};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// One rule hit on one message.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// Derived from the rule and the message: re-evaluating gives the same id.
    pub id: String,
    #[serde(flatten)]
    pub hit: RuleHit,
}

impl Alert {
    pub fn id_for(rule: &str, message: &MessageId) -> String {
        let mut h = IdHasher::new("alert");
        h.str(rule).str(message.as_str());
        h.finish_hex()
    }
}

impl From<RuleHit> for Alert {
    fn from(hit: RuleHit) -> Self {
        Alert {
            id: Alert::id_for(&hit.rule, &hit.message),
            hit,
        }
    }
}

/// Where a review item is in the workflow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Open,
    InReview,
    Escalated,
    Closed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::InReview => "in_review",
            Status::Escalated => "escalated",
            Status::Closed => "closed",
        }
    }
}

/// The outcome of a review.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Disposition {
    /// Not a policy breach; the reason feeds false-positive metrics per rule.
    FalsePositive { reason: String },
    /// A real hit, handled (e.g. the employee was reminded).
    Acknowledged,
    /// A breach, reported onward.
    BreachReported,
}

/// A reviewer's comment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    pub author: String,
    pub at: Timestamp,
    pub text: String,
}

/// One thing a reviewer does to a review item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum ReviewAction {
    Assign {
        to: String,
    },
    Unassign,
    /// open → in_review (takes the item; assigns the actor when unassigned).
    StartReview,
    /// in_review → open.
    Release,
    /// in_review → escalated.
    Escalate {
        reason: String,
    },
    /// in_review or escalated → closed.
    Close {
        disposition: Disposition,
        note: Option<String>,
    },
    /// closed → open.
    Reopen {
        reason: String,
    },
    Comment {
        text: String,
    },
}

impl ReviewAction {
    pub fn name(&self) -> &'static str {
        match self {
            ReviewAction::Assign { .. } => "assign",
            ReviewAction::Unassign => "unassign",
            ReviewAction::StartReview => "start_review",
            ReviewAction::Release => "release",
            ReviewAction::Escalate { .. } => "escalate",
            ReviewAction::Close { .. } => "close",
            ReviewAction::Reopen { .. } => "reopen",
            ReviewAction::Comment { .. } => "comment",
        }
    }
}

/// One review action as the archive's log keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewRecord {
    pub group: String,
    pub actor: String,
    pub at: Timestamp,
    pub from: Status,
    pub to: Status,
    pub action: ReviewAction,
    /// True for a disposition: evidence that the item was reviewed.
    pub is_review: bool,
}

/// A review action that is not allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReviewError {
    #[error("cannot {action} an item that is {from}")]
    Illegal {
        from: &'static str,
        action: &'static str,
    },
    #[error("{0} must not be empty")]
    Empty(&'static str),
}

/// A review item: the alerts of one rule in one conversation within the group window.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlertGroup {
    /// Derived from the conversation, the rule and the first alert's message.
    pub id: String,
    pub conversation: ConversationId,
    pub rule: String,
    /// The highest severity among the alerts.
    pub severity: Severity,
    pub custodian: Option<String>,
    pub department: Option<String>,
    /// The responsible employee's supervisor (employee id).
    pub supervisor: Option<String>,
    pub first_at: Timestamp,
    pub last_at: Timestamp,
    pub alerts: Vec<Alert>,
    pub status: Status,
    pub disposition: Option<Disposition>,
    pub assignee: Option<String>,
    pub comments: Vec<Comment>,
}

impl AlertGroup {
    fn new(alert: Alert) -> AlertGroup {
        let mut h = IdHasher::new("alert-group");
        h.str(alert.hit.conversation.as_str())
            .str(&alert.hit.rule)
            .str(alert.hit.message.as_str());
        AlertGroup {
            id: h.finish_hex(),
            conversation: alert.hit.conversation.clone(),
            rule: alert.hit.rule.clone(),
            severity: alert.hit.severity,
            custodian: alert.hit.custodian.clone(),
            department: alert.hit.department.clone(),
            supervisor: alert.hit.supervisor.clone(),
            first_at: alert.hit.sent_at,
            last_at: alert.hit.sent_at,
            alerts: vec![alert],
            status: Status::Open,
            disposition: None,
            assignee: None,
            comments: Vec::new(),
        }
    }

    /// A review item for a sampled message (rule `random-sample`, severity low).
    pub fn from_sample(s: &SampledMessage) -> AlertGroup {
        AlertGroup::new(Alert::from(RuleHit {
            rule: SAMPLE_RULE_ID.to_owned(),
            severity: Severity::Low,
            actions: vec![Action::Alert],
            conversation: s.conversation.clone(),
            message: s.message.clone(),
            sent_at: s.sent_at,
            custodian: s.custodian.clone(),
            department: None,
            supervisor: None,
            findings: Vec::new(),
        }))
    }

    pub fn is_sample(&self) -> bool {
        self.rule == SAMPLE_RULE_ID
    }

    /// The messages the group's alerts are on, in order.
    pub fn messages(&self) -> impl Iterator<Item = &MessageId> {
        self.alerts.iter().map(|a| &a.hit.message)
    }

    fn accepts(&self, hit: &RuleHit, window: SignedDuration) -> bool {
        self.status != Status::Closed
            && self.conversation == hit.conversation
            && self.rule == hit.rule
            && hit.sent_at >= self.first_at - window
            && hit.sent_at <= self.last_at + window
    }

    fn push(&mut self, alert: Alert) {
        if self.alerts.iter().any(|a| a.id == alert.id) {
            return;
        }
        self.severity = self.severity.max(alert.hit.severity);
        self.first_at = self.first_at.min(alert.hit.sent_at);
        self.last_at = self.last_at.max(alert.hit.sent_at);
        let at = self
            .alerts
            .partition_point(|a| a.hit.sent_at <= alert.hit.sent_at);
        self.alerts.insert(at, alert);
    }

    /// Applies a review action, or refuses an illegal one (the group is unchanged).
    pub fn apply(
        &mut self,
        actor: &str,
        at: Timestamp,
        action: ReviewAction,
    ) -> Result<ReviewRecord, ReviewError> {
        let from = self.status;
        let illegal = || ReviewError::Illegal {
            from: from.as_str(),
            action: action.name(),
        };
        if actor.trim().is_empty() {
            return Err(ReviewError::Empty("actor"));
        }
        let to = match &action {
            ReviewAction::Assign { to } => {
                if from == Status::Closed {
                    return Err(illegal());
                }
                if to.trim().is_empty() {
                    return Err(ReviewError::Empty("assignee"));
                }
                self.assignee = Some(to.clone());
                from
            }
            ReviewAction::Unassign => {
                if from == Status::Closed {
                    return Err(illegal());
                }
                self.assignee = None;
                from
            }
            ReviewAction::StartReview => {
                if from != Status::Open {
                    return Err(illegal());
                }
                if self.assignee.is_none() {
                    self.assignee = Some(actor.to_owned());
                }
                Status::InReview
            }
            ReviewAction::Release => {
                if from != Status::InReview {
                    return Err(illegal());
                }
                Status::Open
            }
            ReviewAction::Escalate { reason } => {
                if from != Status::InReview {
                    return Err(illegal());
                }
                if reason.trim().is_empty() {
                    return Err(ReviewError::Empty("escalation reason"));
                }
                Status::Escalated
            }
            ReviewAction::Close { disposition, .. } => {
                if !matches!(from, Status::InReview | Status::Escalated) {
                    return Err(illegal());
                }
                if let Disposition::FalsePositive { reason } = disposition
                    && reason.trim().is_empty()
                {
                    return Err(ReviewError::Empty("false-positive reason"));
                }
                self.disposition = Some(disposition.clone());
                Status::Closed
            }
            ReviewAction::Reopen { reason } => {
                if from != Status::Closed {
                    return Err(illegal());
                }
                if reason.trim().is_empty() {
                    return Err(ReviewError::Empty("reopen reason"));
                }
                self.disposition = None;
                Status::Open
            }
            ReviewAction::Comment { text } => {
                if text.trim().is_empty() {
                    return Err(ReviewError::Empty("comment"));
                }
                self.comments.push(Comment {
                    author: actor.to_owned(),
                    at,
                    text: text.clone(),
                });
                from
            }
        };
        self.status = to;
        Ok(ReviewRecord {
            group: self.id.clone(),
            actor: actor.to_owned(),
            at,
            from,
            to,
            is_review: matches!(action, ReviewAction::Close { .. }),
            action,
        })
    }
}

/// Groups rule hits into review items as they arrive.
#[derive(Clone, Debug)]
pub struct Grouper {
    window: SignedDuration,
    groups: Vec<AlertGroup>,
    /// (conversation, rule) → indices of groups still accepting alerts.
    by_key: HashMap<(ConversationId, String), Vec<usize>>,
}

impl Grouper {
    /// A grouper with no groups yet. `window`: the policy's `group_window`.
    pub fn new(window: SignedDuration) -> Self {
        Grouper::with_groups(window, Vec::new())
    }

    /// A grouper continuing from stored groups (closed ones take no new alerts).
    pub fn with_groups(window: SignedDuration, groups: Vec<AlertGroup>) -> Self {
        let mut by_key: HashMap<(ConversationId, String), Vec<usize>> = HashMap::new();
        for (i, g) in groups.iter().enumerate() {
            by_key
                .entry((g.conversation.clone(), g.rule.clone()))
                .or_default()
                .push(i);
        }
        Grouper {
            window: window.abs(),
            groups,
            by_key,
        }
    }

    /// Adds one hit; returns the index of its group. A hit already in its group
    /// (same rule, same message) is not added twice.
    pub fn add(&mut self, hit: RuleHit) -> usize {
        let key = (hit.conversation.clone(), hit.rule.clone());
        let slots = self.by_key.entry(key).or_default();
        for &i in slots.iter().rev() {
            if let Some(g) = self.groups.get_mut(i)
                && g.accepts(&hit, self.window)
            {
                g.push(Alert::from(hit));
                return i;
            }
        }
        let i = self.groups.len();
        self.groups.push(AlertGroup::new(Alert::from(hit)));
        slots.push(i);
        i
    }

    /// Adds a sampled message as its own review item.
    pub fn add_sample(&mut self, sample: &SampledMessage) -> usize {
        let i = self.groups.len();
        self.groups.push(AlertGroup::from_sample(sample));
        i
    }

    pub fn groups(&self) -> &[AlertGroup] {
        &self.groups
    }

    pub fn groups_mut(&mut self) -> &mut [AlertGroup] {
        &mut self.groups
    }

    pub fn into_groups(self) -> Vec<AlertGroup> {
        self.groups
    }
}

/// Which review items a queue shows.
#[derive(Clone, Debug, Default)]
pub struct QueueFilter {
    /// Only items at or above this severity.
    pub min_severity: Option<Severity>,
    /// Only items of this department (case-insensitive).
    pub department: Option<String>,
    /// Only items whose responsible employee reports to this supervisor (employee id,
    /// case-insensitive): a supervisor's own queue.
    pub supervisor: Option<String>,
    /// Only items in these states; empty: every state but closed.
    pub statuses: Vec<Status>,
    /// Only items assigned to this reviewer.
    pub assignee: Option<String>,
    /// Include sampled items (default false: only rule alerts; set true for the full queue).
    pub include_samples: bool,
}

/// A review queue: the matching items, most severe first, escalated before others of
/// the same severity, then oldest first.
pub fn queue<'g>(groups: &'g [AlertGroup], filter: &QueueFilter) -> Vec<&'g AlertGroup> {
    let mut out: Vec<&AlertGroup> = groups
        .iter()
        .filter(|g| filter.min_severity.is_none_or(|s| g.severity >= s))
        .filter(|g| {
            filter.department.as_deref().is_none_or(|d| {
                g.department
                    .as_deref()
                    .is_some_and(|x| x.eq_ignore_ascii_case(d))
            })
        })
        .filter(|g| {
            filter.supervisor.as_deref().is_none_or(|s| {
                g.supervisor
                    .as_deref()
                    .is_some_and(|x| x.eq_ignore_ascii_case(s))
            })
        })
        .filter(|g| {
            if filter.statuses.is_empty() {
                g.status != Status::Closed
            } else {
                filter.statuses.contains(&g.status)
            }
        })
        .filter(|g| {
            filter
                .assignee
                .as_deref()
                .is_none_or(|a| g.assignee.as_deref() == Some(a))
        })
        .filter(|g| filter.include_samples || !g.is_sample())
        .collect();
    out.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then((b.status == Status::Escalated).cmp(&(a.status == Status::Escalated)))
            .then(a.first_at.cmp(&b.first_at))
            .then(a.id.cmp(&b.id))
    });
    out
}

/// Per rule: how many items were closed, and how many of those as false positives
/// (the tuning measure compliance teams track per term and rule).
pub fn false_positive_counts(groups: &[AlertGroup]) -> BTreeMap<String, (usize, usize)> {
    let mut out: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for g in groups.iter().filter(|g| g.status == Status::Closed) {
        let e = out.entry(g.rule.clone()).or_default();
        e.0 += 1;
        if matches!(g.disposition, Some(Disposition::FalsePositive { .. })) {
            e.1 += 1;
        }
    }
    out
}
