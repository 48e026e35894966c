#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Storing, reading, idempotency, encryption at rest.

mod common;

use chatwarden_archive::{Archive, ArchiveError, FindingFilter};
use common::*;

#[test]
fn init_writes_private_key_and_refuses_overwrite_or_key_inside_data() {
    let env = Env::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&env.key).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    assert!(Archive::exists(&env.data));
    // Same data folder again.
    let other_key = env.tmp.path().join("keys").join("other.key");
    assert!(matches!(
        Archive::init(&env.data, &other_key),
        Err(ArchiveError::InitRefused(_))
    ));
    // Existing key file.
    let fresh = env.tmp.path().join("fresh");
    assert!(matches!(
        Archive::init(&fresh, &env.key),
        Err(ArchiveError::InitRefused(_))
    ));
    // Key inside the data folder.
    let inside = env.tmp.path().join("d2");
    let err = Archive::init(&inside, &inside.join("sub").join("master.key")).unwrap_err();
    assert!(matches!(err, ArchiveError::InitRefused(_)), "{err}");
    // A missing key folder is created (owner-only).
    let nested_key = env.tmp.path().join("new").join("keys").join("master.key");
    Archive::init(&env.tmp.path().join("d3"), &nested_key).unwrap();
    assert!(nested_key.is_file());
    // The public key file is written and matches the archive.
    let pubkey = std::fs::read_to_string(env.data.join("log.pub")).unwrap();
    assert_eq!(pubkey.trim(), env.open().verifier_key());
}

#[test]
fn missing_and_wrong_keys_are_clear_errors() {
    let env = Env::new();
    let missing = env.tmp.path().join("nope.key");
    match Archive::open(&env.data, &missing, "x") {
        Err(ArchiveError::MissingKey { path }) => assert_eq!(path, missing),
        Err(e) => panic!("wrong error {e}"),
        Ok(_) => panic!("opened without a key"),
    }
    let env2 = Env::new();
    assert!(matches!(
        Archive::open(&env.data, &env2.key, "x"),
        Err(ArchiveError::WrongKey(_))
    ));
}

#[test]
fn key_file_with_loose_permissions_is_refused() {
    let env = Env::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&env.key, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(matches!(
            Archive::open(&env.data, &env.key, "x"),
            Err(ArchiveError::BadKeyFile { .. })
        ));
    }
}

#[test]
fn ingest_then_read_back_everything() {
    let env = Env::new();
    let (conv, msgs, findings) = sample();
    let mut a = env.open();
    let r = a.ingest_batch(&conv, &msgs, &findings).unwrap();
    assert_eq!(
        (r.new, r.duplicate, r.new_findings, r.new_participants),
        (5, 0, 1, 3)
    );
    drop(a);

    let mut a = env.open();
    assert_eq!(a.message_count().unwrap(), 5);
    let stored = a.messages(&conv.id).unwrap();
    assert_eq!(stored.len(), 5);
    for (s, m) in stored.iter().zip(&msgs) {
        assert_eq!(s.message.as_ref(), Some(m));
        assert!(!s.shredded);
    }
    assert_eq!(stored[2].findings, findings);
    assert!(stored[0].findings.is_empty());

    let back = a.find_conversation(&conv.id.as_str()[..8]).unwrap();
    assert_eq!(back, conv);
    let by_title = a.find_conversation("desk – RATES").unwrap();
    assert_eq!(by_title.id, conv.id);

    let list = a.conversations().unwrap();
    assert_eq!(list.len(), 1);
    let s = &list[0];
    assert_eq!(s.title.as_deref(), Some("Desk – rates"));
    assert_eq!(s.custodian.as_deref(), Some("dana.desk"));
    assert_eq!((s.participants, s.messages, s.findings), (3, 5, 1));
    assert_eq!(s.first_sent_at, Some(msgs[0].sent_at));
    assert_eq!(s.last_sent_at, Some(msgs[4].sent_at));
    assert!(s.is_group);

    let cards = a
        .findings(&FindingFilter {
            entity: Some("CREDIT_CARD".into()),
            conversation: None,
        })
        .unwrap();
    assert_eq!(cards, findings);
    let none = a
        .findings(&FindingFilter {
            entity: Some("US_SSN".into()),
            conversation: Some(conv.id.clone()),
        })
        .unwrap();
    assert!(none.is_empty());
}

