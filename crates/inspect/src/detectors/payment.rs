//! Payment and banking: cards, IBAN, SWIFT/BIC, US bank account and routing
//! numbers, crypto-currency addresses.

use crate::checksum::{aba_routing, digits, eip55, iban_mod97, luhn};
use crate::pattern::{PatternDef, ValidateCtx, Verdict};

pub(crate) fn patterns() -> Vec<PatternDef> {
    vec![
        PatternDef::new(
            "CREDIT_CARD",
            "card_luhn",
            r"\b[0-9](?:[ \-]?[0-9]){11,18}\b",
            card,
            0.9,
        ),
        PatternDef::new(
            "IBAN_CODE",
            "iban_mod97",
            r"\b[A-Z]{2}[0-9]{2}(?:[ \-]?[A-Z0-9]){11,30}\b",
            iban,
            0.95,
        ),
        PatternDef::new(
            "SWIFT_BIC",
            "bic",
            r"\b[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?\b",
            bic,
            0.5,
        )
        .with_context(),
        PatternDef::new(
            "ABA_ROUTING_NUMBER",
            "aba_checksum",
            r"\b[0-9]{9}\b",
            aba,
            0.45,
        )
        .with_context(),
        PatternDef::new(
            "US_BANK_NUMBER",
            "bank_account",
            r"\b[0-9]{8,17}\b",
            bank_account,
            0.4,
        )
        .with_context(),
        PatternDef::new(
            "CRYPTO",
            "btc_base58check",
            r"\b[13][1-9A-HJ-NP-Za-km-z]{25,34}\b",
            btc_base58,
            0.95,
        ),
        PatternDef::new(
            "CRYPTO",
            "btc_bech32",
            r"\b(?:bc1|BC1|tb1)[02-9ac-hj-np-zAC-HJ-NP-Z]{6,87}\b",
            btc_bech32,
            0.95,
        ),
        PatternDef::new("CRYPTO", "eth_eip55", r"\b0x[0-9a-fA-F]{40}\b", eth, 0.9),
    ]
}

/// Issuer identification ranges (ISO/IEC 7812 IIN prefixes as published by the
/// networks) and the lengths each issues.
fn issuer_ok(ds: &[u8]) -> bool {
    let prefix = |n: usize| -> u32 {
        ds.iter()
            .take(n)
            .fold(0u32, |acc, &d| acc * 10 + u32::from(d))
    };
    let len = ds.len();
    let p2 = prefix(2);
    let p3 = prefix(3);
    let p4 = prefix(4);
    let p6 = prefix(6);
    match ds.first() {
        Some(4) => matches!(len, 13 | 16 | 19),
        Some(5) => (51..=55).contains(&p2) && len == 16 || (50..=59).contains(&p2) && len >= 12,
        Some(2) => {
            ((2221..=2720).contains(&p4) && len == 16)
                || ((2200..=2204).contains(&p4) && (16..=19).contains(&len))
        }
        Some(3) => {
            ((p2 == 34 || p2 == 37) && len == 15)
                || ((3528..=3589).contains(&p4) && (16..=19).contains(&len))
                || (((300..=305).contains(&p3) || p4 == 3095 || p2 == 36 || p2 == 38 || p2 == 39)
                    && (14..=19).contains(&len))
        }
        Some(6) => {
            (p4 == 6011
                || (644..=649).contains(&p3)
                || p2 == 65
                || (622126..=622925).contains(&p6)
                || p2 == 62
                || p2 == 60
                || (56..=69).contains(&p2))
                && (12..=19).contains(&len)
        }
        Some(8) => (p2 == 81 || p2 == 82) && (16..=19).contains(&len),
        Some(9) => p4 == 9792 && len == 16,
        _ => false,
    }
}

fn card(c: &str, _: &ValidateCtx<'_>) -> Option<Verdict> {
    let ds = digits(c);
    if !(12..=19).contains(&ds.len()) {
        return None;
    }
    let seps: Vec<u8> = c.bytes().filter(|b| !b.is_ascii_digit()).collect();
    if let Some(&first) = seps.first() {
        if seps.iter().any(|&s| s != first) {
            return None;
        }
        // Grouped cards print groups of 4 (Amex 4-6-5); no group shorter than 3.
        if c.split([' ', '-']).any(|g| g.len() < 3) {
            return None;
        }
    }
    if ds.iter().all(|&d| Some(&d) == ds.first()) {
        return None;
    }
    if !luhn(&ds) || !issuer_ok(&ds) {
        return None;
    }
    Verdict::score(1.0)
}

