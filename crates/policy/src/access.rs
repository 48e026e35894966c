//! What a reader sees of a message the policy flagged: the read-time side of the
//! `quarantine` and `redact` actions.
//!
//! * **quarantine**: while the review item holding the alert is not closed, the message is
//!   withheld from readers below [`SEES_QUARANTINED`] — except the reviewer the item is
//!   assigned to. Closing the item (any disposition) releases it; reopening withholds it again.
//! * **redact** `{ below }`: readers below `below` see the message with its detected
//!   values masked, and the findings' previews fully masked, whatever the item's status.
//!
//! A withheld message is not also masked: it is not shown at all.

use crate::alerts::{AlertGroup, Status};
use crate::rule::{Action, Role, RuleHit};
use chatwarden_model::{Finding, MessageId};
use serde::Serialize;

/// The least role that sees a quarantined message while its review item is not closed.
/// Supervisors are the first line of FINRA 3110 review; viewers and reviewers wait for the
/// item to be closed or assigned to them.
pub const SEES_QUARANTINED: Role = Role::Supervisor;

/// How a message may be shown to one reader.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "visibility", rename_all = "snake_case")]
pub enum Visibility {
    /// Shown as stored.
    Clear,
    /// Shown with detected values and previews masked, because of the redact rules of these
    /// review items (ids, sorted).
    Masked { items: Vec<String> },
    /// Not shown: quarantined pending review of this item.
    Withheld { item: String },
}

impl Visibility {
    pub fn is_clear(&self) -> bool {
        matches!(self, Visibility::Clear)
    }
}

/// Decides how `message` is shown to a reader with `role` acting as `actor`, from the
/// review items (with their replayed status and assignee) of its conversation.
pub fn visibility<'g>(
    role: Role,
    actor: &str,
    message: &MessageId,
    groups: impl IntoIterator<Item = &'g AlertGroup>,
) -> Visibility {
    let mut withheld: Option<&str> = None;
    let mut masked: Vec<String> = Vec::new();
    for group in groups {
        for alert in group.alerts.iter().filter(|a| a.hit.message == *message) {
            let quarantined = alert
                .hit
                .actions
                .iter()
                .any(|a| matches!(a, Action::Quarantine));
            if quarantined
                && group.status != Status::Closed
                && role < SEES_QUARANTINED
                && group.assignee.as_deref() != Some(actor)
                && withheld.is_none_or(|w| group.id.as_str() < w)
            {
                withheld = Some(group.id.as_str());
            }
            if alert.hit.masks_for(role) && !masked.contains(&group.id) {
                masked.push(group.id.clone());
            }
        }
    }
    if let Some(item) = withheld {
        return Visibility::Withheld {
            item: item.to_string(),
        };
    }
    if masked.is_empty() {
        return Visibility::Clear;
    }
    masked.sort();
    Visibility::Masked { items: masked }
}

/// The policy tip a `notify` hit gives the employee: the rule's `notify_text`, else a
/// default naming the rule. `None` when the rule has no `notify` action.
pub fn tip_text(hit: &RuleHit) -> Option<String> {
    hit.actions.iter().find_map(|a| match a {
        Action::Notify { text: Some(t) } if !t.trim().is_empty() => Some(t.clone()),
        Action::Notify { .. } => Some(format!(
            "A message you sent was flagged by the company's data-governance policy (rule {}). \
             Please keep this kind of data out of chat and use the approved channel.",
            hit.rule
        )),
        _ => None,
    })
}

/// The masking character, as in [`chatwarden_model::mask_preview`].
const MASK: char = '•';

/// `text` with every letter and digit inside a message-text finding's span replaced by `•`
/// (separators kept, like `mask_preview(value, 0)`). Overlapping spans are fine. `None`
/// when a span does not fit the text (the caller must then not show the text at all).
pub fn mask_text(text: &str, findings: &[Finding]) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut masked = vec![false; chars.len()];
    for f in findings.iter().filter(|f| f.attachment.is_none()) {
        let span = masked.get_mut(f.start..f.end)?;
        span.fill(true);
    }
    Some(
        chars
            .iter()
            .zip(masked)
            .map(|(&c, m)| if m && c.is_alphanumeric() { MASK } else { c })
            .collect(),
    )
}

