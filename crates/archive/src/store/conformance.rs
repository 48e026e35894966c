//! The record-store conformance suite: every [`RecordStore`] backend (SQLite now,
//! PostgreSQL later) must pass [`run`]. Each check starts from a fresh, empty store made by
//! the factory. Test support: the checks panic on failure, like test assertions.

use super::*;

type Factory<'a> = &'a dyn Fn() -> Result<Box<dyn RecordStore>, ArchiveError>;

/// Runs every check against stores made by `factory`.
pub fn run(factory: Factory<'_>) -> Result<(), ArchiveError> {
    rows_round_trip(factory()?)?;
    duplicates_are_ignored(factory()?)?;
    log_conflict_applies_nothing(factory()?)?;
    new_messages_only_rejects_a_stored_id(factory()?)?;
    key_updates(factory()?)?;
    holds_release(factory()?)?;
    leaves_and_checkpoints_stream_in_order(factory()?)?;
    alerts_and_reviews(factory()?)?;
    Ok(())
}

fn key(scope: &str, conv: &str, sender: Option<&str>, kind: &str) -> DataKeyRow {
    DataKeyRow {
        scope: scope.into(),
        conversation: Some(conv.into()),
        sender: sender.map(Into::into),
        kind: kind.into(),
        kek_version: 1,
        wrapped: Some(vec![1, 2, 3]),
        shredded_at: None,
        shred_reason: None,
    }
}

fn leaf(index: u64, kind: &str, id: &str) -> LeafRow {
    LeafRow {
        index,
        kind: kind.into(),
        record_id: id.into(),
        hash: [u8::try_from(index % 251).unwrap_or(0); 32],
    }
}

fn message(
    id: &str,
    conv: &str,
    seq: i64,
    sent_at: i64,
    scope: &str,
    leaf_index: u64,
) -> MessageRow {
    MessageRow {
        id: id.into(),
        conversation: conv.into(),
        seq,
        sent_at,
        key_scope: scope.into(),
        sealed: vec![9; 40],
        leaf_index,
    }
}

/// A batch with one of everything (leaves 0..=5).
fn sample_batch() -> WriteBatch {
    WriteBatch {
        expected_log_size: 0,
        meta: vec![("format".into(), "1".into())],
        data_keys: vec![
            key("c/c1/meta", "c1", None, "meta"),
            key("c/c1/s/p1/2026-03", "c1", Some("p1"), "content"),
            key("c/c1/b/b1", "c1", None, "blob"),
        ],
        conversations: vec![ConversationRow {
            id: "c1".into(),
            channel: "whatsapp".into(),
            is_group: true,
            custodian_tag: Some("tag".into()),
            key_scope: "c/c1/meta".into(),
            sealed: vec![1; 30],
            leaf_index: 0,
        }],
        participants: vec![ParticipantRow {
            conversation: "c1".into(),
            id: "p1".into(),
            key_scope: "c/c1/p/p1".into(),
            sealed: vec![2; 30],
            leaf_index: 1,
        }],
        messages: vec![
            message("m2", "c1", 1, 2_000, "c/c1/s/p1/2026-03", 3),
            message("m1", "c1", 0, 1_000, "c/c1/s/p1/2026-03", 2),
        ],
        findings: vec![FindingRow {
            id: "f1".into(),
            message: "m1".into(),
            conversation: "c1".into(),
            entity: "CREDIT_CARD".into(),
            key_scope: "c/c1/s/p1/2026-03".into(),
            sealed: vec![3; 30],
            leaf_index: 4,
        }],
        blobs: vec![BlobRow {
            name: "b1".into(),
            conversation: "c1".into(),
            key_scope: "c/c1/b/b1".into(),
            sealed_size: 100,
            sealed_sha256: "ab".repeat(32),
            leaf_index: None,
        }],
        key_updates: vec![],
        blob_leaves: vec![],
        attachment_refs: vec![AttachmentRefRow {
            message: "m1".into(),
            blob: "b1".into(),
        }],
        events: vec![EventRow {
            seq: 0,
            at: 5_000,
            actor: "alice".into(),
            action: "ingest".into(),
            target: "c1".into(),
            sealed: vec![4; 20],
            leaf_index: 5,
        }],
        holds: vec![],
        hold_releases: vec![],
        alerts: vec![],
        reviews: vec![],
        leaves: vec![
            leaf(0, "conversation", "c1"),
            leaf(1, "participant", "c1/p1"),
            leaf(2, "message", "m1"),
            leaf(3, "message", "m2"),
            leaf(4, "finding", "f1"),
            leaf(5, "event", "0"),
        ],
        checkpoint: Some(CheckpointRow {
            size: 6,
            root: [7; 32],
            note: "note".into(),
            frontier: vec![7; 64],
            created_at: 5_000,
        }),
        messages_must_be_new: false,
    }
}

