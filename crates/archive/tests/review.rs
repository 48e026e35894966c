//! Alerts and review actions as archive records: idempotent storage, state replayed from
//! the history, refusal of illegal moves, audit of access, sealing, and `verify`.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use chatwarden_archive::{AlertQuery, ArchiveError};
use chatwarden_model::{Finding, Message};
use chatwarden_policy::{
    Action, Alert, Disposition, Grouper, ReviewAction, RuleHit, Severity, Status,
};
use common::*;

fn hit(rule: &str, m: &Message, findings: Vec<Finding>) -> RuleHit {
    RuleHit {
        rule: rule.to_string(),
        severity: Severity::High,
        actions: vec![Action::Alert],
        conversation: m.conversation.clone(),
        message: m.id.clone(),
        sent_at: m.sent_at,
        custodian: Some("daniel.kim".into()),
        department: Some("Private Banking Unit 7".into()),
        supervisor: Some("e-200".into()),
        findings,
    }
}

/// Stores the sample chat and one alert group of two card messages.
fn setup() -> (Env, Vec<Message>, String) {
    let env = Env::new();
    let (conv, messages, findings) = sample();
    let mut a = env.open();
    a.ingest_batch(&conv, &messages, &findings).unwrap();
    let mut grouper = Grouper::new(jiff::SignedDuration::from_mins(60));
    let mut pairs = Vec::new();
    for m in messages.iter().skip(1).take(2) {
        let f: Vec<Finding> = findings
            .iter()
            .filter(|f| f.message == m.id)
            .cloned()
            .collect();
        let h = hit("payment-data", m, f);
        let alert = Alert::from(h.clone());
        let i = grouper.add(h);
        pairs.push((grouper.groups()[i].id.clone(), alert));
    }
    let report = a.put_alerts(&pairs, "test").unwrap();
    assert_eq!((report.new_alerts, report.new_items), (2, 1));
    (env, messages, pairs[0].0.clone())
}

#[test]
fn alerts_are_stored_once_and_listed_as_one_open_item() {
    let (env, messages, group) = setup();
    let mut a = env.open();
    let items = a.list_alerts(&AlertQuery::default()).unwrap();
    assert_eq!(items.len(), 1);
    let item = &items[0];
    assert_eq!(item.id, group);
    assert_eq!(item.status, Status::Open);
    assert_eq!(item.alerts.len(), 2);
    assert_eq!(item.department.as_deref(), Some("Private Banking Unit 7"));
    // The card finding is named by id, never by value.
    let with_findings = item.alerts.iter().find(|x| !x.findings.is_empty()).unwrap();
    assert_eq!(with_findings.findings[0].entity, "CREDIT_CARD");
    assert_eq!(with_findings.findings[0].id.len(), 32);

    // Putting the same alerts again changes nothing (same ids), not even the log.
    let before = a.verify().unwrap().leaves;
    let again = Alert::from(hit("payment-data", &messages[1], Vec::new()));
    let report = a
        .put_alerts(&[("other-group".into(), again)], "test")
        .unwrap();
    assert_eq!((report.new_alerts, report.existing), (0, 1));
    let after = a.verify().unwrap();
    assert!(after.ok, "{:?}", after.problems);
    assert_eq!(
        after.leaves,
        before + 1,
        "only verify's own audit event was added"
    );

    // An alert on a message the archive does not hold is refused.
    let mut stray = hit("payment-data", &messages[0], Vec::new());
    stray.message = chatwarden_model::MessageId::from("not-stored");
    let err = a
        .put_alerts(&[("g".into(), Alert::from(stray))], "test")
        .unwrap_err();
    assert!(matches!(err, ArchiveError::Invalid(_)), "{err}");
}

