#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use chatwarden_model::MessageId;
use chatwarden_policy::alerts::false_positive_counts;
use chatwarden_policy::{
    Action, AlertGroup, Disposition, Grouper, QueueFilter, ReviewAction, ReviewError, RuleHit,
    Severity, Status, queue,
};
use jiff::{SignedDuration, Timestamp};

fn hit(
    conv: &str,
    rule: &str,
    msg: &str,
    at: &str,
    severity: Severity,
    dept: Option<&str>,
) -> RuleHit {
    RuleHit {
        rule: rule.into(),
        severity,
        actions: vec![Action::Alert],
        conversation: common::conv_id(conv),
        message: MessageId::from(msg),
        sent_at: at.parse().unwrap(),
        custodian: Some("e100".into()),
        department: dept.map(str::to_owned),
        // Each department's head supervises it.
        supervisor: dept.map(|d| format!("head-of-{}", d.to_ascii_lowercase())),
        findings: Vec::new(),
    }
}

fn t(s: &str) -> Timestamp {
    s.parse().unwrap()
}

#[test]
fn a_burst_becomes_one_group_and_a_later_hit_another() {
    let mut g = Grouper::new(SignedDuration::from_mins(30));
    let a = g.add(hit(
        "c1",
        "cards",
        "m1",
        "2024-03-04T10:00:00Z",
        Severity::Medium,
        None,
    ));
    let b = g.add(hit(
        "c1",
        "cards",
        "m2",
        "2024-03-04T10:20:00Z",
        Severity::High,
        None,
    ));
    // 25 minutes after the last one: still the burst (the window slides).
    let c = g.add(hit(
        "c1",
        "cards",
        "m3",
        "2024-03-04T10:45:00Z",
        Severity::Medium,
        None,
    ));
    let later = g.add(hit(
        "c1",
        "cards",
        "m4",
        "2024-03-04T12:00:00Z",
        Severity::Medium,
        None,
    ));
    let other_rule = g.add(hit(
        "c1",
        "ssn",
        "m2",
        "2024-03-04T10:20:00Z",
        Severity::High,
        None,
    ));
    let other_conv = g.add(hit(
        "c2",
        "cards",
        "m9",
        "2024-03-04T10:05:00Z",
        Severity::Low,
        None,
    ));
    assert_eq!((a, b, c), (0, 0, 0));
    assert_eq!((later, other_rule, other_conv), (1, 2, 3));
    // The same hit again (re-evaluation) is not a second alert.
    assert_eq!(
        g.add(hit(
            "c1",
            "cards",
            "m2",
            "2024-03-04T10:20:00Z",
            Severity::High,
            None
        )),
        0
    );
    let groups = g.into_groups();
    assert_eq!(groups.len(), 4);
    let burst = &groups[0];
    assert_eq!(burst.alerts.len(), 3);
    assert_eq!(
        burst.severity,
        Severity::High,
        "the highest severity of its alerts"
    );
    assert_eq!(burst.first_at, t("2024-03-04T10:00:00Z"));
    assert_eq!(burst.last_at, t("2024-03-04T10:45:00Z"));
    assert_eq!(burst.status, Status::Open);
    assert_eq!(
        burst.messages().map(|m| m.as_str()).collect::<Vec<_>>(),
        ["m1", "m2", "m3"]
    );
    // Ids are stable: the same first hit gives the same group and alert ids.
    let mut again = Grouper::new(SignedDuration::from_mins(30));
    again.add(hit(
        "c1",
        "cards",
        "m1",
        "2024-03-04T10:00:00Z",
        Severity::Medium,
        None,
    ));
    assert_eq!(again.groups()[0].id, burst.id);
    assert_eq!(again.groups()[0].alerts[0].id, burst.alerts[0].id);
    assert_ne!(groups[0].id, groups[1].id);
}

#[test]
fn closed_groups_take_no_new_alerts() {
    let mut g = Grouper::new(SignedDuration::from_mins(30));
    g.add(hit(
        "c1",
        "cards",
        "m1",
        "2024-03-04T10:00:00Z",
        Severity::Medium,
        None,
    ));
    let group = &mut g.groups_mut()[0];
    group
        .apply(
            "hannah",
            t("2024-03-04T11:00:00Z"),
            ReviewAction::StartReview,
        )
        .unwrap();
    group
        .apply(
            "hannah",
            t("2024-03-04T11:05:00Z"),
            ReviewAction::Close {
                disposition: Disposition::Acknowledged,
                note: None,
            },
        )
        .unwrap();
    let stored = g.into_groups();
    let mut g = Grouper::with_groups(SignedDuration::from_mins(30), stored);
    let i = g.add(hit(
        "c1",
        "cards",
        "m2",
        "2024-03-04T10:10:00Z",
        Severity::Medium,
        None,
    ));
    assert_eq!(i, 1);
    assert_eq!(g.groups()[0].alerts.len(), 1);
}

