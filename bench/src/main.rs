//! Benchmark drivers. `bench/run.sh` is the one documented entry point; this binary
//! generates corpora and measures chatwarden's side in its own process.
//!
//!   chatwarden-bench gen-whatsapp MESSAGES OUT.txt   write a synthetic Android export
//!   chatwarden-bench parse-whatsapp FILE             parse it, print {"messages", "parse_seconds", "open_seconds"}
//!                                                    (env BENCH_THREADS=N: reader threads)
//!   chatwarden-bench archive FILE                    ingest it plain vs sealed+logged, then verify
//!   chatwarden-bench connectors MESSAGES             every connector's throughput and peak memory
//!   chatwarden-bench policy FILE                     200-rule policy evaluation vs ingest time

mod archive;
mod connectors;
mod policy;

use anyhow::{Context, Result, bail};
use std::io::{BufWriter, Write};
use std::time::Instant;

/// The same allocator as the `chatwarden` binary (crates/cli/src/main.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("gen-whatsapp") => {
            let count: u64 = args.get(2).context("MESSAGES")?.parse()?;
            let out = args.get(3).context("OUT")?;
            gen_whatsapp(count, out)
        }
        Some("parse-whatsapp") => parse_whatsapp(args.get(2).context("FILE")?),
        Some("archive") => archive::run(args.get(2).context("FILE")?),
        Some("connectors") => connectors::run(args.get(2).context("MESSAGES")?),
        Some("policy") => policy::run(args.get(2).context("FILE")?),
        _ => bail!("usage: chatwarden-bench gen-whatsapp MESSAGES OUT | parse-whatsapp FILE"),
    }
}

/// A deterministic Android en-US export (m/d/yy, 12 h with U+202F) with the mix a
/// real chat has: short replies, long and multi-line messages, media placeholders,
/// deleted messages, system lines, and several senders.
fn gen_whatsapp(count: u64, out: &str) -> Result<()> {
    const SENDERS: [&str; 5] = [
        "Maria Lopez",
        "Daniel Kim",
        "Priya Shah",
        "Tom Becker",
        "+1 (571) 370-4480",
    ];
    const BODIES: [&str; 10] = [
        "ok",
        "Sounds good, talk tomorrow",
        "Can you send me the latest numbers for the Falcon deal? The board wants them before Thursday.",
        "<Media omitted>",
        "Sure - here they are:\nRevenue 12.4m\nEBITDA 3.1m\n- margins up 2 points",
        "This message was deleted",
        "Call me when you land 📞",
        "The wire of $250,000.00 went out this morning, ref 20260302-88412",
        "lol 😂",
        "Meeting moved to 10:30 - same room",
    ];
    let file = std::fs::File::create(out).with_context(|| format!("{out}: cannot create"))?;
    let mut w = BufWriter::with_capacity(1 << 20, file);
    writeln!(
        w,
        "1/1/20, 9:00\u{202F}AM - Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them. Tap to learn more."
    )?;
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut minute: u64 = 9 * 60;
    let mut day: u64 = 0;
    for i in 0..count {
        // xorshift: deterministic, no dependency.
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        minute += state % 3;
        if minute >= 24 * 60 {
            minute -= 24 * 60;
            day += 1;
        }
        let (month, dom, year) = civil(day);
        let (hour24, min) = (minute / 60, minute % 60);
        let (hour12, ampm) = match hour24 {
            0 => (12, "AM"),
            1..=11 => (hour24, "AM"),
            12 => (12, "PM"),
            _ => (hour24 - 12, "PM"),
        };
        let header = format!("{month}/{dom}/{year:02}, {hour12}:{min:02}\u{202F}{ampm} - ");
        if i % 997 == 0 {
            writeln!(w, "{header}Priya Shah added Tom Becker")?;
        } else {
            let sender = SENDERS[(state % SENDERS.len() as u64) as usize];
            let body = BODIES[((state >> 8) % BODIES.len() as u64) as usize];
            writeln!(w, "{header}{sender}: {body}")?;
        }
    }
    w.flush()?;
    Ok(())
}

/// Month, day and two-digit year for a day count from 2020-01-01 (30-day months
/// are fine for a benchmark: every date is valid).
fn civil(day: u64) -> (u64, u64, u64) {
    let year = 20 + day / 336;
    let in_year = day % 336;
    (in_year / 28 + 1, in_year % 28 + 1, year % 100)
}

fn parse_whatsapp(file: &str) -> Result<()> {
    let start = Instant::now();
    let mut options = chatwarden_connectors::ParseOptions::default();
    if let Some(n) = std::env::var("BENCH_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        options.limits.max_threads = n;
    }
    let mut source = chatwarden_connectors::open(std::path::Path::new(file), &options)?;
    let open_seconds = start.elapsed().as_secs_f64();
    let mut messages = 0u64;
    let mut text_bytes = 0u64;
    for message in source.messages()? {
        let message = message?;
        messages += 1;
        text_bytes += message.text.len() as u64;
    }
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "{}",
        serde_json::json!({"messages": messages, "parse_seconds": seconds, "open_seconds": open_seconds, "text_bytes": text_bytes})
    );
    Ok(())
}