fn rows_round_trip(mut s: Box<dyn RecordStore>) -> Result<(), ArchiveError> {
    let b = sample_batch();
    s.apply(&b)?;
    assert_eq!(s.meta("format")?.as_deref(), Some("1"));
    assert_eq!(s.meta("missing")?, None);
    assert_eq!(s.data_key("c/c1/meta")?, Some(b.data_keys[0].clone()));
    assert_eq!(s.data_keys()?.len(), 3);
    assert_eq!(s.conversation("c1")?, Some(b.conversations[0].clone()));
    assert_eq!(s.conversations()?, b.conversations);
    assert_eq!(s.participants("c1")?, b.participants);
    // Messages come back in time order.
    let ms = s.messages("c1")?;
    assert_eq!(
        ms.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(),
        vec!["m1", "m2"]
    );
    assert_eq!(s.message("m2")?, Some(b.messages[0].clone()));
    assert_eq!(s.message_count()?, 2);
    let mut scopes = s.message_scopes("c1")?;
    scopes.sort();
    assert_eq!(
        scopes,
        vec![
            ("m1".to_string(), "c/c1/s/p1/2026-03".to_string(), 1_000),
            ("m2".to_string(), "c/c1/s/p1/2026-03".to_string(), 2_000)
        ]
    );
    assert!(s.message_scopes("c2")?.is_empty());
    let existing = s.existing_messages(&["m1", "zz"])?;
    assert!(existing.contains("m1") && !existing.contains("zz"));
    let stats = s.conversation_stats("c1")?;
    assert_eq!(
        (
            stats.participants,
            stats.messages,
            stats.findings,
            stats.first_sent_at,
            stats.last_sent_at
        ),
        (1, 2, 1, Some(1_000), Some(2_000))
    );
    let q = |entity: Option<&str>, conv: Option<&str>| FindingQuery {
        entity: entity.map(Into::into),
        conversation: conv.map(Into::into),
        message: None,
    };
    assert_eq!(s.findings(&q(Some("CREDIT_CARD"), None))?, b.findings);
    assert_eq!(s.findings(&q(None, Some("c1")))?, b.findings);
    assert!(s.findings(&q(Some("US_SSN"), None))?.is_empty());
    assert!(s.findings(&q(None, Some("c2")))?.is_empty());
    assert_eq!(s.finding_ids(&["f1", "f2"])?.len(), 1);
    assert_eq!(s.blob("b1")?, Some(b.blobs[0].clone()));
    assert_eq!(s.blobs("c1")?, b.blobs);
    assert_eq!(s.attachment_refs("c1")?, b.attachment_refs);
    assert_eq!(s.events_since(0)?, b.events);
    assert!(s.events_since(6_000)?.is_empty());
    assert_eq!(s.next_event_seq()?, 1);
    assert_eq!(s.log_size()?, 6);
    assert_eq!(s.leaf(3)?, Some(b.leaves[3].clone()));
    assert_eq!(s.latest_checkpoint()?, b.checkpoint);
    let mut kinds = Vec::new();
    s.for_each_record(&mut |r| {
        kinds.push(match r {
            StoredRecord::Conversation(_) => "conversation",
            StoredRecord::Participant(_) => "participant",
            StoredRecord::Message(_) => "message",
            StoredRecord::Finding(_) => "finding",
            StoredRecord::Blob(_) => "blob",
            StoredRecord::Event(_) => "event",
            StoredRecord::Alert(_) => "alert",
            StoredRecord::Review(_) => "review",
        });
        Ok(())
    })?;
    kinds.sort_unstable();
    assert_eq!(
        kinds,
        vec![
            "blob",
            "conversation",
            "event",
            "finding",
            "message",
            "message",
            "participant"
        ]
    );
    // Logging the blob later fills its leaf index once.
    s.apply(&WriteBatch {
        expected_log_size: 6,
        blob_leaves: vec![("b1".into(), 6)],
        leaves: vec![leaf(6, "attachment", "b1")],
        ..WriteBatch::default()
    })?;
    assert_eq!(s.blob("b1")?.and_then(|b| b.leaf_index), Some(6));
    Ok(())
}

