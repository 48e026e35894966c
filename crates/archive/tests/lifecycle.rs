#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Retention, legal hold, erasure and key rotation.

mod common;

use chatwarden_archive::{Archive, ArchiveError, EraseTarget, HoldTarget, RetentionRules};
use chatwarden_model::{Channel, Participant};
use common::*;

fn rules(text: &str) -> RetentionRules {
    toml::from_str(text).unwrap()
}

fn ts(s: &str) -> jiff::Timestamp {
    s.parse().unwrap()
}

/// A chat with old (2019) and recent (2026) messages.
fn aged(
    env: &Env,
) -> (
    chatwarden_model::Conversation,
    Vec<chatwarden_model::Message>,
) {
    let conv = conversation(
        "Old desk",
        "dana.desk",
        &["Dana Desk", "Omar Trader", "Lia Sales"],
    );
    let msgs = vec![
        message_at(&conv, 0, "Dana Desk", "old quote 1", "2019-01-10T09:00:00"),
        message_at(
            &conv,
            1,
            "Omar Trader",
            "old quote 2",
            "2019-01-11T09:00:00",
        ),
        message_at(&conv, 2, "Dana Desk", "new quote 1", "2026-03-02T09:00:00"),
        message_at(&conv, 3, "Lia Sales", "new quote 2", "2026-03-03T09:00:00"),
    ];
    env.open().ingest_batch(&conv, &msgs, &[]).unwrap();
    (conv, msgs)
}

fn readable(a: &mut Archive, conv: &chatwarden_model::Conversation) -> Vec<bool> {
    a.messages(&conv.id)
        .unwrap()
        .iter()
        .map(|m| !m.shredded)
        .collect()
}

#[test]
fn retention_shreds_expired_months_only_and_verify_still_passes() {
    let env = Env::new();
    let (conv, msgs) = aged(&env);
    let mut a = env.open();
    let r = a
        .apply_retention(&rules("default = \"5y\""), ts("2026-04-01T00:00:00Z"))
        .unwrap();
    assert_eq!(r.messages_shredded, 2);
    assert_eq!(r.conversations_touched, 1);
    // Omar's only month expired: his details go too. Dana still has a live month.
    assert_eq!(readable(&mut a, &conv), vec![false, false, true, true]);
    let back = a.find_conversation(conv.id.as_str()).unwrap();
    assert_eq!(back.title, "Old desk");
    let names: Vec<_> = back
        .participants
        .iter()
        .map(|p| p.display_name.as_str())
        .collect();
    assert_eq!(names, vec!["Dana Desk", "Lia Sales"]);
    let v = a.verify().unwrap();
    assert!(v.ok, "{:?}", v.problems);
    assert_eq!(v.shredded, 3, "two message leaves and one participant leaf");
    // Running again changes nothing; re-importing the export stores nothing new.
    let again = a
        .apply_retention(&rules("default = \"5y\""), ts("2026-04-01T00:00:00Z"))
        .unwrap();
    assert_eq!(again.keys_shredded, 0);
    let re = a.ingest_batch(&conv, &msgs, &[]).unwrap();
    assert_eq!((re.new, re.duplicate), (0, 4));
    // A message arriving later for an expired month gets a fresh key and is readable.
    let late = message_at(&conv, 9, "Omar Trader", "late copy", "2019-01-12T09:00:00");
    a.ingest_batch(&conv, &[late], &[]).unwrap();
    assert_eq!(
        readable(&mut a, &conv),
        vec![false, false, true, true, true]
    );
    assert!(a.verify().unwrap().ok);
}

#[test]
fn whole_conversation_expiry_shreds_title_and_people() {
    let env = Env::new();
    let (conv, _) = aged(&env);
    let mut a = env.open();
    a.apply_retention(&rules("default = \"90d\""), ts("2030-01-01T00:00:00Z"))
        .unwrap();
    let list = a.conversations().unwrap();
    assert_eq!(list[0].title, None);
    assert_eq!(list[0].messages, 4, "records stay, unreadable");
    assert!(readable(&mut a, &conv).iter().all(|r| !r));
    assert!(
        a.find_conversation(conv.id.as_str())
            .unwrap()
            .participants
            .is_empty()
    );
    assert!(a.verify().unwrap().ok);
}

