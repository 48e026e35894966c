#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Scale: ingest and verify a large archive. Ignored by default (slow in debug builds);
//! run with `cargo test --release -p chatwarden-archive --test scale -- --ignored --nocapture`
//! (`CW_SCALE=<records>` to change the default of 1,000,000 messages).

mod common;

use common::*;
use std::time::Instant;

#[test]
#[ignore = "slow: run in release to measure"]
fn verify_a_million_records() {
    let total: u64 = std::env::var("CW_SCALE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let env = Env::new();
    let mut a = env.open();
    let batch = 10_000u64;
    let started = Instant::now();
    let mut done = 0u64;
    let mut conv_no = 0;
    while done < total {
        let conv = conversation(
            &format!("Desk {conv_no}"),
            "dana.desk",
            &["Dana Desk", "Omar Trader", "Lia Sales"],
        );
        conv_no += 1;
        let n = batch.min(total - done);
        let msgs: Vec<_> = (0..n)
            .map(|i| {
                let k = done + i;
                message_at(
                    &conv,
                    i,
                    ["Dana Desk", "Omar Trader", "Lia Sales"][(k % 3) as usize],
                    &format!("quote {k}: 5y swap at {}.{} bp, confirm?", k % 97, k % 10),
                    &format!(
                        "20{:02}-{:02}-{:02}T{:02}:{:02}:{:02}",
                        20 + (k / 1_000_000) % 6,
                        1 + (i / 1000) % 12,
                        1 + (i / 40) % 28,
                        i % 24,
                        k % 60,
                        (k / 60) % 60
                    ),
                )
            })
            .collect();
        let r = a.ingest_batch(&conv, &msgs, &[]).unwrap();
        assert_eq!(r.new + r.duplicate, n);
        done += n;
    }
    let ingest = started.elapsed();
    let count = a.message_count().unwrap();
    drop(a);
    let mut a = env.open();
    let started = Instant::now();
    let report = a.verify().unwrap();
    let verify = started.elapsed();
    assert!(report.ok, "{:?}", report.problems.first());
    assert!(report.records_checked >= count);
    let db_size = std::fs::metadata(env.data.join("archive.sqlite"))
        .unwrap()
        .len();
    let started = Instant::now();
    let rules: chatwarden_archive::RetentionRules = toml::from_str("default = \"3y\"").unwrap();
    let retention = a
        .apply_retention(&rules, "2026-01-01T00:00:00Z".parse().unwrap())
        .unwrap();
    let retention_time = started.elapsed();
    assert!(retention.messages_shredded > 0);
    let started = Instant::now();
    let after = a.verify().unwrap();
    let verify_after = started.elapsed();
    assert!(after.ok, "{:?}", after.problems.first());
    assert!(after.shredded >= retention.messages_shredded);
    println!(
        "retention: shredded {} messages ({} keys) in {:.2}s; verify after: {:.2}s, {} shredded records",
        retention.messages_shredded,
        retention.keys_shredded,
        retention_time.as_secs_f64(),
        verify_after.as_secs_f64(),
        after.shredded
    );
    println!(
        "messages={count} records_checked={} ingest={:.1}s ({:.0} msg/s) verify={:.2}s checkpoints={} db={} MiB",
        report.records_checked,
        ingest.as_secs_f64(),
        count as f64 / ingest.as_secs_f64(),
        verify.as_secs_f64(),
        report.checkpoints_checked,
        db_size >> 20
    );
}
