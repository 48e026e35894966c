//! A large Telegram export (50 MB by default) streams in bounded memory (invariant 8):
//! resident memory grows by far less than the file, as a reader holding it would.
//!
//! Alone in its test binary so no other test moves the peak RSS. The size can
//! be changed with `CHATWARDEN_TG_BIG_MB` (e.g. smaller on slow machines).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chatwarden_connectors::ParseOptions;
use std::io::{BufWriter, Write};

fn status_kb(field: &str) -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap();
    s.lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

#[test]
fn a_large_export_streams_in_bounded_memory() {
    assert!(
        std::path::Path::new("/proc/self/clear_refs").exists(),
        "this test reads peak memory from /proc (Linux)"
    );
    let mb: u64 = std::env::var("CHATWARDEN_TG_BIG_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("result.json");
    let mut w = BufWriter::new(std::fs::File::create(&path).unwrap());
    write!(
        w,
        "{{\n \"name\": \"Big Group\",\n \"type\": \"public_supergroup\",\n \"id\": 1555000111,\n \"messages\": ["
    )
    .unwrap();
    let base = 1_700_000_000u64;
    let mut written = 0u64;
    let mut n = 0u64;
    while written < mb << 20 {
        let sep = if n == 0 { "" } else { "," };
        let who = n % 50;
        let rec = format!(
            "{sep}\n  {{\"id\": {id}, \"type\": \"message\", \"date\": \"2023-11-14T22:13:20\", \
             \"date_unixtime\": \"{t}\", \"from\": \"Member {who}\", \"from_id\": \"user{who}\", \
             \"text\": [\"Order \", {{\"type\": \"bold\", \"text\": \"#{id}\"}}, \" shipped to \
             warehouse B\\x0B, see the tracking sheet\"], \"text_entities\": [{{\"type\": \"plain\", \
             \"text\": \"Order \"}}, {{\"type\": \"bold\", \"text\": \"#{id}\"}}, {{\"type\": \"plain\", \
             \"text\": \" shipped to warehouse B\\x0B, see the tracking sheet\"}}]}}",
            id = n + 1,
            t = base + n,
        );
        w.write_all(rec.as_bytes()).unwrap();
        written += rec.len() as u64;
        n += 1;
    }
    write!(w, "\n ]\n}}\n").unwrap();
    w.flush().unwrap();
    drop(w);

    // Reset the peak (VmHWM) to the current RSS, then open and stream.
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
    let before = status_kb("VmRSS:");
    let started = std::time::Instant::now();
    let mut src = chatwarden_connectors::open(&path, &ParseOptions::default()).unwrap();
    assert_eq!(src.conversation().participants.len(), 50);
    let mut count = 0u64;
    let mut last_id = None;
    for m in src.messages().unwrap() {
        let m = m.unwrap();
        count += 1;
        if count == n {
            last_id = Some(m.id.clone());
            assert_eq!(m.sent_at.as_second() as u64, base + n - 1);
            assert!(m.text.ends_with("warehouse B\u{b}, see the tracking sheet"));
        }
    }
    let secs = started.elapsed().as_secs_f64();
    let peak = status_kb("VmHWM:");
    assert_eq!(count, n);
    assert!(last_id.is_some());
    let growth_mb = peak.saturating_sub(before) as f64 / 1024.0;
    eprintln!(
        "{mb} MB, {n} messages, two passes in {secs:.1} s ({:.1} MB/s per pass), peak RSS growth {growth_mb:.1} MB",
        2.0 * mb as f64 / secs
    );
    // A reader that held the file (or a JSON tree of it) would grow by at least its size.
    let limit = (mb as f64 / 4.0).max(12.0);
    assert!(
        growth_mb < limit,
        "RSS grew by {growth_mb:.1} MB for a {mb} MB export"
    );
}
