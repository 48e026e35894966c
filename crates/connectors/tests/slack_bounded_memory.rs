//! A large Slack workspace export (50 MB by default) streams in bounded memory:
//! resident memory grows by far less than the export, as a reader holding a day
//! file, `users.json` or the zip would. The export has 20,000 users, one 24 MB day
//! (spooled to a temporary file rather than read into memory) and many 1 MB days.
//!
//! What the reader does keep: the user id → display name table and the channel
//! lists (parsed fields only), the zip's directory, and day files of up to 4 MiB.
//!
//! Alone in its test binary so no other test moves the peak RSS. The size can
//! be changed with `CHATWARDEN_SLACK_BIG_MB`.
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

const USERS: u64 = 20_000;
const BASE: u64 = 1_700_000_000;

/// Writes one day file of about `bytes` bytes, messages numbered from `*n`.
fn day(w: &mut impl Write, bytes: u64, n: &mut u64) -> u64 {
    let mut written = 0u64;
    w.write_all(b"[\n").unwrap();
    let mut first = true;
    while written < bytes {
        let sep = if first { "" } else { ",\n" };
        first = false;
        let user = *n % USERS;
        let rec = format!(
            "{sep}    {{\"type\": \"message\", \"user\": \"U{user:06}\", \"text\": \"Order #{id} shipped \
             &amp; invoiced, <@U{mention:06}> see <https://sheets.example.com/d/{id}|the tracker>\", \
             \"ts\": \"{ts}.{frac:06}\", \"client_msg_id\": \"5c1f{id:012}\", \"team\": \"T0001\"}}",
            id = *n + 1,
            mention = (*n * 7) % USERS,
            ts = BASE + *n,
            frac = *n % 1_000_000,
        );
        w.write_all(rec.as_bytes()).unwrap();
        written += rec.len() as u64;
        *n += 1;
    }
    w.write_all(b"\n]\n").unwrap();
    written
}

#[test]
fn a_large_slack_export_streams_in_bounded_memory() {
    assert!(
        std::path::Path::new("/proc/self/clear_refs").exists(),
        "this test reads peak memory from /proc (Linux)"
    );
    let mb: u64 = std::env::var("CHATWARDEN_SLACK_BIG_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("Acme Slack export.zip");
    let file = BufWriter::new(std::fs::File::create(&path).unwrap());
    let mut z = zip::ZipWriter::new(file);
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    z.start_file("users.json", stored).unwrap();
    z.write_all(b"[").unwrap();
    for u in 0..USERS {
        let sep = if u == 0 { "" } else { "," };
        write!(
            z,
            "{sep}\n {{\"id\": \"U{u:06}\", \"team_id\": \"T0001\", \"name\": \"user{u}\", \"deleted\": false, \
             \"real_name\": \"Employee {u}\", \"tz\": \"Europe/London\", \"tz_offset\": 0, \"is_bot\": false, \
             \"profile\": {{\"display_name\": \"emp{u}\", \"real_name\": \"Employee {u}\", \"title\": \"Analyst\", \
             \"email\": \"employee{u}@acme.example\", \"image_72\": \"https://avatars.example.com/{u}.png\"}}}}"
        )
        .unwrap();
    }
    z.write_all(b"\n]\n").unwrap();
    z.start_file("channels.json", stored).unwrap();
    let members: Vec<String> = (0..50).map(|u| format!("\"U{u:06}\"")).collect();
    write!(
        z,
        "[{{\"id\": \"C0001\", \"name\": \"general\", \"created\": 1600000000, \"creator\": \"U000000\", \
         \"is_archived\": false, \"is_general\": true, \"members\": [{}]}}]",
        members.join(", ")
    )
    .unwrap();
    let mut n = 0u64;
    let mut total = 0u64;
    let mut d = 0u64;
    while total < mb << 20 {
        // The first day is the busy one: larger than what is read into memory.
        let size = if d == 0 { 24 << 20 } else { 1 << 20 };
        let date = jiff::civil::date(2023, 1, 1)
            .checked_add(jiff::Span::new().days(d as i64))
            .unwrap();
        z.start_file(format!("general/{date}.json"), stored)
            .unwrap();
        total += day(&mut z, size, &mut n);
        d += 1;
    }
    z.finish().unwrap().flush().unwrap();

    // Reset the peak (VmHWM) to the current RSS, then open and stream.
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
    let before = status_kb("VmRSS:");
    let started = std::time::Instant::now();
    let mut all = chatwarden_connectors::open_all(&path, &ParseOptions::default()).unwrap();
    assert_eq!(all.len(), 1);
    let src = &mut all[0];
    assert_eq!(src.conversation().title, "#general");
    assert_eq!(src.conversation().participants.len(), 50);
    assert_eq!(src.conversation().participants[7].display_name, "emp7");
    let mut count = 0u64;
    for m in src.messages().unwrap() {
        let m = m.unwrap();
        if count == 0 {
            assert_eq!(m.sender.as_deref(), Some("emp0"));
            assert!(
                m.text.starts_with("Order #1 shipped & invoiced, @emp0 "),
                "{}",
                m.text
            );
        }
        count += 1;
        if count == n {
            assert_eq!(m.sent_at.as_second() as u64, BASE + n - 1);
        }
    }
    let secs = started.elapsed().as_secs_f64();
    let peak = status_kb("VmHWM:");
    assert_eq!(count, n);
    let growth_mb = peak.saturating_sub(before) as f64 / 1024.0;
    let size_mb = std::fs::metadata(&path).unwrap().len() as f64 / (1 << 20) as f64;
    eprintln!(
        "{size_mb:.0} MB zip, {n} messages in {d} day files, read in {secs:.1} s, peak RSS growth {growth_mb:.1} MB"
    );
    // A reader that held the export, its biggest day or users.json as a JSON tree
    // would grow by at least 24 MB plus the tree's overhead.
    let limit = (mb as f64 / 4.0).max(16.0);
    assert!(
        growth_mb < limit,
        "RSS grew by {growth_mb:.1} MB for a {size_mb:.0} MB export"
    );
}
