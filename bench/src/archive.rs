//! `chatwarden-bench archive MESSAGES`: what sealing and logging cost at ingest, and how
//! fast `verify` re-checks the archive.
//!
//! The same parsed messages are written twice, in the same batch size, durably (WAL,
//! `synchronous=FULL`, one transaction per batch, the same SQLite cache and checkpoint
//! settings):
//! 1. plain: one SQLite row per message holding its JSON, with the archive's index on
//!    (conversation, sent_at, seq), no encryption, no log;
//! 2. chatwarden: `Archive::ingest_batch` (sealed with XChaCha20-Poly1305 under wrapped
//!    data keys, one Merkle leaf per record, a signed checkpoint per batch).
//!
//! Parsing is done once beforehand and excluded from both.

use anyhow::{Context, Result};
use chatwarden_model::Message;
use std::time::Instant;

const BATCH: usize = 5_000;

pub fn run(file: &str) -> Result<()> {
    let options = chatwarden_connectors::ParseOptions::default();
    let mut source = chatwarden_connectors::open(std::path::Path::new(file), &options)?;
    let conversation = source.conversation().clone();
    let messages: Vec<Message> = source.messages()?.collect::<Result<_, _>>()?;
    let count = messages.len();

    let dir = tempfile::tempdir()?;
    let cpu = cpu_seconds();
    let plain_seconds = plain_ingest(&dir.path().join("plain.sqlite"), &messages)?;
    let plain_cpu = cpu_seconds() - cpu;

    let data = dir.path().join("data");
    let key = dir.path().join("master.key");
    chatwarden_archive::Archive::init(&data, &key)?;
    let mut archive = chatwarden_archive::Archive::open(&data, &key, "bench")?;
    let cpu = cpu_seconds();
    let start = Instant::now();
    for chunk in messages.chunks(BATCH) {
        archive.ingest_batch(&conversation, chunk, &[])?;
    }
    let sealed_seconds = start.elapsed().as_secs_f64();
    let sealed_cpu = cpu_seconds() - cpu;

    let start = Instant::now();
    let report = archive.verify()?;
    let verify_seconds = start.elapsed().as_secs_f64();
    anyhow::ensure!(report.ok, "verify failed: {:?}", report.problems.first());

    println!(
        "{}",
        serde_json::json!({
            "messages": count,
            "plain_seconds": plain_seconds,
            "sealed_seconds": sealed_seconds,
            "overhead_share": (sealed_seconds - plain_seconds) / sealed_seconds,
            "plain_cpu_seconds": plain_cpu,
            "sealed_cpu_seconds": sealed_cpu,
            "verify_seconds": verify_seconds,
            "verify_records": report.records_checked,
            "verify_records_per_second": report.records_checked as f64 / verify_seconds,
        })
    );
    Ok(())
}

fn plain_ingest(path: &std::path::Path, messages: &[Message]) -> Result<f64> {
    let mut conn = rusqlite::Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    // The archive's SQLite store runs with these (crates/archive/src/store/sqlite.rs); the
    // baseline gets the same so the difference measured is sealing and logging, not cache
    // tuning (with SQLite's 2 MiB default the plain store thrashes on its id index at 1M rows).
    conn.pragma_update(None, "cache_size", -32768)?;
    conn.pragma_update(None, "wal_autocheckpoint", 8000)?;
    // The same table shape and the same index on (conversation, sent_at, seq) that the
    // archive keeps to list a conversation's messages in order: an archive without sealing
    // and logging would still need it, so it is part of the baseline, not of the overhead.
    conn.execute_batch(
        "CREATE TABLE messages (id TEXT PRIMARY KEY, conversation TEXT NOT NULL, seq INTEGER NOT NULL,
         sent_at INTEGER NOT NULL, body BLOB NOT NULL);
         CREATE INDEX messages_conversation ON messages (conversation, sent_at, seq);",
    )?;
    let start = Instant::now();
    for chunk in messages.chunks(BATCH) {
        let tx = conn.transaction()?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO messages (id, conversation, seq, sent_at, body) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (id) DO NOTHING",
            )?;
            for m in chunk {
                let body = serde_json::to_vec(m).context("serialize")?;
                insert.execute(rusqlite::params![
                    m.id.as_str(),
                    m.conversation.as_str(),
                    m.seq as i64,
                    m.sent_at.as_millisecond(),
                    body
                ])?;
            }
        }
        tx.commit()?;
    }
    Ok(start.elapsed().as_secs_f64())
}

/// CPU time this thread has run, from Linux's `/proc/thread-self/schedstat` (first field,
/// nanoseconds on CPU); 0 elsewhere. Wall time on a shared machine includes waiting for a
/// core; on-CPU time does not, so both are reported.
fn cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .map_or(0.0, |ns| ns as f64 / 1e9)
}