#[test]
fn a_new_handle_repeating_stored_messages_falls_back_to_looking_ids_up() {
    let env = Env::new();
    let (conv, msgs, _) = sample();
    let first = env.open().ingest_batch(&conv, &msgs[..3], &[]).unwrap();
    // A fresh handle first builds the batch without looking ids up; the store refuses it
    // whole (two ids are stored) and the batch is rebuilt with the lookup.
    let mut a = env.open();
    let r = a.ingest_batch(&conv, &msgs[1..4], &[]).unwrap();
    assert_eq!((r.new, r.duplicate), (1, 2));
    // Leaves: the new message, new participants and the ingest audit event; nothing left
    // over from the refused attempt.
    assert_eq!(r.log_size, first.log_size + r.new + r.new_participants + 1);
    // A batch of only new messages after that.
    let r2 = a.ingest_batch(&conv, &msgs[4..], &[]).unwrap();
    assert_eq!((r2.new, r2.duplicate), (1, 0));
    assert_eq!(r2.log_size, r.log_size + r2.new + r2.new_participants + 1);
    // And a repeat again, on the now optimistic handle.
    let r3 = a.ingest_batch(&conv, &msgs, &[]).unwrap();
    assert_eq!((r3.new, r3.duplicate), (0, 5));
    assert_eq!(r3.log_size, r2.log_size + r3.new_participants + 1);
    assert_eq!(a.message_count().unwrap(), 5);
    let report = a.verify().unwrap();
    assert!(report.ok, "{:?}", report.problems);
    let ids: Vec<_> = a
        .messages(&conv.id)
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    let expected: Vec<_> = msgs.iter().map(|m| m.id.clone()).collect();
    assert_eq!(ids, expected);
}

#[test]
fn same_batch_twice_and_overlapping_exports_store_each_message_once() {
    let env = Env::new();
    let (conv, msgs, findings) = sample();
    let mut a = env.open();
    a.ingest_batch(&conv, &msgs[..3], &findings).unwrap();
    let again = a.ingest_batch(&conv, &msgs[..3], &findings).unwrap();
    assert_eq!((again.new, again.duplicate, again.new_findings), (0, 3, 0));
    // An overlapping later export: messages 2..5.
    let overlap = a.ingest_batch(&conv, &msgs[2..], &[]).unwrap();
    assert_eq!((overlap.new, overlap.duplicate), (2, 1));
    // A batch repeating one message inside itself.
    let dup_inside = [msgs[4].clone(), msgs[4].clone()];
    let r = a.ingest_batch(&conv, &dup_inside, &[]).unwrap();
    assert_eq!((r.new, r.duplicate), (0, 2));
    assert_eq!(a.message_count().unwrap(), 5);
    let stored = a.messages(&conv.id).unwrap();
    let ids: Vec<_> = stored.iter().map(|s| s.id.clone()).collect();
    let expected: Vec<_> = msgs.iter().map(|m| m.id.clone()).collect();
    assert_eq!(ids, expected);
}

#[test]
fn identical_repeats_are_kept_apart_by_occurrence() {
    let env = Env::new();
    let (conv, _, _) = sample();
    let local: jiff::civil::DateTime = "2026-03-02T10:00:00".parse().unwrap();
    let mut m1 = message_at(&conv, 0, "Omar Trader", "ok", "2026-03-02T10:00:00");
    let mut m2 = message_at(&conv, 1, "Omar Trader", "ok", "2026-03-02T10:00:00");
    m1.id = chatwarden_model::Message::derived_id(&conv.id, &local, Some("Omar Trader"), "ok", 0);
    m2.id = chatwarden_model::Message::derived_id(&conv.id, &local, Some("Omar Trader"), "ok", 1);
    let mut a = env.open();
    let r = a.ingest_batch(&conv, &[m1, m2], &[]).unwrap();
    assert_eq!(r.new, 2);
}

