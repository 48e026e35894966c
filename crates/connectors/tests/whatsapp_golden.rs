//! Output pins: every fixture, and many deterministic variations of each (invisible
//! marks, odd spaces, Arabic-Indic digits, CRLF, case changes, byte damage), read
//! with several option sets, must give exactly the messages, conversation and
//! warnings the reference implementation gave. The digests below were recorded
//! with the parser as it was before the fast paths (ASCII header scanning, lazy
//! normalization, hashed occurrence keys) went in, so any change in behaviour
//! shows here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chatwarden_connectors::{DateOrder, ParseOptions};
use sha2::{Digest, Sha256};
use std::fmt::Write as _;
use std::path::PathBuf;

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Tokens the header and body fast paths must treat exactly like the general path.
const TOKENS: &[&str] = &[
    "\u{200E}",
    "\u{200F}",
    "\u{202A}",
    "\u{202C}",
    "\u{FEFF}",
    "\u{2066}",
    "\u{00A0}",
    "\u{202F}",
    "\u{2009}",
    "\u{060C}",
    "\u{0663}",
    "\u{06F7}",
    "\r",
    " ",
    "  ",
    ": ",
    " - ",
    "[",
    "]",
    "PM",
    "a. m.",
    "p.m",
    "下午",
    "오전",
    "<Media omitted>",
    " <This message was edited>",
    "This message was deleted",
    "<attached: 00000012-PHOTO.jpg>",
    "é",
    "K",
    "İ",
    "\u{212A}",
    "9",
    "/",
    ".",
    ",",
];

/// Damages a text at character boundaries with the tokens above, or changes the
/// case of an ASCII letter, or swaps an ASCII digit for its Arabic-Indic form.
fn vary(rng: &mut XorShift, text: &str) -> String {
    let mut s = text.to_owned();
    for _ in 0..1 + rng.below(12) {
        let mut at = rng.below(s.len() + 1);
        while !s.is_char_boundary(at) {
            at -= 1;
        }
        match rng.below(4) {
            0 | 1 => s.insert_str(at, TOKENS[rng.below(TOKENS.len())]),
            2 => {
                if let Some(c) = s[at..].chars().next()
                    && c.is_ascii_alphabetic()
                {
                    let swapped = if c.is_ascii_uppercase() {
                        c.to_ascii_lowercase()
                    } else {
                        c.to_ascii_uppercase()
                    };
                    s.replace_range(at..at + 1, &swapped.to_string());
                }
            }
            _ => {
                if let Some(c) = s[at..].chars().next()
                    && c.is_ascii_digit()
                {
                    let d = c as u32 - '0' as u32;
                    let arabic = char::from_u32(0x0660 + d).unwrap();
                    s.replace_range(at..at + 1, &arabic.to_string());
                }
            }
        }
    }
    s
}

/// Line-preserving variation: each line is varied with some probability, so most
/// headers stay intact and files keep being recognized.
fn vary_lines(rng: &mut XorShift, text: &str) -> String {
    let mut out = String::new();
    for line in text.split_inclusive('\n') {
        if rng.below(3) == 0 {
            out.push_str(&vary(rng, line));
        } else {
            out.push_str(line);
        }
    }
    out
}

/// Digests one run's log; with `GOLDEN_DUMP=DIR` also writes it to
/// `DIR/FILE.RUN.log`, so that two versions of the reader can be diffed run by
/// run before pins are recorded again.
fn digest_run(h: &mut Sha256, name: &str, run: usize, bytes: Vec<u8>, opts: &ParseOptions) {
    let mut log = String::new();
    match chatwarden_connectors::open_bytes(name, bytes, opts) {
        Err(e) => writeln!(log, "open error: {e}").unwrap(),
        Ok(mut src) => {
            writeln!(
                log,
                "{}",
                serde_json::to_string(src.conversation()).unwrap()
            )
            .unwrap();
            match src.messages() {
                Err(e) => writeln!(log, "messages error: {e}").unwrap(),
                Ok(iter) => {
                    for m in iter {
                        match m {
                            Ok(m) => writeln!(log, "{}", serde_json::to_string(&m).unwrap()),
                            Err(e) => writeln!(log, "error: {e}"),
                        }
                        .unwrap();
                    }
                }
            }
            for w in src.warnings() {
                writeln!(log, "{w}").unwrap();
            }
        }
    }
    if let Some(dir) = std::env::var_os("GOLDEN_DUMP") {
        let dir = PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.{run:02}.log")), &log).unwrap();
    }
    h.update(log.as_bytes());
}

fn options() -> Vec<ParseOptions> {
    let berlin = ParseOptions {
        tz: Some(jiff::tz::TimeZone::get("Europe/Berlin").unwrap()),
        ..Default::default()
    };
    let mdy = ParseOptions {
        date_order: Some(DateOrder::Mdy),
        custodian: Some("emp-7".into()),
        ..Default::default()
    };
    let titled = ParseOptions {
        title: Some("Project Falcon".into()),
        ..Default::default()
    };
    vec![ParseOptions::default(), berlin, mdy, titled]
}

