//! Throughput of the inspection engine on chat-like text, one thread.
//!
//! Generates synthetic WhatsApp-style messages from templates filled with
//! random values (so the lazy DFA and the validators see varied input, not a
//! few dozen strings), warms up, scans them and prints messages/second for two
//! mixes:
//!
//! - **chat**: 70 % ordinary chat (times, prices, dates, names, emoji, German,
//!   Spanish and Chinese lines), 15 % decoys (order and tracking numbers, epoch
//!   timestamps, phone-like dates, versions, cards with a wrong Luhn digit,
//!   6-digit numbers without a code word), 15 % planted values (phone numbers in
//!   several countries' formats, Luhn-valid cards, IBANs, e-mails, SSNs, codes,
//!   tokens, passwords, IPs, URLs).
//! - **dense**: every message carries a decoy or a planted value (the shape of
//!   bench/dlp's chat set, the worst case).
//!
//! Rates are printed per wall second and per on-CPU second of the scanning
//! thread (Linux), the latter steady on a machine shared with other jobs.
//!
//! Run: `cargo run --release -p chatwarden-inspect --example throughput`.
//! `--no-names` leaves PERSON/LOCATION out (the pattern detectors only);
//! `--messages N` sets the count per mix (default 200,000); `--disable ENTITY`
//! (repeatable) leaves an entity out.

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
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        let i = self.below(items.len() as u64) as usize;
        items.get(i).copied().unwrap_or("")
    }
    fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + self.below(10) as u8))
            .collect()
    }
    fn alnum(&mut self, n: usize) -> String {
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        (0..n)
            .map(|_| char::from(A[self.below(A.len() as u64) as usize]))
            .collect()
    }
}

const FIRST: &[&str] = &[
    "Anna", "Marek", "Sofia", "Kwame", "Priya", "Lukas", "Chloe", "Mateo", "Yuki", "Ingrid",
    "Tomasz", "Aisha", "Jonas", "Elena", "Wei", "Olga", "Diego", "Fatima", "Henrik", "Amara",
];
const LAST: &[&str] = &[
    "Novak", "Okafor", "Schmidt", "Garcia", "Sharma", "Eriksen", "Rossi", "Tanaka", "Dubois",
    "Mensah", "Kowalski", "Liu", "Brandt", "Costa", "Petrova", "Walker",
];
const CITY: &[&str] = &[
    "Berlin",
    "Madrid",
    "London",
    "Singapore",
    "Shanghai",
    "Amsterdam",
    "Chicago",
    "Milan",
];

const CHAT: &[&str] = &[
    "ok see you tomorrow",
    "sounds good 👍",
    "can you send me the deck before the call?",
    "lol yes",
    "did the client sign off on the proposal?",
    "I'll check with the team and get back to you",
    "thanks!!",
    "the report for Q3 is in the shared folder",
    "happy birthday 🎉🎂",
    "Can we push the review to next week?",
    "on my way",
    "Wir sehen uns morgen um 9 Uhr",
    "¿Nos vemos el lunes?",
    "好的，明天见",
    "Great job on the presentation today",
    "where are we on the contract renewal",
    "call me when you land",
];

/// Assigned US area codes (NANPA), so planted numbers look like real ones.
const AREA_CODES: &[&str] = &[
    "212", "213", "305", "312", "415", "512", "617", "646", "702", "718", "206", "303",
];

/// A Luhn-valid card number with the given prefix and length.
fn card(rng: &mut Rng, prefix: &str, len: usize) -> String {
    let mut ds: Vec<u8> = prefix.bytes().map(|b| b - b'0').collect();
    while ds.len() < len - 1 {
        ds.push(rng.below(10) as u8);
    }
    let sum: u32 = ds
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 0 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    ds.push(((10 - sum % 10) % 10) as u8);
    ds.iter().map(|d| char::from(b'0' + d)).collect()
}

fn grouped(s: &str, sep: char) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

fn ordinary(rng: &mut Rng) -> String {
    match rng.below(6) {
        0 => format!(
            "meeting moved to {}:{:02}pm",
            1 + rng.below(11),
            rng.below(60)
        ),
        1 => format!(
            "price is ${},{:03}.{:02} incl. shipping",
            1 + rng.below(9),
            rng.below(1000),
            rng.below(100)
        ),
        2 => format!("thanks {}! see you in {}", rng.pick(FIRST), rng.pick(CITY)),
        3 => format!("running {} min late, sorry", 2 + rng.below(40)),
        4 => format!(
            "invoice paid on 2024-{:02}-{:02}",
            1 + rng.below(12),
            1 + rng.below(28)
        ),
        _ => rng.pick(CHAT).to_string(),
    }
}

