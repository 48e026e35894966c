#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Crash safety: a writer killed with SIGKILL at arbitrary points leaves an archive that
//! opens, verifies, and holds whole batches only.

mod common;

use chatwarden_archive::Archive;
use common::*;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

const BATCH: u64 = 50;

/// The child: ingests batches (each with an attachment) until killed.
#[test]
#[ignore = "run by killed_writer_leaves_a_verifiable_archive as a child process"]
fn crash_child_writer() {
    let Ok(dir) = std::env::var("CW_CRASH_DATA") else {
        return;
    };
    let data = PathBuf::from(dir);
    let key = PathBuf::from(std::env::var("CW_CRASH_KEY").unwrap());
    let mut a = Archive::open(&data, &key, "crash.child").unwrap();
    let conv = conversation("Crash desk", "dana.desk", &["Dana Desk", "Omar Trader"]);
    let start = a.message_count().unwrap();
    for round in 0u64.. {
        let base = start + round * BATCH;
        let file = format!("statement {base} ").repeat(20_000).into_bytes();
        a.put_blob(&conv.id, &mut file.as_slice()).unwrap();
        let msgs: Vec<_> = (0..BATCH)
            .map(|i| {
                let n = base + i;
                let m = message_at(
                    &conv,
                    n,
                    if n.is_multiple_of(2) {
                        "Dana Desk"
                    } else {
                        "Omar Trader"
                    },
                    &format!("message number {n}"),
                    &format!(
                        "2026-03-{:02}T{:02}:{:02}:00",
                        1 + (n / 1440) % 28,
                        (n / 60) % 24,
                        n % 60
                    ),
                );
                if i == 0 {
                    with_attachment(m, "statement.txt", &file)
                } else {
                    m
                }
            })
            .collect();
        a.ingest_batch(&conv, &msgs, &[]).unwrap();
    }
}

#[test]
fn killed_writer_leaves_a_verifiable_archive() {
    let env = Env::new();
    let exe = std::env::current_exe().unwrap();
    for (round, wait_ms) in [150u64, 420, 90, 700, 260, 330].into_iter().enumerate() {
        let mut child = Command::new(&exe)
            .args(["--exact", "crash_child_writer", "--ignored", "--nocapture"])
            .env("CW_CRASH_DATA", &env.data)
            .env("CW_CRASH_KEY", &env.key)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(wait_ms));
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();

        let mut a = env.open();
        let count = a.message_count().unwrap();
        assert_eq!(
            count % BATCH,
            0,
            "round {round}: a partial batch was stored ({count} messages)"
        );
        let report = a.verify().unwrap();
        assert!(report.ok, "round {round}: {:?}", report.problems);
        // Orphans (a blob written before its record committed) are reported, never fatal;
        // the next writer replaces them.
        assert!(report.orphan_blobs.len() <= 1, "{:?}", report.orphan_blobs);
    }
    let mut a = env.open();
    let total = a.message_count().unwrap();
    assert!(
        total >= 4 * BATCH,
        "the children committed only {total} messages"
    );
}