fn open_group() -> AlertGroup {
    let mut g = Grouper::new(SignedDuration::from_mins(30));
    g.add(hit(
        "c1",
        "cards",
        "m1",
        "2024-03-04T10:00:00Z",
        Severity::High,
        Some("Sales"),
    ));
    g.into_groups().remove(0)
}

#[test]
fn review_moves_through_the_states_and_records_each_step() {
    let mut g = open_group();
    let at = t("2024-03-05T09:00:00Z");
    let r = g.apply("alex", at, ReviewAction::StartReview).unwrap();
    assert_eq!(
        (r.from, r.to, r.is_review),
        (Status::Open, Status::InReview, false)
    );
    assert_eq!(
        g.assignee.as_deref(),
        Some("alex"),
        "taking an item assigns it"
    );
    let r = g
        .apply(
            "alex",
            at,
            ReviewAction::Comment {
                text: "client asked for it".into(),
            },
        )
        .unwrap();
    assert_eq!(r.to, Status::InReview);
    assert_eq!(g.comments.len(), 1);
    let r = g
        .apply(
            "alex",
            at,
            ReviewAction::Escalate {
                reason: "possible breach".into(),
            },
        )
        .unwrap();
    assert_eq!((r.from, r.to), (Status::InReview, Status::Escalated));
    g.apply(
        "alex",
        at,
        ReviewAction::Assign {
            to: "hannah".into(),
        },
    )
    .unwrap();
    let r = g
        .apply(
            "hannah",
            at,
            ReviewAction::Close {
                disposition: Disposition::BreachReported,
                note: Some("reported to DPO".into()),
            },
        )
        .unwrap();
    assert_eq!((r.from, r.to), (Status::Escalated, Status::Closed));
    assert!(r.is_review, "a disposition is evidence of review");
    assert_eq!(r.actor, "hannah");
    assert_eq!(r.group, g.id);
    assert_eq!(g.disposition, Some(Disposition::BreachReported));
    // Records serialize for the archive log.
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["action"]["action"], "close");
    assert_eq!(json["action"]["disposition"]["kind"], "breach_reported");

    let r = g
        .apply(
            "hannah",
            at,
            ReviewAction::Reopen {
                reason: "new facts".into(),
            },
        )
        .unwrap();
    assert_eq!((r.from, r.to), (Status::Closed, Status::Open));
    assert_eq!(g.disposition, None);
}

#[test]
fn illegal_moves_are_refused_and_change_nothing() {
    let mut g = open_group();
    let at = t("2024-03-05T09:00:00Z");
    let close = ReviewAction::Close {
        disposition: Disposition::Acknowledged,
        note: None,
    };
    // Opening is not reviewing: an open item cannot be closed or escalated.
    let before = g.clone();
    assert_eq!(
        g.apply("alex", at, close.clone()),
        Err(ReviewError::Illegal {
            from: "open",
            action: "close"
        })
    );
    assert!(
        g.apply("alex", at, ReviewAction::Escalate { reason: "x".into() })
            .is_err()
    );
    assert!(g.apply("alex", at, ReviewAction::Release).is_err());
    assert!(
        g.apply("alex", at, ReviewAction::Reopen { reason: "x".into() })
            .is_err()
    );
    assert_eq!(g, before);

    g.apply("alex", at, ReviewAction::StartReview).unwrap();
    assert!(g.apply("alex", at, ReviewAction::StartReview).is_err());
    assert_eq!(
        g.apply(
            "alex",
            at,
            ReviewAction::Close {
                disposition: Disposition::FalsePositive {
                    reason: "  ".into()
                },
                note: None
            }
        ),
        Err(ReviewError::Empty("false-positive reason"))
    );
    assert_eq!(g.status, Status::InReview);
    assert!(
        g.apply("alex", at, ReviewAction::Escalate { reason: "".into() })
            .is_err()
    );
    assert!(
        g.apply("", at, ReviewAction::Comment { text: "x".into() })
            .is_err()
    );
    g.apply(
        "alex",
        at,
        ReviewAction::Close {
            disposition: Disposition::FalsePositive {
                reason: "test card from the payments sandbox".into(),
            },
            note: None,
        },
    )
    .unwrap();
    assert!(
        g.apply("alex", at, ReviewAction::Assign { to: "bo".into() })
            .is_err()
    );
    assert!(g.apply("alex", at, close).is_err());
    // Comments stay possible on closed items.
    assert!(
        g.apply(
            "alex",
            at,
            ReviewAction::Comment {
                text: "noted".into()
            }
        )
        .is_ok()
    );
}