#[test]
fn no_rule_keeps_forever_and_specific_rule_wins() {
    let env = Env::new();
    let (conv, _) = aged(&env);
    let mut a = env.open();
    let r = a
        .apply_retention(&RetentionRules::default(), ts("2090-01-01T00:00:00Z"))
        .unwrap();
    assert_eq!(r.keys_shredded, 0);
    let text = format!(
        "default = \"1y\"\n[[rule]]\nconversation = \"{}\"\nperiod = \"100y\"\n",
        conv.id
    );
    let r = a
        .apply_retention(&rules(&text), ts("2090-01-01T00:00:00Z"))
        .unwrap();
    assert_eq!(r.keys_shredded, 0);
    let r = a
        .apply_retention(
            &rules("[[rule]]\ncustodian = \"dana.desk\"\nperiod = \"1y\"\n"),
            ts("2090-01-01T00:00:00Z"),
        )
        .unwrap();
    assert!(r.keys_shredded > 0);
}

#[test]
fn legal_hold_blocks_expiry_until_released() {
    let env = Env::new();
    let (conv, _) = aged(&env);
    let mut a = env.open();
    let hold = a
        .hold_add(
            HoldTarget::Custodian("dana.desk".into()),
            "SEC inquiry 2026-17",
        )
        .unwrap();
    assert!(matches!(
        a.hold_add(HoldTarget::Custodian("x".into()), " "),
        Err(ArchiveError::Invalid(_))
    ));
    let r = a
        .apply_retention(&rules("default = \"5y\""), ts("2026-04-01T00:00:00Z"))
        .unwrap();
    assert_eq!((r.keys_shredded, r.held), (0, 1));
    assert!(readable(&mut a, &conv).iter().all(|r| *r));

    let holds = a.hold_list().unwrap();
    assert_eq!(holds.len(), 1);
    assert_eq!(holds[0].reason, "SEC inquiry 2026-17");
    assert_eq!(holds[0].target, HoldTarget::Custodian("dana.desk".into()));
    assert_eq!(holds[0].created_by, "alice.compliance");
    assert!(holds[0].is_active());

    a.hold_release(&hold.id[..9], "inquiry closed").unwrap();
    assert!(!a.hold_list().unwrap()[0].is_active());
    let r = a
        .apply_retention(&rules("default = \"5y\""), ts("2026-04-01T00:00:00Z"))
        .unwrap();
    assert_eq!(r.messages_shredded, 2);
    let actions: Vec<String> = a
        .audit_log(None)
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    for expected in ["hold.add", "hold.release", "retention.apply"] {
        assert!(
            actions.iter().any(|a| a == expected),
            "{expected} missing from {actions:?}"
        );
    }
    // Conversation holds too.
    let hold2 = a
        .hold_add(HoldTarget::Conversation(conv.id.clone()), "litigation")
        .unwrap();
    assert!(hold2.id.starts_with("hold-"));
    assert!(matches!(
        a.hold_add(
            HoldTarget::Conversation(chatwarden_model::ConversationId::from("nope")),
            "x"
        ),
        Err(ArchiveError::NotFound { .. })
    ));
}

#[test]
fn erasing_a_participant_needs_override_inside_retention_and_never_under_hold() {
    let env = Env::new();
    let (conv, msgs) = aged(&env);
    let mut a = env.open();
    let pdf = b"%PDF-1.4 Lia's synthetic attachment".to_vec();
    a.put_blob(&conv.id, &mut pdf.as_slice()).unwrap();
    let with_file = with_attachment(
        message_at(&conv, 5, "Lia Sales", "see file", "2026-03-04T09:00:00"),
        "lia.pdf",
        &pdf,
    );
    a.ingest_batch(&conv, &[with_file], &[]).unwrap();
    let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&pdf));
    let lia = EraseTarget::Participant(Participant::id_for(Channel::Whatsapp, "Lia Sales"));
    let six_years = rules("default = \"6y\"");
    let now = ts("2026-04-01T00:00:00Z");

    assert!(matches!(
        a.erase(&lia, &six_years, now, None),
        Err(ArchiveError::Refused(_))
    ));
    assert!(matches!(
        a.erase(&lia, &six_years, now, Some("  ")),
        Err(ArchiveError::Invalid(_))
    ));
    let hold = a
        .hold_add(
            HoldTarget::Conversation(conv.id.clone()),
            "internal investigation",
        )
        .unwrap();
    let err = a
        .erase(&lia, &six_years, now, Some("DSAR 2026-04"))
        .unwrap_err();
    assert!(
        matches!(&err, ArchiveError::Refused(m) if m.contains(&hold.id)),
        "{err}"
    );
    a.hold_release(&hold.id, "closed").unwrap();

    let r = a
        .erase(
            &lia,
            &six_years,
            now,
            Some("DSAR 2026-04, counsel approved"),
        )
        .unwrap();
    assert_eq!((r.conversations, r.messages_shredded), (1, 2));
    assert_eq!(
        readable(&mut a, &conv),
        vec![true, true, true, false, false]
    );
    let stored = a.messages(&conv.id).unwrap();
    assert_eq!(stored[2].message.as_ref(), Some(&msgs[2]));
    let names: Vec<_> = a
        .find_conversation(conv.id.as_str())
        .unwrap()
        .participants
        .into_iter()
        .map(|p| p.display_name)
        .collect();
    assert_eq!(names, vec!["Dana Desk", "Omar Trader"]);
    assert!(matches!(
        a.read_blob(&conv.id, &sha),
        Err(ArchiveError::Shredded { .. })
    ));
    let v = a.verify().unwrap();
    assert!(v.ok, "{:?}", v.problems);
    assert!(v.shredded >= 4, "{}", v.shredded);
    let erase = a
        .audit_log(None)
        .unwrap()
        .into_iter()
        .find(|e| e.action == "erase")
        .unwrap();
    assert_eq!(erase.details["override"], "DSAR 2026-04, counsel approved");
    assert_eq!(erase.actor, "alice.compliance");
}

