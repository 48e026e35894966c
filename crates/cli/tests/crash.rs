//! Invariant 1: nothing acknowledged is lost. A SIGKILL in the middle of an ingest
//! leaves a consistent archive; re-running the ingest ends with exactly the expected
//! messages, a clean `PRAGMA integrity_check`, and a passing `verify`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Env, android_export, json};
use std::time::{Duration, Instant};

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
        .args(["ingest", "--no-inspect", "--batch-size", "500"])
        .arg(&file)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Kill once some batches are committed but (very likely) not all.
    let started = Instant::now();
    let db = env.data().join("archive.sqlite");
    while started.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(100));
        if let Some(status) = child.try_wait().unwrap() {
            panic!("ingest finished ({status}) before it could be killed: make the export larger");
        }
        if db.exists() && started.elapsed() > Duration::from_millis(1500) {
            break;
        }
    }
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();

    // The archive is consistent after the crash.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    drop(conn);
    env.cmd().arg("verify").assert().success();

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