/// A finding's preview with nothing of the value left (every letter and digit masked).
pub fn mask_preview_fully(preview: &str) -> String {
    chatwarden_model::mask_preview(preview, 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerts::Alert;
    use crate::rule::Severity;
    use chatwarden_model::ConversationId;

    fn finding(start: usize, end: usize) -> Finding {
        Finding {
            message: MessageId::from("m1"),
            entity: "CREDIT_CARD".into(),
            detector: "credit_card".into(),
            start,
            end,
            score: 1.0,
            preview: "•••• 4444".into(),
            value_hash: String::new(),
            attachment: None,
        }
    }

    fn group(id: &str, actions: Vec<Action>, status: Status, assignee: Option<&str>) -> AlertGroup {
        let hit = RuleHit {
            rule: "r".into(),
            severity: Severity::High,
            actions,
            conversation: ConversationId::from("c"),
            message: MessageId::from("m1"),
            sent_at: jiff::Timestamp::UNIX_EPOCH,
            custodian: None,
            department: None,
            supervisor: None,
            findings: Vec::new(),
        };
        AlertGroup {
            id: id.into(),
            conversation: ConversationId::from("c"),
            rule: "r".into(),
            severity: Severity::High,
            custodian: None,
            department: None,
            supervisor: None,
            first_at: jiff::Timestamp::UNIX_EPOCH,
            last_at: jiff::Timestamp::UNIX_EPOCH,
            alerts: vec![Alert::from(hit)],
            status,
            disposition: None,
            assignee: assignee.map(str::to_string),
            comments: Vec::new(),
        }
    }

    #[test]
    fn masks_letters_and_digits_inside_spans_only() {
        let text = "card 4111-1111 ok, é1";
        let f = [finding(5, 14), finding(19, 21), finding(7, 9)];
        assert_eq!(mask_text(text, &f).unwrap(), "card ••••-•••• ok, ••");
        let mut in_file = finding(0, 4);
        in_file.attachment = Some("a.pdf".into());
        assert_eq!(mask_text(text, &[in_file]).unwrap(), text);
        assert_eq!(mask_text(text, &[finding(5, 99)]), None);
        assert_eq!(mask_preview_fully("•••• 4444"), "•••• ••••");
    }

    #[test]
    fn quarantine_withholds_below_supervisor_until_closed_except_for_the_assignee() {
        let m = MessageId::from("m1");
        let open = [group("g1", vec![Action::Quarantine], Status::Open, None)];
        assert_eq!(
            visibility(Role::Reviewer, "ann", &m, &open),
            Visibility::Withheld { item: "g1".into() }
        );
        assert!(visibility(Role::Supervisor, "ann", &m, &open).is_clear());
        assert!(visibility(Role::Viewer, "x", &MessageId::from("m2"), &open).is_clear());
        let assigned = [group(
            "g1",
            vec![Action::Quarantine],
            Status::InReview,
            Some("ann"),
        )];
        assert!(visibility(Role::Viewer, "ann", &m, &assigned).is_clear());
        assert!(!visibility(Role::Viewer, "bob", &m, &assigned).is_clear());
        let closed = [group("g1", vec![Action::Quarantine], Status::Closed, None)];
        assert!(visibility(Role::Viewer, "ann", &m, &closed).is_clear());
    }

    #[test]
    fn a_notify_hit_has_a_tip_and_others_none() {
        let mut g = group("g", vec![Action::Alert], Status::Open, None);
        let mut hit = g.alerts.remove(0).hit;
        assert_eq!(tip_text(&hit), None);
        hit.actions.push(Action::Notify { text: None });
        assert!(tip_text(&hit).is_some_and(|t| t.contains("rule r")));
        hit.actions = vec![Action::Notify {
            text: Some("Use the vault.".into()),
        }];
        assert_eq!(tip_text(&hit).as_deref(), Some("Use the vault."));
    }

    #[test]
    fn redact_masks_below_its_role_whatever_the_status() {
        let m = MessageId::from("m1");
        let g = [
            group(
                "g2",
                vec![Action::Redact {
                    below: Role::ComplianceOfficer,
                }],
                Status::Closed,
                None,
            ),
            group("g1", vec![Action::Alert], Status::Open, None),
        ];
        assert_eq!(
            visibility(Role::Supervisor, "ann", &m, &g),
            Visibility::Masked {
                items: vec!["g2".into()]
            }
        );
        assert!(visibility(Role::ComplianceOfficer, "ann", &m, &g).is_clear());
        let both = [group(
            "g3",
            vec![Action::Redact { below: Role::Admin }, Action::Quarantine],
            Status::Open,
            None,
        )];
        assert_eq!(
            visibility(Role::Viewer, "ann", &m, &both),
            Visibility::Withheld { item: "g3".into() }
        );
        assert!(matches!(
            visibility(Role::Supervisor, "ann", &m, &both),
            Visibility::Masked { .. }
        ));
    }
}