fn fixture_digest(file: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/whatsapp")
        .join(file);
    let bytes = std::fs::read(&path).unwrap();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let mut h = Sha256::new();
    for (run, opts) in options().iter().enumerate() {
        digest_run(&mut h, file, run, bytes.clone(), opts);
    }
    let mut rng = XorShift(0x5EED_0000_0000_0001 ^ file.len() as u64);
    let default = ParseOptions::default();
    for round in 0..40 {
        let varied = if round % 4 == 3 {
            vary(&mut rng, &text)
        } else {
            vary_lines(&mut rng, &text)
        };
        digest_run(&mut h, file, 4 + round, varied.into_bytes(), &default);
    }
    hex::encode(h.finalize())
}

const PINS: &[(&str, &str)] = &[
    (
        "Discussion WhatsApp avec Claire Dubois.txt",
        "371022e171c6d68f1bd82b9c8b4dd8c6659394f64481a45311ac5e5570d31dc2",
    ),
    (
        "WhatsApp Chat - Field Team.txt",
        "db1ad088647b51a508f48dbf1c218dfb8146f8d882629979008b328d6d987cc2",
    ),
    (
        "WhatsApp Chat mit Anna Becker.txt",
        "ae4260db276607dbae1eb47fb8c5e12a7a83bf1ca4ee74c63b5a98fdd6d55acc",
    ),
    (
        "WhatsApp Chat with Jordan Miles.txt",
        "41d5ce39f07a80fcbad959d08e8e86ccca3d0aa2dce401283bef61c4148290ba",
    ),
    (
        "WhatsApp Chat with Lucía Gómez.txt",
        "02194bbb7f40c4b34a964aab728144dd0425244b2cc3bf4adbb4174d333dd3d6",
    ),
    (
        "WhatsApp Chat with Project Falcon.txt",
        "d76bc234a4f8a1945d5370706180d4787c523c8b3f9132ea3752182f0bb07933",
    ),
    (
        "WhatsApp Chat with 张伟.txt",
        "c6ac6e5326a7aabb422b09dd253a477490d83f2f84febe61feb73fb068c0201c",
    ),
    (
        "_chat.txt",
        "f2bfef0c4d33b9c15e4cbb76932679cbeb0111abd2b20ebfcc7b815fc151e3fb",
    ),
    (
        "ambiguous_chat.txt",
        "35649fa2327d3b37a6aa0150925381ad9ebd0329f868f66e8ce96d4f6b12975e",
    ),
    (
        "ar_chat.txt",
        "780940f3c520a99f175cc79aeeced9565aa6be952ebf6735a3bb0f8b9e3ad08c",
    ),
    (
        "dst_chat.txt",
        "28924e571a7aea75f62c8eca0a1393771b8713d5e2c5c7a94cb82d93dcedf0dd",
    ),
    (
        "fi_chat.txt",
        "cf30725444f953d1bcda54c1c546dd859ecc1e4d9fdd106cce762afc6be7ebd6",
    ),
    (
        "hi_chat.txt",
        "7496d4a164f6cc662f9bca1a473c69971d16c0217e7f00fdd1236c463a20040e",
    ),
    (
        "it_chat.txt",
        "bc5f92fb14fb01c8104d03f7856e557cd6e60453305d3938f6d79909f012f683",
    ),
    (
        "ko_chat.txt",
        "75c466aa0e39b128424c5ab34d5ddad65c4d3d4965b93332dc3521a65bae59a6",
    ),
    (
        "nl_chat.txt",
        "0a16ab560cdba3795e5e79a6911325ded26f432ebe7e463131f6263ffcf61ce9",
    ),
    (
        "not_an_export.txt",
        "50efdbadc1ce6489fe3d5bc2f5220186b80b6178c812130c976387c9d50c4773",
    ),
    (
        "pt_chat.txt",
        "978ecea6ce83e2665bea443abb8b3398f987a2b2d43b7e471fb5b0b8c0fe2cb9",
    ),
    (
        "ru_chat.txt",
        "29f502e60882a5b0ddee059992dfb5e045996b9acfa73d56d4e3ba9dd4ed4d79",
    ),
];

#[test]
fn fixtures_and_variations_parse_as_pinned() {
    let mut fixtures: Vec<String> = std::fs::read_dir(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/whatsapp"),
    )
    .unwrap()
    .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
    .filter(|n| n.ends_with(".txt"))
    .collect();
    fixtures.sort();
    let got: Vec<(String, String)> = fixtures
        .iter()
        .map(|f| (f.clone(), fixture_digest(f)))
        .collect();
    if std::env::var_os("GOLDEN_PRINT").is_some() {
        for (f, d) in &got {
            println!("    ({f:?}, {d:?}),");
        }
    }
    assert_eq!(got.len(), PINS.len(), "fixture set changed");
    for ((f, d), (pf, pd)) in got.iter().zip(PINS) {
        assert_eq!(f, pf);
        assert_eq!(d, pd, "{f}: output differs from the pinned reference");
    }
}