fn duplicates_are_ignored(mut s: Box<dyn RecordStore>) -> Result<(), ArchiveError> {
    let b = sample_batch();
    s.apply(&b)?;
    let mut again = sample_batch();
    again.expected_log_size = 6;
    again.leaves.clear();
    again.events.clear();
    again.checkpoint = None;
    again.messages[0].sealed = vec![0; 5];
    again.data_keys[0].wrapped = Some(vec![0]);
    s.apply(&again)?;
    assert_eq!(s.message_count()?, 2);
    assert_eq!(
        s.message("m2")?,
        Some(b.messages[0].clone()),
        "existing rows are not overwritten"
    );
    assert_eq!(s.data_key("c/c1/meta")?, Some(b.data_keys[0].clone()));
    Ok(())
}

fn new_messages_only_rejects_a_stored_id(mut s: Box<dyn RecordStore>) -> Result<(), ArchiveError> {
    s.apply(&sample_batch())?;
    let before = s.log_size()?;
    let batch = WriteBatch {
        expected_log_size: before,
        messages: vec![
            message("m-new", "c1", 9, 9_000, "c/c1/s/p1/1970-01", before),
            message("m1", "c1", 10, 10_000, "c/c1/s/p1/1970-01", before + 1),
        ],
        leaves: vec![
            leaf(before, "message", "m-new"),
            leaf(before + 1, "message", "m1"),
        ],
        messages_must_be_new: true,
        ..WriteBatch::default()
    };
    match s.apply(&batch) {
        Err(ArchiveError::AlreadyStored { kind, id }) => {
            assert_eq!((kind, id.as_str()), ("message", "m1"));
        }
        other => panic!("expected AlreadyStored, got {other:?}"),
    }
    // Nothing of the batch was applied.
    assert_eq!(s.log_size()?, before);
    assert!(s.message("m-new")?.is_none());
    // Without stored ids the same kind of batch applies.
    s.apply(&WriteBatch {
        expected_log_size: before,
        messages: vec![message(
            "m-new",
            "c1",
            9,
            9_000,
            "c/c1/s/p1/1970-01",
            before,
        )],
        leaves: vec![leaf(before, "message", "m-new")],
        messages_must_be_new: true,
        ..WriteBatch::default()
    })?;
    assert!(s.message("m-new")?.is_some());
    assert_eq!(s.log_size()?, before + 1);
    Ok(())
}

fn log_conflict_applies_nothing(mut s: Box<dyn RecordStore>) -> Result<(), ArchiveError> {
    let mut b = sample_batch();
    b.expected_log_size = 3;
    match s.apply(&b) {
        Err(ArchiveError::LogConflict {
            expected: 3,
            found: 0,
        }) => {}
        other => panic!("expected a log conflict, got {other:?}"),
    }
    assert_eq!(s.message_count()?, 0);
    assert_eq!(s.log_size()?, 0);
    assert!(s.data_keys()?.is_empty());
    // A batch that fails part-way (duplicate leaf index) leaves nothing behind either.
    let mut bad = sample_batch();
    bad.leaves.push(leaf(5, "event", "dup"));
    assert!(s.apply(&bad).is_err());
    assert_eq!(s.message_count()?, 0);
    assert!(s.conversations()?.is_empty());
    Ok(())
}