#[test]
fn blobs_round_trip_idempotent_and_keyed_names() {
    let env = Env::new();
    let (conv, msgs, _) = sample();
    let pdf = b"%PDF-1.4 synthetic term sheet for a 5y swap".repeat(5000); // > 64 KiB: several chunks
    let mut a = env.open();
    let r1 = a.put_blob(&conv.id, &mut pdf.as_slice()).unwrap();
    let r2 = a.put_blob(&conv.id, &mut pdf.as_slice()).unwrap();
    assert_eq!(r1, r2);
    assert_eq!(r1.size, pdf.len() as u64);
    let m = with_attachment(msgs[1].clone(), "termsheet.pdf", &pdf);
    assert_eq!(
        m.attachments[0].content_hash.as_deref(),
        Some(r1.sha256.as_str())
    );
    a.ingest_batch(&conv, &[m], &[]).unwrap();
    assert_eq!(a.read_blob(&conv.id, &r1.sha256).unwrap(), pdf);
    // Exactly one sealed file, not named by the plain SHA-256.
    let files: Vec<_> = all_files(&env.data.join("blobs"))
        .into_iter()
        .filter(|p| !p.starts_with(env.data.join("blobs").join("tmp")))
        .collect();
    assert_eq!(files.len(), 1);
    let name = files[0].file_name().unwrap().to_str().unwrap().to_string();
    assert_ne!(name, r1.sha256);
    // Another conversation storing the same file gets a different name.
    let (other, _, _) = {
        let c = conversation("Other chat", "dana.desk", &["Dana Desk", "Omar Trader"]);
        (c, (), ())
    };
    a.put_blob(&other.id, &mut pdf.as_slice()).unwrap();
    let names: std::collections::HashSet<_> = all_files(&env.data.join("blobs"))
        .into_iter()
        .filter(|p| !p.starts_with(env.data.join("blobs").join("tmp")))
        .map(|p| p.file_name().unwrap().to_owned())
        .collect();
    assert_eq!(names.len(), 2);
    // Unknown hash.
    assert!(matches!(
        a.read_blob(&conv.id, &"00".repeat(32)),
        Err(ArchiveError::NotFound { .. })
    ));
}

#[test]
fn nothing_readable_from_the_data_folder_alone() {
    let env = Env::new();
    let marker = "ZQXMARKER7731";
    let (mut conv, _, _) = sample();
    let sender = format!("Eve {marker}");
    conv.title = format!("Chat {marker}");
    conv.participants[1].display_name = sender.clone();
    conv.participants[1].phone = Some("+44 20 7946 0018".into());
    let mut m = message(&conv, 0, &sender, &format!("the code is {marker}"), 4, 10);
    m.sender_id = Some(conv.participants[1].id.clone());
    let attachment = format!("attachment bytes {marker} end").into_bytes();
    let m = with_attachment(m, "note.txt", &attachment);
    let mut f = card_finding(&m, 12, 25);
    f.preview = format!("••{marker}");
    {
        let mut a = env.open();
        a.put_blob(&conv.id, &mut attachment.as_slice()).unwrap();
        a.ingest_batch(&conv, std::slice::from_ref(&m), &[f])
            .unwrap();
        // Reads are fine and recorded; still nothing in clear on disk, WAL and SHM included.
        assert_eq!(a.messages(&conv.id).unwrap()[0].message.as_ref(), Some(&m));
        let files = all_files(&env.data);
        assert!(
            files.iter().any(|p| p.to_string_lossy().ends_with("-wal")),
            "{files:?}"
        );
        for path in files {
            let bytes = std::fs::read(&path).unwrap();
            assert!(
                !contains(&bytes, marker.as_bytes()),
                "{} holds the marker",
                path.display()
            );
        }
    }
    let mut checked = 0;
    for path in all_files(&env.data) {
        let bytes = std::fs::read(&path).unwrap();
        for needle in [marker.as_bytes(), b"+44 20 7946 0018".as_slice(), b"7946"] {
            assert!(
                !contains(&bytes, needle),
                "{} holds a planted value",
                path.display()
            );
        }
        checked += 1;
    }
    assert!(
        checked >= 3,
        "expected the database, the checkpoint and a blob, saw {checked} files"
    );
}