#[test]
fn review_actions_are_replayed_into_the_state_and_illegal_ones_refused() {
    let (env, _, group) = setup();
    let mut a = env.open();
    // Closing an open item is not a legal move: refused, nothing stored.
    let err = a
        .review_alert(
            &group[..8],
            ReviewAction::Close {
                disposition: Disposition::Acknowledged,
                note: None,
            },
        )
        .unwrap_err();
    assert!(matches!(err, ArchiveError::Refused(_)), "{err}");
    let (item, history) = a.alert(&group).unwrap();
    assert!(history.is_empty());
    assert_eq!(item.status, Status::Open);

    a.review_alert(&group, ReviewAction::Assign { to: "bob".into() })
        .unwrap();
    a.review_alert(&group, ReviewAction::StartReview).unwrap();
    a.review_alert(
        &group,
        ReviewAction::Comment {
            text: "asked the desk".into(),
        },
    )
    .unwrap();
    a.review_alert(
        &group,
        ReviewAction::Escalate {
            reason: "client data to a personal address".into(),
        },
    )
    .unwrap();
    // A false positive needs a reason.
    assert!(
        a.review_alert(
            &group,
            ReviewAction::Close {
                disposition: Disposition::FalsePositive { reason: " ".into() },
                note: None,
            },
        )
        .is_err()
    );
    let closed = a
        .review_alert(
            &group,
            ReviewAction::Close {
                disposition: Disposition::BreachReported,
                note: Some("reported to the DPO".into()),
            },
        )
        .unwrap();
    assert!(closed.record.is_review);
    assert_eq!(closed.record.to, Status::Closed);

    // A fresh handle derives the same state from the stored history.
    drop(a);
    let mut a = env.open();
    let (item, history) = a.alert(&group).unwrap();
    assert_eq!(item.status, Status::Closed);
    assert_eq!(item.assignee.as_deref(), Some("bob"));
    assert_eq!(item.disposition, Some(Disposition::BreachReported));
    assert_eq!(item.comments.len(), 1);
    assert_eq!(item.comments[0].author, "alice.compliance");
    let names: Vec<&str> = history.iter().map(|e| e.record.action.name()).collect();
    assert_eq!(
        names,
        ["assign", "start_review", "comment", "escalate", "close"]
    );
    assert_eq!(
        history.iter().filter(|e| e.record.is_review).count(),
        1,
        "only the disposition is evidence of review"
    );
    assert!(history.iter().all(|e| e.record.actor == "alice.compliance"));

    // Opening the item was recorded as an access, not as a review.
    let audit = a.audit_log(None).unwrap();
    assert!(
        audit
            .iter()
            .any(|e| e.action == "read.alert" && e.target == group)
    );

    // A closed item takes no new alerts: a new hit in its window starts a new item.
    let conv = item.conversation.clone();
    let groups = a.review_groups(&conv).unwrap();
    assert_eq!(groups[0].status, Status::Closed);
    let mut grouper = Grouper::with_groups(jiff::SignedDuration::from_mins(60), groups);
    let mut h = item.alerts[0].clone();
    h.message = chatwarden_model::MessageId::from("other");
    let i = grouper.add(RuleHit {
        rule: h.rule,
        severity: h.severity,
        actions: h.actions,
        conversation: h.conversation,
        message: h.message,
        sent_at: h.sent_at,
        custodian: h.custodian,
        department: h.department,
        supervisor: h.supervisor,
        findings: Vec::new(),
    });
    assert_ne!(grouper.groups()[i].id, group);

    let report = a.verify().unwrap();
    assert!(report.ok, "{:?}", report.problems);
}

#[test]
fn verify_names_a_changed_alert_or_review_row() {
    let (env, _, group) = setup();
    let mut a = env.open();
    a.review_alert(&group, ReviewAction::Assign { to: "bob".into() })
        .unwrap();
    drop(a);
    let conn = rusqlite::Connection::open(env.data.join("archive.sqlite")).unwrap();
    conn.execute("UPDATE alerts SET severity = 'low'", [])
        .unwrap();
    conn.execute("UPDATE reviews SET actor = 'mallory'", [])
        .unwrap();
    drop(conn);
    let mut a = env.open();
    let report = a.verify().unwrap();
    assert!(!report.ok);
    let kinds: Vec<&str> = report.problems.iter().map(|p| p.kind.as_str()).collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "alert").count(),
        2,
        "{kinds:?}"
    );
    assert_eq!(
        kinds.iter().filter(|k| **k == "review").count(),
        1,
        "{kinds:?}"
    );
    // Reading the edited review fails loudly instead of showing a forged actor.
    assert!(a.alert(&group).is_err());
}

#[test]
fn alert_details_are_sealed() {
    let (env, _, _) = setup();
    drop(env.open());
    for entry in all_files(&env.data) {
        let bytes = std::fs::read(&entry).unwrap();
        let needle = b"Private Banking Unit 7";
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle),
            "{} holds the department in clear",
            entry.display()
        );
    }
}
