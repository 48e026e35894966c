//! Deterministic mutation run over the fixtures (a cheap, always-on companion to
//! the cargo-fuzz targets in `fuzz/`): no input may panic, and every error names
//! the file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chatwarden_connectors::ParseOptions;

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

const INTERESTING: &[&[u8]] = &[
    b"\xe2\x80\x8e", // LRM
    b"\xe2\x80\xaf", // NNBSP
    b"\xef\xbb\xbf", // BOM
    b"\r\n",
    b"\n",
    b"[",
    b"]",
    b": ",
    b" - ",
    b"PM",
    b"\xe4\xb8\x8b\xe5\x8d\x88", // 下午
    b"<Media omitted>",
    b"<attached: ",
    b"99",
    b"/",
    b"\xff",
];

fn mutate(rng: &mut XorShift, input: &[u8]) -> Vec<u8> {
    let mut v = input.to_vec();
    for _ in 0..1 + rng.below(8) {
        match rng.below(4) {
            0 if !v.is_empty() => {
                let i = rng.below(v.len());
                v[i] = rng.next() as u8;
            }
            1 if !v.is_empty() => {
                let i = rng.below(v.len());
                let n = rng.below(16).min(v.len() - i);
                v.drain(i..i + n);
            }
            2 => {
                let i = rng.below(v.len() + 1);
                let tok = INTERESTING[rng.below(INTERESTING.len())];
                v.splice(i..i, tok.iter().copied());
            }
            _ if !v.is_empty() => {
                // Duplicate a slice (lines repeated, headers doubled).
                let i = rng.below(v.len());
                let n = rng.below(64).min(v.len() - i);
                let slice = v[i..i + n].to_vec();
                let j = rng.below(v.len() + 1);
                v.splice(j..j, slice);
            }
            _ => {}
        }
    }
    v
}

#[test]
fn mutated_fixtures_never_panic() {
    let names = [
        "WhatsApp Chat with Jordan Miles.txt",
        "_chat.txt",
        "ar_chat.txt",
        "ko_chat.txt",
        "fi_chat.txt",
        "WhatsApp Chat with Project Falcon.txt",
        "dst_chat.txt",
    ];
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let tz = jiff::tz::TimeZone::get("America/New_York").unwrap();
    let mut opened = 0;
    let mut errors = std::collections::BTreeMap::new();
    for round in 0..1500 {
        let name = names[round % names.len()];
        let seed = std::fs::read(common::fixture(name)).unwrap();
        let input = mutate(&mut rng, &seed);
        let opts = ParseOptions {
            tz: (round % 2 == 0).then(|| tz.clone()),
            ..Default::default()
        };
        match chatwarden_connectors::open_bytes("m.txt", input, &opts) {
            Ok(mut src) => {
                opened += 1;
                for item in src.messages().unwrap() {
                    match item {
                        Ok(m) => assert_eq!(&*m.source.file, "m.txt"),
                        Err(e) => {
                            assert!(e.to_string().starts_with("m.txt"), "{e}");
                            break;
                        }
                    }
                }
            }
            Err(e) => {
                assert!(e.to_string().starts_with("m.txt"), "{e}");
                let kind = format!("{e:?}");
                let kind = kind.split([' ', '{']).next().unwrap_or("").to_owned();
                *errors.entry(kind).or_insert(0u32) += 1;
            }
        }
    }
    // Many mutations still read as exports; the rest are refused as such
    // (random bytes mostly break UTF-8, and 3-line fixtures lose their headers).
    eprintln!("opened {opened}, errors {errors:?}");
    assert!(opened > 400, "{opened}");
    assert!(
        errors.contains_key("InvalidUtf8") && errors.contains_key("NotRecognized"),
        "{errors:?}"
    );
}