fn decoy(rng: &mut Rng) -> String {
    match rng.below(9) {
        0 => format!(
            "order {}-{}-{} shipped",
            rng.digits(3),
            rng.digits(7),
            rng.digits(7)
        ),
        1 => format!(
            "where is 9400 {} {} {} {} {}?",
            rng.digits(4),
            rng.digits(4),
            rng.digits(4),
            rng.digits(4),
            rng.digits(2)
        ),
        2 => format!(
            "status of ts={} pls",
            1_500_000_000 + rng.below(300_000_000)
        ),
        3 => format!(
            "see you {:02}.{:02}.2025 at {}:{:02}",
            1 + rng.below(28),
            1 + rng.below(12),
            rng.below(24),
            rng.below(60)
        ),
        4 => format!(
            "version {}.{}.{} is deployed",
            rng.below(10),
            rng.below(30),
            rng.below(100)
        ),
        5 => {
            // A card with its last digit changed (fails Luhn).
            let c = card(rng, "4", 16);
            let mut b = c.into_bytes();
            if let Some(last) = b.last_mut() {
                *last = b'0' + (*last - b'0' + 1) % 10;
            }
            format!(
                "is {} the right one?",
                grouped(&String::from_utf8_lossy(&b), ' ')
            )
        }
        6 => format!("table for {} at {}", 2 + rng.below(6), rng.digits(6)),
        7 => format!(
            "ticket {} for {} {}",
            rng.digits(6),
            rng.pick(FIRST),
            rng.pick(LAST)
        ),
        _ => format!("commit {}", rng.alnum(40).to_ascii_lowercase()),
    }
}

fn planted(rng: &mut Rng) -> String {
    let name = rng.pick(FIRST);
    match rng.below(14) {
        0 => format!(
            "call me at +1 {}-{}-{}",
            rng.pick(AREA_CODES),
            200 + rng.below(500),
            rng.digits(4)
        ),
        1 if rng.below(2) == 0 => format!(
            "my number ({}) {}-{}",
            rng.pick(AREA_CODES),
            200 + rng.below(500),
            rng.digits(4)
        ),
        1 => format!("{name}'s mobile: +49 151 {}", rng.digits(8)),
        2 => format!("Handy: +44 79{} {}", rng.digits(2), rng.digits(6)),
        3 => format!("my card is {} exp 09/27", grouped(&card(rng, "4", 16), ' ')),
        4 => format!("MC {}", grouped(&card(rng, "5", 16), '-')),
        5 => "pls wire to DE89 3704 0044 0532 0130 00 today".to_string(),
        6 => format!(
            "send it to {}.{}@example.org",
            name.to_lowercase(),
            rng.pick(LAST).to_lowercase()
        ),
        7 => format!(
            "SSN {}-{}-{} for the form",
            100 + rng.below(600),
            10 + rng.below(89),
            1000 + rng.below(8999)
        ),
        8 => format!("your WhatsApp code is {}-{}", rng.digits(3), rng.digits(3)),
        9 => format!("token ghp_{}", rng.alnum(36)),
        10 => format!("the password is {}{}!", rng.pick(FIRST), rng.digits(4)),
        11 => format!("blocked from 192.0.2.{} again", rng.below(255)),
        12 => format!(
            "docs at https://example.com/{}/q3",
            rng.alnum(6).to_lowercase()
        ),
        _ => format!(
            "meeting with {name} {} in {}",
            rng.pick(LAST),
            rng.pick(CITY)
        ),
    }
}

/// Nanoseconds this thread has run on a CPU (Linux `/proc/thread-self/schedstat`,
/// first field), so a rate can be given per on-CPU second on a shared machine
/// where wall time includes waiting for a core. `None` elsewhere.
fn thread_cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

fn run(engine: &Engine, label: &str, messages: &[String]) {
    let bytes: usize = messages.iter().map(String::len).sum();
    let ctx = ScanContext::default();
    // Warm-up (lazy DFA states, phone metadata regexes).
    for m in messages.iter().take(5_000) {
        std::hint::black_box(engine.scan(m, &ctx));
    }
    let cpu0 = thread_cpu_ns();
    let start = Instant::now();
    let mut found = 0usize;
    for m in messages {
        found += engine.scan(m, &ctx).len();
    }
    let secs = start.elapsed().as_secs_f64();
    let cpu = match (cpu0, thread_cpu_ns()) {
        (Some(a), Some(b)) if b > a => Some((b - a) as f64 / 1e9),
        _ => None,
    };
    let n = messages.len();
    let on_cpu = cpu.map_or_else(String::new, |c| {
        format!(
            "; on-CPU {c:.3} s, {:.0} msgs/s, {:.1} MB/s",
            n as f64 / c,
            bytes as f64 / c / 1e6
        )
    });
    println!(
        "{label:5}: {n} messages ({bytes} bytes), {found} detections; wall {secs:.3} s, {:.0} msgs/s, {:.1} MB/s{on_cpu}",
        n as f64 / secs,
        bytes as f64 / secs / 1e6,
    );
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let no_names = args.iter().any(|a| a == "--no-names");
    let n: usize = args
        .iter()
        .position(|a| a == "--messages")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(200_000);
    let mut cfg = EngineConfig::default();
    if no_names {
        cfg.disabled = vec!["PERSON".into(), "LOCATION".into()];
    }
    // `--disable ENTITY` (repeatable): see what one detector costs.
    for w in args.windows(2) {
        if let [flag, entity] = w
            && flag == "--disable"
        {
            cfg.disabled.push(entity.clone());
        }
    }
    let engine = Engine::new(&cfg)?;
    println!(
        "one thread{}",
        if no_names {
            ", PERSON/LOCATION off"
        } else {
            ""
        }
    );
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let chat: Vec<String> = (0..n)
        .map(|_| match rng.below(100) {
            0..70 => ordinary(&mut rng),
            70..85 => decoy(&mut rng),
            _ => planted(&mut rng),
        })
        .collect();
    run(&engine, "chat", &chat);
    let dense: Vec<String> = (0..n)
        .map(|_| {
            if rng.below(2) == 0 {
                decoy(&mut rng)
            } else {
                planted(&mut rng)
            }
        })
        .collect();
    run(&engine, "dense", &dense);
    Ok(())
}
