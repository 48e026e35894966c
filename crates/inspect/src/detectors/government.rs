//! Government identifiers (US, UK, China, India, Singapore, Spain, Italy).

use crate::checksum::{digits, es_nif, iso7064_mod11_2, it_fiscal, nhs_mod11, sg_nric, verhoeff};
use crate::pattern::{PatternDef, ValidateCtx, Verdict, accept, inside_digit_run};

pub(crate) fn patterns() -> Vec<PatternDef> {
    vec![
        PatternDef::new(
            "US_SSN",
            "ssn_formatted",
            r"\b[0-9]{3}-[0-9]{2}-[0-9]{4}\b|\b[0-9]{3} [0-9]{2} [0-9]{4}\b|\b[0-9]{3}\.[0-9]{2}\.[0-9]{4}\b",
            ssn,
            0.6,
        ),
        PatternDef::new("US_SSN", "ssn_plain", r"\b[0-9]{9}\b", ssn, 0.5).with_context(),
        PatternDef::new(
            "US_PASSPORT",
            "us_passport",
            r"\b[0-9]{9}\b|\b[A-Z][0-9]{8}\b",
            not_repeated,
            0.5,
        )
        .with_context(),
        PatternDef::new(
            "US_DRIVER_LICENSE",
            "us_driver_license",
            r"\b[A-Z][0-9]{3}-[0-9]{4}-[0-9]{4}\b|\b[A-Z]{1,2}[0-9]{4,14}\b|\b[0-9]{6,14}\b",
            not_repeated,
            0.5,
        )
        .with_context(),
        PatternDef::new(
            "UK_NINO",
            "uk_nino",
            r"\b[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[A-D]\b",
            nino,
            0.85,
        ),
        PatternDef::new(
            "UK_NHS",
            "uk_nhs_mod11",
            r"\b[0-9]{3}[ \-]?[0-9]{3}[ \-]?[0-9]{4}\b",
            nhs,
            0.5,
        ),
        PatternDef::new(
            "CN_RESIDENT_ID",
            "cn_id_iso7064",
            r"\b[1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx]\b",
            cn_id,
            0.95,
        ),
        PatternDef::new(
            "IN_AADHAAR",
            "aadhaar_verhoeff",
            r"\b[2-9][0-9]{3}[ \-]?[0-9]{4}[ \-]?[0-9]{4}\b",
            aadhaar,
            0.6,
        ),
        PatternDef::new(
            "IN_PAN",
            "in_pan",
            r"\b[A-Z]{3}[ABCFGHLJPTK][A-Z][0-9]{4}[A-Z]\b",
            accept,
            0.8,
        ),
        PatternDef::new(
            "SG_NRIC",
            "sg_nric_check",
            r"\b[STFGM][0-9]{7}[A-Z]\b",
            nric,
            0.95,
        ),
        PatternDef::new("ES_NIF", "es_nif_letter", r"\b[0-9]{8}-?[A-Z]\b", nif, 0.9),
        PatternDef::new(
            "ES_NIE",
            "es_nie_letter",
            r"\b[XYZ]-?[0-9]{7}-?[A-Z]\b",
            nif,
            0.9,
        ),
        PatternDef::new(
            "IT_FISCAL_CODE",
            "it_fiscal_check",
            r"\b[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]\b",
            fiscal,
            0.95,
        ),
    ]
}

fn all_same(ds: &[u8]) -> bool {
    ds.iter().all(|&d| Some(&d) == ds.first())
}

fn ascending(ds: &[u8]) -> bool {
    ds.windows(2)
        .all(|w| matches!(w, [a, b] if (*a + 1) % 10 == *b))
}

fn ssn(c: &str, _: &ValidateCtx<'_>) -> Option<Verdict> {
    let ds = digits(c);
    if ds.len() != 9 || all_same(&ds) || ascending(&ds) {
        return None;
    }
    let num = |r: std::ops::Range<usize>| {
        ds.get(r)
            .map(|s| s.iter().fold(0u32, |a, &d| a * 10 + u32::from(d)))
    };
    let (area, group, serial) = (num(0..3)?, num(3..5)?, num(5..9)?);
    // SSA: area 000, 666 and 900–999 are never assigned; group 00 and serial 0000 neither.
    if area == 0 || area == 666 || area >= 900 || group == 0 || serial == 0 {
        return None;
    }
    // Numbers the SSA voided after they were published (Woolworth wallet card,
    // advertising range 987-65-4320…4329).
    if (area, group, serial) == (78, 5, 1120) || (area == 987 && group == 65) {
        return None;
    }
    Verdict::score(1.0)
}

fn not_repeated(c: &str, _: &ValidateCtx<'_>) -> Option<Verdict> {
    let ds = digits(c);
    if ds.len() < 4 || all_same(&ds) || ascending(&ds) {
        return None;
    }
    Verdict::score(1.0)
}

fn nino(c: &str, _: &ValidateCtx<'_>) -> Option<Verdict> {
    let compact: String = c.chars().filter(|ch| *ch != ' ').collect();
    let prefix = compact.get(..2)?;
    if matches!(prefix, "BG" | "GB" | "NK" | "KN" | "TN" | "NT" | "ZZ") {
        return None;
    }
    let spaces = c.bytes().filter(|&b| b == b' ').count();
    if spaces != 0 && spaces != 4 {
        return None;
    }
    Verdict::score(1.0)
}

fn consistent_separators(c: &str) -> bool {
    let seps: Vec<u8> = c.bytes().filter(|b| !b.is_ascii_alphanumeric()).collect();
    match seps.first() {
        None => true,
        Some(&f) => seps.len() == 2 && seps.iter().all(|&s| s == f),
    }
}

/// Factor for an unseparated digit run with a checksum: alone it stays under
/// the default threshold (a bare 10- or 12-digit number is as often an epoch
/// timestamp or a reference, and one in ten passes a mod-11 or Verhoeff check
/// by chance); a context word ("NHS", "Aadhaar") lifts it over.
const BARE_RUN: f32 = 0.8;

fn nhs(c: &str, ctx: &ValidateCtx<'_>) -> Option<Verdict> {
    let ds = digits(c);
    if !consistent_separators(c)
        || all_same(&ds)
        || !nhs_mod11(&ds)
        || inside_digit_run(ctx, c.len())
    {
        return None;
    }
    Verdict::score(if ds.len() == c.len() { BARE_RUN } else { 1.0 })
}

fn cn_id(c: &str, _: &ValidateCtx<'_>) -> Option<Verdict> {
    if iso7064_mod11_2(c) {
        Verdict::score(1.0)
    } else {
        None
    }
}

fn aadhaar(c: &str, ctx: &ValidateCtx<'_>) -> Option<Verdict> {
    let ds = digits(c);
    if !consistent_separators(c)
        || all_same(&ds)
        || !verhoeff(&ds)
        || inside_digit_run(ctx, c.len())
    {
        return None;
    }
    let mut rev = ds.clone();
    rev.reverse();
    if rev == ds {
        return None;
    }
    Verdict::score(if ds.len() == c.len() { BARE_RUN } else { 1.0 })
}

fn nric(c: &str, _: &ValidateCtx<'_>) -> Option<Verdict> {
    if sg_nric(c) {
        Verdict::score(1.0)
    } else {
        None
    }
}

fn nif(c: &str, _: &ValidateCtx<'_>) -> Option<Verdict> {
    if es_nif(c) { Verdict::score(1.0) } else { None }
}

fn fiscal(c: &str, _: &ValidateCtx<'_>) -> Option<Verdict> {
    if it_fiscal(c) {
        Verdict::score(1.0)
    } else {
        None
    }
}