/// IBAN lengths per country, from the SWIFT IBAN registry.
fn iban_length(country: &str) -> Option<usize> {
    const TABLE: &[(&str, usize)] = &[
        ("AD", 24),
        ("AE", 23),
        ("AL", 28),
        ("AT", 20),
        ("AZ", 28),
        ("BA", 20),
        ("BE", 16),
        ("BG", 22),
        ("BH", 22),
        ("BI", 27),
        ("BR", 29),
        ("BY", 28),
        ("CH", 21),
        ("CR", 22),
        ("CY", 28),
        ("CZ", 24),
        ("DE", 22),
        ("DJ", 27),
        ("DK", 18),
        ("DO", 28),
        ("EE", 20),
        ("EG", 29),
        ("ES", 24),
        ("FI", 18),
        ("FK", 18),
        ("FO", 18),
        ("FR", 27),
        ("GB", 22),
        ("GE", 22),
        ("GI", 23),
        ("GL", 18),
        ("GR", 27),
        ("GT", 28),
        ("HN", 28),
        ("HR", 21),
        ("HU", 28),
        ("IE", 22),
        ("IL", 23),
        ("IQ", 23),
        ("IS", 26),
        ("IT", 27),
        ("JO", 30),
        ("KW", 30),
        ("KZ", 20),
        ("LB", 28),
        ("LC", 32),
        ("LI", 21),
        ("LT", 20),
        ("LU", 20),
        ("LV", 21),
        ("LY", 25),
        ("MC", 27),
        ("MD", 24),
        ("ME", 22),
        ("MK", 19),
        ("MN", 20),
        ("MR", 27),
        ("MT", 31),
        ("MU", 30),
        ("NI", 28),
        ("NL", 18),
        ("NO", 15),
        ("OM", 23),
        ("PK", 24),
        ("PL", 28),
        ("PS", 29),
        ("PT", 25),
        ("QA", 29),
        ("RO", 24),
        ("RS", 22),
        ("RU", 33),
        ("SA", 24),
        ("SC", 31),
        ("SD", 18),
        ("SE", 24),
        ("SI", 19),
        ("SK", 24),
        ("SM", 27),
        ("SO", 23),
        ("ST", 25),
        ("SV", 28),
        ("TL", 23),
        ("TN", 24),
        ("TR", 26),
        ("UA", 29),
        ("VA", 22),
        ("VG", 24),
        ("XK", 20),
        ("YE", 30),
    ];
    TABLE.iter().find(|(c, _)| *c == country).map(|(_, n)| *n)
}

fn iban(c: &str, _: &ValidateCtx<'_>) -> Option<Verdict> {
    let want = iban_length(c.get(..2)?)?;
    // Take exactly `want` alphanumerics; whatever follows must start after a separator.
    let mut count = 0;
    let mut end = 0;
    let mut compact = String::with_capacity(want);
    for (i, ch) in c.char_indices() {
        if ch.is_ascii_alphanumeric() {
            count += 1;
            compact.push(ch);
            if count == want {
                end = i + 1;
                break;
            }
        }
    }
    if count != want {
        return None;
    }
    let rest = c.get(end..)?;
    if !(rest.is_empty() || rest.starts_with([' ', '-'])) {
        return None;
    }
    if !iban_mod97(&compact) {
        return None;
    }
    Verdict::trimmed(1.0, 0, rest.len())
}

/// ISO 3166-1 alpha-2 codes (all assigned), for the BIC country field.
const ISO_COUNTRIES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW";

fn bic(c: &str, _: &ValidateCtx<'_>) -> Option<Verdict> {
    let country = c.get(4..6)?;
    if !ISO_COUNTRIES.split(' ').any(|x| x == country) {
        return None;
    }
    Verdict::score(1.0)
}

fn aba(c: &str, _: &ValidateCtx<'_>) -> Option<Verdict> {
    let ds = digits(c);
    // The first two digits are a Federal Reserve routing symbol: 00–12, 21–32, 61–72, 80.
    let fed = ds.iter().take(2).fold(0u32, |a, &d| a * 10 + u32::from(d));
    let fed_ok = matches!(fed, 0..=12 | 21..=32 | 61..=72 | 80);
    if aba_routing(&ds) && fed_ok {
        Verdict::score(1.0)
    } else {
        None
    }
}

fn bank_account(c: &str, _: &ValidateCtx<'_>) -> Option<Verdict> {
    let ds = digits(c);
    if ds.iter().all(|&d| Some(&d) == ds.first()) {
        return None;
    }
    Verdict::score(1.0)
}

fn btc_base58(c: &str, _: &ValidateCtx<'_>) -> Option<Verdict> {
    let payload = bs58::decode(c).with_check(None).into_vec().ok()?;
    if payload.len() == 21 && matches!(payload.first(), Some(0x00 | 0x05)) {
        Verdict::score(1.0)
    } else {
        None
    }
}

fn btc_bech32(c: &str, _: &ValidateCtx<'_>) -> Option<Verdict> {
    let has_lower = c.bytes().any(|b| b.is_ascii_lowercase());
    let has_upper = c.bytes().any(|b| b.is_ascii_uppercase());
    if has_lower && has_upper {
        return None;
    }
    bech32::segwit::decode(c).ok()?;
    Verdict::score(1.0)
}

fn eth(c: &str, _: &ValidateCtx<'_>) -> Option<Verdict> {
    let hex = c.get(2..)?;
    if hex.bytes().all(|b| b == b'0') {
        return None;
    }
    let mixed =
        hex.bytes().any(|b| b.is_ascii_lowercase()) && hex.bytes().any(|b| b.is_ascii_uppercase());
    if !eip55(c) {
        return None;
    }
    Verdict::score(if mixed { 1.0 } else { 0.85 })
}
