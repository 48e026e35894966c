//! End-to-end tests of keeping and proving through the CLI: verify names a tampered
//! record, proofs check offline, holds block erasure, retention shreds, keys rotate,
//! and every read lands in the audit trail.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Env, android_export, json};
use predicates::prelude::*;

fn ingested(count: usize) -> Env {
    let env = Env::new();
    let file = env.write(
        "WhatsApp Chat with Bob Example.txt",
        &android_export(count, 0),
    );
    env.cmd()
        .args(["ingest", "--custodian", "alice.example"])
        .arg(&file)
        .assert()
        .success();
    env
}

fn first_message_id(env: &Env) -> String {
    let out = env
        .cmd()
        .args(["--json", "show", "Bob Example"])
        .assert()
        .success();
    json(&out.get_output().stdout)[0]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn verify_names_an_edited_message_row_and_passes_once_restored() {
    let env = ingested(20);
    env.cmd()
        .arg("verify")
        .assert()
        .success()
        .stdout(predicate::str::contains("OK"));
    let id = first_message_id(&env);

    let db = env.data().join("archive.sqlite");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let original: Vec<u8> = conn
        .query_row("SELECT sealed FROM messages WHERE id = ?1", [&id], |r| {
            r.get(0)
        })
        .unwrap();
    let mut edited = original.clone();
    let last = edited.len() - 1;
    edited[last] ^= 0x01;
    conn.execute(
        "UPDATE messages SET sealed = ?1 WHERE id = ?2",
        rusqlite::params![edited, id],
    )
    .unwrap();

    let out = env.cmd().args(["verify"]).assert().code(4);
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(
        stdout.contains(&id),
        "verify must name the edited message {id}: {stdout}"
    );

    conn.execute(
        "UPDATE messages SET sealed = ?1 WHERE id = ?2",
        rusqlite::params![original, id],
    )
    .unwrap();
    env.cmd().arg("verify").assert().success();
}

#[test]
fn a_proof_checks_offline_with_only_the_public_key() {
    let env = ingested(10);
    let id = first_message_id(&env);
    let proof = env.dir.path().join("proof.txt");
    env.cmd()
        .args(["prove", &id, "-o"])
        .arg(&proof)
        .assert()
        .success();
    let checkpoint = proof.with_extension("checkpoint");
    let key = std::fs::read_to_string(env.data().join("log.pub")).unwrap();

    // No --data: the archive is not needed.
    let mut offline = assert_cmd::Command::cargo_bin("chatwarden").unwrap();
    offline
        .args(["--data", "/nonexistent", "verify", "--proof"])
        .arg(&proof)
        .arg("--checkpoint")
        .arg(&checkpoint)
        .args(["--key", key.trim()])
        .assert()
        .success()
        .stdout(predicate::str::contains("OK"));

    // A changed byte in the proof's record fails.
    let text = std::fs::read_to_string(&proof).unwrap();
    let tampered = text.replacen("extra ", "extra A", 1);
    assert_ne!(
        text, tampered,
        "the proof carries the record on an extra line"
    );
    std::fs::write(&proof, tampered).unwrap();
    let mut offline = assert_cmd::Command::cargo_bin("chatwarden").unwrap();
    offline
        .args(["--data", "/nonexistent", "verify", "--proof"])
        .arg(&proof)
        .arg("--checkpoint")
        .arg(&checkpoint)
        .args(["--key", key.trim()])
        .assert()
        .code(4);
}

#[test]
fn hold_blocks_erasure_retention_shreds_and_verify_still_passes() {
    let env = ingested(10);
    env.cmd()
        .args([
            "hold",
            "add",
            "--custodian",
            "alice.example",
            "--reason",
            "SEC inquiry 2026-14",
        ])
        .assert()
        .success();
    env.cmd()
        .args(["erase", "--custodian", "alice.example"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("hold"));

    let out = env
        .cmd()
        .args(["--json", "hold", "list"])
        .assert()
        .success();
    let hold_id = json(&out.get_output().stdout)[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    env.cmd()
        .args(["hold", "release", &hold_id, "--reason", "inquiry closed"])
        .assert()
        .success();

    // Everything is older than one day: a 1-day default expires it all.
    let rules = env.write("retention.toml", "default = \"1d\"\n");
    let out = env
        .cmd()
        .args(["--json", "retention", "apply", "--rules"])
        .arg(&rules)
        .assert()
        .success();
    assert_eq!(json(&out.get_output().stdout)["messages_shredded"], 10);

    let out = env.cmd().args(["--json", "verify"]).assert().success();
    let report = json(&out.get_output().stdout);
    assert_eq!(report["ok"], true);
    assert!(report["shredded"].as_u64().unwrap() >= 10, "{report}");
    env.cmd().args(["show", "Bob Example"]).assert().failure();
}

#[test]
fn keys_rotate_keeps_content_readable() {
    let env = ingested(5);
    let before = env
        .cmd()
        .args(["--json", "show", "Bob Example"])
        .assert()
        .success();
    let before = json(&before.get_output().stdout);
    env.cmd()
        .args(["keys", "rotate"])
        .assert()
        .success()
        .stdout(predicate::str::contains("re-wrapped"));
    let after = env
        .cmd()
        .args(["--json", "show", "Bob Example"])
        .assert()
        .success();
    let after = json(&after.get_output().stdout);
    assert_eq!(before[0]["message"], after[0]["message"]);
    env.cmd().arg("verify").assert().success();
}

#[test]
fn every_read_is_in_the_audit_trail_with_its_actor() {
    let env = ingested(5);
    env.cmd().args(["show", "Bob Example"]).assert().success();
    env.cmd().args(["findings"]).assert().success();
    let out = env.cmd().args(["--json", "audit"]).assert().success();
    let entries = json(&out.get_output().stdout);
    let actions: Vec<&str> = entries
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["actor"] == "test-reviewer")
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(actions.iter().any(|a| a.contains("ingest")), "{actions:?}");
    assert!(
        actions
            .iter()
            .any(|a| a.contains("read") || a.contains("show")),
        "{actions:?}"
    );
    assert!(actions.iter().any(|a| a.contains("finding")), "{actions:?}");
}
