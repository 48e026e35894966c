//! Invariant 1: nothing acknowledged is lost. A SIGKILL in the middle of an ingest
//! leaves a consistent archive holding at least every message the ingest had reported
//! durable (its `batch durable` log lines); re-running the ingest ends with exactly the
//! expected messages, a clean `PRAGMA integrity_check`, and a passing `verify`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Env, android_export, json};
use std::io::BufRead;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The `acknowledged=N` count of a `batch durable` log line.
fn acknowledged(line: &str) -> Option<u64> {
    if !line.contains("batch durable") {
        return None;
    }
    let rest = line.split("acknowledged=").nth(1)?;
    rest.split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

#[test]
fn sigkill_mid_ingest_then_rerun_gives_exactly_the_export() {
    let env = Env::new();
    const TOTAL: usize = 60_000;
    let file = env.write(
        "WhatsApp Chat with Bob Example.txt",
        &android_export(TOTAL, 0),
    );
    env.cmd().arg("init").assert().success();

    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("chatwarden"))
        .env("CHATWARDEN_ACTOR", "crash-test")
        .arg("--data")
        .arg(env.data())
        .arg("--key-file")
        .arg(env.key())
        .env("CHATWARDEN_LOG", "info")
        .args(["ingest", "--no-inspect", "--batch-size", "500"])
        .arg(&file)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // What the ingest has reported durable so far, read from its log as it runs.
    let acked = Arc::new(Mutex::new(0u64));
    let stderr = child.stderr.take().unwrap();
    let reader = {
        let acked = Arc::clone(&acked);
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if let Some(n) = acknowledged(&line) {
                    let mut a = acked.lock().unwrap();
                    *a = (*a).max(n);
                }
            }
        })
    };
    // Kill once some batches are acknowledged but (very likely) not all.
    let started = Instant::now();
    let db = env.data().join("archive.sqlite");
    while started.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(20));
        if let Some(status) = child.try_wait().unwrap() {
            panic!("ingest finished ({status}) before it could be killed: make the export larger");
        }
        if *acked.lock().unwrap() >= 2_000 {
            break;
        }
    }
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
    reader.join().unwrap();
    let acked_before_kill = *acked.lock().unwrap();
    assert!(
        acked_before_kill >= 500,
        "no batch was reported durable within 30 s"
    );
    assert!(
        acked_before_kill < TOTAL as u64,
        "every message was acknowledged before the kill: make the export larger"
    );

    // The archive is consistent after the crash.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    drop(conn);
    env.cmd().arg("verify").assert().success();

    // Every acknowledged message is there before anything is re-run.
    let out = env
        .cmd()
        .args(["--json", "conversations"])
        .assert()
        .success();
    let stored = json(&out.get_output().stdout)[0]["messages"]
        .as_u64()
        .unwrap();
    assert!(
        stored >= acked_before_kill,
        "{stored} stored after the kill, {acked_before_kill} acknowledged before it"
    );

    // Re-running stores exactly the rest.
    let out = env
        .cmd()
        .args(["--json", "ingest", "--no-inspect"])
        .arg(&file)
        .assert()
        .success();
    let summary = json(&out.get_output().stdout);
    let (new, duplicate) = (
        summary["new"].as_u64().unwrap(),
        summary["duplicate"].as_u64().unwrap(),
    );
    assert_eq!(new + duplicate, TOTAL as u64, "{summary}");
    assert!(
        duplicate > 0,
        "nothing was committed before the kill: {summary}"
    );

    let out = env
        .cmd()
        .args(["--json", "conversations"])
        .assert()
        .success();
    assert_eq!(json(&out.get_output().stdout)[0]["messages"], TOTAL as u64);
    let conn = rusqlite::Connection::open(&db).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    env.cmd().arg("verify").assert().success();
}
