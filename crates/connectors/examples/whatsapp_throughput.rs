//! Measures reading speed and peak memory on a generated Android export.
//! `cargo run --release -p chatwarden-connectors --example whatsapp_throughput -- [MiB]`
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chatwarden_connectors::{ParseOptions, open};
use std::io::Write;
use std::time::Instant;

fn peak_rss_mib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .unwrap_or(0)
        / 1024
}

fn main() {
    let mib: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("WhatsApp Chat with Bench Group.txt");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let mut written = 0u64;
    let mut i = 0u64;
    while written < mib << 20 {
        let day = 1 + (i / 2000) % 28;
        let month = 1 + (i / 56_000) % 12;
        let line = format!(
            "{day}/{month}/24, {}:{:02}\u{202F}{} - Person {}: message {i} about the quarterly numbers, please review\n{}",
            1 + (i / 60) % 12,
            i % 60,
            if i.is_multiple_of(2) { "AM" } else { "PM" },
            i % 7,
            if i.is_multiple_of(5) {
                "a second line\n"
            } else {
                ""
            }
        );
        f.write_all(line.as_bytes()).unwrap();
        written += line.len() as u64;
        i += 1;
    }
    f.flush().unwrap();
    drop(f);
    let start = Instant::now();
    let mut src = open(&path, &ParseOptions::default()).unwrap();
    let opened = start.elapsed();
    let mut n = 0u64;
    for m in src.messages().unwrap() {
        m.unwrap();
        n += 1;
    }
    let total = start.elapsed();
    println!(
        "{mib} MiB, {n} messages: open (2 scan passes) {:.2}s, total {:.2}s, {:.1} MiB/s overall, {:.0} msgs/s, peak RSS {} MiB",
        opened.as_secs_f64(),
        total.as_secs_f64(),
        mib as f64 / total.as_secs_f64(),
        n as f64 / total.as_secs_f64(),
        peak_rss_mib()
    );
}