#[test]
fn erasing_a_custodian_without_retention_obligation() {
    let env = Env::new();
    let (conv, _) = aged(&env);
    let other = conversation("Other custodian", "sam.ops", &["Sam Ops", "Omar Trader"]);
    let m = message(&other, 0, "Sam Ops", "unrelated", 2, 0);
    let mut a = env.open();
    a.ingest_batch(&other, &[m], &[]).unwrap();
    let r = a
        .erase(
            &EraseTarget::Custodian("dana.desk".into()),
            &RetentionRules::default(),
            ts("2026-04-01T00:00:00Z"),
            None,
        )
        .unwrap();
    assert_eq!(r.conversations, 1);
    assert!(readable(&mut a, &conv).iter().all(|r| !r));
    assert_eq!(readable(&mut a, &other), vec![true]);
    let list = a.conversations().unwrap();
    let titles: Vec<_> = list.iter().map(|c| c.title.clone()).collect();
    assert!(titles.contains(&None) && titles.contains(&Some("Other custodian".into())));
    assert!(matches!(
        a.erase(
            &EraseTarget::Custodian("nobody".into()),
            &RetentionRules::default(),
            ts("2026-04-01T00:00:00Z"),
            None
        ),
        Err(ArchiveError::NotFound { .. })
    ));
    assert!(a.verify().unwrap().ok);
}

#[test]
fn rotation_rewraps_keys_and_retires_the_old_master_key() {
    let env = Env::new();
    let (conv, msgs, findings) = sample();
    let mut a = env.open();
    a.ingest_batch(&conv, &msgs, &findings).unwrap();
    let before: Vec<u8> = std::fs::read(env.data.join("archive.sqlite")).unwrap();
    let old_key = env.tmp.path().join("keys").join("old.key");
    std::fs::copy(&env.key, &old_key).unwrap();
    let sealed_before: Vec<Vec<u8>> = {
        let c = rusqlite::Connection::open(env.data.join("archive.sqlite")).unwrap();
        let mut st = c
            .prepare("SELECT sealed FROM messages ORDER BY id")
            .unwrap();
        st.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let r = a.rotate_keys().unwrap();
    assert_eq!((r.old_version, r.new_version), (1, 2));
    assert!(r.rewrapped >= 8);
    drop(a);
    drop(before);
    // Content was not re-encrypted.
    let sealed_after: Vec<Vec<u8>> = {
        let c = rusqlite::Connection::open(env.data.join("archive.sqlite")).unwrap();
        let mut st = c
            .prepare("SELECT sealed FROM messages ORDER BY id")
            .unwrap();
        st.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(sealed_before, sealed_after);
    let mut a = env.open();
    let stored = a.messages(&conv.id).unwrap();
    assert_eq!(
        stored
            .iter()
            .filter_map(|s| s.message.clone())
            .collect::<Vec<_>>(),
        msgs
    );
    assert!(a.verify().unwrap().ok);
    // The retired key file no longer opens the archive.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&old_key, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    assert!(matches!(
        Archive::open(&env.data, &old_key, "x"),
        Err(ArchiveError::WrongKey(_))
    ));
    // And a second rotation works.
    assert_eq!(a.rotate_keys().unwrap().new_version, 3);
    assert_eq!(env.open().messages(&conv.id).unwrap().len(), 5);
}