#[test]
fn queues_filter_and_order() {
    let mut g = Grouper::new(SignedDuration::from_mins(30));
    g.add(hit(
        "c1",
        "low-rule",
        "m1",
        "2024-03-04T08:00:00Z",
        Severity::Low,
        Some("Sales"),
    ));
    g.add(hit(
        "c2",
        "crit",
        "m2",
        "2024-03-04T12:00:00Z",
        Severity::Critical,
        Some("Payments"),
    ));
    g.add(hit(
        "c3",
        "high-a",
        "m3",
        "2024-03-04T09:00:00Z",
        Severity::High,
        Some("Sales"),
    ));
    g.add(hit(
        "c4",
        "high-b",
        "m4",
        "2024-03-04T11:00:00Z",
        Severity::High,
        Some("sales"),
    ));
    g.add_sample(&chatwarden_policy::sampling::SampledMessage {
        conversation: common::conv_id("c5"),
        message: MessageId::from("m5"),
        custodian: Some("e100".into()),
        sent_at: t("2024-03-04T07:00:00Z"),
        rate: 0.01,
    });
    let at = t("2024-03-05T09:00:00Z");
    let groups = g.groups_mut();
    groups[3]
        .apply("alex", at, ReviewAction::StartReview)
        .unwrap();
    groups[3]
        .apply("alex", at, ReviewAction::Escalate { reason: "x".into() })
        .unwrap();
    let groups = g.groups();

    let all = queue(groups, &QueueFilter::default());
    let rules: Vec<&str> = all.iter().map(|g| g.rule.as_str()).collect();
    assert_eq!(
        rules,
        ["crit", "high-b", "high-a", "low-rule"],
        "severity, escalated first, oldest first"
    );

    let with_samples = queue(
        groups,
        &QueueFilter {
            include_samples: true,
            ..Default::default()
        },
    );
    assert_eq!(with_samples.len(), 5);
    // The sample (low, 07:00) sorts with the low items, oldest first.
    assert!(with_samples[3].is_sample());
    assert_eq!(with_samples[3].severity, Severity::Low);
    assert_eq!(with_samples[4].rule, "low-rule");

    let sales_high = queue(
        groups,
        &QueueFilter {
            min_severity: Some(Severity::High),
            department: Some("SALES".into()),
            ..Default::default()
        },
    );
    assert_eq!(
        sales_high
            .iter()
            .map(|g| g.rule.as_str())
            .collect::<Vec<_>>(),
        ["high-b", "high-a"]
    );
    // A supervisor's own queue: the items of the employees who report to them.
    let supervised = queue(
        groups,
        &QueueFilter {
            min_severity: Some(Severity::High),
            supervisor: Some("HEAD-OF-SALES".into()),
            ..Default::default()
        },
    );
    assert_eq!(
        supervised
            .iter()
            .map(|g| g.rule.as_str())
            .collect::<Vec<_>>(),
        ["high-b", "high-a"]
    );
    let nobody = queue(
        groups,
        &QueueFilter {
            supervisor: Some("head-of-nothing".into()),
            ..Default::default()
        },
    );
    assert!(nobody.is_empty());

    let escalated = queue(
        groups,
        &QueueFilter {
            statuses: vec![Status::Escalated],
            ..Default::default()
        },
    );
    assert_eq!(escalated.len(), 1);
    let mine = queue(
        groups,
        &QueueFilter {
            assignee: Some("alex".into()),
            ..Default::default()
        },
    );
    assert_eq!(mine.len(), 1);
}

#[test]
fn false_positive_counts_per_rule() {
    let at = t("2024-03-05T09:00:00Z");
    let mut g = Grouper::new(SignedDuration::from_mins(1));
    for (i, m) in ["m1", "m2", "m3"].iter().enumerate() {
        g.add(hit(
            "c1",
            "promises",
            m,
            &format!("2024-03-0{}T10:00:00Z", i + 1),
            Severity::Medium,
            None,
        ));
    }
    for (i, grp) in g.groups_mut().iter_mut().enumerate() {
        grp.apply("alex", at, ReviewAction::StartReview).unwrap();
        let disposition = if i < 2 {
            Disposition::FalsePositive {
                reason: "disclaimer".into(),
            }
        } else {
            Disposition::Acknowledged
        };
        grp.apply(
            "alex",
            at,
            ReviewAction::Close {
                disposition,
                note: None,
            },
        )
        .unwrap();
    }
    let counts = false_positive_counts(g.groups());
    assert_eq!(counts.get("promises"), Some(&(3, 2)));
}