fn key_updates(mut s: Box<dyn RecordStore>) -> Result<(), ArchiveError> {
    s.apply(&sample_batch())?;
    s.apply(&WriteBatch {
        key_updates: vec![
            KeyUpdate::Rewrap {
                scope: "c/c1/meta".into(),
                kek_version: 2,
                wrapped: vec![8, 8],
            },
            KeyUpdate::Shred {
                scope: "c/c1/b/b1".into(),
                at: 9_000,
                reason: "erasure".into(),
            },
        ],
        ..WriteBatch::default()
    })?;
    let meta = s
        .data_key("c/c1/meta")?
        .ok_or(ArchiveError::Invalid("gone".into()))?;
    assert_eq!((meta.kek_version, meta.wrapped), (2, Some(vec![8, 8])));
    let blob = s
        .data_key("c/c1/b/b1")?
        .ok_or(ArchiveError::Invalid("gone".into()))?;
    assert_eq!(
        (blob.wrapped, blob.shredded_at, blob.shred_reason.as_deref()),
        (None, Some(9_000), Some("erasure"))
    );
    // A shredded key cannot be brought back by a re-wrap.
    s.apply(&WriteBatch {
        key_updates: vec![KeyUpdate::Rewrap {
            scope: "c/c1/b/b1".into(),
            kek_version: 3,
            wrapped: vec![1],
        }],
        ..WriteBatch::default()
    })?;
    assert_eq!(s.data_key("c/c1/b/b1")?.and_then(|k| k.wrapped), None);
    Ok(())
}

fn holds_release(mut s: Box<dyn RecordStore>) -> Result<(), ArchiveError> {
    let hold = HoldRow {
        id: "hold-1".into(),
        kind: "custodian".into(),
        target_tag: "tag".into(),
        sealed: vec![5; 10],
        created_at: 1,
        created_by: "alice".into(),
        released_at: None,
        released_by: None,
    };
    s.apply(&WriteBatch {
        holds: vec![hold.clone()],
        ..WriteBatch::default()
    })?;
    assert_eq!(s.holds()?, vec![hold]);
    s.apply(&WriteBatch {
        hold_releases: vec![("hold-1".into(), 2, "bob".into())],
        ..WriteBatch::default()
    })?;
    s.apply(&WriteBatch {
        hold_releases: vec![("hold-1".into(), 3, "carol".into())],
        ..WriteBatch::default()
    })?;
    let h = s.holds()?;
    assert_eq!(
        (h[0].released_at, h[0].released_by.as_deref()),
        (Some(2), Some("bob"))
    );
    Ok(())
}

fn leaves_and_checkpoints_stream_in_order(mut s: Box<dyn RecordStore>) -> Result<(), ArchiveError> {
    for round in 0..3u64 {
        let start = round * 4;
        s.apply(&WriteBatch {
            expected_log_size: start,
            leaves: (start..start + 4)
                .rev()
                .map(|i| leaf(i, "event", &i.to_string()))
                .collect(),
            checkpoint: Some(CheckpointRow {
                size: start + 4,
                root: [u8::try_from(round).unwrap_or(0); 32],
                note: format!("note {round}"),
                frontier: vec![],
                created_at: i64::try_from(round).unwrap_or(0),
            }),
            ..WriteBatch::default()
        })?;
    }
    let mut seen = Vec::new();
    s.for_each_leaf(&mut |l| {
        seen.push(l.index);
        Ok(())
    })?;
    assert_eq!(seen, (0..12).collect::<Vec<_>>());
    let sizes: Vec<u64> = s.checkpoints()?.iter().map(|c| c.size).collect();
    assert_eq!(sizes, vec![4, 8, 12]);
    assert_eq!(
        s.latest_checkpoint()?.map(|c| c.note),
        Some("note 2".into())
    );
    Ok(())
}

fn alert(id: &str, group: &str, conv: &str, rule: &str, sent_at: i64, leaf_index: u64) -> AlertRow {
    AlertRow {
        id: id.into(),
        group_id: group.into(),
        conversation: conv.into(),
        message: format!("m-{id}"),
        rule: rule.into(),
        severity: "high".into(),
        sent_at,
        created_at: 9_000,
        sealed: vec![6; 24],
        leaf_index,
    }
}

