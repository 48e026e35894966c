//! Throughput of the pattern detectors on chat-like text.
//!
//! Generates 200,000 synthetic chat messages (about 5% carry a planted entity:
//! card, IBAN, phone, e-mail, SSN, token, OTP code…; the rest is ordinary chat
//! with times, prices and dates), scans them on one thread and prints
//! messages/second. Run: `cargo run --release -p chatwarden-inspect --example throughput`.
//! Pass `--no-names` to leave PERSON/LOCATION out (the pattern detectors only).

use chatwarden_inspect::{Engine, EngineConfig, ScanContext};
use std::time::Instant;

/// A small deterministic generator (xorshift64*), so runs are comparable.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        let i = (self.next() % items.len() as u64) as usize;
        items.get(i).copied().unwrap_or("")
    }
}

const CHAT: &[&str] = &[
    "ok see you tomorrow",
    "sounds good 👍",
    "can you send me the deck before the call?",
    "running 10 min late, sorry",
    "meeting moved to 3:30pm",
    "lol yes",
    "did the client sign off on the proposal?",
    "I'll check with the team and get back to you",
    "price is $1,299.00 incl. shipping",
    "thanks!!",
    "Let's do lunch on Friday at 12:15",
    "the report for Q3 is in the shared folder",
    "happy birthday 🎉🎂",
    "Can we push the review to next week?",
    "on my way",
    "Wir sehen uns morgen um 9 Uhr",
    "¿Nos vemos el lunes?",
    "好的，明天见",
    "version 2.4 is deployed to staging",
    "invoice #20231 paid on 2024-03-15",
    "Great job on the presentation today",
    "where are we on the contract renewal",
    "call me when you land",
    "I think the numbers look fine, 45% margin",
];

const PLANTED: &[&str] = &[
    "my card is 4111 1111 1111 1111 exp 09/27",
    "pls wire to DE89 3704 0044 0532 0130 00 today",
    "call me at +1 415-555-2671",
    "send it to jane.roe@example.org",
    "SSN 123-45-6788 for the form",
    "token ghp_abcdefghijklmnopqrstuvwxyz0123456789",
    "your WhatsApp code is 482-913",
    "CONFIDENTIAL - do not forward",
    "key AKIAIOSFODNN7EXAMPLE",
    "the password is Hunter2!x",
    "here's the link https://example.com/docs/q3",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let no_names = std::env::args().any(|a| a == "--no-names");
    let mut cfg = EngineConfig::default();
    if no_names {
        cfg.disabled = vec!["PERSON".into(), "LOCATION".into()];
    }
    let engine = Engine::new(&cfg)?;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let n = 200_000;
    let messages: Vec<String> = (0..n)
        .map(|_| {
            if rng.next() % 100 < 5 {
                format!("{} {}", rng.pick(CHAT), rng.pick(PLANTED))
            } else {
                rng.pick(CHAT).to_string()
            }
        })
        .collect();
    let bytes: usize = messages.iter().map(String::len).sum();
    let ctx = ScanContext::default();
    // Warm-up (lazy DFA caches).
    for m in messages.iter().take(2_000) {
        std::hint::black_box(engine.scan(m, &ctx));
    }
    let start = Instant::now();
    let mut found = 0usize;
    for m in &messages {
        found += engine.scan(m, &ctx).len();
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{n} messages ({bytes} bytes), {found} detections, {secs:.3} s, {:.0} msgs/s, {:.1} MB/s{}",
        n as f64 / secs,
        bytes as f64 / secs / 1e6,
        if no_names {
            " (PERSON/LOCATION off)"
        } else {
            ""
        }
    );
    Ok(())
}
