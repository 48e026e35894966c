#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Tamper evidence: verify recomputes the log and names what was changed.

mod common;

use chatwarden_archive::Archive;
use chatwarden_archive::tlog::{NoteVerifier, ProofBundle};
use common::*;
use rusqlite::{Connection, params};

fn filled() -> (
    Env,
    chatwarden_model::Conversation,
    Vec<chatwarden_model::Message>,
    String,
) {
    let env = Env::new();
    let (conv, msgs, findings) = sample();
    let pdf = b"%PDF-1.4 synthetic statement".repeat(100);
    let mut a = env.open();
    let blob = a.put_blob(&conv.id, &mut pdf.as_slice()).unwrap();
    let mut msgs = msgs;
    msgs[1] = with_attachment(msgs[1].clone(), "statement.pdf", &pdf);
    a.ingest_batch(&conv, &msgs, &findings).unwrap();
    (env, conv, msgs, blob.sha256)
}

fn db(env: &Env) -> Connection {
    Connection::open(env.data.join("archive.sqlite")).unwrap()
}

fn named(report: &chatwarden_archive::VerifyReport, kind: &str, id: &str) -> bool {
    report.problems.iter().any(|p| p.kind == kind && p.id == id)
}

#[test]
fn clean_archive_verifies() {
    let (env, _, _, _) = filled();
    let mut a = env.open();
    let r = a.verify().unwrap();
    assert!(r.ok, "{:?}", r.problems);
    // conversation + 3 participants + 5 messages + 1 finding + 1 attachment + events.
    assert!(r.records_checked >= 11, "{}", r.records_checked);
    assert_eq!(r.leaves, r.records_checked);
    assert!(r.checkpoints_checked >= 2);
    assert_eq!(r.shredded, 0);
    // Verify's own event is checked by the next run.
    let r2 = a.verify().unwrap();
    assert!(r2.ok);
    assert_eq!(r2.records_checked, r.records_checked + 1);
}

#[test]
fn changed_message_row_is_named_and_restoring_it_passes() {
    let (env, _, msgs, _) = filled();
    let target = msgs[2].id.as_str().to_string();
    let conn = db(&env);
    let original: Vec<u8> = conn
        .query_row(
            "SELECT sealed FROM messages WHERE id = ?1",
            params![target],
            |r| r.get(0),
        )
        .unwrap();
    let mut changed = original.clone();
    let last = changed.len() - 1;
    changed[last] ^= 0x40;
    conn.execute(
        "UPDATE messages SET sealed = ?2 WHERE id = ?1",
        params![target, changed],
    )
    .unwrap();
    drop(conn);

    let r = env.open().verify().unwrap();
    assert!(!r.ok);
    assert!(named(&r, "message", &target), "{:?}", r.problems);
    assert_eq!(r.problem_count, 1, "{:?}", r.problems);

    let conn = db(&env);
    conn.execute(
        "UPDATE messages SET sealed = ?2 WHERE id = ?1",
        params![target, original],
    )
    .unwrap();
    drop(conn);
    let r = env.open().verify().unwrap();
    assert!(r.ok, "{:?}", r.problems);
}

#[test]
fn changed_plain_column_is_named() {
    let (env, _, msgs, _) = filled();
    let target = msgs[0].id.as_str().to_string();
    db(&env)
        .execute(
            "UPDATE messages SET sent_at = sent_at + 3600000 WHERE id = ?1",
            params![target],
        )
        .unwrap();
    let r = env.open().verify().unwrap();
    assert!(named(&r, "message", &target), "{:?}", r.problems);
}

#[test]
fn deleted_row_is_named() {
    let (env, _, msgs, _) = filled();
    let target = msgs[3].id.as_str().to_string();
    db(&env)
        .execute("DELETE FROM messages WHERE id = ?1", params![target])
        .unwrap();
    let r = env.open().verify().unwrap();
    assert!(named(&r, "message", &target), "{:?}", r.problems);
    assert!(r.problems.iter().any(|p| p.what.contains("deleted")));
}

#[test]
fn missing_or_changed_blob_file_is_named() {
    let (env, _, _, _) = filled();
    let files: Vec<_> = all_files(&env.data.join("blobs"))
        .into_iter()
        .filter(|p| !p.starts_with(env.data.join("blobs").join("tmp")))
        .collect();
    assert_eq!(files.len(), 1);
    let name = files[0].file_name().unwrap().to_str().unwrap().to_string();
    let original = std::fs::read(&files[0]).unwrap();

    let mut changed = original.clone();
    changed[20] ^= 1;
    std::fs::write(&files[0], &changed).unwrap();
    let r = env.open().verify().unwrap();
    assert!(named(&r, "attachment", &name), "{:?}", r.problems);
    assert!(r.problems.iter().any(|p| p.what.contains("changed")));

    std::fs::remove_file(&files[0]).unwrap();
    let r = env.open().verify().unwrap();
    assert!(named(&r, "attachment", &name), "{:?}", r.problems);
    assert!(r.problems.iter().any(|p| p.what.contains("missing")));

    std::fs::write(&files[0], &original).unwrap();
    assert!(env.open().verify().unwrap().ok);
}