fn review(seq: u64, group: &str, action: &str, leaf_index: u64) -> ReviewRow {
    ReviewRow {
        seq,
        group_id: group.into(),
        at: 10_000 + i64::try_from(seq).unwrap_or(0),
        actor: "reviewer".into(),
        action: action.into(),
        is_review: action == "close",
        sealed: vec![7; 16],
        leaf_index,
    }
}

/// Alerts are kept once per id, listed by item, conversation and rule in time order;
/// review actions are listed per item in sequence order; both stream as records.
fn alerts_and_reviews(mut s: Box<dyn RecordStore>) -> Result<(), ArchiveError> {
    let a1 = alert("a1", "g1", "c1", "rule-x", 2_000, 0);
    let a2 = alert("a2", "g1", "c1", "rule-x", 1_000, 1);
    let a3 = alert("a3", "g2", "c2", "rule-y", 3_000, 2);
    s.apply(&WriteBatch {
        expected_log_size: 0,
        alerts: vec![a1.clone(), a2.clone(), a3.clone()],
        reviews: vec![review(0, "g1", "assign", 3), review(1, "g2", "comment", 4)],
        leaves: (0..5).map(|i| leaf(i, "alert", &i.to_string())).collect(),
        ..WriteBatch::default()
    })?;
    // The same alert id again is left alone.
    let mut changed = a1.clone();
    changed.sealed = vec![0; 3];
    changed.group_id = "g9".into();
    s.apply(&WriteBatch {
        expected_log_size: 5,
        alerts: vec![changed],
        reviews: vec![review(2, "g1", "close", 5)],
        leaves: vec![leaf(5, "review", "2")],
        ..WriteBatch::default()
    })?;
    let all = s.alerts(&AlertQuery::default())?;
    assert_eq!(all, vec![a2.clone(), a1.clone(), a3.clone()], "time order");
    let g1 = s.alerts(&AlertQuery {
        group: Some("g1".into()),
        ..AlertQuery::default()
    })?;
    assert_eq!(g1, vec![a2, a1]);
    let by_conv_rule = s.alerts(&AlertQuery {
        conversation: Some("c2".into()),
        rule: Some("rule-y".into()),
        ..AlertQuery::default()
    })?;
    assert_eq!(by_conv_rule, vec![a3]);
    assert!(
        s.alerts(&AlertQuery {
            rule: Some("none".into()),
            ..AlertQuery::default()
        })?
        .is_empty()
    );
    let ids = s.alert_ids(&["a1", "a3", "zz"])?;
    assert_eq!(ids.len(), 2);
    assert!(ids.contains("a1") && ids.contains("a3"));
    let r1: Vec<(u64, String, bool)> = s
        .reviews(Some("g1"))?
        .into_iter()
        .map(|r| (r.seq, r.action, r.is_review))
        .collect();
    assert_eq!(
        r1,
        vec![
            (0, "assign".to_string(), false),
            (2, "close".to_string(), true)
        ]
    );
    assert_eq!(s.reviews(None)?.len(), 3);
    assert!(s.reviews(Some("g7"))?.is_empty());
    assert_eq!(s.next_review_seq()?, 3);
    let mut kinds = (0, 0);
    s.for_each_record(&mut |r| {
        match r {
            StoredRecord::Alert(_) => kinds.0 += 1,
            StoredRecord::Review(_) => kinds.1 += 1,
            _ => {}
        }
        Ok(())
    })?;
    assert_eq!(kinds, (3, 3));
    // Sequence numbers are unique: a second action with a used number fails whole.
    assert!(
        s.apply(&WriteBatch {
            expected_log_size: 6,
            reviews: vec![review(2, "g2", "comment", 6)],
            leaves: vec![leaf(6, "review", "2")],
            ..WriteBatch::default()
        })
        .is_err()
    );
    assert_eq!(s.log_size()?, 6);
    Ok(())
}
