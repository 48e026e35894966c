//! A 100 MB single line: an error naming file and line, with bounded memory.
//! Its own test binary so the process's peak memory reflects this test alone.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chatwarden_connectors::{ConnectorError, ParseOptions};
use std::io::Write;

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn hundred_megabyte_line_is_refused_with_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("WhatsApp Chat with Big Line.txt");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        f.write_all(b"1/4/23, 9:16 AM - Ann Lee: hello\n1/4/23, 9:17 AM - Bo Park: ")
            .unwrap();
        let chunk = vec![b'x'; 1 << 20];
        for _ in 0..100 {
            f.write_all(&chunk).unwrap();
        }
        f.write_all(b"\n1/4/23, 9:18 AM - Ann Lee: after\n")
            .unwrap();
    }
    let before = peak_rss_kib();
    let err = chatwarden_connectors::open(&path, &ParseOptions::default())
        .err()
        .unwrap();
    match &err {
        ConnectorError::LineTooLong { file, line, limit } => {
            assert!(file.ends_with("WhatsApp Chat with Big Line.txt"));
            assert_eq!(*line, 2);
            assert_eq!(*limit, 1 << 20);
        }
        other => panic!("unexpected {other}"),
    }
    assert!(err.to_string().contains(":2: line longer than"));
    if let (Some(before), Some(after)) = (before, peak_rss_kib()) {
        let grown_mib = after.saturating_sub(before) / 1024;
        eprintln!("peak RSS grew by {grown_mib} MiB reading a 100 MiB line");
        assert!(grown_mib < 32, "peak RSS grew by {grown_mib} MiB");
    }
}