#[test]
fn reordered_and_rewritten_leaves_are_caught() {
    let (env, _, msgs, _) = filled();
    let conn = db(&env);
    let a: i64 = conn
        .query_row(
            "SELECT leaf_index FROM messages WHERE id = ?1",
            params![msgs[0].id.as_str()],
            |r| r.get(0),
        )
        .unwrap();
    let b: i64 = conn
        .query_row(
            "SELECT leaf_index FROM messages WHERE id = ?1",
            params![msgs[1].id.as_str()],
            |r| r.get(0),
        )
        .unwrap();
    // Swap the two leaves' contents (an insider reordering the log).
    conn.execute_batch(&format!(
        "UPDATE leaves SET idx = -1 WHERE idx = {a}; UPDATE leaves SET idx = {a} WHERE idx = {b}; UPDATE leaves SET idx = {b} WHERE idx = -1;"
    ))
    .unwrap();
    drop(conn);
    let r = env.open().verify().unwrap();
    assert!(
        named(&r, "message", msgs[0].id.as_str()),
        "{:?}",
        r.problems
    );
    assert!(
        r.problems.iter().any(|p| p.kind == "checkpoint"),
        "{:?}",
        r.problems
    );

    // An insider who rewrites a leaf hash (to match an edited row) breaks the signed roots.
    let (env, _, msgs, _) = filled();
    let conn = db(&env);
    let idx: i64 = conn
        .query_row(
            "SELECT leaf_index FROM messages WHERE id = ?1",
            params![msgs[4].id.as_str()],
            |r| r.get(0),
        )
        .unwrap();
    conn.execute(
        "UPDATE leaves SET hash = ?2 WHERE idx = ?1",
        params![idx, vec![7u8; 32]],
    )
    .unwrap();
    drop(conn);
    let r = env.open().verify().unwrap();
    assert!(
        named(&r, "message", msgs[4].id.as_str()),
        "{:?}",
        r.problems
    );
    assert!(
        r.problems
            .iter()
            .any(|p| p.kind == "checkpoint" && p.what.contains("signed root")),
        "{:?}",
        r.problems
    );
}

#[test]
fn message_proof_verifies_offline() {
    let (env, _, msgs, _) = filled();
    let mut a = env.open();
    let text = a.prove_message(&msgs[2].id).unwrap();
    let vkey = std::fs::read_to_string(env.data.join("log.pub")).unwrap();
    let verifier = NoteVerifier::parse(vkey.trim()).unwrap();
    let bundle = ProofBundle::parse(&text).unwrap();
    let cp = bundle.verify(&verifier).unwrap();
    assert!(cp.size > bundle.index);
    assert_eq!(cp.origin, a.log_origin());
    // A different record does not verify with this proof.
    let mut forged = bundle.clone();
    forged.record.push(0);
    assert!(forged.verify(&verifier).is_err());
    // The latest checkpoint is a signed note for the current log.
    let note = a.latest_checkpoint().unwrap().unwrap();
    let latest = chatwarden_archive::tlog::Checkpoint::open(&note, &verifier).unwrap();
    assert!(latest.size >= cp.size);
}

#[test]
fn audit_trail_records_reads_and_changes_with_actor() {
    let (env, conv, _, sha) = filled();
    let mut a = Archive::open(&env.data, &env.key, "bob.reviewer").unwrap();
    a.messages(&conv.id).unwrap();
    a.read_blob(&conv.id, &sha).unwrap();
    a.record_access("carol.export", "export", conv.id.as_str())
        .unwrap();
    let log = a.audit_log(None).unwrap();
    let actions: Vec<(&str, &str)> = log
        .iter()
        .map(|e| (e.actor.as_str(), e.action.as_str()))
        .collect();
    assert!(actions.contains(&("alice.compliance", "ingest")));
    assert!(actions.contains(&("bob.reviewer", "read.messages")));
    assert!(actions.contains(&("bob.reviewer", "read.attachment")));
    assert!(actions.contains(&("carol.export", "export")));
    let ingest = log.iter().find(|e| e.action == "ingest").unwrap();
    assert_eq!(ingest.target, conv.id.as_str());
    assert_eq!(ingest.details["new"], 5);
    // Times are recent and ordered.
    assert!(
        log.windows(2)
            .all(|w| w[0].seq < w[1].seq && w[0].at <= w[1].at)
    );
    let since = log.last().unwrap().at;
    let recent = a.audit_log(Some(since)).unwrap();
    assert!(recent.iter().all(|e| e.at >= since));
    // The audit events are leaves of the same log: verify covers them.
    assert!(a.verify().unwrap().ok);
}

#[test]
fn database_rolled_back_behind_the_checkpoint_file_is_caught() {
    let (env, conv, _, _) = filled();
    let db_path = env.data.join("archive.sqlite");
    let old = std::fs::read(&db_path).unwrap();
    assert!(
        !env.data.join("archive.sqlite-wal").exists(),
        "closed cleanly"
    );
    let mut a = env.open();
    let late = message(&conv, 9, "Omar Trader", "late trade confirmation", 5, 0);
    a.ingest_batch(&conv, &[late], &[]).unwrap();
    drop(a);
    // Restore the older database; the checkpoint file stays at the newer size.
    std::fs::write(&db_path, old).unwrap();
    let r = env.open().verify().unwrap();
    assert!(
        r.problems
            .iter()
            .any(|p| p.kind == "checkpoint" && p.what.contains("rolled back")),
        "{:?}",
        r.problems
    );
}
